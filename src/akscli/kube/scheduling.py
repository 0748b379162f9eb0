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

from akscli.kube import label_selector

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


def target_node(pod: Mapping[str, Any]) -> str:
    """The node a pod is bound to, or, for a DaemonSet's pod the scheduler has not bound yet, the
    node its controller made it for: the one value of the required node affinity's matchFields
    ``metadata.name In [NODE]`` (upstream: kubernetes/kubernetes 05c351a9
    pkg/controller/daemon/util/daemonset_util.go GetTargetNodeName; the controller pins each pod
    with ReplaceDaemonSetPodNodeNameNodeAffinity, not with nodeName). "" where neither says."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in required.get("nodeSelectorTerms") or []:
        for expr in term.get("matchFields") or []:
            values = expr.get("values") or []
            if expr.get("key") == "metadata.name" and expr.get("operator") == "In" and len(values) == 1:
                return str(values[0])
    return ""


# The NodeAffinity filter's reason (upstream: kubernetes/kubernetes
# pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go ErrReasonPod).
AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector"
# kube-scheduler's message for a pod when the cluster has no Node at all: schedulePod returns
# ErrNoNodesAvailable before any filter runs (upstream: kubernetes/kubernetes pkg/scheduler/schedule_one.go).
NO_NODES = "no nodes available to schedule pods"


def matches_node_affinity(pod: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """Whether the NodeAffinity filter lets the pod (a Pod or a pod spec) onto the node: every
    nodeSelector label equal, and, where required node affinity is set, one of its terms (ORed)
    whose matchExpressions (node labels) and matchFields (metadata.name only; skipped for a node
    with no name) all hold; a term with neither, or one upstream cannot read, matches nothing
    (akscli.kube.label_selector node_term_matches).
    upstream: kubernetes/kubernetes staging/src/k8s.io/component-helpers/scheduling/corev1/
    nodeaffinity/nodeaffinity.go GetRequiredNodeAffinity, RequiredNodeAffinity.Match,
    LazyErrorNodeSelector.Match, extractNodeFields."""
    spec = (pod.get("spec") if "spec" in pod else pod) or {}
    meta = node.get("metadata") or {}
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    if any(labels.get(k) != str(v) for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if required is None:
        return True
    fields = {"metadata.name": str(meta.get("name"))} if meta.get("name") else {}
    return any(
        label_selector.node_term_matches(term, labels, fields, f"nodeSelectorTerms[{i}]")
        for i, term in enumerate(required.get("nodeSelectorTerms") or [])
    )


def extended_resource(name: str) -> bool:
    """upstream: kubernetes/kubernetes pkg/apis/core/helper/helpers.go IsExtendedResourceName: a
    domain-qualified name outside *kubernetes.io/, not a requests.* quota name."""
    return "/" in name and "kubernetes.io/" not in name and not name.startswith("requests.")


def pod_tolerations(pod: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tolerations the pod (a Pod or a pod spec) has once admitted: its own, and one
    ``KEY Exists NoSchedule`` for each extended resource a container or init container asks for,
    which AKS's ExtendedResourceToleration admission plugin adds (upstream: kubernetes/kubernetes
    plugin/pkg/admission/extendedresourcetoleration/admission.go Admit; AKS runs it:
    MicrosoftDocs/azure-aks-docs 0382c94e articles/aks/faq.yml, "What Kubernetes admission
    controllers does AKS support?"). A limit without a request is the request (the API server
    defaults it before admission: pkg/apis/core/v1/defaults.go SetDefaults_Pod)."""
    spec = (pod.get("spec") if "spec" in pod else pod) or {}
    tolerations = [dict(t) for t in spec.get("tolerations") or []]
    asked: set[str] = set()
    for container in [*(spec.get("containers") or []), *(spec.get("initContainers") or [])]:
        res = container.get("resources") or {}
        asked.update(n for n in (*(res.get("requests") or {}), *(res.get("limits") or {})) if extended_resource(n))
    tolerations += [{"key": n, "operator": "Exists", "effect": "NoSchedule"} for n in sorted(asked)]
    return tolerations


# upstream: kubernetes/kubernetes 05c351a9 pkg/controller/daemon/util/daemonset_util.go
# AddOrUpdateDaemonPodTolerations, which CreatePodTemplate applies to every pod the DaemonSet
# controller creates: (key, effect), operator Exists; the last only with hostNetwork.
_DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
_HOST_NETWORK_TOLERATION = ("node.kubernetes.io/network-unavailable", "NoSchedule")


def daemon_pod_tolerations(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The tolerations of a pod the DaemonSet controller made from the template's pod ``spec``:
    the template's, the controller's (AddOrUpdateDaemonPodTolerations), then admission's
    (pod_tolerations)."""
    added = [*_DAEMON_TOLERATIONS, *((_HOST_NETWORK_TOLERATION,) if spec.get("hostNetwork") else ())]
    own = [dict(t) for t in spec.get("tolerations") or []]
    controller = [{"key": key, "operator": "Exists", "effect": effect} for key, effect in added]
    return pod_tolerations({**spec, "tolerations": own + controller})
