"""GPU usage counting: allocatable, requested and idle per pool and namespace, cost, streaming."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from akscli.gpu import usage as gpu_usage

PRICES = {
    ("Standard_NC24ads_A100_v4", "eastus"): 3.673,
    ("Standard_NC96ads_A100_v4", "eastus"): 14.692,
}


def price_of(vm_size: str, region: str) -> float | None:
    return PRICES.get((vm_size, region))


def node(name: str, pool: str, vm: str, gpus: int, region: str = "eastus") -> dict[str, Any]:
    labels = {
        "kubernetes.azure.com/agentpool": pool,
        "node.kubernetes.io/instance-type": vm,
        "topology.kubernetes.io/region": region,
    }
    allocatable = {"cpu": "24", "memory": "200Gi"}
    if gpus:
        allocatable["nvidia.com/gpu"] = str(gpus)
    return {"metadata": {"name": name, "labels": labels}, "status": {"allocatable": allocatable}}


def pod(
    name: str,
    namespace: str,
    node_name: str | None,
    gpus: int,
    phase: str = "Running",
    init_gpus: int = 0,
    limits_only: bool = False,
) -> dict[str, Any]:
    resources: dict[str, Any] = {"limits": {"nvidia.com/gpu": str(gpus)}}
    if not limits_only:
        resources["requests"] = {"nvidia.com/gpu": str(gpus)}
    spec: dict[str, Any] = {"containers": [{"name": "c", "resources": resources if gpus else {}}]}
    if node_name:
        spec["nodeName"] = node_name
    if init_gpus:
        spec["initContainers"] = [{"name": "i", "resources": {"limits": {"nvidia.com/gpu": str(init_gpus)}}}]
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
        "status": {"phase": phase},
    }


class FakeKube:
    """Serves nodes and pods as a paginated server would, and records what was asked."""

    def __init__(
        self,
        nodes: Iterable[dict[str, Any]],
        pods: Iterable[dict[str, Any]],
        slices: Iterable[dict[str, Any]] | None = None,
        claims: Iterable[dict[str, Any]] = (),
    ) -> None:
        """``slices`` None: a cluster that does not serve resource.k8s.io/v1 (before 1.34)."""
        self.nodes, self.pods, self.slices, self.claims = nodes, pods, slices, claims
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def has_api(self, api_version: str, kind: str) -> bool:
        return api_version != "resource.k8s.io/v1" or self.slices is not None

    def list(self, api_version: str, kind: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.calls.append((kind, kwargs))
        source = {"Node": self.nodes, "ResourceSlice": self.slices, "ResourceClaim": self.claims}.get(kind, self.pods)
        yield from source() if callable(source) else source or ()


def small_cluster() -> FakeKube:
    nodes = [
        node("a100-0", "a100", "Standard_NC24ads_A100_v4", 1),
        node("a100-1", "a100", "Standard_NC24ads_A100_v4", 1),
        node("a100-2", "a100", "Standard_NC24ads_A100_v4", 1),
        node("big-0", "big", "Standard_NC96ads_A100_v4", 4),
        node("sys-0", "system", "Standard_D4s_v5", 0),
    ]
    pods = [
        pod("llm-0", "serving", "a100-0", 1),
        pod("train-0", "research", "big-0", 2),
        pod("train-1", "research", "big-0", 1, limits_only=True),
        pod("done", "research", "big-0", 1, phase="Succeeded"),
        pod("waiting", "serving", None, 1, phase="Pending"),
        pod("web", "serving", "sys-0", 0),
    ]
    return FakeKube(nodes, pods)


def test_pools_count_allocatable_requested_and_idle() -> None:
    usage = gpu_usage.measure(small_cluster(), price_of=price_of)
    pools = {p.pool: p for p in usage.pools}
    assert (pools["a100"].allocatable, pools["a100"].requested, pools["a100"].idle) == (3, 1, 2)
    assert (pools["big"].allocatable, pools["big"].requested, pools["big"].idle) == (4, 3, 1)
    assert pools["a100"].idle_nodes == 2 and pools["big"].idle_nodes == 0


def test_pools_without_gpus_are_left_out() -> None:
    usage = gpu_usage.measure(small_cluster(), price_of=price_of)
    assert "system" not in {p.pool for p in usage.pools}
    assert usage.nodes_seen == 5


def test_pools_with_most_idle_gpus_come_first() -> None:
    usage = gpu_usage.measure(small_cluster(), price_of=price_of)
    assert [p.pool for p in usage.pools] == ["a100", "big"]


def test_idle_cost_is_the_vm_price_share_of_idle_gpus() -> None:
    usage = gpu_usage.measure(small_cluster(), price_of=price_of)
    pools = {p.pool: p for p in usage.pools}
    assert pools["a100"].idle_usd_per_hour == pytest.approx(2 * 3.673)
    assert pools["big"].idle_usd_per_hour == pytest.approx(14.692 / 4)
    assert pools["big"].idle_usd_per_month == pytest.approx(14.692 / 4 * 730, abs=0.01)
    assert usage.totals["idleUsdPerHour"] == pytest.approx(2 * 3.673 + 14.692 / 4)


def test_namespaces_get_requested_gpus_pending_gpus_and_showback_cost() -> None:
    usage = gpu_usage.measure(small_cluster(), price_of=price_of)
    spaces = {n.namespace: n for n in usage.namespaces}
    assert (spaces["research"].requested, spaces["research"].pods) == (3, 2)
    assert (spaces["serving"].requested, spaces["serving"].pending) == (1, 1)
    assert spaces["research"].usd_per_hour == pytest.approx(3 * 14.692 / 4)
    assert [n.namespace for n in usage.namespaces] == ["research", "serving"]


def test_finished_pods_hold_no_gpus_even_if_the_server_returns_them() -> None:
    kube = FakeKube([node("n", "p", "Standard_NC24ads_A100_v4", 1)], [pod("done", "ns", "n", 1, phase="Failed")])
    assert gpu_usage.measure(kube, price_of=price_of).pools[0].idle == 1


def test_pods_are_listed_with_a_server_side_filter_for_unfinished_pods() -> None:
    kube = small_cluster()
    gpu_usage.measure(kube, price_of=price_of, page_size=250)
    pods_call = dict(kube.calls)["Pod"]
    assert pods_call["field_selector"] == "status.phase!=Succeeded,status.phase!=Failed"
    assert pods_call["all_namespaces"] is True and pods_call["page_size"] == 250


def test_init_container_request_counts_when_larger_than_the_containers() -> None:
    assert gpu_usage.pod_gpus(pod("p", "ns", "n", 1, init_gpus=2)) == 2
    assert gpu_usage.pod_gpus(pod("p", "ns", "n", 3, init_gpus=2)) == 3


def test_overcommitted_node_does_not_report_negative_idle() -> None:
    kube = FakeKube(
        [node("n", "p", "Standard_NC24ads_A100_v4", 1)],
        [pod("a", "ns", "n", 1), pod("b", "ns", "n", 1)],
    )
    (pool,) = gpu_usage.measure(kube, price_of=price_of).pools
    assert (pool.requested, pool.idle) == (1, 0)


def test_unknown_price_is_reported_not_guessed() -> None:
    kube = FakeKube([node("n", "p", "Standard_NC24ads_A100_v4", 1, region="westeurope")], [])
    usage = gpu_usage.measure(kube, price_of=price_of)
    assert usage.pools[0].idle_usd_per_hour is None
    assert usage.unpriced == ["Standard_NC24ads_A100_v4 in westeurope"]
    assert usage.totals["idleUsdPerHour"] is None


def test_price_region_overrides_the_node_region() -> None:
    kube = FakeKube([node("n", "p", "Standard_NC24ads_A100_v4", 1, region="westeurope")], [])
    usage = gpu_usage.measure(kube, price_of=price_of, price_region="eastus")
    assert usage.pools[0].idle_usd_per_hour == pytest.approx(3.673)


def test_mig_units_share_the_vm_price() -> None:
    # MIG "single" strategy: one A100 advertised as 7 nvidia.com/gpu units.
    kube = FakeKube([node("n", "p", "Standard_NC24ads_A100_v4", 7)], [pod("a", "ns", "n", 3)])
    (pool,) = gpu_usage.measure(kube, price_of=price_of).pools
    assert pool.idle_usd_per_hour == pytest.approx(3.673 * 4 / 7, abs=1e-4)


def test_the_builtin_price_table_prices_known_sizes() -> None:
    kube = FakeKube([node("n", "p", "Standard_NC24ads_A100_v4", 1)], [])
    (pool,) = gpu_usage.measure(kube).pools
    assert pool.usd_per_vm_hour is not None and pool.usd_per_vm_hour > 0


def generated(nodes: int, pods: int) -> FakeKube:
    """A cluster produced on the fly, so the test holds no list of its own."""

    def make_nodes() -> Iterator[dict[str, Any]]:
        for i in range(nodes):
            yield node(f"n{i}", f"pool{i % 7}", "Standard_NC96ads_A100_v4", 4 if i % 5 == 0 else 0)

    def make_pods() -> Iterator[dict[str, Any]]:
        for i in range(pods):
            yield pod(f"p{i}", f"ns{i % 50}", f"n{(i * 5) % nodes}", 1 if i % 3 == 0 else 0)

    return FakeKube(make_nodes, make_pods)  # type: ignore[arg-type]


def peak_bytes(kube: FakeKube) -> int:
    tracemalloc.start()
    try:
        gpu_usage.measure(kube, price_of=price_of)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_pods() -> None:
    small = peak_bytes(generated(2000, 2000))
    large = peak_bytes(generated(2000, 40000))
    # Twenty times the pods: the peak stays within noise, because pods are counted, not kept.
    assert large < small * 1.5, (small, large)


def test_namespace_cost_covers_priced_gpus_and_counts_the_rest() -> None:
    kube = FakeKube(
        [node("a", "a100", "Standard_NC24ads_A100_v4", 1), node("x", "new", "Standard_Unknown", 2)],
        [pod("p1", "ns", "a", 1), pod("p2", "ns", "x", 2)],
    )
    (ns,) = gpu_usage.measure(kube, price_of=price_of).namespaces
    assert ns.usd_per_hour == pytest.approx(3.673)
    assert (ns.requested, ns.unpriced) == (3, 2)


def test_measure_keeps_which_gpu_nodes_run_aks_managed_gpu_stack() -> None:
    # AKS labels them kubernetes.azure.com/dcgm-exporter=enabled (Azure/AgentBaker cse_config.sh).
    managed = node("aks-gpunp-0", "gpunp", "Standard_NC4as_T4_v3", 1)
    managed["metadata"]["labels"]["kubernetes.azure.com/dcgm-exporter"] = "enabled"
    nodes = [managed, node("aks-gpu-0", "gpu", "Standard_NC4as_T4_v3", 1)]
    usage = gpu_usage.measure(FakeKube(nodes, []), price_of=price_of, keep_nodes=True)  # type: ignore[arg-type]
    assert usage.managed_nodes == frozenset({"aks-gpunp-0"})
