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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from akscli import errors
from akscli.kube import pod_problems
from akscli.kube.client import Kube
from akscli.kube.readiness import kaito_faults

GPU = "nvidia.com/gpu"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
NODEPOOL = "karpenter.sh/nodepool"  # on a NodeClaim's node (pkg/utils/consts/consts.go LabelNodePool)


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


def _ready(node: Mapping[str, Any]) -> bool:
    """nodes.go NodeIsReadyAndNotDeleting: no deletionTimestamp, and a Ready condition that is True."""
    if (node.get("metadata") or {}).get("deletionTimestamp"):
        return False
    conditions = (node.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _name(node: Mapping[str, Any]) -> str:
    return str((node.get("metadata") or {}).get("name"))


def _more(nodes: Sequence[Any]) -> str:
    return f" (and {len(nodes) - 1} more node{'s' if len(nodes) > 2 else ''})" if len(nodes) > 1 else ""


def _not_ready(workspace: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]]) -> PluginWait:
    """A NodeClaim's node not Ready, or being deleted: getReadyNodesFromNodeClaims counts it out, so
    checkNodePlugin's node count falls short of the NodeClaims'."""
    node = _name(nodes[0])
    deleting = bool((nodes[0].get("metadata") or {}).get("deletionTimestamp"))
    return PluginWait(
        f"waits for its nodes (KAITO's {kaito_faults.PLUGINS_NOT_READY}, whose check needs every NodeClaim's "
        f"node Ready): node {node}{_more(nodes)} is {'being deleted' if deleting else 'not Ready'}",
        (
            f"its NodeClaim keeps KAITO waiting until it is gone too (kubectl get nodeclaims -l "
            f"{kaito_faults.node_selector(workspace)} -o wide)"
            if deleting
            else f"kubectl describe node {node} says why (its Ready condition: the kubelet, the network); "
            "KAITO looks again every 2 s and goes on once it is Ready"
        ),
    )


def _other_size(workspace: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]], size: str) -> PluginWait:
    """A NodeClaim's node whose instance-type label is not the Workspace's resource.instanceType."""
    node = _name(nodes[0])
    label = ((nodes[0].get("metadata") or {}).get("labels") or {}).get(INSTANCE_TYPE) or "(none)"
    return PluginWait(
        f"waits for its nodes (KAITO's {kaito_faults.PLUGINS_NOT_READY}, whose check needs every NodeClaim's "
        f"node of the Workspace's instance type): node {node}{_more(nodes)} is labelled {INSTANCE_TYPE}={label}, "
        f"not {size}",
        f"AKS labels a node with its VM size, so the label was changed by hand or the NodeClaim was not made for "
        f"this Workspace (kubectl get nodeclaims -l {kaito_faults.node_selector(workspace)} -o wide): restore the "
        "label, or delete that NodeClaim",
    )


def explain(kube: Kube, workspace: Mapping[str, Any]) -> PluginWait | None:
    """Why KAITO's CheckIfNodePluginsReady is False, as it checks the nodes of the Workspace's
    NodeClaims (those labelled karpenter.sh/nodepool; other nodes it does not check): first one not
    Ready or being deleted, then the first (by name) whose kubelet reports no GPUs, with its plugin
    pod's state, then one not of the Workspace's instance type; None where none is (KAITO looks again
    within 2 s; a NodeClaim with no node yet is not seen here) or nothing can be read."""
    size = str((workspace.get("resource") or {}).get("instanceType") or "")
    try:
        listed = kube.list("v1", "Node", label_selector=kaito_faults.node_selector(workspace))
        nodes = sorted((n for n in listed if NODEPOOL in ((n.get("metadata") or {}).get("labels") or {})), key=_name)
        if unready := [n for n in nodes if not _ready(n)]:
            return _not_ready(workspace, unready)
        bare = [n for n in nodes if (_gpus(n) or "0") == "0"]
        if not bare:
            other = [n for n in nodes if ((n.get("metadata") or {}).get("labels") or {}).get(INSTANCE_TYPE) != size]
            return _other_size(workspace, other, size) if other else None
        node = _name(bare[0])
        pods = _plugin_pods(kube, node)
    except errors.AkscliError:
        return None
    gpus = _gpus(bare[0])
    said = (
        f"waits for the NVIDIA device plugin (KAITO's {kaito_faults.PLUGINS_NOT_READY}): node {node}{_more(bare)} "
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
