"""Two AI Runway models routed by the same name: `model deploy --runtime airunway --expose` of a
model whose served name another ModelDeployment's route already matches is refused before apply.

AI Runway routes every ModelDeployment through ONE Gateway, chosen cluster-wide (the controller's
--gateway-name, else the only Gateway, else the first labelled airunway.ai/inference-gateway=true),
with an HTTPRoute whose one rule matches path prefix ``/`` and the header ``X-Gateway-Model-Name``
exactly, the header's value being the route's model name: spec.gateway.modelName, else
spec.model.servedName, else the name /v1/models reports, else spec.model.id (upstream:
ai-runway/airunway v0.7.0 f5fd48d1 controller/internal/controller/gateway_reconciler.go,
resolveGatewayConfig, buildHTTPRouteSpec, resolveModelName; status.gateway.modelName records the
name it resolved). The body-based router sets that header from the request body's ``model``
(kubernetes-sigs/gateway-api-inference-extension v1.5.0 pkg/bbr/README.md). Two such routes for
the same name match the same requests, and Gateway API gives every one of them to the oldest
route, then the first by namespace/name (kubernetes-sigs/gateway-api v1.6.1 apis/v1/
httproute_types.go, HTTPRouteRule.Matches): the second model never answers, and a client asking
for it is answered by the first one.

``--provider auto`` and ``--provider kaito`` serve a model under the last part of its id
(kaito_names.served_name: ``org1/llama`` and ``org2/llama`` both as ``llama``), which KAITO's vLLM
alone decides; the vllm, llmd, kuberay and dynamo providers serve it under spec.model.servedName,
which akscli sets to the whole id (model/airunway.py values). Plain logic: no Typer, no rich.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from akscli.errors import AkscliError, ConflictError
from akscli.model import bounded, kaito_names
from akscli.model.kinds import AIRUNWAY_API, AIRUNWAY_AUTO_PROVIDER

if TYPE_CHECKING:
    from akscli.kube.client import Kube
    from akscli.model.request import DeployRequest


def route_model(md: Mapping[str, Any]) -> str | None:
    """The model name a ModelDeployment's route matches (resolveModelName; the resolved one where
    status.gateway.modelName records it), or None where AI Runway makes it no route:
    spec.gateway.enabled false, or spec.gateway.httpRouteRef (the user's own route)."""
    spec = md.get("spec") or {}
    gateway = spec.get("gateway") or {}
    if gateway.get("enabled") is False or gateway.get("httpRouteRef"):
        return None
    resolved = ((md.get("status") or {}).get("gateway") or {}).get("modelName")
    model = spec.get("model") or {}
    return str(resolved or gateway.get("modelName") or model.get("servedName") or model.get("id") or "") or None


def _same_model(a: str, b: str) -> bool:
    """Whether two spec.model.id name one model: Hugging Face ids compare case-insensitively, and a
    KAITO legacy preset name (the kaito provider's spec.model.id) stands for its id."""

    def resolved(model_id: str) -> str:
        return kaito_names.LEGACY_PRESETS.get(model_id.lower(), model_id).lower()

    return resolved(a) == resolved(b)


def routed_alike(
    deployments: Iterable[Mapping[str, Any]], name: str, namespace: str, model_id: str, routed: str
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """(the first other ModelDeployment whose route matches ``routed`` for another model than
    ``model_id``, the first whose route matches it for the same model); None where there is none."""
    same_model: Mapping[str, Any] | None = None
    for md in deployments:
        meta = md.get("metadata") or {}
        if (meta.get("namespace"), meta.get("name")) == (namespace, name) or meta.get("deletionTimestamp"):
            continue
        if route_model(md) != routed:
            continue
        if _same_model(str(((md.get("spec") or {}).get("model") or {}).get("id") or ""), model_id):
            same_model = same_model or md
        else:
            return md, same_model
    return None, same_model


def clash(
    deployments: Iterable[Mapping[str, Any]], name: str, namespace: str, model_id: str, routed: str
) -> Mapping[str, Any] | None:
    """The first other ModelDeployment whose route matches ``routed`` for another model than
    ``model_id``; None where there is none."""
    return routed_alike(deployments, name, namespace, model_id, routed)[0]


def check_served_name(kube: Kube, req: DeployRequest, routed: str) -> list[str]:
    """Refuse (exit 4) a routed deploy whose route would match the model name another
    ModelDeployment's route already matches for another model; warn where one matches it for the
    same model (this one would get none of the gateway's requests). One list of the cluster's
    ModelDeployments (AI Runway's one Gateway takes every namespace's routes); nothing is refused
    where they cannot be read."""
    try:
        deployments = kube.list(AIRUNWAY_API, "ModelDeployment", all_namespaces=True)
        found, same = routed_alike(deployments, req.name, req.namespace, req.model.id, routed)
    except AkscliError:
        return []
    if found is None:
        if same is None:
            return []
        meta = same.get("metadata") or {}
        return [
            f"modeldeployment {meta.get('namespace')}/{meta.get('name')} is already routed as model {routed} through "
            f"AI Runway's Gateway: the Gateway gives every request for it to the older route, so {req.name} would "
            f"answer none through the gateway (its Service, `akscli model test {req.name} -n {req.namespace} --via "
            "service`, still does)"
        ]
    meta = found.get("metadata") or {}
    other_id = bounded.value(str(((found.get("spec") or {}).get("model") or {}).get("id") or "?"))
    kaito_named = req.provider in ("kaito", AIRUNWAY_AUTO_PROVIDER)
    fix = (
        f"deploy with --provider vllm or llmd, which serve it as {bounded.value(req.model.id)}"
        if kaito_named and routed != req.model.id
        else "give the other its own spec.gateway.modelName"
    )
    raise ConflictError(
        f"modeldeployment {meta.get('namespace')}/{meta.get('name')} ({other_id}) is already routed as model "
        f"{routed} through AI Runway's Gateway: both routes would match the same requests, and the Gateway gives "
        "them all to the older one, so this model would never answer",
        hint=f"{fix}, or delete the other first: akscli model delete {meta.get('name')} -n {meta.get('namespace')} -y",
    )


def served_name(req: DeployRequest) -> str:
    """The model name the ModelDeployment akscli renders is served and routed as (airunway.values):
    KAITO's for the kaito and auto providers, the whole id for the others."""
    if req.provider == "kaito":
        return kaito_names.served_name(kaito_names.preset_name(req.model))
    if req.provider == AIRUNWAY_AUTO_PROVIDER:
        return kaito_names.served_name(req.model.id)
    return req.model.id
