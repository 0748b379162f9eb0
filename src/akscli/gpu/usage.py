"""GPU usage and the cost of idle GPUs, per node pool and per namespace.

Nodes and pods are read page by page and folded into counters as they arrive; no page outlives
the loop that reads it. What is kept is bounded by the number of GPU nodes (one small entry
each) and the number of pools and namespaces, never by the number of pods.

"Requested" follows the scheduler: a pod holds its GPUs from the moment it is bound to a node
(``spec.nodeName``) until it finishes, and its request is what ``akscli.gpu.devices.pod_units`` counts:
the app containers and sidecar init containers summed, the largest init step as a floor, then the
pod overhead (kubernetes/kubernetes staging/src/k8s.io/component-helpers/resource/helpers.go
PodRequests). Extended resources cannot overcommit (requests equal limits), so a container that
sets only the limit requests that many.

What a node offers is read by ``akscli.gpu.devices`` (whole GPUs, MIG devices of either strategy,
time-sliced replicas), so physical GPUs and slices are counted apart and never added together.
GPUs run by a Dynamic Resource Allocation driver are read from the ResourceSlices it publishes
and the ResourceClaims allocated from them (``akscli.gpu.dra``): both are listed in pages like
nodes and pods, and what is kept is one entry per GPU node. A claim's devices are billed to the
claim's namespace.
A GPU node whose device plugin advertises nothing is billed and unusable: it gets a row of its
own (state ``unusable``) whose whole VM price is waste, and ``held`` names the GPU Operator label
that keeps the device plugin off it, where one does (``akscli.gpu.devices.operand_hold``: operands
disabled on the node, or an operand paused for a driver upgrade). Spot nodes
(``kubernetes.azure.com/scalesetpriority=spot``, learn.microsoft.com/azure/aks/spot-node-pool)
are not priced at the pay-as-you-go rate: akscli has no spot prices, so their cost is unknown
unless ``--price-file`` gives one for the region ``<region>-spot``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from akscli import errors
from akscli.gpu import devices as gpu_facts
from akscli.gpu import dra as gpu_dra
from akscli.gpu.held import ACTIVE_PODS
from akscli.gpu.nodes import MANAGED_GPU_LABEL, MANAGED_GPU_VALUE
from akscli.kube.client import Kube

HOURS_PER_MONTH = 730.0  # the 365 * 24 / 12 Azure's price pages use
POOL_LABELS = ("kubernetes.azure.com/agentpool", "agentpool", "karpenter.sh/nodepool")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
# AKS labels spot nodes (learn.microsoft.com/azure/aks/spot-node-pool); Karpenter/NAP writes
# karpenter.sh/capacity-type=spot (kubernetes-sigs/karpenter pkg/apis/v1/labels.go).
SPOT_LABELS = (("kubernetes.azure.com/scalesetpriority", "spot"), ("karpenter.sh/capacity-type", "spot"))
REGULAR, SPOT = "regular", "spot"
OK_STATE, UNUSABLE = "ok", "unusable"


PriceOf = Callable[[str, str], "float | None"]


@dataclass
class PoolUsage:
    pool: str
    vm_size: str
    region: str
    priority: str = REGULAR  # regular | spot
    state: str = OK_STATE  # ok | unusable (GPU nodes whose device plugin advertises nothing)
    sharing: str = gpu_facts.WHOLE  # none | mig-single | mig-mixed | time-slicing | mps | shared
    held: str = ""  # unusable: the GPU Operator label that keeps the device plugin off (gpus.operand_hold)
    nodes: int = 0
    gpu_nodes: int = 0
    gpus: int = 0  # physical GPUs (what Azure bills)
    allocatable: int = 0  # schedulable units: whole GPUs, or slices when sharing is not none
    requested: int = 0
    idle: int = 0
    idle_nodes: int = 0  # GPU nodes with no GPU requested at all: candidates to scale in
    # Units in capacity and not allocatable on nodes that still offer some: GPUs the device plugin
    # marked unhealthy (an XID error; gpu_nodes._plugin_gone). Billed, and no pod can get them.
    unhealthy: int = 0
    unhealthy_nodes: int = 0
    unhealthy_usd_per_hour: float | None = None
    usd_per_vm_hour: float | None = None
    idle_usd_per_hour: float | None = None
    idle_usd_per_month: float | None = None
    price_note: str = ""

    @property
    def unit(self) -> str:
        return "gpu" if self.sharing in gpu_facts.WHOLE_GPU_SHARING else "slice"

    @property
    def requested_percent(self) -> float | None:
        """Requested over allocatable, in percent, as kubectl describe node's "Allocated resources"
        gives it (not the GPUs' measured utilization: gpu_util_percent, --utilization)."""
        return round(100 * self.requested / self.allocatable, 1) if self.allocatable else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "unit": self.unit, "requested_percent": self.requested_percent}


@dataclass
class NamespaceUsage:
    namespace: str
    pods: int = 0  # pods that request GPUs and are bound to a GPU node
    claims: int = 0  # DRA ResourceClaims with GPUs allocated on a GPU node
    requested: int = 0  # whole GPUs
    slices: int = 0  # MIG devices and time-sliced replicas
    pending: int = 0  # GPU units requested by pods not (yet) bound to a GPU node
    usd_per_hour: float | None = None  # what its priced requested GPUs cost (showback)
    usd_per_month: float | None = None
    unpriced: int = 0  # requested units on VM sizes without a price (not in usd_per_hour)
    _cost: float = field(default=0.0, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


def _sum(pools: Iterable[PoolUsage], attr: str, unit: str | None = None, state: str = OK_STATE) -> int:
    return sum(getattr(p, attr) for p in pools if p.state == state and (unit is None or p.unit == unit))


def _money_sum(values: Iterable[float | None]) -> float | None:
    priced = [v for v in values if v is not None]
    return round(sum(priced), 4) if priced else None


@dataclass
class Usage:
    pools: list[PoolUsage]
    namespaces: list[NamespaceUsage]
    nodes_seen: int
    pods_seen: int
    unpriced: list[str]  # "vm_size in region" without a price
    dra: str = "not served"  # read | not served | forbidden: whether DRA's GPUs are in the counts
    # GPU node name -> its pool, kept only when measure() is asked to (gpu_activity joins on it).
    node_pools: dict[str, PoolUsage] = field(default_factory=dict)
    # Of those, the managed GPU nodes (gpu_nodes.MANAGED_GPU_LABEL), whose dcgm-exporter names no pod.
    managed_nodes: frozenset[str] = frozenset()

    @property
    def totals(self) -> dict[str, Any]:
        ok = [p for p in self.pools if p.state == OK_STATE]
        unusable = [p for p in self.pools if p.state == UNUSABLE]
        hourly = _money_sum(p.idle_usd_per_hour for p in ok)
        waste = _money_sum(p.idle_usd_per_hour for p in unusable)
        return {
            "gpus": sum(p.gpus for p in self.pools),
            "allocatable": _sum(ok, "allocatable", "gpu"),
            "requested": _sum(ok, "requested", "gpu"),
            "idle": _sum(ok, "idle", "gpu"),
            "slicedGpus": _sum(ok, "gpus", "slice"),
            "slices": _sum(ok, "allocatable", "slice"),
            "slicesRequested": _sum(ok, "requested", "slice"),
            "slicesIdle": _sum(ok, "idle", "slice"),
            "idleNodes": sum(p.idle_nodes for p in ok),
            "unusableGpus": sum(p.gpus for p in unusable),
            "unusableNodes": sum(p.gpu_nodes for p in unusable),
            "unusableUsdPerHour": waste,
            "unhealthy": _sum(ok, "unhealthy", "gpu"),
            "unhealthySlices": _sum(ok, "unhealthy", "slice"),
            "unhealthyNodes": sum(p.unhealthy_nodes for p in ok),
            "unhealthyUsdPerHour": _money_sum(p.unhealthy_usd_per_hour for p in ok if p.unhealthy),
            "pending": sum(n.pending for n in self.namespaces),
            "idleUsdPerHour": hourly,
            "idleUsdPerMonth": round(hourly * HOURS_PER_MONTH, 2) if hourly is not None else None,
            "nodesSeen": self.nodes_seen,
            "podsSeen": self.pods_seen,
            "dra": self.dra,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "pools": [p.to_dict() for p in self.pools],
            "namespaces": [n.to_dict() for n in self.namespaces],
            "totals": self.totals,
            "unpriced": self.unpriced,
        }


def use_prices(price_region: str | None, price_file: str | None) -> str | None:
    """Load ``--price-file`` when given, then check ``--price-region`` against the prices known."""
    from akscli import validate
    from akscli.model import skus

    if price_file:
        validate.existing_file(price_file, "--price-file")
        skus.load(price_file)
    return validate.choice(price_region, skus.regions(), "--price-region") if price_region else None


def in_namespace(data: Mapping[str, Any], namespace: str | None) -> dict[str, Any]:
    """``data`` with only ``namespace``'s row in its namespace table (-n; None: every row). The
    pools and totals stay the whole cluster's: a GPU belongs to a node, not to a namespace."""
    if namespace is None:
        return dict(data)
    return {**data, "namespaces": [n for n in data["namespaces"] if n["namespace"] == namespace]}


def csv_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Pool rows then namespace rows in one flat list; ``scope`` tells them apart."""
    rows = [{"scope": "pool", "name": p["pool"], **p} for p in data["pools"]]
    return rows + [{"scope": "namespace", "name": n["namespace"], **n} for n in data["namespaces"]]


def summary(totals: Mapping[str, Any], prices_as_of: str) -> str:
    """One line: idle GPUs and slices, billed-but-unusable GPUs, what they cost, how much was read."""
    parts = [f"{totals['idle']} of {totals['allocatable']} GPUs idle"]
    if totals["slices"]:
        parts.append(
            f"{totals['slicesIdle']} of {totals['slices']} GPU slices idle (MIG or shared, on "
            f"{totals['slicedGpus']} GPUs)"
        )
    if totals["idleUsdPerHour"] is not None:
        parts.append(f"${totals['idleUsdPerHour']:,.2f}/hour, ${totals['idleUsdPerMonth']:,.2f}/month idle")
    if totals["unusableGpus"]:
        waste = totals["unusableUsdPerHour"]
        parts.append(
            f"{_count(totals['unusableGpus'], 'GPU')} on {_count(totals['unusableNodes'], 'node')} billed but unusable "
            "(device plugin advertises none)" + (f", ${waste:,.2f}/hour" if waste is not None else "")
        )
    if totals.get("unhealthyNodes"):
        units = " and ".join(
            _count(n, what) for n, what in ((totals["unhealthy"], "GPU"), (totals["unhealthySlices"], "GPU slice")) if n
        )
        cost = totals["unhealthyUsdPerHour"]
        parts.append(
            f"{units} on {_count(totals['unhealthyNodes'], 'node')} marked unhealthy by the device plugin "
            "(allocatable below capacity, an XID error)" + (f", ${cost:,.2f}/hour" if cost is not None else "")
        )
    if totals.get("dra") == "forbidden":
        parts.append("GPUs allocated by DRA not counted (no permission to list resourceslices and resourceclaims)")
    return "; ".join(parts) + (
        f" ({totals['nodesSeen']:,} nodes, {totals['podsSeen']:,} pods read; prices as of {prices_as_of})"
    )


def _count(n: int, noun: str) -> str:
    """``1 node``, ``8 nodes``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _label(labels: Mapping[str, str], keys: Iterable[str], default: str) -> str:
    for key in keys:
        if labels.get(key):
            return labels[key]
    return default


def node_gpus(node: Mapping[str, Any]) -> int:
    """Schedulable GPU units the node offers now (whole GPUs, MIG devices or replicas)."""
    return gpu_facts.read(node).allocatable


def pod_gpus(pod: Mapping[str, Any]) -> int:
    """GPU units the pod requests, over every GPU resource name."""
    return sum(gpu_facts.pod_units(pod).values())


def _default_price(vm_size: str, region: str) -> float | None:
    from akscli.model import skus

    return skus.price(vm_size, region)


PoolKey = tuple[str, str, str, str, str, str, str]  # (pool, vm size, region, priority, state, sharing, held)


@dataclass(slots=True)
class _GpuNode:
    """The one thing kept per GPU node while pods stream past."""

    pool: PoolUsage
    allocatable: int
    capacity: int  # allocatable and the units marked unhealthy: the node's price is shared over these
    requested: int = 0
    managed: bool = False  # AKS's managed GPU stack runs there (gpu_nodes.MANAGED_GPU_LABEL)


def _price(price_of: PriceOf, pool: PoolUsage) -> tuple[float | None, str]:
    if pool.priority == SPOT:
        price = price_of(pool.vm_size, f"{pool.region}-spot")
        return price, "" if price is not None else "spot price unknown"
    price = price_of(pool.vm_size, pool.region)
    return price, "" if price is not None else "no price"


def measure(
    kube: Kube,
    *,
    price_of: PriceOf = _default_price,
    price_region: str | None = None,
    default_region: str = "eastus",
    page_size: int = 500,
    progress: Callable[[str], None] | None = None,
    keep_nodes: bool = False,
) -> Usage:
    """Stream nodes then pods once each and return the per-pool and per-namespace counters.

    ``price_region`` prices every node as if it ran there; otherwise a node's region label is used,
    and ``default_region`` where a node has none. A GPU unit costs the VM's price over the
    units its node advertises, which keeps the cost right when MIG splits a GPU into several.
    ``keep_nodes``: the Usage keeps each GPU node's pool (one entry per GPU node).
    """
    dra_state, dra_nodes, dra_pools = _read_slices(kube, page_size)
    nodes = kube.list("v1", "Node", page_size=page_size)
    pools, gpu_nodes, nodes_seen = _count_nodes(nodes, dra_nodes, price_region, default_region, progress)
    del dra_nodes
    gpu_pools = {key: p for key, p in pools.items() if p.gpu_nodes}
    vm_price: dict[PoolKey, float | None] = {}
    for key, pool in gpu_pools.items():
        vm_price[key], pool.price_note = _price(price_of, pool)
    pods = kube.list("v1", "Pod", all_namespaces=True, field_selector=ACTIVE_PODS, page_size=page_size)
    namespaces, pods_seen = _count_pods(pods, gpu_nodes, vm_price, progress)
    if dra_state == DRA_READ:
        claims = kube.list(gpu_dra.API_VERSION, "ResourceClaim", all_namespaces=True, page_size=page_size)
        _count_claims(claims, dra_pools, gpu_nodes, vm_price, namespaces)
    _settle_pools(gpu_pools, gpu_nodes, vm_price)
    for ns in namespaces.values():
        if ns.requested + ns.slices > ns.unpriced:
            ns.usd_per_hour = round(ns._cost, 4)
            ns.usd_per_month = round(ns._cost * HOURS_PER_MONTH, 2)
    unpriced = {
        f"{p.vm_size} in {p.region}" + (" (spot)" if p.priority == SPOT else "")
        for key, p in gpu_pools.items()
        if vm_price[key] is None
    }
    rows = sorted(
        gpu_pools.values(),
        key=lambda p: (p.state != UNUSABLE, -p.idle, -(p.idle_usd_per_hour or 0.0), p.pool, p.vm_size),
    )
    ns_rows = sorted(namespaces.values(), key=lambda n: (-n.requested, -n.slices, -n.pending, n.namespace))
    kept = {name: node.pool for name, node in gpu_nodes.items()} if keep_nodes else {}
    managed = frozenset(name for name, node in gpu_nodes.items() if node.managed) if keep_nodes else frozenset()
    return Usage(rows, ns_rows, nodes_seen, pods_seen, sorted(unpriced), dra_state, kept, managed)


DRA_READ, DRA_NOT_SERVED, DRA_FORBIDDEN = "read", "not served", "forbidden"


def _read_slices(kube: Kube, page_size: int) -> tuple[str, dict[str, gpu_dra.DraNode], gpu_dra.Pools]:
    """The DRA GPU driver's devices per node, when the cluster serves resource.k8s.io/v1 (1.34+)
    and the caller may list ResourceSlices and ResourceClaims (clusters without DRA: nothing)."""
    if not kube.has_api(gpu_dra.API_VERSION, "ResourceSlice"):
        return DRA_NOT_SERVED, {}, gpu_dra.Pools({}, {})
    try:
        by_node, by_pool = gpu_dra.read_slices(kube.list(gpu_dra.API_VERSION, "ResourceSlice", page_size=page_size))
        # Claims are read after the pods; ask now whether they may be, so a refusal there does
        # not leave slices counted with none of their claims.
        next(iter(kube.list(gpu_dra.API_VERSION, "ResourceClaim", all_namespaces=True, page_size=1)), None)
    except errors.AuthError:
        return DRA_FORBIDDEN, {}, gpu_dra.Pools({}, {})
    return DRA_READ, by_node, by_pool


def _key(pool: PoolUsage) -> PoolKey:
    return pool.pool, pool.vm_size, pool.region, pool.priority, pool.state, pool.sharing, pool.held


def _priority(labels: Mapping[str, str]) -> str:
    return SPOT if any(labels.get(k) == v for k, v in SPOT_LABELS) else REGULAR


def _count_nodes(
    nodes: Iterable[Mapping[str, Any]],
    dra_nodes: Mapping[str, gpu_dra.DraNode],
    price_region: str | None,
    default_region: str,
    progress: Callable[[str], None] | None,
) -> tuple[dict[PoolKey, PoolUsage], dict[str, _GpuNode], int]:
    """Pools with their node and GPU counts, and a small entry per GPU node by name."""
    pools: dict[PoolKey, PoolUsage] = {}
    gpu_nodes: dict[str, _GpuNode] = {}
    seen = 0
    for node in nodes:
        seen += 1
        meta = node.get("metadata") or {}
        labels = meta.get("labels") or {}
        facts = gpu_facts.read(node)
        dra = dra_nodes.get(meta.get("name", ""))
        if dra is not None:
            facts = gpu_facts.with_dra(facts, dra)
        region = price_region or _label(labels, REGION_LABELS, default_region)
        key: PoolKey = (
            _label(labels, POOL_LABELS, "<none>"),
            gpu_facts.vm_size_of(labels) or "<unknown>",
            region.lower(),
            _priority(labels),
            UNUSABLE if facts.unusable else OK_STATE,
            facts.sharing,
            gpu_facts.operand_hold(node) if facts.unusable else "",
        )
        pool = pools.get(key)
        if pool is None:
            pool = pools[key] = PoolUsage(*key)
        pool.nodes += 1
        if facts.is_gpu_node:
            pool.gpu_nodes += 1
            pool.gpus += facts.physical
            pool.allocatable += facts.allocatable
            if not facts.unusable and facts.capacity > facts.allocatable:
                pool.unhealthy += facts.capacity - facts.allocatable
                pool.unhealthy_nodes += 1
            managed = labels.get(MANAGED_GPU_LABEL) == MANAGED_GPU_VALUE
            gpu_nodes[meta.get("name", "")] = _GpuNode(
                pool, facts.allocatable, max(facts.capacity, facts.allocatable), managed=managed
            )
        if progress and seen % 10000 == 0:
            progress(f"read {seen:,} nodes")
    return pools, gpu_nodes, seen


def _count_pods(
    pods: Iterable[Mapping[str, Any]],
    gpu_nodes: Mapping[str, _GpuNode],
    vm_price: Mapping[PoolKey, float | None],
    progress: Callable[[str], None] | None,
) -> tuple[dict[str, NamespaceUsage], int]:
    """Per namespace: GPUs and slices requested on GPU nodes (and their cost), and units pending."""
    namespaces: dict[str, NamespaceUsage] = {}
    seen = 0
    for pod in pods:
        seen += 1
        if progress and seen % 50000 == 0:
            progress(f"read {seen:,} pods")
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        units = pod_gpus(pod)
        if not units:
            continue
        ns_name = (pod.get("metadata") or {}).get("namespace") or "<none>"
        ns = namespaces.get(ns_name)
        if ns is None:
            ns = namespaces[ns_name] = NamespaceUsage(ns_name)
        node = gpu_nodes.get((pod.get("spec") or {}).get("nodeName") or "")
        if node is None:
            ns.pending += units
            continue
        node.requested += units
        ns.pods += 1
        _bill(ns, node, vm_price, units)
    return namespaces, seen


def _count_claims(
    claims: Iterable[Mapping[str, Any]],
    dra_pools: gpu_dra.Pools,
    gpu_nodes: Mapping[str, _GpuNode],
    vm_price: Mapping[PoolKey, float | None],
    namespaces: dict[str, NamespaceUsage],
) -> None:
    """Each claim's allocated GPU devices on their node and in the claim's namespace; GPU devices
    asked for by claims not yet allocated are pending. Partitions of one GPU (DynamicMIG) hold
    that GPU once, on the node and in each namespace that holds one (a bit per GPU in a mask per
    node and per namespace on a node: only for nodes with partitions allocated)."""
    held: dict[str, int] = {}
    held_by_ns: dict[tuple[str, str], int] = {}
    for claim in claims:
        devices = gpu_dra.allocated(claim)
        waiting = 0 if devices else gpu_dra.pending(claim)
        if not devices and not waiting:
            continue
        ns_name = (claim.get("metadata") or {}).get("namespace") or "<none>"
        ns = namespaces.get(ns_name)
        if ns is None:
            ns = namespaces[ns_name] = NamespaceUsage(ns_name)
        ns.pending += waiting
        counted = False
        for driver, pool_name, device in devices:
            node_name = dra_pools.node.get((driver, pool_name), "")
            node = gpu_nodes.get(node_name)
            if node is None:
                ns.pending += 1
                continue
            counted = True
            gpu = dra_pools.gpu_of(driver, pool_name, device)
            if gpu is None:
                node.requested += 1
                _bill(ns, node, vm_price, 1)
                continue
            bit = 1 << gpu
            mask = held.get(node_name, 0)
            if not mask & bit:
                held[node_name] = mask | bit
                node.requested += 1
            ns_mask = held_by_ns.get((ns_name, node_name), 0)
            if not ns_mask & bit:
                held_by_ns[(ns_name, node_name)] = ns_mask | bit
                _bill(ns, node, vm_price, 1)
        ns.claims += 1 if counted else 0


def _bill(ns: NamespaceUsage, node: _GpuNode, vm_price: Mapping[PoolKey, float | None], units: int) -> None:
    if node.pool.unit == "gpu":
        ns.requested += units
    else:
        ns.slices += units
    price = vm_price[_key(node.pool)]
    if price is None or not node.allocatable:
        ns.unpriced += units
    else:
        ns._cost += price * units / node.capacity


def _settle_pools(
    pools: Mapping[PoolKey, PoolUsage], gpu_nodes: Mapping[str, _GpuNode], vm_price: Mapping[PoolKey, float | None]
) -> None:
    """Fold each GPU node's requests into its pool: requested, idle, idle nodes, idle cost.
    A node with nothing allocatable costs its whole VM price: billed, and no pod can use it."""
    idle_cost: dict[PoolKey, float] = {}
    unhealthy_cost: dict[PoolKey, float] = {}
    for node in gpu_nodes.values():
        pool, used = node.pool, min(node.requested, node.allocatable)
        pool.requested += used
        pool.idle += node.allocatable - used
        # an idle node has GPUs to give and gives none; one with nothing allocatable is unusable
        # (its pool's state), not idle, as its idle is 0
        pool.idle_nodes += 1 if used == 0 and node.allocatable else 0
        key = _key(pool)
        price = vm_price[key]
        if price is not None:
            share = (node.allocatable - used) / node.capacity if node.allocatable else 1.0
            idle_cost[key] = idle_cost.get(key, 0.0) + price * share
            if node.allocatable and node.capacity > node.allocatable:
                lost = price * (node.capacity - node.allocatable) / node.capacity
                unhealthy_cost[key] = unhealthy_cost.get(key, 0.0) + lost
    for key, pool in pools.items():
        price = vm_price[key]
        if price is not None:
            pool.usd_per_vm_hour = price
            pool.idle_usd_per_hour = round(idle_cost.get(key, 0.0), 4)
            pool.idle_usd_per_month = round(idle_cost.get(key, 0.0) * HOURS_PER_MONTH, 2)
            pool.unhealthy_usd_per_hour = round(unhealthy_cost.get(key, 0.0), 4)
