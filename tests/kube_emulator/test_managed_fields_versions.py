"""One manager's Updates through two API versions are two managedFields entries, as the API
server keeps them: an Update's manager identifier holds its apiVersion, an Apply's does not
(upstream: kubernetes/apimachinery eed236ce pkg/util/managedfields/internal/managedfields.go
BuildManagerIdentifier; kubernetes-sigs/structured-merge-diff merge/update.go Updater.Update).
The entries are sorted as the server encodes them (sortEncodedManagedFields)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw

MERGE = "application/merge-patch+json"
APPLY = "application/apply-patch+yaml"
SCHEMA = {
    "openAPIV3Schema": {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {"size": {"type": "string"}, "name": {"type": "string"}},
            }
        },
    }
}
CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
        "versions": [
            {"name": "v1", "served": True, "storage": True, "schema": SCHEMA},
            {"name": "v2", "served": True, "storage": False, "schema": SCHEMA},
        ],
    },
}


def path(version: str, name: str = "") -> str:
    return f"/apis/example.com/{version}/namespaces/default/gadgets" + (f"/{name}" if name else "")


@pytest.fixture
def gadget(kube_emulator: KubeEmulator) -> KubeEmulator:
    assert raw(kube_emulator, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD).status == 201
    body = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {}}
    assert raw(kube_emulator, "POST", path("v1") + "?fieldManager=creator", body).status == 201
    return kube_emulator


def entries(emu: KubeEmulator, manager: str) -> list[tuple[str, str, dict[str, Any]]]:
    got = raw(emu, "GET", path("v1", "g")).json()
    return [
        (e["operation"], e["apiVersion"], e["fieldsV1"])
        for e in got["metadata"]["managedFields"]
        if e["manager"] == manager
    ]


def test_one_managers_updates_through_two_versions_are_two_entries(gadget: KubeEmulator) -> None:
    raw(gadget, "PATCH", path("v1", "g") + "?fieldManager=m", {"spec": {"size": "big"}}, MERGE)
    raw(gadget, "PATCH", path("v2", "g") + "?fieldManager=m", {"spec": {"name": "x"}}, MERGE)
    assert entries(gadget, "m") == [
        ("Update", "example.com/v1", {"f:spec": {"f:size": {}}}),
        ("Update", "example.com/v2", {"f:spec": {"f:name": {}}}),
    ]


def test_an_update_through_the_other_version_takes_the_field_from_the_first_entry(gadget: KubeEmulator) -> None:
    raw(gadget, "PATCH", path("v1", "g") + "?fieldManager=m", {"spec": {"size": "big", "name": "x"}}, MERGE)
    raw(gadget, "PATCH", path("v2", "g") + "?fieldManager=m", {"spec": {"size": "small"}}, MERGE)
    assert entries(gadget, "m") == [
        ("Update", "example.com/v1", {"f:spec": {"f:name": {}}}),
        ("Update", "example.com/v2", {"f:spec": {"f:size": {}}}),
    ]


def test_an_appliers_entry_follows_it_across_versions(gadget: KubeEmulator) -> None:
    def applied(version: str) -> dict[str, Any]:
        return {
            "apiVersion": f"example.com/{version}",
            "kind": "Gadget",
            "metadata": {"name": "g"},
            "spec": {"size": "big"},
        }

    raw(gadget, "PATCH", path("v1", "g") + "?fieldManager=a", applied("v1"), APPLY)
    raw(gadget, "PATCH", path("v2", "g") + "?fieldManager=a", applied("v2"), APPLY)
    assert entries(gadget, "a") == [("Apply", "example.com/v2", {"f:spec": {"f:size": {}}})]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_shows_one_managers_patches_through_two_versions_as_two_entries(
    gadget: KubeEmulator, kubeconfig: Path
) -> None:
    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)

    for resource, patch in (("gadgets.v1.example.com", {"size": "big"}), ("gadgets.v2.example.com", {"name": "x"})):
        r = kubectl("patch", resource, "g", "--type=merge", "--field-manager=m", "-p", json.dumps({"spec": patch}))
        assert r.returncode == 0, r.stderr
    r = kubectl("get", "gadgets.v1.example.com", "g", "--show-managed-fields", "-o", "json")
    assert r.returncode == 0, r.stderr
    mine = [e for e in json.loads(r.stdout)["metadata"]["managedFields"] if e["manager"] == "m"]
    assert [(e["apiVersion"], e["fieldsV1"]) for e in mine] == [
        ("example.com/v1", {"f:spec": {"f:size": {}}}),
        ("example.com/v2", {"f:spec": {"f:name": {}}}),
    ]


def test_entries_are_sorted_as_the_api_server_encodes_them(gadget: KubeEmulator) -> None:
    # sortEncodedManagedFields: operation (Apply before Update), time, manager, apiVersion
    raw(gadget, "PATCH", path("v1", "g") + "?fieldManager=m", {"spec": {"size": "big"}}, MERGE)
    raw(gadget, "PATCH", path("v2", "g") + "?fieldManager=m", {"spec": {"name": "x"}}, MERGE)
    applied = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g", "labels": {"a": "b"}}}
    raw(gadget, "PATCH", path("v1", "g") + "?fieldManager=zed", applied, APPLY)
    got = raw(gadget, "GET", path("v1", "g")).json()["metadata"]["managedFields"]
    # (the creator's entry is left out: its time may be a second earlier than the others')
    assert [(e["operation"], e["manager"], e["apiVersion"]) for e in got if e["manager"] != "creator"] == [
        ("Apply", "zed", "example.com/v1"),
        ("Update", "m", "example.com/v1"),
        ("Update", "m", "example.com/v2"),
    ]
