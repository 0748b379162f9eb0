"""``ray job status -o wide`` says what KubeRay does with the job's Ray cluster once the job ends
(ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go Reconcile, terminal
states; handleShutdownAfterJobFinishes: ttlSecondsAfterFinished after status.endTime;
handleDeletionRules and handleLegacyDeletionPolicy for spec.deletionStrategy, KubeRay v1.5.0+;
spec.deletionPolicy in v1.3.0 to v1.4.2)."""

from __future__ import annotations

from typing import Any

from akscli.ray.job import cluster_after_job


def _job(status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "train", "namespace": "ml"}, "spec": spec, "status": status or {}}


def test_a_job_that_shuts_its_cluster_down_says_when() -> None:
    ended = _job({"endTime": "2026-01-01T10:00:00Z"}, shutdownAfterJobFinishes=True, ttlSecondsAfterFinished=300)
    assert cluster_after_job(ended).startswith(
        "deleted at 2026-01-01T10:05:00Z, 300s after the job ended (shutdownAfterJobFinishes, ttlSecondsAfterFinished)"
    )
    running = _job(shutdownAfterJobFinishes=True, ttlSecondsAfterFinished=60)
    assert cluster_after_job(running).startswith("deleted 60s after the job ends")


def test_shutdown_after_the_job_names_the_operator_setting_that_deletes_the_rayjob_instead() -> None:
    # upstream: ray-project/kuberay v1.7.0 rayjob_controller.go handleShutdownAfterJobFinishes reads
    # DELETE_RAYJOB_CR_AFTER_JOB_FINISHES from the operator's environment, which no RayJob field shows.
    ended = _job({"endTime": "2026-01-01T10:00:00Z"}, shutdownAfterJobFinishes=True, ttlSecondsAfterFinished=300)
    assert cluster_after_job(ended) == (
        "deleted at 2026-01-01T10:05:00Z, 300s after the job ended (shutdownAfterJobFinishes, "
        "ttlSecondsAfterFinished); where the operator runs with DELETE_RAYJOB_CR_AFTER_JOB_FINISHES=true, the "
        "RayJob is deleted then instead, and its cluster with it (an operator setting, not in the RayJob)"
    )


def test_the_operator_setting_is_not_named_where_a_deletion_strategy_decides() -> None:
    # handleDeletionRules and handleLegacyDeletionPolicy never read DELETE_RAYJOB_CR_AFTER_JOB_FINISHES.
    rules = _job(shutdownAfterJobFinishes=True, deletionStrategy={"deletionRules": _RULES})
    legacy = _job(
        shutdownAfterJobFinishes=True,
        deletionStrategy={"onSuccess": {"policy": "DeleteCluster"}, "onFailure": {"policy": "DeleteNone"}},
    )
    assert "DELETE_RAYJOB_CR_AFTER_JOB_FINISHES" not in cluster_after_job(rules)
    assert "DELETE_RAYJOB_CR_AFTER_JOB_FINISHES" not in cluster_after_job(legacy)


def test_a_job_on_an_existing_cluster_never_deletes_it() -> None:
    on = _job(clusterSelector={"ray.io/cluster": "demo"}, shutdownAfterJobFinishes=True)
    assert cluster_after_job(on) == "kept: the job runs on an existing cluster (clusterSelector)"


def test_a_job_without_shutdown_keeps_its_cluster() -> None:
    assert cluster_after_job(_job()) == "kept (shutdownAfterJobFinishes is false): delete it with the job"


_ENDED = {"endTime": "2026-01-01T10:00:00Z"}
_RULES = [
    {"policy": "DeleteWorkers", "condition": {"jobStatus": "SUCCEEDED"}},
    {"policy": "DeleteCluster", "condition": {"jobStatus": "SUCCEEDED", "ttlSeconds": 300}},
    {"policy": "DeleteSelf", "condition": {"jobStatus": "FAILED", "ttlSeconds": 3600}},
]


def test_deletion_rules_say_what_each_end_does_before_the_job_ends() -> None:
    # upstream: ray-project/kuberay v1.5.0+ rayjob_controller.go handleDeletionRules.
    assert cluster_after_job(_job(deletionStrategy={"deletionRules": _RULES})) == (
        "on SUCCEEDED: head kept, workers deleted 0s after, then cluster deleted 300s after; "
        "on FAILED: RayJob and cluster deleted 3600s after; on any other end: kept (deletionStrategy.deletionRules)"
    )


def test_deletion_rules_give_the_times_of_the_rules_that_match_how_the_job_ended() -> None:
    succeeded = _job(
        {**_ENDED, "jobStatus": "SUCCEEDED", "jobDeploymentStatus": "Complete"},
        deletionStrategy={"deletionRules": _RULES},
    )
    assert cluster_after_job(succeeded) == (
        "head kept, workers deleted at 2026-01-01T10:00:00Z, 0s after the job ended, then cluster deleted at "
        "2026-01-01T10:05:00Z, 300s after the job ended (deletionStrategy.deletionRules)"
    )


def test_a_job_that_ends_as_no_deletion_rule_says_keeps_its_cluster() -> None:
    stopped = _job(
        {**_ENDED, "jobStatus": "STOPPED", "jobDeploymentStatus": "Complete"},
        deletionStrategy={"deletionRules": _RULES},
    )
    assert cluster_after_job(stopped) == (
        "kept: no deletion rule matches how the job ended (job STOPPED, deployment Complete) "
        "(deletionStrategy.deletionRules)"
    )


def test_a_deletion_rule_on_the_deployment_status_matches_a_job_that_failed_to_deploy() -> None:
    # KubeRay v1.6.0+: condition.jobDeploymentStatus (isDeletionRuleMatched).
    rules = [{"policy": "DeleteCluster", "condition": {"jobDeploymentStatus": "Failed", "ttlSeconds": 60}}]
    failed = _job({**_ENDED, "jobDeploymentStatus": "Failed"}, deletionStrategy={"deletionRules": rules})
    assert cluster_after_job(failed).startswith("cluster deleted at 2026-01-01T10:01:00Z, 60s after the job ended")


def test_legacy_on_success_and_on_failure_use_the_job_status_and_the_top_level_ttl() -> None:
    # upstream: rayjob_controller.go handleLegacyDeletionPolicy (deprecated since v1.5.0).
    legacy = {"onSuccess": {"policy": "DeleteCluster"}, "onFailure": {"policy": "DeleteNone"}}
    running = _job(deletionStrategy=legacy, shutdownAfterJobFinishes=True, ttlSecondsAfterFinished=60)
    assert cluster_after_job(running) == (
        "on SUCCEEDED: cluster deleted 60s after; on FAILED: kept; on any other end: kept "
        "(deletionStrategy onSuccess/onFailure, ttlSecondsAfterFinished)"
    )
    failed = _job({**_ENDED, "jobStatus": "FAILED", "jobDeploymentStatus": "Failed"}, deletionStrategy=legacy)
    assert cluster_after_job(failed) == "kept (onFailure DeleteNone)"


def test_the_deletion_policy_of_kuberay_1_3_and_1_4_applies_to_any_end() -> None:
    assert cluster_after_job(_job(deletionPolicy="DeleteWorkers", ttlSecondsAfterFinished=30)) == (
        "head kept, workers deleted 30s after the job ends (deletionPolicy DeleteWorkers, ttlSecondsAfterFinished)"
    )
