"""`ray job delete` waits until KubeRay has let the RayJob go: the simulator holds it with
KubeRay's finalizer (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/
rayjob_controller.go, RayJobStopJobFinalizer), as kubectl delete waits by default."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from typing import Any

from tests.cli import invoke, start, stop
from tests.emulators.kube.controllers.kuberay.job import RAYJOB_FINALIZER
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import RAY, job, submit


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
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        stop(process)
    assert process.returncode == 130, err
