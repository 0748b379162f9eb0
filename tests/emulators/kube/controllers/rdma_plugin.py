"""The RDMA shared device plugin, as its pods register resources with their node's kubelet.

A pod of the plugin is any pod with a ConfigMap volume mounted at the folder the plugin reads its
config file from: ``/k8s-rdma-shared-dev-plugin/config.json`` unless the container is started with
``--config-file`` (or ``-config-file``, Go's flag package, ``=VALUE`` or the next argument) (upstream:
Mellanox/k8s-rdma-shared-dev-plugin 410b0f3 pkg/resources/resources_manager.go DefaultConfigFilePath,
cmd/k8s-rdma-shared-dp/main.go the ``config-file`` flag; deployment/k8s/base/daemonset.yaml
mounts the ConfigMap there, and so do akscli's templates/baremetal/rdma-shared-device-plugin.yaml.j2
and Mellanox/network-operator manifests/state-rdma-shared-device-plugin/0060_rdma-shared-dev-plugin-ds.yaml).
The file is the ConfigMap key an item projects at its name, else the key of that name.
Once such a pod is ready on a node, each ``configList`` entry of the config becomes a node resource:

- named ``<resourcePrefix>/<resourceName>``, the prefix ``rdma`` where the entry gives none
  (resources_manager.go ValidateConfigs, rdmaHcaResourcePrefix; server.go newResourceServer
  ``fmt.Sprintf("%s/%s", config.ResourcePrefix, config.ResourceName)``);
- with ``rdmaHcaMax`` devices where the selectors find RDMA devices on the node, else none
  (server.go newResourceServer: ``rdmaHcaMax`` devices only ``if len(deviceSpec) > 0``, "Warning: no
  Rdma Devices were found for resource"); the kubelet's device manager reports the count as
  capacity and allocatable (kubernetes/kubernetes pkg/kubelet/cm/devicemanager/manager.go GetCapacity).

Which nodes have RDMA devices, from their NFD labels: a vendor-15b3 PCI device is
``feature.node.kubernetes.io/rdma.capable`` and ib_uverbs with rdma_ucm loaded is
``rdma.available`` (kubernetes-sigs/node-feature-discovery source/custom/static_features.go). The
plugin hands out the HCA's uverbs/rdma_cm character devices (pkg/resources/rdma_device_spec.go
requiredRdmaDevices; utils.GetRdmaDevices), which exist only with those modules loaded, so a node
needs both labels. Of the selectors only ``vendors`` is checked (the HCAs are vendor 15b3); node
labels say nothing of device ids or interface names, so ``deviceIDs`` and ``ifNames`` match.
A plugin pod that stops (deleted, terminating: the kubelet stops its containers; or not ready once it
registered: its container exited, as in CrashLoopBackOff) leaves its
resources registered with every device unhealthy: allocatable 0, capacity kept (upstream:
kubernetes/kubernetes 0022bec3 pkg/kubelet/cm/devicemanager/manager.go, the endpoint's goroutine calls
markResourceUnhealthy when the plugin's socket closes; GetCapacity counts healthy devices as allocatable,
healthy plus unhealthy as capacity). The plugin never marks a device unhealthy itself (server.go
ListAndWatch reads its ``health`` channel, which nothing writes), so on this plugin's resources
capacity above allocatable means it stopped. A plugin pod ready again registers its devices healthy.
Five minutes after the plugin stopped the kubelet drops the resource, written as capacity 0
(kubernetes/kubernetes pkg/kubelet/cm/devicemanager/manager.go GetCapacity once the endpoint's
stopGracePeriodExpired, pkg/kubelet/cm/devicemanager/types.go endpointStopGracePeriod;
kubernetes/kubernetes pkg/kubelet/nodestatus/setters.go MachineInfo), on this simulator's clock
(``advance(seconds)``), as
device_manager.py does for GPUs.

A kubelet restart (``restart_kubelet(node)``): readCheckpoint (kubernetes/kubernetes
pkg/kubelet/cm/devicemanager/manager.go) gives every resource
registered before an empty device set behind a stopped endpoint, "so that the resource capacity will
stay zero till the corresponding device plugin re-registers": capacity and allocatable 0 for each
resource the node's plugin pods registered. The plugin registers again by itself: in the kubelet's
plugin registry mode (``/var/lib/kubelet/plugins_registry`` exists) the kubelet's plugin watcher finds
its socket there; otherwise its ``Watch`` loop sees its own socket gone from
``/var/lib/kubelet/device-plugins`` within ``watchWaitTime`` (5 s) and restarts the server, which
registers (Mellanox/k8s-rdma-shared-dev-plugin 410b0f3 pkg/resources/server.go Watch, Restart, Start;
pkg/resources/resources_manager.go NewResourceManager detectPluginWatchMode, StartAllServers). The simulator holds
that until a test calls ``plugin_registers(node)`` (or a plugin pod on the node becomes ready again),
so the window can be seen. A plugin that never registers again keeps capacity 0.
Not simulated: the plugin's periodic device update.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from tests.emulators.kube.cluster import KUBELET
from tests.emulators.kube.controllers.base import ClockedController
from tests.emulators.kube.controllers.device_manager import STOP_GRACE_PERIOD

CONFIG_DIR = "/k8s-rdma-shared-dev-plugin"  # resources_manager.go DefaultConfigFilePath's folder
CONFIG_FILE = "config.json"
DEFAULT_PREFIX = "rdma"  # resources_manager.go rdmaHcaResourcePrefix
HCA_VENDOR = "15b3"
NFD = "feature.node.kubernetes.io/"
# The SR-IOV network device plugin's image (k8snetworkplumbingwg/sriov-network-device-plugin
# deployments/sriovdp-daemonset.yaml): its pods are sriov_device_plugin.py's.
SRIOV_IMAGE = "/sriov-network-device-plugin"


def flag(container: dict[str, Any], name: str, default: str) -> str:
    """A Go flag's value in the container's command and args: ``--name=V``, ``-name=V``, ``--name V``
    or ``-name V`` (Go's flag package), the last given; else ``default``."""
    args = [str(a) for a in [*(container.get("command") or []), *(container.get("args") or [])]]
    value = default
    for i, arg in enumerate(args):
        for spelt in ("--" + name, "-" + name):
            if arg.startswith(spelt + "="):
                value = arg.split("=", 1)[1]
            elif arg == spelt and i + 1 < len(args):
                value = args[i + 1]
    return value


def _config_file(container: dict[str, Any]) -> str:
    """The container's ``--config-file``, else the default (cmd/k8s-rdma-shared-dp/main.go)."""
    return flag(container, "config-file", f"{CONFIG_DIR}/{CONFIG_FILE}")


def mounted_file(pod: dict[str, Any], container: dict[str, Any], path: str) -> tuple[str, str] | None:
    """(ConfigMap name, key) where ``container`` mounts a ConfigMap at ``path``'s folder: the key an
    item projects at the file's name, else the key of that name (the kubelet's configMap volume)."""
    folder, _, file = path.rpartition("/")
    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or []}
    for mount in container.get("volumeMounts") or []:
        if str(mount.get("mountPath") or "").rstrip("/") != folder.rstrip("/"):
            continue
        source = (volumes.get(mount.get("name")) or {}).get("configMap") or {}
        if source.get("name"):
            key = next((str(i.get("key")) for i in source.get("items") or [] if i.get("path") == file), file)
            return str(source["name"]), key
    return None


def _mounted_config(pod: dict[str, Any]) -> tuple[str, str] | None:
    """(ConfigMap name, key) of the shared plugin's config file; None for any other pod (the
    SR-IOV device plugin's pods are sriov_device_plugin.py's)."""
    for container in (pod.get("spec") or {}).get("containers") or []:
        if SRIOV_IMAGE in str(container.get("image") or ""):
            continue
        found = mounted_file(pod, container, _config_file(container))
        if found:
            return found
    return None


def ready(pod: dict[str, Any]) -> bool:
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def has_rdma_devices(node: dict[str, Any], vendors: list[str]) -> bool:
    labels = (node.get("metadata") or {}).get("labels") or {}
    if vendors and HCA_VENDOR not in [str(v).lower() for v in vendors]:
        return False
    return labels.get(NFD + "rdma.capable") == "true" and labels.get(NFD + "rdma.available") == "true"


def resources(config: dict[str, Any], node: dict[str, Any]) -> dict[str, str]:
    """The resources one plugin config registers on the node, and their device counts."""
    out: dict[str, str] = {}
    for entry in config.get("configList") or []:
        name = entry.get("resourceName")
        if not name:
            continue
        selectors = entry.get("selectors") or {}
        found = has_rdma_devices(node, list(selectors.get("vendors") or []))
        count = int(entry.get("rdmaHcaMax") or 0) if found else 0
        out[f"{entry.get('resourcePrefix') or DEFAULT_PREFIX}/{name}"] = str(count)
    return out


class RdmaSharedDevicePlugin(ClockedController):
    """Registers each ready plugin pod's resources on its node (the module docstring)."""

    # What a device plugin registers the kubelet's device manager writes to the node's status
    # (kubernetes/kubernetes pkg/kubelet/cm/devicemanager/manager.go GetCapacity, read by
    # pkg/kubelet/nodestatus/setters.go MachineInfo): the kubelet's (cluster.KUBELET).
    field_manager: ClassVar[str | None] = KUBELET

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "Pod")]

    def __init__(self, delay: float = 0.05) -> None:
        super().__init__(delay)
        self._registered: dict[tuple[str, str], tuple[str, list[str]]] = {}  # pod -> (node, its resources)
        self._stopped_at: dict[tuple[str, str], float] = {}  # (node, resource) -> when its endpoint stopped

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        self._stopped(cluster, obj)

    def restart_kubelet(self, node: str) -> None:
        """The node's kubelet restarts: every resource its plugin pods registered has no device."""
        if self._manager is not None:
            self._manager.call_later(self, lambda cluster: self._kubelet_started(cluster, node), 0.0)

    def plugin_registers(self, node: str) -> None:
        """The plugin pods on ``node`` register again (Mellanox/k8s-rdma-shared-dev-plugin
        pkg/resources/server.go Watch found their socket gone)."""
        if self._manager is not None:
            self._manager.call_later(self, lambda cluster: self._register_again(cluster, node), 0.0)

    def _stopped(self, cluster: Any, obj: dict[str, Any]) -> None:
        """markResourceUnhealthy: each resource the pod registered keeps its capacity, allocatable 0."""
        meta = obj.get("metadata") or {}
        found = self._registered.pop((str(meta.get("namespace")), str(meta.get("name"))), None)
        node = cluster.get("v1", "Node", None, found[0]) if found else None
        if found is None or node is None:
            return
        for resource in found[1]:
            self._stopped_at.setdefault((found[0], resource), self.now())
        allocatable = dict((node.get("status") or {}).get("allocatable") or {})
        cluster.patch_status("v1", "Node", None, found[0], {"allocatable": allocatable | dict.fromkeys(found[1], "0")})

    def _kubelet_started(self, cluster: Any, node_name: str) -> None:
        """readCheckpoint: each resource registered on the node has no device behind a stopped endpoint
        (capacity already 0, so the grace period has nothing left to drop)."""
        names = [r for n, resources in self._registered.values() if n == node_name for r in resources]
        names += [r for n, r in self._stopped_at if n == node_name and r not in names]  # stopped: in the checkpoint
        for resource in names:
            self._stopped_at.pop((node_name, resource), None)
        self._zero(cluster, node_name, names)

    def _register_again(self, cluster: Any, node_name: str) -> None:
        """Each ready plugin pod on the node registers its resources again (reconcile)."""
        for pod in cluster.list("v1", "Pod"):
            if (pod.get("spec") or {}).get("nodeName") == node_name and self.plugin_config(pod):
                self.reconcile(cluster, pod)

    def _expire(self, cluster: Any) -> None:
        """GetCapacity after stopGracePeriodExpired: the resource is deleted, written as capacity 0."""
        due = [key for key, at in self._stopped_at.items() if self.now() - at > STOP_GRACE_PERIOD]
        for node_name, resource in due:
            self._stopped_at.pop((node_name, resource))
            self._zero(cluster, node_name, [resource])

    def _zero(self, cluster: Any, node_name: str, names: list[str]) -> None:
        """Capacity and allocatable 0 for ``names`` on the node (MachineInfo keeps a resource that was
        registered as 0; allocatable follows capacity, kubernetes/kubernetes pkg/kubelet/nodestatus/setters.go
        Allocatable)."""
        node = cluster.get("v1", "Node", None, node_name)
        if node is None or not names:
            return
        status, zero = node.get("status") or {}, dict.fromkeys(names, "0")
        patch = {key: dict(status.get(key) or {}) | zero for key in ("capacity", "allocatable")}
        cluster.patch_status("v1", "Node", None, node_name, patch)

    def plugin_config(self, pod: dict[str, Any]) -> tuple[str, str] | None:
        """(ConfigMap name, key) of the plugin config ``pod`` reads; None for a pod of no plugin."""
        return _mounted_config(pod)

    def registers(self, pod: dict[str, Any], config: dict[str, Any], node: dict[str, Any]) -> dict[str, str]:
        """The resources the pod's plugin registers on the node from ``config``, with device counts."""
        return resources(config, node)

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        mounted = self.plugin_config(obj)
        node_name = (obj.get("spec") or {}).get("nodeName")
        if mounted and ((obj.get("metadata") or {}).get("deletionTimestamp") or not ready(obj)):
            self._stopped(cluster, obj)  # deleted, or its container exited (CrashLoopBackOff): the socket closes
            return
        if not mounted or not node_name or not ready(obj):
            return
        namespace = obj["metadata"].get("namespace")
        cm = cluster.get("v1", "ConfigMap", namespace, mounted[0])
        node = cluster.get("v1", "Node", None, node_name)
        if cm is None or node is None:
            return  # the kubelet does not start a pod whose ConfigMap is missing
        try:
            config = json.loads(str((cm.get("data") or {}).get(mounted[1]) or ""))
        except ValueError:
            return  # the plugin exits on a config it cannot read (resources_manager.go ReadConfig)
        found = self.registers(obj, config if isinstance(config, dict) else {}, node)
        self._registered[(str(namespace), str(obj["metadata"]["name"]))] = (str(node_name), list(found))
        for resource in found:
            self._stopped_at.pop((str(node_name), resource), None)  # registered again: healthy
        status = node.get("status") or {}
        capacity = dict(status.get("capacity") or {})
        allocatable = dict(status.get("allocatable") or {})
        if all(capacity.get(k) == v and allocatable.get(k) == v for k, v in found.items()):
            return
        cluster.patch_status(
            "v1", "Node", None, node_name, {"capacity": capacity | found, "allocatable": allocatable | found}
        )
