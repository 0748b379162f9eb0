"""The aggregated API groups the lab registers (controllers/aggregator.py sets their APIServices'
Available condition), answered the way kube-aggregator proxies them to their servers: discovery of
metrics.k8s.io (metrics-server) and external.metrics.k8s.io (KEDA's metrics apiserver), and
metrics-server's NodeMetrics and PodMetrics, so that the real `kubectl top node|pod` works.

upstream:
- kube-aggregator (kubernetes/kubernetes staging/src/k8s.io/kube-aggregator/pkg/apiserver
  handler_proxy.go: an APIService that is not Available answers 503 "service unavailable"; one not
  registered is no group at all, 404; handler_discovery.go merges each available APIService's
  group into /apis, both the legacy APIGroupList and the aggregated v2 document);
- metrics-server (kubernetes-sigs/metrics-server pkg/api/install.go: group metrics.k8s.io v1beta1,
  resources nodes (cluster) and pods (namespaced), verbs get and list, as its discovery reads in
  kedacore/keda#210; pkg/api/node.go: a node's metrics carry its name and labels, the items sorted by
  name; pkg/api/pod.go: only Running pods, sorted by namespace and name, a missing one is NotFound;
  pkg/storage/pod.go, node.go: cpu in nanocores (DecimalSI), memory the working set in bytes
  (BinarySI); manifests/base/deployment.yaml `--metric-resolution=15s`, the window);
- KEDA's metrics apiserver (kedacore/keda pkg/provider/provider.go since 2.9 lists one metric,
  `externalmetrics`, kind ExternalMetricValueList, namespaced, verb get, as kedacore/keda#5731
  quotes `kubectl get --raw /apis/external.metrics.k8s.io/v1beta1`); a metric's value is
  GET .../namespaces/NS/METRIC?labelSelector=..., the resource being the metric's name
  (kubernetes-sigs/custom-metrics-apiserver pkg/registry/external_metrics/reststorage.go List:
  requestInfo.Resource, the request's labelSelector), answered by the KEDA simulator
  (controllers/keda.py get_external_metric). kube-controller-manager's HPA reads it here too
  (``external_metric_values``; kubernetes/kubernetes pkg/controller/podautoscaler/metrics/client.go
  externalMetricsClient.GetExternalMetric, k8s.io/metrics pkg/client/external_metrics/client.go List).

The emulator runs no containers, so a container's usage is what it requests (cpu, memory; 0 where
it requests nothing), and a node's usage is the sum over the Running pods bound to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tests.emulators.kube import quantities
from tests.emulators.kube.status import ApiError

APISERVICE = ("apiregistration.k8s.io/v1", "APIService")
METRICS = "metrics.k8s.io"
EXTERNAL = "external.metrics.k8s.io"
VERSION = "v1beta1"
WINDOW = "15s"

# name, namespaced, kind, verbs
_RESOURCES: dict[str, list[tuple[str, bool, str, list[str]]]] = {
    METRICS: [("nodes", False, "NodeMetrics", ["get", "list"]), ("pods", True, "PodMetrics", ["get", "list"])],
    EXTERNAL: [("externalmetrics", True, "ExternalMetricValueList", ["get"])],
}


def _state(cluster: Any, group: str) -> bool | None:
    """True: the APIService v1beta1.GROUP is Available; False: registered, not available; None: absent."""
    svc = cluster.get(*APISERVICE, None, f"{VERSION}.{group}")
    if svc is None:
        return None
    conds = (svc.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Available" and c.get("status") == "True" for c in conds)


def served(cluster: Any) -> list[str]:
    """The aggregated groups discovery lists now (those whose APIService is Available)."""
    return [g for g in _RESOURCES if _state(cluster, g)]


def is_aggregated(group: str) -> bool:
    return group in _RESOURCES


def api_group(group: str) -> dict[str, Any]:
    gv = {"groupVersion": f"{group}/{VERSION}", "version": VERSION}
    return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": [gv], "preferredVersion": gv}


def resource_list(group: str) -> dict[str, Any]:
    resources = [
        {"name": n, "singularName": "", "namespaced": ns, "kind": k, "verbs": v} for n, ns, k, v in _RESOURCES[group]
    ]
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{VERSION}", "resources": resources}


def aggregated_item(group: str) -> dict[str, Any]:
    """The group's entry in /apis's APIGroupDiscoveryList."""
    res = [
        {
            "resource": n,
            "responseKind": {"group": group, "version": VERSION, "kind": k},
            "scope": "Namespaced" if ns else "Cluster",
            "singularResource": "",
            "verbs": v,
        }
        for n, ns, k, v in _RESOURCES[group]
    ]
    version = {"version": VERSION, "resources": res, "freshness": "Current"}
    return {"metadata": {"name": group, "creationTimestamp": None}, "versions": [version]}


def check(cluster: Any, group: str) -> None:
    """Raises what kube-aggregator answers for a group that is not served now."""
    state = _state(cluster, group)
    if state is None:
        raise ApiError(404, "the server could not find the requested resource", "NotFound")
    if not state:
        raise ApiError(503, "the server is currently unable to handle the request", "ServiceUnavailable")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _amount(value: object) -> Decimal:
    parsed = quantities.parse(value)
    return parsed[0] if parsed else Decimal(0)


def _container_usage(container: dict[str, Any]) -> tuple[Decimal, Decimal]:
    requests = (container.get("resources") or {}).get("requests") or {}
    return _amount(requests.get("cpu", 0)), _amount(requests.get("memory", 0))


def _usage(cpu: Decimal, memory: Decimal) -> dict[str, str]:
    return {"cpu": quantities.text(cpu, "DecimalSI"), "memory": quantities.text(memory, "BinarySI")}


def _running(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running"


def pod_metrics(pod: dict[str, Any], now: str) -> dict[str, Any]:
    md = pod.get("metadata") or {}
    containers = [
        {"name": c.get("name"), "usage": _usage(*_container_usage(c))}
        for c in (pod.get("spec") or {}).get("containers") or []
    ]
    return {
        "kind": "PodMetrics",
        "apiVersion": f"{METRICS}/{VERSION}",
        "metadata": {"name": md.get("name"), "namespace": md.get("namespace"), "creationTimestamp": now},
        "timestamp": now,
        "window": WINDOW,
        "containers": containers,
    }


def node_metrics(node: dict[str, Any], pods: list[dict[str, Any]], now: str) -> dict[str, Any]:
    md = node.get("metadata") or {}
    cpu = memory = Decimal(0)
    for pod in pods:
        if _running(pod) and (pod.get("spec") or {}).get("nodeName") == md.get("name"):
            for c in (pod.get("spec") or {}).get("containers") or []:
                c_cpu, c_mem = _container_usage(c)
                cpu, memory = cpu + c_cpu, memory + c_mem
    meta = {"name": md.get("name"), "creationTimestamp": now, "labels": dict(md.get("labels") or {})}
    return {
        "kind": "NodeMetrics",
        "apiVersion": f"{METRICS}/{VERSION}",
        "metadata": meta,
        "timestamp": now,
        "window": WINDOW,
        "usage": _usage(cpu, memory),
    }


def _not_found(resource: str, name: str) -> ApiError:
    return ApiError(404, f'{resource}.{METRICS} "{name}" not found', "NotFound", {"name": name, "group": METRICS})


def _lister_not_found(resource: str, name: str) -> ApiError:
    # client-go's listers answer NotFound with the singular resource (v1.Resource("pod"), "node")
    return ApiError(404, f'{resource} "{name}" not found', "NotFound", {"name": name, "kind": resource})


def _external_provider(providers: Sequence[object]) -> Any | None:
    """The server behind v1beta1.external.metrics.k8s.io: the KEDA simulator, where one runs."""
    return next((p for p in providers if hasattr(p, "get_external_metric")), None)


def external_metric_values(
    cluster: Any, providers: Sequence[object], namespace: str, metric: str, selector: str
) -> dict[str, Any]:
    """GET /apis/external.metrics.k8s.io/v1beta1/namespaces/NS/METRIC?labelSelector=SEL as a client
    in the cluster makes it (the HPA's external metrics client): kube-aggregator's answer for the
    group (``check``), then its server's (``serve``), the path the HTTP route takes."""
    check(cluster, EXTERNAL)
    return serve(cluster, EXTERNAL, ["namespaces", namespace, metric], {"labelSelector": [selector]}, providers)


def serve(
    cluster: Any, group: str, rest: list[str], query: dict[str, list[str]], providers: Sequence[object] = ()
) -> dict[str, Any]:
    """GET /apis/GROUP/v1beta1/REST on an available group: metrics-server's or KEDA's answer."""
    selector = (query.get("labelSelector") or [None])[0] or None
    ns: str | None = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        ns, rest = rest[1], rest[2:]
    if group == EXTERNAL:
        # custom-metrics-apiserver's external metrics storage: a namespaced GET of one metric
        # (reststorage.go List); with no KEDA simulator behind the APIService, nothing answers it.
        provider = _external_provider(providers)
        if ns is None or len(rest) != 1 or provider is None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound")
        body: dict[str, Any] = provider.get_external_metric(cluster, ns, rest[0], selector or "")
        return body
    if group != METRICS or not rest or rest[0] not in ("nodes", "pods") or len(rest) > 2:
        raise ApiError(404, "the server could not find the requested resource", "NotFound")
    now = _now()
    if rest[0] == "nodes":
        pods = cluster.list("v1", "Pod")
        if len(rest) == 2:
            node = cluster.get("v1", "Node", None, rest[1])
            if node is None:
                raise _lister_not_found("node", rest[1])
            return node_metrics(node, pods, now)
        nodes = sorted(cluster.list("v1", "Node", label_selector=selector), key=lambda n: n["metadata"]["name"])
        items = [node_metrics(n, pods, now) for n in nodes]
        return {"kind": "NodeMetricsList", "apiVersion": f"{METRICS}/{VERSION}", "metadata": {}, "items": items}
    if len(rest) == 2:
        pod = cluster.get("v1", "Pod", ns, rest[1])
        if pod is None:
            raise _lister_not_found("pod", rest[1])
        if not _running(pod):
            raise _not_found("pods", f"{ns}/{rest[1]}")
        return pod_metrics(pod, now)
    pods = [p for p in cluster.list("v1", "Pod", ns, label_selector=selector) if _running(p)]
    pods.sort(key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]))
    items = [pod_metrics(p, now) for p in pods]
    return {"kind": "PodMetricsList", "apiVersion": f"{METRICS}/{VERSION}", "metadata": {}, "items": items}
