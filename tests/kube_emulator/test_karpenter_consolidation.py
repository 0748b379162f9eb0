"""Karpenter's single-node consolidation: a WhenEmptyOrUnderutilized pool's node whose pods fit on the other
nodes is deleted, or replaced by one cheaper node, for the reason Underutilized; a WhenEmpty pool's busy node is
told why not
(kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption/consolidation.go, singlenodeconsolidation.go,
validation.go; tests/emulators/kube/controllers/karpenter_consolidation.py)."""

from __future__ import annotations

from typing import Any

from akscli.nap import claims as nap_claims
from akscli.nap import nodepool as nap_nodepool
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, pods, running_on
from tests.kube_emulator.test_karpenter_drain import events
from tests.kube_emulator.test_karpenter_emptiness import DND
from tests.kube_emulator.test_karpenter_termination import CLAIMS, conditions

__all__ = ["emu"]  # the fixture
ND96 = "Standard_ND96isr_H100_v5"  # 8 GPUs
POLICY = "WhenEmptyOrUnderutilized"


def two_nodes(
    emu: KubeEmulator, policy: str = POLICY, body: dict[str, Any] | None = None, **disruption: Any
) -> tuple[str, str]:
    """Pool ``gpu`` (``body``, or one of H100 and ND96 with ``policy``): app ``small`` (1 GPU, any size) alone
    on a 1-GPU node, app ``big`` (1 GPU, pinned) on an 8-GPU node where ``small`` would fit: (small's node,
    big's node)."""
    emu.nap.disruption.polling = 0.05
    if body is None:
        body = gpu_pool("gpu", [H100, ND96])
        body["spec"]["disruption"] = {"consolidationPolicy": policy, "consolidateAfter": "10m", **disruption}
    emu.cluster.create(body)
    emu.cluster.create(gpu_app("small"))
    small = running_on(emu, "small")
    emu.cluster.create(gpu_app("big", ND96))
    big = running_on(emu, "big")
    assert small != big
    # both pods' binding stamped before the clock moves (a later stamp would read the moved clock)
    assert wait_until(lambda: all(c["status"].get("lastPodEventTime") for c in emu.cluster.list(*CLAIMS)))
    emu.controllers.idle()
    return small, big


def claim_of(emu: KubeEmulator, node: str) -> dict[str, Any] | None:
    return next((c for c in emu.cluster.list(*CLAIMS) if c["status"].get("nodeName") == node), None)


def test_a_node_whose_pods_fit_elsewhere_is_deleted_as_underutilized_and_its_pod_moves(emu: KubeEmulator) -> None:
    # consolidation.go computeConsolidation: all pods schedule on the other nodes, a delete command;
    # validation.go after 15 s; queue.go StartCommand, no replacement
    small, big = two_nodes(emu)
    name = (claim_of(emu, small) or {})["metadata"]["name"]
    emu.nap.advance(10 * 60)
    assert wait_until(lambda: emu.nap.disruption.consolidation.pending is not None)
    assert emu.nap.disruption.consolidation.pending[0] == name  # the 8-GPU node's pod fits nowhere else
    emu.nap.advance(15)
    said = ("Normal", "DisruptionTerminating", "Disrupting NodeClaim: Underutilized")
    assert wait_until(lambda: said in events(emu, name, None))
    assert wait_until(lambda: emu.cluster.get("v1", "Node", None, small) is None, timeout=30)
    assert wait_until(lambda: [p["spec"].get("nodeName") for p in pods(emu, "small")] == [big], timeout=30)
    assert emu.cluster.get("v1", "Node", None, big) is not None
    assert emu.controllers.errors == []


def test_the_underutilized_node_carries_the_reason_underutilized(emu: KubeEmulator) -> None:
    # queue.go markDisrupted: DisruptionReason True, reason Underutilized (singlenodeconsolidation.go Reason)
    small, _ = two_nodes(emu)
    emu.nap.termination.requeue = 30.0  # the drain's next look held off: the deleted NodeClaim stays a while
    emu.nap.termination.min_drain = 30.0
    emu.nap.advance(10 * 60)
    assert wait_until(lambda: emu.nap.disruption.consolidation.pending is not None)
    emu.nap.advance(15)
    assert wait_until(lambda: conditions(claim_of(emu, small)).get("DisruptionReason") == ("True", "Underutilized"))
    # what `akscli nodepool show --auto-provision` writes of it while it terminates
    assert wait_until(lambda: (claim_of(emu, small) or {}).get("metadata", {}).get("deletionTimestamp"))
    state = nap_claims.claim_row(claim_of(emu, small) or {})["state"]
    assert state.startswith("terminating") and state.endswith(
        "(disrupted: Underutilized; its pods fit on other nodes or a cheaper one)"
    )


def test_a_when_empty_pools_busy_node_stays_and_is_told_why(emu: KubeEmulator) -> None:
    # consolidation.go ShouldDisrupt: Unconsolidatable "... has consolidation policy WhenEmpty, but node is not empty"
    small, _ = two_nodes(emu, "WhenEmpty")
    name = (claim_of(emu, small) or {})["metadata"]["name"]
    emu.nap.advance(10 * 60 + 15)
    said = ("Normal", "Unconsolidatable", 'NodePool "gpu" has consolidation policy WhenEmpty, but node is not empty')
    assert wait_until(lambda: said in events(emu, name, None))
    assert said in events(emu, small, None)
    assert emu.nap.disruption.consolidation.pending is None
    assert "DisruptionReason" not in conditions(claim_of(emu, small))


def test_a_budget_of_zero_for_underutilized_keeps_the_node(emu: KubeEmulator) -> None:
    # singlenodeconsolidation.go ComputeCommands: a candidate whose pool's budget is 0 is skipped
    small, _ = two_nodes(emu, budgets=[{"nodes": "0", "reasons": ["Underutilized"]}])
    emu.nap.advance(10 * 60 + 15)
    said = (
        "Normal",
        "DisruptionBlocked",
        "No allowed disruptions for disruption reason Underutilized due to blocking budget",
    )
    assert wait_until(lambda: said in events(emu, "gpu", None))
    assert emu.nap.disruption.consolidation.pending is None
    assert "DisruptionReason" not in conditions(claim_of(emu, small))


def test_a_do_not_disrupt_pod_keeps_its_underutilized_node(emu: KubeEmulator) -> None:
    # statenode.go ValidatePodsDisruptable; the graceful class ignores no PodBlockEvictionError (types.go NewCandidate)
    small, _ = two_nodes(emu)
    [pod] = pods(emu, "small")
    emu.cluster.patch("v1", "Pod", "default", pod["metadata"]["name"], {"metadata": {"annotations": DND}})
    emu.nap.advance(10 * 60 + 15)
    said = f'Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=default/{pod["metadata"]["name"]})'
    name = (claim_of(emu, small) or {})["metadata"]["name"]
    assert wait_until(lambda: ("Normal", "DisruptionBlocked", said) in events(emu, name, None))
    assert emu.nap.disruption.consolidation.pending is None
    assert "DisruptionReason" not in conditions(claim_of(emu, small))


def test_a_pod_that_arrives_during_the_validation_on_the_other_node_abandons_it(emu: KubeEmulator) -> None:
    # validation.go validateCommand: the simulation again; the pod no longer fits elsewhere, no command
    small, big = two_nodes(emu)
    emu.nap.advance(10 * 60)
    assert wait_until(lambda: emu.nap.disruption.consolidation.pending is not None)
    fill = gpu_app("fill", ND96, gpus=7)  # the 8-GPU node's other 7 GPUs
    emu.cluster.create(fill)
    assert running_on(emu, "fill") == big
    emu.nap.advance(15)
    assert wait_until(lambda: emu.nap.disruption.consolidation.pending is None)
    emu.controllers.idle()
    assert "DisruptionReason" not in conditions(claim_of(emu, small))
    assert emu.cluster.get("v1", "Node", None, small) is not None


def test_akscli_s_gpu_nodepool_keeps_a_model_node_whose_pod_would_fit_elsewhere(emu: KubeEmulator) -> None:
    # akscli's default (WhenEmpty, 10m): no underutilized consolidation moves a model server; a
    # WhenEmptyOrUnderutilized pool would delete the node (the first test)
    spec = nap_nodepool.NapPoolSpec.from_flags(name="gpu", vm_size=None, gpu="h100", gpus_per_node=None)
    [body] = [o for o in nap_nodepool.objects(spec) if o["kind"] == "NodePool"]
    assert ND96 in spec.sku_names and H100 in spec.sku_names
    small, _ = two_nodes(emu, body=body)
    name = (claim_of(emu, small) or {})["metadata"]["name"]
    emu.nap.advance(10 * 60 + 15)
    said = ("Normal", "Unconsolidatable", 'NodePool "gpu" has consolidation policy WhenEmpty, but node is not empty')
    assert wait_until(lambda: said in events(emu, name, None))
    emu.nap.advance(15)
    emu.controllers.idle()
    assert emu.nap.disruption.consolidation.pending is None
    assert "DisruptionReason" not in conditions(claim_of(emu, small))


def test_a_pinned_pod_s_node_cannot_be_replaced_with_a_cheaper_one(emu: KubeEmulator) -> None:
    # consolidation.go computeConsolidation: one new NodeClaim, no size of it cheaper than the candidate
    _, big = two_nodes(emu)
    emu.nap.advance(10 * 60)
    said = ("Normal", "Unconsolidatable", "Can't replace with a cheaper node")
    assert wait_until(lambda: said in events(emu, big, None))
    assert said in events(emu, (claim_of(emu, big) or {})["metadata"]["name"], None)


def test_a_pod_alone_on_a_bigger_node_moves_to_a_cheaper_replacement(emu: KubeEmulator) -> None:
    # computeConsolidation: one new NodeClaim of the sizes cheaper than the candidate (filterByPrice); queue.go
    # launches it, waits for it to initialize, then deletes the candidate
    emu.nap.disruption.polling = 0.05
    body = gpu_pool("gpu", [H100, ND96])
    body["spec"]["disruption"] = {"consolidationPolicy": POLICY, "consolidateAfter": "10m"}
    emu.cluster.create(body)
    emu.cluster.create(gpu_app("fill", ND96, gpus=7))
    big = running_on(emu, "fill")
    emu.cluster.create(gpu_app("small"))
    assert running_on(emu, "small") == big  # the scheduler puts it in the free GPU
    emu.cluster.patch("apps/v1", "Deployment", "default", "fill", {"spec": {"replicas": 0}})
    assert wait_until(lambda: not pods(emu, "fill"), timeout=30)
    emu.controllers.idle()
    name = (claim_of(emu, big) or {})["metadata"]["name"]
    emu.nap.advance(10 * 60)
    assert wait_until(lambda: emu.nap.disruption.consolidation.pending is not None)
    [(_, cheaper, _)] = emu.nap.disruption.consolidation.pending[2]
    assert cheaper[0]["metadata"]["labels"]["node.kubernetes.io/instance-type"] == H100  # the cheapest first
    emu.nap.advance(15)
    said = ("Normal", "DisruptionTerminating", "Disrupting NodeClaim: Underutilized")
    assert wait_until(lambda: said in events(emu, name, None), timeout=30)
    assert wait_until(lambda: emu.cluster.get("v1", "Node", None, big) is None, timeout=30)
    moved = running_on(emu, "small")
    assert (emu.cluster.get("v1", "Node", None, moved) or {})["metadata"]["labels"][
        "node.kubernetes.io/instance-type"
    ] == H100
    assert emu.controllers.errors == []
