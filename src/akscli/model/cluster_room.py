"""Whether a node of one VM size can take a deploy's pinned pods now, as the kube-scheduler's
filters decide (akscli.model.cluster_fit asks it per size): the nodes of the size read a page at a
time, the pods bound to a few of them, the preemptors nominated for them, and the request budgets
that keep those reads bounded whatever the cluster's size. Plain logic: no Typer, no rich."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from akscli.errors import AuthError
from akscli.gpu import dra_classes
from akscli.gpu import held as gpu_held
from akscli.gpu.devices import NVIDIA
from akscli.kube import resources, scheduling, volume_limits, volume_zone
from akscli.kube.client import Kube
from akscli.model.cluster_affinity import AffinityReads
from akscli.model.cluster_volumes import VolumeReads
from akscli.model.node_driver import Driver, driver_of
from akscli.model.own_pods import Replaced
from akscli.model.planning import Fit

# node.kubernetes.io/instance-type, k8s.io/api core/v1 well_known_labels.go LabelInstanceTypeStable).
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
# Cordoned nodes are left out by the API server itself: a Node's selectable fields are
# metadata.name and spec.unschedulable, written "true" or "false" (upstream: kubernetes/kubernetes
# pkg/registry/core/node/strategy.go NodeToSelectableFields). The pinned pods tolerate no
# node.kubernetes.io/unschedulable taint, so the NodeUnschedulable filter keeps them off a cordoned
# node (pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go).
_SCHEDULABLE = "spec.unschedulable=false"
# The dynamicresources plugin's Filter where it cannot allocate a pod's devices on a node
# (upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/dynamicresources/
# dynamicresources.go Filter).
DRA_REASON = "cannot allocate all claims"
# One list per VM size, with its label and the cordon filter, a page of 20 nodes: the API server
# scans only until the page is full (upstream: kubernetes/kubernetes
# staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go GetList, "we're paging but we have
# filled our bucket"), so a size it has costs a short scan and 20 Node objects at most, and a
# size it lacks one scan and an empty page. One paginated `in (...)` list of every fitting size
# would scan once but send every node of those sizes, thousands of Node objects (each with its
# image list) on a large cluster, to learn which sizes exist.
_NODE_PAGE = 20
# Pages read per size before its nodes are reported as unable to take the pods.
_NODE_PAGES = 2
# Pod lists, one per node whose free resources are counted: at most 3 per size, so a plan's size full of
# busy nodes leaves some for the other sizes, and 9 in all.
_POD_LISTS_PER_SIZE = 3
_POD_LISTS = 9
# One page holds a node's pods: the kubelet's --max-pods caps them (AKS allows at most 250).
_POD_PAGE = 250
# Pods nominated for a node and not yet bound: kube-scheduler runs the filters with those of
# them whose priority is at least the pod's added to the node (upstream: kubernetes/kubernetes
# pkg/scheduler/framework/runtime/framework.go RunFilterPluginsWithNominatedPods,
# addGENominatedPods). status.nominatedNodeName and spec.nodeName are selectable fields
# (pkg/registry/core/pod/strategy.go ToSelectableFields): one list for the whole cluster
# carries only pending preemptors, a handful; its pages are followed, 4 of 500 at most (2,000
# preemptors waiting at once is past any cluster's burst; more are left uncounted).
_NOMINATED = "spec.nodeName=,status.nominatedNodeName!="
_NOMINATED_PAGE = 500
_NOMINATED_PAGES = 4
# A pod without priorityClassName gets the globalDefault PriorityClass's value, else 0 (upstream:
# kubernetes/kubernetes plugin/pkg/admission/priority/admission.go getDefaultPriority,
# getDefaultPriorityClass: of several globalDefault classes, the lowest value). A cluster
# has a handful of classes (system-cluster-critical and system-node-critical on every one): one
# page of 100 is read, once.
_PRIORITY_PAGE = 100
_GPU_REASON = f"Insufficient {NVIDIA}"
# The default profile's other filters cannot keep a listed node from the pinned pods: they set
# no spec.nodeName (NodeName), no hostPort nor hostNetwork (NodePorts), no pod affinity nor
# anti-affinity of their own (templates/model/vllm.yaml.j2; AI Runway v0.7.0's providers set
# none), so InterPodAffinity is the placed pods' required anti-affinity selecting the deployed
# pod (akscli.model.cluster_affinity, akscli.kube.pod_affinity; a pod given to the check with
# terms of its own has them weighed too), no DoNotSchedule
# topology spread (PodTopologySpread's system defaults only score), no resourceClaims
# (DynamicResources); the weights volume is a new ReadWriteOnce claim (VolumeRestrictions,
# VolumeZone). NodeVolumeLimits (a node's Azure disk slots all attached) can: it is counted on the
# nodes whose pods are read (akscli.model.cluster_volumes, akscli.kube.volume_limits). So can
# VolumeBinding, where --storage-class names a WaitForFirstConsumer class whose allowedTopologies
# leave the node out (akscli.kube.volume_binding). A pod that mounts claims by name (none akscli
# renders; the check is exact for one that does) also meets VolumeBinding's and VolumeZone's
# PreFilter (a claim missing or not bound holds it on every node: no size is tried) and their
# Filters (a bound volume's node affinity and zone labels; akscli.kube.volume_zone).


@dataclass
class Room:
    """What the schedulable nodes of one VM size say about the pinned pods: whether one can take
    them now, else why none can."""

    size: str
    gpus: int
    found: bool = False
    listed: int = 0  # schedulable (not cordoned) nodes of the size read
    cordoned: bool = False  # the size has nodes, and every one is cordoned
    not_ready: int = 0
    tainted: dict[str, int] = field(default_factory=dict)
    unmatched: int = 0  # nodes the pod's nodeSelector or required node affinity leaves out
    # Nodes per NodeResourcesFit reason ("Insufficient cpu", "Too many pods"): the resource is
    # requested by the pods bound to the node, or the node never had enough of it.
    short: dict[str, int] = field(default_factory=dict)
    unchecked: bool = False  # nodes left unread: the request budget ran out
    error: str = ""  # a filter's error on one of the nodes, which ends every scheduling attempt
    unevaluated: str = ""  # why a node's DRA devices were not judged (a class selector akscli does not evaluate)

    def why(self) -> str:
        if self.error:
            return f"no {self.size} node of the cluster can take the pods now (the scheduler stops at: {self.error})"
        if not self.listed:
            if self.cordoned:
                return f"every {self.size} node of the cluster is cordoned"
            return f"no node in the cluster has VM size {self.size}"
        parts = [f"{self.not_ready} not Ready"] if self.not_ready else []
        parts += [f"{n} tainted {taint}, which the pods do not tolerate" for taint, n in self.tainted.items()]
        if self.unmatched:
            parts.append(f"{self.unmatched} {scheduling.AFFINITY_REASON}")
        for reason, n in self.short.items():
            if reason == _GPU_REASON:
                parts.append(f"{n} without {self.gpus} free GPU{'s' if self.gpus > 1 else ''}")
            elif reason == DRA_REASON:
                plural = "s" if self.gpus > 1 else ""
                parts.append(f"{n} without {self.gpus} free GPU{plural} (held by ResourceClaims)")
            else:
                parts.append(f"{n} {reason}")
        if self.unevaluated:
            parts.append(f"not judged: {self.unevaluated}")
        if self.unchecked:
            parts.append("more not checked")
        return f"no {self.size} node of the cluster can take the pods now ({', '.join(parts)})"

    def warning(self, *, nap: bool = False) -> str:
        until = "one has room or a node of that size joins" if self.listed else "a node of that size joins"
        # A node auto-provisioning cluster takes no autoscaled ARM pool (upstream: Azure/azure-rest-api-specs
        # aks/stable/2026-08-01 NodeProvisioningMode "Auto": "autoscaling Node Pools cannot be"; akscli refuses
        # it in azure.nodepools.refuse_autoscaler_on_nap): there the fix is a NodePool that admits the size.
        how = (
            f"no NodePool admits it: akscli nodepool add NAME --auto-provision --vm-size {self.size}"
            if nap
            else f"a node pool of it with the cluster autoscaler, node auto-provisioning, or akscli nodepool add "
            f"--vm-size {self.size} ..."
        )
        return f"{self.why()}: the pods stay Pending until {until} ({how})"


@dataclass
class Budget:
    pod_lists: int = _POD_LISTS
    # Pods the scheduler has nominated for a node (preemptors waiting for their victims to go),
    # by node: read once, on the first node whose own pods are counted.
    nominated: dict[str, list[dict[str, Any]]] | None = None
    # Those of a lower priority than the deployed pod's: left out of NodeResourcesFit, but a
    # claim one holds allocated (the scheduler writes it in PreBind) holds its devices.
    nominated_below: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The classes, claims and PersistentVolumes read for NodeVolumeLimits, once each.
    volumes: VolumeReads | None = None
    # The placed pods read for InterPodAffinity (None: the deployed pod's labels are not known).
    affinity: AffinityReads | None = None
    # The deployed pod's namespace, where its named claims are ("": not known, not read).
    namespace: str = ""
    # The DeviceClasses where one maps nvidia.com/gpu to DRA devices (None: none does), once read.
    dra: dra_classes.Classes | None = None
    dra_read: bool = False
    # Bound pods the deploy's own rollout deletes first (model.own_pods); None: all count.
    replaced: Replaced | None = None
    # The NVIDIA driver GPU feature discovery labels each node of a page read with, by VM size
    # (model.node_driver: the vLLM image follows it); None: not kept.
    drivers: dict[str, list[Driver]] | None = None


def size_room(kube: Kube, fit: Fit, pod: Mapping[str, Any], budget: Budget) -> Room:
    """Read the schedulable nodes of fit's size until one can take the pod (see fit_to_cluster)."""
    room = Room(fit.vm_size, fit.gpus)
    need = resources.pod_requests(pod)
    tolerations = scheduling.pod_tolerations(pod)
    counted = 0
    pages = kube.list_pages(
        "v1",
        "Node",
        label_selector=f"{INSTANCE_TYPE_LABEL}={fit.vm_size}",
        field_selector=_SCHEDULABLE,
        page_size=_NODE_PAGE,
    )
    for number, page in enumerate(pages, 1):
        if budget.drivers is not None:
            found = (driver_of(node) for node in page["items"])
            budget.drivers.setdefault(fit.vm_size, []).extend(d for d in found if d is not None)
        for node in page["items"]:
            room.listed += 1
            if not scheduling.ready(node):
                room.not_ready += 1
                continue
            # The filters in the default profile's order (upstream: kubernetes/kubernetes
            # pkg/scheduler/apis/config/v1/default_plugins.go): TaintToleration with the
            # tolerations the pod has once admitted, then NodeAffinity, then NodeResourcesFit.
            taints = scheduling.untolerated_taints(node, tolerations)
            if taints:
                text = scheduling.taint_text(taints[0])
                room.tainted[text] = room.tainted.get(text, 0) + 1
                continue
            if not scheduling.matches_node_affinity(pod, node):
                room.unmatched += 1
                continue
            allocatable = resources.allocatable(node)
            # GPUs a node does not advertise, where a DeviceClass maps nvidia.com/gpu to DRA
            # devices, are the dynamicresources plugin's to find (upstream: kubernetes/kubernetes
            # 1691311 pkg/scheduler/framework/plugins/dynamicresources/extendeddynamicresources.go
            # filterExtendedResources; KEP-5004): NodeResourcesFit leaves them out.
            dra_need = _dra_need(kube, budget, need, allocatable)
            fit_need = {k: v for k, v in need.items() if not (dra_need and k == NVIDIA)}
            # A node whose allocatable alone is short needs no pod list to be ruled out.
            reasons = resources.insufficient(fit_need, allocatable, {}, 0)
            if budget.volumes is None:
                budget.volumes = VolumeReads(kube)
            # VolumeBinding and VolumeZone (after NodeVolumeLimits in the profile) need no pod
            # list either: a node they refuse is ruled out before one is spent. VolumeBinding's
            # Filter gives every reason it found (volume_binding.go Filter AppendReason).
            if not reasons:
                reasons = budget.volumes.binding_reasons(node, pod, budget.namespace)
            if not reasons and budget.volumes.zone_rejects(node, pod, budget.namespace):
                reasons = [volume_zone.REASON]
            if not reasons:
                if not budget.pod_lists or counted == _POD_LISTS_PER_SIZE:
                    room.unchecked = True
                    return room
                budget.pod_lists -= 1
                counted += 1
                used, bound = _requested(kube, node, _nominated(kube, budget, pod), budget.replaced)
                reasons = resources.insufficient(fit_need, allocatable, used, len(bound))
                if not reasons and dra_need:
                    # DynamicResources, after NodeResourcesFit in the profile (dynamicresources.go
                    # Filter's words); a class selector's error ends the attempt.
                    verdict = _dra_fits(kube, budget, node, bound, dra_need)
                    if not verdict or verdict == DRA_REASON or verdict.startswith("with no device"):
                        reasons = [verdict] if verdict else []
                    elif verdict.startswith("DeviceClass"):
                        room.unevaluated = verdict
                        continue
                    else:
                        room.error = verdict
                        return room
                if not reasons and (rejected := budget.volumes.rejects(node, pod, bound)):
                    if rejected != volume_limits.REASON:
                        # A filter's error ends the scheduler's attempt for every node
                        # (schedule_one.go findNodesThatPassFilters): the size has no room.
                        room.error = rejected
                        return room
                    reasons = [rejected]
                # InterPodAffinity, the profile's last filter.
                if (
                    not reasons
                    and budget.affinity is not None
                    and (refused := budget.affinity.refuses(node, bound, pod))
                ):
                    reasons = [refused]
                if not reasons:
                    room.found = True
                    return room
            for reason in reasons:
                room.short[reason] = room.short.get(reason, 0) + 1
        if number == _NODE_PAGES:
            room.unchecked = bool((page.get("metadata") or {}).get("continue"))
            break
    return room


def _requested(
    kube: Kube,
    node: Mapping[str, Any],
    nominated: Mapping[str, list[dict[str, Any]]],
    replaced: Replaced | None = None,
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """What the pods bound to this node, and those nominated for it, request, and those pods, as
    the NodeResourcesFit filter counts them (upstream: kubernetes/kubernetes
    pkg/scheduler/framework/types.go NodeInfo Requested and Pods; the pods read as
    akscli.gpu.held.bound_pods does). A user who may not list pods in every namespace gets
    nothing: the node counts as free."""
    name = str((node.get("metadata") or {}).get("name") or "")
    try:
        bound = gpu_held.bound_pods(kube, name, _POD_PAGE)
    except AuthError:
        bound = []
    if replaced is not None:
        bound = [p for p in bound if not replaced(p)]
    counted = [*bound, *nominated.get(name, [])]
    return resources.requested(counted)[0], counted


def _dra_need(kube: Kube, budget: Budget, need: Mapping[str, int], allocatable: Mapping[str, int]) -> int:
    """The GPUs the pod needs from DRA on this node: its nvidia.com/gpu where the node advertises
    none and a DeviceClass maps that name (read once per fit); 0 otherwise."""
    if not need.get(NVIDIA) or allocatable.get(NVIDIA):
        return 0
    if not budget.dra_read:
        budget.dra, budget.dra_read = gpu_held.gpu_classes(kube), True
    return need[NVIDIA] if budget.dra is not None else 0


def _dra_fits(kube: Kube, budget: Budget, node: Mapping[str, Any], pods: list[dict[str, Any]], gpus: int) -> str:
    """Empty where the node's devices of the class nvidia.com/gpu maps to, less those its pods'
    allocated claims hold, are enough; else DRA_REASON ("with no device the DeviceClass X
    selects" where the node publishes none), the class selector's error, or the line saying its
    selector was not evaluated (starting "DeviceClass")."""
    assert budget.dra is not None
    name = str((node.get("metadata") or {}).get("name") or "")
    try:
        below = budget.nominated_below.get(name, [])
        dra = gpu_held.dra_gpus(kube, name, pods, budget.dra, resources.allocatable(node), below)
    except (dra_classes.SelectorError, dra_classes.NotEvaluated) as exc:
        return str(exc)
    if dra is None:
        mapped = budget.dra.for_resource(NVIDIA) or {}
        return f"with no device the DeviceClass {(mapped.get('metadata') or {}).get('name')} selects"
    return "" if dra.free >= gpus else DRA_REASON


def _nominated(kube: Kube, budget: Budget, pod: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The pending pods nominated for each node whose priority is at least the deployed pod's
    (spec.priority, which the Priority admission plugin sets: see _priority)."""
    if budget.nominated is None:
        budget.nominated = {}
        floor = _priority(kube, pod)
        try:
            pages = kube.list_pages(
                "v1", "Pod", all_namespaces=True, field_selector=_NOMINATED, page_size=_NOMINATED_PAGE
            )
            waiting_pods = (waiting for page in islice(pages, _NOMINATED_PAGES) for waiting in page["items"])
            for waiting in waiting_pods:
                status, spec = waiting.get("status") or {}, waiting.get("spec") or {}
                if status.get("phase") in ("Succeeded", "Failed"):
                    continue
                below = int(spec.get("priority") or 0) < floor
                by_node = budget.nominated_below if below else budget.nominated
                by_node.setdefault(str(status.get("nominatedNodeName")), []).append(waiting)
        except AuthError:
            pass
    return budget.nominated


def _priority(kube: Kube, pod: Mapping[str, Any]) -> int:
    """The priority the Priority admission plugin gives the deployed pod: its spec.priority where
    set, else (no priorityClassName is rendered) the globalDefault PriorityClass's value, else 0.
    A user who may not list PriorityClasses gets 0."""
    if pod.get("priority") is not None:
        return int(pod["priority"])
    try:
        pages = kube.list_pages("scheduling.k8s.io/v1", "PriorityClass", page_size=_PRIORITY_PAGE)
        defaults = [int(c.get("value") or 0) for c in next(pages, {"items": []})["items"] if c.get("globalDefault")]
    except AuthError:
        defaults = []
    return min(defaults, default=0)


def has_node(kube: Kube, size: str) -> bool:
    """Whether the cluster has any node of this size, cordoned or not: one node at most is read."""
    pages = kube.list_pages("v1", "Node", label_selector=f"{INSTANCE_TYPE_LABEL}={size}", page_size=1)
    return any(page["items"] for page in islice(pages, 1))
