"""`ray job delete` and `ray service delete` wait until KubeRay has let the object go: the
simulator holds them with KubeRay's finalizers (upstream: ray-project/kuberay v1.7.0
ray-operator/controllers/ray/rayjob_controller.go RayJobStopJobFinalizer, rayservice_controller.go
RayServiceFinalizer), as kubectl delete waits by default."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke, start, stop
from tests.emulators.kube.controllers.kuberay.gcs_ft import REDIS_CLEANUP_FINALIZER
from tests.emulators.kube.controllers.kuberay.job import RAYJOB_FINALIZER
from tests.emulators.kube.controllers.kuberay.service import RAYSERVICE_FINALIZER
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import RAY, job, submit
from tests.ray.test_cli_service import SERVE


def _finalizers(emu: Any, kind: str, name: str) -> list[str]:
    return list(((emu.cluster.get(RAY, kind, "default", name) or {}).get("metadata") or {}).get("finalizers") or [])


def test_job_delete_returns_once_kuberays_finalizer_let_the_job_go(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=5)
    assert submit("held").exit_code == 0
    wait_until(lambda: RAYJOB_FINALIZER in (job(emu, "held")["metadata"].get("finalizers") or []))
    result = invoke("ray", "job", "delete", "held", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(RAY, "RayJob", "default", "held") is None


def _held_by_a_stopped_operator(emu: Any) -> None:
    """A RayJob with KubeRay's finalizer, then KubeRay stopped: nothing lets it go."""
    assert submit("held").exit_code == 0
    wait_until(lambda: RAYJOB_FINALIZER in (job(emu, "held")["metadata"].get("finalizers") or []))
    emu.controllers.remove(next(c for c in emu.controllers.controllers if type(c).__name__ == "KubeRayController"))


def test_job_delete_no_wait_returns_while_kuberays_finalizer_holds_it(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=5)
    _held_by_a_stopped_operator(emu)
    result = invoke("ray", "job", "delete", "held", "-y", "--no-wait")
    assert result.exit_code == 0, result
    assert emu.cluster.get(RAY, "RayJob", "default", "held")["metadata"]["deletionTimestamp"]


def test_ctrl_c_while_a_delete_waits_ends_it_now(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=5)
    _held_by_a_stopped_operator(emu)
    process = start("ray", "job", "delete", "held", "-y", "--timeout", "10m")
    try:
        assert process.stdout is not None
        assert "deleted" in process.stdout.readline()  # printed once accepted; the wait follows
        # The wait is under way once its watch is open (a sleep here was a guess at it).
        wait_until(lambda: bool(emu.requests(verb="watch", path="/rayjobs")), timeout=30)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        stop(process)
    assert process.returncode == 130, err


def test_service_delete_returns_once_kuberay_deleted_its_clusters_and_let_it_go(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    (tmp_path / "serve.yaml").write_text(SERVE)
    assert invoke("ray", "service", "deploy", "llm", "-f", str(tmp_path / "serve.yaml"), "--wait").exit_code == 0
    service = emu.cluster.get(RAY, "RayService", "default", "llm")
    assert RAYSERVICE_FINALIZER in service["metadata"]["finalizers"]
    assert emu.cluster.list(RAY, "RayCluster", "default")
    result = invoke("ray", "service", "delete", "llm", "-y")
    assert result.exit_code == 0, result
    # rayservice_controller.go: the finalizer goes only once cleanUpRayClusterInstance lists none.
    assert emu.cluster.get(RAY, "RayService", "default", "llm") is None
    assert emu.cluster.list(RAY, "RayCluster", "default") == []


def test_cluster_delete_with_gcs_fault_tolerance_returns_once_kuberays_redis_cleanup_let_it_go(
    ray_emulator: Callable[..., Any],
) -> None:
    from tests.emulators.kube.controllers.builtin import JobController

    emu = ray_emulator()  # with the system pool's node: the clean-up Job's pod runs only on a node
    emu.controllers.add(JobController(delay=0.02))  # runs KubeRay's Redis clean-up Job
    result = invoke("ray", "cluster", "create", "ft", "--annotation", "ray.io/ft-enabled=true")
    assert result.exit_code == 0, result
    wait_until(lambda: _finalizers(emu, "RayCluster", "ft") == [REDIS_CLEANUP_FINALIZER])
    wait_until(lambda: len(emu.cluster.list("v1", "Pod", "default")) > 0)
    result = invoke("ray", "cluster", "delete", "ft", "-y")
    assert result.exit_code == 0, result
    # raycluster_controller.go: the finalizer goes once the <name>-redis-cleanup Job has finished.
    assert emu.cluster.get(RAY, "RayCluster", "default", "ft") is None
    reasons = [e.get("reason") for e in emu.cluster.list("v1", "Event", "default")]
    assert "CreatedRedisCleanupJob" in reasons
