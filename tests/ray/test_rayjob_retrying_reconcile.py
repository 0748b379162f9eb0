"""Retrying as KubeRay's Reconcile runs it, one step per pass from the status read (ray-project/kuberay
v1.7.0 ray-operator/controllers/ray/rayjob_controller.go, ``case JobDeploymentStatusSuspending,
JobDeploymentStatusRetrying``): deleteClusterResources and deleteSubmitterJob until both are gone,
then the reset and New, whatever ``spec.suspend`` says; an attempt's own passes end at the Retrying
write (emulator job.py ``_retrying``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.ray.test_cli_job import job
from tests.ray.test_kuberay_names import wait_until
from tests.ray.test_rayjob_operator_restart import deployment, left_at, operator_starts
from tests.ray.test_rayjob_suspend_reconcile import RAY, deployments, made, rayjob

HOLD = "example.com/hold"


def events(emu: Any, reason: str) -> list[str]:
    return [str(e.get("message")) for e in emu.cluster.list("v1", "Event", "default") if e.get("reason") == reason]


def test_a_retried_jobs_next_attempt_waits_until_the_failed_attempts_cluster_is_gone(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(run_seconds=30)
    # SidecarMode: a head pod gone fails the attempt (checkSubmitterAndUpdateStatusIfNeeded), here
    # once the test has held the cluster's deletion with a finalizer of its own.
    made(emu, "flaky", "Running", submissionMode="SidecarMode", backoffLimit=1)
    first = str(job(emu, "flaky")["status"]["rayClusterName"])
    emu.cluster.patch(RAY, "RayCluster", "default", first, {"metadata": {"finalizers": [HOLD]}})
    head = emu.cluster.list("v1", "Pod", "default", label_selector=f"ray.io/cluster={first},ray.io/node-type=head")
    emu.cluster.delete("v1", "Pod", "default", head[0]["metadata"]["name"])
    wait_until(lambda: f"Deleted cluster default/{first}" in events(emu, "DeletedRayCluster"))
    # "Wait for the resources to be deleted before the status transitions to avoid a resource leak."
    assert deployment(emu, "flaky") == "Retrying"
    assert emu.cluster.get(RAY, "RayCluster", "default", first)["metadata"].get("deletionTimestamp")
    emu.cluster.patch(RAY, "RayCluster", "default", first, {"metadata": {"finalizers": []}})
    wait_until(lambda: deployment(emu, "flaky") == "Running")
    assert deployments(emu, "flaky")[-4:] == ["Retrying", "New", "Initializing", "Running"]
    assert job(emu, "flaky")["status"]["rayClusterName"] != first


def test_a_job_left_retrying_with_suspend_set_goes_new_then_suspended(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(operator=False)
    status = {"jobDeploymentStatus": "Retrying", "rayClusterName": "flaky-bcdfg", "failed": 1, "jobStatus": "FAILED"}
    left_at(emu, rayjob("flaky", backoffLimit=2, suspend=True), status, "flaky-bcdfg")
    simulator = operator_starts(emu)
    # The Retrying case reads no suspend flag; New then Initializing, where updateStatusToSuspendingIfNeeded moves it.
    wait_until(lambda: deployment(emu, "flaky") == "Suspended")
    assert deployments(emu, "flaky") == ["Retrying", "New", "Initializing", "Suspending", "Suspended"]
    assert emu.cluster.get(RAY, "RayCluster", "default", "flaky-bcdfg") is None
    assert job(emu, "flaky")["status"]["failed"] == 1
    assert simulator.pass_errors == []
