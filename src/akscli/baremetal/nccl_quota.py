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
  GPU sizes Azure's provider knows as GPU sizes (akscli.nap_sizes), with at least the GPUs a pod
  asks for, whose labels (akscli.nap_sizes.size_labels) every requirement on a size label admits
  (requirements on other labels, zones or capacity type, are not judged: a superset). The quota is
  read for each (akscli.azure.capacity.quota_marks, still two GETs); a warning only where it holds
  none of them. upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/
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
from dataclasses import dataclass
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
    from akscli import nap_sizes
    from akscli.model import skus

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


# The labels akscli.nap_sizes.size_labels can give a size
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
    }
)
SIZES_NAMED = 4  # sizes named in the warning


def check_nodepool(where: Origin | None, nodes: int, launch: Launch) -> str:
    """The NodePool's quota check: ``check`` for the one size the pods name (a shortfall refuses),
    or for the node's size of a spot pool; else the quota of every size the NodePool may launch,
    and what to add to the growth warning where it holds none of them."""
    if where is None:
        return ""
    if launch.size_pinned or where.spot or not where.region:
        return check(where, nodes, strict=bool(launch.size_pinned) and not where.spot)
    from akscli.azure import arm, capacity

    sizes = nodepool_sizes(launch) or [where.vm_size]
    try:
        marks = capacity.quota_marks(arm.AzureTarget(where.subscription), where.region, dict.fromkeys(sizes, nodes))
    except AkscliError as exc:
        return f"the subscription's vCPU quota was not checked ({exc.message.splitlines()[0]})"
    if any(size not in marks for size in sizes):
        return ""
    named = ", ".join(f"{size} ({marks[size]})" for size in sizes[:SIZES_NAMED])
    more = f" and {len(sizes) - SIZES_NAMED} more" if len(sizes) > SIZES_NAMED else ""
    return (
        f"the subscription's vCPU quota in {where.region} may hold none of the {len(sizes)} size(s) NodePool "
        f"{launch.pool} may launch for {nodes} node(s): {named}{more}"
    )


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
