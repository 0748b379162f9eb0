"""A ReplicaSet that cannot create its pods (an admission webhook's denial, a ResourceQuota) says
so in a ReplicaFailure condition, and its Deployment carries the condition over: what `kubectl
describe` (kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/describe/describe.go) and akscli's
doctor (src/akscli/doctor/rollout.py replica_failure) read."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.status import ApiError

# apps/v1 ReplicaSetReplicaFailure / DeploymentReplicaFailure (kubernetes/kubernetes
# staging/src/k8s.io/api/apps/v1/types.go).
REPLICA_FAILURE = "ReplicaFailure"
# core/v1 NamespaceTerminatingCause (kubernetes/kubernetes staging/src/k8s.io/api/core/v1/types.go).
NAMESPACE_TERMINATING = "NamespaceTerminating"


def replica_failure(rs: dict[str, Any], refused: ApiError | None, diff: int) -> dict[str, Any]:
    """kubernetes/kubernetes pkg/controller/replicaset/replica_set_utils.go calculateStatus: a manage
    error with no ReplicaFailure condition yet adds one (status True, reason FailedCreate while
    pods are missing, FailedDelete while there are too many, the error as message); a sync
    without an error removes it. The status patch to write: {} when nothing changes."""
    conditions = list((rs.get("status") or {}).get("conditions") or [])
    there = any(c.get("type") == REPLICA_FAILURE for c in conditions)
    if refused is not None and not there:
        reason = "FailedCreate" if diff < 0 else "FailedDelete" if diff > 0 else ""
        cond = {"type": REPLICA_FAILURE, "status": "True", "lastTransitionTime": now_iso()}
        cond.update({"reason": reason} if reason else {})
        return {"conditions": [*conditions, {**cond, "message": refused.message}]}
    if refused is None and there:
        return {"conditions": [c for c in conditions if c.get("type") != REPLICA_FAILURE]}
    return {}


def replica_failures(new: dict[str, Any] | None, every: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """kubernetes/kubernetes pkg/controller/deployment/progress.go getReplicaFailures: the new
    ReplicaSet's ReplicaFailure condition, else the first old one's, as a Deployment condition
    (kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go ReplicaSetToDeploymentCondition: both
    times its lastTransitionTime)."""
    for rs in [new, *every]:
        for c in ((rs or {}).get("status") or {}).get("conditions") or []:
            if c.get("type") == REPLICA_FAILURE:
                out = {k: c[k] for k in ("type", "status", "reason", "message") if k in c}
                t = c.get("lastTransitionTime")
                return [{**out, "lastUpdateTime": t, "lastTransitionTime": t}]
    return []
