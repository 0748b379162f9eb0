"""The kubelet's device manager, for the GPUs the NVIDIA device plugin advertises: a node whose
device plugin pod goes (deleted: the kubelet stops its containers and the plugin exits) advertises
no allocatable ``nvidia.com/gpu`` until a plugin pod on it is ready again. Added with the GPU
Operator's simulator (nvidia.py), whose device plugin DaemonSet makes the pods; the nodes start
with their GPUs registered (the fixtures' allocatable).

upstream: kubernetes/kubernetes 0022bec3 pkg/kubelet/cm/devicemanager/manager.go: when a plugin's
endpoint stops (its pod gone, its socket closed), addEndpoint's goroutine calls
markResourceUnhealthy, which moves every healthy device of the resource to unhealthy; GetCapacity
then reports allocatable as the healthy devices only (0) and capacity as healthy plus unhealthy
(unchanged), until the endpoint's stop grace period (five minutes) expires and the resource is
dropped. A plugin that registers again lists its devices, healthy, and allocatable comes back. The
grace period's end (capacity to 0 as well) is not modelled: the emulator has no kubelet clock.
"""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.base import Controller

GPU = "nvidia.com/gpu"
PLUGIN_NAMESPACE = "gpu-operator"
PLUGIN_LABEL = ("app", "nvidia-device-plugin-daemonset")  # nvidia.py OPERANDS: the DaemonSet's pod label


def _plugin(pod: dict[str, Any]) -> str:
    """The node of a device plugin pod; "" for any other pod."""
    meta = pod.get("metadata") or {}
    if meta.get("namespace") != PLUGIN_NAMESPACE or (meta.get("labels") or {}).get(PLUGIN_LABEL[0]) != PLUGIN_LABEL[1]:
        return ""
    return str((pod.get("spec") or {}).get("nodeName") or "")


def _ready(pod: dict[str, Any]) -> bool:
    """Ready and not terminating (the kubelet stops a deleted pod's containers: the plugin exits)."""
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


class DeviceManager(Controller):
    """Drops a node's allocatable GPUs when its device plugin pod is deleted, and gives them back
    when a plugin pod on it is ready again (the module docstring)."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(delay)
        self._unhealthy: dict[str, str] = {}  # node -> its allocatable GPUs before the plugin went

    def attach(self, manager: Any) -> None:
        def on_event(typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
            if rt.group == "" and rt.kind == "Pod" and (node := _plugin(obj)):
                gone = typ == "DELETED" or (obj.get("metadata") or {}).get("deletionTimestamp")
                act = self._stopped if gone else self._registered
                manager.call_later(self, lambda cluster: act(cluster, node, obj), self.delay)

        manager.api.listeners.append(on_event)

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        """Watches no kind: pod events come through ``attach``."""
        del cluster, obj

    def _allocatable(self, cluster: Any, node: str) -> dict[str, Any] | None:
        found = cluster.get("v1", "Node", None, node)
        return None if found is None else dict((found.get("status") or {}).get("allocatable") or {})

    def _stopped(self, cluster: Any, node: str, pod: dict[str, Any]) -> None:
        """markResourceUnhealthy: allocatable GPUs 0, capacity kept; unless another plugin pod on
        the node is ready (the newest registration is the endpoint)."""
        others = cluster.list("v1", "Pod", namespace=PLUGIN_NAMESPACE, label_selector="=".join(PLUGIN_LABEL))
        if any(_plugin(p) == node and _ready(p) for p in others if p["metadata"]["name"] != pod["metadata"]["name"]):
            return
        allocatable = self._allocatable(cluster, node)
        if allocatable is None or str(allocatable.get(GPU, "0")) == "0":
            return  # no GPU registered, or already marked unhealthy
        self._unhealthy[node] = str(allocatable[GPU])
        cluster.patch_status("v1", "Node", None, node, {"allocatable": {**allocatable, GPU: "0"}})

    def _registered(self, cluster: Any, node: str, pod: dict[str, Any]) -> None:
        """A plugin pod ready on the node registers again: its devices are healthy."""
        current = cluster.get("v1", "Pod", PLUGIN_NAMESPACE, pod["metadata"]["name"])
        if current is None or not _ready(current) or node not in self._unhealthy:
            return
        allocatable = self._allocatable(cluster, node)
        if allocatable is None:
            self._unhealthy.pop(node, None)
            return
        cluster.patch_status("v1", "Node", None, node, {"allocatable": {**allocatable, GPU: self._unhealthy.pop(node)}})
