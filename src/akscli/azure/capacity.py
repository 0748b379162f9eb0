"""GPU quota and VM size availability, checked before a node pool or cluster is created.

The most common way a GPU node pool fails on AKS is minutes later, on quota or on a size the
region or zone does not offer. Two Compute APIs answer both up front, read through the ARM
pipeline (no extra SDK: two GETs do not justify azure-mgmt-compute's size):

- Resource SKUs (``GET /subscriptions/{s}/providers/Microsoft.Compute/skus?$filter=location eq
  'R'``, api 2021-07-01): whether the size is offered in the region and zones, its ``family``
  (the quota it counts against) and its ``vCPUs`` capability, and ``restrictions`` (type
  ``Location`` or ``Zone``, ``restrictionInfo.locations/zones``, ``reasonCode``).
- Usages (``GET /subscriptions/{s}/providers/Microsoft.Compute/locations/{R}/usages``, api
  2024-07-01): ``currentValue`` and ``limit`` per quota ``name.value``: the VM family,
  ``cores`` (all regional vCPUs) and ``lowPriorityCores`` (spot).

Shapes: Azure/azure-rest-api-specs specification/compute/resource-manager/Microsoft.Compute/
Skus/stable/2021-07-01/examples/skus/ListAvailableResourceSkusForARegion.json and ComputeRP/
stable/2024-07-01/examples/computeRPCommonExamples/Usage_List_MaximumSet_Gen.json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from akscli.azure import arm
from akscli.azure.armerrors import QUOTA_URL
from akscli.errors import QuotaError, UsageError

SKUS_API = "2021-07-01"
USAGES_API = "2024-07-01"


@dataclass(frozen=True)
class SkuOffer:
    """One size in one region, as the Resource SKUs API describes it to this subscription."""

    name: str
    family: str
    vcpus: int
    zones: tuple[str, ...]
    restricted_zones: tuple[str, ...] = ()
    location_restriction: str | None = None  # its reasonCode when the whole region is restricted
    # Spot VMs of the size can be had (capability LowPriorityCapable "True"; Azure reports a spot
    # capacity restriction as False, upstream: Azure/karpenter-provider-azure 352646f
    # pkg/providers/instancetype/instancetypes.go createOfferings, skewer IsLowPriorityCapable).
    spot_capable: bool = False

    @property
    def usable_zones(self) -> tuple[str, ...]:
        return tuple(z for z in self.zones if z not in self.restricted_zones)


def quota_key(name: str) -> str:
    """The key a Resource SKUs ``family`` and a usages ``name.value`` share. The two APIs spell
    one family differently: the SKU list says ``Standard NCASv3_T4 Family`` and
    ``StandardNCADSA100v4Family`` (upstream: Azure/karpenter-provider-azure 352646f
    pkg/providers/instancetype/known_skus.yaml, generated from the Resource SKUs API) where the
    usages and AKS's quota errors say ``standardNCASv3_T4Family`` and ``standardNCADSA100v4Family``;
    so case, spaces, underscores and hyphens are left out, as another usages client matches them
    (lrivallain/az-scout src/az_scout/azure_api/quotas.py _normalize_family)."""
    return re.sub(r"[\s_-]", "", name).lower()


@dataclass(frozen=True)
class Quota:
    name: str  # the usage's name.value: what 'az quota update --resource-name' takes
    current: int
    limit: int
    label: str = ""  # its name.localizedValue, as the portal's My quotas lists it

    @property
    def free(self) -> int:
        return self.limit - self.current


@dataclass
class Capacity:
    """What a region offers a size and how much of its quota is free."""

    location: str
    offer: SkuOffer | None
    quotas: dict[str, Quota] = field(default_factory=dict)
    # Whether the region's SKU list had any VM size at all: none is a name that is no region.
    region_listed: bool = True

    def quota(self, name: str) -> Quota | None:
        """The quota of a VM family (as the SKU list spells it), "cores" or "lowPriorityCores"."""
        return self.quotas.get(quota_key(name))


def _capability(row: dict[str, Any], name: str) -> str | None:
    for cap in row.get("capabilities") or []:
        if str(cap.get("name", "")).lower() == name.lower():
            return str(cap.get("value"))
    return None


def offer_from_row(row: dict[str, Any], location: str) -> SkuOffer | None:
    """The offer a Resource SKUs row makes in ``location`` (None: not offered there)."""
    loc = location.lower()
    zones: tuple[str, ...] | None = None
    for info in row.get("locationInfo") or []:
        if str(info.get("location", "")).lower() == loc:
            zones = tuple(sorted(str(z) for z in info.get("zones") or []))
    if zones is None:
        return None
    restricted_zones: set[str] = set()
    location_restriction = None
    for r in row.get("restrictions") or []:
        info = r.get("restrictionInfo") or {}
        where = [str(x).lower() for x in (info.get("locations") or r.get("values") or [])]
        if where and loc not in where:
            continue
        if str(r.get("type", "")).lower() == "zone":
            # A zone restriction takes those zones away; the region itself stays usable.
            restricted_zones.update(str(z) for z in info.get("zones") or [])
        else:
            location_restriction = str(r.get("reasonCode") or "NotAvailableForSubscription")
    vcpus = _capability(row, "vCPUs")
    return SkuOffer(
        name=str(row.get("name", "")),
        family=str(row.get("family", "")),
        vcpus=int(float(vcpus)) if vcpus else 0,
        zones=zones,
        restricted_zones=tuple(sorted(restricted_zones)),
        location_restriction=location_restriction,
        spot_capable=str(_capability(row, "LowPriorityCapable")).lower() == "true",
    )


def sku_rows(target: arm.AzureTarget, location: str | None = None) -> list[dict[str, Any]]:
    """virtualMachines rows of the Resource SKUs list (for one region when given)."""
    path = f"/subscriptions/{target.subscription_id()}/providers/Microsoft.Compute/skus"
    params = f"?api-version={SKUS_API}&$filter=" + quote(f"location eq '{location}'") if location else ""
    return [r for r in arm.raw_pages(target, path, SKUS_API, params) if r.get("resourceType") == "virtualMachines"]


def usages(target: arm.AzureTarget, location: str) -> dict[str, Quota]:
    path = f"/subscriptions/{target.subscription_id()}/providers/Microsoft.Compute/locations/{location}/usages"
    out = {}
    for row in arm.raw_pages(target, path, USAGES_API):
        names = row.get("name") or {}
        name = str(names.get("value", ""))
        label = str(names.get("localizedValue") or "")
        out[quota_key(name)] = Quota(name, int(row.get("currentValue") or 0), int(row.get("limit") or 0), label)
    return out


def capacity(target: arm.AzureTarget, location: str, vm_sizes: list[str]) -> dict[str, Capacity]:
    """Each size's offer in ``location`` and the quotas it counts against (two requests in all)."""
    loc = location.replace(" ", "").lower()
    wanted = {s.lower() for s in vm_sizes}
    offers = {}
    rows = sku_rows(target, loc)
    for row in rows:
        if str(row.get("name", "")).lower() in wanted:
            offer = offer_from_row(row, loc)
            if offer is not None:
                offers[offer.name.lower()] = offer
    quotas = usages(target, loc)
    return {s: Capacity(loc, offers.get(s.lower()), quotas, bool(rows)) for s in vm_sizes}


def where_offered(target: arm.AzureTarget, vm_size: str) -> dict[str, list[str]]:
    """Regions (and usable zones) where ``vm_size`` is offered to this subscription."""
    found: dict[str, list[str]] = {}
    for row in sku_rows(target):
        if str(row.get("name", "")).lower() != vm_size.lower():
            continue
        for info in row.get("locationInfo") or []:
            loc = str(info.get("location", "")).lower()
            offer = offer_from_row(row, loc)
            if offer is not None and offer.location_restriction is None:
                found[loc] = list(offer.usable_zones)
    return found


def elsewhere(target: arm.AzureTarget, vm_size: str, location: str | None = None) -> str:
    from akscli.errors import AkscliError

    try:
        where = where_offered(target, vm_size)
    except AkscliError:
        return "see where it is offered with 'az vm list-skus --size SIZE --all -o table'"
    if not where:
        listing = f"az vm list-skus -l {location} --resource-type virtualMachines -o table" if location else ""
        return f"{vm_size} is offered to this subscription in no region; pick another size" + (
            f" (list those offered with '{listing}')" if listing else ""
        )
    parts = [f"{loc} (zones {', '.join(z)})" if z else loc for loc, z in sorted(where.items())]
    return f"{vm_size} is offered in: {'; '.join(parts)}; use a cluster there or another size"


def _regions_hint(target: arm.AzureTarget, location: str) -> str:
    """The regions nearest a location no SKU is offered in, from the subscription's own SKU list."""
    from akscli import suggest
    from akscli.errors import AkscliError

    try:
        regions = sorted(
            {str(i.get("location", "")).lower() for r in sku_rows(target) for i in r.get("locationInfo") or []}
        )
    except AkscliError:
        regions = []
    near = suggest.did_you_mean(location, regions, margin=0.05)
    return f"{near}pass a region name with -l/--location; list them with 'az account list-locations -o table'"


def check(
    target: arm.AzureTarget,
    what: str,
    location: str,
    vm_size: str,
    count: int,
    *,
    zones: list[str] | None = None,
    spot: bool = False,
) -> None:
    """Refuse a pool of ``count`` x ``vm_size`` the region, zones or quota cannot hold.

    A size the region does not offer to this subscription (not listed there, or restricted there)
    is a UsageError (exit 2), in AKS's words: AKS refuses such a pool at once with 400 BadRequest,
    "The VM size of S is not allowed in your subscription in location 'L'. The available VM sizes
    are '...'" (upstream: what users report AKS answered, e.g. hashicorp/terraform-provider-azurerm
    issue 13781, hashicorp-education/learn-terraform-provision-aks-cluster issue 15), and armerrors
    maps that 4xx to a usage error. So are zones the size is not offered in: AKS refuses them at
    once with 400 AvailabilityZoneNotSupported, "The zone(s) 2 for resource nodepool1 is not
    supported. The supported zones for location centralus are (empty)." (upstream:
    MicrosoftDocs/azure-aks-docs pull request 416, articles/aks/reliability-availability-zones-configure.md).
    A quota that cannot hold the pool is a QuotaError (exit 8).
    """
    cap = capacity(target, location, [vm_size])[vm_size]
    offer = cap.offer
    if offer is None and not cap.region_listed:
        # Every Azure region lists hundreds of VM sizes; a filter that matches none names no region
        # this subscription can use (a typo in -l): say so, not that one size is missing there.
        raise UsageError(
            f"{what}: location '{cap.location}' offers no VM sizes to this subscription: it is no Azure region "
            "name, or one this subscription cannot use",
            hint=_regions_hint(target, cap.location),
        )
    if offer is None:
        raise UsageError(
            f"{what}: the VM size {vm_size} is not allowed in your subscription in location '{cap.location}' "
            "(the region's resource SKUs do not offer it)",
            hint=elsewhere(target, vm_size, cap.location),
        )
    if offer.location_restriction is not None:
        raise UsageError(
            f"{what}: the VM size {vm_size} is not allowed in your subscription in location '{cap.location}' "
            f"(restricted there: {offer.location_restriction})",
            hint="ask for access with a support request (https://aka.ms/azureskunotavailable), or: "
            + elsewhere(target, vm_size, cap.location),
        )
    bad = [z for z in zones or [] if z not in offer.usable_zones]
    if bad:
        usable = " ".join(offer.usable_zones)
        raise UsageError(
            f"{what}: the zone(s) {','.join(bad)} are not supported for {vm_size} in location '{cap.location}' "
            f"(AKS would answer AvailabilityZoneNotSupported); the supported zones there are {usable or '(none)'}",
            hint=(f"use --zones {usable}" if usable else f"{vm_size} has no zone there") + ", or leave --zones out",
        )
    needed = offer.vcpus * count
    names = ["lowPriorityCores"] if spot else [offer.family, "cores"]
    for name in names:
        quota = cap.quota(name)
        if quota is None or needed <= quota.free:
            continue
        label = {"cores": "total regional vCPU", "lowPriorityCores": "spot vCPU"}.get(name, f"{quota.name} vCPU")
        portal = f" ('{quota.label}' there)" if quota.label else ""
        raise QuotaError(
            f"{what}: needs {needed} vCPUs ({count} x {vm_size}, {offer.vcpus} each) but the {label} quota in "
            f"{cap.location} has {max(quota.free, 0)} free (used {quota.current} of limit {quota.limit})",
            hint=f"request a limit of at least {quota.current + needed} for {quota.name} in {cap.location} at "
            f"{QUOTA_URL}{portal} (or 'az quota update --resource-name {quota.name}'), or choose another size or "
            "region",
        )


def quota_marks(target: arm.AzureTarget, location: str, nodes: dict[str, int]) -> dict[str, str]:
    """Why each VM size (with the nodes it needs) would not fit this subscription in ``location``:
    not offered, restricted, or over its family's or the regional vCPU quota. Sizes that fit are
    left out. Two requests in all (``model plan --subscription``)."""
    caps = capacity(target, location, list(nodes))
    marks: dict[str, str] = {}
    used: dict[str, int] = {}
    for size, cap in caps.items():
        offer = cap.offer
        if offer is None:
            marks[size] = f"not offered in {cap.location}"
            continue
        if offer.location_restriction is not None:
            marks[size] = f"restricted in {cap.location} ({offer.location_restriction})"
            continue
        needed = offer.vcpus * max(nodes[size], 1)
        for name in (offer.family, "cores"):
            quota = cap.quota(name)
            if quota is not None and needed > quota.free:
                label = "regional vCPU" if name == "cores" else f"{quota.name} vCPU"
                marks[size] = f"over quota: needs {needed} vCPUs, {max(quota.free, 0)} free of the {label} quota"
                break
        used[size] = needed
    return marks
