"""The model's route through its gateway, as the gateway's controller reports it: the HTTPRoute
named after the model (akscli's `--expose`, or AI Runway's) and the InferencePool it routes to, for
`model status` and `model endpoint`. Their verdict is the wait's (kube/readiness/gateway.py), so
an endpoint is shown only once the Gateway accepted the route and resolved its backends.

Reads, only where the Gateway API is served: the route by name, the pool by name when the route
names one, and for `model endpoint` the Gateway of a served route (its address). While Istio does
not resolve a route to a pool, the GET of each Gateway it names and of that Gateway's class (is it
Istio's?), then one GET of the Service istiod makes for the pool.

Istio routes to a pool through a Service it makes per pool a Gateway took: ``NAME-ip-`` and the
first 8 hex digits of sha256(NAME), NAME cut so the whole fits 63 characters, labelled
``istio.io/inferencepool-name``, owned by the pool; a Service of that name without the label is
not Istio's and istiod leaves it alone, so the route never resolves (istio/istio 1.29.6
pilot/pkg/config/kube/gateway/inferencepool_collection.go InferencePoolServiceName,
translateShadowServiceToService, canManageShadowServiceForInference; conversion.go
buildDestination: ``BackendNotFound`` "backend(HOST) not found" while it does not exist,
``InvalidDestination`` "InferencePool service invalid, extensionRef labels not found").
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from akscli.errors import AuthError
from akscli.kube import readiness
from akscli.kube.client import Kube
from akscli.model import gateway_checks, kaito_names
from akscli.model.kinds import GATEWAY_API, ISTIO_CONTROLLER, KAITO_POOL_SUFFIX, MODEL_LABEL, POOL_API, is_istio_class

# The label that makes a pool's Service Istio's (istio/istio 1.29.6
# pilot/pkg/config/kube/gateway/inferencepool_collection.go InferencePoolRefLabel).
ISTIO_POOL_LABEL = "istio.io/inferencepool-name"


@dataclass
class Exposure:
    route: dict[str, Any]
    pool: dict[str, Any] | None
    verdict: readiness.Readiness
    # What the verdict is about: the route, or its pool once the route is served (Kind/name).
    subject: str
    # One row per parent condition of the route and the pool (model status's "Gateway" section).
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def served(self) -> bool:
        return self.verdict.ready

    def line(self) -> str:
        """Why the gateway does not serve the model yet, and what to do: one line."""
        fix = f" ({self.verdict.fix})" if self.verdict.fix else ""
        return f"{self.subject}: {self.verdict.message or 'not served'}{fix}"

    def summary(self) -> dict[str, Any]:
        meta = self.route.get("metadata") or {}
        return {
            "route": f"HTTPRoute/{meta.get('name')}",
            "gateways": gateways_of(self.route),
            "served": self.served,
            # None: the route sets none, and the gateway's own default holds (kinds.DEFAULT_ROUTE_TIMEOUT).
            "request_timeout": request_timeout(self.route),
            "message": "" if self.served else self.line(),
            "parents": self.rows,
        }


def gateways_of(route: Mapping[str, Any]) -> list[str]:
    namespace = (route.get("metadata") or {}).get("namespace")
    return [
        f"{ref.get('namespace') or namespace}/{ref.get('name')}"
        for ref in (route.get("spec") or {}).get("parentRefs") or []
        if (ref.get("kind") or "Gateway") == "Gateway"
    ]


def request_timeout(route: Mapping[str, Any]) -> str | None:
    """The request timeout of the route's first rule (akscli's and AI Runway's routes have one
    rule), as written; None where it sets none."""
    rules = (route.get("spec") or {}).get("rules") or []
    timeouts = (rules[0].get("timeouts") if rules and isinstance(rules[0], Mapping) else None) or {}
    value = timeouts.get("request") if isinstance(timeouts, Mapping) else None
    return str(value) if value is not None else None


def timeout_shown(route: Mapping[str, Any]) -> str:
    """The route's request timeout for a table: "0s" is none (Gateway API: the zero duration
    disables it), and a route without one is cut where its gateway's default says."""
    value = request_timeout(route)
    if value is None:
        return "not set (the gateway's default: none on Istio, 15s on Envoy Gateway and kgateway)"
    return "none (0s)" if set(value) <= set("0hms") else value


def _rows(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    namespace = (obj.get("metadata") or {}).get("namespace")
    out = []
    for parent in (obj.get("status") or {}).get("parents") or []:
        ref = parent.get("parentRef") or {}
        for cond in parent.get("conditions") or []:
            out.append(
                {
                    "object": f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}",
                    "gateway": f"{ref.get('namespace') or namespace}/{ref.get('name')}",
                    "type": cond.get("type"),
                    "status": cond.get("status"),
                    "reason": cond.get("reason"),
                    "message": cond.get("message"),
                }
            )
    return out


def _pool_of(route: Mapping[str, Any]) -> str | None:
    for rule in (route.get("spec") or {}).get("rules") or []:
        for ref in rule.get("backendRefs") or []:
            if ref.get("group") == POOL_API.split("/")[0] and ref.get("kind") == "InferencePool":
                return str(ref.get("name"))
    return None


def read(kube: Kube, name: str, namespace: str) -> Exposure | None:
    """The model's route and pool with the gateway's verdict; None where there is no route."""
    if not kube.has_api(GATEWAY_API, "HTTPRoute"):
        return None
    route = kube.get(GATEWAY_API, "HTTPRoute", name, namespace=namespace)
    if route is None:
        return None
    route.setdefault("apiVersion", GATEWAY_API)
    route.setdefault("kind", "HTTPRoute")
    pool_name = _pool_of(route)
    pool = None
    if pool_name and kube.has_api(POOL_API, "InferencePool"):
        pool = kube.get(POOL_API, "InferencePool", pool_name, namespace=namespace)
        if pool is not None:
            pool.setdefault("apiVersion", POOL_API)
            pool.setdefault("kind", "InferencePool")
    verdict, subject = readiness.check(route), f"HTTPRoute/{name}"
    if verdict.ready and pool is not None:
        verdict, subject = readiness.check(pool), f"InferencePool/{pool_name}"
    elif pool_name and pool is None and verdict.reason == "BackendNotFound" and kube.has_api(POOL_API, "InferencePool"):
        verdict = _missing_pool_verdict(verdict, route, namespace, pool_name)
    elif (
        pool is not None and verdict.reason in ("BackendNotFound", "InvalidDestination") and _istio_parent(kube, route)
    ):
        verdict = _pool_service_verdict(kube, verdict, namespace, str(pool_name))
    return Exposure(route, pool, verdict, subject, _rows(route) + (_rows(pool) if pool else []))


def _missing_pool_verdict(
    verdict: readiness.Readiness, route: Mapping[str, Any], namespace: str, pool: str
) -> readiness.Readiness:
    """A route whose InferencePool does not exist: every conformant gateway keeps it Accepted with
    ``ResolvedRefs`` False, ``BackendNotFound`` (kubernetes-sigs/gateway-api-inference-extension v1.6.0
    conformance/tests/httproute_invalid_inferencepool_ref.go), and serves nothing through it. The
    GET of the pool has said it is gone, so the line says so and names who makes it: KAITO its own
    ``NAME-inferencepool`` (kaito_names.pool_name), akscli the pool of a route it labelled, AI Runway
    the pool of a route its ModelDeployment owns (ai-runway/airunway v0.7.0
    controller/internal/controller/gateway_reconciler.go makes both, owned by the ModelDeployment)."""
    meta = route.get("metadata") or {}
    name = str(meta.get("name"))
    missing = f"InferencePool {namespace}/{pool}, which the route names, does not exist"
    if pool != name and pool == kaito_names.pool_name(name):
        fix = (
            f"KAITO makes it for InferenceSet {name} once the set's Workspaces exist, and only while its controller "
            "runs with the gatewayAPIInferenceExtension feature gate (kubectl get helmrelease "
            f"{name}{KAITO_POOL_SUFFIX} -n {namespace})"
        )
    elif (meta.get("labels") or {}).get(MODEL_LABEL) == name:
        fix = (
            "akscli makes it with the route: deploy the model again with --expose --inference-pool, or without "
            "--inference-pool to route to its Service"
        )
    elif any(o.get("kind") == "ModelDeployment" for o in meta.get("ownerReferences") or []):
        fix = (
            f"AI Runway makes it with the route while ModelDeployment {name} is Running, and says why not in its "
            f"GatewayReady condition (kubectl describe modeldeployment {name} -n {namespace})"
        )
    else:
        fix = "whoever made the route makes it; akscli did not make this route"
    return dataclasses.replace(verdict, message=f"{verdict.message}; {missing}", fix=fix)


# What Istio says of a route while the Service it makes for the pool is missing or not its own.
_POOL_SERVICE_REASONS = ("BackendNotFound", "InvalidDestination")


def istio_pool_service(pool: str) -> str:
    """InferencePoolServiceName: the name of the Service istiod makes for the pool."""
    digest = hashlib.sha256(pool.encode()).hexdigest()[:8]
    return f"{pool[: 63 - len('-ip-') - len(digest)]}-ip-{digest}"


def _istio_parent(kube: Kube, route: Mapping[str, Any]) -> bool:
    """Whether a Gateway the route names is Istio's, by the GatewayClass of that Gateway: the class's
    controller is the one that programs the route (kubernetes-sigs/gateway-api v1.6.1
    apis/v1/gatewayclass_types.go, GatewayClassSpec.ControllerName; apis/v1/gateway_types.go,
    GatewaySpec.GatewayClassName), and istiod makes a pool's Service only for a Gateway of one of its
    classes, which it knows by the class's name (istio/istio 1.29.6 pilot/pkg/config/kube/gateway/
    inferencepool_collection.go isOurManagedGateway over deploymentcontroller.go builtinClasses, the
    name PILOT_GATEWAY_API_DEFAULT_GATEWAYCLASS_NAME gives). The controllerName the route's status
    carries is istiod's setting (PILOT_GATEWAY_API_CONTROLLER_NAME), unpublished for application
    routing's class (kinds.APP_ROUTING_ISTIO_CLASS); it counts only where the Gateway or its class
    cannot be read (a user without RBAC on the cluster-scoped GatewayClass)."""
    namespace = (route.get("metadata") or {}).get("namespace")
    for ref in (route.get("spec") or {}).get("parentRefs") or []:
        if (ref.get("kind") or "Gateway") != "Gateway":
            continue
        try:
            gateway = kube.get(
                GATEWAY_API, "Gateway", str(ref.get("name")), namespace=ref.get("namespace") or namespace
            )
            class_name = str(((gateway or {}).get("spec") or {}).get("gatewayClassName") or "")
            gateway_class = kube.get(GATEWAY_API, "GatewayClass", class_name) if class_name else None
        except AuthError:
            parents = (route.get("status") or {}).get("parents") or []
            return any(p.get("controllerName") == ISTIO_CONTROLLER for p in parents)
        if is_istio_class(gateway_class):
            return True
    return False


def _pool_service_verdict(kube: Kube, verdict: readiness.Readiness, namespace: str, pool: str) -> readiness.Readiness:
    """What the Service istiod routes to the pool through says of a route Istio does not resolve."""
    name = istio_pool_service(pool)
    service = kube.get("v1", "Service", name, namespace=namespace)
    if service is None:
        return dataclasses.replace(
            verdict,
            fix=f"Service {namespace}/{name}, which istiod makes for InferencePool {pool} once a Gateway takes it, "
            "does not exist: see that the pool lists the Gateway in status.parents and that istiod runs (its log "
            "names the pool)",
        )
    labels = (service.get("metadata") or {}).get("labels") or {}
    if ISTIO_POOL_LABEL in labels:
        return verdict
    return dataclasses.replace(
        verdict,
        message=f"{verdict.message}; Service {namespace}/{name} is not Istio's (no {ISTIO_POOL_LABEL} label), so "
        "istiod leaves it and never routes to the pool",
        fix=f"delete Service {namespace}/{name} (istiod makes its own of that name for InferencePool {pool}), or "
        "give the pool another name",
    )


def url(kube: Kube, exposure: Exposure) -> tuple[str | None, str]:
    """``http(s)://HOST[:PORT]/v1`` of a served route: its first hostname, else the Gateway's first
    address (status.addresses; an IPv6 one in brackets); the scheme and port of the first listener it
    attached to (gateway_checks.attached_listeners; kubernetes-sigs/gateway-api v1.6.1 apis/v1/gateway_types.go,
    GatewayStatus.Addresses, Listener). None and why where that listener's status says it is not
    served (gateway_checks.listener_problem: a certificate Secret no ReferenceGrant opens). Without an
    address, None and why: Istio writes no address while
    the load balancer of the Gateway's Service has none, and says so in ``Programmed``
    (istio/istio 1.29.6 pilot/pkg/config/kube/gateway/conversion.go reportGatewayStatus,
    setProgrammedCondition: AddressNotAssigned)."""
    route = exposure.route
    refs = [r for r in (route.get("spec") or {}).get("parentRefs") or [] if (r.get("kind") or "Gateway") == "Gateway"]
    if not refs:
        return None, "the route names no Gateway"
    ref = refs[0]
    namespace = ref.get("namespace") or (route.get("metadata") or {}).get("namespace")
    gateway = kube.get(GATEWAY_API, "Gateway", str(ref.get("name")), namespace=namespace) or {}
    hostnames = (route.get("spec") or {}).get("hostnames") or []
    addresses = (gateway.get("status") or {}).get("addresses") or []
    host = hostnames[0] if hostnames else (addresses[0].get("value") if addresses else None)
    if not host:
        why = f"Gateway {namespace}/{ref.get('name')} has no address yet (status.addresses)"
        programmed = next(
            (c for c in (gateway.get("status") or {}).get("conditions") or [] if c.get("type") == "Programmed"), None
        )
        if programmed is not None and programmed.get("status") != "True":
            why += f": {readiness.describe(programmed)}"
        return None, why
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address (RFC 3986 IP-literal)
    listeners = gateway_checks.attached_listeners(kube, gateway, route)
    listener: Mapping[str, Any] = listeners[0] if listeners else {"protocol": "HTTP", "port": 80}
    problem = gateway_checks.listener_problem(gateway, listener) if listeners else ""
    if problem:
        return None, problem
    scheme = "https" if listener.get("protocol") == "HTTPS" else "http"
    default = 443 if scheme == "https" else 80
    port = int(listener.get("port") or default)
    return f"{scheme}://{host}{'' if port == default else f':{port}'}/v1", ""
