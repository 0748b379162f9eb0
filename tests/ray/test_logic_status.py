"""akscli.ray without a cluster: a cluster's status and the diagnosis of its pods and jobs (moved
out of test_logic.py)."""

from __future__ import annotations

from typing import Any

from akscli import ray


def pod(
    name: str,
    *,
    phase: str = "Pending",
    gpus: int = 0,
    ready: bool = False,
    scheduled: bool | None = None,
    waiting: str | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    limits = {"nvidia.com/gpu": gpus} if gpus else {}
    conditions = []
    if scheduled is not None:
        conditions.append({"type": "PodScheduled", "status": str(scheduled)})
    if ready:
        conditions.append({"type": "Ready", "status": "True"})
    status: dict[str, Any] = {"phase": phase, "conditions": conditions}
    if waiting:
        status["containerStatuses"] = [
            {"name": "ray", "state": {"waiting": {"reason": waiting, "message": f"{waiting} msg"}}}
        ]
    return {
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"containers": [{"name": "ray", "resources": {"limits": limits}}]},
        "status": status,
    }


def test_cluster_summary_counts_ready_workers_and_gpus_per_group() -> None:
    cluster = {
        "metadata": {"name": "c", "namespace": "n"},
        "spec": {
            "workerGroupSpecs": [
                {
                    "groupName": "gpu",
                    "replicas": 2,
                    "maxReplicas": 4,
                    "template": {"spec": {"containers": [{"resources": {"limits": {"nvidia.com/gpu": 1}}}]}},
                }
            ]
        },
        "status": {"state": "", "desiredGPU": "2"},
    }
    pods = [
        pod("head", phase="Running", ready=True, labels={"ray.io/node-type": "head"}),
        pod("w1", phase="Running", ready=True, gpus=1, labels={"ray.io/node-type": "worker", "ray.io/group": "gpu"}),
        pod("w2", gpus=1, labels={"ray.io/node-type": "worker", "ray.io/group": "gpu"}),
    ]
    summary = ray.cluster_summary(cluster, pods)
    group = summary["groups"][0]
    assert (group["ready"], group["pending"], group["desired"], group["max"]) == (1, 1, 2, 4)
    assert summary["gpus"] == {"desired": 2, "inUse": 1}
    assert summary["head"] == {"pod": "head", "ready": True}


def test_unschedulable_gpu_pod_on_a_cluster_without_gpus_says_which_pool_to_add() -> None:
    stuck = pod("w", gpus=1, scheduled=False)
    events = {
        "w": [{"reason": "FailedScheduling", "message": "0/3 nodes are available: 3 Insufficient nvidia.com/gpu."}]
    }
    [finding] = ray.diagnose_pods([stuck], events, gpu_nodes=False)
    assert finding.reason == "Unschedulable"
    assert "Insufficient nvidia.com/gpu" in finding.message
    assert "akscli nodepool add" in str(finding.hint)


def test_a_scale_up_in_progress_is_reported_as_such() -> None:
    stuck = pod("w", gpus=1, scheduled=False)
    events = {
        "w": [
            {"reason": "FailedScheduling", "message": "Insufficient nvidia.com/gpu"},
            {"reason": "TriggeredScaleUp", "message": "pod triggered scale-up: [{gpu 0->1 (max: 2)}]"},
        ]
    }
    [finding] = ray.diagnose_pods([stuck], events, gpu_nodes=True)
    assert "autoscaler is adding a node" in str(finding.hint)


def test_image_pull_errors_are_named_with_the_registry_hint() -> None:
    [finding] = ray.diagnose_pods([pod("h", scheduled=True, waiting="ImagePullBackOff")], {}, None)
    assert finding.reason == "ImagePullBackOff"
    assert "attach-acr" in str(finding.hint)


def test_crash_loops_point_to_previous_logs() -> None:
    [finding] = ray.diagnose_pods([pod("h", phase="Running", waiting="CrashLoopBackOff")], {}, None)
    assert "--previous" in str(finding.hint)


def test_running_pods_are_not_diagnosed() -> None:
    assert ray.diagnose_pods([pod("h", phase="Running", ready=True, scheduled=True)], {}, True) == []


def test_gpu_request_without_gpu_nodes_or_pool_is_an_error() -> None:
    spec = ray.ClusterSpec(name="c", namespace="n", groups=(ray.worker_group("g", gpu=1),))
    problem, _ = ray.gpu_capacity_problem(spec, gpu_nodes=False, pools_with_nodes={})
    assert problem == "Ray cluster c asks for GPUs but the cluster has no GPU nodes"


def test_gpu_pool_scaled_to_zero_is_only_a_warning() -> None:
    spec = ray.ClusterSpec(name="c", namespace="n", groups=(ray.worker_group("g", gpu=1, gpu_pool="gpua100"),))
    problem, warnings = ray.gpu_capacity_problem(spec, gpu_nodes=False, pools_with_nodes={"gpua100": False})
    assert problem is None
    assert "node pool gpua100 has no nodes" in warnings[0]


def pool_warning(pool: str, autoscaled: dict[str, int] | None) -> str:
    spec = ray.ClusterSpec(name="c", namespace="n", groups=(ray.worker_group("g", gpu=1, gpu_pool=pool),))
    _, warnings = ray.gpu_capacity_problem(spec, False, {pool: False}, autoscaled)
    return warnings[0]


def test_a_pool_the_autoscaler_scales_from_zero_is_said_to_get_nodes() -> None:
    said = pool_warning("gpua100", {"gpua100": 3, "system": 5})
    assert said.startswith("node pool gpua100 has no nodes now; the cluster autoscaler adds them (up to 3)")


def test_a_misspelt_pool_is_told_from_one_that_scales_with_the_closest_name() -> None:
    said = pool_warning("gpua10", {"gpua100": 3, "system": 5})
    assert said.startswith(
        "node pool gpua10 has no nodes and the cluster autoscaler does not scale it (it scales gpua100, system) "
        "(did you mean gpua100?): worker group g stays pending"
    )
    assert said.endswith("check the name with: akscli nodepool list --cluster CLUSTER -g RESOURCE_GROUP")


def test_a_pool_without_nodes_and_no_autoscaler_status_is_not_said_to_scale_up() -> None:
    said = pool_warning("gpua100", None)
    assert "no cluster autoscaler status says it will get any" in said and "scales up" not in said


def test_job_phases_read_from_status() -> None:
    job = {"status": {"jobDeploymentStatus": "Complete", "jobStatus": "SUCCEEDED"}}
    assert ray.job_finished(job) and ray.job_succeeded(job)
    running = {"status": {"jobDeploymentStatus": "Running", "jobStatus": "RUNNING"}}
    assert not ray.job_finished(running)
    assert ray.job_phase({}) == ("New", "-")
