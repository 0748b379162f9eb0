"""The ScaledObject keda-kaito-scaler provisions for an InferenceSet, its readiness gate and its
formula, as the KEDA simulator reads them (controllers/keda_kaito_scaler.py, keda.py, keda_formula.py;
upstream: kaito-project/keda-kaito-scaler v0.6.2 cdd9aee2 pkg/scaledobject/provisioner.go,
pkg/scaler/scaler.go, pkg/aggregator/service_avg_aggregator.go; kedacore/keda v2.20.2
controllers/keda/hpa.go, pkg/scaling/modifiers/formula.go)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube.controllers.keda import hpa_for
from tests.emulators.kube.controllers.keda_formula import evaluate
from tests.emulators.kube.controllers.keda_kaito_scaler import (
    ExternalScalerError,
    KaitoScalerMetrics,
    formula_var,
    scaled_object_for,
)

# What akscli writes on an InferenceSet for --autoscale 1:4 (akscli.model.runtime_values).
METRICS = "- name: vllm:num_requests_waiting\n  type: gauge\n  upthreshold: 5\n  downthreshold: 1\n"
SET = {
    "apiVersion": "kaito.sh/v1beta1",
    "kind": "InferenceSet",
    "metadata": {
        "name": "phi-4",
        "namespace": "ml",
        "uid": "u-1",
        "annotations": {
            "scaledobject.kaito.sh/auto-provision": "true",
            "scaledobject.kaito.sh/min-replicas": "1",
            "scaledobject.kaito.sh/max-replicas": "4",
            "scaledobject.kaito.sh/metrics": METRICS,
        },
    },
}
FORMULA = "(readiness_gate == 1 && vllm_num_requests_waiting > 5) ? 2.0 : ((vllm_num_requests_waiting < 1) ? 0.5 : 1.0)"


def _scaled_object() -> dict[str, Any]:
    so = scaled_object_for(SET, 1, 4)
    assert so is not None
    return so


def test_the_formula_scales_up_only_with_every_replica_ready_and_down_on_an_idle_queue() -> None:
    assert _scaled_object()["spec"]["advanced"]["scalingModifiers"] == {
        "formula": FORMULA,
        "target": "1",
        "metricType": "Value",
    }


def test_each_metric_is_an_external_value_trigger_plus_the_readiness_gate() -> None:
    triggers = _scaled_object()["spec"]["triggers"]
    assert [(t["name"], t["metricType"], t["metadata"]["aggregation"]) for t in triggers] == [
        ("vllm_num_requests_waiting", "Value", "service-avg"),
        ("readiness_gate", "Value", "gate"),
    ]
    assert triggers[0]["metadata"]["metricName"] == "vllm:num_requests_waiting"
    assert {t["authenticationRef"]["kind"] for t in triggers} == {"ClusterTriggerAuthentication"}


def test_the_hpa_behavior_adds_or_removes_one_replica_per_five_minutes_after_its_windows() -> None:
    behavior = _scaled_object()["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
    assert behavior["scaleUp"]["stabilizationWindowSeconds"] == 60  # the evaluation window
    assert behavior["scaleDown"]["stabilizationWindowSeconds"] == 300
    for rules in behavior.values():
        assert rules["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": 300}]


def test_keda_gives_the_hpa_one_composite_value_metric_with_the_behavior() -> None:
    so = _scaled_object()
    so["metadata"]["uid"] = "so-1"
    spec = hpa_for(so)["spec"]
    assert [m["external"]["metric"]["name"] for m in spec["metrics"]] == ["composite-metric"]
    assert spec["metrics"][0]["external"]["target"] == {"type": "Value", "value": "1"}
    assert spec["behavior"] == so["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]


def test_annotations_it_refuses_provision_nothing() -> None:
    annotations = dict(SET["metadata"]["annotations"])
    annotations["scaledobject.kaito.sh/metrics"] = METRICS.replace("downthreshold: 1", "downthreshold: 9")
    bad = {**SET, "metadata": {**SET["metadata"], "annotations": annotations}}
    assert scaled_object_for(bad, 1, 4) is None  # downthreshold above upthreshold


@pytest.mark.parametrize(
    ("gate", "queue", "multiplier"),
    [(1, 12, 2.0), (0, 12, 1.0), (1, 3, 1.0), (1, 0, 0.5), (0, 0, 0.5)],
)
def test_the_formula_reads_the_gate_and_the_queue(gate: int, queue: float, multiplier: float) -> None:
    assert evaluate(FORMULA, {"readiness_gate": gate, "vllm_num_requests_waiting": queue}) == multiplier


def test_a_formula_the_lab_cannot_read_is_refused() -> None:
    with pytest.raises(ValueError, match="does not read"):
        evaluate("max(a, b)", {"a": 1, "b": 2})


def test_metric_names_become_formula_names() -> None:
    assert (formula_var("vllm:num_requests_waiting"), formula_var("9lives")) == ("vllm_num_requests_waiting", "_9lives")


class _Cluster:
    def __init__(self, replicas: int | None, ready: int, services: int = 2) -> None:
        spec = {} if replicas is None else {"replicas": replicas}
        self.set = {"metadata": {"name": "phi-4"}, "spec": spec, "status": {"readyReplicas": ready}}
        self.services = services

    def get(self, api: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.set if (kind, namespace, name) == ("InferenceSet", "ml", "phi-4") else None

    def list(self, api: str, kind: str, namespace: str, selector: str) -> list[dict[str, Any]]:
        return [{"metadata": {"name": f"phi-4-{i}"}} for i in range(self.services)]


class _Services:
    def __init__(self, *queues: float) -> None:
        self.queues = list(queues)

    def get(self, url: str) -> tuple[int, bytes]:
        index = int(url.split("//")[1].split(".")[0].rsplit("-", 1)[1])
        return 200, f"vllm:num_requests_waiting {self.queues[index]}\n".encode()


GATE = {
    "inferenceSetName": "phi-4",
    "inferenceSetNamespace": "ml",
    "metricName": "readiness_gate",
    "aggregation": "gate",
}
QUEUE = {"inferenceSetName": "phi-4", "inferenceSetNamespace": "ml", "metricName": "vllm:num_requests_waiting",
         "aggregation": "service-avg"}  # fmt: skip


@pytest.mark.parametrize(("replicas", "ready", "value"), [(3, 2, 0.0), (3, 3, 1.0), (None, 1, 1.0), (None, 0, 0.0)])
def test_the_readiness_gate_is_one_once_the_ready_replicas_reach_the_desired(
    replicas: int | None, ready: int, value: float
) -> None:
    # readinessGateValue: spec.replicas defaults to 1.
    assert KaitoScalerMetrics(_Services()).get_metrics(_Cluster(replicas, ready), GATE) == value  # type: ignore[arg-type]


def test_a_gauge_is_averaged_over_the_sets_services() -> None:
    metrics = KaitoScalerMetrics(_Services(12, 0))  # type: ignore[arg-type]
    assert metrics.get_metrics(_Cluster(2, 2), QUEUE) == 6.0


def test_a_gauge_no_service_exposes_is_an_error() -> None:
    metrics = KaitoScalerMetrics(_Services(1, 1))  # type: ignore[arg-type]
    with pytest.raises(ExternalScalerError, match="not exposed by any scraped service"):
        metrics.get_metrics(_Cluster(2, 2), {**QUEUE, "metricName": "vllm:num_requests_running"})
