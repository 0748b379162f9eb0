"""`kubectl diff -f` of what akscli applied, unchanged, shows nothing and exits 0, as against a real
API server. kubectl's client-side dry-run patch carries `metadata.annotations: {}` for an object with
no last-applied annotation; ObjectMeta's omitempty fields drop it in the apiserver's decode and encode
(kubernetes/apimachinery pkg/apis/meta/v1/types.go; for a custom resource kubernetes/kubernetes
staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta/coerce.go). Before, the
emulator kept `annotations: {}` and kubectl diff printed it and exited 1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.emulators.kube import KubeEmulator

from .test_kubectl_fidelity import kubectl

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]

CONFIG_MAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "phi-inference-config", "namespace": "default", "labels": {"akscli.io/model": "phi"}},
    "data": {"inference_config.yaml": "vllm:\n  max-model-len: 8192\n"},
}

WORKSPACE = {
    "apiVersion": "kaito.sh/v1beta1",
    "kind": "Workspace",
    "metadata": {"name": "phi", "namespace": "default", "labels": {"akscli.io/model": "phi"}},
    "resource": {"instanceType": "Standard_NC24ads_A100_v4", "labelSelector": {"matchLabels": {"apps": "phi"}}},
    "inference": {"preset": {"name": "phi-3-mini-4k-instruct"}},
}


@pytest.mark.parametrize("obj", [CONFIG_MAP, WORKSPACE], ids=["configmap", "workspace"])
def test_kubectl_diff_of_an_applied_object_unchanged_is_empty(
    obj: dict[str, object], kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    kube_emulator.cluster.apply(obj, manager="akscli")
    path = kubeconfig.parent / "same.yaml"
    path.write_text(yaml.safe_dump(obj), encoding="utf-8")
    r = kubectl("diff", "-f", str(path))
    assert (r.returncode, r.stdout) == (0, ""), r.stderr


def test_an_empty_annotations_map_is_not_stored(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create({**CONFIG_MAP, "metadata": {**CONFIG_MAP["metadata"], "annotations": {}}})  # type: ignore[dict-item]
    stored = kube_emulator.cluster.get("v1", "ConfigMap", "default", "phi-inference-config")
    assert "annotations" not in stored["metadata"]
