"""RayCluster specs KubeRay v1.7.0 refuses, and what akscli says about them.

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
ValidateRayClusterSpec (called by raycluster_controller.go rayClusterReconcile, ValidateRayJobSpec
and ValidateRayServiceSpec).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job

RAY = "ray.io/v1"


def events(emu: Any, reason: str) -> list[dict[str, Any]]:
    return [e for e in emu.cluster.list("v1", "Event") if e.get("reason") == reason]


def cluster_spec(min_replicas: int, max_replicas: int) -> dict[str, Any]:
    group: dict[str, Any] = {
        "groupName": "g",
        "replicas": 1,
        "rayStartParams": {},
        "template": {"spec": {"containers": [{"name": "ray-worker", "image": "rayproject/ray:2.52.0"}]}},
    }
    # The CRD defaults both (minReplicas 0, maxReplicas 2147483647): ValidateRayClusterSpec's
    # "must set both" never fires through the API server.
    group["minReplicas"], group["maxReplicas"] = min_replicas, max_replicas
    head = {"name": "ray-head", "image": "rayproject/ray:2.52.0"}
    return {
        "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [head]}}},
        "workerGroupSpecs": [group],
    }


def test_a_cluster_kuberay_refuses_is_explained_by_status(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    meta = {"name": "bad", "namespace": "default"}
    emu.cluster.create({"apiVersion": RAY, "kind": "RayCluster", "metadata": meta, "spec": cluster_spec(3, 1)})
    wait_until(lambda: bool(events(emu, "InvalidRayClusterSpec")))
    assert not emu.cluster.get(RAY, "RayCluster", "default", "bad").get("status")
    result = invoke("ray", "cluster", "status", "bad")
    assert result.exit_code == 0, result
    assert "InvalidRayClusterSpec" in result.stdout
    assert "worker group g has minReplicas 3 greater than maxReplicas 1" in result.stdout


def test_a_refused_update_of_a_running_cluster_is_explained_by_status(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    assert invoke("ray", "cluster", "create", "live", "--wait", "--timeout", "20s").exit_code == 0
    rc = emu.cluster.get(RAY, "RayCluster", "default", "live")
    group = rc["spec"]["workerGroupSpecs"][0]
    group["rayStartParams"] = {"num-gpus": "1"}
    group["resources"] = {"GPU": "1"}
    emu.cluster.update(rc)
    wait_until(lambda: bool(events(emu, "InvalidRayClusterSpec")))
    result = invoke("ray", "cluster", "status", "live")
    assert result.exit_code == 0, result
    assert "InvalidRayClusterSpec" in result.stdout
    assert "should not be set in both rayStartParams and Resources" in result.stdout


def test_a_job_whose_cluster_spec_kuberay_refuses_fails_validation(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayJob",
            "metadata": {"name": "nobounds", "namespace": "default"},
            "spec": {"entrypoint": "python x.py", "rayClusterSpec": cluster_spec(2, 1)},
        }
    )
    wait_until(lambda: (job(emu, "nobounds").get("status") or {}).get("jobDeploymentStatus") == "ValidationFailed")
    assert job(emu, "nobounds")["status"]["message"] == (
        "The RayJob spec is invalid: worker group g has minReplicas 2 greater than maxReplicas 1"
    )
    assert events(emu, "InvalidRayJobSpec")


def test_a_service_whose_cluster_spec_kuberay_refuses_fails_validation(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    spec = cluster_spec(0, 2)
    spec["enableInTreeAutoscaling"] = True
    spec["autoscalerOptions"] = {"version": "v2"}
    spec["headGroupSpec"]["template"]["spec"]["restartPolicy"] = "Always"
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayService",
            "metadata": {"name": "svc", "namespace": "default"},
            "spec": {"serveConfigV2": "applications: []", "rayClusterConfig": spec},
        }
    )
    wait_until(lambda: bool(events(emu, "InvalidRayServiceSpec")))
    shown = json.loads(invoke("ray", "service", "status", "svc", "-o", "json").stdout)
    assert shown["reason"] == "ValidationFailed"
    assert shown["message"] == (
        "The RayService spec is invalid: restartPolicy for head Pod should be Never or unset when using autoscaler V2"
    )


def test_a_fixed_service_is_not_reported_failed_by_its_earlier_refusal(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    # Pods never start here (image-pull), so Ready stays False/ValidationFailed from generation 1
    # after KubeRay accepts generation 2, as rayservice_controller.go calculateConditions leaves it.
    emu = ray_emulator(failure="image-pull")
    spec = cluster_spec(2, 1)
    spec["workerGroupSpecs"][0]["groupName"] = "default-group"
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayService",
            "metadata": {"name": "svc", "namespace": "default"},
            "spec": {"serveConfigV2": "applications: []", "rayClusterConfig": spec},
        }
    )
    wait_until(lambda: bool(events(emu, "InvalidRayServiceSpec")))
    serve = tmp_path / "serve.yaml"
    serve.write_text("applications:\n- name: llm\n  import_path: serve_llm:app\n")
    fixed = invoke("ray", "service", "deploy", "svc", "-f", str(serve), "--force-conflicts")
    assert fixed.exit_code == 0, fixed

    def accepted() -> bool:
        svc = emu.cluster.get(RAY, "RayService", "default", "svc")
        return (svc.get("status") or {}).get("observedGeneration") == svc["metadata"]["generation"]

    wait_until(accepted)
    shown = json.loads(invoke("ray", "service", "status", "svc", "-o", "json").stdout)
    assert shown["reason"] == "ValidationFailed"  # KubeRay's condition, shown as it is
    assert not [p for p in shown["problems"] if "ValidationFailed" in p["message"] or p["reason"] == "Failed"]


def test_a_cluster_file_kuberay_refuses_is_refused_before_it_is_sent(
    ray_emulator: Callable[..., Any], tmp_path: Path
) -> None:
    emu = ray_emulator()
    path = tmp_path / "rc.yaml"
    path.write_text(json.dumps({"apiVersion": RAY, "kind": "RayCluster", "spec": cluster_spec(3, 1)}))
    result = invoke("ray", "cluster", "create", "bad", "-f", str(path), "--wait", "--timeout", "20s")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        f"error: -f: {path}: KubeRay refuses this RayCluster spec: worker group g has minReplicas 3 greater than "
        "maxReplicas 1"
    )
    assert emu.cluster.get(RAY, "RayCluster", "default", "bad") is None


def test_a_gpu_group_with_num_gpus_and_group_resources_is_refused(tmp_path: Path) -> None:
    # validateRayGroupResources: rayStartParams resources and the group's resources field are one
    # or the other; KubeRay derives num-gpus from nvidia.com/gpu limits itself (common/pod.go
    # addWellKnownAcceleratorResources).
    spec = cluster_spec(0, 2)
    spec["workerGroupSpecs"][0] |= {"rayStartParams": {"num-gpus": "1"}, "resources": {"nvidia.com/gpu": "1"}}
    path = tmp_path / "rc.yaml"
    path.write_text(json.dumps({"apiVersion": RAY, "kind": "RayCluster", "spec": spec}))
    result = invoke("ray", "cluster", "create", "gpu", "-f", str(path), "--dry-run=client")
    assert result.exit_code == 2, result
    assert "should not be set in both rayStartParams and Resources for g group" in result.stderr


def test_akscli_rendered_clusters_pass_kuberays_rules_as_files(tmp_path: Path) -> None:
    flags = [
        ["--worker-gpu", "1", "--head-gpu", "1"],
        ["--worker-min", "0", "--worker-max", "4", "--autoscaler", "v2"],
        ["--worker-group", "name=a,gpu=2", "--worker-group", "name=b,min=0,max=3"],
    ]
    for extra in flags:
        rendered = invoke("ray", "cluster", "create", "own", "--dry-run=client", "-o", "json", *extra)
        assert rendered.exit_code == 0, rendered
        path = tmp_path / "rc.json"
        path.write_text(rendered.stdout)
        again = invoke("ray", "cluster", "create", "own", "-f", str(path), "--dry-run=client")
        assert again.exit_code == 0, (extra, again)
