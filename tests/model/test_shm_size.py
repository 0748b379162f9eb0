"""The vLLM pod's /dev/shm (model.runtime_values.shm_size) is a memory-backed emptyDir: its pages
count against the pod's memory limit (kubernetes/kubernetes pkg/volume/emptydir/empty_dir.go,
calculateEmptyDirMemorySize). It is sized from vLLM's own examples, and on every GPU size what the
limit leaves vLLM outside /dev/shm holds the GPUs' memory: the most weights the pod can load, which
vLLM reads through host memory."""

from __future__ import annotations

import pytest

from akscli.kube.resources import amount
from akscli.model import skus
from akscli.model.runtime_values import pod_share, shm_size

GI = 1 << 30


def test_a_one_gpu_pod_gets_the_2gi_of_vllms_kubernetes_example() -> None:
    # upstream: vllm-project/vllm docs/deployment/k8s.md, the NVIDIA GPU Deployment (one GPU)
    assert shm_size(1) == "2Gi"


def test_a_tensor_parallel_pod_gets_the_20gi_of_vllms_production_stack() -> None:
    # upstream: vllm-project/production-stack helm/templates/deployment-vllm-multi.yaml (shmSize)
    assert [shm_size(gpus) for gpus in (2, 4, 8)] == ["20Gi", "20Gi", "20Gi"]


def test_the_t4_pod_leaves_vllm_17gi_of_its_19gi_limit() -> None:
    share = pod_share("Standard_NC4as_T4_v3", 1)
    left = amount("memory", share["memory_request"]) - amount("memory", shm_size(1))
    assert left == 17 * GI


@pytest.mark.parametrize("sku", skus.all_skus(), ids=lambda s: s.vm_size)
def test_every_sizes_pod_holds_its_gpus_memory_beside_a_full_shm(sku: skus.GpuSku) -> None:
    for gpus in range(1, sku.gpus + 1):
        limit = amount("memory", pod_share(sku.vm_size, gpus)["memory_request"])
        shm = amount("memory", shm_size(gpus))
        assert limit - shm >= gpus * sku.gpu_memory_gib * GI, (gpus, limit, shm)
