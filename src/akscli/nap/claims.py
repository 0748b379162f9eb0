"""A NAP NodePool's NodeClaims as 'nodepool show --auto-provision' lists them: each found by the
pool's label, shown with its CRD's printer columns and a state (Ready, the launch under way, a
disruption Karpenter decided, the termination step a deleted claim stands at), and Karpenter's
latest event where a claim drains, is drifted or waits on a budget. Plain logic: no Typer, no rich.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from akscli import timestamps
from akscli.nap.nodepool import API_VERSION, CAPACITY_TYPE, NODEPOOL_LABEL, TERMINATION_TIME
from akscli.printable import visible

if TYPE_CHECKING:
    from akscli.kube.client import Kube


def pool_claims(kube: Kube, name: str) -> Iterator[dict[str, Any]]:
    """The NodeClaims of a NodePool, by the karpenter.sh/nodepool label Karpenter puts on each
    (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/scheduling/
    nodeclaimtemplate.go NewNodeClaimTemplate), page by page: a pool has one per node."""
    return kube.list(API_VERSION, "NodeClaim", label_selector=f"{NODEPOOL_LABEL}={name}")


def claim_row(claim: Mapping[str, Any], said: str | None = None) -> dict[str, str]:
    """One NodeClaim as its CRD's printer columns show it (Type, Capacity, Node, Ready:
    karpenter.sh_nodeclaims.yaml additionalPrinterColumns) and its state: Ready, the launch
    failure (Launched not True with the cloud's reason, pkg/controllers/nodeclaim/lifecycle/
    launch.go), or the first condition of Launched, Registered, Initialized not yet True
    (pkg/apis/v1/nodeclaim_status.go). A Ready one Karpenter has marked for disruption or found
    drifted says so (the DisruptionReason and Drifted conditions), with ``said``: what Karpenter
    last wrote about why it waits (``claim_events``)."""
    from akscli.kube.scale_up import claim_sizes

    meta, status = claim.get("metadata") or {}, claim.get("status") or {}
    labels = meta.get("labels") or {}
    conditions = {str(c.get("type")): c for c in status.get("conditions") or [] if isinstance(c, dict)}
    ready = (conditions.get("Ready") or {}).get("status", "")
    state = "Ready"
    if meta.get("deletionTimestamp"):
        state = _terminating(conditions, (meta.get("annotations") or {}).get(TERMINATION_TIME))
        draining = state.startswith("terminating: draining")
        state += _why_deleted(conditions) + (f"; {said}" if said and draining else "")
    elif ready == "True":
        state = _disruption(conditions, said)
    else:
        state = "waiting to launch"
        for kind in ("Launched", "Registered", "Initialized"):
            cond = conditions.get(kind) or {}
            if cond.get("status") == "True":
                continue
            reason, message = str(cond.get("reason") or ""), str(cond.get("message") or "")
            state = f"not {kind.lower()}" + (f": {reason}" if reason else "") + (f": {message}" if message else "")
            break
        state += f"; replaces a node Karpenter disrupts: {said}" if said else ""
    return {
        "name": str(meta.get("name", "")),
        # Launched: its label; not yet: the sizes it may be (scale_up.claim_sizes).
        "size": ",".join(claim_sizes(claim)),
        "capacityType": str(labels.get(CAPACITY_TYPE, "")),
        "node": str(status.get("nodeName", "")),
        "ready": str(ready),
        "state": state,
    }


def _why_deleted(conditions: Mapping[str, Mapping[str, Any]]) -> str:
    """Why Karpenter deleted a terminating NodeClaim, where its disruption did: the DisruptionReason
    condition markDisrupted set stays True through the termination (upstream: kubernetes-sigs/karpenter
    v1.14.0 pkg/controllers/disruption/queue.go markDisrupted, waitOrTerminate; only a failed command
    clears it, state.ClearNodeClaimsCondition). Empty: emptiness.go found its node with no pod to move
    once the NodePool's consolidateAfter had passed since its last pod event
    (pkg/controllers/nodeclaim/disruption/consolidation.go)."""
    marked = conditions.get("DisruptionReason") or {}
    if marked.get("status") != "True":
        return ""  # not a disruption's: deleted by hand or with its NodePool
    reason = visible(str(marked.get("reason") or ""))
    return f" (disrupted: {reason}{_WHY.get(reason, '')})"


def _disruption(conditions: Mapping[str, Mapping[str, Any]], said: str | None) -> str:
    """A Ready NodeClaim and Karpenter's disruption (upstream: kubernetes-sigs/karpenter v1.14.0
    pkg/controllers/disruption/queue.go markDisrupted: DisruptionReason True with the method's
    reason until the NodeClaim is deleted; pkg/controllers/nodeclaim/disruption/drift.go: Drifted
    True; pkg/controllers/disruption/types.go NewCandidate: a DisruptionBlocked event when a pod's
    karpenter.sh/do-not-disrupt or a PDB holds it, unless the NodeClaim's terminationGracePeriod
    bounds its drain)."""
    marked = conditions.get("DisruptionReason") or {}
    if marked.get("status") == "True":  # queue.go waitOrTerminate: deleted once its replacements initialize
        reason = visible(str(marked.get("reason") or ""))
        if reason == EMPTY:  # emptiness.go: a command with no replacement, deleted at once
            return f"Ready, disrupting: {reason}; no pod to move, deleted without a replacement"
        if reason == UNDERUTILIZED:  # consolidation.go computeConsolidation: a delete, or one cheaper replacement
            return f"Ready, disrupting: {reason}; its pods move to other nodes or to one cheaper replacement"
        return f"Ready, disrupting: {reason}; deleted once its replacements are initialized"
    if (conditions.get("Drifted") or {}).get("status") == "True":
        return "Ready, drifted" + (f"; disruption blocked: {said}" if said else "")
    return "Ready"


# Events Karpenter writes about a NodeClaim that waits (kubernetes-sigs/karpenter v1.14.0
# pkg/events/reason.go; the node's FailedDraining from pkg/controllers/node/termination/terminator/
# events/events.go NodeFailedToDrain "Failed to drain node, ERROR"; the NodeClaim's
# DisruptionBlocked from pkg/controllers/disruption/events/events.go Blocked). Its recorder reports
# "karpenter" (kubernetes-sigs/karpenter v1.14.0 pkg/operator/operator.go GetEventRecorderFor(AppName));
# a cluster-scoped object's events are in "default" (kubernetes/client-go tools/record/event.go makeEvent).
_DRAIN_FAILED = "Failed to drain node, "


_LAUNCHING = "Launching NodeClaim: "  # disruption/events/events.go Launching, on a replacement


# events.go NodePoolBlocked "No allowed disruptions due to blocking budget" and
# NodePoolBlockedForDisruptionReason "No allowed disruptions for disruption reason Drifted due to blocking budget"
_BUDGET_BLOCKS = (
    "No allowed disruptions due to blocking budget",
    "No allowed disruptions for disruption reason Drifted due to blocking budget",
)


def claim_events(kube: Kube) -> Callable[[Mapping[str, Any]], str | None]:
    """What Karpenter last wrote about why a NodeClaim waits: its node's latest FailedDraining while
    it drains, its own latest DisruptionBlocked while it is drifted, the reason of its
    DisruptionLaunching while it is a replacement not yet Ready. Each reason's events are read
    once, on the first claim that needs them (one request and its pages), not once per claim."""
    read: dict[tuple[str, str], dict[str, str]] = {}

    def said(claim: Mapping[str, Any]) -> str | None:
        meta, status = claim.get("metadata") or {}, claim.get("status") or {}
        conditions = {str(c.get("type")): c for c in status.get("conditions") or [] if isinstance(c, dict)}
        if meta.get("deletionTimestamp"):
            drained = (conditions.get("Drained") or {}).get("status")
            if not drained or drained == "True" or not status.get("nodeName"):  # as _terminating: drains
                return None
            name, kind, reason = str(status["nodeName"]), "Node", "FailedDraining"
        elif (conditions.get("Drifted") or {}).get("status") == "True":
            name, kind, reason = str(meta.get("name", "")), "NodeClaim", "DisruptionBlocked"
        elif (conditions.get("Ready") or {}).get("status") != "True":
            # a replacement the disruption queue waits on (queue.go waitOrTerminate: Launching)
            name, kind, reason = str(meta.get("name", "")), "NodeClaim", "DisruptionLaunching"
        else:
            return None
        message = latest(kind, reason).get(name)
        if message is None and reason == "DisruptionBlocked":
            # none of its own: its NodePool's budget block (helpers.go BuildDisruptionBudgetMapping,
            # events.go NodePoolBlockedForDisruptionReason / NodePoolBlocked), for drift or for any reason
            pooled = latest("NodePool", reason).get(str((meta.get("labels") or {}).get(NODEPOOL_LABEL) or ""))
            message = pooled if pooled in _BUDGET_BLOCKS else None
        if message is None:
            return None
        return visible(message.removeprefix(_DRAIN_FAILED).removeprefix(_LAUNCHING))

    def latest(kind: str, reason: str) -> dict[str, str]:
        if (kind, reason) not in read:
            read[kind, reason] = _latest_messages(kube, kind, reason)
        return read[kind, reason]

    return said


def _latest_messages(kube: Kube, kind: str, reason: str) -> dict[str, str]:
    """The latest message of Karpenter's ``reason`` events on each object of ``kind``, by name."""
    from akscli.kube.events import event_order

    selector = f"involvedObject.kind={kind},reason={reason}"
    events = [
        e
        for e in kube.list("v1", "Event", namespace="default", field_selector=selector, page_size=100)
        if (e.get("source") or {}).get("component") == "karpenter"
    ]
    events.sort(key=event_order)
    return {str((e.get("involvedObject") or {}).get("name")): str(e.get("message") or "") for e in events}


def _terminating(conditions: Mapping[str, Mapping[str, Any]], deadline: object = None) -> str:
    """A deleted NodeClaim its karpenter.sh/termination finalizer holds, by the latest termination
    step Karpenter has reached (upstream: kubernetes-sigs/karpenter 2266468
    pkg/controllers/node/termination/controller.go awaitDrain: Drained Unknown while it drains,
    awaitVolumeDetachment: VolumesDetached Unknown, awaitInstanceTermination: InstanceTerminating
    True; pkg/apis/v1/nodeclaim_status.go). Ready stays True meanwhile. With the NodeClaim's
    termination time (``deadline``, its TERMINATION_TIME annotation): the drain and the wait for
    volumes end by then (v1.14.0 terminator.go DeleteExpiringPods deletes the pods regardless of
    budgets and do-not-disrupt; awaitVolumeDetachment stops waiting); one that does not parse as
    RFC 3339 stops the node's termination (controller.go nodeTerminationTime's error)."""
    status = {kind: str((conditions.get(kind) or {}).get("status") or "") for kind in _TERMINATION_STEPS}
    at = timestamps.parse(deadline) if deadline is not None else None
    if status["InstanceTerminating"] == "True":
        return "terminating: instance terminating"
    if deadline is not None and at is None:
        said = f"{visible(str(deadline))} is not" if deadline != "" else "is empty, not"  # plain, as a cell shows it
        return f"terminating: stuck, its {TERMINATION_TIME} {said} an RFC 3339 time"
    until = f" (until {timestamps.format(at)})" if at else ""
    if status["VolumesDetached"] == "Unknown":
        return "terminating: awaiting volume detachment" + until
    if status["Drained"] and status["Drained"] != "True":
        return "terminating: draining" + (f" (pods deleted by {timestamps.format(at)})" if at else "")
    return "terminating"


_TERMINATION_STEPS = ("Drained", "VolumesDetached", "InstanceTerminating")
EMPTY = "Empty"  # kubernetes-sigs/karpenter v1.14.0 pkg/apis/v1/nodepool.go DisruptionReasonEmpty
UNDERUTILIZED = "Underutilized"  # the same file's DisruptionReasonUnderutilized
# What a terminating NodeClaim's reason meant (kubernetes-sigs/karpenter v1.14.0 pkg/controllers/disruption/
# emptiness.go: no pod to move; consolidation.go computeConsolidation: every pod fits on the other nodes, or on
# one new node cheaper than it).
_WHY = {EMPTY: "; its node had no pods", UNDERUTILIZED: "; its pods fit on other nodes or a cheaper one"}
