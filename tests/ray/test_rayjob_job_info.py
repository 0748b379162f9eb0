"""What KubeRay copies from the Ray job API into a RayJob, and how an HTTPMode RayJob's job reaches
the API: status.rayJobInfo's start and end times from Ray's ms, and HTTPMode's Running pass that
finds no job (GetJobInfo 404) and submits it then, or finds the job spec.jobId names already there
(tests/emulators/kube/controllers/kuberay/job.py, job_api.py; upstream: ray-project/kuberay
ray-operator/controllers/ray/rayjob_controller.go, the Running case and reconcileHTTPModeJobNotFound,
initRayJobStatusIfNeed; ray-operator/apis/ray/v1/rayjob_types.go RayJobStatusInfo)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job
from tests.ray.test_job_api_routes import info, shared, submit_to_api
from tests.ray.test_kuberay_states import _cluster_spec

RAY = "ray.io/v1"


def rfc3339(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


def http_rayjob(emu: Any, name: str, **spec: Any) -> None:
    body = {"entrypoint": "python x.py", "submissionMode": "HTTPMode", **spec}
    if "clusterSelector" not in spec:
        body["rayClusterSpec"] = _cluster_spec()
    emu.cluster.create(
        {"apiVersion": RAY, "kind": "RayJob", "metadata": {"name": name, "namespace": "default"}, "spec": body}
    )


def test_a_finished_rayjob_carries_rays_start_and_end_times_in_ray_job_info(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator, run_seconds=0)
    http_rayjob(emu, "http", clusterSelector={"ray.io/cluster": "shared"})
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobDeploymentStatus") == "Complete", timeout=15)
    status = job(emu, "http")["status"]
    ray = info(emu, status["jobId"])
    assert status["rayJobInfo"] == {"startTime": rfc3339(ray["start_time"]), "endTime": rfc3339(ray["end_time"])}


def test_a_running_rayjob_carries_only_the_start_time(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator, run_seconds=60)
    http_rayjob(emu, "http", clusterSelector={"ray.io/cluster": "shared"})
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobStatus") == "RUNNING", timeout=15)
    status = job(emu, "http")["status"]
    assert status["rayJobInfo"] == {"startTime": rfc3339(info(emu, status["jobId"])["start_time"])}


def test_an_http_mode_rayjob_takes_the_job_id_written_in_its_spec(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator, run_seconds=60)
    http_rayjob(emu, "http", clusterSelector={"ray.io/cluster": "shared"}, jobId="my-id")
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobStatus") == "RUNNING", timeout=15)
    assert job(emu, "http")["status"]["jobId"] == "my-id"
    assert info(emu, "my-id")["entrypoint"] == "python x.py"


def test_an_http_mode_rayjob_finds_a_job_already_submitted_under_its_id_and_submits_none(
    ray_emulator: Callable[..., Any],
) -> None:
    # GetJobInfo answers the job: reconcileHTTPModeJobNotFound (SubmitJob) is never reached.
    emu = shared(ray_emulator, run_seconds=60)
    assert submit_to_api(emu, entrypoint="python before.py", submission_id="my-id")[0] == 200
    http_rayjob(emu, "http", clusterSelector={"ray.io/cluster": "shared"}, jobId="my-id")
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobStatus") == "RUNNING", timeout=15)
    assert job(emu, "http")["status"]["jobId"] == "my-id"
    assert info(emu, "my-id")["entrypoint"] == "python before.py"


def test_an_http_mode_rayjob_runs_with_no_job_status_until_its_job_is_submitted(
    ray_emulator: Callable[..., Any],
) -> None:
    # Initializing -> Running submits nothing in HTTPMode; the Running pass's 404 submits the job.
    emu = shared(ray_emulator, run_seconds=60)
    seen: list[tuple[Any, Any, bool]] = []
    simulator = next(c for c in emu.controllers.controllers if hasattr(c, "job_api"))
    update = emu.cluster.update_status_of

    def recording(obj: dict[str, Any], fields: dict[str, Any]) -> Any:
        answer = update(obj, fields)  # the simulator's RayJob status writes (job_status.py)
        if answer.get("kind") == "RayJob" and answer["metadata"]["name"] == "http":
            now = answer.get("status") or {}
            known = bool(now.get("jobId")) and simulator.job_api.knows("default", "shared", str(now.get("jobId")))
            seen.append((now.get("jobDeploymentStatus"), now.get("jobStatus"), known))
        return answer

    emu.cluster.update_status_of = recording
    http_rayjob(emu, "http", clusterSelector={"ray.io/cluster": "shared"})
    wait_until(lambda: ("Running", "RUNNING", True) in seen, timeout=15)
    running = [s for s in seen if s[0] == "Running"]
    assert running[0] == ("Running", None, False)
    assert ("Running", "PENDING", True) in running
