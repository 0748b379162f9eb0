"""The gateway's body-based router (BBR), which a route matching ``X-Gateway-Model-Name`` or
``X-Gateway-Base-Model-Name`` needs: whether it runs for a Gateway, and the model a request
through such a route names.

AI Runway's route matches the header ``X-Gateway-Model-Name`` exactly (its value: the model name
the route routes by), which BBR sets from the request body's ``model``. A route for a base model
and its LoRA adapters (the inferencepool chart's experimentalHttpRoute.baseModel) matches
``X-Gateway-Base-Model-Name``, which BBR's base-model-to-header plugin sets from the ConfigMaps
labelled ``inference.networking.k8s.io/bbr-managed: "true"`` (``baseModel``, ``adapters``): the
body's model when it is a base model one names, the base model of an adapter one lists, else
empty. A client of the gateway (an OpenAI SDK) sends the model in the body only; without BBR, no
request matches the route and the gateway answers 404. A bodyless request (GET /v1/models) never
matches, BBR or not.

How BBR runs for a Gateway on Istio: an EnvoyFilter that Istio applies to the gateway's proxies
(envoy_filters.py: the chart's, with targetRefs naming the Gateway; or one by workloadSelector,
or one of the mesh's root namespace), leaving in its listener's HTTP filters an ext_proc filter
(inserted, or turned into one by REPLACE or MERGE) whose gRPC service (envoy_grpc or
google_grpc) is BBR's Service: the Deployment behind it (of its name, or the one its selector
selects) runs BBR's image (or the filter carries the chart's name
``envoy.filters.http.ext_proc.bbr``). The chart's filter has ``failure_mode_allow: false``
(no ready BBR: the gateway refuses the request). The chart's default provider ``none`` installs
the Deployment and Service only, which no gateway calls.

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
  image gateway-api-inference-extension/bbr, port 9004, the two plugins, provider.name none,
  inferenceGateway.name inference-gateway) and templates/istio.yaml, templates/bbr.yaml (the
  ``--plugin TYPE:NAME[:JSON]`` args; env NAMESPACE unless bbr.multiNamespace);
  pkg/bbr/config/spec.go (the --plugin flag); cmd/bbr/runner/runner.go (no --plugin: both
  plugins with their defaults; NAMESPACE limits the ConfigMaps BBR reads to its namespace);
  pkg/bbr/plugins/bodyfieldtoheader/body_field_to_header.go (fieldName, headerName);
  pkg/bbr/plugins/basemodelextractor/base_model_to_header.go, adapters_store.go (getBaseModel,
  parseConfigMap: names trimmed, the adapters a YAML list), configmap_reconciler.go (the label);
  config/charts/inferencepool/templates/httproute.yaml (the base model's header match);
  config/manifests/bbr/configmap.yaml.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli.errors import AkscliError, AuthError, NotFoundError, NotInstalledError, UsageError
from akscli.kube.client import Kube
from akscli.model import envoy_filters, istio_mesh
from akscli.model.envoy_filters import Workload

HEADER = "X-Gateway-Model-Name"
BASE_HEADER = "X-Gateway-Base-Model-Name"
FILTER = "envoy.filters.http.ext_proc.bbr"
IMAGE = "gateway-api-inference-extension/bbr"
ENVOY_FILTER_API = "networking.istio.io/v1alpha3"
MANAGED_LABEL = "inference.networking.k8s.io/bbr-managed"
CHART = "oci://registry.k8s.io/gateway-api-inference-extension/charts/body-based-routing"
CHART_VERSION = "v1.5.0"
# How every refusal of the gateway path ends (cli/model_serving.py drops it when it falls back).
SERVICE_HINT = "test through the model's Service: --via service"


def routed_match(route: Mapping[str, Any]) -> tuple[str, str] | None:
    """(header, value) of the route's exact match on a header BBR sets, if it has one."""
    for rule in (route.get("spec") or {}).get("rules") or []:
        for match in rule.get("matches") or []:
            for header in match.get("headers") or []:
                name = str(header.get("name", "")).lower()
                if name in (HEADER.lower(), BASE_HEADER.lower()) and header.get("type", "Exact") == "Exact":
                    return (HEADER if name == HEADER.lower() else BASE_HEADER), str(header.get("value", ""))
    return None


def routed_model(route: Mapping[str, Any]) -> str | None:
    """The value of the route's exact ``X-Gateway-Model-Name`` header match, if it has one."""
    match = routed_match(route)
    return match[1] if match and match[0] == HEADER else None


def install_hint(namespace: str, gateway: str) -> str:
    """The chart's install command for this Gateway (AI Runway's Makefile setup-gateway)."""
    return (
        f"helm install body-based-router {CHART} --version {CHART_VERSION} -n {namespace} "
        f"--set provider.name=istio --set inferenceGateway.name={gateway}"
    )


@dataclass(frozen=True)
class BodyRouter:
    """The ext_proc filters Istio puts on the gateway's proxies: ``candidates`` (filter name,
    namespace, Service); ``unsure`` those a patch puts at a filter akscli cannot see (Istio's
    filters that come with the mesh's policies); ``known`` False when akscli may not read the
    EnvoyFilters (then the request is sent as it is); ``looked_for`` what was searched, for the
    line that says none was found."""

    candidates: tuple[tuple[str, str, str], ...]
    looked_for: str
    known: bool = True
    unsure: tuple[tuple[str, str, str], ...] = ()


def find(
    kube: Kube, gateway: Mapping[str, Any], workload: Workload, port: int, mesh: istio_mesh.Mesh | None = None
) -> BodyRouter:
    """The ext_proc filters the gateway's listener on ``port`` ends with, after the EnvoyFilters
    Istio applies to its proxies: one list of EnvoyFilters in the proxies' namespace and one in the
    root namespace, patched in istiod's order (envoy_filters.http_filters)."""
    mesh = mesh or istio_mesh.for_gateway(kube, gateway)
    namespaces = list(dict.fromkeys((mesh.root_namespace, workload.namespace)))
    name = (gateway.get("metadata") or {}).get("name")
    looked_for = (
        f"EnvoyFilters in {' and '.join(namespaces)} (the mesh's root namespace) that Istio applies to the "
        f"gateway's {workload.describe()} (targetRefs naming Gateway {name}, or a workloadSelector), inserting an "
        "ext_proc filter to the body-based router's Service"
    )
    attached: list[Mapping[str, Any]] = []
    known = True
    for namespace in namespaces:
        try:
            items = list(kube.list(ENVOY_FILTER_API, "EnvoyFilter", namespace=namespace))
        except (NotFoundError, NotInstalledError):
            return BodyRouter((), looked_for)  # Istio's EnvoyFilter API is not served
        except AuthError:
            known = False
            continue
        attached.extend(i for i in items if envoy_filters.attaches(i, workload, mesh.selector_gateway_policy))
    version = proxy_version(kube, workload) if envoy_filters.version_patterns(attached) else None
    chain = envoy_filters.http_filters(
        envoy_filters.istio_order(attached, mesh.root_namespace), port, workload.namespace, version
    )
    return BodyRouter(chain.services, looked_for, known=known or bool(chain.services), unsure=chain.unsure)


def proxy_version(kube: Kube, workload: Workload) -> str | None:
    """The Istio version the gateway's proxies report to istiod (node metadata ISTIO_VERSION), for
    a patch's match.proxy.proxyVersion: their istio-proxy container's ``ISTIO_META_ISTIO_VERSION``
    env where set (ISTIO_META_* env is node metadata), else their pilot-agent's own version
    (istio/istio 86c9f01f pkg/bootstrap/config.go getNodeMetaData, SetIstioVersion), taken as the
    proxyv2 image's tag less a variant suffix (``1.26.3-distroless``: 1.26.3). None where the pods
    cannot be listed, have none of these, or disagree (a rollout)."""
    if not workload.labels:
        return None
    try:
        pods = list(
            kube.list(
                "v1",
                "Pod",
                namespace=workload.namespace,
                label_selector=",".join(f"{k}={v}" for k, v in sorted(workload.labels.items())),
            )
        )
    except (AuthError, NotInstalledError):
        return None
    found: set[str | None] = set()
    for pod in pods:
        containers = ((pod.get("spec") or {}).get("containers")) or []
        proxy = next((c for c in containers if c.get("name") == "istio-proxy"), None)
        if proxy is None:
            continue
        env = next((e for e in proxy.get("env") or [] if e.get("name") == "ISTIO_META_ISTIO_VERSION"), None)
        image = str(proxy.get("image") or "").split("@", 1)[0]
        tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
        release = re.match(r"\d+\.\d+\.\d+(?:-(?:alpha|beta|rc)\.\d+)?", tag)
        if env is not None:
            found.add(str(env["value"]) if "value" in env and not env.get("valueFrom") else None)
        else:
            found.add(release.group(0) if release else None)
    return found.pop() if len(found) == 1 else None


def _is_bbr(deployment: Mapping[str, Any] | None) -> bool:
    containers = ((deployment or {}).get("spec") or {}).get("template", {}).get("spec", {}).get("containers") or []
    return any(IMAGE in str(c.get("image") or "").rsplit(":", 1)[0] for c in containers)


def _template_labels(deployment: Mapping[str, Any]) -> dict[str, str]:
    template = (deployment.get("spec") or {}).get("template") or {}
    return {str(k): str(v) for k, v in ((template.get("metadata") or {}).get("labels") or {}).items()}


def deployment_behind(kube: Kube, namespace: str, service: str) -> dict[str, Any] | None:
    """The Deployment behind a Service: the one of its name where that runs BBR's image (the
    chart's, templates/bbr.yaml), else one whose pod template the Service's selector selects (the
    pods it sends to: kubernetes/kubernetes pkg/controller/endpointslice, a Pod's labels matching
    spec.selector), BBR's first; else the one of its name, if any."""
    named = kube.get("apps/v1", "Deployment", service, namespace=namespace)
    if _is_bbr(named):
        return named
    found = kube.get("v1", "Service", service, namespace=namespace)
    selector = {str(k): str(v) for k, v in (((found or {}).get("spec") or {}).get("selector") or {}).items()}
    if not selector:
        return named
    selected = [
        d
        for d in kube.list("apps/v1", "Deployment", namespace=namespace)
        if all(_template_labels(d).get(k) == v for k, v in selector.items())
    ]
    return next((d for d in selected if _is_bbr(d)), named or next(iter(selected), None))


def plugins(deployment: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """BBR's request plugins, (type, parameters), as its ``--plugin TYPE:NAME[:JSON]`` args name
    them (spec.go Set); none named: both defaults (runner.go)."""
    named: list[tuple[str, dict[str, Any]]] = []
    for container in ((deployment.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []:
        args = [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]
        for i, arg in enumerate(args):
            if arg == "--plugin" and i + 1 < len(args):
                value = args[i + 1]
            elif arg.startswith("--plugin="):
                value = arg.removeprefix("--plugin=")
            else:
                continue
            parts = value.split(":", 2)
            try:
                params = json.loads(parts[2]) if len(parts) == 3 and parts[2].strip() else {}
            except ValueError:
                params = {}
            named.append((parts[0].strip(), params if isinstance(params, dict) else {}))
    if named:
        return named
    return [("body-field-to-header", {"fieldName": "model", "headerName": HEADER}), ("base-model-to-header", {})]


def _bbr_namespaces(deployment: Mapping[str, Any], namespace: str) -> str | None:
    """The namespace whose ConfigMaps BBR reads (its NAMESPACE env), or None for all."""
    for container in ((deployment.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []:
        for env in container.get("env") or []:
            if env.get("name") == "NAMESPACE":
                field = ((env.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
                return namespace if field == "metadata.namespace" else (str(env.get("value") or "") or None)
    return None


def base_models(kube: Kube, namespace: str | None) -> tuple[dict[str, str], set[str]]:
    """BBR's adapters store: adapter -> base model, and the base models, from the ConfigMaps
    labelled bbr-managed (adapters_store.go parseConfigMap; one without a baseModel is skipped)."""
    from akscli import yamlio

    adapters: dict[str, str] = {}
    bases: set[str] = set()
    selector = f"{MANAGED_LABEL}=true"
    found = (
        kube.list("v1", "ConfigMap", namespace=namespace, label_selector=selector)
        if namespace
        else kube.list("v1", "ConfigMap", all_namespaces=True, label_selector=selector)
    )
    for config_map in found:
        data = config_map.get("data") or {}
        base = str(data.get("baseModel") or "").strip()
        if not base:
            continue
        raw = str(data.get("adapters") or "")
        try:
            listed = yamlio.load(raw, source="adapters", kubernetes=True) if raw.strip() else []
        except AkscliError:
            continue  # BBR skips a ConfigMap it cannot parse
        bases.add(base)
        for adapter in listed if isinstance(listed, list) else []:
            if str(adapter).strip():
                adapters[str(adapter).strip()] = base
    return adapters, bases


def require(
    kube: Kube,
    route: Mapping[str, Any],
    gateway: Mapping[str, Any],
    workload: Workload,
    port: int,
    asked: str | None = None,
    mesh: istio_mesh.Mesh | None = None,
) -> str | None:
    """The model a request through the route names (``asked``, else the route's), when the route
    matches a header BBR sets: refused in one line when the Gateway runs no BBR (exit 7), its
    Deployment has no ready replica (exit 7), or BBR would not set the route's header to the
    route's value for that model (exit 2)."""
    match = routed_match(route)
    if match is None:
        return None
    header, value = match
    meta = gateway.get("metadata") or {}
    namespace, gw = str(meta.get("namespace")), str(meta.get("name"))
    found = find(kube, gateway, workload, port, mesh)
    model = asked or value
    if not found.known:
        return model
    name = f"Gateway {namespace}/{gw}"
    bbr: tuple[str, str, Mapping[str, Any] | None] | None = None
    for filter_name, bbr_ns, service in found.candidates + found.unsure:
        try:
            deployment = deployment_behind(kube, bbr_ns, service)
        except AuthError:
            return model  # may not be read: the request is sent, and the gateway answers
        if _is_bbr(deployment) or filter_name == FILTER:
            if (filter_name, bbr_ns, service) not in found.candidates:
                return model  # put at a filter of Istio's that akscli cannot see: sent as it is
            bbr = bbr_ns, str(((deployment or {}).get("metadata") or {}).get("name") or service), deployment
            break
    if bbr is None:
        raise NotInstalledError(
            f"{name} runs no body-based router: the model's route matches the {header} header, which "
            f"BBR sets from the request's model, so clients that do not send it get HTTP 404 (looked for "
            f"{found.looked_for})",
            hint=f"install it: {install_hint(namespace, gw)}; or {SERVICE_HINT}",
        )
    bbr_ns, bbr_name, ready = bbr
    if ready is None or not int((ready.get("status") or {}).get("readyReplicas") or 0):
        raise NotInstalledError(
            f"the body-based router {bbr_ns}/{bbr_name} of {name} has no ready replica: the gateway "
            "refuses every request while it is down (its filter does not fail open)",
            hint=f"see it with: kubectl get deployment {bbr_name} -n {bbr_ns}; or {SERVICE_HINT}",
        )
    _check_sets(kube, ready, bbr_ns, header, value, model, name, asked is not None)
    return model


def _check_sets(
    kube: Kube,
    deployment: Mapping[str, Any],
    bbr_ns: str,
    header: str,
    value: str,
    model: str,
    name: str,
    asked: bool,
) -> None:
    """Refuse a request for ``model`` for which BBR would not set ``header`` to ``value``: the
    user's choice (--model, exit 2), or how the gateway is set up (exit 7)."""
    steps = plugins(deployment)
    where = f"the body-based router {bbr_ns}/{deployment['metadata']['name']}"
    if header == HEADER:
        sets = any(
            t == "body-field-to-header"
            and str(p.get("headerName", "")).lower() == HEADER.lower()
            and p.get("fieldName") == "model"
            for t, p in steps
        )
        if not sets:
            raise NotInstalledError(
                f"the model's route on {name} matches the {HEADER} header, and {where} does not set it "
                "from the body's model (its body-field-to-header plugin's fieldName and headerName)",
                hint=f"see its --plugin args: kubectl get deployment {deployment['metadata']['name']} -n {bbr_ns} "
                f"-o yaml; or {SERVICE_HINT}",
            )
        if model != value:
            raise UsageError(
                f"the model's route on {name} matches {HEADER}: {value}, and {model} is another model, "
                "so the gateway would answer 404",
                hint=f"name the route's model: --model {value}",
            )
        return
    if not any(t == "base-model-to-header" for t, _ in steps):
        raise NotInstalledError(
            f"the model's route on {name} matches the {BASE_HEADER} header, and {where} does not run "
            "its base-model-to-header plugin, which sets it",
            hint=f"add --plugin base-model-to-header:base-model-mapper to its args; or {SERVICE_HINT}",
        )
    try:
        adapters, bases = base_models(kube, _bbr_namespaces(deployment, bbr_ns))
    except AuthError:
        return  # BBR's ConfigMaps may not be read: the request is sent, and the gateway answers
    base = adapters.get(model.strip()) or (model.strip() if model.strip() in bases else "")
    if base != value:
        said = f"maps {model} to base model {base}" if base else f"knows no base model of {model}"
        line = (
            f"the model's route on {name} matches {BASE_HEADER}: {value}, and {where} {said} "
            f"(its ConfigMaps labelled {MANAGED_LABEL}=true), so the gateway would answer 404"
        )
        fix = f"list it in a ConfigMap labelled {MANAGED_LABEL}=true with baseModel: {value}"
        if asked:
            raise UsageError(line, hint=f"name {value} or one of its adapters with --model; or {fix}")
        raise NotInstalledError(line, hint=f"{fix}; or {SERVICE_HINT}")
