"""A failed Ray job's one-line message ends at what failed, not at Ray's lead-in to a log tail it
leaves out.

Ray's message for an entrypoint that exited non-zero is ``Job entrypoint command failed with exit
code N, last available logs (truncated to 20,000 chars):`` and then the log (ray-project/ray
python/ray/dashboard/modules/job/job_supervisor.py JobSupervisor.run; newer releases write ``. Last
available logs``, older ones ``Job failed due to an application error, last available logs``).
akscli keeps the first line for a table row and an error, so the line used to end promising logs it
did not show: ``error: Ray job exit3 ended Failed (job FAILED): Job entrypoint command failed with
exit code 3, last available logs (truncated to 20,000 chars)``. The hint names `ray job logs`.
Through the CLI: tests/ray/test_entrypoint_exit_code.py, test_the_failed_job_error_is_one_line_with_the_exit_code."""

from __future__ import annotations

import pytest

from akscli.kube.readiness.kuberay import first_line


@pytest.mark.parametrize(
    ("message", "line"),
    [
        (
            "Job entrypoint command failed with exit code 1, last available logs (truncated to 20,000 chars):\nboom",
            "Job entrypoint command failed with exit code 1",
        ),
        (
            "Job entrypoint command failed with exit code 1. Last available logs (truncated to 20,000 chars):\nboom",
            "Job entrypoint command failed with exit code 1",
        ),
        (
            "Job failed due to an application error, last available logs (truncated to 20,000 chars):\nboom",
            "Job failed due to an application error",
        ),
        (
            "Job entrypoint command failed with exit code 1. No logs available.",
            "Job entrypoint command failed with exit code 1. No logs available.",
        ),
    ],
)
def test_rays_log_lead_in_is_left_out_of_the_first_line(message: str, line: str) -> None:
    assert first_line(message) == line
