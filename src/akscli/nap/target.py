"""A NAP (Karpenter) NodePool named where akscli takes a node pool for a workload's placement (ray's
--gpu-pool and a worker group's pool=): the label that selects its nodes, the VM size they will
have, and why it may make no node for the pods. Plain logic: no Typer, no rich.

upstream: Karpenter labels every NodeClaim and Node it makes with karpenter.sh/nodepool=<NodePool>
(kubernetes-sigs/karpenter 2266468 pkg/apis/v1/labels.go NodePoolLabelKey,
pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go NewNodeClaimTemplate), a well-known
label a pod may select (it is one of the NodeClaim template's requirements, so Karpenter makes a
node for such a pod only from that pool). It writes no kubernetes.azure.com/agentpool: the Azure
provider's node labels (Azure/karpenter-provider-azure 352646f pkg/providers/labels/labels.go Get)
have none, and its design note designs/0006-requirements-and-labels.md lists
kubernetes.azure.com/agentpool as "Karpenter (written to node): no", waiting for "the machine API
migration" for full label parity. In that mode the machines belong to one reserved agent pool,
aksmanagedap, for every NodePool (test/pkg/environment/azure/environment.go, pkg/test/options.go
AKSMachinesPoolName): the agentpool label, where AKS writes one, does not name the NodePool. So a
NodePool's nodes are selected by karpenter.sh/nodepool alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.kube.client import Kube

NODEPOOL_LABEL = "karpenter.sh/nodepool"
GPU_RESOURCE = "nvidia.com/gpu"
# The NodePool requirement keys that pin one VM size (nap_sizes.INSTANCE_TYPE and SKU_NAME).
_SIZE_KEYS = ("node.kubernetes.io/instance-type", "karpenter.azure.com/sku-name")


def read(kube: Kube, name: str) -> dict[str, Any] | None:
    """The NodePool of the name: one GET (None where the cluster serves no karpenter.sh/v1
    NodePool, has none of the name, or the user may not read it)."""
    from akscli.errors import AkscliError
    from akscli.nap import nodepool as nap

    try:
        return kube.get(nap.API_VERSION, nap.KIND, name)
    except AkscliError:
        return None


def vm_size(pool: Mapping[str, Any]) -> str | None:
    """The one VM size the NodePool's requirements allow (an In of one value on the instance type
    or karpenter.azure.com/sku-name, as akscli's nodepool add --auto-provision --vm-size writes it),
    else None: Karpenter picks among several."""
    from akscli.nap import nodepool as nap

    for requirement in nap.requirements(pool):
        values = requirement.get("values") or []
        if requirement.get("key") in _SIZE_KEYS and requirement.get("operator") == "In" and len(values) == 1:
            return str(values[0])
    return None


def _gpu_sizes(pool: Mapping[str, Any], gpus: int) -> list[str]:
    """The VM sizes akscli knows with ``gpus`` NVIDIA GPUs or more that the pool's requirements
    admit (akscli.nap.admit.admits_size, its GPU limit left out)."""
    from akscli.model import skus
    from akscli.nap import admit as nap_admit

    unlimited = {**pool, "spec": {**(pool.get("spec") or {}), "limits": {}}}
    return [s.vm_size for s in skus.all_skus() if s.gpus >= gpus and nap_admit.admits_size(unlimited, s.vm_size, gpus)]


def no_node_reason(pool: Mapping[str, Any], gpus: int, tolerations: Sequence[Mapping[str, Any]]) -> str | None:
    """Why Karpenter makes no node of the NodePool for a pod asking ``gpus`` GPUs with these
    tolerations, or None where it would: the pool is static or not Ready (akscli.nap.admit.schedules,
    upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/provisioner.go
    NewScheduler), a taint of its template the pods do not tolerate (scheduler.go
    Taints.ToleratesPod), its nvidia.com/gpu limit (scheduler.go filterByRemainingResources, against
    status.resources), or requirements that admit no GPU size akscli knows."""
    from akscli.kube.scheduling import untolerated_taints
    from akscli.nap import admit as nap_admit
    from akscli.nap import health as nap_health

    spec = pool.get("spec") or {}
    name = str((pool.get("metadata") or {}).get("name") or "")
    if spec.get("replicas") is not None:
        return f"NodePool {name} is static (spec.replicas {spec['replicas']}): Karpenter makes no node of it for pods"
    if not nap_admit.schedules(pool):
        return nap_health.health(pool).describe()
    template = (spec.get("template") or {}).get("spec") or {}
    tainted = untolerated_taints({"spec": {"taints": template.get("taints") or []}}, tolerations)
    if tainted:
        taint = tainted[0]
        shown = f"{taint.get('key')}={taint.get('value', '')}:{taint.get('effect')}"
        return (
            f"its nodes are tainted {shown}, which the workers do not tolerate: Karpenter makes no node of it for them"
        )
    limit = (spec.get("limits") or {}).get(GPU_RESOURCE)
    used = ((pool.get("status") or {}).get("resources") or {}).get(GPU_RESOURCE, 0)
    try:
        if limit is not None and gpus and int(str(used)) + gpus > int(str(limit)):
            return f"its {GPU_RESOURCE} limit is reached ({used} of {limit} in use, a worker asks {gpus})"
    except ValueError:
        pass
    if gpus and not _gpu_sizes(pool, gpus):
        return f"its requirements admit no VM size with {gpus} NVIDIA GPU(s) that node auto-provisioning counts"
    return None


def empty_pool_warning(
    pool: Mapping[str, Any] | None, name: str, group: str, gpus: int, tolerations: Sequence[Mapping[str, Any]]
) -> str:
    """The warning for a NodePool named for a worker group that has no node now: whether node
    auto-provisioning makes nodes for it (with what its GPU limit leaves), or why not."""
    check = f"check it with: akscli nodepool show {name} --auto-provision"
    if pool is None:
        return f"NodePool {name} is not there any more: worker group {group} stays pending; {check}"
    why = no_node_reason(pool, gpus, tolerations)
    if why is not None:
        return f"NAP NodePool {name} has no nodes, and {why}: worker group {group} stays pending; {check}"
    from akscli.nap import nodepool as nap

    return (
        f"NAP NodePool {name} has no nodes now; node auto-provisioning makes them for worker group {group} "
        f"(in use against its limits: {nap.usage(pool)}), and GPU nodes take several minutes"
    )
