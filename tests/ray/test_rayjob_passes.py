"""The KubeRay simulator runs a RayJob as KubeRay's Reconcile does: passes, each requeued after it
returns (ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go Reconcile,
``RequeueAfter: RayJobDefaultRequeueDuration``), on the controller manager's thread, not a thread
per job that sleeps between its steps (tests/emulators/kube/controllers/kuberay/job_passes.py)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job, submit

JOB_CODE = str(Path("tests", "emulators", "kube", "controllers", "kuberay", "job"))


def threads_in_rayjob_code() -> list[str]:
    """The threads whose stack is in the simulator's RayJob code right now (job.py, job_endings.py,
    job_recovery.py), other than one running a pass on the controller manager's thread."""
    names = {t.ident: t.name for t in threading.enumerate()}
    found = []
    for ident, frame in sys._current_frames().items():
        stack = []
        while frame is not None:
            stack.append(frame.f_code.co_filename)
            frame = frame.f_back
        if names.get(ident) != "kube-emulator-controllers" and any(JOB_CODE in f for f in stack):
            found.append(names.get(ident, str(ident)))
    return found


def test_running_rayjobs_have_no_thread_of_their_own(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=30)
    for name in ("a", "b", "c"):
        assert submit(name).exit_code == 0
    wait_until(lambda: all((job(emu, n).get("status") or {}).get("jobStatus") == "RUNNING" for n in "abc"))
    for _ in range(5):  # a sleeping job thread would be seen on every look
        assert threads_in_rayjob_code() == []


def test_a_rayjob_still_runs_to_complete_through_its_passes(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=0.1)
    assert submit("short").exit_code == 0
    wait_until(lambda: (job(emu, "short").get("status") or {}).get("jobDeploymentStatus") == "Complete")
    assert job(emu, "short")["status"]["jobStatus"] == "SUCCEEDED"
