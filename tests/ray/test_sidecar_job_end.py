"""A SidecarMode RayJob ends with its head's ``ray-job-submitter`` container: ``ray job submit``
exits 0 for a job that succeeded and 1 for one that failed, the container stays terminated (the head
has restartPolicy Never), and KubeRay reads that exit code before the job's own status in each pass
(upstream: ray-project/kuberay feeaf72f ray-operator/controllers/ray/rayjob_controller.go
checkSubmitterAndUpdateStatusIfNeeded, checkSidecarContainerStatus, getSubmitterContainerFinishedTime;
the Running case's ``isJobTerminal && finishedAt != nil``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.ray.test_kuberay_service_replacement import wait_until
from tests.ray.test_kuberay_states import _cluster_spec

RAY = "ray.io/v1"


def _sidecar_job(emu: Any, entrypoint: str) -> None:
    spec = {"entrypoint": entrypoint, "submissionMode": "SidecarMode", "rayClusterSpec": _cluster_spec()}
    emu.cluster.create(
        {"apiVersion": RAY, "kind": "RayJob", "metadata": {"name": "side", "namespace": "default"}, "spec": spec}
    )


def _submitter_state(emu: Any) -> dict[str, Any]:
    job = emu.cluster.get(RAY, "RayJob", "default", "side")
    cluster = job["status"]["rayClusterName"]
    [head] = emu.cluster.list("v1", "Pod", "default", label_selector=f"ray.io/cluster={cluster},ray.io/node-type=head")
    [status] = [c for c in head["status"]["containerStatuses"] if c["name"] == "ray-job-submitter"]
    state: dict[str, Any] = status["state"]
    return state


def test_a_failed_sidecar_job_ends_its_submitter_container_with_exit_code_1_and_the_job_app_failed(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    _sidecar_job(emu, "python -c 'import sys; sys.exit(3)'")
    result = invoke("ray", "job", "status", "side", "--wait", "--timeout", "20s")
    assert result.exit_code == 10, result
    assert "deployment Running, job FAILED" in result.stderr  # read before the submitter ended
    assert _submitter_state(emu)["terminated"]["exitCode"] == 3
    job = emu.cluster.get(RAY, "RayJob", "default", "side")
    assert (job["status"]["jobDeploymentStatus"], job["status"]["reason"]) == ("Failed", "AppFailed")


def test_a_succeeded_sidecar_job_is_complete_only_once_its_submitter_container_ended(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    _sidecar_job(emu, "python x.py")
    result = invoke("ray", "job", "status", "side", "--wait", "--timeout", "20s", "-o", "json")
    assert result.exit_code == 0, result
    # SUCCEEDED is read while the submitter still tails the logs: not terminal yet (kuberay PR 1919).
    assert "deployment Running, job SUCCEEDED" in result.stderr
    assert _submitter_state(emu)["terminated"] == {
        **_submitter_state(emu)["terminated"],
        "exitCode": 0,
        "reason": "Completed",
    }


def test_a_submitter_exit_seen_before_the_job_status_fails_the_job_submission_failed_and_akscli_says_what_that_means(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(failure="sidecar-exit-first")
    _sidecar_job(emu, "python -c 'import sys; sys.exit(1)'")
    result = invoke("ray", "job", "status", "side", "--wait", "--timeout", "20s")
    assert result.exit_code == 10, result
    job = emu.cluster.get(RAY, "RayJob", "default", "side")
    assert job["status"]["reason"] == "SubmissionFailed"
    assert job["status"]["jobStatus"] == "RUNNING"
    assert job["status"]["message"] == "Ray head pod container ray-job-submitter terminated with exit code 1: Error"
    said = " ".join(result.stderr.split())
    assert "ended Failed (job RUNNING): Ray head pod container ray-job-submitter terminated with exit code 1" in said
    assert (
        "SidecarMode: ray job submit in the head's ray-job-submitter container exits 1 when the Ray job failed" in said
    )
    assert "so job RUNNING is the last status it read" in said


def test_the_head_of_an_ended_sidecar_job_is_not_ready_as_the_kubelet_reports_it(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    _sidecar_job(emu, "python x.py")
    assert invoke("ray", "job", "status", "side", "--wait", "--timeout", "20s").exit_code == 0
    cluster = emu.cluster.get(RAY, "RayJob", "default", "side")["status"]["rayClusterName"]
    shown = json.loads(invoke("ray", "cluster", "status", cluster, "-o", "json").stdout)
    assert shown["head"]["ready"] is False


def test_a_sidecar_jobs_head_pod_deleted_fails_the_job_ray_head_pod_not_found(
    ray_emulator: Callable[..., Any],
) -> None:
    # checkSubmitterAndUpdateStatusIfNeeded, SidecarMode: a pass that finds no head pod
    # (common/association.go GetRayClusterHeadPod) fails the attempt AppFailed. The head is not made
    # again: the job's cluster is provisioned and annotated ray.io/disable-provisioned-head-restart
    # (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/raycluster_controller.go reconcilePods,
    # shouldSkipHeadPodRestart), so no pass can find a new one and the outcome does not race.
    emu = ray_emulator(run_seconds=30)
    _sidecar_job(emu, "python x.py")
    wait_until(
        lambda: (emu.cluster.get(RAY, "RayJob", "default", "side").get("status") or {}).get("jobStatus") == "RUNNING"
    )
    cluster = emu.cluster.get(RAY, "RayJob", "default", "side")["status"]["rayClusterName"]
    [head] = emu.cluster.list("v1", "Pod", "default", label_selector=f"ray.io/cluster={cluster},ray.io/node-type=head")
    emu.cluster.delete("v1", "Pod", "default", head["metadata"]["name"])
    result = invoke("ray", "job", "status", "side", "--wait", "--timeout", "20s")
    assert result.exit_code == 10, result
    status = emu.cluster.get(RAY, "RayJob", "default", "side")["status"]
    assert (status["jobDeploymentStatus"], status["reason"], status["message"]) == (
        "Failed",
        "AppFailed",
        "Ray head pod not found.",
    )
    assert "Ray head pod not found." in result.stderr
    # The pass the deletion woke (Owns(&corev1.Pod{})) wrote calculateStatus's HeadPodNotFound.
    wait_until(lambda: "podName" not in emu.cluster.get(RAY, "RayCluster", "default", cluster)["status"]["head"])
    status = emu.cluster.get(RAY, "RayCluster", "default", cluster)["status"]
    [ready] = [c for c in status["conditions"] if c["type"] == "HeadPodReady"]
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", "HeadPodNotFound", "Head Pod not found")
    heads = f"ray.io/cluster={cluster},ray.io/node-type=head"
    assert emu.cluster.list("v1", "Pod", "default", label_selector=heads) == []


def test_a_sidecar_that_ends_0_while_the_job_runs_fails_it_after_the_grace_period(
    ray_emulator: Callable[..., Any],
) -> None:
    # checkSubmitterFinishedTimeoutAndUpdateStatusIfNeeded: 30 s (here 0.2 s) after the submitter
    # container's finishedAt with the Ray job not terminal, the job is FAILED.
    emu = ray_emulator(failure="sidecar-ends-early", submitter_finished_timeout=0.2)
    _sidecar_job(emu, "python x.py")
    result = invoke("ray", "job", "status", "side", "--wait", "--timeout", "20s", "-o", "json")
    assert result.exit_code == 10, result
    status = emu.cluster.get(RAY, "RayJob", "default", "side")["status"]
    assert (status["jobDeploymentStatus"], status["jobStatus"], status["reason"]) == (
        "Failed",
        "FAILED",
        "JobDeploymentStatusTransitionGracePeriodExceeded",
    )
    finished = _submitter_state(emu)["terminated"]
    assert finished["exitCode"] == 0
    when = finished["finishedAt"].replace("T", " ").removesuffix("Z")
    assert status["message"] == (
        f"The RayJob submitter finished at {when} but the ray job did not reach terminal state within 30s"
    )
