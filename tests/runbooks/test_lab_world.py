"""What the runbook lab (tests.emulators.lab) does after the README tour's most complete line,
`model deploy phi-4 --name phi-4-vllm --runtime vllm --autoscale 1:4 --expose --wait`: akscli's own
vLLM Deployment answers as vLLM does (tests.emulators.serving), the lab's Gateway controller writes
the status a Gateway API implementation writes (controllers/gateway.py), and the lab's
kube-prometheus-stack Prometheus selects akscli's PodMonitor (controllers/prometheus.py selects)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.emulators import lab
from tests.emulators.kube.controllers.prometheus import selects
from tests.emulators.kube.profiles import kube_prometheus_stack_prometheus

GATEWAY = "gateway.networking.k8s.io/v1"
DEPLOY = ("model", "deploy", "phi-4", "--name", "phi-4-vllm", "--runtime", "vllm", "--autoscale", "1:4", "--expose")


def akscli(the_lab: lab.Lab, *args: str) -> subprocess.CompletedProcess[str]:
    env = the_lab.environment() | {"PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-m", "akscli", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lab.Lab]:
    with lab.running(tmp_path_factory.mktemp("lab")) as the_lab:
        result = akscli(the_lab, *DEPLOY, "--wait", "--timeout", "30s", "-y")
        assert result.returncode == 0, result.stderr
        yield the_lab
        assert list(the_lab.kube.controllers.errors) == []


def _eventually_status(the_lab: lab.Lab, kind: str, namespace: str | None, name: str, key: str) -> dict[str, Any]:
    """The object once its controller has written ``status.<key>`` (a controller's delay)."""
    import time

    deadline = time.monotonic() + 10
    while True:
        obj = the_lab.kube.cluster.get(GATEWAY, kind, namespace, name)
        if (obj.get("status") or {}).get(key) or time.monotonic() > deadline:
            return dict(obj)
        time.sleep(0.05)


def _condition(conditions: list[dict[str, Any]], kind: str) -> tuple[str, str]:
    found = next(c for c in conditions if c["type"] == kind)
    return found["status"], found["reason"]


def test_model_test_answers_for_akscli_s_vllm_deployment_in_the_runbook_lab(deployed: lab.Lab) -> None:
    result = akscli(deployed, "model", "test", "phi-4-vllm")
    assert result.returncode == 0, result.stderr
    assert "Hello from the emulated model." in result.stdout


def test_doctor_finds_the_labs_gatewayclass_accepted_by_its_controller(deployed: lab.Lab) -> None:
    result = akscli(deployed, "doctor", "-o", "json")
    assert "GatewayClass approuting-istio is accepted by istio.io/gateway-controller" in result.stdout


def test_doctor_finds_the_operator_pods_of_the_labs_keda_and_kuberay_simulators(deployed: lab.Lab) -> None:
    """`doctor --for model` is the runbooks' first check; the lab's KEDA and KubeRay simulators
    used to run without the pods doctor looks for (KubeRay: a blocking gap, exit 9)."""
    result = akscli(deployed, "doctor", "-o", "json")
    checks = {(c["component"], c["check"]): c["status"] for c in json.loads(result.stdout)["checks"]}
    assert (checks[("kuberay", "pods")], checks[("keda", "pods")]) == ("ok", "ok")


def test_the_gateway_is_accepted_and_programmed_with_the_route_attached(deployed: lab.Lab) -> None:
    gw = _eventually_status(deployed, "Gateway", "default", "inference-gateway", "listeners")
    assert _condition(gw["status"]["conditions"], "Accepted") == ("True", "Accepted")
    assert _condition(gw["status"]["conditions"], "Programmed") == ("True", "Programmed")
    [listener] = gw["status"]["listeners"]
    assert listener["attachedRoutes"] == 1
    assert listener["supportedKinds"] == [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}]


def test_the_httproute_is_accepted_by_the_labs_gateway_controller(deployed: lab.Lab) -> None:
    route = _eventually_status(deployed, "HTTPRoute", "default", "phi-4-vllm", "parents")
    [parent] = route["status"]["parents"]
    assert parent["controllerName"] == "istio.io/gateway-controller"
    assert parent["parentRef"]["name"] == "inference-gateway"
    assert _condition(parent["conditions"], "Accepted") == ("True", "Accepted")
    assert _condition(parent["conditions"], "ResolvedRefs") == ("True", "ResolvedRefs")


def test_the_labs_prometheus_selects_akscli_s_podmonitor(deployed: lab.Lab) -> None:
    cluster = deployed.kube.cluster
    [prom] = cluster.list("monitoring.coreos.com/v1", "Prometheus", "monitoring")
    monitor = cluster.get("monitoring.coreos.com/v1", "PodMonitor", "default", "phi-4-vllm")
    assert selects(cluster, prom, monitor)


def test_the_labs_prometheus_is_kube_prometheus_stack_s(deployed: lab.Lab) -> None:
    [prom] = deployed.kube.cluster.list("monitoring.coreos.com/v1", "Prometheus", "monitoring")
    assert prom["metadata"]["name"] == "kube-prometheus-stack-prometheus"
    assert prom["spec"]["podMonitorSelector"] == {"matchLabels": {"release": "kube-prometheus-stack"}}
    assert prom["spec"]["podMonitorNamespaceSelector"] == {}


def test_kube_prometheus_stack_names_its_prometheus_after_the_release_and_chart() -> None:
    # fullname: RELEASE-kube-prometheus-stack cut to 26 characters (templates/_helpers.tpl).
    prom = kube_prometheus_stack_prometheus(release="monitoring")
    assert prom["metadata"]["name"] == "monitoring-kube-prometheus-prometheus"
    assert prom["spec"]["podMonitorSelector"] == {"matchLabels": {"release": "monitoring"}}
