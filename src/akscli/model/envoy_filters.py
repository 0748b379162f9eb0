"""Which Istio EnvoyFilters apply to a gateway's proxies, and the ext_proc filters they insert into
its HTTP filter chain: what the body-based router needs (body_router.py), judged as istiod judges
it, not by a filter's name.

upstream: istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c
* pilot/pkg/model/push_context.go EnvoyFilters, getMatchedEnvoyFilters: a proxy takes the
  EnvoyFilters of the mesh's root namespace (meshConfig.rootNamespace) and of its own namespace.
* pilot/pkg/model/policyattachment.go ShouldAttachPolicy: a proxy whose pod is labelled
  ``gateway.networking.k8s.io/gateway-name`` (a Gateway API gateway) takes a filter with targetRefs
  only where one names that Gateway from the proxy's own namespace; one without targetRefs by its
  workloadSelector (none: every proxy), unless istiod runs with
  ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY=false (pilot/pkg/features/pilot.go, default true). Any
  other proxy (an ingress gateway deployed by hand, without that label) ignores a filter that has
  targetRefs and takes one by its workloadSelector.
* pilot/pkg/model/envoyfilter.go GetSelector (``workloadSelector.labels``), proxyMatch.
* pilot/pkg/model/context.go SetWorkloadLabels: a proxy's labels are its pod's.
* manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml: the pod labels of a
  gateway Istio deploys (``gateway.networking.k8s.io/gateway-name``, ``-class-name``,
  ``gateway.istio.io/managed``, with the Gateway's spec.infrastructure.labels).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name"
GATEWAY_CLASS_LABEL = "gateway.networking.k8s.io/gateway-class-name"
MANAGED_LABEL = "gateway.istio.io/managed"
EXT_PROC_TYPE = "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor"
# The patch operations that put a new HTTP filter into the chain (networking/v1alpha3
# envoy_filter.proto Patch.Operation; pilot/pkg/networking/core/envoyfilter/listener_patch.go).
INSERTS = frozenset({"ADD", "INSERT_FIRST", "INSERT_BEFORE", "INSERT_AFTER"})


@dataclass(frozen=True)
class Workload:
    """A gateway's proxies as istiod sees them: their namespace and their pods' labels."""

    namespace: str
    labels: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        shown = ",".join(f"{k}={v}" for k, v in sorted(self.labels.items()))
        return f"pods in {self.namespace} labelled {shown}" if shown else f"pods in {self.namespace}"


def managed_workload(gateway: Mapping[str, Any]) -> Workload:
    """The pods Istio deploys for a Gateway (kube-gateway.yaml's pod template labels)."""
    meta, spec = gateway.get("metadata") or {}, gateway.get("spec") or {}
    labels = {str(k): str(v) for k, v in ((spec.get("infrastructure") or {}).get("labels") or {}).items()}
    labels.update(
        {
            GATEWAY_NAME_LABEL: str(meta.get("name")),
            GATEWAY_CLASS_LABEL: str(spec.get("gatewayClassName")),
            MANAGED_LABEL: "istio.io-gateway-controller",
        }
    )
    return Workload(str(meta.get("namespace")), labels)


def target_refs(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    spec = policy.get("spec") or {}
    return list(spec.get("targetRefs") or ([spec["targetRef"]] if spec.get("targetRef") else []))


def attaches(policy: Mapping[str, Any], workload: Workload, selector_for_gateways: bool = True) -> bool:
    """ShouldAttachPolicy for an EnvoyFilter of the workload's or the root namespace."""
    namespace = str((policy.get("metadata") or {}).get("namespace"))
    refs = target_refs(policy)
    selector = ((policy.get("spec") or {}).get("workloadSelector") or {}).get("labels")
    selected = selector is None or all(workload.labels.get(str(k)) == str(v) for k, v in selector.items())
    gateway = workload.labels.get(GATEWAY_NAME_LABEL)
    if gateway is None:
        return not refs and selected
    if not refs:
        return selector_for_gateways and selected
    return namespace == workload.namespace and any(
        ref.get("namespace") in (None, "", workload.namespace)
        and ref.get("group") == "gateway.networking.k8s.io"
        and ref.get("kind") == "Gateway"
        and ref.get("name") == gateway
        for ref in refs
    )


def ext_proc_services(policy: Mapping[str, Any], port: int) -> list[tuple[str, str, str]]:
    """(filter name, NAMESPACE, NAME) of each ext_proc HTTP filter the EnvoyFilter inserts into a
    gateway's listener on ``port``, whose gRPC service is the cluster of a Service of the cluster,
    ``outbound|PORT||NAME.NAMESPACE.svc.DOMAIN`` (Istio's cluster name for a Service port)."""
    found = []
    for patch in (policy.get("spec") or {}).get("configPatches") or []:
        match = patch.get("match") or {}
        listener = match.get("listener") or {}
        if patch.get("applyTo") != "HTTP_FILTER" or match.get("context", "ANY") not in ("ANY", "GATEWAY"):
            continue
        if listener.get("portNumber") not in (None, 0, port):
            continue
        hcm = ((listener.get("filterChain") or {}).get("filter") or {}).get("name")
        if hcm not in (None, "envoy.filters.network.http_connection_manager"):
            continue
        body = patch.get("patch") or {}
        value = body.get("value") or {}
        config = value.get("typed_config") or value.get("typedConfig") or {}
        if body.get("operation") not in INSERTS or config.get("@type") != EXT_PROC_TYPE:
            continue
        grpc = config.get("grpc_service") or config.get("grpcService") or {}
        envoy_grpc = grpc.get("envoy_grpc") or grpc.get("envoyGrpc") or {}
        cluster = str(envoy_grpc.get("cluster_name") or envoy_grpc.get("clusterName") or "")
        host = cluster.split("|")[-1].split(".") if cluster.startswith("outbound|") else []
        if len(host) >= 3 and host[2] == "svc":
            found.append((str(value.get("name") or ""), host[1], host[0]))
    return found
