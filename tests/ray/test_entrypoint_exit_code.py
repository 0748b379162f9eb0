"""A RayJob ends by its entrypoint's exit code in the KubeRay simulator (docs/emulator.md: the
first ``sys.exit(N)``, ``exit(N)`` or shell ``exit N`` in the entrypoint string), with the status
KubeRay writes for Ray's FAILED JobInfo."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.controllers.kuberay.job_endings import entrypoint_exit_code
from tests.ray.test_cli_job import job, submit


def test_an_entrypoint_that_exits_non_zero_fails_the_job(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    result = submit("exit3", "--wait", "--timeout", "30s", entrypoint=("python", "-c", "import sys; sys.exit(3)"))
    assert result.exit_code == 10, result  # an object failed (docs/exit-codes.md)
    status = job(emu, "exit3")["status"]
    assert (status["jobStatus"], status["jobDeploymentStatus"]) == ("FAILED", "Failed")
    assert (status["failed"], status["succeeded"]) == (1, 0)
    assert status["reason"] == "AppFailed"
    assert status["message"].startswith(
        "Job entrypoint command failed with exit code 3, last available logs (truncated to 20,000 chars):\n"
    )


def test_the_failed_job_error_is_one_line_with_the_exit_code(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = submit("exit3", "--wait", "--timeout", "30s", entrypoint=("python", "-c", "import sys; sys.exit(3)"))
    error = next(line for line in result.stderr.splitlines() if line.startswith("error:"))
    # Ray's lead-in to the log tail ("last available logs ...") goes with the tail (review39)
    assert error == "error: Ray job exit3 ended Failed (job FAILED): Job entrypoint command failed with exit code 3"
    assert "job output line" not in result.stderr  # the log tail stays out of the error


def test_an_entrypoint_that_exits_zero_succeeds(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    result = submit("exit0", "--wait", "--timeout", "30s", entrypoint=("python", "-c", "import sys; sys.exit(0)"))
    assert result.exit_code == 0, result
    assert job(emu, "exit0")["status"]["jobStatus"] == "SUCCEEDED"


def test_the_exit_code_convention_reads_python_and_shell_exits() -> None:
    assert entrypoint_exit_code('python -c "import sys; sys.exit(3)"') == 3
    assert entrypoint_exit_code("bash -c 'exit 7'") == 7
    assert entrypoint_exit_code("python -c 'exit(2)'") == 2
    assert entrypoint_exit_code("python train.py --exit-after 5") == 0
    assert entrypoint_exit_code("python x.py") == 0


def test_job_status_shows_the_first_line_of_rays_message_and_json_keeps_it_whole(
    ray_emulator: Callable[..., Any],
) -> None:
    ray_emulator()
    submit("exit3", "--wait", "--timeout", "30s", entrypoint=("python", "-c", "import sys; sys.exit(3)"))
    table = invoke("ray", "job", "status", "exit3")
    assert "job output line" not in table.stdout  # the log tail stays out of the table
    assert "message:          Job entrypoint command failed with exit code 3\n" in table.stdout
    doc = json.loads(invoke("ray", "job", "status", "exit3", "-o", "json").stdout)
    assert doc["message"].endswith("job output line\n")


def test_the_wait_of_a_retried_job_says_the_first_line_of_the_failed_attempts_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # While the next attempt waits, the RayJob's message is still the failed attempt's, log tail and all.
    from akscli.ray import follow
    from akscli.ray.status import Finding

    message = "Job entrypoint command failed with exit code 3, last available logs (truncated to 20,000 chars):\nboom"
    found = [Finding("rayjob.ray.io/train", "AppFailed", message)]
    monkeypatch.setattr(follow, "diagnose_job", lambda _kube, _job: found)
    said: list[str] = []
    follow._explain(None, {}, set(), said.append)  # type: ignore[arg-type]
    assert said == ["waiting: rayjob.ray.io/train: AppFailed: Job entrypoint command failed with exit code 3"]
