"""akscli's vLLM Deployment gives each pod a weights volume of --storage-class (managed-csi-premium
unless named). A class that does not exist is refused before anything is applied: its claim would
never be provisioned and the pod would stay Pending (kubernetes/kubernetes
pkg/controller/volume/persistentvolume/pv_controller.go provisionClaimOperation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]


def test_a_storage_class_that_does_not_exist_is_refused_before_anything_is_applied(model_emulator: Start) -> None:
    emu = model_emulator()
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--storage-class", "premium", "-y")
    assert result.exit_code == 3, result
    assert "StorageClass premium does not exist: each vLLM pod's weights volume would never be provisioned" in (
        result.stderr
    )
    assert "kubectl get storageclass" in result.stderr
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is None


def test_the_default_class_is_refused_on_a_cluster_without_it(model_emulator: Start) -> None:
    # AKS makes managed-csi-premium only with its Azure Disk CSI driver, which can be turned off.
    emu = model_emulator()
    emu.cluster.delete("storage.k8s.io/v1", "StorageClass", None, "managed-csi-premium")
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y")
    assert result.exit_code == 3, result
    assert "StorageClass managed-csi-premium does not exist" in result.stderr
    assert "az aks update --enable-disk-driver" in result.stderr


def test_an_existing_class_is_deployed(model_emulator: Start) -> None:
    emu = model_emulator()
    assert (
        invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--storage-class", "managed-csi", "-y").exit_code == 0
    )
    dep = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    volume = dep["spec"]["template"]["spec"]["volumes"][0]["ephemeral"]["volumeClaimTemplate"]
    assert volume["spec"]["storageClassName"] == "managed-csi"


def test_a_pinned_vllm_deploy_reads_its_storage_class_once(model_emulator: Start) -> None:
    # The fit check (VolumeBinding, NodeVolumeLimits) and the existence check share one read: a
    # second GET of the same class is what the deploy --wait benchmark counts as polling.
    from tests.baremetal.nodes import NC_A100, node

    emu = model_emulator()
    emu.cluster.create(node("aks-vllm-0", pool="vllm", size=NC_A100, gpus=1))  # a node the fit check weighs
    before = len(emu.request_log)
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-y").exit_code == 0
    reads = [r for r in emu.request_log[before:] if r.path.endswith("/storageclasses/managed-csi-premium")]
    assert len(reads) == 1, [r.path for r in reads]
