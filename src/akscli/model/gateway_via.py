"""Where `model test` sends a request that goes through the model's gateway: the Gateway's own
Service, reached through the API server's service proxy, on the port of the listener the route
attached to, with the route's hostname as the Host header. The gateway's proxies then route it as
they route a client's request: by the route's host and path matches, to the model's Service or its
InferencePool (and the endpoint picker). A Gateway deployed by hand (spec.addresses) is reached
through the Service its address names; a route that matches the body-based router's header
names its model in the body (body_router.py).

Why the Gateway's Service and not its load balancer's address: the service proxy reaches the
gateway's pods from wherever the API server is reachable (a private cluster, an internal load
balancer), with the user's kube credentials and RBAC, as `model test` reaches the model's Service.
The load balancer in front of the gateway is not part of the test; `model endpoint` prints its URL
for a client to call.

upstream:
* istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c
  manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml: the Service Istio makes
  for a Gateway it deploys carries the label ``gateway.networking.k8s.io/gateway-name: NAME`` and
  is owned by the Gateway (its name is NAME-CLASS, or the ``gateway.istio.io/name-override``
  annotation: found by the label, not the name); pilot/pkg/config/kube/gateway/deploymentcontroller.go
  extractServicePorts: one Service port per listener port, the same number.
* kubernetes/kubernetes fde22c3f9aacfd260225a9741de123a41157b7c0 pkg/registry/core/service/proxy.go
  and kubernetes/apimachinery eed236ce pkg/util/proxy/upgradeaware.go: the service proxy does not
  set ``UseLocationHost``, so the request's Host header reaches the backend as sent.
* kubernetes-sigs/gateway-api v1.6.1 apis/v1/httproute_types.go (Hostnames: a wildcard
  ``*.example.com`` matches one or more labels in place of ``*``) and apis/v1/gateway_types.go
  (Listener.Hostname; a parentRef's sectionName and port select listeners).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli.errors import AkscliError, AuthError, NotFoundError, NotInstalledError
from akscli.kube.client import Kube
from akscli.model import body_router, envoy_filters, gateway_checks, istio_mesh
from akscli.model.body_router import SERVICE_HINT
from akscli.model.envoy_filters import Workload
from akscli.model.exposure import Exposure
from akscli.model.kinds import GATEWAY_API

NAME_LABEL = "gateway.networking.k8s.io/gateway-name"
CLASS_DEFAULTS = "gateway.istio.io/defaults-for-class"


@dataclass(frozen=True)
class Via:
    """Where a request to the model goes: a Service's port through the API server's proxy, with a
    Host header when it matters, and what to call it in messages."""

    namespace: str
    service: str
    port: int
    label: str
    host: str | None = None
    scheme: str | None = None
    gateway: bool = False
    # The model a request names, where the route routes by it (body_router.py): no /v1/models then.
    model: str | None = None


def _parent(route: Mapping[str, Any]) -> Mapping[str, Any]:
    refs: list[Mapping[str, Any]] = [
        r for r in (route.get("spec") or {}).get("parentRefs") or [] if (r.get("kind") or "Gateway") == "Gateway"
    ]
    if not refs:
        raise AkscliError("the model's route names no Gateway", hint="test through its Service: --via service")
    return refs[0]


def _listener(kube: Kube, gateway: Mapping[str, Any], route: Mapping[str, Any], gw_name: str) -> Mapping[str, Any]:
    """The first listener the route attaches to (gateway_checks.attached_listeners: the parentRef's
    sectionName and port, and a listener that admits the route) that the service proxy can reach:
    HTTP, else HTTPS without a hostname. An HTTPS listener with a hostname is refused: the API server's service
    proxy dials the gateway pod's IP and sends no TLS server name (kubernetes/kubernetes
    pkg/controlplane/apiserver/config.go CreateProxyTransport: "Proxying to pods and services is
    IP-based", ``InsecureSkipVerify`` and no ServerName; Go's TLS sends no SNI for an IP), and
    Istio's filter chain for such a listener matches that server name only (istio/istio
    pilot/pkg/config/kube/gateway/conversion.go buildHostnameMatch, pilot/pkg/model/gateway.go
    GetSNIHostsForServer, pilot/pkg/networking/core/listener.go toFilterChainMatch: only ``*``
    matches any), so Envoy would close the connection."""
    listeners = gateway_checks.attached_listeners(kube, gateway, route)
    listeners.sort(key=lambda lst: (lst.get("protocol") != "HTTP", bool(lst.get("hostname"))))
    if not listeners:
        raise AkscliError(
            f"Gateway {gw_name} has no HTTP or HTTPS listener the model's route attaches to",
            hint="test through the model's Service: --via service",
        )
    chosen = listeners[0]
    if chosen.get("protocol") == "HTTPS" and chosen.get("hostname"):
        raise NotInstalledError(
            f"Gateway {gw_name} serves the model's route on HTTPS listener {chosen.get('name')} only, which "
            f"takes TLS for {chosen['hostname']} only, and the API server's service proxy sends no TLS server name",
            hint=f"call the gateway's address with that name (the gateway_url of model endpoint); or {SERVICE_HINT}",
        )
    return chosen


def _managed(gateway: Mapping[str, Any]) -> bool:
    """Istio deploys the Gateway itself (and makes its Service) unless spec.addresses names more
    than one address, or one that is not an IPAddress (istio/istio
    pilot/pkg/config/kube/gatewaycommon/gateway_utils.go IsManaged; manual deployment is on by
    default: PILOT_ENABLE_GATEWAY_API_MANUAL_DEPLOYMENT)."""
    addresses = (gateway.get("spec") or {}).get("addresses") or []
    return not addresses or (len(addresses) == 1 and addresses[0].get("type") in (None, "IPAddress"))


def _service_of(host: str, namespace: str) -> tuple[str, str] | None:
    """NAMESPACE, NAME of a Service hostname: a short name is one of the Gateway's namespace, an
    FQDN ``NAME.NAMESPACE.svc.DOMAIN`` names the Service; any other host (a ServiceEntry's, an
    external name) is no Service of the cluster."""
    labels = host.split(".")
    if len(labels) == 1:
        return namespace, labels[0]
    if len(labels) >= 3 and labels[2] == "svc":
        return labels[1], labels[0]
    return None


def _manual_service(kube: Kube, gateway: Mapping[str, Any], namespace: str, gw_name: str) -> dict[str, Any]:
    """The Service a manually deployed Gateway names: each Hostname address (type unset too) is a
    host of Istio's registry, a short name one of the Gateway's namespace (istio/istio
    pilot/pkg/config/kube/gateway/conversion.go extractGatewayServices). The first that is an
    existing Service is reached: the API server's service proxy reaches Services only, not a
    ServiceEntry's host. status.addresses adds none: Istio derives it from these same hosts
    (reportGatewayStatus, ResolveGatewayInstances: their external addresses, else the hosts)."""
    spec_hosts = [
        str(a.get("value") or "")
        for a in (gateway.get("spec") or {}).get("addresses") or []
        if a.get("type") in (None, "Hostname")
    ]
    if not spec_hosts:
        raise NotFoundError(
            f"Gateway {gw_name} is deployed by hand and its spec.addresses name no Hostname, "
            "which is how Istio finds the gateway's Service",
            hint="test through the model's Service: --via service",
        )
    missing: list[str] = []
    for host in dict.fromkeys(spec_hosts):
        named = _service_of(host, namespace)
        if named is None:
            continue
        service = kube.get("v1", "Service", named[1], namespace=named[0])
        if service is not None:
            return service
        missing.append(f"{named[0]}/{named[1]}")
    if missing:
        svc_ns, svc = missing[0].split("/", 1)
        raise NotFoundError(
            f"Gateway {gw_name} is deployed by hand at Service {missing[0]} (its spec.addresses), which does not exist",
            hint=f"see it with: kubectl get service {svc} -n {svc_ns}; or {SERVICE_HINT}",
        )
    raise NotInstalledError(
        f"Gateway {gw_name} is deployed by hand at {', '.join(dict.fromkeys(spec_hosts))}, which is no "
        "Service of the cluster (NAME.NAMESPACE.svc.DOMAIN, or a short NAME) but a host of Istio's registry (a "
        "ServiceEntry's, or an external name), and akscli reaches a gateway only through the API server's proxy "
        "to a Service",
        hint=f"call the gateway from where that host resolves (the gateway_url of model endpoint); or {SERVICE_HINT}",
    )


def _manual_workload(kube: Kube, service: Mapping[str, Any]) -> Workload:
    """The proxies behind a hand-deployed gateway's Service: the labels of the first pod its
    selector selects (istiod matches policies on a proxy's pod labels: envoy_filters.py), or the
    selector itself where no pod can be listed."""
    namespace = str(service["metadata"]["namespace"])
    selector = {str(k): str(v) for k, v in ((service.get("spec") or {}).get("selector") or {}).items()}
    if not selector:
        return Workload(namespace)
    try:
        pods = kube.list(
            "v1", "Pod", namespace=namespace, label_selector=",".join(f"{k}={v}" for k, v in selector.items())
        )
        pod = next(iter(pods), None)
    except AuthError:
        pod = None
    labels = ((pod or {}).get("metadata") or {}).get("labels") or selector
    return Workload(namespace, {str(k): str(v) for k, v in labels.items()})


def _managed_workload(kube: Kube, gateway: Mapping[str, Any], mesh: istio_mesh.Mesh) -> Workload:
    """The pods Istio deploys for a Gateway (envoy_filters.managed_workload), with the ``deployment``
    overlays istiod applies to their Deployment: the oldest ConfigMap in its own namespace labelled
    ``gateway.istio.io/defaults-for-class: CLASS``, then the ConfigMap the Gateway's
    spec.infrastructure.parametersRef names in its namespace (istio/istio
    86c9f01fd735fb01d8192f5bcaf0d424afb7f14c pilot/pkg/config/kube/gatewaycommon/
    deploymentcontroller.go render, fetchParameters; gateway_utils.go GatewayClassDefaults;
    pkg/kube/controllers/common.go OldestObject). istiod reads no GatewayClass's
    spec.parametersRef. One it may not read, or that is missing, adds nothing: istiod does not
    render a Gateway whose parametersRef it cannot resolve, and its pods keep what they had."""
    meta, spec = gateway.get("metadata") or {}, gateway.get("spec") or {}
    overlays: list[str] = []
    system = mesh.system_namespace or mesh.root_namespace
    selector = f"{CLASS_DEFAULTS}={spec.get('gatewayClassName')}"
    try:
        defaults = list(kube.list("v1", "ConfigMap", namespace=system, label_selector=selector))
    except AuthError:
        defaults = []
    if defaults:
        oldest = min(
            defaults, key=lambda c: (str(c["metadata"].get("creationTimestamp") or ""), str(c["metadata"]["name"]))
        )
        overlays.append(str((oldest.get("data") or {}).get("deployment") or ""))
    ref = (spec.get("infrastructure") or {}).get("parametersRef") or {}
    if ref.get("kind") == "ConfigMap" and ref.get("group") in (None, "") and ref.get("name"):
        try:
            params = kube.get("v1", "ConfigMap", str(ref["name"]), namespace=str(meta.get("namespace")))
        except AuthError:
            params = None
        overlays.append(str(((params or {}).get("data") or {}).get("deployment") or ""))
    return envoy_filters.managed_workload(gateway, overlays, mesh.copy_gateway_labels)


def _own_service(kube: Kube, namespace: str, name: str, gw_name: str) -> str:
    """The Service Istio made for a Gateway it deploys: found by its label and owner."""
    services = [
        s
        for s in kube.list("v1", "Service", namespace=namespace, label_selector=f"{NAME_LABEL}={name}")
        if any(
            o.get("kind") == "Gateway" and o.get("name") == name
            for o in (s.get("metadata") or {}).get("ownerReferences") or []
        )
    ]
    if not services:
        raise NotFoundError(
            f"Gateway {gw_name} has no Service of its own (labelled {NAME_LABEL}={name}, owned by the Gateway)",
            hint="Istio makes it once it deploys the Gateway: see its Programmed condition with "
            f"kubectl get gateway {name} -n {namespace} -o yaml, or test through the model's Service: --via service",
        )
    return str(services[0]["metadata"]["name"])


def host_of(pattern: str | None, model: str) -> str | None:
    """A Host a hostname pattern matches: the name itself, or a wildcard's ``*`` as the model's name."""
    if not pattern:
        return None
    return f"{model}{pattern[1:]}" if pattern.startswith("*") else pattern


def via_gateway(kube: Kube, exposure: Exposure, model: str, asked: str | None = None) -> Via:
    """The Gateway's Service, port, Host and scheme for a request that goes through the gateway;
    ``asked`` is the model id the request is to name (--model), if the user chose one."""
    route = exposure.route
    ref = _parent(route)
    namespace = str(ref.get("namespace") or (route.get("metadata") or {}).get("namespace"))
    name = str(ref.get("name"))
    gw_name = f"{namespace}/{name}"
    gateway = kube.get(GATEWAY_API, "Gateway", name, namespace=namespace)
    if gateway is None:
        raise NotFoundError(f"Gateway {gw_name}, which the model's route names, does not exist")
    listener = _listener(kube, gateway, route, gw_name)
    routed = body_router.routed_match(route) is not None
    mesh = istio_mesh.for_gateway(kube, gateway) if routed else None
    if _managed(gateway):
        svc_ns, svc = namespace, _own_service(kube, namespace, name, gw_name)
        workload = _managed_workload(kube, gateway, mesh) if mesh else Workload(svc_ns)
    else:
        service = _manual_service(kube, gateway, namespace, gw_name)
        svc_ns, svc = str(service["metadata"]["namespace"]), str(service["metadata"]["name"])
        workload = _manual_workload(kube, service) if routed else Workload(svc_ns)
    model_name = body_router.require(kube, route, gateway, workload, int(listener["port"]), asked, mesh)
    hostnames = (route.get("spec") or {}).get("hostnames") or []
    host = host_of(next(iter(hostnames), None) or listener.get("hostname"), model)
    https = listener.get("protocol") == "HTTPS"
    return Via(
        svc_ns,
        svc,
        int(listener["port"]),
        f"Gateway {gw_name}",
        host=host,
        scheme="https" if https else None,
        gateway=True,
        model=model_name,
    )
