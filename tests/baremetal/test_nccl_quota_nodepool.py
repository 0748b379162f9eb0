"""baremetal test nccl waiting for node auto-provisioning: the vCPU quota is read for every size the
NodePool may launch for the test's pods (its requirements on size labels, at least the GPUs a pod
asks for), not only for the size of the nodes there now; a warning only where it holds none."""

from __future__ import annotations

from typing import Any

from akscli.baremetal import nccl_quota
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.compute import quota_name

from . import nodes as fx
from .conftest import add_nodes
from .growth import NO_RDMA
from .test_nccl_free_gpus import _holding

REGION = "eastus"
NC_H100 = "Standard_NC40ads_H100_v5"
# AKS's default NodePool's capacity type; with none, Karpenter may launch spot too, which the
# low-priority quota holds (test_nccl_quota_nodepool_offerings.py).
ON_DEMAND = {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]}


def _full_nap_nodes(
    emu: Any, arm: ArmEmulator, sizes: list[str], *, more: tuple[dict[str, Any], ...] = (), spot: bool = False
) -> None:
    """Two full one-GPU NC A100 nodes of NodePool gpu, whose requirements allow ``sizes`` (and
    ``more``); ``spot``: the nodes are spot VMs."""
    nodes = [fx.node(f"aks-gpu-{i}", size=fx.NC_A100, gpus=1, rdma_resource=None) for i in range(2)]
    for node in nodes:
        node["metadata"]["labels"].update({"karpenter.sh/nodepool": "gpu", "topology.kubernetes.io/region": REGION})
        if spot:
            node["metadata"]["labels"]["kubernetes.azure.com/scalesetpriority"] = "spot"
        node["spec"]["providerID"] = (
            f"azure:///subscriptions/{arm.subscription}/resourceGroups/mc_rg_c_eastus/providers/"
            f"Microsoft.Compute/virtualMachines/{node['metadata']['name']}"
        )
    add_nodes(emu, nodes)
    for i in range(2):
        _holding(emu, f"train-{i}", f"aks-gpu-{i}", 1)
    requirement = {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": sizes}
    emu.cluster.create(
        {
            "apiVersion": "karpenter.sh/v1",
            "kind": "NodePool",
            "metadata": {"name": "gpu"},
            "spec": {
                "limits": {"nvidia.com/gpu": "16"},
                "template": {
                    "spec": {
                        "nodeClassRef": {"group": "karpenter.azure.com", "kind": "AKSNodeClass", "name": "gpu"},
                        "requirements": [requirement, *more],
                    }
                },
            },
        }
    )


def _no_quota_for(arm: ArmEmulator, size: str) -> None:
    arm.quota_limits[(REGION, quota_name(size).lower())] = 0


def test_a_nodepool_that_may_launch_a_size_the_quota_holds_runs_without_a_quota_warning(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: "the subscription's vCPU quota may not hold them", judged for the A100 size only.
    _full_nap_nodes(kube_emulator, azure_env, [fx.NC_A100, NC_H100])
    _no_quota_for(azure_env, fx.NC_A100)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", *NO_RDMA, "--dry-run=server")
    assert result.exit_code == 0, result
    assert "but NodePool gpu has room under its limits for another node" in result.stderr
    assert "quota" not in result.stderr


def test_a_nodepool_none_of_whose_sizes_the_quota_holds_warns_naming_them(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    _full_nap_nodes(kube_emulator, azure_env, [fx.NC_A100, NC_H100], more=(ON_DEMAND,))
    _no_quota_for(azure_env, fx.NC_A100)
    _no_quota_for(azure_env, NC_H100)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", *NO_RDMA, "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        f"the subscription's vCPU quota in {REGION} may hold none of the 2 size(s) NodePool gpu may launch for 2 "
        f"node(s): {fx.NC_A100} (over quota: needs 48 vCPUs, 0 free of the {quota_name(fx.NC_A100)} vCPU quota), "
        f"{NC_H100} (over quota:" in result.stderr
    )


def test_the_sizes_a_nodepool_may_launch_are_its_gpu_sizes_its_requirements_admit() -> None:
    gpu_count = {"key": "karpenter.azure.com/sku-gpu-count", "operator": "Gte", "values": ["8"]}
    zone = {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eastus-1"]}  # not judged
    sizes = nccl_quota.nodepool_sizes(nccl_quota.Launch("gpu", (gpu_count, zone), 8))
    assert fx.ND_H100 in sizes and "Standard_ND96asr_v4" in sizes
    assert fx.NC_A100 not in sizes


def test_a_size_the_pods_name_is_the_only_one_a_nodepool_may_launch() -> None:
    anything = {"key": "karpenter.azure.com/sku-gpu-count", "operator": "Gte", "values": ["1"]}
    launch = nccl_quota.Launch("gpu", (anything,), 8, size_pinned=fx.ND_H100)
    assert nccl_quota.nodepool_sizes(launch) == [fx.ND_H100]
