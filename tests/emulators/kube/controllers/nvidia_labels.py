"""The GPU Operator's node labeller for the Kubernetes emulator's ClusterPolicy simulator
(nvidia.py): ``NodeLabelingController`` and what it does to one node, ``label_gpu_node``. Moved out of
nvidia.py, which neared 600 lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller

# upstream: NVIDIA/gpu-operator v26.7.0 controllers/state_manager.go: gpuNodeLabels (NFD's NVIDIA PCI
# labels, any one with value "true" makes a GPU node), commonGPULabelKey/Value (the label the operator
# sets from them), nfdLabelPrefix (hasNFDLabels: any node with a label under it means NFD runs).
NFD_GPU_LABELS = {
    "feature.node.kubernetes.io/pci-10de.present": "true",
    "feature.node.kubernetes.io/pci-0302_10de.present": "true",
    "feature.node.kubernetes.io/pci-0300_10de.present": "true",
}
GPU_PRESENT = "nvidia.com/gpu.present"


def on_node_events(manager: Any, controller: Controller, handle: Callable[[Any, dict[str, Any]], None]) -> None:
    """Call ``handle(cluster, node)`` on the controllers' thread after each node created or updated,
    and ``controller.on_delete`` after one deleted, as a node informer's handlers do. A listener
    rather than a watched kind: nodes already there are not replayed when the controller is added
    (a generated 75,000-node cluster); the ClusterPolicy's reconcile reads them."""

    def on_event(typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
        if rt.group != "" or rt.kind != "Node":
            return
        if typ == "DELETED":
            manager.call_later(controller, lambda cluster: controller.on_delete(cluster, obj), controller.delay)
        else:
            manager.call_later(controller, lambda cluster: handle(cluster, obj), controller.delay)

    manager.api.listeners.append(on_event)


class NodeLabelingController(Controller):
    """The operator's node labeller, its own controller beside the ClusterPolicy's: it follows the
    ClusterPolicy (every node) and each node's changes (that node), and keeps ``nvidia.com/gpu.present``
    in step with NFD's PCI labels (:func:`label_gpu_node`), so a node NFD labels later is labelled at
    once, without a ClusterPolicy change.

    upstream: NVIDIA/gpu-operator a22dbf6 controllers/nodelabeling_controller.go
    (NodeLabelingReconciler.Reconcile: nothing where no ClusterPolicy exists, resolveActiveConfig;
    labelGPUNodes; SetupWithManager: the ClusterPolicy's create and spec changes, and a node created
    with GPU PCI labels or updated so that gpu.present is missing, outdated or changed, enqueue it);
    cmd/gpu-operator/main.go registers it next to the ClusterPolicyReconciler. Not modelled: the
    gpu.deploy.* state labels, MIG and driver-upgrade labels, the DRA (GPUCluster) stack.
    """

    watches: ClassVar[list[tuple[str, str]]] = [("nvidia.com/v1", "ClusterPolicy")]

    def attach(self, manager: Any) -> None:
        on_node_events(manager, self, self._label)

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        for node in cluster.list("v1", "Node"):
            self._label(cluster, node)

    def _label(self, cluster: Any, node: dict[str, Any]) -> None:
        if not cluster.list("nvidia.com/v1", "ClusterPolicy", None):
            return
        latest = cluster.get("v1", "Node", None, node["metadata"]["name"])
        if latest is not None:
            label_gpu_node(cluster, latest)


def label_gpu_node(cluster: Any, node: dict[str, Any]) -> None:
    """What the operator's node labeller does to one node (see NodeLabelingController).

    upstream: NVIDIA/gpu-operator a22dbf6 controllers/nodelabeling_controller.go
    reconcileCommonGPULabel: a node with one of NFD's NVIDIA PCI labels (state_manager.go
    hasGPULabels) gets ``nvidia.com/gpu.present=true``; a node labelled so that has none any more gets
    ``false``. controllers/state_manager.go discoverGPUNodes then counts the ``true`` ones. Without
    NFD no node is labelled, so the operator finds no GPU node however many GPUs the nodes have.
    """
    labels = node["metadata"].get("labels") or {}
    pci = any(labels.get(k) == v for k, v in NFD_GPU_LABELS.items())
    present = labels.get(GPU_PRESENT) == "true"
    if pci != present:
        value = "true" if pci else "false"
        cluster.patch("v1", "Node", None, node["metadata"]["name"], {"metadata": {"labels": {GPU_PRESENT: value}}})
