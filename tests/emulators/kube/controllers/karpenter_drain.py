"""Karpenter's drain of a terminating node in the kube emulator: the node tainted and drained through
the eviction API, budgets holding it (karpenter_termination.py runs it from the node's finalize).

Upstream: kubernetes-sigs/karpenter 2266468
- pkg/controllers/node/termination/controller.go finalize: the node tainted
  karpenter.sh/disrupted:NoSchedule (v1.DisruptedNoScheduleTaint, pkg/apis/v1/taints.go), then
  awaitDrain: while pods wait, a Warning FailedDraining on the node and a requeue after 1 s
  (``requeue``).
- terminator/terminator.go Taint (a taint of the same key but other value or effect replaced; the
  label node.kubernetes.io/exclude-from-external-load-balancers=karpenter), Drain (the pods on
  the node that wait for eviction; only the first non-empty group of groupPodsByPriority,
  non-critical non-daemon, non-critical daemon, critical non-daemon, critical daemon, is queued).
- terminator/eviction.go Queue.Reconcile and evict: a pod no longer active leaves the queue, a
  do-not-disrupt one stays, the rest go through the pods/eviction subresource with the pod's UID
  as precondition (here the very code the HTTP route runs, tests/emulators/kube/eviction.py);
  404 and 409 leave the queue, 429 or the multiple-budgets 500 publish NodeFailedToDrain
  "evicting pod violates a PDB" (or "eviction does not support multiple PDBs") and requeue;
  success publishes EvictPod "Evicted pod: REASON" (evictionReason: the NodeClaim's
  DisruptionReason condition, else "Forceful Termination").
- terminator/events/events.go (EvictPod, NodeFailedToDrain); pkg/events/recorder.go: an event
  of the same reason on the same object within 2 minutes (defaultDedupeTimeout) is dropped.
- pkg/utils/pod/scheduling.go IsActive, IsEvictable, IsWaitingEviction, IsDrainable,
  ToleratesDisruptedNoScheduleTaint, IsOwnedByNode, IsDoNotDisruptActive.

Not modelled: terminationGracePeriod's forced deletes (DisruptPodDelete), IsStuckTerminating, a
do-not-disrupt duration (only "true").
"""

from __future__ import annotations

import time
from typing import Any

from tests.emulators.kube.apiserver_common import Ctx
from tests.emulators.kube.cluster import ClusterState, current_origin
from tests.emulators.kube.controllers.karpenter_common import NODECLAIM
from tests.emulators.kube.controllers.scheduling import _tolerates
from tests.emulators.kube.eviction import MULTIPLE, evict
from tests.emulators.kube.status import ApiError

DISRUPTED_TAINT = {"key": "karpenter.sh/disrupted", "effect": "NoSchedule"}  # pkg/apis/v1/taints.go
EXCLUDE_BALANCERS = "node.kubernetes.io/exclude-from-external-load-balancers"  # corev1.LabelNodeExcludeBalancers
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"  # pkg/apis/v1/labels.go DoNotDisruptAnnotationKey
CRITICAL = ("system-cluster-critical", "system-node-critical")  # terminator.go groupPodsByPriority
DEDUPE_SECONDS = 120.0  # pkg/events/recorder.go defaultDedupeTimeout


def _owned_by(pod: dict[str, Any], api_version: str, kind: str) -> bool:
    """pkg/utils/pod/scheduling.go IsOwnedBy."""
    refs = pod["metadata"].get("ownerReferences") or []
    return any(r.get("apiVersion") == api_version and r.get("kind") == kind for r in refs)


def _drainable(pod: dict[str, Any]) -> bool:
    """IsWaitingEviction: not terminal, and IsDrainable (the disrupted taint not tolerated, not a mirror pod)."""
    terminal = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
    tolerates = _tolerates((pod.get("spec") or {}).get("tolerations") or [], DISRUPTED_TAINT)
    return not terminal and not tolerates and not _owned_by(pod, "v1", "Node")


def _groups(pods: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """terminator.go groupPodsByPriority."""
    groups: list[list[dict[str, Any]]] = [[], [], [], []]
    for pod in pods:
        critical = (pod.get("spec") or {}).get("priorityClassName") in CRITICAL
        groups[2 * critical + _owned_by(pod, "apps/v1", "DaemonSet")].append(pod)
    return groups


class Drain:
    """The terminator and eviction queue of one Karpenter (``controller``)."""

    def __init__(self, controller: Any) -> None:
        self.controller = controller
        self.requeue = 1.0  # controller.go awaitDrain: RequeueAfter 1 s (tests shorten it)
        self._published: dict[tuple[str, str], float] = {}  # (reason, object name) -> when

    def drain(self, cluster: ClusterState, node: dict[str, Any], claim: str) -> bool:
        """terminator.go Drain: whether the node is drained; else the NodeDrainError's event and the
        first group of the pods waiting handed to the eviction queue (awaitDrain)."""
        name = node["metadata"]["name"]
        pods = [p for p in cluster.list("v1", "Pod") if (p.get("spec") or {}).get("nodeName") == name]
        waiting = [p for p in pods if _drainable(p)]
        if not waiting:
            return True
        self._publish(cluster, node, "FailedDraining", f"{len(waiting)} pods are waiting to be evicted")
        group = next(g for g in _groups(waiting) if g)
        for pod in group:
            self._evict(cluster, node, pod, claim)
        return False

    def taint(self, cluster: ClusterState, node: dict[str, Any]) -> None:
        """terminator.go Taint."""
        taints = list((node.get("spec") or {}).get("taints") or [])
        labels = node["metadata"].get("labels") or {}
        has = any(
            t.get("key") == DISRUPTED_TAINT["key"] and not t.get("value") and t.get("effect") == "NoSchedule"
            for t in taints
        )
        if has and labels.get(EXCLUDE_BALANCERS) == "karpenter":
            return
        if not has:
            taints = [t for t in taints if t.get("key") != DISRUPTED_TAINT["key"]] + [dict(DISRUPTED_TAINT)]
        patch = {"metadata": {"labels": {EXCLUDE_BALANCERS: "karpenter"}}, "spec": {"taints": taints}}
        cluster.patch("v1", "Node", None, node["metadata"]["name"], patch, manager="karpenter")

    def _evict(self, cluster: ClusterState, node: dict[str, Any], pod: dict[str, Any], claim: str) -> None:
        """eviction.go Queue.Reconcile and evict."""
        md = pod["metadata"]
        if md.get("deletionTimestamp"):  # not IsActive: off the queue
            return
        if (md.get("annotations") or {}).get(DO_NOT_DISRUPT) == "true":  # not IsEvictable: stays queued
            return
        body = {
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": md["name"], "namespace": md["namespace"]},
            "deleteOptions": {"preconditions": {"uid": md["uid"]}},
        }
        try:
            evict(cluster, md["namespace"], md["name"], body, Ctx(field_manager="karpenter", origin=current_origin()))
        except ApiError as err:
            if err.code in (404, 409):
                return
            if err.code == 429 or err.message == MULTIPLE:
                why = "evicting pod violates a PDB"
                if err.message == MULTIPLE:
                    why = "eviction does not support multiple PDBs"
                self._publish(cluster, node, "FailedDraining", why)  # serrors.Wrap's Error() is the message alone
            return
        self._publish(cluster, pod, "Evicted", f"Evicted pod: {self._reason(cluster, claim)}", "Normal")

    def _reason(self, cluster: ClusterState, claim: str) -> str:
        """eviction.go evictionReason."""
        conditions = ((cluster.get(*NODECLAIM, None, claim) or {}).get("status") or {}).get("conditions") or []
        for c in conditions:
            if c.get("type") == "DisruptionReason" and c.get("status") == "True":
                return str(c.get("reason"))
        return "Forceful Termination"

    def _publish(
        self, cluster: ClusterState, obj: dict[str, Any], reason: str, message: str, type: str = "Warning"
    ) -> None:
        """The recorder's Publish: deduped by reason and object name (recorder.go dedupeKey)."""
        key, now = (reason.lower(), obj["metadata"]["name"]), time.monotonic()
        if now - self._published.get(key, -DEDUPE_SECONDS) < DEDUPE_SECONDS:
            return
        self._published[key] = now
        if reason == "FailedDraining":
            message = f"Failed to drain node, {message}"  # events.go NodeFailedToDrain
        cluster.add_event(obj, reason, message, type=type, component="karpenter")
