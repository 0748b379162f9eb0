"""KEDA's metrics apiserver on external.metrics.k8s.io, and the HPA reading it there
(controllers/keda.py get_external_metric, keda_metrics_api.py, aggregated_apis.py, hpa.py; upstream:
kedacore/keda pkg/provider/provider.go GetExternalMetric, pkg/scaling/scale_handler.go
GetScaledObjectMetrics; kubernetes/kubernetes pkg/controller/podautoscaler/metrics/client.go)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from tests.emulators.kube import aggregated_apis, profiles
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.keda import KedaController
from tests.emulators.kube.status import ApiError
from tests.kube_emulator.test_keda_fallback import APISERVICE, HPA, KEDA, Lab, Prometheus, _trigger

SELECTOR = "scaledobject.keda.sh/name=phi-4"
RPC = "rpc error: code = Unknown desc = error when getting metric values "


@pytest.fixture
def lab(kube_emulator_factory: Callable[..., Any]) -> Callable[..., Lab]:
    return lambda **spec: Lab(kube_emulator_factory, **spec)


def _read(subject: Lab, metric: str, selector: str = SELECTOR) -> dict[str, Any]:
    return aggregated_apis.external_metric_values(subject.emu.cluster, [subject.keda], "default", metric, selector)


def test_keda_serves_a_triggers_value_as_an_external_metric_value_list(lab: Callable[..., Lab]) -> None:
    subject = lab()
    subject.prometheus.values["queue"] = 2.5
    body = _read(subject, "s0-prometheus")
    [item] = body.pop("items")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item.pop("timestamp"))
    assert body == {"kind": "ExternalMetricValueList", "apiVersion": "external.metrics.k8s.io/v1beta1", "metadata": {}}
    assert item == {"metricName": "s0-prometheus", "metricLabels": None, "value": "2500m"}


@pytest.mark.parametrize(
    ("metric", "selector", "message"),
    [
        ("s0-prometheus", "scaledobject.keda.sh/name=nope",
         RPC + 'error getting scalers scaledobjects.keda.sh "nope" not found'),
        ("s9-prometheus", SELECTOR, RPC + "no matching metrics found for s9-prometheus"),
        ("s0-prometheus", "", "scaledObject name is not specified"),
    ],
)  # fmt: skip
def test_keda_answers_its_own_errors_as_a_500(
    lab: Callable[..., Lab], metric: str, selector: str, message: str
) -> None:
    subject = lab()
    with pytest.raises(ApiError) as caught:
        _read(subject, metric, selector)
    assert (caught.value.code, caught.value.message, caught.value.body().get("reason")) == (500, message, None)


def test_with_a_formula_any_metric_asked_is_the_composite(lab: Callable[..., Lab]) -> None:
    advanced = {"scalingModifiers": {"formula": "queue > 5 ? 10.0006 : 1", "target": "5"}}
    subject = lab(advanced=advanced)
    [item] = _read(subject, "s0-prometheus")["items"]
    # set in whole milli-units, cut, not rounded (formula.go SetMilli(int64(out * 1000)))
    assert (item["metricName"], item["value"]) == ("composite-metric", "10")


def test_the_hpa_reads_through_the_aggregator_and_says_when_the_api_is_unavailable(lab: Callable[..., Lab]) -> None:
    subject = lab()
    subject.prometheus.values["queue"] = 40  # KEDA would answer 8 replicas' worth
    down = [{"type": "Available", "status": "False", "reason": "MissingEndpoints", "message": "no endpoints"}]
    subject.emu.cluster.patch_status(*APISERVICE, None, "v1beta1.external.metrics.k8s.io", {"conditions": down})
    assert subject.sync() == 2
    hpa = subject.emu.cluster.get(HPA, "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4")
    [active] = [c for c in hpa["status"]["conditions"] if c["type"] == "ScalingActive"]
    assert (active["status"], active["reason"]) == ("False", "FailedGetExternalMetric")
    assert active["message"].endswith(
        "unable to fetch metrics from external metrics API: the server is currently unable to handle the request"
    )


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_get_raw_reads_a_scaled_objects_metric(kube_emulator: Any, kubeconfig: Any) -> None:
    prometheus = Prometheus()
    kube_emulator.controllers.add(KedaController(delay=0.01, http=prometheus))  # type: ignore[arg-type]
    profiles.keda_operator_pod(kube_emulator)
    spec = {"scaleTargetRef": {"name": "phi-4"}, "pollingInterval": 3600, "triggers": [_trigger("queue", "queue")]}
    meta = {"name": "phi-4", "namespace": "default"}
    kube_emulator.cluster.create({"apiVersion": KEDA, "kind": "ScaledObject", "metadata": meta, "spec": spec})
    assert wait_until(lambda: "external.metrics.k8s.io" in aggregated_apis.served(kube_emulator.cluster))
    path = "/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-prometheus?labelSelector=" + SELECTOR
    out = subprocess.run(["kubectl", "get", "--raw", path], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    [item] = json.loads(out.stdout)["items"]
    assert (item["metricName"], item["value"]) == ("s0-prometheus", "10")
    missing = path.replace("phi-4", "nope")
    out = subprocess.run(["kubectl", "get", "--raw", missing], capture_output=True, text=True, timeout=30)
    assert (out.returncode, out.stderr.strip()) == (
        1, f'Error from server: {RPC}error getting scalers scaledobjects.keda.sh "nope" not found'
    )  # fmt: skip
