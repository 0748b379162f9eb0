"""Lists keyed as the API server's schema declares them (kubernetes/api core/v1/types.go, the
OpenAPI x-kubernetes-list-map-keys and -patch-merge-key): server-side apply keys a container's
ports by containerPort AND protocol, a port applied without a protocol being the TCP one (its
OpenAPI default); a strategic merge patch keys them by containerPort alone."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import deployment, raw

APPLY = "application/apply-patch+yaml"
DEPLOY = "/apis/apps/v1/namespaces/default/deployments"
SVC = "/api/v1/namespaces/default/services"


def with_ports(*ports: dict[str, Any]) -> dict[str, Any]:
    d = deployment("dns")
    d["spec"]["template"]["spec"]["containers"][0]["ports"] = list(ports)
    return d


def apply(emu: KubeEmulator, path: str, obj: dict[str, Any], manager: str) -> Any:
    return raw(emu, "PATCH", f"{path}/{obj['metadata']['name']}?fieldManager={manager}", obj, APPLY)


def ports_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    ports: list[dict[str, Any]] = obj["spec"]["template"]["spec"]["containers"][0]["ports"]
    return ports


def owned_ports(obj: dict[str, Any], manager: str) -> dict[str, Any]:
    """The container ports ``manager``'s Apply entry owns, by FieldsV1 key."""
    entry = next(e for e in obj["metadata"]["managedFields"] if e["manager"] == manager)
    spec = entry["fieldsV1"]["f:spec"]["f:template"]["f:spec"]
    owned: dict[str, Any] = spec["f:containers"]['k:{"name":"main"}']["f:ports"]
    return owned


def test_two_managers_apply_the_tcp_and_the_udp_port_of_one_number_without_conflict(
    kube_emulator: KubeEmulator,
) -> None:
    assert apply(kube_emulator, DEPLOY, with_ports({"containerPort": 53, "protocol": "TCP"}), "tcp").status == 201
    r = apply(kube_emulator, DEPLOY, with_ports({"containerPort": 53, "protocol": "UDP"}), "udp")
    assert r.status == 200, r.json()
    got = r.json()
    assert ports_of(got) == [{"containerPort": 53, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}]
    assert list(owned_ports(got, "tcp")) == ['k:{"containerPort":53,"protocol":"TCP"}']
    assert list(owned_ports(got, "udp")) == ['k:{"containerPort":53,"protocol":"UDP"}']


def test_a_port_applied_without_a_protocol_is_keyed_as_the_tcp_one(kube_emulator: KubeEmulator) -> None:
    got = apply(kube_emulator, DEPLOY, with_ports({"containerPort": 80}), "web").json()
    assert ports_of(got) == [{"containerPort": 80, "protocol": "TCP"}]
    assert owned_ports(got, "web") == {
        'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}},
    }


def test_reapplying_a_port_without_its_protocol_keeps_one_item(kube_emulator: KubeEmulator) -> None:
    # the applied item's key takes the default protocol, so it is the stored TCP item again
    apply(kube_emulator, DEPLOY, with_ports({"containerPort": 80}), "web")
    got = apply(kube_emulator, DEPLOY, with_ports({"containerPort": 80}), "web").json()
    assert ports_of(got) == [{"containerPort": 80, "protocol": "TCP"}]


def test_an_applier_dropping_its_udp_port_leaves_the_other_managers_tcp_port(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, DEPLOY, with_ports({"containerPort": 53, "protocol": "TCP"}), "tcp")
    assert apply(kube_emulator, DEPLOY, with_ports({"containerPort": 53, "protocol": "UDP"}), "udp").status == 200
    got = apply(kube_emulator, DEPLOY, with_ports({"containerPort": 8053, "protocol": "UDP"}), "udp").json()
    assert ports_of(got) == [{"containerPort": 53, "protocol": "TCP"}, {"containerPort": 8053, "protocol": "UDP"}]


def test_service_ports_of_one_number_are_two_items_by_protocol(kube_emulator: KubeEmulator) -> None:
    def svc(protocol: str) -> dict[str, Any]:
        port = {"name": f"dns-{protocol.lower()}", "port": 53, "protocol": protocol}
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "dns", "namespace": "default"},
            "spec": {"selector": {"app": "dns"}, "ports": [port]},
        }

    apply(kube_emulator, SVC, svc("TCP"), "tcp")
    r = apply(kube_emulator, SVC, svc("UDP"), "udp")
    assert r.status == 200, r.json()
    assert [(p["port"], p["protocol"]) for p in r.json()["spec"]["ports"]] == [(53, "TCP"), (53, "UDP")]


def test_a_strategic_merge_patch_merges_into_the_first_port_of_its_number(kube_emulator: KubeEmulator) -> None:
    # the patch merge key is containerPort alone: the TCP item, listed first, takes the name
    apply(kube_emulator, DEPLOY, with_ports({"containerPort": 53, "protocol": "TCP"}), "tcp")
    apply(kube_emulator, DEPLOY, with_ports({"containerPort": 53, "protocol": "UDP"}), "udp")
    patch = {
        "spec": {
            "template": {"spec": {"containers": [{"name": "main", "ports": [{"containerPort": 53, "name": "dns"}]}]}}
        }
    }
    r = raw(kube_emulator, "PATCH", f"{DEPLOY}/dns", patch, "application/strategic-merge-patch+json")
    assert r.status == 200, r.json()
    assert ports_of(r.json()) == [
        {"containerPort": 53, "protocol": "TCP", "name": "dns"},
        {"containerPort": 53, "protocol": "UDP"},
    ]


def test_a_strategic_merge_patch_deleting_a_port_number_deletes_both_protocols(kube_emulator: KubeEmulator) -> None:
    both = ({"containerPort": 53, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}, {"containerPort": 80})
    apply(kube_emulator, DEPLOY, with_ports(*both), "a")
    ports = [{"containerPort": 53, "$patch": "delete"}]
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "main", "ports": ports}]}}}}
    r = raw(kube_emulator, "PATCH", f"{DEPLOY}/dns", patch, "application/strategic-merge-patch+json")
    assert r.status == 200, r.json()
    assert ports_of(r.json()) == [{"containerPort": 80, "protocol": "TCP"}]


def test_a_deployments_selector_is_one_atomic_value_to_apply(kube_emulator: KubeEmulator) -> None:
    # LabelSelector is x-kubernetes-map-type atomic: its applier owns it whole
    got = apply(kube_emulator, DEPLOY, with_ports({"containerPort": 80}), "web").json()
    entry = next(e for e in got["metadata"]["managedFields"] if e["manager"] == "web")
    assert entry["fieldsV1"]["f:spec"]["f:selector"] == {}


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_server_side_applies_of_the_tcp_and_udp_port_agree_with_the_emulator(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    outputs = []
    for protocol in ("TCP", "UDP"):
        manifest = tmp_path / f"{protocol}.yaml"
        manifest.write_text(yaml.safe_dump(with_ports({"containerPort": 53, "protocol": protocol})), encoding="utf-8")
        r = subprocess.run(
            [
                "kubectl",
                "apply",
                "--server-side",
                f"--field-manager={protocol.lower()}",
                "-f",
                str(manifest),
                "-o",
                "json",
                "--show-managed-fields",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert r.returncode == 0, r.stderr
        outputs.append(json.loads(r.stdout))
    stored = kube_emulator.cluster.get("apps/v1", "Deployment", "default", "dns")
    assert stored is not None
    assert (
        ports_of(outputs[-1])
        == ports_of(stored)
        == [
            {"containerPort": 53, "protocol": "TCP"},
            {"containerPort": 53, "protocol": "UDP"},
        ]
    )
    assert list(owned_ports(outputs[-1], "udp")) == ['k:{"containerPort":53,"protocol":"UDP"}']
