"""The Job controller's rounds, pod failure policy, per-index back-off limit and success policy,
as kube-controller-manager runs them (kubernetes/kubernetes 6ae037f1 pkg/controller/job/
job_controller.go, pod_failure_policy.go, success_policy.go, indexed_job_utils.go), on the
simulator's clock. A pod's exit code comes from ``JobController.exit_codes``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.kube import readiness
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.jobs import JobController
from tests.emulators.kube.controllers.jobs_policy import COMPLETION_INDEX, INDEX_FAILURE_COUNT

NAME = "train"


def controller(emu: KubeEmulator) -> JobController:
    return next(c for c in emu.controllers.controllers if isinstance(c, JobController))


def start(emu: KubeEmulator, exit_code: Callable[[dict[str, Any]], int | None], **spec: Any) -> JobController:
    emu.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    jc = controller(emu)
    jc.exit_codes[NAME] = exit_code
    template = {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}
    emu.cluster.create(
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": NAME}, "spec": {"template": template, **spec}}
    )
    return jc


def job(emu: KubeEmulator) -> dict[str, Any]:
    return emu.cluster.get("batch/v1", "Job", "default", NAME) or {}


def status(emu: KubeEmulator) -> dict[str, Any]:
    return dict(job(emu).get("status") or {})


def conditions(emu: KubeEmulator) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (job(emu).get("status") or {}).get("conditions") or []}


def pods(emu: KubeEmulator) -> list[dict[str, Any]]:
    return emu.cluster.list("v1", "Pod", "default", label_selector=f"job-name={NAME}")


def index(pod: dict[str, Any]) -> int:
    return int(pod["metadata"]["annotations"][COMPLETION_INDEX])


def test_a_job_with_more_completions_than_parallelism_runs_in_rounds(kube_emulator: KubeEmulator) -> None:
    running_at_once: list[int] = []

    def exit_code(pod: dict[str, Any]) -> int:
        running_at_once.append(sum(1 for p in pods(kube_emulator) if p["status"]["phase"] == "Running"))
        return 0

    start(kube_emulator, exit_code, completions=5, parallelism=2)
    assert wait_until(lambda: "Complete" in conditions(kube_emulator))
    assert len(pods(kube_emulator)) == 5 and max(running_at_once) == 2
    assert job(kube_emulator)["status"]["succeeded"] == 5


def test_a_fail_job_rule_on_an_exit_code_fails_the_job_without_a_retry(kube_emulator: KubeEmulator) -> None:
    rule = {"action": "FailJob", "onExitCodes": {"containerName": "main", "operator": "In", "values": [42]}}
    start(kube_emulator, lambda _pod: 42, backoffLimit=6, podFailurePolicy={"rules": [rule]})
    assert wait_until(lambda: "Failed" in conditions(kube_emulator))
    [failed] = pods(kube_emulator)
    message = (
        f"Container main for pod default/{failed['metadata']['name']} failed with exit code 42 "
        "matching FailJob rule at index 0"
    )
    target = conditions(kube_emulator)["FailureTarget"]
    assert (target["reason"], target["message"]) == ("PodFailurePolicy", message)
    verdict = readiness.check(job(kube_emulator))
    assert verdict.failed and verdict.reason == "PodFailurePolicy"


def test_an_ignored_disruption_does_not_count_against_the_backoff_limit(kube_emulator: KubeEmulator) -> None:
    rule = {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}
    first: list[str] = []

    def exit_code(pod: dict[str, Any]) -> int | None:
        if not first:
            first.append(pod["metadata"]["name"])
        return None if pod["metadata"]["name"] == first[0] else 0

    jc = start(kube_emulator, exit_code, backoffLimit=0, podFailurePolicy={"rules": [rule]})
    assert wait_until(lambda: bool(first))
    # the kubelet's status for a pod preempted or evicted (DisruptionTarget, phase Failed)
    disrupted = {"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler"}
    kube_emulator.cluster.patch_status("v1", "Pod", "default", first[0], {"phase": "Failed", "conditions": [disrupted]})
    assert wait_until(lambda: status(kube_emulator).get("active") == 0)
    jc.advance(10)  # the pod failure back-off (DefaultJobPodFailureBackOff)
    assert wait_until(lambda: "Complete" in conditions(kube_emulator))
    st = status(kube_emulator)
    assert (st["failed"], st["succeeded"], len(pods(kube_emulator))) == (0, 1, 2)


def test_a_failed_pod_is_replaced_only_after_the_back_off(kube_emulator: KubeEmulator) -> None:
    jc = start(kube_emulator, lambda _pod: 1, backoffLimit=1)
    assert wait_until(lambda: status(kube_emulator).get("failed") == 1)
    kube_emulator.idle()
    assert len(pods(kube_emulator)) == 1
    jc.advance(10)
    assert wait_until(lambda: "Failed" in conditions(kube_emulator))
    assert conditions(kube_emulator)["Failed"]["reason"] == "BackoffLimitExceeded"
    assert (job(kube_emulator)["status"]["failed"], len(pods(kube_emulator))) == (2, 2)


def test_a_deleted_pod_counts_as_failed(kube_emulator: KubeEmulator) -> None:
    start(kube_emulator, lambda _pod: None, backoffLimit=0)
    assert wait_until(lambda: status(kube_emulator).get("ready") == 1)
    [running] = pods(kube_emulator)
    kube_emulator.cluster.delete("v1", "Pod", "default", running["metadata"]["name"])
    assert wait_until(lambda: "Failed" in conditions(kube_emulator))
    assert conditions(kube_emulator)["Failed"]["reason"] == "BackoffLimitExceeded"
    assert job(kube_emulator)["status"]["failed"] == 1


def test_an_index_past_its_backoff_limit_per_index_fails_the_job_once_the_rest_are_done(
    kube_emulator: KubeEmulator,
) -> None:
    jc = start(
        kube_emulator,
        lambda pod: 1 if index(pod) == 1 else 0,
        completionMode="Indexed",
        completions=3,
        parallelism=3,
        backoffLimitPerIndex=1,
    )
    assert wait_until(lambda: status(kube_emulator).get("completedIndexes") == "0,2")
    jc.advance(10)  # the index's back-off
    assert wait_until(lambda: "Failed" in conditions(kube_emulator))
    st = status(kube_emulator)
    assert (st["failedIndexes"], st["completedIndexes"], st["failed"]) == ("1", "0,2", 2)
    assert conditions(kube_emulator)["Failed"]["message"] == "Job has failed indexes"
    retry = max((p for p in pods(kube_emulator) if index(p) == 1), key=lambda p: p["metadata"]["creationTimestamp"])
    assert {p["metadata"]["annotations"][INDEX_FAILURE_COUNT] for p in pods(kube_emulator) if index(p) == 1} == {
        "0",
        "1",
    }
    assert retry["metadata"]["name"].startswith(f"{NAME}-1-")


def test_a_fail_index_rule_past_max_failed_indexes_fails_the_job(kube_emulator: KubeEmulator) -> None:
    rule = {"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [3]}}
    start(
        kube_emulator,
        lambda pod: 3 if index(pod) == 0 else None,
        completionMode="Indexed",
        completions=2,
        parallelism=2,
        backoffLimitPerIndex=5,
        maxFailedIndexes=0,
        podFailurePolicy={"rules": [rule]},
    )
    assert wait_until(lambda: "Failed" in conditions(kube_emulator))
    target = conditions(kube_emulator)["FailureTarget"]
    assert (target["reason"], target["message"]) == (
        "MaxFailedIndexesExceeded",
        "Job has exceeded the specified maximal number of failed indexes",
    )
    assert job(kube_emulator)["status"]["failedIndexes"] == "0"
    [left] = pods(kube_emulator)  # index 0 not retried; index 1 stopped and removed
    assert index(left) == 0


def test_a_success_policy_completes_the_job_and_stops_the_other_indexes(kube_emulator: KubeEmulator) -> None:
    start(
        kube_emulator,
        lambda pod: 0 if index(pod) == 0 else None,
        completionMode="Indexed",
        completions=3,
        parallelism=3,
        successPolicy={"rules": [{"succeededIndexes": "0"}]},
    )
    assert wait_until(lambda: "SuccessCriteriaMet" in conditions(kube_emulator))
    assert wait_until(lambda: "Complete" in conditions(kube_emulator))
    conds = conditions(kube_emulator)
    assert {(conds[t]["reason"], conds[t]["message"]) for t in ("SuccessCriteriaMet", "Complete")} == {
        ("SuccessPolicy", "Matched rules at index 0")
    }
    st = status(kube_emulator)
    assert (st["completedIndexes"], st["succeeded"], st["failed"]) == ("0", 1, 0)
    assert readiness.check(job(kube_emulator)).ready
    assert wait_until(lambda: len(pods(kube_emulator)) == 1)


def test_a_job_with_a_backoff_limit_per_index_defaults_its_backoff_limit_to_max_int32(
    kube_emulator: KubeEmulator,
) -> None:
    start(kube_emulator, lambda _pod: None, completionMode="Indexed", completions=1, backoffLimitPerIndex=1)
    assert job(kube_emulator)["spec"]["backoffLimit"] == 2**31 - 1
