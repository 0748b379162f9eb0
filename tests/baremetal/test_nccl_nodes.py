"""baremetal test nccl: which GPU nodes its pods may land on (tolerations, cordoned and not-ready
nodes, the RDMA resource the nodes offer), against the Kubernetes emulator's scheduler."""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli.baremetal import nccl
from akscli.kube import scheduling
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.gpu_pods import GpuPodController

from . import nodes as fx
from .conftest import add_nodes
from .growth import growable

# The taints the node lifecycle controller puts on a node whose Ready condition is False
# (kubernetes/kubernetes pkg/controller/nodelifecycle/node_lifecycle_controller.go).
NOT_READY_TAINTS = [
    {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"},
]


def _cordoned(name: str) -> dict[str, Any]:
    node = fx.node(name)
    node["spec"]["unschedulable"] = True
    node["spec"]["taints"].append({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"})
    return node


def _not_ready(name: str) -> dict[str, Any]:
    node = fx.node(name, ready=False)
    node["spec"]["taints"] += NOT_READY_TAINTS
    return node


def _pod_spec(**kw: Any) -> dict[str, Any]:
    spec = nccl.NcclSpec(
        name="nccl-ab12",
        namespace="default",
        nodes=2,
        gpus_per_node=8,
        image=nccl.DEFAULT_IMAGE,
        rdma_resource=nccl.DEFAULT_RDMA_RESOURCE,
        host_network=True,
        node_selector={},
        **kw,
    )
    job = nccl.objects(spec, run_id="ab12", keypair=nccl.DRY_RUN_KEYPAIR)[-1]
    return dict(job["spec"]["template"]["spec"])


def test_the_pod_tolerates_the_taints_aks_gpu_pools_carry() -> None:
    tolerations = scheduling.pod_tolerations(_pod_spec())
    gpu_pool = fx.node("aks-gpu-0")
    gpu_pool["spec"]["taints"].append({"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"})
    assert scheduling.untolerated_taints(gpu_pool, tolerations) == []


@pytest.mark.parametrize(
    "taint",
    [
        {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"},
        *NOT_READY_TAINTS,
        {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"},
        {"key": "dedicated", "value": "other-team", "effect": "NoSchedule"},
    ],
)
def test_the_pod_does_not_tolerate_a_cordon_a_bad_node_or_another_pools_taint(taint: dict[str, str]) -> None:
    tolerations = scheduling.pod_tolerations(_pod_spec())
    assert not any(scheduling.tolerates(t, taint) for t in tolerations)


def test_a_cordoned_or_not_ready_node_is_not_used_and_is_named(kube_emulator: Any, kubeconfig: Any) -> None:
    # One healthy node, one cordoned, one not ready: two pods asked for, so one waits, where before
    # both ran (the pod tolerated every taint and landed on the cordoned node).
    # The scale set can grow, so the second pod waits for a new node.
    pool = [fx.node("aks-gpu-0"), _cordoned("aks-gpu-1"), _not_ready("aks-gpu-2")]
    add_nodes(kube_emulator, growable(kube_emulator, pool))
    kube_emulator.controllers.add(GpuPodController())
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--timeout", "3s", "--keep")
    assert result.exit_code == 5, result
    assert (
        "warning: skipped 2 GPU node(s) the test pods cannot use: aks-gpu-1 (cordoned), aks-gpu-2 (not ready)"
        in result.stderr
    )
    assert "1 GPU node(s) can take a test pod and 2 are asked for" in result.stderr

    # Where each pod was bound, from the emulator's write history: the Job's activeDeadlineSeconds
    # (the run's --timeout) deletes its pods once the run has timed out (upstream:
    # kubernetes/kubernetes pkg/controller/job/job_controller.go, DeadlineExceeded deletes the
    # active pods), so a read of the pods after the run raced the Job controller (it failed so under
    # load). The controllers make and bind the pods on their own time: the check waits for the history.
    expected = ["None", "aks-gpu-0"]  # one pod on the healthy node, the other waiting
    assert wait_until(lambda: bindings(kube_emulator) == expected, timeout=30), bindings(kube_emulator)


def bindings(emu: Any) -> list[str]:
    """The node each pod in the default namespace was ever bound to ("None": never bound)."""
    nodes: dict[str, str | None] = {}
    for event in emu.api.store.events():
        if event.bucket == "/pods" and event.key.startswith("default/") and event.new is not None:
            node = (json.loads(event.new.raw).get("spec") or {}).get("nodeName")
            nodes[event.key] = nodes.get(event.key) or node
    return sorted(str(node) for node in nodes.values())


def test_a_pools_own_taint_is_named_and_tolerated_with_toleration(kube_emulator: Any, kubeconfig: Any) -> None:
    pool = [fx.node(f"aks-gpu-{i}") for i in range(2)]
    for node in pool:
        node["spec"]["taints"].append({"key": "dedicated", "value": "nccl", "effect": "NoSchedule"})
    add_nodes(kube_emulator, pool)
    kube_emulator.controllers.add(GpuPodController())
    refused = invoke("baremetal", "test", "nccl", "--nodes", "2", "--timeout", "2s")
    assert refused.exit_code == 8, refused  # no node can take a pod: refused up front (it waited before)
    assert "aks-gpu-0 (taint dedicated=nccl:NoSchedule)" in refused.stderr
    assert kube_emulator.requests(method="POST") == [] and kube_emulator.requests(method="PATCH") == []
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--toleration", "dedicated=nccl:NoSchedule")
    assert result.exit_code == 0, result
    assert "skipped" not in result.stderr


def test_a_toleration_that_is_not_a_taint_is_refused(kubeconfig: Any) -> None:
    result = invoke("baremetal", "test", "nccl", "--toleration", "dedicated=nccl", "--vm-size", fx.ND_H100)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "error: invalid --toleration 'dedicated=nccl': it is not key[=value]:Effect"


def test_an_rdma_resource_no_gpu_node_offers_is_refused_naming_the_ones_they_do(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # Azure's AKS InfiniBand setup names the resource rdma/shared_ib (Azure/aks-rdma-infiniband
    # configs/nicclusterpolicy/rdma-shared-device-plugin/rdma.yaml); akscli's default is the
    # Network Operator samples' name. Before, the pods waited for the timeout.
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}", rdma_resource="rdma/shared_ib") for i in range(2)])
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--timeout", "3s")
    assert result.exit_code == 2, result
    [line, hint] = result.stderr.strip().splitlines()[-2:]
    assert line == (
        "error: --rdma-resource rdma/rdma_shared_device_a: none of the 2 GPU node(s) of size "
        f"{fx.ND_H100} offers it; they offer rdma/shared_ib"
    )
    assert hint == "hint: pass --rdma-resource rdma/shared_ib"
    assert kube_emulator.requests(method="PATCH") == [] and kube_emulator.requests(method="POST") == []


def test_gpu_nodes_without_any_rdma_resource_say_how_to_get_one(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}", rdma_resource=None) for i in range(2)])
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 2, result
    assert "they offer no resource besides GPUs" in result.stderr
    assert "or pass --rdma-resource none" in result.stderr


def test_no_rdma_resource_is_checked_with_rdma_resource_none(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}", rdma_resource=None) for i in range(2)])
    kube_emulator.controllers.add(GpuPodController())
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--rdma-resource", "none")
    assert result.exit_code == 0, result


def test_no_gpu_node_yet_refuses_nothing(kube_emulator: Any, kubeconfig: Any) -> None:
    # A pool scaled to zero: the pods' wait is what makes the autoscaler add nodes.
    add_nodes(kube_emulator, [fx.cpu_node("aks-system-0")])
    result = invoke("baremetal", "test", "nccl", "--vm-size", fx.ND_H100, "--dry-run=server", "-o", "name")
    assert result.exit_code == 0, result
    assert "warning" not in result.stderr
