"""The clusters behind a fleet's members, read with a bounded number of ARM requests.

``fleet member list`` shows each member's Kubernetes version and health, which only the cluster
resource has (``az fleet member list`` shows neither and reads no cluster: Azure/azure-cli-extensions
src/fleet/azext_fleet/custom.py list_fleet_member returns ``client.list_by_fleet`` and commands.py
gives it no table transformer). One GET per member is N+1: 200 members cost 200 reads of the
subscription's bucket (ARM refills reads at 25 a second after a bucket of 250: MicrosoftDocs/azure-docs
articles/azure-resource-manager/management/request-limits-and-throttling.md), and a fleet of up to
1,000 members would be throttled.

So the clusters are listed instead, a subscription at a time: ``managedClusters`` and
``connectedClusters`` by subscription (Azure/azure-rest-api-specs specification/containerservice/
resource-manager/Microsoft.ContainerService/aks/stable/2026-01-01/managedClusters.json
ManagedClusters_List, whose example ../shared/data/arm-examples/containerservice-2026-08-01/
ManagedClustersList.json takes only the subscription; specification/hybridkubernetes/
resource-manager/Microsoft.Kubernetes/stable/2024-01-01/connectedClusters.json
ConnectedCluster_ListBySubscription), page by page through ``nextLink`` (Azure/azure-resource-
manager-rpc v1.0/resource-api-reference.md). Where a subscription holds member clusters of a kind
in more resource groups than one round of parallel requests covers (8), one listing replaces their
GETs; in fewer, each group of two or more is listed instead (one round, where a listing's pages
follow one another). A listing stops once it has found every member cluster, or after half as many
pages as the GETs it replaces, so a subscription of thousands of clusters with a few members costs
at most half again as many requests as the GETs. A subscription's listing refused at its first page
(a reader whose role is on resource groups only: a list is authorized at the scope it names, 403
AuthorizationFailed "over scope '/subscriptions/.../resourceGroups/X/providers/Microsoft.Compute'"
in MicrosoftDocs/azure-docs issue #67784) falls back to the groups' listings, under the same
budget; whatever no listing found is read one GET each by the caller, which says why a cluster it
cannot read is missing (``unreadable``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from akscli.concurrency import parallel_map
from akscli.errors import AkscliError, AuthError, NotFoundError

# (subscription)(resource group)/providers/(type)/name of a cluster a member can point at.
_CLUSTER_ID = re.compile(
    r"^(/subscriptions/[^/]+)(/resourcegroups/[^/]+)/providers/"
    r"(microsoft\.containerservice/managedclusters|microsoft\.kubernetes/connectedclusters)/[^/]+$",
    re.I,
)
_TYPES = {
    t.lower(): t for t in ("Microsoft.ContainerService/managedClusters", "Microsoft.Kubernetes/connectedClusters")
}

# What ``fleet member list`` shows of a member's cluster (fleet/arm.py member_rows and _health):
# an AKS cluster's version, power state and provisioning state (their place in the resource:
# ../shared/data/arm-examples/containerservice-2026-08-01/ManagedClustersList.json), an Arc
# cluster's connectivityStatus (Microsoft.Kubernetes/connectedClusters properties). Only
# these are kept, not the resource, whose JSON grows with each profile the cluster turns on (1.3 KB
# in that example), held for each of up to 1,000 members (MicrosoftDocs/azure-aks-docs
# fb060abe articles/kubernetes-fleet/faq.md: "supports joining up to 1,000 Kubernetes clusters").
SHOWN = ("currentKubernetesVersion", "kubernetesVersion", "powerState", "provisioningState", "connectivityStatus")

# Why a member's cluster is missing from the list's row, in its message column (the key of the
# stand-in that ``unreadable`` returns; fleet/arm.py _health shows it).
UNREADABLE = "unreadable"

# Lists a collection: (path or nextLink URL) -> the page's JSON ({"value": [...], "nextLink": ...}).
ListPage = Callable[[str], dict[str, Any] | None]


def collections_to_list(ids: Iterable[str], *, by_group: bool = False) -> dict[str, dict[str, str]]:
    """The collections (``/subscriptions/S/providers/TYPE``, or with ``by_group`` the resource
    group's) holding two or more of the clusters named, each with their ids (lower case -> as given)."""
    found: dict[str, dict[str, str]] = {}
    spelled: dict[str, str] = {}
    for rid in ids:
        m = _CLUSTER_ID.match(rid)
        if m is None:
            continue
        scope = m.group(1) + (m.group(2) if by_group else "")
        link = f"{scope}/providers/{_TYPES[m.group(3).lower()]}"
        spelled.setdefault(link.lower(), link)
        found.setdefault(link.lower(), {})[rid.lower()] = rid
    return {spelled[key]: wanted for key, wanted in found.items() if len(wanted) >= 2}


def shown(cluster: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The fields of a cluster resource that the member list shows, in the resource's shape."""
    if cluster is None:
        return None
    props = cluster.get("properties") or {}
    return {"properties": {key: props[key] for key in SHOWN if key in props}}


def unreadable(exc: AkscliError) -> dict[str, Any]:
    """The stand-in for a cluster a GET could not read: why, for the row's message column. The
    member is still listed (``az fleet member list`` lists members without reading a cluster),
    so neither a 403 nor a 404 fails the list."""
    if isinstance(exc, NotFoundError):
        return {UNREADABLE: "cluster not found (deleted, or in another subscription?)"}
    if isinstance(exc, AuthError):
        return {UNREADABLE: "cluster not readable: this identity has no read access to it (403)"}
    return {UNREADABLE: "cluster resource not readable"}


def list_collection(link: str, wanted: Mapping[str, str], list_page: ListPage) -> dict[str, dict[str, Any]]:
    """The wanted clusters found by listing ``link``, page by page, within the page budget. A
    failure at the first page raises (the caller falls back); after it, ends the listing."""
    found: dict[str, dict[str, Any]] = {}
    budget = max(1, len(wanted) // 2)
    next_link: str | None = link
    pages = 0
    while next_link and pages < budget and len(found) < len(wanted):
        try:
            page = list_page(next_link) or {}
        except AkscliError:
            if pages == 0:
                raise
            break  # what was not found is read one by one
        pages += 1
        for cluster in page.get("value") or []:
            key = str(cluster.get("id") or "").lower()
            if key in wanted:
                found[key] = shown(cluster) or {}
        next_link = page.get("nextLink") or None
    return found


def prefetch(ids: Iterable[str], list_page: ListPage, parallel: int = 8) -> dict[str, dict[str, Any]]:
    """Member clusters found by listing their subscriptions (or their resource groups, where they
    are in at most ``parallel`` groups or the subscription's listing is refused), with bounded
    concurrency, by id in lower case; the caller reads the rest one by one."""
    found: dict[str, dict[str, Any]] = {}
    by_groups: list[str] = []  # listed by resource group: few groups, or the subscription refused
    subscriptions: list[tuple[str, dict[str, str]]] = []
    for link, wanted in collections_to_list(ids).items():
        groups = {m.group(2).lower() for m in map(_CLUSTER_ID.match, wanted.values()) if m is not None}
        # In at most ``parallel`` groups, one round of requests (a list per group of two or more,
        # a GET per lone cluster) answers sooner than a listing whose pages follow one another.
        if len(groups) <= parallel:
            by_groups.extend(wanted.values())
        else:
            subscriptions.append((link, wanted))

    def listed(item: tuple[str, Mapping[str, str]]) -> dict[str, dict[str, Any]] | None:
        """A collection's wanted clusters; None where its first page is refused."""
        try:
            return list_collection(item[0], item[1], list_page)
        except AkscliError:
            return None

    for (_, wanted), part in zip(subscriptions, parallel_map(listed, subscriptions, parallel), strict=True):
        if part is None:
            by_groups.extend(wanted.values())
        else:
            found.update(part)

    # a group's listing refused: its clusters are read one GET each by the caller
    for part in parallel_map(listed, list(collections_to_list(by_groups, by_group=True).items()), parallel):
        found.update(part or {})
    return found
