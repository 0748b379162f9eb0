"""baremetal test nccl where every GPU node is full: refused (exit 8) only where the pool cannot
grow; where the cluster autoscaler or node auto-provisioning can add a node, the run goes ahead with
a warning, its pods kept off the full nodes, and their wait is what asks for the new node."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke

from . import nodes as fx
from .conftest import add_nodes
from .growth import NO_RDMA, VMSS
from .growth import autoscaler_status as _autoscaler_status
from .growth import in_scale_set as _in_scale_set
from .test_nccl_free_gpus import _holding, node_names


def _full_scale_set(emu: Any) -> None:
    add_nodes(emu, [_in_scale_set(f"aks-gpu-{i}", i) for i in range(2)])
    for i in range(2):
        _holding(emu, f"train-{i}", f"aks-gpu-{i}", 8)


def test_a_full_pool_the_autoscaler_can_grow_runs_with_a_warning(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: exit 8, and the scale-up the test's pods would have asked for never happened.
    _full_scale_set(kube_emulator)
    _autoscaler_status(kube_emulator, target=2, maximum=4)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        f"none of the 2 GPU node(s) of size {fx.ND_H100} can take a test pod with 8 GPU(s) now, but the cluster "
        f"autoscaler can grow {VMSS} from 2 to 4 node(s)" in result.stderr
    )
    assert "the pods are kept off the 2 GPU node(s) passed over; the 2 pods wait for new nodes" in result.stderr
    assert node_names(result.stdout, "NotIn") == ["aks-gpu-0", "aks-gpu-1"]


def test_a_full_pool_at_the_autoscalers_maximum_is_refused(kube_emulator: Any, kubeconfig: Any) -> None:
    _full_scale_set(kube_emulator)
    _autoscaler_status(kube_emulator, target=2, maximum=2)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert (
        result.stderr.strip()
        .splitlines()[-2]
        .endswith(f"aks-gpu-1 (8 of 8 GPUs in use) ({VMSS} is at the cluster autoscaler's maximum (2 node(s)))")
    )


def test_a_pool_the_autoscaler_backs_off_from_is_refused_with_its_error(kube_emulator: Any, kubeconfig: Any) -> None:
    _full_scale_set(kube_emulator)
    _autoscaler_status(kube_emulator, target=2, maximum=4, scale_up="Backoff")
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert f"(the cluster autoscaler is backing off {VMSS} (quota exceeded))" in result.stderr


def test_a_full_pool_without_an_autoscaler_is_refused(kube_emulator: Any, kubeconfig: Any) -> None:
    _full_scale_set(kube_emulator)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert "no cluster autoscaler status (kube-system/cluster-autoscaler-status)" in result.stderr


def _nap_pool(emu: Any, *, limit: str, used: str, subscription: str | None = None) -> None:
    """Two full GPU nodes of NodePool gpu; with ``subscription``, Azure VMs there (providerID, region)."""
    nodes = [fx.node(f"aks-gpu-{i}") for i in range(2)]
    for node in nodes:
        node["metadata"]["labels"]["karpenter.sh/nodepool"] = "gpu"
        if subscription:
            node["metadata"]["labels"]["topology.kubernetes.io/region"] = "eastus"
            node["spec"]["providerID"] = (
                f"azure:///subscriptions/{subscription}/resourceGroups/mc_rg_c_eastus/providers/"
                f"Microsoft.Compute/virtualMachines/{node['metadata']['name']}"
            )
    add_nodes(emu, nodes)
    for i in range(2):
        _holding(emu, f"train-{i}", f"aks-gpu-{i}", 8)
    emu.cluster.create(
        {
            "apiVersion": "karpenter.sh/v1",
            "kind": "NodePool",
            "metadata": {"name": "gpu"},
            "spec": {
                "limits": {"nvidia.com/gpu": limit},
                "template": {
                    "spec": {
                        "nodeClassRef": {"group": "karpenter.azure.com", "kind": "AKSNodeClass", "name": "gpu"},
                        "requirements": [
                            {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": [fx.ND_H100]}
                        ],
                    }
                },
            },
        }
    )
    emu.cluster.patch_status("karpenter.sh/v1", "NodePool", None, "gpu", {"resources": {"nvidia.com/gpu": used}})


def test_a_full_nodepool_under_its_limits_runs_unpinned(kube_emulator: Any, kubeconfig: Any) -> None:
    # Karpenter adds no node for pods pinned by node name: the pods are left to the scheduler.
    _nap_pool(kube_emulator, limit="32", used="16")
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", *NO_RDMA, "--dry-run=server")
    assert result.exit_code == 0, result
    assert "but NodePool gpu has room under its limits for another node" in result.stderr
    assert "the pods are not pinned (node auto-provisioning adds no node for pods pinned by node name)" in (
        result.stderr
    )
    assert node_names(result.stdout, "In") is None and node_names(result.stdout, "NotIn") is None


def test_a_full_nodepool_at_its_gpu_limit_is_refused(kube_emulator: Any, kubeconfig: Any) -> None:
    _nap_pool(kube_emulator, limit="16", used="16")
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", *NO_RDMA, "--dry-run=server")
    assert result.exit_code == 8, result
    assert "(NodePool gpu is at its nvidia.com/gpu limit (16 of 16 used))" in result.stderr


def test_a_pool_the_autoscaler_can_grow_by_fewer_nodes_than_the_pods_need_is_refused(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: "can grow from 2 to 3" was promised for 2 pods; the pods are kept off the full nodes,
    # so the second waited for the timeout.
    _full_scale_set(kube_emulator)
    _autoscaler_status(kube_emulator, target=2, maximum=3)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert f"(the cluster autoscaler can grow only {VMSS} from 2 to 3 node(s), and 2 new node(s) are needed)" in (
        result.stderr
    )
