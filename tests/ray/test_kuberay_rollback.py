"""A RayService incremental upgrade that rolls back, as ray-project/kuberay v1.7.0 writes it
(ray-operator/controllers/ray/rayservice_controller.go reconcileRollbackState, calculateConditions;
apis/ray/v1/rayservice_types.go): RollbackInProgress=True (DesiredClusterSpecChanged) beside
UpgradeInProgress=True while traffic moves back to the active cluster. Hand-written statuses: the
KubeRay simulator does not run incremental upgrades (no Gateway API HTTPRoute weights)."""

from __future__ import annotations

from typing import Any

from akscli import ray
from akscli.kube.readiness.kuberay import ray_service

ROLLING_BACK = "Goal state reverted to original cluster, rolling back."


def rolling_back_service() -> dict[str, Any]:
    def cond(kind: str, reason: str, message: str) -> dict[str, Any]:
        return {"type": kind, "status": "True", "reason": reason, "message": message}

    return {
        "metadata": {"name": "llm", "namespace": "default", "generation": 3},
        "spec": {"upgradeStrategy": {"type": "NewClusterWithIncrementalUpgrade"}},
        "status": {
            "observedGeneration": 3,
            "numServeEndpoints": 2,
            "conditions": [
                cond("Ready", "NonZeroServeEndpoints", "Number of serve endpoints is greater than 0"),
                cond(
                    "UpgradeInProgress", "BothActivePendingClustersExist", "Both active and pending Ray clusters exist"
                ),
                cond("RollbackInProgress", "DesiredClusterSpecChanged", ROLLING_BACK),
            ],
            "activeServiceStatus": {"rayClusterName": "llm-a", "trafficRoutedPercent": 70, "targetCapacity": 100},
            "pendingServiceStatus": {"rayClusterName": "llm-b", "trafficRoutedPercent": 30, "targetCapacity": 30},
        },
    }


def test_a_service_rolling_back_is_not_ready_and_the_wait_names_the_rollback() -> None:
    verdict = ray_service(rolling_back_service())
    assert not verdict.ready and not verdict.failed
    assert verdict.message.startswith(f"RollbackInProgress=True (DesiredClusterSpecChanged): {ROLLING_BACK}")


def test_ray_service_status_shows_the_rollback_and_the_traffic_split() -> None:
    summary = ray.service_summary(rolling_back_service(), [])
    rows = dict(ray.service_summary_fields(summary, []))
    assert rows["rollback"] == ROLLING_BACK
    assert rows["traffic"] == "active 70% of traffic (capacity 100%), pending 30% of traffic (capacity 30%)"


def test_a_finished_rollback_is_ready_again() -> None:
    # the RollbackInProgress branch: the condition removed, UpgradeInProgress False/NoPendingCluster
    service = rolling_back_service()
    status = service["status"]
    upgrade_done = {"type": "UpgradeInProgress", "status": "False", "reason": "NoPendingCluster"}
    status["conditions"] = [status["conditions"][0], upgrade_done]
    status["pendingServiceStatus"] = {}
    assert ray_service(service).ready
    assert "rollback" not in dict(ray.service_summary_fields(ray.service_summary(service, []), []))
