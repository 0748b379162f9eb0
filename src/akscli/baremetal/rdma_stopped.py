"""Why an RDMA resource a plugin registered shows capacity 0 on a node, as ``baremetal doctor`` says it:
the plugin that registered it stopped, the kubelet restarted and the plugin has not registered again, or
(neither) the plugin found no RDMA device. Plain logic: no Typer, no rich.

What the kubelet does (upstream: kubernetes/kubernetes 0022bec3 pkg/kubelet/cm/devicemanager/manager.go):
- a plugin whose endpoint stops (its pod deleted or crashing) has every device marked unhealthy
  (markResourceUnhealthy), and five minutes later (types.go endpointStopGracePeriod, GetCapacity's
  stopGracePeriodExpired) the resource is deleted, which pkg/kubelet/nodestatus/setters.go MachineInfo
  writes as capacity 0;
- a restarted kubelet reads its checkpoint and gives each resource registered before no device behind a
  stopped endpoint (readCheckpoint: "so that the resource capacity will stay zero till the corresponding
  device plugin re-registers"); its Node gets the Event "Starting" (pkg/kubelet/kubelet.go BirthCry,
  read through akscli.gpu.plugin.kubelet_started).
The RDMA shared device plugin registers again by itself within seconds: in the kubelet's plugin registry
mode the kubelet's plugin watcher finds its socket, otherwise its Watch loop sees its socket gone (every
5 s, watchWaitTime) and restarts its server (Mellanox/k8s-rdma-shared-dev-plugin 410b0f3
pkg/resources/server.go Watch, Restart; resources_manager.go StartAllServers). A plugin that registers
with no device also gives capacity 0 (server.go newResourceServer), so a running plugin that started
after the kubelet is taken at its word.

Reads, only for nodes with such a resource: each plugin DaemonSet's pods once (one list by its pod
selector, in its namespace), and every node's kubelet start once (one paged list of the kubelet's
Starting events, narrowed on the server: akscli.gpu.plugin.kubelet_starts), however many nodes it judges.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from akscli import errors

if TYPE_CHECKING:
    from akscli.gpu.rdma_plugins import Plugin
    from akscli.kube.client import Kube


class Causes:
    """Reads lazily what tells a stopped plugin or a restarted kubelet from a plugin with no device."""

    def __init__(self, kube: Kube, plugins: Sequence[Plugin]) -> None:
        self._kube = kube
        self._plugins = list(plugins)
        self._pods: dict[str, dict[str, dict[str, Any]]] = {}  # plugin namespace/name -> node -> its pod
        self._kubelet_starts: dict[str, datetime] | None = None  # node -> its kubelet's newest start

    def why(self, node: Mapping[str, Any], resources: Sequence[str]) -> tuple[str, str] | None:
        """(clause, fix) where ``resources`` (capacity 0 on ``node``) are a plugin's that runs there and
        stopped, or that has not registered since the kubelet restarted, or where no plugin that names them
        places a pod there; None where the plugin runs and started after the kubelet (it registered and
        found no device)."""
        from akscli.gpu import plugin as gpu_plugin

        name = str((node.get("metadata") or {}).get("name"))
        said = f"{', '.join(resources)} registered with no device"
        naming = [p for p in self._plugins if set(p.resources_on(name) or p.resources) & set(resources)]
        plugin = next((p for p in naming if p.runs_on(node)), None)
        if plugin is None:
            return _no_plugin_here(said, naming, node)
        where = f"kubectl -n {plugin.namespace} get pods -o wide --field-selector spec.nodeName=NODE"
        pod = self._pods_of(plugin).get(name)
        state = gpu_plugin.pod_state(pod) if pod is not None else ""
        if state != "Running":
            now = f"its pod there is {state}" if pod is not None else "no pod of it is on the node"
            return (
                f"; {said}: daemonset {plugin.namespace}/{plugin.name}, the RDMA device plugin that registered "
                f"it, stopped ({now}), and the kubelet drops a stopped plugin's devices after five minutes",
                f"read why the plugin is not running ({where}, then its log with --previous); once it runs it "
                "registers again and its devices come back",
            )
        if self._kubelet_starts is None:
            self._kubelet_starts = gpu_plugin.kubelet_starts(self._kube)
        kubelet = self._kubelet_starts.get(name)
        started = gpu_plugin.plugin_started(pod) if pod is not None else None
        if kubelet is None or (started is not None and started >= kubelet):
            return None
        return (
            f"; {said}: the kubelet restarted after daemonset {plugin.namespace}/{plugin.name}'s pod started, "
            "and keeps every device plugin's resource at 0 until the plugin registers again",
            "the plugin registers again within seconds of a kubelet restart (it watches its socket); if the "
            f"resource stays 0, restart its pod on the node ({where}; kubectl -n {plugin.namespace} delete pod "
            "POD): a new plugin process registers what it finds",
        )

    def _pods_of(self, plugin: Plugin) -> dict[str, dict[str, Any]]:
        key = f"{plugin.namespace}/{plugin.name}"
        if key not in self._pods:
            selector = ((plugin.daemonset.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
            label_selector = ",".join(f"{k}={v}" for k, v in selector.items()) or None
            found: dict[str, dict[str, Any]] = {}
            pods: list[dict[str, Any]] = []
            try:
                if label_selector:  # a DaemonSet's selector is required to match its pods' labels
                    pods = list(self._kube.list("v1", "Pod", namespace=plugin.namespace, label_selector=label_selector))
            except (errors.AuthError, errors.NotInstalledError):
                pods = []
            for pod in pods:
                node = str((pod.get("spec") or {}).get("nodeName"))
                if node not in found or found[node].get("metadata", {}).get("deletionTimestamp"):
                    found[node] = pod  # a replacement pod over one being deleted
            self._pods[key] = found
        return self._pods[key]


def _no_plugin_here(said: str, naming: Sequence[Plugin], node: Mapping[str, Any]) -> tuple[str, str]:
    """Capacity 0 where no plugin that names the resource places a pod on the node: the one that
    registered it stopped there (the kubelet keeps a resource it once registered, at 0: MachineInfo)."""
    if naming:
        first = naming[0]
        return (
            f"; {said}: daemonset {first.namespace}/{first.name}, which names it, places no pod on the node "
            f"({first.why_not_on(node)}), and the kubelet drops a plugin's devices five minutes after it stops",
            f"change the plugin's nodeSelector, affinity or tolerations (kubectl -n {first.namespace} edit "
            f"daemonset {first.name}), or label the node as it selects",
        )
    return (
        f"; {said}: no RDMA device plugin akscli finds names it, so the one that registered it is gone (or "
        "is one akscli does not recognise), and the kubelet keeps a resource it once registered at capacity 0",
        "deploy the RDMA device plugin again (akscli baremetal prepare --rdma), or check the plugin pods on the "
        "node (kubectl get pods -A -o wide --field-selector spec.nodeName=NODE)",
    )
