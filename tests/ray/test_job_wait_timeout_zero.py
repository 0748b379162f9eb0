"""``ray job submit|status --wait --timeout 0`` checks once, through the wait's own code (kube/wait.py
check_once), as every akscli wait's --timeout 0 and kubectl wait --timeout=0 ("Zero means check once and
don't wait": kubernetes/kubectl dee3483a pkg/cmd/wait/wait.go, pkg/cmd/wait/condition.go
getObjAndCheckCondition): the job is judged on the create's answer, then read once (a GET, no watch),
and a job that has not ended is "condition not met for rayjob.ray.io/NAME (...)", exit 5. Before, the
follow judged the answer only and said "still New (job -) after 0s"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

RAY = "ray.io/v1"
ONCE_HINT = (
    "hint: --timeout 0 checks once and does not wait, as kubectl wait --timeout=0; give a longer --timeout to wait"
)


def _rayjob_requests(emu: Any) -> list[str]:
    """The verbs of the RayJob requests after its create or apply (or all, where there was none)."""
    log = [r for r in emu.request_log if "/rayjobs" in r.path]
    created = max((i for i, r in enumerate(log) if r.method in ("POST", "PATCH")), default=-1)
    return [r.verb for r in log[created + 1 :]]


def test_submit_wait_timeout_zero_reads_the_job_once_and_says_the_condition_is_not_met(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(operator=False)  # no KubeRay: the job never leaves New
    emu.request_log.clear()
    result = invoke("ray", "job", "submit", "--name", "j0", "--wait", "--timeout", "0", "-y", "--", "python", "x.py")
    assert result.exit_code == 5, result
    assert "error: condition not met for rayjob.ray.io/j0 (deployment New, job -)" in result.stderr
    assert ONCE_HINT in result.stderr
    assert "after 0s" not in result.stderr
    assert _rayjob_requests(emu) == ["get"]


def test_status_wait_timeout_zero_of_a_finished_job_succeeds_without_a_watch(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(operator=False)
    created = invoke("ray", "job", "submit", "--name", "done", "-y", "--", "python", "x.py")
    assert created.exit_code == 0, created
    emu.cluster.patch_status(
        RAY, "RayJob", "default", "done", {"jobDeploymentStatus": "Complete", "jobStatus": "SUCCEEDED"}
    )
    emu.request_log.clear()
    result = invoke("ray", "job", "status", "done", "--wait", "--timeout", "0")
    assert result.exit_code == 0, result
    assert "watch" not in _rayjob_requests(emu)
