"""The wait rule for KubeRay kinds (akscli.kube.readiness.kuberay) against what ray-project/kuberay
v1.7 writes: generation discipline, sticky state, terminal failures, nobody picking it up."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from akscli.kube import readiness
from tests.cli import invoke
from tests.ray.test_cli_cluster import gpu_node, wait_until

RAY = "ray.io/v1"


def cluster(generation: int = 1, **status: Any) -> dict[str, Any]:
    conditions = [
        {"type": "RayClusterProvisioned", "status": "True", "reason": "AllPodRunningAndReadyFirstTime"},
        {"type": "HeadPodReady", "status": "True", "reason": "HeadPodRunningAndReady"},
    ]
    base = {"state": "ready", "observedGeneration": generation, "conditions": conditions}
    return {
        "apiVersion": RAY,
        "kind": "RayCluster",
        "metadata": {"name": "c", "generation": generation},
        "status": base | status,
    }


def test_a_cluster_status_from_before_the_change_does_not_count() -> None:
    obj = cluster(desiredWorkerReplicas=1, readyWorkerReplicas=1)
    obj["metadata"]["generation"] = 2
    verdict = readiness.check(obj)
    assert not verdict.ready and "observe generation 2" in verdict.message


def test_sticky_ready_state_is_not_enough_while_workers_are_missing() -> None:
    verdict = readiness.check(cluster(desiredWorkerReplicas=3, readyWorkerReplicas=1))
    assert not verdict.ready and verdict.message == "1/3 workers ready"
    assert readiness.check(cluster(desiredWorkerReplicas=3, readyWorkerReplicas=3)).ready


def test_replica_failure_is_the_message_while_waiting() -> None:
    obj = cluster(desiredWorkerReplicas=1, readyWorkerReplicas=0)
    obj["status"]["conditions"].append(
        {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreateWorkerPod", "message": "exceeded quota"}
    )
    verdict = readiness.check(obj)
    assert not verdict.ready and not verdict.failed
    assert verdict.message == "ReplicaFailure=True (FailedCreateWorkerPod): exceeded quota"


def test_an_object_without_status_waits_for_kuberay_and_asks_about_the_operator_only_in_its_hint() -> None:
    # Every new object has no status until KubeRay's first reconcile writes one: the progress line
    # says so plainly, and the question about the operator is the hint of a wait that times out.
    for kind in ("RayCluster", "RayJob", "RayService"):
        verdict = readiness.check({"apiVersion": RAY, "kind": kind, "metadata": {"name": "x", "generation": 1}})
        assert verdict.message == "no status yet: waiting for KubeRay to pick it up", kind
        assert "is the kuberay-operator running?" in verdict.fix, kind


def service(**status: Any) -> dict[str, Any]:
    return {"apiVersion": RAY, "kind": "RayService", "metadata": {"name": "s", "generation": 1}, "status": status}


def test_a_service_is_not_ready_during_an_upgrade() -> None:
    conditions = [
        {"type": "Ready", "status": "True", "reason": "NonZeroServeEndpoints"},
        {"type": "UpgradeInProgress", "status": "True", "reason": "BothActivePendingClustersExist"},
    ]
    verdict = readiness.check(service(observedGeneration=1, conditions=conditions))
    assert not verdict.ready and "UpgradeInProgress=True" in verdict.message


def test_service_failures_kuberay_does_not_recover_from_end_the_wait() -> None:
    for reason in ("ValidationFailed", "InitializingTimeout"):
        verdict = readiness.check(service(conditions=[{"type": "Ready", "status": "False", "reason": reason}]))
        assert verdict.failed and verdict.reason == reason
    pending = {"rayClusterName": "s-abcde", "applicationStatuses": {"app": {"status": "DEPLOY_FAILED", "message": "x"}}}
    verdict = readiness.check(service(observedGeneration=1, pendingServiceStatus=pending))
    assert verdict.failed and verdict.message == "application app is DEPLOY_FAILED: x"
    assert verdict.culprit == "cluster s-abcde"


def test_a_validation_failure_kuberay_has_since_moved_past_is_progress() -> None:
    # rayservice_controller.go: a refusal leaves observedGeneration alone; an accepted later spec
    # sets it, while Ready stays False/ValidationFailed until serve endpoints exist.
    refused = [{"type": "Ready", "status": "False", "reason": "ValidationFailed", "message": "bad"}]
    obj = service(observedGeneration=1, conditions=refused)
    obj["metadata"]["generation"] = 2
    assert readiness.check(obj).failed
    obj["status"]["observedGeneration"] = 2
    verdict = readiness.check(obj)
    assert not verdict.ready and not verdict.failed
    assert "Ready=False (ValidationFailed) is from an earlier one" in verdict.message


READY_TRUE = [{"type": "Ready", "status": "True", "reason": "NonZeroServeEndpoints"}]
NOT_READY = [{"type": "Ready", "status": "False", "reason": "Initializing"}]


def test_an_unhealthy_app_never_overrides_ready_on_the_active_cluster() -> None:
    # Ready is KubeRay's serve-endpoint count (calculateConditions); UNHEALTHY is Ray Serve's, and recoverable.
    active = {"rayClusterName": "s-a", "applicationStatuses": {"app": {"status": "UNHEALTHY", "message": "hc"}}}
    verdict = readiness.check(service(observedGeneration=1, conditions=READY_TRUE, activeServiceStatus=active))
    assert verdict.ready and not verdict.failed


def test_an_unhealthy_app_is_progress_shown_in_the_status_line() -> None:
    pending = {"rayClusterName": "s-b", "applicationStatuses": {"app": {"status": "UNHEALTHY", "message": "hc"}}}
    verdict = readiness.check(service(observedGeneration=1, conditions=NOT_READY, pendingServiceStatus=pending))
    assert not verdict.ready and not verdict.failed
    assert verdict.message == "Ready=False (Initializing); application app is UNHEALTHY: hc"


def test_deploy_failed_with_deployments_is_progress_ray_serve_retries_replicas() -> None:
    app = {
        "status": "DEPLOY_FAILED",
        "message": "The deployment failed to start 3 times in a row. Retrying after 4 seconds.",
        "serveDeploymentStatuses": {"LLM": {"status": "DEPLOY_FAILED"}},
    }
    active = {"rayClusterName": "s-a", "applicationStatuses": {"llm": app}}
    verdict = readiness.check(service(observedGeneration=1, conditions=NOT_READY, activeServiceStatus=active))
    assert not verdict.ready and not verdict.failed
    assert "application llm is DEPLOY_FAILED" in verdict.message


def test_a_job_that_failed_validation_ends_the_wait() -> None:
    job = {
        "apiVersion": RAY,
        "kind": "RayJob",
        "metadata": {"name": "j"},
        "status": {"jobDeploymentStatus": "ValidationFailed", "reason": "ValidationFailed", "message": "bad"},
    }
    verdict = readiness.check(job)
    assert verdict.failed and verdict.message == "jobDeploymentStatus=ValidationFailed: KubeRay refused its spec: bad"


def test_a_failed_jobs_multi_line_message_ends_the_wait_with_its_first_line_only() -> None:
    # Ray's message for an entrypoint that exited non-zero carries its log tail, which KubeRay copies
    # into status.message (ray dashboard/modules/job/job_supervisor.py JobSupervisor.run).
    message = (
        "Job entrypoint command failed with exit code 3, last available logs (truncated to 20,000 chars):\nTraceback"
    )
    job = {
        "apiVersion": RAY,
        "kind": "RayJob",
        "metadata": {"name": "j"},
        "status": {"jobDeploymentStatus": "Failed", "reason": "AppFailed", "message": message},
    }
    verdict = readiness.check(job)
    assert verdict.failed
    assert verdict.message == "jobDeploymentStatus=Failed: Job entrypoint command failed with exit code 3"


def _ended_job(job_status: str) -> dict[str, Any]:
    # rayjob_controller.go (ray-project/kuberay v1.7.0), the Running case: a terminal job status
    # other than FAILED is written as jobDeploymentStatus Complete, with Ray's message.
    messages = {"SUCCEEDED": "Job finished successfully.", "STOPPED": "Job was intentionally stopped."}
    return {
        "apiVersion": RAY,
        "kind": "RayJob",
        "metadata": {"name": "j"},
        "status": {"jobDeploymentStatus": "Complete", "jobStatus": job_status, "message": messages[job_status]},
    }


def test_a_job_that_succeeded_is_ready() -> None:
    assert readiness.check(_ended_job("SUCCEEDED")).ready


def test_a_job_stopped_through_the_ray_job_api_ends_the_wait_as_a_failure_though_kuberay_says_complete() -> None:
    verdict = readiness.check(_ended_job("STOPPED"))
    assert not verdict.ready and verdict.failed
    assert verdict.message == "jobDeploymentStatus=Complete, jobStatus=STOPPED: Job was intentionally stopped."


# ---- end to end -------------------------------------------------------------------------------


def test_reapplying_a_bigger_cluster_waits_for_the_new_workers(ray_emulator: Callable[..., Any]) -> None:
    emu = ray_emulator(failure="unschedulable-gpu")
    gpu_node(emu)
    first = invoke(
        "ray", "cluster", "create", "demo", "--worker-gpu", "1", "--worker-replicas", "0", "--wait", "--timeout", "20s"
    )
    assert first.exit_code == 0, first
    again = invoke(
        "ray", "cluster", "create", "demo", "--worker-gpu", "1", "--worker-replicas", "1", "--wait", "--timeout", "4s"
    )
    assert again.exit_code == 5, again
    assert "0/1 workers ready" in again.stderr


def test_service_deploy_wait_ends_at_once_on_deploy_failed(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    ray_emulator(failure="serve-fail")
    serve = tmp_path / "serve.yaml"
    serve.write_text("applications:\n  - name: llm\n    import_path: serve_llm:app\n")
    result = invoke("ray", "service", "deploy", "llm", "-f", str(serve), "--wait", "--timeout", "60s")
    assert result.exit_code == 10, result
    assert "application llm is DEPLOY_FAILED: Failed to import serve_llm:app" in result.stderr


def test_initializing_timeout_is_shown_as_final(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    emu = ray_emulator(failure="serve-fail")
    serve = tmp_path / "serve.yaml"
    serve.write_text("applications:\n  - name: llm\n    import_path: serve_llm:app\n")
    rendered = json.loads(
        invoke("ray", "service", "deploy", "late", "-f", str(serve), "--dry-run=client", "-o", "json").stdout
    )
    rendered["metadata"]["annotations"] = {"ray.io/initializing-timeout": "1s"}
    emu.cluster.create(rendered)

    def timed_out() -> bool:
        status = emu.cluster.get(RAY, "RayService", "default", "late").get("status") or {}
        return any(c.get("reason") == "InitializingTimeout" for c in status.get("conditions") or [])

    wait_until(timed_out, timeout=10)
    shown = invoke("ray", "service", "status", "late")
    assert shown.exit_code == 0, shown
    assert "rayservice.ray.io/late: Failed: Ready=False (InitializingTimeout)" in shown.stdout


def test_create_wait_without_operator_says_nobody_picked_it_up(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator(operator=False)
    result = invoke("ray", "cluster", "create", "alone", "--wait", "--timeout", "1s")
    assert result.exit_code == 5, result
    assert "KubeRay has not picked it up: is the kuberay-operator running?" in result.stderr


def test_create_wait_with_an_operator_does_not_ask_whether_it_runs(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = invoke("ray", "cluster", "create", "fresh", "--wait", "--timeout", "20s")
    assert result.exit_code == 0, result
    assert "waiting for KubeRay to pick it up" in result.stderr
    assert "kuberay-operator running" not in result.stderr
