"""KEDA's fallback, its per-metric health and the ScaledObject's conditions, for the KEDA simulator
(keda.py). upstream: kedacore/keda v2.20.2 (68a5b502) pkg/fallback/fallback.go,
pkg/scaling/executor/scale_scaledobjects.go RequestScale, pkg/scaling/scale_handler.go checkScalers,
handleResult; apis/keda/v1alpha1/condition_types.go, scaledobject_types.go.

* ``spec.fallback`` (failureThreshold, replicas, behavior: static by default) counts as set only
  when both numbers are at least 0 and, with a scalingModifiers formula, its target is a whole
  number above 0 (HasValidFallback). Only then is health kept: every read of a trigger's metric
  (the polling loop's and the metrics server's for the HPA) writes ``status.health[metric]``,
  numberOfFailures 0 and Happy on success, one failure more and Failing on an error
  (GetMetricsWithFallback, UpdateHealthStatus, IncrementFailure).
* Past failureThreshold the error is replaced by the fallback metric, which makes the HPA propose
  the fallback's replicas: the target (the trigger's AverageValue or Value, or the formula's
  target) times ``replicas`` (static), the target's current replicas (currentReplicas), the higher
  or the lower of the two (currentReplicasIfHigher, currentReplicasIfLower); for a Value metric
  divided by the Running and Ready pods of the target's scale selector (none: no fallback, "error
  performing fallback")
  (doFallback, getReadyReplicasCount). With behavior ``scalingModifiers`` the read is instead the
  placeholder the formula reads as nil (None here: GetMetricsWithFallback; no error, and fallback
  not active), so ``??`` in the formula picks another value; a formula that comes out nil is
  fallback.replicas x the formula's target (formula_value; upstream: kedacore/keda v2.20.2
  pkg/scaling/modifiers/formula.go calculateScalingModifiersFormula, scalingModifiersFallbackTarget).
* The Fallback condition follows the health: True FallbackExists while a metric is Failing past
  the threshold, else False NoFallbackFound (updateStatus). The polling loop records a Normal Event
  ScaledObjectFallbackActivated or ScaledObjectFallbackDeactivated when that changes (checkScalers).
* Conditions are merged into the ScaledObject's by type, and written only when they change
  (handleResult).
* A status write that fails (the ScaledObject deleted meanwhile: a 404) is only logged upstream
  (updateStatus "failed to patch ScaledObjects Status", handleResult "failed to update status"):
  here it is dropped, and the read goes on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.hpa import running_and_ready
from tests.emulators.kube.controllers.keda_formula import FormulaRunError, evaluate
from tests.emulators.kube.status import ApiError

KEDA = "keda.sh/v1alpha1"
STATIC = "static"
ACTIVATED = ("ScaledObjectFallbackActivated", "ScaledObject fallback is active")  # pkg/common/message
DEACTIVATED = ("ScaledObjectFallbackDeactivated", "ScaledObject fallback is no longer active")


class FallbackError(Exception):
    """The fallback could not be computed (fallback.go GetMetricsWithFallback)."""


def fallback_of(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ScaledObject's fallback where it is set and valid (isFallbackEnabled, HasValidFallback)."""
    spec = obj.get("spec") or {}
    fallback = spec.get("fallback")
    if not isinstance(fallback, dict):
        return None
    if int(fallback.get("failureThreshold", 0)) < 0 or int(fallback.get("replicas", 0)) < 0:
        return None
    modifiers = (spec.get("advanced") or {}).get("scalingModifiers") or {}
    if modifiers.get("formula"):
        target = str(modifiers.get("target") or "")
        # strconv.ParseInt(target, 10, 64) > 0: a sign allowed, nothing past int64
        if not re.fullmatch(r"[+-]?[0-9]+", target) or not 0 < int(target) < 2**63:
            return None
    return fallback


def condition(obj: Mapping[str, Any], ctype: str) -> dict[str, Any]:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == ctype:
            return dict(cond)
    return {}


def write_conditions(cluster: Any, namespace: str, name: str, conds: Mapping[str, tuple[str, str, str]]) -> None:
    """handleResult: each condition set by type on the ScaledObject's, written when one changed."""
    latest = cluster.get(KEDA, "ScaledObject", namespace, name)
    if latest is None:
        return
    have = list((latest.get("status") or {}).get("conditions") or [])
    out = [dict(c) for c in have]
    for ctype, (status, reason, message) in conds.items():
        new = {"type": ctype, "status": status, "reason": reason, "message": message}
        index = next((i for i, c in enumerate(out) if c.get("type") == ctype), None)
        if index is None:
            out.append(new)
        else:
            out[index] = {**out[index], **new}
    if out != have:
        _patch_status(cluster, namespace, name, {"conditions": out})


def _patch_status(cluster: Any, namespace: str, name: str, status: Mapping[str, Any]) -> None:
    """A status patch whose 404 (the ScaledObject deleted meanwhile) is only logged upstream."""
    try:
        cluster.patch_status(KEDA, "ScaledObject", namespace, name, dict(status))
    except ApiError as exc:
        if exc.code != 404:
            raise


def record_health(cluster: Any, obj: Mapping[str, Any], metric: str, ok: bool) -> int:
    """UpdateHealthStatus (ok) or IncrementFailure: the metric's failures now. The Fallback condition
    is recomputed from the health and both are written when they change (updateStatus)."""
    md = obj["metadata"]
    latest = cluster.get(KEDA, "ScaledObject", md["namespace"], md["name"]) or obj
    fallback = fallback_of(latest) or {}
    health = {k: dict(v) for k, v in ((latest.get("status") or {}).get("health") or {}).items()}
    entry = health.get(metric, {})
    failures = 0 if ok else int(entry.get("numberOfFailures") or 0) + 1
    health[metric] = {"numberOfFailures": failures, "status": "Happy" if ok else "Failing"}
    threshold = int(fallback.get("failureThreshold", 0))
    exceeded = any(
        h["status"] == "Failing" and int(h.get("numberOfFailures") or 0) > threshold for h in health.values()
    )
    cond = (
        ("True", "FallbackExists", "At least one trigger is falling back on this scaled object")
        if exceeded
        else ("False", "NoFallbackFound", "No fallbacks are active on this scaled object")
    )
    if health != ((latest.get("status") or {}).get("health") or {}):
        _patch_status(cluster, md["namespace"], md["name"], {"health": health})
    write_conditions(cluster, md["namespace"], md["name"], {"Fallback": cond})
    return failures


def with_fallback(
    cluster: Any, obj: Mapping[str, Any], metric: str, target: tuple[str, float], value: float | None, error: str | None
) -> tuple[float | None, bool, str | None]:
    """GetMetricsWithFallback: (value, fallback active, error) for one read of ``metric`` whose HPA
    target is ``target`` (its type and value)."""
    fallback = fallback_of(obj)
    if error is None:
        if fallback is not None:
            record_health(cluster, obj, metric, ok=True)
        return value, False, None
    if fallback is None:
        return None, False, error
    failures = record_health(cluster, obj, metric, ok=False)
    if failures <= int(fallback.get("failureThreshold", 0)):
        return None, False, error
    behavior = str(fallback.get("behavior") or STATIC)
    if behavior == "scalingModifiers":
        return None, False, None  # the nil placeholder (see the module's docstring)
    try:
        return _fallback_value(cluster, obj, fallback, behavior, target), True, None
    except FallbackError:
        return None, False, "error performing fallback"


def formula_value(obj: Mapping[str, Any], formula: str, values: Mapping[str, float | None]) -> float:
    """calculateScalingModifiersFormula: the formula's value; where it comes out nil,
    scalingModifiersFallbackTarget: spec.fallback.replicas x the target (FormulaRunError without a
    fallback, which KEDA only logs)."""
    result = evaluate(formula, values)
    if result is not None:
        return result
    spec = obj.get("spec") or {}
    if not isinstance(spec.get("fallback"), dict):
        raise FormulaRunError("scalingModifiers formula evaluated to nil but no fallback is configured")
    target = ((spec.get("advanced") or {}).get("scalingModifiers") or {}).get("target")
    return float(spec["fallback"].get("replicas", 0)) * float(target or 0)


def _fallback_value(
    cluster: Any, obj: Mapping[str, Any], fallback: Mapping[str, Any], behavior: str, target: tuple[str, float]
) -> float:
    """doFallback: the target times the fallback's replicas (per ready pod for a Value target)."""
    wanted = int(fallback.get("replicas", 0))
    if behavior != STATIC:
        current = _current_replicas(cluster, obj)
        wanted = {
            "currentReplicas": current,
            "currentReplicasIfHigher": max(current, wanted),
            "currentReplicasIfLower": min(current, wanted),
        }.get(behavior, wanted)
    replicas = float(wanted)
    kind, value = target
    if kind == "Value":
        ready = _ready_pods(cluster, obj)
        if ready == 0:
            raise FallbackError("readyReplicas is zero, cannot do fallback")
        replicas /= ready
    # resource.NewMilliQuantity(int64(normalisationValue*1000*replicas))
    return math.trunc(value * 1000 * replicas) / 1000


def _scale_target(cluster: Any, obj: Mapping[str, Any]) -> dict[str, Any]:
    ref = (obj.get("spec") or {}).get("scaleTargetRef") or {}
    found = cluster.get(
        ref.get("apiVersion") or "apps/v1", ref.get("kind") or "Deployment", obj["metadata"]["namespace"], ref["name"]
    )
    if found is None:
        raise FallbackError(f"scale target {ref.get('name')} not found")
    return dict(found)


def _current_replicas(cluster: Any, obj: Mapping[str, Any]) -> int:
    """resolver.GetCurrentReplicas: the target's spec.replicas."""
    return int((_scale_target(cluster, obj).get("spec") or {}).get("replicas", 1))


def _ready_pods(cluster: Any, obj: Mapping[str, Any]) -> int:
    """getReadyReplicasCount: the target's Scale (the scale client's Get; a failure is no
    fallback), then the Running and Ready pods of its status.selector; an empty selector is
    labels.Parse("") and selects every pod of the namespace (kedacore/keda v2.20.2
    pkg/fallback/fallback.go)."""
    ref = (obj.get("spec") or {}).get("scaleTargetRef") or {}
    namespace = obj["metadata"]["namespace"]
    try:
        scale = cluster.get_scale(
            ref.get("apiVersion") or "apps/v1", ref.get("kind") or "Deployment", namespace, ref["name"]
        )
    except ApiError as exc:
        raise FallbackError(exc.message) from None
    pods = cluster.list("v1", "Pod", namespace, scale["status"].get("selector") or None)
    return running_and_ready(pods)
