"""``baremetal test nccl`` refusing an --rdma-resource no GPU node offers, where some of them offer another
RDMA resource: the hint names that resource and the GPU nodes that do not offer it, since a run on more
nodes than offer it would wait (doctor34b's weak list)."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes
from .test_rdma_plugins_owned import RDMA_POLICY
from .test_sriov_plugin_registers import PER_NODE, _run


def _hint(*args: str) -> str:
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", *args, "--dry-run=server")
    assert result.exit_code == 2, result
    return " ".join(result.stderr.split()).split("hint: ", 1)[1]


def test_the_hint_names_the_gpu_nodes_that_do_not_offer_the_rdma_resource_it_suggests(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: "pass --rdma-resource rdma/ib", though aks-gpu-1 offers none of it.
    add_nodes(kube_emulator, [fx.node("aks-gpu-0", rdma_resource="rdma/ib"), fx.node("aks-gpu-1", rdma_resource=None)])
    hint = _hint("--rdma-resource", "rdma/rdma_shared_device_a")
    assert hint == "pass --rdma-resource rdma/ib (offered by 1 of the 2; not by aks-gpu-1)"


def test_the_hint_gives_the_sriov_plugins_per_node_config_for_the_resource_it_suggests(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: "pass --rdma-resource openshift.io/mlnxrdma", though no policy gives it to aks-gpu-1.
    configs = {"aks-gpu-0": {"resourceList": [RDMA_POLICY]}, "aks-gpu-1": {"resourceList": []}}
    _run(kube_emulator, configs, [fx.node(f"aks-gpu-{i}", rdma_resource=None, taint=False) for i in range(2)])
    hint = _hint("--rdma-resource", "rdma/rdma_shared_device_a")
    assert hint == (
        f"pass --rdma-resource openshift.io/mlnxrdma; {PER_NODE}openshift.io/mlnxrdma to aks-gpu-0 and none to "
        "aks-gpu-1: create a SriovNetworkNodePolicy with isRdma: true whose nodeSelector selects it"
    )


def test_the_hint_is_the_resource_alone_where_every_gpu_node_offers_it(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}", rdma_resource="rdma/ib") for i in range(2)])
    assert _hint("--rdma-resource", "rdma/rdma_shared_device_a") == "pass --rdma-resource rdma/ib"
