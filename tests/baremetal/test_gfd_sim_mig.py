"""The simulated GPU Feature Discovery and device plugin under MIG (single, mixed) and
time-slicing (tests/emulators/kube/controllers/nvidia_mig_labels.py, from NVIDIA/k8s-device-plugin
internal/lm and go-nvml's H100 mock), and akscli's GPU views reading them: physical GPUs from the
VM size, schedulable units from what the plugin advertises."""

from __future__ import annotations

import json
from typing import Any

from akscli.gpu import devices as gpus
from tests.cli import invoke
from tests.emulators.kube.controllers.nvidia import ClusterPolicyController

from .conftest import cluster_policy, helm_gpu_operator, settle
from .test_gfd_sim_labels import _aks_node, _labels, _sharing_config

ND_H100 = "Standard_ND96isr_H100_v5"
SPLIT = {"nvidia.com/mig.config": "all-1g.10gb", "nvidia.com/mig.config.state": "success"}


def _operator(emu: Any, strategy: str | None, *, split: bool = True, configs: dict[str, Any] | None = None) -> None:
    """An ND H100 node the MIG manager split into 1g.10gb (``split``), and a ClusterPolicy with
    ``spec.mig.strategy`` (None: unset) and, with ``configs``, a device plugin config default "ts"."""
    emu.cluster.create(_aks_node("aks-gpu-0", ND_H100, dict(SPLIT) if split else None))
    helm_gpu_operator(emu)
    if configs is not None:
        _sharing_config(emu, **configs)
    emu.controllers.add(ClusterPolicyController(delay=0.01, nfd=True))
    policy = cluster_policy(driver=False)
    if strategy is not None:
        policy["spec"]["mig"] = {"strategy": strategy}
    if configs is not None:
        policy["spec"]["devicePlugin"]["config"] = {"name": "dp-config", "default": "ts"}
    emu.cluster.create(policy)
    assert emu.idle(10.0)


def _node(emu: Any) -> dict[str, Any]:
    return emu.cluster.get("v1", "Node", None, "aks-gpu-0")  # type: ignore[no-any-return]


def _time_slicing(replicas: int, **extra: Any) -> dict[str, Any]:
    return {
        "ts": {"sharing": {"timeSlicing": {"resources": [{"name": "nvidia.com/gpu", "replicas": replicas}], **extra}}}
    }


def test_mig_single_relabels_nvidia_com_gpu_as_the_mig_devices(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, "single")
    labels = _labels(kube_emulator, "aks-gpu-0")
    assert labels["nvidia.com/mig.strategy"] == "single"
    assert labels["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-MIG-1g.10gb"
    assert (labels["nvidia.com/gpu.count"], labels["nvidia.com/gpu.replicas"]) == ("56", "1")
    assert (labels["nvidia.com/gpu.memory"], labels["nvidia.com/gpu.multiprocessors"]) == ("10240", "16")
    assert (labels["nvidia.com/gpu.slices.gi"], labels["nvidia.com/gpu.slices.ci"]) == ("1", "1")
    assert (labels["nvidia.com/gpu.engines.copy"], labels["nvidia.com/gpu.engines.decoder"]) == ("1", "1")


def test_mig_single_nodes_read_as_eight_gpus_of_56_mig_devices(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, "single")
    node = _node(kube_emulator)
    assert node["status"]["capacity"]["nvidia.com/gpu"] == "56"
    facts = gpus.read(node)
    assert (facts.sharing, facts.physical, facts.capacity) == (gpus.MIG_SINGLE, 8, 56)


def test_mig_mixed_labels_each_profile_and_keeps_the_gpus_own(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, "mixed")
    labels = _labels(kube_emulator, "aks-gpu-0")
    assert labels["nvidia.com/mig.strategy"] == "mixed"
    assert (labels["nvidia.com/gpu.product"], labels["nvidia.com/gpu.count"]) == ("NVIDIA-H100-80GB", "8")
    assert labels["nvidia.com/gpu.replicas"] == "0"
    assert labels["nvidia.com/mig-1g.10gb.product"] == "NVIDIA-H100-80GB-MIG-1g.10gb"
    assert (labels["nvidia.com/mig-1g.10gb.count"], labels["nvidia.com/mig-1g.10gb.memory"]) == ("56", "10240")


def test_mig_mixed_nodes_advertise_the_profile_and_read_as_mixed(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, "mixed")
    node = _node(kube_emulator)
    capacity = node["status"]["capacity"]
    assert (capacity["nvidia.com/mig-1g.10gb"], capacity["nvidia.com/gpu"]) == ("56", "0")
    facts = gpus.read(node)
    assert (facts.sharing, facts.physical, facts.capacity) == (gpus.MIG_MIXED, 8, 56)


def test_without_a_mig_strategy_gfd_writes_no_mig_label(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, None)
    labels = _labels(kube_emulator, "aks-gpu-0")
    assert "nvidia.com/mig.strategy" not in labels and "-MIG-" not in labels.get("nvidia.com/gpu.product", "")


def test_time_slicing_advertises_replicas_times_the_gpus(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, None, split=False, configs=_time_slicing(4))
    node = _node(kube_emulator)
    assert node["status"]["capacity"]["nvidia.com/gpu"] == "32"
    facts = gpus.read(node)
    assert (facts.sharing, facts.physical, facts.capacity) == (gpus.TIME_SLICING, 8, 32)


def test_renamed_time_slicing_advertises_gpu_shared_only(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, None, split=False, configs=_time_slicing(2, renameByDefault=True))
    capacity = _node(kube_emulator)["status"]["capacity"]
    assert (capacity["nvidia.com/gpu.shared"], capacity["nvidia.com/gpu"]) == ("16", "0")
    assert _labels(kube_emulator, "aks-gpu-0")["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB"


def test_gpu_usage_counts_a_mig_single_pool_as_56_slices_of_8_gpus(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, "single")
    result = invoke("gpu", "usage", "-o", "json")
    assert result.exit_code == 0, result
    [pool] = json.loads(result.stdout)["pools"]
    assert (pool["sharing"], pool["gpus"], pool["allocatable"]) == (gpus.MIG_SINGLE, 8, 56)


def test_a_layout_the_mig_manager_applies_reaches_the_labels_and_the_capacity(
    kube_emulator: Any, kubeconfig: Any, mig: Any
) -> None:
    # The plugin pod the MIG manager paused comes back and registers the MIG devices.
    kube_emulator.cluster.patch(
        "nvidia.com/v1", "ClusterPolicy", None, "cluster-policy", {"spec": {"mig": {"strategy": "single"}}}
    )
    kube_emulator.cluster.patch(
        "v1", "Node", None, "aks-gpu-1", {"metadata": {"labels": {"nvidia.com/mig.config": "all-3g.40gb"}}}
    )
    settle(kube_emulator)
    node = kube_emulator.cluster.get("v1", "Node", None, "aks-gpu-1")
    assert node["metadata"]["labels"]["nvidia.com/mig.config.state"] == "success"
    assert node["metadata"]["labels"]["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-MIG-3g.40gb"
    assert (node["status"]["capacity"]["nvidia.com/gpu"], node["status"]["allocatable"]["nvidia.com/gpu"]) == (
        "16",
        "16",
    )
