"""A Job's wait reads the conditions the Job controller writes (kubernetes/kubernetes 6ae037f1
pkg/controller/job/job_controller.go): FailureTarget and SuccessCriteriaMet come before Failed
and Complete, which wait until the Job's pods have stopped."""

from __future__ import annotations

from typing import Any

from akscli.kube import readiness


def job(*conds: dict[str, Any], **status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "train", "namespace": "default", "generation": 1},
        "spec": {"backoffLimit": 0},
        "status": {"conditions": list(conds), **status},
    }


def cond(ctype: str, reason: str = "", message: str = "") -> dict[str, Any]:
    return {"type": ctype, "status": "True", "reason": reason, "message": message}


def test_a_job_given_failure_target_fails_the_wait_before_its_pods_have_stopped() -> None:
    verdict = readiness.check(
        job(cond("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"), terminating=2)
    )
    assert not verdict.ready and verdict.failed
    assert verdict.reason == "BackoffLimitExceeded"
    assert "Job has reached the specified backoff limit" in verdict.message


def test_a_pod_failure_policy_failjob_fails_the_wait_with_its_reason() -> None:
    message = "Container main for pod default/train-x exited with code 42 matching FailJob rule at index 0"
    verdict = readiness.check(job(cond("FailureTarget", "PodFailurePolicy", message)))
    assert verdict.failed and verdict.reason == "PodFailurePolicy"


def test_a_job_whose_success_criteria_are_met_is_waited_on_until_complete() -> None:
    verdict = readiness.check(job(cond("SuccessCriteriaMet", "SuccessPolicy"), succeeded=1, terminating=1))
    assert not verdict.ready and not verdict.failed


def test_a_complete_job_is_ready_with_its_interim_condition_still_there() -> None:
    verdict = readiness.check(
        job(cond("SuccessCriteriaMet", "CompletionsReached"), cond("Complete", "CompletionsReached"))
    )
    assert verdict.ready
