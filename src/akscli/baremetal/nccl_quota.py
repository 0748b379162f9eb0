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
- A NodePool may pick another size its requirements allow (Karpenter tries the instance types it
  may launch), so there the shortfall is a warning.
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
