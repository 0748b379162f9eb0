"""akscli.kube.resources: a pod's requests and a node's room as kube-scheduler counts them
(upstream: kubernetes/kubernetes staging/src/k8s.io/component-helpers/resource/helpers.go
PodRequests; pkg/scheduler/framework/types.go Resource.Add; pkg/scheduler/framework/plugins/
noderesources/fit.go fitsRequest)."""

from __future__ import annotations

from akscli.kube import resources


def asking(**requests: str) -> dict[str, object]:
    return {"name": "c", "resources": {"requests": requests}}


def test_cpu_is_counted_in_millicores_rounded_up() -> None:
    pod = {"containers": [asking(cpu="500m"), asking(cpu="0.0001")]}
    assert resources.pod_requests(pod) == {"cpu": 501}


def test_memory_is_counted_in_bytes() -> None:
    assert resources.pod_requests({"containers": [asking(memory="1Gi")]}) == {"memory": 2**30}


def test_pod_level_requests_replace_the_containers_cpu_and_memory() -> None:
    # helpers.go applyPodLevelResources: cpu, memory and hugepages-* only.
    pod = {
        "resources": {"requests": {"cpu": "2", "memory": "1Gi"}},
        "containers": [asking(cpu="1", memory="512Mi", **{"example.com/dev": "1"})],
    }
    assert resources.pod_requests(pod) == {"cpu": 2000, "memory": 2**30, "example.com/dev": 1}


def test_a_resource_the_scheduler_does_not_count_is_dropped() -> None:
    # Resource.Add keeps cpu, memory, ephemeral-storage and scalar resources only.
    assert resources.pod_requests({"containers": [asking(storage="1Gi", cpu="1")]}) == {"cpu": 1000}


def test_an_extended_resource_the_node_lacks_is_insufficient_by_name() -> None:
    node = {"status": {"allocatable": {"cpu": "8", "memory": "64Gi", "pods": "110"}}}
    need = resources.pod_requests({"containers": [asking(**{"rdma/rdma_shared_device_a": "1"})]})
    assert resources.insufficient(need, resources.allocatable(node), {}, 0) == [
        "Insufficient rdma/rdma_shared_device_a"
    ]


def test_reasons_come_in_the_schedulers_order() -> None:
    node = {"status": {"allocatable": {"cpu": "1", "memory": "1Gi", "pods": "1", "nvidia.com/gpu": "0"}}}
    need = resources.pod_requests({"containers": [asking(**{"nvidia.com/gpu": "1", "memory": "2Gi", "cpu": "2"})]})
    assert resources.insufficient(need, resources.allocatable(node), {}, 1) == [
        "Too many pods",
        "Insufficient cpu",
        "Insufficient memory",
        "Insufficient nvidia.com/gpu",
    ]


def test_a_node_without_a_pod_limit_takes_no_pod() -> None:
    # NodeInfo.Allocatable.AllowedPodNumber is 0 where status.allocatable has no pods.
    assert resources.insufficient({}, resources.allocatable({"status": {"allocatable": {}}}), {}, 0) == [
        "Too many pods"
    ]
