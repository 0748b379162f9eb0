"""The HPA controller of kube-controller-manager as the lab runs it for KEDA's HPAs (controllers/hpa.py;
upstream: kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go, replica_calculator.go and
pkg/apis/autoscaling/v2/defaults.go). Time is the controller's own clock: each
``sync_period_passes`` is one 15 s sync, and ``clock.advance`` lets more time go by; nothing sleeps."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from tests.emulators.kube.controllers.hpa import HorizontalPodAutoscalerController, MetricError, NoMetrics
from tests.kube_emulator.test_crd_schema import CRD

HPA = "autoscaling/v2"
SELECTOR = {"scaledobject.keda.sh/name": "phi-4"}


class Lab:
    """A Deployment phi-4, KEDA's HPA for it (an External AverageValue metric, as KEDA writes it),
    and the value the metrics adapter answers (``value``; None: it fails)."""

    def __init__(self, factory: Callable[..., Any], replicas: int, behavior: dict[str, Any] | None = None,
                 high: int = 20, target: str = "5", more: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.emu = factory(crd_dirs=[], tls=False, builtin_controllers=False)
        self.value: float | None = 0.0
        # The values of the metrics ``more`` names (s1-prometheus, ...: KEDA's further triggers),
        # each with an AverageValue target of ``target``; None: the adapter fails.
        self.values: dict[str, float | None] = dict.fromkeys(more, 0.0)
        self.during_read: Callable[[], None] | None = None  # what happens while the HPA reads
        self.hpa = HorizontalPodAutoscalerController(self._metric, delay=0.01, resync=False)
        self.emu.controllers.add(self.hpa)
        self.emu.cluster.create({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "phi-4", "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "phi-4"}},
                     "template": {"metadata": {"labels": {"app": "phi-4"}},
                                  "spec": {"containers": [{"name": "vllm", "image": "vllm"}]}}},
        })  # fmt: skip
        self._settle()
        spec: dict[str, Any] = {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "phi-4"},
            "minReplicas": 1,
            "maxReplicas": high,
            "metrics": [{"type": "External", "external": {
                "metric": {"name": metric, "selector": {"matchLabels": SELECTOR}},
                "target": {"type": "AverageValue", "averageValue": target}}} for metric in ("s0-prometheus", *more)],
        }  # fmt: skip
        if behavior is not None:
            spec["behavior"] = behavior
        meta = {"name": "keda-hpa-phi-4", "namespace": "default"}
        self.emu.cluster.create({"apiVersion": HPA, "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": spec})

    def _metric(self, cluster: Any, namespace: str, name: str, selector: Mapping[str, str]) -> float:
        assert (namespace, dict(selector)) == ("default", SELECTOR)
        if self.during_read is not None:
            self.during_read()
        value = self.value if name == "s0-prometheus" else self.values[name]
        if value is None:
            raise MetricError("prometheus metrics 'prometheus' target may be lost, the result is empty")
        if math.isnan(value):
            raise NoMetrics("an empty list")
        return value

    def _settle(self) -> None:
        """The Deployment's pods follow its spec (status.replicas, what the HPA divides by)."""
        want = self.emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"]
        self.emu.cluster.patch_status("apps/v1", "Deployment", "default", "phi-4", {"replicas": want})

    def sync(self, value: float | None) -> int:
        """The adapter answers ``value``, 15 s pass (one sync); the Deployment's replicas after it."""
        self.value = value
        self.hpa.sync_period_passes()
        self._settle()
        return int(self.emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"])

    def status(self) -> dict[str, Any]:
        return dict(self.emu.cluster.get(HPA, "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4")["status"])

    def condition(self, ctype: str) -> tuple[str, str]:
        [found] = [c for c in self.status()["conditions"] if c["type"] == ctype]
        return found["status"], found["reason"]

    def events(self, reason: str) -> list[str]:
        return [e["message"] for e in self.emu.cluster.list("v1", "Event", "default") if e["reason"] == reason]


@pytest.fixture
def lab(kube_emulator_factory: Callable[..., Any]) -> Callable[..., Lab]:
    return lambda *args, **kwargs: Lab(kube_emulator_factory, *args, **kwargs)


def test_a_queue_over_the_target_scales_to_the_value_over_the_target_per_replica(lab: Callable[..., Lab]) -> None:
    # GetExternalPerPodMetricReplicas: ceil(12 / 5) = 3.
    assert lab(1).sync(12) == 3


def test_a_ratio_within_the_tolerance_keeps_the_replicas(lab: Callable[..., Lab]) -> None:
    # 10.8 / (5 x 2) = 1.08, within 0.1 of 1: ceil(10.8 / 5) = 3 is not proposed.
    assert lab(2).sync(10.8) == 2


def test_a_ratio_just_outside_the_tolerance_rescales(lab: Callable[..., Lab]) -> None:
    assert lab(2).sync(11.5) == 3


def test_a_scale_down_waits_for_the_five_minute_stabilization_window(lab: Callable[..., Lab]) -> None:
    # stabilizeRecommendation: the highest recommendation of the last 300 s, the first being the
    # replica count the HPA found.
    subject = lab(3)
    assert subject.sync(0) == 3
    assert subject.condition("AbleToScale") == ("True", "ScaleDownStabilized")
    subject.hpa.clock.advance(270)  # 285 s after the first sync
    assert subject.sync(0) == 3
    assert subject.sync(0) == 1  # 300 s: the 3 has left the window


def test_a_short_dip_in_the_queue_does_not_scale_down(lab: Callable[..., Lab]) -> None:
    subject = lab(1)
    assert subject.sync(15) == 3
    assert subject.sync(0) == 3
    assert subject.sync(15) == 3


def test_without_behavior_a_scale_up_is_capped_at_twice_the_replicas_or_four_per_sync(lab: Callable[..., Lab]) -> None:
    # convertDesiredReplicasWithRules: max(2 x current, 4).
    subject = lab(1)
    assert [subject.sync(200) for _ in range(4)] == [4, 8, 16, 20]
    assert subject.condition("ScalingLimited") == ("True", "TooManyReplicas")


def test_the_default_behavior_adds_four_pods_or_doubles_per_15_seconds(lab: Callable[..., Lab]) -> None:
    # An empty behavior gets the API server's defaults (defaults.go): Max of Pods 4 and Percent 100
    # per 15 s, so 1 -> 5 where the path without behavior gives 4.
    subject = lab(1, behavior={})
    assert [subject.sync(100) for _ in range(3)] == [5, 10, 20]


def test_the_default_behavior_also_waits_five_minutes_to_scale_down(lab: Callable[..., Lab]) -> None:
    subject = lab(4, behavior={})
    assert subject.sync(0) == 4
    subject.hpa.clock.advance(300)
    assert subject.sync(0) == 1


def test_a_behaviors_scale_down_window_and_policy_are_honoured(lab: Callable[..., Lab]) -> None:
    # One pod per 60 s after a 30 s window (calculateScaleDownLimitWithBehaviors).
    behavior = {
        "scaleDown": {"stabilizationWindowSeconds": 30, "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}
    }
    subject = lab(4, behavior=behavior)
    assert subject.sync(0) == 4
    assert subject.sync(0) == 4  # 30 s: the window still holds the 4
    assert subject.sync(0) == 3  # 45 s
    assert subject.condition("ScalingLimited") == ("True", "ScaleDownLimit")
    assert [subject.sync(0) for _ in range(4)] == [3, 3, 3, 2]  # the next pod 60 s after the first


def test_a_disabled_scale_up_keeps_the_replicas(lab: Callable[..., Lab]) -> None:
    assert lab(2, behavior={"scaleUp": {"selectPolicy": "Disabled"}}).sync(100) == 2


def test_a_rescale_is_a_successful_rescale_event_and_the_status_says_so(lab: Callable[..., Lab]) -> None:
    subject = lab(1)
    subject.sync(12)
    selector = (
        "&LabelSelector{MatchLabels:map[string]string{scaledobject.keda.sh/name: phi-4,},"
        "MatchExpressions:[]LabelSelectorRequirement{},}"
    )
    assert subject.events("SuccessfulRescale") == [
        f"New size: 3; reason: external metric s0-prometheus({selector}) above target"
    ]
    status = subject.status()
    assert (status["currentReplicas"], status["desiredReplicas"]) == (1, 3) and "lastScaleTime" in status
    assert subject.condition("ScalingActive") == ("True", "ValidMetricFound")


def test_a_metric_the_adapter_cannot_give_keeps_the_replicas_and_says_why(lab: Callable[..., Lab]) -> None:
    subject = lab(2)
    assert subject.sync(None) == 2
    assert subject.condition("ScalingActive") == ("False", "FailedGetExternalMetric")
    [event] = subject.events("FailedGetExternalMetric")
    assert "target may be lost" in event


def test_replicas_below_the_minimum_are_raised_to_it_at_once(lab: Callable[..., Lab]) -> None:
    subject = lab(1)
    subject.emu.cluster.patch(HPA, "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4", {"spec": {"minReplicas": 3}})
    assert subject.sync(0) == 3
    assert subject.events("SuccessfulRescale") == [
        "New size: 3; reason: Current number of replicas below Spec.MinReplicas"
    ]


def test_an_hpa_deleted_while_it_syncs_is_not_a_controller_error(lab: Callable[..., Lab]) -> None:
    # KEDA's HPA goes with its ScaledObject; the status write then meets a 404, which upstream
    # only logs (processNextWorkItem); the next reconcileKey finds the HPA gone.
    subject = lab(1)
    cluster = subject.emu.cluster
    subject.during_read = lambda: cluster.delete(HPA, "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4")
    assert subject.sync(12) == 3
    assert subject.emu.controllers.errors == []


def test_a_target_deleted_while_the_hpa_syncs_is_a_failed_rescale(lab: Callable[..., Lab]) -> None:
    subject = lab(1)
    subject.during_read = lambda: subject.emu.cluster.delete("apps/v1", "Deployment", "default", "phi-4")
    subject.value = 12
    subject.hpa.sync_period_passes()
    assert subject.emu.controllers.errors == []
    assert subject.condition("AbleToScale") == ("False", "FailedUpdateScale")
    [event] = subject.events("FailedRescale")
    assert event.startswith("New size: 3; reason: external metric s0-prometheus(")


def test_of_several_metrics_the_largest_proposal_wins(lab: Callable[..., Lab]) -> None:
    # computeReplicasForMetrics: s0 proposes ceil(12 / 5) = 3, s1 ceil(22 / 5) = 5.
    subject = lab(1, behavior={}, more=("s1-prometheus",))
    subject.values["s1-prometheus"] = 22
    assert subject.sync(12) == 5
    [event] = subject.events("SuccessfulRescale")
    assert event.startswith("New size: 5; reason: external metric s1-prometheus(")


def test_a_metric_that_fails_beside_one_that_scales_up_still_scales_up(lab: Callable[..., Lab]) -> None:
    subject = lab(1, behavior={}, more=("s1-prometheus",))
    subject.values["s1-prometheus"] = None
    assert subject.sync(12) == 3
    assert subject.condition("ScalingActive") == ("True", "ValidMetricFound")
    assert len(subject.events("FailedGetExternalMetric")) == 1
    assert subject.events("FailedComputeMetricsReplicas") == []


def test_a_metric_that_fails_beside_one_that_scales_down_keeps_the_replicas(lab: Callable[..., Lab]) -> None:
    # Some metrics invalid and the others would scale down: no rescale (computeReplicasForMetrics).
    subject = lab(4, behavior={"scaleDown": {"stabilizationWindowSeconds": 0}}, more=("s1-prometheus",))
    subject.values["s1-prometheus"] = None
    assert subject.sync(0) == 4
    assert subject.condition("ScalingActive") == ("False", "FailedGetExternalMetric")
    [event] = subject.events("FailedComputeMetricsReplicas")
    assert event.startswith(
        "invalid metrics (1 invalid out of 2), first error is: failed to get s1-prometheus external"
    )


SELECTOR_TEXT = (
    "&LabelSelector{MatchLabels:map[string]string{scaledobject.keda.sh/name: phi-4,},"
    "MatchExpressions:[]LabelSelectorRequirement{},}"
)
UNREAD = (
    f"unable to get external metric default/s0-prometheus/{SELECTOR_TEXT}: unable to fetch metrics from external "
    "metrics API: prometheus metrics 'prometheus' target may be lost, the result is empty"
)


def test_a_metric_that_cannot_be_read_says_the_replica_calculators_error(lab: Callable[..., Lab]) -> None:
    # replica_calculator.go GetExternalPerPodMetricReplicas wraps the metrics client's error, which
    # wraps the API's (metrics/client.go); the Event and the condition say it as it is.
    subject = lab(2)
    subject.sync(None)
    assert subject.events("FailedGetExternalMetric") == [UNREAD]
    [cond] = [c for c in subject.status()["conditions"] if c["type"] == "ScalingActive"]
    assert cond["message"] == f"the HPA was unable to compute the replica count: {UNREAD}"


def test_failed_compute_metrics_replicas_wraps_the_error_twice(lab: Callable[..., Lab]) -> None:
    # computeStatusForExternalMetric, then computeReplicasForMetric (horizontal.go).
    subject = lab(2)
    subject.sync(None)
    assert subject.events("FailedComputeMetricsReplicas") == [
        "invalid metrics (1 invalid out of 1), first error is: failed to get s0-prometheus external metric value: "
        f"failed to get s0-prometheus external metric: {UNREAD}"
    ]


def test_an_empty_answer_is_no_metrics_returned(lab: Callable[..., Lab]) -> None:
    subject = lab(2)
    assert subject.sync(math.nan) == 2
    assert subject.events("FailedGetExternalMetric") == [
        f"unable to get external metric default/s0-prometheus/{SELECTOR_TEXT}: "
        "no metrics returned from external metrics API"
    ]


# ---- the scale subresource (horizontal.go reconcileAutoscaler: scaleForResourceMappings, the Scale's
# Update at its resourceVersion, FailedRescale; validateAndParseSelector "selector is required") ----


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
