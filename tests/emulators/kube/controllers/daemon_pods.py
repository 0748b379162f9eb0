"""The pods a DaemonSet's controller makes: the tolerations it adds to the template. Moved out of
scheduling.py (which re-exports daemon_pod_spec and keeps should_run_daemon_pod)."""

from __future__ import annotations

import copy
from typing import Any

# upstream: kubernetes/kubernetes 05c351a9 pkg/controller/daemon/util/daemonset_util.go
# AddOrUpdateDaemonPodTolerations: every daemon pod tolerates these, whatever its template says.
DAEMON_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]
HOST_NETWORK_TOLERATION = {
    "key": "node.kubernetes.io/network-unavailable",
    "operator": "Exists",
    "effect": "NoSchedule",
}


def _same_toleration(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """k8s.io/api core/v1 toleration.go MatchToleration: key, operator, value and effect equal (not
    tolerationSeconds)."""
    return all((a.get(k) or "") == (b.get(k) or "") for k in ("key", "operator", "value", "effect"))


def daemon_pod_spec(template_spec: dict[str, Any]) -> dict[str, Any]:
    """The template's pod spec with the tolerations the DaemonSet controller adds.

    upstream: kubernetes/kubernetes 05c351a9 pkg/controller/daemon/util/daemonset_util.go
    AddOrUpdateDaemonPodTolerations, each through pkg/apis/core/v1/helper/helpers.go
    AddOrUpdateTolerationInPodSpec: a template toleration that matches one (MatchToleration) is
    replaced by it in place (a not-ready toleration with tolerationSeconds becomes the
    controller's, with none); the others are appended in order."""
    spec = dict(template_spec)
    extra = DAEMON_TOLERATIONS + ([HOST_NETWORK_TOLERATION] if spec.get("hostNetwork") else [])
    tolerations = [dict(t) for t in spec.get("tolerations") or []]
    for add in extra:
        at = [i for i, t in enumerate(tolerations) if _same_toleration(add, t)]
        if not at:
            tolerations.append(dict(add))
        elif any(tolerations[i] != add for i in at):
            tolerations = [dict(add) if i in at else t for i, t in enumerate(tolerations)]
    spec["tolerations"] = tolerations
    return spec


def daemon_pod_affinity(affinity: dict[str, Any] | None, node: str) -> dict[str, Any]:
    """The affinity a DaemonSet's pod for ``node`` is created with: the required node affinity
    replaced by one term, matchFields metadata.name In [node]; the rest of the template's affinity
    kept (upstream: kubernetes/kubernetes 05c351a9 pkg/controller/daemon/util/daemonset_util.go
    ReplaceDaemonSetPodNodeNameNodeAffinity, called by daemon_controller.go syncNodes; the
    scheduler then binds the pod, spec.nodeName)."""
    out = copy.deepcopy(affinity or {})
    node_affinity = out.setdefault("nodeAffinity", {})
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [term]}
    return out


def target_node(pod: dict[str, Any]) -> str:
    """The node a DaemonSet's pod is for: its spec.nodeName once bound, else the one node its
    required node affinity's matchFields metadata.name names (upstream: kubernetes/kubernetes
    pkg/controller/daemon/util/daemonset_util.go GetTargetNodeName; a pod the scheduler left
    Pending still belongs to its node)."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    terms = (
        ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution")
        or {}
    ).get("nodeSelectorTerms") or []
    for term in terms:
        for field in term.get("matchFields") or []:
            if (
                field.get("key") == "metadata.name"
                and field.get("operator") == "In"
                and len(field.get("values") or []) == 1
            ):
                return str(field["values"][0])
    return ""


def _scaled_up(value: Any, total: int) -> int:
    """intstr.GetScaledValueFromIntOrPercent rounding up: an int as it is, "N%" of total."""
    if isinstance(value, str) and value.endswith("%"):
        return int(-(-int(value[:-1]) * total // 100))
    return int(value)


def rolling_replacements(
    spec: dict[str, Any], pods: dict[str, dict[str, Any] | None], revision: str, available: Any
) -> list[str]:
    """The nodes whose old pod a RollingUpdate deletes now, so that the manage loop makes the new
    one there: ``pods`` maps each node that should run the daemon to its pod (None for none).

    upstream: kubernetes/kubernetes pkg/controller/daemon/update.go rollingUpdate, the maxSurge 0
    branch: a node with no pod, or with a new pod not available, counts as unavailable; an old pod
    not available is replaced at once (and counts); an available old pod is a candidate while
    fewer than maxUnavailable are unavailable, and remaining = maxUnavailable - numUnavailable of
    the candidates are deleted. maxUnavailable: pkg/controller/daemon/util/daemonset_util.go
    (UnavailableCount: rounded up of the nodes to schedule), default 1 (pkg/apis/apps/v1/defaults.go
    SetDefaults_DaemonSet: RollingUpdate, maxUnavailable 1, maxSurge 0). OnDelete replaces
    nothing: its old pods stay until someone deletes them."""
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return []
    max_unavailable = _scaled_up((strategy.get("rollingUpdate") or {}).get("maxUnavailable", 1), len(pods))
    unavailable = 0
    replace: list[str] = []
    candidates: list[str] = []
    for node, pod in pods.items():
        if pod is None:
            unavailable += 1
        elif is_updated(pod, revision):
            unavailable += 0 if available(pod) else 1
        elif not available(pod):
            replace.append(node)
            unavailable += 1
        elif unavailable < max_unavailable:
            candidates.append(node)
    return replace + candidates[: max(0, min(max_unavailable - unavailable, len(candidates)))]


def is_updated(pod: dict[str, Any], revision: str) -> bool:
    """upstream: kubernetes/kubernetes pkg/controller/daemon/util/daemonset_util.go IsPodUpdated:
    the pod's controller-revision-hash label is the DaemonSet's current revision's."""
    return bool(((pod.get("metadata") or {}).get("labels") or {}).get("controller-revision-hash") == revision)
