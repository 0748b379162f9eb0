"""What the node auto-provisioning simulator (karpenter.py) shares with its helpers: the kinds and
labels it reads and writes, a requirement checked against an instance type's labels, the pool's
template and capacity type, prices. Moved out of karpenter.py as it neared 600 lines."""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.status import ApiError

NODEPOOL = ("karpenter.sh/v1", "NodePool")
NODECLAIM = ("karpenter.sh/v1", "NodeClaim")
NODECLASS = ("karpenter.azure.com/v1beta1", "AKSNodeClass")
NODEPOOL_LABEL = "karpenter.sh/nodepool"
CAPACITY_TYPE = "karpenter.sh/capacity-type"
NODECLASS_LABEL = "karpenter.azure.com/aksnodeclass"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
REGION_LABEL = "topology.kubernetes.io/region"
ZONE_LABEL = "topology.kubernetes.io/zone"
# upstream: Azure/karpenter-provider-azure 352646f pkg/apis/v1beta1/labels.go LabelPlacementScope.
PLACEMENT_SCOPE = "karpenter.azure.com/placement-scope"
DEFAULT_ZONES = ("1", "2", "3")
# upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instance/offerings/commonerrorhandlers.go
# LowQuotaTTL and SubscriptionQuotaReachedTTL, in seconds.
LOW_QUOTA_TTL = 10 * 60.0
SUBSCRIPTION_QUOTA_REACHED_TTL = 60 * 60.0


def _requirement_admits(requirement: dict[str, Any], labels: dict[str, str]) -> bool:
    """One NodeSelectorRequirement against an instance type's labels (upstream: kubernetes-sigs/
    karpenter 2266468 pkg/scheduling/requirement.go: In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte)."""
    key, op = str(requirement.get("key")), requirement.get("operator")
    values = [str(v) for v in requirement.get("values") or []]
    value = labels.get(key)
    if op == "In":
        return value in values
    if op == "NotIn":
        return value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt", "Gte", "Lte"):
        # requirement.go: Gt N is Gte N+1, Lt N is Lte N-1; withinBounds admits only integers.
        if value is None or not values or not value.lstrip("-").isdigit():
            return False
        have, bound = int(value), int(values[0])
        return {"Gt": have > bound, "Lt": have < bound, "Gte": have >= bound, "Lte": have <= bound}[op]
    return False


def instance_labels(vm_size: str) -> dict[str, str]:
    """The labels the Azure provider gives an instance type (Azure/karpenter-provider-azure
    pkg/providers/instancetype/instancetype.go computeRequirements, ported in karpenter_sizes)."""
    from tests.emulators.kube.controllers.karpenter_sizes import instance_type_labels

    return instance_type_labels(vm_size)


def _template(pool: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    template = (pool.get("spec") or {}).get("template") or {}
    return template.get("metadata") or {}, template.get("spec") or {}


def _price(vm_size: str) -> float:
    from akscli.model import skus  # data: Azure's SKU facts (tests/foundation/test_emulator_imports)

    found = skus.price(vm_size)
    return found if found is not None else float("inf")


def _capacity_type(pool: dict[str, Any]) -> str:
    """The capacity type the pool's nodes are made with: "NAP prioritizes Spot instances when both
    Spot and On-demand are specified" (upstream: MicrosoftDocs/azure-aks-docs fb060abe
    articles/aks/node-auto-provisioning-node-pools.md)."""
    requirements = _template(pool)[1].get("requirements") or []
    types = [str(v) for r in requirements if r.get("key") == CAPACITY_TYPE for v in r.get("values") or []]
    types = types or ["on-demand"]
    return "spot" if "spot" in types else types[0]


def _unless_deleted(work: Any) -> None:
    """Run ``work``, dropping it where an object it writes was deleted meanwhile (a 404), as a
    controller's reconcile of a deleted object ends (the NodePool and its AKSNodeClass deleted
    while a pass or a launch retry runs)."""
    try:
        work()
    except ApiError as exc:
        if exc.code != 404:
            raise


# Azure's Karpenter provider's instance type overhead (upstream: Azure/karpenter-provider-azure 352646f
# pkg/providers/instancetype/instancetype.go reservedMemoryTaxGi, reservedCPUTaxVCPU: (upper bound, rate);
# DefaultMemoryAvailable; pkg/operator/options/options.go VM_MEMORY_OVERHEAD_PERCENT's default).
_MEMORY_TAX = ((4.0, 0.25), (8.0, 0.20), (16.0, 0.10), (128.0, 0.06), (float("inf"), 0.02))
_CPU_TAX = ((1.0, 0.06), (2.0, 0.04), (4.0, 0.02), (float("inf"), 0.01))
_MEMORY_OVERHEAD = 0.075
_EVICTION_MI = 750


def _tax(brackets: tuple[tuple[float, float], ...], amount: float) -> float:
    """instancetype.go TaxBrackets.Calculate."""
    tax, lower = 0.0, 0.0
    for upper, rate in brackets:
        if lower > amount:
            continue
        tax += (min(upper, amount) - lower) * rate
        lower = upper
    return tax


# upstream: Azure/karpenter-provider-azure 352646f pkg/consts/consts.go: the network plugins and
# modes the provider accepts (pkg/operator/options/options_validation.go validateNetworkingOptions:
# azure or none; overlay or ""), its defaults (options.go: azure, overlay) and the max pods of each.
NETWORK_PLUGIN, NETWORK_PLUGIN_MODE = "azure", "overlay"
# The AKSNodeClass's spec.osDiskSizeGB when the API server has not defaulted it (the CRD's default:
# ../shared/crds/karpenter/karpenter.azure.com_aksnodeclasses.yaml).
DEFAULT_OS_DISK_GB = 128


def max_pods(node_class: dict[str, Any] | None, plugin: str = NETWORK_PLUGIN, mode: str = NETWORK_PLUGIN_MODE) -> int:
    """upstream: Azure/karpenter-provider-azure 352646f pkg/utils/utils.go GetMaxPods: the class's
    spec.maxPods, else 250 for network plugin none (DefaultNetPluginNoneMaxPods), 250 for azure
    overlay (DefaultOverlayMaxPods), 30 for azure with no mode (DefaultNodeSubnetMaxPods), 110
    otherwise (DefaultKubernetesMaxPods)."""
    given = ((node_class or {}).get("spec") or {}).get("maxPods")
    if isinstance(given, int):
        return given
    if plugin == "none":
        return 250
    if plugin == "azure":
        return 250 if mode == "overlay" else 30 if mode == "" else 110
    return 110


def node_resources(
    size: str, node_class: dict[str, Any] | None = None, plugin: str = NETWORK_PLUGIN, mode: str = NETWORK_PLUGIN_MODE
) -> tuple[dict[str, str], dict[str, str]]:
    """(capacity, allocatable) of a node Karpenter makes of the size with the pool's AKSNodeClass
    (upstream: Azure/karpenter-provider-azure 352646f instancetype.go newInstanceType and
    computeCapacity: cpu the vCPUs, memory the whole GiB less 7.5% rounded up
    (CalculateMemoryWithoutOverhead), nvidia.com/gpu 0 for a size supported-gpus.yaml lacks
    (gpuNvidiaCount), ephemeral-storage the class's osDiskSizeGB in G (ephemeralStorage:
    NewScaledQuantity(OSDiskSizeGB, Giga)), pods GetMaxPods (max_pods; instancetypes.go List builds
    instanceTypeParameters from the class); KubeReservedResources on the vCPUs and the SKU's GiB, no
    system reserved, eviction memory.available 750Mi only (EvictionThreshold); kubernetes-sigs/
    karpenter 2266468 pkg/cloudprovider/types.go computeAllocatable: capacity less the overhead. This
    is the NodeClaim's; the Node's kubelet on a managed NAP node reserves AKS's instead,
    kubelet_status)."""
    import math

    from akscli.model import skus  # Azure's GPU SKU catalogue: data (karpenter_sizes' docstring)
    from tests.emulators.autoscaler import size_capacity
    from tests.emulators.kube.controllers.karpenter_sizes import manufacturer

    base = size_capacity(size)
    sku = skus.get(size)
    vcpus = int(base["cpu"])
    gib = sku.memory_gib if sku is not None else float(base["memory"].removesuffix("Gi"))
    memory = int(gib) * 2**30
    memory -= math.ceil(memory * _MEMORY_OVERHEAD)
    gpus = base["nvidia.com/gpu"] if manufacturer(size) == "nvidia" else "0"
    disk = ((node_class or {}).get("spec") or {}).get("osDiskSizeGB")
    capacity = {
        "cpu": str(vcpus),
        "memory": str(memory),
        "nvidia.com/gpu": gpus,
        "ephemeral-storage": f"{disk if isinstance(disk, int) else DEFAULT_OS_DISK_GB}G",
        "pods": str(max_pods(node_class, plugin, mode)),
    }
    reserved_mi = int(1024 * _tax(_MEMORY_TAX, gib)) + _EVICTION_MI
    allocatable = {
        **capacity,
        "cpu": f"{vcpus * 1000 - int(1000 * _tax(_CPU_TAX, float(vcpus)))}m",
        "memory": str(memory - reserved_mi * 2**20),
    }
    return capacity, allocatable


# The file system a 128 GB OS disk gives the kubelet, as AKS publishes it (MicrosoftDocs/azure-aks-docs
# fb060abe articles/aks/best-practices-app-cluster-reliability.md, kubectl describe node: capacity
# ephemeral-storage 129886128Ki, allocatable 119703055367); another disk size keeps its ratio to the
# disk's 128 GiB (no published figure gives the partitions' share otherwise).
_FS_KIB_OF_128_GB = 129886128
# Which kubelet flags a node NAP makes gets: managed NAP provisions in the bootstrappingclient mode
# (the Node Provisioning Service) or an AKS machine API mode, never aksscriptless (upstream:
# Azure/karpenter-provider-azure 352646f test/suites/integration/linuxosconfig_test.go, "NAP E2E ...
# runs via CCP (InClusterController=false), which uses bootstrappingclient";
# test/pkg/environment/azure/expectations.go, NAP's VM extensions are bootstrappingclient's;
# test/pkg/environment/azure/environment.go, NAP's machines pool "aksmanagedap"). Neither sends
# eviction thresholds or kube-reserved (customscriptsbootstrap/provisionclientbootstrap.go
# CustomKubeletConfig, instance/aksmachineinstancehelpers.go configureKubeletConfig), so AKS's own
# apply: --eviction-hard "memory.available<750Mi,nodefs.available<10%,nodefs.inodesFree<5%"
# (Azure/AgentBaker 06836ee2 pkg/agent/utils.go) with, on AKS 1.29 and later, memory.available<100Mi
# and kube-reserved memory the lesser of 20 MB a max pod plus 50 MB and 25% of the memory
# (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/node-resource-reservations.md; MB read as MiB,
# cpu the same brackets as Karpenter's). Only self-hosted aksscriptless hands the kubelet
# Karpenter's own (imagefamily/resolver.go prepareKubeletConfiguration, bootstrap/aksbootstrap.go:
# --eviction-hard=memory.available<750Mi alone, no nodefs threshold). A percentage is a float32 in
# the kubelet (kubernetes/kubernetes pkg/kubelet/eviction/api/types.go ThresholdValue.Percentage,
# GetThresholdQuantity: int64(float64(capacity) * float64(percentage))).
_NODEFS_EVICTION = struct.unpack("f", struct.pack("f", 0.1))[0]
_AKS_EVICTION_MI = 100


def kubelet_status(status: dict[str, Any], size: str, mode: str = "bootstrappingclient") -> dict[str, dict[str, str]]:
    """The Node's capacity and allocatable as its kubelet reports them, from Karpenter's estimate in
    ``status`` (node_resources): ephemeral-storage capacity the root file system's size (cadvisor's
    RootFsInfo, kubernetes/kubernetes pkg/kubelet/nodestatus/setters.go MachineInfo), allocatable
    that less the nodefs.available hard eviction threshold (MachineInfo with
    pkg/kubelet/cm/node_container_manager_linux.go GetNodeAllocatableReservation). In provision mode
    ``aksscriptless`` the kubelet gets Karpenter's reservations and memory.available<750Mi alone,
    which leaves nodefs.available unset (0: the kubelet merges no default threshold into a given
    --eviction-hard, MergeDefaultEvictionSettings false); in the managed modes, AKS's for the node's
    max pods. Karpenter keeps its own estimate on the NodeClaim and schedules on it."""
    from akscli.model import skus  # data: Azure's SKU facts (tests/foundation/test_emulator_imports)

    disk_gb = int(str(status["capacity"]["ephemeral-storage"]).removesuffix("G"))
    fs = disk_gb * _FS_KIB_OF_128_GB // 128 * 1024
    capacity = {**status["capacity"], "ephemeral-storage": f"{fs // 1024}Ki"}
    if mode == "aksscriptless":
        return {"capacity": capacity, "allocatable": {**status["allocatable"], "ephemeral-storage": str(fs)}}
    allocatable = {**status["allocatable"], "ephemeral-storage": str(fs - int(fs * _NODEFS_EVICTION))}
    sku = skus.get(size)
    if sku is not None:
        pods = int(status["capacity"]["pods"])
        reserved = min((20 * pods + 50) * 2**20, int(0.25 * sku.memory_gib * 2**30)) + _AKS_EVICTION_MI * 2**20
        allocatable["memory"] = str(int(status["capacity"]["memory"]) - reserved)
    return {"capacity": capacity, "allocatable": allocatable}


class DueQueue:
    """A controller's workqueue AddAfter, for one of the simulator's Karpenter controllers: each key run
    once, at the earliest time asked for (a later ask for an earlier time takes its place), on the
    controller manager's thread; ``run(cluster, key)`` does the reconcile. Upstream: kubernetes/kubernetes
    staging/src/k8s.io/client-go/util/workqueue/delaying_queue.go AddAfter, insert (an entry already
    waiting has its readyAt moved only earlier), which kubernetes-sigs/controller-runtime's
    RequeueAfter reaches."""

    def __init__(self, controller: Any, run: Callable[[Any, tuple[str, str]], None]) -> None:
        self.controller, self._run_key = controller, run
        self._due: dict[tuple[str, str], float] = {}  # key -> when its reconcile is due
        self._lock = threading.Lock()

    def add(self, key: tuple[str, str], after: float) -> None:
        manager = getattr(self.controller, "_manager", None)
        if manager is None:
            return
        when = time.monotonic() + after  # the controller manager's clock
        with self._lock:
            if key in self._due and self._due[key] <= when:
                return
            self._due[key] = when
        manager.call_later(self.controller, lambda c: self._fire(c, key, when), after)

    def _fire(self, cluster: Any, key: tuple[str, str], when: float) -> None:
        with self._lock:
            if self._due.get(key) != when:
                return  # an earlier reconcile of it took its place
            del self._due[key]
        self._run_key(cluster, key)
