"""The Job controller's suspend and resume, and restartPolicy OnFailure, as kube-controller-manager
runs them (kubernetes/kubernetes pkg/controller/job/job_controller.go syncJob, manageJob,
deleteJobPods, pastActiveDeadline, pastBackoffLimitOnFailure), on the simulator's clock. A pod's
exit code comes from ``JobController.exit_codes``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.kube import readiness
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import kubelet_backoff
from tests.emulators.kube.controllers.jobs import JobController

NAME = "train"


def start(
    emu: KubeEmulator, exit_code: Callable[[dict[str, Any]], int | None], restart: str = "Never", **spec: Any
) -> JobController:
    emu.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    jc = next(c for c in emu.controllers.controllers if isinstance(c, JobController))
    jc.exit_codes[NAME] = exit_code
    template = {"spec": {"restartPolicy": restart, "containers": [{"name": "main", "image": "busybox"}]}}
    emu.cluster.create(
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": NAME}, "spec": {"template": template, **spec}}
    )
    return jc


def job(emu: KubeEmulator) -> dict[str, Any]:
    return emu.cluster.get("batch/v1", "Job", "default", NAME) or {}


def status(emu: KubeEmulator) -> dict[str, Any]:
    return dict(job(emu).get("status") or {})


def conditions(emu: KubeEmulator) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in status(emu).get("conditions") or []}


def pods(emu: KubeEmulator) -> list[dict[str, Any]]:
    return emu.cluster.list("v1", "Pod", "default", label_selector=f"job-name={NAME}")


def suspend(emu: KubeEmulator, value: bool) -> None:
    emu.cluster.patch("batch/v1", "Job", "default", NAME, {"spec": {"suspend": value}})


def reasons(emu: KubeEmulator) -> list[str]:
    return [
        e.get("reason", "")
        for e in emu.cluster.list("v1", "Event", "default")
        if (e.get("involvedObject") or {}).get("name") == NAME
    ]


def test_a_job_created_suspended_makes_no_pod_and_says_so(kube_emulator: KubeEmulator) -> None:
    start(kube_emulator, lambda _pod: None, suspend=True)
    assert wait_until(lambda: "Suspended" in conditions(kube_emulator))
    suspended = conditions(kube_emulator)["Suspended"]
    assert (suspended["status"], suspended["reason"], suspended["message"]) == ("True", "JobSuspended", "Job suspended")
    assert pods(kube_emulator) == []
    assert "startTime" not in status(kube_emulator)
    assert "Suspended" in reasons(kube_emulator)


def test_suspending_deletes_the_active_pods_without_counting_them_failed(kube_emulator: KubeEmulator) -> None:
    start(kube_emulator, lambda _pod: None, backoffLimit=0, parallelism=2, completions=2)
    assert wait_until(lambda: status(kube_emulator).get("ready") == 2)
    suspend(kube_emulator, True)
    assert wait_until(lambda: pods(kube_emulator) == [] and status(kube_emulator).get("terminating") == 0)
    st = status(kube_emulator)
    assert (st["active"], st["failed"]) == (0, 0)
    assert conditions(kube_emulator)["Suspended"]["status"] == "True"
    assert "Failed" not in conditions(kube_emulator)


def test_resuming_makes_pods_again_and_restarts_the_start_time(kube_emulator: KubeEmulator) -> None:
    start(kube_emulator, lambda _pod: None, suspend=True)
    assert wait_until(lambda: "Suspended" in conditions(kube_emulator))
    suspend(kube_emulator, False)
    assert wait_until(lambda: status(kube_emulator).get("active") == 1)
    resumed = conditions(kube_emulator)["Suspended"]
    assert (resumed["status"], resumed["reason"], resumed["message"]) == ("False", "JobResumed", "Job resumed")
    assert status(kube_emulator).get("startTime")
    assert "Resumed" in reasons(kube_emulator)


def test_no_deadline_runs_while_suspended(kube_emulator: KubeEmulator) -> None:
    jc = start(kube_emulator, lambda _pod: None, activeDeadlineSeconds=60)
    assert wait_until(lambda: status(kube_emulator).get("active") == 1)
    suspend(kube_emulator, True)
    assert wait_until(lambda: conditions(kube_emulator).get("Suspended", {}).get("status") == "True")
    jc.advance(120)
    kube_emulator.idle()
    assert "FailureTarget" not in conditions(kube_emulator)


def test_a_resume_counts_the_deadline_from_the_resume(kube_emulator: KubeEmulator) -> None:
    jc = start(kube_emulator, lambda _pod: None, activeDeadlineSeconds=60)
    assert wait_until(lambda: status(kube_emulator).get("active") == 1)
    jc.advance(50)
    suspend(kube_emulator, True)
    assert wait_until(lambda: conditions(kube_emulator).get("Suspended", {}).get("status") == "True")
    suspend(kube_emulator, False)
    assert wait_until(lambda: status(kube_emulator).get("active") == 1)
    jc.advance(30)  # 80 s since the Job started, 30 s since the resume
    kube_emulator.idle()
    assert "FailureTarget" not in conditions(kube_emulator)
    jc.advance(31)
    assert wait_until(lambda: "Failed" in conditions(kube_emulator))
    assert conditions(kube_emulator)["Failed"]["reason"] == "DeadlineExceeded"


def test_on_failure_restarts_the_container_in_the_same_pod(kube_emulator: KubeEmulator) -> None:
    start(kube_emulator, lambda pod: 0 if pod["status"]["containerStatuses"][0]["restartCount"] else 3, "OnFailure")
    assert wait_until(lambda: "Complete" in conditions(kube_emulator))
    [pod] = pods(kube_emulator)
    [container] = pod["status"]["containerStatuses"]
    assert container["restartCount"] == 1
    assert container["lastState"]["terminated"]["exitCode"] == 3
    assert (status(kube_emulator)["failed"], status(kube_emulator)["succeeded"]) == (0, 1)


def test_on_failure_restarts_count_against_the_backoff_limit(kube_emulator: KubeEmulator) -> None:
    jc = start(kube_emulator, lambda _pod: 1, "OnFailure", backoffLimit=2)
    # the first restart comes at once, the second after the kubelet's 10 s back-off
    assert wait_until(lambda: any(kubelet_backoff.waiting(p.get("status") or {}) for p in pods(kube_emulator)))
    jc.advance(10)
    assert wait_until(lambda: "Failed" in conditions(kube_emulator))
    failed = conditions(kube_emulator)["Failed"]
    assert (failed["reason"], failed["message"]) == (
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
    )
    assert len(pods(kube_emulator)) <= 1  # one pod, restarted, never replaced
    assert readiness.check(job(kube_emulator)).failed


def test_on_failure_with_a_backoff_limit_of_0_fails_at_the_first_restart(kube_emulator: KubeEmulator) -> None:
    start(kube_emulator, lambda _pod: 1, "OnFailure", backoffLimit=0)
    assert wait_until(lambda: "Failed" in conditions(kube_emulator))
    assert status(kube_emulator)["failed"] == 1
