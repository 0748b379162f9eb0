"""Karpenter's disruption of a drifted NodeClaim in the kube emulator, and what a NodeClaim's
terminationGracePeriod changes in it: blocking pods (karpenter.sh/do-not-disrupt, a PDB allowing no
disruption) hold a drifted node only where its NodeClaim has no terminationGracePeriod.

Upstream: kubernetes-sigs/karpenter v1.14.0 (1b4b3e8c829d, the release Azure/karpenter-provider-azure
352646f's go.mod pins; the provider adds no disruption method and does not read the field):
- pkg/controllers/disruption/drift.go: ShouldDisrupt (the NodeClaim's Drifted condition True, a pool
  without spec.replicas), Class EventualDisruptionClass; ComputeCommands: candidates by the Drifted
  condition's lastTransitionTime, empty ones first, one per command, none where the pool's budget is 0.
- pkg/controllers/disruption/types.go NewCandidate: ValidateNodeDisruptable's error blocks always;
  ValidatePodsDisruptable's PodBlockEvictionError is ignored where the NodeClaim has
  spec.terminationGracePeriod and the class is eventual (GracefulDisruptionClass, consolidation and
  emptiness, always respects them); a blocked one gets disruptionevents.Blocked, a Normal
  DisruptionBlocked on the node and on the NodeClaim, pretty.Sentence(err.Error()).
- pkg/controllers/state/statenode.go ValidateNodeDisruptable (no node, not initialized, deleting,
  the node's do-not-disrupt annotation, no nodepool label), ValidatePodsDisruptable (an active pod
  with do-not-disrupt: `pod has "karpenter.sh/do-not-disrupt" annotation (Pod=NS/NAME)`; then
  pkg/utils/pdb/pdb.go CanEvictPods: `pdb prevents pod evictions (PodDisruptionBudget=[NS/NAME])`,
  `eviction does not support multiple PDBs (PodDisruptionBudget(s)=[...])`); awslabs/operatorpkg
  7a13865 serrors/serrors.go Error "%s (%s)".
- Budgets: karpenter_budgets.budget_mapping (helpers.go BuildDisruptionBudgetMapping, nodepool.go
  Budget with its schedule and duration); a pool whose budget allows none gets DisruptionBlocked
  "No allowed disruptions for disruption reason Drifted due to blocking budget".
- drift.go ComputeCommands: candidates by the Drifted condition's lastTransitionTime, those with no
  reschedulable pod first; each within its pool's budget is simulated (``simulate``: helpers.go
  SimulateScheduling); one whose pods would not all schedule gets Blocked with "Not all pods would
  schedule, NS/NAME => ERR "; the first that would is the command.
- queue.go StartCommand: markDisrupted (state.RequireNoScheduleTaint: the node tainted
  karpenter.sh/disrupted:NoSchedule; the NodeClaim's DisruptionReason condition True, reason and
  message Drifted, which the eviction queue's evictionReason reads: "Evicted pod: Drifted"), then the
  replacements created (createReplacementNodeClaims), then the command queued. waitOrTerminate,
  every queueBaseDelay (1 s, ``queue_delay``): DisruptionLaunching and DisruptionWaitingReadiness on
  each replacement until it is Initialized; then the candidate deleted with disruptionevents.Terminating
  "Disrupting Node: Drifted" / "Disrupting NodeClaim: Drifted". A replacement deleted (its launch
  failed) or minRetryDuration (10 min) passed: the taint removed, DisruptionReason cleared.
- controller.go Reconcile: after a command, the next pass at once; else one every pollingPeriod
  (10 s, ``polling``) while a drifted NodeClaim waits.

Drifted is set by karpenter_drift (the NodePool and AKSNodeClass hashes, requirements; tests may
also set it by hand). Not modelled: the
pods' Nominated events of the command's Results.Record, the provisioner's pending pods in the
simulation, multi-node consolidation (single-node, delete only: karpenter_consolidation), static pools,
GetMaxRetryDuration's growth with many commands. Emptiness (controller.go NewMethods: the first method, before
drift) is karpenter_emptiness;
its commands run through the same queue here (``_start`` with no replacement, reason Empty).
"""

from __future__ import annotations

import datetime
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.karpenter_budgets import budget_mapping
from tests.emulators.kube.controllers.karpenter_common import NODECLAIM, NODEPOOL, NODEPOOL_LABEL, _unless_deleted
from tests.emulators.kube.controllers.karpenter_consolidation import UNDERUTILIZED, SingleNodeConsolidation
from tests.emulators.kube.controllers.karpenter_daemons import overhead
from tests.emulators.kube.controllers.karpenter_drain import (
    DISRUPTED_TAINT,
    DO_NOT_DISRUPT,
    Drain,
    _drainable,
    _evictable,
    _owned_by,
)
from tests.emulators.kube.controllers.karpenter_emptiness import CONSOLIDATABLE, EMPTY, Emptiness
from tests.emulators.kube.controllers.karpenter_scheduling import FILTERED_OUT, pod_error
from tests.emulators.kube.controllers.node_filters import fit_reasons
from tests.emulators.kube.controllers.scheduling import pod_requests
from tests.emulators.kube.eviction import _matches
from tests.emulators.kube.status import ApiError

# retry.DefaultBackoff's Steps (kubernetes/client-go util/retry/util.go); its waits are left out.
CLEAR_TRIES = 4
DRIFTED = "Drifted"  # pkg/apis/v1/nodeclaim_status.go ConditionTypeDrifted, DisruptionReasonDrifted


def _condition(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == kind), {})


def _pdb_block(cluster: ClusterState, pods: list[dict[str, Any]]) -> str | None:
    """pkg/utils/pdb/pdb.go CanEvictPods (zeroDisruptions), as ValidatePodsDisruptable words it."""
    pdbs = cluster.list("policy/v1", "PodDisruptionBudget")
    for pod in pods:
        md = pod["metadata"]
        if not (_drainable(pod) and _evictable(pod)):
            # not IsEvictable (kubernetes-sigs/karpenter v1.14.0 pkg/utils/pod/scheduling.go: IsActive, so
            # not terminal and not terminating; the disrupted taint not tolerated; no Node owner; no
            # do-not-disrupt): no budget looked at
            continue
        matching = [
            b for b in pdbs if b["metadata"]["namespace"] == md["namespace"] and _matches(b, md.get("labels") or {})
        ]
        keys = " ".join(f"{b['metadata']['namespace']}/{b['metadata']['name']}" for b in matching)
        if len(matching) > 1:
            return f"eviction does not support multiple PDBs (PodDisruptionBudget(s)=[{keys}])"
        for b in matching:
            unhealthy_ok = (b.get("spec") or {}).get("unhealthyPodEvictionPolicy") == "AlwaysAllow"
            not_ready = any(
                c.get("type") == "Ready" and c.get("status") == "False"
                for c in (pod.get("status") or {}).get("conditions") or []
            )
            if unhealthy_ok and not_ready:
                break
            if int((b.get("status") or {}).get("disruptionsAllowed") or 0) == 0:
                return f"pdb prevents pod evictions (PodDisruptionBudget=[{keys}])"
    return None


def candidate_error(cluster: ClusterState, claim: dict[str, Any], eventual: bool = True) -> str | None:
    """types.go NewCandidate's checks: None for a candidate, else the DisruptionBlocked message."""
    node_name = (claim.get("status") or {}).get("nodeName")
    node = cluster.get("v1", "Node", None, node_name) if node_name else None
    error, pod_block = None, False
    if node is None:
        error = "nodeclaim does not have an associated node"
    elif _condition(claim, "Initialized").get("status") != "True":
        error = "node isn't initialized"
    elif claim["metadata"].get("deletionTimestamp") or node["metadata"].get("deletionTimestamp"):
        error = "node is deleting or marked for deletion"
    elif (node["metadata"].get("annotations") or {}).get(DO_NOT_DISRUPT) == "true":
        error = f'disruption is blocked through the "{DO_NOT_DISRUPT}" annotation'
    elif NODEPOOL_LABEL not in (node["metadata"].get("labels") or {}):
        error = f"node doesn't have required label (label={NODEPOOL_LABEL})"
    else:
        pods = [p for p in cluster.list("v1", "Pod") if (p.get("spec") or {}).get("nodeName") == node_name]
        for pod in pods:  # IsDisruptable: not active, or no do-not-disrupt
            md = pod["metadata"]
            terminal = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
            active = not terminal and not md.get("deletionTimestamp")
            if active and (md.get("annotations") or {}).get(DO_NOT_DISRUPT) == "true":
                error = f'pod has "{DO_NOT_DISRUPT}" annotation (Pod={md["namespace"]}/{md["name"]})'
                break
        error = error or _pdb_block(cluster, pods)
        pod_block = error is not None
    if pod_block and eventual and (claim.get("spec") or {}).get("terminationGracePeriod"):
        return None  # IgnorePodBlockEvictionError: the terminationGracePeriod bounds the drain
    return error[0].upper() + error[1:] if error else None  # pkg/utils/pretty Sentence


def _reschedulable(pod: dict[str, Any]) -> bool:
    """kubernetes-sigs/karpenter v1.14.0 pkg/utils/pod/scheduling.go IsReschedulable: active (or a
    StatefulSet's pod terminating), not a DaemonSet's, not a Node's (a mirror pod)."""
    md = pod["metadata"]
    terminal = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
    active = not terminal and not md.get("deletionTimestamp")
    sts = not terminal and bool(md.get("deletionTimestamp")) and _owned_by(pod, "apps/v1", "StatefulSet")
    return (active or sts) and not _owned_by(pod, "apps/v1", "DaemonSet") and not _owned_by(pod, "v1", "Node")


Plan = tuple[dict[str, Any], list[dict[str, Any]], str]  # the pool, the template nodes that fit, capacity type


def simulate(controller: Any, cluster: ClusterState, claim: dict[str, Any], marked: set[str]) -> tuple[list[Plan], str]:
    """helpers.go SimulateScheduling for one candidate: the NodeClaims to launch for its reschedulable
    pods, and "" or the Blocked message where one would not schedule (scheduling.Results
    NonPendingPodSchedulingErrors: "not all pods would schedule, NS/NAME => ERR ", at most five,
    pretty.Sentence). The pods go first to the other active nodes (not the candidate, not deleting,
    not held by another command: ``marked`` node names), then to a node this simulation makes, then
    to a new NodeClaim of the first NodePool that fits (the provisioner's choice,
    NodeAutoProvisioner.fitting). Not modelled: inter-pod affinity and topology spread on the other
    nodes, the pending pods the simulation adds, pdbs.IsCurrentlyReschedulable."""
    node_name = (claim.get("status") or {}).get("nodeName") or ""
    every = cluster.list("v1", "Pod")
    pods = [p for p in every if (p.get("spec") or {}).get("nodeName") == node_name and _reschedulable(p)]
    if not pods:
        return [], ""
    used: dict[str, Counter[str]] = {}
    for pod in every:
        where = (pod.get("spec") or {}).get("nodeName")
        if where and (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            used.setdefault(where, Counter()).update(pod_requests(pod.get("spec") or {}) + Counter(pods=1))
    others = [
        n
        for n in cluster.list("v1", "Node")
        if n["metadata"]["name"] not in (node_name, *marked) and not n["metadata"].get("deletionTimestamp")
    ]
    plans: list[Plan] = []
    made: list[tuple[dict[str, Any], Counter[str]]] = []
    errors: list[str] = []
    for pod in sorted(pods, key=lambda p: -int((p.get("spec") or {}).get("priority") or 0)):
        spec = {k: v for k, v in (pod.get("spec") or {}).items() if k != "nodeName"}
        need = pod_requests(spec)
        home = next(
            (
                n
                for n in others
                if not fit_reasons(spec, need, n, lambda n=n: used.get(n["metadata"]["name"], Counter()))[0]
            ),
            None,
        )
        if home is not None:
            used.setdefault(home["metadata"]["name"], Counter()).update(need + Counter(pods=1))
            continue
        room = next((u for n, u in made if not fit_reasons(spec, need, n, lambda u=u: u)[0]), None)
        if room is not None:
            room.update(need + Counter(pods=1))
            continue
        found = controller.fitting(cluster, spec, need)
        if found is None:
            said = pod_error(controller, cluster, spec, need) or FILTERED_OUT
            errors.append(f"{pod['metadata']['namespace']}/{pod['metadata']['name']} => {said} ")
            continue
        plans.append(found)
        template = found[1][0]
        made.append((template, Counter({**need, "pods": 1}) + overhead(cluster, template)))
    return plans, blocked_message(errors) if errors else ""


def blocked_message(errors: list[str]) -> str:
    """kubernetes-sigs/karpenter v1.14.0 pkg/controllers/provisioning/scheduling/scheduler.go
    NonPendingPodSchedulingErrors through pretty.Sentence: at most five "NS/NAME => ERR ",
    then " and N other(s)" once the fifth is written (its check follows the write: five give "and 0")."""
    more = f" and {len(errors) - 5} other(s)" if len(errors) >= 5 else ""
    return "Not all pods would schedule, " + "".join(errors[:5]) + more


def require_taint(cluster: ClusterState, node_name: str, add: bool) -> None:
    """pkg/controllers/state/statenode.go RequireNoScheduleTaint: karpenter.sh/disrupted:NoSchedule
    added or removed (a deleting node that has it is left alone)."""
    node = cluster.get("v1", "Node", None, node_name)
    if node is None:
        return
    taints = list((node.get("spec") or {}).get("taints") or [])
    has = any(t.get("key") == DISRUPTED_TAINT["key"] and t.get("effect") == "NoSchedule" for t in taints)
    if has and node["metadata"].get("deletionTimestamp"):
        return
    kept = [t for t in taints if not (t.get("key") == DISRUPTED_TAINT["key"] and t.get("effect") == "NoSchedule")]
    wanted = [*kept, dict(DISRUPTED_TAINT)] if add else kept
    if wanted != taints:
        cluster.patch("v1", "Node", None, node_name, {"spec": {"taints": wanted}}, manager="karpenter")


@dataclass
class Command:
    """kubernetes-sigs/karpenter pkg/controllers/disruption/queue.go Command: one candidate and the NodeClaims
    launched to replace it (an Empty command's candidates each get one here, with none)."""

    candidate: str
    node: str
    replacements: list[str]
    created: float  # time.monotonic() at StartCommand (cmd.CreationTimestamp)
    initialized: set[str] = field(default_factory=set)
    reason: str = DRIFTED  # the method's Reason(): Drifted, or Empty (karpenter_emptiness)


class Disruption:
    """The disruption controller's drift method and its orchestration queue, for one Karpenter."""

    def __init__(self, controller: Any, drain: Drain) -> None:
        self.controller = controller
        self.drain = drain  # the recorder (_publish)
        self.polling = 10.0  # controller.go pollingPeriod (tests may shorten it)
        self.queue_delay = 1.0  # queue.go queueBaseDelay: waitOrTerminate's requeue
        self.retry_duration = 600.0  # queue.go minRetryDuration (GetMaxRetryDuration for few commands)
        # Karpenter's clock for budget schedules (tests may replace it)
        self.clock = lambda: datetime.datetime.now(datetime.UTC)
        self.commands: dict[str, Command] = {}  # queue.go ProviderIDToCommand, by candidate NodeClaim
        # kubernetes-sigs/karpenter pkg/controllers/disruption/emptiness.go, before drift
        self.emptiness = Emptiness(self, candidate_error, _reschedulable)
        # kubernetes-sigs/karpenter pkg/controllers/disruption/singlenodeconsolidation.go, after drift
        self.consolidation = SingleNodeConsolidation(self, candidate_error, _reschedulable, simulate)
        self._due: float | None = None
        # After a failed command the next pass is the next poll, not an event of its own writes
        # (kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption/controller.go: a singleton
        # that passes every pollingPeriod, whatever NodeClaims change).
        self._quiet_until = 0.0
        self._lock = threading.Lock()

    def on_event(self, typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
        """A NodeClaim that is Drifted or Consolidatable starts a pass (upstream: the singleton's next poll)."""
        del ctx
        if rt.kind != "NodeClaim" or rt.group != "karpenter.sh" or typ == "DELETED":
            return
        marked = any(_condition(obj, kind).get("status") == "True" for kind in (DRIFTED, CONSOLIDATABLE))
        if marked and not obj["metadata"].get("deletionTimestamp"):
            self.queue(max(0.0, self._quiet_until - time.monotonic()))

    def queue(self, after: float) -> None:
        manager = getattr(self.controller, "_manager", None)
        if manager is None:
            return
        when = time.monotonic() + after
        with self._lock:
            if self._due is not None and self._due <= when:
                return
            self._due = when
        manager.call_later(self.controller, lambda c: self._run(c, when), after)

    def _run(self, cluster: ClusterState, when: float) -> None:
        with self._lock:
            if self._due != when:
                return
            self._due = None
        _unless_deleted(lambda: self.reconcile(cluster))

    def budgets(self, cluster: ClusterState, pools: dict[str, dict[str, Any]], reason: str) -> dict[str, int]:
        """helpers.go BuildDisruptionBudgetMapping for a method's reason, the NodeClaims the queue holds marked
        (karpenter_budgets; a pool that allows none gets DisruptionBlocked)."""
        return budget_mapping(
            cluster,
            list(pools.values()),
            reason,
            set(self.commands),
            self.clock(),
            lambda pool, said: self._publish(cluster, pool, "DisruptionBlocked", said),
        )

    def _publish(self, cluster: ClusterState, obj: dict[str, Any] | None, reason: str, message: str) -> None:
        if obj is not None:
            self.drain._publish(cluster, obj, reason, message, "Normal")

    def reconcile(self, cluster: ClusterState) -> bool:
        """controller.go Reconcile with the drift method: whether a command started (then the next pass
        at once, RequeueImmediately); while a drifted NodeClaim waits, the next pass in ``polling``."""
        pools = {p["metadata"]["name"]: p for p in cluster.list(*NODEPOOL)}
        # kubernetes-sigs/karpenter pkg/controllers/disruption/controller.go NewMethods: Emptiness first
        # (karpenter_emptiness), then Drift, then single-node consolidation (karpenter_consolidation), whose
        # validation holds the pass as Emptiness's does
        if self.consolidation.pending is not None:
            name, plans, over = self.consolidation.validate(cluster, pools)
            if not over:
                self.queue(self.consolidation.wait_left())
                return False
            claim = cluster.get(*NODECLAIM, None, name) if name else None
            if claim is not None:
                self._start(cluster, claim, plans, UNDERUTILIZED)
                self.queue(0.0)
                return True
        if self.emptiness.pending is not None:
            names, over = self.emptiness.validate(cluster, pools)
            if not over:  # the singleton waits in EmptinessValidator.Validate
                self.queue(self.emptiness.wait_left())
                return False
            for name in names:
                claim = cluster.get(*NODECLAIM, None, name)
                if claim is not None:
                    self._start(cluster, claim, [], EMPTY)
            if names:
                self.queue(0.0)
                return True
        elif self.emptiness.compute(cluster, pools):
            self.queue(self.emptiness.wait_left())
            return False
        drifted = []
        for c in cluster.list(*NODECLAIM):  # drift.go ShouldDisrupt; GetCandidates skips the queue's
            pool = pools.get((c["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, "")) or {}
            static = (pool.get("spec") or {}).get("replicas") is not None  # OwnedByStaticNodePool
            if (
                _condition(c, DRIFTED).get("status") == "True"
                and not c["metadata"].get("deletionTimestamp")
                and not static
                and c["metadata"]["name"] not in self.commands
            ):
                drifted.append(c)
        if not drifted:
            return self._consolidate(cluster, pools)
        candidates = []
        for claim in drifted:
            error = candidate_error(cluster, claim)
            if error is None:
                candidates.append(claim)
                continue
            node = cluster.get("v1", "Node", None, (claim.get("status") or {}).get("nodeName") or "")
            for obj in (node, claim):  # disruption/events/events.go Blocked
                self._publish(cluster, obj, "DisruptionBlocked", error)
        budgets = self.budgets(cluster, pools, DRIFTED)
        # drift.go ComputeCommands: by the Drifted condition's lastTransitionTime, empty ones first
        candidates.sort(key=lambda c: str(_condition(c, DRIFTED).get("lastTransitionTime") or ""))
        nodes = {cmd.node for cmd in self.commands.values()}
        pods = cluster.list("v1", "Pod")

        def empty(claim: dict[str, Any]) -> bool:  # no reschedulable pod (Candidate.reschedulablePods)
            node = (claim.get("status") or {}).get("nodeName")
            return not any((p.get("spec") or {}).get("nodeName") == node and _reschedulable(p) for p in pods)

        for claim in sorted(candidates, key=lambda c: not empty(c)):  # stable: empty ones first
            if budgets.get((claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, ""), 0) == 0:
                continue
            replacements, error = simulate(self.controller, cluster, claim, nodes)
            if error:  # drift.go: Blocked with the scheduling errors
                node = cluster.get("v1", "Node", None, (claim.get("status") or {}).get("nodeName") or "")
                for obj in (node, claim):
                    self._publish(cluster, obj, "DisruptionBlocked", error)
                continue
            self._start(cluster, claim, replacements)
            self.queue(0.0)
            return True
        return self._consolidate(cluster, pools, drifted=True)

    def _consolidate(self, cluster: ClusterState, pools: dict[str, dict[str, Any]], drifted: bool = False) -> bool:
        """The single-node consolidation method; then the next poll while a NodeClaim is Drifted or
        Consolidatable."""
        if self.consolidation.compute(cluster, pools):
            self.queue(self.consolidation.wait_left())
        elif drifted or self.emptiness.looked_at(cluster):
            self.queue(self.polling)
        return False

    def _start(self, cluster: ClusterState, claim: dict[str, Any], plans: list[Plan], reason: str = DRIFTED) -> None:
        """queue.go StartCommand: markDisrupted (the karpenter.sh/disrupted:NoSchedule taint, then the
        NodeClaim's DisruptionReason True, reason and message Drifted), the replacements created
        (createReplacementNodeClaims: the provisioner's CreateNodeClaims), the command queued."""
        name = claim["metadata"]["name"]
        node_name = (claim.get("status") or {}).get("nodeName") or ""
        require_taint(cluster, node_name, True)
        conditions = [
            c for c in (claim.get("status") or {}).get("conditions") or [] if c.get("type") != "DisruptionReason"
        ]
        old = _condition(claim, "DisruptionReason")
        when = old.get("lastTransitionTime") if old.get("status") == "True" else None
        conditions.append(
            {"type": "DisruptionReason", "status": "True", "reason": reason, "message": reason,
             "lastTransitionTime": when or now_iso()}
        )  # fmt: skip
        cluster.patch_status(*NODECLAIM, None, name, {"conditions": conditions})
        made = [self.controller._create_claim(cluster, *plan)[1] for plan in plans]
        self.commands[name] = Command(name, node_name, made, time.monotonic(), reason=reason)
        self._wait_later(name, 0.0)

    def _wait_later(self, name: str, after: float) -> None:
        manager = getattr(self.controller, "_manager", None)
        if manager is not None:
            manager.call_later(
                self.controller, lambda c: _unless_deleted(lambda: self.wait_or_terminate(c, name)), after
            )

    def wait_or_terminate(self, cluster: ClusterState, name: str) -> None:
        """queue.go Reconcile and waitOrTerminate: each replacement not yet Initialized gets
        disruptionevents.Launching ("Launching NodeClaim: Drifted") and, while not Initialized,
        WaitingOnReadiness ("Waiting on readiness to continue disruption"), and the command is looked
        at again in ``queue_delay``; once every one is, the candidate NodeClaim is deleted with
        disruptionevents.Terminating on node and NodeClaim. A replacement deleted (a failed launch) or
        the command older than ``retry_duration`` is unrecoverable: the taint is removed and the
        DisruptionReason condition cleared (state.RequireNoScheduleTaint false,
        state.ClearNodeClaimsCondition), and the NodeClaim is a candidate again."""
        cmd = self.commands.get(name)
        if cmd is None:
            return
        waiting = False
        for replacement in cmd.replacements:
            if replacement in cmd.initialized:
                continue
            made = cluster.get(*NODECLAIM, None, replacement)
            if made is None:  # "replacement was deleted"
                self._fail(cluster, cmd)
                return
            self._publish(cluster, made, "DisruptionLaunching", f"Launching NodeClaim: {cmd.reason}")
            if _condition(made, "Initialized").get("status") != "True":
                self._publish(
                    cluster, made, "DisruptionWaitingReadiness", "Waiting on readiness to continue disruption"
                )
                waiting = True
                continue
            cmd.initialized.add(replacement)
        if waiting:
            if time.monotonic() - cmd.created > self.retry_duration:  # "command reached timeout"
                self._fail(cluster, cmd)
            else:
                self._wait_later(name, self.queue_delay)
            return
        claim = cluster.get(*NODECLAIM, None, name)
        del self.commands[name]
        if claim is not None:
            cluster.delete(*NODECLAIM, None, name)
            node = cluster.get("v1", "Node", None, cmd.node) if cmd.node else None
            self._publish(cluster, node, "DisruptionTerminating", f"Disrupting Node: {cmd.reason}")
            self._publish(cluster, claim, "DisruptionTerminating", f"Disrupting NodeClaim: {cmd.reason}")
        self.queue(0.0)

    def _fail(self, cluster: ClusterState, cmd: Command) -> None:
        del self.commands[cmd.candidate]
        self._quiet_until = time.monotonic() + self.polling  # its own writes below start no pass
        require_taint(cluster, cmd.node, False)
        self._clear_reason(cluster, cmd.candidate)
        self.queue(self.polling)

    def _clear_reason(self, cluster: ClusterState, name: str) -> None:
        """state.ClearNodeClaimsCondition: a fresh Get, DisruptionReason cleared, Status().Patch with
        client.MergeFromWithOptimisticLock, all under retry.OnError(retry.DefaultBackoff) (four tries;
        NotFound ends it); a conflict on the last try is only logged with the command's failure
        (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/state/statenode.go
        ClearNodeClaimsCondition; pkg/controllers/disruption/queue.go waitOrTerminate logs multiErr)."""
        for _ in range(CLEAR_TRIES):
            claim = cluster.get(*NODECLAIM, None, name)
            if claim is None or not _condition(claim, "DisruptionReason"):
                return
            conditions = [c for c in claim["status"]["conditions"] if c.get("type") != "DisruptionReason"]
            try:
                cluster.patch_status_locked(claim, {"conditions": conditions})
                return
            except ApiError as exc:
                if exc.code == 404:
                    return
                if exc.reason != "Conflict":
                    raise
