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
not found" when missing), or of another namespace where a ReferenceGrant there opens it to the
route (gateway_grants.py; without one, 500: kubernetes-sigs/gateway-api
conformance/tests/httproute-invalid-reference-grant.go);
an InferencePool routes to its shadow Service NAME-ip-HASH (gateway_pools.py),
which must carry the picker's labels, and the endpoint picker picks one of the pool's endpoints.

Hostnames (the same file, HTTPRouteSpec.Hostnames; apis/v1/gateway_types.go Listener.Hostname):
the Host header, its port ignored, matches a listener's and a route's hostname exactly or, for a
``*.`` wildcard, as a suffix of one or more labels (``*.example.com`` matches ``a.example.com`` and
``a.b.example.com``, not ``example.com``); case-insensitively, as DNS names are. No hostname
matches any Host. A route's hostnames that do not match the listener's are ignored. Between routes,
the one whose matching hostname has the most non-wildcard characters, then the most characters,
goes first; then the match precedence above. The API server's service proxy passes the request's
Host on (kubernetes/kubernetes pkg/registry/core/service/proxy.go sets no UseLocationHost).

Weighted splits (HTTPBackendRef.Weight: "proportional to the sum of all weights"): Istio writes the
weights into Envoy's weighted clusters, which draw at random per request. The lab draws by a
counter per rule instead: request n takes the backend whose cumulative weight range holds
n mod the sum, so a test counts exact shares over whole cycles. A backend Istio cannot resolve
keeps its share and answers 500 for it (the spec: "requests that would have been sent to an
invalid backend MUST receive a 500").

Request headers (HTTPHeaderMatch; upstream: kubernetes-sigs/gateway-api 4564255a apis/v1/httproute_types.go):
a header's name matches case-insensitively, its value exactly
(Exact, the default) or as a RegularExpression. Where the body-based router runs for the Gateway
(gateway_bbr.py), the headers are those it leaves: ``X-Gateway-Model-Name`` from the body's model.

A Gateway deployed by hand (spec.addresses naming a Service; Istio makes no Service for it) is
reached through the Service its Hostname address names (``_deployed_by_hand``; upstream: istio/istio
86c9f01f pilot/pkg/config/kube/gateway/conversion.go extractGatewayServices).

What the lab does not simulate, and does instead:
* The endpoint picker's choice, as llm-d-router's chart configures it (llm-d/llm-d-router
  ebab6879 config/charts/routerlib/templates/_config.yaml default-plugins.yaml: profile "default"
  with queue-scorer weight 2, kv-cache-utilization-scorer weight 2, prefix-cache-scorer weight 3,
  and the max-score picker): among the ready pods of the pool's selector that serve on one of its
  targetPorts, the one of the highest weighted score, where the queue score is
  (max waiting - its waiting) / (max - min), 1 for all when they are equal
  (pkg/epp/framework/plugins/scheduling/scorer/queuedepth/queue.go), and the KV-cache score
  1 - its vllm:kv_cache_usage_perc (scorer/kvcacheutilization/kvcache_utilization.go), read from
  the lab's model servers' figures. Not simulated: the prefix-cache score (it needs the picker's
  history of prompts; taken as 0 for every pod) and the picker's random tie-break
  (picker/maxscore/picker.go shuffles; the lab takes the first by name). Without figures, the first
  ready pod by name. The ext_proc stream itself (the picker's TLS, its failure mode) is not
  carried: model/picker_tls.py judges it apart.
* Filters, timeouts and retries of the rule are not applied (akscli renders none).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.kube.controllers import gateway_bbr, gateway_grants
from tests.emulators.kube.controllers.gateway_pools import POOL_LABEL, shadow_labels_missing, shadow_name
from tests.emulators.kube.controllers.gateway_service import NAME_LABEL, managed
from tests.emulators.kube.status import ApiError

ROUTE_API = "gateway.networking.k8s.io/v1"
GATEWAY_GROUP = "gateway.networking.k8s.io"
POOL_API = "inference.networking.k8s.io/v1"
POOL_GROUP = "inference.networking.k8s.io"
ISTIO = "istio.io/gateway-controller"

Handler = Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]
# The answer of a model server's port: (model server handler) for a pod and a port, or None.
PodServer = Callable[[str, dict[str, Any], int], Handler | None]
# A pod's figures the endpoint picker scores: (requests waiting, KV-cache use 0..1), or None.
PodFigures = Callable[[str, str], tuple[float, float] | None]
# llm-d-router's chart: default profile weights (queue-scorer, kv-cache-utilization-scorer).
QUEUE_WEIGHT, KV_CACHE_WEIGHT = 2.0, 2.0


def _text(status: int, why: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "text/plain"}, why.encode()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes
    host: str  # the Host header as sent, port and all
    headers: Mapping[str, str] = field(default_factory=dict)  # the other headers, names lower-cased


def gateway_handler(
    cluster: Any,
    namespace: str,
    service: str,
    port: str,
    pod_server: PodServer,
    splits: dict[Any, int] | None = None,
    figures: PodFigures | None = None,
) -> Handler | None:
    """The gateway's answer for requests to ``port`` of ``service``, when that Service is the one
    Istio made for a Gateway of its class (gateway_service.py); None for any other Service.
    ``splits`` keeps each rule's request counter between requests (weighted splits); ``figures``
    gives the endpoint picker each pod's queue and KV-cache use."""
    splits = {} if splits is None else splits
    svc = cluster.get("v1", "Service", namespace, service)
    labels = ((svc or {}).get("metadata") or {}).get("labels") or {}
    gateway = cluster.get(ROUTE_API, "Gateway", namespace, labels.get(NAME_LABEL, "")) if NAME_LABEL in labels else None
    owners = ((svc or {}).get("metadata") or {}).get("ownerReferences") or []
    is_managed = gateway is not None and any(o.get("kind") == "Gateway" for o in owners)
    if not is_managed:
        gateway = _deployed_by_hand(cluster, namespace, service) if svc is not None else None
    if gateway is None:
        return None
    # The proxies' namespace and pod labels, which Istio matches an EnvoyFilter against (upstream:
    # istio/istio 86c9f01f pilot/pkg/model/policyattachment.go ShouldAttachPolicy; gateway_bbr.py).
    workload = gateway_bbr.workload_of(gateway, svc, is_managed, cluster)
    number = next(
        (p["port"] for p in (svc or {})["spec"].get("ports") or [] if port in ("", str(p.get("name")), str(p["port"]))),
        None,
    )
    listeners = [item for item in gateway["spec"].get("listeners") or [] if item.get("port") == number]
    if not listeners:
        return None

    def handle(
        method: str, path: str, body: bytes, host: str = "", headers: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        request = Request(method, path, body, host, {k.lower(): v for k, v in (headers or {}).items()})
        return _route(cluster, gateway, listeners, request, pod_server, splits, figures, (workload, int(number)))

    handle.takes_host = True  # type: ignore[attr-defined]  # the emulator's service proxy passes Host
    return handle


def _deployed_by_hand(cluster: Any, namespace: str, service: str) -> dict[str, Any] | None:
    """The Gateway deployed by hand whose spec.addresses name this Service: each Hostname address
    (type unset too) is a Service's hostname, a short name one of the Gateway's namespace (istio/istio
    86c9f01f pilot/pkg/config/kube/gateway/conversion.go extractGatewayServices,
    gatewaycommon/gateway_utils.go IsManaged)."""
    try:
        gateways = cluster.list(ROUTE_API, "Gateway", None)
    except ApiError:
        return None  # the Gateway API is not served (an emulator given --crds without it): no Gateway
    for gw in gateways:
        if managed(gw):
            continue
        for address in gw["spec"].get("addresses") or []:
            if address.get("type") not in (None, "Hostname"):
                continue
            labels = str(address.get("value") or "").split(".")
            named = (gw["metadata"]["namespace"], labels[0]) if len(labels) == 1 else (labels[1], labels[0])
            if named == (namespace, service) and (len(labels) == 1 or labels[2:3] == ["svc"]):
                return dict(gw)
    return None


def _route(
    cluster: Any,
    gateway: Mapping[str, Any],
    listeners: list[Mapping[str, Any]],
    request: Request,
    pod_server: PodServer,
    splits: dict[Any, int],
    figures: PodFigures | None = None,
    proxies: tuple[gateway_bbr.Workload, int] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    url = urllib.parse.urlsplit(request.path)
    query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    headers: Mapping[str, str] = request.headers
    router = gateway_bbr.router_for(cluster, *proxies) if proxies is not None else None
    if router is not None:
        after = gateway_bbr.headers_after(request.headers, request.body, cluster, router)
        if isinstance(after, tuple):
            return _text(*after)
        headers = after
    host = _bare_host(request.host)
    candidates: list[tuple[tuple[Any, ...], Mapping[str, Any], int, Mapping[str, Any]]] = []
    for route in cluster.list(ROUTE_API, "HTTPRoute", None):
        matched = _host_rank(route, _attached(route, gateway, listeners), host)
        if matched is None:
            continue
        meta = route["metadata"]
        for r_index, rule in enumerate(route["spec"].get("rules") or []):
            for m_index, match in enumerate(rule.get("matches") or [{"path": {"type": "PathPrefix", "value": "/"}}]):
                if _matches(match, request.method, url.path or "/", query, headers):
                    key = (
                        *matched,
                        *_precedence(match),
                        str(meta.get("creationTimestamp") or ""),
                        f"{meta['namespace']}/{meta['name']}",
                        r_index,
                        m_index,
                    )
                    candidates.append((key, route, r_index, rule))
    if not candidates:
        return _text(404, "no route matches the request")
    _, route, r_index, rule = min(candidates, key=lambda c: c[0])
    ref = _split(route, r_index, rule, splits)
    if ref is None:
        return _text(500, "no backend with a weight above 0")
    return _backend(cluster, route, ref, request, pod_server, figures)


def _bare_host(header: str) -> str:
    """The Host header without its port (an IPv6 literal keeps its brackets), lower-cased."""
    host = header.strip().lower()
    if host.startswith("["):
        return host[: host.index("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if ":" in host else host


def _host_matches(pattern: str, host: str) -> bool:
    pattern = pattern.lower()
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def _host_rank(route: Mapping[str, Any], listeners: list[Mapping[str, Any]], host: str) -> tuple[int, int] | None:
    """For a request to ``host``: None when no listener the route attached to, with the route's
    hostnames, takes it; else the precedence key of the matching hostname (lower goes first)."""
    best: tuple[int, int] | None = None
    for listener in listeners:
        own = str(listener.get("hostname") or "")
        if own and not _host_matches(own, host):
            continue
        names = [
            str(n)
            for n in route["spec"].get("hostnames") or []
            if not own or _host_matches(own, str(n)) or _host_matches(str(n), own) or str(n) == own
        ]
        if route["spec"].get("hostnames") and not names:
            continue
        matching = [n for n in names if _host_matches(n, host)] if names else ([own] if own else [""])
        for name in matching:
            key = (0 if name.startswith("*") else -len(name), -len(name))
            best = key if best is None else min(best, key)
    return best


def _split(route: Mapping[str, Any], r_index: int, rule: Mapping[str, Any], splits: dict[Any, int]) -> Any:
    """The backendRef of the rule's next request: by the rule's counter over the cumulative weights."""
    refs = rule.get("backendRefs") or []
    total = sum(int(r.get("weight", 1)) for r in refs)
    if total <= 0:
        return None
    meta = route["metadata"]
    key = (meta["namespace"], meta["name"], meta.get("uid"), r_index)
    n = splits.get(key, 0)
    splits[key] = n + 1
    point = n % total
    for ref in refs:
        point -= int(ref.get("weight", 1))
        if point < 0:
            return ref
    return None


def _attached(
    route: Mapping[str, Any], gateway: Mapping[str, Any], listeners: list[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The listeners of the request's port the route attached to: its parent status for this
    Gateway, written by Istio's controller, says Accepted, and its parentRef's sectionName or port
    (if any) names the listener."""
    gw_meta = gateway["metadata"]
    found: list[Mapping[str, Any]] = []
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
            if ref.get("sectionName") not in (None, listener.get("name")):
                continue
            if ref.get("port") not in (None, listener.get("port")):
                continue
            found.append(listener)
    return found


def _path_matches(kind: str, value: str, path: str) -> bool:
    if kind == "Exact":
        return path == value
    if kind == "RegularExpression":
        return re.fullmatch(value, path) is not None
    prefix = value.rstrip("/")
    return not prefix or path == prefix or path.startswith(prefix + "/")


def _matches(
    match: Mapping[str, Any],
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str] | None = None,
) -> bool:
    path_match = match.get("path") or {"type": "PathPrefix", "value": "/"}
    if not _path_matches(str(path_match.get("type") or "PathPrefix"), str(path_match.get("value") or "/"), path):
        return False
    if match.get("method") not in (None, method):
        return False
    return _pairs_match(match.get("headers") or [], headers or {}, fold=True) and _pairs_match(
        match.get("queryParams") or [], query
    )


def _pairs_match(items: list[Mapping[str, Any]], given: Mapping[str, str], fold: bool = False) -> bool:
    """HTTPHeaderMatch / HTTPQueryParamMatch: each named one present with its value (Exact, the
    default) or matching it (RegularExpression); header names case-insensitively (``fold``)."""
    for item in items:
        name = str(item.get("name"))
        value = given.get(name.lower() if fold else name)
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
    ref: Mapping[str, Any],
    request: Request,
    pod_server: PodServer,
    figures: PodFigures | None = None,
) -> tuple[int, dict[str, str], bytes]:
    namespace = route["metadata"]["namespace"]
    other = gateway_grants.other_namespace(namespace, ref)
    if other and not gateway_grants.backend_allowed(cluster, "HTTPRoute", namespace, ref):
        return _text(500, f"backend {other}/{ref.get('name')} of another namespace, which no ReferenceGrant opens")
    namespace = other or namespace
    group, kind = ref.get("group", ""), ref.get("kind", "Service")
    if (group, kind) == (POOL_GROUP, "InferencePool"):
        found = _pool_endpoint(cluster, namespace, str(ref.get("name")), pod_server, figures)
    elif (group, kind) == ("", "Service"):
        found = _service_endpoint(cluster, namespace, str(ref.get("name")), ref.get("port"), pod_server)
    else:
        return _text(500, f"referencing unsupported backendRef: group {group!r} kind {kind!r}")
    if isinstance(found, tuple):
        return found
    return found(request.method, request.path, request.body)


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
    cluster: Any, namespace: str, name: str, pod_server: PodServer, figures: PodFigures | None = None
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
    endpoints: list[tuple[str, Handler]] = []
    for pod in _selected(cluster, namespace, (pool["spec"].get("selector") or {}).get("matchLabels") or {}):
        handler = next((h for t in targets if (h := pod_server(namespace, pod, t)) is not None), None)
        if handler is not None:
            endpoints.append((pod["metadata"]["name"], handler))
    if not endpoints:
        return _text(503, f"no ready endpoint of InferencePool {namespace}/{name}")
    return _pick(namespace, endpoints, figures)


def _pick(namespace: str, endpoints: list[tuple[str, Handler]], figures: PodFigures | None) -> Handler:
    """The max-score picker over the queue and KV-cache scorers (the module's docstring)."""
    read = {pod: (figures(namespace, pod) if figures else None) or (0.0, 0.0) for pod, _ in endpoints}
    waiting = [w for w, _ in read.values()]
    low, high = min(waiting), max(waiting)

    def score(pod: str) -> float:
        queue = 1.0 if high == low else (high - read[pod][0]) / (high - low)
        return QUEUE_WEIGHT * queue + KV_CACHE_WEIGHT * (1 - read[pod][1])

    return max(endpoints, key=lambda e: score(e[0]))[1]  # max keeps the first (by name) of equal scores


def _pod_port(pod: Mapping[str, Any], target: Any) -> int:
    if str(target).isdigit():
        return int(target)
    for container in (pod.get("spec") or {}).get("containers") or []:
        for item in container.get("ports") or []:
            if item.get("name") == target:
                return int(item["containerPort"])
    return -1
