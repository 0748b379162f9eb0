"""baremetal test nccl on nodes whose GPUs the NVIDIA DRA driver runs: they advertise no
nvidia.com/gpu; with a DeviceClass mapping that name (the driver's ``gpu.nvidia.com`` class:
NVIDIA/k8s-dra-driver-gpu deviceclass-gpu.yaml) the test pods' nvidia.com/gpu get DRA GPUs, and
the GPUs allocated claims hold there are in use (akscli.gpu.held, the deploy fit check's read)."""

from __future__ import annotations

from typing import Any

from akscli.baremetal import nccl_nodes, nccl_pick
from tests.model.test_deploy_cluster_dra import gpu_class
from tests.ops.test_gpu_usage_dra import claim, dra_node, gpu_device, resource_slice


def dra_nodes(emu: Any, count: int) -> None:
    emu.cluster.create(gpu_class())
    emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    for i in range(count):
        node = dra_node(f"dra-{i}", "dra", "Standard_ND96isr_H100_v5")
        emu.cluster.create({"apiVersion": "v1", "kind": "Node", "metadata": node["metadata"]})
        emu.cluster.patch_status("v1", "Node", None, f"dra-{i}", node["status"])
        emu.cluster.create(resource_slice(f"dra-{i}", [gpu_device(g, f"dra-{i}") for g in range(8)]))


def hold(emu: Any, node: str, gpus: int) -> None:
    """A training pod bound to ``node`` holding ``gpus`` GPUs through a claim named in its spec."""
    held = claim("train-gpus", "team-a", node, [f"gpu-{g}" for g in range(gpus)])
    status = held.pop("status")
    emu.cluster.create(held)
    emu.cluster.patch_status("resource.k8s.io/v1", "ResourceClaim", "team-a", "train-gpus", status)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "train", "namespace": "team-a"},
        "spec": {
            "nodeName": node,
            "resourceClaims": [{"name": "gpus", "resourceClaimName": "train-gpus"}],
            "containers": [{"name": "train", "image": "train:v1", "resources": {"claims": [{"name": "gpus"}]}}],
        },
    }
    emu.cluster.create(pod)
    emu.cluster.patch_status("v1", "Pod", "team-a", "train", {"phase": "Running"})


def choose(kubeconfig: Any, wanted: int) -> tuple[nccl_pick.Choice, nccl_nodes.SizeNodes]:
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    nodes = nccl_nodes.SizeNodes(gpu_nodes=2, usable=2, candidates=[("dra-0", 0), ("dra-1", 0)])
    return nccl_pick.choose(kube, nodes, gpus_per_node=8, wanted=wanted), nodes


def test_dra_nodes_with_their_gpus_free_are_chosen(kube_emulator: Any, kubeconfig: Any) -> None:
    dra_nodes(kube_emulator, 2)
    choice, _ = choose(kubeconfig, 2)
    assert [name for name, _ in choice.chosen] == ["dra-0", "dra-1"]


def test_gpus_a_claim_holds_on_a_dra_node_are_in_use_and_the_node_is_named(kube_emulator: Any, kubeconfig: Any) -> None:
    dra_nodes(kube_emulator, 2)
    hold(kube_emulator, "dra-0", 2)
    choice, nodes = choose(kubeconfig, 1)
    assert [name for name, _ in choice.chosen] == ["dra-1"]
    assert nccl_nodes.skipped_line(nodes) is not None
    assert "dra-0 (2 of 8 GPUs in use)" in str(nccl_nodes.skipped_line(nodes))


def pick_then_recheck(kubeconfig: Any, emu: Any, late_hold: int) -> nccl_pick.Pins:
    """One DRA node picked of two, ``late_hold`` GPUs of it taken by a claim before the re-read."""
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    nodes = nccl_nodes.SizeNodes(gpu_nodes=2, usable=2, candidates=[("dra-0", 0), ("dra-1", 0)])
    want = nccl_pick.Want(gpus_per_node=8, wanted=1, where="GPU nodes", timeout_s=1800)
    pins = nccl_pick.pick(kube, nodes, want)
    assert pins.chosen == ["dra-0"]
    if late_hold:
        hold(emu, "dra-0", late_hold)
    return nccl_pick.recheck(kube, nodes, pins, want)


def test_the_re_read_keeps_a_dra_node_whose_gpus_are_still_free(kube_emulator: Any, kubeconfig: Any) -> None:
    dra_nodes(kube_emulator, 2)
    pins = pick_then_recheck(kubeconfig, kube_emulator, late_hold=0)
    assert (pins.chosen, pins.warnings) == (["dra-0"], [])


def test_the_re_read_counts_a_claim_made_meanwhile_on_a_chosen_dra_node(kube_emulator: Any, kubeconfig: Any) -> None:
    dra_nodes(kube_emulator, 2)
    pins = pick_then_recheck(kubeconfig, kube_emulator, late_hold=2)
    assert pins.chosen == ["dra-1"]
    assert pins.warnings == [
        "pods took the GPUs of 1 chosen node(s) before the test started: dra-0 (2 of 8 GPUs in use)"
    ]
