"""Whether a node Karpenter would make of a VM size has room for a pod: the pod's requests plus
those of the DaemonSets that would run on the node, within the size's allocatable as Azure's
Karpenter provider computes it. Plain logic: no Typer, no rich.

upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/scheduling/nodeclaim.go
filterInstanceTypesByRequirements and fits (the pod's requests merged with the daemon overhead of
the instance type's group, within InstanceType.Allocatable: resources.Fits), scheduler.go
buildDaemonOverheadGroups and isDaemonPodCompatible (a DaemonSet's pod counts where it tolerates
the NodePool's taints, PreferNoSchedule ones aside, and its nodeSelector and a required node
affinity term are compatible with the NodeClaim template's requirements and the instance type's),
provisioner.go getDaemonSetPods (every DaemonSet of the cluster, daemonset.PodForDaemonSet);
pkg/cloudprovider/types.go computeAllocatable (capacity less InstanceTypeOverhead.Total: kube
reserved, system reserved, eviction threshold).
upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetype.go
newInstanceType, computeCapacity, CalculateMemoryWithoutOverhead, KubeReservedResources,
SystemReservedResources, EvictionThreshold, and pkg/operator/options/options.go
(VM_MEMORY_OVERHEAD_PERCENT, default 0.075). Karpenter schedules on this count whatever the kubelet
reserves: self-hosted aksscriptless gives the kubelet the same (pkg/providers/imagefamily/resolver.go
prepareKubeletConfiguration); managed NAP's bootstrapping client and AKS machine API modes send none,
so AKS's reservations apply on the Node (akscli.node_room).

Pods and ephemeral-storage come from the NodePool's AKSNodeClass (upstream: Azure/karpenter-provider-azure
352646f instancetype.go computeCapacity, pods: pkg/utils/utils.go GetMaxPods, the class's maxPods;
ephemeralStorage: the class's osDiskSizeGB, NewScaledQuantity(n, Giga); no eviction threshold on
either, EvictionThreshold is memory only). Resources other than cpu, memory, nvidia.com/gpu, pods
and ephemeral-storage are taken as met.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from akscli.nap.sizes import admits_value, gpu_manufacturer, size_labels

GPU_RESOURCE = "nvidia.com/gpu"
# A DaemonSet's live pod as read from the cluster (None: none read): akscli.nap.nodepool reads one.
LivePod = Callable[[Mapping[str, Any]], Mapping[str, Any] | None]
_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
_MIB, _GIB = 1 << 20, 1 << 30
VM_MEMORY_OVERHEAD_PERCENT = 0.075  # options.go vm-memory-overhead-percent's default
EVICTION_MEMORY = 750 * _MIB  # instancetype.go DefaultMemoryAvailable "750Mi"
# A class with no maxPods: GetMaxPods by the provider's network plugin (default_max_pods). Where akscli
# has not read the cluster's, 250: NAP supports Azure CNI Overlay (MicrosoftDocs/azure-aks-docs fb060abe
# articles/aks/node-auto-provisioning-networking.md; node-auto-provisioning-aksnodeclass.md, Default
# behavior for maxPods), the provider's own default plugin and mode (pkg/operator/options/options.go:
# azure, overlay), DefaultOverlayMaxPods.
DEFAULT_MAX_PODS = 250
# The cluster's networkProfile (networkPlugin, networkPluginMode; "" where unset) as ARM gives it.
Network = tuple[str, str]
# The AKSNodeClass CRD's spec.osDiskSizeGB default (../shared/crds/karpenter/karpenter.azure.com_aksnodeclasses.yaml).
DEFAULT_OS_DISK_GB = 128
# instancetype.go reservedMemoryTaxGi (GiB) and reservedCPUTaxVCPU (cores): (upper bound, rate).
_MEMORY_TAX = ((4.0, 0.25), (8.0, 0.20), (16.0, 0.10), (128.0, 0.06), (math.inf, 0.02))
_CPU_TAX = ((1.0, 0.06), (2.0, 0.04), (4.0, 0.02), (math.inf, 0.01))
# The keys a pod may name that a NodePool leaves undefined (kubernetes-sigs/karpenter 2266468
# pkg/apis/v1/labels.go WellKnownLabels, Azure/karpenter-provider-azure 352646f
# pkg/apis/v1beta1/labels.go AzureWellKnownLabels): requirements.go Compatible allows them.
WELL_KNOWN = frozenset(
    {
        "karpenter.sh/nodepool", "topology.kubernetes.io/zone", "topology.kubernetes.io/region",
        "node.kubernetes.io/instance-type", "kubernetes.io/arch", "kubernetes.io/os", "karpenter.sh/capacity-type",
        "node.kubernetes.io/windows-build", "karpenter.azure.com/sku-name", "karpenter.azure.com/sku-family",
        "karpenter.azure.com/sku-series", "karpenter.azure.com/sku-version", "karpenter.azure.com/sku-cpu",
        "karpenter.azure.com/sku-memory", "kubernetes.azure.com/sku-cpu", "kubernetes.azure.com/sku-memory",
        "karpenter.azure.com/sku-networking-accelerated", "karpenter.azure.com/sku-storage-premium-capable",
        "karpenter.azure.com/sku-storage-ephemeralos-maxsize", "karpenter.azure.com/sku-storage-ultra-ssd",
        "karpenter.azure.com/sku-gpu-name", "karpenter.azure.com/sku-gpu-manufacturer",
        "karpenter.azure.com/sku-gpu-count", "karpenter.azure.com/placement-scope", "kubernetes.azure.com/cluster",
        "kubernetes.azure.com/mode", "kubernetes.azure.com/scalesetpriority", "kubernetes.azure.com/priority",
        "kubernetes.azure.com/os-sku", "kubernetes.azure.com/fips_enabled",
    }
)  # fmt: skip


def _tax(brackets: tuple[tuple[float, float], ...], amount: float) -> float:
    """instancetype.go TaxBrackets.Calculate."""
    tax, lower = 0.0, 0.0
    for upper_bound, rate in brackets:
        if lower > amount:
            continue
        tax += (min(upper_bound, amount) - lower) * rate
        lower = upper_bound
    return tax


def reserved_cpu(vcpus: int) -> int:
    """Kube-reserved cpu in millicores (KubeReservedResources' brackets; AKS's published table
    is the same: akscli.node_room)."""
    return int(1000 * _tax(_CPU_TAX, float(vcpus)))


def default_max_pods(network: Network | None) -> int:
    """The provider's maxPods for a class that sets none (upstream: Azure/karpenter-provider-azure
    352646f pkg/utils/utils.go GetMaxPods, pkg/consts/consts.go): network plugin none 250, azure with
    overlay 250, azure with no mode 30, any other 110; None (not read) DEFAULT_MAX_PODS. The
    provider takes its plugin and mode from the cluster's networkProfile (hack/deploy/
    configure-values.sh: networkProfile.networkPlugin and networkPluginMode into NETWORK_PLUGIN and
    NETWORK_PLUGIN_MODE, pkg/operator/options/options.go)."""
    if network is None:
        return DEFAULT_MAX_PODS
    plugin, mode = (part.lower() for part in network)
    if plugin == "none":
        return 250
    if plugin == "azure":
        return 250 if mode == "overlay" else 30 if mode in ("", "none") else 110
    return 110


def class_room(node_class: Mapping[str, Any] | None, network: Network | None = None) -> dict[str, int]:
    """pods and ephemeral-storage (bytes) of a node made with the AKSNodeClass (None: not readable,
    its defaults): spec.maxPods or the provider's default for the cluster's network
    (default_max_pods); spec.osDiskSizeGB or the CRD's default, in GB."""
    spec = (node_class or {}).get("spec") or {}
    pods, disk = spec.get("maxPods"), spec.get("osDiskSizeGB")
    return {
        "pods": pods if isinstance(pods, int) else default_max_pods(network),
        "ephemeral-storage": (disk if isinstance(disk, int) else DEFAULT_OS_DISK_GB) * 10**9,
    }


def allocatable(
    vm_size: str, node_class: Mapping[str, Any] | None = None, network: Network | None = None
) -> dict[str, int] | None:
    """cpu (millicores), memory (bytes), nvidia.com/gpu, pods and ephemeral-storage (bytes)
    Karpenter counts a node of the size as having for pods, or None for a size akscli's GPU data
    does not know. Capacity: the vCPUs; the memory in whole GiB less 7.5%
    (CalculateMemoryWithoutOverhead, rounded up); the GPUs where supported-gpus.yaml lists the size
    (gpuNvidiaCount); pods and ephemeral-storage from the AKSNodeClass (class_room). Less
    kube-reserved (the tax brackets on vCPUs and on the SKU's memory in GiB,
    KubeReservedResources), no system-reserved, and the 750Mi eviction threshold."""
    from akscli.model import skus

    sku = skus.get(vm_size)
    if sku is None:
        return None
    memory = int(sku.memory_gib) * _GIB
    memory -= math.ceil(memory * VM_MEMORY_OVERHEAD_PERCENT)
    reserved_memory = int(1024 * _tax(_MEMORY_TAX, sku.memory_gib)) * _MIB
    return {
        "cpu": sku.vcpus * 1000 - reserved_cpu(sku.vcpus),
        "memory": memory - reserved_memory - EVICTION_MEMORY,
        GPU_RESOURCE: sku.gpus if gpu_manufacturer(vm_size) == "nvidia" else 0,
        **class_room(node_class, network),
    }


def _known_values(pool: Mapping[str, Any], vm_size: str) -> dict[str, set[str] | None]:
    """The values the NodeClaim template and the instance type give each key (None: defined but
    not a finite set, NotIn/Exists/bounds): the size's labels, the template labels, the NodePool
    and node class labels, the pool's In requirements (nodeclaimtemplate.go NewNodeClaimTemplate)."""
    template = (pool.get("spec") or {}).get("template") or {}
    spec = template.get("spec") or {}
    known: dict[str, set[str] | None] = {}
    for expr in spec.get("requirements") or []:
        key, op = str(expr.get("key")), expr.get("operator")
        known[key] = {str(v) for v in expr.get("values") or []} if op == "In" else None
    for key, value in ((template.get("metadata") or {}).get("labels") or {}).items():
        known[str(key)] = {str(value)}
    known["karpenter.sh/nodepool"] = {str((pool.get("metadata") or {}).get("name") or "")}
    known["karpenter.azure.com/aksnodeclass"] = {str((spec.get("nodeClassRef") or {}).get("name") or "")}
    known.update({k: {v} for k, v in size_labels(vm_size).items()})
    return known


def _compatible(expr: Mapping[str, Any], known: Mapping[str, set[str] | None]) -> bool:
    """One requirement of a daemon pod against the template and instance type (requirements.go
    Compatible with AllowUndefinedWellKnownLabels, Intersects)."""
    key, op = str(expr.get("key")), expr.get("operator")
    if key not in known:
        return key in WELL_KNOWN or op in ("NotIn", "DoesNotExist")
    values = known[key]
    return values is None or any(admits_value(expr, v) for v in values)


def _runs_on(daemon: Mapping[str, Any], pool: Mapping[str, Any], known: Mapping[str, set[str] | None]) -> bool:
    """scheduler.go isDaemonPodCompatible: every taint of the pool tolerated (a PreferNoSchedule
    one always: toleratePreferNoScheduleTaints), then the nodeSelector with the first required
    node selector term, the next term where it is not compatible (removeRequiredNodeAffinityTerm)."""
    from akscli.kube.scheduling import tolerates

    spec = daemon.get("spec") or {}
    taints = (((pool.get("spec") or {}).get("template") or {}).get("spec") or {}).get("taints") or []
    tolerations = list(spec.get("tolerations") or [])
    for taint in taints:
        if taint.get("effect") != "PreferNoSchedule" and not any(tolerates(t, taint) for t in tolerations):
            return False
    selector = [{"key": k, "operator": "In", "values": [v]} for k, v in (spec.get("nodeSelector") or {}).items()]
    affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
    terms = (affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or []
    for term in terms or [{}]:
        if all(_compatible(e, known) for e in [*selector, *(term.get("matchExpressions") or [])]):
            return True
    return False


def daemon_pod(daemonset: Mapping[str, Any], live_pod: LivePod | None = None) -> dict[str, Any]:
    """The pod spec Karpenter counts for a DaemonSet (upstream: kubernetes-sigs/karpenter 2266468
    pkg/controllers/provisioning/provisioner.go getDaemonSetPods): its newest live pod where one
    exists (pkg/controllers/state/cluster.go GetDaemonSetPod, UpdateDaemonSet), with its tolerations
    and its requests as admission left them (a LimitRange's defaults, a webhook's), else the
    template (pkg/utils/daemonset/daemonset.go PodForDaemonSet: the template's tolerations only).
    Where the template has a required node affinity it replaces the pod's (the controller's
    metadata.name term, which Karpenter would not read: pkg/scheduling/requirements.go
    newPodRequirements takes matchExpressions only). The DaemonSet's status says a pod exists
    (currentNumberScheduled or numberMisscheduled above 0, k8s.io/api apps/v1 DaemonSetStatus);
    ``live_pod`` reads one. Where it reads none, the template with the tolerations a live pod
    carries (akscli.kube.scheduling.daemon_pod_tolerations)."""
    from akscli.kube.scheduling import daemon_pod_tolerations

    template = ((daemonset.get("spec") or {}).get("template") or {}).get("spec") or {}
    status = daemonset.get("status") or {}
    live = any(
        isinstance(status.get(k), int) and status[k] > 0 for k in ("currentNumberScheduled", "numberMisscheduled")
    )
    if not live:
        return dict(template)
    pod = live_pod(daemonset) if live_pod is not None else None
    if pod is None:
        return {**template, "tolerations": daemon_pod_tolerations(template)}
    spec = dict(pod.get("spec") or {})
    required = ((template.get("affinity") or {}).get("nodeAffinity") or {}).get(_REQUIRED)
    if required:
        affinity = dict(spec.get("affinity") or {})
        affinity["nodeAffinity"] = {**(affinity.get("nodeAffinity") or {}), _REQUIRED: required}
        spec["affinity"] = affinity
    return spec


def daemon_overhead(
    pool: Mapping[str, Any],
    vm_size: str,
    daemonsets: Iterable[Mapping[str, Any]],
    live_pod: LivePod | None = None,
) -> tuple[dict[str, int], int]:
    """What the DaemonSets that would run on a node of the pool and size request (RequestsForPods
    of their pods, daemon_pod: a live pod's requests, else the template's with its limits taken as
    requests), and how many."""
    from akscli.kube.resources import pod_requests

    known = _known_values(pool, vm_size)
    total: dict[str, int] = {}
    count = 0
    for daemonset in daemonsets:
        spec = daemon_pod(daemonset, live_pod)
        if _runs_on({"spec": spec}, pool, known):
            count += 1
            for name, n in pod_requests(spec).items():
                total[name] = total.get(name, 0) + n
    return total, count


def amount(name: str, n: int) -> str:
    """An amount of a resource as the messages write it: 1.5 cpu or 500m, 21.8Gi, 128G."""
    if name == "cpu":
        return f"{n / 1000:g}" if n % 1000 == 0 else f"{n}m"
    if name == "memory":
        return f"{round(n / _GIB, 1):g}Gi"
    if name == "ephemeral-storage":
        return f"{round(n / 10**9, 1):g}G"
    return str(n)


def _counted(name: str, node_class: Mapping[str, Any] | None, network: Network | None = None) -> str:
    """Where Karpenter's count of the resource comes from."""
    named = f"AKSNodeClass {((node_class or {}).get('metadata') or {}).get('name') or '?'}"
    if name == "pods" and ((node_class or {}).get("spec") or {}).get("maxPods") is not None:
        return f"{named}'s maxPods"
    if name == "pods" and network is None:
        return (
            f"{named} sets no maxPods: the default on Azure CNI Overlay, taken as the cluster's network plugin "
            "was not read; --cluster, -g and --subscription read it"
        )
    if name == "pods":
        plugin, mode = network or ("", "")
        return f"{named} sets no maxPods: the provider's default for network plugin {plugin}" + (
            f" in {mode} mode" if mode else " with no plugin mode"
        )
    if name == "ephemeral-storage":
        return f"{named}'s osDiskSizeGB"
    return "its capacity less kube-reserved and eviction"


def asks(name: str, own: int, extra: int, daemons: int) -> str:
    """What the pod and the DaemonSets that would join it ask of one resource."""
    plus = f" and {daemons} DaemonSet pod(s) that would run there {amount(name, extra)}" if extra else ""
    return f"the pods ask {amount(name, own)}{plus}"


def shortfall(
    pool: Mapping[str, Any],
    vm_size: str,
    requests: Mapping[str, int],
    daemonsets: Iterable[Mapping[str, Any]],
    node_class: Mapping[str, Any] | None = None,
    live_pod: LivePod | None = None,
    network: Network | None = None,
) -> str | None:
    """None where a node of the size, made with the pool's AKSNodeClass (None: its defaults), has
    room for the pod and the DaemonSets that would join it, else what it lacks ("Karpenter counts
    21.8Gi of memory for pods on it (its capacity less kube-reserved and eviction) and the pods ask
    22Gi"). The pod and each daemon pod take one of the node's pods (RequestsForPods)."""
    room = allocatable(vm_size, node_class, network)
    if room is None:
        return None
    overhead, daemons = daemon_overhead(pool, vm_size, daemonsets, live_pod)
    overhead["pods"] = daemons
    wanted = {**requests, "pods": 1}
    for name, have in room.items():
        own, extra = wanted.get(name, 0), overhead.get(name, 0)
        if own + extra > have and name == "pods":
            return (
                f"Karpenter counts {have} pods for a node of it ({_counted(name, node_class, network)}) and the pod "
                f"with {daemons} DaemonSet pod(s) that would run there make {own + extra}"
            )
        if own + extra > have:
            return (
                f"Karpenter counts {amount(name, have)} of {name} for pods on it ({_counted(name, node_class)}) "
                f"and {asks(name, own, extra, daemons)}"
            )
    return None
