"""The simulated Ray job API answers as Ray's dashboard does: a job submitted straight to it
(POST /api/jobs/), its delete (DELETE /api/jobs/ID), and the messages KubeRay copies into a running
RayJob (tests/emulators/kube/controllers/kuberay/job_api.py; upstream: ray-project/ray
python/ray/dashboard/modules/job/job_head.py, job_agent.py, job_manager.py submit_job and
delete_job, common.py JobInfo; ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go,
the Running case)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job
from tests.ray.test_job_api_stop import dashboard, running_on_shared


def shared(ray_emulator: Callable[..., Any], run_seconds: float = 60) -> Any:
    """Ray cluster ``shared``, ready, with no job."""
    emu = ray_emulator(run_seconds=run_seconds)
    assert invoke("ray", "cluster", "create", "shared", "--wait", "--timeout", "20s").exit_code == 0
    return emu


def submit_to_api(emu: Any, **request: Any) -> tuple[int, bytes]:
    """POST /api/jobs/ with ``request`` as its JSON body (JobSubmitRequest)."""
    handler = emu.find_service_proxy("default", "shared-head-svc", "8265")
    status, _, body = handler("POST", "/api/jobs/", json.dumps(request).encode())
    return status, body


def info(emu: Any, job_id: str) -> dict[str, Any]:
    status, body = dashboard(emu, "GET", f"/api/jobs/{job_id}")
    assert status == 200, body
    answer: dict[str, Any] = json.loads(body)
    return answer


def test_a_submit_without_an_id_gets_a_raysubmit_id_and_runs(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator)
    status, body = submit_to_api(emu, entrypoint="python train.py")
    assert status == 200, body
    answer = json.loads(body)
    job_id = answer["submission_id"]
    assert answer == {"job_id": job_id, "submission_id": job_id}
    assert job_id.startswith("raysubmit_") and len(job_id) == len("raysubmit_") + 16
    wait_until(lambda: info(emu, job_id)["status"] == "RUNNING")
    assert info(emu, job_id)["message"] == "Job is currently running."


def test_a_submit_keeps_the_given_submission_id_and_lists_it(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator)
    assert submit_to_api(emu, entrypoint="python a.py", submission_id="mine")[0] == 200
    status, body = dashboard(emu, "GET", "/api/jobs/")
    assert status == 200
    assert [(j["submission_id"], j["type"], j["entrypoint"]) for j in json.loads(body)] == [
        ("mine", "SUBMISSION", "python a.py")
    ]


def test_a_submit_with_an_id_in_use_answers_500_as_kuberay_reads_it(ray_emulator: Callable[..., Any]) -> None:
    # job_manager.py submit_job's ValueError; dashboard_httpclient.go SubmitJobReq looks for this text in a 500.
    emu = shared(ray_emulator)
    assert submit_to_api(emu, entrypoint="python a.py", submission_id="mine")[0] == 200
    status, body = submit_to_api(emu, entrypoint="python b.py", submission_id="mine")
    assert status == 500
    assert "Job with submission_id mine already exists. Please use a different submission_id." in body.decode()


def test_a_submit_without_an_entrypoint_answers_400(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator)
    status, body = submit_to_api(emu, submission_id="mine")
    assert status == 400
    assert body.decode().rstrip().endswith("missing 1 required positional argument: 'entrypoint'")


def test_a_submitted_job_asking_for_a_runtime_env_says_so_while_pending(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator)
    # Held PENDING on the emulator's job clock (job_api.py _advance): the 0.05 s it lasts had passed
    # before the read on a busy machine, and the job read was RUNNING.
    job_api(emu).delay = 3600.0
    assert submit_to_api(emu, entrypoint="python a.py", submission_id="env", runtime_env={"pip": ["x"]})[0] == 200
    assert info(emu, "env")["message"] == (
        "Job has not started yet. It may be waiting for the runtime environment to be set up."
    )


def test_an_api_job_ends_by_its_entrypoints_exit_code(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator, run_seconds=0)
    assert submit_to_api(emu, entrypoint="python -c 'exit(3)'", submission_id="bad")[0] == 200
    wait_until(lambda: info(emu, "bad")["status"] == "FAILED")
    details = info(emu, "bad")
    assert details["driver_exit_code"] == 3 and details["end_time"] is not None


def job_api(emu: Any) -> Any:
    """The KubeRay simulator's Ray job API (job_api.py JobApi)."""
    return next(c for c in emu.controllers.controllers if hasattr(c, "job_api")).job_api


def test_an_api_job_stopped_ends_stopped(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator)
    assert submit_to_api(emu, entrypoint="sleep 1d", submission_id="long")[0] == 200
    wait_until(lambda: info(emu, "long")["status"] == "RUNNING")
    assert dashboard(emu, "POST", "/api/jobs/long/stop") == (200, b'{"stopped": true}')
    wait_until(lambda: info(emu, "long")["status"] == "STOPPED")
    assert info(emu, "long")["message"] == "Job was intentionally stopped."


def test_an_api_job_stays_running_until_its_entrypoint_has_exited(ray_emulator: Callable[..., Any]) -> None:
    # job_supervisor.py run: SIGTERM, up to RAY_JOB_STOP_WAIT_TIME_S for the entrypoint to exit, then STOPPED.
    emu = shared(ray_emulator)
    assert submit_to_api(emu, entrypoint="sleep 1d", submission_id="long")[0] == 200
    wait_until(lambda: info(emu, "long")["status"] == "RUNNING")
    job_api(emu).delay = 3600.0  # an entrypoint that takes its time to exit
    assert dashboard(emu, "POST", "/api/jobs/long/stop") == (200, b'{"stopped": true}')
    assert info(emu, "long")["status"] == "RUNNING"
    assert dashboard(emu, "POST", "/api/jobs/long/stop") == (200, b'{"stopped": true}')  # still running
    job_api(emu).delay = 0.0
    assert info(emu, "long")["status"] == "STOPPED"


def test_deleting_a_running_job_is_refused_with_rays_words(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator)
    assert submit_to_api(emu, entrypoint="sleep 1d", submission_id="long")[0] == 200
    wait_until(lambda: info(emu, "long")["status"] == "RUNNING")
    status, body = dashboard(emu, "DELETE", "/api/jobs/long")
    assert status == 500
    assert (
        body.decode()
        .rstrip()
        .endswith("RuntimeError: Attempted to delete job 'long', but it is in a non-terminal state RUNNING.\n.")
    )
    assert info(emu, "long")["status"] == "RUNNING"


def test_deleting_an_ended_job_forgets_it(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator, run_seconds=0)
    assert submit_to_api(emu, entrypoint="python a.py", submission_id="done")[0] == 200
    wait_until(lambda: info(emu, "done")["status"] == "SUCCEEDED")
    assert dashboard(emu, "DELETE", "/api/jobs/done") == (200, b'{"deleted": true}')
    assert dashboard(emu, "GET", "/api/jobs/done") == (404, b"Job done does not exist")


def test_deleting_an_unknown_job_answers_404(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator)
    assert dashboard(emu, "DELETE", "/api/jobs/nope") == (404, b"Job nope does not exist")


def test_a_running_rayjob_carries_the_job_infos_message(ray_emulator: Callable[..., Any]) -> None:
    # rayjob_controller.go, the Running case: Status.Message = jobInfo.Message on every pass.
    emu = running_on_shared(ray_emulator)
    assert job(emu, "long")["status"]["message"] == "Job is currently running."
