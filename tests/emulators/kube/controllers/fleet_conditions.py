"""Condition helpers of the KubeFleet hub simulator and the placement-level rollup (see fleet.py).

upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/condition/condition.go and
pkg/controllers/placement/placement_status.go (the rollup that stops at the first False or Unknown)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers.base import PassHeld
from tests.emulators.kube.status import ApiError


class _ClockSetting(type):
    """``Clock.offset``: the setting (PassHeld.value), read and set on the class."""

    @property
    def offset(cls) -> float:
        return float(cls.setting.value)  # type: ignore[attr-defined]

    @offset.setter
    def offset(cls, seconds: float) -> None:
        cls.setting.value = seconds  # type: ignore[attr-defined]


class Clock(metaclass=_ClockSetting):
    """The hub simulator's clock: the wall clock plus the seconds a test moved it on
    (FleetHubController.advance), as the ARM emulator's ``clock_offset`` and the Karpenter
    simulator's ``advance``: a test lets unavailablePeriodSeconds pass without sleeping, where
    upstream requeues after the shortest wait left (kubefleet-dev/kubefleet e160c1cd
    pkg/controllers/rollout/controller.go minWaitTime). One per
    process; a new FleetHubController sets it back to the wall clock.

    A pass reads one clock (``setting``, which FleetHubController.clocks names, so the runner
    holds it for every pass of the hub's; upstream: none, emulator structure): a test's move made
    while a pass runs on the controllers' thread shows from the next pass, as a real pass takes
    milliseconds, not the seconds moved.
    Without it a pass that read what a placement selects before a write, and the clock after the
    move, took a snapshot of the selection before the write stamped with the moved time, so the
    snapshot holding the write was held a whole interval more (audit37-flake37: the fleet redeploy
    wait that ran out under load). Emulator structure, no upstream behaviour. The setting and its
    hold are base.PassHeld's, the one clock-holding piece every simulator's clock shares; it is
    class-level, so ``Clock.offset`` reads and sets the setting, as a test's ``Clock.offset = 0.0``
    and ``advance`` do."""

    setting = PassHeld()

    @classmethod
    def monotonic(cls) -> float:
        return cls.setting.monotonic()

    @classmethod
    def epoch(cls) -> float:
        return cls.setting.wall()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(Clock.epoch()))


def _cond(ctype: str, ok: bool | None, reason: str, message: str = "", generation: int = 1) -> dict[str, Any]:
    status = "Unknown" if ok is None else ("True" if ok else "False")
    return {
        "type": ctype,
        "status": status,
        "reason": reason,
        "message": message,
        "observedGeneration": generation,
        "lastTransitionTime": _now(),
    }


def _conds(obj: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("conditions") or [])}


def write_status(cluster: Any, obj: dict[str, Any], fields: dict[str, Any], requeue: Callable[[], None]) -> bool:
    """A hub controller's Status().Update of ``obj`` as its pass read it (its resourceVersion); False,
    ``requeue`` called, where another writer came between: the 409 ends the pass
    (controller.NewUpdateIgnoreConflictError, kubefleet-dev/kubefleet e160c1cd
    pkg/utils/controller/controller.go) and the next pass computes the status again from a fresh read."""
    try:
        cluster.update_status_of(obj, fields)
    except ApiError as exc:
        if exc.reason != "Conflict":
            raise
        requeue()
        return False
    return True


def set_cond(conditions: list[dict[str, Any]], cond: dict[str, Any]) -> list[dict[str, Any]]:
    """meta.SetStatusCondition: a condition of that type is updated where it stands in the list
    (its lastTransitionTime kept while the status is unchanged), a new type is appended (upstream:
    kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/api/meta/conditions.go SetStatusCondition,
    FindStatusCondition returns a pointer into the slice and the update writes through it)."""
    out: list[dict[str, Any]] = []
    found = False
    for old in conditions:
        if old["type"] != cond["type"] or found:
            out.append(old)
            continue
        found = True
        if old.get("status") == cond["status"]:
            cond = {**cond, "lastTransitionTime": old.get("lastTransitionTime", cond["lastTransitionTime"])}
        out.append(cond)
    return out if found else [*out, cond]


# The placement-level condition types the placement controller owns, without their kind's prefix
# (condition.ResourceCondition, RolloutStartedCondition .. TotalCondition, and Scheduled;
# kubefleet-dev/kubefleet e160c1cd pkg/utils/condition/condition.go).
OWN_TYPES = ("Scheduled", "RolloutStarted", "Overridden", "WorkSynchronized", "Applied", "Available", "DiffReported")


def set_placement_conditions(
    prefix: str, read: list[dict[str, Any]], computed: list[dict[str, Any]], reset: bool
) -> list[dict[str, Any]]:
    """setPlacementStatus's conditions over those of the placement as read: each computed one set by
    type (meta.SetStatusCondition: in place, its lastTransitionTime kept while the status holds), each
    of the controller's own types it did not compute removed (meta.RemoveStatusCondition), any other
    type kept; ``reset`` (no cluster selected) starts from none (upstream: kubefleet-dev/kubefleet
    e160c1cd pkg/controllers/placement/controller.go setPlacementStatus,
    determineRolloutStateForPlacementWithExternalRolloutStrategy; placement_status.go
    setPlacementConditions)."""
    own = {prefix + t for t in OWN_TYPES}
    named = {c["type"] for c in computed}
    out = [] if reset else [c for c in read if c["type"] not in own or c["type"] in named]
    for cond in computed:
        out = set_cond(out, cond)
    return out


def _latest(cluster: Any, obj: dict[str, Any]) -> dict[str, Any]:
    """The stored copy of ``obj`` (a reconcile may run after later changes), else ``obj``."""
    meta = obj["metadata"]
    return cluster.get(obj["apiVersion"], obj["kind"], meta.get("namespace"), meta["name"]) or obj


# Placement-level conditions as FalseClusterResourcePlacementCondition & co. write them
# (kubefleet-dev/kubefleet pkg/utils/condition/condition.go): reason and message per type and status.
PLACEMENT_REASONS = {
    "RolloutStarted": ("RolloutStartedUnknown", "RolloutNotStartedYet", "RolloutStarted"),
    "Overridden": ("OverriddenPending", "OverriddenFailed", "OverriddenSucceeded"),
    "WorkSynchronized": ("WorkSynchronizedUnknown", "WorkNotSynchronizedYet", "WorkSynchronized"),
    "Applied": ("ApplyPending", "ApplyFailed", "ApplySucceeded"),
    "Available": ("ResourceAvailableUnknown", "ResourceNotAvailableYet", "ResourceAvailable"),
    "DiffReported": ("DiffReportingPending", "DiffReportingIncompleteOrFailed", "DiffReportingCompleted"),
}
PLACEMENT_MESSAGES = {
    "RolloutStarted": (
        "There are still {n} cluster(s) in the process of deciding whether to roll out the latest resources or not",
        "The rollout is being blocked by the rollout strategy in {n} cluster(s)",
        "All {n} cluster(s) start rolling out the latest resource",
    ),
    "Overridden": (
        "There are still {n} cluster(s) in the process of overriding the selected resources if there is any "
        "override defined",
        "Failed to override resources in {n} cluster(s)",
        "The selected resources are successfully overridden in {n} cluster(s)",
    ),
    "WorkSynchronized": (
        "There are still {n} cluster(s) in the process of creating or updating the work object(s) in the hub cluster",
        "There are {n} cluster(s) which have not finished creating or updating work(s) yet",
        "Works(s) are succcesfully created or updated in {n} target cluster(s)' namespaces",
    ),
    "Applied": (
        "There are still {n} cluster(s) in the process of applying the resources on the member cluster",
        "Failed to apply resources to {n} cluster(s), please check the `failedPlacements` status",
        "The selected resources are successfully applied to {n} cluster(s)",
    ),
    "Available": (
        "There are still {n} cluster(s) in the process of checking the availability of the selected resources",
        "The selected resources in {n} cluster(s) are still not available yet",
        "The selected resources in {n} cluster(s) are available now",
    ),
    "DiffReported": (
        "There are still {n} cluster(s) in the process of checking for configuration differences",
        "Diff reporting in {n} clusters is still in progress or has failed",
        "Diff reporting in {n} cluster(s) has been completed",
    ),
}
APPLY_TYPES = ("RolloutStarted", "Overridden", "WorkSynchronized", "Applied", "Available")
REPORT_DIFF_TYPES = ("RolloutStarted", "Overridden", "WorkSynchronized", "DiffReported")


def expected_types(placement: Mapping[str, Any]) -> tuple[str, ...]:
    """determineExpectedPlacementAndResourcePlacementStatusCondType (pkg/controllers/placement/placement_status.go)."""
    strategy = (placement.get("spec") or {}).get("strategy") or {}
    return REPORT_DIFF_TYPES if (strategy.get("applyStrategy") or {}).get("type") == "ReportDiff" else APPLY_TYPES


def placement_conditions(
    prefix: str, statuses: list[dict[str, Any]], expected: tuple[str, ...], generation: int
) -> list[dict[str, Any]]:
    """setPlacementConditions (placement_status.go): per type, Unknown if any member is Unknown, else
    False if any is False -- and then the later types are dropped -- else True."""
    out = []
    picked = [s for s in statuses if s.get("clusterName") and _conds(s).get("Scheduled", {}).get("status") == "True"]
    for ctype in expected:
        seen = [_conds(s)[ctype]["status"] for s in picked if ctype in _conds(s)]
        counts = {v: seen.count(v) for v in ("Unknown", "False", "True")}
        index, ok = (0, None) if counts["Unknown"] else ((1, False) if counts["False"] else (2, True))
        n = counts["Unknown"] or counts["False"] or counts["True"]
        reason = PLACEMENT_REASONS[ctype][index]
        message = PLACEMENT_MESSAGES[ctype][index].format(n=n)
        if (
            ctype == "Overridden"
            and ok
            and not any(
                s.get("applicableClusterResourceOverrides") or s.get("applicableResourceOverrides") for s in picked
            )
        ):
            reason, message = "NoOverrideSpecified", "No override rules are configured for the selected resources"
        out.append(_cond(prefix + ctype, ok, reason, message, generation))
        if ok is not True:
            break
    return out


def external_rollout_unknown(prefix: str, picked: list[dict[str, Any]], generation: int) -> dict[str, Any] | None:
    """determineRolloutStateForPlacementWithExternalRolloutStrategy (controller.go): with members on
    different resource snapshots, or none on any, RolloutStarted is Unknown and nothing else is set."""
    indices = {str(s.get("observedResourceIndex", "")) for s in picked}
    if len(indices) > 1:
        message = (
            "Rollout is controlled by an external controller and different resource snapshot versions "
            "are observed across clusters"
        )
    elif indices == {""}:
        run_kind = "StagedUpdateRun" if prefix == "ResourcePlacement" else "ClusterStagedUpdateRun"
        message = (
            "Rollout is controlled by an external controller and no resource snapshot name is observed "
            f"across clusters. To determine rollout status, check the {run_kind} resources with "
            "spec.placementName matching this placement"
        )
    else:
        return None
    return _cond(prefix + "RolloutStarted", None, "RolloutControlledByExternalController", message, generation)
