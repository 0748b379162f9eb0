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
- helpers.go BuildDisruptionBudgetMapping and pkg/apis/v1/nodepool.go GetAllowedDisruptionsByReason:
  the least `nodes` of the budgets for the reason (a percentage of the pool's initialized nodes,
  rounded up), less the pool's nodes not Ready or being deleted.
- queue.go StartCommand, markDisrupted (the node tainted karpenter.sh/disrupted:NoSchedule; the
  NodeClaim's DisruptionReason condition True, reason and message Drifted, which the eviction queue's
  evictionReason reads: "Evicted pod: Drifted"), waitOrTerminate (the NodeClaim deleted, then
  disruptionevents.Terminating "Disrupting Node: Drifted" / "Disrupting NodeClaim: Drifted").
- controller.go Reconcile: a pass every pollingPeriod (10 s, ``polling``) while nothing is done.

Not modelled: what sets Drifted (pkg/controllers/nodeclaim/disruption/drift.go: the NodePool hash,
requirements, the AKSNodeClass; tests set the condition), SimulateScheduling's replacements (upstream
launches them and waits for them to initialize before the delete; here the NodeClaim is deleted and
the provisioner launches for the evicted pods), a budget's schedule (a budget with one is skipped, as
outside its window), the node's nomination, consolidation, emptiness, static pools.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.karpenter_common import NODECLAIM, NODEPOOL, NODEPOOL_LABEL, _unless_deleted
from tests.emulators.kube.controllers.karpenter_drain import DO_NOT_DISRUPT, Drain, _drainable, _evictable
from tests.emulators.kube.eviction import _matches

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


def allowed(cluster: ClusterState, pool: dict[str, Any], reason: str) -> int:
    """helpers.go BuildDisruptionBudgetMapping for one pool."""
    name = pool["metadata"]["name"]
    claims = [c for c in cluster.list(*NODECLAIM) if (c["metadata"].get("labels") or {}).get(NODEPOOL_LABEL) == name]
    counted = [
        c
        for c in claims
        if _condition(c, "Initialized").get("status") == "True"
        and _condition(c, "InstanceTerminating").get("status") != "True"
    ]
    disrupting = sum(
        1 for c in counted if c["metadata"].get("deletionTimestamp") or _condition(c, "Ready").get("status") != "True"
    )
    budgets = ((pool.get("spec") or {}).get("disruption") or {}).get("budgets") or [{"nodes": "10%"}]  # CRD default
    most = 2**31 - 1  # math.MaxInt32
    for budget in budgets:
        if budget.get("schedule") or (budget.get("reasons") and reason not in budget["reasons"]):
            continue
        nodes = str(budget.get("nodes", "10%"))
        value = math.ceil(int(nodes[:-1]) * len(counted) / 100) if nodes.endswith("%") else int(nodes)
        most = min(most, value)  # intstr.GetScaledValueFromIntOrPercent, rounded up
    return max(most - disrupting, 0)


class Disruption:
    """The disruption controller's drift method and its orchestration queue, for one Karpenter."""

    def __init__(self, controller: Any, drain: Drain) -> None:
        self.controller = controller
        self.drain = drain  # the recorder (_publish) and the taint
        self.polling = 10.0  # controller.go pollingPeriod (tests may shorten it)
        self._due: float | None = None
        self._lock = threading.Lock()

    def on_event(self, typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
        """A NodeClaim that is Drifted starts a pass (upstream: the singleton's next poll)."""
        del ctx
        if rt.kind != "NodeClaim" or rt.group != "karpenter.sh" or typ == "DELETED":
            return
        if _condition(obj, DRIFTED).get("status") == "True" and not obj["metadata"].get("deletionTimestamp"):
            self.queue(0.0)

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

    def reconcile(self, cluster: ClusterState) -> bool:
        """controller.go Reconcile with the drift method: whether a NodeClaim was disrupted; while a
        drifted one waits, the next pass in ``polling`` seconds."""
        pools = {p["metadata"]["name"]: p for p in cluster.list(*NODEPOOL)}
        drifted = []
        for c in cluster.list(*NODECLAIM):  # drift.go ShouldDisrupt
            pool = pools.get((c["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, "")) or {}
            static = (pool.get("spec") or {}).get("replicas") is not None  # OwnedByStaticNodePool
            if (
                _condition(c, DRIFTED).get("status") == "True"
                and not c["metadata"].get("deletionTimestamp")
                and not static
            ):
                drifted.append(c)
        if not drifted:
            return False
        candidates = []
        for claim in drifted:
            error = candidate_error(cluster, claim)
            if error is None:
                candidates.append(claim)
                continue
            node = cluster.get("v1", "Node", None, (claim.get("status") or {}).get("nodeName") or "")
            for obj in (node, claim):  # disruption/events/events.go Blocked
                if obj is not None:
                    self.drain._publish(cluster, obj, "DisruptionBlocked", error, "Normal")
        candidates.sort(key=lambda c: str(_condition(c, DRIFTED).get("lastTransitionTime") or ""))
        for claim in candidates:
            pool = pools.get((claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, ""))
            if pool is None or allowed(cluster, pool, DRIFTED) == 0:
                continue
            self._start(cluster, claim)
            return True
        self.queue(self.polling)
        return False

    def _start(self, cluster: ClusterState, claim: dict[str, Any]) -> None:
        """queue.go StartCommand (markDisrupted) and waitOrTerminate, with no replacements."""
        name = claim["metadata"]["name"]
        node = cluster.get("v1", "Node", None, (claim.get("status") or {}).get("nodeName") or "")
        if node is not None:
            self.drain.taint(cluster, node)  # state.RequireNoScheduleTaint
        conditions = [
            c for c in (claim.get("status") or {}).get("conditions") or [] if c.get("type") != "DisruptionReason"
        ]
        old = _condition(claim, "DisruptionReason")
        when = old.get("lastTransitionTime") if old.get("status") == "True" else None
        conditions.append(
            {"type": "DisruptionReason", "status": "True", "reason": DRIFTED, "message": DRIFTED,
             "lastTransitionTime": when or now_iso()}
        )  # fmt: skip
        cluster.patch_status(*NODECLAIM, None, name, {"conditions": conditions})
        cluster.delete(*NODECLAIM, None, name)
        if node is not None:
            self.drain._publish(cluster, node, "DisruptionTerminating", f"Disrupting Node: {DRIFTED}", "Normal")
        self.drain._publish(cluster, claim, "DisruptionTerminating", f"Disrupting NodeClaim: {DRIFTED}", "Normal")
