"""A request through the gateway: a model deployed with --expose answers a chat completion sent to
its Gateway's Service, routed by akscli's HTTPRoute to the model's Service or, with
--inference-pool, to its InferencePool (the lab's Istio carries it:
tests/emulators/kube/controllers/gateway_dataplane.py; the model server: tests/emulators/serving.py).
The request goes through the API server's service proxy, as `kubectl get --raw` would send it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke

from .test_serving_on_the_operators import _picker

Start = Callable[..., Any]
GATEWAY_SERVICE = "inference-gateway-approuting-istio"  # NAME-CLASS (gateway_service.py)
ANSWERS = frozenset({200, 404, 500, 503})
CHAT = {"model": "phi-4", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 8}


def _through_the_gateway(path: str, body: Any = None) -> tuple[int, Any]:
    """One request to the gateway's Service port 80 through the API server's service proxy; the
    gateway's answer, whatever its status."""
    kube = connect(KubeTarget(kubeconfig=os.environ["KUBECONFIG"]))
    url = f"/api/v1/namespaces/default/services/{GATEWAY_SERVICE}:80/proxy{path}"
    method = "POST" if body else "GET"
    response = kube.request(method, url, body=body, stream=True, accept="*/*", answers=ANSWERS)
    raw = response.response if hasattr(response, "response") else response
    status, data = int(raw.status), bytes(raw.data)
    try:
        return status, json.loads(data)
    except ValueError:
        return status, data.decode()


def _deployed(*flags: str) -> None:
    result = invoke("model", "deploy", "phi-4", "--expose", *flags, "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result


def test_a_chat_completion_through_the_gateway_reaches_the_model_by_its_inference_pool(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    _picker(emu, "phi-4-epp")
    _deployed("--inference-pool")
    status, answer = _through_the_gateway("/v1/chat/completions", CHAT)
    assert status == 200, answer
    assert answer["model"] == "phi-4"
    assert answer["choices"][0]["message"]["role"] == "assistant"


def test_a_chat_completion_through_the_gateway_reaches_the_model_by_its_service(model_emulator: Start) -> None:
    model_emulator(serving=True)
    _deployed()
    status, answer = _through_the_gateway("/v1/models")
    assert status == 200, answer
    assert [m["id"] for m in answer["data"]] == ["phi-4"]


def test_the_gateway_answers_404_once_the_route_is_gone(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    _deployed()
    emu.cluster.delete("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4")
    status, answer = _through_the_gateway("/v1/models")
    assert status == 404, answer


def test_the_gateway_answers_500_when_the_pools_shadow_service_is_not_istios(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    _picker(emu, "phi-4-epp")
    _deployed("--inference-pool")
    pool = emu.cluster.get("inference.networking.k8s.io/v1", "InferencePool", "default", "phi-4")
    shadow = next(
        s for s in emu.cluster.list("v1", "Service", "default") if s["metadata"]["name"].startswith("phi-4-ip-")
    )
    assert pool is not None
    shadow["metadata"]["labels"] = {}  # no istio.io/inferencepool-name: not Istio's, and never mended
    emu.cluster.update(shadow)
    status, answer = _through_the_gateway("/v1/chat/completions", CHAT)
    assert status == 500, answer
    assert "not found" in answer


def test_a_weighted_split_through_the_gateway_gives_each_model_its_share(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    _deployed()
    assert invoke("model", "deploy", "phi-4-mini-instruct", "--wait", "--timeout", "20s", "-y").exit_code == 0
    route = emu.cluster.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "phi-4")
    route["spec"]["rules"][0]["backendRefs"] = [
        {"name": "phi-4", "port": 80, "weight": 3},
        {"name": "phi-4-mini-instruct", "port": 80, "weight": 1},
    ]
    emu.cluster.update(route)
    assert emu.idle()
    served = [_through_the_gateway("/v1/models")[1]["data"][0]["id"] for _ in range(8)]
    assert (served.count("phi-4"), served.count("phi-4-mini-instruct")) == (6, 2)


def test_the_endpoint_picker_sends_a_request_to_the_replica_with_the_shortest_queue(model_emulator: Start) -> None:
    emu = model_emulator(serving=True)
    for i in range(2):  # a pod is Ready only on a node: one A100 node per replica
        emu.cluster.create(nc_a100_node(f"aks-gpua100-{i}"))
    _picker(emu, "phi-4-epp")
    _deployed("--inference-pool", "--runtime", "vllm", "--replicas", "2")
    pods = sorted(
        p["metadata"]["name"]
        for p in emu.cluster.list("v1", "Pod", "default")
        if "phi-4-" in p["metadata"]["name"] and "epp" not in p["metadata"]["name"]
    )
    assert len(pods) == 2, pods
    emu.serving.figures("default", pods[0]).waiting = 6  # the first by name is busy
    model = _through_the_gateway("/v1/models")[1]["data"][0]["id"]  # vLLM serves the Hugging Face id
    emu.serving.answered.clear()
    status, answer = _through_the_gateway("/v1/chat/completions", {**CHAT, "model": model})
    assert status == 200, answer
    assert emu.serving.answered == {("default", pods[1]): 1}
