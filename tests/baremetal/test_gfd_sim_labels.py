"""The simulated GPU Feature Discovery (tests/emulators/kube/controllers/nvidia_gfd.py) labels as
NVIDIA/k8s-device-plugin internal/lm does: the driver and CUDA versions and the compute capability
from recorded NVML answers, and a time-sliced node from the device plugin config the ClusterPolicy
names; akscli then reads the node as shared, as on a real cluster."""

from __future__ import annotations

import random
from typing import Any

from akscli import yamlio
from akscli.gpu import devices as gpus
from tests.emulators.kube.controllers.nvidia import NAMESPACE, ClusterPolicyController
from tests.emulators.kube.generate import gpu_sizes, node

from .conftest import cluster_policy, helm_gpu_operator

GPU_TAINT = {"key": "nvidia.com/gpu", "effect": "NoSchedule"}


def _aks_node(name: str, size_name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """An AKS GPU node with no NFD or GFD label yet, tainted as the GPU Operator's operands tolerate."""
    size = next(s for s in gpu_sizes() if s.name == size_name)
    made = node(size, "gpu", "12345678", 0, "User", random.Random(1), flavour="aks")
    made["metadata"]["name"] = made["metadata"]["labels"]["kubernetes.io/hostname"] = name
    made["metadata"]["labels"].update(labels or {})
    made["spec"]["taints"] = [GPU_TAINT]
    return {"apiVersion": "v1", "kind": "Node", **made}


def _sharing_config(emu: Any, **configs: dict[str, Any]) -> None:
    """The device plugin's configs (api/config/v1), one ConfigMap key each."""
    data = {key: yamlio.dump({"version": "v1", **body}) for key, body in configs.items()}
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "dp-config", "namespace": NAMESPACE},
            "data": data,
        }
    )


def _run_operator(
    emu: Any, *nodes: dict[str, Any], default: str | None = None, configs: dict[str, Any] | None = None
) -> None:
    """The nodes, the chart, the device plugin configs (``configs``), then a ClusterPolicy whose
    devicePlugin.config names them with ``default``."""
    for made in nodes:
        emu.cluster.create(made)
    helm_gpu_operator(emu)
    if configs is not None:
        _sharing_config(emu, **configs)
    emu.controllers.add(ClusterPolicyController(delay=0.01, nfd=True))
    policy = cluster_policy(driver=False)
    if default is not None:
        policy["spec"]["devicePlugin"]["config"] = {"name": "dp-config", "default": default}
    emu.cluster.create(policy)
    assert emu.idle(10.0)


def _labels(emu: Any, name: str) -> dict[str, str]:
    return dict(emu.cluster.get("v1", "Node", None, name)["metadata"]["labels"])


def test_gfd_writes_the_recorded_driver_and_cuda_versions(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: no cuda.* label, so doctor's driver-mixed check had nothing to read on such a node.
    _run_operator(kube_emulator, _aks_node("aks-gpu-0", "Standard_NC24ads_A100_v4"))
    labels = _labels(kube_emulator, "aks-gpu-0")
    assert [labels[f"nvidia.com/cuda.driver.{p}"] for p in ("major", "minor", "rev")] == ["580", "159", "04"]
    assert (labels["nvidia.com/cuda.runtime.major"], labels["nvidia.com/cuda.runtime.minor"]) == ("13", "0")
    assert labels["nvidia.com/cuda.driver-version.full"] == "580.159.04"
    assert labels["nvidia.com/cuda.runtime-version.full"] == "13.0"


def test_gfd_writes_the_compute_capability_only_of_a_recorded_model(kube_emulator: Any, kubeconfig: Any) -> None:
    _run_operator(
        kube_emulator,
        _aks_node("aks-h200-0", "Standard_ND96isr_H200_v5"),
        _aks_node("aks-a100-0", "Standard_NC24ads_A100_v4"),
    )
    h200 = _labels(kube_emulator, "aks-h200-0")
    assert (h200["nvidia.com/gpu.compute.major"], h200["nvidia.com/gpu.compute.minor"]) == ("9", "0")
    assert "nvidia.com/gpu.compute.major" not in _labels(kube_emulator, "aks-a100-0")


def test_a_time_slicing_config_relabels_the_node_as_shared(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: every node was labelled replicas 1, sharing-strategy none, whatever the config.
    sliced = {"sharing": {"timeSlicing": {"resources": [{"name": "nvidia.com/gpu", "replicas": 4}]}}}
    _run_operator(
        kube_emulator, _aks_node("aks-gpu-0", "Standard_NC24ads_A100_v4"), default="any", configs={"any": sliced}
    )
    labels = _labels(kube_emulator, "aks-gpu-0")
    assert (labels["nvidia.com/gpu.replicas"], labels["nvidia.com/gpu.sharing-strategy"]) == ("4", "time-slicing")
    assert labels["nvidia.com/gpu.product"] == "NVIDIA-A100-PCIe-80GB-SHARED"
    assert gpus.read(kube_emulator.cluster.get("v1", "Node", None, "aks-gpu-0")).sharing == gpus.TIME_SLICING


def test_the_nodes_own_config_label_picks_its_config(kube_emulator: Any, kubeconfig: Any) -> None:
    sliced = {"sharing": {"timeSlicing": {"resources": [{"name": "nvidia.com/gpu", "replicas": 4}]}}}
    whole = _aks_node("aks-gpu-1", "Standard_NC24ads_A100_v4", {"nvidia.com/device-plugin.config": "whole"})
    shared = _aks_node("aks-gpu-0", "Standard_NC24ads_A100_v4")
    _run_operator(kube_emulator, shared, whole, default="any", configs={"any": sliced, "whole": {}})
    assert _labels(kube_emulator, "aks-gpu-0")["nvidia.com/gpu.sharing-strategy"] == "time-slicing"
    assert _labels(kube_emulator, "aks-gpu-1")["nvidia.com/gpu.sharing-strategy"] == "none"


def test_a_renamed_shared_resource_keeps_the_plain_product_name(kube_emulator: Any, kubeconfig: Any) -> None:
    renamed = {
        "sharing": {"timeSlicing": {"renameByDefault": True, "resources": [{"name": "nvidia.com/gpu", "replicas": 2}]}}
    }
    _run_operator(
        kube_emulator, _aks_node("aks-gpu-0", "Standard_NC24ads_A100_v4"), default="any", configs={"any": renamed}
    )
    labels = _labels(kube_emulator, "aks-gpu-0")
    assert (labels["nvidia.com/gpu.product"], labels["nvidia.com/gpu.replicas"]) == ("NVIDIA-A100-PCIe-80GB", "2")


def test_gfd_writes_the_memory_nvml_reports_for_a_recorded_model(kube_emulator: Any, kubeconfig: Any) -> None:
    # NVML's total in MiB, as the H100 and H200 recordings answered it, not the nominal 80 or 141 GiB;
    # a model no recording has keeps the VM size's nominal figure.
    _run_operator(
        kube_emulator,
        _aks_node("aks-h100-0", "Standard_ND96isr_H100_v5"),
        _aks_node("aks-h200-0", "Standard_ND96isr_H200_v5"),
        _aks_node("aks-a100-0", "Standard_NC24ads_A100_v4"),
    )
    memory = {name: _labels(kube_emulator, name)["nvidia.com/gpu.memory"] for name in ("aks-h100-0", "aks-h200-0")}
    assert memory == {"aks-h100-0": "81559", "aks-h200-0": "143771"}
    assert _labels(kube_emulator, "aks-a100-0")["nvidia.com/gpu.memory"] == "81920"
