"""The HPA controller's scaling rules (``spec.behavior``) and the limits they set, for the lab's HPA
controller (hpa.py). upstream: kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go
(calculateScaleUpLimitWithScalingRules, calculateScaleDownLimitWithBehaviors) and
pkg/apis/autoscaling/v2/defaults.go (GenerateHPAScaleUpRules, GenerateHPAScaleDownRules); what the
kubernetes/kubernetes controller remembers between syncs, and normalizeDesiredReplicas(WithBehaviors), which turns a
recommendation into the replicas it sets, with the conditions that says (setCondition)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DOWNSCALE_STABILIZATION = 300.0  # --horizontal-pod-autoscaler-downscale-stabilization
SCALE_UP_LIMIT_FACTOR, SCALE_UP_LIMIT_MINIMUM = 2.0, 4.0  # horizontal.go scaleUpLimitFactor, scaleUpLimitMinimum

# The conditions' reasons and messages (horizontal.go).
DOWN_STABILIZED = (
    "ScaleDownStabilized",
    "recent recommendations were higher than current one, applying the highest recent recommendation",
)
UP_STABILIZED = (
    "ScaleUpStabilized",
    "recent recommendations were lower than current one, applying the lowest recent recommendation",
)
READY = ("ReadyForNewScale", "recommended size matches current size")
WITHIN = ("DesiredWithinRange", "the desired count is within the acceptable range")
UP_LIMIT = ("ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
TOO_MANY = ("TooManyReplicas", "the desired replica count is more than the maximum replica count")
DOWN_LIMIT = ("ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
TOO_FEW = ("TooFewReplicas", "the desired replica count is less than the minimum replica count")


@dataclass
class Rules:
    """One direction's HPAScalingRules, defaults filled in (defaults.go GenerateHPAScale*Rules)."""

    window: float
    select: str
    policies: list[tuple[str, int, int]]  # (type, value, periodSeconds)

    @classmethod
    def of(cls, raw: Mapping[str, Any] | None, up: bool) -> Rules:
        raw = raw or {}
        policies = [(str(p["type"]), int(p["value"]), int(p["periodSeconds"])) for p in raw.get("policies") or []]
        default_policies = [("Pods", 4, 15), ("Percent", 100, 15)] if up else [("Percent", 100, 15)]
        window = raw.get("stabilizationWindowSeconds")
        return cls(
            float(window) if window is not None else (0.0 if up else DOWNSCALE_STABILIZATION),
            str(raw.get("selectPolicy") or "Max"),
            policies if raw.get("policies") is not None else default_policies,
        )


def up_limit(current: int, events: list[tuple[int, float]], rules: Rules, now: float) -> int:
    """calculateScaleUpLimitWithScalingRules."""
    if rules.select == "Disabled":
        return current
    pick = min if rules.select == "Min" else max
    result: int | None = None
    for kind, value, period in rules.policies:
        start = current - sum(change for change, at in events if at > now - period)
        proposed = start + value if kind == "Pods" else math.ceil(start * (1 + value / 100))
        result = proposed if result is None else pick(result, proposed)
    return result if result is not None else 0


def down_limit(current: int, events: list[tuple[int, float]], rules: Rules, now: float) -> int:
    """calculateScaleDownLimitWithBehaviors."""
    if rules.select == "Disabled":
        return current
    pick = max if rules.select == "Min" else min
    result = 2**31 - 1
    for kind, value, period in rules.policies:
        start = current + sum(change for change, at in events if at > now - period)
        proposed = start - value if kind == "Pods" else int(start * (1 - value / 100))
        result = pick(result, proposed)
    return result


def replace_oldest(recommendations: list[tuple[int, float]], proposal: int, now: float, cutoff: float) -> None:
    """The newest recommendation replaces one older than ``cutoff``, or is appended."""
    old = [i for i, (_, at) in enumerate(recommendations) if at < cutoff]
    if old:
        recommendations[old[-1]] = (proposal, now)
    else:
        recommendations.append((proposal, now))


@dataclass
class Memory:
    """What the controller keeps per HPA between syncs (horizontal.go recommendations, scale events)."""

    recommendations: list[tuple[int, float]] = field(default_factory=list)
    up_events: list[tuple[int, float]] = field(default_factory=list)
    down_events: list[tuple[int, float]] = field(default_factory=list)


def normalize(
    memory: Memory,
    spec: Mapping[str, Any],
    current: int,
    proposal: int,
    low: int,
    high: int,
    now: float,
    conditions: dict[str, dict[str, Any]],
) -> int:
    """normalizeDesiredReplicas, or normalizeDesiredReplicasWithBehaviors where the HPA has
    spec.behavior: the stabilized recommendation, limited by minReplicas, maxReplicas and the scale
    rate, with the AbleToScale and ScalingLimited conditions it sets (horizontal.go)."""
    behavior = spec.get("behavior")
    if behavior is None:
        # normalizeDesiredReplicas: the highest recommendation of the downscale window.
        cutoff = now - DOWNSCALE_STABILIZATION
        stabilized = max([proposal] + [r for r, at in memory.recommendations if at >= cutoff])
        replace_oldest(memory.recommendations, proposal, now, cutoff)
        set_condition(conditions, "AbleToScale", True, *(DOWN_STABILIZED if stabilized != proposal else READY))
        limit = int(max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM))
        top = min(high, limit)
        desired, why = stabilized, WITHIN
        if stabilized < low:
            desired, why = low, TOO_FEW
        elif stabilized > top:
            desired, why = top, (UP_LIMIT if high > limit else TOO_MANY)
        set_condition(conditions, "ScalingLimited", desired != stabilized, *why)
        return desired
    up, down = Rules.of(behavior.get("scaleUp"), True), Rules.of(behavior.get("scaleDown"), False)
    # stabilizeRecommendationWithBehaviors
    if proposal >= current:
        window, better, reason = up.window, min, UP_STABILIZED
    else:
        window, better, reason = down.window, max, DOWN_STABILIZED
    stabilized = proposal
    for r, at in memory.recommendations:
        if at > now - window:
            stabilized = better(r, stabilized)
    replace_oldest(memory.recommendations, proposal, now, now - max(up.window, down.window))
    set_condition(conditions, "AbleToScale", True, *(reason if stabilized != proposal else READY))
    desired, why = stabilized, WITHIN
    if stabilized > current:  # convertDesiredReplicasWithBehaviorRate
        limit = max(up_limit(current, memory.up_events, up, now), current)
        if stabilized > min(high, limit):
            desired, why = min(high, limit), (UP_LIMIT if high > limit else TOO_MANY)
    elif stabilized < current:
        limit = min(down_limit(current, memory.down_events, down, now), current)
        if stabilized < max(low, limit):
            desired, why = max(low, limit), (DOWN_LIMIT if low < limit else TOO_FEW)
    set_condition(conditions, "ScalingLimited", desired != stabilized, *why)
    return desired


def set_condition(conditions: dict[str, dict[str, Any]], ctype: str, ok: bool, reason: str, message: str) -> None:
    """setCondition: lastTransitionTime moves only when the status does."""
    status = "True" if ok else "False"
    old = conditions.get(ctype) or {}
    stamp = old.get("lastTransitionTime") if old.get("status") == status else now_stamp()
    conditions[ctype] = {
        "type": ctype,
        "status": status,
        "lastTransitionTime": stamp,
        "reason": reason,
        "message": message,
    }


def now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
