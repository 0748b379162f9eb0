"""Draining and uncordoning member clusters, as ``kubectl fleet draincluster/uncordoncluster`` do.

Drain = cordon (the NoSchedule taint on the MemberCluster) + one ClusterResourcePlacementEviction
per placement that has put resources on the cluster. The eviction controller refuses an eviction
that would break a ClusterResourcePlacementDisruptionBudget; such a placement is reported as
blocked, never forced.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from akscli import validate
from akscli.errors import CheckFailedError, NotFoundError, UsageError, WaitTimeoutError
from akscli.fleet import (
    BINDING,
    CLUSTER_V1,
    CORDON_TAINT,
    EVICTION,
    MEMBER,
    PARENT_PLACEMENT_LABEL,
    PLACEMENT_BETA,
    PREVIOUS_BINDING_STATE,
    RESOURCE_BINDING,
    hub,
)
from akscli.kube import retry
from akscli.kube.client import Kube
from akscli.kube.reflector import SYNCED, list_and_watch
from akscli.kube.writes import Write

# What the eviction controller answers (kubefleet-dev/kubefleet
# pkg/controllers/clusterresourceplacementeviction/controller.go): the reason says which condition
# decided (Valid=False: ClusterResourcePlacementEvictionInvalid; Executed=False:
# ClusterResourcePlacementEvictionNotExecuted), the message -- one of the constants of
# pkg/utils/condition/reason.go -- says why. Outcomes by those constants:
INVALID_REASON = "ClusterResourcePlacementEvictionInvalid"
NOT_EXECUTED_REASON = "ClusterResourcePlacementEvictionNotExecuted"
EXECUTED_REASON = "ClusterResourcePlacementEvictionExecuted"
INVALID_OUTCOMES = {
    # Nothing is left to evict: the cluster is drained of that placement all the same.
    "Failed to find ClusterResourcePlacement targeted by eviction": "AlreadyGone",
    "Found deleting ClusterResourcePlacement targeted by eviction": "AlreadyGone",
    "Failed to find scheduler decision for placement in cluster targeted by eviction": "AlreadyGone",
    # KubeFleet never evicts from a PickFixed placement: its cluster list is the user's to change.
    "Found ClusterResourcePlacement with PickFixed placement type targeted by eviction": "PickFixed",
    # Two bindings of the placement target the member: one being deleted (the work generator keeps
    # it until the member has removed what it placed, kubernetes-fleet.io/work-cleanup) and a new
    # one the scheduler made as it picked the member again; the rollout controller binds the new
    # one only once the old one is gone (pkg/controllers/rollout/controller.go
    # waitForResourcesToCleanUp), and the eviction controller refuses to choose
    # (validateEviction, EvictionInvalidMultipleCRBMessage).
    "Found more than one scheduler decision for placement in cluster targeted by eviction": "StillRemoving",
}
# How many evictions a drain makes of one placement the hub refuses as StillRemoving.
STILL_REMOVING_TRIES = 3
MISCONFIGURED_BUDGET = (
    "Eviction is blocked by misconfigured ClusterResourcePlacementDisruptionBudget, either MaxUnavailable is "
    "specified or MinAvailable is specified as a percentage for PickAll ClusterResourcePlacement"
)
NOT_EXECUTED_OUTCOMES = {
    "Eviction is blocked, placement has not propagated resources to target cluster yet": "NotPlacedYet",
    MISCONFIGURED_BUDGET: "BudgetMisconfigured",
}
BUDGET_BLOCKED_PREFIX = "Eviction is blocked by specified ClusterResourcePlacementDisruptionBudget"
# What to do about each outcome that leaves a placement on the member.
HINTS = {
    "Blocked": "a ClusterResourcePlacementDisruptionBudget protects {p}; relax it or add capacity elsewhere, "
    "then run the drain again",
    "BudgetMisconfigured": "the disruption budget of {p} cannot apply to a PickAll placement (maxUnavailable or a "
    "percentage minAvailable); give it an integer minAvailable, then run the drain again",
    "PickFixed": "{p} is PickFixed and KubeFleet never evicts it; remove the member from its cluster names "
    "(akscli fleet place {p} --pick-fixed ...)",
    "NotPlacedYet": "{p} has not rolled out to this member yet (its binding is not bound: a staged run has not "
    "reached it); the cordon keeps new rollouts away -- run the drain again once the run has passed",
    "StillRemoving": "the member still has a binding of {p} being deleted (its resources are being removed) "
    "beside a new one; run the drain again once it is gone (kubectl get clusterresourcebindings -l "
    + PARENT_PLACEMENT_LABEL
    + "={p})",
    "Unconfirmed": "the hub did not confirm the eviction of {p}; see it with kubectl describe "
    "clusterresourceplacementeviction",
}


def _member(kube: Kube, cluster: str) -> dict[str, Any]:
    validate.name(cluster, "member cluster name")
    member = kube.get(CLUSTER_V1, MEMBER, cluster)
    if member is None:
        raise NotFoundError(
            f"member cluster {cluster!r} is not joined to this hub",
            hint="list the hub's members with: kubectl get memberclusters",  # as matching.check_placements
        )
    return member


def _is_cordon(taint: Mapping[str, Any]) -> bool:
    return all(taint.get(k) == v for k, v in CORDON_TAINT.items())


def _taints(member: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list((member.get("spec") or {}).get("taints") or [])


def _taints_write(member: Mapping[str, Any], taints: list[dict[str, Any]]) -> Write:
    meta = member["metadata"]
    # resourceVersion turns a concurrent taint change into a conflict instead of a lost update.
    return Write.patch(
        member, {"metadata": {"resourceVersion": meta.get("resourceVersion")}, "spec": {"taints": taints or None}}
    )


def cordon_write(member: Mapping[str, Any]) -> Write | None:
    """The patch adding the cordon taint; None when it is there already."""
    taints = _taints(member)
    if any(_is_cordon(t) for t in taints):
        return None
    return _taints_write(member, [*taints, dict(CORDON_TAINT)])


def uncordon_write(kube: Kube, cluster: str) -> Write | None:
    """The patch removing the cordon taint; None when the cluster is not cordoned."""
    member = _member(kube, cluster)
    taints = _taints(member)
    kept = [t for t in taints if not _is_cordon(t)]
    return None if len(kept) == len(taints) else _taints_write(member, kept)


def cordon(kube: Kube, cluster: str) -> bool:
    """Add the cordon taint; False when it was already there. A change of the member between the
    read and the patch (a Conflict) is read again and the taint added again, as ``kubectl fleet
    draincluster`` cordons (upstream: kubefleet-dev/kubefleet 01d4de1d
    tools/fleet/cmd/draincluster/draincluster.go, cordon: retry.RetryOnConflict(retry.DefaultRetry))."""

    def attempt() -> bool:
        write = cordon_write(_member(kube, cluster))
        if write is not None:
            write.send(kube)
        return write is not None

    return retry.on_conflict(attempt)


def uncordon(kube: Kube, cluster: str) -> bool:
    """Remove the cordon taint; False when the cluster was not cordoned. Retried on a Conflict as
    ``kubectl fleet uncordoncluster`` does (tools/fleet/cmd/uncordoncluster, RetryOnConflict)."""

    def attempt() -> bool:
        write = uncordon_write(kube, cluster)
        if write is not None:
            write.send(kube)
        return write is not None

    return retry.on_conflict(attempt)


def placements_on(kube: Kube, cluster: str) -> list[str]:
    """Names of the ClusterResourcePlacements bound to ``cluster``, as ``kubectl fleet draincluster``
    finds them (upstream: kubefleet-dev/kubefleet e160c1cd tools/fleet/cmd/draincluster/
    draincluster.go fetchClusterResourcePlacementNamesToEvict): the ClusterResourceBindings whose
    spec.targetCluster is the cluster and that are not being deleted, each naming its placement in
    the kubernetes-fleet.io/parent-CRP label. The bindings, not the placements' status: the
    scheduler writes a binding as it picks the cluster, and a placement whose spec changed has no
    per-cluster status until it is scheduled again (pkg/controllers/placement/controller.go
    setPlacementStatus resets them while Scheduled is Unknown),
    while its bindings, and what they put on the member, stay. Listed in pages of 500.

    Unlike kubectl fleet, an Unscheduled binding that was never Bound is skipped: the scheduler no
    longer picks the member (pkg/scheduler/framework/framework.go markUnscheduledForAndUpdate
    records the state it had in kubernetes-fleet.io/previous-binding-state), nothing of the
    placement is on it, and the eviction controller would only answer "not propagated yet"
    (pkg/utils/eviction/eviction.go IsPlacementPresent), which no run changes."""
    names: set[str] = set()
    for binding in kube.list(PLACEMENT_BETA, BINDING):
        meta = binding.get("metadata") or {}
        if (binding.get("spec") or {}).get("targetCluster") != cluster or meta.get("deletionTimestamp"):
            continue
        if _unscheduled_unplaced(binding):
            continue
        placement = (meta.get("labels") or {}).get(PARENT_PLACEMENT_LABEL)
        if not placement:
            # kubectl fleet stops here too ("failed to get CRP name from binding").
            raise CheckFailedError(
                f"binding {meta.get('name')} of member cluster {cluster} names no placement "
                f"(label {PARENT_PLACEMENT_LABEL}); nothing was evicted",
                hint=f"see it with kubectl get clusterresourcebinding {meta.get('name')} -o yaml",
            )
        names.add(str(placement))
    return sorted(names)


def resource_placements_on(kube: Kube, cluster: str) -> list[str]:
    """NAMESPACE/NAME of the ResourcePlacements whose resources are on ``cluster`` (their live
    ResourceBindings targeting it, in every namespace, pages of 500), which a drain cannot evict:
    KubeFleet's only eviction, the cluster-scoped ClusterResourcePlacementEviction, names a
    ClusterResourcePlacement and its controller reads that and its ClusterResourceBindings only
    (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/clusterresourceplacementeviction/
    controller.go validateEviction; no other eviction CRD in config/crd/bases; kubectl fleet
    draincluster reports "no resources propagated ... using ClusterResourcePlacement resources").
    Empty on a hub that serves no ResourceBinding (a KubeFleet before ResourcePlacements)."""
    if not kube.has_api(PLACEMENT_BETA, RESOURCE_BINDING):
        return []
    found: set[str] = set()
    for binding in kube.list(PLACEMENT_BETA, RESOURCE_BINDING, all_namespaces=True):
        meta = binding.get("metadata") or {}
        if (binding.get("spec") or {}).get("targetCluster") != cluster or meta.get("deletionTimestamp"):
            continue
        placement = (meta.get("labels") or {}).get(PARENT_PLACEMENT_LABEL)
        if placement and not _unscheduled_unplaced(binding):
            found.add(f"{meta.get('namespace')}/{placement}")
    return sorted(found)


def _unscheduled_unplaced(binding: Mapping[str, Any]) -> bool:
    """An Unscheduled binding whose previous state was not Bound (IsPlacementPresent is false)."""
    previous = ((binding.get("metadata") or {}).get("annotations") or {}).get(PREVIOUS_BINDING_STATE)
    return (binding.get("spec") or {}).get("state") == "Unscheduled" and previous != "Bound"


@dataclass
class EvictionResult:
    placement: str
    eviction: str
    # Evicted | AlreadyGone | Blocked | BudgetMisconfigured | PickFixed | NotPlacedYet | StillRemoving | Unconfirmed
    outcome: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "placement": self.placement,
            "eviction": self.eviction,
            "outcome": self.outcome,
            "message": self.message,
        }


def eviction_name(placement: str, cluster: str) -> str:
    name = f"drain-eviction-{placement}-{cluster}-{secrets.token_hex(4)}"
    if len(name) > 253:
        # Keep it a valid object name for very long placement names; the suffix stays unique.
        name = f"drain-eviction-{placement[:100]}-{cluster[:63]}-{secrets.token_hex(4)}"
    return validate.subdomain(name, "eviction name")


def classify(eviction: Mapping[str, Any]) -> tuple[str, str] | None:
    """(outcome, message) once the hub has judged the eviction, else None (read by reason first)."""
    conds = hub.conditions(eviction.get("status") or {})
    valid, executed = conds.get("Valid"), conds.get("Executed")
    if valid is None:
        return None
    message = str(valid.get("message") or "")
    if valid.get("status") == "False" or valid.get("reason") == INVALID_REASON:
        return INVALID_OUTCOMES.get(message, "Unconfirmed"), message or "the eviction is invalid"
    if valid.get("status") != "True" or executed is None:
        return None
    message = str(executed.get("message") or "")
    if executed.get("status") == "True":
        return "Evicted", message
    if executed.get("status") == "False":
        if message in NOT_EXECUTED_OUTCOMES:
            return NOT_EXECUTED_OUTCOMES[message], message
        return ("Blocked" if message.startswith(BUDGET_BLOCKED_PREFIX) else "Unconfirmed"), message
    return None


def eviction(placement: str, cluster: str) -> dict[str, Any]:
    """A ClusterResourcePlacementEviction of ``placement`` from ``cluster``."""
    return {
        "apiVersion": PLACEMENT_BETA,
        "kind": EVICTION,
        "metadata": {"name": eviction_name(placement, cluster)},
        "spec": {"placementName": placement, "clusterName": cluster},
    }


def drain_writes(kube: Kube, cluster: str) -> list[Write]:
    """What a drain sends, in order: the cordon (unless there already) and one eviction per
    placement on the member (reads the member and the placements)."""
    cordoning = cordon_write(_member(kube, cluster))
    evictions = [Write.create(eviction(p, cluster)) for p in placements_on(kube, cluster)]
    return ([cordoning] if cordoning else []) + evictions


def evict(kube: Kube, placement: str, cluster: str, timeout: float) -> EvictionResult:
    obj = eviction(placement, cluster)
    name = obj["metadata"]["name"]
    created = kube.create(obj)
    verdict = hub.follow(
        kube,
        PLACEMENT_BETA,
        EVICTION,
        name,
        None,
        created,
        classify,
        timeout=timeout,
        timeout_error=lambda: WaitTimeoutError(
            f"eviction {name} of placement {placement} from {cluster} did not finish within {int(timeout)}s",
            hint="is the fleet hub's eviction controller running? Retry with a longer --timeout",
        ),
    )
    return EvictionResult(placement, name, *verdict)


def drain_timeout(text: str) -> float:
    """The ``--timeout`` of a drain: a positive duration (checked before the hub is reached)."""
    seconds = validate.duration(text, "--timeout")
    if seconds <= 0:
        raise UsageError("--timeout must be positive", hint="for example --timeout 5m")
    return seconds


def _bindings_on(known: Mapping[str, Mapping[str, Any]], cluster: str) -> int:
    return sum(1 for b in known.values() if (b.get("spec") or {}).get("targetCluster") == cluster)


def wait_for_old_binding(kube: Kube, placement: str, cluster: str, deadline: float) -> None:
    """Wait until ``cluster`` has at most one binding of ``placement``: the one being deleted is gone
    once the member has removed what it placed (the work generator's kubernetes-fleet.io/work-cleanup
    finalizer, upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/workgenerator/controller.go
    handleDelete), and only then does the eviction controller accept an eviction
    (pkg/controllers/clusterresourceplacementeviction/controller.go validateEviction refuses two
    bindings on one cluster) or the rollout controller bind the new one (pkg/controllers/rollout/
    controller.go waitForResourcesToCleanUp). A watch of the placement's bindings (its
    kubernetes-fleet.io/parent-CRP label, as binding_resolver.go ListBindingsFromKey lists them),
    not polling; WaitTimeoutError at ``deadline``."""
    known: dict[str, Mapping[str, Any]] = {}
    synced = False
    for event, obj in list_and_watch(
        kube,
        PLACEMENT_BETA,
        BINDING,
        namespace=None,
        label_selector=f"{PARENT_PLACEMENT_LABEL}={placement}",
        seconds_left=lambda: deadline - time.monotonic(),
        synced=True,
    ):
        if event == SYNCED:
            known = {str(b["metadata"]["name"]): b for b in obj.get("items") or []}
            synced = True
        elif event == "DELETED":
            known.pop(str(obj["metadata"]["name"]), None)
        else:
            known[str(obj["metadata"]["name"])] = obj
        if synced and _bindings_on(known, cluster) <= 1:
            return
    raise WaitTimeoutError(
        f"member cluster {cluster} still has a binding of placement {placement} being deleted beside a new "
        "one (its resources are being removed); nothing more was evicted",
        hint=f"watch it with kubectl get clusterresourcebindings -l {PARENT_PLACEMENT_LABEL}={placement} -w, "
        f"then run the drain again (it stays cordoned), or give it a longer --timeout",
    )


def drain(
    kube: Kube, cluster: str, timeout: float, progress: Callable[[str], None] | None = None
) -> tuple[bool, list[EvictionResult]]:
    """Cordon ``cluster`` and evict every placement from it; (newly cordoned, results). A placement
    the hub refuses to evict because the member has its old binding being deleted beside a new one
    (StillRemoving) is evicted again once the old binding is gone (``wait_for_old_binding``), all
    within ``timeout``."""
    from akscli.output import kind_ref

    newly = cordon(kube, cluster)
    if progress:
        # kubectl drain's cordon line: "node/NAME cordoned", or "already cordoned" (upstream:
        # kubernetes/kubectl dee3483 pkg/cmd/drain/drain.go RunCordonOrUncordon, already/changed).
        progress(f"{kind_ref(CLUSTER_V1, MEMBER, cluster)} {'cordoned' if newly else 'already cordoned'}")
    deadline = time.monotonic() + timeout
    results = []
    for placement in placements_on(kube, cluster):
        if progress:
            progress(f"evicting placement {placement} from {cluster}")
        results.append(evict(kube, placement, cluster, max(1.0, deadline - time.monotonic())))
    for index, result in enumerate(results):
        # An eviction is judged once (the controller skips one with conditions), so a new one is made;
        # a few times at most, should the hub see two bindings where the watch saw one.
        for _ in range(STILL_REMOVING_TRIES):
            if result.outcome != "StillRemoving":
                break
            if progress:
                progress(f"waiting for the old binding of placement {result.placement} on {cluster} to be removed")
            wait_for_old_binding(kube, result.placement, cluster, deadline)
            if progress:
                progress(f"evicting placement {result.placement} from {cluster} again")
            result = evict(kube, result.placement, cluster, max(1.0, deadline - time.monotonic()))
        results[index] = result
    return newly, results


def check_all_evicted(cluster: str, results: list[EvictionResult]) -> None:
    """Fail when a placement stayed on ``cluster``, with what to do about each (the cluster stays cordoned)."""
    stayed = [r for r in results if r.outcome not in ("Evicted", "AlreadyGone")]
    if stayed:
        raise CheckFailedError(
            f"{len(stayed)} placement(s) were not evicted from {cluster}: "
            + "; ".join(f"{r.placement} ({r.outcome}): {r.message}" for r in stayed),
            hint="; ".join(HINTS.get(r.outcome, HINTS["Unconfirmed"]).format(p=r.placement) for r in stayed)
            + f" ({cluster} stays cordoned)",
        )
