"""Karpenter's single-node consolidation in the kube emulator: a Consolidatable, non-empty node of a
WhenEmptyOrUnderutilized NodePool whose pods would all schedule on the other nodes is deleted, or replaced by one
cheaper node where they need one (reason Underutilized), after the 15 s validation, and its pods move; a WhenEmpty
pool's non-empty node is told why not.

Upstream: kubernetes-sigs/karpenter v1.14.0 (the release Azure/karpenter-provider-azure 352646f's go.mod pins):
- pkg/controllers/disruption/consolidation.go ShouldDisrupt: not a static pool's; Unconsolidatable (a Normal
  event on node and NodeClaim, events/events.go, deduped 15 min) where the instance type is not known
  ("Instance Type %q not found"), the node lacks karpenter.sh/capacity-type or topology.kubernetes.io/zone
  ("Node does not have label %q"), consolidateAfter is Never ("NodePool %q has consolidation disabled"); an
  empty node is Emptiness's; a WhenEmpty pool's non-empty node: Unconsolidatable "NodePool %q has
  consolidation policy WhenEmpty, but node is not empty"; else the Consolidatable condition.
- singlenodeconsolidation.go ComputeCommands: the candidates by SortCandidates (consolidation.go
  sortCandidates: SavingsRatio, price over RescheduleDisruptionCost, highest first; then interwoven by
  NodePool, shuffleCandidates); one whose pool's budget for the reason Underutilized is 0 is skipped
  (helpers.go BuildDisruptionBudgetMapping, karpenter_budgets); the first whose computeConsolidation gives
  a command is validated and run. Class GracefulDisruptionClass: a do-not-disrupt pod or node, or a PDB
  allowing nothing, blocks whatever terminationGracePeriod (types.go NewCandidate, candidate_error).
- consolidation.go computeConsolidation (SimulateScheduling: karpenter_disruption.simulate): a pod that
  would not schedule: Unconsolidatable with the scheduling errors (pretty.Sentence); all on the other
  nodes: a delete command; more than one new NodeClaim: Unconsolidatable "Can't remove without creating
  %d candidates"; one: its sizes ordered by price (OrderByPrice) and those not cheaper than the candidate
  removed (RemoveInstanceTypeOptionsByPriceAndMinValues), none left: "Can't replace with a cheaper node"; a
  spot candidate whose replacement is spot: computeSpotToSpotConsolidation with its feature gate off
  (pkg/operator/options/options.go FEATURE_GATES default SpotToSpotConsolidation=false): "SpotToSpotConsolidation
  is disabled, can't replace a spot node with a spot node"; else a command with that one replacement.
- validation.go ConsolidationValidator.isValid after commandValidationDelay (15 s of Karpenter's clock): the
  candidate still a candidate (ShouldDisrupt) and within its budget, validateCommand's simulation again with
  as many new NodeClaims (none, or one whose sizes include the command's: instanceTypesAreSubset); else no
  command. Then queue.go StartCommand (DisruptionReason Underutilized, the disrupted taint, the replacement
  launched and the NodeClaim deleted once it is initialized; karpenter_disruption.Disruption._start).

Not modelled: multi-node consolidation (multinodeconsolidation.go runs before single-node and deletes
several nodes in one command where all their pods fit elsewhere; here they go one per pass), minValues in the
price filter ("Filtering by price: ..."), the spot requirement added to an on-demand candidate's replacement,
offering prices (akscli's size price for every capacity type and zone), the ConsolidationCandidate and
ConsolidationRejected events, Balanced's scoring (evaluator), IsConsolidated, the 3 min timeout, and
Unconsolidatable for NodeClaims that are not Consolidatable (the pass here runs only while some NodeClaim is
Consolidatable or Drifted, and looks at those only).
"""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.karpenter_common import NODECLAIM, NODEPOOL_LABEL, _price
from tests.emulators.kube.controllers.karpenter_emptiness import (
    CONSOLIDATABLE,
    VALIDATION_DELAY,
    _condition,
    consolidate_after,
    eviction_cost,
    is_empty,
)

UNDERUTILIZED = "Underutilized"  # pkg/apis/v1/nodepool.go DisruptionReasonUnderutilized
WHEN_EMPTY = "WhenEmpty"  # pkg/apis/v1/nodepool.go ConsolidationPolicyWhenEmpty
# k8s.io/api core/v1 well_known_labels.go LabelInstanceTypeStable, LabelTopologyZone; pkg/apis/v1/labels.go
INSTANCE_TYPE, ZONE, CAPACITY_TYPE = (
    "node.kubernetes.io/instance-type",
    "topology.kubernetes.io/zone",
    ("karpenter.sh/capacity-type"),
)


def _size(template: dict[str, Any]) -> str:
    return str(template["metadata"]["labels"].get(INSTANCE_TYPE))


class SingleNodeConsolidation:
    """The disruption controller's SingleNodeConsolidation method (after drift) and its validation."""

    def __init__(self, disruption: Any, candidate_error: Any, reschedulable: Any, simulate: Any) -> None:
        self.disruption = disruption
        # karpenter_disruption's candidate_error, _reschedulable and simulate, handed in: that module runs this one
        self._candidate_error, self._reschedulable, self._simulate = candidate_error, reschedulable, simulate
        self.validation_delay = VALIDATION_DELAY  # tests may shorten it
        # the candidate being validated, when it is due, its replacement (none for a delete)
        self.pending: tuple[str, float, list[Any]] | None = None

    def _unconsolidatable(self, cluster: ClusterState, claim: dict[str, Any], node: Any, message: str) -> None:
        for obj in (node, claim):  # events/events.go Unconsolidatable
            self.disruption._publish(cluster, obj, "Unconsolidatable", message)

    def _pods(self, cluster: ClusterState, node_name: str) -> list[dict[str, Any]]:
        every = cluster.list("v1", "Pod")
        return [p for p in every if (p.get("spec") or {}).get("nodeName") == node_name and self._reschedulable(p)]

    def should_disrupt(self, cluster: ClusterState, claim: dict[str, Any], pool: dict[str, Any]) -> bool:
        """consolidation.go ShouldDisrupt for a NodeClaim NewCandidate accepted."""
        if (pool.get("spec") or {}).get("replicas") is not None:
            return False  # OwnedByStaticNodePool
        node_name = (claim.get("status") or {}).get("nodeName") or ""
        node = cluster.get("v1", "Node", None, node_name) or {}
        labels = node.get("metadata", {}).get("labels") or {}
        said = None
        if _price(str(labels.get(INSTANCE_TYPE))) == float("inf"):
            said = f'Instance Type "{labels.get(INSTANCE_TYPE, "")}" not found'
        elif CAPACITY_TYPE not in labels or ZONE not in labels:
            said = f'Node does not have label "{CAPACITY_TYPE if CAPACITY_TYPE not in labels else ZONE}"'
        elif consolidate_after(pool) is None:
            said = f'NodePool "{pool["metadata"]["name"]}" has consolidation disabled'
        elif is_empty(self._pods(cluster, node_name)):
            return False  # Emptiness's (reason Empty)
        elif ((pool.get("spec") or {}).get("disruption") or {}).get("consolidationPolicy") == WHEN_EMPTY:
            said = f'NodePool "{pool["metadata"]["name"]}" has consolidation policy WhenEmpty, but node is not empty'
        if said is not None:
            self._unconsolidatable(cluster, claim, node or None, said)
            return False
        return _condition(claim, CONSOLIDATABLE).get("status") == "True"

    def candidates(self, cluster: ClusterState, pools: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """GetCandidates (NewCandidate with the graceful class; its Blocked events are the Emptiness pass's,
        which looks at the same NodeClaims first) with ShouldDisrupt, in SortCandidates' order."""
        found: list[tuple[float, str, dict[str, Any]]] = []
        for claim in self.disruption.emptiness.looked_at(cluster):
            pool = pools.get((claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, ""))
            if pool is None or self._candidate_error(cluster, claim, eventual=False) is not None:
                continue
            if not self.should_disrupt(cluster, claim, pool):
                continue
            pods = self._pods(cluster, (claim.get("status") or {}).get("nodeName") or "")
            price = _price(str((claim["metadata"].get("labels") or {}).get(INSTANCE_TYPE)))
            ratio = price / (1.0 + sum(max(0.0, eviction_cost(p)) for p in pods))  # types.go SavingsRatio
            found.append((ratio, pool["metadata"]["name"], claim))
        found.sort(key=lambda f: -f[0])
        by_pool: dict[str, list[dict[str, Any]]] = {}
        for _, pool_name, claim in found:
            by_pool.setdefault(pool_name, []).append(claim)
        # shuffleCandidates: the i-th of each pool in turn (Go's map order of the pools; here first seen)
        width = max((len(v) for v in by_pool.values()), default=0)
        return [group[i] for i in range(width) for group in by_pool.values() if i < len(group)]

    def _budgets(self, cluster: ClusterState, pools: dict[str, dict[str, Any]]) -> dict[str, int]:
        return dict(self.disruption.budgets(cluster, pools, UNDERUTILIZED))

    def _decide(self, cluster: ClusterState, claim: dict[str, Any], publish: bool) -> list[Any] | None:
        """consolidation.go computeConsolidation for one candidate: None for no command, [] for a delete, or the one
        replacement (a Plan: the pool, the sizes cheaper than the candidate by price, the capacity type)."""
        held = {cmd.node for cmd in self.disruption.commands.values()}
        plans, error = self._simulate(self.disruption.controller, cluster, claim, held)
        if not plans and not error:
            return []  # every pod schedules on the nodes there are
        said = error or (f"Can't remove without creating {len(plans)} candidates" if len(plans) > 1 else "")
        if not said:
            pool, fitting, capacity_type = plans[0]
            price = _price(str((claim["metadata"].get("labels") or {}).get(INSTANCE_TYPE)))
            spot = (claim["metadata"].get("labels") or {}).get(CAPACITY_TYPE) == "spot"
            # OrderByPrice, then RemoveInstanceTypeOptionsByPriceAndMinValues: the sizes cheaper than the candidate
            cheaper = sorted((t for t in fitting if _price(_size(t)) < price), key=lambda t: _price(_size(t)))
            if spot and capacity_type == "spot":  # computeSpotToSpotConsolidation, its feature gate off
                said = "SpotToSpotConsolidation is disabled, can't replace a spot node with a spot node"
            elif not cheaper:
                said = "Can't replace with a cheaper node"
            else:
                return [(pool, cheaper, capacity_type)]
        if publish:
            node = cluster.get("v1", "Node", None, (claim.get("status") or {}).get("nodeName") or "")
            self._unconsolidatable(cluster, claim, node, said)
        return None

    def compute(self, cluster: ClusterState, pools: dict[str, dict[str, Any]]) -> bool:
        """singlenodeconsolidation.go ComputeCommands up to the validation: whether a command waits for it."""
        ordered = self.candidates(cluster, pools)
        if not ordered:
            return False
        budgets = self._budgets(cluster, pools)
        for claim in ordered:
            if budgets.get((claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, ""), 0) == 0:
                continue
            plans = self._decide(cluster, claim, publish=True)
            if plans is not None:
                now = float(self.disruption.drain.now())
                self.pending = (claim["metadata"]["name"], now + self.validation_delay, plans)
                return True
        return False

    def validate(self, cluster: ClusterState, pools: dict[str, dict[str, Any]]) -> tuple[str | None, list[Any], bool]:
        """ConsolidationValidator.isValid once its delay has passed on Karpenter's clock: (the NodeClaim to
        disrupt or None where the validation failed, its replacements, whether the validation is over)."""
        assert self.pending is not None
        name, due, plans = self.pending
        if due > float(self.disruption.drain.now()):
            return None, [], False
        self.pending = None
        claim = next((c for c in self.candidates(cluster, pools) if c["metadata"]["name"] == name), None)
        if claim is None:  # validateCandidates: churn
            return None, [], True
        pool = (claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL, "")
        if self._budgets(cluster, pools).get(pool, 0) == 0:
            return None, [], True
        # validateCommand: the simulation again gives the same decision; a replacement's sizes a subset of the
        # simulation's (instanceTypesAreSubset: it filters nothing by price)
        held = {cmd.node for cmd in self.disruption.commands.values()}
        again, error = self._simulate(self.disruption.controller, cluster, claim, held)
        if error or len(again) != len(plans) or len(again) > 1:
            return None, [], True
        if plans and not {_size(t) for t in plans[0][1]} <= {_size(t) for t in again[0][1]}:
            return None, [], True
        return (name if cluster.get(*NODECLAIM, None, name) is not None else None), plans, True

    def wait_left(self) -> float:
        """Seconds of Karpenter's clock until the pending validation is due."""
        return max(0.0, self.pending[1] - float(self.disruption.drain.now())) if self.pending else 0.0
