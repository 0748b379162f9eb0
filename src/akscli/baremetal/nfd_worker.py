"""``baremetal prepare``'s offer to let Node Feature Discovery's worker run on tainted GPU nodes.

The GPU Operator runs its operands (GPU Feature Discovery, the device plugin, ...) only on nodes
its labeller marks ``nvidia.com/gpu.present``, which it does from NFD's PCI label
``feature.node.kubernetes.io/pci-10de.present`` (NVIDIA/gpu-operator a22dbf6
controllers/nodelabeling_controller.go). The chart's NFD worker tolerates only the control plane
and ``nvidia.com/gpu`` (``node-feature-discovery.worker.tolerations`` in deployments/gpu-operator/
values.yaml), so on a GPU pool AKS tainted ``sku=gpu:NoSchedule`` it never runs and the operator
deploys nothing there, whatever ClusterPolicy prepare applies.

What prepare sets: the chart's value ``node-feature-discovery.worker.tolerations``, the worker's
list as it is plus a toleration of each taint that keeps the worker off an NVIDIA GPU node NFD has
not labelled. It is set two ways:

- On the live worker DaemonSet (a merge patch of ``spec.template.spec.tolerations``, which
  replaces the list), asked first or with ``-y``: the worker then runs there now. The DaemonSet is
  the NFD chart's (kubernetes-sigs/node-feature-discovery deployment/helm/node-feature-discovery/
  templates/worker.yaml: labels ``app.kubernetes.io/name: node-feature-discovery`` and ``role:
  worker``, the tolerations from ``worker.tolerations``).
- As the ``helm upgrade ... --reuse-values --set-json`` line to run: Helm 3 upgrades with a
  three-way merge patch of the old manifest, the new one and the live object (helm/helm
  pkg/kube/client.go createPatch, strategicpatch.CreateThreeWayMergePatch), and a list without a
  merge key such as ``tolerations`` is replaced whole, so the next upgrade writes the chart's list
  back unless its values carry the toleration.

Taints Kubernetes or an autoscaler manage (``node.kubernetes.io/*``, the cloud provider's
uninitialized taint, Karpenter's and the cluster autoscaler's) are never tolerated here: the
DaemonSet controller adds its own tolerations (akscli.kube.scheduling.daemon_pod_tolerations), and
the others are transient.

Reads, bounded whatever the cluster's size: one label-selected DaemonSet list, then only the
NVIDIA GPU nodes NFD has not labelled, by label selector: each label that marks an NVIDIA node
(``gpus.NVIDIA_NODE_SELECTORS``, and Karpenter-Azure's ``karpenter.azure.com/sku-gpu-manufacturer=nvidia``,
Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetype.go computeRequirements)
joined with ``feature.node.kubernetes.io/pci-10de.present!=true`` (a ``!=`` requirement also
matches a node without the label), 500 nodes a page and 2 pages at most per label: at most 10
node lists, whatever the number of nodes. The API server applies the selector (on a page, it stops
once the page is full), so the nodes NFD labelled and the CPU nodes never come back. Where a
label has more pages, the count is a floor ("at least").

A GPU node that carries none of those labels (a device plugin installed by hand, a size AKS does
not mark) is known by its capacity (``nvidia.com/gpu``) or its VM size (gpus.read), neither of
which a selector can ask for. One more list reads them: the nodes with none of the NVIDIA labels
(each label negated, ``k!=v`` or ``!k``, joined with the same ``!=true`` on NFD's), one page of
500 (``NO_LABEL_PAGES``), kept where gpus.read finds an NVIDIA GPU. Those nodes are mostly CPU
nodes, so in a cluster with more than 500 of them this sees only the first 500 the API server
returns (by name), and the count becomes a floor too. So the reads are 11 node lists at most.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akscli.gpu import devices as gpus
from akscli.kube import scheduling

if TYPE_CHECKING:
    from akscli.kube.client import Kube
    from akscli.kube.writes import Write

WORKER_SELECTOR = "app.kubernetes.io/name=node-feature-discovery,role=worker"
NFD_NVIDIA_LABEL = "feature.node.kubernetes.io/pci-10de.present"
_MANAGED = ("node.kubernetes.io/", "node.cloudprovider.kubernetes.io/", "karpenter.sh/", "karpenter.azure.com/")
_MANAGED_KEYS = ("ToBeDeletedByClusterAutoscaler", "DeletionCandidateOfClusterAutoscaler")
TAINTS_KEPT = 8  # distinct taints offered at most
NAMES_KEPT = 3
NODE_PAGE = 500
NODE_PAGES = 2  # per label
NO_LABEL_PAGES = 1  # of the nodes with no NVIDIA label
# upstream: Azure/karpenter-provider-azure 352646f pkg/apis/v1beta1/labels.go LabelSKUGPUManufacturer
KARPENTER_NVIDIA = "karpenter.azure.com/sku-gpu-manufacturer=nvidia"
UNLABELLED = f"{NFD_NVIDIA_LABEL}!=true"


@dataclass
class Offer:
    """The worker DaemonSet, the tolerations it lacks, and the GPU nodes they keep it off."""

    daemonset: dict[str, Any]
    added: list[dict[str, str]] = field(default_factory=list)
    nodes: int = 0
    names: list[str] = field(default_factory=list)
    unread: bool = False  # a label had more pages than were read: ``nodes`` is a floor

    @property
    def where(self) -> str:
        meta = self.daemonset["metadata"]
        return f"DaemonSet {meta.get('namespace')}/{meta.get('name')}"

    def tolerations(self) -> list[dict[str, Any]]:
        """The worker's tolerations after the change: its own, then those added."""
        own = ((self.daemonset.get("spec") or {}).get("template") or {}).get("spec") or {}
        return [*(dict(t) for t in own.get("tolerations") or []), *self.added]

    def taints(self) -> str:
        return ", ".join(_taint_text(t) for t in self.added)

    def problem(self) -> str:
        shown = ", ".join(self.names) + (
            f" and {self.nodes - len(self.names)} more" if self.nodes > len(self.names) else ""
        )
        floor = "at least " if self.unread else ""
        return (
            f"Node Feature Discovery's worker ({self.where}) does not tolerate {self.taints()}, so it has not "
            f"labelled {floor}{self.nodes} NVIDIA GPU node(s) ({shown}) and the GPU Operator deploys nothing there"
        )

    def write(self) -> Write:
        from akscli.kube.writes import Write

        return Write.patch(self.daemonset, {"spec": {"template": {"spec": {"tolerations": self.tolerations()}}}})

    def helm_line(self) -> str:
        meta = self.daemonset["metadata"]
        labels = meta.get("labels") or {}
        release = labels.get("app.kubernetes.io/instance") or "gpu-operator"
        listed = json.dumps(self.tolerations(), separators=(",", ":"))
        return (
            f"helm upgrade {release} nvidia/gpu-operator -n {meta.get('namespace')} --reuse-values "
            f"--set-json 'node-feature-discovery.worker.tolerations={listed}'"
        )


def offer(kube: Kube) -> Offer | None:
    """What to add to the chart's NFD worker so that it runs on the NVIDIA GPU nodes it has not
    labelled; None where no such worker runs (no NFD, or another install) or nothing keeps it off."""
    workers = list(kube.list("apps/v1", "DaemonSet", all_namespaces=True, label_selector=WORKER_SELECTOR, page_size=10))
    if len(workers) != 1:
        return None  # none, or several NFDs: which one labels which nodes is not for prepare to judge
    found = Offer(workers[0])
    spec = ((found.daemonset.get("spec") or {}).get("template") or {}).get("spec") or {}
    tolerated = scheduling.daemon_pod_tolerations(spec)
    for node in _unlabelled_gpu_nodes(kube, found):
        if gpus.read(node).vendor != "nvidia":
            continue
        keeping = [t for t in scheduling.untolerated_taints(node, tolerated) if not _managed(t)]
        if not keeping:
            continue
        found.nodes += 1
        if len(found.names) < NAMES_KEPT:
            found.names.append(str((node.get("metadata") or {}).get("name")))
        for taint in keeping:
            toleration = _toleration(taint)
            if toleration not in found.added and len(found.added) < TAINTS_KEPT:
                found.added.append(toleration)
    return found if found.added else None


def _unlabelled_gpu_nodes(kube: Kube, found: Offer) -> Iterator[dict[str, Any]]:
    """The NVIDIA GPU nodes NFD has not labelled, each once, by label selector (see the module)."""
    seen: set[str] = set()
    for marks in (*gpus.NVIDIA_NODE_SELECTORS, KARPENTER_NVIDIA):
        pages = kube.list_pages("v1", "Node", label_selector=f"{marks},{UNLABELLED}", page_size=NODE_PAGE)
        for number, page in enumerate(pages, 1):
            for node in page["items"]:
                name = str((node.get("metadata") or {}).get("name"))
                if name not in seen:
                    seen.add(name)
                    yield node
            if number == NODE_PAGES:
                found.unread = found.unread or bool((page.get("metadata") or {}).get("continue"))
                break
    pages = kube.list_pages("v1", "Node", label_selector=NO_NVIDIA_LABEL, page_size=NODE_PAGE)
    for number, page in enumerate(pages, 1):
        yield from (node for node in page["items"] if str((node.get("metadata") or {}).get("name")) not in seen)
        if number == NO_LABEL_PAGES:
            found.unread = found.unread or bool((page.get("metadata") or {}).get("continue"))
            break


def _negated(selector: str) -> str:
    """``k=v`` as ``k!=v`` (which also matches a node without k), ``k`` as ``!k``."""
    key, equals, value = selector.partition("=")
    return f"{key}!={value}" if equals else f"!{key}"


# Nodes with none of the labels that mark an NVIDIA node, NFD's included.
NO_NVIDIA_LABEL = ",".join([*(_negated(s) for s in (*gpus.NVIDIA_NODE_SELECTORS, KARPENTER_NVIDIA)), UNLABELLED])


def _managed(taint: Mapping[str, Any]) -> bool:
    key = str(taint.get("key") or "")
    return key.startswith(_MANAGED) or key in _MANAGED_KEYS or taint.get("effect") not in ("NoSchedule", "NoExecute")


def _toleration(taint: Mapping[str, Any]) -> dict[str, str]:
    """The toleration of exactly this taint (its value where it has one)."""
    key, effect, value = str(taint.get("key")), str(taint.get("effect")), taint.get("value")
    if value:
        return {"key": key, "operator": "Equal", "value": str(value), "effect": effect}
    return {"key": key, "operator": "Exists", "effect": effect}


def _taint_text(toleration: Mapping[str, Any]) -> str:
    value = f"={toleration['value']}" if toleration.get("value") else ""
    return f"{toleration['key']}{value}:{toleration['effect']}"
