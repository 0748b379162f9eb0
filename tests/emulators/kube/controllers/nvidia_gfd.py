"""Node Feature Discovery and GPU Feature Discovery as the GPU Operator brings them, for the
ClusterPolicy simulator (nvidia.py).

* NFD: the GPU Operator's Helm chart deploys NFD as a subchart (upstream: NVIDIA/gpu-operator a22dbf6
  deployments/gpu-operator/values.yaml ``nfd.enabled: true``). Its worker labels a node with a PCI
  device of a listed class by the device's vendor (``sources.pci.deviceClassWhitelist`` 02, 0200,
  0207, 0300, 0302; ``deviceLabelFields: [vendor]``), so a node with an NVIDIA GPU (vendor 10de)
  gets ``feature.node.kubernetes.io/pci-10de.present=true``. The worker runs only where the chart's
  ``node-feature-discovery.worker.tolerations`` tolerate the node's taints: the control plane's and
  ``nvidia.com/gpu``, not AKS's ``sku=gpu`` (:data:`NFD_WORKER_TOLERATIONS`). Where the worker's
  DaemonSet exists (:func:`nfd_worker_daemonset`, as the NFD chart renders it), its live
  tolerations are the ones read, and :class:`NfdWorkerController` labels again when it changes
  (a patched toleration lets the worker onto more nodes).
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
from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller
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


# upstream: kubernetes-sigs/node-feature-discovery deployment/helm/node-feature-discovery/templates/
# worker.yaml (labels: _helpers.tpl node-feature-discovery.labels, then role: worker)
NFD_WORKER_SELECTOR = {"app.kubernetes.io/name": "node-feature-discovery", "role": "worker"}


def nfd_worker_objects(namespace: str, release: str = "gpu-operator") -> list[dict[str, Any]]:
    """The gpu-operator chart's NFD subchart's ServiceAccount and worker DaemonSet as ``helm
    install`` renders them: the account ``node-feature-discovery`` (the chart's values: the master
    creates it, the worker uses it), the DaemonSet ``<fullname>-worker`` (fullname: release-chart
    name) with the chart's ``node-feature-discovery.worker.tolerations``."""
    selector = {"app.kubernetes.io/name": "node-feature-discovery", "app.kubernetes.io/instance": release}
    labels = {**selector, "app.kubernetes.io/managed-by": "Helm", "role": "worker"}
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "node-feature-discovery", "namespace": namespace, "labels": {**selector}},
    }
    return [
        account,
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": f"{release}-node-feature-discovery-worker", "namespace": namespace, "labels": labels},
            "spec": {
                "selector": {"matchLabels": {**selector, "role": "worker"}},
                "template": {
                    "metadata": {"labels": {**selector, "role": "worker"}},
                    "spec": {
                        "dnsPolicy": "ClusterFirstWithHostNet",
                        "serviceAccountName": "node-feature-discovery",
                        "containers": [
                            {"name": "worker", "image": "registry.k8s.io/nfd/node-feature-discovery:v0.18.2"}
                        ],
                        "tolerations": [dict(t) for t in NFD_WORKER_TOLERATIONS],
                    },
                },
            },
        },
    ]


def _worker_tolerations(cluster: Any) -> list[dict[str, Any]]:
    """The live worker DaemonSet's tolerations, else the chart's (no DaemonSet object made)."""
    for ds in cluster.list("apps/v1", "DaemonSet"):
        labels = ds["metadata"].get("labels") or {}
        if all(labels.get(k) == v for k, v in NFD_WORKER_SELECTOR.items()):
            return list(((ds.get("spec") or {}).get("template") or {}).get("spec", {}).get("tolerations") or [])
    return NFD_WORKER_TOLERATIONS


def nfd_worker_runs(node: dict[str, Any], tolerations: list[dict[str, Any]] = NFD_WORKER_TOLERATIONS) -> bool:
    return bool(should_run_daemon_pod(daemon_pod_spec({"tolerations": tolerations}), node))


def label_nfd(cluster: Any, nodes: list[dict[str, Any]]) -> None:
    """NFD's worker: the NVIDIA PCI label on each node with NVIDIA GPUs the worker runs on."""
    tolerations = _worker_tolerations(cluster)
    for node in nodes:
        labels = node["metadata"].get("labels") or {}
        runs = nfd_worker_runs(node, tolerations)
        if labels.get(NFD_NVIDIA_LABEL) != "true" and nvidia_size(node) is not None and runs:
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


class NfdWorkerController(Controller):
    """The NFD worker DaemonSet's pods, as far as labels go: when the DaemonSet changes (a
    toleration added), the nodes it now runs on get NFD's label."""

    watches: ClassVar[list[tuple[str, str]]] = [("apps/v1", "DaemonSet")]

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        labels = obj["metadata"].get("labels") or {}
        if all(labels.get(k) == v for k, v in NFD_WORKER_SELECTOR.items()):
            label_nfd(cluster, cluster.list("v1", "Node"))
