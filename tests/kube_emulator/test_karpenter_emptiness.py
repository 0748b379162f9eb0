"""Karpenter's emptiness: a NodeClaim Consolidatable once consolidateAfter has passed since its last pod
event, and an empty one deleted within its NodePool's budget for the reason Empty (kubernetes-sigs/karpenter
v1.14.0 pkg/controllers/nodeclaim/podevents/controller.go, pkg/controllers/nodeclaim/disruption/
consolidation.go, pkg/controllers/disruption/emptiness.go, validation.go, queue.go;
tests/emulators/kube/controllers/karpenter_emptiness.py)."""

from __future__ import annotations

from typing import Any

from akscli.nap import claims as nap_claims
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.karpenter_emptiness import eviction_cost, is_empty
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, pods, running_on
from tests.kube_emulator.test_karpenter_drain import events
from tests.kube_emulator.test_karpenter_termination import CLAIMS, conditions

__all__ = ["emu"]  # the fixture
DND = {"karpenter.sh/do-not-disrupt": "true"}


def pool(after: str, **disruption: Any) -> dict[str, Any]:
    body = gpu_pool("gpu", [H100])
    body["spec"]["disruption"] = {"consolidationPolicy": "WhenEmpty", "consolidateAfter": after, **disruption}
    return body


def emptied(emu: KubeEmulator, after: str = "10m", **disruption: Any) -> tuple[str, str]:
    """A GPU node of pool ``gpu`` whose only pod has gone: (its NodeClaim, its node)."""
    emu.nap.disruption.polling = 0.05
    emu.cluster.create(pool(after, **disruption))
    emu.cluster.create(gpu_app("llm", H100))
    node = running_on(emu, "llm")
    [claim] = emu.cluster.list(*CLAIMS)
    emu.cluster.patch("apps/v1", "Deployment", "default", "llm", {"spec": {"replicas": 0}})
    assert wait_until(lambda: not pods(emu, "llm"), timeout=30)
    name = claim["metadata"]["name"]
    # the pod's last event stamped before a test moves the clock on (a later one would stamp the moved clock)
    assert wait_until(lambda: (emu.cluster.get(*CLAIMS, None, name) or {})["status"].get("lastPodEventTime"))
    emu.controllers.idle()
    return name, node


def claim(emu: KubeEmulator, name: str) -> dict[str, Any] | None:
    return emu.cluster.get(*CLAIMS, None, name)


def test_a_pod_leaving_sets_the_nodeclaims_last_pod_event_time(emu: KubeEmulator) -> None:
    # podevents/controller.go: a pod bound, going terminal or terminating stamps lastPodEventTime
    emu.cluster.create(pool("10m"))
    emu.cluster.create(gpu_app("llm", H100))
    running_on(emu, "llm")
    [c] = emu.cluster.list(*CLAIMS)

    def stamp() -> str:
        return str((claim(emu, c["metadata"]["name"]) or {})["status"].get("lastPodEventTime") or "")

    assert wait_until(stamp)  # the pod's binding
    bound = stamp()
    emu.controllers.idle()
    emu.nap.advance(60)  # past the 10 s dedupe
    emu.cluster.patch("apps/v1", "Deployment", "default", "llm", {"spec": {"replicas": 0}})
    assert wait_until(lambda: stamp() > bound)  # the pod's termination


def test_an_empty_nodeclaim_is_consolidatable_only_once_consolidate_after_has_passed(emu: KubeEmulator) -> None:
    # nodeclaim/disruption/consolidation.go: within consolidateAfter of the last pod event, no condition
    name, _ = emptied(emu, "10m")
    emu.nap.advance(9 * 60)
    assert not wait_until(lambda: "Consolidatable" in conditions(claim(emu, name)), timeout=0.5)
    emu.nap.advance(60)
    assert wait_until(lambda: conditions(claim(emu, name)).get("Consolidatable") == ("True", "Consolidatable"))


def test_an_empty_node_of_a_when_empty_pool_is_deleted_after_the_validation_delay(emu: KubeEmulator) -> None:
    # emptiness.go ComputeCommands, EmptinessValidator after 15 s, queue.go markDisrupted and
    # waitOrTerminate (no replacement: the NodeClaim deleted at once); karpenter_termination drains it
    name, node = emptied(emu, "10m")
    emu.nap.advance(10 * 60)
    assert wait_until(lambda: emu.nap.disruption.emptiness.pending is not None)
    assert claim(emu, name) is not None  # the validation waits 15 s of Karpenter's clock
    emu.nap.advance(15)
    said = ("Normal", "DisruptionTerminating", "Disrupting NodeClaim: Empty")
    assert wait_until(lambda: said in events(emu, name, None))
    assert ("Normal", "DisruptionTerminating", "Disrupting Node: Empty") in events(emu, node, None)
    assert wait_until(lambda: claim(emu, name) is None and emu.cluster.get("v1", "Node", None, node) is None)
    assert emu.controllers.errors == []


def test_the_disrupted_nodeclaim_carries_the_reason_empty_and_its_node_the_disrupted_taint(
    emu: KubeEmulator,
) -> None:
    # queue.go markDisrupted: the karpenter.sh/disrupted:NoSchedule taint, DisruptionReason Empty
    name, node = emptied(emu, "10m")
    emu.nap.termination.requeue = 30.0  # the drain's next look held off: the deleted NodeClaim stays a while
    emu.nap.termination.min_drain = 30.0
    emu.nap.advance(10 * 60)
    assert wait_until(lambda: emu.nap.disruption.emptiness.pending is not None)
    emu.nap.advance(15)
    assert wait_until(lambda: conditions(claim(emu, name)).get("DisruptionReason") == ("True", "Empty"))
    taints = (emu.cluster.get("v1", "Node", None, node) or {}).get("spec", {}).get("taints") or []
    assert {"key": "karpenter.sh/disrupted", "effect": "NoSchedule"} in taints
    # what `akscli nodepool show --auto-provision` writes of it while it terminates
    assert wait_until(lambda: (claim(emu, name) or {}).get("metadata", {}).get("deletionTimestamp"))
    state = nap_claims.claim_row(claim(emu, name) or {})["state"]
    assert state.startswith("terminating") and state.endswith("(disrupted: Empty; its node had no pods)")


def test_a_node_whose_pod_is_running_is_not_empty_and_stays(emu: KubeEmulator) -> None:
    # types.go IsEmpty: a reschedulable pod with a positive eviction cost
    emu.nap.disruption.polling = 0.05
    emu.nap.disruption.emptiness.validation_delay = 0.0
    emu.cluster.create(pool("0s"))
    emu.cluster.create(gpu_app("llm", H100))
    running_on(emu, "llm")
    [c] = emu.cluster.list(*CLAIMS)
    assert wait_until(lambda: "Consolidatable" in conditions(claim(emu, c["metadata"]["name"])))
    assert not wait_until(lambda: emu.nap.disruption.emptiness.pending is not None, timeout=0.5)
    assert "DisruptionReason" not in conditions(claim(emu, c["metadata"]["name"]))


def test_consolidate_after_never_leaves_an_empty_node(emu: KubeEmulator) -> None:
    # duration.go NillableDuration: Never is nil; consolidation.go clears Consolidatable
    name, _ = emptied(emu, "Never")
    emu.nap.advance(24 * 3600)
    assert not wait_until(lambda: "Consolidatable" in conditions(claim(emu, name)), timeout=0.5)
    assert claim(emu, name) is not None


def test_a_do_not_disrupt_node_is_blocked_not_deleted(emu: KubeEmulator) -> None:
    # statenode.go ValidateNodeDisruptable: the node's karpenter.sh/do-not-disrupt annotation;
    # types.go NewCandidate publishes DisruptionBlocked on node and NodeClaim
    name, node = emptied(emu, "10m")
    emu.cluster.patch("v1", "Node", None, node, {"metadata": {"annotations": DND}})
    emu.nap.advance(10 * 60 + 15)
    said = ("Normal", "DisruptionBlocked", 'Disruption is blocked through the "karpenter.sh/do-not-disrupt" annotation')
    assert wait_until(lambda: said in events(emu, name, None))
    assert emu.nap.disruption.emptiness.pending is None
    assert "DisruptionReason" not in conditions(claim(emu, name))


def test_a_budget_of_no_nodes_for_empty_blocks_the_deletion(emu: KubeEmulator) -> None:
    # helpers.go BuildDisruptionBudgetMapping for the reason Empty; events.go NodePoolBlockedForDisruptionReason
    name, _ = emptied(emu, "10m", budgets=[{"nodes": "0", "reasons": ["Empty"]}])
    emu.nap.advance(10 * 60 + 15)
    said = ("Normal", "DisruptionBlocked", "No allowed disruptions for disruption reason Empty due to blocking budget")
    assert wait_until(lambda: said in events(emu, "gpu", None))
    assert emu.nap.disruption.emptiness.pending is None
    assert "DisruptionReason" not in conditions(claim(emu, name))


def test_a_pod_arriving_during_the_validation_abandons_the_command(emu: KubeEmulator) -> None:
    # validation.go EmptinessValidator: the candidate is no longer empty after 15 s (pod churn)
    name, node = emptied(emu, "10m")
    emu.nap.advance(10 * 60)
    assert wait_until(lambda: emu.nap.disruption.emptiness.pending is not None)
    emu.cluster.patch("apps/v1", "Deployment", "default", "llm", {"spec": {"replicas": 1}})
    assert wait_until(lambda: any(p["spec"].get("nodeName") == node for p in pods(emu, "llm")), timeout=30)
    emu.nap.advance(15)
    assert wait_until(lambda: emu.nap.disruption.emptiness.pending is None)
    assert "DisruptionReason" not in conditions(claim(emu, name))
    assert emu.cluster.get("v1", "Node", None, node) is not None


def pod(priority: int | None = None, cost: str | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {"name": "p", "annotations": {"controller.kubernetes.io/pod-deletion-cost": cost}}
    return {"metadata": md if cost is not None else {"name": "p"}, "spec": {"priority": priority}}


def test_eviction_cost_is_upstreams_formula() -> None:
    # pkg/utils/disruption/disruption.go EvictionCost: 1 + cost/2^27 + priority/2^25, clamped to [-10, 10]
    assert eviction_cost(pod()) == 1.0
    assert eviction_cost(pod(priority=2**25)) == 2.0
    assert eviction_cost(pod(cost=str(2**27))) == 2.0
    assert eviction_cost(pod(priority=-(2**31))) == -10.0
    assert eviction_cost(pod(cost="x")) == 1.0  # ParseFloat's error is only logged


def test_a_node_whose_pods_all_cost_nothing_to_evict_is_empty() -> None:
    # types.go IsEmpty: RescheduleDisruptionCost (1 + the positive costs) at most 1
    assert is_empty([])
    assert is_empty([pod(priority=-(2**25))])
    assert not is_empty([pod()])
