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
- terminator/eviction.go: the eviction queue, kept between passes (karpenter_eviction.py);
  kubernetes-sigs/karpenter v1.14.0 (1b4b3e8c8) terminator.go Drain hands it only the listed pods
  that IsEvictable, so not a terminating or do-not-disrupt one.
- terminator/events/events.go (EvictPod, NodeFailedToDrain); pkg/events/recorder.go: an event
  of the same reason on the same object within 2 minutes (defaultDedupeTimeout) is dropped.
- pkg/utils/pod/scheduling.go IsActive, IsEvictable, IsWaitingEviction, IsDrainable,
  ToleratesDisruptedNoScheduleTaint, IsOwnedByNode, IsDoNotDisruptActive.

- The NodeClaim's terminationGracePeriod (kubernetes-sigs/karpenter v1.14.0 1b4b3e8c8, the release
  Azure/karpenter-provider-azure 352646f's go.mod pins; pkg/apis/v1/nodeclaim.go
  TerminationGracePeriod): terminator.go Drain first deletes, bypassing PDBs and do-not-disrupt,
  each pod waiting (not terminating, or terminating past the node's time:
  pkg/utils/pod/scheduling.go IsPodEligibleForForcedEviction) whose delete time, the node's
  termination time less the pod's terminationGracePeriodSeconds (podDeleteTimeWithGracePeriod), has
  passed (DeleteExpiringPods): gracePeriodSeconds = the seconds left to the node's time, at least
  1, and a Normal Disrupted event on the pod (events.go DisruptPodDelete). The groups come from the
  same pod list, read before those deletes: a pod just deleted is still active there, so one not
  do-not-disrupt is queued and evicted in the same pass (the eviction API deletes a terminating pod
  without looking at its budget: kubernetes pkg/registry/core/pod/storage/eviction.go canIgnorePDB)
  and also gets EvictPod's Evicted event. Karpenter's clock here is the simulator's (``now``: the
  wall clock plus NodeAutoProvisioner.advance's seconds).

Not modelled: IsStuckTerminating, a do-not-disrupt duration (only "true").
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from tests.emulators.kube.apiserver_common import Ctx
from tests.emulators.kube.cluster import ClusterState, current_origin
from tests.emulators.kube.controllers.karpenter_eviction import EvictionQueue
from tests.emulators.kube.controllers.node_filters import _tolerates
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


def _evictable(pod: dict[str, Any]) -> bool:
    """kubernetes-sigs/karpenter v1.14.0 pkg/utils/pod/scheduling.go IsEvictable: IsActive (not
    terminating) and not IsDoNotDisruptActive."""
    md = pod["metadata"]
    return not md.get("deletionTimestamp") and (md.get("annotations") or {}).get(DO_NOT_DISRUPT) != "true"


def go_time(at: datetime.datetime) -> str:
    """A time.Time as Go's %v writes it (time.go Time.String): what DisruptPodDelete's message shows
    of the time parsed from the annotation (time.Parse RFC3339: UTC for Z or a zero offset where the
    operator's Local is UTC, else a fixed zone named by its offset)."""
    offset = at.strftime("%z")
    fraction = f".{at.microsecond:06d}".rstrip("0") if at.microsecond else ""
    return f"{at:%Y-%m-%d %H:%M:%S}{fraction} {offset} {'UTC' if offset == '+0000' else offset}"


def _expiring(pod: dict[str, Any], deadline: datetime.datetime | None, now: float) -> int | None:
    """terminator.go (v1.14.0) Drain's podsToDelete and DeleteExpiringPods: the gracePeriodSeconds of
    the pod's forced delete when it is due, else None."""
    md, spec = pod["metadata"], pod.get("spec") or {}
    grace = spec.get("terminationGracePeriodSeconds")
    if deadline is None or grace is None:  # podDeleteTimeWithGracePeriod: no time, no delete
        return None
    end = deadline.timestamp()
    # terminating: only one whose deletionTimestamp is past the node's time (IsPodEligibleForForcedEviction)
    if md.get("deletionTimestamp") and _stamp(md["deletionTimestamp"]) <= end:
        return None
    if now <= end - int(grace):  # t.clock.Now().After(*deleteTime)
        return None
    return max(int(end - now), 1)  # the time left to the node's time, clamped to at least 1 s


def _stamp(text: str) -> float:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC).timestamp()


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
        # kubernetes-sigs/karpenter v1.14.0 pkg/controllers/node/termination/terminator/eviction.go Queue
        self.evictions = EvictionQueue(self)  # one per Karpenter

    def now(self) -> float:
        """Karpenter's clock (the controllers' clock.Clock), in epoch seconds: the wall clock plus
        the seconds the simulator's clock was moved on (NodeAutoProvisioner.advance; tests may
        replace this method)."""
        return time.time() + float(getattr(self.controller, "now", 0.0) or 0.0)

    def drain(self, cluster: ClusterState, node: dict[str, Any], deadline: datetime.datetime | None = None) -> bool:
        """terminator.go Drain: whether the node is drained; else the pods past their delete time
        deleted (``deadline``: the node's termination time), the NodeDrainError's event and the
        first group of the pods waiting handed to the eviction queue (awaitDrain)."""
        name = node["metadata"]["name"]
        pods = [p for p in cluster.list("v1", "Pod") if (p.get("spec") or {}).get("nodeName") == name]
        waiting = [p for p in pods if _drainable(p)]
        if not waiting:
            return True
        now = self.now()
        for pod in waiting:  # terminator.go (v1.14.0) DeleteExpiringPods, before the groups
            grace = _expiring(pod, deadline, now)
            if grace is not None and deadline is not None:
                self._force_delete(cluster, pod, grace, deadline)
        # kubernetes-sigs/karpenter v1.14.0 controller.go awaitDrain's NodeFailedToDrain, written here
        # before the queue's first look (upstream it comes after Queue.Add, whose reconcile runs on the
        # queue's own workers a moment later)
        self._publish(cluster, node, "FailedDraining", f"{len(waiting)} pods are waiting to be evicted")
        # v1.14.0 Drain: the groups come from ``pods`` as listed before DeleteExpiringPods, so a pod
        # deleted just now is still active there and is queued for eviction too (IsEvictable)
        group = next(g for g in _groups(waiting) if g)
        self.evictions.add(cluster, [p for p in group if _evictable(p)])
        return False

    def _force_delete(
        self, cluster: ClusterState, pod: dict[str, Any], grace: int, deadline: datetime.datetime
    ) -> None:
        """terminator.go (v1.14.0) DeleteExpiringPods: the DisruptPodDelete event, then the delete
        with the clamped gracePeriodSeconds (no preconditions; a 404 ignored). The listed ``pod`` is
        left as it was read (controller-runtime's Delete does not write the answer back into it)."""
        md = pod["metadata"]
        tgps = (pod.get("spec") or {}).get("terminationGracePeriodSeconds")
        message = (  # terminator/events/events.go DisruptPodDelete
            f"Deleting the pod to accommodate the terminationTime {go_time(deadline)} of the node. The pod was "
            f"granted {grace} seconds of grace-period of its {tgps} terminationGracePeriodSeconds. This bypasses "
            "the PDB of the pod and the do-not-disrupt annotation."
        )
        self._publish(cluster, pod, "Disrupted", message, "Normal")  # pkg/events/reason.go Disrupted
        rt = cluster.api.rt("v1", "Pod")
        ctx = Ctx(field_manager="karpenter", origin=current_origin())
        try:
            cluster.api.delete(rt, "v1", md["namespace"], md["name"], ctx, None, None, grace)
        except ApiError as err:
            if err.code != 404:  # "ignore 404, not a problem"
                raise

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
