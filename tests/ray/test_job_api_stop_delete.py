"""`akscli ray job stop|delete ID --cluster C`: a job submitted straight to a cluster's Ray job API
(no RayJob), stopped with POST /api/jobs/ID/stop and deleted with DELETE /api/jobs/ID as Ray's own
`ray job stop` and `ray job delete` do (src/akscli/ray/job_api.py; upstream: ray-project/ray
python/ray/dashboard/modules/job/cli.py stop and delete, sdk.py, job_head.py, job_manager.py
stop_job and delete_job)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job, submit
from tests.ray.test_job_api_routes import info, shared, submit_to_api
from tests.ray.test_job_api_stop import dashboard


def running_direct(ray_emulator: Callable[..., Any], run_seconds: float = 60) -> Any:
    """Cluster ``shared`` with API job ``direct`` (no RayJob), RUNNING (or ended, run_seconds 0)."""
    emu = shared(ray_emulator, run_seconds=run_seconds)
    assert submit_to_api(emu, entrypoint="python direct.py", submission_id="direct")[0] == 200
    wait_until(lambda: info(emu, "direct")["status"] in ("RUNNING", "SUCCEEDED"))
    return emu


def ended_direct(ray_emulator: Callable[..., Any]) -> Any:
    emu = running_direct(ray_emulator, run_seconds=0)
    wait_until(lambda: info(emu, "direct")["status"] == "SUCCEEDED")
    return emu


def test_stop_with_a_cluster_stops_a_job_submitted_straight_to_its_api(ray_emulator: Callable[..., Any]) -> None:
    emu = running_direct(ray_emulator)
    result = invoke("ray", "job", "stop", "direct", "--cluster", "shared", "-y")
    assert result.exit_code == 0, result
    assert result.stdout == "direct stopping\n"
    wait_until(lambda: info(emu, "direct")["status"] == "STOPPED")


def test_stop_with_a_cluster_of_an_ended_job_says_it_already_ended(ray_emulator: Callable[..., Any]) -> None:
    ended_direct(ray_emulator)
    result = invoke("ray", "job", "stop", "direct", "--cluster", "shared", "-y")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert "Ray job direct already ended: the Ray job API of cluster shared found it not running" in result.stderr


def test_stop_with_a_cluster_of_a_job_the_api_does_not_know_is_not_found(ray_emulator: Callable[..., Any]) -> None:
    running_direct(ray_emulator)
    result = invoke("ray", "job", "stop", "nosuch", "--cluster", "shared", "-y")
    assert result.exit_code == 3, result
    assert "error: the Ray job API of cluster shared does not know job nosuch: Job nosuch does not exist" in (
        result.stderr
    )


def test_stop_with_a_cluster_refuses_a_rayjobs_own_job_and_names_the_rayjob(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator, run_seconds=60)
    assert submit("long", "--cluster", "shared", entrypoint=("sleep", "1d")).exit_code == 0
    wait_until(lambda: (job(emu, "long").get("status") or {}).get("jobStatus") == "RUNNING")
    job_id = job(emu, "long")["status"]["jobId"]
    result = invoke("ray", "job", "stop", job_id, "--cluster", "shared", "-y")
    assert result.exit_code == 4, result
    assert f"error: Ray job {job_id} on cluster shared is RayJob long's: KubeRay follows it" in result.stderr
    assert "hint: name the RayJob instead, without --cluster: akscli ray job stop long -n default" in result.stderr
    assert info(emu, job_id)["status"] == "RUNNING"


def test_delete_with_a_cluster_of_a_running_job_is_refused_with_stop_first(ray_emulator: Callable[..., Any]) -> None:
    emu = running_direct(ray_emulator)
    result = invoke("ray", "job", "delete", "direct", "--cluster", "shared", "-y")
    assert result.exit_code == 4, result
    assert result.stderr.splitlines() == [
        "error: Ray job direct on cluster shared is RUNNING: Ray deletes only a job that has ended "
        "(SUCCEEDED, FAILED or STOPPED)",
        "hint: stop it first: akscli ray job stop direct --cluster shared -n default",
    ]
    assert info(emu, "direct")["status"] == "RUNNING"


def test_delete_with_a_cluster_of_an_ended_job_forgets_it(ray_emulator: Callable[..., Any]) -> None:
    emu = ended_direct(ray_emulator)
    result = invoke("ray", "job", "delete", "direct", "--cluster", "shared", "-y")
    assert result.exit_code == 0, result
    assert result.stdout == "direct deleted\n"
    assert dashboard(emu, "GET", "/api/jobs/direct")[0] == 404


def test_delete_with_a_cluster_prints_only_the_id_with_o_name(ray_emulator: Callable[..., Any]) -> None:
    ended_direct(ray_emulator)
    result = invoke("ray", "job", "delete", "direct", "--cluster", "shared", "-y", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "direct\n"


def test_delete_with_a_cluster_of_an_unknown_job_and_ignore_not_found_does_nothing(
    ray_emulator: Callable[..., Any],
) -> None:
    running_direct(ray_emulator)
    result = invoke("ray", "job", "delete", "nosuch", "--cluster", "shared", "-y", "--ignore-not-found")
    assert result.exit_code == 0, result
    assert result.stdout == ""


def test_delete_with_a_cluster_dry_run_client_prints_the_request_and_sends_nothing(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ended_direct(ray_emulator)
    result = invoke("ray", "job", "delete", "direct", "--cluster", "shared", "--dry-run=client")
    assert result.exit_code == 0, result
    assert "method: DELETE" in result.stdout
    assert "path: /api/v1/namespaces/default/services/shared-head-svc:dashboard/proxy/api/jobs/direct" in result.stdout
    assert info(emu, "direct")["status"] == "SUCCEEDED"


def test_delete_with_a_cluster_dry_run_server_is_refused_before_anything_is_read() -> None:
    result = invoke("ray", "job", "delete", "direct", "--cluster", "shared", "--dry-run=server", "-y")
    assert result.exit_code == 2, result
    assert "error: --dry-run=server cannot delete Ray job direct: the Ray job API has no dry run" in result.stderr


def test_a_submission_id_with_characters_a_path_would_change_is_refused() -> None:
    result = invoke("ray", "job", "delete", "a?b", "--cluster", "shared", "-y")
    assert result.exit_code == 2, result
    assert "error: NAME: invalid Ray job submission ID 'a?b'" in result.stderr


def test_delete_with_a_cluster_that_does_not_exist_is_not_found(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = invoke("ray", "job", "delete", "direct", "--cluster", "nosuch", "-y")
    assert result.exit_code == 3, result
    assert "nosuch" in result.stderr.splitlines()[0]
