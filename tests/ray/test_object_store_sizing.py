"""A Ray worker's object store and task memory fit inside its pod's memory limit.

KubeRay passes the container's memory limit to ``ray start --memory`` and mounts /dev/shm as a
memory-backed emptyDir of that size (upstream: ray-project/kuberay v1.7.0
ray-operator/controllers/ray/common/pod.go generateRayStartCommand, addEmptyDir). Ray puts 30% of
the memory it finds in its object store (ray-project/ray python/ray/_private/ray_constants.py
DEFAULT_OBJECT_STORE_MEMORY_PROPORTION; resource_spec.py ResourceSpec.resolve) and refuses a store
under 75 MiB (OBJECT_STORE_MINIMUM_MEMORY_BYTES; services.py determine_plasma_store_config).
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
