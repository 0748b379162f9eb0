"""The API server generates a Job's selector and the labels it selects when the Job is created,
and refuses a Job whose selector is not the generated one or does not select its pods (upstream:
kubernetes/kubernetes pkg/registry/batch/job/strategy.go generateSelector; pkg/apis/batch/
validation/validation.go validateGeneratedSelector and ValidateJobSpec, whose cases are
validation_test.go TestValidateJob "spec.template.metadata.labels: Invalid value: ... `selector`
does not match template `labels`" and "spec.selector: Invalid ... `selector` not auto-generated";
tests/emulators/kube/job_selector.py)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import kubectl_create, raw

JOBS = "/apis/batch/v1/namespaces/default/jobs"
UID, NAME = "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name"


def job(name: str = "train", labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    pod = {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}
    template: dict[str, Any] = {"spec": pod}
    if labels is not None:
        template["metadata"] = {"labels": labels}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {"template": template, **spec},
    }


def refusal(emu: KubeEmulator, body: dict[str, Any]) -> list[tuple[str, str]]:
    r = raw(emu, "POST", JOBS, body)
    assert r.status == 422, r.body
    return [(c["field"], c["message"]) for c in r.json()["details"]["causes"]]


def created(emu: KubeEmulator, body: dict[str, Any]) -> dict[str, Any]:
    r = raw(emu, "POST", JOBS, body)
    assert r.status == 201, r.body
    result: dict[str, Any] = r.json()
    return result


def test_a_created_job_gets_the_generated_selector_and_the_labels_it_selects(kube_emulator: KubeEmulator) -> None:
    stored = created(kube_emulator, job(labels={"app": "train"}))
    uid = stored["metadata"]["uid"]
    assert stored["spec"]["manualSelector"] is False
    assert stored["spec"]["selector"] == {"matchLabels": {UID: uid}}
    assert stored["spec"]["template"]["metadata"]["labels"] == {
        "app": "train",
        "job-name": "train",
        NAME: "train",
        "controller-uid": uid,
        UID: uid,
    }


def test_a_selector_of_ones_own_without_manual_selector_is_refused(kube_emulator: KubeEmulator) -> None:
    causes = refusal(kube_emulator, job(selector={"matchLabels": {"app": "train"}}))
    assert [field for field, _ in causes] == ["spec.selector", "spec.template.metadata.labels"]
    assert causes[0][1].startswith('Invalid value: {"matchLabels":{"app":"train","batch.kubernetes.io/controller-uid":')
    assert causes[0][1].endswith("`selector` not auto-generated")
    assert causes[1][1].endswith("`selector` does not match template `labels`")


def test_a_template_label_that_is_not_the_generated_one_is_refused(kube_emulator: KubeEmulator) -> None:
    causes = refusal(kube_emulator, job(labels={"job-name": "other"}))
    assert [(field, message.rsplit(": ", 1)[-1]) for field, message in causes] == [
        ("spec.template.metadata.labels[job-name]", "must be 'train'")
    ]
    assert causes[0][1].startswith('Invalid value: {"batch.kubernetes.io/controller-uid":')


def test_a_manual_selector_is_required(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, job(manualSelector=True)) == [
        ("spec.selector", "Required value"),
        ("spec.template.metadata.labels", "Invalid value: null: `selector` does not match template `labels`"),
    ]


def test_a_manual_selector_must_select_the_template(kube_emulator: KubeEmulator) -> None:
    body = job(labels={"app": "other"}, manualSelector=True, selector={"matchLabels": {"app": "train"}})
    assert refusal(kube_emulator, body) == [
        ("spec.template.metadata.labels", 'Invalid value: {"app":"other"}: `selector` does not match template `labels`')
    ]


def test_a_manual_selector_that_selects_the_template_is_kept_as_given(kube_emulator: KubeEmulator) -> None:
    selector = {"matchLabels": {"app": "train"}}
    stored = created(kube_emulator, job(labels={"app": "train"}, manualSelector=True, selector=selector))
    assert stored["spec"]["selector"] == selector
    assert stored["spec"]["template"]["metadata"]["labels"] == {"app": "train"}


def test_an_update_of_a_created_job_keeps_its_selector_valid(kube_emulator: KubeEmulator) -> None:
    stored = created(kube_emulator, job())
    update = copy.deepcopy(stored)
    update["metadata"]["labels"] = {"team": "ml"}
    # Unconditional (no resourceVersion), as the Job strategy allows: the Job controller's status
    # write may land between the create and this PUT (kubernetes/kubernetes pkg/registry/batch/job/
    # strategy.go AllowUnconditionalUpdate).
    del update["metadata"]["resourceVersion"]
    r = raw(kube_emulator, "PUT", f"{JOBS}/train", update)
    assert r.status == 200, r.body
    assert r.json()["spec"]["selector"] == stored["spec"]["selector"]


@pytest.mark.kubectl
def test_kubectl_prints_the_selector_refusal(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    r = kubectl_create(job(labels={"app": "other"}, manualSelector=True, selector={"matchLabels": {"app": "train"}}))
    assert r.returncode == 1
    assert r.stderr.strip() == (
        'The Job "train" is invalid: spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` '
        "does not match template `labels`"
    )
