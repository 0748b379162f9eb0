"""The OpenAI-compatible calls to a deployed model's server (`model endpoint`'s model list,
`model test`), through the API server's service proxy."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from akscli.errors import AkscliError, NotFoundError
from akscli.kube.client import Kube
from akscli.kube.reach import GATEWAY_ANSWERS, gateway_error, not_serving, not_serving_error
from akscli.model.live import service_of, state_of


def _call(kube: Kube, obj: Mapping[str, Any], path: str, method: str = "GET", body: Any = None) -> tuple[int, bytes]:
    """A request to the model's Service through the API server's proxy. A model that has no
    Service yet, or no ready pod behind it (HTTP 503 from the proxy), is not serving yet: say
    so with its state, not the API server's raw answer."""
    meta = obj["metadata"]
    name, port = service_of(obj)
    try:
        status, raw = kube.proxy(meta["namespace"], name, port, path, method=method, body=body)
    except NotFoundError:
        status, raw = 404, b""
    # The hints name -n: run as printed from another namespace, they would find no model.
    ns = meta["namespace"]
    if not_serving(status) or (status == 404 and not raw):
        model = meta["name"]
        raise not_serving_error(
            f"model {model}",
            f"no ready server behind Service {name}",
            hint=f"see why with: akscli model status {model} -n {ns}, or deploy with --wait",
            state=state_of(obj),
        )
    if status in GATEWAY_ANSWERS:
        model = meta["name"]
        raise gateway_error(
            status,
            f"{method} {path} on model {model} (Service {name})",
            hint=f"see the server's logs: akscli model logs {model} -n {ns}, "
            f"and its state: akscli model status {model} -n {ns}",
        )
    return status, raw


def served_models(kube: Kube, obj: Mapping[str, Any]) -> list[str]:
    """The model ids the server lists at /v1/models (through the API server's service proxy)."""
    meta = obj["metadata"]
    status, body = _call(kube, obj, "/v1/models")
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def chat(kube: Kube, obj: Mapping[str, Any], prompt: str, max_tokens: int) -> ChatReply:
    """One chat completion against the first model the server lists, timed."""
    name, ns = obj["metadata"]["name"], obj["metadata"]["namespace"]
    served = served_models(kube, obj)
    if not served:
        raise AkscliError(f"{name} serves no model yet", hint=f"wait for it: akscli model status {name} -n {ns}")
    body = {"model": served[0], "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens}
    started = time.monotonic()
    status, raw = _call(kube, obj, "/v1/chat/completions", method="POST", body=body)
    latency = time.monotonic() - started
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
    return ChatReply(served[0], reply, round(latency, 3), answer.get("usage"))
