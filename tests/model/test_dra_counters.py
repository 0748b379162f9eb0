"""DynamicMIG placements of one GPU overlap: each consumes the GPU's memory slices from the pool's
shared counter set, so two placements that need the same slice cannot both be allocated
(KEP-4815; upstream: NVIDIA/k8s-dra-driver-gpu 22407113 cmd/gpu-kubelet-plugin/partitions.go
PartSharedCounterSets, PartConsumesCounters: one counter per memory slice, capacity 1). The DRA
fit counts the devices of the mapped class that can be allocated at once (akscli.gpu.held)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from akscli.gpu import dra_classes
from akscli.gpu import held as gpu_held
from tests.model.test_dra_cel import MIG
from tests.ops.test_gpu_usage_dra import claim, gpu_device, mig_device, resource_slice

NODE = "a100-0"
SET = "gpu-0-counter-set"
MIG_CLASS = {
    "metadata": {"name": "mig.nvidia.com", "creationTimestamp": "2026-01-01T00:00:00Z"},
    "spec": {
        "selectors": [{"cel": {"expression": MIG}}],
        "extendedResourceName": "nvidia.com/gpu",
    },
}


def consuming(device: dict[str, Any], first: int, count: int) -> dict[str, Any]:
    counters = {f"memory-slice-{i}": {"value": "1"} for i in range(first, first + count)}
    return {**device, "consumesCounters": [{"counterSet": SET, "counters": counters}]}


def placement(name: str, first: int, count: int) -> dict[str, Any]:
    device = mig_device(0, NODE, first)
    return consuming({**device, "name": name}, first, count)


def dynamic_mig_slice() -> dict[str, Any]:
    """One GPU of 8 memory slices, and three placements: 4g at 0, 4g at 4, 7g at 0."""
    devices = [
        consuming(gpu_device(0, NODE), 0, 8),
        placement("gpu-0-mig-4g-0", 0, 4),
        placement("gpu-0-mig-4g-4", 4, 4),
        placement("gpu-0-mig-7g-0", 0, 8),
    ]
    item = resource_slice(NODE, devices)
    item["spec"]["sharedCounters"] = [
        {"name": SET, "counters": {f"memory-slice-{i}": {"value": "1"} for i in range(8)}}
    ]
    return item


class Cluster:
    """Serves one node's slice and its claims by name (what gpu_held.dra_gpus reads)."""

    def __init__(self, claims: list[dict[str, Any]]) -> None:
        self.claims = {(c["metadata"]["namespace"], c["metadata"]["name"]): c for c in claims}

    def has_api(self, api_version: str, kind: str) -> bool:
        return True

    def list(self, api_version: str, kind: str, **_: Any) -> Iterator[dict[str, Any]]:
        yield dynamic_mig_slice()

    def get(self, api_version: str, kind: str, name: str, namespace: str) -> dict[str, Any] | None:
        return self.claims.get((namespace, name))


def pod_holding(claim_name: str) -> dict[str, Any]:
    return {
        "metadata": {"name": "tune", "namespace": "team-a"},
        "spec": {"nodeName": NODE, "resourceClaims": [{"name": "gpu", "resourceClaimName": claim_name}]},
        "status": {"phase": "Running"},
    }


def dra_gpus(claims: list[dict[str, Any]], pods: list[dict[str, Any]]) -> gpu_held.DraGpus | None:
    classes = dra_classes.mapping([MIG_CLASS])
    return gpu_held.dra_gpus(Cluster(claims), NODE, pods, classes)  # type: ignore[arg-type]


def test_overlapping_placements_count_as_many_as_fit_at_once() -> None:
    # Before: all three placements counted (4g, 4g and 7g of one GPU).
    assert dra_gpus([], []) == gpu_held.DraGpus(published=2, held=0)


def test_a_placement_held_takes_the_memory_slices_the_others_need() -> None:
    # 4g at 0 allocated: 4g at 4 still fits, 7g at 0 does not. Before: both counted as free.
    held = claim("tune-gpu", "team-a", NODE, ["gpu-0-mig-4g-0"], "mig.nvidia.com")
    got = dra_gpus([held], [pod_holding("tune-gpu")])
    assert got is not None
    assert got.free == 1
