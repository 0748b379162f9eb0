"""baremetal test nccl waiting for new nodes that must offer the RDMA resource its pods ask for:
the cluster autoscaler judges a pending pod by a copy of one of the scale set's ready nodes, and
node auto-provisioning on Azure offers no instance type with an RDMA resource (upstream:
kubernetes/autoscaler cluster-autoscaler/processors/nodeinfosprovider/mixed_nodeinfos_processor.go;
Azure/karpenter-provider-azure pkg/providers/instancetype/instancetype.go computeCapacity)."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes
from .growth import VMSS, autoscaler_groups, autoscaler_status, in_scale_set
from .test_nccl_free_gpus import _holding
from .test_nccl_growth import _nap_pool

RDMA = "rdma/rdma_shared_device_a"
IB_VMSS = "aks-ib-87654321-vmss"


def _full_ib_nodes(emu: Any, *, vmss: str = VMSS, cordoned: bool = False) -> None:
    """Two nodes offering the RDMA resource, every GPU held."""
    nodes = [in_scale_set(f"aks-ib-{i}", i, vmss=vmss) for i in range(2)]
    for node in nodes:
        node["spec"]["unschedulable"] = cordoned
    add_nodes(emu, nodes)
    for i in range(2):
        _holding(emu, f"train-{i}", f"aks-ib-{i}", 8)


def test_a_nodepool_cannot_grow_for_pods_asking_for_an_rdma_resource(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: "NodePool gpu has room", and no node was ever added for the pods.
    _nap_pool(kube_emulator, limit="32", used="16")
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert (
        f"(node auto-provisioning adds no node for pods asking for {RDMA}: its Azure instance types offer no RDMA "
        "resource)" in result.stderr
    )


def test_a_scale_set_whose_ready_nodes_offer_no_rdma_resource_is_not_counted_as_room(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: the plain GPU scale set's room was promised; its template node has no RDMA resource,
    # so the cluster autoscaler never added a node for the pods.
    _full_ib_nodes(kube_emulator, vmss=IB_VMSS)
    add_nodes(kube_emulator, [in_scale_set("aks-gpu-0", 0, fx.node("aks-gpu-0", rdma_resource=None))])
    autoscaler_groups(kube_emulator, {IB_VMSS: (2, 2), VMSS: (1, 4)})
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert (
        f"the cluster autoscaler judges a new {VMSS} node by one of its 1 ready node(s), and none offers {RDMA}; "
        f"{IB_VMSS} is at the cluster autoscaler's maximum (2 node(s))" in result.stderr
    )


def test_a_scale_set_where_some_ready_nodes_lack_the_rdma_resource_warns(kube_emulator: Any, kubeconfig: Any) -> None:
    _full_ib_nodes(kube_emulator)
    add_nodes(kube_emulator, [in_scale_set("aks-gpu-2", 2, fx.node("aks-gpu-2", rdma_resource=None))])
    autoscaler_status(kube_emulator, target=3, maximum=6)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        f"but the cluster autoscaler can grow {VMSS} from 3 to 6 node(s); 1 of {VMSS}'s 3 ready node(s) offer no "
        f"{RDMA}, and the cluster autoscaler may judge a new node by one of them" in result.stderr
    )


def test_a_scale_set_with_no_ready_node_says_its_template_is_not_known(kube_emulator: Any, kubeconfig: Any) -> None:
    _full_ib_nodes(kube_emulator, cordoned=True)
    autoscaler_status(kube_emulator, target=2, maximum=4)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        f"{VMSS} has no ready node, so whether the cluster autoscaler's template for it offers {RDMA} is not known "
        "here" in result.stderr
    )


def test_without_an_rdma_resource_nothing_is_said_of_templates(kube_emulator: Any, kubeconfig: Any) -> None:
    _full_ib_nodes(kube_emulator, cordoned=True)
    autoscaler_status(kube_emulator, target=2, maximum=4)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--rdma-resource", "none", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "template" not in result.stderr
