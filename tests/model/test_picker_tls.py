"""What an Istio gateway speaks to the endpoint picker, judged as Istio does: the DestinationRule
its proxy applies (its own namespace, the picker's, the mesh root namespace, each with exportTo:
istio/istio 1.29.6 pilot/pkg/model/push_context.go destinationRule) and the tls mode's rule
(pilot/pkg/networking/core/cluster_tls.go), against what the EPP serves (llm-d-router v0.9.0
pkg/epp/server/options.go: TLS with a self-signed certificate unless --secure-serving=false)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.profiles import install_crd

from .test_serving_on_the_operators import _picker

POOLED = ("model", "deploy", "phi-4", "--expose", "--inference-pool", "-y")
Start = Callable[..., Any]


def _rule(emu: Any, namespace: str, tls: dict[str, Any], **spec: Any) -> None:
    install_crd(emu, "networking.istio.io", "DestinationRule")
    emu.cluster.create(
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "DestinationRule",
            "metadata": {"name": "phi-4-epp", "namespace": namespace},
            "spec": {"host": "phi-4-epp.default.svc.cluster.local", "trafficPolicy": {"tls": tls}, **spec},
        }
    )


def _namespace(emu: Any, name: str, labels: dict[str, str] | None = None) -> None:
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels or {}}})


def test_the_charts_rule_in_the_mesh_root_namespace_is_seen(model_emulator: Start) -> None:
    emu = model_emulator()
    _namespace(emu, "aks-istio-system")
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "aks-istio-system", {"mode": "SIMPLE", "insecureSkipVerify": True})
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_a_rule_the_pickers_namespace_keeps_to_itself_is_not_seen_by_a_gateway_elsewhere(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    _namespace(emu, "gateways")
    gateway = emu.cluster.get("gateway.networking.k8s.io/v1", "Gateway", "default", "inference-gateway")
    listener = {**gateway["spec"]["listeners"][0], "allowedRoutes": {"namespaces": {"from": "All"}}}
    spec = {**gateway["spec"], "listeners": [listener]}
    emu.cluster.create({**gateway, "metadata": {"name": "shared", "namespace": "gateways"}, "spec": spec, "status": {}})
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "default", {"mode": "SIMPLE", "insecureSkipVerify": True}, exportTo=["."])
    result = invoke(*POOLED, "--gateway", "gateways/shared")
    assert result.exit_code == 0, result
    assert "serves TLS (it is not started with --secure-serving=false) and the gateway speaks plaintext" in (
        result.stderr
    )
    assert "Istio gateway gateways/shared" in result.stderr


def test_istio_mutual_to_a_picker_without_a_sidecar_is_warned_about(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp")
    _rule(emu, "default", {"mode": "ISTIO_MUTUAL"})
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "has no Istio sidecar, and the gateway speaks Istio's mutual TLS to it" in result.stderr


def test_istio_mutual_to_a_plaintext_picker_with_a_sidecar_gets_no_warning(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace = emu.cluster.get("v1", "Namespace", None, "default")
    namespace["metadata"]["labels"] = {"istio.io/rev": "asm-1-28"}  # the Istio add-on's revision label
    emu.cluster.update(namespace)
    _picker(emu, "phi-4-epp")
    _rule(emu, "default", {"mode": "ISTIO_MUTUAL"})
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_simple_tls_that_verifies_the_pickers_self_signed_certificate_is_warned_about(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "default", {"mode": "SIMPLE"})
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "serves a self-signed certificate (no --cert-path)" in result.stderr
    assert "insecureSkipVerify: true" in result.stderr


def test_mutual_tls_without_a_client_certificate_is_taken_as_plaintext(model_emulator: Start) -> None:
    emu = model_emulator()
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "default", {"mode": "MUTUAL", "insecureSkipVerify": True})
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "tls mode MUTUAL without a client certificate, which Istio drops, speaking plaintext" in result.stderr
