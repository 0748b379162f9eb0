"""Karpenter's disruption of a drifted NodeClaim and its terminationGracePeriod (kubernetes-sigs/karpenter
v1.14.0 pkg/controllers/disruption/drift.go, types.go NewCandidate, queue.go StartCommand;
tests/emulators/kube/controllers/karpenter_disruption.py)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import now_iso, wait_until
from tests.emulators.kube.controllers.karpenter_disruption import candidate_error
from tests.kube_emulator.test_disruption_budgets import budget, counts
from tests.kube_emulator.test_karpenter import H100, emu, gpu_app, gpu_pool, running_on
from tests.kube_emulator.test_karpenter_drain import bound, events
from tests.kube_emulator.test_karpenter_termination import CLAIMS, conditions
from tests.kube_emulator.test_scheduling import node, seed

__all__ = ["emu"]  # the fixture
DND = {"karpenter.sh/do-not-disrupt": "true"}


def claim_on_n(grace: str | None = None) -> dict[str, Any]:
    """A drifted, initialized NodeClaim of node n (as the API returns it; not stored)."""
    cond = [
        {"type": t, "status": "True", "reason": t, "lastTransitionTime": now_iso()} for t in ("Initialized", "Drifted")
    ]
    spec = {"terminationGracePeriod": grace} if grace else {}
    return {"metadata": {"name": "c"}, "spec": spec, "status": {"nodeName": "n", "conditions": cond}}


def test_a_pod_blocks_a_drifted_node_only_where_its_nodeclaim_has_no_termination_grace_period(
    kube_emulator: KubeEmulator,
) -> None:
    # v1.14.0 types.go NewCandidate: EventualDisruptionClass with spec.terminationGracePeriod ignores
    # ValidatePodsDisruptable's PodBlockEvictionError (statenode.go), never ValidateNodeDisruptable's
    seed(kube_emulator, node("n", labels={"karpenter.sh/nodepool": "gpu"}))
    bound(kube_emulator, "p", metadata={"annotations": DND})
    c = kube_emulator.cluster
    assert candidate_error(c, claim_on_n()) == 'Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=default/p)'
    assert candidate_error(c, claim_on_n("1h")) is None
    assert candidate_error(c, claim_on_n("1h"), eventual=False) is not None  # consolidation: graceful
    c.patch("v1", "Pod", "default", "p", {"metadata": {"annotations": None, "labels": {"app": "p"}}})
    c.create(budget("p", "p", minAvailable=1))
    assert wait_until(lambda: counts(kube_emulator, "p") == (1, 1, 1, 0))
    assert candidate_error(c, claim_on_n()) == "Pdb prevents pod evictions (PodDisruptionBudget=[default/p])"


def test_a_finished_pod_a_budget_covers_does_not_block_a_drifted_node(kube_emulator: KubeEmulator) -> None:
    # v1.14.0 pkg/utils/pdb/pdb.go isEvictable looks at no budget for a pod that is not IsEvictable
    # (pkg/utils/pod/scheduling.go: IsActive, so a Succeeded or Failed pod is passed over)
    seed(kube_emulator, node("n", labels={"karpenter.sh/nodepool": "gpu"}))
    bound(kube_emulator, "p", metadata={"labels": {"app": "p"}})
    c = kube_emulator.cluster
    c.patch_status("v1", "Pod", "default", "p", {"phase": "Succeeded"})
    c.create(budget("p", "p", minAvailable=1))
    assert wait_until(lambda: counts(kube_emulator, "p")[3] == 0)
    assert candidate_error(c, claim_on_n()) is None
    assert candidate_error(c, claim_on_n("1h")) is None
    c.patch("v1", "Node", None, "n", {"metadata": {"annotations": DND}})
    said = 'Disruption is blocked through the "karpenter.sh/do-not-disrupt" annotation'
    assert candidate_error(c, claim_on_n("1h")) == said


def test_a_drifted_nodeclaim_with_a_termination_grace_period_is_disrupted_though_its_pod_is_do_not_disrupt(
    emu: KubeEmulator,
) -> None:
    # v1.14.0 drift.go (eventual), queue.go markDisrupted (the taint, DisruptionReason Drifted) and
    # waitOrTerminate (the delete, disruptionevents.Terminating); the node's drain then waits for the
    # NodeClaim's termination time (karpenter_termination, karpenter_drain)
    emu.nap.termination.requeue = 0.05
    pool = gpu_pool("gpu", [H100])
    pool["spec"]["template"]["spec"]["terminationGracePeriod"] = "1h"
    emu.cluster.create(pool)
    app = gpu_app("llm", H100)
    app["spec"]["template"]["metadata"]["annotations"] = dict(DND)
    emu.cluster.create(app)
    name = running_on(emu, "llm")
    [claim] = emu.cluster.list(*CLAIMS)
    claim_name = claim["metadata"]["name"]
    drifted = {"type": "Drifted", "status": "True", "reason": "Drifted", "lastTransitionTime": now_iso()}
    emu.cluster.patch_status(*CLAIMS, None, claim_name, {"conditions": [*claim["status"]["conditions"], drifted]})
    # waitOrTerminate publishes the events after the delete: wait for the last of them
    said = ("Normal", "DisruptionTerminating", "Disrupting NodeClaim: Drifted")
    assert wait_until(lambda: said in events(emu, claim_name, None))
    assert ("Normal", "DisruptionTerminating", "Disrupting Node: Drifted") in events(emu, name, None)
    held = emu.cluster.get(*CLAIMS, None, claim_name)
    assert held is not None and held["metadata"]["deletionTimestamp"]  # its node's drain holds it
    assert conditions(held)["DisruptionReason"] == ("True", "Drifted")
    n = emu.cluster.get("v1", "Node", None, name) or {}
    assert {"key": "karpenter.sh/disrupted", "effect": "NoSchedule"} in n["spec"]["taints"]
    assert emu.controllers.errors == []
