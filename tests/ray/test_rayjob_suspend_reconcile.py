"""spec.suspend as KubeRay's Reconcile moves it: one step per pass, computed from the status read
(ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go: the New,
Initializing, Running, Suspending and Suspended cases, updateStatusToSuspendingIfNeeded), and what
``akscli ray job status --wait`` says of a job that stopped there or was refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_job import job
from tests.ray.test_kuberay_names import wait_until
from tests.ray.test_kuberay_retries import job_statuses

RAY = "ray.io/v1"


def rayjob(name: str, **spec: Any) -> dict[str, Any]:
    """A RayJob that owns its cluster and may be suspended (ValidateRayJobSpec: suspend needs
    shutdownAfterJobFinishes)."""
    head = {
        "rayStartParams": {},
        "template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.9.0"}]}},
    }
    return {
        "apiVersion": RAY,
        "kind": "RayJob",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "entrypoint": "python x.py",
            "shutdownAfterJobFinishes": True,
            "rayClusterSpec": {"headGroupSpec": head},
            **spec,
        },
    }


def deployments(emu: Any, name: str) -> list[str]:
    """The jobDeploymentStatus values the RayJob was stored with, repeats folded."""
    seen: list[str] = []
    for status in job_statuses(emu, name):
        value = str(status.get("jobDeploymentStatus") or "")
        if value and (not seen or seen[-1] != value):
            seen.append(value)
    return seen


def made(emu: Any, name: str, reached: str, **spec: Any) -> None:
    """RayJob ``name`` created with ``spec``, once KubeRay has moved it to ``reached``."""
    emu.cluster.create(rayjob(name, **spec))
    wait_until(lambda: (job(emu, name).get("status") or {}).get("jobDeploymentStatus") == reached)


def clusters(emu: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = emu.cluster.list(RAY, "RayCluster", "default")
    return found


def test_a_rayjob_made_suspended_goes_initializing_then_suspended_and_makes_no_cluster(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    made(emu, "queued", "Suspended", suspend=True)
    assert deployments(emu, "queued") == ["Initializing", "Suspending", "Suspended"]
    status = job(emu, "queued")["status"]
    assert status.get("startTime") and not status.get("rayClusterName") and not status.get("jobId")
    assert clusters(emu) == []


def test_a_rayjob_made_suspended_runs_from_new_once_resumed(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=0.1)
    made(emu, "queued", "Suspended", suspend=True)
    emu.cluster.patch(RAY, "RayJob", "default", "queued", {"spec": {"suspend": False}})
    wait_until(lambda: (job(emu, "queued").get("status") or {}).get("jobDeploymentStatus") == "Complete")
    assert deployments(emu, "queued")[-3:] == ["Initializing", "Running", "Complete"]  # the New step: below


def test_events_on_a_suspended_rayjob_write_nothing(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    made(emu, "queued", "Suspended", suspend=True)
    written = len(job_statuses(emu, "queued"))
    for n in range(3):
        emu.cluster.patch(RAY, "RayJob", "default", "queued", {"metadata": {"labels": {"touch": str(n)}}})
    emu.controllers.idle()
    # the Suspended case: "The RayJob is already suspended, we should not requeue it."
    assert len(job_statuses(emu, "queued")) == written + 3  # the three label patches, no status write


def test_a_running_rayjob_suspended_and_resumed_at_once_still_ends_suspended_first(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(run_seconds=30)
    made(emu, "flip", "Running")
    emu.cluster.patch(RAY, "RayJob", "default", "flip", {"spec": {"suspend": True}})
    wait_until(lambda: "Suspending" in deployments(emu, "flip"))
    emu.cluster.patch(RAY, "RayJob", "default", "flip", {"spec": {"suspend": False}})
    # "The `suspend` operation should be atomic": Suspending deletes the cluster and goes Suspended
    # whatever the flag says now; the Suspended case then finds it false and goes back to New.
    wait_until(lambda: deployments(emu, "flip")[-1:] == ["Running"] and "Suspended" in deployments(emu, "flip"))
    assert deployments(emu, "flip")[-5:] == ["Suspending", "Suspended", "New", "Initializing", "Running"]


def test_ray_job_status_wait_says_a_suspended_job_is_not_failed_and_how_to_resume_it(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    made(emu, "queued", "Suspended", suspend=True)
    result = invoke("ray", "job", "status", "queued", "--wait", "--timeout", "10s")
    assert result.exit_code == 4, result
    assert "error: Ray job queued is suspended (spec.suspend is true), not failed" in result.stderr
    assert "hint: resume it with: kubectl patch rayjob queued -n default --type merge" in result.stderr
    assert "failed" not in result.stderr.replace("not failed", "")


def test_ray_job_status_wait_of_a_validation_failed_job_says_to_make_it_anew(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    # ValidateRayJobSpec: suspend without shutdownAfterJobFinishes is refused (so in the next test)
    made(emu, "refused", "ValidationFailed", suspend=True, shutdownAfterJobFinishes=False)
    result = invoke("ray", "job", "status", "refused", "--wait", "--timeout", "10s")
    assert result.exit_code == 10, result
    assert "error: Ray job refused ended ValidationFailed: KubeRay refused its spec: " in result.stderr
    assert "not allowed to be suspended" in result.stderr
    assert "delete it (akscli ray job delete refused -n default) and submit it again" in result.stderr
    assert "ray job logs" not in result.stderr


def test_ray_job_logs_follow_of_a_validation_failed_job_says_it_never_ran_at_once(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    made(emu, "refused", "ValidationFailed", suspend=True, shutdownAfterJobFinishes=False)
    result = invoke("ray", "job", "logs", "refused", "--follow", "--timeout", "5s")
    assert result.exit_code == 3, result
    assert "error: Ray job refused was refused by KubeRay (ValidationFailed): it never ran" in result.stderr
    assert "not allowed to be suspended" in result.stderr
    assert "delete it (akscli ray job delete refused -n default) and submit it again" in result.stderr


def test_a_resumed_rayjob_is_written_new_before_it_initializes(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(run_seconds=0.1)
    made(emu, "queued", "Suspended", suspend=True)
    emu.cluster.patch(RAY, "RayJob", "default", "queued", {"spec": {"suspend": False}})
    wait_until(lambda: (job(emu, "queued").get("status") or {}).get("jobDeploymentStatus") == "Complete")
    # the Suspended case: JobDeploymentStatus = JobDeploymentStatusNew ("New"), not an empty one
    assert deployments(emu, "queued")[-5:] == ["Suspended", "New", "Initializing", "Running", "Complete"]
