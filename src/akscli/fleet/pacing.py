"""How long a rolling update of a placement can take when KubeFleet paces it, so that ``fleet
place --max-unavailable N --wait`` can say, before it starts, that its --timeout cannot fit.

Upstream (kubefleet-dev/kubefleet e160c1cdfdd9bf4c0234713d2b7f34e0ec95dab6
pkg/controllers/rollout/controller.go), one pass of the rollout controller (pickBindingsToRoll,
determineBindingsToUpdate):
- ``calculateRealTarget``: the target number is the members the scheduler picked (PickAll), the
  named clusters (PickFixed, joined or not) or numberOfClusters (PickN, matched or not).
- ``calculateMaxToRemove``: ready bindings minus (target - maxUnavailable) may be taken out of
  service; they go first to the members the placement leaves, then to members updated in place.
  maxUnavailable (and maxSurge) are ``intstr.GetScaledValueFromIntOrPercent`` of the target, a
  percentage rounded up.
- ``calculateMaxToAdd``: target + maxSurge minus the bindings that can be ready may be bound to new
  members.
- ``isBindingReady``: a member whose objects KubeFleet cannot track (Available for
  ``NotAllWorkAreAvailabilityTrackable``, e.g. a KAITO Workspace; workapplier
  availability_tracker.go) is ready only ``unavailablePeriodSeconds`` (default 60,
  apis/placement/v1 clusterresourceplacement_types.go) after it became available.
``rollout_seconds`` plays those passes: each member updated or added becomes ready one period later,
a removal is done at once, and a pass that changes something is followed at once by the next (the
controller watches its bindings). Of the members the placement stays on, those whose binding moves
to a new resource snapshot or new overrides are updated in place (``Change.updated``, None: all of
them); when every object it places is one KubeFleet tracks, a member is ready once available, with
no period (``Change.untracked`` False): fleet/pacing_change.py reads both from the hub. A first
placement binds every member at once (maxSurge: audit20-fleet6) and is not paced.

With maxUnavailable 0 (or one below target minus the members that can be ready) no member that needs
an update is ever updated in place: apis/placement/v1 clusterresourceplacement_types.go RollingUpdateConfig says "Please
set it to be greater than 0 to avoid rolling out stuck during in-place resource update". Members
added or left still move, paced by maxSurge alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

UNAVAILABLE_PERIOD_DEFAULT = 60
# The CRD's default for maxSurge and maxUnavailable (apis/placement/v1 clusterresourceplacement_types.go).
ROLLING_DEFAULT = "25%"
UPSTREAM = "kubefleet-dev/kubefleet pkg/controllers/rollout/controller.go calculateMaxToRemove, isBindingReady"
UPSTREAM_ADD = "kubefleet-dev/kubefleet pkg/controllers/rollout/controller.go calculateMaxToAdd, isBindingReady"
UPSTREAM_STUCK = (
    "kubefleet-dev/kubefleet pkg/controllers/rollout/controller.go calculateMaxToRemove; apis/placement/v1 "
    "clusterresourceplacement_types.go RollingUpdateConfig.MaxUnavailable"
)


@dataclass(frozen=True)
class Change:
    """What an update does to the members of a placement: the members it stays on (updated in place),
    those it goes to and those it leaves, and the rollout's target number (calculateRealTarget)."""

    kept: int
    added: int = 0
    removed: int = 0
    target: int | None = None  # None: kept + added (PickAll)
    # Of the members kept, those the rollout controller updates in place (None: every one, the worst
    # case) and whether what it places has objects KubeFleet cannot track, so that it waits
    # unavailablePeriodSeconds for each member (False: it waits for none): fleet/pacing_change.py.
    updated: int | None = None
    untracked: bool = True
    slow: tuple[str, ...] = field(default=(), compare=False)  # KIND/NAME of one such object, for the line
    kept_names: tuple[str, ...] = field(default=(), compare=False)

    @property
    def in_place(self) -> int:
        return self.kept if self.updated is None else self.updated

    @property
    def goal(self) -> int:
        return self.kept + self.added if self.target is None else self.target


def members_at_once(max_unavailable: str, members: int) -> int:
    """--max-unavailable N or P% as a number of members (a percentage of ``members``, rounded up,
    as intstr.GetScaledValueFromIntOrPercent(..., roundUp=true))."""
    text = max_unavailable.strip()
    if text.endswith("%"):
        return math.ceil(int(text[:-1]) * members / 100)
    return int(text)


def placed_names(placement: Mapping[str, Any] | None) -> list[str]:
    """The members a placement is on now (status.placementStatuses with a cluster): those an update
    rolls through. None (no placement yet): none."""
    statuses = ((placement or {}).get("status") or {}).get("placementStatuses") or []
    return [str(s["clusterName"]) for s in statuses if s.get("clusterName")]


def placed_members(placement: Mapping[str, Any] | None) -> int:
    return len(placed_names(placement))


def change_for(
    placement: Mapping[str, Any] | None, policy: Mapping[str, Any], members: Iterable[Mapping[str, Any]]
) -> Change:
    """The change an update to ``policy`` makes to ``placement`` (as it is now), the members it may go to
    judged by the scheduler's filters (fleet.matching). PickN keeps the members it is on that still
    match and adds others up to numberOfClusters: an estimate, the scheduler's scores decide.

    Under an unchanged policy the members it is on stay, matching or not: the scheduler neither
    filters nor scores a cluster bound under the latest policy snapshot; only the bindings of an older
    one that are not picked again are unscheduled (kubefleet-dev/kubefleet
    pkg/scheduler/framework/framework.go runSchedulingCycleForPickAllPlacementType,
    crossReferencePickedClustersAndDeDupBindings). A new policy snapshot is taken when the policy
    other than numberOfClusters changes (pkg/controllers/placement/controller.go)."""
    from akscli.fleet.matching import matching_members

    now = placed_names(placement)
    found = matching_members(policy, members)
    if _policy_key(((placement or {}).get("spec") or {}).get("policy") or {}) == _policy_key(policy):
        found = [*[n for n in now if n not in found], *found]
    kind = policy.get("placementType", "PickAll")
    target: int | None = None
    if kind == "PickN":
        target = int(policy.get("numberOfClusters") or 0)
        kept = [n for n in now if n in found][:target]
        chosen = kept + [n for n in found if n not in kept][: max(0, min(target, len(found)) - len(kept))]
    else:
        chosen = found
        target = len(policy.get("clusterNames") or []) if kind == "PickFixed" else None
    kept = [n for n in now if n in chosen]
    return Change(
        kept=len(kept),
        added=len(chosen) - len(kept),
        removed=len(now) - len(kept),
        target=target,
        kept_names=tuple(kept),
    )


def _policy_key(policy: Mapping[str, Any]) -> dict[str, Any]:
    key = {k: v for k, v in policy.items() if k != "numberOfClusters"}
    key.setdefault("placementType", "PickAll")
    return key


@dataclass(frozen=True)
class Rollout:
    """The passes of a paced rollout: when the last one changed something (seconds from the first),
    how many passes changed something, and whether it ends at all (stuck: members it stays on that
    are never updated in place)."""

    seconds: float
    steps: int
    stuck: int = 0


def rollout_seconds(change: Change, unavailable: int, surge: int, period: float) -> Rollout:
    """Play the rollout controller's passes over ``change`` (the module docstring): ``unavailable`` and
    ``surge`` members, every updated or new member ready ``period`` seconds after it was changed."""
    target = change.goal
    stale, unbound, leaving, bound_new = change.in_place, change.added, change.removed, 0
    waiting: dict[float, int] = {}  # when members changed become ready -> how many
    now, last, steps, last_step_at = 0.0, 0.0, 0, -1.0
    while True:
        not_ready = sum(n for at, n in waiting.items() if at > now)
        ready = change.kept + bound_new - not_ready + leaving
        can_be_ready = change.kept + bound_new + leaving
        budget = ready - (target - unavailable)  # calculateMaxToRemove
        removing = min(max(budget, 0), leaving)
        updating = min(max(budget - removing, 0), stale)
        adding = min(max(target + surge - can_be_ready, 0), unbound)  # calculateMaxToAdd
        if removing or updating or adding:
            leaving, stale = leaving - removing, stale - updating
            unbound, bound_new = unbound - adding, bound_new + adding
            waiting[now + period] = waiting.get(now + period, 0) + updating + adding
            last = now
            if last_step_at != now:
                steps, last_step_at = steps + 1, now
            continue
        later = [at for at in waiting if at > now]
        if not later:
            return Rollout(last, steps, stuck=stale)
        now = min(later)


def _minutes(seconds: float) -> str:
    return f"{math.ceil(seconds / 60)}m"


def _count(n: int) -> str:
    return f"{n} member" if n == 1 else f"{n} members"


def _members(change: Change) -> str:
    some = f", {change.in_place} of them to update in place" if change.in_place != change.kept else ""
    if not change.added and not change.removed:
        return f"the placement is on {_count(change.kept)}{some}"
    before, after = change.kept + change.removed, change.kept + change.added
    return (
        f"the placement goes from {_count(before)} to {after} ({change.kept} kept{some}, {change.added} added, "
        f"{change.removed} left)"
    )


def timeout_warning(
    change: Change, max_unavailable: str, max_surge: str | None, period: int | None, timeout_s: float
) -> str | None:
    """The line to warn with when ``change`` rolled out ``max_unavailable`` (and ``max_surge``, None:
    the CRD's default) at a time, waiting ``period`` seconds (None: KubeFleet's default) for each
    member, cannot be seen done within ``timeout_s``, or never ends; None when it fits."""
    seconds = UNAVAILABLE_PERIOD_DEFAULT if period is None else period
    if not change.untracked:
        seconds = 0  # every object tracked: a member is ready once available (isBindingReady), no period
    target = change.goal
    unavailable = members_at_once(max_unavailable, target)
    surge_text = ROLLING_DEFAULT if max_surge is None else max_surge
    surge = members_at_once(surge_text, target)
    played = rollout_seconds(change, unavailable, surge, seconds)
    if played.stuck:
        floor, most = target - unavailable, change.kept + change.added
        return (
            f"--wait may not see the rollout end: {_members(change)}; KubeFleet updates a member in place only "
            f"while more than {floor} of the {target} members it targets are ready, and at most {most} can be "
            f"(--max-unavailable {max_unavailable}), so this change of what it places or overrides never reaches "
            f"the {_count(played.stuck)} it stays on. Give --max-unavailable {target - most + 1} or more "
            f"(upstream: {UPSTREAM_STUCK})"
        )
    if played.steps <= 1 or played.seconds < timeout_s:
        return None
    fits = played.steps * seconds  # one more period: the last step's apply and availability
    moves = change.added or change.removed
    pace = f"--max-unavailable {max_unavailable} " + (
        f"updates {unavailable} at a time" if unavailable else "takes no member out of service"
    )
    if moves:
        pace += f" and --max-surge {surge_text} adds up to {surge} above the target of {target}"
    which = f"here {change.slow[0]}" if change.slow else "e.g. a KAITO Workspace"
    return (
        f"--wait may run out before the rollout ends: {_members(change)} and {pace}, {played.steps} steps; for "
        f"objects KubeFleet cannot track ({which}) it waits unavailablePeriodSeconds ({seconds}s) "
        f"after each step, {played.steps - 1} x {seconds}s = {played.seconds:g}s, not less than --timeout "
        f"({timeout_s:g}s). Give --timeout {_minutes(fits)} to see it through "
        f"(upstream: {UPSTREAM_ADD if moves else UPSTREAM})"
    )
