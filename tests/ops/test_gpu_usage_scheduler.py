"""gpu usage counts what the scheduler counts: sidecar init containers, pod overhead, and the
``.shared`` resources the NVIDIA device plugin advertises when time-slicing renames them."""

from __future__ import annotations

from typing import Any

from akscli.gpu import devices as gpus
from akscli.gpu import usage as gpu_usage
from tests.ops.test_gpu_usage import FakeKube, price_of
from tests.ops.test_gpu_usage_real_clusters import A100, mig_pod, node, pools


def gpu_container(name: str, n: int, resource: str = "nvidia.com/gpu", **extra: Any) -> dict[str, Any]:
    return {"name": name, "resources": {"limits": {resource: str(n)}}, **extra}


def spec_pod(spec: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"name": "p", "namespace": "ns"}, "spec": spec, "status": {"phase": "Running"}}


def test_a_sidecar_init_container_adds_its_gpus_to_the_app_containers() -> None:
    # upstream: kubernetes/kubernetes component-helpers/resource/helpers.go AggregateContainerRequests
    pod = spec_pod(
        {
            "initContainers": [gpu_container("sidecar", 1, restartPolicy="Always")],
            "containers": [gpu_container("app", 2)],
        }
    )
    assert gpu_usage.pod_gpus(pod) == 3


def test_an_init_step_counts_the_sidecars_started_before_it() -> None:
    pod = spec_pod(
        {
            "initContainers": [gpu_container("sidecar", 1, restartPolicy="Always"), gpu_container("warmup", 2)],
            "containers": [gpu_container("app", 1)],
        }
    )
    # app phase: 1 + 1 sidecar = 2; warmup step: 2 + 1 sidecar = 3.
    assert gpu_usage.pod_gpus(pod) == 3


def test_pod_overhead_of_a_gpu_resource_is_added() -> None:
    pod = spec_pod({"containers": [gpu_container("app", 1)], "overhead": {"nvidia.com/gpu": "1", "cpu": "250m"}})
    assert gpu_usage.pod_gpus(pod) == 2


def test_a_renamed_time_sliced_node_is_usable_and_counted_in_slices() -> None:
    # upstream: NVIDIA/k8s-device-plugin api/config/v1/resources.go DefaultSharedRename (renameByDefault)
    shared = node("ts-0", "ts", A100, {"nvidia.com/gpu.shared": 4})
    facts = gpus.read(shared)
    assert (facts.allocatable, facts.sharing, facts.physical, facts.unusable) == (4, gpus.SHARED, 1, False)
    usage = gpu_usage.measure(
        FakeKube([shared], [mig_pod("p", "ns", "ts-0", "nvidia.com/gpu.shared", 1)]), price_of=price_of
    )
    pool = pools(usage)[("ts", "ok")]
    assert (pool.unit, pool.allocatable, pool.requested, pool.idle) == ("slice", 4, 1, 3)
    assert usage.namespaces[0].slices == 1
