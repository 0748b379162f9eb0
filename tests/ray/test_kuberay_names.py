"""The names KubeRay gives a RayJob's cluster and job ID: ``<name>-<rand.String(5)>``, drawn anew
each time the job starts from New (the first attempt, a retry, a resume after suspension).

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayjob_controller.go
initRayJobStatusIfNeed, utils/util.go GenerateRayClusterName and GenerateRayJobId;
kubernetes/apimachinery pkg/util/rand/rand.go String (its alphabet has no vowels).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until as _wait_until
from tests.ray.test_cli_job import job, submit
from tests.ray.test_kuberay_states import gpu_node

RAND = "[bcdfghjklmnpqrstvwxz2456789]{5}"


def wait_until(check: Callable[[], bool]) -> None:
    _wait_until(check, timeout=20.0)  # generous: the suite runs on a shared, loaded machine


def _names(emu: Any, name: str) -> tuple[str, str]:
    status = job(emu, name).get("status") or {}
    return str(status.get("rayClusterName") or ""), str(status.get("jobId") or "")


def test_a_resumed_job_runs_on_a_newly_named_cluster_with_a_new_job_id(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(failure="unschedulable-gpu")
    gpu_node(emu)
    assert submit("halt", "--worker-gpu", "1").exit_code == 0
    wait_until(lambda: all(_names(emu, "halt")))
    before = _names(emu, "halt")
    assert all(re.fullmatch(f"halt-{RAND}", n) for n in before), before
    assert invoke("ray", "job", "stop", "halt", "-y").exit_code == 0
    wait_until(lambda: job(emu, "halt")["status"].get("jobDeploymentStatus") == "Suspended")
    stored = job(emu, "halt")
    stored["spec"]["suspend"] = False
    emu.cluster.update(stored)
    wait_until(lambda: all(_names(emu, "halt")))
    after = _names(emu, "halt")
    assert after[0] != before[0] and after[1] != before[1], (before, after)
