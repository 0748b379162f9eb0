"""Which VM size a deploy whose pods are pinned to one (nodeSelector
node.kubernetes.io/instance-type) should ask for on this cluster: a size with a node that can take
the pods now, as the kube-scheduler's filters decide, read with a bounded number of requests
whatever the cluster's size. Plain logic: no Typer, no rich."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from akscli.errors import AkscliError
from akscli.gpu import held as gpu_held
from akscli.gpu.devices import NVIDIA
from akscli.kube import resources, scheduling
from akscli.kube.client import Kube
from akscli.model import cluster_room, own_pods
from akscli.model.cluster_affinity import AffinityReads
from akscli.model.cluster_volumes import VolumeReads
from akscli.model.kinds import GPU_TOLERATIONS
from akscli.model.node_driver import Driver
from akscli.model.own_pods import Replaced
from akscli.model.planning import Fit, Plan, pick, servable

if TYPE_CHECKING:
    from akscli.model.request import DeployRequest
    from akscli.nap.fit import Network

PodFor = Callable[[Fit], Mapping[str, Any]]
# The zone labels node auto-provisioning offers a VM size in (None: not known): akscli.nap.zones.offered_reader.
Offered = Callable[[str], "tuple[str, ...] | None"]

# cloud-provider-azure labels every AKS node with its VM size here (the well-known label


def fit_request(
    kube: Kube,
    the_plan: Plan,
    req: DeployRequest,
    volumes: VolumeReads | None = None,
    offered: Offered | None = None,
    network: Network | None = None,
    drivers: dict[str, list[Driver]] | None = None,
) -> tuple[Fit, str | None]:
    """fit_to_cluster for a deploy, weighing the pod its runtime renders for each size; ``volumes``
    the deploy's reads of classes and claims, shared with its preflight checks (one GET each);
    ``offered`` the zones a size is offered in (akscli.nap.zones.offered_reader), where known;
    ``network`` the cluster's networkProfile plugin and mode, where read (akscli.nap.fit.Network);
    ``drivers`` gets, by size, the GPU feature discovery driver of each node page read (model.node_driver)."""
    meta = {"namespace": req.namespace, "labels": req.pod_labels}
    pod = rendered_pod(req)
    return fit_to_cluster(
        kube,
        the_plan,
        req.fit,
        given=req.vm_size_given,
        pod=pod,
        meta=meta,
        volumes=volumes,
        offered=offered,
        network=network,
        replaced=own_pods.replaced_pods(req),
        drivers=drivers,
    )


def rendered_pod(req: DeployRequest) -> PodFor:
    """The pod spec the deploy renders for a fit (akscli's vLLM Deployment's template: its GPUs,
    CPU and memory, model.runtime_values.pod_share); for AI Runway, the GPUs: akscli's ModelDeployment
    sets only spec.resources.gpu.count, and each provider whose pods are pinned turns that into
    the pod's only request.
    upstream: ai-runway/airunway v0.7.0 providers/vllm/transformer.go and providers/llmd/
    transformer.go buildContainer, buildResourceLimits (one container; nvidia.com/gpu limits and
    requests; cpu and memory only where spec.resources names them; no sidecar).
    upstream: ai-runway/airunway v0.7.0 providers/dynamo/transformer.go buildAggregatedWorker,
    buildResourceLimits ("gpu" limits and requests), addSchedulingConfig (only the workers get
    spec.nodeSelector; the EPP or Frontend pod may run on any node), buildFrontendSidecar; and
    ai-dynamo/dynamo d4872d7e893368976cb9ce9a2799d7e276c54f2d deploy/operator/internal/dynamo/graph.go
    GenerateBasePodSpec (the worker's main container takes the service's resources) and generateFrontendSidecar with
    component_frontend.go and component_common.go (the sidecar container requests nothing)."""

    def pod(fit: Fit) -> Mapping[str, Any]:
        from akscli.model import deploy

        try:
            objects = deploy.build(dataclasses.replace(req, fit=fit))
        except AkscliError:
            # A size this deploy cannot use as asked (a multi-node fit for a one-node runtime):
            # weighed by its GPUs as before; taking it fails later with the build's own words.
            return gpu_pod(fit)
        for obj in objects:
            spec = obj.get("spec") or {}
            template = (spec.get("template") or {}).get("spec")
            if obj.get("kind") == "Deployment" and template:
                return dict(template)
            if obj.get("kind") == "ModelDeployment":
                # The providers copy spec.nodeSelector and spec.tolerations into the pinned pods
                # as they are (vllm and llmd buildDeployment, dynamo addSchedulingConfig).
                placing = {k: spec[k] for k in ("nodeSelector", "tolerations") if spec.get(k)}
                return {**placing, "containers": gpu_pod(fit)["containers"]}
        return gpu_pod(fit)

    return pod


def gpu_pod(fit: Fit) -> Mapping[str, Any]:
    """A pinned pod spec asking for the fit's GPUs and nothing else: the nodeSelector and
    tolerations every pinned runtime's pods carry (runtime_values.vllm_values; AI Runway's vllm, llmd
    and dynamo providers copy them, airunway.TOLERATING_PROVIDERS)."""
    return {
        "nodeSelector": {cluster_room.INSTANCE_TYPE_LABEL: fit.vm_size},
        "tolerations": [dict(t) for t in GPU_TOLERATIONS],
        "containers": [{"name": "model", "resources": {"limits": {NVIDIA: str(fit.gpus)}}}],
    }


class OnDemand(str):
    """A note that is information, not a warning: no node can take the pods now and node
    auto-provisioning will make one (the caller prints it as info)."""

    __slots__ = ()


class Unread(str):
    """A note that the node found was checked within the read budgets and something was left
    unread: information, not a warning (the caller prints it as info)."""

    __slots__ = ()


def _unread(budget: cluster_room.Budget) -> Unread | None:
    """Where InterPodAffinity's reads stopped at a budget before the node was found: what was not
    read (the scheduler, which reads every pod, may still refuse the node for one of those). Where
    the cluster had more ResourceClaims than akscli lists (gpu_held.CLAIMS_READ_MAX), DRA nodes
    were weighed with the claims their pods name only: no selectable field or label names a
    claim's node (kubernetes/kubernetes pkg/registry/resource/resourceclaim/strategy.go
    toSelectableFields: metadata only), so a claim allocated there that no pod names was not read."""
    notes = []
    if budget.affinity is not None and budget.affinity.stopped:
        notes.append(
            f"the pod affinity check stopped at its read budget ({budget.affinity.stopped} not read): a pod it did "
            "not read may still keep the scheduler off the node it found"
        )
    if budget.dra is not None and budget.dra.claims_skipped():
        notes.append(
            f"the cluster has more than {gpu_held.CLAIMS_READ_MAX} ResourceClaims, so DRA GPUs were counted "
            "through the claims the node's pods name: a claim allocated there that no pod names (made by hand or "
            "by another scheduler, or not yet released) may still hold its GPUs"
        )
    if not notes:
        return None
    return Unread("; ".join(notes) + "; kubectl get events says so if it does")


def fit_to_cluster(
    kube: Kube,
    the_plan: Plan,
    fit: Fit,
    *,
    given: bool,
    pod: PodFor = gpu_pod,
    meta: Mapping[str, Any] | None = None,
    volumes: VolumeReads | None = None,
    offered: Offered | None = None,
    network: Network | None = None,
    replaced: Replaced | None = None,
    drivers: dict[str, list[Driver]] | None = None,
) -> tuple[Fit, str | None]:
    """The size a deploy whose pods are pinned to a VM size should ask for on this cluster, and
    what to tell the user about it; ``pod`` gives the pod spec deployed for a fit, ``meta`` its
    namespace and labels (for InterPodAffinity; None: that filter is not weighed).

    The plan picks the cheapest size that fits; pods pinned to a size the cluster has no node
    able to take them stay Pending until one frees up or joins. A node takes them where the
    scheduler's filters would let it: not cordoned, Ready, no NoSchedule/NoExecute taint the pods
    do not tolerate (their own tolerations and those admission adds), labels the pods' nodeSelector
    and required node affinity match, and every resource the pod requests (GPUs, cpu, memory, ephemeral-storage,
    RDMA and other extended resources) and a pod slot left in the node's allocatable after what
    the pods bound to it request (KAITO's busy nodes have no GPU left). Where the user named no
    size and a node of another fitting size can take them, the deploy uses the cheapest such size
    and says so; otherwise it warns, naming what the nodes lack in the scheduler's words.

    Requests, bounded whatever the cluster's size: for each VM size asked about (the plan's,
    then the other fitting sizes cheapest first, stopping at the first with room) one node list
    of at most 20 nodes, two where those 20 cannot take the pods; one pod list per node whose
    free resources are counted (a node whose allocatable alone is short costs none), 3 per size
    and 9 in all; the pods nominated for a node, read once (4 pages at most), with one page of
    PriorityClasses for the pod's default priority; for NodeVolumeLimits, the CSINode of each
    node whose pods are read (where the pod mounts a volume of a driver), the classes named
    (one GET each), the claims of the namespaces the bound pods mount them in and the cluster's
    PersistentVolumes, in pages of 500, 10 pages of each at most (akscli.model.cluster_volumes);
    for InterPodAffinity, once a node passes every other filter, the placed pods of the deployed
    pod's namespace (4 pages of 500 at most), those carrying its labels (2 pages of 500 at
    most) and those of every namespace (2 pages of 500 at most), a GET of the node of each on
    another node whose anti-affinity selects it over a key the node carries (10 at most, shared)
    and of the pod's Namespace where a term has a namespaceSelector; where the deployed pod has
    required pod affinity or anti-affinity of its own, the placed pods each term's labelSelector
    selects in its namespaces (2 pages of 500 per list) and, for a namespaceSelector, one page of
    Namespaces (akscli.model.cluster_affinity). Where one of these stopped at its budget, the
    note says so with the node found (Unread);
    and one more node list
    where the plan's size has only cordoned nodes or none, and one NodePool list (with its discovery)
    where no node of any size can take them (node auto-provisioning, _on_demand), with one DaemonSet list
    (pages of 500) where a NodePool admits the size (Karpenter counts their requests). At most
    2 x (1 + fitting sizes) + 1
    node lists; 9 pod lists of one node each, 4 pages of nominated pods, 8 pages for InterPodAffinity; one
    PriorityClass list; a cluster where the plan's size has room: one node list and five pod lists. Pods are listed
    on one named node each, by the nominated-pods selector, in the deployed pod's namespace, by the deployed
    pod's labels or its terms' selectors, or in every namespace for two pages at most; never every pod of a large
    cluster."""
    budget = cluster_room.Budget(
        affinity=AffinityReads(kube, meta) if meta is not None else None,
        volumes=volumes,
        namespace=str((meta or {}).get("namespace") or ""),
        replaced=replaced,
        drivers=drivers,
    )
    budget.volumes = budget.volumes or VolumeReads(kube)
    spec = pod(fit)
    if held := budget.volumes.held(spec, budget.namespace):
        # A PreFilter that refuses the pod ends the attempt before any node is filtered
        # (framework.go RunPreFilterPlugins): no size, and no new node, can take it.
        return fit, f"the pods stay Pending on every node: {held.message} (the scheduler's words): {held.fix}"
    room = cluster_room.size_room(kube, fit, spec, budget)
    if room.found:
        return fit, _unread(budget)
    if not room.listed:
        room.cordoned = cluster_room.has_node(kube, fit.vm_size)
    if not given:
        candidates = [
            o for o in the_plan.options if servable(o) and o.within_budget is not False and o.vm_size != fit.vm_size
        ]
        while budget.pod_lists and (chosen := pick(candidates)) is not None:
            if cluster_room.size_room(kube, chosen, pod(chosen), budget).found:
                unread = _unread(budget)
                return chosen, (
                    f"{room.why()}, and {chosen.vm_size} nodes have room for the pods: deploying to those "
                    f"({fit.vm_size} is the plan's cheapest fit; --vm-size {fit.vm_size} to wait for it instead)"
                    + (f"; {unread}" if unread else "")
                )
            candidates.remove(chosen)
    refused: list[str] = []
    stranded: list[str] = []
    pool = _on_demand(kube, fit, pod(fit), offered, refused, network, stranded)
    if pool is not None and stranded:
        # Karpenter makes the node on its count; the node's kubelet, on AKS's, is short
        # (akscli.node_room.kubelet_shortfall): a node made and a pod that stays Pending.
        return fit, (
            f"{room.why()}, and node auto-provisioning makes a {fit.vm_size} node for them (NodePool {pool}: "
            f"Karpenter counts room for them on it), but {stranded[0]}; unless the node's kernel reports more memory "
            "than that estimate, the new node cannot hold them all: the pods (or a DaemonSet's pod there) stay "
            "Pending, and Karpenter may make more such nodes and remove them empty: deploy a larger size with --vm-size"
        )
    if pool is not None:
        return fit, OnDemand(
            f"no node can take the pods now: node auto-provisioning makes a {fit.vm_size} node for them "
            f"(NodePool {pool}); a new node takes minutes to join"
        )
    if refused:
        return fit, (
            f"{room.why()}, and node auto-provisioning has no room for them on a new {fit.vm_size} node: "
            f"{refused[0]}; the pods stay Pending (Karpenter: no instance type has enough resources): deploy a "
            "larger size with --vm-size"
        )
    return fit, room.warning(nap=_serves_nap(kube))


def _on_demand(
    kube: Kube,
    fit: Fit,
    pod: Mapping[str, Any],
    offered: Offered | None = None,
    refused: list[str] | None = None,
    network: Network | None = None,
    stranded: list[str] | None = None,
) -> str | None:
    """Whether node auto-provisioning makes a node of the size for the pods: a NodePool admits the
    size within its limits, its taints are tolerated, and a node of the size has room for the
    pod's requests with the DaemonSets that would run on it, in Karpenter's allocatable
    (akscli.nap.admit.admitting_pool, akscli.nap.fit; upstream: kubernetes-sigs/karpenter 2266468
    pkg/controllers/provisioning/provisioner.go, a pending pod no node fits gets a NodeClaim from
    the NodePool that admits it). Capacity on demand: no warning, an info line naming the NodePool
    (None: no NodePool makes it; ``refused`` says which pool lacked room, and what; ``stranded``
    what the node's kubelet lacks where Karpenter makes it all the same: akscli.node_room.kubelet_shortfall)."""
    from akscli.nap import admit as nap_admit

    tolerations = scheduling.pod_tolerations(pod)
    requests = resources.pod_requests(pod)
    return nap_admit.admitting_pool(
        kube, fit.vm_size, fit.gpus, tolerations, offered, requests, refused, network, stranded
    )


def _serves_nap(kube: Kube) -> bool:
    """Whether the cluster serves Karpenter's NodePool API (node auto-provisioning is on); the
    discovery _on_demand already read."""
    from akscli.errors import AkscliError
    from akscli.nap import nodepool as nap

    try:
        kube.resource(nap.API_VERSION, nap.KIND)
    except AkscliError:
        return False
    return True
