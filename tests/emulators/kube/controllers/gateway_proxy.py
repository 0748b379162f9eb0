"""The lab's Istio gateway proxies as istiod builds them: the pod labels of a Gateway Istio deploys
(which an EnvoyFilter's workloadSelector is matched against) and the HTTP filter chain of a
gateway listener once the EnvoyFilters that attach have patched it. gateway_bbr.py reads the chain
for an ext_proc filter to the body-based router.

upstream (istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c):
* pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go render (the overlays: the oldest
  ConfigMap of istiod's namespace labelled ``gateway.istio.io/defaults-for-class: CLASS``, then the
  ConfigMap the Gateway's ``spec.infrastructure.parametersRef`` names, each ``deployment`` key a
  strategic merge patch, in that order), fetchParameters (only group "" kind ConfigMap, of the
  Gateway's namespace), extractInfrastructureMetadata and translateInfraMeta (infrastructure labels
  without their ``gateway.networking.k8s.io/`` keys, else the Gateway's own labels while
  PILOT_ENABLE_GATEWAY_API_COPY_LABELS_ANNOTATIONS is on: pilot/pkg/features/experimental.go,
  default true); pkg/kube/controllers/common.go OldestObject (creation time, then name);
  manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml (the pod template's labels).
* kubernetes/apimachinery eed236ce pkg/util/strategicpatch/patch.go mergeMap (null deletes a key),
  handleDirectiveInMergeMap (``$patch: replace`` takes the patch's map, ``$patch: delete`` an empty one).
* pilot/pkg/model/push_context.go EnvoyFilters (the root namespace's filters and the proxy's
  namespace's, sorted by priority, the root namespace first, creation time, then "name.namespace");
  pilot/pkg/networking/core/envoyfilter/listener_patch.go patchHTTPFilters (ADD appends,
  INSERT_FIRST prepends, INSERT_BEFORE / INSERT_AFTER next to the named subFilter or, with none,
  first / last; REPLACE the first filter of the subFilter's name and REMOVE all of them, nothing
  without a subFilter), mergeHTTPFilter (MERGE last, on each filter the subFilter names or all;
  its name replaces the filter's; a filter without typed_config is skipped; the typed configs
  merged by istio/istio pilot/pkg/networking/util/util.go MergeAnyWithAny and pkg/proto/merge/merge.go, which
  panics on two types, ApplyListenerPatches recovering with the listener unpatched),
  networkFilterMatch, patchContextMatch, listenerMatch (portNumber); pilot/pkg/model/envoyfilter.go
  proxyMatch (match.proxy: proxyVersion, metadata) against the proxy's node metadata.
* pilot/pkg/networking/core/gateway_test.go (a gateway's HTTP filters with the mesh's defaults:
  istio.metadata_exchange, grpc_stats, istio.alpn, fault, cors, istio.stats, router).

The lab runs no istiod: its namespace is taken as the AKS add-on's, aks-istio-system, the mesh
root namespace. Not simulated: a patch's listener name and filterChain sni / name / transport
(taken as matching); MERGE's proto rules that need the schema (a map field's entries replaced, a
google.protobuf.Struct's keys replaced, wrapper types' zero values set; the lab knows one oneof,
grpc_service's); a render that fails (a missing parametersRef ConfigMap, an unsupported overlay
key: the lab keeps the gateway's pods as ready).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

import yaml

# upstream: istio/istio 86c9f01f (the module docstring's files) for each name below: EnvoyFilter's
# group/version (istio.io/api networking/v1alpha3/envoy_filter.proto); the AKS Istio add-on's
# root namespace (learn.microsoft.com azure/aks/istio-about: istiod in aks-istio-system); the
# class-defaults ConfigMap label and the name-override annotation (deploymentcontroller.go,
# pkg/config/constants); the HTTP connection manager's filter name (envoyproxy/go-control-plane
# pkg/wellknown/wellknown.go HTTPConnectionManager, which istio's listener code uses).
ENVOY_FILTER_API = "networking.istio.io/v1alpha3"
ROOT_NAMESPACE = "aks-istio-system"
CLASS_DEFAULTS = "gateway.istio.io/defaults-for-class"
NAME_OVERRIDE = "gateway.istio.io/name-override"
HCM = "envoy.filters.network.http_connection_manager"
# The gateway chain's filters and their typed_config types (istio/istio pilot/pkg/xds/filters/filters.go:
# the metadata exchange is protoconv.TypedStructWithFields, a udpa TypedStruct; pilot/pkg/model/
# telemetry.go buildHTTPTelemetryFilter: istio.io/api envoy/extensions/stats PluginConfig).
DEFAULT_CHAIN = (
    ("istio.metadata_exchange", "udpa.type.v1.TypedStruct"),
    ("envoy.filters.http.grpc_stats", "envoy.extensions.filters.http.grpc_stats.v3.FilterConfig"),
    ("istio.alpn", "istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig"),
    ("envoy.filters.http.fault", "envoy.extensions.filters.http.fault.v3.HTTPFault"),
    ("envoy.filters.http.cors", "envoy.extensions.filters.http.cors.v3.Cors"),
    ("istio.stats", "stats.PluginConfig"),
    ("envoy.filters.http.router", "envoy.extensions.filters.http.router.v3.Router"),
)
# The Istio the lab's gateways run (gateway_service.py: istio/istio 1.29.6), the version a proxy
# reports where its pod names none.
PROXY_VERSION = "1.29.6"
# pilot/pkg/model/envoyfilter.go wellKnownVersions (regex -> prefix) and maxProxyVersionLen.
WELL_KNOWN_VERSIONS = {f"^1\\.{m}.*": f"1.{m}" for m in range(16, 24)}
MAX_PROXY_VERSION_LEN = 1024
_ONEOFS = ({"envoy_grpc", "google_grpc"},)  # envoy config/core/v3/grpc_service.proto target_specifier


def pod_labels(gateway: Mapping[str, Any], cluster: Any) -> dict[str, Any]:
    """kube-gateway.yaml's pod template labels, after the class defaults and parametersRef overlays."""
    meta, spec = gateway["metadata"], gateway.get("spec") or {}
    infra = spec.get("infrastructure") or {}
    if infra.get("labels") is not None:  # translateInfraMeta
        own = {k: v for k, v in infra["labels"].items() if not str(k).startswith("gateway.networking.k8s.io/")}
    else:  # extractInfrastructureMetadata with PILOT_ENABLE_GATEWAY_API_COPY_LABELS_ANNOTATIONS=true
        own = dict(meta.get("labels") or {})
    name = (meta.get("annotations") or {}).get(NAME_OVERRIDE) or f"{meta['name']}-{spec.get('gatewayClassName')}"
    labels = {
        "sidecar.istio.io/inject": "false",
        "service.istio.io/canonical-name": name,
        "service.istio.io/canonical-revision": "latest",
        **own,
        "gateway.networking.k8s.io/gateway-name": meta["name"],
        "gateway.networking.k8s.io/gateway-class-name": spec.get("gatewayClassName"),
        "gateway.istio.io/managed": "istio.io-gateway-controller",
    }
    deployment: Any = {"metadata": {"name": name}, "spec": {"template": {"metadata": {"labels": labels}}}}
    for data in _overlays(gateway, cluster):
        overlay = yaml.safe_load(data.get("deployment") or "null")
        if isinstance(overlay, dict):
            deployment = _merge_map(deployment, overlay)
    template = ((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}
    return dict(template.get("labels") or {})


def _overlays(gateway: Mapping[str, Any], cluster: Any) -> list[Mapping[str, Any]]:
    """render's templateOverlays: the class defaults ConfigMap's data, then the parametersRef's."""
    out = []
    klass = (gateway.get("spec") or {}).get("gatewayClassName")
    defaults = [
        cm
        for cm in cluster.list("v1", "ConfigMap", ROOT_NAMESPACE)
        if (cm["metadata"].get("labels") or {}).get(CLASS_DEFAULTS) == klass
    ]
    if defaults:  # OldestObject
        oldest = min(
            defaults, key=lambda cm: (str(cm["metadata"].get("creationTimestamp") or ""), cm["metadata"]["name"])
        )
        out.append(oldest.get("data") or {})
    ref = ((gateway.get("spec") or {}).get("infrastructure") or {}).get("parametersRef") or {}
    if ref and ref.get("group", "") == "" and ref.get("kind") == "ConfigMap":  # fetchParameters
        cm = cluster.get("v1", "ConfigMap", gateway["metadata"]["namespace"], ref.get("name"))
        if cm is not None:
            out.append(cm.get("data") or {})
    return out


def _merge_map(original: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """strategicpatch mergeMap for maps (lists are taken whole: the lab reads only labels)."""
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: v for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return {}
    out = dict(original)
    for key, value in patch.items():
        if str(key).startswith("$"):
            continue
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            base = out.get(key)
            out[key] = _merge_map(base if isinstance(base, dict) else {}, value)
        else:
            out[key] = value
    return out


# ---- the HTTP filter chain --------------------------------------------------------------------------


def snake(value: Any) -> Any:
    """protojson reads a field by its JSON (camelCase) name or its proto name (upstream:
    protocolbuffers/protobuf-go encoding/protojson/decode.go unmarshalMessage: "The name can
    either be the JSON name or the proto field name"): the lab reads the latter."""
    if isinstance(value, dict):
        return {
            (k if k.startswith("@") else re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", k).lower()): snake(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [snake(v) for v in value]
    return value


def ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """push_context.go EnvoyFilters' order."""

    def key(item: Mapping[str, Any]) -> tuple[Any, ...]:
        meta = item["metadata"]
        priority = int((item.get("spec") or {}).get("priority") or 0)
        return (
            priority,
            meta["namespace"] != ROOT_NAMESPACE,
            str(meta.get("creationTimestamp") or ""),
            f"{meta['name']}.{meta['namespace']}",
        )

    return sorted(items, key=key)


def proxy_matches(proxy: Mapping[str, Any] | None, version: str, metadata: Mapping[str, Any]) -> bool:
    """pilot/pkg/model/envoyfilter.go proxyMatch (convertToEnvoyFilterWrapper compiles it): a
    well-known proxyVersion is a prefix; one over maxProxyVersionLen matches nothing; else a regex
    (Go's MatchString: found anywhere; an empty version never matches; a regex that does not compile
    is ignored); each metadata key must equal the node's."""
    if not proxy:
        return True
    pattern = str(proxy.get("proxy_version") or "")
    if len(pattern) > MAX_PROXY_VERSION_LEN:
        return False
    if pattern in WELL_KNOWN_VERSIONS:
        if not version.startswith(WELL_KNOWN_VERSIONS[pattern]):
            return False
    elif pattern:
        try:
            regex = re.compile(pattern)
        except re.error:
            regex = None
        if regex is not None and (not version or regex.search(version) is None):
            return False
    return all(metadata.get(k) == v for k, v in (proxy.get("metadata") or {}).items())


def _patches(
    filters: list[dict[str, Any]], port: int, version: str, metadata: Mapping[str, Any]
) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(operation, subFilter name, value) of each HTTP_FILTER patch that matches a gateway listener
    on ``port`` and its http_connection_manager, for a proxy of that Istio version and node metadata
    (push_context.go EnvoyFilters keeps the patches proxyMatch takes)."""
    out = []
    for item in filters:
        for patch in (item.get("spec") or {}).get("configPatches") or []:
            match = snake(patch.get("match") or {})
            listener = match.get("listener") or {}
            network = (listener.get("filter_chain") or {}).get("filter")
            body = snake(patch.get("patch") or {})
            if (
                not proxy_matches(match.get("proxy"), version, metadata)
                or patch.get("applyTo", patch.get("apply_to")) != "HTTP_FILTER"
                or match.get("context", "ANY") not in ("ANY", "GATEWAY")
                or int(listener.get("port_number") or 0) not in (0, port)
                or (network is not None and network.get("name") != HCM)  # networkFilterMatch
            ):
                continue
            sub = (network or {}).get("sub_filter")
            name = None if sub is None else str(sub.get("name") or "")
            out.append((str(body.get("operation") or ""), name, dict(body.get("value") or {})))
    return out


def http_filters(
    filters: list[dict[str, Any]], port: int, version: str = PROXY_VERSION, metadata: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The listener's HTTP filters (name, typed_config) after ``filters`` (in order) have patched
    the default chain: patchHTTPFilters, then mergeHTTPFilter. A MERGE whose typed_config is of
    another type than the filter's panics in pkg/proto/merge ("descriptor mismatch");
    ApplyListenerPatches recovers and keeps the listener it had: the default chain."""
    chain: list[dict[str, Any]] = [
        {"name": n, "typed_config": {"@type": "type.googleapis.com/" + t}} for n, t in DEFAULT_CHAIN
    ]
    default = copy.deepcopy(chain)
    patches = _patches(filters, port, version, metadata or {})
    for op, sub, value in patches:
        hits = [i for i, f in enumerate(chain) if f.get("name") == sub]
        if op == "ADD" or (op == "INSERT_AFTER" and sub is None):
            chain.append(copy.deepcopy(value))
        elif op == "INSERT_FIRST" or (op == "INSERT_BEFORE" and sub is None):
            chain.insert(0, copy.deepcopy(value))
        elif op == "INSERT_AFTER" and hits:
            chain.insert(hits[0] + 1, copy.deepcopy(value))
        elif op == "INSERT_BEFORE" and hits:
            chain.insert(hits[0], copy.deepcopy(value))
        elif op == "REPLACE" and hits:
            chain[hits[0]] = copy.deepcopy(value)
        elif op == "REMOVE" and sub is not None:
            chain = [f for f in chain if f.get("name") != sub]
    for http_filter in chain:
        for op, sub, value in patches:
            if op != "MERGE" or (sub is not None and http_filter.get("name") != sub):
                continue
            if http_filter.get("typed_config") is None:
                continue  # mergeHTTPFilter: "skip this op"
            if value.get("typed_config") is not None:
                if value["typed_config"].get("@type") != http_filter["typed_config"].get("@type"):
                    return default  # util.MergeAnyWithAny -> merge.Merge panics; HandleCrash
                http_filter["typed_config"] = _proto_merge(http_filter["typed_config"], value["typed_config"])
            if value.get("name"):
                http_filter["name"] = value["name"]
    return chain


def _proto_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """pkg/proto/merge mergeMessage over JSON: messages merged field by field, lists appended, a
    oneof member set clearing its siblings; a scalar set only when populated (proto3: not at its
    zero value); a google.protobuf.Any (a map with ``@type``) taken whole (type_url and value bytes
    set, not merged)."""
    out = dict(base)
    for key, value in patch.items():
        if value in (None, False, 0, "") and not isinstance(value, dict | list):
            continue  # protoreflect Range skips unpopulated proto3 scalars
        if isinstance(value, dict) and "@type" in value and key != "@type":
            out[key] = copy.deepcopy(value)
            continue
        for group in _ONEOFS:
            if key in group:
                for other in group - {key}:
                    out.pop(other, None)
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _proto_merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + value
        else:
            out[key] = copy.deepcopy(value)
    return out
