"""``ray job status -o wide`` says what KubeRay does with the job's Ray cluster once the job ends
(ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go Reconcile, terminal
states; handleShutdownAfterJobFinishes: ttlSecondsAfterFinished after status.endTime)."""

from __future__ import annotations

from typing import Any

from akscli.ray.job import cluster_after_job


def _job(status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "train", "namespace": "ml"}, "spec": spec, "status": status or {}}


def test_a_job_that_shuts_its_cluster_down_says_when() -> None:
    ended = _job({"endTime": "2026-01-01T10:00:00Z"}, shutdownAfterJobFinishes=True, ttlSecondsAfterFinished=300)
    assert cluster_after_job(ended) == (
        "deleted at 2026-01-01T10:05:00Z, 300s after the job ended (shutdownAfterJobFinishes, ttlSecondsAfterFinished)"
    )
    running = _job(shutdownAfterJobFinishes=True, ttlSecondsAfterFinished=60)
    assert cluster_after_job(running).startswith("deleted 60s after the job ends")


def test_a_job_on_an_existing_cluster_never_deletes_it() -> None:
    on = _job(clusterSelector={"ray.io/cluster": "demo"}, shutdownAfterJobFinishes=True)
    assert cluster_after_job(on) == "kept: the job runs on an existing cluster (clusterSelector)"


def test_a_job_without_shutdown_keeps_its_cluster() -> None:
    assert cluster_after_job(_job()) == "kept (shutdownAfterJobFinishes is false): delete it with the job"


def test_a_deletion_strategy_is_named_rather_than_read() -> None:
    strategy = {"onSuccess": {"policy": "DeleteCluster"}, "onFailure": {"policy": "DeleteNone"}}
    assert cluster_after_job(_job(deletionStrategy=strategy)) == "as spec.deletionStrategy says"
