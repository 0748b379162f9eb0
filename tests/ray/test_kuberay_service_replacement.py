"""A RayService whose cluster spec changes while its pending cluster still comes up: KubeRay
replaces that outdated pending cluster with a new one (a new name), or updates it in place when
the change only adds worker groups at the end, and deletes the replaced one as a dangling cluster.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayservice_controller.go
shouldPrepareNewCluster (the pending cluster, else the active one, is compared with the goal spec by
the hash annotation ray.io/hash-without-replicas-and-workers-to-delete), reconcileRayCluster and
shouldUpdateCluster (in place), cleanUpRayClusterInstance (dangling clusters).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until as _wait_until

RAY = "ray.io/v1"


def wait_until(check: Callable[[], bool]) -> None:
    _wait_until(check, timeout=20.0)  # generous: the suite runs on a shared, loaded machine


def _serve_file(tmp_path: Path) -> Path:
    serve = tmp_path / "serve.yaml"
    serve.write_text("applications:\n  - name: llm\n    import_path: serve_llm:app\n")
    return serve


def _status(emu: Any) -> dict[str, Any]:
    found: dict[str, Any] = emu.cluster.get(RAY, "RayService", "default", "llm").get("status") or {}
    return found


def _pending(emu: Any) -> str:
    return str((_status(emu).get("pendingServiceStatus") or {}).get("rayClusterName") or "")


def _deploy_pending_on(emu: Any, serve: Path, pool: str) -> str:
    """Deploy llm with GPU workers on ``pool`` (no wait) and return its pending cluster's name."""
    deployed = invoke(
        "ray", "service", "deploy", "llm", "-f", str(serve), "--gpu-pool", pool, "--worker-gpu", "1", "-y"
    )
    assert deployed.exit_code == 0, deployed
    # KubeRay names the pending cluster in one pass and creates it in the next.
    wait_until(lambda: bool(_pending(emu)) and emu.cluster.get(RAY, "RayCluster", "default", _pending(emu)) is not None)
    return _pending(emu)


def test_a_second_deploy_on_another_pool_replaces_the_initialising_cluster_and_its_wait_ends_ready(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))
    serve = _serve_file(tmp_path)
    first = _deploy_pending_on(emu, serve, "gpuh100")  # a pool without nodes: it never comes up
    again = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--gpu-pool", "gpua100", "--worker-gpu", "1",
                   "-y", "--wait", "--timeout", "10s")  # fmt: skip
    assert again.exit_code == 0, again
    active = _status(emu)["activeServiceStatus"]["rayClusterName"]
    assert active != first
    shown = json.loads(invoke("ray", "service", "status", "llm", "-o", "json").stdout)
    assert (shown["cluster"], shown["pendingCluster"]) == (active, None)


def test_the_replaced_cluster_is_deleted_as_a_dangling_cluster(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))
    serve = _serve_file(tmp_path)
    first = _deploy_pending_on(emu, serve, "gpuh100")
    _deploy_pending_on(emu, serve, "gpua100")
    wait_until(lambda: emu.cluster.get(RAY, "RayCluster", "default", first) is None)
    # cleanUpRayClusterInstance records the deletion right after it (the event follows the delete)
    wait_until(
        lambda: any(
            e.get("reason") == "DeletedRayCluster" and e.get("message") == f"Deleted the RayCluster default/{first}"
            for e in emu.cluster.list("v1", "Event", "default")
        )
    )


def test_a_timed_out_wait_after_a_redeploy_names_the_new_pool_not_the_replaced_one(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))
    serve = _serve_file(tmp_path)
    _deploy_pending_on(emu, serve, "gpuh100")
    again = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--gpu-pool", "gpuv100", "--worker-gpu", "1",
                   "-y", "--wait", "--timeout", "3s")  # fmt: skip
    assert again.exit_code == 5, again
    hint = next(line for line in again.stderr.splitlines() if line.startswith("hint: "))
    assert "(it asks for node pool gpuv100)" in hint, again.stderr


def test_a_worker_group_added_at_the_end_updates_the_pending_cluster_in_place(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))
    serve = _serve_file(tmp_path)
    first = _deploy_pending_on(emu, serve, "gpuh100")
    stored = emu.cluster.get(RAY, "RayService", "default", "llm")
    groups = stored["spec"]["rayClusterConfig"]["workerGroupSpecs"]
    groups.append({**groups[-1], "groupName": "extra"})
    emu.cluster.update(stored)
    wait_until(
        lambda: (
            [g["groupName"] for g in emu.cluster.get(RAY, "RayCluster", "default", first)["spec"]["workerGroupSpecs"]]
            == [g["groupName"] for g in groups]
        )
    )
    assert _pending(emu) == first


def _by_hand(emu: Any) -> Callable[[], None]:
    """One RayService pass of a KubeRay simulator the emulator does not run: each call is one
    reconcile of llm, and nothing is requeued behind the test's back."""
    from tests.emulators.kube.controllers.kuberay import KubeRayController

    simulator = KubeRayController(delay=0.02)
    simulator.requeue = lambda obj, after: None  # type: ignore[method-assign]
    return lambda: simulator.reconcile(emu.cluster, emu.cluster.get(RAY, "RayService", "default", "llm"))


def test_the_pass_that_names_a_new_pending_cluster_leaves_its_creation_to_the_next_pass(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator(operator=False)
    assert invoke("ray", "service", "deploy", "llm", "-f", str(_serve_file(tmp_path)), "-y").exit_code == 0
    reconcile = _by_hand(emu)
    reconcile()  # adds the finalizer and returns
    reconcile()  # calculateStatus: shouldPrepareNewCluster writes the name
    named = _pending(emu)
    assert named and emu.cluster.get(RAY, "RayCluster", "default", named) is None
    reconcile()  # reconcileRayCluster: the name without a cluster is created
    assert emu.cluster.get(RAY, "RayCluster", "default", named) is not None


def test_a_replaced_pending_cluster_stays_until_the_pass_after_the_new_name_is_written(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator(operator=False)
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))  # gpuh100 and gpuv100 have none
    serve = _serve_file(tmp_path)
    deploy = ("ray", "service", "deploy", "llm", "-f", str(serve), "--worker-gpu", "1", "-y")
    assert invoke(*deploy, "--gpu-pool", "gpuh100").exit_code == 0
    reconcile = _by_hand(emu)
    for _ in range(3):
        reconcile()
    first = _pending(emu)
    assert invoke(*deploy, "--gpu-pool", "gpuv100").exit_code == 0  # no node either: stays pending
    reconcile()
    second = _pending(emu)
    assert second not in ("", first)
    assert [emu.cluster.get(RAY, "RayCluster", "default", n) is not None for n in (first, second)] == [True, False]


def test_the_dashboard_of_a_service_whose_pending_cluster_is_named_but_not_created_says_so(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator(operator=False)
    assert invoke("ray", "service", "deploy", "llm", "-f", str(_serve_file(tmp_path)), "-y").exit_code == 0
    reconcile = _by_hand(emu)
    reconcile()
    reconcile()  # the name is written; the cluster comes on the next pass
    shown = invoke("ray", "dashboard", "rayservice/llm")
    assert shown.exit_code == 3, shown
    assert f"rayservice llm names Ray cluster {_pending(emu)}, which KubeRay has not created yet" in shown.stderr
