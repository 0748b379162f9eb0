"""A Ray worker's object store and task memory fit inside its pod's memory limit.

KubeRay passes the container's memory limit to ``ray start --memory`` and mounts /dev/shm as a
memory-backed emptyDir of that size (upstream: ray-project/kuberay v1.7.0
ray-operator/controllers/ray/common/pod.go generateRayStartCommand, addEmptyDir). Ray puts 30% of
the memory it finds in its object store (ray-project/ray ray-2.52.0 python/ray/_private/ray_constants.py
DEFAULT_OBJECT_STORE_MEMORY_PROPORTION; resource_and_label_spec.py _resolve_memory_resources) and
refuses a store under 75 MiB (OBJECT_STORE_MINIMUM_MEMORY_BYTES; services.py
determine_plasma_store_config).
"""

from __future__ import annotations

import pytest

from akscli import ray, validate
from akscli.errors import UsageError


def _t4_worker() -> dict[str, object]:
    group = ray.sized_for(ray.worker_group("gpu", replicas=1, gpu=1), "Standard_NC4as_T4_v3")
    spec = ray.ClusterSpec(name="t4", namespace="ml", groups=(group,))
    worker: dict[str, object] = ray.render_cluster(spec)["spec"]["workerGroupSpecs"][0]
    return worker


def test_a_t4_workers_task_memory_and_object_store_add_up_to_its_memory_limit() -> None:
    worker = _t4_worker()
    limit = worker["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"]  # type: ignore[index]
    params = worker["rayStartParams"]
    assert int(params["memory"]) + int(params["object-store-memory"]) == int(validate.quantity_value(limit))  # type: ignore[index]


def test_a_t4_workers_object_store_is_rays_thirty_percent_of_the_limit() -> None:
    worker = _t4_worker()
    limit = int(validate.quantity_value(worker["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"]))  # type: ignore[index]
    assert int(worker["rayStartParams"]["object-store-memory"]) == int(limit * 0.3)  # type: ignore[index]


def test_a_worker_too_small_for_rays_smallest_object_store_is_refused() -> None:
    with pytest.raises(UsageError, match=r"at least 256Mi \(its object store, 30% of the pod's memory"):
        ray.resources("1", "200Mi", 0, "worker")


def test_the_smallest_worker_akscli_takes_gets_an_object_store_ray_starts() -> None:
    params = ray.worker_memory_params("256Mi")
    assert int(params["object-store-memory"]) >= 75 * 1024 * 1024


# The head. KubeRay gives the head the same --memory as a worker (pod.go generateRayStartCommand),
# so a head that runs tasks needs the same split; a head beside workers runs none (num-cpus 0).


def _head(*groups: ray.WorkerGroup) -> dict[str, object]:
    spec = ray.ClusterSpec(name="solo", namespace="ml", groups=groups)
    head: dict[str, object] = ray.render_cluster(spec)["spec"]["headGroupSpec"]
    return head


def test_a_head_only_clusters_head_splits_its_memory_limit_as_a_worker_does() -> None:
    params = _head()["rayStartParams"]
    assert params == {"dashboard-host": "0.0.0.0", **ray.worker_memory_params("8Gi")}


def test_a_cluster_whose_only_group_has_max_zero_runs_its_tasks_on_the_head() -> None:
    params = _head(ray.worker_group("w", replicas=0))["rayStartParams"]
    assert "num-cpus" not in params  # type: ignore[operator]
    assert params["object-store-memory"] == ray.worker_memory_params("8Gi")["object-store-memory"]  # type: ignore[index]


def test_a_head_beside_a_group_that_can_scale_up_runs_no_tasks_and_keeps_kuberays_memory() -> None:
    params = _head(ray.worker_group("w", replicas=0, max_replicas=4))["rayStartParams"]
    assert params == {"dashboard-host": "0.0.0.0", "num-cpus": "0"}
