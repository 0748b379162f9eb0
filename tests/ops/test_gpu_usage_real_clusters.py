"""gpu usage on the GPU pools real clusters have (issue #20): MIG mixed and single, time-sliced
replicas, GPU nodes whose device plugin is down, spot pools, AMD GPUs, and the CSV a program reads."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from akscli.gpu import usage as gpu_usage
from akscli.model import skus
from tests.ops.test_gpu_usage import FakeKube, pod, price_of

A100 = "Standard_NC24ads_A100_v4"  # 1 GPU, 3.673 USD/hour in the test prices
BIG = "Standard_NC96ads_A100_v4"  # 4 GPUs, 14.692 USD/hour


def node(
    name: str, pool: str, vm: str, resources: dict[str, int], labels: dict[str, str] | None = None
) -> dict[str, Any]:
    meta_labels = {
        "kubernetes.azure.com/agentpool": pool,
        "node.kubernetes.io/instance-type": vm,
        "topology.kubernetes.io/region": "eastus",
        **(labels or {}),
    }
    alloc = {k: str(v) for k, v in resources.items()}
    return {"metadata": {"name": name, "labels": meta_labels}, "status": {"capacity": alloc, "allocatable": alloc}}


def mig_pod(name: str, namespace: str, node_name: str, profile: str, n: int) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"nodeName": node_name, "containers": [{"name": "c", "resources": {"limits": {profile: str(n)}}}]},
        "status": {"phase": "Running"},
    }


def pools(usage: gpu_usage.Usage) -> dict[tuple[str, str], gpu_usage.PoolUsage]:
    return {(p.pool, p.state): p for p in usage.pools}


def test_mig_mixed_nodes_and_their_namespaces_are_counted() -> None:
    # azure-aks-docs gpu-multi-instance.md: "Mixed strategy output: nvidia.com/mig-1g.5gb: 56".
    kube = FakeKube(
        [node("mig-0", "mig", BIG, {"nvidia.com/mig-1g.10gb": 28})],
        [mig_pod("p", "search", "mig-0", "nvidia.com/mig-1g.10gb", 3)],
    )
    usage = gpu_usage.measure(kube, price_of=price_of)
    pool = pools(usage)[("mig", "ok")]
    assert (pool.gpus, pool.unit, pool.allocatable, pool.requested, pool.idle) == (4, "slice", 28, 3, 25)
    (ns,) = usage.namespaces
    assert (ns.namespace, ns.slices, ns.requested) == ("search", 3, 0)
    assert ns.usd_per_hour == pytest.approx(14.692 * 3 / 28, abs=1e-4)


def test_slices_and_whole_gpus_are_never_added_together() -> None:
    kube = FakeKube(
        [
            node("whole-0", "whole", BIG, {"nvidia.com/gpu": 4}),
            node("ts-0", "shared", A100, {"nvidia.com/gpu": 4}, {"nvidia.com/gpu.replicas": "4"}),
            node(
                "mig-0",
                "single",
                A100,
                {"nvidia.com/gpu": 7},
                {"nvidia.com/mig.strategy": "single", "nvidia.com/gpu.product": "NVIDIA-A100-MIG-1g.10gb"},
            ),
        ],
        [pod("a", "ns", "whole-0", 1), pod("b", "ns", "ts-0", 2)],
    )
    totals = gpu_usage.measure(kube, price_of=price_of).totals
    assert (totals["gpus"], totals["allocatable"], totals["requested"], totals["idle"]) == (6, 4, 1, 3)
    assert (totals["slicedGpus"], totals["slices"], totals["slicesRequested"], totals["slicesIdle"]) == (2, 11, 2, 9)
    assert "3 of 4 GPUs idle; 9 of 11 GPU slices idle" in gpu_usage.summary(totals, "2026-01")


def test_a_gpu_node_whose_device_plugin_is_down_is_billed_and_unusable() -> None:
    down = node("dead-0", "a100", A100, {"nvidia.com/gpu": 1})
    down["status"]["allocatable"]["nvidia.com/gpu"] = "0"
    kube = FakeKube([node("ok-0", "a100", A100, {"nvidia.com/gpu": 1}), down], [])
    usage = gpu_usage.measure(kube, price_of=price_of)
    dead = pools(usage)[("a100", "unusable")]
    assert (dead.gpu_nodes, dead.gpus, dead.allocatable) == (1, 1, 0)
    assert dead.idle_usd_per_hour == pytest.approx(3.673)
    assert usage.pools[0] is dead  # the waste comes first
    totals = usage.totals
    assert (totals["unusableGpus"], totals["unusableNodes"]) == (1, 1)
    assert totals["unusableUsdPerHour"] == pytest.approx(3.673)
    assert totals["idleUsdPerHour"] == pytest.approx(3.673)  # the usable node's idle GPU only
    assert "1 GPU on 1 node billed but unusable" in gpu_usage.summary(totals, "2026-01")


def test_a_node_with_nothing_allocatable_is_unusable_not_idle() -> None:
    # The unusable row said IDLE 0 but IDLE NODES 1: its node has no GPU to give, so it is not idle.
    down = node("dead-0", "a100", A100, {"nvidia.com/gpu": 1})
    down["status"]["allocatable"]["nvidia.com/gpu"] = "0"
    usage = gpu_usage.measure(
        FakeKube([node("ok-0", "a100", A100, {"nvidia.com/gpu": 1}), down], []), price_of=price_of
    )
    assert {(p.state, p.idle, p.idle_nodes) for p in usage.pools} == {("unusable", 0, 0), ("ok", 1, 1)}


def test_a_pools_json_gives_requested_over_allocatable_as_requested_percent() -> None:
    # It was "utilisation" (a fraction), read as the GPU UTIL column's measured utilization.
    kube = FakeKube([node("whole-0", "whole", BIG, {"nvidia.com/gpu": 4})], [pod("a", "ns", "whole-0", 1)])
    (row,) = gpu_usage.measure(kube, price_of=price_of).to_dict()["pools"]
    assert row["requested_percent"] == 25.0 and "utilisation" not in row


def test_spot_nodes_are_not_priced_at_pay_as_you_go() -> None:
    spot = {"kubernetes.azure.com/scalesetpriority": "spot"}
    kube = FakeKube([node("s-0", "spot", A100, {"nvidia.com/gpu": 1}, spot)], [])
    usage = gpu_usage.measure(kube, price_of=price_of)
    (pool,) = usage.pools
    assert (pool.priority, pool.usd_per_vm_hour, pool.idle_usd_per_hour) == ("spot", None, None)
    assert pool.price_note == "spot price unknown"
    assert usage.unpriced == [f"{A100} in eastus (spot)"]


def test_a_spot_price_can_come_from_the_price_file_region() -> None:
    spot = {"kubernetes.azure.com/scalesetpriority": "spot"}
    kube = FakeKube([node("s-0", "spot", A100, {"nvidia.com/gpu": 1}, spot)], [])
    prices = {(A100, "eastus-spot"): 0.8}
    (pool,) = gpu_usage.measure(kube, price_of=lambda vm, region: prices.get((vm, region))).pools
    assert pool.idle_usd_per_hour == pytest.approx(0.8)


def test_amd_gpus_are_counted() -> None:
    kube = FakeKube([node("amd-0", "amd", "Standard_NG32ads_V620_v1", {"amd.com/gpu": 1})], [])
    (pool,) = gpu_usage.measure(kube, price_of=price_of).pools
    assert (pool.gpus, pool.allocatable, pool.unit) == (1, 1, "gpu")


def test_csv_has_the_pool_costs_and_plain_numbers(kube_emulator: Any, kubeconfig: Any, tmp_path: Path) -> None:
    from tests.cli import invoke
    from tests.ops.test_ops_emulator import gpu_node

    for i in range(2):
        gpu_node(kube_emulator, f"big-{i}", "big", "Standard_ND96isr_H100_v5", 8)
    prices = tmp_path / "prices.csv"
    prices.write_text("vm_size,region,price_usd_per_hour\nStandard_ND96isr_H100_v5,eastus,98.5\n")
    try:
        result = invoke("gpu", "usage", "-o", "csv", "--price-file", str(prices))
    finally:
        skus.load()  # the price file replaced the process's table: put the built-in one back
    assert result.exit_code == 0, result
    (row,) = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["scope"] == "pool"]
    # Pool rows carry their own cost columns, and numbers have no thousands separators.
    assert row["idle_usd_per_hour"] == "197.0" and row["usd_per_vm_hour"] == "98.5"
    assert row["idle_usd_per_month"] == "143810.0"
