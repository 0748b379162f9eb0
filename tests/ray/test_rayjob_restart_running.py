"""A KubeRay operator started anew goes on with a RayJob left Running or Waiting, as Reconcile's
Running and Waiting cases do on its first pass (ray-project/kuberay v1.7.0
ray-operator/controllers/ray/rayjob_controller.go: Running reads the submitter Job
(checkSubmitterAndUpdateStatusIfNeeded) and the Ray job's info from the head's dashboard
(GetJobInfo; in HTTPMode a job the head does not know is submitted, reconcileHTTPModeJobNotFound);
Waiting requeues until spec.jobId is set, then copies it to status.jobId and goes Running)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.ray.test_cli_job import job
from tests.ray.test_kuberay_names import wait_until
from tests.ray.test_rayjob_operator_restart import deployment, left_at, operator_starts
from tests.ray.test_rayjob_suspend_reconcile import RAY, deployments, rayjob

STARTED = "2026-01-02T03:04:05Z"


def running(name: str, **more: Any) -> dict[str, Any]:
    """The status an operator left a RayJob in while its Ray job ran."""
    return {
        "jobDeploymentStatus": "Running",
        "jobStatus": "RUNNING",
        "rayClusterName": f"{name}-bcdfg",
        "jobId": f"{name}-hjklm",
        "startTime": STARTED,
        **more,
    }


def submitter(emu: Any, name: str) -> None:
    """The submitter Job's pod the stopped operator made (labelled as a batch Job's pod)."""
    labels = {"batch.kubernetes.io/job-name": name, "job-name": name}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"{name}-qrstv", "namespace": "default"}}
    emu.cluster.create(
        pod
        | {
            "metadata": pod["metadata"] | {"labels": labels},
            "spec": {"containers": [{"name": "ray-job-submitter", "image": "rayproject/ray"}]},
        }
    )


def test_a_job_left_running_is_followed_to_complete_on_its_cluster_and_job_id(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    left_at(emu, rayjob("go"), running("go"), "go-bcdfg")
    submitter(emu, "go")
    simulator = operator_starts(emu)
    wait_until(lambda: deployment(emu, "go") == "Complete")
    ended = job(emu, "go")["status"]
    assert (ended["rayClusterName"], ended["jobId"], ended["jobStatus"]) == ("go-bcdfg", "go-hjklm", "SUCCEEDED")
    assert ended["startTime"] == STARTED  # no Initializing again: initRayJobStatusIfNeed runs in New only
    assert "Initializing" not in deployments(emu, "go")
    assert emu.cluster.get("v1", "Pod", "default", "go-qrstv")["status"]["phase"] == "Succeeded"
    assert simulator.pass_errors == []


def test_an_http_mode_job_left_running_is_submitted_where_the_head_does_not_know_it(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(operator=False)
    left_at(emu, rayjob("web", submissionMode="HTTPMode"), running("web"), "web-bcdfg")
    simulator = operator_starts(emu)
    wait_until(lambda: deployment(emu, "web") == "Complete")
    ended = job(emu, "web")["status"]
    assert (ended["rayClusterName"], ended["jobId"], ended["jobStatus"]) == ("web-bcdfg", "web-hjklm", "SUCCEEDED")
    assert simulator.pass_errors == []


def test_an_interactive_job_left_waiting_runs_once_its_job_id_is_given(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    spec = rayjob("chat", submissionMode="InteractiveMode")
    left_at(
        emu,
        spec,
        {"jobDeploymentStatus": "Waiting", "rayClusterName": "chat-bcdfg", "startTime": STARTED},
        "chat-bcdfg",
    )
    operator_starts(emu)
    wait_until(lambda: (job(emu, "chat")["status"].get("rayClusterStatus") or {}).get("state") == "ready")
    assert deployment(emu, "chat") == "Waiting"
    emu.cluster.patch(RAY, "RayJob", "default", "chat", {"spec": {"jobId": "raysubmit_given"}})
    wait_until(lambda: deployment(emu, "chat") == "Complete")
    assert job(emu, "chat")["status"]["jobId"] == "raysubmit_given"
    assert deployments(emu, "chat")[-3:] == ["Waiting", "Running", "Complete"]


def test_a_job_left_running_past_its_deadline_fails_deadline_exceeded_from_its_start_time(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(operator=False, run_seconds=30)
    # checkActiveDeadlineAndUpdateStatusIfNeeded: startTime + activeDeadlineSeconds, not the restart
    left_at(emu, rayjob("late", activeDeadlineSeconds=60), running("late"), "late-bcdfg")
    submitter(emu, "late")
    operator_starts(emu)
    wait_until(lambda: deployment(emu, "late") == "Failed")
    ended = job(emu, "late")["status"]
    assert ended["reason"] == "DeadlineExceeded"
    assert "StartTime: 2026-01-02 03:04:05 +0000 UTC. ActiveDeadlineSeconds: 60" in ended["message"]
