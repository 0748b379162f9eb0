"""What an Istio sidecar lets through to its workload, and the mesh config akscli reads, as istiod
decides them (istio/istio 1.29.6 pilot/pkg/security/authn/policy_applier.go
ComposePeerAuthentication, pilot/pkg/model/authentication.go, pkg/config/kube/conversion.go
ConvertProtocol, pilot/pkg/networking/core/filterchain_options.go, pilot/pkg/bootstrap/mesh.go)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.model import istio_mesh, mesh_inbound
from akscli.model.mesh_inbound import listener_protocol, namespace_mode, port_mode, reaches_workload

ROOT = "aks-istio-system"
EPP = {"app": "epp"}


def policy(namespace: str, mode: str | None, created: str = "2026-01-01T00:00:00Z", name: str = "p", **spec: Any):
    return {
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": created},
        "spec": {**({"mtls": {"mode": mode}} if mode else {}), **spec},
    }


def mode(policies: list[dict[str, Any]]) -> str:
    return port_mode(policies, ROOT, "models", EPP, 9002)[0]


def test_without_a_peer_authentication_the_sidecar_is_permissive() -> None:
    assert port_mode([], ROOT, "models", EPP, 9002) == ("PERMISSIVE", None)


def test_the_namespaces_policy_comes_before_the_meshs_and_the_workloads_before_both() -> None:
    mesh, own = policy(ROOT, "STRICT"), policy("models", "DISABLE")
    workload = policy("models", "PERMISSIVE", selector={"matchLabels": EPP}, name="w")
    assert mode([mesh]) == "STRICT"
    assert mode([mesh, own]) == "DISABLE"
    assert port_mode([mesh, own, workload], ROOT, "models", EPP, 9002) == ("PERMISSIVE", "models/w")


def test_an_unset_mode_inherits_from_the_wider_scope() -> None:
    workload = policy("models", None, selector={"matchLabels": EPP}, name="w")
    assert mode([policy(ROOT, "STRICT"), policy("models", "UNSET"), workload]) == "STRICT"


def test_a_policy_with_a_selector_in_the_root_namespace_applies_to_no_workload() -> None:
    assert mode([policy(ROOT, "STRICT", selector={"matchLabels": EPP})]) == "PERMISSIVE"


def test_of_two_namespace_policies_the_oldest_counts() -> None:
    older = policy("models", "STRICT", created="2025-01-01T00:00:00Z", name="old")
    assert mode([policy("models", "DISABLE", name="new"), older]) == "STRICT"


def test_the_workload_policys_port_level_mode_is_the_ports() -> None:
    workload = policy("models", "STRICT", selector={"matchLabels": EPP}, portLevelMtls={"9002": {"mode": "DISABLE"}})
    assert mode([workload]) == "DISABLE"
    assert port_mode([workload], ROOT, "models", EPP, 9003)[0] == "STRICT"


def test_automatic_mutual_tls_reads_only_the_namespace_and_mesh_policies() -> None:
    workload = policy("models", "DISABLE", selector={"matchLabels": EPP})
    assert namespace_mode([policy(ROOT, "DISABLE"), workload], ROOT, "models") == "DISABLE"
    assert namespace_mode([workload], ROOT, "models") == "PERMISSIVE"


@pytest.mark.parametrize(
    ("port", "protocol"),
    [
        ({"name": "grpc-ext-proc", "port": 9002}, "HTTP"),
        ({"name": "ext-proc", "port": 9002, "appProtocol": "kubernetes.io/h2c"}, "HTTP"),
        ({"name": "grpc-ext-proc", "port": 9002, "appProtocol": "tcp"}, "TCP"),
        ({"name": "tls-ext-proc", "port": 9002}, "TCP"),
        ({"name": "ext-proc", "port": 9002}, "AUTO"),
        ({"port": 3306}, "TCP"),
    ],
)
def test_the_service_ports_protocol_comes_from_its_app_protocol_else_its_name(port: dict[str, Any], protocol: str):
    assert listener_protocol(port) == protocol


def test_what_reaches_the_workload_through_its_sidecar() -> None:
    assert reaches_workload("istio", "STRICT", "HTTP") == "plaintext"
    assert reaches_workload("istio", "DISABLE", "HTTP") is None
    assert reaches_workload("plaintext", "STRICT", "TCP") is None
    assert reaches_workload("plaintext", "PERMISSIVE", "HTTP") == "plaintext"
    assert reaches_workload("tls", "PERMISSIVE", "AUTO") == "tls"
    assert reaches_workload("tls", "PERMISSIVE", "HTTP") is None
    assert reaches_workload("tls", "DISABLE", "TCP") is None


def test_istiods_mesh_config_map_is_named_for_its_revision() -> None:
    assert istio_mesh.config_map_name(None) == "istio"
    assert istio_mesh.config_map_name("default") == "istio"
    assert istio_mesh.config_map_name("1-29") == "istio-1-29"


def test_a_mesh_config_without_the_fields_has_istios_defaults() -> None:
    mesh = istio_mesh.parse("trustDomain: cluster.local\n", "istio-system/istio")
    assert mesh.root_namespace == "istio-system"
    assert mesh.default_destination_rule_export_to == frozenset({"*"})
    assert istio_mesh.parse(": not yaml [", "istio-system/istio").root_namespace == "istio-system"


def test_every_port_is_captured_but_the_excluded_ones_by_default() -> None:
    assert mesh_inbound.uncaptured({}, 9002) is None
    assert mesh_inbound.uncaptured({mesh_inbound.EXCLUDE_INBOUND: "15020, 9002"}, 9002) is not None


def test_an_include_list_captures_only_its_ports_whatever_is_excluded() -> None:
    include = {mesh_inbound.INCLUDE_INBOUND: "8080,9002", mesh_inbound.EXCLUDE_INBOUND: "9002"}
    assert mesh_inbound.uncaptured(include, 9002) is None
    assert mesh_inbound.uncaptured({mesh_inbound.INCLUDE_INBOUND: "8080"}, 9002) is not None


def test_an_empty_include_list_captures_no_port() -> None:
    assert mesh_inbound.uncaptured({mesh_inbound.INCLUDE_INBOUND: ""}, 9002) == (
        "traffic.sidecar.istio.io/includeInboundPorts: ''"
    )
