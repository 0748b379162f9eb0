"""The legacy v1 `bindings` collection: POST namespaces/NS/bindings binds the pod the Binding names,
as pods/NAME/binding does (upstream: kubernetes/kubernetes pkg/registry/core/pod/storage/storage.go
LegacyBindingREST.Create; pkg/registry/core/rest/storage_core.go serves it as "bindings", which
`kubectl api-resources` lists). Before, the emulator had no such resource: 404."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.status import ApiError

from .test_kubectl_fidelity import kubectl

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


def unbound(name: str = "lone") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"schedulerName": "none", "containers": [{"name": "main", "image": "busybox"}]},
    }


def binding(name: str = "lone", node: str = "node-x") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Binding",
        "metadata": {"name": name, "namespace": "default"},
        "target": {"apiVersion": "v1", "kind": "Node", "name": node},
    }


def test_a_legacy_binding_sets_the_node_and_pod_scheduled(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(unbound())
    kube_emulator.cluster.create(binding())
    pod = kube_emulator.cluster.get("v1", "Pod", "default", "lone")
    assert pod["spec"]["nodeName"] == "node-x"
    assert [c["status"] for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"] == ["True"]


def test_a_second_legacy_binding_is_a_conflict(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(unbound())
    kube_emulator.cluster.create(binding())
    with pytest.raises(ApiError) as caught:
        kube_emulator.cluster.create(binding(node="node-y"))
    assert caught.value.code == 409
    assert caught.value.message == (
        'Operation cannot be fulfilled on pods/binding "lone": pod lone is already assigned to node "node-x"'
    )


def test_a_legacy_binding_of_a_missing_pod_is_not_found(kube_emulator: KubeEmulator) -> None:
    with pytest.raises(ApiError) as caught:
        kube_emulator.cluster.create(binding("gone"))
    assert caught.value.code == 404


@needs_kubectl
@pytest.mark.kubectl
def test_kubectl_api_resources_lists_bindings(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    r = kubectl("api-resources", "--api-group=", "--namespaced=true", "-o", "name")
    assert r.returncode == 0, r.stderr
    assert "bindings" in r.stdout.split()


@needs_kubectl
@pytest.mark.kubectl
def test_kubectl_create_of_a_binding_binds_the_pod(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    kube_emulator.cluster.create(unbound())
    path = tmp_path / "binding.json"
    path.write_text(json.dumps(binding()), encoding="utf-8")
    # --validate=false: kubectl validates a kind with no PATCH operation against OpenAPI v2, which the
    # emulator does not serve (server.py)
    r = kubectl("create", "-f", str(path), "--validate=false")
    assert r.returncode == 0, r.stderr
    assert kube_emulator.cluster.get("v1", "Pod", "default", "lone")["spec"]["nodeName"] == "node-x"
