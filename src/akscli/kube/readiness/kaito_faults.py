"""What to do about a KAITO Workspace that KAITO holds not ready for a named cause: a node whose
NVIDIA device plugin has not registered its GPUs (NodePluginsNotReady), or an inference pod KAITO
classified (InferenceReady's reason). Plain logic, read off the Workspace alone; the fix of
readiness.kaito.workspace's verdict, and `model status`'s (model/kaito_faults.py).

upstream: kaito-project/kaito v0.12.0 (commit 0894eb2b).
- pkg/workspace/resource/node.go CheckIfNodePluginsReady: for a size in KAITO's SKU table, each node
  of the Workspace's NodeClaims must be Ready and have a non-zero ``nvidia.com/gpu`` capacity and the
  Workspace's instance type. pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go EnsureNodesReady:
  until then reconcileNodes requeues after 2 s and makes no Service and no StatefulSet;
  CollectNodeStatusInfo sets NodesReady False, reason NodePluginsNotReady, "waiting all node plugins
  to be ready" (or the check's error), and ResourceReady copies it.
- charts/kaito/workspace/templates/nvidia-device-plugin-ds.yaml: KAITO's chart runs the device plugin
  as the DaemonSet ``nvidia-device-plugin-daemonset`` (values.yaml nvidiaDevicePlugin.daemonsetName),
  pods labelled ``name=nvidia-device-plugin-ds``, container ``nvidia-device-plugin-ctr``, on every
  AKS node; ``nvidiaDevicePlugin.enabled=false`` leaves it to the GPU Operator, whose DaemonSet has
  the same name and pods labelled ``app=nvidia-device-plugin-daemonset`` (NVIDIA/gpu-operator
  assets/state-device-plugin; akscli.gpu.plugin).
- pkg/workspace/controllers/workspace_controller.go classifyInferencePodFailure: InferenceReady's
  reasons ContainerOOMKilled, ImagePullError, ContainerStartError, ContainerCrashLoopBackOff,
  NodeDiskPressure, NodeMemoryPressure, PodEvicted, Unschedulable (SASTokenFetchFailed is model
  streaming's, which akscli does not turn on), each message naming the container or pod.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from akscli.kube.readiness.core import Generation, current_conditions

PLUGINS_NOT_READY = "NodePluginsNotReady"
# The DaemonSet's name in KAITO's chart and in the GPU Operator, and their pods' labels.
PLUGIN_DAEMONSET = "nvidia-device-plugin-daemonset"
KAITO_PLUGIN_PODS = "name=nvidia-device-plugin-ds"
OPERATOR_PLUGIN_PODS = "app=nvidia-device-plugin-daemonset"
_CONTAINER = re.compile(r'^container "([^"]+)"')


def _names(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("name") or ""), str(meta.get("namespace") or "default")


def node_selector(obj: Mapping[str, Any]) -> str:
    """The labels gpu-provisioner puts on a Workspace's nodes (kaito-project/kaito v0.12.0
    pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go BuildNodeSelector)."""
    name, namespace = _names(obj)
    return f"kaito.sh/workspace={name},kaito.sh/workspacenamespace={namespace}"


def plugins_pending(obj: Mapping[str, Any]) -> bool:
    """KAITO holds the Workspace on NodePluginsNotReady (ResourceReady or NodesReady, this generation)."""
    conds = current_conditions(obj, Generation.CONDITIONS)
    return any(
        (conds.get(t) or {}).get("status") == "False" and (conds.get(t) or {}).get("reason") == PLUGINS_NOT_READY
        for t in ("ResourceReady", "NodesReady")
    )


def plugin_fix(obj: Mapping[str, Any]) -> str:
    """Where to look, without reading the nodes: the nodes' GPU capacity and the plugin pods."""
    return (
        "KAITO makes no inference pod until the NVIDIA device plugin has registered GPUs on every node of it: "
        f"find the node with no nvidia.com/gpu capacity (kubectl get nodes -l {node_selector(obj)} -o "
        "custom-columns=NAME:.metadata.name,GPUS:.status.capacity.nvidia\\.com/gpu) and read the log of its "
        f"device plugin pod (kubectl get pods -A -o wide -l {KAITO_PLUGIN_PODS}, KAITO's chart's; "
        f"-l {OPERATOR_PLUGIN_PODS}, the GPU Operator's)"
    )


def inference_fault(obj: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(reason, KAITO's message, what to do) where InferenceReady is False for a cause KAITO read
    off the pods; None otherwise (WorkspaceInferenceStatusPending: nothing classified)."""
    cond = current_conditions(obj, Generation.CONDITIONS).get("InferenceReady") or {}
    reason, message = str(cond.get("reason") or ""), str(cond.get("message") or "")
    if cond.get("status") != "False" or reason not in _FIXES:
        return None
    if reason == "ContainerCrashLoopBackOff":
        return reason, message, _crash(obj, message)
    return reason, message, _FIXES[reason].format(pods=_pods(obj), nodes=node_selector(obj))


def _pods(obj: Mapping[str, Any]) -> str:
    name, namespace = _names(obj)
    return f"-n {namespace} -l kaito.sh/workspace={name}"


def _crash(obj: Mapping[str, Any], message: str) -> str:
    """The previous log of the container KAITO names: the main one is named after the Workspace
    (pkg/workspace/inference/preset_inferences.go SetHFToken finds it so), which `model logs` reads."""
    name, namespace = _names(obj)
    found = _CONTAINER.match(message)
    container = found.group(1) if found else name
    logs = (
        f"akscli model logs {name} -n {namespace} --previous"
        if container == name
        else f"kubectl logs {_pods(obj)} -c {container} --previous --tail 50"
    )
    return (
        f"read why it exits ({logs}): CUDA out of memory wants a larger --vm-size or a shorter --max-model-len; "
        "a Hugging Face error is the weights download (a gated model needs --access-secret; the node must "
        "reach huggingface.co)"
    )


# What to do, by InferenceReady's reason ({pods}: the Workspace's pods, {nodes}: its nodes, as kubectl
# selects them); ContainerCrashLoopBackOff's is _crash.
_FIXES = {
    "ContainerOOMKilled": "deploy it again on a larger --vm-size (akscli model plan lists those that fit)",
    "ImagePullError": "read the pull error (kubectl describe pods {pods}, its Events) and check the node "
    "reaches the image's registry",
    "ContainerStartError": "kubectl describe pods {pods} names the Secret, ConfigMap or mount the kubelet "
    "could not give the container",
    "ContainerCrashLoopBackOff": "",
    "NodeDiskPressure": "free the node's disk (kubectl describe nodes -l {nodes}); the StatefulSet makes the pod again",
    "NodeMemoryPressure": "see what uses the node's memory (kubectl describe nodes -l {nodes}); the StatefulSet "
    "makes the pod again",
    "PodEvicted": "kubectl describe nodes -l {nodes} says why the kubelet evicted it; the StatefulSet makes the "
    "pod again",
    "Unschedulable": "kubectl describe nodes -l {nodes} shows what its nodes lack (allocatable nvidia.com/gpu, "
    "a taint)",
}


def fix(obj: Mapping[str, Any]) -> str:
    """What to do about the Workspace's named cause, "" where KAITO names none."""
    if plugins_pending(obj):
        return plugin_fix(obj)
    found = inference_fault(obj)
    return found[2] if found else ""
