"""What `model status` says of a model's autoscaler: KEDA's ScaledObject of the model (akscli's
own, templates/model/keda.yaml.j2, or keda-kaito-scaler's for an InferenceSet: both are named as
the model) and the HPA KEDA makes from it. One GET each (two more, the collector's Deployment and
settings, for a workspace trigger); nothing when the cluster serves no KEDA or the model has no
ScaledObject. For a workspace trigger, KEDA's own workload identity too (akscli.model.keda_identity:
one list of its operator pods, one GET of their service account), since without it KEDA builds no
scaler and makes no HPA.

upstream: kedacore/keda 8b4f083c
- apis/keda/v1alpha1/scaledobject_webhook.go getHpaName, controllers/keda/hpa.go
  createAndDeployNewHPA: the HPA is ``keda-hpa-<ScaledObject>``, or
  spec.advanced.horizontalPodAutoscalerConfig.name when set.
- apis/keda/v1alpha1/scaledobject_types.go: maxReplicaCount defaults to 100 (defaultHPAMaxReplicas);
  minReplicaCount to 0 (the HPA's floor is then 1, GetHPAMinReplicas, and KEDA scales 1 to 0).
- apis/keda/v1alpha1/condition_types.go: the Ready and Active conditions (ScaledObjectReady;
  pkg/scaling/executor/scale_scaledobjects.go ScalerActive / ScalerNotActive).
- kaito-project/keda-kaito-scaler 3ce909d4 pkg/scaledobject/provisioner.go: the ScaledObject of an
  InferenceSet is named as the set, annotated ``scaledobject.kaito.sh/managed-by: keda-kaito-scaler``
  (pkg/constants/constants.go AnnotationKeyManagedBy), and its scalingModifiers formula "always
  evaluates to exactly one of" 2.0, 1.0 and 0.5 with no activationTarget; KEDA then sets Active
  while the composite is over the activationTarget, 0 when unset (kedacore/keda 8b4f083c
  pkg/scaling/scale_handler.go getScaledObjectState), so that ScaledObject is Active on every poll
  whose triggers answer, whatever the queue (formula_note).
The HPA's status.currentReplicas and desiredReplicas are kube-controller-manager's (kubernetes/api
autoscaling/v2 HorizontalPodAutoscalerStatus).

A prometheus trigger on an Azure Monitor workspace is also checked against the ``cluster`` label
the add-on's collector stamps now (workspace_check): the deploy pinned KEDA's query to the label it
read then (deploy.queue_query), and the collector takes a new ``cluster_alias`` when its settings
change (Azure/prometheus-collector 39583fd5 otelcollector/main/main.go: an inotify watch on
/etc/config/settings makes /health answer 503 "config changed", and the liveness probe of
otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/templates/ama-metrics-deployment.yaml
restarts the container, whose Configure reads the alias again:
otelcollector/shared/configmap/mp/tomlparser-prometheus-collector-settings.go). From then on the
old label's query finds no series: with ignoreNullValues "false" KEDA's scaler fails ("prometheus
metrics 'prometheus' target may be lost, the result is empty", kedacore/keda
pkg/scalers/prometheus_scaler.go ExecutePromQuery) and the model no longer scales."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from akscli.errors import AkscliError
from akscli.kube.client import Kube
from akscli.model import monitoring
from akscli.model.kinds import KAITO_SCALER_PREFIX, KEDA_API

HPA_API = "autoscaling/v2"
DEFAULT_MAX = 100  # kedacore/keda apis/keda/v1alpha1/scaledobject_types.go defaultHPAMaxReplicas
DEFAULT_COOLDOWN = 300  # kedacore/keda v2.20.2 pkg/scaling/executor/scale_executor.go defaultCooldownPeriod
KAITO_SCALER = "keda-kaito-scaler"  # kaito-project/keda-kaito-scaler pkg/scaler/scaler.go ScalerName
# The cluster matcher monitoring.cluster_matcher writes: a PromQL string, as JSON writes it.
_PINNED = re.compile(r'[{,]\s*cluster\s*=\s*("(?:[^"\\]|\\.)*")')


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
        "idle": spec.get("idleReplicaCount"),
        "cooldownPeriod": int(spec.get("cooldownPeriod", DEFAULT_COOLDOWN)),
        "lastActiveTime": (scaled.get("status") or {}).get("lastActiveTime"),
        "managedBy": ((scaled.get("metadata") or {}).get("annotations") or {}).get(f"{KAITO_SCALER_PREFIX}managed-by"),
        "workspaceCluster": workspace_check(kube, scaled),
        "kedaIdentity": identity_check(kube, scaled),
    }


def identity_check(kube: Kube, scaled_object: Mapping[str, Any]) -> dict[str, Any] | None:
    """For a ScaledObject whose prometheus trigger queries an Azure Monitor workspace: whether KEDA
    can sign in to it (akscli.model.keda_identity: ``ready`` true, false or null where it cannot
    be read, with ``detail`` and ``fix``). None for other triggers, or where no operator pod is found."""
    if workspace_trigger(scaled_object) is None:
        return None
    from akscli.model import keda_identity

    found = keda_identity.verdict(kube)
    return None if found is None else {"ready": found.ready, "detail": found.detail, "fix": found.fix}


def identity_warning(doc: Mapping[str, Any]) -> str | None:
    """The line `model status` warns with when KEDA cannot sign in to the workspace its query reads."""
    check = doc.get("kedaIdentity")
    return f"{check['detail']}; {check['fix']}" if check and check["ready"] is False else None


def workspace_check(kube: Kube, scaled_object: Mapping[str, Any]) -> dict[str, str | None] | None:
    """For a ScaledObject whose prometheus trigger queries an Azure Monitor workspace: the ``cluster``
    its query keeps (None: not pinned) and the one the collector stamps now
    (monitoring.collector_label). None for any other trigger, or where the collector cannot be read
    (the deploy said so then)."""
    if workspace_trigger(scaled_object) is None:
        return None
    try:
        label, _ = monitoring.collector_label(kube)
    except AkscliError:  # an API server that fails the read: nothing to compare with
        return None
    return pinned_against(scaled_object, label)


def workspace_trigger(scaled_object: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The metadata of the ScaledObject's prometheus trigger on an Azure Monitor workspace, if any."""
    for trigger in (scaled_object.get("spec") or {}).get("triggers") or []:
        meta = trigger.get("metadata") or {}
        if trigger.get("type") == "prometheus" and monitoring.is_workspace(str(meta.get("serverAddress") or "")):
            return meta
    return None


def pinned_against(scaled_object: Mapping[str, Any], label: str | None) -> dict[str, str | None] | None:
    """workspace_check with the collector's ``label`` already read (doctor reads it once for every
    ScaledObject)."""
    meta = workspace_trigger(scaled_object)
    if meta is None or label is None:
        return None
    found = _PINNED.search(str(meta.get("query") or ""))
    return {"query": _unquoted(found.group(1)) if found else None, "collector": label}


def _unquoted(text: str) -> str:
    try:
        return str(json.loads(text))
    except ValueError:  # a Go escape JSON does not know: shown as written
        return text[1:-1]


def workspace_warning(doc: Mapping[str, Any], name: str) -> str | None:
    """The line `model status` warns with when KEDA's query does not keep this cluster's series of the
    workspace: pinned to a label the collector no longer stamps, or not pinned at all."""
    gap = workspace_gap(doc.get("workspaceCluster"), name)
    return f"{gap[0]}; {gap[1]}" if gap else None


def workspace_gap(check: Mapping[str, Any] | None, name: str) -> tuple[str, str] | None:
    """What is wrong with a workspace_check, and the redeploy that fixes it; None when the query keeps
    the collector's label (or nothing could be compared)."""
    if not check or check["query"] == check["collector"]:
        return None
    now = monitoring.cluster_matcher(check["collector"])
    if check["query"] is None:
        return (
            f"KEDA's query is not pinned to this cluster ({now}): it sums the queue of every cluster that sends "
            "to the workspace and runs this model in this namespace",
            f"run akscli model deploy {name} again, with the same flags, to pin it",
        )
    return (
        f"KEDA's query keeps {monitoring.cluster_matcher(check['query'])}, but the collector labels this "
        f"cluster's series {now} now (its cluster_alias or CLUSTER changed): the query finds no series and the "
        "trigger fails",
        f"run akscli model deploy {name} again, with the same flags, to re-pin it",
    )


def line(doc: Mapping[str, Any]) -> str:
    """The report as one line of `model status`'s table:
    ``1:4 by KEDA; HPA keda-hpa-phi-4: 2 replicas, wants 3; Ready True (ScaledObjectReady), Active <none>``."""
    if doc["hpaFound"]:
        current, desired = doc["currentReplicas"], doc["desiredReplicas"]
        hpa = f"HPA {doc['hpa']}: {_count(current)} replicas, wants {_count(desired)}"
        if current is None and desired is None:
            # A new HPA's status is empty until the controller's first reconcile writes it
            # (kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go reconcileAutoscaler,
            # updateStatusIfNeeded): nothing to count yet, rather than "<none> replicas".
            hpa = f"HPA {doc['hpa']}: no replica count yet (the HPA controller has not synced it)"
    else:
        hpa = f"HPA {doc['hpa']} not made yet"
    conds = ", ".join(f"{label} {_said(doc[key])}" for label, key in (("Ready", "ready"), ("Active", "active")))
    said = f"{doc['min']}:{doc['max']} by KEDA; {hpa}; {conds}"
    notes = [note for note in (formula_note(doc), keda_state(doc)) if note]
    return "; ".join([said, *notes])


def formula_note(doc: Mapping[str, Any]) -> str | None:
    """What Active True means for keda-kaito-scaler's ScaledObject: its formula is 2.0 (add a
    replica), 1.0 (hold) or 0.5 (remove one), never at or under KEDA's activationTarget 0, so KEDA
    keeps it Active while its triggers answer, even with no request waiting (module docstring)."""
    if doc.get("managedBy") != KAITO_SCALER or (doc.get("active") or {}).get("status") != "True":
        return None
    return (
        "Active only says keda-kaito-scaler answered: its formula is 2 (add a replica), 1 (hold) or 0.5 "
        "(remove one), always over KEDA's activationTarget 0, whatever the queue; the HPA's wants says which"
    )


def keda_state(doc: Mapping[str, Any]) -> str | None:
    """What KEDA itself does between 0 (or idleReplicaCount) and 1, which its HPA cannot: None when
    it does nothing now. KEDA scales an idle target down once cooldownPeriod has passed since the
    last active trigger (Active False ScalerCooldown until then), and a target at 0 (or below
    minReplicaCount from idleReplicaCount) up to max(minReplicaCount, 1) as soon as a trigger is
    active; the HPA, at minReplicas 1, disables itself at 0 replicas (kedacore/keda v2.20.2
    pkg/scaling/executor/scale_scaledobjects.go RequestScale, scaleToZeroOrIdle, scaleFromZeroOrIdle;
    kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go ScalingDisabled)."""
    active = doc.get("active") or {}
    low = doc["idle"] if doc.get("idle") is not None else doc["min"]
    up = max(int(doc["min"]), 1)
    if active.get("reason") == "ScalerCooldown":
        since = f" since {doc['lastActiveTime']}" if doc.get("lastActiveTime") else ""
        return (
            f"cooling down: no trigger is active{since}; KEDA scales to {low} once cooldownPeriod "
            f"{doc['cooldownPeriod']}s has passed"
        )
    # KEDA scales in only with minReplicaCount 0 or an idleReplicaCount; otherwise the HPA keeps min
    if doc.get("idle") is None and int(doc["min"]) > 0:
        return None
    if not doc.get("hpaFound") or doc.get("currentReplicas") is None or int(doc["currentReplicas"]) > int(low):
        return None
    if active.get("status") == "True":
        return f"activating: a trigger is active, KEDA scales from {doc['currentReplicas']} to {up}"
    if int(doc["currentReplicas"]) == 0:
        return f"scaled to zero by KEDA: the first active trigger scales it to {up}"
    return f"idle at {low} by KEDA: the first active trigger scales it to {up}"


def _count(value: Any) -> str:
    return "<none>" if value is None else str(value)


def _said(cond: Mapping[str, Any] | None) -> str:
    if not cond:
        return "<none>"
    return f"{cond.get('status')} ({cond['reason']})" if cond.get("reason") else str(cond.get("status"))
