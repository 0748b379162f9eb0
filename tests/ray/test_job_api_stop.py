"""`akscli ray job stop` of a job on a shared cluster, end to end through the simulated Ray job API:
POST /api/jobs/ID/stop on the head's dashboard, the job STOPPED, and KubeRay's RayJob Complete
(tests/emulators/kube/controllers/kuberay/job_api.py; upstream: ray-project/ray
python/ray/dashboard/modules/job/job_head.py, job_manager.py stop_job, job_supervisor.py; ray-project/kuberay
ray-operator/controllers/ray/rayjob_controller.go)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job, submit

RAY = "ray.io/v1"
STOPPED = "Job was intentionally stopped."


def running_on_shared(ray_emulator: Callable[..., Any], *flags: str) -> Any:
    """Ray cluster ``shared`` and RayJob ``long`` running on it (``--cluster shared``)."""
    emu = ray_emulator(run_seconds=60)
    assert invoke("ray", "cluster", "create", "shared", "--wait", "--timeout", "20s").exit_code == 0
    assert submit("long", "--cluster", "shared", *flags, entrypoint=("sleep", "1d")).exit_code == 0
    wait_until(lambda: (job(emu, "long").get("status") or {}).get("jobStatus") == "RUNNING")
    return emu


def dashboard(emu: Any, method: str, path: str) -> tuple[int, bytes]:
    """One request to shared's Ray dashboard through the emulator's service proxy."""
    handler = emu.find_service_proxy("default", "shared-head-svc", "8265")
    assert handler is not None
    status, _, body = handler(method, path, b"")
    return status, body


def test_stop_on_a_shared_cluster_ends_the_job_stopped_and_kuberay_complete(ray_emulator: Callable[..., Any]) -> None:
    emu = running_on_shared(ray_emulator)
    result = invoke("ray", "job", "stop", "long", "-y")
    assert result.exit_code == 0, result
    assert result.stdout == "rayjob.ray.io/long stopping\n"
    wait_until(lambda: job(emu, "long")["status"].get("jobDeploymentStatus") == "Complete")
    status = job(emu, "long")["status"]
    assert (status["jobStatus"], status["message"]) == ("STOPPED", STOPPED)
    assert "reason" not in status and status["succeeded"] == 0 and status["failed"] == 0
    # the shared cluster outlives the job (clusterSelector: KubeRay deletes nothing)
    assert emu.cluster.get("ray.io/v1", "RayCluster", "default", "shared") is not None


def test_a_stopped_job_ends_status_wait_as_a_failure_with_rays_words(ray_emulator: Callable[..., Any]) -> None:
    running_on_shared(ray_emulator)
    assert invoke("ray", "job", "stop", "long", "-y").exit_code == 0
    result = invoke("ray", "job", "status", "long", "--wait", "--timeout", "20s", "-o", "json")
    assert result.exit_code == 10, result
    assert json.loads(result.stdout)["jobStatus"] == "STOPPED"
    assert STOPPED in result.stderr


def test_the_submitter_log_ends_with_rays_stopped_warning(ray_emulator: Callable[..., Any]) -> None:
    emu = running_on_shared(ray_emulator)
    job_id = job(emu, "long")["status"]["jobId"]
    assert invoke("ray", "job", "stop", "long", "-y").exit_code == 0
    wait_until(lambda: job(emu, "long")["status"].get("jobDeploymentStatus") == "Complete")
    logs = invoke("ray", "job", "logs", "long")
    assert logs.exit_code == 0, logs
    assert logs.stdout.splitlines()[-1].endswith(f"WARN cli.py:85 -- Job '{job_id}' was stopped")


def test_stopping_an_ended_job_again_says_it_already_ended(ray_emulator: Callable[..., Any]) -> None:
    emu = running_on_shared(ray_emulator)
    assert invoke("ray", "job", "stop", "long", "-y").exit_code == 0
    wait_until(lambda: job(emu, "long")["status"].get("jobDeploymentStatus") == "Complete")
    again = invoke("ray", "job", "stop", "long", "-y")
    assert again.exit_code == 0, again
    assert "Ray job long already ended (Complete, job STOPPED)" in again.stderr


def test_the_job_api_answers_stopped_false_for_an_ended_job(ray_emulator: Callable[..., Any]) -> None:
    # job_manager.py stop_job: "Returns whether or not the job was running."
    emu = running_on_shared(ray_emulator)
    job_id = job(emu, "long")["status"]["jobId"]
    assert dashboard(emu, "POST", f"/api/jobs/{job_id}/stop") == (200, b'{"stopped": true}')
    wait_until(lambda: job(emu, "long")["status"].get("jobDeploymentStatus") == "Complete")
    assert dashboard(emu, "POST", f"/api/jobs/{job_id}/stop") == (200, b'{"stopped": false}')
    status, body = dashboard(emu, "GET", f"/api/jobs/{job_id}")
    assert status == 200 and json.loads(body)["status"] == "STOPPED" and json.loads(body)["message"] == STOPPED


def test_the_job_api_answers_404_for_a_job_it_does_not_know(ray_emulator: Callable[..., Any]) -> None:
    # job_head.py stop_job: find_job_by_ids finds none.
    emu = running_on_shared(ray_emulator)
    assert dashboard(emu, "POST", "/api/jobs/raysubmit_none/stop") == (404, b"Job raysubmit_none does not exist")


def test_a_job_the_job_api_finds_ended_is_said_to_have_ended_not_stopping(ray_emulator: Callable[..., Any]) -> None:
    # The Ray job API ended it before KubeRay's next pass wrote so: {"stopped": false}.
    emu = running_on_shared(ray_emulator)

    def ended(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/json"}, b'{"stopped": false}'

    emu.register_service_proxy("default", "shared-head-svc", 8265, ended)
    result = invoke("ray", "job", "stop", "long", "-y")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert "Ray job long already ended: the Ray job API of cluster shared found it not running" in result.stderr


def test_a_sidecar_mode_job_stopped_through_the_job_api_ends_its_submitter_container_0(
    ray_emulator: Callable[..., Any],
) -> None:
    # SidecarMode's `ray job submit` exits 1 only for FAILED (ray-project/ray cli.py submit).
    from tests.ray.test_kuberay_states import _cluster_spec

    emu = ray_emulator(run_seconds=60)
    spec = {"entrypoint": "python x.py", "submissionMode": "SidecarMode", "rayClusterSpec": _cluster_spec()}
    emu.cluster.create(
        {"apiVersion": RAY, "kind": "RayJob", "metadata": {"name": "side", "namespace": "default"}, "spec": spec}
    )
    wait_until(lambda: (job(emu, "side").get("status") or {}).get("jobStatus") == "RUNNING")
    result = invoke("ray", "job", "stop", "side", "-y")
    assert result.exit_code == 0, result
    wait_until(lambda: job(emu, "side")["status"].get("jobDeploymentStatus") == "Complete")
    assert job(emu, "side")["status"]["jobStatus"] == "STOPPED"
    cluster = job(emu, "side")["status"]["rayClusterName"]
    head = emu.cluster.list("v1", "Pod", "default", label_selector=f"ray.io/cluster={cluster},ray.io/node-type=head")[0]
    submitter = next(c for c in head["status"]["containerStatuses"] if c["name"] == "ray-job-submitter")
    assert submitter["state"]["terminated"]["exitCode"] == 0


def test_deleting_a_running_job_stops_it_on_the_shared_cluster(ray_emulator: Callable[..., Any]) -> None:
    # rayjob_controller.go: a RayJob being deleted whose Ray job is not terminal is stopped (StopJob).
    emu = running_on_shared(ray_emulator)
    job_id = job(emu, "long")["status"]["jobId"]
    assert invoke("ray", "job", "delete", "long", "-y").exit_code == 0
    wait_until(lambda: job(emu, "long") is None)
    status, body = dashboard(emu, "GET", f"/api/jobs/{job_id}")
    assert status == 200 and json.loads(body)["status"] == "STOPPED"


def test_a_job_the_job_api_does_not_know_yet_is_a_conflict_that_says_so(ray_emulator: Callable[..., Any]) -> None:
    # job_head.py stop_job answers 404 "Job ID does not exist" before the submitter has submitted it.
    emu = running_on_shared(ray_emulator)
    job_id = job(emu, "long")["status"]["jobId"]

    def unknown(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        return 404, {"Content-Type": "text/plain"}, f"Job {job_id} does not exist".encode()

    emu.register_service_proxy("default", "shared-head-svc", 8265, unknown)
    result = invoke("ray", "job", "stop", "long", "-y")
    assert result.exit_code == 4, result
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"error: Ray job long has not been submitted to cluster shared yet: its Ray job API does not know job {job_id}"
    )
    assert lines[1] == (
        "hint: stop it once it runs (akscli ray job status long -n default), or delete it: "
        "akscli ray job delete long -n default"
    )
