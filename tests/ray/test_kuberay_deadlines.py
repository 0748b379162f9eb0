"""RayJob failures KubeRay never retries: past spec.activeDeadlineSeconds (DeadlineExceeded), and
the Ray dashboard not answering the job's status for RAYJOB_STATUS_CHECK_TIMEOUT_SECONDS
(JobStatusCheckTimeoutExceeded). akscli says why the job failed and that it is not retried.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayjob_controller.go
checkActiveDeadlineAndUpdateStatusIfNeeded, checkJobStatusCheckTimeoutAndUpdateStatusIfNeeded,
checkBackoffLimitAndUpdateStatusIfNeeded ("RayJob is not eligible for retry due to failure with
DeadlineExceeded or JobStatusCheckTimeoutExceeded").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_job import job, submit
from tests.ray.test_kuberay_retries import job_statuses


def test_a_job_past_its_deadline_fails_deadline_exceeded_and_is_not_retried(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=30)
    result = submit("slow", "--deadline", "1s", "--backoff-limit", "2", "--wait", "--timeout", "20s")
    assert result.exit_code == 10, result
    status = job(emu, "slow")["status"]
    assert (status["jobDeploymentStatus"], status["reason"], status["failed"]) == ("Failed", "DeadlineExceeded", 1)
    assert status["jobStatus"] == "RUNNING"  # the deadline leaves jobStatus as it was
    assert re.fullmatch(
        r"The RayJob has passed the activeDeadlineSeconds\. StartTime: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC\. "
        r"ActiveDeadlineSeconds: 1",
        status["message"],
    )
    assert not any(s.get("jobDeploymentStatus") == "Retrying" for s in job_statuses(emu, "slow"))


def test_the_wait_says_the_deadline_ended_the_job_and_that_it_is_not_retried(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(run_seconds=30)
    result = submit("slow", "--deadline", "1s", "--backoff-limit", "2", "--wait", "--timeout", "20s")
    assert "deployment Failed, job RUNNING (attempt 1 of 3, not retried: KubeRay never retries a DeadlineExceeded " in (
        result.stderr
    )
    error = next(line for line in result.stderr.splitlines() if line.startswith("error: "))
    assert error.startswith(
        "error: Ray job slow ended Failed (job RUNNING) with DeadlineExceeded, which KubeRay never retries "
        "(--backoff-limit 2 is not used): The RayJob has passed the activeDeadlineSeconds."
    ), error
    assert "hint: it ran past --deadline, spec.activeDeadlineSeconds: submit it again with a longer --deadline" in (
        result.stderr
    )


def test_job_status_says_a_deadline_failure_gets_no_retry(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(run_seconds=30)
    submit("slow", "--deadline", "1s", "--wait", "--timeout", "20s")
    shown = json.loads(invoke("ray", "job", "status", "slow", "-o", "json").stdout)
    assert shown["reason"] == "DeadlineExceeded"
    assert (
        shown["retry"]
        == "none: KubeRay never retries DeadlineExceeded (it ran past --deadline, spec.activeDeadlineSeconds)"
    )


def test_a_job_whose_status_cannot_be_read_fails_after_the_check_timeout_and_is_not_retried(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(failure="job-status-check", status_check_timeout=1)
    result = submit("lost", "--backoff-limit", "1", "--wait", "--timeout", "20s")
    assert result.exit_code == 10, result
    status = job(emu, "lost")["status"]
    assert (status["jobDeploymentStatus"], status["reason"], status["failed"]) == (
        "Failed",
        "JobStatusCheckTimeoutExceeded",
        1,
    )
    assert re.fullmatch(
        r"Job status checks have been failing since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d; exceeded timeout of 1s",
        status["message"],
    )
    assert status.get("jobStatusCheckFailureStartTime")
    assert not any(s.get("jobDeploymentStatus") == "Retrying" for s in job_statuses(emu, "lost"))
    assert "with JobStatusCheckTimeoutExceeded, which KubeRay never retries (--backoff-limit 1 is not used)" in (
        result.stderr
    )
    assert "hint: KubeRay could not read its status from the Ray dashboard: read its logs" in result.stderr
