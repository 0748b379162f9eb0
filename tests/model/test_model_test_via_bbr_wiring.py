"""`model test` through a gateway whose body-based router (BBR) is wired as Istio applies it, not
only as the chart writes it: an EnvoyFilter by workloadSelector or in the mesh's root namespace, a
hand-written filter of any name recognised by its ext_proc to BBR's Service (akscli/model/
envoy_filters.py, body_router.py); and a LoRA adapter routed to its base model's route by BBR's
base-model-to-header plugin (X-Gateway-Base-Model-Name, from ConfigMaps labelled
inference.networking.k8s.io/bbr-managed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.model.envoy_filters import Workload, attaches
from tests.cli import invoke

from ._bbr import ADAPTER, GATEWAY_PROXY, NAME, SERVED, envoy_filter, exposed, hand_written_filter, install_bbr

Start = Callable[..., Any]
GATEWAY_PODS = {"gateway.networking.k8s.io/gateway-name": "inference-gateway"}


def _proxied(emu: Any) -> list[str]:
    return [r.path for r in emu.request_log if "/proxy/" in r.path]


def _adapters(emu: Any, base: str, *adapters: str) -> None:
    """A ConfigMap BBR reads (config/manifests/bbr/configmap.yaml)."""
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "phi-4-adapters",
                "namespace": "default",
                "labels": {"inference.networking.k8s.io/bbr-managed": "true"},
            },
            "data": {"baseModel": base, "adapters": "".join(f"- {a}\n" for a in adapters)},
        }
    )


def _through_gateway(emu: Any, *extra: str) -> Any:
    emu.request_log.clear()
    result = invoke("model", "test", "phi-4", "--via", "gateway", *extra)
    return result


# ---- where Istio applies the EnvoyFilter --------------------------------------------------------------


def test_bbr_wired_by_a_workload_selector_on_the_gateways_pods_is_found(model_emulator: Start) -> None:
    emu = exposed(model_emulator)
    install_bbr(emu, wired=hand_written_filter("default", workloadSelector={"labels": GATEWAY_PODS}))
    result = _through_gateway(emu)
    assert result.exit_code == 0, result
    assert _proxied(emu) == [GATEWAY_PROXY + "chat/completions"]


def test_bbr_wired_in_the_mesh_root_namespace_is_found(model_emulator: Start) -> None:
    emu = exposed(model_emulator)
    install_bbr(emu, wired=hand_written_filter("aks-istio-system"))
    result = _through_gateway(emu)
    assert result.exit_code == 0, result
    assert _proxied(emu) == [GATEWAY_PROXY + "chat/completions"]


def test_a_hand_written_filter_of_any_name_is_found_by_its_ext_proc_to_bbr(model_emulator: Start) -> None:
    emu = exposed(model_emulator)
    refs = [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "inference-gateway"}]
    install_bbr(emu, wired=hand_written_filter("default", targetRefs=refs))
    result = _through_gateway(emu)
    assert result.exit_code == 0, result


def test_a_target_ref_from_the_root_namespace_does_not_count(model_emulator: Start) -> None:
    emu = exposed(model_emulator)
    refs = [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "inference-gateway"}]
    install_bbr(emu, wired=hand_written_filter("aks-istio-system", targetRefs=refs))
    result = _through_gateway(emu)
    assert result.exit_code == 7, result
    assert "runs no body-based router" in result.stderr
    assert "looked for EnvoyFilters in aks-istio-system and default (the mesh's root namespace)" in result.stderr
    assert _proxied(emu) == []


def test_a_selector_that_misses_the_gateways_pods_does_not_count(model_emulator: Start) -> None:
    emu = exposed(model_emulator)
    install_bbr(emu, wired=hand_written_filter("default", workloadSelector={"labels": {"istio": "ingressgateway"}}))
    result = _through_gateway(emu)
    assert result.exit_code == 7, result
    assert "gateway.networking.k8s.io/gateway-name=inference-gateway" in result.stderr


def test_an_ext_proc_to_something_else_than_bbr_does_not_count(model_emulator: Start) -> None:
    emu = exposed(model_emulator)
    install_bbr(emu, wired=hand_written_filter("default", workloadSelector={"labels": GATEWAY_PODS}))
    deployment = emu.cluster.get("apps/v1", "Deployment", "default", NAME)
    deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.k8s.io/llm-d/llm-d-router:v0.5.0"
    emu.cluster.update(deployment)
    result = _through_gateway(emu)
    assert result.exit_code == 7, result
    assert "runs no body-based router" in result.stderr


def test_a_gateway_that_is_not_a_gateway_api_pod_ignores_target_refs_and_takes_selectors() -> None:
    ingress = Workload("istio-ingress", {"istio": "ingressgateway", "app": "istio-ingressgateway"})
    chart = envoy_filter("inference-gateway", "istio-ingress")
    by_selector = hand_written_filter("istio-ingress", workloadSelector={"labels": {"istio": "ingressgateway"}})
    assert not attaches(chart, ingress)
    assert attaches(by_selector, ingress)


def test_istiod_without_selector_policies_for_gateways_ignores_a_selector_filter() -> None:
    gateway = Workload("default", dict(GATEWAY_PODS))
    by_selector = hand_written_filter("default", workloadSelector={"labels": GATEWAY_PODS})
    assert attaches(by_selector, gateway)
    assert not attaches(by_selector, gateway, selector_for_gateways=False)


# ---- LoRA adapters: base-model-to-header -------------------------------------------------------------


def test_an_adapter_is_tested_through_its_base_models_route(model_emulator: Start) -> None:
    emu = exposed(model_emulator, header="X-Gateway-Base-Model-Name", lora=True)
    install_bbr(emu)
    _adapters(emu, SERVED, ADAPTER)
    result = _through_gateway(emu, "--model", ADAPTER)
    assert result.exit_code == 0, result
    assert f"{ADAPTER}:" in result.stderr and "through Gateway default/inference-gateway" in result.stderr
    assert _proxied(emu) == [GATEWAY_PROXY + "chat/completions"]


def test_an_adapter_of_another_base_model_is_refused_in_one_line(model_emulator: Start) -> None:
    emu = exposed(model_emulator, header="X-Gateway-Base-Model-Name", lora=True)
    install_bbr(emu)
    _adapters(emu, "Qwen/Qwen3-32B", ADAPTER)
    result = _through_gateway(emu, "--model", ADAPTER)
    assert result.exit_code == 2, result
    assert f"maps {ADAPTER} to base model Qwen/Qwen3-32B" in result.stderr
    assert _proxied(emu) == []


def test_a_base_model_route_whose_model_no_configmap_names_falls_back_to_the_service(model_emulator: Start) -> None:
    emu = exposed(model_emulator, header="X-Gateway-Base-Model-Name")
    install_bbr(emu)
    result = invoke("model", "test", "phi-4")
    assert result.exit_code == 0, result
    assert f"knows no base model of {SERVED}" in result.stderr
    assert "through Service phi-4" in result.stderr


def test_another_model_than_the_routes_is_refused_where_the_route_matches_the_model_name(
    model_emulator: Start,
) -> None:
    emu = exposed(model_emulator, lora=True)
    install_bbr(emu)
    result = _through_gateway(emu, "--model", ADAPTER)
    assert result.exit_code == 2, result
    assert f"matches X-Gateway-Model-Name: {SERVED}, and {ADAPTER} is another model" in result.stderr
