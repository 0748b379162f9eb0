"""What already holds one node's GPUs, as the scheduler counts it: the pods bound to the node and
not finished (their requests), and the GPUs that allocated ResourceClaims hold there.

The pods are read by the field selector ``spec.nodeName`` (the API server's pod storage indexes
it: upstream kubernetes/kubernetes pkg/registry/core/pod/strategy.go NodeNameIndexFunc), and
Succeeded and Failed pods are left out, as the scheduler's pod informer does
(pkg/scheduler/scheduler.go newPodInformer). Used by the deploy fit check
(akscli.model.cluster_fit) and by ``baremetal test nccl``'s choice of nodes
(akscli.baremetal.nccl_nodes): one read, one rule.

A node whose GPUs the NVIDIA DRA driver runs advertises no ``nvidia.com/gpu``; a pod that asks
for ``nvidia.com/gpu`` still gets GPUs there when a DeviceClass maps that name
(``spec.extendedResourceName``; the driver's chart sets it on the ``gpu.nvidia.com`` class:
NVIDIA/k8s-dra-driver-gpu 2240711 deployments/helm/dra-driver-nvidia-gpu/templates/
deviceclass-gpu.yaml). The scheduler's dynamicresources plugin then allocates devices of that
class on the node (upstream: kubernetes/kubernetes 1691311
pkg/scheduler/framework/plugins/dynamicresources/extendeddynamicresources.go
filterExtendedResources: "node needs to provide the resource via DRA" where the node's
allocatable is 0), and a device is free only when no allocated claim holds it. The claims held
on a node are found through its pods: ``spec.resourceClaims[].resourceClaimName``,
``status.resourceClaimStatuses[].resourceClaimName`` (claims made from a template) and
``status.extendedResourceClaimStatus.resourceClaimName`` (the claim the scheduler made for the
pod's ``nvidia.com/gpu``; kubernetes/api core/v1 types.go PodStatus), each read once by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import errors, gpu_dra

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# Pods that finished hold nothing; the server filters them out, and bound_pods checks again in
# case a server ignores the field selector.
ACTIVE_PODS = "status.phase!=Succeeded,status.phase!=Failed"
NVIDIA_GPU = "nvidia.com/gpu"


def bound_pods(kube: Kube, node: str, page_size: int = 250) -> list[dict[str, Any]]:
    """The pods bound to ``node`` and not finished, read in pages (AuthError where the user may
    not list pods in every namespace)."""
    pods = kube.list(
        "v1", "Pod", all_namespaces=True, field_selector=f"spec.nodeName={node},{ACTIVE_PODS}", page_size=page_size
    )
    return [pod for pod in pods if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]


def claim_names(pod: Mapping[str, Any]) -> set[str]:
    """The ResourceClaims a pod holds, by name (in the pod's namespace)."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    names = {str(c["resourceClaimName"]) for c in spec.get("resourceClaims") or [] if c.get("resourceClaimName")}
    names |= {
        str(c["resourceClaimName"]) for c in status.get("resourceClaimStatuses") or [] if c.get("resourceClaimName")
    }
    extended = (status.get("extendedResourceClaimStatus") or {}).get("resourceClaimName")
    if extended:
        names.add(str(extended))
    return names


def gpu_mapped(kube: Kube) -> bool:
    """Whether a DeviceClass maps ``nvidia.com/gpu`` to DRA devices (so a node that advertises
    none may still take a pod asking for it); False where DRA is not served or may not be read.
    DeviceClasses are few, cluster-scoped: one page."""
    if not kube.has_api(gpu_dra.API_VERSION, "DeviceClass"):
        return False
    try:
        pages = kube.list_pages(gpu_dra.API_VERSION, "DeviceClass", page_size=100)
        classes: list[dict[str, Any]] = next(pages, {"items": []})["items"]
    except (errors.AuthError, errors.NotInstalledError):
        return False
    return any((c.get("spec") or {}).get("extendedResourceName") == NVIDIA_GPU for c in classes)


@dataclass(frozen=True, slots=True)
class DraGpus:
    """Whole GPUs the DRA GPU driver publishes on a node, and how many of them claims hold."""

    published: int
    held: int

    @property
    def free(self) -> int:
        return max(self.published - self.held, 0)


def dra_gpus(kube: Kube, node: str, pods: Iterable[Mapping[str, Any]]) -> DraGpus | None:
    """The node's DRA GPUs and those its pods' allocated claims hold; None where the node
    publishes none (or DRA is not served, or may not be read). A GPU is held by a claim that
    has it, or a partition of it (DynamicMIG: the partition consumes the GPU's counters, so the
    whole GPU can no longer be allocated: NVIDIA/k8s-dra-driver-gpu partitions.go
    PartConsumesCounters "when the smallest partition gets allocated, the full device cannot
    be allocated anymore")."""
    if not kube.has_api(gpu_dra.API_VERSION, "ResourceSlice"):
        return None
    try:
        slices = list(
            kube.list(gpu_dra.API_VERSION, "ResourceSlice", field_selector=f"spec.nodeName={node}", page_size=100)
        )
    except (errors.AuthError, errors.NotInstalledError):
        return None
    whole, part_of = _devices(slices)
    if not whole:
        return None
    gpus = set(whole.values())
    held: set[str] = set()
    seen: set[tuple[str, str]] = set()
    # A pod asking for nvidia.com/gpu on a node that advertises none got DRA GPUs through the
    # claim the scheduler made for it; where its status does not name that claim (a server
    # without the DRAExtendedResource gate drops the field), its request is what it holds.
    unnamed = 0
    try:
        for pod in pods:
            if not ((pod.get("status") or {}).get("extendedResourceClaimStatus") or {}).get("resourceClaimName"):
                unnamed += gpus_of(pod)
            namespace = str((pod.get("metadata") or {}).get("namespace") or "")
            for name in sorted(claim_names(pod)):
                if (namespace, name) in seen:
                    continue
                seen.add((namespace, name))
                claim = kube.get(gpu_dra.API_VERSION, "ResourceClaim", name, namespace)
                for driver, pool, device in gpu_dra.allocated(claim or {}, extended=True):
                    gpu = whole.get((driver, pool, device)) or part_of.get((driver, pool, device))
                    if gpu in gpus:
                        held.add(gpu)
    except errors.AuthError:
        return DraGpus(len(gpus), unnamed)
    return DraGpus(len(gpus), min(len(held) + unnamed, len(gpus)))


def gpus_of(pod: Mapping[str, Any]) -> int:
    """The nvidia.com/gpu a pod requests, as the scheduler sums them (akscli.gpus.pod_units)."""
    from akscli import gpus

    return gpus.pod_units(pod).get(NVIDIA_GPU, 0)


def _devices(
    slices: Iterable[Mapping[str, Any]],
) -> tuple[dict[tuple[str, str, str], str], dict[tuple[str, str, str], str]]:
    """The whole GPUs (type=gpu) by (driver, pool, device name) -> uuid, and each MIG device's
    GPU (parentUUID), at each pool's newest generation (kubernetes/api resource/v1 types.go
    ResourcePool). upstream: NVIDIA/k8s-dra-driver-gpu deviceinfo.go GpuInfo.Attributes,
    mig.go CommonAttributesMig."""
    newest: dict[tuple[str, str], int] = {}
    for item in slices:
        spec = item.get("spec") or {}
        key = (str(spec.get("driver") or ""), str((spec.get("pool") or {}).get("name") or ""))
        newest[key] = max(newest.get(key, 0), int((spec.get("pool") or {}).get("generation") or 0))
    whole: dict[tuple[str, str, str], str] = {}
    part_of: dict[tuple[str, str, str], str] = {}
    for item in slices:
        spec = item.get("spec") or {}
        driver, pool_spec = str(spec.get("driver") or ""), spec.get("pool") or {}
        pool = str(pool_spec.get("name") or "")
        if driver not in gpu_dra.GPU_DRIVERS or int(pool_spec.get("generation") or 0) < newest[(driver, pool)]:
            continue
        for device in spec.get("devices") or []:
            name = str(device.get("name") or "")
            kind = gpu_dra.attribute(device, "type")
            if kind == "gpu":
                whole[(driver, pool, name)] = gpu_dra.attribute(device, "uuid") or name
            elif kind == "mig":
                part_of[(driver, pool, name)] = gpu_dra.attribute(device, "parentUUID")
    return whole, part_of
