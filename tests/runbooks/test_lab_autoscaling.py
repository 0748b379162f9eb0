"""Autoscaling in the runbook lab (tests.emulators.lab) reads a metric someone scrapes: the lab's
Prometheus (kube-prometheus-stack's, behind the operator's ``prometheus-operated`` Service) scrapes
the pods of the PodMonitors it selects (controllers/prometheus_server.py), and KEDA reads the
ScaledObject's query from it over HTTP as its prometheus scaler does (controllers/keda.py). The
figures are set on the pod's /metrics (tests.emulators.serving.Serving.figures), not on KEDA."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus

import pytest

from tests.emulators import lab
from tests.emulators.kube.apiserver_common import wait_until
from tests.emulators.kube.controllers.hpa import HorizontalPodAutoscalerController
from tests.emulators.kube.controllers.keda import KedaController
from tests.emulators.kube.incluster import InClusterHttp

KEDA = "keda.sh/v1alpha1"
MONITORING = "monitoring.coreos.com/v1"
PROMETHEUS = "http://prometheus-operated.monitoring.svc.cluster.local:9090"


def akscli(the_lab: lab.Lab, *args: str) -> subprocess.CompletedProcess[str]:
    env = the_lab.environment() | {"PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-m", "akscli", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def the_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lab.Lab]:
    with lab.running(tmp_path_factory.mktemp("lab")) as running:
        yield running
        assert list(running.kube.controllers.errors) == []


def deploy(the_lab: lab.Lab, namespace: str, name: str = "phi-4") -> dict[str, Any]:
    """`model deploy phi-4 [--name NAME] --runtime vllm --autoscale 1:4 --wait` in its own
    namespace; its one ready pod."""
    result = akscli(
        the_lab, "model", "deploy", "phi-4", "--name", name, "-n", namespace, "--create-namespace",
        "--runtime", "vllm", "--autoscale", "1:4", "--wait", "--timeout", "30s", "-y",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [pod] = the_lab.kube.cluster.list("v1", "Pod", namespace, f"akscli.io/model={name}")
    return pod


def keda(the_lab: lab.Lab) -> KedaController:
    return next(c for c in the_lab.kube.controllers.controllers if isinstance(c, KedaController))


def hpa(the_lab: lab.Lab) -> HorizontalPodAutoscalerController:
    return next(c for c in the_lab.kube.controllers.controllers if isinstance(c, HorizontalPodAutoscalerController))


def query(the_lab: lab.Lab, namespace: str) -> dict[str, Any]:
    """What the lab's Prometheus answers to the ScaledObject's own query, over the cluster's HTTP."""
    so = the_lab.kube.cluster.get(KEDA, "ScaledObject", namespace, "phi-4")
    expr = so["spec"]["triggers"][0]["metadata"]["query"]
    status, body = InClusterHttp(the_lab.kube).get(f"{PROMETHEUS}/api/v1/query?query={quote_plus(expr)}")
    assert status == 200, body
    return dict(json.loads(body))


def replicas(the_lab: lab.Lab, namespace: str, name: str = "phi-4") -> int:
    return int(the_lab.kube.cluster.get("apps/v1", "Deployment", namespace, name)["spec"]["replicas"])


def ready(the_lab: lab.Lab, namespace: str, name: str = "phi-4") -> tuple[str, str] | None:
    so = the_lab.kube.cluster.get(KEDA, "ScaledObject", namespace, name) or {}
    found = [c for c in (so.get("status") or {}).get("conditions") or [] if c["type"] == "Ready"]
    return (found[0]["status"], found[0]["reason"]) if found else None


def test_the_labs_prometheus_answers_the_scaledobjects_query_with_the_scraped_queue(the_lab: lab.Lab) -> None:
    pod = deploy(the_lab, "queue-sum")
    the_lab.serving.figures(pod["metadata"]["namespace"], pod["metadata"]["name"]).waiting = 7
    the_lab.prometheus().interval_passes()
    answer = query(the_lab, "queue-sum")
    assert answer["status"] == "success" and answer["data"]["resultType"] == "vector"
    [sample] = answer["data"]["result"]
    assert sample["metric"] == {} and sample["value"][1] == "7"


def test_the_labs_prometheus_answers_with_its_last_scrape_not_with_the_pods_figures_of_now(the_lab: lab.Lab) -> None:
    # prometheus/prometheus scrape/scrape.go: each target is scraped every interval (the
    # PodMonitor's 15s), and a query reads the newest sample (promql/engine.go).
    pod = deploy(the_lab, "between-scrapes")
    the_lab.prometheus().interval_passes()
    the_lab.serving.figures(pod["metadata"]["namespace"], pod["metadata"]["name"]).waiting = 7
    [sample] = query(the_lab, "between-scrapes")["data"]["result"]
    assert sample["value"][1] == "0"


def test_keda_scales_the_vllm_deployment_on_the_queue_the_labs_prometheus_scrapes(the_lab: lab.Lab) -> None:
    pod = deploy(the_lab, "queue-scale")
    # 12 requests waiting at --queue-threshold 5: ceil(12 / 5) = 3 replicas (an AverageValue target).
    the_lab.serving.figures(pod["metadata"]["namespace"], pod["metadata"]["name"]).waiting = 12
    the_lab.prometheus().interval_passes()
    keda(the_lab).poll(the_lab.kube.cluster, "queue-scale", "phi-4")
    hpa(the_lab).sync_period_passes()  # the HPA KEDA made syncs every 15 s
    assert wait_until(lambda: replicas(the_lab, "queue-scale") == 3), replicas(the_lab, "queue-scale")
    assert ready(the_lab, "queue-scale") == ("True", "ScaledObjectReady")


def test_a_model_no_prometheus_scrapes_gets_no_series_and_keda_reports_the_trigger_failing(the_lab: lab.Lab) -> None:
    pod = deploy(the_lab, "unscraped")
    the_lab.serving.figures(pod["metadata"]["namespace"], pod["metadata"]["name"]).waiting = 12
    # The PodMonitor loses the label kube-prometheus-stack's Prometheus selects it by.
    unlabel = {"metadata": {"labels": {"release": None}}}
    the_lab.kube.cluster.patch(MONITORING, "PodMonitor", "unscraped", "phi-4", unlabel)
    the_lab.prometheus().interval_passes()
    assert query(the_lab, "unscraped")["data"]["result"] == []
    keda(the_lab).poll(the_lab.kube.cluster, "unscraped", "phi-4")
    assert wait_until(lambda: ready(the_lab, "unscraped") == ("False", "TriggerError"))
    events = the_lab.kube.cluster.list("v1", "Event", "unscraped")
    failed = [e["message"] for e in events if e["reason"] == "KEDAScalerFailed"]
    assert "prometheus metrics 'prometheus' target may be lost, the result is empty" in failed
    assert replicas(the_lab, "unscraped") == 1


def test_each_scraped_series_carries_its_podmonitor_targets_labels(the_lab: lab.Lab) -> None:
    pod = deploy(the_lab, "labelled")
    name = pod["metadata"]["name"]
    the_lab.prometheus().interval_passes()
    expr = f'vllm:num_requests_waiting{{pod="{name}"}}'
    _, body = InClusterHttp(the_lab.kube).get(f"{PROMETHEUS}/api/v1/query?query={quote_plus(expr)}")
    [sample] = json.loads(body)["data"]["result"]
    # prometheus-operator pkg/prometheus/promcfg.go generatePodMonitorConfig: namespace, container,
    # pod, job <namespace>/<PodMonitor>, endpoint <port name>.
    assert {k: sample["metric"][k] for k in ("namespace", "container", "pod", "job", "endpoint")} == {
        "namespace": "labelled",
        "container": "vllm",
        "pod": name,
        "job": "labelled/phi-4",
        "endpoint": "http",
    }
    assert sample["metric"]["model_name"] == "microsoft/phi-4"


def test_two_deployments_of_one_model_in_a_namespace_scale_each_on_its_own_queue(the_lab: lab.Lab) -> None:
    # Both serve microsoft/phi-4 in one namespace: namespace and model_name alone match both
    # deployments' series; each PodMonitor's job label (<namespace>/<PodMonitor name>,
    # prometheus-operator pkg/prometheus/promcfg.go generatePodMonitorConfig) tells them apart.
    busy = deploy(the_lab, "two-models", name="busy")
    deploy(the_lab, "two-models", name="idle")
    the_lab.serving.figures("two-models", busy["metadata"]["name"]).waiting = 12
    the_lab.prometheus().interval_passes()
    keda(the_lab).poll(the_lab.kube.cluster, "two-models", "busy")
    keda(the_lab).poll(the_lab.kube.cluster, "two-models", "idle")
    hpa(the_lab).sync_period_passes()
    assert wait_until(lambda: replicas(the_lab, "two-models", "busy") == 3)
    assert the_lab.kube.idle()  # both polls read (the next is pollingInterval away)
    assert replicas(the_lab, "two-models", "idle") == 1
