"""Where an NCCL test's pods may land: their tolerations, and one read of the GPU nodes that says
which nodes can take a pod, which cannot and why, and which RDMA resources they offer.

The pods tolerate the taints GPU nodes carry on AKS, never every taint: a toleration of
``operator: Exists`` with no key also lets a pod onto a cordoned node (the NodeUnschedulable
filter lets through a pod that tolerates ``node.kubernetes.io/unschedulable``) and onto a node the
node lifecycle controller tainted not-ready or unreachable. upstream: kubernetes/kubernetes
pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go and
pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go (Filter).

Plain logic over Node objects; the only I/O is ``kube.list`` (page by page, bounded memory).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akscli import gpus, validate
from akscli.errors import UsageError
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
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> nodes
    skipped_names: list[tuple[str, str]] = field(default_factory=list)  # (node, reason), NAMES_KEPT per reason
    offered: Counter[str] = field(default_factory=Counter)  # extended resources (not GPUs) -> nodes

    def add(self, other: SizeNodes) -> None:
        self.gpu_nodes += other.gpu_nodes
        self.usable += other.usable
        self.with_rdma += other.with_rdma
        self.skipped.update(other.skipped)
        self.offered.update(other.offered)
        for name, reason in other.skipped_names:
            if sum(1 for _, r in self.skipped_names if r == reason) < NAMES_KEPT:
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
        if reason is None:
            part.usable += 1
            continue
        part.skipped[reason] += 1
        if part.skipped[reason] <= NAMES_KEPT:
            part.skipped_names.append((str((node.get("metadata") or {}).get("name")), reason))
    return result


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
