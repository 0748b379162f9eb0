"""InteractiveMode RayJobs as KubeRay v1.7.0 runs them: no submitter, ``Waiting`` until the user
writes ``spec.jobId`` (upstream: ray-project/kuberay v1.7.0
ray-operator/controllers/ray/rayjob_controller.go, initRayJobStatusIfNeed and the Waiting case)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job
from tests.ray.test_kuberay_states import _cluster_spec, dashboard_answering_logs

RAY = "ray.io/v1"


def interactive_job(emu: Any, name: str) -> None:
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayJob",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "entrypoint": "python x.py",
                "submissionMode": "InteractiveMode",
                "rayClusterSpec": _cluster_spec(),
            },
        }
    )


def waiting_job(emu: Any, name: str) -> dict[str, Any]:
    """An InteractiveMode job, created and followed until KubeRay has it Waiting; as stored then."""
    interactive_job(emu, name)
    wait_until(lambda: deployment(emu, name) == "Waiting")
    return job(emu, name)


def deployment(emu: Any, name: str) -> str | None:
    found: str | None = (job(emu, name).get("status") or {}).get("jobDeploymentStatus")
    return found


def test_a_waiting_interactive_job_has_no_logs_and_says_how_to_submit(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    waiting_job(emu, "shell")
    assert not job(emu, "shell")["status"].get("jobId")
    assert not emu.cluster.list("v1", "Pod", "default", label_selector="batch.kubernetes.io/job-name=shell")
    result = invoke("ray", "job", "logs", "shell")
    assert result.exit_code == 3, result
    assert "waiting for its job ID (InteractiveMode)" in result.stderr
    assert "Traceback" not in result.stderr


def test_interactive_job_logs_come_from_the_ray_job_api_once_its_id_is_given(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    stored = waiting_job(emu, "shell")
    stored["spec"]["jobId"] = "raysubmit_abc"
    emu.cluster.update(stored)
    wait_until(lambda: deployment(emu, "shell") == "Complete")
    status = job(emu, "shell")["status"]
    assert status["jobId"] == "raysubmit_abc"
    seen = dashboard_answering_logs(emu, status["rayClusterName"], "hello\n")
    result = invoke("ray", "job", "logs", "shell")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["hello"]
    assert seen == ["/api/jobs/raysubmit_abc/logs"]


def test_a_waiting_interactive_job_is_explained_by_status_and_by_a_wait_that_times_out(
    ray_emulator: Callable[..., Any],
) -> None:
    # rayjob_controller.go (ray-project/kuberay v1.7.0), the Waiting case: nothing runs until
    # spec.jobId is written, so the wait cannot end by itself.
    emu = ray_emulator()
    waiting_job(emu, "shell")
    how = 'kubectl patch rayjob shell -n default --type merge -p \'{"spec":{"jobId":"ID"}}\''
    status = invoke("ray", "job", "status", "shell")
    assert status.exit_code == 0, status
    assert "Waiting: KubeRay waits for the ID of a job submitted to its cluster (InteractiveMode)" in status.stdout
    assert how in status.stdout
    waited = invoke("ray", "job", "status", "shell", "--wait", "--timeout", "2s")
    assert waited.exit_code == 5, waited
    assert (
        "Ray job shell is still Waiting (job -) after 2s: rayjob.ray.io/shell: Waiting: KubeRay waits" in waited.stderr
    )
    assert waited.stderr.splitlines()[-1].startswith("hint: it waits for its job ID; follow it with")


def test_a_waiting_job_whose_mode_is_changed_fails_kuberays_status_rule(ray_emulator: Callable[..., Any]) -> None:
    # upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
    # ValidateRayJobStatus, the third of rayjob_controller.go validateRayJob's rules.
    emu = ray_emulator()
    stored = waiting_job(emu, "shell")
    stored["spec"]["submissionMode"] = "K8sJobMode"
    emu.cluster.update(stored)
    wait_until(lambda: deployment(emu, "shell") == "ValidationFailed")
    assert job(emu, "shell")["status"]["message"] == (
        "The RayJob status is invalid: JobDeploymentStatus cannot be `Waiting` when SubmissionMode is not "
        "InteractiveMode"
    )
    assert "InvalidRayJobStatus" in {e.get("reason") for e in emu.cluster.list("v1", "Event", "default")}


def interactive_manifest(tmp_path: Any, mode: str, job_id: str | None = None) -> str:
    """RayJob ``shell`` as a file for ``akscli apply -f``, with ``submissionMode: mode``."""
    import json

    spec: dict[str, Any] = {"entrypoint": "python x.py", "submissionMode": mode, "rayClusterSpec": _cluster_spec()}
    if job_id:
        spec["jobId"] = job_id
    path = tmp_path / f"shell-{mode}.json"
    obj = {"apiVersion": RAY, "kind": "RayJob", "metadata": {"name": "shell", "namespace": "default"}, "spec": spec}
    path.write_text(json.dumps(obj))
    return str(path)


def test_apply_refuses_to_change_the_mode_of_a_waiting_job_as_kuberays_status_rule_would(
    ray_emulator: Callable[..., Any], tmp_path: Any
) -> None:
    # KubeRay would end the job ValidationFailed for good (ValidateRayJobStatus): akscli says so first.
    emu = ray_emulator()
    assert invoke("apply", "-f", interactive_manifest(tmp_path, "InteractiveMode")).exit_code == 0
    wait_until(lambda: deployment(emu, "shell") == "Waiting")
    result = invoke("apply", "-f", interactive_manifest(tmp_path, "K8sJobMode"))
    assert result.exit_code == 2, result
    said = result.stderr.splitlines()
    lines = said[next(i for i, line in enumerate(said) if line.startswith("error:")) :]
    assert lines[0] == (
        "error: rayjob/shell: KubeRay refuses this RayJob status: JobDeploymentStatus cannot be `Waiting` when "
        "SubmissionMode is not InteractiveMode (the job is Waiting for the ID of the job submitted to its cluster, "
        "and this sets submissionMode K8sJobMode)"
    )
    assert lines[1].startswith("hint: keep submissionMode: InteractiveMode (submit the job to its cluster")
    assert job(emu, "shell")["spec"]["submissionMode"] == "InteractiveMode"
    assert deployment(emu, "shell") == "Waiting"


def test_apply_gives_a_waiting_job_its_id_in_the_same_mode(ray_emulator: Callable[..., Any], tmp_path: Any) -> None:
    emu = ray_emulator()
    assert invoke("apply", "-f", interactive_manifest(tmp_path, "InteractiveMode")).exit_code == 0
    wait_until(lambda: deployment(emu, "shell") == "Waiting")
    result = invoke("apply", "-f", interactive_manifest(tmp_path, "InteractiveMode", job_id="raysubmit_abc"))
    assert result.exit_code == 0, result
    wait_until(lambda: job(emu, "shell")["status"].get("jobId") == "raysubmit_abc")


def test_follow_of_a_waiting_interactive_job_says_how_to_submit_without_waiting(
    ray_emulator: Callable[..., Any],
) -> None:
    # logs --follow waits for an HTTPMode job KubeRay will submit; a Waiting one waits for the user.
    emu = ray_emulator()
    waiting_job(emu, "shell")
    result = invoke("ray", "job", "logs", "shell", "--follow", "--timeout", "5s")
    assert result.exit_code == 3, result
    assert "waiting for its job ID (InteractiveMode)" in result.stderr
    assert "waiting up to" not in result.stderr


def test_stop_of_a_waiting_job_that_owns_its_cluster_does_not_wait_for_a_suspend_kuberay_defers(
    ray_emulator: Callable[..., Any],
) -> None:
    # updateStatusToSuspendingIfNeeded: only Initializing and Running move to Suspending.
    emu = ray_emulator()
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayJob",
            "metadata": {"name": "shell", "namespace": "default"},
            "spec": {
                "entrypoint": "python x.py",
                "submissionMode": "InteractiveMode",
                "shutdownAfterJobFinishes": True,
                "rayClusterSpec": _cluster_spec(),
            },
        }
    )
    wait_until(lambda: deployment(emu, "shell") == "Waiting")
    result = invoke("ray", "job", "stop", "shell", "-y", "--timeout", "20s")
    assert result.exit_code == 0, result
    assert "not waiting: KubeRay suspends Ray job shell only once its job ID is given (it is Waiting)" in result.stderr
    assert job(emu, "shell")["spec"]["suspend"] is True
    assert deployment(emu, "shell") == "Waiting"
