"""The one wait rule: ready only for the current generation; terminal conditions fail at once."""

from __future__ import annotations

import re
import sys
from typing import Any

from akscli.kube import readiness
from akscli.kube.readiness import ConditionRule, Generation, Terminal

CRP_API = "placement.kubernetes-fleet.io/v1"
APPLY = ("RolloutStarted", "Overridden", "WorkSynchronized", "Applied", "Available")


def cond(ctype: str, status: str = "True", reason: str = "", message: str = "", gen: int = 1) -> dict[str, Any]:
    return {"type": ctype, "status": status, "reason": reason or ctype, "message": message, "observedGeneration": gen}


def crp(
    conds: list[dict[str, Any]],
    generation: int = 1,
    statuses: list[dict[str, Any]] | None = None,
    spec: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "apiVersion": CRP_API,
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": "llm", "generation": generation},
        "spec": spec or {},
        "status": {"conditions": conds, "placementStatuses": statuses or []},
    }


def complete(gen: int = 1, types: tuple[str, ...] = APPLY) -> list[dict[str, Any]]:
    return [cond("ClusterResourcePlacement" + t, gen=gen) for t in ("Scheduled", *types)]


def member(name: str, *conds: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"clusterName": name, "conditions": list(conds), **extra}


# ---- placements (kubefleet-dev/kubefleet pkg/controllers/placement/controller.go) ----------------


def test_placement_whose_conditions_are_all_true_for_its_generation_is_ready() -> None:
    assert readiness.check(crp(complete(gen=3), generation=3)).ready


def test_placement_status_from_the_previous_generation_is_not_ready() -> None:
    verdict = readiness.check(crp(complete(gen=1), generation=2))
    assert not verdict.ready and not verdict.failed
    assert "generation 2" in verdict.message


def test_placement_that_could_not_schedule_every_cluster_waits_on_even_where_available() -> None:
    conds = complete()
    conds[0] = cond(
        "ClusterResourcePlacementScheduled",
        "False",
        "SchedulingPolicyUnfulfilled",
        "could not find all the clusters needed as specified by the scheduling policy",
    )
    unscheduled = member("cpu-west", cond("Scheduled", "False", "ScheduleFailed", "cluster does not score high enough"))
    verdict = readiness.check(crp(conds, statuses=[member("gpu-east", cond("Available")), unscheduled]))
    # Not final upstream: the scheduler tries again as members join (kubefleet-dev/kubefleet
    # pkg/scheduler/watchers/membercluster/utils.go classifyPlacements).
    assert not verdict.ready and not verdict.failed
    assert verdict.reason == "SchedulingPolicyUnfulfilled"
    assert "member cpu-west: ScheduleFailed: cluster does not score high enough" in verdict.message


def test_apply_failure_fails_at_once_and_names_the_member_and_object() -> None:
    conds = [
        *complete()[:4],
        cond("ClusterResourcePlacementApplied", "False", "ApplyFailed", "Failed to apply resources to 1 cluster(s)"),
    ]
    broken = member(
        "gpu-east",
        cond("Applied", "False", "NotAllWorkHaveBeenApplied"),
        failedPlacements=[
            {
                "kind": "Deployment",
                "namespace": "llm",
                "name": "vllm",
                "condition": cond("Applied", "False", "ManifestApplyFailed", "owned by another placement"),
            }
        ],
    )
    verdict = readiness.check(crp(conds, statuses=[broken]))
    assert verdict.failed and verdict.reason == "ApplyFailed"
    assert verdict.culprit == "member gpu-east: Deployment llm/vllm: ManifestApplyFailed: owned by another placement"


def test_an_apply_failure_from_the_previous_generation_does_not_fail_the_wait() -> None:
    conds = [*complete(gen=1)[:4], cond("ClusterResourcePlacementApplied", "False", "ApplyFailed", gen=1)]
    verdict = readiness.check(crp(conds, generation=2))
    assert not verdict.failed and not verdict.ready


def test_not_yet_available_is_progress_not_failure() -> None:
    conds = [*complete()[:5], cond("ClusterResourcePlacementAvailable", "False", "ResourceNotAvailableYet")]
    verdict = readiness.check(crp(conds))
    assert not verdict.ready and not verdict.failed


def test_report_diff_placement_is_ready_once_diffs_are_reported() -> None:
    spec = {"strategy": {"applyStrategy": {"type": "ReportDiff"}}}
    types = ("RolloutStarted", "Overridden", "WorkSynchronized", "DiffReported")
    assert readiness.check(crp(complete(types=types), spec=spec)).ready


def test_placement_scheduled_onto_no_member_fails_instead_of_waiting() -> None:
    verdict = readiness.check(crp([cond("ClusterResourcePlacementScheduled", reason="SchedulingPolicyFulfilled")]))
    assert verdict.failed and verdict.reason == "NoMatchingMember"


def test_placement_of_zero_clusters_by_design_is_ready_once_scheduled() -> None:
    spec = {"policy": {"placementType": "PickN", "numberOfClusters": 0}}
    assert readiness.check(crp([cond("ClusterResourcePlacementScheduled")], spec=spec)).ready


def test_namespaced_resource_placement_uses_its_own_condition_types() -> None:
    obj = crp([cond("ResourcePlacement" + t) for t in ("Scheduled", *APPLY)])
    obj["kind"] = "ResourcePlacement"
    assert readiness.check(obj).ready


# ---- staged update runs (pkg/controllers/updaterun) -----------------------------------------------


def run(*conds: dict[str, Any], generation: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": CRP_API,
        "kind": "ClusterStagedUpdateRun",
        "metadata": {"name": "r1", "generation": generation},
        "status": {
            "conditions": list(conds),
            "stagesStatus": [
                {
                    "stageName": "canary",
                    "clusters": [{"clusterName": "gpu-east", "conditions": [cond("Succeeded", "False", "X")]}],
                }
            ],
        },
    }


def test_stuck_update_run_is_in_progress_and_says_where_it_is_stuck() -> None:
    # execution.go aggregateUpdateRunStatus: Stuck turns back to Progressing once no member is
    # stuck (a slow member is stuck too), so it is not the run's final word.
    verdict = readiness.check(run(cond("Initialized"), cond("Progressing", "False", "UpdateRunStuck", "stuck")))
    assert not verdict.ready and not verdict.failed
    assert "Progressing=False (UpdateRunStuck): stuck" in verdict.message
    assert "stage canary, member gpu-east" in verdict.message


def test_stopped_and_failed_to_initialize_runs_fail_the_wait() -> None:
    assert readiness.check(run(cond("Progressing", "False", "UpdateRunStopped"))).failed
    assert readiness.check(run(cond("Initialized", "False", "UpdateRunInitializedFailed"))).failed


def test_update_run_waiting_for_approval_is_in_progress() -> None:
    verdict = readiness.check(run(cond("Initialized"), cond("Progressing", "False", "UpdateRunWaiting")))
    assert not verdict.ready and not verdict.failed


def test_succeeded_update_run_is_ready() -> None:
    assert readiness.check(run(cond("Initialized"), cond("Succeeded", reason="UpdateRunSucceeded"))).ready


# ---- built-in kinds (kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go) ---------------


def deployment(generation: int, observed: int, **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "generation": generation},
        "spec": {"replicas": 2},
        "status": {"observedGeneration": observed, **status},
    }


def test_deployment_is_not_ready_until_its_new_generation_is_observed() -> None:
    full = {"replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}
    assert not readiness.check(deployment(2, 1, **full)).ready
    assert readiness.check(deployment(2, 2, **full)).ready


def test_deployment_with_old_replicas_still_running_is_not_ready() -> None:
    verdict = readiness.check(deployment(2, 2, replicas=3, updatedReplicas=2, availableReplicas=2))
    assert not verdict.ready and "pending termination" in verdict.message


def test_a_deployment_whose_pods_are_refused_is_still_waited_on_with_the_refusal() -> None:
    refusal = 'pods "d-5d8f-x7k2p" is forbidden: exceeded quota: compute, requested: cpu=1, used: cpu=4, limited: cpu=4'
    failure = {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": refusal}
    verdict = readiness.check(deployment(1, 1, replicas=0, updatedReplicas=0, conditions=[failure]))
    assert not verdict.ready and not verdict.failed
    assert verdict.message == f"0 of 2 new replicas updated: ReplicaSet cannot create pods (FailedCreate): {refusal}"


def test_deployment_past_its_progress_deadline_fails() -> None:
    progressing = cond("Progressing", "False", "ProgressDeadlineExceeded")
    verdict = readiness.check(deployment(1, 1, conditions=[progressing]))
    assert verdict.failed and verdict.reason == "ProgressDeadlineExceeded"


# ---- KAITO Workspaces (kaito-project/kaito pkg/workspace/controllers/workspace_controller.go) ----


def workspace(*conds: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"generation": 1},
        "status": {"conditions": list(conds)},
    }


def test_a_crash_looping_inference_workspace_is_still_waited_on_with_kaitos_reason() -> None:
    crash = 'container "phi-4" is in CrashLoopBackOff; last termination: exit code 1'
    verdict = readiness.check(
        workspace(
            cond("ResourceReady", reason="workspaceResourceStatusSuccess"),
            cond("InferenceReady", "False", "ContainerCrashLoopBackOff", crash),
            cond(
                "WorkspaceSucceeded",
                "False",
                "workspacePending",
                "workspace is waiting for inference workload readiness",
            ),
        )
    )
    assert not verdict.ready and not verdict.failed
    assert verdict.message == f"InferenceReady=False (ContainerCrashLoopBackOff): {crash}"


def test_a_workspace_whose_tuning_job_failed_fails_the_wait() -> None:
    verdict = readiness.check(
        workspace(
            cond("ResourceReady", reason="workspaceResourceStatusSuccess"),
            cond("WorkspaceSucceeded", "False", "workspaceFailed", "tuning job failed"),
        )
    )
    assert verdict.failed and verdict.reason == "workspaceFailed"


# ---- the framework a kind's rule is built from ----------------------------------------------------


def test_condition_rule_ignores_conditions_of_an_older_generation() -> None:
    rule = ConditionRule(upstream="example", generation=Generation.CONDITIONS, ready=("Ready",))
    obj = {"metadata": {"generation": 2}, "status": {"conditions": [cond("Ready", gen=1)]}}
    assert not rule(obj).ready
    obj["status"]["conditions"] = [cond("Ready", gen=2)]
    assert rule(obj).ready


def test_condition_rule_with_status_tracking_waits_for_observed_generation() -> None:
    rule = ConditionRule(upstream="example", generation=Generation.STATUS, ready=("Ready",))
    obj = {"metadata": {"generation": 2}, "status": {"observedGeneration": 1, "conditions": [cond("Ready")]}}
    assert not rule(obj).ready
    obj["status"]["observedGeneration"] = 2
    assert rule(obj).ready


def test_terminal_condition_fails_only_for_its_listed_reasons() -> None:
    oom = Terminal("Ready", reasons=("Oom",))
    rule = ConditionRule(upstream="example", generation=Generation.NONE, ready=("Ready",), terminal=(oom,))
    assert rule({"status": {"conditions": [cond("Ready", "False", "Oom")]}}).failed
    assert not rule({"status": {"conditions": [cond("Ready", "False", "Starting")]}}).failed


def test_every_rule_of_a_kind_names_its_upstream_go_file() -> None:
    for key, rule in readiness.RULES.items():
        if isinstance(rule, ConditionRule):
            source = rule.upstream
        else:
            source = (rule.__doc__ or "") + (sys.modules[rule.__module__].__doc__ or "")
        assert re.search(r"\S+/\S+\.go", source), f"the rule for {key} names no upstream file"


def statefulset(ready: int, updated: int, strategy: dict[str, Any], **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "generation": 2},
        "spec": {"replicas": 4, "updateStrategy": strategy},
        "status": {"observedGeneration": 2, "readyReplicas": ready, "updatedReplicas": updated, **status},
    }


PARTITIONED = {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}


def test_a_partitioned_statefulset_waits_for_the_pods_from_its_partition_up() -> None:
    """kubectl's StatefulSetStatusViewer: updatedReplicas < replicas - partition is "Waiting for
    partitioned roll out to finish", though every pod is ready and the revisions differ as they
    must below a partition."""
    verdict = readiness.check(statefulset(4, 1, PARTITIONED, currentRevision="db-a", updateRevision="db-b"))
    assert not verdict.ready and verdict.message == "1 of 2 new pods updated (partition 2)"
    assert readiness.check(statefulset(4, 2, PARTITIONED, currentRevision="db-a", updateRevision="db-b")).ready


def test_a_defaulted_statefulset_is_ready_once_every_pod_is_updated() -> None:
    """partition 0 (the API server's default): every pod updated is "partitioned roll out
    complete", whatever status.currentRevision says yet."""
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert not readiness.check(statefulset(4, 3, strategy, currentRevision="db-a", updateRevision="db-b")).ready
    assert readiness.check(statefulset(4, 4, strategy, currentRevision="db-a", updateRevision="db-b")).ready


def test_a_statefulset_without_rolling_update_compares_its_revisions() -> None:
    strategy = {"type": "RollingUpdate"}
    assert not readiness.check(statefulset(4, 4, strategy, currentRevision="db-a", updateRevision="db-b")).ready
    assert readiness.check(statefulset(4, 4, strategy, currentRevision="db-b", updateRevision="db-b")).ready
