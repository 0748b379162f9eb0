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
https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions); a size's ``family`` and
the usages' names for it are Azure's (tests/emulators/arm/sku_families.py cites them).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.emulators.arm import sku_families
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
    """The Resource SKUs API's family of a size, e.g. Standard_NC24ads_A100_v4 -> StandardNCADSA100v4Family."""
    return sku_families.sku_family(size)


def quota_name(size: str) -> str:
    """The usages API's name.value of the family's quota, e.g. standardNCADSA100v4Family."""
    return sku_families.usage_name(family_of(size))


def _key(name: str) -> str:
    """A quota's key for the test knobs (quota_limits, quota_used): any spelling of the family."""
    return re.sub(r"[\s_-]", "", name).lower()


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
    """vCPUs in use per family quota (by _key), in all, and for spot, by the node pools stored in ``location``."""
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
        fam = _key(family_of(str(props.get("vmSize", ""))))
        families[fam] = families.get(fam, 0) + used
        total += used
    return families, total, spot


def usage(emu: ArmEmulator, location: str, name: str) -> tuple[int, int]:
    """(currentValue, limit) of one quota: a VM family, "cores" (regional) or "lowPriorityCores"."""
    families, total, spot = _pool_usage(emu, location)
    key = _key(name)
    current = {"cores": total, "lowprioritycores": spot}.get(key, families.get(key, 0))
    default = DEFAULT_FAMILY_LIMIT if key not in ("cores", "lowprioritycores") else DEFAULT_REGIONAL_LIMIT
    limits = {(loc, _key(n)): v for (loc, n), v in emu.quota_limits.items()}
    used = {(loc, _key(n)): v for (loc, n), v in emu.quota_used.items()}
    return current + used.get((location, key), 0), limits.get((location, key), default)


def _usages(emu: ArmEmulator, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, Any]:
    location = path.rstrip("/").split("/")[-2].lower()
    # "Total Regional vCPUs" and "Total Regional Low-priority vCPUs": what `az vm list-usage` prints
    # for cores and lowPriorityCores (learn.microsoft.com azure-resource-manager/troubleshooting/
    # error-resource-quota, its `az vm list-usage --location "West US"` table).
    names = {"cores": "Total Regional vCPUs", "lowPriorityCores": "Total Regional Low-priority vCPUs"}
    for size in _catalogue(emu):
        name = quota_name(size)
        names.setdefault(name, sku_families.usage_label(name))
    value = []
    for name, localized in names.items():
        current, limit = usage(emu, location, name)
        value.append({"unit": "Count", "currentValue": current, "limit": limit,
                      "name": {"value": name, "localizedValue": localized}})  # fmt: skip
    return 200, {"value": value}


# Where Compute's quota errors send the user: the portal's quota blade, its parameters a URL-encoded
# JSON that names the quota and the limit to ask for (cilium/cilium#31859, scylladb/scylla-cluster-tests#12948).
_REQUEST_URL = (
    "https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView/Parameters/"
    "%7B%22subscriptionId%22:%22{sub}%22,%22command%22:%22openQuotaApprovalBlade%22,%22quotas%22:[%7B"
    "%22location%22:%22{location}%22,%22providerId%22:%22Microsoft.Compute%22,%22resourceName%22:%22{name}%22,"
    "%22quotaRequest%22:%7B%22properties%22:%7B%22limit%22:{limit},%22unit%22:%22Count%22,%22name%22:%7B"
    "%22value%22:%22{name}%22%7D%7D%7D%7D]%7D"
)
# The name a quota has in the message: a family's usage name, "Total Regional" and "Low Priority"
# (Azure/karpenter-provider-azure 352646f pkg/fake/aksmachinesapi.go and
# pkg/cloudprovider/suite_test.go quote Compute's "Total Regional Cores" and "Low Priority Cores").
_MESSAGE_NAMES = {"cores": "Total Regional", "lowprioritycores": "Low Priority"}
# The quota the request link names: the usage's name.value, but the spot quota as "LowPriorityCores"
# (Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/suite_test.go quotes Compute's
# "Low Priority Cores quota" message, its link "resourceName%22:%22LowPriorityCores%22"; "cores" for
# "Total Regional Cores"). The provider tells a spot quota error by that word alone, case and all
# (Azure/azure-sdk-for-go-extensions 9a81406 pkg/errors/consts.go LowPriorityQuotaExceededTerm
# "LowPriorityCores", pkg/errors/common.go isLowPriorityQuotaExceeded: strings.Contains).
_REQUEST_NAMES = {"lowprioritycores": "LowPriorityCores"}


def quota_message(
    rid: str, location: str, name: str, limit: int, current: int, needed: int, *, cluster: str | None = None
) -> str:
    """AKS's QuotaExceeded for an agent pool PUT: its preflight wraps Compute's OperationNotAllowed
    message, as cilium/cilium#31859 quotes it ("Preflight validation check for resource(s) for container
    service C in resource group MC_..._C_LOCATION failed. Message: Operation could not be completed as it
    results in exceeding approved standardBSFamily Cores quota. Additional details - ... Submit a request for
    Quota increase at https://aka.ms/ProdportalCRP/... by specifying parameters listed in the 'Details'
    section for deployment to succeed. Please read more about quota limits at https://docs.microsoft.com/
    en-us/azure/azure-supportability/per-vm-quota-requests"). ``rid`` is the pool's resource ID."""
    parts = rid.split("/")
    sub, group = parts[2], parts[4]
    cluster = cluster or parts[8]
    new_limit = current + needed
    request = _REQUEST_URL.format(
        sub=sub, location=location, name=_REQUEST_NAMES.get(_key(name), name), limit=new_limit
    )
    return (
        f"Preflight validation check for resource(s) for container service {cluster} in resource group "
        f"MC_{group}_{cluster}_{location} failed. Message: Operation could not be completed as it results in "
        f"exceeding approved {_MESSAGE_NAMES.get(_key(name), name)} Cores quota. Additional details - Deployment "
        f"Model: Resource Manager, Location: {location}, Current Limit: {limit}, Current Usage: {current}, "
        f"Additional Required: {needed}, (Minimum) New Limit Required: {new_limit}. Submit a request for Quota "
        f"increase at {request} by specifying parameters listed in the \u2018Details\u2019 section for deployment "
        "to succeed. Please read more about quota limits at "
        "https://docs.microsoft.com/en-us/azure/azure-supportability/per-vm-quota-requests"
    )


def _pool_quota(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    """AKS's preflight: a pool that needs more vCPUs than its family's quota, or the regional one, leaves
    fails QuotaExceeded (a spot pool: the low-priority quota). A VM counts against both its family's and
    the regional vCPUs (MicrosoftDocs/azure-docs includes/virtual-machines-common-quotas.md: "If either of
    those quotas are exceeded, the VM deployment will not be allowed"); the family is checked first."""
    cluster = emu.get_resource(rid.rsplit("/", 2)[0]) or {}
    props = body.get("properties") or {}
    old = (existing or {}).get("properties") or {}
    size = str(props.get("vmSize") or old.get("vmSize") or "")
    location = str(cluster.get("location", "eastus")).replace(" ", "").lower()
    grow = int(props.get("count") or 0) - (int(old.get("count") or 0) if old.get("vmSize") == size else 0)
    needed = vcpus_of(size) * max(grow, 0)
    names = ["lowPriorityCores"] if props.get("scaleSetPriority") == "Spot" else [quota_name(size), "cores"]
    for name in names:
        current, limit = usage(emu, location, name)
        if needed and current + needed > limit:
            message = quota_message(rid, location, name, limit, current, needed)
            emu.fail_operation("PUT", re.escape(rid.split("/")[-1]) + "$", "QuotaExceeded", message)
            return


def install(emu: ArmEmulator) -> None:
    emu.register_route("GET", r"^/subscriptions/[^/]+/providers/Microsoft\.Compute/skus/?$", _skus)
    emu.register_route("GET", r"^/subscriptions/[^/]+/providers/Microsoft\.Compute/locations/[^/]+/usages/?$", _usages)
    emu.add_hooks(r"Microsoft\.ContainerService/managedClusters/agentPools", on_put=_pool_quota)
