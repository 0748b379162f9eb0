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
Which devices count is the mapped class's to say: its CEL selectors (akscli.gpu.dra_classes).

The scheduler counts every allocated claim of the cluster, whoever reserves it: its claim
tracker calls foreachAllocatedDevice on each claim with ``status.allocation``, for every result
but those with ``adminAccess`` (upstream: kubernetes/kubernetes
pkg/scheduler/framework/plugins/dynamicresources/allocateddevices.go, read through the code
index). A claim allocated on the node that no pod there names (allocated by hand or by another
scheduler, left allocated after its pod went until the resourceclaim controller clears it:
pkg/controller/resourceclaim/controller.go syncClaim) cannot be found through the pods, and a
ResourceClaim has no selectable field but ``metadata.name`` and ``metadata.namespace``
(kubernetes/kubernetes 2e090810 pkg/apis/resource/v1 conversion.go registers field labels for
ResourceSlice only) nor a label naming its node. So every claim is listed, once per run, where
the cluster has at most ``CLAIMS_READ_MAX`` (the first page's ``remainingItemCount`` says so
before more is read): 10 pages of 500. Past that (600 pages at 300,000 claims) the claims are
found through the pods only, as before, and the fit says so (``Classes.claims_skipped``): a claim
that no pod on the node found names may still hold its GPUs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import errors
from akscli.gpu import dra as gpu_dra
from akscli.gpu import dra_classes

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# Pods that finished hold nothing; the server filters them out, and bound_pods checks again in
# case a server ignores the field selector.
ACTIVE_PODS = "status.phase!=Succeeded,status.phase!=Failed"
NVIDIA_GPU = "nvidia.com/gpu"
CLAIMS_READ_MAX = 5000  # claims listed cluster-wide for those no pod names (10 pages of 500)
_CLAIM_PAGE = 500


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


def gpu_classes(kube: Kube) -> dra_classes.Classes | None:
    """The cluster's DeviceClasses where one maps ``nvidia.com/gpu`` to DRA devices (so a node
    that advertises none may still take a pod asking for it); None otherwise, or where DRA is
    not served or may not be read. One page."""
    classes = dra_classes.read(kube)
    if classes is None or classes.for_resource(NVIDIA_GPU) is None:
        return None
    read: list[tuple[_Claims | None, bool]] = []  # allocated_claims' answer, once asked

    def claims() -> _Claims | None:
        if not read:
            read.append(allocated_claims(kube))
        return read[0][0]

    return dataclasses.replace(classes, claims=claims, claims_skipped=lambda: bool(read) and read[0][1])


def allocated_claims(kube: Kube) -> tuple[_Claims | None, bool]:
    """Every allocated claim of the cluster: its owners' uids (the pod a claim was made for) and
    the devices it holds; None where there are more than CLAIMS_READ_MAX (then True beside it)
    or they may not be listed."""
    out: list[tuple[frozenset[str], tuple[_Key, ...]]] = []
    read = 0
    try:
        for page in kube.list_pages(gpu_dra.API_VERSION, "ResourceClaim", all_namespaces=True, page_size=_CLAIM_PAGE):
            items = page.get("items") or []
            read += len(items)
            if read + int((page.get("metadata") or {}).get("remainingItemCount") or 0) > CLAIMS_READ_MAX:
                return None, True
            for claim in items:
                keys = _results(claim)
                if keys:
                    owners = (claim.get("metadata") or {}).get("ownerReferences") or []
                    out.append((frozenset(str(o.get("uid") or "") for o in owners), tuple(keys)))
    except (errors.AuthError, errors.NotInstalledError):
        return None, False
    return tuple(out), False


@dataclass(frozen=True, slots=True)
class DraGpus:
    """Devices of the class ``nvidia.com/gpu`` maps to that a node's slices publish (as many as
    can be allocated at once), and how many of them claims hold."""

    published: int
    held: int

    @property
    def free(self) -> int:
        return max(self.published - self.held, 0)


def dra_gpus(
    kube: Kube,
    node: str,
    pods: Iterable[Mapping[str, Any]],
    classes: dra_classes.Classes,
    advertised: Mapping[str, int] | None = None,
    claims_only: Iterable[Mapping[str, Any]] = (),
) -> DraGpus | None:
    """The devices on ``node`` of the class ``nvidia.com/gpu`` maps to, and those its pods'
    allocated claims hold; None where the node publishes none (or its slices may not be read).
    The class's selectors decide which devices count (akscli.gpu.dra_classes: SelectorError,
    NotEvaluated). A device is held when a claim has it; a whole GPU also when a claim has a
    partition of it, and a partition when a claim has its GPU (DynamicMIG: a partition consumes
    the GPU's counters, so the whole GPU can no longer be allocated: NVIDIA/k8s-dra-driver-gpu
    partitions.go PartConsumesCounters "when the smallest partition gets allocated, the full
    device cannot be allocated anymore"). ``advertised``: the node's allocatable, where read (a
    pod's other DRA-backed resources count only where the node advertises none of them).
    ``claims_only``: pods whose allocated claims count, not their requests (pods nominated for
    the node at a lower priority: the claim the scheduler allocated in PreBind holds its devices
    whatever the pod's priority)."""
    target = classes.for_resource(NVIDIA_GPU)
    if target is None or not kube.has_api(gpu_dra.API_VERSION, "ResourceSlice"):
        return None
    try:
        slices = list(
            kube.list(gpu_dra.API_VERSION, "ResourceSlice", field_selector=f"spec.nodeName={node}", page_size=100)
        )
    except (errors.AuthError, errors.NotInstalledError):
        return None
    devices, counters = _devices(slices)
    mine = [key for key, (driver, device) in devices.items() if classes.selects(target, device, driver)]
    if not mine:
        return None
    taken = _Taken(devices, counters)
    published = taken.room(mine)
    # A pod asking for a DRA-backed extended resource (nvidia.com/gpu, deviceclass.resource.
    # kubernetes.io/<class>, ...) got devices through the claim the scheduler made for it;
    # where its status does not name that claim (a server without the DRAExtendedResource gate
    # drops the field), its requests are placed on devices of their classes, in slice order.
    unnamed: list[tuple[Mapping[str, Any], int]] = []
    placed: set[str] = set()  # the pods whose DRA-backed requests are placed (their claim unnamed)
    seen: set[tuple[str, str]] = set()
    try:
        for pod, requests_hold in [*((p, True) for p in pods), *((p, False) for p in claims_only)]:
            status = pod.get("status") or {}
            if requests_hold and not (status.get("extendedResourceClaimStatus") or {}).get("resourceClaimName"):
                backed = _dra_backed(pod, classes, advertised or {})
                unnamed += backed
                if backed:
                    placed.add(str((pod.get("metadata") or {}).get("uid") or ""))
            namespace = str((pod.get("metadata") or {}).get("namespace") or "")
            for name in sorted(claim_names(pod)):
                if (namespace, name) in seen:
                    continue
                seen.add((namespace, name))
                claim = kube.get(gpu_dra.API_VERSION, "ResourceClaim", name, namespace)
                for result in _results(claim or {}):
                    taken.take(result)
    except errors.AuthError:
        pass
    # Claims no pod here names (their devices are taken once: a claim named above is listed too).
    # The claim the scheduler made for a pod's request placed below is left to that placement.
    for owners, keys in classes.claims() or ():
        if not owners & placed:
            for key in keys:
                taken.take(key)
    for device_class, count in unnamed:
        taken.fit(_selected(classes, device_class, devices), count)
    return DraGpus(published, published - taken.room(mine))


@dataclass(frozen=True, slots=True)
class Slice:
    """One ResourceSlice, reduced to how many of its devices the class ``nvidia.com/gpu`` maps
    to can be allocated at once (a GPU and its partitions are in the same slice: the driver
    publishes one slice per node, or one per GPU with DynamicMIG), for a survey of every node's
    slices that keeps a few integers per node."""

    driver: str
    pool: str
    generation: int
    gpus: int


def selected(item: Mapping[str, Any], classes: dra_classes.Classes) -> Slice:
    """One slice's devices the class ``nvidia.com/gpu`` maps to selects, as a count
    (SelectorError, NotEvaluated as for dra_gpus)."""
    spec = item.get("spec") or {}
    driver, pool = str(spec.get("driver") or ""), spec.get("pool") or {}
    target = classes.for_resource(NVIDIA_GPU)
    devices: dict[_Key, tuple[str, Mapping[str, Any]]] = {}
    for device in spec.get("devices") or []:
        if target is not None and classes.selects(target, device, driver):
            devices[(driver, str(pool.get("name") or ""), str(device.get("name") or ""))] = (driver, device)
    return Slice(
        driver, str(pool.get("name") or ""), int(pool.get("generation") or 0), _Taken(devices).room(list(devices))
    )


def published(slices: Iterable[Slice]) -> int:
    """The GPUs one node's slices publish, each pool at its newest generation."""
    pools: dict[tuple[str, str], tuple[int, int]] = {}
    for s in slices:
        generation, gpus = pools.get((s.driver, s.pool), (s.generation, 0))
        if s.generation > generation:
            pools[(s.driver, s.pool)] = (s.generation, s.gpus)
        elif s.generation == generation:
            pools[(s.driver, s.pool)] = (generation, gpus + s.gpus)
    return sum(gpus for _, gpus in pools.values())


def _dra_backed(
    pod: Mapping[str, Any], classes: dra_classes.Classes, advertised: Mapping[str, int]
) -> list[tuple[Mapping[str, Any], int]]:
    """The pod's requests the scheduler gives DRA devices for: those whose name a class maps and
    the node advertises none of (upstream: kubernetes/kubernetes 16913111
    pkg/scheduler/framework/plugins/dynamicresources/extendeddynamicresources.go
    filterExtendedResources, "node needs to provide the resource via DRA")."""
    from akscli.kube import resources

    out = []
    for resource, count in resources.pod_requests(pod).items():
        device_class = classes.for_resource(resource)
        if device_class is not None and count and not advertised.get(resource):
            out.append((device_class, count))
    return out


def _selected(
    classes: dra_classes.Classes, device_class: Mapping[str, Any], devices: Mapping[_Key, tuple[str, Mapping[str, Any]]]
) -> list[_Key]:
    """The devices another class selects (one the scheduler allocated for a running pod: a
    selector that fails here selects nothing)."""
    out = []
    for key, (driver, device) in devices.items():
        try:
            if classes.selects(device_class, device, driver):
                out.append(key)
        except (dra_classes.SelectorError, dra_classes.NotEvaluated):
            continue
    return out


# (driver, pool, device name)
_Key = tuple[str, str, str]
_Claims = tuple[tuple[frozenset[str], tuple[_Key, ...]], ...]


# (driver, pool, counter set name) -> counter name -> what is left of it
Counters = dict[tuple[str, str, str], dict[str, int]]


class _Taken:
    """Devices held on one node, and the GPUs they are part of (NVIDIA's ``uuid`` on a GPU,
    ``parentUUID`` on a MIG device: deviceinfo.go GpuInfo.Attributes, mig.go CommonAttributesMig),
    and what is left of the pools' shared counters: a device that consumes counters is free only
    where every counter it consumes has that much left (KEP-4815 partitionable devices; upstream:
    kubernetes/api v0.34.9 resource/v1 types.go CounterSet, DeviceCounterConsumption; the
    driver's DynamicMIG placements consume their GPU's memory slices: NVIDIA/k8s-dra-driver-gpu
    partitions.go PartSharedCounterSets, PartConsumesCounters). A counter set the pool does not
    publish is not checked."""

    def __init__(self, devices: Mapping[_Key, tuple[str, Mapping[str, Any]]], counters: Counters | None = None) -> None:
        self.devices = devices
        self.held: set[_Key] = set()
        self.whole: set[str] = set()  # GPUs a claim has whole
        self.parted: set[str] = set()  # GPUs a claim has a partition of
        self.left: Counters = {k: dict(v) for k, v in (counters or {}).items()}

    def _consumes(self, key: _Key) -> list[tuple[tuple[str, str, str], str, int]]:
        driver, pool, _ = key
        out = []
        for use in self.devices[key][1].get("consumesCounters") or []:
            counter_set = (driver, pool, str(use.get("counterSet") or ""))
            if counter_set in self.left:
                for name, counter in (use.get("counters") or {}).items():
                    out.append((counter_set, str(name), _counter(counter)))
        return out

    def _gpu(self, key: _Key) -> tuple[str, bool]:
        """The GPU a device is part of ("" where none is named), and whether it is the whole GPU."""
        _, device = self.devices[key]
        kind = gpu_dra.attribute(device, "type")
        if kind == "mig":
            return gpu_dra.attribute(device, "parentUUID"), False
        return (gpu_dra.attribute(device, "uuid") if kind in ("gpu", "vfio") else ""), True

    def free(self, key: _Key) -> bool:
        if key in self.held:
            return False
        if any(self.left[s].get(name, 0) < need for s, name, need in self._consumes(key)):
            return False
        gpu, whole = self._gpu(key)
        if not gpu:
            return True
        return gpu not in self.whole and not (whole and gpu in self.parted)

    def take(self, key: _Key) -> None:
        if key not in self.devices or key in self.held:  # a device held once is held (two claims' lists)
            return
        self.held.add(key)
        for counter_set, name, need in self._consumes(key):
            self.left[counter_set][name] = self.left[counter_set].get(name, 0) - need
        gpu, whole = self._gpu(key)
        if gpu:
            (self.whole if whole else self.parted).add(gpu)

    def fit(self, keys: list[_Key], count: int | None = None) -> int:
        """Take free devices among ``keys`` in order, ``count`` at most; how many were taken."""
        got = 0
        for key in keys:
            if count is not None and got >= count:
                break
            if self.free(key):
                self.take(key)
                got += 1
        return got

    def room(self, keys: list[_Key]) -> int:
        """How many of ``keys`` could still be allocated at once (nothing is taken)."""
        trial = _Taken(self.devices, self.left)
        trial.held, trial.whole, trial.parted = set(self.held), set(self.whole), set(self.parted)
        return trial.fit(keys)


def _results(claim: Mapping[str, Any]) -> list[_Key]:
    """The devices an allocated claim holds: every result but one with admin access, which other
    claims may share (allocateddevices.go foreachAllocatedDevice)."""
    allocation = (claim.get("status") or {}).get("allocation") or {}
    results = (allocation.get("devices") or {}).get("results") or []
    return [
        (str(r.get("driver", "")), str(r.get("pool", "")), str(r.get("device", "")))
        for r in results
        if not r.get("adminAccess")
    ]


def _counter(counter: Mapping[str, Any]) -> int:
    from akscli.kube import resources

    return resources.amount("counter/value", (counter or {}).get("value", 0))


def _devices(slices: Iterable[Mapping[str, Any]]) -> tuple[dict[_Key, tuple[str, Mapping[str, Any]]], Counters]:
    """Every device of the node's slices by (driver, pool, device name), with its driver, and the
    pools' shared counter sets (in a slice with the devices on 1.34, in a slice of their own on
    1.35: NVIDIA/k8s-dra-driver-gpu driver.go generateCombinedResourceSlices,
    generateSplitResourceSlices), at each pool's newest generation (kubernetes/api resource/v1
    types.go ResourcePool: slices of an older generation are being replaced), in slice order."""
    newest: dict[tuple[str, str], int] = {}
    for item in slices:
        spec = item.get("spec") or {}
        key = (str(spec.get("driver") or ""), str((spec.get("pool") or {}).get("name") or ""))
        newest[key] = max(newest.get(key, 0), int((spec.get("pool") or {}).get("generation") or 0))
    out: dict[_Key, tuple[str, Mapping[str, Any]]] = {}
    counters: Counters = {}
    for item in slices:
        spec = item.get("spec") or {}
        driver, pool_spec = str(spec.get("driver") or ""), spec.get("pool") or {}
        pool = str(pool_spec.get("name") or "")
        if int(pool_spec.get("generation") or 0) < newest[(driver, pool)]:
            continue
        for device in spec.get("devices") or []:
            out[(driver, pool, str(device.get("name") or ""))] = (driver, device)
        for counter_set in spec.get("sharedCounters") or []:
            values = {str(k): _counter(v) for k, v in (counter_set.get("counters") or {}).items()}
            counters[(driver, pool, str(counter_set.get("name") or ""))] = values
    return out, counters
