"""Which placement put an object on a member cluster (`fleet placement which`): the object as
KIND/NAME, the placements whose status (or, mid update run, whose members' resource snapshots)
list it, and how it fares on each member.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli.errors import AuthError, NotInstalledError, UsageError
from akscli.fleet import CRP, PLACEMENT_V1, RP, selectors
from akscli.fleet.placement_status import cluster_statuses
from akscli.fleet.runchecks import resource_snapshots
from akscli.kube.client import Kube


@dataclass(frozen=True)
class ObjectRef:
    group: str
    kind: str
    name: str
    namespace: str | None


def parse_object_ref(text: str, namespace: str | None) -> ObjectRef:
    """``KIND/NAME`` (KIND as --select accepts it) plus the namespace for namespaced kinds."""
    sel = _cluster_or_namespaced(text)
    if "name" not in sel:
        raise UsageError(
            f"invalid object {text!r}: give KIND/NAME",
            hint="for example: deployment/web -n team-a, or namespace/team-a",
        )
    ns = None if sel["kind"] in selectors.CLUSTER_SCOPED_KINDS else namespace
    if (
        ns is None
        and sel["kind"] not in selectors.CLUSTER_SCOPED_KINDS
        and text.split("/")[0].lower() in selectors.KNOWN_KINDS
    ):
        raise UsageError(
            f"{sel['kind']} is namespaced: give its namespace with -n",
            hint=f"for example: akscli fleet placement which {text} -n team-a",
        )
    return ObjectRef(sel["group"], sel["kind"], sel["name"], ns)


def _cluster_or_namespaced(text: str) -> dict[str, Any]:
    kind_text = text.split("/")[0].split(":")[0]
    known = selectors.KNOWN_KINDS.get(kind_text.lower())
    if known and known[2] not in selectors.CLUSTER_SCOPED_KINDS:
        return selectors.resource_selector(text, namespaced=True, what="object")
    # Kinds akscli does not know may be either; the caller decides by -n.
    return selectors.resource_selector(text, namespaced=False, what="object")


def _selects(placement: Mapping[str, Any], ref: ObjectRef) -> bool:
    status = placement.get("status") or {}
    for item in status.get("selectedResources") or []:
        if (
            (item.get("group") or "") == ref.group
            and item.get("kind") == ref.kind
            and item.get("name") == ref.name
            and (item.get("namespace") or None) == ref.namespace
        ):
            return True
    return False


# _members_holding's answer when the placement's own selectedResources lists the object.
ALL_MEMBERS: frozenset[str] = frozenset({"*"})


def _members_holding(kube: Kube, placement: Mapping[str, Any], ref: ObjectRef) -> frozenset[str]:
    """The members ``placement`` has put ``ref`` on (ALL_MEMBERS when its status lists it).

    Under an External strategy, while an update run has members on different resource snapshots
    (the canary updated, production not yet), the placement's status keeps no selectedResources
    (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/placement/controller.go
    determineRolloutStateForPlacementWithExternalRolloutStrategy resets them); each member's
    observedResourceIndex then names the snapshot it holds, whose spec.selectedResources says what."""
    if _selects(placement, ref):
        return ALL_MEMBERS
    status = placement.get("status") or {}
    if status.get("selectedResources"):
        return frozenset()
    by_index: dict[str, set[str]] = {}
    for entry in status.get("placementStatuses") or []:
        index = str(entry.get("observedResourceIndex") or "")
        if index and entry.get("clusterName"):
            by_index.setdefault(index, set()).add(str(entry["clusterName"]))
    meta = placement.get("metadata") or {}
    holding: set[str] = set()
    for index, members in by_index.items():
        try:
            snapshots = resource_snapshots(kube, str(meta.get("name")), meta.get("namespace"), index)
        except (NotInstalledError, AuthError):
            return frozenset()
        if any(_holds(s, ref) for s in snapshots):
            holding |= members
    return frozenset(holding)


def _holds(snapshot: Mapping[str, Any], ref: ObjectRef) -> bool:
    for obj in (snapshot.get("spec") or {}).get("selectedResources") or []:
        api_version = str(obj.get("apiVersion") or "")
        meta = obj.get("metadata") or {}
        if (
            (api_version.rpartition("/")[0] if "/" in api_version else "") == ref.group
            and obj.get("kind") == ref.kind
            and meta.get("name") == ref.name
            and (meta.get("namespace") or None) == ref.namespace
        ):
            return True
    return False


def which(kube: Kube, ref: ObjectRef) -> list[dict[str, Any]]:
    """Every (placement, member cluster) that put ``ref`` on a member, with its state there."""
    candidates: list[dict[str, Any]] = list(kube.list(PLACEMENT_V1, CRP))
    if ref.namespace:
        candidates += list(kube.list(PLACEMENT_V1, RP, namespace=ref.namespace))
    rows: list[dict[str, Any]] = []
    for placement in candidates:
        holding = _members_holding(kube, placement, ref)
        if not holding:
            continue
        meta = placement.get("metadata") or {}
        failed_here = _failures_for(placement, ref)
        for cs in cluster_statuses(placement):
            if cs.state == "Unscheduled" or (holding is not ALL_MEMBERS and cs.cluster not in holding):
                continue
            rows.append(
                {
                    "placement": meta.get("name"),
                    "kind": placement.get("kind"),
                    "namespace": meta.get("namespace"),
                    "cluster": cs.cluster,
                    "applied": cs.conditions.get("Applied", "-"),
                    "available": cs.conditions.get("Available", "-"),
                    "message": failed_here.get(cs.cluster, ""),
                }
            )
    return rows


def _failures_for(placement: Mapping[str, Any], ref: ObjectRef) -> dict[str, str]:
    result: dict[str, str] = {}
    for entry in (placement.get("status") or {}).get("placementStatuses") or []:
        for failed in entry.get("failedPlacements") or []:
            if (
                failed.get("kind") == ref.kind
                and failed.get("name") == ref.name
                and (failed.get("namespace") or None) == ref.namespace
            ):
                result[str(entry.get("clusterName"))] = str((failed.get("condition") or {}).get("message", "failed"))
    return result
