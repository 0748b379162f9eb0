"""Whether node auto-provisioning makes a node for a pinned deploy's pods, as Karpenter decides it:
the size's allocatable (capacity less kube-reserved and eviction, Azure's provider's formulas), the
DaemonSets that would run on the node, and the NodePool's Gt/Lt/Gte/Lte bounds and minValues
(akscli.nap.fit, akscli.nap.admit.admits_size, akscli.model.cluster_fit)."""

from __future__ import annotations

from typing import Any

from akscli import node_room
from akscli.nap import admit as nap_admit
from akscli.nap import fit as nap_fit
from tests.cli import invoke
from tests.kube_emulator.test_karpenter_allocatable import daemonset
from tests.model.test_nap_gpu_pool import Start, nap_lab, text

T4 = "Standard_NC4as_T4_v3"
NC8_T4 = "Standard_NC8as_T4_v3"
A100 = "Standard_NC24ads_A100_v4"
MI, GI = 1 << 20, 1 << 30


def test_allocatable_is_capacity_less_kube_reserved_and_eviction_as_azures_provider_computes_it() -> None:
    # upstream: karpenter-provider-azure instancetype.go: 220Gi less 7.5%; kube-reserved cpu 340m,
    # memory 11.16 GiB (11427Mi); eviction 750Mi; pods 250 and ephemeral-storage 128G, the
    # defaults of a class that sets neither on Azure CNI Overlay (test_nap_fit_pods.py)
    capacity = 220 * GI - 220 * GI * 75 // 1000
    assert nap_fit.allocatable(A100) == {
        "cpu": 23660,
        "memory": capacity - (11427 + 750) * MI,
        "nvidia.com/gpu": 1,
        "pods": 250,
        "ephemeral-storage": 128 * 10**9,
    }


def deploy_t4(model_emulator: Start, size: str, setup: Any = None) -> str:
    emu = nap_lab(model_emulator)
    if setup is not None:
        setup(emu)
    added = invoke("nodepool", "add", "gpu", "--auto-provision", "--gpu", "t4", "-y")
    assert added.exit_code == 0, text(added)
    result = invoke("model", "deploy", "phi-4-mini-instruct", "--runtime", "vllm", "--vm-size", size, "-y")
    assert result.exit_code == 0, text(result)
    return text(result)


def test_a_t4_deploys_pod_fits_karpenters_allocatable_so_nap_makes_its_node(model_emulator: Start) -> None:
    # Karpenter counts 21.85 GiB for pods on Standard_NC4as_T4_v3; akscli's vLLM pod asks 19Gi
    # (model.runtime_values.pod_share, akscli.node_room), not 80% of 28 GiB (22Gi, which Karpenter
    # refused: "no instance type has enough resources").
    out = deploy_t4(model_emulator, T4)
    assert f"node auto-provisioning makes a {T4} node for them (NodePool gpu)" in " ".join(out.split())


def test_a_pod_over_karpenters_allocatable_is_not_capacity_on_demand(model_emulator: Start) -> None:
    # 21.85 GiB for pods on Standard_NC4as_T4_v3; a DaemonSet tolerating every taint asks 3Gi
    # beside the vLLM pod's 19Gi
    out = deploy_t4(model_emulator, T4, lambda emu: emu.cluster.create(daemonset("agent", "100m", "3Gi")))
    assert "node auto-provisioning makes" not in out
    assert (
        f"node auto-provisioning has no room for them on a new {T4} node: NodePool gpu admits the size, but "
        "Karpenter counts 21.8Gi of memory for pods on it (its capacity less kube-reserved and eviction) and the "
        "pods ask 19Gi and 1 DaemonSet pod(s) that would run there 3Gi; the pods stay Pending"
    ) in " ".join(out.split())


def test_the_daemonsets_that_would_run_on_the_node_count_against_its_room(model_emulator: Start) -> None:
    # NC8as_T4_v3: 46.07 GiB for pods, the vLLM pod asks 44Gi; a DaemonSet tolerating every taint
    # asks 2.5Gi more (karpenter scheduler.go buildDaemonOverheadGroups, isDaemonPodCompatible)
    out = deploy_t4(model_emulator, NC8_T4, lambda emu: emu.cluster.create(daemonset("agent", "100m", "2560Mi")))
    assert (
        "Karpenter counts 46.1Gi of memory for pods on it (its capacity less kube-reserved and eviction) and the "
        "pods ask 44Gi and 1 DaemonSet pod(s) that would run there 2.5Gi"
    ) in " ".join(out.split())


def test_a_daemonset_that_does_not_tolerate_the_gpu_taint_leaves_the_node_capacity_on_demand(
    model_emulator: Start,
) -> None:
    setup = lambda emu: emu.cluster.create(daemonset("agent", "100m", "2560Mi", tolerate_all=False))  # noqa: E731
    out = deploy_t4(model_emulator, NC8_T4, setup)
    assert f"node auto-provisioning makes a {NC8_T4} node for them (NodePool gpu)" in " ".join(out.split())


def _pool(*requirements: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"template": {"spec": {"requirements": list(requirements)}}}}


def test_a_gte_bound_the_size_is_below_refuses_it() -> None:
    # upstream: karpenter requirement.go (Gte, Lte; Gt N is Gte N+1), the NodePool CRD's operators
    gpus = {"key": "karpenter.azure.com/sku-gpu-count", "operator": "Gte", "values": ["2"]}
    assert not nap_admit.admits_size(_pool(gpus), T4, 1)
    assert nap_admit.admits_size(_pool({**gpus, "operator": "Lte"}), T4, 1)


def test_gt_and_lt_are_strict_bounds() -> None:
    cpu = {"key": "karpenter.azure.com/sku-cpu", "operator": "Gt", "values": ["4"]}
    assert not nap_admit.admits_size(_pool(cpu), T4, 1)
    assert nap_admit.admits_size(_pool({**cpu, "values": ["3"]}), T4, 1)
    assert not nap_admit.admits_size(_pool({**cpu, "operator": "Lt"}), T4, 1)


def test_min_values_above_one_on_a_size_label_refuses_pods_pinned_to_one_size() -> None:
    # upstream: karpenter cloudprovider/types.go SatisfiesMinValues over the one instance type the
    # pinned pod leaves; nodeclaim.go filterInstanceTypesByRequirements (Strict by default)
    sizes = {"key": "karpenter.azure.com/sku-name", "operator": "In", "values": [T4, NC8_T4], "minValues": 2}
    assert not nap_admit.admits_size(_pool(sizes), T4, 1)
    assert nap_admit.admits_size(_pool({**sizes, "minValues": 1}), T4, 1)


def test_the_daemonsets_are_one_paginated_list_of_the_cluster_read_once(model_emulator: Start) -> None:
    # upstream: karpenter provisioner.go getDaemonSetPods lists every DaemonSet; akscli reads them
    # once, in pages of 500, only where a NodePool admits the size (the second pool here does too)
    emu = nap_lab(model_emulator)
    for name in ("gpu", "gpu2"):
        assert invoke("nodepool", "add", name, "--auto-provision", "--gpu", "t4", "-y").exit_code == 0
    with emu._log_lock:
        emu.request_log.clear()
    result = invoke("model", "deploy", "phi-4-mini-instruct", "--runtime", "vllm", "--vm-size", T4, "-y")
    assert result.exit_code == 0, text(result)
    reads = [r for r in emu.requests(method="GET") if r.path.endswith("/daemonsets")]
    assert [(r.path, r.query.get("limit")) for r in reads] == [("/apis/apps/v1/daemonsets", ["500"])]


def test_a_pod_karpenter_has_room_for_but_the_kubelet_of_aks_has_not_is_said_to_stay_pending_on_the_new_node(
    model_emulator: Start,
) -> None:
    # Standard_NC4as_T4_v3 (28 GiB): Karpenter counts 21.85 GiB for pods (its tax brackets and
    # 750Mi), the node's kubelet 20.87 GiB (AKS 1.29+: 20 MB x 250 pods + 50 MB and 100Mi, as managed
    # NAP's bootstrappingclient mode leaves it); the vLLM pod's 19Gi with a 2Gi DaemonSet fits the first
    out = deploy_t4(model_emulator, T4, lambda emu: emu.cluster.create(daemonset("agent", "100m", "2Gi")))
    said = " ".join(out.split())
    assert "node auto-provisioning makes a" in said and "(NodePool gpu: Karpenter counts room for them on it)" in said
    assert (
        "but its kubelet leaves pods 20.9Gi of memory (AKS's kube-reserved memory for 250 pods and its 100Mi "
        "eviction threshold, from the VM's memory less 7.5% as Karpenter estimates it) and the pods ask 19Gi and 1 "
        "DaemonSet pod(s) that would run there 2Gi; unless the node's kernel reports more memory than that estimate, "
        "the new node cannot hold them all"
    ) in said


def test_the_kubelet_count_is_aks_for_the_class_max_pods_and_refuses_only_past_it() -> None:
    # AKS reserves min(20 MB x maxPods + 50 MB, 25%): 30 pods on a class leave the T4 node 4.4 GiB more
    pool = {"metadata": {"name": "gpu"}, "spec": {"template": {"spec": {}}}}
    asks = {"cpu": 1000, "memory": 21 * GI}
    assert node_room.kubelet_shortfall(pool, T4, asks, []) is not None
    assert node_room.kubelet_shortfall(pool, T4, asks, [], {"spec": {"maxPods": 30}}) is None
    assert node_room.kubelet_shortfall(pool, T4, {**asks, "memory": 20 * GI}, []) is None
