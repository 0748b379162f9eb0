"""Whether the subscription's vCPU quota lets a full GPU pool grow by the nodes an NCCL test waits
for: read only where every GPU node is full and the cluster autoscaler or a NodePool could add
nodes (akscli.baremetal.nccl_growth), before the run is promised a node.

Where the nodes come from (``Origin``): their ``spec.providerID``, which cloud-provider-azure sets
to ``azure:///subscriptions/SUB/resourceGroups/...`` (the same id nccl_growth reads the scale set
from; upstream: kubernetes/autoscaler cluster-autoscaler/cloudprovider/azure/azure_scale_set.go),
the region label (upstream: kubernetes/api 10b39a39b core/v1/well_known_labels.go
LabelTopologyRegion), the size label, and AKS's spot label ``kubernetes.azure.com/scalesetpriority:
spot`` (MicrosoftDocs/azure-aks-docs fb060abe6 articles/aks/spot-node-pool.md). Nodes with another
provider id (AKS on bare metal, another cloud) have no Azure compute quota: nothing is read.

The check is akscli.azure.capacity's, the one ``nodepool add`` runs: the size's family and vCPUs
from the Resource SKUs API, ``currentValue`` and ``limit`` from the Compute usages API (upstream:
Azure/azure-rest-api-specs ComputeRP/stable/2024-07-01/examples/computeRPCommonExamples/
Usage_List_MaximumSet_Gen.json), against the family's and the regional vCPU quota (spot: the
low-priority quota). Two ARM GETs, with the credential every akscli Azure command uses.

- A cluster autoscaler's scale set grows only by its own size: a quota that cannot hold the nodes
  refuses the run (exit 8), as the scale-up would fail QuotaExceeded and back off.
- A NodePool may launch any size its requirements allow that holds the pod (Karpenter tries the
  instance types it may launch, cheapest first). Its candidates (``nodepool_sizes``): the NVIDIA
  GPU sizes Azure's provider knows as GPU sizes (akscli.nap.sizes), with at least the GPUs a pod
  asks for, whose labels (akscli.nap.sizes.size_labels: size, SKU, arch and os labels) every
  requirement on such a label admits. Each is then judged on its offerings: a zone and capacity
  type the requirements admit (``offerings``: zones from the Resource SKUs, spot only where the size
  is LowPriorityCapable), and the quota of an admitted capacity type (on-demand: family and
  regional vCPUs; spot: low-priority vCPUs). Still two GETs (akscli.azure.capacity.capacity); a
  warning only where no size can be had. upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/
  scheduling/nodeclaim.go (fits, compatible), Azure/karpenter-provider-azure 352646f
  pkg/providers/instancetype/instancetype.go computeRequirements. Where the pods' node selector
  names their size (ND sizes: NCCL's topology file), Karpenter may launch only that size, so its
  shortfall refuses the run, as a scale set's does.
- No Azure sign-in, or no right to read the quota: a warning that it was not checked; the run goes
  ahead as before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from akscli.errors import AkscliError, QuotaError

_AZURE_ID = re.compile(r"^azure:///subscriptions/([^/]+)/", re.IGNORECASE)
REGION_LABEL = "topology.kubernetes.io/region"
SPOT_LABEL = "kubernetes.azure.com/scalesetpriority"


@dataclass(frozen=True)
class Origin:
    """The Azure subscription, region and size one GPU node comes from."""

    subscription: str
    region: str
    vm_size: str
    spot: bool


def origin(node: Mapping[str, Any], labels: Mapping[str, str], vm_size: str | None) -> Origin | None:
    """Where a node comes from, or None for a node that is no Azure VM."""
    match = _AZURE_ID.match(str((node.get("spec") or {}).get("providerID") or ""))
    if not match:
        return None
    spot = labels.get(SPOT_LABEL) == "spot"
    return Origin(match.group(1), labels.get(REGION_LABEL, ""), vm_size or "", spot)


@dataclass(frozen=True)
class Launch:
    """What a NodePool may launch for the test's pods: its requirements, the GPUs a pod asks for,
    and the size the pods' node selector names, if any."""

    pool: str
    requirements: tuple[Mapping[str, Any], ...]
    gpus_per_node: int
    size_pinned: str | None = None


def nodepool_sizes(launch: Launch) -> list[str]:
    """The GPU sizes the NodePool may launch for a pod of the test (see the module's doc)."""
    from akscli.model import skus
    from akscli.nap import sizes as nap_sizes

    if launch.size_pinned:
        return [launch.size_pinned]
    judged = [r for r in launch.requirements if r.get("key") in _SIZE_KEYS]
    out = []
    for sku in skus.all_skus():
        if nap_sizes.gpu_manufacturer(sku.vm_size) != "nvidia" or sku.gpus < launch.gpus_per_node:
            continue
        labels = nap_sizes.size_labels(sku.vm_size)
        if all(nap_sizes.admits_value(r, labels.get(str(r.get("key")))) for r in judged):
            out.append(sku.vm_size)
    return out


# The labels akscli.nap.sizes.size_labels can give a size
_SIZE_KEYS = frozenset(
    {
        "node.kubernetes.io/instance-type",
        "karpenter.azure.com/sku-name",
        "karpenter.azure.com/sku-family",
        "karpenter.azure.com/sku-cpu",
        "karpenter.azure.com/sku-memory",
        "karpenter.azure.com/sku-gpu-count",
        "karpenter.azure.com/sku-gpu-manufacturer",
        "karpenter.azure.com/sku-gpu-name",
        "kubernetes.azure.com/sku-cpu",
        "kubernetes.azure.com/sku-memory",
        "kubernetes.io/arch",  # amd64 for every size here (v1beta1 AzureToKubeArchitectures: x64)
        "kubernetes.io/os",
    }
)
SIZES_NAMED = 4  # sizes named in the warning


def check_nodepool(where: Origin | None, nodes: int, launch: Launch) -> str:
    """The NodePool's quota check: ``check`` for the one size the pods name (a shortfall refuses);
    else every size the NodePool may launch, judged as Karpenter judges an instance type: an
    offering (zone, capacity type) its requirements admit, and the quota of that capacity type
    (see ``size_mark``); what to add to the growth warning where none of them can be had."""
    if where is None:
        return ""
    if launch.size_pinned or not where.region:
        spot = where.spot or not admits_on_demand(launch.requirements)
        return check(replace(where, spot=spot), nodes, strict=bool(launch.size_pinned) and not spot)
    from akscli.azure import arm, capacity

    sizes = nodepool_sizes(launch)
    if not sizes:
        return (
            f"NodePool {launch.pool}'s requirements admit none of the NVIDIA GPU sizes akscli knows with "
            f"{launch.gpus_per_node} GPU(s) or more: node auto-provisioning may launch no node for the pods"
        )
    try:
        caps = capacity.capacity(arm.AzureTarget(where.subscription), where.region, sizes)
    except AkscliError as exc:
        return f"the subscription's vCPU quota was not checked ({exc.message.splitlines()[0]})"
    marks = {size: size_mark(caps[size], nodes, launch.requirements) for size in sizes}
    if not all(marks.values()):
        return ""
    named = ", ".join(f"{size} ({marks[size]})" for size in sizes[:SIZES_NAMED])
    more = f" and {len(sizes) - SIZES_NAMED} more" if len(sizes) > SIZES_NAMED else ""
    return (
        f"the subscription's vCPU quota in {where.region} may hold none of the {len(sizes)} size(s) NodePool "
        f"{launch.pool} may launch for {nodes} node(s): {named}{more}"
    )


# What Karpenter matches a NodePool's zone and capacity-type requirements against: an instance
# type's offerings, one per zone it is offered in (then the regional "0") and capacity type, each
# with these labels; spot only where the size is LowPriorityCapable. upstream:
# Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetypes.go createOfferings
# and instanceTypeZones, pkg/utils/zones/zones.go (Regional, PlacementScopeForZone),
# pkg/apis/v1beta1/labels.go (scalesetpriority, priority, placement-scope); kubernetes-sigs/karpenter
# 2266468 pkg/cloudprovider/types.go InstanceTypes.Compatible (an available offering the
# requirements admit) and pkg/apis/v1/labels.go CapacityTypeLabelKey.
ZONE = "topology.kubernetes.io/zone"
REGIONAL = "0"
PLACEMENT_SCOPE = "karpenter.azure.com/placement-scope"
CAPACITY_TYPE = "karpenter.sh/capacity-type"
_OFFERING_LABELS = {
    "on-demand": {
        CAPACITY_TYPE: "on-demand",
        SPOT_LABEL: "regular",
        "kubernetes.azure.com/priority": "regular",
    },
    "spot": {CAPACITY_TYPE: "spot", SPOT_LABEL: "spot", "kubernetes.azure.com/priority": "spot"},
}
# The quotas an offering's VMs count against: on-demand, the family's and the regional vCPUs;
# spot, the regional low-priority vCPUs (akscli.azure.capacity.check).
_QUOTA_LABELS = {"cores": "regional vCPU", "lowPriorityCores": "spot vCPU"}


def _admits(requirements: tuple[Mapping[str, Any], ...], key: str, value: str) -> bool:
    from akscli.nap import sizes as nap_sizes

    return all(nap_sizes.admits_value(r, value) for r in requirements if r.get("key") == key)


def admits_on_demand(requirements: tuple[Mapping[str, Any], ...]) -> bool:
    return all(_admits(requirements, k, v) for k, v in _OFFERING_LABELS["on-demand"].items())


def offerings(offer: Any, location: str, requirements: tuple[Mapping[str, Any], ...]) -> list[tuple[str, str]]:
    """The (zone, capacity type) offerings of a size (an akscli.azure.capacity.SkuOffer) in
    ``location`` that the NodePool's requirements admit."""
    out = []
    for zone in (*(f"{location}-{z}" for z in offer.usable_zones), REGIONAL):
        scope = "regional" if zone == REGIONAL else "zonal"
        if not (_admits(requirements, ZONE, zone) and _admits(requirements, PLACEMENT_SCOPE, scope)):
            continue
        for kind, labels in _OFFERING_LABELS.items():
            if (kind == "on-demand" or offer.spot_capable) and all(
                _admits(requirements, k, v) for k, v in labels.items()
            ):
                out.append((zone, kind))
    return out


def size_mark(cap: Any, nodes: int, requirements: tuple[Mapping[str, Any], ...]) -> str:
    """Why Karpenter could not launch ``nodes`` of a size (an akscli.azure.capacity.Capacity) for
    the NodePool: not offered, restricted, no offering its requirements admit, or each admitted
    capacity type's quota short; "" where it could."""
    offer = cap.offer
    if offer is None:
        return f"not offered in {cap.location}"
    if offer.location_restriction is not None:
        return f"restricted in {cap.location} ({offer.location_restriction})"
    kinds = {kind for _, kind in offerings(offer, cap.location, requirements)}
    if not kinds:
        zones = ", ".join(offer.usable_zones) or "none"
        spot = "" if offer.spot_capable else ", no spot"
        return f"no offering the NodePool's zone and capacity-type requirements admit (zones {zones}{spot})"
    needed = offer.vcpus * max(nodes, 1)
    short = []
    for kind in ("on-demand", "spot"):
        if kind not in kinds:
            continue
        over = ""
        for name in [offer.family, "cores"] if kind == "on-demand" else ["lowPriorityCores"]:
            quota = cap.quota(name)
            if quota is not None and needed > quota.free:
                label = _QUOTA_LABELS.get(name, f"{quota.name} vCPU")
                over = f"over quota: needs {needed} vCPUs, {max(quota.free, 0)} free of the {label} quota"
                break
        if not over:
            return ""
        short.append(over)
    return "; ".join(short)


def check(where: Origin | None, nodes: int, *, strict: bool) -> str:
    """Raise QuotaError where ``strict`` and the quota cannot hold ``nodes`` more of the size;
    else return what to add to the growth warning ("" where nothing is to be said)."""
    if where is None:
        return ""
    if not where.region or not where.vm_size:
        missing = REGION_LABEL if not where.region else "node.kubernetes.io/instance-type"
        return f"the subscription's vCPU quota was not checked (the nodes carry no {missing} label)"
    from akscli.azure import arm, capacity

    what = f"{nodes} more {where.vm_size} node(s)"
    try:
        capacity.check(arm.AzureTarget(where.subscription), what, where.region, where.vm_size, nodes, spot=where.spot)
    except QuotaError as exc:
        if strict:
            raise
        return (
            f"the subscription's vCPU quota may not hold them ({exc.message}); "
            "node auto-provisioning may pick another size"
        )
    except AkscliError as exc:  # no sign-in, no right to read the quota, the size not offered
        return f"the subscription's vCPU quota was not checked ({exc.message.splitlines()[0]})"
    return ""
