"""akscli.nap.nodepool.claim_row on a NodeClaim being deleted: its state is the termination step Karpenter
has reached, not "Ready" (upstream: kubernetes-sigs/karpenter 2266468
pkg/controllers/node/termination/controller.go; pkg/apis/v1/nodeclaim_status.go)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.nap.claims import claim_events, claim_row


def claim(*conditions: tuple[str, str], deleting: bool = True) -> dict[str, Any]:
    ready = [("Launched", "True"), ("Registered", "True"), ("Initialized", "True"), ("Ready", "True")]
    meta: dict[str, Any] = {"name": "gpu-x7k2p", "finalizers": ["karpenter.sh/termination"]}
    if deleting:
        meta["deletionTimestamp"] = "2026-12-06T09:00:00Z"
    rows = [{"type": t, "status": s, "reason": t} for t, s in [*ready, *conditions]]
    return {"metadata": meta, "status": {"nodeName": "aks-gpu-x7k2p", "conditions": rows}}


@pytest.mark.parametrize(
    ("conditions", "state"),
    [
        ((), "terminating"),
        ((("Drained", "Unknown"),), "terminating: draining"),
        ((("Drained", "True"), ("VolumesDetached", "Unknown")), "terminating: awaiting volume detachment"),
        ((("Drained", "True"), ("VolumesDetached", "True"), ("InstanceTerminating", "True")),
         "terminating: instance terminating"),
    ],
)  # fmt: skip
def test_a_terminating_nodeclaims_state_is_its_termination_step(conditions: Any, state: str) -> None:
    row = claim_row(claim(*conditions))
    assert row["state"] == state and row["ready"] == "True"


def test_a_ready_nodeclaim_not_deleted_is_ready() -> None:
    assert claim_row(claim(deleting=False))["state"] == "Ready"


@pytest.mark.parametrize(
    ("conditions", "stamp", "state"),
    [
        ((("Drained", "Unknown"),), "2026-12-06T10:00:00Z",
         "terminating: draining (pods deleted by 2026-12-06T10:00:00Z)"),
        ((("Drained", "Unknown"),), "2026-12-06T12:00:00+02:00",
         "terminating: draining (pods deleted by 2026-12-06T10:00:00Z)"),
        ((("Drained", "True"), ("VolumesDetached", "Unknown")), "2026-12-06T10:00:00Z",
         "terminating: awaiting volume detachment (until 2026-12-06T10:00:00Z)"),
        ((("Drained", "Unknown"),), "in an hour",
         "terminating: stuck, its karpenter.sh/nodeclaim-termination-timestamp in an hour is not an RFC 3339 time"),
        ((("Drained", "Unknown"),), "Bob's\\time\x1b[2J\n",  # plain; control characters escaped
         "terminating: stuck, its karpenter.sh/nodeclaim-termination-timestamp Bob's\\time\\x1b[2J\\n is not an "
         "RFC 3339 time"),
        ((("Drained", "Unknown"),), "",
         "terminating: stuck, its karpenter.sh/nodeclaim-termination-timestamp is empty, not an RFC 3339 time"),
    ],
)  # fmt: skip
def test_a_terminating_nodeclaims_termination_time_is_when_its_drain_ends(
    conditions: Any, stamp: str, state: str
) -> None:
    # kubernetes-sigs/karpenter v1.14.0 pkg/apis/v1/labels.go NodeClaimTerminationTimestampAnnotationKey;
    # controller.go nodeTerminationTime (time.Parse RFC3339), terminator.go DeleteExpiringPods
    row = claim(*conditions)
    row["metadata"]["annotations"] = {"karpenter.sh/nodeclaim-termination-timestamp": stamp}
    assert claim_row(row)["state"] == state


@pytest.mark.parametrize(
    ("conditions", "said", "state"),
    [
        ((("Drifted", "True"),), None, "Ready, drifted"),
        ((("Drifted", "True"),), 'Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=default/p)',
         'Ready, drifted; disruption blocked: Pod has "karpenter.sh/do-not-disrupt" annotation (Pod=default/p)'),
        ((("Drifted", "False"),), "stale", "Ready"),
    ],
)  # fmt: skip
def test_a_ready_nodeclaim_gives_karpenters_disruption_conditions(conditions: Any, said: Any, state: str) -> None:
    # kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption/queue.go markDisrupted (DisruptionReason
    # True, its reason the method's), pkg/controllers/nodeclaim/disruption/drift.go (Drifted), types.go
    # NewCandidate's DisruptionBlocked event (``said``)
    assert claim_row(claim(*conditions, deleting=False), said)["state"] == state


def test_a_nodeclaim_marked_for_disruption_gives_the_reason() -> None:
    c = claim(("Drifted", "True"), deleting=False)
    c["status"]["conditions"].append({"type": "DisruptionReason", "status": "True", "reason": "Drifted"})
    # queue.go waitOrTerminate: the NodeClaim is deleted only once its replacements are initialized
    assert claim_row(c)["state"] == "Ready, disrupting: Drifted; deleted once its replacements are initialized"


def test_a_replacement_not_yet_initialized_says_it_replaces_a_disrupted_node() -> None:
    # v1.14.0 pkg/controllers/nodeclaim/lifecycle/initialization.go (Initialized Unknown, NodeNotReady);
    # disruption/events/events.go Launching ("Launching NodeClaim: Drifted") on the replacement
    c = claim(deleting=False)
    c["status"]["conditions"][2:] = [
        {"type": "Initialized", "status": "Unknown", "reason": "NodeNotReady", "message": "Node status is NotReady"},
        {"type": "Ready", "status": "Unknown", "reason": "ReconcilingDependents"},
    ]
    kube = Events(event("gpu-x7k2p", "NodeClaim", "DisruptionLaunching", "Launching NodeClaim: Drifted", "4"))
    row = claim_row(c, claim_events(kube)(c))
    said = "not initialized: NodeNotReady: Node status is NotReady; replaces a node Karpenter disrupts: Drifted"
    assert row["state"] == said
    assert claim_row(c)["state"] == "not initialized: NodeNotReady: Node status is NotReady"


def test_a_draining_nodeclaim_gives_its_nodes_failed_draining_event() -> None:
    said = "evicting pod violates a PDB (Pod=default/p)"  # NodeFailedToDrain, less "Failed to drain node, "
    row = claim_row(claim(("Drained", "Unknown")), said)
    assert row["state"] == f"terminating: draining; {said}"


class Events:
    """A Kube whose list gives these Events, with each request's arguments kept."""

    def __init__(self, *events: dict[str, Any]) -> None:
        self.events, self.asked = list(events), []  # type: list[dict[str, Any]], list[dict[str, Any]]

    def list(self, api_version: str, kind: str, **options: Any) -> list[dict[str, Any]]:
        self.asked.append({"kind": kind, **options})
        return self.events


def event(name: str, kind: str, reason: str, message: str, rv: str, component: str = "karpenter") -> dict[str, Any]:
    return {
        "metadata": {"resourceVersion": rv, "creationTimestamp": "2026-12-06T09:00:00Z"},
        "involvedObject": {"kind": kind, "name": name},
        "reason": reason,
        "message": message,
        "source": {"component": component},
    }


def test_claim_events_reads_karpenters_latest_event_once_for_every_claim() -> None:
    blocked = "Pdb prevents pod evictions (PodDisruptionBudget=[default/p])"
    kube = Events(
        event("gpu-x7k2p", "NodeClaim", "DisruptionBlocked", "older", "5"),
        event("gpu-x7k2p", "NodeClaim", "DisruptionBlocked", blocked, "9"),
        event("gpu-b", "NodeClaim", "DisruptionBlocked", "another writer's", "7", component="someone"),
    )
    said = claim_events(kube)
    first, second = claim(("Drifted", "True"), deleting=False), claim(("Drifted", "True"), deleting=False)
    second["metadata"]["name"] = "gpu-b"
    assert (said(first), said(second), said(claim(deleting=False))) == (blocked, None, None)
    # gpu-b has none of its own: its NodePool's budget block is looked for, once too
    selectors = [f"involvedObject.kind={k},reason=DisruptionBlocked" for k in ("NodeClaim", "NodePool")]
    asked = [{"kind": "Event", "namespace": "default", "field_selector": s, "page_size": 100} for s in selectors]
    assert kube.asked == asked
    kube.events = [
        event("aks-gpu-x7k2p", "Node", "FailedDraining", "Failed to drain node, 1 pods are waiting to be evicted", "3")
    ]
    assert said(claim(("Drained", "Unknown"))) == "1 pods are waiting to be evicted"


def test_a_drifted_claim_its_pools_budget_holds_gives_the_nodepools_disruption_blocked_event() -> None:
    # v1.14.0 pkg/controllers/disruption/helpers.go BuildDisruptionBudgetMapping publishes
    # events.go NodePoolBlockedForDisruptionReason on the NodePool, not on its NodeClaims
    budget = "No allowed disruptions for disruption reason Drifted due to blocking budget"
    kube = Events(event("gpu", "NodePool", "DisruptionBlocked", budget, "6"))
    c = claim(("Drifted", "True"), deleting=False)
    c["metadata"]["labels"] = {"karpenter.sh/nodepool": "gpu"}
    assert claim_row(c, claim_events(kube)(c))["state"] == f"Ready, drifted; disruption blocked: {budget}"
    kube.events = [
        event(
            "gpu",
            "NodePool",
            "DisruptionBlocked",
            "No allowed disruptions for disruption reason Empty due to blocking budget",
            "7",
        )
    ]
    assert claim_events(kube)(c) is None  # another method's budget


def test_an_empty_nodeclaim_marked_for_disruption_is_deleted_without_a_replacement() -> None:
    # kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption/emptiness.go: a command with no
    # replacement; queue.go waitOrTerminate deletes the NodeClaim at once
    c = claim(deleting=False)
    c["status"]["conditions"].append({"type": "DisruptionReason", "status": "True", "reason": "Empty"})
    assert claim_row(c)["state"] == "Ready, disrupting: Empty; no pod to move, deleted without a replacement"


def test_an_underutilized_nodeclaim_marked_for_disruption_does_not_promise_a_replacement() -> None:
    # kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption/consolidation.go computeConsolidation: a delete
    # (every pod fits on the other nodes) or one cheaper replacement; the NodeClaim does not say which
    c = claim(deleting=False)
    c["status"]["conditions"].append({"type": "DisruptionReason", "status": "True", "reason": "Underutilized"})
    said = "Ready, disrupting: Underutilized; its pods move to other nodes or to one cheaper replacement"
    assert claim_row(c)["state"] == said


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        ("Empty", " (disrupted: Empty; its node had no pods)"),
        ("Underutilized", " (disrupted: Underutilized; its pods fit on other nodes or a cheaper one)"),
        ("Drifted", " (disrupted: Drifted)"),
    ],
)
def test_a_terminating_nodeclaim_karpenter_disrupted_says_why(reason: str, said: str) -> None:
    # queue.go markDisrupted: DisruptionReason stays True on the NodeClaim through its termination
    c = claim(("Drained", "Unknown"), ("DisruptionReason", "True"))
    c["status"]["conditions"][-1]["reason"] = reason
    assert claim_row(c)["state"] == "terminating: draining" + said


def test_a_nodeclaim_deleted_by_hand_gives_no_disruption_reason() -> None:
    assert claim_row(claim(("Drained", "Unknown")))["state"] == "terminating: draining"
