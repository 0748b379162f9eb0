"""The AKS clusters behind a fleet's members, read with fewer ARM requests than one per member.

``fleet member list`` shows each member's Kubernetes version and health, which only the cluster
resource has. One GET per member is N+1: 200 members cost 200 reads of the subscription's
bucket (ARM refills reads at 25 a second after a bucket of 250: MicrosoftDocs/azure-docs
articles/azure-resource-manager/management/request-limits-and-throttling.md), and a fleet of
1,000 members would be throttled. Members' clusters mostly share resource groups, so where a
group holds two or more of them, its clusters are listed instead (``managedClusters`` by resource
group, page by page through ``nextLink``: Azure/azure-resource-manager-rpc
v1.0/resource-api-reference.md). A group's listing stops once it has found every member cluster
in it, or after half as many pages as the GETs it replaces, so a group of thousands of clusters
with a few members costs at most half again as many requests as the GETs; what it did not find
(and Arc clusters) is read one GET each as before. A listing that fails (say, a reader allowed
the clusters but not their group) falls back to the GETs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from akscli.concurrency import parallel_map
from akscli.errors import AkscliError

_AKS_ID = re.compile(
    r"^(/subscriptions/[^/]+/resourcegroups/[^/]+)/providers/microsoft\.containerservice/managedclusters/[^/]+$", re.I
)

# What ``fleet member list`` shows of a member's cluster (fleet/arm.py member_rows and _health):
# an AKS cluster's version, power state and provisioning state (their place in the resource:
# ../shared/data/arm-examples/containerservice-2026-08-01/ManagedClustersList.json), an Arc
# cluster's connectivityStatus (Microsoft.Kubernetes/connectedClusters properties). Only
# these are kept, not the resource, whose JSON grows with each profile the cluster turns on (1.3 KB
# in that example), held for each of up to 1,000 members (MicrosoftDocs/azure-aks-docs
# fb060abe articles/kubernetes-fleet/faq.md: "supports joining up to 1,000 Kubernetes clusters").
SHOWN = ("currentKubernetesVersion", "kubernetesVersion", "powerState", "provisioningState", "connectivityStatus")

# Lists a collection: (path or nextLink URL) -> the page's JSON ({"value": [...], "nextLink": ...}).
ListPage = Callable[[str], dict[str, Any] | None]


def groups_to_list(ids: Iterable[str]) -> dict[str, set[str]]:
    """The resource groups (their id, as given) holding two or more of the AKS clusters named,
    each with the clusters' ids in lower case."""
    groups: dict[str, set[str]] = {}
    spelled: dict[str, str] = {}
    for rid in ids:
        m = _AKS_ID.match(rid)
        if m is None:
            continue
        key = m.group(1).lower()
        spelled.setdefault(key, m.group(1))
        groups.setdefault(key, set()).add(rid.lower())
    return {spelled[key]: wanted for key, wanted in groups.items() if len(wanted) >= 2}


def shown(cluster: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The fields of a cluster resource that the member list shows, in the resource's shape."""
    if cluster is None:
        return None
    props = cluster.get("properties") or {}
    return {"properties": {key: props[key] for key in SHOWN if key in props}}


def list_group(group: str, wanted: set[str], list_page: ListPage) -> dict[str, dict[str, Any]]:
    """The wanted clusters found by listing ``group``'s clusters, within the page budget."""
    found: dict[str, dict[str, Any]] = {}
    budget = max(1, len(wanted) // 2)
    link: str | None = f"{group}/providers/Microsoft.ContainerService/managedClusters"
    pages = 0
    while link and pages < budget and len(found) < len(wanted):
        try:
            page = list_page(link) or {}
        except AkscliError:
            break  # what was not found is read one by one
        pages += 1
        for cluster in page.get("value") or []:
            key = str(cluster.get("id") or "").lower()
            if key in wanted:
                found[key] = shown(cluster) or {}
        link = page.get("nextLink") or None
    return found


def prefetch(ids: Iterable[str], list_page: ListPage, parallel: int = 8) -> dict[str, dict[str, Any]]:
    """Member clusters found by listing their resource groups (bounded concurrency), by id in
    lower case; the caller reads the rest one by one."""
    groups = list(groups_to_list(ids).items())
    found: dict[str, dict[str, Any]] = {}
    for part in parallel_map(lambda item: list_group(item[0], item[1], list_page), groups, parallel):
        found.update(part)
    return found
