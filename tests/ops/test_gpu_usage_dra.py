"""gpu usage on GPUs run by Dynamic Resource Allocation (resource.k8s.io/v1): nodes that advertise
no nvidia.com/gpu, ResourceSlices the NVIDIA DRA driver publishes, ResourceClaims the scheduler
allocates. The objects are built the way upstream leaves them:

- ResourceSlice: NVIDIA/k8s-dra-driver-gpu 2240711 cmd/gpu-kubelet-plugin/driver.go (one pool
  named for the node), deviceinfo.go GpuInfo.Attributes (type=gpu, uuid), mig.go
  CommonAttributesMig (type=mig, parentUUID), deviceinfo.go/mig.go CanonicalName (gpu-0,
  gpu-0-mig-1g10gb-19-0); the kubelet plugin helper sets spec.nodeName and pool.generation.
- ResourceClaim: kubernetes/api resource/v1 types.go (ExactDeviceRequest with deviceClassName,
  AllocationResult.devices.results[] with driver, pool, device, request).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from akscli import errors
from akscli.gpu import usage as gpu_usage
from tests.cli import invoke
from tests.ops.test_gpu_usage import FakeKube, peak_bytes, price_of

A100 = "Standard_NC24ads_A100_v4"  # 1 GPU, 3.673 USD/hour in the test prices
BIG = "Standard_NC96ads_A100_v4"  # 4 GPUs, 14.692 USD/hour
DRIVER = "gpu.nvidia.com"


def dra_node(name: str, pool: str, vm: str) -> dict[str, Any]:
    """An AKS GPU node whose device plugin is off: GPU labels, no nvidia.com/gpu resource."""
    labels = {
        "kubernetes.azure.com/agentpool": pool,
        "kubernetes.azure.com/accelerator": "nvidia",
        "node.kubernetes.io/instance-type": vm,
        "topology.kubernetes.io/region": "eastus",
    }
    alloc = {"cpu": "24", "memory": "200Gi", "pods": "110"}
    return {"metadata": {"name": name, "labels": labels}, "status": {"capacity": alloc, "allocatable": alloc}}


def gpu_device(minor: int, node: str) -> dict[str, Any]:
    return {
        "name": f"gpu-{minor}",
        "attributes": {
            "type": {"string": "gpu"},
            "uuid": {"string": f"GPU-{node}-{minor}"},
            "productName": {"string": "NVIDIA A100 80GB PCIe"},
        },
        "capacity": {"memory": {"value": "80Gi"}},
    }


def mig_device(minor: int, node: str, placement: int) -> dict[str, Any]:
    return {
        "name": f"gpu-{minor}-mig-1g10gb-19-{placement}",
        "attributes": {
            "type": {"string": "mig"},
            "parentUUID": {"string": f"GPU-{node}-{minor}"},
            "profile": {"string": "1g.10gb"},
            "uuid": {"string": f"MIG-{node}-{minor}-{placement}"},
        },
    }


def resource_slice(node: str, devices: list[dict[str, Any]], generation: int = 1, index: int = 0) -> dict[str, Any]:
    return {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "ResourceSlice",
        "metadata": {"name": f"{node}-{DRIVER}-{index}"},
        "spec": {
            "driver": DRIVER,
            "nodeName": node,
            "pool": {"name": node, "generation": generation, "resourceSliceCount": 1},
            "devices": devices,
        },
    }


def claim(
    name: str, namespace: str, node: str | None, devices: list[str], device_class: str = "gpu.nvidia.com"
) -> dict[str, Any]:
    """A claim as the scheduler leaves it: allocated on ``node`` (or not yet, when None)."""
    request = {"name": "gpu", "exactly": {"deviceClassName": device_class, "count": max(len(devices), 1)}}
    obj: dict[str, Any] = {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "ResourceClaim",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"devices": {"requests": [request]}},
    }
    if node is not None:
        results = [{"request": "gpu", "driver": DRIVER, "pool": node, "device": d} for d in devices]
        obj["status"] = {
            "allocation": {
                "devices": {"results": results},
                "nodeSelector": {
                    "nodeSelectorTerms": [
                        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
                    ]
                },
            },
            "reservedFor": [{"resource": "pods", "name": f"{name}-pod", "uid": f"uid-{name}"}],
        }
    return obj


def whole_gpu_cluster(claims: list[dict[str, Any]]) -> FakeKube:
    return FakeKube(
        [dra_node("dra-0", "dra", BIG)],
        [],
        slices=[resource_slice("dra-0", [gpu_device(i, "dra-0") for i in range(4)])],
        claims=claims,
    )


def test_a_node_whose_gpus_are_published_by_dra_is_usable_not_billed_as_waste() -> None:
    usage = gpu_usage.measure(whole_gpu_cluster([]), price_of=price_of)
    (pool,) = usage.pools
    assert (pool.state, pool.sharing, pool.unit) == ("ok", "dra", "gpu")
    assert (pool.gpus, pool.allocatable, pool.idle) == (4, 4, 4)
    assert usage.totals["unusableGpus"] == 0


def test_gpus_allocated_to_claims_are_requested_in_the_claims_namespace() -> None:
    kube = whole_gpu_cluster([claim("train", "research", "dra-0", ["gpu-0", "gpu-1"])])
    usage = gpu_usage.measure(kube, price_of=price_of)
    (pool,) = usage.pools
    assert (pool.requested, pool.idle) == (2, 2)
    (ns,) = usage.namespaces
    assert (ns.namespace, ns.requested, ns.claims, ns.pods) == ("research", 2, 1, 0)
    assert ns.usd_per_hour == pytest.approx(14.692 * 2 / 4, abs=1e-4)


def test_a_claim_not_yet_allocated_is_pending() -> None:
    usage = gpu_usage.measure(whole_gpu_cluster([claim("wait", "serving", None, ["", ""])]), price_of=price_of)
    (ns,) = usage.namespaces
    assert (ns.pending, ns.requested, ns.claims) == (2, 0, 0)


def test_a_claim_for_a_pods_extended_resource_is_not_counted_twice() -> None:
    # KEP-5004: a pod asks for nvidia.com/gpu and the scheduler makes a claim for it, annotated.
    extended = claim("llm-extended-resources-x", "serving", "dra-0", ["gpu-0"])
    extended["metadata"]["annotations"] = {"resource.kubernetes.io/extended-resource-claim": "true"}
    pod = {
        "metadata": {"name": "llm", "namespace": "serving"},
        "spec": {"nodeName": "dra-0", "containers": [{"name": "c", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]},
        "status": {"phase": "Running"},
    }
    kube = whole_gpu_cluster([extended])
    kube.pods = [pod]
    (pool,) = gpu_usage.measure(kube, price_of=price_of).pools
    assert (pool.allocatable, pool.requested) == (4, 1)


def test_mig_devices_published_by_dra_are_slices_of_the_physical_gpus() -> None:
    devices = [mig_device(0, "mig-0", p) for p in range(7)] + [gpu_device(1, "mig-0")]
    kube = FakeKube(
        [dra_node("mig-0", "mig", "Standard_Unknown")],
        [],
        slices=[resource_slice("mig-0", devices)],
        claims=[claim("a", "search", "mig-0", ["gpu-0-mig-1g10gb-19-0", "gpu-0-mig-1g10gb-19-1"], "mig.nvidia.com")],
    )
    usage = gpu_usage.measure(kube, price_of=price_of)
    (pool,) = usage.pools
    assert (pool.sharing, pool.unit, pool.gpus, pool.allocatable, pool.requested) == ("dra-mig", "slice", 2, 8, 2)
    assert usage.namespaces[0].slices == 2


def test_only_a_pools_newest_generation_is_counted() -> None:
    old = resource_slice("dra-0", [gpu_device(i, "dra-0") for i in range(4)], generation=1, index=0)
    new = resource_slice("dra-0", [gpu_device(i, "dra-0") for i in range(3)], generation=2, index=1)
    kube = FakeKube([dra_node("dra-0", "dra", "Standard_Unknown")], [], slices=[old, new])
    (pool,) = gpu_usage.measure(kube, price_of=price_of).pools
    assert (pool.gpus, pool.allocatable) == (3, 3)


def test_a_gpu_partitionable_with_dynamic_mig_counts_as_one_whole_gpu() -> None:
    # DynamicMIG (partitions.go): the GPU and each MIG placement it could take, all consuming
    # the GPU's counters; they are alternatives, not eight units.
    devices = [gpu_device(0, "dyn-0"), *(mig_device(0, "dyn-0", p) for p in range(7))]
    for d in devices:
        d["consumesCounters"] = [{"counterSet": "gpu-0-counter-set", "counters": {"multiprocessors": {"value": "14"}}}]
    kube = FakeKube([dra_node("dyn-0", "dyn", A100)], [], slices=[resource_slice("dyn-0", devices)])
    (pool,) = gpu_usage.measure(kube, price_of=price_of).pools
    assert (pool.sharing, pool.unit, pool.gpus, pool.allocatable) == ("dra", "gpu", 1, 1)


def test_a_cluster_without_dra_is_not_asked_for_slices_or_claims() -> None:
    kube = FakeKube([dra_node("dra-0", "dra", BIG)], [])
    usage = gpu_usage.measure(kube, price_of=price_of)
    assert [kind for kind, _ in kube.calls] == ["Node", "Pod"]
    assert usage.totals["dra"] == "not served"


def test_dra_forbidden_is_said_and_the_rest_is_counted() -> None:
    class Forbidden(FakeKube):
        def list(self, api_version: str, kind: str, **kwargs: Any) -> Any:
            if kind == "ResourceClaim":
                raise errors.AuthError('resourceclaims.resource.k8s.io is forbidden: User "dev" cannot list')
            return super().list(api_version, kind, **kwargs)

    kube = Forbidden([dra_node("dra-0", "dra", BIG)], [], slices=[resource_slice("dra-0", [gpu_device(0, "dra-0")])])
    usage = gpu_usage.measure(kube, price_of=price_of)
    assert usage.totals["dra"] == "forbidden"
    assert usage.pools[0].state == "unusable"  # no slices counted without their claims
    assert "GPUs allocated by DRA not counted" in gpu_usage.summary(usage.totals, "2026-01")


def test_resource_slices_and_claims_are_read_in_pages() -> None:
    kube = whole_gpu_cluster([claim("train", "research", "dra-0", ["gpu-0"])])
    gpu_usage.measure(kube, price_of=price_of, page_size=250)
    pages = {kind: kw["page_size"] for kind, kw in kube.calls}
    assert pages["ResourceSlice"] == 250 and pages["ResourceClaim"] == 250


def test_memory_does_not_grow_with_the_number_of_claims() -> None:
    def cluster(claims: int) -> FakeKube:
        nodes = [f"dra-{i}" for i in range(500)]

        def make_claims() -> Any:
            for i in range(claims):
                yield claim(f"c{i}", f"ns{i % 50}", nodes[i % 500], [f"gpu-{i % 4}"])

        return FakeKube(
            lambda: (dra_node(n, "dra", BIG) for n in nodes),  # type: ignore[arg-type]
            [],
            slices=lambda: (resource_slice(n, [gpu_device(g, n) for g in range(4)]) for n in nodes),  # type: ignore[arg-type]
            claims=make_claims,  # type: ignore[arg-type]
        )

    small, large = peak_bytes(cluster(1000)), peak_bytes(cluster(20000))
    # Twenty times the claims: claims are counted, not kept.
    assert large < small * 1.5, (small, large)


# ---- end to end: the CLI against the emulator --------------------------------------------------


def test_gpu_usage_counts_dra_gpus_from_the_emulator(kube_emulator: Any, kubeconfig: Any) -> None:
    cluster = kube_emulator.cluster
    node = dra_node("dra-0", "dra", BIG)
    cluster.create({"apiVersion": "v1", "kind": "Node", "metadata": node["metadata"]})
    cluster.patch_status("v1", "Node", None, "dra-0", node["status"])
    cluster.create(resource_slice("dra-0", [gpu_device(i, "dra-0") for i in range(4)]))
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "research"}})
    allocated = claim("train", "research", "dra-0", ["gpu-0", "gpu-1", "gpu-2"])
    status = allocated.pop("status")
    cluster.create(allocated)
    cluster.patch_status("resource.k8s.io/v1", "ResourceClaim", "research", "train", status)

    result = invoke("gpu", "usage", "-o", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    (pool,) = data["pools"]
    assert (pool["sharing"], pool["gpus"], pool["allocatable"], pool["requested"], pool["idle"]) == ("dra", 4, 4, 3, 1)
    assert data["namespaces"][0]["claims"] == 1
    assert data["totals"]["dra"] == "read"
