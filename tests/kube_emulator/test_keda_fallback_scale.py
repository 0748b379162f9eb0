"""KEDA's fallback for a Value metric divides by the ready pods of the target's scale subresource
selector (controllers/keda_fallback.py; upstream: kedacore/keda v2.20.2 pkg/fallback/fallback.go
getReadyReplicasCount: the scale client's Get, labels.Parse(scale.Status.Selector), the Running and
Ready pods; the HPA's Value proposal counts the same pods, kubernetes/kubernetes
pkg/controller/podautoscaler/replica_calculator.go getReadyPodsCount)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.kube_emulator.test_keda_fallback import FORMULA, Lab, _trigger

VALUE_FORMULA = {**FORMULA, "metricType": "Value"}


@pytest.fixture
def lab(kube_emulator_factory: Callable[..., Any]) -> Callable[..., Lab]:
    return lambda **spec: Lab(kube_emulator_factory, **spec)


def _ready_pod(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": {"containers": [{"name": "vllm", "image": "vllm"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    }  # fmt: skip


def test_a_value_fallback_divides_by_the_ready_pods_of_the_scale_selector(lab: Callable[..., Lab]) -> None:
    # A Deployment selecting its pods by matchExpressions only: the Scale's selector is
    # "app in (phi-4)" (scaleFromDeployment). Two of its pods are ready: fallback.replicas 4 over
    # 2 ready pods is 2 x the target 5 = 10, which the HPA's Value proposal reads back as
    # ceil(10 / 5 x 2 ready pods) = 4.
    subject = lab(
        triggers=[_trigger("queue", "queue"), _trigger("other", "other")],
        advanced={"scalingModifiers": VALUE_FORMULA, "horizontalPodAutoscalerConfig": {"behavior": {}}},
        fallback={"failureThreshold": 0, "replicas": 4},
    )
    cluster = subject.emu.cluster
    deployment = cluster.get("apps/v1", "Deployment", "default", "phi-4")
    cluster.delete("apps/v1", "Deployment", "default", "phi-4")
    deployment["spec"]["selector"] = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["phi-4"]}]}
    cluster.create({**deployment, "metadata": {"name": "phi-4", "namespace": "default"}})
    for name in ("phi-4-a", "phi-4-b"):
        cluster.create(_ready_pod(name, {"app": "phi-4"}))
    cluster.create(_ready_pod("other", {"app": "other"}))
    subject.prometheus.down.add("other")
    assert subject.sync() == 4
