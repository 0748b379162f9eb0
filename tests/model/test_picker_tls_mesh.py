"""The endpoint picker's TLS as the Istio mesh around it decides it, judged as istiod does
(istio/istio 1.29.6): DestinationRules with a workloadSelector by the gateway pods' labels
(pilot/pkg/model/sidecar.go SidecarScope.DestinationRule), the mesh root namespace and
defaultDestinationRuleExportTo from istiod's ConfigMap (pilot/pkg/bootstrap/mesh.go), and what a
sidecar on the picker lets through (pilot/pkg/networking/core/filterchain_options.go,
pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.profiles import install_crd

from .test_picker_tls import POOLED, _namespace, _rule
from .test_serving_on_the_operators import _picker

Start = Callable[..., Any]
INSECURE = {"mode": "SIMPLE", "insecureSkipVerify": True}
PLAINTEXT_WARNING = "serves TLS (it is not started with --secure-serving=false) and the gateway speaks plaintext"


def _gateway_pod(emu: Any, labels: dict[str, str], namespace: str = "default", gateway: str = "inference-gateway"):
    """A pod of the Deployment istiod makes for the Gateway, with its labels (istio/istio 1.29.6
    manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml)."""
    meta_labels = {"gateway.networking.k8s.io/gateway-name": gateway, "sidecar.istio.io/inject": "false", **labels}
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"{gateway}-istio-5d8f9", "namespace": namespace, "labels": meta_labels},
            "spec": {"containers": [{"name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.29.6"}]},
        }
    )


def _selected_rule(emu: Any, namespace: str, tls: dict[str, Any], labels: dict[str, str], name: str) -> None:
    install_crd(emu, "networking.istio.io", "DestinationRule")
    emu.cluster.create(
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "DestinationRule",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "host": "phi-4-epp.default.svc.cluster.local",
                "workloadSelector": {"matchLabels": labels},
                "trafficPolicy": {"tls": tls},
            },
        }
    )


def _mesh_config(emu: Any, mesh: str, name: str = "istio") -> None:
    """A self-managed istiod's mesh config: key mesh of ConfigMap istio in istio-system
    (manifests/charts/istio-control/istio-discovery/templates/configmap.yaml)."""
    _namespace(emu, "istio-system")
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "istio-system", "labels": {"app.kubernetes.io/name": "istiod"}},
            "data": {"mesh": mesh, "meshNetworks": "networks: {}"},
        }
    )


def _shared_gateway(emu: Any) -> None:
    _namespace(emu, "gateways")
    gateway = emu.cluster.get("gateway.networking.k8s.io/v1", "Gateway", "default", "inference-gateway")
    listener = {**gateway["spec"]["listeners"][0], "allowedRoutes": {"namespaces": {"from": "All"}}}
    spec = {**gateway["spec"], "listeners": [listener]}
    emu.cluster.create({**gateway, "metadata": {"name": "shared", "namespace": "gateways"}, "spec": spec, "status": {}})


def _inject_sidecars(emu: Any) -> None:
    namespace = emu.cluster.get("v1", "Namespace", None, "default")
    namespace["metadata"]["labels"] = {"istio-injection": "enabled"}
    emu.cluster.update(namespace)


def _picker_port(emu: Any, **port: Any) -> None:
    service = emu.cluster.get("v1", "Service", "default", "phi-4-epp")
    service["spec"]["ports"][0] = {"protocol": "TCP", "port": 9002, **port}
    emu.cluster.update(service)


def _peer_authentication(emu: Any, namespace: str, mode: str) -> None:
    install_crd(emu, "security.istio.io", "PeerAuthentication")
    emu.cluster.create(
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": {"name": "default", "namespace": namespace},
            "spec": {"mtls": {"mode": mode}},
        }
    )


# DestinationRules with a workloadSelector


def test_a_rule_that_selects_the_gateways_pods_applies_to_the_gateway(model_emulator: Start) -> None:
    emu = model_emulator()
    _gateway_pod(emu, {"app": "inference-gateway"})
    _picker(emu, "phi-4-epp", secure_serving=True)
    _selected_rule(emu, "default", INSECURE, {"app": "inference-gateway"}, "for-the-gateway")
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_a_selecting_rule_of_the_gateways_namespace_hides_the_pickers_rule_from_pods_it_does_not_select(
    model_emulator: Start,
) -> None:
    # istiod takes the gateway namespace's rules for the host first, then the one among them that
    # selects the proxy: none here, and the picker namespace's rule is never looked at.
    emu = model_emulator()
    _shared_gateway(emu)
    _gateway_pod(emu, {"app": "shared"}, namespace="gateways", gateway="shared")
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "default", INSECURE)
    _selected_rule(emu, "gateways", INSECURE, {"app": "another-gateway"}, "for-another")
    result = invoke(*POOLED, "--gateway", "gateways/shared")
    assert result.exit_code == 0, result
    assert f"{PLAINTEXT_WARNING} (no DestinationRule sets TLS for it)" in result.stderr


# The mesh root namespace and defaultDestinationRuleExportTo


def test_a_self_managed_istios_root_namespace_is_istio_system_by_default(model_emulator: Start) -> None:
    emu = model_emulator()
    _mesh_config(emu, "trustDomain: cluster.local\n")
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "istio-system", INSECURE)
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_the_root_namespace_the_mesh_config_names_is_read(model_emulator: Start) -> None:
    emu = model_emulator()
    _mesh_config(emu, "rootNamespace: mesh-root\n", name="istio-1-29")
    gateway = emu.cluster.get("gateway.networking.k8s.io/v1", "Gateway", "default", "inference-gateway")
    gateway["metadata"]["labels"] = {"istio.io/rev": "1-29"}  # the revision that owns the Gateway
    emu.cluster.update(gateway)
    _namespace(emu, "mesh-root")
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "mesh-root", INSECURE)
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_a_mesh_that_keeps_rules_private_by_default_hides_the_pickers_rule_from_another_namespace(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    _mesh_config(emu, 'defaultDestinationRuleExportTo: ["."]\n')
    _shared_gateway(emu)
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "default", INSECURE)
    result = invoke(*POOLED, "--gateway", "gateways/shared")
    assert result.exit_code == 0, result
    assert f"{PLAINTEXT_WARNING} (no DestinationRule sets TLS for it)" in result.stderr


# A sidecar on the picker


@pytest.mark.parametrize(
    "tls",
    [INSECURE, {"mode": "MUTUAL", "insecureSkipVerify": True, "credentialName": "gateway-client"}],
    ids=["SIMPLE", "MUTUAL"],
)
def test_tls_of_the_gateways_own_through_a_sidecar_on_a_grpc_port_is_warned_about(
    model_emulator: Start, tls: dict[str, Any]
) -> None:
    emu = model_emulator()
    _inject_sidecars(emu)
    _picker(emu, "phi-4-epp", secure_serving=True)  # port grpc-ext-proc, as llm-d-router's chart names it
    _rule(emu, "default", tls)
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert (
        "has an Istio sidecar, which passes TLS other than Istio's on to the EPP only on a TCP port, and port 9002 of "
        "its Service is HTTP (name grpc-ext-proc); the gateway speaks TLS to it" in result.stderr
    )
    assert "set the DestinationRule's tls mode to ISTIO_MUTUAL" in result.stderr


def test_simple_tls_through_a_sidecar_on_a_tcp_port_reaches_the_epp(model_emulator: Start) -> None:
    emu = model_emulator()
    _inject_sidecars(emu)
    _picker(emu, "phi-4-epp", secure_serving=True)
    _picker_port(emu, name="tcp-ext-proc")
    _rule(emu, "default", INSECURE)
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_plaintext_to_a_sidecar_that_the_mesh_makes_strict_is_warned_about(model_emulator: Start) -> None:
    emu = model_emulator()
    _namespace(emu, "aks-istio-system")
    _inject_sidecars(emu)
    _picker(emu, "phi-4-epp")
    _rule(emu, "default", {"mode": "DISABLE"})
    _peer_authentication(emu, "aks-istio-system", "STRICT")
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert (
        "has an Istio sidecar that takes only Istio's mutual TLS on port 9002 (mTLS STRICT, PeerAuthentication "
        "aks-istio-system/default), and the gateway speaks plaintext to it" in result.stderr
    )


def test_without_a_tls_setting_the_gateway_speaks_istios_mutual_tls_to_a_sidecar(model_emulator: Start) -> None:
    emu = model_emulator()
    _inject_sidecars(emu)
    _picker(emu, "phi-4-epp", secure_serving=True)
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert (
        "the gateway speaks Istio's mutual TLS (its Istio sidecar hands the EPP plaintext) (no DestinationRule sets "
        "TLS for it: Istio's automatic mutual TLS)" in result.stderr
    )
    assert "start the picker with --secure-serving=false: its Istio sidecar hands it plaintext" in result.stderr


def test_a_user_who_may_not_read_istio_system_is_judged_by_the_aks_root_namespace(model_emulator: Start) -> None:
    emu = model_emulator()
    _namespace(emu, "aks-istio-system")
    emu.faults.add(verb="get", path="/namespaces/istio-system/configmaps/istio", status=403, count=None)
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "aks-istio-system", {"mode": "SIMPLE"})
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "serves a self-signed certificate (no --cert-path)" in result.stderr


# Ports the sidecar does not capture (traffic.sidecar.istio.io/*InboundPorts)


def _annotate_picker(emu: Any, **annotations: str) -> None:
    deployment = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4-epp")
    meta = deployment["spec"]["template"].setdefault("metadata", {})
    meta["annotations"] = {f"traffic.sidecar.istio.io/{k}": v for k, v in annotations.items()}
    emu.cluster.update(deployment)


def test_istios_mutual_tls_to_a_port_the_sidecar_does_not_capture_is_warned_about(model_emulator: Start) -> None:
    emu = model_emulator()
    _inject_sidecars(emu)
    _picker(emu, "phi-4-epp")
    _annotate_picker(emu, excludeInboundPorts="9002")
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert (
        "has an Istio sidecar that does not capture port 9002 (traffic.sidecar.istio.io/excludeInboundPorts: "
        "'9002'), so the gateway's Istio mutual TLS reaches the EPP itself" in result.stderr
    )


def test_simple_tls_to_an_excluded_grpc_port_reaches_the_epp_untouched(model_emulator: Start) -> None:
    emu = model_emulator()
    _inject_sidecars(emu)
    _picker(emu, "phi-4-epp", secure_serving=True)  # port grpc-ext-proc: HTTP to a capturing sidecar
    _annotate_picker(emu, excludeInboundPorts="15020,9002")
    _rule(emu, "default", INSECURE)
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_a_strict_mesh_does_not_apply_to_a_port_outside_include_inbound_ports(model_emulator: Start) -> None:
    emu = model_emulator()
    _namespace(emu, "aks-istio-system")
    _inject_sidecars(emu)
    _picker(emu, "phi-4-epp")
    _annotate_picker(emu, includeInboundPorts="8080")
    _rule(emu, "default", {"mode": "DISABLE"})
    _peer_authentication(emu, "aks-istio-system", "STRICT")
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert "endpoint picker" not in result.stderr


def test_a_subsets_tls_does_not_apply_to_the_gateways_ext_proc_cluster(model_emulator: Start) -> None:
    # The ext_proc stream goes to the cluster of no subset (istio/istio 86c9f01f
    # pilot/pkg/networking/core/route/route.go: BuildSubsetKey(outbound, "", host, port)), so only the
    # rule's own trafficPolicy counts. A pin: akscli reads no subset.
    emu = model_emulator()
    _picker(emu, "phi-4-epp", secure_serving=True)
    _rule(emu, "default", {"mode": "DISABLE"}, subsets=[{"name": "v1", "trafficPolicy": {"tls": INSECURE}}])
    result = invoke(*POOLED)
    assert result.exit_code == 0, result
    assert f"{PLAINTEXT_WARNING} (DestinationRule default/phi-4-epp tls mode DISABLE)" in result.stderr
