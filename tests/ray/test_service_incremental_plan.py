"""The plan of a change to a serving RayService whose upgradeStrategy is
NewClusterWithIncrementalUpgrade says what KubeRay does: a new cluster beside the serving one, Serve
target_capacity raised by maxSurgePercent, traffic moved by stepSizePercent every intervalSeconds
through the HTTPRoute's weights, the old cluster deleted after the switch (upstream:
ray-project/kuberay feeaf72f ray-operator/controllers/ray/rayservice_controller.go
calculateTrafficRoutedPercent, reconcileServeTargetCapacity, reconcilePromotionAndServingStatus)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.ray.service_plan import incremental_steps, plan_notes

CLUSTER = {
    "enableInTreeAutoscaling": True,
    "headGroupSpec": {"template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.52.0"}]}}},
    "workerGroupSpecs": [{"groupName": "gpu", "replicas": 1, "template": {"spec": {"containers": [{"name": "w"}]}}}],
}
OPTIONS = {"stepSizePercent": 25, "intervalSeconds": 30, "maxSurgePercent": 50, "gatewayClassName": "istio"}


def _service(image: str, options: dict[str, Any] = OPTIONS) -> dict[str, Any]:
    spec = {
        "upgradeStrategy": {"type": "NewClusterWithIncrementalUpgrade", "clusterUpgradeOptions": options},
        "rayClusterConfig": {**CLUSTER, "headGroupSpec": {"template": {"spec": {"containers": [{"image": image}]}}}},
    }
    status = {"activeServiceStatus": {"rayClusterName": "llm-old"}, "observedGeneration": 1}
    return {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": "llm", "generation": 1}, "spec": spec,
            "status": status}  # fmt: skip


def test_a_new_image_on_a_serving_incremental_service_is_planned_as_kuberays_traffic_steps() -> None:
    [note] = plan_notes(_service("rayproject/ray:2.52.0"), _service("rayproject/ray:2.53.0"))
    assert note == (
        "KubeRay upgrades RayService llm incrementally (NewClusterWithIncrementalUpgrade): it makes a new Ray "
        "cluster beside active cluster llm-old, which keeps serving; once the new one is ready it raises its Serve "
        "target_capacity by maxSurgePercent (50%) at a time and moves stepSizePercent (25%) of the traffic to it "
        "every intervalSeconds (30s) through the HTTPRoute llm on Gateway class istio, lowering llm-old's "
        "target_capacity as the traffic follows (4 traffic steps, at least 90s once the new cluster is ready); then "
        "it deletes llm-old 60s later (rayClusterDeletionDelaySeconds)"
    )


def test_a_change_kuberay_does_not_roll_out_on_a_new_cluster_gets_no_incremental_note() -> None:
    assert plan_notes(_service("rayproject/ray:2.52.0"), _service("rayproject/ray:2.52.0")) == []


@pytest.mark.parametrize(
    ("step", "surge", "moves"),
    [(10, 100, 10), (30, 50, 4), (25, 25, 4), (100, 100, 1), (0, 100, None)],
)
def test_traffic_moves_follow_kuberays_step_and_surge(step: int, surge: int, moves: int | None) -> None:
    # 30/50: traffic 30, then 50 (the new cluster's capacity), the old one down to 50, the new one
    # up to 100, traffic 80 and 100, the old one to 0.
    assert incremental_steps(step, surge) == moves
