"""baremetal test nccl waiting for node auto-provisioning: each size the NodePool may launch is
judged as Karpenter judges an instance type: its architecture, then an offering (a zone and a
capacity type) the NodePool's requirements admit, then the quota of that capacity type (upstream:
kubernetes-sigs/karpenter 2266468 pkg/cloudprovider/types.go InstanceTypes.Compatible;
Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetypes.go createOfferings)."""

from __future__ import annotations

from typing import Any

from akscli.baremetal import nccl_quota
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.compute import quota_name

from . import nodes as fx
from .growth import NO_RDMA
from .test_nccl_quota_nodepool import NC_H100, REGION, _full_nap_nodes, _no_quota_for

SPOT_ONLY = {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]}
SIZES = [fx.NC_A100, NC_H100]


def _nccl() -> Any:
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", *NO_RDMA, "--dry-run=server")
    assert result.exit_code == 0, result
    return result


def test_an_arm64_nodepool_may_launch_none_of_the_gpu_sizes() -> None:
    arm64 = {"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]}
    assert nccl_quota.nodepool_sizes(nccl_quota.Launch("gpu", (arm64,), 1)) == []


def test_a_nodepool_whose_requirements_admit_no_gpu_size_warns_that_it_may_launch_none(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    _full_nap_nodes(
        kube_emulator, azure_env, SIZES, more=({"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]},)
    )
    assert (
        "NodePool gpu's requirements admit none of the NVIDIA GPU sizes akscli knows with 1 GPU(s) or more: node "
        "auto-provisioning may launch no node for the pods" in _nccl().stderr
    )


def test_a_size_offered_in_no_zone_the_nodepool_admits_is_not_counted(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: zones were not judged; the A100's quota held, so nothing was said.
    zone = {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [f"{REGION}-2"]}
    _full_nap_nodes(kube_emulator, azure_env, SIZES, more=(zone,))
    azure_env.sku_availability.update({size: {REGION: ["1"]} for size in SIZES})
    assert (
        f"may hold none of the 2 size(s) NodePool gpu may launch for 2 node(s): {fx.NC_A100} (no offering the "
        "NodePool's zone and capacity-type requirements admit (zones 1))" in _nccl().stderr
    )


def test_a_size_offered_in_an_admitted_zone_is_counted(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    zone = {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [f"{REGION}-2"]}
    _full_nap_nodes(kube_emulator, azure_env, SIZES, more=(zone,))
    azure_env.sku_availability.update({fx.NC_A100: {REGION: ["1"]}, NC_H100: {REGION: ["2"]}})
    assert "quota" not in _nccl().stderr


def test_a_spot_nodepool_is_held_to_the_spot_quota_not_the_familys(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: the family quotas were read for the NodePool's sizes, and both were short.
    _full_nap_nodes(kube_emulator, azure_env, SIZES, more=(SPOT_ONLY,))
    for size in SIZES:
        _no_quota_for(azure_env, size)
    assert "quota" not in _nccl().stderr


def test_a_spot_nodepool_whose_spot_quota_is_short_warns_for_every_size(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: nothing was said; the family quotas held.
    _full_nap_nodes(kube_emulator, azure_env, SIZES, more=(SPOT_ONLY,))
    azure_env.quota_limits[(REGION, "lowprioritycores")] = 0
    stderr = _nccl().stderr
    assert f"{fx.NC_A100} (over quota: needs 48 vCPUs, 0 free of the spot vCPU quota)" in stderr
    assert f"{NC_H100} (over quota: needs 80 vCPUs, 0 free of the spot vCPU quota)" in stderr


def test_a_spot_nodepools_other_sizes_are_judged_not_only_its_nodes_size(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: a spot pool's quota was read for its nodes' size (the A100) only, which held 48 vCPUs.
    _full_nap_nodes(kube_emulator, azure_env, SIZES, more=(SPOT_ONLY,), spot=True)
    azure_env.spot_incapable.add(fx.NC_A100.lower())
    azure_env.quota_limits[(REGION, "lowprioritycores")] = 48
    stderr = _nccl().stderr
    assert (
        f"{fx.NC_A100} (no offering the NodePool's zone and capacity-type requirements admit (zones 1, 2, 3, no spot))"
        in stderr
    )
    assert f"{NC_H100} (over quota: needs 80 vCPUs, 48 free of the spot vCPU quota)" in stderr


def test_a_nodepool_that_admits_both_capacity_types_needs_either_quota(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    both = {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot", "on-demand"]}
    _full_nap_nodes(kube_emulator, azure_env, [fx.NC_A100], more=(both,))
    _no_quota_for(azure_env, fx.NC_A100)
    assert "quota" not in _nccl().stderr
    azure_env.quota_limits[(REGION, "lowprioritycores")] = 0
    assert (
        f"{fx.NC_A100} (over quota: needs 48 vCPUs, 0 free of the {quota_name(fx.NC_A100)} vCPU quota; over quota: "
        "needs 48 vCPUs, 0 free of the spot vCPU quota)" in _nccl().stderr
    )
