"""Microsoft.Compute resource SKUs and usages, and AKS's quota preflight.

Shapes: ``ResourceSkus_List`` (Azure/azure-rest-api-specs specification/compute/resource-manager/
Microsoft.Compute/Skus/stable/2021-07-01/examples/skus/ListAvailableResourceSkusForARegion.json:
resourceType, name, tier, size, family, locations, locationInfo[].zones, capabilities[] name/value,
restrictions[] type/values/restrictionInfo/reasonCode) and ``Usage_List`` (ComputeRP/stable/
2024-07-01/examples/computeRPCommonExamples/Usage_List_MaximumSet_Gen.json: unit, currentValue,
limit, name.value/localizedValue). The quota failure message is AKS's preflight text as users
see it (the QuotaExceeded message akscli's tests already carry).

The catalogue is test data: every size the tests use (the shared GPU table plus general sizes),
offered in every region with zones 1-3 unless ``emu.sku_availability`` says otherwise. vCPUs come
from the size name (the number after the family letters, Azure's VM naming convention,
https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions); the family names are
the emulator's own labels (akscli reads a size's family from this API, never from a table).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

GENERAL_SIZES = ("Standard_D2ds_v5", "Standard_D4ds_v5", "Standard_D8ds_v5", "Standard_D16ds_v5", "Standard_D4s_v5",
                 "Standard_D4s_v3", "Standard_D2s_v3", "Standard_B4ms")  # fmt: skip
DEFAULT_ZONES = ["1", "2", "3"]
DEFAULT_FAMILY_LIMIT = 1000
DEFAULT_REGIONAL_LIMIT = 5000
AP_TYPE = "Microsoft.ContainerService/managedClusters/agentPools"


def vcpus_of(size: str) -> int:
    m = re.match(r"Standard_[A-Za-z]+?(\d+)", size)
    return int(m.group(1)) if m else 2


def family_of(size: str) -> str:
    """standard + the series letters and version, e.g. Standard_NC40ads_H100_v5 -> standardNCADSH100v5Family."""
    parts = size.split("_")[1:]
    series = re.sub(r"\d+", "", parts[0], count=1) if parts else size
    rest = "".join(p for p in parts[1:])
    return f"standard{series.upper()}{rest.upper().replace('V', 'v')}Family"


def shared_csv() -> Path:
    """The shared GPU table: under ``$AKSCLI_SHARED_DIR``, else ``../shared`` beside the checkout
    (as the CRDs are found, tests/emulators/kube/crds.py). Where to find the file, not an Azure
    behaviour: the SKU facts themselves are cited in the table's SOURCES (upstream: Azure
    Resource SKUs API, ../shared/data)."""
    env = os.environ.get("AKSCLI_SHARED_DIR")
    shared = Path(env) if env else Path(__file__).resolve().parents[3].parent / "shared"
    return shared / "data" / "azure-gpu-skus.csv"


def _catalogue(emu: ArmEmulator) -> list[str]:
    sizes = {s.lower(): s for s in GENERAL_SIZES}
    try:
        with shared_csv().open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                sizes.setdefault(row["sku"].lower(), row["sku"])
    except OSError:
        pass
    for s in emu.sku_availability:
        sizes.setdefault(s.lower(), s)
    return sorted(sizes.values())


def _row(emu: ArmEmulator, size: str, location: str) -> dict[str, Any] | None:
    avail = {k.lower(): v for k, v in emu.sku_availability.items()}.get(size.lower())
    restrictions = [dict(r) for r in emu.sku_restrictions.get(size.lower(), [])]
    if avail is not None:
        where = {k.lower(): v for k, v in avail.items()}
        zones = where.get(location)
        if zones is None:
            return None
    else:
        zones = list(DEFAULT_ZONES)
    return {
        "resourceType": "virtualMachines",
        "name": size,
        "tier": "Standard",
        "size": size.split("_", 1)[-1],
        "family": family_of(size),
        "locations": [location],
        "locationInfo": [{"location": location, "zones": list(zones)}],
        "capabilities": [
            {"name": "vCPUs", "value": str(vcpus_of(size))},
            {"name": "vCPUsAvailable", "value": str(vcpus_of(size))},
            # upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetypes.go
            # createOfferings: spot capacity restrictions show as LowPriorityCapable "False".
            {"name": "LowPriorityCapable", "value": "False" if size.lower() in emu.spot_incapable else "True"},
        ],
        "restrictions": restrictions,
    }


def offered(emu: ArmEmulator, location: str) -> dict[str, list[str]]:
    """The sizes the region offers this subscription (lower-case name -> usable zones): listed there
    and not restricted for the whole region; a zone restriction takes its zones away (upstream:
    Azure/azure-rest-api-specs specification/compute/resource-manager/Microsoft.Compute/Skus/stable/
    2021-07-01/skus.json, ResourceSkuRestrictions: type Location or Zone, restrictionInfo locations
    and zones)."""
    out: dict[str, list[str]] = {}
    for size in _catalogue(emu):
        row = _row(emu, size, location)
        if row is None:
            continue
        zones = list(row["locationInfo"][0]["zones"])
        for r in row["restrictions"]:
            info = r.get("restrictionInfo") or {}
            where = [str(x).lower() for x in (info.get("locations") or r.get("values") or [])]
            if where and location not in where:
                continue
            if str(r.get("type", "")).lower() != "zone":
                break
            zones = [z for z in zones if z not in (info.get("zones") or [])]
        else:
            out[size.lower()] = zones
    return out


def _skus(emu: ArmEmulator, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, Any]:
    """ResourceSkus_List; ``$filter=location eq 'x'`` is the only filter the API supports."""
    filt = (query.get("$filter") or [""])[0]
    m = re.match(r"\s*location\s+eq\s+'([^']+)'\s*$", filt, re.I)
    if filt and m is None:
        raise ArmError(400, "InvalidFilter", f"The filter '{filt}' is not supported; use location eq 'REGION'.")
    everywhere = set(emu.regions) | {loc.lower() for where in emu.sku_availability.values() for loc in where}
    # The filter selects the rows of that location (upstream: Azure/azure-rest-api-specs
    # specification/compute/resource-manager/Microsoft.Compute/Skus/stable/2021-07-01/skus.json,
    # ResourceSkus_List "$filter": "Only location filter is supported currently."): a name that is no
    # region of this world matches no row.
    locations = ([m.group(1).lower()] if m.group(1).lower() in everywhere else []) if m else sorted(everywhere)
    value = [r for loc in locations for s in _catalogue(emu) if (r := _row(emu, s, loc)) is not None]
    return 200, {"value": value}


def _pool_usage(emu: ArmEmulator, location: str) -> tuple[dict[str, int], int, int]:
    """vCPUs in use per family, in all, and for spot, by the node pools stored in ``location``."""
    families: dict[str, int] = {}
    total = spot = 0
    for pool in emu.list_resources(AP_TYPE):
        cluster = emu.get_resource(pool["id"].rsplit("/", 2)[0]) or {}
        if str(cluster.get("location", "")).replace(" ", "").lower() != location:
            continue
        props = pool.get("properties") or {}
        used = vcpus_of(str(props.get("vmSize", ""))) * int(props.get("count") or 0)
        if props.get("scaleSetPriority") == "Spot":
            spot += used
            continue
        fam = family_of(str(props.get("vmSize", "")))
        families[fam] = families.get(fam, 0) + used
        total += used
    return families, total, spot


def usage(emu: ArmEmulator, location: str, name: str) -> tuple[int, int]:
    """(currentValue, limit) of one quota: a VM family, "cores" (regional) or "lowPriorityCores"."""
    families, total, spot = _pool_usage(emu, location)
    current = {"cores": total, "lowprioritycores": spot}.get(name.lower(), families.get(name, 0))
    default = DEFAULT_FAMILY_LIMIT if name.lower() not in ("cores", "lowprioritycores") else DEFAULT_REGIONAL_LIMIT
    limit = emu.quota_limits.get((location, name.lower()), default)
    return current + emu.quota_used.get((location, name.lower()), 0), limit


def _usages(emu: ArmEmulator, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, Any]:
    location = path.rstrip("/").split("/")[-2].lower()
    names = {"cores": "Total Regional vCPUs", "lowPriorityCores": "Total Regional Low-priority vCPUs"}
    for size in _catalogue(emu):
        fam = family_of(size)
        names.setdefault(fam, f"{fam[len('standard') : -len('Family')]} Family vCPUs")
    value = []
    for name, localized in names.items():
        current, limit = usage(emu, location, name)
        value.append({"unit": "Count", "currentValue": current, "limit": limit,
                      "name": {"value": name, "localizedValue": localized}})  # fmt: skip
    return 200, {"value": value}


def quota_message(cluster: str, location: str, family: str, limit: int, current: int, needed: int) -> str:
    return (
        f"Preflight validation check for resource(s) for container service {cluster} in resource group MC_rg "
        f"failed. Message: Operation could not be completed as it results in exceeding approved {family} Cores "
        f"quota. Additional details - Deployment Model: Resource Manager, Location: {location}, Current Limit: "
        f"{limit}, Current Usage: {current}, Additional Required: {needed}, (Minimum) New Limit Required: "
        f"{current + needed}."
    )


def _pool_quota(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    """AKS's preflight: a pool that needs more vCPUs than the family quota leaves fails QuotaExceeded."""
    cluster = emu.get_resource(rid.rsplit("/", 2)[0]) or {}
    props = body.get("properties") or {}
    old = (existing or {}).get("properties") or {}
    size = str(props.get("vmSize") or old.get("vmSize") or "")
    location = str(cluster.get("location", "eastus")).replace(" ", "").lower()
    grow = int(props.get("count") or 0) - (int(old.get("count") or 0) if old.get("vmSize") == size else 0)
    needed = vcpus_of(size) * max(grow, 0)
    name = "lowPriorityCores" if props.get("scaleSetPriority") == "Spot" else family_of(size)
    current, limit = usage(emu, location, name)
    if needed and current + needed > limit:
        message = quota_message(rid.split("/")[-3], location, name, limit, current, needed)
        emu.fail_operation("PUT", re.escape(rid.split("/")[-1]) + "$", "QuotaExceeded", message)


def install(emu: ArmEmulator) -> None:
    emu.register_route("GET", r"^/subscriptions/[^/]+/providers/Microsoft\.Compute/skus/?$", _skus)
    emu.register_route("GET", r"^/subscriptions/[^/]+/providers/Microsoft\.Compute/locations/[^/]+/usages/?$", _usages)
    emu.add_hooks(r"Microsoft\.ContainerService/managedClusters/agentPools", on_put=_pool_quota)
