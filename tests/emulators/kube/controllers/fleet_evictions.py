"""ClusterResourcePlacementEvictions in the KubeFleet hub simulator.

Follows (upstream:) kubefleet-dev/kubefleet e160c1cd
``pkg/controllers/clusterresourceplacementeviction/controller.go``
(validateEviction, executeEviction, isEvictionAllowed) with the messages of
``pkg/utils/condition/reason.go``, ``pkg/utils/eviction/eviction.go`` (IsPlacementPresent: only a
Bound binding, or an Unscheduled one whose previous-binding-state was Bound, has placed anything)
and ``pkg/utils/binding/binding.go`` (HasBindingFailed: a terminal Overridden/Applied/Available
failure lets the eviction through).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers import fleet_bindings
from tests.emulators.kube.controllers.fleet_conditions import set_cond, write_status

PB = "placement.kubernetes-fleet.io/v1beta1"
P1 = "placement.kubernetes-fleet.io/v1"
VALID, INVALID = "ClusterResourcePlacementEvictionValid", "ClusterResourcePlacementEvictionInvalid"
EXECUTED, NOT_EXECUTED = "ClusterResourcePlacementEvictionExecuted", "ClusterResourcePlacementEvictionNotExecuted"
MISSING_CRP = "Failed to find ClusterResourcePlacement targeted by eviction"
DELETING_CRP = "Found deleting ClusterResourcePlacement targeted by eviction"
PICK_FIXED = "Found ClusterResourcePlacement with PickFixed placement type targeted by eviction"
MISSING_BINDING = "Failed to find scheduler decision for placement in cluster targeted by eviction"
MULTIPLE_BINDINGS = "Found more than one scheduler decision for placement in cluster targeted by eviction"
VALID_MESSAGE = "Eviction is valid"
ALLOWED_NO_PDB = "Eviction is allowed, no ClusterResourcePlacementDisruptionBudget specified"
ALLOWED_FAILED = "Eviction is allowed, placement has failed"
ALLOWED_REMOVED = (
    "Eviction is allowed, resources propagated by placement is currently being removed from cluster "
    "targeted by eviction"
)
BLOCKED_MISCONFIGURED = (
    "Eviction is blocked by misconfigured ClusterResourcePlacementDisruptionBudget, either MaxUnavailable is "
    "specified or MinAvailable is specified as a percentage for PickAll ClusterResourcePlacement"
)
BLOCKED_NOT_PLACED = "Eviction is blocked, placement has not propagated resources to target cluster yet"
PDB_COUNTS = "ClusterResourcePlacementDisruptionBudget, availablePlacements: {a}, totalPlacements: {t}"
ALLOWED_PDB = "Eviction is allowed by specified " + PDB_COUNTS
BLOCKED_PDB = "Eviction is blocked by specified " + PDB_COUNTS
# nonTerminalBindingFailureReasons (pkg/utils/binding/binding.go): False with these is still in progress.
NON_TERMINAL_REASONS = {"OverriddenPending", "WorkNotSynchronizedYet", "ApplyPending", "ResourceNotAvailableYet"}


def _conds(obj: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("conditions") or [])}


def _scaled(value: Any, total: int) -> int:
    """intstr.GetScaledValueFromIntOrPercent with roundUp=true."""
    text = str(value)
    if text.endswith("%"):
        return math.ceil(total * int(text[:-1]) / 100)
    return int(text)


class Evictions:
    """The eviction half of the hub simulator (mixed into FleetHubController)."""

    cond: Callable[..., dict[str, Any]]

    # Provided by FleetHubController.
    place: Callable[[Any, dict[str, Any]], None]
    requeue: Callable[[dict[str, Any], float], None]
    delay: float

    def evict(self, cluster: Any, eviction: dict[str, Any]) -> None:
        if _conds(eviction.get("status") or {}).get("Valid"):
            return  # IsEvictionInTerminalState: a judged eviction is never looked at again
        gen = int(eviction["metadata"].get("generation") or 1)
        spec = eviction.get("spec") or {}
        name, target = spec.get("placementName"), spec.get("clusterName")

        def finish(valid_msg: str | None, executed: bool | None = None, exec_msg: str = "") -> None:
            conditions = [
                self.cond("Valid", False, INVALID, valid_msg, gen)
                if valid_msg
                else self.cond("Valid", True, VALID, VALID_MESSAGE, gen)
            ]
            if executed is not None:
                conditions.append(
                    self.cond("Executed", executed, EXECUTED if executed else NOT_EXECUTED, exec_msg, gen)
                )
            # markEvictionValid & co. set each condition on the eviction as Reconcile read it
            # (SetConditions: meta.SetStatusCondition), updateEvictionStatus is Status().Update of it and
            # NewUpdateIgnoreConflictError requeues a 409 (upstream: kubefleet-dev/kubefleet e160c1cd
            # pkg/controllers/clusterresourceplacementeviction/controller.go updateEvictionStatus).
            merged = list((eviction.get("status") or {}).get("conditions") or [])
            for cond in conditions:
                merged = set_cond(merged, cond)
            write_status(cluster, eviction, {"conditions": merged}, lambda: self.requeue(eviction, self.delay))

        crp = cluster.get(P1, "ClusterResourcePlacement", None, name)
        if crp is None:
            return finish(MISSING_CRP)
        if crp["metadata"].get("deletionTimestamp"):
            return finish(DELETING_CRP)
        policy = (crp.get("spec") or {}).get("policy") or {}
        if policy.get("placementType") == "PickFixed":
            return finish(PICK_FIXED)
        # The placement's ClusterResourceBindings, by the parent-CRP label, each with its conditions:
        # those of the binding, not the placement's status, which is reset while the placement waits
        # to be scheduled again (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/
        # clusterresourceplacementeviction/controller.go validateEviction lists the bindings by
        # PlacementTrackingLabel and picks the one whose spec.targetCluster is the target; two of
        # them -- one being deleted and a new one -- make the eviction invalid,
        # EvictionInvalidMultipleCRBMessage).
        every = fleet_bindings.all_bindings(cluster, crp)
        on_target = [b for b in every if b["spec"].get("targetCluster") == target]
        if len(on_target) > 1:
            return finish(MULTIPLE_BINDINGS)
        found = {str(b["spec"]["targetCluster"]): b for b in every}
        # isEvictionAllowed counts every binding of the list, deleting ones included.
        bindings = {b["metadata"]["name"]: b.get("status") or {} for b in every}
        if not on_target:
            return finish(MISSING_BINDING)
        found[str(target)] = on_target[0]
        entry = on_target[0].get("status") or {}
        if found[str(target)]["metadata"].get("deletionTimestamp"):
            return finish(None, True, ALLOWED_REMOVED)  # executeEviction: the binding is being deleted
        if not fleet_bindings.placement_present(found[str(target)]):
            return finish(None, False, BLOCKED_NOT_PLACED)
        conds = _conds(entry)
        failed = any(
            conds.get(t, {}).get("status") == "False" and conds[t].get("reason") not in NON_TERMINAL_REASONS
            for t in ("Overridden", "WorkSynchronized", "Applied", "Available")
        )
        if failed or "DiffReported" in conds:
            self._remove(cluster, crp, found[str(target)])
            return finish(None, True, ALLOWED_FAILED)
        budget = cluster.get(PB, "ClusterResourcePlacementDisruptionBudget", None, name)
        if budget is None:
            self._remove(cluster, crp, found[str(target)])
            return finish(None, True, ALLOWED_NO_PDB)
        bspec = budget.get("spec") or {}
        ptype = policy.get("placementType", "PickAll")
        if ptype == "PickAll" and ("maxUnavailable" in bspec or str(bspec.get("minAvailable", "")).endswith("%")):
            return finish(None, False, BLOCKED_MISCONFIGURED)
        available = len([s for s in bindings.values() if _conds(s).get("Available", {}).get("status") == "True"])
        total = len(bindings)
        desired = int(policy.get("numberOfClusters") or 0) if ptype == "PickN" else 0
        if "maxUnavailable" in bspec:
            allowed = _scaled(bspec["maxUnavailable"], desired) - (total - available)
        elif "minAvailable" in bspec:
            allowed = available - _scaled(bspec["minAvailable"], desired)
        else:
            allowed = 0
        if allowed > 0:
            self._remove(cluster, crp, found[str(target)])
            return finish(None, True, ALLOWED_PDB.format(a=available, t=total))
        return finish(None, False, BLOCKED_PDB.format(a=available, t=total))

    def _remove(self, cluster: Any, crp: dict[str, Any], binding: Mapping[str, Any]) -> None:
        """deleteClusterResourceBinding (controller.go:175-190, called by executeEviction :192-253): the
        binding goes, nothing else. The scheduler runs for the placement again (pkg/scheduler/watchers/
        binding/watcher.go:74-86 enqueues it once the binding is being deleted) and may pick the member
        again: only an untolerated taint -- the cordon of a drain -- keeps it off (Azure/fleet
        docs/concepts/EvictionAndDisruptionBudget/README.md; fleet_scheduler.schedule)."""
        fleet_bindings.delete(cluster, binding)
        self.place(cluster, crp)
