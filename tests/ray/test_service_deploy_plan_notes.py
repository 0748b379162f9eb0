"""``ray service deploy``'s plan says what KubeRay does to the RayService's pending cluster.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayservice_controller.go
shouldPrepareNewCluster (a cluster spec that differs beyond replicas and tolerations replaces the
pending cluster, even one still coming up), cleanUpRayClusterInstance (the replaced one goes
rayClusterDeletionDelaySeconds later); utils/util.go GenerateHashWithoutReplicasAndWorkersToDelete.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke
from tests.ray.test_kuberay_service_replacement import _deploy_pending_on, _serve_file


def _pending_on_gpuh100(ray_emulator: Callable[..., Any], tmp_path: Path) -> tuple[Path, str]:
    emu = ray_emulator()
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))  # gpuh100 has no node
    serve = _serve_file(tmp_path)
    return serve, _deploy_pending_on(emu, serve, "gpuh100")


def _plan(serve: Path, *flags: str) -> str:
    shown = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--worker-gpu", "1", *flags, "--dry-run=server")
    assert shown.exit_code == 0, shown
    return shown.stdout


def test_the_plan_says_a_redeploy_on_another_pool_replaces_the_pending_cluster_not_yet_serving(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    serve, pending = _pending_on_gpuh100(ray_emulator, tmp_path)
    plan = _plan(serve, "--gpu-pool", "gpuv100")
    said = (
        f"KubeRay replaces pending Ray cluster {pending}, which is not serving yet, with a new cluster "
        f"and deletes {pending} 60s later (rayClusterDeletionDelaySeconds)"
    )
    assert said in plan, plan


def test_the_plan_says_a_replicas_only_change_leaves_the_pending_cluster_at_its_size_not_replaced(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    serve, pending = _pending_on_gpuh100(ray_emulator, tmp_path)
    plan = _plan(serve, "--gpu-pool", "gpuh100", "--worker-replicas", "2")
    assert f"KubeRay leaves pending Ray cluster {pending} at its current size" in plan, plan
    assert "replaces" not in plan, plan


def test_apply_of_a_redeployed_manifest_says_it_replaces_the_pending_cluster(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    serve, pending = _pending_on_gpuh100(ray_emulator, tmp_path)
    manifest = tmp_path / "llm.yaml"
    rendered = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--worker-gpu", "1", "--gpu-pool", "gpuv100",
                      "--dry-run=client", "-o", "yaml")  # fmt: skip
    manifest.write_text(rendered.stdout)
    shown = invoke("apply", "-f", str(manifest), "--dry-run=server")
    assert shown.exit_code == 0, shown
    assert f"KubeRay replaces pending Ray cluster {pending}, which is not serving yet" in shown.stdout, shown


def _edit_head_by_hand(emu: Any, cluster: str) -> None:
    """``kubectl edit raycluster``: an env var added to the head's Ray container (a hashed field)."""
    stored = emu.cluster.get("ray.io/v1", "RayCluster", "default", cluster)
    container = stored["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    container.setdefault("env", []).append({"name": "DEBUG_BY_HAND", "value": "1"})
    emu.cluster.update(stored)


def test_a_hand_edited_pending_cluster_is_read_by_the_services_spec_as_kuberay_reads_its_hash(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    # KubeRay compares the hash annotation it wrote from the RayService's spec, never the cluster's
    # own spec (rayservice_controller.go isClusterSpecHashEqual): a change of replicas only, which the
    # hash leaves out, replaces nothing, hand edit or not.
    emu = ray_emulator()
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))
    serve = _serve_file(tmp_path)
    pending = _deploy_pending_on(emu, serve, "gpuh100")
    _edit_head_by_hand(emu, pending)
    plan = " ".join(_plan(serve, "--gpu-pool", "gpuh100", "--worker-replicas", "2").split())
    assert f"Pending Ray cluster {pending} was changed by hand since KubeRay made it" in plan, plan
    assert "the hand edit stays until KubeRay replaces the cluster" in plan
    assert f"KubeRay leaves pending Ray cluster {pending} at its current size" in plan, plan
    assert "replaces pending" not in plan, plan


def test_a_hand_edited_pending_cluster_is_still_replaced_by_a_change_to_the_services_spec(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    emu.cluster.create(nc_a100_node("aks-gpua100-0", pool="gpua100"))
    serve = _serve_file(tmp_path)
    pending = _deploy_pending_on(emu, serve, "gpuh100")
    _edit_head_by_hand(emu, pending)
    plan = " ".join(_plan(serve, "--gpu-pool", "gpuv100").split())
    assert f"KubeRay replaces pending Ray cluster {pending}, which is not serving yet" in plan, plan
