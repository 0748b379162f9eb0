"""GPUs handed out by Dynamic Resource Allocation (resource.k8s.io/v1, GA in Kubernetes 1.34).

A node whose GPUs are run by NVIDIA's DRA driver advertises no ``nvidia.com/gpu``: the driver's
kubelet plugin publishes the GPUs as devices in ResourceSlices, and pods get them through
ResourceClaims that the scheduler allocates. Read from the node alone, such a node looks like
one whose device plugin is down, and the pods that use its GPUs request none.

What the driver publishes (upstream: NVIDIA/k8s-dra-driver-gpu 2240711 cmd/gpu-kubelet-plugin):

- driver ``gpu.nvidia.com`` (main.go DriverName), one pool per node named for the node
  (driver.go: ``Pools: {nodeName: ...}``), ``spec.nodeName`` set (the kubelet plugin helper);
- a device per whole GPU with attribute ``type=gpu`` and ``uuid`` (deviceinfo.go
  GpuInfo.Attributes, types.go GpuDeviceType), a device per MIG device with ``type=mig`` and
  ``parentUUID`` (mig.go CommonAttributesMig), a passthrough GPU as ``type=vfio`` with ``uuid``;
- with the DynamicMIG feature gate, a GPU and every MIG placement it could take are all
  published, each consuming the GPU's shared counters (partitions.go PartConsumesCounters):
  those are alternatives, not units that add up, so such a GPU counts as one whole GPU. Its
  devices are all in one slice (driver.go generateCombinedResourceSlices, 1.34: one slice per GPU
  with its counter set; generateSplitResourceSlices, 1.35+: one device slice per GPU), and each
  names its GPU: ``uuid`` on the GPU, ``parentUUID`` on a partition (mig.go CommonAttributesMig).
  Allocated partitions of one GPU hold that one GPU (the scheduler's allocator refuses a second
  placement whose counters the first consumed), so they count as one GPU, not one each.

The DeviceClasses ``gpu.nvidia.com`` and ``mig.nvidia.com`` pick those types (deployments/helm/
dra-driver-nvidia-gpu/templates/deviceclass-gpu.yaml, deviceclass-mig.yaml).

A pool is counted at its newest generation only (kubernetes/api resource/v1 types.go
ResourcePool: slices of an older generation are being replaced). A claim's allocated devices
name their driver and pool (DeviceRequestAllocationResult), so a pool-to-node map, one entry per
GPU node, places each device on its node. Claims the scheduler makes for a pod's extended
resource (annotation ``resource.kubernetes.io/extended-resource-claim``, kubernetes/api
resource/v1 types.go ExtendedResourceClaimAnnotation) stand for the pod's own ``nvidia.com/gpu``
request, which is counted already, so they are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.kube.client import Kube

API_VERSION = "resource.k8s.io/v1"
# upstream: NVIDIA/k8s-dra-driver-gpu cmd/gpu-kubelet-plugin/main.go DriverName
GPU_DRIVERS = frozenset({"gpu.nvidia.com"})
# upstream: NVIDIA/k8s-dra-driver-gpu deployments/helm/dra-driver-nvidia-gpu/templates/deviceclass-*.yaml
GPU_CLASSES = frozenset({"gpu.nvidia.com", "mig.nvidia.com"})
# upstream: kubernetes/api resource/v1 types.go ExtendedResourceClaimAnnotation
EXTENDED_RESOURCE_CLAIM = "resource.kubernetes.io/extended-resource-claim"


@dataclass(slots=True)
class DraNode:
    """What the GPU driver's slices publish for one node."""

    physical: int = 0  # distinct GPUs (uuid of a GPU, parentUUID of a MIG device)
    gpus: int = 0  # whole GPUs a claim can take
    migs: int = 0  # MIG devices (static: each one a unit of its own)

    @property
    def units(self) -> int:
        return self.gpus + self.migs


def attribute(device: Mapping[str, Any], name: str) -> str:
    attrs = device.get("attributes") or {}
    value = attrs.get(name) or attrs.get(f"gpu.nvidia.com/{name}") or {}
    return str(value.get("string") or "")


# A GPU within its pool: the slice's index in the pool times this, plus the GPU's ordinal in
# the slice (a slice holds at most 128 devices: kubernetes/api resource/v1 types.go
# ResourceSliceMaxDevices).
_PER_SLICE = 128
# Device name -> the ordinal, in its slice, of the GPU a partitionable device belongs to; one
# shared copy per distinct layout (nodes of a VM size publish the same names), so the map costs
# a reference per slice, not an entry per device.
Parents = dict[str, int]


def _slice_counts(
    devices: Iterable[Mapping[str, Any]], layouts: dict[tuple[tuple[str, int], ...], Parents] | None = None
) -> tuple[DraNode, Parents | None]:
    """One slice's GPUs, and (``layouts`` given) which GPU each partitionable device is part of.
    Upstream puts a GPU and its MIG devices in the same slice (one slice per node, or one per GPU
    with DynamicMIG), so GPUs are told apart within a slice."""
    gpus: set[str] = set()
    parents: set[str] = set()
    ordinals: dict[str, int] = {}
    parent_of: list[tuple[str, int]] = []
    migs = 0
    partitionable = False
    for device in devices:
        kind = attribute(device, "type")
        consumes = bool(device.get("consumesCounters"))
        partitionable = partitionable or consumes
        # upstream: deviceinfo.go GpuInfo.Attributes "uuid"; mig.go CommonAttributesMig "parentUUID"
        if kind in ("gpu", "vfio"):
            gpu = attribute(device, "uuid") or str(device.get("name", ""))
            gpus.add(gpu)
        elif kind == "mig":
            migs += 1
            gpu = attribute(device, "parentUUID")
            parents.add(gpu)
        else:
            continue
        if consumes and layouts is not None:
            parent_of.append((str(device.get("name", "")), ordinals.setdefault(gpu, len(ordinals))))
    physical = len(gpus | parents)
    shared = None
    if parent_of and layouts is not None:
        layout = tuple(sorted(parent_of))
        shared = layouts.setdefault(layout, dict(layout))
    if partitionable:  # a GPU and its possible MIG placements: one whole GPU each
        return DraNode(physical, physical, 0), shared
    return DraNode(physical, len(gpus - parents), migs), shared


@dataclass(slots=True)
class _Pool:
    node: str
    generation: int
    counts: DraNode
    parents: list[Parents | None]


@dataclass(slots=True)
class Pools:
    """Where each (driver, pool) is: its node, and for pools with partitionable GPUs (DynamicMIG)
    the GPU each device is part of. One entry per GPU node."""

    node: dict[tuple[str, str], str]
    parents: dict[tuple[str, str], tuple[Parents | None, ...]]

    def gpu_of(self, driver: str, pool: str, device: str) -> int | None:
        """The GPU (a number unique within the pool) a partitionable device is part of; None for
        a device that is a unit of its own."""
        for index, parents in enumerate(self.parents.get((driver, pool), ())):
            if parents is not None and device in parents:
                return index * _PER_SLICE + parents[device]
        return None


def read_slices(slices: Iterable[Mapping[str, Any]]) -> tuple[dict[str, DraNode], Pools]:
    """GPUs per node name, and where each (driver, pool) is; one entry per GPU node."""
    pools: dict[tuple[str, str], _Pool] = {}
    layouts: dict[tuple[tuple[str, int], ...], Parents] = {}
    for item in slices:
        spec = item.get("spec") or {}
        driver = spec.get("driver") or ""
        node = spec.get("nodeName") or ""
        if driver not in GPU_DRIVERS or not node:
            continue
        pool_spec = spec.get("pool") or {}
        key = (driver, str(pool_spec.get("name") or node))
        generation = int(pool_spec.get("generation") or 0)
        pool = pools.get(key)
        if pool is None or generation > pool.generation:
            pool = pools[key] = _Pool(node, generation, DraNode(), [])
        elif generation < pool.generation:
            continue
        got, parents = _slice_counts(spec.get("devices") or [], layouts)
        pool.counts.physical += got.physical
        pool.counts.gpus += got.gpus
        pool.counts.migs += got.migs
        pool.parents.append(parents)
    by_node: dict[str, DraNode] = {}
    for pool in pools.values():
        total = by_node.setdefault(pool.node, DraNode())
        total.physical += pool.counts.physical
        total.gpus += pool.counts.gpus
        total.migs += pool.counts.migs
    parents_by_pool = {key: tuple(p.parents) for key, p in pools.items() if any(x is not None for x in p.parents)}
    return by_node, Pools({key: pool.node for key, pool in pools.items()}, parents_by_pool)


def allocated(claim: Mapping[str, Any], *, extended: bool = False) -> list[tuple[str, str, str]]:
    """(driver, pool, device) of each GPU device allocated to the claim; none for the claims that
    stand for a pod's extended resource (the pod's request counts them) unless ``extended``."""
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    if not extended and annotations.get(EXTENDED_RESOURCE_CLAIM) == "true":
        return []
    allocation = (claim.get("status") or {}).get("allocation") or {}
    results = (allocation.get("devices") or {}).get("results") or []
    return [
        (r.get("driver", ""), r.get("pool", ""), r.get("device", "")) for r in results if r.get("driver") in GPU_DRIVERS
    ]


def pending(claim: Mapping[str, Any]) -> int:
    """GPU devices a claim not yet allocated asks for, by its requests' GPU device classes
    (kubernetes/api resource/v1 types.go ExactDeviceRequest: count defaults to 1; allocation mode
    All has no count known before allocation and counts as 1)."""
    if ((claim.get("status") or {}).get("allocation")) is not None:
        return 0
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    if annotations.get(EXTENDED_RESOURCE_CLAIM) == "true":
        return 0
    total = 0
    for request in ((claim.get("spec") or {}).get("devices") or {}).get("requests") or []:
        exactly = request.get("exactly") or {}
        if exactly.get("deviceClassName") in GPU_CLASSES:
            exact = exactly.get("allocationMode", "ExactCount") == "ExactCount"
            total += int(exactly.get("count") or 1) if exact else 1
    return total


def nodes_if_served(kube: Kube, page_size: int = 500) -> dict[str, DraNode]:
    """The DRA GPU driver's devices per node, read in pages; empty where resource.k8s.io/v1 is
    not served (before 1.34) or the caller may not list ResourceSlices."""
    from akscli import errors

    try:
        return read_slices(kube.list(API_VERSION, "ResourceSlice", page_size=page_size))[0]
    except (errors.NotInstalledError, errors.AuthError):
        return {}


def published(kube: Kube, limit: int = 50) -> tuple[str, int] | None:
    """A node whose GPUs the DRA GPU driver publishes and how many units, from at most ``limit``
    of the driver's ResourceSlices (selected by ``spec.driver``); None where DRA is not served,
    may not be read, or publishes no GPU. A bounded look, for doctor."""
    from akscli import errors

    try:
        for driver in sorted(GPU_DRIVERS):
            selected = kube.list(API_VERSION, "ResourceSlice", field_selector=f"spec.driver={driver}", page_size=limit)
            for item in islice(selected, limit):
                spec = item.get("spec") or {}
                units = _slice_counts(spec.get("devices") or [])[0].units
                if units and spec.get("nodeName"):
                    return str(spec["nodeName"]), units
    except (errors.NotInstalledError, errors.AuthError):
        return None
    return None
