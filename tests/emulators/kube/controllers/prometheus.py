"""Where a KEDA prometheus trigger's series come from, for the KEDA simulator (keda.py) where it
reads a value a test sets (no cluster HTTP, or an Azure Monitor workspace). In the lab KEDA reads
the query over HTTP from the Prometheus server instead (prometheus_server.py), which selects
PodMonitors with ``selects`` below.

``query_error(cluster, namespace, trigger)`` is why the trigger's query cannot return the model's
series, or None when it can. Two scrapers are simulated, as they behave upstream:

* The Prometheus Operator: a Prometheus answers at ``prometheus-operated.<its namespace>`` (the
  governing Service, prometheus-operator/prometheus-operator 6adcebc5 pkg/prometheus/server/statefulset.go)
  and scrapes a PodMonitor (monitoring.coreos.com/v1) only when its ``spec.podMonitorSelector``
  selects the PodMonitor's labels (null selects nothing, ``{}`` everything) and its
  ``spec.podMonitorNamespaceSelector`` the PodMonitor's namespace (null: its own namespace only)
  (pkg/prometheus/resource_selector.go, selectObjects; pkg/operator/operator.go,
  SelectNamespacesFromCache; the field docs in pkg/apis/monitoring/v1/prometheus_types.go).
* Azure Monitor managed Prometheus: the series of azmonitoring.coreos.com/v1 PodMonitors (any
  namespace) go to an Azure Monitor workspace, queried at ``*.prometheus.monitor.azure.com`` with an
  Entra token. KEDA adds one only when the trigger's TriggerAuthentication names podIdentity
  provider ``azure-workload``; a missing TriggerAuthentication is logged and the request goes
  without a token (kedacore/keda v2.20.2 pkg/scaling/resolver/scale_resolvers.go, resolveAuthRef;
  pkg/scalers/prometheus_scaler.go, NewPrometheusScaler;
  pkg/scalers/azure/azure_managed_prometheus_http_round_tripper.go). Microsoft Learn: "Integrate
  KEDA with your Azure Kubernetes Service cluster"; "Create custom Prometheus scrape jobs ... using
  custom resource definitions" (PodMonitor azmonitoring.coreos.com/v1 in any namespace).

Any other address answers nothing: no such host in the cluster.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tests.emulators.kube.controllers.fleet_scheduler import matches_selector
from tests.emulators.kube.status import ApiError

KEDA = "keda.sh/v1alpha1"
OPERATOR = "monitoring.coreos.com/v1"
AZURE_MONITOR = "azmonitoring.coreos.com/v1"
AZURE_QUERY_HOSTS = (".prometheus.monitor.azure.com", ".prometheus.monitor.azure.us", ".prometheus.monitor.azure.cn")
# The scaler's errors (kedacore/keda v2.20.2 pkg/scalers/prometheus_scaler.go, ExecutePromQuery).
EMPTY = "prometheus metrics 'prometheus' target may be lost, the result is empty"


def query_error(cluster: Any, namespace: str, trigger: Mapping[str, Any]) -> str | None:
    meta = trigger.get("metadata") or {}
    address = str(meta.get("serverAddress") or "")
    host = urlsplit(address).hostname or ""
    if host.endswith(AZURE_QUERY_HOSTS):
        return _azure_monitor(cluster, namespace, trigger)
    m = re.fullmatch(r"prometheus-operated\.([a-z0-9-]+)\.svc(\.cluster\.local)?", host)
    if m is None:
        return f'Get "{address}/api/v1/query": dial tcp: lookup {host}: no such host'
    proms = _list(cluster, OPERATOR, "Prometheus", m.group(1))
    if not proms:
        return f'Get "{address}/api/v1/query": dial tcp: lookup {host}: no such host'
    monitors = _list(cluster, OPERATOR, "PodMonitor", namespace)
    if any(selects(cluster, p, pm) for p in proms for pm in monitors):
        return None
    return EMPTY


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


def _azure_monitor(cluster: Any, namespace: str, trigger: Mapping[str, Any]) -> str | None:
    ref = (trigger.get("authenticationRef") or {}).get("name")
    auth = cluster.get(KEDA, "TriggerAuthentication", namespace, ref) if ref else None
    provider = (((auth or {}).get("spec") or {}).get("podIdentity") or {}).get("provider")
    if provider != "azure-workload":
        return "prometheus query api returned error. status: 401"
    if not _list(cluster, AZURE_MONITOR, "PodMonitor", namespace):
        return EMPTY
    return None


def _list(cluster: Any, api: str, kind: str, namespace: str) -> list[dict[str, Any]]:
    try:
        return list(cluster.list(api, kind, namespace))
    except ApiError:  # the cluster does not serve the kind
        return []
