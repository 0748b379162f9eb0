"""Karpenter's emptiness in the kube emulator: a NodeClaim is Consolidatable once its NodePool's
consolidateAfter has passed since its last pod event, and the disruption controller's Emptiness method
deletes the empty ones within the NodePool's budget for the reason Empty (karpenter_disruption runs it
before drift; karpenter_termination then drains and removes the node).

Upstream: kubernetes-sigs/karpenter v1.14.0 (1b4b3e8c829d, the release Azure/karpenter-provider-azure
352646f's go.mod pins; the provider adds no disruption method):
- pkg/controllers/nodeclaim/podevents/controller.go Reconcile: a pod bound to a node, or going terminal
  or terminating on one (the UpdateFunc filter; a create passes the filter too, a deleted pod is not
  found by the reconcile), not a DaemonSet's, sets its NodeClaim's status.lastPodEventTime to the
  clock's now with a Status().Patch (MergeFrom), unless it was set less than dedupeTimeout (10 s) ago.
- pkg/controllers/nodeclaim/disruption/consolidation.go Reconcile (run by controller.go runReconcilers
  for a NodeClaim not being deleted of a NodePool without spec.replicas, on NodeClaim, NodePool and Pod
  events): consolidateAfter nil ("Never", pkg/apis/v1/duration.go NillableDuration) or the NodeClaim
  not Initialized: the Consolidatable condition cleared; within consolidateAfter of the last pod event
  (lastPodEventTime, or Initialized's lastTransitionTime where none; pkg/utils/disruption/disruption.go
  IsUnderConsolidateAfter, false for 0s): cleared and requeued at that time; else SetTrue. The write is
  controller.go's Status().Patch with MergeFromWithOptimisticLock (a 409 requeues).
- pkg/controllers/disruption/emptiness.go ShouldDisrupt: not a static pool's, consolidateAfter not nil,
  IsEmpty and Consolidatable True. ComputeCommands: the candidates by
  consolidation.go sortCandidates (SavingsRatio, the price over RescheduleDisruptionCost: 1 for an
  empty one, so dearest first), each within its pool's budget for the reason Empty (helpers.go
  BuildDisruptionBudgetMapping; the budget decremented); then EmptinessValidator.Validate
  (validation.go) after commandValidationDelay (15 s of Karpenter's clock, consolidation.go): the
  candidates looked up again (GetCandidates with ShouldDisrupt), those still there kept, budgets
  again; none left: "abandoning empty node consolidation attempt due to pod churn", no command.
- types.go NewCandidate (karpenter_disruption.candidate_error with the graceful class: a
  do-not-disrupt pod or a PDB allowing nothing blocks, whatever terminationGracePeriod) and IsEmpty:
  RescheduleDisruptionCost (1 + each reschedulable pod's EvictionCost above 0) at most 1.
  pkg/utils/disruption/disruption.go EvictionCost: 1 + controller.kubernetes.io/pod-deletion-cost /
  2^27 + priority / 2^25, clamped to [-10, 10] (an unparsable deletion cost is ignored).
- queue.go StartCommand with no replacement: markDisrupted (the karpenter.sh/disrupted:NoSchedule
  taint, DisruptionReason True with reason and message Empty), then waitOrTerminate deletes the
  NodeClaim at once with disruptionevents.Terminating "Disrupting Node: Empty" / "Disrupting
  NodeClaim: Empty" (karpenter_disruption.Disruption.start and wait_or_terminate).

Karpenter's clock is the simulator's (karpenter_drain.Drain.now: the wall clock plus the seconds
NodeAutoProvisioner.advance moved it on); ``advance`` looks at every NodeClaim again, as their
requeues would have come. Not modelled: the cluster state's IsConsolidated shortcut (a pass that
changes nothing is simply repeated), nominated nodes (statenode.go Nominated), buffer pods (the
underutilized consolidation, single-node and delete only, is karpenter_consolidation), the
Unconsolidatable events (emptiness.go's "NodePool %q has consolidation disabled" among them); the
disruption pass is run only while some NodeClaim is Consolidatable (upstream polls every 10 s
whatever), and NewCandidate's DisruptionBlocked events are published for those NodeClaims only.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.karpenter_common import NODECLAIM, NODEPOOL, NODEPOOL_LABEL, DueQueue, _price
from tests.emulators.kube.controllers.karpenter_drain import _owned_by
from tests.emulators.kube.controllers.karpenter_termination import CONFLICT_REQUEUE  # Requeue: true
from tests.emulators.kube.go_duration import seconds
from tests.emulators.kube.status import ApiError

# kubernetes-sigs/karpenter paths (pkg/controllers/ for podevents and disruption):
CONSOLIDATABLE = "Consolidatable"  # pkg/apis/v1/nodeclaim_status.go ConditionTypeConsolidatable
EMPTY = "Empty"  # pkg/apis/v1/nodepool.go DisruptionReasonEmpty
POD_EVENT_DEDUPE = 10.0  # podevents/controller.go dedupeTimeout
VALIDATION_DELAY = 15.0  # disruption/consolidation.go commandValidationDelay
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"  # corev1.PodDeletionCost


def iso(at: float) -> str:
    """A metav1.Time as the API writes it (RFC 3339, seconds)."""
    return datetime.datetime.fromtimestamp(at, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(text: str) -> float:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC).timestamp()


def consolidate_after(pool: dict[str, Any]) -> float | None:
    """The NodePool's consolidateAfter in seconds; None for "Never" (kubernetes-sigs/karpenter
    pkg/apis/v1/duration.go NillableDuration:
    UnmarshalJSON leaves Duration nil for Never). The CRD defaults it to 0s."""
    text = str(((pool.get("spec") or {}).get("disruption") or {}).get("consolidateAfter", "0s"))
    return None if text == "Never" else seconds(text)


def _condition(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == kind), {})


def _terminal(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def eviction_cost(pod: dict[str, Any]) -> float:
    """kubernetes-sigs/karpenter pkg/utils/disruption/disruption.go EvictionCost."""
    cost = 1.0
    text = (pod["metadata"].get("annotations") or {}).get(DELETION_COST)
    if text is not None:
        with contextlib.suppress(ValueError):  # strconv.ParseFloat's error is only logged
            cost += float(text) / 2**27
    priority = (pod.get("spec") or {}).get("priority")
    if priority is not None:
        cost += int(priority) / 2**25
    return min(max(cost, -10.0), 10.0)


def _node_price(claim: dict[str, Any]) -> float:
    """kubernetes-sigs/karpenter pkg/controllers/disruption/types.go resolveNodePrice: the size's price, 0 where none
    is known."""
    price = _price(str((claim["metadata"].get("labels") or {}).get("node.kubernetes.io/instance-type")))
    return 0.0 if price == float("inf") else price


def is_empty(pods: list[dict[str, Any]]) -> bool:
    """kubernetes-sigs/karpenter pkg/controllers/disruption/types.go IsEmpty over the candidate's
    reschedulable pods (karpenter_disruption._reschedulable)."""
    return 1.0 + sum(max(0.0, eviction_cost(p)) for p in pods) <= 1.0


class ConsolidatableMarker:
    """The NodeClaim disruption controller's consolidation sub-reconciler and the podevents
    controller, for one Karpenter (``controller``, a NodeAutoProvisioner; its termination's clock)."""

    def __init__(self, controller: Any) -> None:
        self.controller = controller
        self._pods: dict[str, tuple[str, bool, bool]] = {}  # pod uid -> (nodeName, terminal, terminating)
        self._queue = DueQueue(controller, self._run)

    def now(self) -> float:
        return float(self.controller.termination.now())

    def on_event(self, typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
        """An API event (under the store's lock: only queues)."""
        del ctx
        md = obj.get("metadata") or {}
        if rt.kind == "Pod" and rt.group == "":
            uid = str(md.get("uid", ""))
            if typ == "DELETED":
                self._pods.pop(uid, None)
                return
            node = str((obj.get("spec") or {}).get("nodeName") or "")
            state = (node, _terminal(obj), bool(md.get("deletionTimestamp")))
            old = self._pods.get(uid)
            self._pods[uid] = state
            changed = old is None or (not old[0] and node) or (state[1] and not old[1]) or (state[2] and not old[2])
            if node and changed and not _owned_by(obj, "apps/v1", "DaemonSet"):
                self.queue("pod", node, 0.0)
        elif rt.kind == "NodeClaim" and rt.group == "karpenter.sh" and typ != "DELETED":
            if not md.get("deletionTimestamp"):
                self.queue("claim", str(md.get("name")), 0.0)
        elif rt.kind == "NodePool" and rt.group == "karpenter.sh" and typ != "DELETED":
            self.queue("pool", str(md.get("name")), 0.0)  # nodeclaimutils.NodePoolEventHandler

    def recheck(self) -> None:
        """After the simulator's clock moved on: every NodeClaim looked at again."""
        self.queue("all", "", 0.0)

    def queue(self, kind: str, name: str, after: float) -> None:
        self._queue.add((kind, name), after)

    def _run(self, cluster: ClusterState, key: tuple[str, str]) -> None:
        kind, name = key
        if kind == "pod":
            self.pod_event(cluster, name)
        elif kind == "claim":
            self.reconcile(cluster, name)
        else:
            selector = f"{NODEPOOL_LABEL}={name}" if kind == "pool" else None
            for claim in cluster.list(*NODECLAIM, label_selector=selector):
                self.reconcile(cluster, claim["metadata"]["name"])

    def pod_event(self, cluster: ClusterState, node_name: str) -> None:
        """kubernetes-sigs/karpenter pkg/controllers/nodeclaim/podevents/controller.go Reconcile for a pod on
        ``node_name``."""
        node = cluster.get("v1", "Node", None, node_name)
        provider_id = str(((node or {}).get("spec") or {}).get("providerID") or "")
        claims = [c for c in cluster.list(*NODECLAIM) if (c.get("status") or {}).get("providerID") == provider_id]
        if node is None or not provider_id or len(claims) != 1:  # NodeClaimForNode: none, or duplicates
            return
        claim, now = claims[0], self.now()
        last = (claim.get("status") or {}).get("lastPodEventTime")
        if last and now - _epoch(str(last)) < POD_EVENT_DEDUPE:
            return
        try:
            cluster.patch_status(*NODECLAIM, None, claim["metadata"]["name"], {"lastPodEventTime": iso(now)})
        except ApiError as exc:  # client.IgnoreNotFound
            if exc.code != 404:
                raise

    def reconcile(self, cluster: ClusterState, name: str) -> None:
        """kubernetes-sigs/karpenter pkg/controllers/nodeclaim/disruption/consolidation.go Reconcile for one
        NodeClaim, and its write."""
        claim = cluster.get(*NODECLAIM, None, name)
        if claim is None or claim["metadata"].get("deletionTimestamp"):
            return
        pool = cluster.get(*NODEPOOL, None, (claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, ""))
        if pool is None or (pool.get("spec") or {}).get("replicas") is not None:
            return  # no NodePool, or a static one: no consolidation reconciler
        conditions = [dict(c) for c in (claim.get("status") or {}).get("conditions") or []]
        had = _condition(claim, CONSOLIDATABLE)
        rest = [c for c in conditions if c.get("type") != CONSOLIDATABLE]
        after, initialized = consolidate_after(pool), _condition(claim, "Initialized")
        wanted: list[dict[str, Any]] = rest
        if after is not None and initialized.get("status") == "True":
            last = (claim.get("status") or {}).get("lastPodEventTime") or initialized.get("lastTransitionTime")
            now = self.now()
            due = _epoch(str(last)) + after
            if after > 0 and now < due:  # IsUnderConsolidateAfter
                self.queue("claim", name, due - now)
            else:
                since = had.get("lastTransitionTime") if had.get("status") == "True" else iso(now)
                mark = {"type": CONSOLIDATABLE, "status": "True", "reason": CONSOLIDATABLE, "message": ""}
                wanted = [*rest, {**mark, "lastTransitionTime": since}]
        if wanted == conditions:
            return
        try:
            cluster.patch_status_locked(claim, {"conditions": wanted})
        except ApiError as exc:
            if exc.code == 404:
                return
            if exc.reason != "Conflict":
                raise
            self.queue("claim", name, CONFLICT_REQUEUE)


class Emptiness:
    """The disruption controller's Emptiness method (run first in each pass) and its validation."""

    def __init__(self, disruption: Any, candidate_error: Any, reschedulable: Any) -> None:
        self.disruption = disruption
        # karpenter_disruption's candidate_error (types.go NewCandidate) and _reschedulable
        # (kubernetes-sigs/karpenter pkg/utils/pod/scheduling.go IsReschedulable), handed in: that module runs this one
        self._candidate_error, self._reschedulable = candidate_error, reschedulable
        self.validation_delay = VALIDATION_DELAY  # tests may shorten it
        # The command being validated: its candidates' names and Karpenter's clock when it is due.
        self.pending: tuple[list[str], float] | None = None

    def looked_at(self, cluster: ClusterState) -> list[dict[str, Any]]:
        """The NodeClaims this pass looks at: Consolidatable, not deleting, not held by a command."""
        held = self.disruption.commands
        return [
            c
            for c in cluster.list(*NODECLAIM)
            if _condition(c, CONSOLIDATABLE).get("status") == "True"
            and not c["metadata"].get("deletionTimestamp")
            and c["metadata"]["name"] not in held
        ]

    def candidates(self, cluster: ClusterState, pools: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """GetCandidates with kubernetes-sigs/karpenter pkg/controllers/disruption/emptiness.go ShouldDisrupt
        (NewCandidate's Blocked events published)."""
        out = []
        pods = cluster.list("v1", "Pod")
        for claim in self.looked_at(cluster):
            node_name = (claim.get("status") or {}).get("nodeName") or ""
            node = cluster.get("v1", "Node", None, node_name) if node_name else None
            error = self._candidate_error(cluster, claim, eventual=False)
            pool = pools.get((claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, ""))
            if error is None and pool is None:
                error = f"NodePool not found (NodePool={(claim['metadata'].get('labels') or {}).get(NODEPOOL_LABEL)})"
            if error is not None:
                # kubernetes-sigs/karpenter pkg/controllers/disruption/events/events.go Blocked
                for obj in (node, claim):
                    self.disruption._publish(cluster, obj, "DisruptionBlocked", error)
                continue
            if pool is None or (pool.get("spec") or {}).get("replicas") is not None:
                continue  # OwnedByStaticNodePool
            if consolidate_after(pool) is None:
                continue  # upstream also publishes Unconsolidatable "consolidation disabled" (not here)
            on_node = [p for p in pods if (p.get("spec") or {}).get("nodeName") == node_name and self._reschedulable(p)]
            if is_empty(on_node):
                out.append(claim)
        return out

    def _within_budgets(self, cluster: ClusterState, pools: dict[str, dict[str, Any]], claims: list[Any]) -> list[Any]:
        # kubernetes-sigs/karpenter pkg/controllers/disruption/helpers.go BuildDisruptionBudgetMapping.
        budgets: dict[str, int] = self.disruption.budgets(cluster, pools, EMPTY)
        chosen = []
        for claim in claims:
            pool = (claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, "")
            if budgets.get(pool, 0) == 0:
                continue
            budgets[pool] -= 1
            chosen.append(claim)
        return chosen

    def compute(self, cluster: ClusterState, pools: dict[str, dict[str, Any]]) -> bool:
        """kubernetes-sigs/karpenter pkg/controllers/disruption/emptiness.go ComputeCommands up to the validation:
        whether a command waits for it."""
        found = self.candidates(cluster, pools)
        if not found:
            return False
        found.sort(key=lambda c: -_node_price(c))  # sortCandidates: SavingsRatio, dearest first
        chosen = self._within_budgets(cluster, pools, found)
        if not chosen:
            return False
        now = float(self.disruption.drain.now())
        self.pending = ([c["metadata"]["name"] for c in chosen], now + self.validation_delay)
        return True

    def validate(self, cluster: ClusterState, pools: dict[str, dict[str, Any]]) -> tuple[list[str], bool]:
        """EmptinessValidator.Validate once its delay has passed on Karpenter's clock: (the NodeClaims
        to disrupt, whether the validation is over); an empty list where it failed (pod churn)."""
        assert self.pending is not None
        names, due = self.pending
        left = due - float(self.disruption.drain.now())
        if left > 0:
            return [], False
        self.pending = None
        still = [c for c in self.candidates(cluster, pools) if c["metadata"]["name"] in names]
        return [c["metadata"]["name"] for c in self._within_budgets(cluster, pools, still)], True

    def wait_left(self) -> float:
        """Seconds of Karpenter's clock until the pending validation is due."""
        return max(0.0, self.pending[1] - float(self.disruption.drain.now())) if self.pending else 0.0
