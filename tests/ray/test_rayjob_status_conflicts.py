"""A RayJob's status written by the KubeRay simulator loses no other writer's change: each write is
Status().Update of the RayJob as read (its resourceVersion as precondition), a 409 Conflict where
another wrote between, and the requeued pass computes the status again from a fresh read
(tests/emulators/kube/controllers/kuberay/job_status.py; upstream: ray-project/kuberay
ray-operator/controllers/ray/rayjob_controller.go updateRayJobStatus, Reconcile's RequeueAfter on
its error, checkBackoffLimitAndUpdateStatusIfNeeded's counts). The other writer lands just before
the simulator's write (no sleeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.kube_emulator.test_status_conflicts import before_status_write
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job
from tests.ray.test_rayjob_job_info import http_rayjob

RAY = "ray.io/v1"


def other_writer(emu: Any, fields: dict[str, Any]) -> Callable[[], None]:
    return lambda: emu.cluster.patch_status(RAY, "RayJob", "default", "http", fields)


def deployment(emu: Any) -> str:
    return str((job(emu, "http").get("status") or {}).get("jobDeploymentStatus"))


def status_after_a_write_overtaken(
    emu: Any, monkeypatch: pytest.MonkeyPatch, phase: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """RayJob ``http`` run to Complete, ``fields`` written by another writer just before the
    simulator's write of ``phase``; its status then."""
    reached = lambda written: written.get("jobDeploymentStatus") == phase  # noqa: E731
    before_status_write(emu, monkeypatch, "RayJob", reached, other_writer(emu, fields))
    http_rayjob(emu, "http")
    wait_until(lambda: deployment(emu) == "Complete", timeout=15)
    assert emu.controllers.errors == []
    status: dict[str, Any] = job(emu, "http")["status"]
    return status


def test_the_final_write_counts_on_from_a_count_written_after_the_job_was_read(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    status = status_after_a_write_overtaken(ray_emulator(run_seconds=0), monkeypatch, "Complete", {"succeeded": 5})
    assert (status["succeeded"], status["failed"], status["jobStatus"]) == (6, 0, "SUCCEEDED")


def test_the_initializing_write_keeps_a_count_written_after_the_job_was_read(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    status = status_after_a_write_overtaken(ray_emulator(run_seconds=0), monkeypatch, "Initializing", {"failed": 2})
    assert (status["failed"], status["succeeded"]) == (2, 1)


def test_a_validation_failure_that_meets_a_conflict_is_requeued_not_an_error(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = ray_emulator()
    fails = lambda written: written.get("jobDeploymentStatus") == "ValidationFailed"  # noqa: E731
    before_status_write(emu, monkeypatch, "RayJob", fails, other_writer(emu, {"reason": "Noted"}))
    http_rayjob(emu, "http", backoffLimit=-1)
    wait_until(lambda: deployment(emu) == "ValidationFailed", timeout=15)
    assert job(emu, "http")["status"]["reason"] == "ValidationFailed"
    assert emu.controllers.errors == []
