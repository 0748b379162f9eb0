"""baremetal test nccl on MIG and shared GPUs: their units are counted as the NVIDIA device plugin
advertises them (nvidia.com/gpu as MIG devices or replicas, nvidia.com/mig-*, nvidia.com/gpu.shared),
and a node whose units are not whole GPUs is never chosen: NCCL runs one rank per whole GPU."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes
from .test_nccl_free_gpus import node_names


def _units(node: dict[str, Any], units: dict[str, int], labels: dict[str, str]) -> dict[str, Any]:
    """The node with its GPU resources as the device plugin advertises them, and GFD's labels."""
    for key in ("capacity", "allocatable"):
        node["status"][key].pop("nvidia.com/gpu", None)
        node["status"][key].update({name: str(n) for name, n in units.items()})
    node["metadata"]["labels"].update(labels)
    return node


def mig_single(name: str) -> dict[str, Any]:
    # upstream: NVIDIA/k8s-device-plugin 1b826ac docs/gfd_labels.md and README.md (mig.strategy
    # single: nvidia.com/gpu counts MIG devices, gpu.product names the profile)
    return _units(
        fx.node(name),
        {"nvidia.com/gpu": 56},
        {"nvidia.com/mig.strategy": "single", "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3-MIG-1g.10gb"},
    )


def mig_mixed(name: str, whole: int) -> dict[str, Any]:
    # mixed: the GPUs with MIG off stay nvidia.com/gpu, the others are nvidia.com/mig-<profile>
    return _units(
        fx.node(name),
        {"nvidia.com/gpu": whole, "nvidia.com/mig-1g.10gb": 7 * (8 - whole)},
        {"nvidia.com/mig.strategy": "mixed"},
    )


def time_sliced(name: str, *, renamed: bool) -> dict[str, Any]:
    # README.md "With CUDA Time-Slicing": 4 replicas of 8 GPUs advertise 32 nvidia.com/gpu, or 32
    # nvidia.com/gpu.shared with renameByDefault
    resource = "nvidia.com/gpu.shared" if renamed else "nvidia.com/gpu"
    return _units(
        fx.node(name),
        {resource: 32},
        {"nvidia.com/gpu.replicas": "4", "nvidia.com/gpu.sharing-strategy": "time-slicing"},
    )


def test_a_mig_single_node_is_not_taken_for_its_mig_devices(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: its 56 nvidia.com/gpu passed for 56 free GPUs, and the test pods got MIG devices.
    add_nodes(kube_emulator, [mig_single("aks-gpu-0")])
    result = invoke("baremetal", "test", "nccl", "--nodes", "1", "--dry-run=server")
    assert result.exit_code == 7, result
    [line, hint] = result.stderr.strip().splitlines()[-2:]
    assert line == (
        f"error: none of the 1 GPU node(s) of size {fx.ND_H100} has whole GPUs for an NCCL test: "
        "aks-gpu-0 (MIG mode: its 56 nvidia.com/gpu are MIG devices)"
    )
    assert "NCCL runs one rank per whole GPU" in hint
    assert kube_emulator.requests(method="POST") == []


def test_time_sliced_replicas_are_not_whole_gpus(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: 32 replicas passed for 32 GPUs; two ranks on one GPU make NCCL refuse the run.
    add_nodes(kube_emulator, [time_sliced("aks-gpu-0", renamed=False), fx.node("aks-gpu-1")])
    result = invoke("baremetal", "test", "nccl", "--nodes", "1", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "aks-gpu-0 (GPUs shared by time-slicing: its 32 nvidia.com/gpu are replicas)" in result.stderr
    assert node_names(result.stdout) == ["aks-gpu-1"]


def test_renamed_shared_gpus_are_named_as_the_plugin_advertises_them(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: "0 GPU(s) allocatable" and exit 8, as if the GPUs were busy.
    add_nodes(kube_emulator, [time_sliced("aks-gpu-0", renamed=True)])
    result = invoke("baremetal", "test", "nccl", "--nodes", "1", "--dry-run=server")
    assert result.exit_code == 7, result
    assert "aks-gpu-0 (GPUs shared by time-slicing: its 32 nvidia.com/gpu.shared are replicas)" in result.stderr


def test_a_mixed_mig_node_offers_its_whole_gpus(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [mig_mixed("aks-gpu-0", whole=4)])
    result = invoke("baremetal", "test", "nccl", "--nodes", "1", "--gpus-per-node", "4", "--dry-run=server")
    assert result.exit_code == 0, result
    assert node_names(result.stdout) == ["aks-gpu-0"]


def test_a_mixed_mig_node_short_of_whole_gpus_names_its_mig_devices(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [mig_mixed("aks-gpu-0", whole=4), fx.node("aks-gpu-1")])
    result = invoke("baremetal", "test", "nccl", "--nodes", "1", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "aks-gpu-0 (4 GPU(s) allocatable, 28 MIG device(s))" in result.stderr
    assert node_names(result.stdout) == ["aks-gpu-1"]


def test_a_pool_of_mig_nodes_beside_full_whole_gpu_nodes_is_refused_for_capacity(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Whole-GPU nodes exist, all busy: a capacity refusal (exit 8), naming the MIG node too.
    from .test_nccl_free_gpus import _holding

    add_nodes(kube_emulator, [mig_single("aks-gpu-0"), fx.node("aks-gpu-1")])
    _holding(kube_emulator, "train-0", "aks-gpu-1", 8)
    result = invoke("baremetal", "test", "nccl", "--nodes", "1", "--dry-run=server")
    assert result.exit_code == 8, result
    assert "aks-gpu-0 (MIG mode: its 56 nvidia.com/gpu are MIG devices)" in result.stderr
    assert "aks-gpu-1 (8 of 8 GPUs in use)" in result.stderr
