"""Zones of a node auto-provisioning (NAP) NodePool: --zones as NAP spells them, and the check that
they are zones of the cluster's region, read from one node. Plain logic: no Typer, no rich."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from akscli.errors import UsageError

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget
    from akscli.kube.client import Kube

# The well-known labels a node carries its region and zone in (k8s.io/api core/v1 well_known_labels.go
# LabelTopologyRegion, LabelTopologyZone; on AKS the zone is "<region>-<n>", or "0" for a node in no
# zone: Azure/karpenter-provider-azure 352646f pkg/utils/zones/zones.go).
REGION_LABEL = "topology.kubernetes.io/region"
ZONE_LABEL = "topology.kubernetes.io/zone"


def parse(given: Sequence[str]) -> list[str]:
    """--zones as NAP's topology.kubernetes.io/zone values: "<region>-<zone>" in lower case
    (upstream: Azure/karpenter-provider-azure 352646f pkg/utils/zones/zones.go
    MakeAKSLabelZoneFromARMZone; MicrosoftDocs/azure-aks-docs fb060abe
    articles/aks/node-auto-provisioning-node-pools.md: [uksouth-1,uksouth-2,uksouth-3]), or a bare
    ARM zone number as az takes it ("1"), which ``resolve`` turns into "<region>-1" once the
    cluster's region is read, or "0": the zone label of NAP's regional (non-zonal) offering, which
    every size has and a size offered in no zone has only (upstream: Azure/karpenter-provider-azure
    352646f pkg/utils/zones/zones.go Regional; pkg/providers/instancetype/instancetypes.go
    instanceTypeZones). A requirement without "0" leaves NAP no regional fallback, and makes no
    node of a size the region offers in no zone."""
    out: list[str] = []
    for value in (v.strip() for text in given for v in text.split(",")):
        if not value:
            continue
        if not ZONE.fullmatch(value) and not ARM_ZONE.fullmatch(value) and value != REGIONAL:
            raise UsageError(
                f"invalid --zones value {value!r} for --auto-provision: NAP zones are REGION-N, N, or 0 (regional)",
                hint="give zone numbers or REGION-N zones, e.g. --zones 1,2 or --zones eastus-1,eastus-2 "
                "(add 0 to allow NAP's regional, non-zonal offering)",
            )
        if value not in out:
            out.append(value)
    return out


def bare(zones: Sequence[str]) -> list[str]:
    """The zones given as ARM zone numbers only, which need the cluster's region."""
    return [z for z in zones if ARM_ZONE.fullmatch(z)]


ZONE = re.compile(r"[a-z0-9]+-[1-9]")
# The zone label of a node in no zone (zones.go Regional), in every region: taken as given.
REGIONAL = "0"
# An ARM zone number (az aks nodepool add --zones 1 2 3; zones.go MakeARMZonesFromAKSLabelZone).
ARM_ZONE = re.compile(r"[1-9]")


def region_of(zone: str) -> str:
    return zone.rsplit("-", 1)[0]


def cluster_region(kube: Kube) -> tuple[str, str] | None:
    """(the region, the node it was read from): one node's topology.kubernetes.io/region label, one
    list request of limit 1 (every node of an AKS cluster is in its region). None where the cluster
    has no node, the node no label, or the nodes cannot be listed: the check is then left out."""
    from akscli.errors import AkscliError

    try:
        page = next(iter(kube.list_pages("v1", "Node", page_size=1)), None)
    except AkscliError:
        return None
    for node in (page or {}).get("items") or []:
        meta = node.get("metadata") or {}
        region = str((meta.get("labels") or {}).get(REGION_LABEL) or "").lower()
        if region:
            return region, str(meta.get("name", ""))
    return None


def resolve(zones: Sequence[str], kube: Kube) -> list[str]:
    """The zones as NAP's labels, checked against the cluster's region (before anything is sent),
    with one read of the region: a bare zone number N becomes "<region>-N" (zones.go
    MakeAKSLabelZoneFromARMZone), and a zone of another region is refused: NAP would find no
    offering in it and make no node (upstream: Azure/karpenter-provider-azure 352646f
    pkg/providers/instancetype/instancetypes.go createOfferings: offerings only in the zones of the
    cluster's region the size is offered in). Where the region cannot be read, REGION-N zones are
    taken as given and a bare number is refused."""
    if not zones:
        return []
    found = cluster_region(kube)
    if found is None:
        numbers = bare(zones)
        if numbers:
            raise UsageError(
                f"--zones {numbers[0]} needs the cluster's region, and no node's {REGION_LABEL} could be read",
                hint="give the region with the zone, e.g. --zones eastus-1 (region: az aks show --query location)",
            )
        return list(zones)
    region, node = found
    out: list[str] = []
    for zone in zones:
        label = f"{region}-{zone}" if ARM_ZONE.fullmatch(zone) else zone
        if label != REGIONAL and region_of(label) != region:
            raise UsageError(
                f"--zones {zone} is not in the cluster's region {region} (node {node}'s {REGION_LABEL})",
                hint=f"give zones of {region}, e.g. --zones 1,2 or --zones {region}-1,{region}-2",
            )
        if label not in out:
            out.append(label)
    return out


def offered_reader(target: AzureTarget, location: str) -> Callable[[str], tuple[str, ...] | None]:
    """The zone labels NAP offers a size in, in ``location``, from the subscription's Resource SKUs
    (akscli.azure.capacity; read once, when first asked, and only by a caller that already has the
    subscription: `model deploy --subscription`): "<location>-<zone>" for each zone the size is
    offered in there and not restricted, then the regional offering "0"; none for a size not offered
    there or restricted in the whole region; None where the SKUs cannot be read (not known).
    upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetypes.go
    List (only SKUs without a location restriction, skewer HasLocationRestriction), instanceTypeZones
    (the SKU's zones in the location, then zones.Regional for every size), createOfferings."""
    from akscli.azure import capacity
    from akscli.errors import AkscliError

    loc = location.replace(" ", "").lower()
    read: dict[str, list[dict[str, Any]] | None] = {}

    def offered(vm_size: str) -> tuple[str, ...] | None:
        if "rows" not in read:
            try:
                read["rows"] = capacity.sku_rows(target, loc)
            except AkscliError:
                read["rows"] = None
        rows = read["rows"]
        if rows is None:
            return None
        row = next((r for r in rows if str(r.get("name", "")).lower() == vm_size.lower()), None)
        offer = capacity.offer_from_row(row, loc) if row is not None else None
        if offer is None or offer.location_restriction is not None:
            return ()
        return (*(f"{loc}-{z}" for z in offer.usable_zones), REGIONAL)

    return offered
