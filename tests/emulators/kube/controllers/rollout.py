"""A Deployment's status conditions as the deployment controller writes them."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.apiserver import now_iso


def condition(typ: str, status: str, reason: str = "", message: str = "") -> dict[str, Any]:
    t = now_iso()
    c = {"type": typ, "status": status, "lastTransitionTime": t, "lastUpdateTime": t}
    if reason:
        c["reason"] = reason
    if message:
        c["message"] = message
    return c


def _scaled(value: Any, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: an int as it is, "25%" of total rounded as asked."""
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * total / 100
        return int(-(-exact // 1)) if round_up else int(exact // 1)
    return int(value)


def max_unavailable(spec: dict[str, Any], replicas: int) -> int:
    """How many pods a Deployment may miss and still have "minimum availability".

    upstream: kubernetes/kubernetes v1.34.0 pkg/controller/deployment/util/deployment_util.go
    MaxUnavailable and ResolveFenceposts: 0 for Recreate or zero replicas; else maxUnavailable
    (default 25%, pkg/apis/apps/v1/defaults.go) rounded down, maxSurge (default 25%) rounded up,
    1 where both come to 0, and never more than the replicas."""
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate" or replicas == 0:
        return 0
    rolling = strategy.get("rollingUpdate") or {}
    surge = _scaled(rolling.get("maxSurge", "25%"), replicas, True)
    unavailable = _scaled(rolling.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return min(unavailable, replicas)


def rollout_conditions(
    spec: dict[str, Any], want: int, available: int, rs_name: str, status: dict[str, Any]
) -> list[dict[str, Any]]:
    """A Deployment's Available and Progressing conditions while nothing has failed.

    upstream: kubernetes/kubernetes v1.34.0 pkg/controller/deployment/sync.go syncRolloutStatus
    (Available while available >= replicas - MaxUnavailable) and progress.go
    syncRolloutStatus (NewReplicaSetAvailable once every replica is updated and available,
    ReplicaSetUpdated while it progresses; rolling.go reconcileNewReplicaSet's
    NewReplicaSetCreated before the first status, which the emulator keeps only while no pod is
    available: it places the pods in the same pass, where the real controller would already have
    seen them progress). A Deployment whose pods cannot be scheduled
    is not Available: the emulator said it was."""
    if available >= want - max_unavailable(spec, want):
        avail = condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
    else:
        avail = condition(
            "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."
        )
    if available >= want:
        progress = condition(
            "Progressing", "True", "NewReplicaSetAvailable", f'ReplicaSet "{rs_name}" has successfully progressed.'
        )
    elif not status.get("conditions") and available == 0:
        progress = condition("Progressing", "True", "NewReplicaSetCreated", f'Created new replica set "{rs_name}"')
    else:
        progress = condition("Progressing", "True", "ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.')
    return [avail, progress]


# The label naming the revision a StatefulSet's pod was made from (apps/v1 ControllerRevisionHashLabelKey).
REVISION = "controller-revision-hash"


def statefulset_stale_pods(sts: dict[str, Any], pods: dict[str, dict[str, Any]], revision: str) -> list[str]:
    """The pods (by name) a StatefulSet's update deletes to make them again from ``revision``.

    upstream: kubernetes/kubernetes v1.34.0 pkg/controller/statefulset/stateful_set_control.go
    rollingUpdateStatefulsetPods: a RollingUpdate (the default) deletes each pod of another
    revision, from the highest ordinal down to ``rollingUpdate.partition``, one at a time, each
    after the one before is ready again; OnDelete deletes none. The emulator's pods are ready when
    made, so it deletes them all at once, highest ordinal first."""
    spec = sts.get("spec") or {}
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type") == "OnDelete":
        return []
    partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
    name = sts["metadata"]["name"]
    out = []
    for i in reversed(range(partition, int(spec.get("replicas", 1)))):
        pod = pods.get(f"{name}-{i}")
        if pod is not None and (pod["metadata"].get("labels") or {}).get(REVISION) != revision:
            out.append(f"{name}-{i}")
    return out
