"""How long a rolling update of a placement can take when KubeFleet paces it, so that ``fleet
place --max-unavailable N --wait`` can say, before it starts, that its --timeout cannot fit.

Upstream (kubefleet-dev/kubefleet e160c1cdfdd9bf4c0234713d2b7f34e0ec95dab6
pkg/controllers/rollout/controller.go):
- ``calculateMaxToRemove``: at most maxUnavailable members (``intstr.GetScaledValueFromIntOrPercent``
  of the target number, a percentage rounded up) are taken out of service at a time.
- ``isBindingReady``: a member whose objects KubeFleet cannot track (Available for
  ``NotAllWorkAreAvailabilityTrackable``, e.g. a KAITO Workspace; workapplier
  availability_tracker.go) is ready only ``unavailablePeriodSeconds`` (default 60,
  apis/placement/v1 clusterresourceplacement_types.go) after it became available; until then the
  next members wait.
So N members updated K at a time take ceil(N/K) steps, and --wait sees the last one available
(ceil(N/K) - 1) periods after the first. A first placement is not paced (maxSurge binds every
member at once: audit20-fleet6), so this applies to a placement that is already on members.
Objects KubeFleet can track (Deployments, ...) are ready once available, with no period: the
estimate is the worst case, and the warning says so."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

UNAVAILABLE_PERIOD_DEFAULT = 60
UPSTREAM = "kubefleet-dev/kubefleet pkg/controllers/rollout/controller.go calculateMaxToRemove, isBindingReady"


def members_at_once(max_unavailable: str, members: int) -> int:
    """--max-unavailable N or P% as a number of members (a percentage of ``members``, rounded up,
    as intstr.GetScaledValueFromIntOrPercent(..., roundUp=true))."""
    text = max_unavailable.strip()
    if text.endswith("%"):
        return math.ceil(int(text[:-1]) * members / 100)
    return int(text)


def placed_members(placement: Mapping[str, Any] | None) -> int:
    """The members a placement is on now (status.placementStatuses with a cluster): those an update
    rolls through. None (no placement yet): 0."""
    statuses = ((placement or {}).get("status") or {}).get("placementStatuses") or []
    return sum(1 for s in statuses if s.get("clusterName"))


def _minutes(seconds: float) -> str:
    return f"{math.ceil(seconds / 60)}m"


def timeout_warning(members: int, max_unavailable: str, period: int | None, timeout_s: float) -> str | None:
    """The line to warn with when ``members`` updated ``max_unavailable`` at a time, waiting
    ``period`` seconds (None: KubeFleet's default) between steps, cannot be seen done within
    ``timeout_s``; None when it fits or nothing is paced (no member, 0 at a time, no period)."""
    seconds = UNAVAILABLE_PERIOD_DEFAULT if period is None else period
    at_once = members_at_once(max_unavailable, members)
    if members <= 1 or at_once <= 0 or seconds <= 0:
        return None
    steps = math.ceil(members / at_once)
    needed = (steps - 1) * seconds
    if needed < timeout_s:
        return None
    fits = steps * seconds  # one more period: the last step's apply and availability
    return (
        f"--wait may run out before the rollout ends: the placement is on {members} members and --max-unavailable "
        f"{max_unavailable} updates {at_once} at a time, {steps} steps; for objects KubeFleet cannot track (e.g. a "
        f"KAITO Workspace) it waits unavailablePeriodSeconds ({seconds}s) after each step, {steps - 1} x {seconds}s = "
        f"{needed}s, not less than --timeout ({timeout_s:g}s). Give --timeout {_minutes(fits)} to see it through "
        f"(upstream: {UPSTREAM})"
    )
