"""Azure Monitor's collector scrapes what an azmonitoring.coreos.com PodMonitor selects, in any
namespace, and stamps each series with the cluster's label; the Prometheus Operator's PodMonitors
are not its (controllers/azure_monitor_collector.py; upstream: Azure/prometheus-collector 39583fd5
otelcollector/configuration-reader-builder/main.go, otelcollector/otel-allocator/internal/config/
config.go, otelcollector/opentelemetry-collector-builder/collector-config-replicaset.yml)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from tests.emulators.kube.controllers.azure_monitor_collector import install_azure_monitor
from tests.emulators.kube.controllers.vllm import VllmMetrics
from tests.emulators.kube.profiles import install_crd

AKS_ID = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-a"
T0 = float(int(time.time()) + 86400)


def _pod(emu: Any, namespace: str, name: str, app: str, ip: str, waiting: float) -> None:
    port = {"name": "http", "containerPort": 8000}
    container = {"name": "vllm", "image": "vllm/vllm-openai:v0.11.0", "ports": [port]}
    meta = {"name": name, "namespace": namespace, "labels": {"app": app}}
    if emu.cluster.get("v1", "Namespace", None, namespace) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    emu.cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {"containers": [container]}})
    emu.cluster.patch_status("v1", "Pod", namespace, name, {"phase": "Running", "podIP": ip})
    figures = VllmMetrics(app)
    figures.waiting = waiting
    emu.register_pod_proxy(namespace, name, 8000, figures.handler())


def _monitor(api: str, namespace: str, app: str) -> dict[str, Any]:
    return {
        "apiVersion": api,
        "kind": "PodMonitor",
        "metadata": {"name": app, "namespace": namespace},
        "spec": {"selector": {"matchLabels": {"app": app}}, "podMetricsEndpoints": [{"port": "http"}]},
    }


def _series(collector: Any) -> list[dict[str, str]]:
    query = quote_plus("vllm:num_requests_waiting")
    status, _, body = collector.handle("GET", f"/api/v1/query?query={query}&time={T0}", b"")
    assert status == 200, body
    return [s["metric"] for s in json.loads(body)["data"]["result"]]


def test_the_collector_scrapes_only_what_its_podmonitors_select_and_labels_the_cluster(
    kube_emulator_factory: Callable[..., Any],
) -> None:
    emu = kube_emulator_factory(crd_dirs=[], tls=False, builtin_controllers=False)
    collector = install_azure_monitor(emu, AKS_ID)
    install_crd(emu, "monitoring.coreos.com", "PodMonitor")
    _pod(emu, "ml", "phi-4-0", "phi-4", "10.0.0.7", 3)
    _pod(emu, "ml", "other-0", "other", "10.0.0.8", 5)  # no PodMonitor selects it
    _pod(emu, "team-b", "mistral-0", "mistral", "10.0.0.9", 7)  # the Prometheus Operator's PodMonitor
    emu.cluster.create(_monitor("azmonitoring.coreos.com/v1", "ml", "phi-4"))
    emu.cluster.create(_monitor("monitoring.coreos.com/v1", "team-b", "mistral"))
    collector.scrape(T0, every=True)
    [series] = _series(collector)
    assert (series["cluster"], series["namespace"], series["job"], series["pod"]) == (
        "aks-a",
        "ml",
        "ml/phi-4",
        "phi-4-0",
    )
