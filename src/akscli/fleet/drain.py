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
    CLUSTER_V1,
    CORDON_TAINT,
    CRP,
    EVICTION,
    MEMBER,
    PLACEMENT_BETA,
    PLACEMENT_V1,
    hub,
)
from akscli.kube.client import Kube

# The eviction controller's messages for evictions that are invalid because nothing is left to
# evict (placement missing or deleting, no scheduling decision for the cluster): the cluster is
# drained of that placement all the same (kubectl-fleet treats them so too).
_DRAINED_ANYWAY = ("failed to find", "found deleting")


def _member(kube: Kube, cluster: str) -> dict[str, Any]:
    validate.name(cluster, "member cluster name")
    member = kube.get(CLUSTER_V1, MEMBER, cluster)
    if member is None:
        raise NotFoundError(
            f"member cluster {cluster!r} is not joined to this hub",
            hint="list members with: akscli fleet member list",
        )
    return member


def _is_cordon(taint: Mapping[str, Any]) -> bool:
    return all(taint.get(k) == v for k, v in CORDON_TAINT.items())


def _taints(member: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list((member.get("spec") or {}).get("taints") or [])


def _set_taints(kube: Kube, member: Mapping[str, Any], taints: list[dict[str, Any]]) -> None:
    meta = member["metadata"]
    # resourceVersion turns a concurrent taint change into a conflict instead of a lost update.
    kube.patch(
        CLUSTER_V1,
        MEMBER,
        str(meta["name"]),
        {"metadata": {"resourceVersion": meta.get("resourceVersion")}, "spec": {"taints": taints or None}},
    )


def cordon(kube: Kube, cluster: str) -> bool:
    """Add the cordon taint; False when it was already there."""
    member = _member(kube, cluster)
    taints = _taints(member)
    if any(_is_cordon(t) for t in taints):
        return False
    _set_taints(kube, member, [*taints, dict(CORDON_TAINT)])
    return True


def uncordon(kube: Kube, cluster: str) -> bool:
    """Remove the cordon taint; False when the cluster was not cordoned."""
    member = _member(kube, cluster)
    taints = _taints(member)
    kept = [t for t in taints if not _is_cordon(t)]
    if len(kept) == len(taints):
        return False
    _set_taints(kube, member, kept)
    return True


def placements_on(kube: Kube, cluster: str) -> list[str]:
    """Names of the ClusterResourcePlacements that have scheduled resources onto ``cluster``."""
    names = []
    for crp in kube.list(PLACEMENT_V1, CRP):
        if (crp.get("metadata") or {}).get("deletionTimestamp"):
            continue
        for entry in (crp.get("status") or {}).get("placementStatuses") or []:
            if entry.get("clusterName") == cluster:
                names.append(str(crp["metadata"]["name"]))
                break
    return sorted(names)


@dataclass
class EvictionResult:
    placement: str
    eviction: str
    outcome: str  # Evicted | Blocked | AlreadyGone | Unconfirmed
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
    """(outcome, message) once the eviction is terminal, else None."""
    conds = hub.conditions(eviction.get("status") or {})
    valid, executed = conds.get("Valid"), conds.get("Executed")
    if valid is None:
        return None
    message = str(valid.get("message") or "")
    if valid.get("status") == "False":
        if any(word in message.lower() for word in _DRAINED_ANYWAY):
            return "AlreadyGone", message
        return "Unconfirmed", message or "the eviction is invalid"
    if valid.get("status") != "True" or executed is None:
        return None
    if executed.get("status") == "True":
        return "Evicted", str(executed.get("message") or "")
    if executed.get("status") == "False":
        return "Blocked", str(executed.get("message") or "")
    return None


def evict(kube: Kube, placement: str, cluster: str, timeout: float) -> EvictionResult:
    name = eviction_name(placement, cluster)
    created = kube.create(
        {
            "apiVersion": PLACEMENT_BETA,
            "kind": EVICTION,
            "metadata": {"name": name},
            "spec": {"placementName": placement, "clusterName": cluster},
        }
    )
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


def drain(
    kube: Kube, cluster: str, timeout: float, progress: Callable[[str], None] | None = None
) -> tuple[bool, list[EvictionResult]]:
    """Cordon ``cluster`` and evict every placement from it; (newly cordoned, results)."""
    newly = cordon(kube, cluster)
    if progress:
        progress(f"cordoned member cluster {cluster}" if newly else f"member cluster {cluster} was already cordoned")
    deadline = time.monotonic() + timeout
    results = []
    for placement in placements_on(kube, cluster):
        if progress:
            progress(f"evicting placement {placement} from {cluster}")
        results.append(evict(kube, placement, cluster, max(1.0, deadline - time.monotonic())))
    return newly, results


def check_all_evicted(cluster: str, results: list[EvictionResult]) -> None:
    """Fail when a placement stayed on ``cluster`` (a disruption budget blocked its eviction)."""
    blocked = [r for r in results if r.outcome in ("Blocked", "Unconfirmed")]
    if blocked:
        raise CheckFailedError(
            f"{len(blocked)} placement(s) were not evicted from {cluster}: "
            + "; ".join(f"{r.placement}: {r.message}" for r in blocked),
            hint="a ClusterResourcePlacementDisruptionBudget protects them; relax it or add "
            "capacity elsewhere, then run the drain again (the cluster stays cordoned)",
        )
