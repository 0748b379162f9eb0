"""A Ray job that KubeRay ended Failed exits 10 (docs/exit-codes.md: an object failed, its
controller reported a terminal condition), so that a CI job tells a failed training run from
akscli's own failure (1) and from a wait that ran out (5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_job import submit


def test_submit_wait_of_a_failed_job_exits_10(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(failure="job-fail")
    result = submit("bad", "--wait", "--timeout", "30s")
    assert result.exit_code == 10, result
    assert "error: Ray job bad ended Failed (job FAILED)" in result.stderr


def test_status_wait_of_a_failed_job_exits_10(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(failure="job-fail")
    assert submit("bad").exit_code == 0
    result = invoke("ray", "job", "status", "bad", "--wait", "--timeout", "30s")
    assert result.exit_code == 10, result
