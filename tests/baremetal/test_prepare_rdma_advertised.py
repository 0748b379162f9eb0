"""prepare --rdma deploys no second RDMA device plugin where the RDMA nodes already advertise an
rdma/ resource from one no NicClusterPolicy deploys (Mellanox/k8s-rdma-shared-dev-plugin README:
each configList entry is advertised as rdma/<resourceName>)."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.rdma_plugin import RdmaSharedDevicePlugin

from . import nodes as fx
from .conftest import add_nodes, helm_gpu_operator


def _prepare(emu: Any, *nodes: dict[str, Any]) -> Any:
    add_nodes(emu, list(nodes))
    helm_gpu_operator(emu)
    return invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y")


def test_nodes_advertising_another_plugins_rdma_resource_get_no_second_plugin(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    result = _prepare(
        kube_emulator, fx.node("aks-gpu-0", rdma_resource="rdma/ib"), fx.node("aks-gpu-1", rdma_resource=None)
    )
    assert result.exit_code == 0, result
    assert "the RDMA nodes already advertise (rdma/ib on 1 of the 2 read)" in result.stderr
    assert "--rdma-resource rdma/ib" in result.stderr
    assert kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "rdma-shared-dp-ds") is None


def test_nodes_without_an_rdma_resource_get_the_plugin(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.controllers.add(RdmaSharedDevicePlugin(delay=0.0))
    result = _prepare(kube_emulator, fx.node("aks-gpu-0", rdma_resource=None))
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get("apps/v1", "DaemonSet", "gpu-operator", "rdma-shared-dp-ds") is not None
    # once akscli's own plugin runs (and the node advertises its resource), that is no reason to stop updating it
    assert kube_emulator.idle(10.0)
    capacity = kube_emulator.cluster.get("v1", "Node", None, "aks-gpu-0")["status"]["capacity"]
    assert capacity["rdma/rdma_shared_device_a"] == "63"
    again = invoke("baremetal", "prepare", "--rdma", "--no-cluster-policy", "-y")
    assert again.exit_code == 0, again
    assert "already advertise" not in again.stderr
