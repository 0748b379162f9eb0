"""`--runtime airunway --expose`: a warning before apply when AI Runway will narrow the Gateway's
listeners. upstream: ai-runway/airunway v0.7.0 controller/internal/controller/gateway_reconciler.go
(ensureGatewayAllowsNamespace, patchGatewayListenerSelector) sets every listener of a Gateway in
another namespace to a kubernetes.io/metadata.name In selector of the model namespaces only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.model import airunway
from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke

from .conftest import AIRUNWAY_CRDS, install_airunway_controller

Start = Callable[..., Any]
GATEWAY = "gateway.networking.k8s.io/v1"


def _gateway(*listeners: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"name": "gw", "namespace": "infra"}, "spec": {"listeners": list(listeners)}}


def _selector(*names: str) -> dict[str, Any]:
    return {
        "namespaces": {
            "from": "Selector",
            "selector": {
                "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": list(names)}]
            },
        }
    }


def test_deploying_into_another_namespace_than_the_gateway_warns_that_its_listeners_will_be_narrowed(
    model_emulator: Start,
) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)  # Gateway default/inference-gateway, listener http (from Same)
    emu.cluster.create(nc_a100_node())  # the provider's vLLM pod is Ready only on a node
    result = invoke(
        "model", "deploy", "phi-4", "-n", "ml", "--create-namespace", "--runtime", "airunway", "--provider", "vllm",
        "--expose", "--wait", "--timeout", "20s", "-y",
    )  # fmt: skip
    assert result.exit_code == 0, result
    [warning] = [line for line in result.stderr.splitlines() if "AI Runway will set every listener" in line]
    assert "Gateway default/inference-gateway" in warning and "namespace(s) ml only" in warning
    assert "http (from Same)" in warning
    # The lab's Gateway is application routing's (approuting-istio), and the lab serves no DestinationRule.
    assert "AI Runway's endpoint picker ml/phi-4-epp will serve TLS" in result.stderr
    # What the warning says is what the (v0.7.0) simulator does to the Gateway.
    gateway = emu.cluster.get(GATEWAY, "Gateway", "default", "inference-gateway")
    assert gateway["spec"]["listeners"][0]["allowedRoutes"] == _selector("ml")


def test_deploying_into_the_gateways_namespace_does_not_warn(model_emulator: Start) -> None:
    model_emulator(crds=AIRUNWAY_CRDS)
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "--expose", "-y")
    assert result.exit_code == 0, result
    assert "AI Runway will set every listener" not in result.stderr


def test_a_controller_that_does_not_patch_gateways_gets_no_warning(model_emulator: Start) -> None:
    # cmd/main.go: --patch-gateway-allowed-routes (default true); false leaves allowedRoutes alone.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    install_airunway_controller(emu, "--patch-gateway-allowed-routes=false")
    result = invoke(
        "model", "deploy", "phi-4", "-n", "ml", "--create-namespace", "--runtime", "airunway", "--provider", "vllm",
        "--expose", "-y",
    )  # fmt: skip
    assert result.exit_code == 0, result
    assert "AI Runway will set every listener" not in result.stderr


def test_listeners_already_selecting_the_namespace_get_no_warning() -> None:
    # allowedNamespacesFromGateway finds "ml" in the selector: ensureGatewayAllowsNamespace returns.
    assert airunway.gateway_patch_warning(_gateway({"name": "http", "allowedRoutes": _selector("ml")}), "ml") is None


def test_a_listener_admitting_all_namespaces_is_named_in_the_warning() -> None:
    warning = airunway.gateway_patch_warning(
        _gateway(
            {"name": "web", "allowedRoutes": {"namespaces": {"from": "All"}}},
            {"name": "sel", "allowedRoutes": _selector("a")},
        ),
        "ml",
    )
    assert warning is not None
    assert "namespace(s) a, ml only" in warning and "web (from All)" in warning and "sel (from" not in warning


class _Kube:
    """Serves the DestinationRule API or not; the GatewayClass of the Gateway below."""

    def __init__(self, controller: str, destination_rule: bool, class_name: str = "cls") -> None:
        self.controller, self.destination_rule, self.class_name = controller, destination_rule, class_name

    def has_api(self, api_version: str, kind: str) -> bool:
        return self.destination_rule and api_version == "networking.istio.io/v1beta1" and kind == "DestinationRule"

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        assert (api_version, kind, name) == (GATEWAY, "GatewayClass", self.class_name)
        return {"metadata": {"name": name}, "spec": {"controllerName": self.controller}}


def test_the_picker_tls_warning_is_for_an_istio_gateway_without_the_destination_rule_api() -> None:
    # ai-runway/airunway v0.7.0 gateway_reconciler.go reconcileEPPDestinationRule: no DestinationRule API, no rule.
    gateway = {"metadata": {"name": "gw", "namespace": "infra"}, "spec": {"gatewayClassName": "cls"}}
    warning = airunway.picker_tls_warning(_Kube("istio.io/gateway-controller", False), gateway, "phi-4", "ml")  # type: ignore[arg-type]
    assert warning and "Istio gateway infra/gw (class cls) speaks plaintext" in warning and "FailClose" in warning
    assert airunway.picker_tls_warning(_Kube("istio.io/gateway-controller", True), gateway, "phi-4", "ml") is None  # type: ignore[arg-type]
    assert airunway.picker_tls_warning(_Kube("kgateway.dev/kgateway", False), gateway, "phi-4", "ml") is None  # type: ignore[arg-type]


def test_the_picker_tls_warning_knows_application_routings_class_by_its_name() -> None:
    # MicrosoftDocs/azure-aks-docs app-routing-nginx-to-gateway-api-migration.md: approuting-istio is
    # an Istio control plane's class; no published source names its controllerName (kinds.py).
    gateway = {"metadata": {"name": "gw", "namespace": "infra"}, "spec": {"gatewayClassName": "approuting-istio"}}
    kube = _Kube("approuting.example/unpublished", False, class_name="approuting-istio")
    warning = airunway.picker_tls_warning(kube, gateway, "phi-4", "ml")  # type: ignore[arg-type]
    assert warning and "(class approuting-istio) speaks plaintext" in warning
