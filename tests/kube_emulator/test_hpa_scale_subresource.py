"""The HPA controller reads and writes its target through the scale subresource (controllers/hpa.py;
upstream: kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go reconcileAutoscaler:
scaleForResourceMappings, ``scaleNamespacer.Scales(ns).Update`` of the Scale it read, FailedRescale;
computeReplicasForMetrics / validateAndParseSelector: "selector is required")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube.controllers.hpa import HorizontalPodAutoscalerController
from tests.kube_emulator.test_crd_schema import CRD
from tests.kube_emulator.test_hpa_controller import HPA, SELECTOR, Lab


@pytest.fixture
def lab(kube_emulator_factory: Callable[..., Any]) -> Callable[..., Lab]:
    return lambda *args, **kwargs: Lab(kube_emulator_factory, *args, **kwargs)


def test_a_target_changed_between_the_scale_read_and_its_update_is_a_failed_rescale(lab: Callable[..., Lab]) -> None:
    subject = lab(1)
    cluster = subject.emu.cluster
    subject.during_read = lambda: cluster.patch(
        "apps/v1", "Deployment", "default", "phi-4", {"metadata": {"labels": {"team": "a"}}}
    )
    assert subject.sync(12) == 1  # the update at the read resourceVersion is refused
    assert subject.condition("AbleToScale") == ("False", "FailedUpdateScale")
    [event] = subject.events("FailedRescale")
    assert 'error: Operation cannot be fulfilled on deployments.apps "phi-4"' in event
    assert cluster.get("apps/v1", "Deployment", "default", "phi-4")["metadata"]["labels"] == {"team": "a"}
    assert subject.emu.controllers.errors == []
    subject.during_read = None
    assert subject.sync(12) == 3  # the next sync reads the scale afresh


def test_the_hpas_rescale_is_recorded_as_kube_controller_manager_on_the_scale_subresource(
    lab: Callable[..., Lab],
) -> None:
    subject = lab(1)
    assert subject.sync(12) == 3
    got = subject.emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    [entry] = [e for e in got["metadata"]["managedFields"] if e.get("subresource") == "scale"]
    assert (entry["manager"], entry["operation"], entry["fieldsV1"]) == (
        "kube-controller-manager",
        "Update",
        {"f:spec": {"f:replicas": {}}},
    )


def test_a_target_whose_scale_has_no_selector_keeps_its_replicas_and_says_so(
    kube_emulator_factory: Callable[..., Any],
) -> None:
    emu = kube_emulator_factory(crd_dirs=[], tls=False, builtin_controllers=False)
    hpa = HorizontalPodAutoscalerController(lambda *_: 100.0, delay=0.01, resync=False)
    emu.controllers.add(hpa)
    emu.cluster.create(CRD)  # Widget: a scale subresource without labelSelectorPath
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"}}
    emu.cluster.create({**widget, "spec": {"size": "small", "replicas": 2}})
    emu.cluster.create({
        "apiVersion": HPA, "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h", "namespace": "default"},
        "spec": {"scaleTargetRef": {"apiVersion": "example.com/v1", "kind": "Widget", "name": "w"},
                 "minReplicas": 1, "maxReplicas": 10,
                 "metrics": [{"type": "External", "external": {
                     "metric": {"name": "s0-prometheus", "selector": {"matchLabels": SELECTOR}},
                     "target": {"type": "AverageValue", "averageValue": "5"}}}]},
    })  # fmt: skip
    hpa.sync_period_passes()
    assert emu.cluster.get("example.com/v1", "Widget", "default", "w")["spec"]["replicas"] == 2
    status = emu.cluster.get(HPA, "HorizontalPodAutoscaler", "default", "h")["status"]
    [active] = [c for c in status["conditions"] if c["type"] == "ScalingActive"]
    assert (active["status"], active["reason"], active["message"]) == (
        "False",
        "InvalidSelector",
        "the HPA target's scale is missing a selector",
    )
    events = [(e["reason"], e["message"]) for e in emu.cluster.list("v1", "Event", "default")]
    assert ("SelectorRequired", "selector is required") in events
    assert ("FailedComputeMetricsReplicas", "selector is required") in events
