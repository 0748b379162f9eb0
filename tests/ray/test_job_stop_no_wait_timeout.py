"""`akscli ray job stop NAME --no-wait --timeout D`: the timeout bounds a wait, and --no-wait makes
none, so it is checked as a duration and then not used, as kubectl does for `kubectl delete
--wait=false --timeout D` (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go: Validate has no
rule for the pair, and DeleteResult returns at ``if !o.WaitForDeletion`` before it reads
o.Timeout; the flag itself is a duration, so a value that is not one is refused when it is parsed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job, submit
from tests.ray.test_job_api_routes import info, job_api, shared
from tests.ray.test_job_api_stop_delete import running_direct


def test_no_wait_with_a_timeout_returns_once_the_stop_is_sent(ray_emulator: Callable[..., Any]) -> None:
    emu = running_direct(ray_emulator)
    job_api(emu).delay = 3600.0  # the entrypoint takes its time to exit: a wait would run into the timeout
    result = invoke("ray", "job", "stop", "direct", "--cluster", "shared", "-y", "--no-wait", "--timeout", "1s")
    assert result.exit_code == 0, result
    assert result.stdout == "direct stopping\n"
    assert result.stderr == ""
    assert info(emu, "direct")["status"] == "RUNNING"


def test_no_wait_with_a_timeout_does_not_wait_for_a_rayjob_either(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator)
    assert submit("long", "--cluster", "shared", entrypoint=("sleep", "1d")).exit_code == 0
    wait_until(lambda: (job(emu, "long").get("status") or {}).get("jobStatus") == "RUNNING")
    result = invoke("ray", "job", "stop", "long", "-y", "--no-wait", "--timeout", "5m")
    assert result.exit_code == 0, result
    assert result.stdout == "rayjob.ray.io/long stopping\n"
    assert "ended" not in result.stderr  # a wait prints "Ray job long ended: Complete, job STOPPED"


def test_no_wait_with_a_timeout_that_is_no_duration_is_refused_before_the_stop(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = running_direct(ray_emulator)
    result = invoke("ray", "job", "stop", "direct", "--cluster", "shared", "-y", "--no-wait", "--timeout", "soon")
    assert result.exit_code == 2, result
    assert "error:" in result.stderr and "--timeout" in result.stderr
    assert not job_api(emu).stop_requested("default", "shared", "direct")
