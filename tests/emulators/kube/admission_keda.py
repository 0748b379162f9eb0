"""KEDA's validating webhook for ScaledObjects (``vscaledobject.kb.io``, installed by KEDA's chart
with ``webhooks.enabled: true``, its default: kedacore/charts keda/templates/webhooks/
validatingconfiguration.yaml). upstream: kedacore/keda v2.20.2 (68a5b502)
apis/keda/v1alpha1/scaledobject_webhook.go validateWorkload, verifyFallback; scaledobject_types.go
CheckFallbackValid, IsUsingModifiers.

Only verifyFallback is emulated: a fallback needs both numbers at 0 or more (the CRD's schema,
Minimum 0, refuses a negative one first), and without scalingModifiers at least one trigger that is
not cpu or memory. The refusal is controller-runtime's admission.Denied, 403 Forbidden
(kubernetes-sigs/controller-runtime pkg/webhook/admission/validator_custom.go, response.go).
An update that only removes finalizers is not validated (isRemovingFinalizer). Not emulated: the
other checks validateWorkload runs (HPA ownership, cpu/memory resources, replica counts, names,
triggers), in Go's random map order upstream.
"""

from __future__ import annotations

from typing import Any

WEBHOOK = "vscaledobject.kb.io"


def fallback_error(obj: dict[str, Any]) -> str | None:
    """CheckFallbackValid's error for the ScaledObject, or None."""
    spec = obj.get("spec") or {}
    fallback = spec.get("fallback")
    if not isinstance(fallback, dict):
        return None
    threshold, replicas = int(fallback.get("failureThreshold") or 0), int(fallback.get("replicas") or 0)
    if threshold < 0 or replicas < 0:
        return f"FailureThreshold={threshold} & Replicas={replicas} must both be greater than or equal to 0"
    # upstream: kedacore/keda v2.20.2 apis/keda/v1alpha1/scaledobject_types.go IsUsingModifiers:
    # scalingModifiers is not Go's zero value, so one of its four strings is not empty
    modifiers = (spec.get("advanced") or {}).get("scalingModifiers") or {}
    if any(modifiers.get(f) for f in ("formula", "target", "activationTarget", "metricType")):
        return None
    if any((t or {}).get("type") not in ("cpu", "memory") for t in spec.get("triggers") or []):
        return None
    return (
        "at least one trigger (that is not cpu or memory) has to have the `AverageValue` type for the fallback "
        "to be enabled"
    )


def review(obj: dict[str, Any], old: dict[str, Any] | None) -> str | None:
    """The denial's message for a create or update, or None."""
    if old is not None:
        finalizers = (obj.get("metadata") or {}).get("finalizers") or []
        if len(finalizers) < len((old.get("metadata") or {}).get("finalizers") or []) and obj.get("spec") == old.get(
            "spec"
        ):
            return None
    return fallback_error(obj)
