"""More of KubeRay v1.7.0's validation, as the simulator applies it and akscli shows it: GCS fault
tolerance backends, K8s token auth, RayJob deletion strategies and runtime env, RayService
incremental upgrades.

upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
(validateGcsFaultToleranceBackend, ValidateRayClusterSpec's auth rules, validateDeletionConfiguration,
ValidateRayJobSpec, ValidateRayServiceSpec, ValidateClusterUpgradeOptions); pkg/features/features.go
for the gates' defaults.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_cli_job import job
from tests.ray.test_kuberay_validation import cluster_spec, events

RAY = "ray.io/v1"


def create_cluster(emu: Any, name: str, **spec: Any) -> None:
    """A RayCluster as kubectl would create it (akscli's own `-f` refuses what KubeRay refuses)."""
    meta = {"name": name, "namespace": "default"}
    emu.cluster.create({"apiVersion": RAY, "kind": "RayCluster", "metadata": meta, "spec": cluster_spec(0, 2) | spec})


def cluster_status(name: str) -> str:
    shown = invoke("ray", "cluster", "status", name)
    assert shown.exit_code == 0, shown
    return shown.stdout


def refused_job(emu: Any, name: str, **spec: Any) -> str:
    body = {"entrypoint": "python x.py", "rayClusterSpec": cluster_spec(0, 2)} | spec
    emu.cluster.create(
        {"apiVersion": RAY, "kind": "RayJob", "metadata": {"name": name, "namespace": "default"}, "spec": body}
    )
    wait_until(lambda: (job(emu, name).get("status") or {}).get("jobDeploymentStatus") == "ValidationFailed")
    shown = json.loads(invoke("ray", "job", "status", name, "-o", "json").stdout)
    message: str = shown["message"]
    return message


def test_gcs_ft_storage_with_the_redis_backend_is_refused(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    create_cluster(emu, "ft", gcsFaultToleranceOptions={"redisAddress": "redis:6379", "storage": {"size": "1Gi"}})
    wait_until(lambda: bool(events(emu, "InvalidRayClusterSpec")))
    assert "cannot set GcsFaultToleranceOptions.Storage when backend is 'redis'" in cluster_status("ft")


def test_the_rocksdb_gcs_ft_backend_needs_its_feature_gate(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    create_cluster(emu, "rocks", gcsFaultToleranceOptions={"backend": "rocksdb"})
    wait_until(lambda: bool(events(emu, "InvalidRayClusterSpec")))
    assert "requires the GCSFaultToleranceEmbeddedStorage feature gate to be enabled" in cluster_status("rocks")


def test_k8s_token_auth_needs_ray_2_55(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    auth = {"mode": "token", "enableK8sTokenAuth": True}
    create_cluster(emu, "auth", rayVersion="2.52.0", authOptions=auth)
    wait_until(lambda: bool(events(emu, "InvalidRayClusterSpec")))
    assert "authOptions.enableK8sTokenAuth is enabled but minimum Ray version is 2.55.0, got 2.52.0" in cluster_status(
        "auth"
    )


def test_deletion_rules_with_shutdown_after_finish_fail_validation(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    rules = [{"condition": {"jobStatus": "SUCCEEDED"}, "policy": "DeleteCluster"}]
    message = refused_job(emu, "both", shutdownAfterJobFinishes=True, deletionStrategy={"deletionRules": rules})
    assert message == (
        "The RayJob spec is invalid: spec.shutdownAfterJobFinishes and spec.deletionStrategy.deletionRules "
        "are mutually exclusive"
    )


def test_deletion_rules_that_delete_the_job_before_its_cluster_fail_validation(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    rules = [
        {"condition": {"jobStatus": "FAILED", "ttlSeconds": 60}, "policy": "DeleteCluster"},
        {"condition": {"jobStatus": "FAILED", "ttlSeconds": 10}, "policy": "DeleteSelf"},
    ]
    message = refused_job(emu, "order", deletionStrategy={"deletionRules": rules})
    assert message == "for JobStatus 'FAILED': DeleteSelf TTL (10) must be >= DeleteCluster TTL (60)"


def test_a_runtime_env_that_is_not_a_mapping_fails_validation(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    message = refused_job(emu, "envlist", runtimeEnvYAML="- pip\n- numpy\n")
    assert message.startswith("failed to unmarshal RuntimeEnvYAML: - pip")


def test_an_incremental_upgrade_without_autoscaling_fails_validation(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator()
    emu.cluster.create(
        {
            "apiVersion": RAY,
            "kind": "RayService",
            "metadata": {"name": "inc", "namespace": "default"},
            "spec": {
                "serveConfigV2": "applications: []",
                "rayClusterConfig": cluster_spec(0, 2),
                "upgradeStrategy": {
                    "type": "NewClusterWithIncrementalUpgrade",
                    "clusterUpgradeOptions": {
                        "gatewayClassName": "istio",
                        "stepSizePercent": 10,
                        "intervalSeconds": 30,
                    },
                },
            },
        }
    )
    wait_until(lambda: bool(events(emu, "InvalidRayServiceSpec")))
    shown = json.loads(invoke("ray", "service", "status", "inc", "-o", "json").stdout)
    assert (
        shown["message"]
        == "The RayService spec is invalid: Ray Autoscaler is required for NewClusterWithIncrementalUpgrade"
    )


def test_suspended_groups_count_toward_neither_min_nor_max_workers(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    spec = cluster_spec(1, 3)
    spare = json.loads(json.dumps(spec["workerGroupSpecs"][0])) | {"groupName": "spare", "suspend": True}
    create_cluster(emu, "susp", workerGroupSpecs=[spec["workerGroupSpecs"][0], spare])
    wait_until(lambda: bool(emu.cluster.get(RAY, "RayCluster", "default", "susp").get("status")))
    status = emu.cluster.get(RAY, "RayCluster", "default", "susp")["status"]
    assert (status["minWorkerReplicas"], status["maxWorkerReplicas"]) == (1, 3)
