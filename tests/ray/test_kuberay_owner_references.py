"""The references KubeRay puts on what it makes: every one comes from ctrl.SetControllerReference,
so it names the owner as controller and blocks the owner's foreground deletion.

upstream: ray-project/kuberay ray-operator/controllers/ray/raycluster_controller.go (createHeadPod,
createWorkerPod, createService), rayjob_controller.go (constructRayClusterForRayJob, the job head
Service), rayservice_controller.go (constructRayClusterForRayService, the serve Service);
kubernetes-sigs/controller-runtime pkg/controller/controllerutil/controllerutil.go
SetControllerReference (Controller and BlockOwnerDeletion both true).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.ray.conftest import akscli
from tests.ray.test_cli_cluster import ray_pods
from tests.ray.test_cli_job import job, submit
from tests.ray.test_cli_service import serve_file  # noqa: F401  (the fixture)

RAY = "ray.io/v1"


def reference(obj: dict[str, Any]) -> dict[str, Any]:
    refs = obj["metadata"]["ownerReferences"]
    assert len(refs) == 1
    return dict(refs[0])


def assert_controls(obj: dict[str, Any], owner: dict[str, Any]) -> None:
    ref = reference(obj)
    md = owner["metadata"]
    assert (ref["kind"], ref["name"], ref["uid"]) == (owner["kind"], md["name"], md["uid"])
    assert ref["controller"] is True
    assert ref["blockOwnerDeletion"] is True


def test_a_clusters_pods_and_head_service_block_its_foreground_deletion(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert akscli("ray cluster create demo --worker-replicas 1 --wait --timeout 20s").exit_code == 0
    rc = emu.cluster.get(RAY, "RayCluster", "default", "demo")
    pods = ray_pods(emu, "demo")
    assert {p["metadata"]["labels"]["ray.io/node-type"] for p in pods} == {"head", "worker"}
    for pod in pods:
        assert_controls(pod, rc)
    assert_controls(emu.cluster.get("v1", "Service", "default", "demo-head-svc"), rc)


def test_a_jobs_cluster_and_job_head_service_block_its_foreground_deletion(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert submit("train", "--keep-cluster", "--wait", "--timeout", "30s").exit_code == 0
    owner = job(emu, "train")
    rc = emu.cluster.get(RAY, "RayCluster", "default", owner["status"]["rayClusterName"])
    assert_controls(rc, owner)
    assert_controls(emu.cluster.get("v1", "Service", "default", "train-head-svc"), owner)


def test_a_services_cluster_and_serve_service_block_its_foreground_deletion(
    ray_emulator: Callable[..., Any],
    serve_file: Path,  # noqa: F811
) -> None:
    emu = ray_emulator()
    assert akscli("ray service deploy llm -f {} --wait --timeout 20s", serve_file).exit_code == 0
    owner = emu.cluster.get(RAY, "RayService", "default", "llm")
    rc = emu.cluster.get(RAY, "RayCluster", "default", owner["status"]["activeServiceStatus"]["rayClusterName"])
    assert_controls(rc, owner)
    assert_controls(emu.cluster.get("v1", "Service", "default", "llm-serve-svc"), owner)
