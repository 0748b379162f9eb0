"""Node objects as AKS writes them, with a knob for each thing ``baremetal doctor`` checks."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.discovery import VERSION_INFO

ND_H100 = "Standard_ND96isr_H100_v5"
NC_A100 = "Standard_NC24ads_A100_v4"
CPU_SIZE = "Standard_D8ds_v5"

# What the kubelet of an AKS Ubuntu 22.04 node writes in status.nodeInfo. The kubelet's version is the
# API server's (the lab's /version, tests/emulators/kube/discovery.py, less its emulator suffix): a
# node of an AKS cluster runs its cluster's patch. kubeProxyVersion is the kubelet's own version, as
# the kubelet still writes it in 1.32: DisableNodeKubeProxyVersion is deprecated there, default off
# (kubernetes/website content/en/docs/reference/command-line-tools-reference/feature-gates/
# DisableNodeKubeProxyVersion.md; kubernetes/enhancements keps/sig-network/4004-deprecate-kube-proxy-
# version: gate off, kubeProxyVersion = kubeletVersion). OS image, kernel and runtime are one real
# AKS Ubuntu node's, as `kubectl get nodes -o wide` showed it (MicrosoftDocs/azure-aks-docs fb060abe
# articles/aks/upgrade-windows-os.md: Ubuntu 22.04.5 LTS, 5.15.0-1116-azure, containerd://1.7.33-1).
KUBELET_VERSION = str(VERSION_INFO["gitVersion"]).split("-", 1)[0]
NODE_INFO = {
    "architecture": "amd64",
    "containerRuntimeVersion": "containerd://1.7.33-1",
    "kernelVersion": "5.15.0-1116-azure",
    "kubeProxyVersion": KUBELET_VERSION,
    "kubeletVersion": KUBELET_VERSION,
    "operatingSystem": "linux",
    "osImage": "Ubuntu 22.04.5 LTS",
}


def node(
    name: str,
    *,
    pool: str = "gpu",
    size: str = ND_H100,
    gpus: int | None = 8,
    allocatable_gpus: int | None = None,
    ready: bool = True,
    pressure: str | None = None,
    gpu_labels: bool = True,
    driver: str | None = "550.90.07",
    taint: bool = True,
    rdma_capable: bool | None = True,
    rdma_available: bool | None = True,
    rdma_resource: str | None = "rdma/rdma_shared_device_a",
    aks_condition: str | None = None,
) -> dict[str, Any]:
    labels: dict[str, str] = {
        "kubernetes.azure.com/agentpool": pool,
        "agentpool": pool,
        "node.kubernetes.io/instance-type": size,
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    capacity: dict[str, str] = {"cpu": "96", "memory": "1900Gi", "pods": "110"}
    allocatable: dict[str, str] = {"cpu": "95", "memory": "1850Gi", "pods": "110"}
    if gpus is not None:
        capacity["nvidia.com/gpu"] = str(gpus)
        allocatable["nvidia.com/gpu"] = str(gpus if allocatable_gpus is None else allocatable_gpus)
        if gpu_labels and gpus:
            labels.update(
                {
                    # NFD's PCI label, from which the GPU Operator sets gpu.present
                    "feature.node.kubernetes.io/pci-10de.present": "true",
                    "nvidia.com/gpu.present": "true",
                    "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3",
                    "nvidia.com/gpu.count": str(gpus),
                    "nvidia.com/gpu.memory": "81559",
                }
            )
    if driver:
        major, minor, rev = [*driver.split("."), ""][:3]
        labels.update(
            {
                "nvidia.com/cuda.driver.major": major,
                "nvidia.com/cuda.driver.minor": minor,
                "nvidia.com/cuda.driver.rev": rev,
            }
        )
    if rdma_capable is not None:
        labels["feature.node.kubernetes.io/rdma.capable"] = "true" if rdma_capable else "false"
    if rdma_available:
        labels["feature.node.kubernetes.io/rdma.available"] = "true"
    if rdma_resource:
        capacity[rdma_resource] = "63"
        allocatable[rdma_resource] = "63"
    conditions = [
        {
            "type": "Ready",
            "status": "True" if ready else "False",
            "reason": "KubeletReady" if ready else "KubeletNotReady",
        },
        {"type": "MemoryPressure", "status": "True" if pressure == "MemoryPressure" else "False"},
        {"type": "DiskPressure", "status": "True" if pressure == "DiskPressure" else "False"},
        {"type": "PIDPressure", "status": "False"},
    ]
    if aks_condition:
        conditions.append(
            {
                "type": aks_condition,
                "status": "True",
                "reason": aks_condition,
                "message": f"{aks_condition} detected by node problem detector",
            }
        )
    spec: dict[str, Any] = {}
    if taint:
        spec["taints"] = [{"key": "sku", "value": "gpu", "effect": "NoSchedule"}]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": spec,
        "status": {
            "capacity": capacity,
            "allocatable": allocatable,
            "conditions": conditions,
            "nodeInfo": dict(NODE_INFO),
        },
    }


def cpu_node(name: str, pool: str = "system") -> dict[str, Any]:
    return node(
        name,
        pool=pool,
        size=CPU_SIZE,
        gpus=None,
        gpu_labels=False,
        driver=None,
        taint=False,
        rdma_capable=None,
        rdma_available=None,
        rdma_resource=None,
    )


def small_cpu_node(name: str = "aks-system-0", labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A 4-vCPU node with no GPU and no pool labels beyond ``labels``: room for little, so a pod
    asking for a GPU, many CPUs or a node label it lacks stays Pending in the scheduler's words."""
    allocatable = {"cpu": "3860m", "memory": "14000000Ki", "pods": "110"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "status": {"allocatable": allocatable, "capacity": dict(allocatable)},
    }


def nc_a100_node(
    name: str = "aks-gpua100-0", *, pool: str = "gpua100", taints: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """A node of a Standard_NC24ads_A100_v4 pool as AKS reports it: one A100 and the allocatable the
    scheduler places by; ``taints`` (none by default) are the pool's node taints."""
    labels = {
        "kubernetes.azure.com/agentpool": pool,
        "node.kubernetes.io/instance-type": NC_A100,
        "nvidia.com/gpu.product": "NVIDIA-A100-80GB-PCIe",
        "accelerator": "nvidia",
    }
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"taints": list(taints or [])},
        "status": {
            "capacity": {"cpu": "24", "memory": "226764404Ki", "pods": "110", "nvidia.com/gpu": "1"},
            "allocatable": {"cpu": "23660m", "memory": "214371444Ki", "pods": "110", "nvidia.com/gpu": "1"},
        },
    }


def healthy_cluster(gpu_nodes: int = 2) -> list[dict[str, Any]]:
    return [cpu_node("aks-system-0")] + [node(f"aks-gpu-{i}") for i in range(gpu_nodes)]


# ---- the variety real clusters have (akscli.gpu.devices reads each) ----------------------------------

AMD_V620 = "Standard_NG32ads_V620_v1"


def mig_mixed_node(
    name: str, *, pool: str = "mig", size: str = ND_H100, profile: str = "mig-1g.10gb"
) -> dict[str, Any]:
    """MIG, mixed strategy: per-profile resources and no nvidia.com/gpu (azure-aks-docs
    articles/aks/gpu-multi-instance.md, "Mixed strategy output")."""
    obj = node(name, pool=pool, size=size, gpus=None, driver="570.148.08")
    labels = obj["metadata"]["labels"]
    labels.update({"nvidia.com/gpu.present": "true", "nvidia.com/mig.strategy": "mixed", "nvidia.com/gpu.count": "8"})
    labels["feature.node.kubernetes.io/pci-10de.present"] = "true"
    labels.update({"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3", "nvidia.com/gpu.memory": "81559"})
    obj["status"]["capacity"][f"nvidia.com/{profile}"] = "56"
    obj["status"]["allocatable"][f"nvidia.com/{profile}"] = "56"
    return obj


def amd_node(name: str, *, pool: str = "amd") -> dict[str, Any]:
    """An AMD GPU node: amd.com/gpu (ROCm/k8s-device-plugin), no NVIDIA labels."""
    obj = node(
        name,
        pool=pool,
        size=AMD_V620,
        gpus=None,
        gpu_labels=False,
        driver=None,
        rdma_capable=None,
        rdma_available=None,
        rdma_resource=None,
    )
    obj["metadata"]["labels"]["kubernetes.azure.com/accelerator"] = "amd"
    obj["status"]["capacity"]["amd.com/gpu"] = obj["status"]["allocatable"]["amd.com/gpu"] = "1"
    return obj


def aks_plain_node(
    name: str, *, pool: str = "nca100", size: str = NC_A100, rdma_capable: bool | None = None
) -> dict[str, Any]:
    """A GPU node of a plain AKS pool: AKS's driver and device plugin, no GPU feature discovery
    labels (azure-aks-docs articles/aks/gpu-cluster.md), accelerated networking's Mellanox VF
    making NFD (if installed) say rdma.capable."""
    obj = node(
        name,
        pool=pool,
        size=size,
        gpus=1,
        gpu_labels=False,
        driver=None,
        rdma_capable=rdma_capable,
        rdma_available=None,
        rdma_resource=None,
    )
    obj["metadata"]["labels"]["kubernetes.azure.com/accelerator"] = "nvidia"
    return obj


# Azure Disk CSI's data disk slots per VM size, which its node plugin reports as
# max_volumes_per_node and the kubelet writes into the node's CSINode as
# spec.drivers[disk.csi.azure.com].allocatable.count.
# upstream: kubernetes-sigs/azuredisk-csi-driver 005d9c47 pkg/azuredisk/azure_dd_max_disk_count.go
# maxDataDiskCountMap (keys upper-cased).
AZURE_DISK = "disk.csi.azure.com"
MAX_DATA_DISKS = {ND_H100: 16, NC_A100: 8, CPU_SIZE: 16}


def csinode(name: str, size: str = ND_H100, count: int | None = None) -> dict[str, Any]:
    """The CSINode the kubelet registers for an AKS node of this size (Azure Disk CSI only)."""
    slots = MAX_DATA_DISKS[size] if count is None else count
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "CSINode",
        "metadata": {"name": name},
        "spec": {"drivers": [{"name": AZURE_DISK, "nodeID": name, "allocatable": {"count": slots}}]},
    }
