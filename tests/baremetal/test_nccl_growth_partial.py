"""baremetal test nccl with fewer free GPU nodes than pods: the pods beyond the free nodes wait for
new ones, so the run goes ahead only where the pool can grow by that many (the cluster
autoscaler's room, then the subscription's vCPU quota for those nodes), as where no node is free."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.compute import quota_name, vcpus_of

from . import nodes as fx
from .conftest import add_nodes
from .growth import VMSS, autoscaler_status, in_scale_set
from .test_nccl_free_gpus import _holding, node_names

REGION = "eastus"
FAMILY = quota_name(fx.ND_H100)


def _one_free_of_two(emu: Any, *, region: bool = False) -> None:
    """A scale set of two GPU nodes, aks-gpu-0's GPUs all held, aks-gpu-1's free."""
    nodes = [in_scale_set(f"aks-gpu-{i}", i) for i in range(2)]
    for node in nodes if region else []:
        node["metadata"]["labels"]["topology.kubernetes.io/region"] = REGION
    add_nodes(emu, nodes)
    _holding(emu, "train-0", "aks-gpu-0", 8)


def _quota_left(arm: ArmEmulator, nodes: int) -> None:
    arm.quota_limits[(REGION, FAMILY.lower())] = (2 + nodes) * vcpus_of(fx.ND_H100)
    arm.quota_used[(REGION, FAMILY.lower())] = 2 * vcpus_of(fx.ND_H100)


def test_the_pods_beyond_the_free_nodes_wait_where_the_autoscaler_can_grow_the_pool(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    _one_free_of_two(kube_emulator)
    autoscaler_status(kube_emulator, target=2, maximum=3)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert (
        f"warning: 1 GPU node(s) can take a test pod and 2 are asked for, but the cluster autoscaler can grow {VMSS} "
        "from 2 to 3 node(s)" in result.stderr
    )
    assert node_names(result.stdout, "NotIn") == ["aks-gpu-0"]


def test_fewer_free_nodes_than_pods_in_a_pool_at_the_autoscalers_maximum_is_refused(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: a warning, and the second pod waited for a node that never came, until the timeout.
    _one_free_of_two(kube_emulator)
    autoscaler_status(kube_emulator, target=2, maximum=2)
    kube_emulator.request_log.clear()
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    [line, hint] = result.stderr.strip().splitlines()[-2:]
    assert line == (
        f"error: only 1 of the 2 GPU node(s) of size {fx.ND_H100} can take a test pod with 8 GPU(s), and 2 are "
        f"asked for: aks-gpu-0 (8 of 8 GPUs in use) ({VMSS} is at the cluster autoscaler's maximum (2 node(s)))"
    )
    assert hint.endswith("; or test 1 node(s): --nodes 1")
    assert kube_emulator.requests(method="POST") == []


def test_fewer_free_nodes_than_pods_without_an_autoscaler_is_refused(kube_emulator: Any, kubeconfig: Any) -> None:
    _one_free_of_two(kube_emulator)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert "(no cluster autoscaler status (kube-system/cluster-autoscaler-status) says" in result.stderr


def test_the_autoscalers_room_is_judged_for_the_pods_beyond_the_free_nodes(kube_emulator: Any, kubeconfig: Any) -> None:
    # 3 pods, 1 free node: 2 new nodes are needed and the scale set can add 1.
    _one_free_of_two(kube_emulator)
    autoscaler_status(kube_emulator, target=2, maximum=3)
    result = invoke("baremetal", "test", "nccl", "--nodes", "3", "--dry-run=server")
    assert result.exit_code == 8, result
    assert f"(the cluster autoscaler can grow only {VMSS} from 2 to 3 node(s), and 2 new node(s) are needed)" in (
        result.stderr
    )


def test_the_quota_is_read_for_the_nodes_the_pods_beyond_the_free_ones_wait_for(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    # Before: no quota was read with a node free; the scale-up failed QuotaExceeded and the pod waited.
    _one_free_of_two(kube_emulator, region=True)
    autoscaler_status(kube_emulator, target=2, maximum=4)
    _quota_left(azure_env, 0)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    assert (
        f"1 GPU node(s) can take a test pod and 2 are asked for, and the cluster autoscaler can grow {VMSS} from 2 "
        f"to 4 node(s), but 1 more {fx.ND_H100} node(s): needs {vcpus_of(fx.ND_H100)} vCPUs" in result.stderr
    )


def test_a_quota_that_holds_the_one_node_missing_lets_the_run_go(
    azure_env: ArmEmulator, kube_emulator: Any, kubeconfig: Any
) -> None:
    _one_free_of_two(kube_emulator, region=True)
    autoscaler_status(kube_emulator, target=2, maximum=4)
    _quota_left(azure_env, 1)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "quota" not in result.stderr
