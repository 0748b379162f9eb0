"""A KubeRay operator started anew finds each RayJob where the last one left it and goes on from its
status, as Reconcile switches on status.jobDeploymentStatus (ray-project/kuberay v1.7.0
ray-operator/controllers/ray/rayjob_controller.go): the simulator is added to an emulator whose
RayJobs already carry a status (``ControllerManager.add`` reconciles existing objects, as a
starting operator lists them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.ray.test_cli_job import job
from tests.ray.test_kuberay_names import wait_until
from tests.ray.test_rayjob_suspend_reconcile import RAY, clusters, rayjob

STAMP = "%Y-%m-%dT%H:%M:%SZ"


def left_at(emu: Any, spec: dict[str, Any], status: dict[str, Any], cluster: str | None = None) -> None:
    """A RayJob ``spec`` whose status a stopped operator left at ``status``, with the RayCluster
    ``cluster`` it made (owned by no one here: no RayCluster controller runs yet)."""
    emu.cluster.create(spec)
    emu.cluster.patch_status(RAY, "RayJob", "default", spec["metadata"]["name"], status)
    if cluster is not None:
        made = {"apiVersion": RAY, "kind": "RayCluster", "metadata": {"name": cluster, "namespace": "default"}}
        emu.cluster.create({**made, "spec": spec["spec"]["rayClusterSpec"]})


def operator_starts(emu: Any, **kwargs: Any) -> Any:
    from tests.emulators.kube.controllers.kuberay import KubeRayController

    simulator = KubeRayController(delay=0.02, **kwargs)
    emu.controllers.add(simulator)
    return simulator


def deployment(emu: Any, name: str) -> str:
    return str((job(emu, name).get("status") or {}).get("jobDeploymentStatus") or "")


def test_a_job_left_suspending_is_taken_to_suspended_and_its_cluster_deleted(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    left_at(
        emu,
        rayjob("halt", suspend=True),
        {"jobDeploymentStatus": "Suspending", "rayClusterName": "halt-bcdfg"},
        "halt-bcdfg",
    )
    simulator = operator_starts(emu)
    wait_until(lambda: deployment(emu, "halt") == "Suspended")
    assert clusters(emu) == [] and not job(emu, "halt")["status"].get("rayClusterName")
    assert simulator.pass_errors == []


def test_a_job_left_retrying_is_cleaned_up_and_runs_its_next_attempt(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    spec = rayjob("flaky", backoffLimit=2)
    status = {"jobDeploymentStatus": "Retrying", "rayClusterName": "flaky-bcdfg", "failed": 1, "jobStatus": "FAILED"}
    left_at(emu, spec, status, "flaky-bcdfg")
    simulator = operator_starts(emu)
    wait_until(lambda: deployment(emu, "flaky") == "Complete")
    ended = job(emu, "flaky")["status"]
    assert ended["failed"] == 1 and ended["succeeded"] == 1
    assert ended["rayClusterName"] != "flaky-bcdfg"
    assert "flaky-bcdfg" not in [c["metadata"]["name"] for c in clusters(emu)]
    assert simulator.pass_errors == []


def test_a_job_left_initializing_keeps_its_cluster_name_and_runs(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    status = {"jobDeploymentStatus": "Initializing", "rayClusterName": "keep-bcdfg", "jobId": "keep-hjklm"}
    left_at(emu, rayjob("keep"), status, "keep-bcdfg")
    operator_starts(emu)
    wait_until(lambda: deployment(emu, "keep") == "Complete")
    ended = job(emu, "keep")["status"]
    # initRayJobStatusIfNeed fills only empty names: no second cluster, the same job ID
    assert (ended["rayClusterName"], ended["jobId"]) == ("keep-bcdfg", "keep-hjklm")


def test_a_job_that_ended_past_its_ttl_has_its_cluster_deleted_by_a_new_operator(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(operator=False)
    ended = (datetime.now(UTC) - timedelta(hours=2)).strftime(STAMP)
    status = {
        "jobDeploymentStatus": "Complete",
        "jobStatus": "SUCCEEDED",
        "rayClusterName": "done-bcdfg",
        "endTime": ended,
    }
    left_at(emu, rayjob("done", ttlSecondsAfterFinished=3600), status, "done-bcdfg")
    operator_starts(emu, ttl_scale=1.0)
    # handleShutdownAfterJobFinishes: endTime + ttlSecondsAfterFinished has passed
    wait_until(lambda: clusters(emu) == [])
    assert deployment(emu, "done") == "Complete"
