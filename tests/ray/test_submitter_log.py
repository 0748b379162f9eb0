"""The KubeRay simulator's submitter log ends as Ray's job CLI ends it in a pod (record-style
cli_logger lines; tests/emulators/kube/controllers/kuberay/submitter_log.py cites the upstream
files): KubeRay v1.7's K8sJobMode submitter runs ``ray job submit --no-wait`` then ``ray job logs
--follow``, whose ``_log_job_status`` prints the error block and Ray's status message for a FAILED
job, and which ends 0, so the submitter pod ends Succeeded."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_job import submit

RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\t(INFO|SUCC|ERR) cli\.py:(\d+) -- (.*)")


def _records(lines: list[str]) -> list[tuple[str, str, str]]:
    """(level, cli.py line, message) of each cli_logger record; the job's own lines are left out."""
    return [(m.group(1), m.group(2), m.group(3)) for m in map(RECORD.fullmatch, lines) if m]


def test_a_failed_jobs_submitter_log_ends_with_rays_error_block_and_status_message(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    submit("exit3", "--wait", "--timeout", "30s", entrypoint=("python", "-c", "import sys; sys.exit(3)"))
    lines = invoke("ray", "job", "logs", "exit3").stdout.splitlines()
    job_id = emu.cluster.get("ray.io/v1", "RayJob", "default", "exit3")["status"]["jobId"]
    rule = "-" * len(f"Job '{job_id}' failed")
    assert _records(lines)[-4:] == [
        ("ERR", "74", rule),
        ("ERR", "75", f"Job '{job_id}' failed"),
        ("ERR", "76", rule),
        ("INFO", "89", "Status message: Job entrypoint command failed with exit code 3, last available logs "
                       "(truncated to 20,000 chars):"),
    ]  # fmt: skip
    # The status message goes on with the job's log tail, as Ray's JobInfo message does.
    assert lines[-2:] == ["running: python -c 'import sys; sys.exit(3)'", "job output line"]
    [pod] = emu.cluster.list("v1", "Pod", "default", label_selector="batch.kubernetes.io/job-name=exit3")
    assert pod["status"]["phase"] == "Succeeded"  # its last command, ray job logs --follow, ends 0


def test_the_submitter_submits_without_waiting_then_follows_the_logs(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    submit("fine", "--wait", "--timeout", "30s", entrypoint=("python", "-c", "import sys; sys.exit(0)"))
    records = _records(invoke("ray", "job", "logs", "fine").stdout.splitlines())
    job_id = emu.cluster.get("ray.io/v1", "RayJob", "default", "fine")["status"]["jobId"]
    said = [message for _, _, message in records]
    assert "Tailing logs until the job exits (disable with --no-wait):" not in said  # submit --no-wait
    addresses = [m for m in said if m.startswith("Job submission server address: http://fine-")]
    assert len(addresses) == 2  # ray job submit, then ray job logs
    assert said.index(f"Job '{job_id}' submitted successfully") < said.index(f"ray job stop {job_id}")
    assert records[-2] == ("SUCC", "67", f"Job '{job_id}' succeeded")
