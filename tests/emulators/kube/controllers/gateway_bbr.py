"""The body-based router (BBR) in the lab's Istio gateway: the request headers a request reaches
the gateway's routes with, once BBR has run its plugins: body-field-to-header (the body's
``model`` into ``X-Gateway-Model-Name``) and base-model-to-header (its base model, from BBR's
ConfigMaps, into ``X-Gateway-Base-Model-Name``).

BBR runs for a gateway where the gateway's HTTP filter chain, once the EnvoyFilters Istio applies
to its proxies have patched it (gateway_proxy.py: ADD, INSERT_*, REPLACE, REMOVE, then MERGE), holds
an ext_proc filter whose gRPC service (an envoy_grpc cluster or a google_grpc target_uri) is a
Service whose selector reaches BBR's image (a pod, else a Deployment's template, else the
Deployment of the Service's name), or which carries the chart's filter name: the chart's,
installed with ``provider.name=istio`` (targetRefs naming the Gateway, in its namespace), or one
written by hand (a workloadSelector on the pods' labels, overlays included, or the mesh's root
namespace).

upstream:
* kubernetes-sigs/gateway-api-inference-extension v1.5.0 (9cd2896dd6c1f6e79be4098e5a55ae0a01119e44):
  config/charts/body-based-routing/templates/istio.yaml (the EnvoyFilter), templates/bbr.yaml
  (``--plugin TYPE:NAME[:JSON]`` args, env NAMESPACE) and values.yaml (the plugins
  body-field-to-header ``model`` -> ``X-Gateway-Model-Name``, then base-model-to-header);
  cmd/bbr/runner/runner.go (no --plugin: both plugins; NAMESPACE limits the ConfigMaps read);
  pkg/bbr/handlers/request.go HandleRequestHeaders (a request without a body passes unchanged),
  HandleRequestBody (a body that is not JSON: BadRequest; ClearRouteCache true);
  pkg/bbr/plugins/bodyfieldtoheader/body_field_to_header.go ProcessRequest (a missing field, or
  one whose fmt %v is empty, sets nothing; else that text: a null model is "<nil>");
  pkg/bbr/plugins/basemodelextractor/base_model_to_header.go ProcessRequest (a body with a model
  always sets the header: the base model, or empty), adapters_store.go (getBaseModel: an adapter's
  base model, a base model itself, else empty; names trimmed), configmap_reconciler.go (ConfigMaps
  labelled ``inference.networking.k8s.io/bbr-managed: "true"``);
  pkg/bbr/framework/types.go InferenceRequest.Body (a map[string]any: a body that is JSON but no
  object is refused as encoding/json refuses it).
* istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c pilot/pkg/model/push_context.go
  EnvoyFilters (the root namespace's and the proxy's own), pilot/pkg/model/policyattachment.go
  ShouldAttachPolicy (a gateway's pod labelled gateway.networking.k8s.io/gateway-name takes a
  targetRef from its own namespace only, a filter without targetRefs by its workloadSelector; any
  other proxy ignores targetRefs), manifests/charts/istio-control/istio-discovery/files/
  kube-gateway.yaml (a deployed gateway's pod labels).

The lab's mesh root namespace is aks-istio-system: the AKS add-on's, which it does not let users
change (MicrosoftDocs/azure-aks-docs articles/aks/istio-meshconfig.md); the lab runs no istiod.
Not simulated: BBR's own pods (the lab takes it as running once its filter applies; akscli checks
its Deployment), the answer of the ext_proc filter when BBR is down, a patch's proxyVersion match.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml

from tests.emulators.kube.controllers import gateway_proxy

ENVOY_FILTER_API = "networking.istio.io/v1alpha3"
FILTER = "envoy.filters.http.ext_proc.bbr"
HEADER = "x-gateway-model-name"
BASE_HEADER = "x-gateway-base-model-name"
EXT_PROC = "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor"
IMAGE = "gateway-api-inference-extension/bbr"
MANAGED = "inference.networking.k8s.io/bbr-managed"
ROOT_NAMESPACE = "aks-istio-system"
GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name"
# A gateway's proxies: their namespace and their pods' labels.
Workload = tuple[str, dict[str, Any]]


def workload_of(gateway: Mapping[str, Any], service: Mapping[str, Any] | None, managed: bool, cluster: Any) -> Workload:
    """The namespace and pod labels of the gateway's proxies: for a gateway Istio deploys, its pod
    template's labels after the class's and the Gateway's overlays (gateway_proxy.py; upstream:
    istio/istio 86c9f01f pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go render,
    manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml); the first pod a
    hand-made Service selects (its selector, with none)."""
    meta = gateway["metadata"]
    if managed:
        return meta["namespace"], gateway_proxy.pod_labels(gateway, cluster)
    svc = service or {}
    namespace = svc["metadata"]["namespace"]
    selector = (svc.get("spec") or {}).get("selector") or {}
    for pod in cluster.list("v1", "Pod", namespace) if selector else []:
        labels = pod["metadata"].get("labels") or {}
        if all(labels.get(k) == v for k, v in selector.items()):
            return namespace, dict(labels)
    return namespace, dict(selector)


def _attaches(item: Mapping[str, Any], workload: Workload) -> bool:
    """ShouldAttachPolicy (ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY at its default, true; upstream:
    istio/istio 86c9f01f pilot/pkg/model/policyattachment.go, pilot/pkg/features/pilot.go)."""
    namespace, labels = workload
    spec = item.get("spec") or {}
    refs = spec.get("targetRefs") or ([spec["targetRef"]] if spec.get("targetRef") else [])
    selector = (spec.get("workloadSelector") or {}).get("labels")
    selected = selector is None or all(labels.get(k) == v for k, v in selector.items())
    gateway = labels.get(GATEWAY_NAME_LABEL)
    if gateway is None or not refs:
        return not refs and selected
    return item["metadata"]["namespace"] == namespace and any(
        r.get("namespace") in (None, "", namespace)
        and r.get("group") == "gateway.networking.k8s.io"
        and r.get("kind") == "Gateway"
        and r.get("name") == gateway
        for r in refs
    )


def _target(config: Mapping[str, Any], proxy_namespace: str) -> tuple[str, str] | None:
    """(namespace, Service) an ext_proc filter's grpc_service calls: an envoy_grpc cluster Istio
    names outbound|PORT||HOST (istio/istio 86c9f01f pilot/pkg/model/service.go BuildSubsetKey), or a
    google_grpc target_uri (envoyproxy/envoy api/envoy/config/core/v3/grpc_service.proto), which
    gRPC resolves with its dns resolver, the default scheme (grpc/grpc doc/naming.md), through the
    proxy pod's DNS search path NS.svc.cluster.local, svc.cluster.local, cluster.local (kubernetes
    pkg/kubelet/network/dns/dns.go generateSearchesForDNSClusterFirst)."""
    service = config.get("grpc_service") or {}
    cluster = str((service.get("envoy_grpc") or {}).get("cluster_name") or "")
    if cluster:
        host = cluster.split("|")[-1].split(".") if cluster.startswith("outbound|") else []
        return (host[1], host[0]) if len(host) >= 3 and host[2] == "svc" else None
    uri = str((service.get("google_grpc") or {}).get("target_uri") or "")
    if ":" in uri.split("/")[0] and not uri.startswith("dns:") and not re.match(r"^[^:/]+:\d+$", uri):
        return None  # another resolver (ipv4:, unix:, xds:...)
    rest = uri[4:] if uri.startswith("dns:") else uri
    if rest.startswith("//"):
        rest = rest[2:].split("/", 1)[1] if "/" in rest[2:] else ""
    labels = rest.rsplit(":", 1)[0].rstrip(".").split(".") if rest else []
    if len(labels) == 1:
        return proxy_namespace, labels[0]
    if len(labels) == 2 or (len(labels) >= 3 and labels[2] == "svc" and labels[3:] in ([], ["cluster", "local"])):
        return labels[1], labels[0]
    return None


def _runs_bbr(spec: Mapping[str, Any]) -> bool:
    return any(IMAGE in str(c.get("image") or "") for c in spec.get("containers") or [])


def _behind(cluster: Any, namespace: str, service: str) -> dict[str, Any] | None:
    """What BBR's ext_proc stream reaches behind the Service: a pod the Service's selector selects
    that runs BBR's image (its spec read as a Deployment's template), else a Deployment whose pod
    template the selector selects, else the Deployment of the Service's name (the Service's
    endpoints: kubernetes pkg/controller/endpointslice, the selector against pod labels)."""
    svc = cluster.get("v1", "Service", namespace, service)
    selector = ((svc or {}).get("spec") or {}).get("selector") or {}
    if selector:
        query = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
        for pod in sorted(cluster.list("v1", "Pod", namespace, query), key=lambda p: p["metadata"]["name"]):
            if _runs_bbr(pod.get("spec") or {}):
                return {"metadata": dict(pod["metadata"]), "spec": {"template": {"spec": pod.get("spec") or {}}}}
        for deployment in cluster.list("apps/v1", "Deployment", namespace):
            template = (deployment.get("spec") or {}).get("template") or {}
            labels = (template.get("metadata") or {}).get("labels") or {}
            if all(labels.get(k) == v for k, v in selector.items()) and _runs_bbr(template.get("spec") or {}):
                return dict(deployment)
    deployment = cluster.get("apps/v1", "Deployment", namespace, service)
    template = ((deployment or {}).get("spec") or {}).get("template") or {}
    return dict(deployment) if deployment is not None and _runs_bbr(template.get("spec") or {}) else None


def router_for(cluster: Any, workload: Workload, port: int) -> dict[str, Any] | None:
    """The BBR an ext_proc filter left in the proxies' HTTP filter chain calls, once the
    EnvoyFilters Istio applies to them have patched it (gateway_proxy.py), if any (a filter with the
    chart's name whose Service has no BBR behind it: an empty Deployment, BBR as the chart runs it)."""
    if cluster.api.registry.by_api_version_kind(ENVOY_FILTER_API, "EnvoyFilter") is None:
        return None  # Istio's EnvoyFilter API is not served
    found = [
        item
        for namespace in dict.fromkeys((ROOT_NAMESPACE, workload[0]))
        for item in cluster.list(ENVOY_FILTER_API, "EnvoyFilter", namespace)
        if _attaches(item, workload)
    ]
    by_proxy = any(
        (p.get("match") or {}).get("proxy") for f in found for p in (f.get("spec") or {}).get("configPatches") or []
    )
    version, metadata = _node(cluster, workload) if by_proxy else (gateway_proxy.PROXY_VERSION, {})
    for http_filter in gateway_proxy.http_filters(gateway_proxy.ordered(found), port, version, metadata):
        config = http_filter.get("typed_config") or {}
        target = _target(config, workload[0]) if config.get("@type") == EXT_PROC else None
        if target is None:
            continue
        deployment = _behind(cluster, *target)
        if deployment is not None:
            return deployment
        if http_filter.get("name") == FILTER and cluster.get("apps/v1", "Deployment", *target) is None:
            return {"metadata": {"name": target[1], "namespace": target[0]}}
    return None


def _node(cluster: Any, workload: Workload) -> tuple[str, dict[str, str]]:
    """The Istio version and node metadata the gateway's proxy reports: its pod's istio-proxy
    ISTIO_META_* env (ISTIO_META_ISTIO_VERSION the version), else the proxyv2 image's release tag
    as the binary's version (upstream: istio/istio 86c9f01f pkg/bootstrap/config.go
    getNodeMetaData, SetIstioVersion); a gateway without such a pod runs the lab's Istio."""
    namespace, labels = workload
    for pod in cluster.list("v1", "Pod", namespace):
        if not labels or any((pod["metadata"].get("labels") or {}).get(k) != v for k, v in labels.items()):
            continue
        for c in (pod.get("spec") or {}).get("containers") or []:
            if c.get("name") != "istio-proxy":
                continue
            meta = {
                str(e["name"])[len("ISTIO_META_") :]: str(e.get("value") or "")
                for e in c.get("env") or []
                if str(e.get("name", "")).startswith("ISTIO_META_") and "valueFrom" not in e
            }
            tag = str(c.get("image") or "").split("@")[0].rsplit("/", 1)[-1].partition(":")[2]
            release = re.match(r"\d+\.\d+\.\d+", tag)
            version = meta.get("ISTIO_VERSION") or (release.group(0) if release else "")
            return version, meta
    return gateway_proxy.PROXY_VERSION, {}


def _plugins(deployment: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The --plugin args (spec.go Set), or runner.go's two defaults (upstream:
    kubernetes-sigs/gateway-api-inference-extension v1.5.0 pkg/bbr/config/spec.go, cmd/bbr/runner/runner.go)."""
    out = []
    for c in ((deployment.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []:
        args = [str(a) for a in c.get("args") or []]
        for i, arg in enumerate(args):
            if arg == "--plugin" and i + 1 < len(args):
                parts = args[i + 1].split(":", 2)
                params = json.loads(parts[2]) if len(parts) == 3 and parts[2].strip() else {}
                out.append((parts[0].strip(), params))
    return out or [("body-field-to-header", {"fieldName": "model", "headerName": HEADER}), ("base-model-to-header", {})]


def _base_model(cluster: Any, deployment: Mapping[str, Any], model: str) -> str:
    """adapters_store.go getBaseModel over the ConfigMaps BBR reads (its NAMESPACE's, else all;
    upstream: kubernetes-sigs/gateway-api-inference-extension v1.5.0 pkg/bbr/plugins/basemodelextractor/)."""
    containers = ((deployment.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []
    scoped = any(e.get("name") == "NAMESPACE" for c in containers for e in c.get("env") or [])
    namespace = deployment["metadata"]["namespace"] if scoped else None
    adapters: dict[str, str] = {}
    bases: set[str] = set()
    for cm in cluster.list("v1", "ConfigMap", namespace):
        if (cm["metadata"].get("labels") or {}).get(MANAGED) != "true":
            continue
        data = cm.get("data") or {}
        base = str(data.get("baseModel") or "").strip()
        if not base:
            continue
        bases.add(base)
        listed = yaml.safe_load(data.get("adapters") or "") or []
        for adapter in listed if isinstance(listed, list) else []:
            if str(adapter).strip():
                adapters[str(adapter).strip()] = base
    name = model.strip()
    return adapters.get(name) or (name if name in bases else "")


def headers_after(
    headers: Mapping[str, str], body: bytes, cluster: Any = None, deployment: Mapping[str, Any] | None = None
) -> dict[str, str] | tuple[int, str]:
    """The request's headers (lower-cased names) once BBR (``deployment``: its plugins and
    ConfigMaps) has run, or (400, why) for a body it cannot parse."""
    out = {k.lower(): v for k, v in headers.items()}
    if not body:
        return out
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        return 400, f"failed to parse request body: {exc}"
    # request.go HandleRequestBody unmarshals into framework.InferenceRequest.Body, a map[string]any:
    # JSON null leaves it empty, any other value that is not an object is encoding/json's refusal.
    if parsed is not None and not isinstance(parsed, dict):
        kind = {str: "string", bool: "bool", list: "array"}.get(type(parsed), "number")
        unmarshal = f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
        return 400, f"failed to parse request body: {unmarshal}"
    for kind, params in _plugins(deployment or {}):
        if kind == "body-field-to-header":
            field = str(params.get("fieldName") or "")
            if parsed is not None and field in parsed:
                text = _go_v(parsed[field])  # body_field_to_header.go: fmt.Sprintf("%v", rawFieldValue)
                if text != "":
                    out[str(params.get("headerName") or "").lower()] = text
        elif kind == "base-model-to-header" and parsed is not None and "model" in parsed and cluster is not None:
            out[BASE_HEADER] = _base_model(cluster, deployment or {}, _go_v(parsed["model"]))
    return out


def _go_v(value: Any) -> str:
    """Go's fmt %v of a value encoding/json decoded into an ``any``: null is <nil>, a number is a
    float64 (strconv 'g' shortest, exponent from 1e+06 and below 1e-04), an array [a b], an object
    map[k:v] with its keys sorted (fmt sorts map keys)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(_go_v(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_v(value[k])}" for k in sorted(value)) + "]"
    return _go_float(float(value))


def _go_float(number: float) -> str:
    """strconv.FormatFloat(number, 'g', -1, 64): the shortest digits, %e where the exponent is
    below -4 or at least 6 (ftoa.go: "if precision was the shortest possible, use precision 6")."""
    if number == 0:
        return "0"
    _, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    sign, digits = "-" if number < 0 else "", "".join(map(str, digit_tuple))
    point = len(digits) + int(exponent)  # where the decimal point falls after the first digits
    exp = point - 1
    if exp < -4 or exp >= 6:
        tail = f".{digits[1:]}" if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{tail}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"
