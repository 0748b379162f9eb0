"""Which RayJob status writes KubeRay sends: ray-project/kuberay ray-operator/controllers/ray/
rayjob_controller.go ``updateRayJobStatus`` updates the RayJob only when jobStatus,
jobDeploymentStatus, rayClusterStatus (utils/consistency.go InconsistentRayClusterStatus) or
jobStatusCheckFailureStartTime changed; the other fields a pass sets go out with such a change
(tests/emulators/kube/controllers/kuberay/job_status.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.emulators.kube.controllers.kuberay.job_status import crucial_change
from tests.emulators.kube.patches import merge_patch
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job
from tests.ray.test_job_api_routes import shared
from tests.ray.test_rayjob_job_info import http_rayjob


def recorded_writes(emu: Any, name: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(status as read, status sent) of each status update of RayJob ``name`` from now on."""
    writes: list[tuple[dict[str, Any], dict[str, Any]]] = []
    update = emu.cluster.update_status_of

    def recording(obj: dict[str, Any], fields: dict[str, Any]) -> Any:
        before = dict(obj.get("status") or {})
        if obj.get("kind") == "RayJob" and obj["metadata"]["name"] == name:
            writes.append((before, merge_patch(before, fields)))
        return update(obj, fields)

    emu.cluster.update_status_of = recording
    return writes


def test_every_rayjob_status_write_changes_a_field_kuberay_compares(ray_emulator: Callable[..., Any]) -> None:
    emu = shared(ray_emulator, run_seconds=0)
    writes = recorded_writes(emu, "http")
    http_rayjob(emu, "http", clusterSelector={"ray.io/cluster": "shared"})
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobDeploymentStatus") == "Complete", timeout=15)
    assert writes
    assert [after for before, after in writes if not crucial_change(before, after)] == []


def test_the_dashboard_url_is_written_with_the_move_to_running(ray_emulator: Callable[..., Any]) -> None:
    # The Initializing pass sets DashboardURL and JobDeploymentStatus Running together.
    emu = shared(ray_emulator, run_seconds=60)
    writes = recorded_writes(emu, "http")
    http_rayjob(emu, "http", clusterSelector={"ray.io/cluster": "shared"})
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobStatus") == "RUNNING", timeout=15)
    first = next(after for before, after in writes if after.get("dashboardURL") and not before.get("dashboardURL"))
    assert first["jobDeploymentStatus"] == "Running"


def test_a_ray_cluster_status_that_changed_only_its_update_time_is_not_worth_a_write() -> None:
    old = {"jobDeploymentStatus": "Initializing", "rayClusterStatus": {"state": "", "lastUpdateTime": "a"}}
    assert not crucial_change(old, old | {"rayClusterStatus": {"state": "", "lastUpdateTime": "b"}})
    assert crucial_change(old, old | {"rayClusterStatus": {"state": "ready", "lastUpdateTime": "a"}})


def test_a_message_alone_is_not_worth_a_write() -> None:
    old = {"jobDeploymentStatus": "Running", "jobStatus": "RUNNING", "message": "a"}
    assert not crucial_change(old, old | {"message": "b", "dashboardURL": "x"})


def test_a_write_that_ends_the_rayjob_stamps_its_end_time(ray_emulator: Callable[..., Any]) -> None:
    # updateRayJobStatus: endTime = now when the deployment status sent is Complete or Failed.
    emu = shared(ray_emulator, run_seconds=0)
    writes = recorded_writes(emu, "http")
    http_rayjob(emu, "http", clusterSelector={"ray.io/cluster": "shared"})
    wait_until(lambda: (job(emu, "http").get("status") or {}).get("jobDeploymentStatus") == "Complete", timeout=15)
    ending = [after for before, after in writes if after.get("jobDeploymentStatus") == "Complete"]
    assert ending and all(after.get("endTime") for after in ending)
    assert job(emu, "http")["status"]["endTime"]
