"""The rollout controller of the KubeFleet hub simulator: how a RollingUpdate placement's bindings are
bound, moved to the latest resource snapshot and deleted, a few at a time.

upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/controller.go (paths relative to
that commit):

* pickBindingsToRoll sorts the placement's bindings (all of them, deleting ones included, in the
  order they are listed): a Scheduled binding is a candidate to bind; a Bound binding on an older
  resource snapshot is a candidate to update (one whose rollout failed, bindingutils.HasBindingFailed,
  is updated whatever the budget); an Unscheduled binding not being deleted is a candidate to
  delete. Ready bindings (isBindingReady: Available or DiffReported True) count towards
  maxUnavailable; the bindings that can be ready (Bound or Unscheduled, not failed) towards maxSurge;
  a ready binding being deleted may become unavailable at any time.
* determineBindingsToUpdate: calculateMaxToRemove = (ready - ready being deleted) - (target -
  maxUnavailable) deletions then updates, in that order; calculateMaxToAdd = target + maxSurge -
  (bindings that can be ready) bindings to bind. The target is calculateRealTarget's (PickAll: the
  Scheduled and Bound bindings; PickN: numberOfClusters; PickFixed: the cluster names). maxSurge
  and maxUnavailable default to 25% (pkg/utils/defaulter/clusterresourceplacement.go), scaled up
  against the target (intstr.GetScaledValueFromIntOrPercent, roundUp).
* The candidates not chosen are stale: updateStaleBindingsStatus sets their RolloutStarted False
  (RolloutNotStartedYet, "The resources cannot be updated to the latest because of the rollout
  strategy"), and the placement shows them blocked (pkg/controllers/placement/placement_status.go
  setPerClusterPlacementStatus: "The rollout is being blocked by the rollout strategy").
* Reconcile requeues after it changed bindings, and a binding's status change (the work applier's
  Available) enqueues the placement again (bindingHandlerFuncs): the simulator passes again one
  delay later while either happened.
* waitForResourcesToCleanUp: while a member has a binding being deleted and a live one, nothing is
  bound, updated or deleted (fleet_bindings.held_for_cleanup).

* unavailablePeriodSeconds (isBindingReady): a binding whose Available condition is True because
  some of its objects cannot be tracked (WorkNotAvailabilityTrackableReason, set by the work
  generator: fleet_member_status.untrackable, from pkg/controllers/workapplier/
  availability_tracker.go) is ready only unavailablePeriodSeconds (default 60,
  pkg/utils/defaulter/clusterresourceplacement.go) after that condition's transition; until then
  the controller requeues after the time left (minWaitTime). A KAITO Workspace is such an object;
  Deployments, Services and data objects are not. The period is scaled by the simulator's
  ``wait_scale`` (0 in most tests: no wait), and the transition is kept in memory as a time of the
  simulator's clock (fleet_conditions.Clock, which a test moves on with ``advance``) per member and
  resource snapshot (``since``): the work generator resets the binding's
  conditions when its Works change (workgenerator/controller.go Reconcile), so a member moved to
  a new snapshot starts its period again.

* Overrides: a Bound binding whose override snapshots are not those that apply to its member now
  is stale like one on an older resource snapshot, and moves as the strategy allows
  (pickBindingsToRoll, createUpdateInfo); fleet_member_status names an override's snapshot as the
  override controller takes them (a new index when the spec's hash changes) (upstream:
  kubefleet-dev/kubefleet pkg/controllers/rollout/controller.go, pkg/controllers/overrider).
"""

from __future__ import annotations

import calendar
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.kube.controllers import fleet_override_snapshots
from tests.emulators.kube.controllers.fleet_bindings import (
    PREVIOUS_STATE,
    Overrides,
    all_bindings,
    carried,
    deleting,
    failed,
    generation_of,
    ready,
)
from tests.emulators.kube.controllers.fleet_conditions import Clock, _cond
from tests.emulators.kube.controllers.fleet_member_status import UNTRACKABLE
from tests.emulators.kube.controllers.fleet_scheduler import PICKED

DEFAULT = "25%"
DEFAULT_UNAVAILABLE_PERIOD = 60  # seconds (pkg/utils/defaulter/clusterresourceplacement.go)
BLOCKED_REASON = "RolloutNotStartedYet"
# updateBindingStatus's message on the binding, and setPerClusterPlacementStatus's on the placement.
BLOCKED_BINDING = "The resources cannot be updated to the latest because of the rollout strategy"
BLOCKED_PLACEMENT = "The rollout is being blocked by the rollout strategy"


@dataclass
class Plan:
    """One pass of the rollout controller over a placement's bindings."""

    # Member -> the resource snapshot index its binding is Bound to after this pass ("" = not bound).
    index: dict[str, str] = field(default_factory=dict)
    # Members whose binding the rollout strategy holds back (RolloutStarted False).
    blocked: set[str] = field(default_factory=set)
    # How many Unscheduled bindings to delete, the first in list order.
    removals: int = 0
    # The conditions each member's binding has now (kept where it is not changed).
    conditions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Whether this pass binds or updates a binding (the controller passes again if so).
    changed: bool = False
    # Member -> the override snapshots its Bound binding carries after this pass.
    overrides: dict[str, Overrides] = field(default_factory=dict)
    # Seconds until a binding waiting out unavailablePeriodSeconds counts as ready (None: none waits).
    wait: float | None = None


def _conds(binding: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list((binding.get("status") or {}).get("conditions") or [])


def _diff_reported(conditions: list[dict[str, Any]]) -> bool:
    return any(c.get("type") == "DiffReported" for c in conditions)


def _scaled(value: Any, total: int) -> int:
    text = str(value)
    return -(-total * int(text[:-1]) // 100) if text.endswith("%") else int(text)


def _target(placement: Mapping[str, Any], targeted: int) -> int:
    """calculateRealTarget."""
    policy = (placement.get("spec") or {}).get("policy") or {}
    placement_type = policy.get("placementType", "PickAll")
    if placement_type == "PickN":
        return int(policy.get("numberOfClusters") or 0)
    if placement_type == "PickFixed":
        return len(policy.get("clusterNames") or [])
    return targeted


def unavailable_period(placement: Mapping[str, Any]) -> int:
    """spec.strategy.rollingUpdate.unavailablePeriodSeconds, defaulted."""
    rolling = ((placement.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    return int(rolling.get("unavailablePeriodSeconds", DEFAULT_UNAVAILABLE_PERIOD))


def _waits(conditions: list[dict[str, Any]], since: float | None, period: float) -> float:
    """isBindingReady's wait: the seconds left before an untrackable Available binding is ready
    (0 when it is ready or not waiting: a binding not Available is not ready whatever the time)."""
    found = {c.get("type"): c for c in conditions}
    if (found.get("DiffReported") or {}).get("status") == "True":
        return 0.0
    available = found.get("Available") or {}
    if available.get("status") != "True" or available.get("reason") != UNTRACKABLE:
        return 0.0
    if since is None:  # not seen by this simulator: its lastTransitionTime (to the second)
        stamp = str(available.get("lastTransitionTime") or "")
        try:
            since = Clock.monotonic() - (Clock.epoch() - calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")))
        except ValueError:
            since = Clock.monotonic()
    return max(0.0, since + period - Clock.monotonic())


def snapshot_index(placement: Mapping[str, Any], binding: Mapping[str, Any]) -> str:
    """The index in a Bound binding's resourceSnapshotName ({placement}-{index}-snapshot)."""
    name = str((binding.get("spec") or {}).get("resourceSnapshotName") or "")
    prefix = str(placement["metadata"]["name"]) + "-"
    return name[len(prefix) : -len("-snapshot")] if name.startswith(prefix) and name.endswith("-snapshot") else ""


def plan(
    cluster: Any,
    placement: Mapping[str, Any],
    picked: list[str],
    latest: str,
    waiting: bool,
    kept: set[str] | frozenset[str] = frozenset(),
    period: float = 0.0,
    since: Mapping[str, float] | None = None,
    overrides: Mapping[str, Overrides] | None = None,
) -> Plan:
    """pickBindingsToRoll and determineBindingsToUpdate over the bindings as stored, as the
    scheduler leaves them in this pass: a picked member without a live binding gets a Scheduled one
    (or its Unscheduled one back in its previous state), a member no longer picked has its binding
    Unscheduled (but for ``kept`` members'). ``waiting``: waitForResourcesToCleanUp holds everything
    as it is. ``period``: unavailablePeriodSeconds as the simulator scales it; ``since``: the time
    (fleet_conditions.Clock.monotonic) each member's untrackable Available condition became True.
    ``overrides``: the override snapshots that apply to each member now; a Bound binding carrying
    others is stale, as one on an older resource snapshot is (pickBindingsToRoll compares
    ClusterResourceOverrideSnapshots and ResourceOverrideSnapshots with those
    PickFromResourceMatchedOverridesForTargetCluster picks)."""
    result = Plan()
    rolling = (placement.get("spec") or {}).get("strategy") or {}
    ready_count = can_be_ready = can_be_unavailable = targeted = 0
    bounding: list[str] = []
    updating: list[str] = []
    removing = 0
    seen: set[str] = set()
    failing: set[str] = set()
    for binding in all_bindings(cluster, placement):
        member = str(binding["spec"]["targetCluster"])
        state = str(binding["spec"].get("state"))
        conditions = _conds(binding)
        gone = deleting(binding)
        if not gone:
            seen.add(member)
            if member not in picked and member not in kept:
                state = "Unscheduled"
            elif state == "Unscheduled":
                state = ((binding.get("metadata") or {}).get("annotations") or {}).get(PREVIOUS_STATE) or "Scheduled"
            result.conditions[member] = conditions
        generation = generation_of(binding)
        is_ready, is_failed = ready(conditions, generation), failed(conditions, generation)
        if is_failed and not gone:
            failing.add(member)
        left = _waits(conditions, (since or {}).get(member), period) if is_ready and not gone else 0.0
        if left > 0:
            is_ready = False
            result.wait = left if result.wait is None else min(result.wait, left)
        if state == "Unscheduled":
            can_be_ready += int(not is_failed and not _diff_reported(conditions))
            ready_count += int(is_ready)
            if not gone:
                removing += 1
            elif is_ready:
                can_be_unavailable += 1
        elif state == "Scheduled" and not gone:
            targeted += 1
            bounding.append(member)
        elif state == "Bound":
            targeted += int(not gone)
            ready_count += int(is_ready)
            can_be_ready += int(not is_failed and not _diff_reported(conditions))
            if gone:
                can_be_unavailable += int(is_ready)
                continue
            index = snapshot_index(placement, binding)
            result.index[member] = index
            result.overrides[member] = carried(binding)
            if index != latest or result.overrides[member] != (overrides or {}).get(member, ([], [])):
                updating.append(member)
    for member in picked:
        if member not in seen:
            targeted += 1
            bounding.append(member)
    if waiting:
        return result
    target = _target(placement, targeted)
    max_unavailable = _scaled((rolling.get("rollingUpdate") or {}).get("maxUnavailable", DEFAULT), target)
    max_surge = _scaled((rolling.get("rollingUpdate") or {}).get("maxSurge", DEFAULT), target)
    to_remove = max(0, (ready_count - can_be_unavailable) - (target - max_unavailable))
    # An update whose rollout failed goes whatever the budget (applyFailedUpdateCandidates).
    failed_first = [m for m in updating if m in failing]
    result.removals = min(to_remove, removing)
    chosen = failed_first + [m for m in updating if m not in failed_first][: max(0, to_remove - result.removals)]
    to_add = max(0, target + max_surge - can_be_ready)
    chosen += bounding[:to_add]
    for member in chosen:
        result.index[member] = latest
        result.overrides[member] = (overrides or {}).get(member, ([], []))
    result.blocked = {m for m in updating + bounding if m not in chosen}
    result.changed = bool(chosen)
    return result


def triggers(cluster: Any, placement: Mapping[str, Any], latest: str, bindings: Mapping[str, Mapping[str, Any]]) -> str:
    """What enqueues the placement for the rollout controller (kubefleet-dev/kubefleet e160c1cd
    pkg/controllers/rollout/controller.go SetupWithManagerForClusterResourcePlacement and
    SetupWithManagerForResourcePlacement), as it stands now: a new latest resource snapshot
    (handleResourceSnapshot), the latest override snapshots that name the placement
    (fleet_override_snapshots.referencing), a binding made or its generation, Available or
    DiffReported changed (bindingHandlerFuncs, handleBindingUpdated), and the placement's rollout
    strategy type or apply strategy (handlePlacement). While none changed and its last reconcile rolled
    everything out (Reconcile requeues while needRoll), the controller does not run, so an override
    that names no placement waits for the next of these (``triggered``)."""
    strategy = (placement.get("spec") or {}).get("strategy") or {}
    watched = {}
    for member, binding in sorted(bindings.items()):
        conds = {c.get("type"): c for c in _conds(binding)}
        watched[member] = [
            generation_of(binding),
            *(
                {k: (conds.get(t) or {}).get(k) for k in ("status", "reason", "observedGeneration")}
                for t in ("Available", "DiffReported")
            ),
        ]
    return json.dumps(
        [
            latest,
            strategy.get("type"),
            strategy.get("applyStrategy"),
            fleet_override_snapshots.referencing(cluster, placement),
            watched,
        ],
        sort_keys=True,
    )


def triggered(seen: str | None, due: str) -> bool:
    """Whether the watched inputs ``due`` (``triggers``) enqueue the placement since the idle pass that
    saw ``seen`` (None or "": none did, so the controller runs).

    upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/controller.go bindingHandlerFuncs
    has no DeleteFunc, so a binding that is gone enqueues nothing; handleBindingUpdated enqueues a
    binding whose generation changed, or whose Available or DiffReported condition is not
    condition.EqualCondition to its old one (pkg/utils/condition/condition.go: the same type, status and
    reason, and an observedGeneration no newer than the old one's; a new message alone is no change)."""
    if not seen:
        return True
    before, now = json.loads(seen), json.loads(due)
    if before[:-1] != now[:-1]:
        return True
    old_bindings: dict[str, list[Any]] = before[-1]
    for member, watched in now[-1].items():
        old = old_bindings.get(member)
        if old is None or old[0] != watched[0]:
            return True  # a binding made (CreateFunc), or its generation changed
        if any(not _equal_condition(o, n) for o, n in zip(old[1:], watched[1:], strict=True)):
            return True
    return False


def _equal_condition(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """condition.EqualCondition(old, new): both missing, or the same status and reason with the new
    observedGeneration no greater than the old one."""
    if old.get("status") is None and new.get("status") is None:
        return True
    if old.get("status") is None or new.get("status") is None:
        return False
    return (old["status"], old.get("reason")) == (new["status"], new.get("reason")) and int(
        old.get("observedGeneration") or 0
    ) >= int(new.get("observedGeneration") or 0)


def blocked_row(member: str, latest: str, generation: int) -> dict[str, Any]:
    """setPerClusterPlacementStatus for a binding on an older snapshot whose RolloutStarted is False."""
    return {
        "clusterName": member,
        "observedResourceIndex": latest,
        "conditions": [
            _cond("Scheduled", True, "Scheduled", PICKED.format(name=member), generation),
            _cond("RolloutStarted", False, BLOCKED_REASON, BLOCKED_PLACEMENT, generation),
        ],
    }


def binding_conditions(
    roll: Plan, latest: str, picked: Mapping[str, Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The conditions of the bindings this pass does not move to the latest snapshot: what they had,
    RolloutStarted False where the strategy holds them back (updateStaleBindingsStatus changes only
    that condition, so a binding Bound to an older snapshot stays as ready as it was)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for member in picked:
        if roll.index.get(member) == latest and member not in roll.blocked:
            continue
        kept = [c for c in roll.conditions.get(member, []) if c.get("type") != "RolloutStarted"]
        if member in roll.blocked:
            found[member] = [_cond("RolloutStarted", False, BLOCKED_REASON, BLOCKED_BINDING), *kept]
        elif roll.index.get(member):
            found[member] = roll.conditions.get(member, [])
    return found
