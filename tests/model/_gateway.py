"""Resolve an HTTPRoute as a gateway would: route -> Service or InferencePool -> ready pods.

Gateway API (kubernetes-sigs/gateway-api, HTTPRoute backendRefs: a Service by name and port, or
an InferencePool by group and kind) and the inference extension: a pool whose endpoint picker
Service does not exist does not resolve, ResolvedRefs=False, and requests fail with a 5xx
(kubernetes-sigs/gateway-api-inference-extension conformance/tests/inferencepool_invalid_epp_service.go).
"""

from __future__ import annotations

from typing import Any

POOL_GROUP = "inference.networking.k8s.io"


def _ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
    return status.get("phase") == "Running" and ready


def _pods(cluster: Any, namespace: str, match_labels: dict[str, str]) -> list[str]:
    selector = ",".join(f"{k}={v}" for k, v in sorted(match_labels.items()))
    return sorted(
        p["metadata"]["name"] for p in cluster.list("v1", "Pod", namespace, label_selector=selector) if _ready(p)
    )


class Unresolved(Exception):
    """The gateway would answer 5xx: a backend does not resolve."""


def resolve(cluster: Any, namespace: str, route: str) -> list[str]:
    """The ready pods the route's backends reach; Unresolved where a reference is missing."""
    obj = cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", namespace, route)
    if obj is None:
        raise Unresolved(f"HTTPRoute {namespace}/{route} does not exist")
    pods: list[str] = []
    for rule in obj["spec"].get("rules") or []:
        for ref in rule.get("backendRefs") or []:
            if ref.get("group") == POOL_GROUP and ref.get("kind") == "InferencePool":
                pods += _pool_pods(cluster, namespace, ref["name"])
            else:
                service = cluster.get("v1", "Service", namespace, ref["name"])
                if service is None:
                    raise Unresolved(f"Service {namespace}/{ref['name']} does not exist")
                if ref.get("port") not in [p.get("port") for p in service["spec"].get("ports") or []]:
                    raise Unresolved(f"Service {ref['name']} has no port {ref.get('port')}")
                pods += _pods(cluster, namespace, service["spec"].get("selector") or {})
    return sorted(set(pods))


def _pool_pods(cluster: Any, namespace: str, name: str) -> list[str]:
    pool = cluster.get(f"{POOL_GROUP}/v1", "InferencePool", namespace, name)
    if pool is None:
        raise Unresolved(f"InferencePool {namespace}/{name} does not exist")
    picker = pool["spec"]["endpointPickerRef"]["name"]
    if cluster.get("v1", "Service", namespace, picker) is None:
        raise Unresolved(f"endpoint picker Service {namespace}/{picker} does not exist (ResolvedRefs=False)")
    return _pods(cluster, namespace, pool["spec"]["selector"]["matchLabels"])
