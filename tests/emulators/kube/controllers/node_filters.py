"""The kube-scheduler filters that read one pod and one node, nothing else of the cluster: NodeUnschedulable,
TaintToleration (with the tolerations AKS's ExtendedResourceToleration admission adds), NodeAffinity
(its Filter and its PreFilter's node names) and NodeResourcesFit against usage the caller counts.
scheduling.py runs them in the default profile's order with the filters that read the cluster;
the DaemonSet controller and the cluster autoscaler ask them of a node or a pool's template node.
upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins nodeunschedulable, tainttoleration,
nodeaffinity, noderesources/fit.go.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.controllers.pod_resources import _container_requests, quantity

UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"


def _tolerates(tolerations: list[dict[str, Any]], taint: dict[str, Any]) -> bool:
    """k8s.io/api core/v1 toleration.go ToleratesTaint."""
    for t in tolerations:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        if t.get("key") and t.get("key") != taint.get("key"):
            continue
        op = t.get("operator") or "Equal"
        if op == "Exists" or (op == "Equal" and (t.get("value") or "") == (taint.get("value") or "")):
            return True
    return False


def untolerated_taint(node: dict[str, Any], tolerations: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first NoSchedule or NoExecute taint the tolerations leave (helper.DoNotScheduleTaintsFilterFunc)."""
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not _tolerates(tolerations, taint):
            return dict(taint)
    return None


def _extended(name: str) -> bool:
    """upstream: kubernetes/kubernetes pkg/apis/core/helper/helpers.go IsExtendedResourceName."""
    return "/" in name and "kubernetes.io/" not in name and not name.startswith("requests.")


def admitted_tolerations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The pod's tolerations once AKS has admitted it: its own, and ``KEY Exists NoSchedule`` for
    each extended resource a container or init container asks for (upstream: kubernetes/kubernetes
    plugin/pkg/admission/extendedresourcetoleration/admission.go; AKS runs it,
    MicrosoftDocs/azure-aks-docs 0382c94e articles/aks/faq.yml). akscli's check reads the same
    (akscli.kube.scheduling.pod_tolerations)."""
    asked = {
        name
        for c in [*(spec.get("containers") or []), *(spec.get("initContainers") or [])]
        for name in _container_requests(c)
        if _extended(name)
    }
    extra = [{"key": name, "operator": "Exists", "effect": "NoSchedule"} for name in sorted(asked)]
    return list(spec.get("tolerations") or []) + extra


def _expression_matches(expr: dict[str, Any], labels: dict[str, str]) -> bool:
    key, op, values = expr.get("key", ""), expr.get("operator"), expr.get("values") or []
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt") and key in labels and values:
        try:
            have, bound = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > bound if op == "Gt" else have < bound
    return False


def matches_affinity(spec: dict[str, Any], node: dict[str, Any]) -> bool:
    """nodeSelector, then requiredDuringSchedulingIgnoredDuringExecution (component-helpers
    scheduling/corev1/nodeaffinity GetRequiredNodeAffinity().Match; matchFields reads
    metadata.name only)."""
    md = node.get("metadata") or {}
    labels = md.get("labels") or {}
    fields = {"metadata.name": md.get("name", "")}
    if any(labels.get(k) != v for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    required = (
        ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution")
        or {}
    ).get("nodeSelectorTerms")
    if not required:
        return True
    return any(
        all(_expression_matches(e, labels) for e in term.get("matchExpressions") or [])
        and all(_expression_matches(e, fields) for e in term.get("matchFields") or [])
        and (term.get("matchExpressions") or term.get("matchFields"))
        for term in required
    )


def fit_reasons(
    spec: dict[str, Any], need: Counter[str], node: dict[str, Any], usage: Callable[[], Counter[str]]
) -> tuple[list[str], bool]:
    """Why the node, with ``usage()`` already requested on it, fails the pod ([] when it fits),
    and whether preemption could help. ``usage`` is called only for a node that passes the
    taint and affinity filters (it parses the node's pods). The cluster autoscaler asks the same
    of a pool's template node (nothing requested yet), as its simulator runs the scheduler's
    filters on a template node (upstream: kubernetes/autoscaler cluster-autoscaler/simulator;
    kubernetes/kubernetes pkg/scheduler/framework/plugins tainttoleration, nodeaffinity,
    noderesources/fit.go)."""
    tolerations = admitted_tolerations(spec)
    if (node.get("spec") or {}).get("unschedulable") and not _tolerates(
        tolerations, {"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule"}
    ):
        return ["node(s) were unschedulable"], False
    taint = untolerated_taint(node, tolerations)
    if taint is not None:
        return [f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value', '')}}}"], False
    if not matches_affinity(spec, node):
        return ["node(s) didn't match Pod's node affinity/selector"], False
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    used = usage()
    reasons = []
    # upstream: fit.go reads a node without allocatable pods as taking none. Every kubelet writes
    # it (kubernetes/kubernetes pkg/kubelet/nodestatus/setters.go MachineInfo, maxPods, default 110),
    # so the test nodes carry it; one without it takes no pod here either.
    if used.get("pods", 0) + 1 > quantity(allocatable.get("pods", "0")):
        reasons.append("Too many pods")
    for resource, amount in sorted(need.items()):
        if amount <= 0:
            continue
        if used.get(resource, 0) + amount > quantity(allocatable.get(resource, "0")):
            reasons.append(f"Insufficient {resource}")
    return reasons, True


def node_names(spec: dict[str, Any]) -> set[str] | None:
    """The nodes NodeAffinity's PreFilter narrows the pod to: where every required term has a
    matchFields ``metadata.name In`` (each term's such requirements intersected, the terms
    united), as a DaemonSet's pod has; None where any term has none (every node is a candidate).
    upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go
    PreFilter. A union that comes out empty (conflicting terms) is left to the Filter here."""
    required = (
        ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution")
        or {}
    ).get("nodeSelectorTerms") or []
    if not required:
        return None
    names: set[str] = set()
    for term in required:
        found: set[str] | None = None
        for req in term.get("matchFields") or []:
            if req.get("key") == "metadata.name" and req.get("operator") == "In":
                values = set(req.get("values") or [])
                found = values if found is None else found & values
        if found is None:
            return None
        names |= found
    return names


def should_run_daemon_pod(pod_spec: dict[str, Any], node: dict[str, Any]) -> bool:
    return matches_affinity(pod_spec, node) and untolerated_taint(node, pod_spec.get("tolerations") or []) is None
