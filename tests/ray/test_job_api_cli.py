"""akscli and the Ray job API of a cluster: `ray job list --cluster` adds the jobs submitted
straight to it (no RayJob), and `ray job logs --follow` of an HTTPMode job reads the log tail
websocket through the API server's service proxy, as `ray job logs --follow` does
(src/akscli/ray/job_api.py; upstream: ray-project/ray python/ray/dashboard/modules/job/job_head.py
list_jobs and tail_job_logs, sdk.py tail_job_logs)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.conftest import unready_head
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job, submit
from tests.ray.test_job_api_routes import info, shared, submit_to_api
from tests.ray.test_kuberay_states import _cluster_spec

RAY = "ray.io/v1"


def shared_with_both(ray_emulator: Callable[..., Any]) -> Any:
    """Cluster ``shared`` running RayJob ``long`` and API job ``direct`` (no RayJob)."""
    emu = shared(ray_emulator)
    assert submit("long", "--cluster", "shared", entrypoint=("sleep", "1d")).exit_code == 0
    assert submit_to_api(emu, entrypoint="python direct.py", submission_id="direct")[0] == 200
    wait_until(lambda: (job(emu, "long").get("status") or {}).get("jobStatus") == "RUNNING")
    wait_until(lambda: info(emu, "direct")["status"] == "RUNNING")
    return emu


def test_list_with_a_cluster_adds_the_jobs_submitted_straight_to_its_api(ray_emulator: Callable[..., Any]) -> None:
    shared_with_both(ray_emulator)
    result = invoke("ray", "job", "list", "--cluster", "shared")
    assert result.exit_code == 0, result
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("long", "RUNNING", "Running", "shared"),
        ("direct", "RUNNING", "<none>", "shared"),
    ]
    assert "1 job(s) with DEPLOYMENT <none> were submitted straight to the Ray job API of cluster shared" in (
        result.stderr
    )


def test_list_with_a_cluster_as_names_keeps_to_rayjobs_and_says_what_it_left_out(
    ray_emulator: Callable[..., Any],
) -> None:
    shared_with_both(ray_emulator)
    result = invoke("ray", "job", "list", "--cluster", "shared", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "rayjob.ray.io/long\n"
    assert "1 job(s) submitted straight to the Ray job API of cluster shared are not RayJobs and not in -o name" in (
        result.stderr
    )


def test_list_with_a_cluster_whose_head_is_not_ready_lists_the_rayjobs_and_warns(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = shared_with_both(ray_emulator)
    unready_head(emu, "shared")
    result = invoke("ray", "job", "list", "--cluster", "shared", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "rayjob.ray.io/long\n"
    assert "warning: jobs submitted straight to the Ray job API of cluster shared are not listed: " in result.stderr
    assert "not serving yet" in result.stderr


def create_http_job(emu: Any) -> None:
    """RayJob ``http`` (HTTPMode) on a cluster of its own."""
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayJob",
            "metadata": {"name": "http", "namespace": "default"},
            "spec": {"entrypoint": "python x.py", "submissionMode": "HTTPMode", "rayClusterSpec": _cluster_spec()},
        }
    )


def http_job(emu: Any) -> dict[str, Any]:
    """RayJob ``http`` (HTTPMode), followed until its Ray job runs; its status then."""
    create_http_job(emu)
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobStatus") == "RUNNING", timeout=15)
    status: dict[str, Any] = job(emu, "http")["status"]
    return status


def test_logs_follow_of_an_http_mode_job_streams_until_the_job_ends(ray_emulator: Callable[..., Any]) -> None:
    # Started while the job runs and its log is still empty: a one-time GET /logs would print nothing.
    emu = ray_emulator(run_seconds=1)
    status = http_job(emu)
    result = invoke("ray", "job", "logs", "http", "--follow")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["running: python x.py", "job output line"]
    # The tail closes once the Ray job's own status is terminal (upstream: ray-project/ray
    # python/ray/dashboard/modules/job/job_manager.py tail_job_logs, status.is_terminal()): the job
    # API says SUCCEEDED as the follow ends. KubeRay copies it into the RayJob only on a later pass of
    # the Running case (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go,
    # requeued every RayJobDefaultRequeueDuration, 3 s), so the RayJob is waited for, not read at once.
    dashboard = emu.find_service_proxy("default", f"{status['rayClusterName']}-head-svc", "8265")
    code, _, body = dashboard("GET", f"/api/jobs/{status['jobId']}", b"")
    assert (code, json.loads(body)["status"]) == (200, "SUCCEEDED"), body
    wait_until(lambda: job(emu, "http")["status"]["jobStatus"] == "SUCCEEDED", timeout=15)


def test_logs_follow_of_a_job_the_api_does_not_know_says_so(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=30)
    status = http_job(emu)
    job_id = status["jobId"]

    def unknown(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        return 404, {"Content-Type": "text/plain"}, f"Job {job_id} does not exist".encode()

    emu.register_service_proxy("default", f"{status['rayClusterName']}-head-svc", 8265, unknown)
    result = invoke("ray", "job", "logs", "http", "--follow")
    assert result.exit_code == 3, result
    assert (
        f"error: the Ray job API of cluster {status['rayClusterName']} does not know job {job_id}: "
        f"Job {job_id} does not exist"
    ) in result.stderr


def test_logs_follow_cut_when_the_head_goes_says_so(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=30)
    status = http_job(emu)
    simulator = next(c for c in emu.controllers.controllers if hasattr(c, "job_api"))
    # The cluster's GCS goes with its head (job_api.py forget): the tail's connection is cut.
    threading.Timer(0.5, simulator.job_api.forget, ("default", status["rayClusterName"])).start()
    result = invoke("ray", "job", "logs", "http", "--follow")
    assert result.exit_code == 1, result
    assert "was cut: WebSocket connection closed unexpectedly with close code 1006" in result.stderr
    assert "Traceback" not in result.stderr


def test_logs_without_follow_still_read_the_logs_once(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=0)
    create_http_job(emu)  # RUNNING lasts only a moment with run_seconds=0: wait for Complete alone
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobDeploymentStatus") == "Complete", timeout=15)
    result = invoke("ray", "job", "logs", "http")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["running: python x.py", "job output line"]


def test_logs_follow_with_tail_starts_from_the_last_lines_written(ray_emulator: Callable[..., Any]) -> None:
    # The tail websocket sends the log from its start (job_manager.py tail_job_logs): --tail 1 keeps one line.
    emu = ray_emulator(run_seconds=0)
    create_http_job(emu)
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobDeploymentStatus") == "Complete", timeout=15)
    result = invoke("ray", "job", "logs", "http", "--follow", "--tail", "1")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["job output line"]


def test_logs_follow_with_tail_zero_prints_only_lines_written_after(ray_emulator: Callable[..., Any]) -> None:
    # kubectl logs -f --tail=0 starts at the end of the log (kubernetes/kubectl pkg/cmd/logs/logs.go
    # ToLogOptions sends TailLines=0); the job has ended, so nothing comes after.
    emu = ray_emulator(run_seconds=0)
    create_http_job(emu)
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobDeploymentStatus") == "Complete", timeout=15)
    result = invoke("ray", "job", "logs", "http", "--follow", "--tail", "0")
    assert result.exit_code == 0, result
    assert result.stdout == ""


def test_logs_follow_ends_when_request_timeout_runs_out(ray_emulator: Callable[..., Any]) -> None:
    # kubectl logs -f --request-timeout N ends after N s; so does the websocket's follow.
    emu = ray_emulator(run_seconds=60)
    http_job(emu)
    result = invoke("ray", "job", "logs", "http", "--follow", "--request-timeout", "1s")
    assert result.exit_code == 1, result
    assert "--request-timeout 1s ran out" in result.stderr.splitlines()[0]


def test_logs_follow_waits_for_an_http_mode_job_kuberay_has_not_submitted_yet(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(run_seconds=1)
    create_http_job(emu)
    result = invoke("ray", "job", "logs", "http", "--follow", "--timeout", "30s")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["running: python x.py", "job output line"]
    assert "waiting up to 30s for Ray job http to reach the Ray job API of its cluster" in result.stderr


def test_logs_of_a_running_rayjob_show_what_its_driver_has_written_so_far(ray_emulator: Callable[..., Any]) -> None:
    # JobLogStorageClient.get_logs reads job-driver-ID.log as it is then (job_log_storage_client.py).
    emu = ray_emulator(run_seconds=60)
    http_job(emu)
    result = invoke("ray", "job", "logs", "http")
    assert result.exit_code == 0, result
    assert result.stdout == "running: python x.py\n"
    assert job(emu, "http")["status"]["jobStatus"] == "RUNNING"


def test_logs_follow_with_tail_of_a_running_rayjob_starts_from_its_last_line(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=60)
    http_job(emu)
    result = invoke("ray", "job", "logs", "http", "--follow", "--tail", "1", "--request-timeout", "1s")
    assert result.exit_code == 1, result  # still running when --request-timeout ran out
    assert result.stdout == "running: python x.py\n"


def test_logs_follow_gives_up_a_handshake_unanswered_within_request_timeout(ray_emulator: Callable[..., Any]) -> None:
    # client-go's http.Client.Timeout (--request-timeout) bounds a request from its dial on.
    emu = ray_emulator(run_seconds=60)
    http_job(emu)
    simulator = next(c for c in emu.controllers.controllers if hasattr(c, "job_api"))
    answer = threading.Event()
    tail = simulator.job_api._tail

    def silent_head(ns: str, cluster: str, path: str) -> Any:
        answer.wait(30)  # a head that accepted the connection and does not answer the upgrade
        return tail(ns, cluster, path)

    simulator.job_api._tail = silent_head
    try:
        result = invoke("ray", "job", "logs", "http", "--follow", "--request-timeout", "1s")
    finally:
        answer.set()
    assert result.exit_code == 1, result
    assert "no answer to the websocket handshake within --request-timeout 1s" in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr
