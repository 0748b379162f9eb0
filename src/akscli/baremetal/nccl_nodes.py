"""Where an NCCL test's pods may land: their tolerations, one read of the GPU nodes that says
which nodes can take a pod, which cannot and why, and which RDMA resources they offer. The
choice of the nodes whose GPUs are free is nccl_pick.py's.

The pods tolerate the taints GPU nodes carry on AKS, never every taint: a toleration of
``operator: Exists`` with no key also lets a pod onto a cordoned node (the NodeUnschedulable
filter lets through a pod that tolerates ``node.kubernetes.io/unschedulable``) and onto a node the
node lifecycle controller tainted not-ready or unreachable. upstream: kubernetes/kubernetes
pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go and
pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go (Filter).

A node whose Ready condition is not True is skipped even before the node lifecycle controller
has tainted it: the scheduler reads taints, not conditions, so only pinning the pods to chosen
nodes keeps them off it for those seconds.

GPUs already requested are counted per candidate node, by a paginated read of the pods bound to
it (field selector ``spec.nodeName``, which the API server's pod storage indexes: upstream
kubernetes/kubernetes pkg/registry/core/pod/strategy.go Indexers, NodeNameIndexFunc; the kubelet
reads its pods that way), and only until enough nodes are found: about ``--nodes`` reads, where
one list of every pod in the cluster would be thousands of pages at 75,000 nodes.

A node whose ``nvidia.com/gpu`` are MIG devices or shared replicas is passed over (NCCL runs one
rank per whole GPU: ``_sliced``). With fewer free nodes than pods, the pods are kept off the nodes
passed over (``keep_off``) and those beyond the free nodes wait for new ones: only where the pool
can grow by that many (akscli.baremetal.nccl_growth, then the vCPU quota: nccl_quota), else the
run is refused. The chosen nodes are read again just before the Job is made (``recheck``).

Plain logic over Node and Pod objects; the only I/O is ``kube.list`` (page by page). Memory: one
node page at a time, plus the name and GPU count of each usable GPU node.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akscli import validate
from akscli.errors import AuthError, NotInstalledError, UsageError
from akscli.gpu import devices as gpus
from akscli.gpu import dra_classes
from akscli.gpu import held as gpu_held
from akscli.kube import scheduling

if TYPE_CHECKING:
    from akscli.baremetal.nccl_quota import Origin
    from akscli.kube.client import Kube

# The taints a GPU node pool carries on AKS, and nothing more:
# - nvidia.com/gpu (any value), NoSchedule: what the GPU Operator's and the Network Operator's
#   DaemonSets tolerate to run on GPU nodes (NVIDIA/gpu-operator a22dbf671
#   deployments/gpu-operator/values.yaml daemonsets.tolerations, assets/state-device-plugin/
#   0500_daemonset.yaml; Mellanox/network-operator b06827e0 deployment/network-operator/values.yaml),
#   and the taint AKS's GPU best practices name (MicrosoftDocs/azure-aks-docs fb060abe
#   articles/aks/best-practices-gpu.md, "nvidia.com/gpu: NoSchedule").
# - sku=gpu:NoSchedule: the taint every AKS GPU guide puts on a GPU pool (azure-aks-docs fb060abe
#   articles/aks/use-nvidia-gpu.md, aks-managed-gpu-nodes.md, nvidia-gpu-operator.md).
# AKS's ExtendedResourceToleration admission plugin adds an Exists NoSchedule toleration for each
# extended resource the pod asks for (nvidia.com/gpu, the RDMA resource) on top of these
# (akscli.kube.scheduling.pod_tolerations); a pool's own taints are tolerated with --toleration.
GPU_TOLERATIONS: tuple[dict[str, str], ...] = (
    {"key": gpus.NVIDIA, "operator": "Exists", "effect": "NoSchedule"},
    {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
)

UNSCHEDULABLE = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
NAMES_KEPT = 5  # node names kept per reason (a count is kept for all)
POD_PAGE = 500
_DRIVER = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"  # DNS-1123 subdomain


def toleration(text: str, flag: str = "--toleration") -> dict[str, str]:
    """``--toleration KEY[=VALUE]:EFFECT`` (kubectl taint's grammar): the toleration of that taint;
    without a value, of the key whatever its value."""
    taint = validate.taint(text, flag)
    if "value" in taint:
        return {"key": taint["key"], "operator": "Equal", "value": taint["value"], "effect": taint["effect"]}
    return {"key": taint["key"], "operator": "Exists", "effect": taint["effect"]}


def tolerations(extra: Iterable[Mapping[str, str]] = ()) -> list[dict[str, str]]:
    out = [dict(t) for t in GPU_TOLERATIONS]
    for tol in extra:
        if dict(tol) not in out:
            out.append(dict(tol))
    return out


@dataclass
class SizeNodes:
    """The GPU nodes of one VM size (or of none, for nodes without a size label)."""

    gpu_nodes: int = 0
    usable: int = 0
    with_rdma: int = 0
    # Nodes where the RDMA resource is registered with no device (capacity 0): the shared device plugin
    # found no RDMA device for it, or stopped over five minutes ago (nccl.no_rdma_device)
    rdma_empty: int = 0
    # Nodes where the RDMA resource has devices but none allocatable: the kubelet holds them unhealthy
    # because the plugin that registered them stopped (findings.RDMA_PLUGIN_STOPPED_FIX)
    rdma_stopped: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # kind of reason -> nodes
    skipped_names: list[tuple[str, str]] = field(default_factory=list)  # (node, reason), NAMES_KEPT per reason
    offered: Counter[str] = field(default_factory=Counter)  # extended resources (not GPUs) -> nodes
    offered_on: dict[str, list[str]] = field(default_factory=dict)  # the same -> the nodes' names
    candidates: list[tuple[str, int]] = field(default_factory=list)  # usable: (node, allocatable nvidia.com/gpu)
    passed_over: list[str] = field(default_factory=list)  # every node skipped, by name
    sliced: int = 0  # GPU nodes whose units are MIG devices or shared replicas
    mig_devices: dict[str, int] = field(default_factory=dict)  # MIG devices of mixed-strategy candidates
    # Where more nodes like these would come from (nodes with whole GPUs only): nccl_growth.
    scale_sets: set[str] = field(default_factory=set)
    nodepools: set[str] = field(default_factory=set)
    capacity: dict[str, str] = field(default_factory=dict)  # one such node's capacity
    # Per scale set: the nodes the cluster autoscaler may copy as its template, and those of them
    # that offer the RDMA resource the pods ask for (nccl_growth.Rdma)
    rdma: str | None = None
    templates: Counter[str] = field(default_factory=Counter)
    templates_rdma: Counter[str] = field(default_factory=Counter)
    # Nodes whose GPUs the DRA driver publishes, with as many devices of the class nvidia.com/gpu
    # maps to as can be allocated at once (from their ResourceSlices, whatever their labels say).
    dra_gpus: dict[str, int] = field(default_factory=dict)
    azure: Origin | None = None  # one such node's subscription, region and size (nccl_quota)

    def add(self, other: SizeNodes) -> None:
        self.gpu_nodes += other.gpu_nodes
        self.usable += other.usable
        self.with_rdma += other.with_rdma
        self.rdma_empty += other.rdma_empty
        self.rdma_stopped += other.rdma_stopped
        self.skipped.update(other.skipped)
        self.offered.update(other.offered)
        for resource, names in other.offered_on.items():
            self.offered_on.setdefault(resource, []).extend(names)
        self.candidates += other.candidates
        self.passed_over += other.passed_over
        self.sliced += other.sliced
        self.mig_devices.update(other.mig_devices)
        self.scale_sets |= other.scale_sets
        self.nodepools |= other.nodepools
        self.capacity = self.capacity or other.capacity
        self.rdma = self.rdma or other.rdma
        self.templates.update(other.templates)
        self.templates_rdma.update(other.templates_rdma)
        self.dra_gpus.update(other.dra_gpus)
        self.azure = self.azure or other.azure
        for name, reason in other.skipped_names:
            self.skip(name, reason, count=False)

    def slice_gpus(self) -> int:
        """GPUs per node where every usable node is a DRA node: the count their slices publish
        most often (the VM size's table does not see a DynamicMIG or passthrough layout, and a
        node may carry no size label at all); 0 otherwise."""
        if not self.dra_gpus or len(self.dra_gpus) < len(self.candidates):
            return 0
        return Counter(self.dra_gpus.values()).most_common(1)[0][0]

    def skip(self, name: str, reason: str, *, count: bool = True) -> None:
        """Count a node passed over; NAMES_KEPT names per kind of reason (its figures aside)."""
        kind = re.sub(r"\d+", "N", reason)
        if count:
            self.skipped[kind] += 1
            self.passed_over.append(name)
        if sum(1 for _, r in self.skipped_names if re.sub(r"\d+", "N", r) == kind) < NAMES_KEPT:
            self.skipped_names.append((name, reason))


@dataclass
class Survey:
    by_size: dict[str | None, SizeNodes] = field(default_factory=dict)

    def most_common_size(self) -> str | None:
        sized = [(n.gpu_nodes, s) for s, n in self.by_size.items() if s]
        return max(sized)[1] if sized else None

    def size_label(self, vm_size: str) -> str | None:
        """The instance-type label value the nodes carry for this size (any case), if any does."""
        return next((s for s in self.by_size if s and s.lower() == vm_size.lower()), None)

    def nodes(self, vm_size: str | None = None) -> SizeNodes:
        """The GPU nodes of one size (its label value), or of every size."""
        if vm_size is not None:
            return self.by_size.get(vm_size, SizeNodes())
        total = SizeNodes()
        for part in self.by_size.values():
            total.add(part)
        return total


def _why_not(node: Mapping[str, Any], tols: list[dict[str, Any]]) -> str | None:
    if (node.get("spec") or {}).get("unschedulable") and not any(scheduling.tolerates(t, UNSCHEDULABLE) for t in tols):
        return "cordoned"
    if not scheduling.ready(node):
        return "not ready"
    untolerated = scheduling.untolerated_taints(node, tols)
    if untolerated:
        return f"taint {scheduling.taint_text(untolerated[0])}"
    return None


def survey(
    kube: Kube, node_selector: Mapping[str, str], pod_spec: Mapping[str, Any], rdma_resource: str | None
) -> Survey:
    """Read the nodes matching the pods' node selector once, page by page, and sort the GPU nodes
    among them: usable, or skipped (cordoned, not ready, a taint the pod does not tolerate).
    ``pod_spec`` is the test pod's spec: its tolerations, with those AKS adds for the extended
    resources it asks for."""
    tols = scheduling.pod_tolerations(pod_spec)
    result = Survey()
    dra = dra_nodes(kube)
    label_selector = ",".join(f"{k}={v}" for k, v in node_selector.items()) or None
    for node in kube.list("v1", "Node", label_selector=label_selector):
        name = str((node.get("metadata") or {}).get("name"))
        dra_count = dra.get(name, 0)
        if not dra_count and not gpus.read(node).is_gpu_node:
            continue
        part = result.by_size.setdefault(gpus.vm_size_of(gpus.labels_of(node)), SizeNodes(rdma=rdma_resource))
        part.gpu_nodes += 1
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        for resource, value in allocatable.items():
            if scheduling.extended_resource(resource) and not gpus.is_gpu_resource(resource) and _positive(value):
                part.offered[resource] += 1
                part.offered_on.setdefault(resource, []).append(name)
        has_rdma = rdma_resource is None or _positive(allocatable.get(rdma_resource))
        part.with_rdma += 1 if rdma_resource is not None and has_rdma else 0
        capacity = (node.get("status") or {}).get("capacity") or {}
        part.rdma_empty += 1 if rdma_resource is not None and str(capacity.get(rdma_resource, "")) == "0" else 0
        part.rdma_stopped += (
            1 if rdma_resource is not None and not has_rdma and _positive(capacity.get(rdma_resource)) else 0
        )
        facts = gpus.read(node)
        units = dict(facts.resources)
        # A DRA node's GPUs are its slices' (GPU feature discovery may still label it MIG
        # mixed, as its device plugin once ran it): it advertises no nvidia.com/gpu.
        dra_node = bool(dra_count) and not units.get(gpus.NVIDIA)
        sliced = None if dra_node else _sliced(facts)
        part.sliced += 1 if sliced else 0
        if not sliced:
            _note_origin(part, node, rdma_resource is not None and has_rdma)
        reason = _why_not(node, tols) or (None if has_rdma else f"no {rdma_resource}") or sliced
        if reason is None:
            part.usable += 1
            part.candidates.append((name, units.get(gpus.NVIDIA, 0)))
            if dra_node:
                part.dra_gpus[name] = dra_count
            migs = sum(n for r, n in units.items() if r.startswith(gpus.MIG_PREFIX))
            if migs:
                part.mig_devices[name] = migs
            continue
        part.skip(name, reason)
    return result


def dra_nodes(kube: Kube) -> dict[str, int]:
    """Per node, the devices of the class ``nvidia.com/gpu`` maps to that its ResourceSlices
    publish (as many as can be allocated at once, none held), for nodes GPU labels may not mark;
    empty where no class maps the name, DRA is not served or may not be read, or the class's
    selectors cannot be evaluated (its nodes are then read by their labels, as before).
    The ResourceSlices are read in pages of 500 (one per node, or one per GPU with the driver's
    DynamicMIG on 1.34); each is kept as a count of the GPUs it publishes. Where the class's
    selectors pin its driver (NVIDIA's: ``device.driver == 'gpu.nvidia.com'``), only that
    driver's slices are asked for, by the field selector ``spec.driver`` (upstream:
    kubernetes/kubernetes 2e090810 pkg/apis/resource/v1/conversion.go, the ResourceSlice field
    labels ``metadata.name``, ``spec.nodeName``, ``spec.driver``; pkg/registry/resource/
    resourceslice/strategy.go toSelectableFields, read through the code index): other drivers'
    slices (a network driver's on every node) never cross the wire. Otherwise every slice is read."""
    from akscli.gpu import dra as gpu_dra

    classes = gpu_held.gpu_classes(kube)
    if classes is None:
        return {}
    target = classes.for_resource(gpu_held.NVIDIA_GPU)
    drivers = classes.drivers(target) if target is not None else None
    if drivers is not None:
        # a driver is a DNS subdomain (the API server refuses any other): a name that is not one
        # is published by no slice, and could not be sent in a selector as it is
        drivers = frozenset(d for d in drivers if len(d) <= 63 and re.fullmatch(_DRIVER, d))
    selectors = [f"spec.driver={d}" for d in sorted(drivers)] if drivers is not None else [None]
    by_node: dict[str, list[gpu_held.Slice]] = {}
    try:
        for selector in selectors:
            for item in kube.list(gpu_dra.API_VERSION, "ResourceSlice", field_selector=selector, page_size=POD_PAGE):
                spec = item.get("spec") or {}
                node = spec.get("nodeName")
                if node and (drivers is None or spec.get("driver") in drivers):
                    by_node.setdefault(str(node), []).append(gpu_held.selected(item, classes))
        return {node: count for node, slices in by_node.items() if (count := gpu_held.published(slices))}
    except (AuthError, NotInstalledError, dra_classes.SelectorError, dra_classes.NotEvaluated):
        return {}


def _sliced(facts: gpus.NodeGpus) -> str | None:
    """Why a node's ``nvidia.com/gpu`` units are not whole GPUs, or None where they are.

    NCCL runs one rank per whole GPU: it refuses two ranks on one GPU ("Multiple Ranks are using
    the same GPU/Partition", upstream: NVIDIA/nccl 5067397 src/init.cc, NCCL_MULTI_RANK_GPU_ENABLE;
    docs/userguide/source/usage/communicators.rst: "not supported and may lead to hangs"), and
    does not support MIG: MIG devices have no CUDA index of their own, NCCL's topology gives one
    rank per PCI GPU, and MIG devices have no P2P (the NCCL maintainers, NVIDIA/nccl issue 1716,
    open). Time-sliced replicas of one GPU are handed out "indiscriminately" (upstream:
    NVIDIA/k8s-device-plugin 1b826ac README.md, "With CUDA Time-Slicing"), so a pod asking for 8
    may get two of the same GPU. A mixed-strategy node's ``nvidia.com/gpu`` are its GPUs with MIG
    off (whole): it stays a candidate for those (akscli.gpu.devices)."""
    units = dict(facts.resources)
    if facts.sharing == gpus.MIG_SINGLE:
        return f"MIG mode: its {units.get(gpus.NVIDIA, 0)} {gpus.NVIDIA} are MIG devices"
    if facts.sharing == gpus.MIG_MIXED and not units.get(gpus.NVIDIA):
        migs = sum(n for r, n in units.items() if r.startswith(gpus.MIG_PREFIX))
        return f"MIG mode: {migs} MIG device(s), no whole GPU"
    if facts.sharing in (gpus.TIME_SLICING, gpus.MPS, gpus.SHARED):
        name = gpus.NVIDIA_SHARED if units.get(gpus.NVIDIA_SHARED) else gpus.NVIDIA
        how = {gpus.TIME_SLICING: "by time-slicing", gpus.MPS: "by MPS"}.get(facts.sharing, "")
        return f"GPUs shared{' ' + how if how else ''}: its {units.get(name, 0)} {name} are replicas"
    return None


def _note_origin(part: SizeNodes, node: Mapping[str, Any], has_rdma: bool) -> None:
    from akscli.baremetal import nccl_growth, nccl_quota

    scale_set = nccl_growth.scale_set(node)
    if scale_set:
        part.scale_sets.add(scale_set)
        if nccl_growth.template_candidate(node):
            part.templates[scale_set] += 1
            part.templates_rdma[scale_set] += 1 if has_rdma else 0
    pool = gpus.labels_of(node).get(nccl_growth.NODEPOOL_LABEL)
    if pool:
        part.nodepools.add(pool)
    if not part.capacity:
        part.capacity = {str(k): str(v) for k, v in ((node.get("status") or {}).get("capacity") or {}).items()}
    if part.azure is None:
        labels = gpus.labels_of(node)
        part.azure = nccl_quota.origin(node, labels, gpus.vm_size_of(labels))


def _positive(value: Any) -> bool:
    try:
        return value is not None and validate.quantity_value(str(value)) > 0
    except UsageError:  # a quantity the API server would not have stored
        return False


def skipped_line(nodes: SizeNodes) -> str | None:
    """``skipped 2 GPU node(s) the test pods cannot use: aks-gpu-1 (cordoned), ...`` or None."""
    total = sum(nodes.skipped.values())
    if not total:
        return None
    named = ", ".join(f"{name} ({reason})" for name, reason in nodes.skipped_names)
    more = total - len(nodes.skipped_names)
    return f"skipped {total} GPU node(s) the test pods cannot use: {named}" + (f" and {more} more" if more else "")


def offered_resources(nodes: SizeNodes) -> list[str]:
    """The extended resources the GPU nodes offer besides GPUs, rdma/* first, most offered first."""
    names = sorted(nodes.offered, key=lambda n: (not n.startswith("rdma/"), -nodes.offered[n], n))
    return names[:8]
