"""The gateway's body-based router (BBR), which a route matching ``X-Gateway-Model-Name`` needs:
whether it runs for a Gateway, and the model a request through such a route names.

AI Runway's route matches the header ``X-Gateway-Model-Name`` exactly (its value: the model name
the route routes by), which BBR sets from the request body's ``model``. A client of the gateway
(an OpenAI SDK) sends the model in the body only; without BBR, no request matches the route and
the gateway answers 404. A bodyless request (GET /v1/models) never matches, BBR or not: BBR
copies a body field, and such a request has none.

How BBR runs for a Gateway on Istio, as its Helm chart installs it with ``provider.name=istio``
(the chart's default provider ``none`` installs the Deployment and Service only, which no gateway
calls): an EnvoyFilter in the Gateway's namespace, ``targetRefs`` naming the Gateway, inserting the
HTTP filter ``envoy.filters.http.ext_proc.bbr``, an ext_proc to the cluster
``outbound|PORT||NAME.NAMESPACE.svc.cluster.local`` with ``failure_mode_allow: false`` (no ready
BBR: the gateway refuses the request), the Deployment and Service both named NAME. Istio applies an
EnvoyFilter with targetRefs to a Gateway's pods only from the Gateway's own namespace.

upstream:
* ai-runway/airunway b0d3fb77 controller/internal/controller/gateway_reconciler.go
  buildHTTPRouteSpec (the header match), resolveModelName (its value), restartBBRIfPresent (the
  Deployment ``body-based-router``, in the Gateway's namespace unless its annotation
  ``airunway.ai/bbr-namespace`` names another: internal/gateway/detection.go); Makefile
  setup-gateway (the helm install of the chart, ``--set provider.name=istio``); backend/src/routes/
  deployments.ts resolveGatewayChatModel (a request through the gateway names the route's model).
* kubernetes-sigs/gateway-api-inference-extension v1.5.0 (9cd2896dd6c1f6e79be4098e5a55ae0a01119e44,
  the GAIE_VERSION AI Runway pins; BBR left the repository's main after v1.6.0):
  pkg/bbr/README.md, config/charts/body-based-routing/values.yaml (bbr.name body-based-router,
  port 9004, provider.name none, inferenceGateway.name inference-gateway) and templates/istio.yaml,
  templates/bbr.yaml.
* istio/istio 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c pilot/pkg/model/policyattachment.go
  ShouldAttachPolicy (a targetRef applies from the gateway's namespace only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli.errors import AuthError, NotFoundError, NotInstalledError
from akscli.kube.client import Kube

HEADER = "X-Gateway-Model-Name"
FILTER = "envoy.filters.http.ext_proc.bbr"
ENVOY_FILTER_API = "networking.istio.io/v1alpha3"
CHART = "oci://registry.k8s.io/gateway-api-inference-extension/charts/body-based-routing"
CHART_VERSION = "v1.5.0"
# How every refusal of the gateway path ends (cli/model_serving.py drops it when it falls back).
SERVICE_HINT = "test through the model's Service: --via service"


def routed_model(route: Mapping[str, Any]) -> str | None:
    """The value of the route's exact ``X-Gateway-Model-Name`` header match, if it has one."""
    for rule in (route.get("spec") or {}).get("rules") or []:
        for match in rule.get("matches") or []:
            for header in match.get("headers") or []:
                if str(header.get("name", "")).lower() == HEADER.lower() and header.get("type", "Exact") == "Exact":
                    return str(header.get("value", ""))
    return None


def install_hint(namespace: str, gateway: str) -> str:
    """The chart's install command for this Gateway (AI Runway's Makefile setup-gateway)."""
    return (
        f"helm install body-based-router {CHART} --version {CHART_VERSION} -n {namespace} "
        f"--set provider.name=istio --set inferenceGateway.name={gateway}"
    )


@dataclass(frozen=True)
class BodyRouter:
    """BBR as the Gateway runs it: ``service`` (NAMESPACE/NAME of its ext_proc) when found; ``known``
    False when akscli may not read EnvoyFilters (then the request is sent as it is)."""

    service: str | None
    known: bool = True


def _targets(item: Mapping[str, Any], gateway: str) -> bool:
    spec = item.get("spec") or {}
    refs = spec.get("targetRefs") or ([spec["targetRef"]] if spec.get("targetRef") else [])
    return any(
        r.get("kind") == "Gateway" and r.get("group") == "gateway.networking.k8s.io" and r.get("name") == gateway
        for r in refs
    )


def _ext_proc_service(item: Mapping[str, Any]) -> str | None:
    """NAMESPACE/NAME of the BBR filter's ext_proc cluster ``outbound|PORT||NAME.NS.svc.DOMAIN``."""
    for patch in (item.get("spec") or {}).get("configPatches") or []:
        value = (patch.get("patch") or {}).get("value") or {}
        if value.get("name") != FILTER:
            continue
        grpc = ((value.get("typed_config") or value.get("typedConfig") or {}).get("grpc_service")) or {}
        cluster = str((grpc.get("envoy_grpc") or {}).get("cluster_name") or "")
        host = cluster.split("|")[-1].split(".")
        if len(host) >= 3 and host[2] == "svc":
            return f"{host[1]}/{host[0]}"
    return None


def find(kube: Kube, namespace: str, gateway: str) -> BodyRouter:
    """The BBR EnvoyFilter of Gateway NAMESPACE/GATEWAY: one list of the namespace's EnvoyFilters."""
    try:
        items = list(kube.list(ENVOY_FILTER_API, "EnvoyFilter", namespace=namespace))
    except (NotFoundError, NotInstalledError):
        return BodyRouter(None)  # Istio's EnvoyFilter API is not served
    except AuthError:
        return BodyRouter(None, known=False)
    for item in items:
        if _targets(item, gateway) and (service := _ext_proc_service(item)):
            return BodyRouter(service)
    return BodyRouter(None)


def require(kube: Kube, route: Mapping[str, Any], namespace: str, gateway: str) -> str | None:
    """The model a request through the route names, when the route matches BBR's header: refused
    in one line (exit 7) when the Gateway runs no BBR, or its Deployment has no ready replica."""
    model = routed_model(route)
    if model is None:
        return None
    found = find(kube, namespace, gateway)
    if not found.known:
        return model
    name = f"Gateway {namespace}/{gateway}"
    if found.service is None:
        raise NotInstalledError(
            f"{name} runs no body-based router: the model's route matches the {HEADER} header, which "
            "BBR sets from the request's model, so clients that do not send it get HTTP 404",
            hint=f"install it: {install_hint(namespace, gateway)}; or {SERVICE_HINT}",
        )
    bbr_ns, bbr_name = found.service.split("/", 1)
    try:
        deployment = kube.get("apps/v1", "Deployment", bbr_name, namespace=bbr_ns)
    except AuthError:
        return model  # may not be read: the request is sent, and the gateway answers
    if deployment is None or not int((deployment.get("status") or {}).get("readyReplicas") or 0):
        raise NotInstalledError(
            f"the body-based router {found.service} of {name} has no ready replica: the gateway "
            "refuses every request while it is down (its filter does not fail open)",
            hint=f"see it with: kubectl get deployment {bbr_name} -n {bbr_ns}; or {SERVICE_HINT}",
        )
    return model
