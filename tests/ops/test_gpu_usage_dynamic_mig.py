"""gpu usage on GPUs partitioned on demand (the NVIDIA DRA driver's DynamicMIG): each GPU and
every MIG placement it could take are published in one slice, all consuming the GPU's counter
set, and each device names its GPU (``uuid`` on the GPU, ``parentUUID`` on a partition).
upstream: NVIDIA/k8s-dra-driver-gpu 2240711 cmd/gpu-kubelet-plugin/driver.go
generateCombinedResourceSlices (one slice per GPU, 1.34), partitions.go (GetSharedCounterSetName
``gpu-N-counter-set``, PartConsumesCounters), mig.go CommonAttributesMig and ToCanonicalName
(``gpu-N-mig-<profile>-<profileID>-<placement>``)."""

from __future__ import annotations

from typing import Any

from akscli.gpu import dra as gpu_dra
from akscli.gpu import usage as gpu_usage
from tests.ops.test_gpu_usage import FakeKube, price_of
from tests.ops.test_gpu_usage_dra import claim, dra_node, gpu_device, mig_device, resource_slice

BIG = "Standard_NC96ads_A100_v4"  # 4 GPUs, 14.692 USD/hour in the test prices


def dynamic_slices(node: str, gpus: int) -> list[dict[str, Any]]:
    """One slice per GPU: the GPU and its seven 1g placements, each consuming the GPU's counters."""
    out = []
    for minor in range(gpus):
        devices = [gpu_device(minor, node), *(mig_device(minor, node, p) for p in range(7))]
        for d in devices:
            d["consumesCounters"] = [
                {"counterSet": f"gpu-{minor}-counter-set", "counters": {"memory-slice-0": {"value": "1"}}}
            ]
        out.append(resource_slice(node, devices, index=minor))
    return out


def cluster(claims: list[dict[str, Any]]) -> FakeKube:
    return FakeKube([dra_node("dyn-0", "dyn", BIG)], [], slices=dynamic_slices("dyn-0", 4), claims=claims)


def test_allocated_partitions_of_one_gpu_hold_one_gpu() -> None:
    kube = cluster(
        [
            claim("a", "search", "dyn-0", ["gpu-0-mig-1g10gb-19-0"], "mig.nvidia.com"),
            claim("b", "search", "dyn-0", ["gpu-0-mig-1g10gb-19-1", "gpu-0-mig-1g10gb-19-2"], "mig.nvidia.com"),
        ]
    )
    usage = gpu_usage.measure(kube, price_of=price_of)
    (pool,) = usage.pools
    assert (pool.allocatable, pool.requested, pool.idle) == (4, 1, 3)
    (ns,) = usage.namespaces
    assert (ns.requested, ns.claims) == (1, 2)


def test_partitions_of_different_gpus_hold_a_gpu_each() -> None:
    kube = cluster(
        [claim("a", "search", "dyn-0", ["gpu-0-mig-1g10gb-19-0", "gpu-2-mig-1g10gb-19-0"], "mig.nvidia.com")]
    )
    (pool,) = gpu_usage.measure(kube, price_of=price_of).pools
    assert (pool.requested, pool.idle) == (2, 2)


def test_each_namespace_holding_a_partition_of_a_gpu_is_billed_for_it() -> None:
    kube = cluster(
        [
            claim("a", "search", "dyn-0", ["gpu-1-mig-1g10gb-19-0"], "mig.nvidia.com"),
            claim("b", "ads", "dyn-0", ["gpu-1-mig-1g10gb-19-3"], "mig.nvidia.com"),
        ]
    )
    usage = gpu_usage.measure(kube, price_of=price_of)
    assert usage.pools[0].requested == 1
    assert sorted((ns.namespace, ns.requested) for ns in usage.namespaces) == [("ads", 1), ("search", 1)]


def test_a_whole_gpu_and_static_mig_devices_still_count_one_each() -> None:
    kube = cluster([claim("a", "train", "dyn-0", ["gpu-0", "gpu-1", "gpu-3"])])
    (pool,) = gpu_usage.measure(kube, price_of=price_of).pools
    assert (pool.requested, pool.idle) == (3, 1)


def test_nodes_with_the_same_layout_share_one_device_to_gpu_map() -> None:
    _, pools = gpu_dra.read_slices([*dynamic_slices("dyn-0", 2), *dynamic_slices("dyn-1", 2)])
    first, second = pools.parents[("gpu.nvidia.com", "dyn-0")], pools.parents[("gpu.nvidia.com", "dyn-1")]
    assert first[0] is second[0] and first[1] is second[1]
    assert pools.gpu_of("gpu.nvidia.com", "dyn-1", "gpu-1-mig-1g10gb-19-4") == pools.gpu_of(
        "gpu.nvidia.com", "dyn-1", "gpu-1"
    )
