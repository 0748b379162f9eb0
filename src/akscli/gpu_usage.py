"""GPU usage and the cost of idle GPUs, per node pool and per namespace.

Nodes and pods are read page by page and folded into counters as they arrive; no page outlives
the loop that reads it. What is kept is bounded by the number of GPU nodes (one small entry
each) and the number of pools and namespaces, never by the number of pods.

"Requested" follows the scheduler: a pod holds its GPUs from the moment it is bound to a node
(``spec.nodeName``) until it finishes, and its effective request is the larger of the sum over
its containers and the largest init container. Extended resources have requests equal to limits,
so a container that sets only the limit requests that many.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from akscli.kube.client import Kube

GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu")
HOURS_PER_MONTH = 730.0  # the 365 * 24 / 12 Azure's price pages use
POOL_LABELS = ("kubernetes.azure.com/agentpool", "agentpool", "karpenter.sh/nodepool")
VM_SIZE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
# Pods that finished hold nothing; the server filters them out, and the loop checks again in
# case a server ignores the field selector.
ACTIVE_PODS = "status.phase!=Succeeded,status.phase!=Failed"


PriceOf = Callable[[str, str], "float | None"]


@dataclass
class PoolUsage:
    pool: str
    vm_size: str
    region: str
    nodes: int = 0
    gpu_nodes: int = 0
    allocatable: int = 0
    requested: int = 0
    idle: int = 0
    idle_nodes: int = 0  # GPU nodes with no GPU requested at all: candidates to scale in
    usd_per_vm_hour: float | None = None
    idle_usd_per_hour: float | None = None
    idle_usd_per_month: float | None = None

    @property
    def utilisation(self) -> float | None:
        return self.requested / self.allocatable if self.allocatable else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "utilisation": self.utilisation}


@dataclass
class NamespaceUsage:
    namespace: str
    pods: int = 0  # pods that request GPUs and are bound to a GPU node
    requested: int = 0
    pending: int = 0  # GPUs requested by pods not (yet) bound to a GPU node
    usd_per_hour: float | None = None  # what its priced requested GPUs cost (showback)
    usd_per_month: float | None = None
    unpriced: int = 0  # requested GPUs on VM sizes without a price (not in usd_per_hour)
    _cost: float = field(default=0.0, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


@dataclass
class Usage:
    pools: list[PoolUsage]
    namespaces: list[NamespaceUsage]
    nodes_seen: int
    pods_seen: int
    unpriced: list[str]  # "vm_size in region" without a price

    @property
    def totals(self) -> dict[str, Any]:
        priced = [p.idle_usd_per_hour for p in self.pools if p.idle_usd_per_hour is not None]
        hourly = round(sum(priced), 4) if priced else None
        return {
            "allocatable": sum(p.allocatable for p in self.pools),
            "requested": sum(p.requested for p in self.pools),
            "idle": sum(p.idle for p in self.pools),
            "idleNodes": sum(p.idle_nodes for p in self.pools),
            "pending": sum(n.pending for n in self.namespaces),
            "idleUsdPerHour": hourly,
            "idleUsdPerMonth": round(hourly * HOURS_PER_MONTH, 2) if hourly is not None else None,
            "nodesSeen": self.nodes_seen,
            "podsSeen": self.pods_seen,
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


def csv_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Pool rows then namespace rows in one flat list; ``scope`` tells them apart."""
    rows = [{"scope": "pool", "name": p["pool"], **p} for p in data["pools"]]
    return rows + [{"scope": "namespace", "name": n["namespace"], **n} for n in data["namespaces"]]


def summary(totals: Mapping[str, Any], prices_as_of: str) -> str:
    """One line: how many GPUs are idle, what they cost, and how much was read."""
    cost = (
        f", ${totals['idleUsdPerHour']:,.2f}/hour, ${totals['idleUsdPerMonth']:,.2f}/month"
        if totals["idleUsdPerHour"] is not None
        else ""
    )
    return (
        f"{totals['idle']} of {totals['allocatable']} GPUs idle{cost} "
        f"({totals['nodesSeen']:,} nodes, {totals['podsSeen']:,} pods read; prices as of {prices_as_of})"
    )


def _label(labels: Mapping[str, str], keys: Iterable[str], default: str) -> str:
    for key in keys:
        if labels.get(key):
            return labels[key]
    return default


def _gpu_count(value: Any) -> int:
    """A whole GPU count from a quantity; anything else (which the API server refuses) is 0."""
    try:
        return max(int(str(value)), 0)
    except ValueError:
        return 0


def node_gpus(node: Mapping[str, Any]) -> int:
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    return sum(_gpu_count(allocatable.get(r, 0)) for r in GPU_RESOURCES)


def pod_gpus(pod: Mapping[str, Any]) -> int:
    spec = pod.get("spec") or {}

    def container_gpus(container: Mapping[str, Any]) -> int:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        return sum(_gpu_count(requests.get(r, limits.get(r, 0))) for r in GPU_RESOURCES)

    regular = sum(container_gpus(c) for c in spec.get("containers") or [])
    init = max((container_gpus(c) for c in spec.get("initContainers") or []), default=0)
    return max(regular, init)


def _default_price(vm_size: str, region: str) -> float | None:
    from akscli.model import skus

    return skus.price(vm_size, region)


PoolKey = tuple[str, str, str]  # (pool, vm size, region)


@dataclass(slots=True)
class _GpuNode:
    """The one thing kept per GPU node while pods stream past."""

    pool: PoolUsage
    allocatable: int
    requested: int = 0


def measure(
    kube: Kube,
    *,
    price_of: PriceOf = _default_price,
    price_region: str | None = None,
    default_region: str = "eastus",
    page_size: int = 500,
    progress: Callable[[str], None] | None = None,
) -> Usage:
    """Stream nodes then pods once each and return the per-pool and per-namespace counters.

    ``price_region`` prices every node as if it ran there; otherwise a node's region label is used,
    and ``default_region`` where a node has none. A GPU unit costs the VM's price over the
    units its node advertises, which keeps the cost right when MIG splits a GPU into several.
    """
    nodes = kube.list("v1", "Node", page_size=page_size)
    pools, gpu_nodes, nodes_seen = _count_nodes(nodes, price_region, default_region, progress)
    vm_price = {key: price_of(key[1], key[2]) if pool.allocatable else None for key, pool in pools.items()}
    pods = kube.list("v1", "Pod", all_namespaces=True, field_selector=ACTIVE_PODS, page_size=page_size)
    namespaces, pods_seen = _count_pods(pods, gpu_nodes, vm_price, progress)
    _settle_pools(pools, gpu_nodes, vm_price)
    for ns in namespaces.values():
        if ns.requested > ns.unpriced:
            ns.usd_per_hour = round(ns._cost, 4)
            ns.usd_per_month = round(ns._cost * HOURS_PER_MONTH, 2)
    unpriced = {f"{p.vm_size} in {p.region}" for key, p in pools.items() if p.allocatable and vm_price[key] is None}
    gpu_pools = [p for p in pools.values() if p.allocatable]
    gpu_pools.sort(key=lambda p: (-p.idle, -(p.idle_usd_per_hour or 0.0), p.pool, p.vm_size))
    ns_rows = sorted(namespaces.values(), key=lambda n: (-n.requested, -n.pending, n.namespace))
    return Usage(gpu_pools, ns_rows, nodes_seen, pods_seen, sorted(unpriced))


def _key(pool: PoolUsage) -> PoolKey:
    return pool.pool, pool.vm_size, pool.region


def _count_nodes(
    nodes: Iterable[Mapping[str, Any]],
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
        region = price_region or _label(labels, REGION_LABELS, default_region)
        key = (_label(labels, POOL_LABELS, "<none>"), _label(labels, VM_SIZE_LABELS, "<unknown>"), region.lower())
        pool = pools.get(key)
        if pool is None:
            pool = pools[key] = PoolUsage(*key)
        pool.nodes += 1
        gpus = node_gpus(node)
        if gpus:
            pool.gpu_nodes += 1
            pool.allocatable += gpus
            gpu_nodes[meta.get("name", "")] = _GpuNode(pool, gpus)
        if progress and seen % 10000 == 0:
            progress(f"read {seen:,} nodes")
    return pools, gpu_nodes, seen


def _count_pods(
    pods: Iterable[Mapping[str, Any]],
    gpu_nodes: Mapping[str, _GpuNode],
    vm_price: Mapping[PoolKey, float | None],
    progress: Callable[[str], None] | None,
) -> tuple[dict[str, NamespaceUsage], int]:
    """Per namespace: GPUs requested on GPU nodes (and their cost), and GPUs still pending."""
    namespaces: dict[str, NamespaceUsage] = {}
    seen = 0
    for pod in pods:
        seen += 1
        if progress and seen % 50000 == 0:
            progress(f"read {seen:,} pods")
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        gpus = pod_gpus(pod)
        if not gpus:
            continue
        ns_name = (pod.get("metadata") or {}).get("namespace") or "<none>"
        ns = namespaces.get(ns_name)
        if ns is None:
            ns = namespaces[ns_name] = NamespaceUsage(ns_name)
        node = gpu_nodes.get((pod.get("spec") or {}).get("nodeName") or "")
        if node is None:
            ns.pending += gpus
            continue
        node.requested += gpus
        ns.pods += 1
        ns.requested += gpus
        price = vm_price[_key(node.pool)]
        if price is None:
            ns.unpriced += gpus
        else:
            ns._cost += price * gpus / node.allocatable
    return namespaces, seen


def _settle_pools(
    pools: Mapping[PoolKey, PoolUsage], gpu_nodes: Mapping[str, _GpuNode], vm_price: Mapping[PoolKey, float | None]
) -> None:
    """Fold each GPU node's requests into its pool: requested, idle, idle nodes, idle cost."""
    idle_cost: dict[PoolKey, float] = {}
    for node in gpu_nodes.values():
        pool, used = node.pool, min(node.requested, node.allocatable)
        pool.requested += used
        pool.idle += node.allocatable - used
        pool.idle_nodes += 1 if used == 0 else 0
        key = _key(pool)
        price = vm_price[key]
        if price is not None:
            idle_cost[key] = idle_cost.get(key, 0.0) + price * (node.allocatable - used) / node.allocatable
    for key, pool in pools.items():
        price = vm_price[key]
        if price is not None:
            pool.usd_per_vm_hour = price
            pool.idle_usd_per_hour = round(idle_cost.get(key, 0.0), 4)
            pool.idle_usd_per_month = round(idle_cost.get(key, 0.0) * HOURS_PER_MONTH, 2)
