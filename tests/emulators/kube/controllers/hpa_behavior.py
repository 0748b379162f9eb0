"""The HPA controller's scaling rules (``spec.behavior``) and the limits they set, for the lab's HPA
controller (hpa.py). upstream: kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go
(calculateScaleUpLimitWithScalingRules, calculateScaleDownLimitWithBehaviors) and
pkg/apis/autoscaling/v2/defaults.go (GenerateHPAScaleUpRules, GenerateHPAScaleDownRules)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DOWNSCALE_STABILIZATION = 300.0  # --horizontal-pod-autoscaler-downscale-stabilization


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
