"""KEDA's own scale writes: the 0<->1 (activation) part of its scale executor, which the HPA (1..N)
cannot do, played after each poll of keda.py.

upstream: kedacore/keda v2.20.2 pkg/scaling/executor/scale_scaledobjects.go RequestScale,
scaleFromZeroOrIdle, scaleToZeroOrIdle, updateScaleOnScaleTarget, getIdleOrMinimumReplicaCount;
pkg/scaling/executor/scale_executor.go defaultCooldownPeriod (300 s), defaultInitialCooldownPeriod
(0 s); pkg/scaling/resolver/scale_resolvers.go GetCurrentReplicas; pkg/scaling/scale_handler.go
handleResult (the result's conditions and lastActiveTime written to the status);
apis/keda/v1alpha1/scaledobject_types.go (the annotations; GVKString in gvkr_types.go).

* The current count: a Deployment's, StatefulSet's or ReplicaSet's ``spec.replicas`` by a plain
  Get (1 when unset), any other kind's Scale ``spec.replicas``. A failed read is Ready False
  ErrorGettingCurrentReplicas "Error getting current replicas count for ScaleTarget: E", and
  nothing else is done (the Active condition is left as it was).
* Active (or ``autoscaling.keda.sh/force-activation``): Active True ScalerActive. At 0 replicas, or
  with idleReplicaCount below minReplicaCount, KEDA scales to max(minReplicaCount, 1) unless
  ``autoscaling.keda.sh/paused-scale-out``: a Get of the Scale, then an Update of it at the read
  resourceVersion (the HPA's ``keda-hpa-*`` is at minReplicas 1 and cannot leave 0:
  kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go ScalingDisabled). A Normal
  KEDAScaleTargetActivated "Scaled apps/v1.Deployment NS/NAME from 0 to 1, triggered by
  s0-prometheus", lastActiveTime now; a failed write is a Warning KEDAScaleTargetActivationFailed.
  Otherwise, with an error, Ready Unknown PartialTriggerError; else lastActiveTime now.
* Not active: Active False ScalerNotActive. With an error: nothing more where a fallback with
  replicas is set, Ready False TriggerError where none is. Else above idleReplicaCount, or above 0
  with minReplicaCount 0: unless ``autoscaling.keda.sh/paused-scale-in``, once lastActiveTime +
  cooldownPeriod (or, never active, creationTimestamp + initialCooldownPeriod) has passed, KEDA
  scales to idleReplicaCount (else minReplicaCount, else 0) with a Normal
  KEDAScaleTargetDeactivated "Deactivated apps/v1.Deployment NS/NAME from 1 to 0" (a failed write:
  Warning KEDAScaleTargetDeactivationFailed); before that, Active False ScalerCooldown "Scaler
  cooling down because triggers are not active". Without idleReplicaCount, below minReplicaCount it
  sets minReplicaCount.

Not modelled: the ``autoscaling.keda.sh/paused`` and ``paused-replicas`` annotations (the
controller's handlePause deletes the HPA and stops the loop: controllers/keda/scaledobject_controller.go).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.status import ApiError

KEDA = "keda.sh/v1alpha1"
DEFAULT_COOLDOWN = 300  # scale_executor.go defaultCooldownPeriod
DEFAULT_INITIAL_COOLDOWN = 0  # scale_executor.go defaultInitialCooldownPeriod
FORCE_ACTIVATION = "autoscaling.keda.sh/force-activation"
PAUSED_SCALE_IN = "autoscaling.keda.sh/paused-scale-in"
PAUSED_SCALE_OUT = "autoscaling.keda.sh/paused-scale-out"
# scale_resolvers.go GetCurrentReplicas: these are read with a plain Get, the rest through /scale.
_PLAIN_GET = {"Deployment", "StatefulSet", "ReplicaSet"}

Condition = tuple[str, str, str]
ACTIVE = ("True", "ScalerActive", "Scaling is performed because triggers are active")
FORCED = ("True", "ScalerActive", "Scaling is performed because activation is being forced by annotation")
NOT_ACTIVE = ("False", "ScalerNotActive", "Scaling is not performed because triggers are not active")
COOLDOWN = ("False", "ScalerCooldown", "Scaler cooling down because triggers are not active")
PARTIAL = ("Unknown", "PartialTriggerError", "Some triggers defined in ScaledObject are not working correctly")
TRIGGER_ERROR = ("False", "TriggerError", "Triggers defined in ScaledObject are not working correctly")


def _annotation(obj: Mapping[str, Any], key: str) -> bool:
    """getBoolAnnotation: absent is false; a value strconv.ParseBool cannot read is true."""
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(key)
    if value is None:
        return False
    return str(value) not in ("0", "f", "F", "false", "FALSE", "False")


def _target(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    ref = (obj.get("spec") or {}).get("scaleTargetRef") or {}
    return str(ref.get("apiVersion") or "apps/v1"), str(ref.get("kind") or "Deployment"), str(ref["name"])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(when: dt.datetime) -> str:
    """A metav1.Time as JSON: RFC 3339, whole seconds."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def current_replicas(cluster: Any, obj: Mapping[str, Any]) -> int:
    """resolver.GetCurrentReplicas (an ApiError where the read fails)."""
    api, kind, name = _target(obj)
    namespace = obj["metadata"]["namespace"]
    if api.startswith("apps/") and kind in _PLAIN_GET:
        found = cluster.get(api, kind, namespace, name)
        if found is None:
            group = api.split("/")[0]
            raise ApiError(404, f'{kind.lower()}s.{group} "{name}" not found', "NotFound")
        return int((found.get("spec") or {}).get("replicas", 1))
    return int(cluster.get_scale(api, kind, namespace, name)["spec"].get("replicas") or 0)


def _gvk(obj: Mapping[str, Any]) -> str:
    """status.scaleTargetKind, GVKString: group/version.Kind (``apps/v1.Deployment``)."""
    api, kind, _ = _target(obj)
    group, _, version = api.rpartition("/")
    return f"{group}/{version}.{kind}"


def _update_scale(cluster: Any, obj: Mapping[str, Any], replicas: int) -> tuple[int, bool]:
    """updateScaleOnScaleTarget: Get the Scale, set spec.replicas, Update it at the read
    resourceVersion. The count it had (-1 where the Get failed) and whether the write was made."""
    api, kind, name = _target(obj)
    try:
        scale = cluster.get_scale(api, kind, obj["metadata"]["namespace"], name)
    except ApiError:
        return -1, False
    before = int(scale["spec"].get("replicas") or 0)
    try:
        cluster.update_scale(api, kind, {**scale, "spec": {"replicas": replicas}})
    except ApiError:  # a 409 included: the next poll reads afresh
        return before, False
    return before, True


def request_scale(
    cluster: Any, obj: Mapping[str, Any], active: bool, error: bool, active_triggers: list[str]
) -> tuple[dict[str, Condition], str | None]:
    """RequestScale after a poll: the conditions to set and the lastActiveTime to write (or None)."""
    spec = obj.get("spec") or {}
    ready: Condition = ("True", "ScaledObjectReady", "ScaledObject is defined correctly and is ready for scaling")
    try:
        current = current_replicas(cluster, obj)
    except ApiError as exc:
        message = f"Error getting current replicas count for ScaleTarget: {exc.message}"
        return {"Ready": ("False", "ErrorGettingCurrentReplicas", message)}, None
    low = int(spec.get("minReplicaCount") or 0)
    idle = spec.get("idleReplicaCount")
    forced = _annotation(obj, FORCE_ACTIVATION)
    conds: dict[str, Condition] = {"Ready": ready}
    last: str | None = None
    if active or forced:
        conds["Active"] = FORCED if forced else ACTIVE
        if (idle is not None and current < low) or current == 0:
            if not _annotation(obj, PAUSED_SCALE_OUT):
                last = _scale_from_zero(cluster, obj, max(low, 1), active_triggers, forced)
        elif error:
            conds["Ready"] = PARTIAL
        else:
            last = _stamp(_now())
        return conds, last
    conds["Active"] = NOT_ACTIVE
    fallback = spec.get("fallback")
    if error and fallback is not None and int(fallback.get("replicas") or 0) != 0:
        pass  # the HPA scales to fallback.replicas; 0 replicas would disable it
    elif error and fallback is None:
        conds["Ready"] = TRIGGER_ERROR
    elif (idle is not None and current > int(idle)) or (current > 0 and low == 0):
        if not _annotation(obj, PAUSED_SCALE_IN):
            conds["Active"] = _scale_to_zero(cluster, obj, int(idle) if idle is not None else low)
    elif idle is None and current < low:
        _update_scale(cluster, obj, low)  # a failure is only logged
    return conds, None


def _write(cluster: Any, obj: Mapping[str, Any], replicas: int, verb: str, failed: str) -> str | None:
    """updateScaleOnScaleTarget: "KIND NS/NAME from N to M" for the caller's Event on success; on
    failure a Warning ``failed`` "Failed to ``verb`` KIND NS/NAME from N to M", and None."""
    md = obj["metadata"]
    _, _, name = _target(obj)
    where = f"{_gvk(obj)} {md['namespace']}/{name}"
    before, done = _update_scale(cluster, obj, replicas)
    if not done:
        cluster.add_event(obj, failed, f"Failed to {verb} {where} from {before} to {replicas}", type="Warning")
        return None
    return f"{where} from {before} to {replicas}"


def _scale_from_zero(
    cluster: Any, obj: Mapping[str, Any], replicas: int, triggers: list[str], forced: bool
) -> str | None:
    """scaleFromZeroOrIdle: the lastActiveTime to write, None where the write failed."""
    done = _write(cluster, obj, replicas, "scale", "KEDAScaleTargetActivationFailed")
    if done is None:
        return None
    cause = "caused by forced activation annotation" if forced else f"triggered by {';'.join(triggers)}"
    cluster.add_event(obj, "KEDAScaleTargetActivated", f"Scaled {done}, {cause}")
    return _stamp(_now())


def _scale_to_zero(cluster: Any, obj: Mapping[str, Any], replicas: int) -> Condition:
    """scaleToZeroOrIdle: the Active condition it leaves (ScalerCooldown while cooling down)."""
    spec, md = obj.get("spec") or {}, obj["metadata"]
    last = _parse((obj.get("status") or {}).get("lastActiveTime"))
    now = _now()
    if last is None:
        created = _parse(md.get("creationTimestamp")) or now
        wait = spec.get("initialCooldownPeriod")
        due = created + dt.timedelta(seconds=int(DEFAULT_INITIAL_COOLDOWN if wait is None else wait))
    else:
        wait = spec.get("cooldownPeriod")
        due = last + dt.timedelta(seconds=int(DEFAULT_COOLDOWN if wait is None else wait))
    if not due < now:
        return COOLDOWN
    done = _write(cluster, obj, replicas, "deactivate", "KEDAScaleTargetDeactivationFailed")
    if done is not None:
        cluster.add_event(obj, "KEDAScaleTargetDeactivated", f"Deactivated {done}")
    return NOT_ACTIVE
