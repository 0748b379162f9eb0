"""The lab's gateway data plane follows istiod's rules end to end (tests/emulators/kube/controllers/
gateway_proxy.py, gateway_bbr.py): a Gateway's pods carry its parametersRef overlay's labels, an
EnvoyFilter's REMOVE takes BBR's ext_proc filter out of the chain, and BBR's Service reaches a
Deployment of another name through its selector."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.kube_emulator.helpers import raw

from ._bbr import (
    EXT_PROC,
    GATEWAY_PROXY,
    NAME,
    ROUTE_API,
    SERVED,
    exposed,
    hand_written_filter,
    install_bbr,
)

Start = Callable[..., Any]
HCM = "envoy.filters.network.http_connection_manager"
TARGET = [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "inference-gateway"}]


def _chat(emu: Any) -> int:
    body = {"model": SERVED, "messages": [{"role": "user", "content": "hi"}]}
    return int(raw(emu, "POST", GATEWAY_PROXY + "chat/completions", json.dumps(body).encode()).status)


def test_a_filter_selecting_the_label_of_the_gateways_parameters_ref_overlay_routes_by_body(
    model_emulator: Start,
) -> None:
    emu = exposed(model_emulator)
    overlay = "spec:\n  template:\n    metadata:\n      labels:\n        team: ml\n"
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "gw-options", "namespace": "default"},
            "data": {"deployment": overlay},
        }
    )
    ref = {"group": "", "kind": "ConfigMap", "name": "gw-options"}
    emu.cluster.patch(
        ROUTE_API, "Gateway", "default", "inference-gateway", {"spec": {"infrastructure": {"parametersRef": ref}}}
    )
    install_bbr(emu, wired=hand_written_filter(workloadSelector={"labels": {"team": "ml"}}))
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 0, result


def test_a_remove_of_bbrs_filter_makes_the_gateway_stop_routing_by_body(model_emulator: Start) -> None:
    emu = exposed(model_emulator)
    install_bbr(emu)
    assert _chat(emu) == 200
    sub = {"name": HCM, "subFilter": {"name": "envoy.filters.http.ext_proc.bbr"}}
    patch = {
        "applyTo": "HTTP_FILTER",
        "match": {"context": "GATEWAY", "listener": {"filterChain": {"filter": sub}}},
        "patch": {"operation": "REMOVE"},
    }
    drop = {"targetRefs": TARGET, "priority": 10, "configPatches": [patch]}
    emu.cluster.create(
        {
            "apiVersion": "networking.istio.io/v1alpha3",
            "kind": "EnvoyFilter",
            "metadata": {"name": "drop-bbr", "namespace": "default"},
            "spec": drop,
        }
    )
    assert _chat(emu) == 404  # the route's header match no longer holds


def test_bbr_behind_its_service_in_a_deployment_of_another_name_routes_by_body(model_emulator: Start) -> None:
    emu = exposed(model_emulator)
    install_bbr(emu, wired=hand_written_filter(targetRefs=TARGET), deployment="bbr-v2")
    assert emu.cluster.get("apps/v1", "Deployment", "default", NAME) is None
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 0, result


def test_a_google_grpc_target_of_bbrs_service_routes_by_body(model_emulator: Start) -> None:
    emu = exposed(model_emulator)
    item = hand_written_filter(targetRefs=TARGET)
    config = item["spec"]["configPatches"][0]["patch"]["value"]["typed_config"]
    config["grpc_service"] = {"google_grpc": {"target_uri": f"{NAME}:9004", "stat_prefix": "bbr"}}
    assert config["@type"] == EXT_PROC
    install_bbr(emu, wired=item)
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 0, result


def test_a_remove_for_another_istio_version_leaves_bbr_routing(model_emulator: Start) -> None:
    # The lab's gateways run Istio 1.29.6; akscli cannot read their version (no pod): sent as it is.
    emu = exposed(model_emulator)
    install_bbr(emu)
    sub = {"name": HCM, "subFilter": {"name": "envoy.filters.http.ext_proc.bbr"}}
    match = {
        "context": "GATEWAY",
        "proxy": {"proxyVersion": r"^1\.24\..*"},
        "listener": {"filterChain": {"filter": sub}},
    }
    patch = {"applyTo": "HTTP_FILTER", "match": match, "patch": {"operation": "REMOVE"}}
    emu.cluster.create(
        {
            "apiVersion": "networking.istio.io/v1alpha3",
            "kind": "EnvoyFilter",
            "metadata": {"name": "drop-bbr-1-24", "namespace": "default"},
            "spec": {"targetRefs": TARGET, "priority": 10, "configPatches": [patch]},
        }
    )
    result = invoke("model", "test", "phi-4", "--via", "gateway")
    assert result.exit_code == 0, result
