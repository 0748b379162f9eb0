"""Which scraper reads a PodMonitor, for the lab's Prometheus server (prometheus_server.py) and the
KEDA simulator (keda.py):

* The Prometheus Operator: a Prometheus answers at ``prometheus-operated.<its namespace>`` (the
  governing Service, prometheus-operator/prometheus-operator 6adcebc5 pkg/prometheus/server/statefulset.go)
  and scrapes a PodMonitor (monitoring.coreos.com/v1) only when its ``spec.podMonitorSelector``
  selects the PodMonitor's labels (null selects nothing, ``{}`` everything) and its
  ``spec.podMonitorNamespaceSelector`` the PodMonitor's namespace (null: its own namespace only)
  (``selects``; pkg/prometheus/resource_selector.go, selectObjects; pkg/operator/operator.go,
  SelectNamespacesFromCache; the field docs in pkg/apis/monitoring/v1/prometheus_types.go).
* Azure Monitor managed Prometheus: the series of azmonitoring.coreos.com/v1 PodMonitors (any
  namespace) go to an Azure Monitor workspace, queried at ``*.prometheus.monitor.azure.com`` (``.us``,
  ``.cn``) with an Entra token. The lab serves no workspace; ``azure_monitor_error`` is why the
  workspace refuses KEDA's query: KEDA adds a token only when the trigger's TriggerAuthentication
  names podIdentity provider ``azure-workload``; a missing TriggerAuthentication is logged and the
  request goes without a token (kedacore/keda v2.20.2 pkg/scaling/resolver/scale_resolvers.go,
  resolveAuthRef; pkg/scalers/prometheus_scaler.go, NewPrometheusScaler;
  pkg/scalers/azure/azure_managed_prometheus_http_round_tripper.go). Microsoft Learn: "Integrate
  KEDA with your Azure Kubernetes Service cluster"; "Create custom Prometheus scrape jobs ... using
  custom resource definitions" (PodMonitor azmonitoring.coreos.com/v1 in any namespace).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tests.emulators.kube.controllers.fleet_scheduler import matches_selector
from tests.emulators.kube.status import ApiError

KEDA = "keda.sh/v1alpha1"
OPERATOR = "monitoring.coreos.com/v1"
AZURE_MONITOR = "azmonitoring.coreos.com/v1"
AZURE_QUERY_HOSTS = (".prometheus.monitor.azure.com", ".prometheus.monitor.azure.us", ".prometheus.monitor.azure.cn")
# The workspace host of each cloud KEDA knows the token audience of (azureManagedPrometheusResourceURLInCloud).
AZURE_CLOUD_HOSTS = {
    "AZUREPUBLICCLOUD": ".prometheus.monitor.azure.com",
    "AZUREUSGOVERNMENTCLOUD": ".prometheus.monitor.azure.us",
    "AZURECHINACLOUD": ".prometheus.monitor.azure.cn",
}
# The scaler's errors (kedacore/keda v2.20.2 pkg/scalers/prometheus_scaler.go, ExecutePromQuery).
EMPTY = "prometheus metrics 'prometheus' target may be lost, the result is empty"


def selects(cluster: Any, prom: Mapping[str, Any], monitor: Mapping[str, Any]) -> bool:
    """Whether this Prometheus scrapes this PodMonitor (selectObjects)."""
    spec = prom.get("spec") or {}
    pm_ns = monitor["metadata"]["namespace"]
    ns_selector = spec.get("podMonitorNamespaceSelector")
    if ns_selector is None:
        if prom["metadata"]["namespace"] != pm_ns:
            return False
    else:
        ns = cluster.get("v1", "Namespace", None, pm_ns) or {}
        if not matches_selector(ns_selector, (ns.get("metadata") or {}).get("labels") or {}):
            return False
    selector = spec.get("podMonitorSelector")
    if selector is None:
        return False
    return matches_selector(selector, monitor["metadata"].get("labels") or {})


def azure_monitor_error(cluster: Any, namespace: str, trigger: Mapping[str, Any]) -> str | None:
    """Why the Azure Monitor workspace of the trigger's serverAddress refuses KEDA's query, or None.
    KEDA sends a token only with a TriggerAuthentication of podIdentity ``azure-workload``, for the
    audience of the trigger's ``cloud`` (AzurePublicCloud when unset: kedacore/keda v2.20.2
    pkg/scalers/azure/azure_managed_prometheus_http_round_tripper.go
    azureManagedPrometheusResourceURLInCloud; azure_cloud_environment.go ParseEnvironmentProperty).
    The workspace's query API takes only a token for its own cloud's audience (Microsoft Learn,
    "Query Prometheus metrics using the API and PromQL": the token's resource is
    https://prometheus.monitor.azure.com); the lab answers anything else with 401."""
    ref = (trigger.get("authenticationRef") or {}).get("name")
    auth = cluster.get(KEDA, "TriggerAuthentication", namespace, ref) if ref else None
    provider = (((auth or {}).get("spec") or {}).get("podIdentity") or {}).get("provider")
    if provider != "azure-workload":
        return "prometheus query api returned error. status: 401"
    meta = trigger.get("metadata") or {}
    cloud = str(meta.get("cloud") or "AzurePublicCloud").upper()
    host = urlsplit(str(meta.get("serverAddress") or "")).hostname or ""
    if not host.endswith(AZURE_CLOUD_HOSTS.get(cloud, "\0")):
        return "prometheus query api returned error. status: 401"
    return None


def _list(cluster: Any, api: str, kind: str, namespace: str) -> list[dict[str, Any]]:
    try:
        return list(cluster.list(api, kind, namespace))
    except ApiError:  # the cluster does not serve the kind
        return []
