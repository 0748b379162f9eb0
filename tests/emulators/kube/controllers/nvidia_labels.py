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
# upstream: NVIDIA/gpu-operator a22dbf6 controllers/state_manager.go: gpuStateLabels["container"] (the
# deploy labels of the container workload config, the only one without sandbox workloads:
# getWorkloadConfig), commonOperandsLabelKey, migManagerLabelKey, migCapableLabelKey,
# migConfigLabelKey and migConfigDisabledValue, vgpuHostDriverLabelKey, gpuProductLabelKey.
CONTAINER_STATE_LABELS = {
    f"nvidia.com/gpu.deploy.{operand}": "true"
    for operand in ("driver", "gpu-feature-discovery", "container-toolkit", "device-plugin", "dcgm",
                    "dcgm-exporter", "node-status-exporter", "operator-validator", "client")
}  # fmt: skip
OPERANDS_LABEL = "nvidia.com/gpu.deploy.operands"
MIG_MANAGER_LABEL = "nvidia.com/gpu.deploy.mig-manager"
MIG_CAPABLE, MIG_CONFIG, MIG_DISABLED = "nvidia.com/mig.capable", "nvidia.com/mig.config", "all-disabled"
# Every key a state label may have (clusterPolicyStateLabelKeys and gpuClusterStateLabels): the
# other workload configs' and the DRA stack's, which the container config sweeps away.
ALL_STATE_LABELS = {
    *CONTAINER_STATE_LABELS,
    *(f"nvidia.com/gpu.deploy.{operand}" for operand in (
        "sandbox-device-plugin", "kata-sandbox-device-plugin", "sandbox-validator", "vfio-manager", "kata-manager",
        "cc-manager", "vgpu-manager", "vgpu-device-manager", "dra-driver", "dra-validator", "dcgm-dra",
        "dcgm-exporter-dra")),
    MIG_MANAGER_LABEL,
}  # fmt: skip


def singleton(policies: list[dict[str, Any]]) -> dict[str, Any]:
    """The ClusterPolicy the operator acts on: the oldest, the name breaking a tie (upstream:
    NVIDIA/gpu-operator v26.7.0 controllers/active_config.go getSingletonClusterPolicy)."""
    return min(policies, key=lambda p: (str(p["metadata"].get("creationTimestamp") or ""), p["metadata"]["name"]))


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
    cmd/gpu-operator/main.go registers it next to the ClusterPolicyReconciler. It sets the
    gpu.deploy.* state labels and the MIG labels too (:func:`state_labels`). Not modelled: sandbox
    workloads (vm-passthrough, vm-vgpu), the driver auto-upgrade annotation, the DRA (GPUCluster)
    stack.
    """

    # the GPU Operator's own node labeller (nvidia.GPU_OPERATOR's binary: NVIDIA/gpu-operator
    # controllers/state_manager.go labelGPUNodes, run by cmd/gpu-operator/main.go)
    field_manager: ClassVar[str | None] = "gpu-operator"

    watches: ClassVar[list[tuple[str, str]]] = [("nvidia.com/v1", "ClusterPolicy")]

    def attach(self, manager: Any) -> None:
        on_node_events(manager, self, self._label)

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        for node in cluster.list("v1", "Node"):
            self._label(cluster, node)

    def _label(self, cluster: Any, node: dict[str, Any]) -> None:
        policies = cluster.list("nvidia.com/v1", "ClusterPolicy", None)
        if not policies:
            return
        latest = cluster.get("v1", "Node", None, node["metadata"]["name"])
        if latest is not None:
            label_gpu_node(cluster, latest, singleton(policies))


def label_gpu_node(cluster: Any, node: dict[str, Any], policy: dict[str, Any] | None = None) -> None:
    """What the operator's node labeller does to one node (see NodeLabelingController), in one patch.

    upstream: NVIDIA/gpu-operator a22dbf6 controllers/nodelabeling_controller.go labelGPUNodes:
    reconcileCommonGPULabel: a node with one of NFD's NVIDIA PCI labels (state_manager.go
    hasGPULabels) gets ``nvidia.com/gpu.present=true``; a node labelled so that has none any more gets
    ``false``. controllers/state_manager.go discoverGPUNodes then counts the ``true`` ones. Without
    NFD no node is labelled, so the operator finds no GPU node however many GPUs the nodes have.
    Then updateGPUStateLabels (:func:`state_labels`).
    """
    labels = dict(node["metadata"].get("labels") or {})
    pci = any(labels.get(k) == v for k, v in NFD_GPU_LABELS.items())
    present = labels.get(GPU_PRESENT) == "true"
    if pci != present:
        labels[GPU_PRESENT] = "true" if pci else "false"
    labels = state_labels(labels, policy or {})
    before = node["metadata"].get("labels") or {}
    change: dict[str, Any] = {k: v for k, v in labels.items() if before.get(k) != v}
    change.update({k: None for k in before if k not in labels})  # a JSON merge patch deletes with null
    if change:
        cluster.patch("v1", "Node", None, node["metadata"]["name"], {"metadata": {"labels": change}})


def mig_capable(labels: dict[str, str]) -> bool:
    """upstream: state_manager.go hasMIGCapableGPU: never on a vGPU host; the mig.capable label where
    GFD set it; else an H100, A100 or A30 product."""
    if labels.get("nvidia.com/vgpu.host-driver-version"):
        return False
    if MIG_CAPABLE in labels:
        return labels[MIG_CAPABLE] == "true"
    product = labels.get("nvidia.com/gpu.product", "").lower()
    return any(model in product for model in ("h100", "a100", "a30"))


def state_labels(labels: dict[str, str], policy: dict[str, Any]) -> dict[str, str]:
    """The node's labels after the labeller's updateGPUStateLabels for the ClusterPolicy stack.

    upstream: NVIDIA/gpu-operator a22dbf6 controllers/nodelabeling_controller.go updateGPUStateLabels
    and controllers/state_manager.go: a node without gpu.present=true loses every state label
    (removeAllGPUStateLabels), so does one labelled ``nvidia.com/gpu.deploy.operands=false``
    (hasOperandsDisabled); otherwise the state keys outside the container config are removed
    (removeGPUStateLabels; gpu.deploy.mig-manager kept) and each container label is set to "true"
    where it is absent or "" (addGPUStateLabels: a value already there is kept, as k8s-driver-manager
    writes "paused-for-driver-upgrade" to drain an operand off the node,
    controllers/nodelabeling_controller_test.go), with gpu.deploy.mig-manager=true on a MIG-capable
    GPU. Last, where the ClusterPolicy's migManager is enabled (the default,
    api/nvidia/v1/clusterpolicy_types.go MIGManagerSpec.IsEnabled) and its config.default is
    "all-disabled", a MIG-capable node without a mig.config label gets mig.config=all-disabled.
    """
    out = dict(labels)
    if out.get(GPU_PRESENT) != "true" or out.get(OPERANDS_LABEL) == "false":
        return {k: v for k, v in out.items() if k not in ALL_STATE_LABELS}
    out = {k: v for k, v in out.items() if k not in ALL_STATE_LABELS or k in CONTAINER_STATE_LABELS
           or k == MIG_MANAGER_LABEL}  # fmt: skip
    for key, value in CONTAINER_STATE_LABELS.items():
        if not out.get(key):
            out[key] = value
    if mig_capable(out) and MIG_MANAGER_LABEL not in out:
        out[MIG_MANAGER_LABEL] = "true"
    mig = (policy.get("spec") or {}).get("migManager") or {}
    default = (mig.get("config") or {}).get("default")
    enabled = mig.get("enabled", True) is not False
    if enabled and default == MIG_DISABLED and mig_capable(out) and not out.get(MIG_CONFIG):
        out[MIG_CONFIG] = MIG_DISABLED
    return out
