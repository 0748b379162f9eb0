"""The API server refuses a Job whose restartPolicy, podFailurePolicy, successPolicy or per-index
back-off cannot work, as validateJobSpec does (kubernetes/kubernetes pkg/apis/batch/validation/
validation.go)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import kubectl_create, raw

EXIT_42 = {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}


def job(restart: str | None = "Never", **spec: Any) -> dict[str, Any]:
    pod: dict[str, Any] = {"containers": [{"name": "main", "image": "busybox"}]}
    if restart is not None:
        pod["restartPolicy"] = restart
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "train"},
        "spec": {"template": {"spec": pod}, **spec},
    }


def refusal(emu: KubeEmulator, body: dict[str, Any]) -> list[tuple[str, str]]:
    r = raw(emu, "POST", "/apis/batch/v1/namespaces/default/jobs", body)
    assert r.status == 422, r.body
    return [(c["field"], c["message"]) for c in r.json()["details"]["causes"]]


def test_a_job_without_a_restart_policy_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, job(None)) == [
        ("spec.template.spec.restartPolicy", 'Required value: valid values: "OnFailure", "Never"')
    ]


def test_a_pod_failure_policy_needs_restart_policy_never(kube_emulator: KubeEmulator) -> None:
    body = job("OnFailure", podFailurePolicy={"rules": [EXIT_42]})
    assert refusal(kube_emulator, body) == [
        (
            "spec.template.spec.restartPolicy",
            'Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
        )
    ]


def test_fail_index_needs_a_backoff_limit_per_index(kube_emulator: KubeEmulator) -> None:
    rule = {"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [42]}}
    body = job(completionMode="Indexed", completions=2, podFailurePolicy={"rules": [rule]})
    assert refusal(kube_emulator, body) == [
        (
            "spec.podFailurePolicy.rules[0].action",
            'Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
        )
    ]


def test_fail_index_with_a_backoff_limit_per_index_is_created(kube_emulator: KubeEmulator) -> None:
    rule = {"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [42]}}
    body = job(completionMode="Indexed", completions=2, backoffLimitPerIndex=1, podFailurePolicy={"rules": [rule]})
    assert raw(kube_emulator, "POST", "/apis/batch/v1/namespaces/default/jobs", body).status == 201


def test_exit_code_rules_are_checked(kube_emulator: KubeEmulator) -> None:
    rule = {"action": "Kill", "onExitCodes": {"operator": "In", "containerName": "nope", "values": [3, 0, 3]}}
    assert refusal(kube_emulator, job(podFailurePolicy={"rules": [rule]})) == [
        (
            "spec.podFailurePolicy.rules[0].action",
            'Unsupported value: "Kill": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
        ),
        (
            "spec.podFailurePolicy.rules[0].onExitCodes.containerName",
            'Invalid value: "nope": must be one of the container or initContainer names in the pod template',
        ),
        ("spec.podFailurePolicy.rules[0].onExitCodes.values[1]", "Invalid value: 0: must not be 0 for the In operator"),
        ("spec.podFailurePolicy.rules[0].onExitCodes.values[2]", "Duplicate value: 3"),
        ("spec.podFailurePolicy.rules[0].onExitCodes.values", "Invalid value: []int32{3, 0, 3}: must be ordered"),
    ]


def test_a_rule_needs_exit_codes_or_pod_conditions(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, job(podFailurePolicy={"rules": [{"action": "Ignore"}]})) == [
        (
            "spec.podFailurePolicy.rules[0]",
            "Invalid value: specifying one of OnExitCodes and OnPodConditions is required",
        )
    ]


def test_a_pod_condition_pattern_status_defaults_to_true(kube_emulator: KubeEmulator) -> None:
    rule = {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}
    r = raw(kube_emulator, "POST", "/apis/batch/v1/namespaces/default/jobs", job(podFailurePolicy={"rules": [rule]}))
    assert r.status == 201, r.body
    assert r.json()["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"] == [
        {"type": "DisruptionTarget", "status": "True"}
    ]


def test_a_pod_condition_pattern_status_is_checked(kube_emulator: KubeEmulator) -> None:
    rule = {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "Maybe"}]}
    assert refusal(kube_emulator, job(podFailurePolicy={"rules": [rule]})) == [
        (
            "spec.podFailurePolicy.rules[0].onPodConditions[0].status",
            'Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
        )
    ]


def test_a_success_policy_needs_indexed_completion(kube_emulator: KubeEmulator) -> None:
    body = job(completions=2, successPolicy={"rules": [{"succeededCount": 1}]})
    assert refusal(kube_emulator, body) == [
        (
            "spec.successPolicy",
            "Invalid value: batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule{batch.SuccessPolicyRule{"
            "SucceededIndexes:(*string)(nil), SucceededCount:(*int32)(0xc000000000)}}}: "
            "requires indexed completion mode",
        )
    ]


def test_a_success_policy_count_above_completions_is_refused(kube_emulator: KubeEmulator) -> None:
    body = job(completionMode="Indexed", completions=2, successPolicy={"rules": [{"succeededCount": 3}, {}]})
    assert refusal(kube_emulator, body) == [
        (
            "spec.successPolicy.rules[0].succeededCount",
            "Invalid value: 3: must be less than or equal to 2 (the number of specified completions)",
        ),
        (
            "spec.successPolicy.rules[1]",
            "Required value: at least one of succeededCount or succeededIndexes must be specified",
        ),
    ]


def test_a_backoff_limit_per_index_needs_indexed_completion(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, job(backoffLimitPerIndex=1)) == [
        ("spec.backoffLimitPerIndex", "Invalid value: 1: requires indexed completion mode")
    ]


def test_a_pod_failure_policy_allows_only_failed_replacement(kube_emulator: KubeEmulator) -> None:
    body = job(podFailurePolicy={"rules": [EXIT_42]}, podReplacementPolicy="TerminatingOrFailed")
    assert refusal(kube_emulator, body) == [
        ("spec.podReplacementPolicy", 'Unsupported value: "TerminatingOrFailed": supported values: "Failed"')
    ]


def test_an_update_is_validated_too(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", "/apis/batch/v1/namespaces/default/jobs", job(podFailurePolicy={"rules": [EXIT_42]}))
    assert r.status == 201, r.body
    patch = {"spec": {"podFailurePolicy": {"rules": [{"action": "Ignore"}]}}}
    r = raw(
        kube_emulator, "PATCH", "/apis/batch/v1/namespaces/default/jobs/train", patch, "application/merge-patch+json"
    )
    assert r.status == 422
    assert r.json()["details"]["causes"][0]["field"] == "spec.podFailurePolicy.rules[0]"


@pytest.mark.kubectl
def test_kubectl_prints_the_restart_policy_refusal(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    r = kubectl_create(job("OnFailure", podFailurePolicy={"rules": [EXIT_42]}))
    assert r.returncode == 1
    assert r.stderr.strip() == (
        'The Job "train" is invalid: spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" '
        "is supported when podFailurePolicy is specified"
    )
