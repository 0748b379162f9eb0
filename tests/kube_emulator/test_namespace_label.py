"""Every Namespace carries kubernetes.io/metadata.name set to its name, and no write changes it:
every decode of a named Namespace sets it again (upstream: kubernetes/kubernetes
pkg/apis/core/v1/defaults.go SetDefaults_Namespace; pkg/registry/core/namespace/strategy.go
Canonicalize for a generateName)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw

LABEL = "kubernetes.io/metadata.name"


def labels(emu: KubeEmulator, name: str) -> dict[str, Any]:
    ns = emu.cluster.get("v1", "Namespace", None, name)
    assert ns is not None
    return dict(ns["metadata"].get("labels") or {})


def create(emu: KubeEmulator, metadata: dict[str, Any]) -> dict[str, Any]:
    r = raw(emu, "POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata})
    assert r.status == 201, r.body
    return dict(r.json())


def merge_patch(emu: KubeEmulator, name: str, patch: dict[str, Any]) -> dict[str, Any]:
    r = raw(emu, "PATCH", f"/api/v1/namespaces/{name}", patch, "application/merge-patch+json")
    assert r.status == 200, r.body
    return dict(r.json())


def test_a_created_namespace_is_labelled_with_its_name(kube_emulator: KubeEmulator) -> None:
    body = create(kube_emulator, {"name": "team-a", "labels": {"team": "a"}})
    assert body["metadata"]["labels"] == {LABEL: "team-a", "team": "a"}


def test_the_system_namespaces_are_labelled(kube_emulator: KubeEmulator) -> None:
    for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert labels(kube_emulator, name)[LABEL] == name


def test_a_generated_name_is_the_label(kube_emulator: KubeEmulator) -> None:
    body = create(kube_emulator, {"generateName": "run-"})
    assert body["metadata"]["labels"] == {LABEL: body["metadata"]["name"]}


def test_a_create_that_gives_another_value_gets_the_name(kube_emulator: KubeEmulator) -> None:
    body = create(kube_emulator, {"name": "team-a", "labels": {LABEL: "team-b"}})
    assert body["metadata"]["labels"] == {LABEL: "team-a"}


def test_a_patch_cannot_change_the_label(kube_emulator: KubeEmulator) -> None:
    create(kube_emulator, {"name": "team-a"})
    body = merge_patch(kube_emulator, "team-a", {"metadata": {"labels": {LABEL: "team-b", "x": "y"}}})
    assert body["metadata"]["labels"] == {LABEL: "team-a", "x": "y"}


def test_a_patch_cannot_remove_the_label(kube_emulator: KubeEmulator) -> None:
    create(kube_emulator, {"name": "team-a"})
    body = merge_patch(kube_emulator, "team-a", {"metadata": {"labels": {LABEL: None}}})
    assert body["metadata"]["labels"] == {LABEL: "team-a"}


def test_an_update_without_labels_keeps_the_label(kube_emulator: KubeEmulator) -> None:
    ns = create(kube_emulator, {"name": "team-a"})
    ns["metadata"].pop("labels")
    r = raw(kube_emulator, "PUT", "/api/v1/namespaces/team-a", ns)
    assert r.status == 200, r.body
    assert labels(kube_emulator, "team-a") == {LABEL: "team-a"}


def test_a_label_selector_on_the_name_finds_the_namespace(kube_emulator: KubeEmulator) -> None:
    create(kube_emulator, {"name": "team-a"})
    create(kube_emulator, {"name": "team-b"})
    r = raw(kube_emulator, "GET", f"/api/v1/namespaces?labelSelector={LABEL}%3Dteam-a")
    assert [i["metadata"]["name"] for i in r.json()["items"]] == ["team-a"]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_label_overwrite_leaves_the_name(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    create(kube_emulator, {"name": "team-a"})

    def kubectl(*args: str) -> str:
        r = subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)
        assert r.returncode == 0, r.stderr
        return r.stdout

    # kubectl label prints the object it patched locally, not the server's answer (kubernetes/kubectl
    # pkg/cmd/label/label.go PrintObj(info.Object)), so the stored object is read back with get
    kubectl("label", "namespace", "team-a", f"{LABEL}=other", "--overwrite")
    assert json.loads(kubectl("get", "namespace", "team-a", "-o", "json"))["metadata"]["labels"] == {LABEL: "team-a"}
