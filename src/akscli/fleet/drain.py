"""Draining and uncordoning member clusters, as ``kubectl fleet draincluster/uncordoncluster`` do.

Drain = cordon (the NoSchedule taint on the MemberCluster) + one ClusterResourcePlacementEviction
per placement that has put resources on the cluster. The eviction controller refuses an eviction
that would break a ClusterResourcePlacementDisruptionBudget; such a placement is reported as
blocked, never forced.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from akscli import validate
from akscli.errors import NotFoundError, UsageError, WaitTimeoutError
from akscli.fleet import (
    CLUSTER_V1,
    CORDON_TAINT,
    CRP,
    EVICTION,
    MEMBER,
    PLACEMENT_BETA,
    PLACEMENT_V1,
)
from akscli.kube.client import WatchExpired

# The eviction controller's messages for evictions that are invalid because nothing is left to
# evict (placement missing or deleting, no scheduling decision for the cluster): the cluster is
# drained of that placement all the same (kubectl-fleet treats them so too).
_DRAINED_ANYWAY = ("failed to find", "found deleting")


class DrainKube(Protocol):
    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None: ...

    def list(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str | None = None,
        all_namespaces: bool = False,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> Iterable[dict[str, Any]]: ...

    def create(self, obj: Any, *, dry_run: bool = False) -> dict[str, Any]: ...

    def patch(
        self,
        api_version: str,
        kind: str,
        name: str,
        patch: Any,
        *,
        namespace: str | None = None,
        content_type: str = "application/merge-patch+json",
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]: ...

    def watch(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str | None = None,
        all_namespaces: bool = False,
        name: str | None = None,
        label_selector: str | None = None,
        resource_version: str | None = None,
        timeout_seconds: int = 300,
    ) -> Iterable[tuple[str, dict[str, Any]]]: ...


def _member(kube: DrainKube, cluster: str) -> dict[str, Any]:
    validate.name(cluster, "member cluster name")
    member = kube.get(CLUSTER_V1, MEMBER, cluster)
    if member is None:
        raise NotFoundError(
            f"member cluster {cluster!r} is not joined to this hub",
            hint="list members with: akscli fleet member list",
        )
    return member


def _is_cordon(taint: dict[str, Any]) -> bool:
    return all(taint.get(k) == v for k, v in CORDON_TAINT.items())


def cordon(kube: DrainKube, cluster: str) -> bool:
    """Add the cordon taint; False when it was already there."""
    member = _member(kube, cluster)
    taints = list((member.get("spec") or {}).get("taints") or [])
    if any(_is_cordon(t) for t in taints):
        return False
    kube.patch(
        CLUSTER_V1,
        MEMBER,
        cluster,
        {
            "metadata": {"resourceVersion": member["metadata"].get("resourceVersion")},
            "spec": {"taints": [*taints, dict(CORDON_TAINT)]},
        },
    )
    return True


def uncordon(kube: DrainKube, cluster: str) -> bool:
    """Remove the cordon taint; False when the cluster was not cordoned."""
    member = _member(kube, cluster)
    taints = list((member.get("spec") or {}).get("taints") or [])
    kept = [t for t in taints if not _is_cordon(t)]
    if len(kept) == len(taints):
        return False
    kube.patch(
        CLUSTER_V1,
        MEMBER,
        cluster,
        {
            "metadata": {"resourceVersion": member["metadata"].get("resourceVersion")},
            "spec": {"taints": kept or None},
        },
    )
    return True


def placements_on(kube: DrainKube, cluster: str) -> list[str]:
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


def classify(eviction: dict[str, Any]) -> tuple[str, str] | None:
    """(outcome, message) once the eviction is terminal, else None."""
    conds = {c.get("type"): c for c in (eviction.get("status") or {}).get("conditions") or []}
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


def evict(kube: DrainKube, placement: str, cluster: str, timeout: float) -> EvictionResult:
    name = eviction_name(placement, cluster)
    created = kube.create(
        {
            "apiVersion": PLACEMENT_BETA,
            "kind": EVICTION,
            "metadata": {"name": name},
            "spec": {"placementName": placement, "clusterName": cluster},
        }
    )
    deadline = time.monotonic() + timeout
    obj = created
    while True:
        verdict = classify(obj)
        if verdict is not None:
            return EvictionResult(placement, name, *verdict)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WaitTimeoutError(
                f"eviction {name} of placement {placement} from {cluster} did not finish within {int(timeout)}s",
                hint="is the fleet hub's eviction controller running? Retry with a longer --timeout",
            )
        version = (obj.get("metadata") or {}).get("resourceVersion")
        try:
            for event, item in kube.watch(
                PLACEMENT_BETA,
                EVICTION,
                name=name,
                resource_version=version,
                timeout_seconds=max(1, int(min(remaining, 300))),
            ):
                if event in ("ADDED", "MODIFIED"):
                    obj = item
                    if classify(obj) is not None:
                        break
        except WatchExpired:
            # 410 Gone: the version we watched from was compacted; re-read and watch again.
            pass
        latest = kube.get(PLACEMENT_BETA, EVICTION, name)
        if latest is not None:
            obj = latest


def drain(
    kube: DrainKube, cluster: str, timeout: float, progress: Callable[[str], None] | None = None
) -> tuple[bool, list[EvictionResult]]:
    """Cordon ``cluster`` and evict every placement from it; (newly cordoned, results)."""
    if timeout <= 0:
        raise UsageError("--timeout must be positive", hint="for example --timeout 5m")
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
