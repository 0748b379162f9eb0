"""Azure Monitor managed Prometheus as KEDA reads it: the add-on's collector scrapes the cluster's
azmonitoring.coreos.com/v1 PodMonitors into an Azure Monitor workspace, and KEDA's prometheus
scaler queries the workspace's endpoint (``*.prometheus.monitor.azure.com``).

What it scrapes (upstream: Azure/prometheus-collector 39583fd50b2f828f83cc18fc0cece9e3074f56db):

* Every azmonitoring.coreos.com/v1 PodMonitor in every namespace: the add-on's target allocator runs
  with ``podMonitorSelector: {}`` (otelcollector/configuration-reader-builder/main.go, the
  TargetAllocator's PrometheusCR) and ``podMonitorNamespaceSelector: {}`` (otelcollector/
  otel-allocator/internal/config/config.go CreateDefaultConfig), every 30 s unless the endpoint
  says otherwise (DefaultCRScrapeInterval), through the Prometheus Operator's own config generator
  (otelcollector/otel-allocator/internal/watcher/promOperator.go: prometheus.NewConfigGenerator), so
  targets and their ``namespace``/``job``/``pod`` labels are the operator's (prometheus_server.py).
* Each series gets the ``cluster`` label: the collector's AZMON_CLUSTER_LABEL, the last ``/``
  segment of the cluster's resource ID (``CLUSTER`` with ``MAC=true``) or the settings ConfigMap's
  ``cluster_alias`` (otelcollector/shared/configmap/mp/tomlparser-prometheus-collector-settings.go
  Configure), stamped by the collector's ``resource`` processor (otelcollector/
  opentelemetry-collector-builder/collector-config-replicaset.yml, ``key: cluster``, upsert).

* Only while the target allocator runs: Deployment kube-system/ama-metrics-operator-targets, which
  the chart renders when ``operatorEnabled`` (Azure/prometheus-collector
  otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/templates/ama-metrics-targetallocator.yaml). That is
  always on AKS; on an Arc-enabled cluster (a resource ID that is not a managedClusters one) only
  with both ``AzureMonitorMetrics.ArcEnableOperator`` and ``TargetAllocatorEnabled`` true
  (templates/_arc-extension-helpers.tpl; both default to true in values-template.yaml). Without it
  the PodMonitor CRD is still installed (templates/ama-metrics-podmonitor-crd.yaml has no
  condition), so a PodMonitor applies, and no one reads it. ``install_azure_monitor(...,
  operator=False)`` is such an Arc extension.

The workspace holds what every cluster sending to it wrote; a test adds another cluster's series
with ``other_cluster``. Its query API is the lab's one PromQL engine (prometheus_server.py), answered
once KEDA's token is right (prometheus.py azure_monitor_error; tests/emulators/arm/workspace.py for
the same endpoint asked with a token from outside the cluster).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from tests.emulators.kube.controllers.prometheus import AZURE_MONITOR, AZURE_QUERY_HOSTS
from tests.emulators.kube.controllers.prometheus_server import PrometheusServer, Target
from tests.emulators.kube.controllers.prometheus_tsdb import Series, key_of
from tests.emulators.kube.incluster import DialError

# otel-allocator internal/config/config.go DefaultCRScrapeInterval.
SCRAPE_INTERVAL = "30s"
# The add-on's collector Deployment and its container (otelcollector/deploy/addon-chart/
# azure-monitor-metrics-addon/templates/ama-metrics-deployment.yaml).
NAMESPACE = "kube-system"
DEPLOYMENT = "ama-metrics"
CONTAINER = "prometheus-collector"
SETTINGS = "ama-metrics-settings-configmap"
# Azure/prometheus-collector otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/
# templates/ama-metrics-targetallocator.yaml: the target allocator, which reads the PodMonitors.
TARGET_ALLOCATOR = "ama-metrics-operator-targets"


class AzureMonitorCollector(PrometheusServer):
    """The add-on's collector writing this cluster's series, and the workspace they land in."""

    monitor_api = AZURE_MONITOR

    def __init__(self, kube: Any, cluster_label: str) -> None:
        super().__init__(kube, NAMESPACE)
        self.cluster_label = cluster_label

    def _prometheus(self) -> dict[str, Any]:
        """The Prometheus the target allocator builds for the config generator (promOperator.go)."""
        return {
            "metadata": {"namespace": NAMESPACE, "name": DEPLOYMENT},
            "spec": {"podMonitorSelector": {}, "podMonitorNamespaceSelector": {}, "scrapeInterval": SCRAPE_INTERVAL},
        }

    def _targets(self, prom: Any) -> list[Target]:
        """The PodMonitors' targets, while the target allocator that hands them out runs (Azure/prometheus-collector
        otelcollector/otel-allocator: the collector scrapes what the allocator assigns it)."""
        if self.kube.cluster.get("apps/v1", "Deployment", NAMESPACE, TARGET_ALLOCATOR) is None:
            return []
        return super()._targets(prom)

    def _scrape_target(self, target: Target) -> list[Series]:
        return [({**labels, "cluster": self.cluster_label}, value) for labels, value in super()._scrape_target(target)]

    def other_cluster(self, cluster: str, labels: dict[str, str], value: float, at: float) -> None:
        """A sample another cluster's collector wrote to the same workspace at ``at``."""
        self.tsdb.append(key_of({**labels, "cluster": cluster}), at, value)


class WorkspaceHttp:
    """KEDA's HTTP client as it reaches the workspace endpoint (the one the lab serves, whatever
    the region in the host); the caller has checked the token (azure_monitor_error)."""

    def __init__(self, collector: AzureMonitorCollector) -> None:
        self.collector = collector

    def get(self, url: str) -> tuple[int, bytes]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if not host.endswith(AZURE_QUERY_HOSTS):
            raise DialError(f'Get "{url}": dial tcp: lookup {host}: no such host')
        status, _, body = self.collector.handle("GET", f"{parts.path}?{parts.query}", b"")
        return status, body


def collector_deployment(resource_id: str) -> dict[str, Any]:
    """The add-on's collector Deployment as akscli reads it: its container's CLUSTER and MAC."""
    env = [{"name": "CLUSTER", "value": resource_id}, {"name": "MAC", "value": "true"}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": DEPLOYMENT, "namespace": NAMESPACE},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"rsName": DEPLOYMENT}},
            "template": {
                "metadata": {"labels": {"rsName": DEPLOYMENT}},
                "spec": {"containers": [{"name": CONTAINER, "image": "ama-metrics", "env": env}]},
            },
        },
    }


def target_allocator_deployment() -> dict[str, Any]:
    """The target allocator's Deployment as akscli looks for it (templates/ama-metrics-targetallocator.yaml:
    its name, namespace and labels; 0 replicas here, only its presence is read)."""
    labels = {"rsName": TARGET_ALLOCATOR, "kubernetes.azure.com/managedby": "aks"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": TARGET_ALLOCATOR,
            "namespace": NAMESPACE,
            "labels": {"component": TARGET_ALLOCATOR, "app.kubernetes.io/name": TARGET_ALLOCATOR},
        },
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "targetallocator", "image": "ama-metrics-targetallocator"}]},
            },
        },
    }


def install_azure_monitor(
    emu: Any, resource_id: str, alias: str | None = None, *, operator: bool = True
) -> AzureMonitorCollector:
    """Azure Monitor managed Prometheus on the emulator: the PodMonitor API, the collector's
    Deployment (0 replicas: only its spec is read), the target allocator's Deployment unless
    ``operator`` is False (an Arc extension with ArcEnableOperator=false), the settings ConfigMap with ``cluster_alias``
    when given, and the collector, which KEDA's scaler reaches (``emu.keda.workspace``). It
    scrapes when a test lets an interval pass (``interval_passes``)."""
    from tests.emulators.kube.profiles import install_podmonitor_api

    install_podmonitor_api(emu, "azmonitoring.coreos.com")
    emu.cluster.create(collector_deployment(resource_id))
    if operator:
        emu.cluster.create(target_allocator_deployment())
    collector = AzureMonitorCollector(emu, resource_id.rstrip("/").split("/")[-1])
    if alias is not None:
        set_cluster_alias(emu, collector, alias)
    if getattr(emu, "keda", None) is not None:
        emu.keda.workspace = WorkspaceHttp(collector)
    return collector


def set_cluster_alias(emu: Any, collector: AzureMonitorCollector, alias: str) -> None:
    """The settings ConfigMap written with ``cluster_alias`` (made or replaced), and the collector
    labelling its series with it from then on: a change of the mounted settings makes its /health
    answer 503 "config changed" (Azure/prometheus-collector otelcollector/main/main.go, an inotify watch on
    /etc/config/settings),
    the liveness probe restarts the container (Azure/prometheus-collector otelcollector/deploy/
    addon-chart/azure-monitor-metrics-addon/templates/ama-metrics-deployment.yaml) and Configure
    reads the alias again (Azure/prometheus-collector otelcollector/shared/configmap/mp/
    tomlparser-prometheus-collector-settings.go). The restart is not waited for."""
    settings = f'cluster_alias = "{alias}"\ndebug-mode = false\n'
    data = {"schema-version": "v2", "prometheus-collector-settings": settings}
    if emu.cluster.get("v1", "ConfigMap", NAMESPACE, SETTINGS) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": SETTINGS, "namespace": NAMESPACE}, "data": data})  # fmt: skip
    else:
        emu.cluster.patch("v1", "ConfigMap", NAMESPACE, SETTINGS, {"data": data})
    # Azure/prometheus-collector otelcollector/shared/configmap/mp/tomlparser-prometheus-collector-settings.go
    # PopulateSettingValuesFromConfigMap: runs of other characters become "_", trimmed of "_".
    collector.cluster_label = re.sub(r"[^0-9a-zA-Z]+", "_", alias.strip()).strip("_")
