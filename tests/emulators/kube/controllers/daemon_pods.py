"""The pods a DaemonSet's controller makes: the tolerations it adds to the template. Moved out of
scheduling.py (which re-exports daemon_pod_spec and keeps should_run_daemon_pod)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, TypeVar

from tests.emulators.kube.controllers.node_filters import should_run_daemon_pod
from tests.emulators.kube.daemonset_strategy import TEMPLATE_GENERATION_ANNOTATION
from tests.emulators.kube.status import ApiError

T = TypeVar("T")

# kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go BurstReplicas: the most pods one
# syncNodes creates (createDiff) and the most it deletes (deleteDiff); the rest wait for the next sync.
BURST_REPLICAS = 250
# kubernetes/kubernetes pkg/controller/controller_utils.go SlowStartInitialBatchSize.
SLOW_START_INITIAL_BATCH_SIZE = 1


def namespace_terminating(exc: ApiError) -> bool:
    """apierrors.HasStatusCause(err, v1.NamespaceTerminatingCause): the refusal of a create in a
    namespace being deleted names the cause NamespaceTerminating (the API server's, apiserver_writes.py)."""
    causes = (exc.details or {}).get("causes") or []
    return any(c.get("reason") == "NamespaceTerminating" for c in causes)


def slow_start(items: list[T], create: Callable[[T], None]) -> ApiError | None:
    """syncNodes' creates (kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go): in
    batches of SlowStartInitialBatchSize, doubling (batchSize = min(2*batchSize, createDiff-pos))
    while a whole batch succeeds; every create of a batch is sent, and a batch with a refused create
    ends the sync's creates ("Slow-start failure. Skipping creation of pods"): the skipped ones wait
    for the next sync. A refusal because the namespace is being deleted is not an error there ("all
    subsequent creations will fail": the create's goroutine returns before errCh). Returns the
    batch's first refusal, the sync's error."""
    pos, size = 0, min(len(items), SLOW_START_INITIAL_BATCH_SIZE)
    while pos < len(items):
        refused: ApiError | None = None
        for item in items[pos : pos + size]:
            try:
                create(item)
            except ApiError as exc:
                if namespace_terminating(exc):
                    continue
                refused = exc if refused is None else refused
        pos += size
        if refused is not None:
            return refused
        size = min(2 * size, len(items) - pos)
    return None


def eligible_nodes(cluster: Any, pod_spec: dict[str, Any]) -> list[str]:
    """The names of the nodes a DaemonSet's pod (``pod_spec``, its tolerations added) should run on,
    in the API server's order: NodeShouldRunDaemonPod's shouldRun (upstream: kubernetes/kubernetes
    v1.34 pkg/controller/daemon/daemon_controller.go predicates: the nodeSelector and required node
    affinity match, every NoSchedule/NoExecute taint tolerated). The nodeSelector narrows the list on
    the store's label index, and only nodes with taints, or a template with node affinity, are
    parsed: a 75,000-node list stays cheap. The simulator's syncs and the scale generator's seeding
    (generate_daemons.py) both ask this."""
    selector = pod_spec.get("nodeSelector") or {}
    sel = ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or None
    entries, _, _, _ = cluster.api.list_entries(cluster.api.rt("v1", "Node"), None, sel, None, 0, None)
    affinity = "affinity" in pod_spec
    return [
        json.loads(e.raw)["metadata"]["name"]
        for e in entries
        if not (affinity or b'"taints"' in e.raw) or should_run_daemon_pod(pod_spec, json.loads(e.raw))
    ]


# upstream: kubernetes/kubernetes 05c351a9 pkg/controller/daemon/util/daemonset_util.go
# AddOrUpdateDaemonPodTolerations: every daemon pod tolerates these, whatever its template says.
# extensions/v1beta1 DaemonSetTemplateGenerationKey (kubernetes/kubernetes staging/src/k8s.io/api/
# extensions/v1beta1/types.go): CreatePodTemplate still labels each daemon pod with the template
# generation, "for backward compatibility" (pkg/controller/daemon/util/daemonset_util.go).
TEMPLATE_GENERATION_LABEL = "pod-template-generation"

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


def update_counts(spec: dict[str, Any], desired: int) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) of a RollingUpdate over ``desired`` nodes.

    upstream: kubernetes/kubernetes pkg/controller/daemon/update.go updatedDesiredNodeCounts:
    util.SurgeCount and util.UnavailableCount (pkg/controller/daemon/util/daemonset_util.go), each
    rounded up of the nodes; both 0 is read as maxUnavailable 1. Defaults maxUnavailable 1, maxSurge
    0 (pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet)."""
    rolling = (spec.get("updateStrategy") or {}).get("rollingUpdate") or {}
    surge = _scaled_up(rolling.get("maxSurge", 0), desired)
    unavailable = _scaled_up(rolling.get("maxUnavailable", 1), desired)
    if desired > 0 and surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def scheduled_first(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pkg/controller/daemon/daemon_controller.go podByCreationTimestampAndPhase: bound pods first,
    then the oldest, then by name."""
    return sorted(
        pods,
        key=lambda p: (
            not (p.get("spec") or {}).get("nodeName"),
            str(p["metadata"].get("creationTimestamp") or ""),
            p["metadata"]["name"],
        ),
    )


def find_updated(
    pods: list[dict[str, Any]], revision: str, generation: str | None = None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, bool]:
    """update.go findUpdatedPodsOnNode: (new pod, old pod, True) for at most one of each on the node,
    (None, None, False) for more (the manage loop prunes them first)."""
    new: dict[str, Any] | None = None
    old: dict[str, Any] | None = None
    for pod in pods:
        if is_updated(pod, revision, generation):
            if new is not None:
                return None, None, False
            new = pod
        else:
            if old is not None:
                return None, None, False
            old = pod
    return new, old, True


def excess_pods(
    pods: list[dict[str, Any]],
    revision: str,
    surge: bool,
    ready: Any,
    available: Any,
    generation: str | None = None,
) -> list[dict[str, Any]]:
    """The manage loop's pruning of a node with several daemon pods (daemon_controller.go
    podsShouldBeOnNode, shouldContinueRunning): without surge, all but the oldest; with surge, all
    but the oldest new and the oldest old, and that old one too once it is not ready or the new one
    is available."""
    if len(pods) <= 1:
        return []
    ordered = scheduled_first(pods)
    if not surge:
        return ordered[1:]
    new = next((p for p in ordered if is_updated(p, revision, generation)), None)
    old = next((p for p in ordered if not is_updated(p, revision, generation)), None)
    out = [p for p in ordered if p is not new and p is not old]
    if new is not None and old is not None and (not ready(old) or available(new)):
        out.append(old)
    return out


def rolling_update(
    spec: dict[str, Any],
    pods: dict[str, list[dict[str, Any]]],
    revision: str,
    available: Any,
    generation: str | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """One RollingUpdate step: (the old pods to delete, the nodes to make a new pod on now).
    ``pods`` maps each node that should run the daemon to its pods. OnDelete does nothing: old pods
    stay until someone deletes them.

    upstream: kubernetes/kubernetes pkg/controller/daemon/update.go rollingUpdate.
    maxSurge 0: a node with no pod, or with both an old and a new pod, or with a new pod not
    available, counts as unavailable; an old pod not available is replaced at once (and counts); an
    available old pod is a candidate while fewer than maxUnavailable are unavailable, and
    maxUnavailable - numUnavailable of the candidates are deleted (the manage loop makes their new
    pods next). maxSurge above 0: an old pod not available gets its new pod at once; a node whose new
    pod is not available yet counts as a surge; an available old pod is a surge candidate while
    fewer than maxSurge are surging, and maxSurge - numSurge of the candidates get a new pod beside
    the old one; an old pod whose new one is available is deleted. A node with excess pods counts
    as unavailable (a surge) and is left to the manage loop."""
    if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
        return [], []
    max_surge, max_unavailable = update_counts(spec, len(pods))
    delete: list[dict[str, Any]] = []
    if max_surge == 0:
        unavailable = 0
        candidates: list[dict[str, Any]] = []
        for on_node in pods.values():
            new, old, ok = find_updated(on_node, revision, generation)
            if not ok or (new is None) == (old is None):
                unavailable += 1
            elif new is not None:
                unavailable += 0 if available(new) else 1
            elif not available(old):
                delete.append(old)  # type: ignore[arg-type]
                unavailable += 1
            elif unavailable < max_unavailable:
                candidates.append(old)  # type: ignore[arg-type]
        return delete + candidates[: max(0, min(max_unavailable - unavailable, len(candidates)))], []
    surging = 0
    allowed: list[str] = []
    surge_candidates: list[str] = []
    for node, on_node in pods.items():
        new, old, ok = find_updated(on_node, revision, generation)
        if not ok:
            surging += 1
        elif old is None:
            continue  # the manage loop makes a missing pod
        elif new is None:
            if not available(old):
                allowed.append(node)
            elif surging < max_surge:
                surge_candidates.append(node)
        elif not available(new):
            surging += 1
        else:
            delete.append(old)
    room = max(0, min(max_surge - surging, len(surge_candidates)))
    return delete, allowed + surge_candidates[:room]


def template_generation(ds: dict[str, Any]) -> str | None:
    """kubernetes/kubernetes pkg/controller/daemon/util/daemonset_util.go GetTemplateGeneration: the annotation as an
    int64, printed again
    (fmt.Sprint); None without it (the emulator's API server always writes it: daemonset_strategy.py)."""
    value = ((ds.get("metadata") or {}).get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
    try:
        return None if value is None else str(int(value))
    except ValueError:
        return None


def is_updated(pod: dict[str, Any], revision: str, generation: str | None = None) -> bool:
    """upstream: kubernetes/kubernetes pkg/controller/daemon/util/daemonset_util.go IsPodUpdated:
    the pod's controller-revision-hash label is the DaemonSet's current revision's, or its
    pod-template-generation label is the DaemonSet's template generation (the
    deprecated.daemonset.template.generation annotation, util.GetTemplateGeneration)."""
    labels = (pod.get("metadata") or {}).get("labels") or {}
    template_matches = generation is not None and labels.get(TEMPLATE_GENERATION_LABEL) == generation
    return (bool(revision) and labels.get("controller-revision-hash") == revision) or template_matches
