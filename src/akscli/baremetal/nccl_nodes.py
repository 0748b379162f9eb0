"""Where an NCCL test's pods may land: their tolerations, one read of the GPU nodes that says
which nodes can take a pod, which cannot and why, and which RDMA resources they offer, and the
choice of the nodes whose GPUs are free.

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

Plain logic over Node and Pod objects; the only I/O is ``kube.list`` (page by page). Memory: one
node page at a time, plus the name and GPU count of each usable GPU node.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akscli import concurrency, gpu_held, gpus, validate
from akscli.errors import AuthError, QuotaError, UsageError
from akscli.kube import scheduling

if TYPE_CHECKING:
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
PARALLEL_READS = 8  # pod reads in flight at once


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
    skipped: Counter[str] = field(default_factory=Counter)  # kind of reason -> nodes
    skipped_names: list[tuple[str, str]] = field(default_factory=list)  # (node, reason), NAMES_KEPT per reason
    offered: Counter[str] = field(default_factory=Counter)  # extended resources (not GPUs) -> nodes
    candidates: list[tuple[str, int]] = field(default_factory=list)  # usable: (node, allocatable nvidia.com/gpu)

    def add(self, other: SizeNodes) -> None:
        self.gpu_nodes += other.gpu_nodes
        self.usable += other.usable
        self.with_rdma += other.with_rdma
        self.skipped.update(other.skipped)
        self.offered.update(other.offered)
        self.candidates += other.candidates
        for name, reason in other.skipped_names:
            self.skip(name, reason, count=False)

    def skip(self, name: str, reason: str, *, count: bool = True) -> None:
        """Count a node passed over; NAMES_KEPT names per kind of reason (its figures aside)."""
        kind = re.sub(r"\d+", "N", reason)
        if count:
            self.skipped[kind] += 1
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
    label_selector = ",".join(f"{k}={v}" for k, v in node_selector.items()) or None
    for node in kube.list("v1", "Node", label_selector=label_selector):
        if not gpus.read(node).is_gpu_node:
            continue
        part = result.by_size.setdefault(gpus.vm_size_of(gpus.labels_of(node)), SizeNodes())
        part.gpu_nodes += 1
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        for name, value in allocatable.items():
            if scheduling.extended_resource(name) and not gpus.is_gpu_resource(name) and _positive(value):
                part.offered[name] += 1
        has_rdma = rdma_resource is None or _positive(allocatable.get(rdma_resource))
        part.with_rdma += 1 if rdma_resource is not None and has_rdma else 0
        reason = _why_not(node, tols) or (None if has_rdma else f"no {rdma_resource}")
        name = str((node.get("metadata") or {}).get("name"))
        if reason is None:
            part.usable += 1
            part.candidates.append((name, dict(gpus.read(node).resources).get(gpus.NVIDIA, 0)))
            continue
        part.skip(name, reason)
    return result


@dataclass
class Choice:
    """The nodes chosen for the test pods, and the usable nodes passed over for want of free GPUs
    (their reasons join ``skipped``); ``counted`` is False where pods could not be read."""

    chosen: list[str] = field(default_factory=list)
    counted: bool = True


def choose(kube: Kube, nodes: SizeNodes, gpus_per_node: int, wanted: int) -> Choice:
    """Up to ``wanted`` usable nodes with ``gpus_per_node`` GPUs free, in the order the nodes were
    read; each one passed over is added to ``nodes.skipped`` with how many GPUs it has in use.
    A node's GPUs in use are what the pods bound to it and not finished request (akscli.gpus
    pod_units, as the NodeResourcesFit filter counts them: upstream kubernetes/kubernetes
    pkg/scheduler/framework/plugins/noderesources/fit.go), or on a node whose GPUs the DRA driver
    publishes (none advertised, a DeviceClass maps ``nvidia.com/gpu``), the GPUs its pods'
    claims hold (akscli.gpu_held). A user who may not list pods in every namespace gets the
    usable nodes unread (``counted`` False)."""
    choice = Choice()
    pending: list[tuple[str, int]] = []
    mapped: bool | None = None
    for name, allocatable in nodes.candidates:
        if allocatable == 0 and mapped is None:
            mapped = gpu_held.gpu_mapped(kube)
        if allocatable < gpus_per_node and not (allocatable == 0 and mapped):
            nodes.skip(name, f"{allocatable} GPU(s) allocatable")
        else:
            pending.append((name, allocatable))
    while pending and len(choice.chosen) < wanted:
        # as many reads as nodes still wanted, at most PARALLEL_READS at once
        batch = pending[: min(PARALLEL_READS, wanted - len(choice.chosen))]
        pending = pending[len(batch) :]
        try:
            rooms = concurrency.parallel_map(lambda n: _gpus_in_use(kube, *n), batch, PARALLEL_READS)
        except AuthError:
            choice.counted = False
            choice.chosen += [name for name, _ in [*batch, *pending]][: wanted - len(choice.chosen)]
            break
        for (name, _), (allocatable, used) in zip(batch, rooms, strict=True):
            if allocatable - used >= gpus_per_node:
                choice.chosen.append(name)
            elif allocatable < gpus_per_node:
                nodes.skip(name, f"{allocatable} GPU(s) allocatable")
            else:
                nodes.skip(name, f"{used} of {allocatable} GPUs in use")
    return choice


def pick(
    kube: Kube, nodes: SizeNodes, *, gpus_per_node: int, wanted: int, where: str, timeout_s: float
) -> tuple[list[str], list[str]]:
    """The nodes to pin the test pods to (none: leave them to the scheduler) and the warnings to
    print. Enough nodes with free GPUs: the pods are pinned to those, so that none lands on a node
    passed over (a node not Ready yet untainted, one whose GPUs are taken). Fewer: the pods are
    not pinned, so that nodes the cluster autoscaler adds for them can take them, and the shortfall
    is said. None, where GPU nodes exist: refused before anything is created. No GPU node at all (a
    pool at zero): nothing refused, the pods' wait is what makes the autoscaler add nodes."""
    if not nodes.gpu_nodes:
        return [], []
    choice = choose(kube, nodes, gpus_per_node, wanted)
    skipped = skipped_line(nodes)
    if not choice.chosen:
        raise QuotaError(
            f"none of the {nodes.gpu_nodes} {where} can take a test pod with {gpus_per_node} GPU(s)"
            + (f": {skipped.split(': ', 1)[1]}" if skipped else ""),
            hint="wait for the pods that hold the GPUs to finish, add nodes, uncordon them, or pass "
            "--toleration for a pool's own taint",
        )
    warnings = [skipped] if skipped else []
    if not choice.counted:
        warnings.append("cannot list pods in every namespace: GPUs already in use on the nodes are not counted")
    if len(choice.chosen) < wanted:
        warnings.append(
            f"{len(choice.chosen)} GPU node(s) can take a test pod and {wanted} are asked for: the other pods "
            f"wait for new nodes until the timeout ({timeout_s:.0f}s)"
        )
        return [], warnings
    return choice.chosen, warnings


def _gpus_in_use(kube: Kube, node: str, allocatable: int) -> tuple[int, int]:
    """The node's GPUs and those its pods hold (akscli.gpu_held: the same read as the deploy fit
    check's): what they request as ``nvidia.com/gpu``; on a node that advertises none, the GPUs
    the DRA driver publishes there and those their allocated claims hold (the claim made for a
    pod's ``nvidia.com/gpu`` among them, so that request is not counted twice)."""
    pods = gpu_held.bound_pods(kube, node, POD_PAGE)
    if not allocatable and (dra := gpu_held.dra_gpus(kube, node, pods)) is not None:
        return dra.published, dra.held
    return allocatable, sum(gpus.pod_units(pod).get(gpus.NVIDIA, 0) for pod in pods)


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
