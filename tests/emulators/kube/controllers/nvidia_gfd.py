"""Node Feature Discovery and GPU Feature Discovery as the GPU Operator brings them, for the
ClusterPolicy simulator (nvidia.py).

* NFD: the GPU Operator's Helm chart deploys NFD as a subchart (upstream: NVIDIA/gpu-operator a22dbf6
  deployments/gpu-operator/values.yaml ``nfd.enabled: true``). Its worker labels a node with a PCI
  device of a listed class by the device's vendor (``sources.pci.deviceClassWhitelist`` 02, 0200,
  0207, 0300, 0302; ``deviceLabelFields: [vendor]``), so a node with an NVIDIA GPU (vendor 10de)
  gets ``feature.node.kubernetes.io/pci-10de.present=true``. The worker runs only where the chart's
  ``node-feature-discovery.worker.tolerations`` tolerate the node's taints: the control plane's and
  ``nvidia.com/gpu``, not AKS's ``sku=gpu`` (:data:`NFD_WORKER_TOLERATIONS`).
* GFD: the operand DaemonSet ``gpu-feature-discovery`` (assets/gpu-feature-discovery/0500_daemonset.yaml:
  nodeSelector ``nvidia.com/gpu.deploy.gpu-feature-discovery: "true"``; state
  ``gpu-feature-discovery``, on unless ``spec.gfd.enabled`` is false, controllers/state_manager.go
  isStateEnabled). Its pod labels its node as NVIDIA/k8s-device-plugin 1b826ac
  internal/lm/resource.go NewGPUResourceLabeler does for full GPUs: ``nvidia.com/gpu.product`` (the
  device name, sanitise: spaces to ``-``), ``.count``, ``.replicas`` (1) and ``.sharing-strategy``
  (none) from baseLabeler, ``.memory`` (MiB), and ``.family`` from newArchitectureLabels. The
  device facts come from the node's VM size (shared/data/azure-gpu-skus.csv). A node that already
  has ``nvidia.com/gpu.product`` keeps its labels: the generator wrote them as GFD would, with
  sharing (MIG, time-slicing) this simulator does not model.
"""

from __future__ import annotations

import functools
from typing import Any

from tests.emulators.kube.controllers.scheduling import daemon_pod_spec, should_run_daemon_pod

NFD_NVIDIA_LABEL = "feature.node.kubernetes.io/pci-10de.present"
GFD_DEPLOY_LABEL = "nvidia.com/gpu.deploy.gpu-feature-discovery"
NFD_WORKER_TOLERATIONS = [
    {"key": "node-role.kubernetes.io/control-plane", "operator": "Equal", "value": "", "effect": "NoSchedule"},
    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
]
INSTANCE_TYPE = "node.kubernetes.io/instance-type"


@functools.cache
def _nvidia_sizes() -> dict[str, Any]:
    from tests.emulators.kube.generate import gpu_sizes

    return {s.name: s for s in gpu_sizes() if s.gpu_model.startswith("NVIDIA")}


def nvidia_size(node: dict[str, Any]) -> Any:
    """The node's VM size where it has NVIDIA GPUs (the PCI devices NFD and GFD find), else None."""
    return _nvidia_sizes().get(str((node["metadata"].get("labels") or {}).get(INSTANCE_TYPE) or ""))


def nfd_worker_runs(node: dict[str, Any]) -> bool:
    return bool(should_run_daemon_pod(daemon_pod_spec({"tolerations": NFD_WORKER_TOLERATIONS}), node))


def label_nfd(cluster: Any, nodes: list[dict[str, Any]]) -> None:
    """NFD's worker: the NVIDIA PCI label on each node with NVIDIA GPUs the worker runs on."""
    for node in nodes:
        labels = node["metadata"].get("labels") or {}
        if labels.get(NFD_NVIDIA_LABEL) != "true" and nvidia_size(node) is not None and nfd_worker_runs(node):
            cluster.patch(
                "v1", "Node", None, node["metadata"]["name"], {"metadata": {"labels": {NFD_NVIDIA_LABEL: "true"}}}
            )


def gfd_labels(node: dict[str, Any]) -> dict[str, str]:
    """The labels GFD's pod writes on ``node`` ({} where it keeps the node's own, or finds no GPU)."""
    from tests.emulators.kube.generate import architecture

    size = nvidia_size(node)
    if size is None or "nvidia.com/gpu.product" in (node["metadata"].get("labels") or {}):
        return {}
    return {
        "nvidia.com/gpu.product": "-".join(size.gpu_model.split()),
        "nvidia.com/gpu.count": str(size.gpus),
        "nvidia.com/gpu.replicas": "1",
        "nvidia.com/gpu.sharing-strategy": "none",
        "nvidia.com/gpu.memory": str(size.gpu_memory_gib * 1024),
        "nvidia.com/gpu.family": architecture(size.gpu_model),
    }


def label_gfd(cluster: Any, pods: list[dict[str, Any]]) -> None:
    """Each GFD pod's node labelled by it."""
    for pod in pods:
        name = (pod.get("spec") or {}).get("nodeName")
        node = cluster.get("v1", "Node", None, name) if name else None
        labels = gfd_labels(node) if node is not None else {}
        if labels:
            cluster.patch("v1", "Node", None, name, {"metadata": {"labels": labels}})
