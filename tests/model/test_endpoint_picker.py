"""The endpoint picker a pool of akscli's routes through, as the gateway reaches it: the Service
port the pool names, the EPP's --grpc-port behind it, and the protocol an Istio gateway speaks to
it; and what delete and a redeploy without --inference-pool leave of the pool (live deploys
against the emulator, its Gateway the application routing add-on's Istio)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.profiles import install_crd

from ._gateway import resolve
from .test_serving_on_the_operators import _picker

KAITO = "kaito.sh/v1beta1"
POOL = "inference.networking.k8s.io/v1"
ROUTE = "gateway.networking.k8s.io/v1"
POOLED = ("model", "deploy", "phi-4", "--expose", "--inference-pool", "-y")
Start = Callable[..., Any]


def _patch_service(emu: Any, ports: list[dict[str, Any]]) -> None:
    service = emu.cluster.get("v1", "Service", "default", "phi-4-epp")
    service["spec"]["ports"] = ports
    emu.cluster.update(service)


def _destination_rule(emu: Any, tls: dict[str, Any]) -> None:
    """The DestinationRule llm-d-router's chart makes with provider.name=istio (v0.9.0
    config/charts/llm-d-router-gateway/templates/istio.yaml), the Istio add-on's API."""
    install_crd(emu, "networking.istio.io", "DestinationRule")
    emu.cluster.create(
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "DestinationRule",
            "metadata": {"name": "phi-4-epp", "namespace": "default"},
            "spec": {"host": "phi-4-epp.default.svc.cluster.local", "trafficPolicy": {"tls": tls}},
        }
    )


def test_a_picker_service_without_the_port_the_pool_names_is_refused(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    _patch_service(emu, [{"name": "http-metrics", "port": 9090}])
    result = invoke(*POOLED)
    assert result.exit_code == 3, result
    assert "Service default/phi-4-epp has no port 9002 (it has 9090)" in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None


def test_a_picker_port_that_leads_elsewhere_than_the_epps_grpc_port_is_refused(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    _patch_service(emu, [{"name": "grpc-ext-proc", "port": 9002, "targetPort": "metrics"}])
    result = invoke(*POOLED)
    assert result.exit_code == 3, result
    assert "leads to port 9090, and the picker serves ext_proc on 9002" in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None


def test_a_picker_started_for_a_pool_of_another_api_group_is_refused(model_emulator: Start) -> None:
    # The EPP watches the InferencePool of its --pool-group (llm-d-router v0.9.0 extractGKNN).
    emu = model_emulator()
    _picker(emu, "phi-4-epp", group="inference.networking.x-k8s.io")
    result = invoke(*POOLED)
    assert result.exit_code == 3, result
    assert "it serves InferencePool default/phi-4 of group inference.networking.x-k8s.io" in result.stderr
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None


def test_a_picker_serving_tls_behind_an_istio_gateway_without_a_destination_rule_is_warned_about(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp", secure_serving=True)  # llm-d-router's chart with its default values
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker default/phi-4-epp serves TLS" in result.stderr
    assert "router.epp.flags.secure-serving=false" in result.stderr


def test_a_plaintext_picker_behind_an_istio_gateway_gets_no_tls_warning(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_a_tls_picker_with_the_charts_istio_destination_rule_gets_no_warning(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp", secure_serving=True)
    _destination_rule(emu, {"mode": "SIMPLE", "insecureSkipVerify": True})
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_a_plaintext_picker_that_a_destination_rule_speaks_tls_to_is_warned_about(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    _destination_rule(emu, {"mode": "SIMPLE", "insecureSkipVerify": True})
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    said = "serves plaintext (--secure-serving=false) and the gateway speaks TLS to it (DestinationRule default/"
    assert said in result.stderr


def test_delete_removes_the_pool_and_its_route_and_keeps_the_users_picker(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    assert invoke(*POOLED).exit_code == 0
    assert emu.cluster.get(POOL, "InferencePool", "default", "phi-4") is not None
    result = invoke("model", "delete", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(POOL, "InferencePool", "default", "phi-4") is None
    assert emu.cluster.get(ROUTE, "HTTPRoute", "default", "phi-4") is None
    assert emu.cluster.get("v1", "Service", "default", "phi-4-epp") is not None
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4-epp") is not None


def test_a_redeploy_without_inference_pool_removes_the_pool_and_routes_to_the_service(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    assert invoke("model", "deploy", "phi-4", "--expose", "--inference-pool", "--wait", "--timeout", "20s", "-y")
    assert emu.cluster.get(POOL, "InferencePool", "default", "phi-4") is not None
    result = invoke("model", "deploy", "phi-4", "--expose", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(POOL, "InferencePool", "default", "phi-4") is None
    backend = emu.cluster.get(ROUTE, "HTTPRoute", "default", "phi-4")["spec"]["rules"][0]["backendRefs"][0]
    assert backend == {"group": "", "kind": "Service", "name": "phi-4", "port": 80, "weight": 1}
    assert resolve(emu.cluster, "default", "phi-4") == ["phi-4-0"]
    assert emu.cluster.get("v1", "Service", "default", "phi-4-epp") is not None


def test_a_model_name_over_40_characters_routes_to_the_picker_llm_d_routers_chart_names(
    model_emulator: Start,
) -> None:
    # The chart names its EPP after the release cut to 40 characters, and its pool after the whole
    # release (llm-d/llm-d-router v0.9.0 config/charts/routerlib/templates/_helpers.tpl llm-d-router.name,
    # _inferencepool.yaml).
    emu = model_emulator()
    name = "phi-4-mini-instruct-for-the-support-team-eu1"  # 44 characters, the chart's release name
    _picker(emu, "phi-4-mini-instruct-for-the-support-team-epp", pool=name)
    result = invoke(*POOLED, "--name", name)
    assert result.exit_code == 0, result
    pool = emu.cluster.get(POOL, "InferencePool", "default", name)
    assert pool["spec"]["endpointPickerRef"]["name"] == "phi-4-mini-instruct-for-the-support-team-epp"
