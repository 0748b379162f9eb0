"""The Service Istio makes for a Gateway it deploys, the address the cloud gives it, and the
addresses and ``Programmed`` condition Istio then writes on the Gateway, for the lab's gateway
(tests/emulators/kube/controllers/gateway.py). The requests its Service receives are routed by
gateway_dataplane.py.

upstream: istio/istio 1.29.6 (7019d6d3608e4995e9a36d2977cfec3a341431cd), in short
istio/istio pilot/pkg/config/kube/gateway/conversion.go and deploymentcontroller.go:
* pilot/pkg/config/kube/gateway/conversion.go getDefaultName, extractGatewayServices: a Gateway
  with no ``spec.addresses`` (or one IPAddress) is managed: its Service is NAME-CLASS, or the
  ``gateway.istio.io/name-override`` annotation, in the Gateway's namespace.
* manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml (the Service) and
  pilot/pkg/config/kube/gateway/deploymentcontroller.go (extractServicePorts: ``status-port``
  15021 appProtocol tcp, then one port per distinct listener port, named after the listener with
  dots as dashes, appProtocol the protocol lower-cased; getClassInfos: the class's Service type
  LoadBalancer, the ``networking.istio.io/service-type`` annotation overriding it; server-side
  applied by field manager istio.io/gateway-controller): labels
  ``gateway.networking.k8s.io/gateway-name`` and ``-class-name``, owned by the Gateway, selector
  the gateway-name label, ipFamilyPolicy PreferDualStack.
* conversion.go reportGatewayStatus and setProgrammedCondition, context.go
  ResolveGatewayInstances: the addresses are the Service's external ones (its
  ``status.loadBalancer.ingress`` IPs or hostnames, and ``spec.externalIPs``:
  pilot/pkg/serviceregistry/kube/conversion.go), each typed IPAddress when it parses as an IP,
  else Hostname; with none, the class's address type (Hostname for Istio's class) gives the
  Service's cluster hostname, except a LoadBalancer whose address is pending. An address once
  reported is never removed. ``Programmed`` is True, "Resource programmed, assigned to service(s)
  HOST:PORT, ...", or False, ``AddressNotAssigned``, "Assigned to service(s) ..., but failed to
  assign to all requested addresses: address pending for hostname "HOST"" while the load
  balancer has no address. ``Accepted`` says "Resource accepted".

The cloud's part (AKS: cloud-provider-azure) is one line: with ``load_balancer`` on, a
LoadBalancer Service of the lab's Istio gets ``status.loadBalancer.ingress[0].ip``, an address
of 203.0.113.0/24 (RFC 5737 documentation range; Azure gives a public IP of the cluster's load
balancer); off, it stays pending. The gateway's Deployment, ServiceAccount, HPA and PDB are not
made: its pods are taken as ready (Istio otherwise says "no instances found for hostname").
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from typing import Any

GATEWAY_API = "gateway.networking.k8s.io/v1"
NAME_LABEL = "gateway.networking.k8s.io/gateway-name"
CLASS_LABEL = "gateway.networking.k8s.io/gateway-class-name"
NAME_OVERRIDE = "gateway.istio.io/name-override"
SERVICE_TYPE = "networking.istio.io/service-type"
FIELD_MANAGER = "istio.io/gateway-controller"
# A LoadBalancer Service's address is the cloud provider's service controller's, run by
# cloud-controller-manager with ClientOrDie("service-controller") (kubernetes/cloud-provider
# app/core.go startServiceController; AddUserAgent keeps the binary's name first, so the manager is
# "cloud-controller-manager"; AKS runs kubernetes-sigs/cloud-provider-azure's cloud-controller-manager).
CLOUD_CONTROLLER_MANAGER = "cloud-controller-manager"
DOMAIN = "cluster.local"

Status = tuple[list[dict[str, str]], tuple[str, ...]]


def managed(gw: Mapping[str, Any]) -> bool:
    """IsManaged: no spec.addresses, or a single one of type IPAddress."""
    addresses = (gw.get("spec") or {}).get("addresses") or []
    return not addresses or (len(addresses) == 1 and addresses[0].get("type") in (None, "IPAddress"))


def service_name(gw: Mapping[str, Any]) -> str:
    md = gw["metadata"]
    override = (md.get("annotations") or {}).get(NAME_OVERRIDE)
    return str(override or f"{md['name']}-{gw['spec']['gatewayClassName']}")


def _ports(gw: Mapping[str, Any]) -> list[dict[str, Any]]:
    ports: list[dict[str, Any]] = [{"name": "status-port", "port": 15021, "protocol": "TCP", "appProtocol": "tcp"}]
    seen: set[int] = set()
    for i, lst in enumerate((gw.get("spec") or {}).get("listeners") or []):
        if lst["port"] in seen:
            continue
        seen.add(lst["port"])
        name = str(lst.get("name") or "").replace(".", "-")[:63] or f"{str(lst['protocol']).lower()}-{i}"
        ports.append(
            {"name": name, "port": lst["port"], "protocol": "TCP", "appProtocol": str(lst["protocol"]).lower()}
        )
    return ports


def _service(gw: Mapping[str, Any]) -> dict[str, Any]:
    md = gw["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": service_name(gw),
            "namespace": md["namespace"],
            "labels": {NAME_LABEL: md["name"], CLASS_LABEL: gw["spec"]["gatewayClassName"]},
            "ownerReferences": [{"apiVersion": GATEWAY_API, "kind": "Gateway", "name": md["name"], "uid": md["uid"]}],
        },
        "spec": {
            "ipFamilyPolicy": "PreferDualStack",
            "ports": _ports(gw),
            "selector": {NAME_LABEL: md["name"]},
            "type": (md.get("annotations") or {}).get(SERVICE_TYPE) or "LoadBalancer",
        },
    }


def _unchanged(existing: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    have = existing.get("spec") or {}
    return (
        (existing["metadata"].get("labels") or {}) == wanted["metadata"]["labels"]
        and existing["metadata"].get("ownerReferences") == wanted["metadata"]["ownerReferences"]
        and all(have.get(k) == v for k, v in wanted["spec"].items() if k != "ports")
        and [{k: p.get(k) for k in ("name", "port", "appProtocol")} for p in have.get("ports") or []]
        == [{k: p[k] for k in ("name", "port", "appProtocol")} for p in wanted["spec"]["ports"]]
    )


def _lb_address(service: Mapping[str, Any]) -> str:
    digest = int(
        hashlib.sha256(f"{service['metadata']['namespace']}/{service['metadata']['name']}".encode()).hexdigest(), 16
    )
    return f"203.0.113.{digest % 254 + 1}"


def sync(cluster: Any, gw: Mapping[str, Any], load_balancer: bool) -> Status:
    """Make the Gateway's Service; its addresses (none while pending) and ``Programmed``."""
    wanted = _service(gw)
    md = wanted["metadata"]
    existing = cluster.get("v1", "Service", md["namespace"], md["name"])
    if existing is None or not _unchanged(existing, wanted):
        existing = cluster.apply(wanted, manager=FIELD_MANAGER, force=True)
    spec = existing.get("spec") or {}
    ingress = ((existing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if spec.get("type") == "LoadBalancer" and not ingress and load_balancer:
        ingress = [{"ip": _lb_address(existing)}]
        cluster.patch_status(
            "v1",
            "Service",
            md["namespace"],
            md["name"],
            {"loadBalancer": {"ingress": ingress}},
            manager=CLOUD_CONTROLLER_MANAGER,
        )
    host = f"{md['name']}.{md['namespace']}.svc.{DOMAIN}"
    internal = [f"{host}:{p}" for p in sorted({lst["port"] for lst in gw["spec"].get("listeners") or []})]
    external = [str(i.get("ip") or i.get("hostname")) for i in ingress if i.get("ip") or i.get("hostname")]
    external += [str(ip) for ip in spec.get("externalIPs") or []]
    pending = spec.get("type") == "LoadBalancer" and not external
    values = external or ([] if pending else [host])
    addresses = [{"type": _address_type(v), "value": v} for v in values]
    assigned = _join(internal)
    if pending:
        message = (
            f"Assigned to service(s) {assigned}, but failed to assign to all requested addresses: "
            f'address pending for hostname "{host}"'
        )
        return addresses, ("Programmed", "False", "AddressNotAssigned", message)
    return addresses, ("Programmed", "True", "Programmed", f"Resource programmed, assigned to service(s) {assigned}")


def _address_type(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return "Hostname"
    return "IPAddress"


def _join(items: list[str]) -> str:
    """humanReadableJoin."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]
