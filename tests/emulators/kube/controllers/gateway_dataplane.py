"""One HTTP request through the lab's Istio gateway: a request to a Gateway's Service (through the
API server's service proxy) is routed by the HTTPRoutes attached to that Gateway to a Service or an
InferencePool, and answered by the model server of the pod it reaches (tests/emulators/serving.py).
The lab's gateway status (gateway.py) decides which routes are attached; this module carries the
request.

upstream: kubernetes-sigs/gateway-api v1.6.1 (8bb74df00e56ec8f944d48c25e6c1c9c2f6848e3)
apis/v1/httproute_types.go:
* HTTPRouteRule.Matches: no matches is a PathPrefix match on "/"; a match holds when its path,
  method, headers and query parameters all do (HTTPRouteMatch).
* PathMatchType: Exact is the whole path, case-sensitive; PathPrefix matches element by element,
  a trailing "/" ignored ("/abc" matches "/abc", "/abc/" and "/abc/def", not "/abcd").
  RegularExpression: Python's re.fullmatch (the dialect is the implementation's; Istio's is RE2).
* Precedence across the rules of the attached routes: Exact path, then the longest PathPrefix,
  then a method match, then the most header matches, then the most query parameter matches; then
  the oldest route, then "{namespace}/{name}" alphabetically; then the first rule and match in list
  order. No match: 404.
* BackendRefs: weight 0 sends nothing; a rule whose backends all have weight 0 answers 500 (Istio:
  pilot/pkg/config/kube/gateway/conversion.go convertHTTPRoute, weightSum). An invalid backend
  answers 500; a Service with no ready endpoints SHOULD answer 503.

Istio's backends (istio/istio 1.29.6 7019d6d3 pilot/pkg/config/kube/gateway/conversion.go
buildDestination): a Service of the route's namespace with the backendRef's port ("backend(HOST)
not found" when missing); an InferencePool routes to its shadow Service NAME-ip-HASH (gateway_pools.py),
which must carry the picker's labels, and the endpoint picker picks one of the pool's endpoints.

What the lab does not simulate, and does instead:
* The service proxy carries no Host header of the user's, so only listeners and routes without
  hostnames match a request.
* Weighted splits: the first backendRef with a weight above 0 takes the request.
* The endpoint picker's choice (llm-d-router scores the endpoints): the first ready pod of the
  pool's selector, by name, that serves on one of its targetPorts. The ext_proc stream itself (the
  picker's TLS, its failure mode) is not carried: model/picker_tls.py judges it apart.
* Filters, timeouts and retries of the rule are not applied (akscli renders none).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers.gateway_pools import POOL_LABEL, shadow_labels_missing, shadow_name
from tests.emulators.kube.controllers.gateway_service import NAME_LABEL

ROUTE_API = "gateway.networking.k8s.io/v1"
GATEWAY_GROUP = "gateway.networking.k8s.io"
POOL_API = "inference.networking.k8s.io/v1"
POOL_GROUP = "inference.networking.k8s.io"
ISTIO = "istio.io/gateway-controller"

Handler = Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]
# The answer of a model server's port: (model server handler) for a pod and a port, or None.
PodServer = Callable[[str, dict[str, Any], int], Handler | None]


def _text(status: int, why: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "text/plain"}, why.encode()


def gateway_handler(cluster: Any, namespace: str, service: str, port: str, pod_server: PodServer) -> Handler | None:
    """The gateway's answer for requests to ``port`` of ``service``, when that Service is the one
    Istio made for a Gateway of its class (gateway_service.py); None for any other Service."""
    svc = cluster.get("v1", "Service", namespace, service)
    labels = ((svc or {}).get("metadata") or {}).get("labels") or {}
    gateway = cluster.get(ROUTE_API, "Gateway", namespace, labels.get(NAME_LABEL, "")) if NAME_LABEL in labels else None
    owners = ((svc or {}).get("metadata") or {}).get("ownerReferences") or []
    if gateway is None or not any(o.get("kind") == "Gateway" for o in owners):
        return None
    number = next(
        (p["port"] for p in (svc or {})["spec"].get("ports") or [] if port in ("", str(p.get("name")), str(p["port"]))),
        None,
    )
    listeners = [item for item in gateway["spec"].get("listeners") or [] if item.get("port") == number]
    if not listeners:
        return None

    def handle(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        return _route(cluster, gateway, listeners, method, path, body, pod_server)

    return handle


def _route(
    cluster: Any,
    gateway: Mapping[str, Any],
    listeners: list[Mapping[str, Any]],
    method: str,
    path: str,
    body: bytes,
    pod_server: PodServer,
) -> tuple[int, dict[str, str], bytes]:
    url = urllib.parse.urlsplit(path)
    query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    candidates: list[tuple[tuple[Any, ...], Mapping[str, Any], Mapping[str, Any]]] = []
    for route in cluster.list(ROUTE_API, "HTTPRoute", None):
        if route["spec"].get("hostnames") or not _attached(route, gateway, listeners):
            continue
        meta = route["metadata"]
        for r_index, rule in enumerate(route["spec"].get("rules") or []):
            for m_index, match in enumerate(rule.get("matches") or [{"path": {"type": "PathPrefix", "value": "/"}}]):
                if _matches(match, method, url.path or "/", query):
                    key = (
                        *_precedence(match),
                        str(meta.get("creationTimestamp") or ""),
                        f"{meta['namespace']}/{meta['name']}",
                        r_index,
                        m_index,
                    )
                    candidates.append((key, route, rule))
    if not candidates:
        return _text(404, "no route matches the request")
    _, route, rule = min(candidates, key=lambda c: c[0])
    return _backend(cluster, route, rule, method, path, body, pod_server)


def _attached(route: Mapping[str, Any], gateway: Mapping[str, Any], listeners: list[Mapping[str, Any]]) -> bool:
    """The route's parent status for this Gateway, written by Istio's controller, says Accepted, and
    its parentRef's sectionName or port (if any) names a listener of the request's port that has
    no hostname."""
    gw_meta = gateway["metadata"]
    for parent in (route.get("status") or {}).get("parents") or []:
        ref = parent.get("parentRef") or {}
        if (
            parent.get("controllerName") != ISTIO
            or ref.get("group", GATEWAY_GROUP) != GATEWAY_GROUP
            or ref.get("kind", "Gateway") != "Gateway"
            or ref.get("name") != gw_meta["name"]
            or ref.get("namespace", route["metadata"]["namespace"]) != gw_meta["namespace"]
        ):
            continue
        if not any(c.get("type") == "Accepted" and c.get("status") == "True" for c in parent.get("conditions") or []):
            continue
        for listener in listeners:
            if listener.get("hostname"):
                continue
            if ref.get("sectionName") not in (None, listener.get("name")):
                continue
            if ref.get("port") not in (None, listener.get("port")):
                continue
            return True
    return False


def _path_matches(kind: str, value: str, path: str) -> bool:
    if kind == "Exact":
        return path == value
    if kind == "RegularExpression":
        return re.fullmatch(value, path) is not None
    prefix = value.rstrip("/")
    return not prefix or path == prefix or path.startswith(prefix + "/")


def _matches(match: Mapping[str, Any], method: str, path: str, query: Mapping[str, str]) -> bool:
    path_match = match.get("path") or {"type": "PathPrefix", "value": "/"}
    if not _path_matches(str(path_match.get("type") or "PathPrefix"), str(path_match.get("value") or "/"), path):
        return False
    if match.get("method") not in (None, method):
        return False
    if match.get("headers"):
        return False  # the service proxy carries none of the user's headers
    for item in match.get("queryParams") or []:
        value = query.get(str(item.get("name")))
        if value is None:
            return False
        if item.get("type") == "RegularExpression":
            if re.fullmatch(str(item.get("value")), value) is None:
                return False
        elif value != item.get("value"):
            return False
    return True


def _precedence(match: Mapping[str, Any]) -> tuple[int, int, int, int, int]:
    """A sort key: lower goes first."""
    path_match = match.get("path") or {"type": "PathPrefix", "value": "/"}
    exact = path_match.get("type") == "Exact"
    prefix = len(str(path_match.get("value") or "/")) if path_match.get("type", "PathPrefix") == "PathPrefix" else 0
    return (
        0 if exact else 1,
        -prefix,
        0 if match.get("method") else 1,
        -len(match.get("headers") or []),
        -len(match.get("queryParams") or []),
    )


def _backend(
    cluster: Any,
    route: Mapping[str, Any],
    rule: Mapping[str, Any],
    method: str,
    path: str,
    body: bytes,
    pod_server: PodServer,
) -> tuple[int, dict[str, str], bytes]:
    namespace = route["metadata"]["namespace"]
    refs = [r for r in rule.get("backendRefs") or [] if int(r.get("weight", 1)) > 0]
    if not refs:
        return _text(500, "no backend with a weight above 0")
    ref = refs[0]
    if ref.get("namespace", namespace) != namespace:
        return _text(500, f"backend {ref.get('namespace')}/{ref.get('name')} of another namespace")
    group, kind = ref.get("group", ""), ref.get("kind", "Service")
    if (group, kind) == (POOL_GROUP, "InferencePool"):
        found = _pool_endpoint(cluster, namespace, str(ref.get("name")), pod_server)
    elif (group, kind) == ("", "Service"):
        found = _service_endpoint(cluster, namespace, str(ref.get("name")), ref.get("port"), pod_server)
    else:
        return _text(500, f"referencing unsupported backendRef: group {group!r} kind {kind!r}")
    if isinstance(found, tuple):
        return found
    return found(method, path, body)


def _ready(pod: Mapping[str, Any]) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _selected(cluster: Any, namespace: str, selector: Mapping[str, str]) -> list[dict[str, Any]]:
    query = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    pods = cluster.list("v1", "Pod", namespace, query) if selector else []
    return sorted((p for p in pods if _ready(p)), key=lambda p: p["metadata"]["name"])


def _service_endpoint(
    cluster: Any, namespace: str, name: str, port: Any, pod_server: PodServer
) -> Handler | tuple[int, dict[str, str], bytes]:
    svc = cluster.get("v1", "Service", namespace, name)
    if svc is None or port is None:
        return _text(500, f"backend({name}.{namespace}.svc.cluster.local) not found")
    spec_port = next((p for p in svc["spec"].get("ports") or [] if p.get("port") == port), None)
    if spec_port is None:
        return _text(500, f"Service {namespace}/{name} has no port {port}")
    target = spec_port.get("targetPort", port)
    for pod in _selected(cluster, namespace, svc["spec"].get("selector") or {}):
        handler = pod_server(namespace, pod, _pod_port(pod, target))
        if handler is not None:
            return handler
    return _text(503, f"no ready endpoint of Service {namespace}/{name}")


def _pool_endpoint(
    cluster: Any, namespace: str, name: str, pod_server: PodServer
) -> Handler | tuple[int, dict[str, str], bytes]:
    pool = cluster.get(POOL_API, "InferencePool", namespace, name)
    if pool is None:
        return _text(500, f"backend({name}) not found")
    shadow = cluster.get("v1", "Service", namespace, shadow_name(name))
    if shadow is None or POOL_LABEL not in (shadow["metadata"].get("labels") or {}):
        return _text(500, f"backend({shadow_name(name)}.{namespace}.svc.cluster.local) not found")
    if shadow_labels_missing(shadow):
        return _text(500, "InferencePool service invalid, extensionRef labels not found")
    targets = [int(p["number"]) for p in pool["spec"].get("targetPorts") or []]
    for pod in _selected(cluster, namespace, (pool["spec"].get("selector") or {}).get("matchLabels") or {}):
        for target in targets:
            handler = pod_server(namespace, pod, target)
            if handler is not None:
                return handler
    return _text(503, f"no ready endpoint of InferencePool {namespace}/{name}")


def _pod_port(pod: Mapping[str, Any], target: Any) -> int:
    if str(target).isdigit():
        return int(target)
    for container in (pod.get("spec") or {}).get("containers") or []:
        for item in container.get("ports") or []:
            if item.get("name") == target:
                return int(item["containerPort"])
    return -1
