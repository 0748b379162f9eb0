"""What the kube-scheduler's filters say about one node for one pod, read from the Node object
alone: its cordon, its readiness and its taints against the pod's tolerations. Plain logic: no
I/O, no kubernetes import.

upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/nodeunschedulable/
node_unschedulable.go (a cordoned node, spec.unschedulable, takes only pods tolerating
node.kubernetes.io/unschedulable:NoSchedule) and pkg/scheduler/framework/plugins/tainttoleration/
taint_toleration.go (Filter: a NoSchedule or NoExecute taint no toleration matches keeps the pod
off; PreferNoSchedule only scores)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Effects the TaintToleration filter reads; PreferNoSchedule only lowers a node's score.
FILTERING_EFFECTS = ("NoSchedule", "NoExecute")


def tolerates(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    """upstream: kubernetes/kubernetes staging/src/k8s.io/api/core/v1/toleration.go ToleratesTaint
    (an empty effect or key matches any; Exists matches any value, Equal the same value)."""
    if toleration.get("effect") and toleration.get("effect") != taint.get("effect"):
        return False
    if toleration.get("key") and toleration.get("key") != taint.get("key"):
        return False
    if toleration.get("operator") == "Exists":
        return True
    return (toleration.get("value") or "") == (taint.get("value") or "")


def taint_text(taint: Mapping[str, Any]) -> str:
    """A taint as kubectl writes it: key[=value]:effect."""
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint.get('key')}{value}:{taint.get('effect')}"


def untolerated_taints(node: Mapping[str, Any], tolerations: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The node's taints that keep a pod with these tolerations off it."""
    tols = list(tolerations)
    return [
        dict(t)
        for t in (node.get("spec") or {}).get("taints") or []
        if t.get("effect") in FILTERING_EFFECTS and not any(tolerates(tol, t) for tol in tols)
    ]


def ready(node: Mapping[str, Any]) -> bool:
    """Whether the kubelet reports the node Ready. The scheduler reads taints, not conditions, but
    the node lifecycle controller taints a node whose Ready is False or Unknown (or missing)
    node.kubernetes.io/not-ready or unreachable, NoSchedule and NoExecute (upstream:
    kubernetes/kubernetes pkg/controller/nodelifecycle/node_lifecycle_controller.go,
    nodeConditionToTaintKeyStatusMap and doNoScheduleTaintingPass): reading the condition too
    covers the seconds before the taint lands."""
    conditions = (node.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
