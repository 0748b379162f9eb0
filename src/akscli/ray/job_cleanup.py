"""What KubeRay does with a RayJob's Ray cluster once the job ends: ``ray job status -o wide``'s
``clusterAfterJob`` row, read from the RayJob alone (its spec, and its status once it has ended).

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayjob_controller.go
Reconcile (terminal states: a clusterSelector's cluster is never deleted; spec.deletionStrategy where
set, its deletionRules before its legacy onSuccess/onFailure; else shutdownAfterJobFinishes),
handleDeletionRules, handleLegacyDeletionPolicy, handleShutdownAfterJobFinishes (which alone reads the
operator's DELETE_RAYJOB_CR_AFTER_JOB_FINISHES: _CR_TOO), executeDeletionPolicy.
The fields by version (ray-operator/apis/ray/v1/rayjob_types.go at each tag):

- v1.3.0 (8ba2b33c) to v1.4.2 (34ea80e0): ``spec.deletionPolicy``, one
  policy for any end, after ttlSecondsAfterFinished;
- v1.5.0 (21cf8ccd): ``spec.deletionStrategy``, either the deprecated ``onSuccess`` and ``onFailure``
  (both, after the top-level ttlSecondsAfterFinished) or ``deletionRules``, each a policy on a
  ``condition.jobStatus`` (SUCCEEDED, FAILED) after its own ``condition.ttlSeconds``;
- v1.6.0 (3fe72c3c): a rule's condition may name ``jobDeploymentStatus`` (Failed) instead.

Every one needs the RayJobDeletionPolicy feature gate (alpha, off, in v1.3 to v1.5; beta, on, from
v1.6: pkg/features/features.go), and KubeRay refuses a RayJob that sets one without it
(controllers/ray/utils/validation.go validateDeletionConfiguration; v1.4.2 ValidateRayJobSpec), so a
RayJob that runs with one set runs on an operator that honours it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# What each policy does (rayjob_controller.go executeDeletionPolicy): DeleteCluster deletes the
# RayCluster; DeleteWorkers sets suspend on every worker group (suspendWorkerGroups), so the head
# stays; DeleteSelf deletes the RayJob, and the garbage collector its cluster, which the RayJob is
# the controller owner of (constructRayClusterForRayJob, SetControllerReference).
_EFFECT = {
    "DeleteCluster": "cluster deleted",
    "DeleteWorkers": "head kept, workers deleted",
    "DeleteSelf": "RayJob and cluster deleted",
    "DeleteNone": "kept",
}

# The order in which handleDeletionRules runs overdue rules (selectMostImpactfulRule) and which,
# with validateTTLConsistency, keeps them in: Workers <= Cluster <= Self.
_IMPACT = {"DeleteNone": 1, "DeleteWorkers": 2, "DeleteCluster": 3, "DeleteSelf": 4}

ENDED_DEPLOYMENT = frozenset({"Complete", "Failed"})


def cluster_after_job(job: Mapping[str, Any]) -> str:
    """What KubeRay does with the job's Ray cluster once the job ends, in one line: what happens,
    when (the time, once the job has ended), and the fields that say so."""
    spec = job.get("spec") or {}
    status = job.get("status") or {}
    if spec.get("clusterSelector"):
        return "kept: the job runs on an existing cluster (clusterSelector)"
    ended = status.get("jobDeploymentStatus") in ENDED_DEPLOYMENT
    strategy = spec.get("deletionStrategy")
    if isinstance(strategy, Mapping):
        if strategy.get("deletionRules") is not None:
            return _rules(strategy["deletionRules"] or [], status, ended)
        return _legacy(strategy, int(spec.get("ttlSecondsAfterFinished") or 0), status, ended)
    ttl = int(spec.get("ttlSecondsAfterFinished") or 0)
    if spec.get("deletionPolicy"):  # KubeRay v1.3 and v1.4 only (pruned by later CRDs)
        policy = str(spec["deletionPolicy"])
        if policy == "DeleteNone":
            return "kept (deletionPolicy DeleteNone)"
        return f"{_EFFECT.get(policy, policy)} {_when(status, ttl)} (deletionPolicy {policy}, ttlSecondsAfterFinished)"
    if not spec.get("shutdownAfterJobFinishes"):
        return "kept (shutdownAfterJobFinishes is false): delete it with the job"
    return f"deleted {_when(status, ttl)} (shutdownAfterJobFinishes, ttlSecondsAfterFinished); {_CR_TOO}"


# handleShutdownAfterJobFinishes (and only it: not the deletionStrategy paths) reads the operator's
# own environment: with DELETE_RAYJOB_CR_AFTER_JOB_FINISHES=true it deletes the RayJob instead of
# the RayCluster, and the garbage collector the cluster with it (ray-operator/main.go,
# utils/constant.go; helm-chart/kuberay-operator/values.yaml env). That setting is in the operator's
# Deployment, not in the RayJob this line is read from: the line says so rather than guess.
_CR_TOO = (
    "where the operator runs with DELETE_RAYJOB_CR_AFTER_JOB_FINISHES=true, the RayJob is deleted then instead, "
    "and its cluster with it (an operator setting, not in the RayJob)"
)


def _rules(rules: list[Mapping[str, Any]], status: Mapping[str, Any], ended: bool) -> str:
    """handleDeletionRules: each rule whose condition matches the job's end (its jobStatus, or its
    jobDeploymentStatus; isDeletionRuleMatched) runs ``condition.ttlSeconds`` after status.endTime;
    a job that ends as no rule says is left as it is."""
    where = "(deletionStrategy.deletionRules)"
    if ended:
        matched = [r for r in rules if _matches(r, status)]
        said = _steps(matched, status)
        end = f"job {status.get('jobStatus') or '-'}, deployment {status.get('jobDeploymentStatus')}"
        if not said:
            return f"kept: no deletion rule matches how the job ended ({end}) {where}"
        return f"{said} {where}"
    ends: dict[str, list[Mapping[str, Any]]] = {}
    for rule in rules:
        ends.setdefault(_condition(rule), []).append(rule)
    parts = [f"on {end}: {_steps(matched, {}) or 'kept'}" for end, matched in ends.items()]
    return "; ".join([*parts, "on any other end: kept"]) + f" {where}"


def _legacy(strategy: Mapping[str, Any], ttl: int, status: Mapping[str, Any], ended: bool) -> str:
    """handleLegacyDeletionPolicy: onSuccess for a job SUCCEEDED, onFailure for one FAILED (any
    other jobStatus: nothing), ttlSecondsAfterFinished after status.endTime."""
    where = "(deletionStrategy onSuccess/onFailure, ttlSecondsAfterFinished)"
    policies = {
        "SUCCEEDED": str(((strategy.get("onSuccess") or {}).get("policy")) or "DeleteNone"),
        "FAILED": str(((strategy.get("onFailure") or {}).get("policy")) or "DeleteNone"),
    }
    if ended:
        job_status = str(status.get("jobStatus") or "")
        if job_status not in policies:
            ended_as = job_status or "without a job status"
            return f"kept: the job ended {ended_as}, which neither onSuccess nor onFailure covers"
        policy = policies[job_status]
        if policy == "DeleteNone":
            return f"kept ({'onSuccess' if job_status == 'SUCCEEDED' else 'onFailure'} DeleteNone)"
        return f"{_EFFECT.get(policy, policy)} {_when(status, ttl)} {where}"
    parts = [
        f"on {end}: {'kept' if policy == 'DeleteNone' else f'{_EFFECT.get(policy, policy)} {ttl}s after'}"
        for end, policy in policies.items()
    ]
    return "; ".join([*parts, "on any other end: kept"]) + f" {where}"


def _condition(rule: Mapping[str, Any]) -> str:
    condition = rule.get("condition") or {}
    if condition.get("jobStatus"):
        return str(condition["jobStatus"])
    return f"deployment {condition.get('jobDeploymentStatus')}"


def _matches(rule: Mapping[str, Any], status: Mapping[str, Any]) -> bool:
    condition = rule.get("condition") or {}
    if condition.get("jobStatus"):
        return bool(condition["jobStatus"] == status.get("jobStatus"))
    return bool(condition.get("jobDeploymentStatus") == status.get("jobDeploymentStatus"))


def _steps(rules: list[Mapping[str, Any]], status: Mapping[str, Any]) -> str:
    """The rules' effects in the order of their times (the more impactful first at one time), ``T``
    from status.endTime where the job has ended, else ``Ns after``; DeleteNone says nothing."""
    ordered = sorted(rules, key=lambda r: (_ttl(r), -_IMPACT.get(str(r.get("policy")), 0)))
    steps = []
    for rule in ordered:
        policy = str(rule.get("policy"))
        if policy == "DeleteNone":
            continue
        ttl = _ttl(rule)
        when = _when(status, ttl) if status.get("endTime") else f"{ttl}s after"
        steps.append(f"{_EFFECT.get(policy, policy)} {when}")
    return ", then ".join(steps)


def _ttl(rule: Mapping[str, Any]) -> int:
    return int((rule.get("condition") or {}).get("ttlSeconds") or 0)


def _when(status: Mapping[str, Any], ttl: int) -> str:
    end = status.get("endTime")
    return f"at {_plus_seconds(str(end), ttl)}, {ttl}s after the job ended" if end else f"{ttl}s after the job ends"


def _plus_seconds(stamp: str, seconds: int) -> str:
    from datetime import timedelta

    from akscli import timestamps

    moment = timestamps.parse(stamp)
    if moment is None:
        return f"{stamp} + {seconds}s"
    return timestamps.format(moment + timedelta(seconds=seconds))
