"""baremetal prepare's NFD toleration offer reads only the NVIDIA GPU nodes NFD has not labelled,
by label selector, 2 pages at most per label: its node reads do not grow with the cluster's CPU
nodes (a read of every node was 150 pages at 75,000 nodes)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.baremetal import nfd_worker
from tests.cli import invoke
from tests.emulators.kube.controllers.nvidia import ClusterPolicyController

from .conftest import helm_gpu_operator
from .test_prepare_gfd_labels import aks_gpu_node
from .test_prepare_nfd_toleration import SKU

CPU_NODES = 1_100  # three pages of 500 for a read of every node
UNLABELLED = "feature.node.kubernetes.io/pci-10de.present!=true"


def _cpu_node(index: int) -> dict[str, Any]:
    name = f"aks-cpu-{index}"
    labels = {"kubernetes.io/hostname": name, "node.kubernetes.io/instance-type": "Standard_D8ds_v5"}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}, "spec": {}}


def _cluster(emu: Any, gpu_nodes: int) -> None:
    for index in range(CPU_NODES):
        emu.cluster.create(_cpu_node(index))
    for index in range(gpu_nodes):
        emu.cluster.create(aks_gpu_node(f"aks-gpu-{index}", taint=SKU))
    helm_gpu_operator(emu, nfd=True)
    emu.controllers.add(ClusterPolicyController(delay=0.01, nfd=True))


def _node_lists(emu: Any) -> list[str]:
    """The label selector of each node list prepare sent ("" for none)."""
    lists = [r for r in emu.requests(method="GET", verb="list") if r.path.rstrip("/").endswith("/nodes")]
    return [(r.query.get("labelSelector") or [""])[0] for r in lists]


def test_the_offer_lists_only_unlabelled_nvidia_nodes_by_label_whatever_the_cpu_nodes(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: the offer listed every node, page by page (3 pages here, 150 at 75,000 nodes).
    _cluster(kube_emulator, gpu_nodes=2)
    kube_emulator.request_log.clear()
    result = invoke("baremetal", "prepare", "--no-driver")
    assert result.exit_code == 0, result
    # at least: 500 of the 1,100 nodes with no NVIDIA label were read
    assert "it has not labelled at least 2 NVIDIA GPU node(s) (aks-gpu-0, aks-gpu-1)" in result.stderr
    offer_lists = [s for s in _node_lists(kube_emulator) if UNLABELLED in s]
    # one page for each label that marks an NVIDIA node, one of the nodes with none of them
    assert len(offer_lists) == 6
    assert "" not in _node_lists(kube_emulator)


def test_a_label_with_more_pages_than_are_read_makes_the_count_a_floor(
    kube_emulator: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nfd_worker, "NODE_PAGE", 1)
    _cluster(kube_emulator, gpu_nodes=3)
    kube_emulator.request_log.clear()
    result = invoke("baremetal", "prepare", "--no-driver")
    assert result.exit_code == 0, result
    assert "it has not labelled at least 2 NVIDIA GPU node(s) (aks-gpu-0, aks-gpu-1)" in result.stderr
    offer_lists = [s for s in _node_lists(kube_emulator) if UNLABELLED in s]
    assert len(offer_lists) <= 2 * 5 + 1


def test_a_gpu_node_with_no_nvidia_label_is_counted_by_its_capacity(kube_emulator: Any, kubeconfig: Any) -> None:
    # A device plugin installed by hand advertises nvidia.com/gpu; no label marks the node NVIDIA's.
    name = "gpu-by-hand-0"
    labels = {"kubernetes.io/hostname": name, "node.kubernetes.io/instance-type": "Standard_Custom_v1"}
    kube_emulator.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name, "labels": labels},
            "spec": {"taints": [SKU]},
            "status": {"capacity": {"nvidia.com/gpu": "8"}, "allocatable": {"nvidia.com/gpu": "8"}},
        }
    )
    kube_emulator.cluster.create(_cpu_node(0))
    helm_gpu_operator(kube_emulator, nfd=True)
    result = invoke("baremetal", "prepare", "--no-driver")
    assert result.exit_code == 0, result
    assert f"it has not labelled 1 NVIDIA GPU node(s) ({name})" in result.stderr
    assert "sku=gpu:NoSchedule" in result.stderr
