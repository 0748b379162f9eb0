"""What `model status` says of a model's autoscaler: KEDA's ScaledObject of the model (akscli's
own, templates/model/keda.yaml.j2, or keda-kaito-scaler's for an InferenceSet: both are named as
the model) and the HPA KEDA makes from it. One GET each; nothing when the cluster serves no KEDA
or the model has no ScaledObject.

upstream: kedacore/keda 8b4f083c
- apis/keda/v1alpha1/scaledobject_webhook.go getHpaName, controllers/keda/hpa.go
  createAndDeployNewHPA: the HPA is ``keda-hpa-<ScaledObject>``, or
  spec.advanced.horizontalPodAutoscalerConfig.name when set.
- apis/keda/v1alpha1/scaledobject_types.go: maxReplicaCount defaults to 100 (defaultHPAMaxReplicas);
  minReplicaCount to 0 (the HPA's floor is then 1, GetHPAMinReplicas, and KEDA scales 1 to 0).
- apis/keda/v1alpha1/condition_types.go: the Ready and Active conditions (ScaledObjectReady;
  pkg/scaling/executor/scale_scaledobjects.go ScalerActive / ScalerNotActive).
- kaito-project/keda-kaito-scaler 3ce909d4 pkg/scaledobject/provisioner.go: the ScaledObject of an
  InferenceSet is named as the set.
The HPA's status.currentReplicas and desiredReplicas are kube-controller-manager's (kubernetes/api
autoscaling/v2 HorizontalPodAutoscalerStatus)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.kube.client import Kube
from akscli.model.kinds import KEDA_API

HPA_API = "autoscaling/v2"
DEFAULT_MAX = 100  # kedacore/keda apis/keda/v1alpha1/scaledobject_types.go defaultHPAMaxReplicas


def hpa_name(scaled_object: Mapping[str, Any]) -> str:
    """The HPA KEDA makes for ``scaled_object`` (kedacore/keda scaledobject_webhook.go getHpaName)."""
    spec = scaled_object.get("spec") or {}
    custom = ((spec.get("advanced") or {}).get("horizontalPodAutoscalerConfig") or {}).get("name")
    return str(custom) if custom else f"keda-hpa-{(scaled_object.get('metadata') or {}).get('name')}"


def _condition(obj: Mapping[str, Any], kind: str) -> dict[str, Any] | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return {"status": cond.get("status"), "reason": cond.get("reason"), "message": cond.get("message")}
    return None


def report(kube: Kube, name: str, namespace: str) -> dict[str, Any] | None:
    """The model's autoscaling now: min, max, the HPA's current and desired replicas and the
    ScaledObject's Ready and Active conditions; None when it has no ScaledObject."""
    if not kube.has_api(KEDA_API, "ScaledObject"):
        return None
    scaled = kube.get(KEDA_API, "ScaledObject", name, namespace)
    if scaled is None:
        return None
    spec = scaled.get("spec") or {}
    hpa = hpa_name(scaled)
    found = kube.get(HPA_API, "HorizontalPodAutoscaler", hpa, namespace)
    status = (found or {}).get("status") or {}
    return {
        "scaledObject": name,
        "min": int(spec.get("minReplicaCount") or 0),
        "max": int(spec.get("maxReplicaCount") or DEFAULT_MAX),
        "hpa": hpa,
        "hpaFound": found is not None,
        "currentReplicas": status.get("currentReplicas"),
        "desiredReplicas": status.get("desiredReplicas"),
        "ready": _condition(scaled, "Ready"),
        "active": _condition(scaled, "Active"),
    }


def line(doc: Mapping[str, Any]) -> str:
    """The report as one line of `model status`'s table:
    ``1:4 by KEDA; HPA keda-hpa-phi-4: 2 replicas, wants 3; Ready True (ScaledObjectReady), Active <none>``."""
    if doc["hpaFound"]:
        current, desired = doc["currentReplicas"], doc["desiredReplicas"]
        hpa = f"HPA {doc['hpa']}: {_count(current)} replicas, wants {_count(desired)}"
    else:
        hpa = f"HPA {doc['hpa']} not made yet"
    conds = ", ".join(f"{label} {_said(doc[key])}" for label, key in (("Ready", "ready"), ("Active", "active")))
    return f"{doc['min']}:{doc['max']} by KEDA; {hpa}; {conds}"


def _count(value: Any) -> str:
    return "<none>" if value is None else str(value)


def _said(cond: Mapping[str, Any] | None) -> str:
    if not cond:
        return "<none>"
    return f"{cond.get('status')} ({cond['reason']})" if cond.get("reason") else str(cond.get("status"))
