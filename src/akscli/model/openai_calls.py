"""The OpenAI-compatible calls to a deployed model's server (`model endpoint`'s model list,
`model test`), through the API server's service proxy: to the model's Service, or to its
Gateway's (model/gateway_via.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from akscli.errors import AkscliError, NotFoundError
from akscli.kube.client import Kube
from akscli.kube.reach import GATEWAY_ANSWERS, gateway_error, not_serving, not_serving_error, proxy_reason
from akscli.kube.streams import PROXY_ANSWERS
from akscli.model.gateway_via import Via
from akscli.model.live import service_of, state_of


def service_via(obj: Mapping[str, Any]) -> Via:
    """The model's own Service (live.service_of)."""
    name, port = service_of(obj)
    namespace = obj["metadata"]["namespace"]
    return Via(namespace, name, port, f"Service {name}")


def _call(
    kube: Kube, obj: Mapping[str, Any], path: str, method: str = "GET", body: Any = None, via: Via | None = None
) -> tuple[int, bytes]:
    """A request to the model's Service, or to its gateway's (``via``), through the API server's
    proxy. A model that has no Service yet, or no ready pod behind it (HTTP 503 from the proxy),
    is not serving yet: say so with its state, not the API server's raw answer."""
    meta = obj["metadata"]
    via = via or service_via(obj)
    try:
        status, raw = kube.proxy(
            via.namespace,
            via.service,
            via.port,
            path,
            method=method,
            body=body,
            scheme=via.scheme,
            host=via.host,
            answers=PROXY_ANSWERS | {404},
        )
    except NotFoundError:
        status, raw = 404, b""
    if status == 404 and server_error(raw) is None:
        raw = b""  # the API server's 404 (no such Service) or the gateway's (no route), not the model server's
    # The hints name -n: run as printed from another namespace, they would find no model.
    ns = meta["namespace"]
    model = meta["name"]
    if via.gateway and not (status == 404 and raw):
        _gateway_answer(status, raw, via, f"{method} {path}", model, ns)
    if not_serving(status) or (status == 404 and not raw):
        raise not_serving_error(
            f"model {model}",
            f"no ready server behind {via.label}",
            hint=f"see why with: akscli model status {model} -n {ns}, or deploy with --wait",
            state=state_of(obj),
        )
    if status in GATEWAY_ANSWERS:
        raise gateway_error(
            status,
            f"{method} {path} on model {model} ({via.label})",
            hint=f"see the server's logs: akscli model logs {model} -n {ns}, "
            f"and its state: akscli model status {model} -n {ns}",
        )
    return status, raw


def server_error(raw: bytes) -> str | None:
    """The message of an OpenAI error body as vLLM writes one: ``{"error": {"message", "type",
    "code"}}`` (vllm-project/vllm v0.11.0 vllm/entrypoints/openai/protocol.py ErrorResponse,
    ErrorInfo), or the flat ``{"object": "error", "message"}`` of older releases; else None."""
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    error = doc.get("error") if isinstance(doc.get("error"), dict) else doc if doc.get("object") == "error" else None
    message = error.get("message") if error else None
    return message if isinstance(message, str) and message else None


def _gateway_answer(status: int, raw: bytes, via: Via, what: str, model: str, ns: str) -> None:
    """A gateway's own refusals, in one line each: no route for the request's host and path (404),
    a backend it cannot resolve (500), no healthy endpoint behind the route (503). Envoy answers
    these itself (kubernetes-sigs/gateway-api v1.6.1 apis/v1/httproute_types.go BackendRefs: 500
    for an invalid backend, 503 SHOULD for one with no endpoints)."""
    # The API server's own 503 (no ready gateway pod) is a Status; the gateway's (Envoy's) is text.
    said = proxy_reason(raw) or raw[:200].decode("utf-8", "replace").strip()
    said = f": {said}" if said else ""
    host = f" for host {via.host}" if via.host else ""
    status_hint = f"see the route's state: akscli model status {model} -n {ns}, or test the Service: --via service"
    if status == 404:
        raise NotFoundError(f"{via.label} has no route{host} for {what} (HTTP 404){said}", hint=status_hint)
    if status == 500:
        raise AkscliError(f"{via.label} could not route {what} to the model (HTTP 500){said}", hint=status_hint)
    if status == 503:
        raise not_serving_error(
            f"model {model}", f"{via.label} answered HTTP 503{said}", hint=status_hint.replace(", or test", "; test")
        )


def served_models(kube: Kube, obj: Mapping[str, Any], via: Via | None = None) -> list[str]:
    """The model ids the server lists at /v1/models (through the API server's service proxy)."""
    meta = obj["metadata"]
    status, body = _call(kube, obj, "/v1/models", via=via)
    if status != 200:
        raise AkscliError(
            f"GET /v1/models on {meta['name']} answered HTTP {status}",
            hint=f"check the model with: akscli model status {meta['name']} -n {meta['namespace']}",
        )
    try:
        return [str(m["id"]) for m in json.loads(body)["data"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise AkscliError(
            f"/v1/models on {meta['name']} did not answer an OpenAI model list", hint="is the server OpenAI-compatible?"
        ) from exc


@dataclass(frozen=True)
class ChatReply:
    model: str
    reply: str
    latency_seconds: float
    usage: dict[str, Any] | None
    # What the request went through: "Service NAME" or "Gateway NAMESPACE/NAME".
    via: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def chat(
    kube: Kube, obj: Mapping[str, Any], prompt: str, max_tokens: int, via: Via | None = None, asked: str | None = None
) -> ChatReply:
    """One chat completion against ``asked`` (--model), else the model the gateway's route routes
    by, else the first model the server lists, timed; both requests go ``via`` the model's Service
    (the default) or its gateway."""
    name, ns = obj["metadata"]["name"], obj["metadata"]["namespace"]
    via = via or service_via(obj)
    # A route that routes by the request's model (body_router.py) matches no bodyless GET: the
    # request names the route's model, as AI Runway's own chat does (backend/src/routes/
    # deployments.ts resolveGatewayChatModel).
    served = [via.model] if via.model else [asked] if asked else served_models(kube, obj, via)
    if not served:
        raise AkscliError(f"{name} serves no model yet", hint=f"wait for it: akscli model status {name} -n {ns}")
    body = {"model": served[0], "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens}
    started = time.monotonic()
    status, raw = _call(kube, obj, "/v1/chat/completions", method="POST", body=body, via=via)
    latency = time.monotonic() - started
    if status == 404 and raw:
        raise _not_served(kube, obj, served[0], raw, via, asked)
    if status != 200:
        raise AkscliError(
            f"chat completion on {name} answered HTTP {status}: {raw[:200].decode('utf-8', 'replace')}",
            hint=f"see the server's logs: akscli model logs {name} -n {ns}",
        )
    try:
        answer = json.loads(raw)
        reply = str(answer["choices"][0]["message"]["content"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise AkscliError(
            f"{name} answered something that is not a chat completion", hint="is the server OpenAI-compatible?"
        ) from exc
    return ChatReply(served[0], reply, round(latency, 3), answer.get("usage"), via.label)


def _not_served(
    kube: Kube, obj: Mapping[str, Any], sent: str, raw: bytes, via: Via, asked: str | None
) -> NotFoundError:
    """vLLM's 404 for a model name it does not serve (vllm-project/vllm v0.11.0
    vllm/entrypoints/openai/serving_engine.py _check_model: "The model `X` does not exist."), in
    one line with the names the server lists (GET /v1/models the same way; a route that routes
    by the body's model matches no bodyless GET, so none are listed through it)."""
    name, ns = obj["metadata"]["name"], obj["metadata"]["namespace"]
    listed: list[str] = []
    if not via.model:
        try:
            listed = served_models(kube, obj, via)
        except AkscliError:
            listed = []
    serves = f"; it serves {', '.join(listed)}" if listed else ""
    said = server_error(raw) or ""
    line = f"the server behind {via.label} does not serve the model id {sent} (HTTP 404: {said}){serves}"
    if asked is not None and listed:
        hint = f"name one it serves: akscli model test {name} -n {ns} --model {listed[0]}"
    elif via.model:
        hint = f"the route sends model {sent}; see what it routes to: akscli model status {name} -n {ns}"
    else:
        hint = f"see the server's logs: akscli model logs {name} -n {ns}"
    return NotFoundError(line, hint=hint)
