"""The status Istio's Gateway API controller writes on an InferencePool, for the lab's gateway
(tests/emulators/kube/controllers/gateway.py). A request to a pool is routed by gateway_dataplane.py
(upstream: kubernetes-sigs/gateway-api-inference-extension api/v1/inferencepool_types.go).

upstream: istio/istio 1.29.6 pilot/pkg/config/kube/gateway/inferencepool_collection.go
(InferencePoolCollection, calculateInferencePoolStatus, findGatewayParents,
calculateAcceptedStatus, calculateResolvedRefsStatus), against the API of
kubernetes-sigs/gateway-api-inference-extension v1.6.0 (992e5c29) api/v1/inferencepool_types.go:

* A pool's parents are the Gateways of the Istio-written parent statuses of the HTTPRoutes whose
  backendRefs name it (findGatewayParents). Each gets one ParentStatus: parentRef (group, kind
  Gateway, namespace, name) and two conditions, with no controllerName (Istio sets none).
* ``Accepted``: True, reason ``Accepted``, when such a route's parent status for that Gateway is
  Accepted; False, ``HTTPRouteNotAccepted``, when it is not; Unknown when it has no Accepted.
* ``ResolvedRefs``: the endpointPickerRef's kind (Service when unset) must be Service, its name set
  and the Service must exist in the pool's namespace; else False, ``InvalidExtensionRef``. Only
  existence is checked, not the port.
* Parents of other controllers' Gateways are kept; Istio's own parents that no route names any
  more are dropped (a pool no route names ends with no parents: conformance
  tests/inferencepool_resolvedrefs_condition.go).

* A pool with parents gets its shadow Service (upstream: istio/istio 1.29.6
  pilot/pkg/config/kube/gateway/inferencepool_collection.go createInferencePoolObject, InferencePoolServiceName,
  translateShadowServiceToService, reconcileShadowService, applyShadowService): ``NAME-ip-`` and
  the first 8 hex digits of sha256(NAME) (NAME cut so the whole is at most 63 characters), headless
  (clusterIP None), the pool's matchLabels as selector, one port per targetPort (``http-I``, port
  54321 + I, TCP, targetPort the pool's), labels ``istio.io/inferencepool-name`` and the picker's
  name, port and failure mode (FailClose unless FailOpen), owned by the pool (no controller flag),
  server-side applied by field manager ``istio.io/inference-pool-controller`` with force. A pool
  without ``endpointPickerRef.port`` gets none. A Service of that name without the
  ``istio.io/inferencepool-name`` label is not Istio's and is left alone (canManageShadowServiceForInference).
  Istio never deletes it: the pool's deletion does, through the owner reference.

With istiod's ENABLE_GATEWAY_API_INFERENCE_EXTENSION off (Istio's default) Istio reads no
InferencePool and writes no status (pilot/pkg/config/kube/gateway/controller.go); the caller then
does not call ``sync``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

POOL_API = "inference.networking.k8s.io/v1"
POOL_GROUP = "inference.networking.k8s.io"
GATEWAY_GROUP = "gateway.networking.k8s.io"
ROUTE_API = "gateway.networking.k8s.io/v1"
POOL_LABEL = "istio.io/inferencepool-name"
EXT_SERVICE = "istio.io/inferencepool-extension-service"
EXT_PORT = "istio.io/inferencepool-extension-port"
EXT_FAILURE_MODE = "istio.io/inferencepool-extension-failure-mode"
FIELD_MANAGER = "istio.io/inference-pool-controller"


def shadow_name(pool: str) -> str:
    """InferencePoolServiceName: NAME-ip-HASH, at most 63 characters."""
    digest = hashlib.sha256(pool.encode()).hexdigest()[:8]
    return f"{pool[: 63 - len('-ip-') - 8]}-ip-{digest}"


def shadow_labels_missing(service: Mapping[str, Any]) -> bool:
    """conversion.go buildDestination: the shadow Service must carry the picker's name, port and
    failure mode, else the route's backend is an InvalidDestination."""
    labels = (service.get("metadata") or {}).get("labels") or {}
    return not all(labels.get(k) for k in (EXT_SERVICE, EXT_PORT, EXT_FAILURE_MODE))


def _shadow_service(cluster: Any, pool: Mapping[str, Any]) -> bool:
    md, spec = pool["metadata"], pool.get("spec") or {}
    ref = spec.get("endpointPickerRef") or {}
    if (ref.get("port") or {}).get("number") is None:
        return False  # createInferencePoolObject: "endpointPickerRef port is required"
    name = shadow_name(md["name"])
    existing = cluster.get("v1", "Service", md["namespace"], name)
    if existing is not None and POOL_LABEL not in ((existing.get("metadata") or {}).get("labels") or {}):
        return False
    ports = [
        {"name": f"http-{i}", "protocol": "TCP", "port": 54321 + i, "targetPort": int(p["number"])}
        for i, p in enumerate(spec.get("targetPorts") or [])
    ]
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": name,
            "namespace": md["namespace"],
            "labels": {
                POOL_LABEL: md["name"],
                EXT_SERVICE: str(ref.get("name") or ""),
                EXT_PORT: str(ref["port"]["number"]),
                EXT_FAILURE_MODE: "FailOpen" if ref.get("failureMode") == "FailOpen" else "FailClose",
                "internal.istio.io/service-semantics": "inferencepool",
            },
            "ownerReferences": [
                {"apiVersion": POOL_API, "kind": "InferencePool", "name": md["name"], "uid": md["uid"]}
            ],
        },
        "spec": {
            "selector": dict((spec.get("selector") or {}).get("matchLabels") or {}),
            "type": "ClusterIP",
            "clusterIP": "None",
            "ports": ports,
        },
    }
    if existing is not None and _same(existing, service):
        return False
    cluster.apply(service, manager=FIELD_MANAGER, force=True)
    return True


def _same(existing: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    have_md, want_md = existing.get("metadata") or {}, wanted["metadata"]
    have_spec = existing.get("spec") or {}
    return (
        all((have_md.get("labels") or {}).get(k) == v for k, v in want_md["labels"].items())
        and have_md.get("ownerReferences") == want_md["ownerReferences"]
        and all(have_spec.get(k) == v for k, v in wanted["spec"].items())
    )


def sync(cluster: Any, gateways: Mapping[tuple[str, str], Mapping[str, Any]], implements: Iterable[str]) -> bool:
    """Write the status of every InferencePool (gateways: the Gateways of implemented classes) and
    its shadow Service; True when a shadow Service was written (the routes to it resolve anew)."""
    from tests.emulators.kube.controllers.gateway import _conditions, _write

    controllers = frozenset(implements)
    routes = list(cluster.list(ROUTE_API, "HTTPRoute"))
    wrote = False
    for pool in cluster.list(POOL_API, "InferencePool"):
        ns, name = pool["metadata"]["namespace"], pool["metadata"]["name"]
        naming = [r for r in routes if _names_pool(r, ns, name)]
        parents = _gateway_parents(naming, controllers)
        old = list((pool.get("status") or {}).get("parents") or [])
        kept = [p for p in old if _parent_key(p, ns) not in parents and _parent_key(p, ns) not in gateways]
        ours = []
        for key in sorted(parents):
            before = next((p for p in old if _parent_key(p, ns) == key), {})
            wanted = [_accepted(naming, key, controllers), _resolved_refs(cluster, pool)]
            ours.append(
                {
                    "parentRef": {"group": GATEWAY_GROUP, "kind": "Gateway", "namespace": key[0], "name": key[1]},
                    "conditions": _conditions(pool, wanted, before.get("conditions") or []),
                }
            )
        _write(cluster, pool, {"parents": kept + ours})
        if parents:
            wrote = _shadow_service(cluster, pool) or wrote
    return wrote


def _names_pool(route: Mapping[str, Any], ns: str, name: str) -> bool:
    for rule in (route.get("spec") or {}).get("rules") or []:
        for ref in rule.get("backendRefs") or []:
            pool = ref.get("group") == POOL_GROUP and ref.get("kind") == "InferencePool"
            if pool and ref.get("name") == name and (ref.get("namespace") or route["metadata"]["namespace"]) == ns:
                return True
    return False


Parent = tuple[tuple[str, str], dict[str, Any]]


def _route_parents(route: Mapping[str, Any], controllers: frozenset[str]) -> list[Parent]:
    """The route's parent statuses Istio wrote, by (namespace, name) of their Gateway."""
    out = []
    for parent in (route.get("status") or {}).get("parents") or []:
        if parent.get("controllerName") not in controllers:
            continue
        ref = parent.get("parentRef") or {}
        out.append(((ref.get("namespace") or route["metadata"]["namespace"], ref["name"]), parent))
    return out


def _gateway_parents(routes: list[dict[str, Any]], controllers: frozenset[str]) -> set[tuple[str, str]]:
    return {key for route in routes for key, _ in _route_parents(route, controllers)}


def _parent_key(parent: Mapping[str, Any], ns: str) -> tuple[str, str]:
    ref = parent.get("parentRef") or {}
    return ref.get("namespace") or ns, ref.get("name") or ""


def _accepted(routes: list[dict[str, Any]], key: tuple[str, str], controllers: frozenset[str]) -> tuple[str, ...]:
    """calculateAcceptedStatus: the first naming route with this Gateway as a parent decides."""
    for route in routes:
        for parent_key, parent in _route_parents(route, controllers):
            if parent_key != key:
                continue
            accepted = next((c for c in parent.get("conditions") or [] if c.get("type") == "Accepted"), None)
            if accepted is None:
                return "Accepted", "Unknown", "Accepted", "Referenced by an HTTPRoute unknown parentRef Gateway status"
            if accepted.get("status") == "True":
                return "Accepted", "True", "Accepted", "Referenced by an HTTPRoute accepted by the parentRef Gateway"
            md = route["metadata"]
            return (
                "Accepted",
                "False",
                "HTTPRouteNotAccepted",
                f"Referenced HTTPRoute {md['namespace']}/{md['name']} not accepted by Gateway {key[0]}/{key[1]}: "
                f"{accepted.get('message', '')}",
            )
    return (
        "Accepted",
        "False",
        "HTTPRouteNotAccepted",
        f"No HTTPRoute found referencing this InferencePool with Gateway {key[0]}/{key[1]} as parent",
    )


def _resolved_refs(cluster: Any, pool: Mapping[str, Any]) -> tuple[str, ...]:
    """calculateResolvedRefsStatus: a Service of the pool's namespace, by name; the port is not read."""
    ref = (pool.get("spec") or {}).get("endpointPickerRef") or {}
    kind = ref.get("kind") or "Service"
    if kind != "Service":
        return "ResolvedRefs", "False", "InvalidExtensionRef", f"Unsupported ExtensionRef kind {kind}"
    name = ref.get("name") or ""
    if not name:
        return "ResolvedRefs", "False", "InvalidExtensionRef", "ExtensionRef not defined"
    if cluster.get("v1", "Service", pool["metadata"]["namespace"], name) is None:
        return "ResolvedRefs", "False", "InvalidExtensionRef", f"Referenced ExtensionRef not found {name}"
    return "ResolvedRefs", "True", "ResolvedRefs", "Referenced ExtensionRef resolved successfully"
