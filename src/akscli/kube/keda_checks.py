"""What KEDA's admission webhook refuses in a ScaledObject, refused by akscli before anything is sent:
a fallback KEDA cannot use. upstream: kedacore/keda v2.20.2 (68a5b502)
apis/keda/v1alpha1/scaledobject_types.go CheckFallbackValid (both numbers at least 0; without
scalingModifiers, at least one trigger that is not cpu or memory), called by
scaledobject_webhook.go verifyFallback. Plain logic: no Typer, no rich."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akscli.errors import UsageError

KEDA_API = "keda.sh/v1alpha1"


def check_fallbacks(objects: Iterable[Mapping[str, Any]]) -> None:
    """Raise UsageError, one line, for the first ScaledObject whose fallback KEDA's webhook refuses."""
    for obj in objects:
        if obj.get("apiVersion") != KEDA_API or obj.get("kind") != "ScaledObject":
            continue
        spec = obj.get("spec") or {}
        fallback = spec.get("fallback")
        if not isinstance(fallback, Mapping):
            continue
        ref = f"scaledobject/{(obj.get('metadata') or {}).get('name')}"
        numbers = [fallback.get("failureThreshold", 0), fallback.get("replicas", 0)]
        if any(isinstance(n, int) and not isinstance(n, bool) and n < 0 for n in numbers):
            raise UsageError(
                f"{ref}: fallback.failureThreshold and fallback.replicas must be 0 or more, not {numbers[0]} and "
                f"{numbers[1]} (KEDA's webhook refuses it)",
                hint="set both to 0 or more",
            )
        if using_modifiers(spec):
            continue
        triggers = spec.get("triggers") or []
        if not any(isinstance(t, Mapping) and t.get("type") not in ("cpu", "memory") for t in triggers):
            raise UsageError(
                f"{ref}: a fallback needs a trigger that is not cpu or memory (KEDA's webhook refuses it)",
                hint="add such a trigger, set spec.advanced.scalingModifiers, or drop spec.fallback",
            )


# ScalingModifiers' fields (upstream: kedacore/keda v2.20.2 apis/keda/v1alpha1/scaledobject_types.go).
MODIFIER_FIELDS = ("formula", "target", "activationTarget", "metricType")


def using_modifiers(spec: Mapping[str, Any]) -> bool:
    """IsUsingModifiers: spec.advanced.scalingModifiers differs from Go's zero value, so a field holds a
    non-empty string; ``scalingModifiers: {formula: ""}`` is not using them (upstream: kedacore/keda
    v2.20.2 apis/keda/v1alpha1/scaledobject_types.go IsUsingModifiers, reflect.DeepEqual with
    ScalingModifiers{})."""
    modifiers = (spec.get("advanced") or {}).get("scalingModifiers")
    return isinstance(modifiers, Mapping) and any(modifiers.get(name) for name in MODIFIER_FIELDS)
