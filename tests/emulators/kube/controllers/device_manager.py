"""The kubelet's device manager, for the GPUs an NVIDIA device plugin advertises: a node whose
device plugin stops (its pod deleted: the kubelet stops its containers; or its container exited
and crash-loops) advertises no allocatable ``nvidia.com/gpu``; five minutes after it stopped the
resource is dropped (capacity 0 as well); a plugin pod running on the node again gives back what
it had. The plugin pods are the GPU Operator's (nvidia.py, whose DaemonSet makes them) and those
of a device plugin installed without it: NVIDIA's Helm chart or its static manifest. The nodes
start with their GPUs registered (the fixtures' allocatable).

upstream: kubernetes/kubernetes 0022bec3 pkg/kubelet/cm/devicemanager/manager.go: when a plugin's
endpoint stops (its process gone, its socket closed), addEndpoint's goroutine calls
markResourceUnhealthy, which moves every healthy device of the resource to unhealthy; GetCapacity
then reports allocatable as the healthy devices only (0) and capacity as healthy plus unhealthy
(unchanged) until the endpoint's stopGracePeriodExpired (pkg/kubelet/cm/devicemanager/types.go
endpointStopGracePeriod, five minutes); then it deletes the resource and returns it among the
deleted ones, which pkg/kubelet/nodestatus/setters.go MachineInfo writes as capacity 0 ("to
indicate that the resource is managed by device plugin and had been registered before"), and
allocatable follows capacity (setters.go Allocatable). A plugin that registers again lists its
devices, healthy. The plugins' labels: NVIDIA/k8s-device-plugin 1b826acc6
deployments/static/nvidia-device-plugin.yml (DaemonSet nvidia-device-plugin-daemonset in
kube-system, pods labelled name=nvidia-device-plugin-ds) and deployments/helm/nvidia-device-plugin/
templates/_helpers.tpl (app.kubernetes.io/name: the chart's name, nvidia-device-plugin).

Two more things change what a node advertises while its plugin runs:

- An XID error on a GPU (``xid(node, xid, gpus)``): the plugin's health check (upstream:
  NVIDIA/k8s-device-plugin 1b826acc6 internal/rm/health.go checkHealth) marks the GPU unhealthy on
  a critical XID, except the application XIDs it ignores (13, 31, 43, 45, 68, 109:
  getDisabledHealthCheckXids), and ListAndWatch sends the device list again with it Unhealthy
  (internal/plugin/server.go; "there is no way to recover from the Unhealthy state"): the kubelet's
  genericDeviceUpdateCallback moves it to unhealthy, so allocatable drops by one and capacity
  stays. Only a new plugin process lists it healthy again (its pod restarted, or a kubelet restart).
- A kubelet restart (``restart_kubelet(node)``): readCheckpoint (manager.go) gives each resource
  registered before an empty device set and a stopped endpoint, "so that the resource capacity
  will stay zero till the corresponding device plugin re-registers": capacity and allocatable 0.
  The plugin registers again when it sees kubelet.sock created (cmd/nvidia-device-plugin/main.go:
  "inotify: ... created, restarting."), which a test triggers with ``plugin_registers(node)``, or
  when a plugin pod on the node becomes ready; it lists every GPU healthy. A plugin that does not
  register within the grace period leaves capacity 0, as a stopped one does. The kubelet records a
  Normal Event "Starting" ("Starting kubelet.", source kubelet) on its Node as it starts (upstream:
  kubernetes/kubernetes pkg/kubelet/kubelet.go BirthCry; node events go to namespace default).
- A kubelet restart the plugin cannot come back from (``restart_kubelet(node, nvml="ERROR_...")``):
  its restart loop starts the plugins again, and NVML does not initialise ("Failed to initialize
  NVML", internal/plugin/factory.go getResourceManagers). With --fail-on-init-error, true by
  default (cmd/nvidia-device-plugin/main.go), that is an error: start returns it and the process
  exits 1, so the container crash-loops and the node keeps capacity 0 (the kubelet's checkpoint).
- An XID on one MIG device (``xid(node, xid, mig=(resource, gi, ci))``): health.go checkHealth
  matches an event that names a GPU instance and compute instance to the MIG device with those
  ids, and marks that device only; the GPU's other MIG devices stay allocatable. An event for the
  whole GPU (no instance ids) marks the one device parentToDeviceMap keeps for that GPU (the last
  one registered): one unit either way. A device already unhealthy is not counted twice.

The grace period runs on this simulator's clock: the wall clock plus what a test moved it on
with ``advance(seconds)``.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from tests.emulators.kube.cluster import KUBELET
from tests.emulators.kube.controllers.base import ClockedController

GPU = "nvidia.com/gpu"
PLUGIN_NAMESPACE = "gpu-operator"
PLUGIN_LABEL = ("app", "nvidia-device-plugin-daemonset")  # nvidia.py OPERANDS: the DaemonSet's pod label
# A device plugin without the GPU Operator, in any namespace: the static manifest's and the chart's labels.
STANDALONE_LABELS = (("name", "nvidia-device-plugin-ds"), ("app.kubernetes.io/name", "nvidia-device-plugin"))
STOP_GRACE_PERIOD = 300.0  # types.go endpointStopGracePeriod
# health.go getDisabledHealthCheckXids: application errors, "the GPU should still be healthy".
IGNORED_XIDS = frozenset({13, 31, 43, 45, 68, 109})


def is_plugin(pod: dict[str, Any]) -> bool:
    meta = pod.get("metadata") or {}
    labels = meta.get("labels") or {}
    if meta.get("namespace") == PLUGIN_NAMESPACE and labels.get(PLUGIN_LABEL[0]) == PLUGIN_LABEL[1]:
        return True
    return any(labels.get(key) == value for key, value in STANDALONE_LABELS)


def _plugin(pod: dict[str, Any]) -> str:
    """The node of a device plugin pod; "" for any other pod."""
    return str((pod.get("spec") or {}).get("nodeName") or "") if is_plugin(pod) else ""


def _ready(pod: dict[str, Any]) -> bool:
    """Ready and not terminating (the kubelet stops a deleted pod's containers: the plugin exits)."""
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _exited(pod: dict[str, Any]) -> bool:
    """The plugin ran and its process is gone: a container not running that has restarted or
    terminated (CrashLoopBackOff: waiting after a termination, restartCount counting them)."""
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        state = cs.get("state") or {}
        if "running" in state:
            continue
        if (
            state.get("terminated")
            or int(cs.get("restartCount") or 0) > 0
            or (cs.get("lastState") or {}).get("terminated")
        ):
            return True
    return False


# ClockedController: a test clock (emulator structure, no upstream behaviour); what it times is the
# kubernetes/kubernetes pkg/kubelet/cm/devicemanager/types.go endpointStopGracePeriod (five minutes).
class DeviceManager(ClockedController):
    """Drops a node's allocatable GPUs when its device plugin stops, its capacity too five minutes
    later, and gives them back when a plugin pod on it is ready again (the module docstring)."""

    # the kubelet's own node status writes (the cluster module's KUBELET; kubernetes/kubernetes
    # pkg/kubelet/kubelet_node_status.go updateNodeStatus, its capacity from the device manager)
    field_manager: ClassVar[str | None] = KUBELET

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(delay)
        self._lock = threading.Lock()
        # node -> the GPUs its plugin registered (capacity), while the plugin is not registered
        self._unhealthy: dict[str, str] = {}
        self._stopped_at: dict[str, float] = {}  # node -> clock time its plugin stopped (until dropped)
        # node -> the MIG devices (resource, GPU instance, compute instance) its plugin marked unhealthy
        self._mig_unhealthy: dict[str, set[tuple[str, int, int]]] = {}

    def xid(self, node: str, xid: int = 79, gpus: int = 1, mig: tuple[str, int, int] | None = None) -> None:
        """An XID error on ``gpus`` of the node's GPUs, which its running plugin reports; with
        ``mig`` (the MIG resource, GPU instance id, compute instance id) on that one MIG device."""
        if self._manager is not None:
            self._manager.call_later(self, lambda cluster: self._xid(cluster, node, xid, gpus, mig), 0.0)

    def restart_kubelet(self, node: str, nvml: str = "") -> None:
        """The node's kubelet restarts: its device plugin resources are registered with no device;
        with ``nvml`` (an NVML return code such as "ERROR_UNKNOWN") the plugin's restart fails to
        initialise NVML, and its container exits and crash-loops."""
        if self._manager is not None:
            self._manager.call_later(self, lambda cluster: self._kubelet_started(cluster, node, nvml), 0.0)

    def plugin_registers(self, node: str) -> None:
        """The plugin on ``node`` registers again (it saw kubelet.sock created)."""
        if self._manager is not None:
            self._manager.call_later(self, lambda cluster: self._register(cluster, node), 0.0)

    def attach(self, manager: Any) -> None:
        def on_event(typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
            if rt.group == "" and rt.kind == "Pod" and (node := _plugin(obj)):
                gone = typ == "DELETED" or (obj.get("metadata") or {}).get("deletionTimestamp") or _exited(obj)
                act = self._stopped if gone else self._registered
                manager.call_later(self, lambda cluster: act(cluster, node, obj), self.delay)

        manager.api.listeners.append(on_event)

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        """Watches no kind: pod events come through ``attach``."""
        del cluster, obj

    def _node_status(self, cluster: Any, node: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]] | None:
        """The node's allocatable and capacity, and the node as read: the kubelet's status patch is
        the difference from that read (kubernetes/kubernetes pkg/util/node/node.go PatchNodeStatus),
        so a resource another writer set since is not written back."""
        found = cluster.get("v1", "Node", None, node)
        if found is None:
            return None
        status = found.get("status") or {}
        return dict(status.get("allocatable") or {}), dict(status.get("capacity") or {}), found

    def _stopped(self, cluster: Any, node: str, pod: dict[str, Any]) -> None:
        """markResourceUnhealthy: allocatable GPUs 0, capacity kept; unless another plugin pod on
        the node is ready (the newest registration is the endpoint)."""
        selectors = ["=".join(PLUGIN_LABEL)] + ["=".join(label) for label in STANDALONE_LABELS]
        others = [p for sel in selectors for p in cluster.list("v1", "Pod", label_selector=sel) if _plugin(p) == node]
        if any(_ready(p) and not _exited(p) for p in others if p["metadata"]["name"] != pod["metadata"]["name"]):
            return
        found = self._node_status(cluster, node)
        if found is None:
            return
        allocatable, capacity, read = found
        with self._lock:
            if node in self._unhealthy or str(capacity.get(GPU, "0")) == "0":
                return  # no GPU registered, or already marked unhealthy
            self._unhealthy[node] = str(capacity[GPU])
            self._stopped_at[node] = self.now()
        cluster.patch_node_status(read, {"allocatable": {**allocatable, GPU: "0"}})

    def _xid(self, cluster: Any, node: str, xid: int, gpus: int, mig: tuple[str, int, int] | None) -> None:
        """checkHealth: a critical XID marks the GPU (or the one MIG device whose GPU and compute
        instance the event names) unhealthy; ListAndWatch sends it; allocatable counts the healthy
        devices only (GetCapacity)."""
        if xid in IGNORED_XIDS:
            return
        resource = mig[0] if mig else GPU
        with self._lock:
            if node in self._unhealthy:
                return  # no plugin registered to report it
            if mig is not None:
                marked = self._mig_unhealthy.setdefault(node, set())
                if mig in marked:
                    return  # that device is unhealthy already
                marked.add(mig)
                gpus = 1
        found = self._node_status(cluster, node)
        if found is None:
            return
        allocatable, _, read = found
        healthy = max(int(str(allocatable.get(resource, "0"))) - gpus, 0)
        cluster.patch_node_status(read, {"allocatable": {**allocatable, resource: str(healthy)}})

    def _kubelet_started(self, cluster: Any, node: str, nvml: str) -> None:
        """BirthCry's Event, then readCheckpoint: the resource registered, with no device, behind a
        stopped endpoint; with ``nvml``, the plugin's restart fails (_plugin_fails)."""
        found_node = cluster.get("v1", "Node", None, node)
        if found_node is None:
            return
        ref = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": node, "uid": node}}  # kubelet's nodeRef
        cluster.add_event(ref, "Starting", "Starting kubelet.", component="kubelet")
        if nvml:
            self._plugin_fails(cluster, node, nvml)
        found = self._node_status(cluster, node)
        if found is None:
            return
        allocatable, capacity, read = found
        with self._lock:
            registered = self._unhealthy.get(node) or str(capacity.get(GPU, "0"))
            if registered == "0":
                return
            self._unhealthy[node] = registered
            self._stopped_at[node] = self.now()
        patch = {"capacity": {**capacity, GPU: "0"}, "allocatable": {**allocatable, GPU: "0"}}
        cluster.patch_node_status(read, patch)

    def _plugin_fails(self, cluster: Any, node: str, nvml: str) -> None:
        """The plugin's process exits on NVML's error and the kubelet backs off restarting it: its
        pod's container waiting in CrashLoopBackOff after a termination with exit code 1, as the
        kubelet reports it (the simulated kubelet's part)."""
        selectors = ["=".join(PLUGIN_LABEL)] + ["=".join(label) for label in STANDALONE_LABELS]
        for pod in [
            p for sel in selectors for p in cluster.list("v1", "Pod", label_selector=sel) if _plugin(p) == node
        ]:
            statuses = (pod.get("status") or {}).get("containerStatuses") or [
                {"name": c["name"], "image": c.get("image", "")} for c in pod["spec"]["containers"]
            ]
            failed = [
                {
                    **cs,
                    "ready": False,
                    "started": False,
                    "restartCount": int(cs.get("restartCount") or 0) + 1,
                    "state": {
                        "waiting": {"reason": "CrashLoopBackOff", "message": "back-off 10s restarting failed container"}
                    },
                    "lastState": {
                        "terminated": {"exitCode": 1, "reason": "Error", "message": f"nvml init failed: {nvml}"}
                    },
                }
                for cs in statuses
            ]
            status = {"conditions": [{"type": "Ready", "status": "False"}], "containerStatuses": failed}
            cluster.patch_pod_status(pod, status)

    def _expire(self, cluster: Any) -> None:
        """GetCapacity after stopGracePeriodExpired: the resource is deleted, written as capacity 0."""
        with self._lock:
            due = [n for n, at in self._stopped_at.items() if self.now() - at > STOP_GRACE_PERIOD]
            for node in due:
                self._stopped_at.pop(node)
        for node in due:
            found = self._node_status(cluster, node)
            if found is None:
                continue
            allocatable, capacity, read = found
            patch = {"capacity": {**capacity, GPU: "0"}, "allocatable": {**allocatable, GPU: "0"}}
            cluster.patch_node_status(read, patch)

    def _registered(self, cluster: Any, node: str, pod: dict[str, Any]) -> None:
        """A plugin pod ready on the node registers again: its devices are healthy."""
        current = cluster.get("v1", "Pod", (pod.get("metadata") or {}).get("namespace"), pod["metadata"]["name"])
        if current is None or not _ready(current) or _exited(current):
            return
        self._register(cluster, node)

    def _register(self, cluster: Any, node: str) -> None:
        """The plugin registers and lists every GPU it finds, healthy."""
        with self._lock:
            if node not in self._unhealthy:
                return
            gpus = self._unhealthy.pop(node)
            self._stopped_at.pop(node, None)
            self._mig_unhealthy.pop(node, None)
        found = self._node_status(cluster, node)
        if found is None:
            return
        allocatable, capacity, read = found
        patch = {"allocatable": {**allocatable, GPU: gpus}, "capacity": {**capacity, GPU: gpus}}
        # A plugin that starts under MIG or time-slicing lists those devices (nvidia_gfd.plugin_resources).
        from tests.emulators.kube.controllers.nvidia_gfd import plugin_resources

        resources = plugin_resources(cluster, read)
        if resources is not None:
            patch = {"allocatable": {**allocatable, **resources}, "capacity": {**capacity, **resources}}
        cluster.patch_node_status(read, patch)
