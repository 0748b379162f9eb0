"""An AKS managed GPU node (an agent pool with ``gpuProfile.nvidia.managementMode: Managed``, ``az aks
nodepool add --enable-managed-gpu``) for the Kubernetes emulator, and its dcgm-exporter.

What AKS puts on the node (upstream: Azure/AgentBaker 06836ee2 parts/linux/cloud-init/artifacts/
cse_config.sh configureManagedGPUExperience and startNvidiaManagedExpServices):

- the kubelet label ``kubernetes.azure.com/dcgm-exporter=enabled``;
- the NVIDIA device plugin, DCGM and dcgm-exporter as the node's systemd services
  ``nvidia-device-plugin`` (``--pass-device-specs``), ``nvidia-dcgm`` and ``nvidia-dcgm-exporter``
  (``ExecStart=/usr/bin/dcgm-exporter -f /etc/dcgm-exporter/default-counters.csv --address ":19400"``):
  no pod, no DaemonSet, so nothing here creates one. The device plugin's GPUs are the node's
  ``nvidia.com/gpu`` capacity and allocatable, as the kubelet reports a plugin's devices.
- ``kubernetes.azure.com/accelerator=nvidia`` as on every AKS NVIDIA node (MicrosoftDocs/azure-aks-docs
  articles/aks/gpu-cluster.md). No GPU feature discovery runs, so no ``nvidia.com/*`` label.
- No taint of AKS's own: the ``sku=gpu:NoSchedule`` taint is the one the user gives with
  ``--node-taints`` in MicrosoftDocs/azure-aks-docs fb060abe articles/aks/aks-managed-gpu-nodes.md's
  example, kept here as that example adds it.

The exporter runs without ``-k``/``--kubernetes``, so its series carry no ``pod``, ``namespace`` or
``container`` (NVIDIA/dcgm-exporter internal/pkg/transformation/const.go: only the Kubernetes
transformation adds them). A Prometheus reaches it only through a scrape of the node's port 19400,
a Prometheus Operator ScrapeConfig with ``kubernetesSDConfigs: [{role: Node}]``
(prometheus-operator/prometheus-operator 6adcebc5 Documentation/developer/scrapeconfig.md); its job
is ``scrapeConfig/NAMESPACE/NAME`` (pkg/prometheus/promcfg.go). ``scrape_node`` appends one such
scrape to the emulated Prometheus's TSDB; the emulated server discovers no ScrapeConfig itself.
"""

from __future__ import annotations

import time
from typing import Any

from tests.emulators.kube.controllers.nvidia_dcgm import DcgmExporter
from tests.emulators.kube.controllers.prometheus_text import parse_exposition
from tests.emulators.kube.controllers.prometheus_tsdb import key_of

MANAGED_LABEL = "kubernetes.azure.com/dcgm-exporter"
PORT = 19400


def managed_gpu_node(emu: Any, name: str, pool: str, vm_size: str, gpus: int, address: str) -> None:
    """Create a Ready managed GPU node of ``pool`` (see the module's docstring for each field)."""
    labels = {
        "agentpool": pool,
        "kubernetes.azure.com/agentpool": pool,
        "kubernetes.azure.com/accelerator": "nvidia",
        MANAGED_LABEL: "enabled",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": vm_size,
    }
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name, "labels": labels},
            "spec": {"taints": [{"key": "sku", "value": "gpu", "effect": "NoSchedule"}]},
        }
    )
    resources = {"cpu": "24", "memory": "200Gi", "pods": "110", "nvidia.com/gpu": str(gpus)}
    status = {
        "capacity": resources,
        "allocatable": resources,
        "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
        "addresses": [{"type": "InternalIP", "address": address}, {"type": "Hostname", "address": name}],
    }
    emu.cluster.patch_status("v1", "Node", None, name, status)


class ManagedDcgmExporter(DcgmExporter):
    """The node's nvidia-dcgm-exporter service: DcgmExporter's series without the pod labels."""

    kubernetes = False


def scrape_node(
    server: Any,
    exporter: ManagedDcgmExporter,
    address: str,
    at: float | None = None,
    scrape_config: str = "monitoring/aks-managed-dcgm",
) -> None:
    """One scrape of the node's :19400 by a ScrapeConfig ``scrape_config`` (NAMESPACE/NAME), into
    ``server``'s TSDB at ``at``: the exposed series with the target's ``job`` and ``instance``."""
    at = time.time() if at is None else at
    target = {"job": f"scrapeConfig/{scrape_config}", "instance": f"{address}:{PORT}"}
    for labels, value in parse_exposition(exporter.text()):
        kept = {(f"exported_{k}" if k in target else k): v for k, v in labels.items()}
        server.tsdb.append(key_of({**kept, **target}), at, value)
