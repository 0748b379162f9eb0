"""The Gateway a deploy's --expose attaches akscli's HTTPRoute to, checked before anything is
applied: the route's fields, the Gateway and its class, a listener that admits the route, and an
older route on the same Gateway that would take all of its traffic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.errors import AuthError, NotFoundError
from akscli.kube import label_selector
from akscli.kube.client import Kube
from akscli.kube.selectors import SelectorError
from akscli.model import monitoring, route_crd
from akscli.model.kinds import GATEWAY_API
from akscli.model.request import DeployRequest


def check_gateway(kube: Kube, req: DeployRequest) -> list[str]:
    namespace = req.gateway_namespace or req.namespace
    route_crd.check(kube, req)  # the route's fields, before the Gateway it attaches to
    gateway = kube.get(GATEWAY_API, "Gateway", req.gateway, namespace=namespace)
    if gateway is None:
        raise NotFoundError(
            f"--expose attaches the route to Gateway {namespace}/{req.gateway}, which does not exist",
            hint="name an existing one with --gateway [NAMESPACE/]NAME (kubectl get gateways -A), or create it",
        )
    class_name = str((gateway.get("spec") or {}).get("gatewayClassName") or "")
    gateway_class = kube.get(GATEWAY_API, "GatewayClass", class_name)
    if gateway_class is None:
        raise NotFoundError(
            f"Gateway {namespace}/{req.gateway} uses GatewayClass {class_name!r}, which does not exist: "
            "no controller will program the route",
            hint="install a Gateway controller (akscli doctor shows which GatewayClass is accepted)",
        )
    warnings = _class_not_accepted(gateway_class, f"{namespace}/{req.gateway}")
    ns_obj = kube.get("v1", "Namespace", req.namespace)
    ns_labels = dict(((ns_obj or {}).get("metadata") or {}).get("labels") or {}) or {
        monitoring.NAMESPACE_NAME_LABEL: req.namespace
    }
    listeners = (gateway.get("spec") or {}).get("listeners") or []
    judged = [(lst, _listener_refusal(lst, namespace, req.namespace, req.hostname, ns_labels)) for lst in listeners]
    reasons = [why for _, why in judged if why]
    if len(reasons) == len(listeners):
        raise NotFoundError(
            f"Gateway {namespace}/{req.gateway} has no listener that admits HTTPRoute {req.namespace}/{req.name} "
            f"({'; '.join(reasons) or 'it has no listeners'}): the route would not be accepted",
            hint="let a listener admit it (spec.listeners[].allowedRoutes.namespaces: from: All, or a Selector "
            "matching this namespace), or deploy into the Gateway's namespace",
        )
    for listener, why in judged:
        problem = "" if why else listener_problem(gateway, listener)
        if problem:
            warnings.append(f"{problem}; the route attaches, but that listener does not serve it")
    return warnings + _shadowing_routes(kube, req, namespace)


def listener_problem(gateway: Mapping[str, Any], listener: Mapping[str, Any]) -> str:
    """Why the Gateway's controller does not serve the listener, as its ListenerStatus says (its
    ``ResolvedRefs``, ``Programmed`` or ``Accepted`` False), with what to do; "" where none is
    False or no status is written yet (kubernetes-sigs/gateway-api v1.6.1 apis/v1/gateway_types.go,
    ListenerConditionResolvedRefs: ``RefNotPermitted`` for a certificateRef in another namespace no
    ReferenceGrant allows, ``InvalidCertificateRef`` for a Secret missing or invalid; conformance/
    tests/gateway-secret-missing-reference-grant.go; Istio then also sets ``Programmed`` False,
    ``Invalid``: istio/istio 1.29.6 pilot/pkg/config/kube/gateway/conversion.go buildListener)."""
    from akscli.kube.readiness import describe

    meta, name = gateway.get("metadata") or {}, listener.get("name")
    status: Mapping[str, Any] = next(
        (s for s in (gateway.get("status") or {}).get("listeners") or [] if s.get("name") == name), {}
    )
    conditions = {c.get("type"): c for c in status.get("conditions") or []}
    cond = next((conditions[t] for t in _LISTENER_CONDITIONS if _not_served(conditions.get(t) or {})), None)
    if cond is None:
        return ""
    said = f"listener {name} of Gateway {meta.get('namespace')}/{meta.get('name')}: {describe(cond)}"
    refs = ((listener.get("tls") or {}).get("certificateRefs")) or []
    if cond.get("reason") == "RefNotPermitted":
        grants = [
            f"a ReferenceGrant in namespace {ref['namespace']} from Gateways of namespace {meta.get('namespace')} to "
            f"Secret {ref.get('name')}"
            for ref in refs
            if ref.get("namespace") and ref.get("namespace") != meta.get("namespace")
        ]
        return f"{said} (add {' and '.join(grants) or 'a ReferenceGrant in the namespace of the Secret'})"
    if cond.get("reason") == "InvalidCertificateRef":
        return f"{said} (see that each Secret of spec.listeners[].tls.certificateRefs exists, with tls.crt and tls.key)"
    return said


# The ListenerStatus conditions that say the listener is not served, the most specific first.
_LISTENER_CONDITIONS = ("ResolvedRefs", "Programmed", "Accepted")


def _not_served(cond: Mapping[str, Any]) -> bool:
    """A False condition, but for ResolvedRefs ``InvalidRouteKinds``: a listener naming a route kind
    its controller does not support still serves the kinds it does (apis/v1/gateway_types.go,
    ListenerStatus.SupportedKinds; Istio leaves it Programmed: conversion.go buildListener)."""
    return cond.get("status") == "False" and cond.get("reason") != "InvalidRouteKinds"


def _shadowing_routes(kube: Kube, req: DeployRequest, gateway_ns: str) -> list[str]:
    """The model's route matches every path (PathPrefix /) of its hostname, or of every host without
    --hostname. Another HTTPRoute on the same Gateway that already does the same for that host takes
    every such request: between routes that match a request alike, the oldest route wins
    (kubernetes-sigs/gateway-api v1.6.1 apis/v1/httproute_types.go, HTTPRouteRule.Matches), so the
    model's route would get no traffic and `model test` through the gateway would reach the other."""
    try:
        routes = list(kube.list(GATEWAY_API, "HTTPRoute", all_namespaces=True))
    except AuthError:  # a user of one namespace: the routes there
        try:
            routes = list(kube.list(GATEWAY_API, "HTTPRoute", namespace=req.namespace))
        except AuthError:  # RBAC that creates routes but may not list them: a warning, not a refusal
            return [f"cannot list HTTPRoutes in namespace {req.namespace}: not checked that no older route shadows it"]
    mine = {req.hostname} if req.hostname else set()
    for route in sorted(routes, key=lambda r: (r["metadata"].get("creationTimestamp") or "", _ref(r))):
        meta, spec = route["metadata"], route.get("spec") or {}
        if (meta.get("namespace"), meta.get("name")) == (req.namespace, req.name):
            continue
        parents = spec.get("parentRefs") or []
        if not any(_names_gateway(p, str(meta.get("namespace")), gateway_ns, req.gateway) for p in parents):
            continue
        theirs = set(spec.get("hostnames") or [])
        if mine != theirs and not (mine & theirs):
            continue
        if not any(_matches_every_path(rule) for rule in spec.get("rules") or []):
            continue
        host = f"host {req.hostname}" if req.hostname else "every host"
        return [
            f"HTTPRoute {_ref(route)} already takes every request to Gateway {gateway_ns}/{req.gateway} for {host}, "
            f"and of routes that match alike the oldest wins: HTTPRoute {req.namespace}/{req.name} would get no "
            "traffic; give the model its own --hostname"
        ]
    return []


def _ref(route: Mapping[str, Any]) -> str:
    return f"{route['metadata'].get('namespace')}/{route['metadata'].get('name')}"


def _names_gateway(parent: Mapping[str, Any], route_ns: str, gateway_ns: str, gateway: str) -> bool:
    kind, group = parent.get("kind") or "Gateway", parent.get("group") or GATEWAY_GROUP
    return (kind, group, parent.get("name"), parent.get("namespace") or route_ns) == (
        "Gateway",
        GATEWAY_GROUP,
        gateway,
        gateway_ns,
    )


def _matches_every_path(rule: Mapping[str, Any]) -> bool:
    """A rule that takes any request: no matches (the default, PathPrefix /) or a match of only
    PathPrefix / (no headers, query parameters or method)."""
    matches = rule.get("matches") or [{}]
    for match in matches:
        path = match.get("path") or {"type": "PathPrefix", "value": "/"}
        rest = {k: v for k, v in match.items() if k != "path" and v}
        if not rest and (path.get("type") or "PathPrefix") == "PathPrefix" and (path.get("value") or "/") == "/":
            return True
    return False


def _class_not_accepted(gateway_class: Mapping[str, Any], gateway: str) -> list[str]:
    """A class its controller has not accepted: no controller runs for it, so none writes the route's
    status or routes to the model (kubernetes-sigs/gateway-api v1.6.1 apis/v1/gatewayclass_types.go:
    the controller of spec.controllerName sets Accepted; the CRD's default is Unknown, Pending,
    "Waiting for controller")."""
    from akscli.kube.readiness import conditions, describe

    accepted = conditions(gateway_class).get("Accepted")
    if accepted is not None and accepted.get("status") == "True":
        return []
    controller = (gateway_class.get("spec") or {}).get("controllerName")
    said = describe(accepted) if accepted else "no status"
    return [
        f"GatewayClass {gateway_class['metadata']['name']} of Gateway {gateway} is not accepted by its controller "
        f"{controller} ({said}): nothing will write the route's status or route to the model until that "
        "controller runs (--wait waits for it)"
    ]


def attached_listeners(kube: Kube, gateway: Mapping[str, Any], route: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The HTTP and HTTPS listeners of the Gateway the route's first Gateway parentRef attaches it to,
    in the Gateway's order: the ones the parentRef selects (sectionName, port: kubernetes-sigs/gateway-api
    v1.6.1 apis/v1/shared_types.go ParentReference, "When both Port and SectionName are specified, the
    name and port of the selected listener must match both specified values") that admit the route
    (_listener_refusal: kinds, allowedRoutes.namespaces, hostname; conformance
    httproute-invalid-parentref-not-matching-listener-port.go and
    httproute-invalid-parentref-section-name-not-matching-port.go). The route's namespace is read
    (one GET) only when a listener selects namespaces by label."""
    route_ns = str((route.get("metadata") or {}).get("namespace") or "")
    gateway_ns = str((gateway.get("metadata") or {}).get("namespace") or "")
    spec = route.get("spec") or {}
    refs = [r for r in spec.get("parentRefs") or [] if (r.get("kind") or "Gateway") == "Gateway"]
    ref: Mapping[str, Any] = refs[0] if refs else {}
    hostname = next(iter(spec.get("hostnames") or []), None)
    listeners = [
        lst
        for lst in (gateway.get("spec") or {}).get("listeners") or []
        if lst.get("protocol") in ("HTTP", "HTTPS")
        and ref.get("sectionName") in (None, lst.get("name"))
        and ref.get("port") in (None, lst.get("port"))
    ]
    labels: dict[str, str] = {monitoring.NAMESPACE_NAME_LABEL: route_ns}
    if any(((lst.get("allowedRoutes") or {}).get("namespaces") or {}).get("from") == "Selector" for lst in listeners):
        try:
            ns_obj = kube.get("v1", "Namespace", route_ns)
        except AuthError:  # a user of one namespace: its name label, which the API server always sets
            ns_obj = None
        labels = dict(((ns_obj or {}).get("metadata") or {}).get("labels") or {}) or labels
    return [lst for lst in listeners if not _listener_refusal(lst, gateway_ns, route_ns, hostname, labels)]


def _listener_refusal(
    listener: Mapping[str, Any],
    gateway_namespace: str,
    route_namespace: str,
    hostname: str | None,
    ns_labels: Mapping[str, str],
) -> str:
    """Why this listener would not admit akscli's HTTPRoute, "" where it would
    (kubernetes-sigs/gateway-api v1.6.1 apis/v1/gateway_types.go, AllowedRoutes and RouteNamespaces:
    routes of the Gateway's own namespace by default; kinds from the protocol when none are listed;
    apis/v1/httproute_types.go, Hostnames: a listener hostname must match one of the route's)."""
    name = str(listener.get("name") or "")
    allowed = listener.get("allowedRoutes") or {}
    kinds = allowed.get("kinds") or []
    if kinds:
        if not any(k.get("kind") == "HTTPRoute" and (k.get("group") or GATEWAY_GROUP) == GATEWAY_GROUP for k in kinds):
            return f"listener {name} admits {', '.join(str(k.get('kind')) for k in kinds)} only"
    elif str(listener.get("protocol") or "") in _NON_HTTP_PROTOCOLS:
        return f"listener {name} is {listener.get('protocol')}, not HTTP"
    namespaces = allowed.get("namespaces") or {}
    origin = namespaces.get("from") or "Same"
    if origin == "Same" and route_namespace != gateway_namespace:
        return f"listener {name} admits routes of namespace {gateway_namespace} only"
    if origin == "Selector" and not _listener_selects(namespaces.get("selector"), ns_labels):
        return f"listener {name}'s namespace selector does not select namespace {route_namespace}"
    host = str(listener.get("hostname") or "")
    if hostname and host and not _hostname_matches(host, hostname):
        return f"listener {name} serves hostname {host}, not {hostname}"
    return ""


def _listener_selects(selector: Mapping[str, Any] | None, ns_labels: Mapping[str, str]) -> bool:
    """A listener's allowedRoutes.namespaces.selector over the route's namespace, as a Gateway
    implementation reads it (istio/istio 86c9f01f pilot/pkg/config/kube/gateway/conversion.go
    namespacesFromSelector): no selector with from: Selector admits every namespace ("Should never
    happen, invalid config"), else metav1.LabelSelectorAsSelector ({} every namespace;
    akscli.kube.label_selector), and one it cannot read admits none."""
    if selector is None:
        return True
    try:
        return label_selector.matches(selector, ns_labels)
    except SelectorError:
        return False


GATEWAY_GROUP = "gateway.networking.k8s.io"
# Core protocols whose listeners take other route kinds (apis/v1/gateway_types.go, ProtocolType).
_NON_HTTP_PROTOCOLS = ("TLS", "TCP", "UDP")


def _hostname_matches(listener_host: str, route_host: str) -> bool:
    """A wildcard listener hostname is a suffix match of one or more labels."""
    if listener_host.startswith("*."):
        return route_host.endswith(listener_host[1:])
    return listener_host == route_host
