"""KEDA's fallback, useCachedMetrics, a failed trigger in a scalingModifiers formula and the Active
condition, as the KEDA simulator and the lab's HPA controller play them (controllers/keda.py,
keda_fallback.py, hpa.py; upstream: kedacore/keda v2.20.2 pkg/fallback/fallback.go,
pkg/scaling/scale_handler.go GetScaledObjectMetrics and getScaledObjectState,
pkg/scaling/modifiers/formula.go, pkg/scaling/executor/scale_scaledobjects.go RequestScale).
KEDA reads its triggers when a test polls it; the HPA syncs when a test lets its 15 s pass. The
ScaledObject's pollingInterval is an hour, so no wall-clock poll comes between; nothing sleeps."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube.controllers.hpa import HorizontalPodAutoscalerController
from tests.emulators.kube.controllers.keda import KedaController

KEDA, HPA = "keda.sh/v1alpha1", "autoscaling/v2"
APISERVICE = ("apiregistration.k8s.io/v1", "APIService")
ADDRESS = "http://prometheus.monitoring.svc:9090"


class Prometheus:
    """The in-cluster HTTP KEDA's prometheus scaler asks: each query's value (``values``), or a
    503 for a query listed in ``down``."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {"queue": 10.0, "other": 0.0}
        self.down: set[str] = set()
        self.during_read: Callable[[], None] | None = None  # what happens while KEDA reads

    def get(self, url: str) -> tuple[int, bytes]:
        if self.during_read is not None:
            self.during_read()
        query = url.split("query=", 1)[1].split("&", 1)[0]
        if query in self.down:
            return 503, b""
        result = [{"metric": {}, "value": [0, str(self.values[query])]}]
        return 200, json.dumps({"status": "success", "data": {"resultType": "vector", "result": result}}).encode()


def _trigger(name: str, query: str, **extra: Any) -> dict[str, Any]:
    meta = {"serverAddress": ADDRESS, "query": query, "threshold": "5", "ignoreNullValues": "false"}
    return {"type": "prometheus", "name": name, "metadata": meta, **extra}


class Lab:
    """A Deployment phi-4 of 2 replicas, its ScaledObject (``spec`` over one queue trigger), KEDA and
    the HPA controller."""

    def __init__(self, factory: Callable[..., Any], **spec: Any) -> None:
        self.emu = factory(tls=False, builtin_controllers=False)
        self.prometheus = Prometheus()
        self.keda = KedaController(delay=0.01, http=self.prometheus)  # type: ignore[arg-type]
        # The HPA reads KEDA through external.metrics.k8s.io; without the built-in controllers the
        # APIService that KEDA's chart registers is made Available here (aggregator.py's "Passed").
        self.hpa = HorizontalPodAutoscalerController(delay=0.01, resync=False)
        apiservice = {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                      "metadata": {"name": "v1beta1.external.metrics.k8s.io"},
                      "spec": {"group": "external.metrics.k8s.io", "version": "v1beta1",
                               "groupPriorityMinimum": 100, "versionPriority": 100}}  # fmt: skip
        self.emu.cluster.create(apiservice)
        available = [{"type": "Available", "status": "True", "reason": "Passed", "message": "all checks passed"}]
        self.emu.cluster.patch_status(*APISERVICE, None, "v1beta1.external.metrics.k8s.io", {"conditions": available})
        self.emu.controllers.add(self.keda)
        self.emu.controllers.add(self.hpa)
        self.emu.cluster.create({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "phi-4", "namespace": "default"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "phi-4"}},
                     "template": {"metadata": {"labels": {"app": "phi-4"}},
                                  "spec": {"containers": [{"name": "vllm", "image": "vllm"}]}}},
        })  # fmt: skip
        self._settle()
        body = {
            "scaleTargetRef": {"name": "phi-4"}, "minReplicaCount": 1, "maxReplicaCount": 10,
            "pollingInterval": 3600, "triggers": [_trigger("queue", "queue")],
            "advanced": {"horizontalPodAutoscalerConfig": {"behavior": {}}},
        } | spec  # fmt: skip
        meta = {"name": "phi-4", "namespace": "default"}
        self.emu.cluster.create({"apiVersion": KEDA, "kind": "ScaledObject", "metadata": meta, "spec": body})
        self._idle()

    def _idle(self) -> None:
        assert self.emu.controllers.idle()
        assert self.emu.controllers.errors == []

    def _settle(self) -> None:
        want = self.emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"]
        self.emu.cluster.patch_status("apps/v1", "Deployment", "default", "phi-4", {"replicas": want})

    def poll(self) -> None:
        """KEDA's polling loop reads the triggers once."""
        self.keda.poll(self.emu.cluster, "default", "phi-4")
        self._idle()

    def sync(self) -> int:
        """15 s pass: the HPA syncs (reading KEDA's metric); the Deployment's replicas after it."""
        self.hpa.sync_period_passes()
        self._idle()
        self._settle()
        return int(self.emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"])

    def scaled_object(self) -> dict[str, Any]:
        found: dict[str, Any] = self.emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4")
        return found

    def condition(self, ctype: str) -> tuple[str, str]:
        [found] = [c for c in self.scaled_object()["status"]["conditions"] if c["type"] == ctype]
        return found["status"], found["reason"]

    def events(self, reason: str) -> list[str]:
        return [e["message"] for e in self.emu.cluster.list("v1", "Event", "default") if e["reason"] == reason]


@pytest.fixture
def lab(kube_emulator_factory: Callable[..., Any]) -> Callable[..., Lab]:
    return lambda **spec: Lab(kube_emulator_factory, **spec)


def test_a_queue_over_the_activation_threshold_is_active(lab: Callable[..., Lab]) -> None:
    subject = lab()
    assert subject.condition("Active") == ("True", "ScalerActive")
    assert subject.condition("Ready") == ("True", "ScaledObjectReady")


def test_an_empty_queue_is_not_active(lab: Callable[..., Lab]) -> None:
    subject = lab()
    subject.prometheus.values["queue"] = 0
    subject.poll()
    assert subject.condition("Active") == ("False", "ScalerNotActive")


def test_without_fallback_a_failing_trigger_is_a_trigger_error_and_not_active(lab: Callable[..., Lab]) -> None:
    subject = lab()
    subject.prometheus.down.add("queue")
    subject.poll()
    assert subject.condition("Ready") == ("False", "TriggerError")
    assert subject.condition("Active") == ("False", "ScalerNotActive")
    assert subject.events("KEDAScalerFailed") == ["prometheus query api returned error. status: 503"]
    assert "health" not in subject.scaled_object()["status"]  # kept only with a fallback


def test_the_hpa_gets_keda_s_own_error_for_a_failing_trigger(lab: Callable[..., Lab]) -> None:
    subject = lab()
    subject.prometheus.down.add("queue")
    assert subject.sync() == 2
    # As a real cluster words it: the replica calculator's, the metrics client's and KEDA's gRPC
    # server's wrappings around GetScaledObjectMetrics's error (pkg/metricsservice/server.go).
    assert subject.events("FailedGetExternalMetric") == [
        "unable to get external metric default/s0-prometheus/&LabelSelector{MatchLabels:map[string]string{"
        "scaledobject.keda.sh/name: phi-4,},MatchExpressions:[]LabelSelectorRequirement{},}: unable to fetch "
        "metrics from external metrics API: rpc error: code = Unknown desc = error when getting metric values "
        "metric:s0-prometheus encountered error"
    ]


def test_past_the_failure_threshold_the_hpa_scales_to_the_fallback_replicas(lab: Callable[..., Lab]) -> None:
    # Each read counts a failure; past failureThreshold 2 the metric is threshold x replicas = 30,
    # which the HPA reads as 6 replicas.
    subject = lab(fallback={"failureThreshold": 2, "replicas": 6})
    subject.prometheus.down.add("queue")
    assert [subject.sync() for _ in range(3)] == [2, 2, 6]
    assert subject.scaled_object()["status"]["health"] == {
        "s0-prometheus": {"numberOfFailures": 3, "status": "Failing"}
    }
    assert subject.condition("Fallback") == ("True", "FallbackExists")


@pytest.mark.parametrize(("behavior", "replicas"), [("static", 1), ("currentReplicasIfHigher", 2)])
def test_the_fallback_behavior_picks_the_replicas(lab: Callable[..., Lab], behavior: str, replicas: int) -> None:
    # 2 replicas now, fallback.replicas 1; no scale-down window, so the HPA follows at once.
    window = {"horizontalPodAutoscalerConfig": {"behavior": {"scaleDown": {"stabilizationWindowSeconds": 0}}}}
    subject = lab(fallback={"failureThreshold": 0, "replicas": 1, "behavior": behavior}, advanced=window)
    subject.prometheus.down.add("queue")
    assert subject.sync() == replicas
    assert subject.condition("Fallback") == ("True", "FallbackExists")


def test_the_polling_loop_says_when_fallback_starts_and_ends(lab: Callable[..., Lab]) -> None:
    subject = lab(fallback={"failureThreshold": 1, "replicas": 6})
    subject.prometheus.down.add("queue")
    subject.poll()
    assert subject.condition("Fallback") == ("False", "NoFallbackFound")
    assert subject.condition("Ready") == ("True", "ScaledObjectReady")  # a fallback is set
    subject.poll()
    assert subject.condition("Fallback") == ("True", "FallbackExists")
    assert subject.condition("Active") == ("True", "ScalerActive")
    assert subject.events("ScaledObjectFallbackActivated") == ["ScaledObject fallback is active"]
    subject.prometheus.down.clear()
    subject.poll()
    assert subject.condition("Fallback") == ("False", "NoFallbackFound")
    assert subject.events("ScaledObjectFallbackDeactivated") == ["ScaledObject fallback is no longer active"]
    assert subject.scaled_object()["status"]["health"]["s0-prometheus"] == {"numberOfFailures": 0, "status": "Happy"}


def test_with_use_cached_metrics_the_hpa_reads_the_polling_loops_value(lab: Callable[..., Lab]) -> None:
    subject = lab(triggers=[_trigger("queue", "queue", useCachedMetrics=True)])
    subject.prometheus.values["queue"] = 0
    subject.poll()
    subject.prometheus.values["queue"] = 20  # not polled again before the HPA's sync
    assert subject.sync() == 2  # the cached 0


def test_without_use_cached_metrics_the_hpa_reads_the_trigger_now(lab: Callable[..., Lab]) -> None:
    subject = lab()
    subject.prometheus.values["queue"] = 0
    subject.poll()
    subject.prometheus.values["queue"] = 20
    assert subject.sync() == 4  # ceil(20 / 5)


# A formula the lab's reader reads (keda_formula.py: comparisons and ?:, as keda-kaito-scaler writes).
FORMULA = {"formula": "(queue > other) ? 10 : 5", "target": "5", "metricType": "AverageValue"}
ADVANCED = {"scalingModifiers": FORMULA, "horizontalPodAutoscalerConfig": {"behavior": {}}}


def test_a_failing_trigger_fails_the_formula_and_its_activity(lab: Callable[..., Lab]) -> None:
    subject = lab(
        triggers=[_trigger("queue", "queue"), _trigger("other", "other")],
        advanced=ADVANCED,
    )
    assert subject.condition("Active") == ("True", "ScalerActive")  # the formula reads 10 > 0
    subject.prometheus.down.add("other")
    subject.poll()
    assert subject.condition("Active") == ("False", "ScalerNotActive")
    assert subject.condition("Ready") == ("False", "TriggerError")
    assert subject.events("KEDAMetricSourceFailed") == ["prometheus query api returned error. status: 503"]
    assert subject.sync() == 2
    [event] = subject.events("FailedGetExternalMetric")
    assert event.endswith("metric:composite-metric encountered error")


def test_past_the_threshold_a_formula_reads_the_fallback_as_its_composite(lab: Callable[..., Lab]) -> None:
    subject = lab(
        triggers=[_trigger("queue", "queue"), _trigger("other", "other")],
        advanced=ADVANCED,
        fallback={"failureThreshold": 0, "replicas": 6},
    )
    subject.prometheus.down.add("other")
    assert subject.sync() == 6  # the formula's target 5 x 6 replicas


def test_a_scaled_object_deleted_while_the_hpa_reads_its_fallback_is_not_an_error(lab: Callable[..., Lab]) -> None:
    # The health write meets a 404, which KEDA only logs (fallback.go updateStatus). No garbage
    # collector runs here, so the HPA outlives its ScaledObject and still reads.
    subject = lab(fallback={"failureThreshold": 0, "replicas": 6})
    subject.prometheus.down.add("queue")
    cluster = subject.emu.cluster
    subject.prometheus.during_read = lambda: cluster.delete(KEDA, "ScaledObject", "default", "phi-4")
    subject.hpa.sync_period_passes()
    assert subject.emu.controllers.idle()
    assert subject.emu.controllers.errors == []


@pytest.mark.parametrize(
    ("target", "valid"),
    [("5", True), ("+5", True), ("0", False), ("-5", False), ("5.0", False), (str(2**63), False)],
)
def test_a_formulas_fallback_is_valid_where_go_parses_its_target_above_0(target: str, valid: bool) -> None:
    # HasValidFallback: strconv.ParseInt(target, 10, 64), which takes a sign and nothing past int64
    from tests.emulators.kube.controllers.keda_fallback import fallback_of

    obj = {
        "spec": {
            "fallback": {"failureThreshold": 3, "replicas": 6},
            "advanced": {"scalingModifiers": {**FORMULA, "target": target}},
        }
    }
    assert (fallback_of(obj) is not None) is valid


def test_hpa_active_waits_for_the_hpa_to_report_scaling_active(lab: Callable[..., Lab]) -> None:
    # getHPAHealth: no ScalingActive on the HPA yet, HPAActive is left unset.
    subject = lab()
    assert "HPAActive" not in [c["type"] for c in subject.scaled_object()["status"]["conditions"]]


def test_hpa_active_mirrors_an_hpa_that_scales(lab: Callable[..., Lab]) -> None:
    subject = lab()
    subject.sync()
    subject.poll()
    [cond] = [c for c in subject.scaled_object()["status"]["conditions"] if c["type"] == "HPAActive"]
    assert (cond["status"], cond["reason"], cond["message"]) == ("True", "HPAActive", "HPA is actively scaling")


def test_hpa_active_passes_on_the_hpas_reason_when_it_cannot_scale(lab: Callable[..., Lab]) -> None:
    # The HPA's own reason (FailedGetExternalMetric) and message, after "HPA is not actively scaling: ".
    subject = lab()
    subject.prometheus.down.add("queue")
    subject.sync()
    subject.poll()
    [cond] = [c for c in subject.scaled_object()["status"]["conditions"] if c["type"] == "HPAActive"]
    assert (cond["status"], cond["reason"]) == ("False", "FailedGetExternalMetric")
    assert cond["message"].startswith(
        "HPA is not actively scaling: the HPA was unable to compute the replica count: unable to get external metric "
        "default/s0-prometheus/"
    )


# Fallback behavior scalingModifiers: past the threshold a failing trigger is nil in the formula
# (fallback.go GetMetricsWithFallback, formula.go scalingModifierTriggerValue); ``??`` picks another.
NIL_FALLBACK = {"failureThreshold": 0, "replicas": 6, "behavior": "scalingModifiers"}


def _coalescing(formula: str) -> dict[str, Any]:
    modifiers = {"formula": formula, "target": "5", "metricType": "AverageValue"}
    return {"scalingModifiers": modifiers, "horizontalPodAutoscalerConfig": {"behavior": {}}}


def test_past_the_threshold_a_failing_trigger_is_nil_and_coalesces_to_the_next(lab: Callable[..., Lab]) -> None:
    subject = lab(
        triggers=[_trigger("queue", "queue"), _trigger("other", "other")],
        advanced=_coalescing("other ?? queue"),
        fallback=NIL_FALLBACK,
    )
    subject.prometheus.values["queue"] = 20
    subject.prometheus.down.add("other")
    assert subject.sync() == 4  # queue's 20 over the target 5
    assert subject.events("FailedGetExternalMetric") == []


def test_a_formula_that_comes_out_nil_is_the_fallback_replicas_times_the_target(lab: Callable[..., Lab]) -> None:
    # formula.go scalingModifiersFallbackTarget: 6 x 5 = 30, which the HPA reads as 6 replicas.
    subject = lab(
        triggers=[_trigger("queue", "queue"), _trigger("other", "other")],
        advanced=_coalescing("other ?? queue"),
        fallback=NIL_FALLBACK,
    )
    subject.prometheus.down.update({"queue", "other"})
    assert subject.sync() == 6


def test_a_nil_trigger_in_a_formula_without_coalescing_answers_no_metrics(lab: Callable[..., Lab]) -> None:
    # expr-lang cannot order nil; KEDA only logs it and its metrics server answers an empty list.
    subject = lab(
        triggers=[_trigger("queue", "queue"), _trigger("other", "other")],
        advanced=_coalescing("(other > 1) ? 10 : 5"),
        fallback=NIL_FALLBACK,
    )
    subject.prometheus.down.add("other")
    assert subject.sync() == 2
    [event] = subject.events("FailedGetExternalMetric")
    assert event.endswith(": no metrics returned from external metrics API")


def test_a_scaling_modifiers_fallback_keeps_the_scaled_object_ready_and_activates_no_fallback(
    lab: Callable[..., Lab],
) -> None:
    # The placeholder is no error and no active fallback (isFallbackActive stays false), though
    # the health past the threshold sets the Fallback condition (fallback.go updateStatus).
    subject = lab(
        triggers=[_trigger("queue", "queue"), _trigger("other", "other")],
        advanced=_coalescing("other ?? queue"),
        fallback=NIL_FALLBACK,
    )
    subject.prometheus.down.add("other")
    subject.poll()
    assert subject.condition("Ready") == ("True", "ScaledObjectReady")
    assert subject.condition("Active") == ("True", "ScalerActive")  # queue's 10 > 0
    assert subject.condition("Fallback") == ("True", "FallbackExists")
    assert subject.events("ScaledObjectFallbackActivated") == []


@pytest.mark.parametrize(
    ("formula", "value"),
    [("a ?? b", 6.0), ("a ?? b > 5 ? 1 : 2", 1.0), ("(a == b) ? 1 : 2", 2.0), ("a ?? a", None)],
)
def test_coalescing_binds_tighter_than_comparison(formula: str, value: float | None) -> None:
    # expr-lang parser/operator/operator.go: ?? 500, above every comparison (20); nil == 6 is false.
    from tests.emulators.kube.controllers.keda_formula import evaluate

    assert evaluate(formula, {"a": None, "b": 6}) == value


# ---- a Value fallback over the target's scale selector (fallback.go getReadyReplicasCount: the scale
# client's Get, labels.Parse(scale.Status.Selector), the Running and Ready pods) ----

VALUE_FORMULA = {**FORMULA, "metricType": "Value"}


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
