"""Which Karpenter NodePool would make a node for a pod: the pool's requirements, zones and GPU
limit against a VM size (admits_size), whether the provisioner schedules with it (schedules), and
the room a node of the size has for the pod and the DaemonSets that would run on it
(admitting_pool, through akscli.nap.fit). Reads bounded for 75,000 nodes: one list of NodePools,
one paginated list of DaemonSets, one GET an AKSNodeClass, one page of pods a DaemonSet."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from akscli import node_room
from akscli.nap import fit as nap_fit
from akscli.nap import node_class as nap_class
from akscli.nap import zones as nap_zones
from akscli.nap.nodepool import API_VERSION, GPU_RESOURCE, KIND, requirements
from akscli.nap.sizes import admits_value, image_family_admits, size_labels, unoffered

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# The most pods of one DaemonSet read for its newest (_live_pods): one page, the list limit akscli uses.
DAEMON_POD_PAGE = 500


def admits_size(pool: Mapping[str, Any], vm_size: str, gpus: int, zones: Sequence[str] | None = None) -> bool:
    """Whether the NodePool may make a node of ``vm_size`` with ``gpus`` GPUs: its requirements on
    the labels of size_labels allow the size, its zone requirement admits one of ``zones`` (the zone
    labels the size is offered in, nap_zones.offered; None: not known, the zone requirement is
    taken as met) and a node of it stays within spec.limits nvidia.com/gpu, counting the
    GPUs of the nodes it has (upstream: kubernetes-sigs/karpenter 2266468
    pkg/controllers/provisioning/scheduling/scheduler.go filterByRemainingResources, status.resources
    as the NodePool counter controller writes it; NewScheduler drops a pool none of whose instance
    types has an offering its requirements admit)."""
    for requirement in requirements(pool):
        zoned = zones is not None and requirement.get("key") == nap_zones.ZONE_LABEL
        if zoned and not any(admits_value(requirement, zone) for zone in zones or ()):
            return False
    if unoffered(vm_size):
        # NAP has no instance type of the size (a GPU size supported-gpus.yaml lacks, a confidential
        # or restricted one: akscli.nap.sizes.unoffered), whatever the pool's requirements say.
        return False
    labels = size_labels(vm_size)
    for requirement in requirements(pool):
        key = str(requirement.get("key") or "")
        # The sku-gpu labels are defined for every size, DoesNotExist where it has no NVIDIA GPU
        # (upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetype.go
        # computeRequirements, setRequirementsGPU): NotIn and DoesNotExist admit such a size.
        gpu_label = key.startswith("karpenter.azure.com/sku-gpu")
        if (key in labels or gpu_label) and not admits_value(requirement, labels.get(key)):
            return False
        # minValues: the pods are pinned to the one size, so the NodeClaim has one instance type
        # and one value of each of its labels; a pool that wants more refuses them ("minValues
        # requirement is not met", upstream: kubernetes-sigs/karpenter 2266468 pkg/cloudprovider/
        # types.go SatisfiesMinValues, nodeclaim.go filterInstanceTypesByRequirements; Karpenter's
        # default --min-values-policy Strict, pkg/operator/options/options.go). The offering keys
        # (zone, capacity type) carry every offering's value: not counted here.
        least = requirement.get("minValues")
        if (key in labels or gpu_label) and isinstance(least, int) and least > (1 if labels.get(key) else 0):
            return False
    limit = ((pool.get("spec") or {}).get("limits") or {}).get(GPU_RESOURCE)
    if limit is None:
        return True
    used = ((pool.get("status") or {}).get("resources") or {}).get(GPU_RESOURCE, 0)
    try:
        return int(str(used)) + gpus <= int(str(limit))
    except ValueError:
        return True


def admitting_pool(
    kube: Kube,
    vm_size: str,
    gpus: int,
    tolerations: Sequence[Mapping[str, Any]] = (),
    offered: Callable[[str], Sequence[str] | None] | None = None,
    requests: Mapping[str, int] | None = None,
    refused: list[str] | None = None,
    network: nap_fit.Network | None = None,
    stranded: list[str] | None = None,
) -> str | None:
    """The NodePool, highest weight first, that may make a node of the size for a pod with these
    tolerations (None: none, or the cluster serves no NodePool, or the user may not list them):
    one Karpenter schedules with (schedules: Ready, not static, not being deleted), admits_size,
    and no taint of its template the pod does not tolerate ("NAP skips NodePools with
    taints not tolerated by a pod", upstream: MicrosoftDocs/azure-aks-docs fb060abe
    articles/aks/node-auto-provisioning-node-pools.md; kubernetes-sigs/karpenter 2266468
    pkg/controllers/provisioning/scheduling/scheduler.go Taints.ToleratesPod). One list of
    NodePools: a cluster has a handful (pkg/utils/nodepool/nodepool.go OrderByWeight: larger weight
    first, then the name later in the alphabet). ``offered`` gives the zone labels a size is offered
    in, asked only where a NodePool has a zone requirement. With the pod's ``requests``, a node
    of the size must also have room for them and the DaemonSets that would run on it
    (akscli.nap.fit.shortfall: one paginated list of the cluster's DaemonSets, read once where a
    pool admits the size; the pool's AKSNodeClass for pods and ephemeral-storage, one GET a class;
    a DaemonSet's newest live pod, one page of its pods a DaemonSet whose status shows one: _live_pods;
    the class's imageFamily must support the size, akscli.nap.sizes.image_family_admits;
    ``network``, the cluster's networkProfile where read, for a class's default maxPods);
    a pool refused for room alone adds its reason to ``refused``. The pool returned may still make a
    node whose kubelet leaves the pods too little room (akscli.node_room.kubelet_shortfall: AKS
    reserves more than Karpenter counts on small-memory sizes); that reason goes to ``stranded``."""
    from akscli.errors import AkscliError
    from akscli.kube.scheduling import untolerated_taints

    try:
        kube.resource(API_VERSION, KIND)
        pools = list(kube.list(API_VERSION, KIND))
    except AkscliError:
        return None
    pools.sort(key=lambda p: (int((p.get("spec") or {}).get("weight") or 0), p["metadata"]["name"]), reverse=True)
    daemonsets: list[dict[str, Any]] | None = None
    classes: dict[str, dict[str, Any] | None] = {}
    live_pod = _live_pods(kube)
    for pool in filter(schedules, pools):
        template = ((pool.get("spec") or {}).get("template") or {}).get("spec") or {}
        tainted = untolerated_taints({"spec": {"taints": template.get("taints") or []}}, tolerations)
        zoned = offered is not None and any(r.get("key") == nap_zones.ZONE_LABEL for r in requirements(pool))
        zones = offered(vm_size) if offered is not None and zoned else None
        if not admits_size(pool, vm_size, gpus, zones) or tainted:
            continue
        if requests is not None:
            if daemonsets is None:
                daemonsets = _daemonsets(kube)
            node_class = _node_class(kube, pool, classes)
            family = str(((node_class or {}).get("spec") or {}).get("imageFamily") or "Ubuntu")  # the CRD's default
            if not image_family_admits(vm_size, family):
                if refused is not None:
                    refused.append(
                        f"NodePool {pool['metadata']['name']} admits the size, but its AKSNodeClass's imageFamily "
                        f"{family} does not support it"
                    )
                continue
            short = nap_fit.shortfall(pool, vm_size, requests, daemonsets, node_class, live_pod, network)
            if short is not None:
                if refused is not None:
                    refused.append(f"NodePool {pool['metadata']['name']} admits the size, but {short}")
                continue
            kubelet = node_room.kubelet_shortfall(pool, vm_size, requests, daemonsets, node_class, live_pod, network)
            if kubelet is not None and stranded is not None:
                stranded.append(kubelet)
        return str(pool["metadata"]["name"])
    return None


def schedules(pool: Mapping[str, Any]) -> bool:
    """Whether Karpenter's provisioner schedules pods with the NodePool (upstream:
    kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/provisioner.go NewScheduler:
    not a static pool, spec.replicas set, pkg/utils/nodepool/nodepool.go IsStatic; Ready True,
    "ignoring nodepool, not ready"; not being deleted). A pool with no Ready condition yet, as
    one just added before the readiness controller's first pass, is taken as about to be Ready."""
    meta, spec = pool.get("metadata") or {}, pool.get("spec") or {}
    conditions = (pool.get("status") or {}).get("conditions") or []
    ready = next((c.get("status") for c in conditions if isinstance(c, dict) and c.get("type") == "Ready"), None)
    return spec.get("replicas") is None and not meta.get("deletionTimestamp") and ready in (None, "True")


def _node_class(kube: Kube, pool: Mapping[str, Any], read: dict[str, dict[str, Any] | None]) -> dict[str, Any] | None:
    """The AKSNodeClass the pool refers to, one GET a class however many pools share it (None:
    not there or not readable, its defaults count: akscli.nap.fit.class_room). Its maxPods and
    osDiskSizeGB are the node's pods and ephemeral-storage (upstream: Azure/karpenter-provider-azure
    352646f pkg/providers/instancetype/instancetypes.go List, instanceTypeParameters)."""
    from akscli.errors import AkscliError

    template = ((pool.get("spec") or {}).get("template") or {}).get("spec") or {}
    name = str((template.get("nodeClassRef") or {}).get("name") or "")
    if name not in read:
        try:
            read[name] = kube.get(nap_class.API_VERSION, nap_class.KIND, name) if name else None
        except AkscliError:
            read[name] = None
    return read[name]


def _daemonsets(kube: Kube) -> list[dict[str, Any]]:
    """Every DaemonSet of the cluster, as Karpenter's provisioner lists them (upstream:
    kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/provisioner.go
    getDaemonSetPods), in pages of 500; a user who may not list them gets none (no overhead)."""
    from akscli.errors import AuthError

    try:
        return list(kube.list("apps/v1", "DaemonSet", all_namespaces=True, page_size=500))
    except AuthError:
        return []


def _live_pods(kube: Kube) -> nap_fit.LivePod:
    """A reader of a DaemonSet's live pod, the one Karpenter counts: of the pods of the DaemonSet's
    namespace it controls, the newest by creationTimestamp, the first read where two are as new
    (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/state/cluster.go UpdateDaemonSet,
    ``p.CreationTimestamp.After(pod.CreationTimestamp.Time)``). Karpenter reads them from its
    informer's cache; akscli reads them once a DaemonSet, only for one whose status shows a pod, by
    the DaemonSet's selector, and at most one page of DAEMON_POD_PAGE: the newest of the first
    500 the API server returns (by name, which the controller makes random: a sample across ages)
    where a DaemonSet has more, so a node count of 75,000 costs one request a DaemonSet. A pod it
    does not control, or a list refused, reads as none (nap_fit.daemon_pod: the template then)."""
    from akscli.errors import AkscliError
    from akscli.kube.pod_problems import selector_string

    read: dict[str, Mapping[str, Any] | None] = {}

    def live_pod(daemonset: Mapping[str, Any]) -> Mapping[str, Any] | None:
        meta = daemonset.get("metadata") or {}
        uid = str(meta.get("uid") or "")
        if uid not in read:
            selector = selector_string((daemonset.get("spec") or {}).get("selector"))
            try:
                pages = kube.list_pages(
                    "v1",
                    "Pod",
                    namespace=str(meta.get("namespace") or ""),
                    label_selector=selector,
                    page_size=DAEMON_POD_PAGE,
                )
                items = next(iter(pages), {}).get("items") or []
            except AkscliError:
                items = []
            owned = [p for p in items if _controlled_by(p, uid)]
            read[uid] = max(owned, key=lambda p: str(p["metadata"].get("creationTimestamp") or ""), default=None)
        return read[uid]

    return live_pod


def _controlled_by(obj: Mapping[str, Any], uid: str) -> bool:
    owners = (obj.get("metadata") or {}).get("ownerReferences") or []
    return bool(uid) and any(o.get("uid") == uid and o.get("controller") for o in owners if isinstance(o, dict))
