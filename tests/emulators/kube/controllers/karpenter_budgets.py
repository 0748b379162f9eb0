"""A NodePool's disruption budgets in the kube emulator's Karpenter, as kubernetes-sigs/karpenter v1.14.0
(1b4b3e8c829d) computes them:

- pkg/controllers/disruption/helpers.go BuildDisruptionBudgetMapping: the pool's managed, initialized
  nodes (not those whose NodeClaim has InstanceTerminating True) are counted; of those, the ones not
  Ready or marked for deletion (a command holds them, or they are being deleted) are "disrupting" and
  are taken off the allowed number; where the pool has nodes and its allowed number is 0 it publishes
  disruptionevents.NodePoolBlockedForDisruptionReason (Normal DisruptionBlocked on the NodePool, "No
  allowed disruptions for disruption reason Drifted due to blocking budget", deduped a minute).
- pkg/apis/v1/nodepool.go GetAllowedDisruptionsByReason: the least value of the budgets whose reasons
  are unset or name the reason; Budget.GetAllowedDisruptions: an inactive budget allows MaxInt32, an
  active one intstr.GetScaledValueFromIntOrPercent(nodes, numNodes, roundUp=true); Budget.IsActive:
  no schedule is always active, else robfig/cron's ParseStandard("TZ=UTC " + schedule) and active
  where the schedule's next hit after now - duration is not after now.
- The CRD's default budget is nodes "10%" (/work/shared/crds/karpenter/karpenter.sh_nodepools.yaml
  spec.disruption.budgets default).

The cron is robfig/cron bc59245 (v3)'s standard parser (parser.go ParseStandard: minute hour dom month dow,
the descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly; spec.go Next: where both
dom and dow are restricted either matches, dayMatches). @every is not accepted by the CRD's pattern.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.karpenter_common import NODECLAIM, NODEPOOL_LABEL

# robfig/cron/v3 parser.go parseDescriptor
DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# robfig/cron/v3 parser.go: the bounds and names of each field (minutes, hours, dom, months, dow)
BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
NAMES = (
    {},
    {},
    {},
    {
        m: i + 1
        for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))
    },
    {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))},
)


def _field(text: str, index: int) -> tuple[set[int], bool]:
    """parser.go getField/getRange: the values of one field, and whether a range of it is * or ?
    with no step over 1 (the starBit dayMatches reads); names are matched in lower case."""
    low, high = BOUNDS[index]
    out: set[int] = set()
    star = False
    for part in text.split(","):
        rng, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if rng in ("*", "?"):
            start, end = low, high
        else:
            a, _, b = rng.partition("-")
            start = int(NAMES[index].get(a.lower(), a)) if not a.isdigit() else int(a)
            end = (int(NAMES[index].get(b.lower(), b)) if not b.isdigit() else int(b)) if b else start
            if step_text and not b:
                end = high  # "N/step": N to the field's end
        if start < low or end > high or start > end or step == 0:
            raise ValueError(f"bad range {part!r}")  # getRange's errors (below minimum, above maximum, ...)
        out.update(range(start, end + 1, step))
        star = star or (rng in ("*", "?") and step == 1)  # getRange: a step over 1 clears starBit
    return out, star


def _matches(fields: list[tuple[set[int], bool]], at: datetime.datetime) -> bool:
    minutes, hours, dom, months, dow = fields
    dow_value = (at.weekday() + 1) % 7  # Sunday is 0
    # spec.go dayMatches: a star in either means both must match, else either does
    day = (at.day in dom[0] and dow_value in dow[0]) if dom[1] or dow[1] else (at.day in dom[0] or dow_value in dow[0])
    return at.minute in minutes[0] and at.hour in hours[0] and at.month in months[0] and day


def _seconds(duration: str) -> float:
    """A Go duration as the CRD allows it (h, m, s parts; e.g. 8h, 1h30m)."""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)([hms])", duration))


def active(budget: dict[str, Any], now: datetime.datetime) -> bool:
    """Budget.IsActive: the schedule's next hit after now - duration is not after now."""
    schedule, duration = budget.get("schedule"), budget.get("duration")
    if schedule is None and duration is None:
        return True
    text = DESCRIPTORS.get(str(schedule or "").strip(), str(schedule or "").strip())
    if len(text.split()) != len(BOUNDS):
        raise ValueError(f"expected exactly 5 fields: {text!r}")  # parser.go normalizeFields
    fields = [_field(f, i) for i, f in enumerate(text.split())]
    checkpoint = now.astimezone(datetime.UTC) - datetime.timedelta(seconds=_seconds(str(duration or "0s")))
    # schedule.Next(checkpoint): the first whole minute after it that matches
    at = checkpoint.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    while at <= now:
        if _matches(fields, at):
            return True
        at += datetime.timedelta(minutes=1)
    return False


def _condition(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == kind), {})


def allowed_by_reason(pool: dict[str, Any], nodes: int, reason: str, now: datetime.datetime) -> int:
    """nodepool.go GetAllowedDisruptionsByReason for ``nodes`` initialized nodes."""
    # The CRD's default where budgets is absent; an empty list is no budget (MaxInt32).
    budgets = ((pool.get("spec") or {}).get("disruption") or {}).get("budgets")
    if budgets is None:  # kubernetes-sigs/karpenter pkg/apis/crds/karpenter.sh_nodepools.yaml: default [{nodes: 10%}]
        budgets = [{"nodes": "10%"}]
    most = 2**31 - 1  # math.MaxInt32
    for budget in budgets:
        try:
            on = active(budget, now)
        except (ValueError, KeyError, IndexError):
            # IsActive's "invariant violated, invalid cron": any budget's error, whatever its reasons,
            # makes MustGetAllowedDisruptions 0 (fail closed)
            return 0
        # kubernetes-sigs/karpenter pkg/apis/v1/nodepool.go: `budget.Reasons == nil || lo.Contains(...)`,
        # so an absent reasons is every reason and reasons: [] is none
        if budget.get("reasons") is not None and reason not in budget["reasons"]:
            continue
        if not on:
            continue  # GetAllowedDisruptions: MaxInt32
        value = str(budget.get("nodes", "10%"))
        scaled = math.ceil(int(value[:-1]) * nodes / 100) if value.endswith("%") else int(value)
        most = min(most, scaled)
    return most


def budget_mapping(
    cluster: ClusterState,
    pools: list[dict[str, Any]],
    reason: str,
    marked: set[str],
    now: datetime.datetime,
    publish: Callable[[dict[str, Any], str], None],
) -> dict[str, int]:
    """helpers.go BuildDisruptionBudgetMapping: by pool name, the disruptions still allowed.
    ``marked``: the NodeClaims a disruption command holds (Cluster.MarkForDeletion)."""
    counted: dict[str, int] = {}
    disrupting: dict[str, int] = {}
    for claim in cluster.list(*NODECLAIM):
        pool = (claim["metadata"].get("labels") or {}).get(NODEPOOL_LABEL)
        if pool is None or _condition(claim, "Initialized").get("status") != "True":
            continue
        if _condition(claim, "InstanceTerminating").get("status") == "True":
            continue
        counted[pool] = counted.get(pool, 0) + 1
        node_name = (claim.get("status") or {}).get("nodeName") or ""
        node = cluster.get("v1", "Node", None, node_name) if node_name else None
        ready = _condition(node or {}, "Ready").get("status") == "True"
        deleting = bool(claim["metadata"].get("deletionTimestamp")) or claim["metadata"]["name"] in marked
        if not ready or deleting:
            disrupting[pool] = disrupting.get(pool, 0) + 1
    out = {}
    for pool in pools:
        name = pool["metadata"]["name"]
        allowed = allowed_by_reason(pool, counted.get(name, 0), reason, now)
        out[name] = max(allowed - disrupting.get(name, 0), 0)
        if counted.get(name, 0) and allowed == 0:
            publish(pool, f"No allowed disruptions for disruption reason {reason} due to blocking budget")
    return out
