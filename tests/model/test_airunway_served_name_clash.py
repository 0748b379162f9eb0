"""`model deploy --runtime airunway --provider auto --expose` of a model served under the name
another model's route already matches is refused before anything is applied (exit 4).

`org1/llama` and `org2/llama` are both served as `llama` (KAITO's name for an id, which --provider
auto keeps), and AI Runway routes every ModelDeployment through one Gateway with a route matching
X-Gateway-Model-Name exactly (ai-runway/airunway v0.7.0 controller/internal/controller/
gateway_reconciler.go resolveGatewayConfig, buildHTTPRouteSpec, resolveModelName): Gateway API
gives the requests both match to the older route (kubernetes-sigs/gateway-api v1.6.1
apis/v1/httproute_types.go HTTPRouteRule.Matches), so the second model never answered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.model import airunway_routes
from tests.cli import invoke

from ._airunway import MD
from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS
from .test_airunway_auto_kaito_served import _kaito_provider_with_instance_type

Start = Callable[..., Any]


def _md(name: str, model_id: str, served: str, namespace: str = "default", **gateway: Any) -> dict[str, Any]:
    return {
        "apiVersion": MD,
        "kind": "ModelDeployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "model": {"id": model_id, "servedName": served, "source": "huggingface"},
            "engine": {"type": "vllm"},
            "gateway": {"enabled": True, **gateway},
        },
    }


def test_a_second_model_served_under_a_name_the_gateway_already_routes_is_refused(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    _kaito_provider_with_instance_type(emu)  # AI Runway would pick its kaito provider
    emu.cluster.create(_md("other", "someorg/phi-4", "phi-4"))  # served as phi-4 too, by KAITO's naming
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "auto", "--expose", "-y")
    assert result.exit_code == 4, result
    assert "modeldeployment default/other (someorg/phi-4) is already routed as model phi-4" in result.stderr
    assert "hint: deploy with --provider vllm or llmd, which serve it as microsoft/phi-4" in result.stderr
    assert "akscli model delete other -n default -y" in result.stderr
    assert emu.cluster.get(MD, "ModelDeployment", "default", "phi-4") is None


def test_the_same_model_in_another_deployment_is_no_clash() -> None:
    # The kaito provider's spec.model.id is KAITO's legacy preset name, which stands for the id.
    assert airunway_routes.clash([_md("a", "phi-4", "phi-4")], "b", "default", "microsoft/phi-4", "phi-4") is None


def test_a_deployment_without_a_route_is_no_clash() -> None:
    off = _md("a", "someorg/phi-4", "phi-4")
    off["spec"]["gateway"] = {"enabled": False}
    assert airunway_routes.clash([off], "b", "default", "microsoft/phi-4", "phi-4") is None


def test_the_model_name_ai_runway_resolved_is_the_one_compared() -> None:
    other = _md("a", "someorg/phi-4", "phi-4", modelName="custom")
    assert airunway_routes.route_model(other) == "custom"
    other["status"] = {"gateway": {"modelName": "resolved"}}
    assert airunway_routes.route_model(other) == "resolved"


def test_the_same_model_routed_by_another_deployment_is_warned_of(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(_md("first", "microsoft/phi-4", "microsoft/phi-4"))
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "--expose", "-y")
    assert result.exit_code == 0, result
    assert "modeldeployment default/first is already routed as model microsoft/phi-4" in result.stderr
    assert "so phi-4 would answer none through the gateway" in result.stderr
