"""KEDA and keda-kaito-scaler simulators for the Kubernetes emulator.

``KedaController`` (keda.sh/v1alpha1 ScaledObject) scales the target's ``spec.replicas`` (what
its scale subresource writes) from a metric value the test sets with ``set_metric``:

* The HPA KEDA drives reads each trigger as an AverageValue target: desired replicas =
  ceil(value / threshold), clamped to [minReplicaCount, maxReplicaCount]
  (kedacore/keda v2.20.2 pkg/scalers/prometheus_scaler.go GetMetricSpecForScaling with the default
  AverageValue metric type; Kubernetes' HPA algorithm for AverageValue). The scaling between 0 and
  1 that KEDA does itself for minReplicaCount 0 is not simulated: akscli never renders it.
* An absent series (``set_metric(..., None)``): with ``ignoreNullValues`` true (KEDA's default)
  the scaler reads 0, so the target goes to its minimum; with ``"false"`` the scaler errors
  ("prometheus metrics 'prometheus' target may be lost, the result is empty", prometheus_scaler.go
  ExecutePromQuery) and the replicas stay as they are.
* A prometheus trigger reads the value only where its serverAddress holds the model's series,
  scraped and, for an Azure Monitor workspace, queried with KEDA's workload identity
  (prometheus.py, query_error); otherwise the scaler errors.
* A scaler error is a Warning Event KEDAScalerFailed on the ScaledObject with the error's text
  (pkg/scaling/scale_handler.go, getScalerState), and with no trigger active the Ready condition
  turns False, reason TriggerError, "Triggers defined in ScaledObject are not working correctly"
  (pkg/scaling/executor/scale_scaledobjects.go, RequestScale). A good read sets Ready True,
  ScaledObjectReady (apis/keda/v1alpha1/condition_types.go).

``KaitoScalerController`` stands for keda-kaito-scaler: for an InferenceSet annotated
``scaledobject.kaito.sh/auto-provision: "true"`` it creates a ScaledObject named after the set,
owned by it, targeting it, with min/max from ``scaledobject.kaito.sh/min-replicas`` (only above 1)
and ``max-replicas`` and an external trigger carrying the metric's up-threshold
(kaito-project/keda-kaito-scaler v0.6.2 pkg/controllers/autoprovision/controller.go, pkg/scaledobject).
The metric comes from the ``scaledobject.kaito.sh/metrics`` YAML list only: without it
auto-provisioning fails and no ScaledObject is made (v0.6.2 pkg/constants/constants.go,
AnnotationKeyMetrics); the ``metricName`` and ``threshold`` keys of v0.5 are not read.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.prometheus import EMPTY, query_error

KEDA = "keda.sh/v1alpha1"
KAITO = "kaito.sh/v1beta1"
PREFIX = "scaledobject.kaito.sh/"


class KedaController(Controller):
    watches: ClassVar[list[tuple[str, str]]] = [(KEDA, "ScaledObject")]

    def __init__(self, delay: float = 0.02) -> None:
        super().__init__(delay)
        # (namespace, ScaledObject name) -> the value the trigger's query or scraper returns.
        self.values: dict[tuple[str, str], float | None] = {}
        self._polls = 0

    def set_metric(self, cluster: Any, namespace: str, name: str, value: float | None) -> None:
        """Set what the trigger reads and make KEDA poll it (a ScaledObject change)."""
        self.values[(namespace, name)] = value
        self._polls += 1
        poll = {"metadata": {"annotations": {"sim.akscli.io/poll": str(self._polls)}}}
        cluster.patch(KEDA, "ScaledObject", namespace, name, poll)

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        md, spec = obj["metadata"], obj.get("spec") or {}
        key = (md["namespace"], md["name"])
        if key not in self.values:
            return
        trigger = (spec.get("triggers") or [{}])[0]
        meta = trigger.get("metadata") or {}
        value = self.values[key]
        if trigger.get("type") == "prometheus":
            error = query_error(cluster, md["namespace"], trigger)
            if error is not None and error != EMPTY:
                self._failed(cluster, obj, error)
                return
            if error == EMPTY:
                value = None
        if value is None:
            if str(meta.get("ignoreNullValues", "true")).lower() in ("false", "f", "0"):
                self._failed(cluster, obj, EMPTY)
                return
            value = 0.0
        threshold = float(meta.get("threshold") or 1)
        low = int(spec.get("minReplicaCount", 0))
        high = int(spec.get("maxReplicaCount", 100))
        desired = min(max(math.ceil(value / threshold), low), high)
        target = spec["scaleTargetRef"]
        api = target.get("apiVersion") or "apps/v1"
        cluster.patch(api, target["kind"], md["namespace"], target["name"], {"spec": {"replicas": desired}})
        self._ready(
            cluster, obj, True, "ScaledObjectReady", "ScaledObject is defined correctly and is ready for scaling"
        )

    def _failed(self, cluster: Any, obj: dict[str, Any], error: str) -> None:
        cluster.add_event(obj, "KEDAScalerFailed", error, type="Warning")
        self._ready(cluster, obj, False, "TriggerError", "Triggers defined in ScaledObject are not working correctly")

    def _ready(self, cluster: Any, obj: dict[str, Any], ok: bool, reason: str, message: str) -> None:
        md = obj["metadata"]
        cond = {"type": "Ready", "status": "True" if ok else "False", "reason": reason, "message": message}
        cluster.patch_status(KEDA, "ScaledObject", md["namespace"], md["name"], {"conditions": [cond]})


class KaitoScalerController(Controller):
    watches: ClassVar[list[tuple[str, str]]] = [(KAITO, "InferenceSet")]

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        md = obj["metadata"]
        ann = md.get("annotations") or {}
        if ann.get(f"{PREFIX}auto-provision") != "true":
            return
        high = int(ann.get(f"{PREFIX}max-replicas", "1"))
        low = int(ann.get(f"{PREFIX}min-replicas", "1"))
        low = low if low > 1 else 1
        if high <= 1 or high < low:
            return
        if not (ann.get(f"{PREFIX}metrics") or "").strip():
            return
        threshold = "1"
        for line in (ann.get(f"{PREFIX}metrics") or "").splitlines():
            if "upthreshold:" in line:
                threshold = line.split(":", 1)[1].strip()
        if cluster.get(KEDA, "ScaledObject", md["namespace"], md["name"]) is not None:
            return
        owner = {
            "apiVersion": KAITO,
            "kind": "InferenceSet",
            "name": md["name"],
            "uid": md.get("uid", ""),
            "controller": True,
            "blockOwnerDeletion": True,
        }
        cluster.create(
            {
                "apiVersion": KEDA,
                "kind": "ScaledObject",
                "metadata": {
                    "name": md["name"],
                    "namespace": md["namespace"],
                    "annotations": {f"{PREFIX}managed-by": "keda-kaito-scaler"},
                    "ownerReferences": [owner],
                },
                "spec": {
                    "scaleTargetRef": {"apiVersion": KAITO, "kind": "InferenceSet", "name": md["name"]},
                    "minReplicaCount": low,
                    "maxReplicaCount": high,
                    "triggers": [
                        {
                            "type": "external",
                            "name": "keda-kaito-scaler",
                            "metadata": {
                                "scalerName": "keda-kaito-scaler",
                                "threshold": threshold,
                                "inferenceSetName": md["name"],
                                "inferenceSetNamespace": md["namespace"],
                                "metricName": "vllm:num_requests_waiting",
                            },
                        }
                    ],
                },
            }
        )
