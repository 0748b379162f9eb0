"""`akscli ray job stop` waits until the job has ended, as Ray's `ray job stop` does unless
--no-wait (ray-project/ray python/ray/dashboard/modules/job/cli.py stop: get_job_status every
second until STOPPED, SUCCEEDED or FAILED); `ray job status|logs ID --cluster C` read a job of the
cluster's Ray job API by its submission ID, as Ray's `ray job status|logs` do (cli.py status, logs;
src/akscli/cli/ray/job_api.py, src/akscli/ray/job_api.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job, submit
from tests.ray.test_job_api_routes import info, job_api, shared, submit_to_api
from tests.ray.test_job_api_stop_delete import running_direct


def test_stop_with_a_cluster_waits_until_the_job_is_stopped(ray_emulator: Callable[..., Any]) -> None:
    emu = running_direct(ray_emulator)
    result = invoke("ray", "job", "stop", "direct", "--cluster", "shared", "-y")
    assert result.exit_code == 0, result
    assert result.stdout == "direct stopping\n"
    assert "Ray job direct ended: STOPPED (Job was intentionally stopped.)" in result.stderr
    assert info(emu, "direct")["status"] == "STOPPED"  # read after the command, with no wait


def test_stop_with_a_cluster_and_no_wait_returns_while_the_job_still_exits(ray_emulator: Callable[..., Any]) -> None:
    emu = running_direct(ray_emulator)
    job_api(emu).delay = 3600.0  # the entrypoint takes its time to exit (job_supervisor.py run)
    result = invoke("ray", "job", "stop", "direct", "--cluster", "shared", "-y", "--no-wait")
    assert result.exit_code == 0, result
    assert result.stdout == "direct stopping\n"
    assert "ended" not in result.stderr
    assert info(emu, "direct")["status"] == "RUNNING"


def test_stop_with_a_cluster_gives_up_after_its_timeout(ray_emulator: Callable[..., Any]) -> None:
    emu = running_direct(ray_emulator)
    job_api(emu).delay = 3600.0
    result = invoke("ray", "job", "stop", "direct", "--cluster", "shared", "-y", "--timeout", "1s")
    assert result.exit_code == 5, result
    assert "error: Ray job direct on cluster shared is still RUNNING after 1s" in result.stderr
    assert "hint: see it: akscli ray job status direct --cluster shared -n default, or raise --timeout" in (
        result.stderr
    )


def test_stop_of_a_rayjob_on_a_shared_cluster_waits_until_kuberay_writes_its_end(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = shared(ray_emulator)
    assert submit("long", "--cluster", "shared", entrypoint=("sleep", "1d")).exit_code == 0
    wait_until(lambda: (job(emu, "long").get("status") or {}).get("jobStatus") == "RUNNING")
    result = invoke("ray", "job", "stop", "long", "-y")
    assert result.exit_code == 0, result
    assert result.stdout == "rayjob.ray.io/long stopping\n"
    assert "Ray job long ended: Complete, job STOPPED" in result.stderr
    status = job(emu, "long")["status"]
    assert (status["jobDeploymentStatus"], status["jobStatus"]) == ("Complete", "STOPPED")


def test_status_with_a_cluster_shows_rays_status_of_the_job(ray_emulator: Callable[..., Any]) -> None:
    running_direct(ray_emulator)
    result = invoke("ray", "job", "status", "direct", "--cluster", "shared")
    assert result.exit_code == 0, result
    rows = dict(line.split(":", 1) for line in result.stdout.splitlines())
    rows = {k: v.strip() for k, v in rows.items()}
    assert rows["cluster"] == "shared"
    assert rows["status"] == "RUNNING"
    assert rows["message"] == "Job is currently running."
    assert rows["entrypoint"] == "python direct.py"
    answer = json.loads(invoke("ray", "job", "status", "direct", "--cluster", "shared", "-o", "json").stdout)
    assert (answer["submission_id"], answer["type"], answer["cluster"]) == ("direct", "SUBMISSION", "shared")


def test_status_with_a_cluster_and_wait_fails_for_a_job_that_failed(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator, run_seconds=0)
    assert submit_to_api(emu, entrypoint="python bad.py exit(3)", submission_id="bad")[0] == 200
    result = invoke("ray", "job", "status", "bad", "--cluster", "shared", "--wait", "--timeout", "30s")
    assert result.exit_code == 10, result
    assert "error: Ray job bad on cluster shared ended FAILED (Job entrypoint command failed with exit code 3" in (
        result.stderr
    )
    assert "hint: read its logs: akscli ray job logs bad --cluster shared -n default" in result.stderr


def test_status_with_a_cluster_of_a_job_the_api_does_not_know_is_not_found(ray_emulator: Callable[..., Any]) -> None:
    running_direct(ray_emulator)
    result = invoke("ray", "job", "status", "nosuch", "--cluster", "shared")
    assert result.exit_code == 3, result
    assert "error: the Ray job API of cluster shared does not know job nosuch: Job nosuch does not exist" in (
        result.stderr
    )


def test_logs_with_a_cluster_print_the_log_of_a_job_submitted_straight_to_the_api(
    ray_emulator: Callable[..., Any],
) -> None:
    running_direct(ray_emulator)
    result = invoke("ray", "job", "logs", "direct", "--cluster", "shared")
    assert result.exit_code == 0, result
    assert result.stdout == "running: python direct.py\n"


def test_logs_with_a_cluster_and_follow_stream_until_the_job_ends(ray_emulator: Callable[..., Any]) -> None:
    emu = running_direct(ray_emulator)
    job_api(emu).run_seconds = 0.0  # ends on the next read
    result = invoke("ray", "job", "logs", "direct", "--cluster", "shared", "--follow")
    assert result.exit_code == 0, result
    assert result.stdout == "running: python direct.py\n"
    assert info(emu, "direct")["status"] == "SUCCEEDED"


def test_logs_with_a_cluster_refuse_out_dir(ray_emulator: Callable[..., Any]) -> None:
    result = invoke("ray", "job", "logs", "direct", "--cluster", "shared", "--out-dir", "logs")
    assert result.exit_code == 2, result
    assert "error: --out-dir saves a RayJob's pod logs" in result.stderr
