"""The node a KAITO Workspace waits on while KAITO holds it on NodePluginsNotReady, and what its
NVIDIA device plugin pod says, for `model status` and a wait that runs out of time: one list of the
Workspace's nodes by label, then the plugin pods on the first node without GPUs by field selector;
read only for a Workspace in that state (readiness.kaito_faults.plugins_pending).

KAITO calls a node's plugin ready when its ``nvidia.com/gpu`` capacity is not zero (kaito-project/kaito
v0.12.0 pkg/workspace/resource/node.go checkNodePlugin). The kubelet reports that resource only once a
device plugin registered it, and 0 after a restart until the plugin registers again (kubernetes/
kubernetes pkg/kubelet/cm/devicemanager/manager.go GetCapacity, readCheckpoint; akscli.gpu.plugin).
The plugin pods are KAITO's chart's or the GPU Operator's (readiness.kaito_faults).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli import errors
from akscli.kube import pod_problems
from akscli.kube.client import Kube
from akscli.kube.readiness import kaito_faults

GPU = "nvidia.com/gpu"


@dataclass(frozen=True)
class PluginWait:
    """What the Workspace waits on (``said``: a clause) and what to do (``fix``)."""

    said: str
    fix: str


def _gpus(node: Mapping[str, Any]) -> str | None:
    """The node's nvidia.com/gpu capacity; None where the kubelet reports none."""
    value = ((node.get("status") or {}).get("capacity") or {}).get(GPU)
    return None if value is None else str(value)


def _plugin_pods(kube: Kube, node: str) -> list[dict[str, Any]]:
    """The device plugin pods bound to ``node``, KAITO's chart's and the GPU Operator's."""
    field = f"spec.nodeName={node}"
    found: list[dict[str, Any]] = []
    for selector in (kaito_faults.KAITO_PLUGIN_PODS, kaito_faults.OPERATOR_PLUGIN_PODS):
        found += kube.list("v1", "Pod", all_namespaces=True, label_selector=selector, field_selector=field)
    return found


def _state(pod: Mapping[str, Any]) -> tuple[str, bool]:
    """The pod's state as kubectl's STATUS column words it ("Running" when nothing is wrong, as
    akscli.gpu.plugin.pod_state), and whether its container restarted."""
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    restarted = any(int(cs.get("restartCount") or 0) > 0 for cs in statuses)
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating", restarted
    for cs in statuses:
        if waiting := ((cs.get("state") or {}).get("waiting") or {}).get("reason"):
            return str(waiting), restarted
    found = pod_problems.problem(dict(pod))
    return (found.text if found is not None else "Running"), restarted


def explain(kube: Kube, workspace: Mapping[str, Any]) -> PluginWait | None:
    """The first of the Workspace's nodes (by name) whose kubelet reports no GPUs, and its plugin pod's
    state; None where every node has GPUs (KAITO looks again within 2 s) or nothing can be read."""
    try:
        nodes = list(kube.list("v1", "Node", label_selector=kaito_faults.node_selector(workspace)))
        bare = sorted(
            (n for n in nodes if (_gpus(n) or "0") == "0"), key=lambda n: str((n.get("metadata") or {}).get("name"))
        )
        if not bare:
            return None
        node = str(bare[0]["metadata"]["name"])
        pods = _plugin_pods(kube, node)
    except errors.AkscliError:
        return None
    gpus = _gpus(bare[0])
    more = f" (and {len(bare) - 1} more node{'s' if len(bare) > 2 else ''})" if len(bare) > 1 else ""
    said = (
        f"waits for the NVIDIA device plugin (KAITO's {kaito_faults.PLUGINS_NOT_READY}): node {node}{more} "
        f"advertises {'no' if gpus is None else gpus} nvidia.com/gpu"
    )
    if not pods:
        return PluginWait(
            f"{said}, and no device plugin pod runs on it",
            f"see why its DaemonSet places none there (kubectl get daemonsets -A --field-selector "
            f"metadata.name={kaito_faults.PLUGIN_DAEMONSET}: KAITO's chart's, or the GPU Operator's where KAITO "
            f"was installed with nvidiaDevicePlugin.enabled=false; kubectl describe node {node})",
        )
    meta = pods[0].get("metadata") or {}
    ns, name = meta.get("namespace"), meta.get("name")
    state, restarted = _state(pods[0])
    previous = " --previous" if restarted else ""
    return PluginWait(
        f"{said}; its device plugin pod {ns}/{name} is {state}",
        f"read the plugin's log (kubectl -n {ns} logs {name}{previous}): a plugin that cannot initialise NVML "
        "means the GPU driver does not answer on the node; once it registers, KAITO goes on within seconds",
    )
