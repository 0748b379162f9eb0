"""The API server refuses a Job whose counts, managedBy, Indexed limits, success-policy indexes
or pod template cannot work, as validateJobSpec and validateSuccessPolicyRule do (kubernetes/
kubernetes pkg/apis/batch/validation/validation.go; validateIndexesFormat, parseIndexInterval;
pkg/apis/core/validation/validation.go validateContainerCommon)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw
from tests.kube_emulator.test_job_validation import job, refusal


def indexed(completions: int, **spec: Any) -> dict[str, Any]:
    return job(completionMode="Indexed", completions=completions, **spec)


def test_negative_counts_are_refused_in_upstream_order(kube_emulator: KubeEmulator) -> None:
    body = job(parallelism=-1, activeDeadlineSeconds=-5, ttlSecondsAfterFinished=-2)
    assert refusal(kube_emulator, body) == [
        ("spec.parallelism", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.activeDeadlineSeconds", "Invalid value: -5: must be greater than or equal to 0"),
        ("spec.ttlSecondsAfterFinished", "Invalid value: -2: must be greater than or equal to 0"),
    ]


def test_max_failed_indexes_needs_a_backoff_limit_per_index(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, indexed(4, maxFailedIndexes=1)) == [
        ("spec.backoffLimitPerIndex", "Required value: when maxFailedIndexes is specified")
    ]


def test_managed_by_must_be_a_domain_prefixed_path(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, job(managedBy="kueue")) == [
        ("spec.managedBy", 'Invalid value: "kueue": must be a domain-prefixed path (such as "acme.io/foo")')
    ]


def test_managed_by_longer_than_63_bytes_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, job(managedBy="example.com/" + "a" * 60)) == [
        ("spec.managedBy", "Too long: may not be more than 63 bytes")
    ]


def test_a_managed_by_path_is_created(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", "/apis/batch/v1/namespaces/default/jobs", job(managedBy="kueue.x-k8s.io/multikueue"))
    assert r.status == 201, r.body


def test_an_unknown_completion_mode_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, job(completionMode="Ordered")) == [
        ("spec.completionMode", 'Unsupported value: "Ordered": supported values: "NonIndexed", "Indexed"')
    ]


def test_an_indexed_job_needs_completions(kube_emulator: KubeEmulator) -> None:
    body = job(completionMode="Indexed", parallelism=2)
    assert refusal(kube_emulator, body) == [("spec.completions", "Required value: when completion mode is Indexed")]


def test_indexed_parallelism_above_100000_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, indexed(200_000, parallelism=100_001)) == [
        (
            "spec.parallelism",
            "Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed",
        )
    ]


def test_max_failed_indexes_above_completions_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, indexed(4, backoffLimitPerIndex=1, maxFailedIndexes=5)) == [
        ("spec.maxFailedIndexes", "Invalid value: 5: must be less than or equal to completions")
    ]


def test_high_completions_with_a_per_index_limit_need_max_failed_indexes(kube_emulator: KubeEmulator) -> None:
    body = indexed(100_001, backoffLimitPerIndex=1, parallelism=10_001)
    assert refusal(kube_emulator, body) == [
        ("spec.maxFailedIndexes", "Required value: must be specified when completions is above 100000"),
        (
            "spec.parallelism",
            "Invalid value: 10001: must be less than or equal to 10000 when completions are above 100000 and "
            "used with backoff limit per index",
        ),
    ]


def test_succeeded_indexes_out_of_order_are_refused(kube_emulator: KubeEmulator) -> None:
    body = indexed(10, successPolicy={"rules": [{"succeededIndexes": "3-5,4"}]})
    assert refusal(kube_emulator, body) == [
        (
            "spec.successPolicy.rules[0].succeededIndexes",
            'Invalid value: "3-5,4": error parsing succeededIndexes: non-increasing order, previous: 5, current: 4',
        )
    ]


def test_succeeded_indexes_beyond_completions_are_refused(kube_emulator: KubeEmulator) -> None:
    body = indexed(4, successPolicy={"rules": [{"succeededIndexes": "1-4"}]})
    assert refusal(kube_emulator, body) == [
        (
            "spec.successPolicy.rules[0].succeededIndexes",
            'Invalid value: "1-4": error parsing succeededIndexes: too large index: "4"',
        )
    ]


def test_succeeded_indexes_that_are_not_numbers_are_refused(kube_emulator: KubeEmulator) -> None:
    body = indexed(4, successPolicy={"rules": [{"succeededIndexes": "a"}]})
    assert refusal(kube_emulator, body) == [
        (
            "spec.successPolicy.rules[0].succeededIndexes",
            'Invalid value: "a": error parsing succeededIndexes: cannot convert string to integer for index: "a"',
        )
    ]


def test_a_succeeded_count_above_the_indexes_is_refused(kube_emulator: KubeEmulator) -> None:
    body = indexed(10, successPolicy={"rules": [{"succeededIndexes": "0,2-3", "succeededCount": 4}]})
    assert refusal(kube_emulator, body) == [
        (
            "spec.successPolicy.rules[0].succeededCount",
            "Invalid value: 4: must be less than or equal to 3 (the number of indexes in the specified "
            "succeededIndexes field)",
        )
    ]


def test_a_succeeded_count_within_the_indexes_is_created(kube_emulator: KubeEmulator) -> None:
    body = indexed(10, successPolicy={"rules": [{"succeededIndexes": "0,2-3", "succeededCount": 3}]})
    r = raw(kube_emulator, "POST", "/apis/batch/v1/namespaces/default/jobs", body)
    assert r.status == 201, r.body


def test_a_template_container_needs_a_name_and_an_image(kube_emulator: KubeEmulator) -> None:
    body = job()
    body["spec"]["template"]["spec"]["containers"] = [{"name": "Main_1"}]
    assert refusal(kube_emulator, body) == [
        (
            "spec.template.spec.containers[0].name",
            'Invalid value: "Main_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters '
            "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
            "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
        ("spec.template.spec.containers[0].image", "Required value"),
    ]
