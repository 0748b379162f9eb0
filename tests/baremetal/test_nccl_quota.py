"""baremetal test nccl where every GPU node is full and the pool could grow: the subscription's vCPU
quota is read (Compute usages, as the ARM emulator answers it) before a node is promised. A scale
set the quota cannot grow refuses the run; a NodePool only warns (it may pick another size); no
sign-in warns that the quota was not checked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.compute import quota_name, vcpus_of

from . import nodes as fx
from .conftest import add_nodes
from .growth import NO_RDMA, VMSS
from .growth import autoscaler_status as _autoscaler_status
from .growth import in_scale_set as _in_scale_set
from .test_nccl_free_gpus import _holding
from .test_nccl_growth import _nap_pool

REGION = "eastus"
FAMILY = quota_name(fx.ND_H100)


def _full_scale_set_in(emu: Any, *, spot: bool = False) -> None:
    nodes = [_in_scale_set(f"aks-gpu-{i}", i) for i in range(2)]
    for node in nodes:
        node["metadata"]["labels"]["topology.kubernetes.io/region"] = REGION  # cloud-provider-azure's
        if spot:
            node["metadata"]["labels"]["kubernetes.azure.com/scalesetpriority"] = "spot"
    add_nodes(emu, nodes)
    for i in range(2):
        _holding(emu, f"train-{i}", f"aks-gpu-{i}", 8)


def _quota_left(arm: ArmEmulator, nodes: int) -> None:
    """The family's vCPU quota in the region holds ``nodes`` more nodes of the size, no more."""
    arm.quota_limits[(REGION, FAMILY.lower())] = 2 * vcpus_of(fx.ND_H100) + nodes * vcpus_of(fx.ND_H100)
    arm.quota_used[(REGION, FAMILY.lower())] = 2 * vcpus_of(fx.ND_H100)


def _usage_reads(arm: ArmEmulator) -> int:
    return sum(1 for e in arm.request_log if e.path.rstrip("/").endswith(f"/locations/{REGION}/usages"))


def test_a_scale_set_the_quota_can_grow_runs_with_a_warning(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    _full_scale_set_in(kube_emulator)
    _autoscaler_status(kube_emulator, target=2, maximum=4)
    _quota_left(azure_env, 2)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert f"but the cluster autoscaler can grow {VMSS} from 2 to 4 node(s)\n" in result.stderr
    assert "quota" not in result.stderr
    assert _usage_reads(azure_env) == 1


def test_a_scale_set_the_quota_cannot_grow_is_refused(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: the warning promised the nodes; the scale-up then failed QuotaExceeded, and the pods
    # waited until the timeout.
    _full_scale_set_in(kube_emulator)
    _autoscaler_status(kube_emulator, target=2, maximum=4)
    _quota_left(azure_env, 1)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    need, free = 2 * vcpus_of(fx.ND_H100), vcpus_of(fx.ND_H100)
    assert (
        f"and the cluster autoscaler can grow {VMSS} from 2 to 4 node(s), but 2 more {fx.ND_H100} node(s): needs "
        f"{need} vCPUs (2 x {fx.ND_H100}, {free} each) but the {FAMILY} vCPU quota in {REGION} has {free} free"
        in result.stderr
    )
    assert f"hint: request a limit of at least {2 * free + need} for {FAMILY} in {REGION}" in result.stderr


def test_a_nodepool_whose_pods_name_their_size_is_refused_where_the_quota_cannot_hold_it(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: a warning ("node auto-provisioning may pick another size"); the pods' node selector names
    # the size (NCCL's topology file), so Karpenter could launch no other, and they waited.
    _nap_pool(kube_emulator, limit="32", used="16", subscription=azure_env.subscription)
    _quota_left(azure_env, 0)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", *NO_RDMA, "--dry-run=server")
    assert result.exit_code == 8, result
    assert (
        f"and NodePool gpu has room under its limits for another node, but 2 more {fx.ND_H100} node(s): needs"
        in result.stderr
    )


def test_without_an_azure_sign_in_the_quota_is_said_not_checked(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("AKSCLI_TRY_IMDS", "0")
    monkeypatch.setenv("PATH", "/nonexistent")  # no az, no azd
    _full_scale_set_in(kube_emulator)
    _autoscaler_status(kube_emulator, target=2, maximum=4)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        f"can grow {VMSS} from 2 to 4 node(s); the subscription's vCPU quota was not checked (no Azure credential found"
        in result.stderr
    )


def test_nodes_without_a_region_label_are_said_not_checked(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [_in_scale_set(f"aks-gpu-{i}", i) for i in range(2)])
    for i in range(2):
        _holding(kube_emulator, f"train-{i}", f"aks-gpu-{i}", 8)
    _autoscaler_status(kube_emulator, target=2, maximum=4)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "the subscription's vCPU quota was not checked (the nodes carry no topology.kubernetes.io/region label)" in (
        result.stderr
    )


def test_a_spot_scale_set_is_held_to_the_spot_quota(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    # AKS labels a spot pool's nodes kubernetes.azure.com/scalesetpriority=spot (MicrosoftDocs/
    # azure-aks-docs articles/aks/spot-node-pool.md); spot VMs count against lowPriorityCores.
    _full_scale_set_in(kube_emulator, spot=True)
    _autoscaler_status(kube_emulator, target=2, maximum=4)
    azure_env.quota_limits[(REGION, "lowprioritycores")] = 0
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert f"but the spot vCPU quota in {REGION} has 0 free" in result.stderr
