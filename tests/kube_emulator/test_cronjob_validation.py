"""The API server refuses a CronJob whose schedule, time zone, history limits, name or jobTemplate
cannot work, and defaults the rest, as upstream does (kubernetes/kubernetes pkg/apis/batch/
validation/validation.go validateCronJobSpec, ValidateJobTemplateSpec, ValidateCronJobCreate;
pkg/apis/batch/v1/defaults.go SetDefaults_CronJob; the schedule parsed as robfig/cron v3
parser.go does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import kubectl_create, raw

CRONJOBS = "/apis/batch/v1/namespaces/default/cronjobs"


def cronjob(schedule: str = "*/5 * * * *", restart: str | None = "OnFailure", **spec: Any) -> dict[str, Any]:
    pod: dict[str, Any] = {"containers": [{"name": "main", "image": "busybox"}]}
    if restart is not None:
        pod["restartPolicy"] = restart
    job_spec = spec.pop("job", {})
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": spec.pop("name", "nightly")},
        "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": pod}, **job_spec}}, **spec},
    }


def refusal(emu: KubeEmulator, body: dict[str, Any]) -> list[tuple[str, str]]:
    r = raw(emu, "POST", CRONJOBS, body)
    assert r.status == 422, r.body
    return [(c["field"], c["message"]) for c in r.json()["details"]["causes"]]


def test_a_cronjob_gets_upstream_defaults(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CRONJOBS, cronjob())
    assert r.status == 201, r.body
    spec = r.json()["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"]) == ("Allow", False)
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)


def test_descriptors_and_names_parse(kube_emulator: KubeEmulator) -> None:
    for i, schedule in enumerate(["@hourly", "@every 1h30m", "0 3 * jan-mar mon-fri", "15 */2 1,15 * ?"]):
        r = raw(kube_emulator, "POST", CRONJOBS, cronjob(schedule, name=f"c{i}"))
        assert r.status == 201, (schedule, r.body)


def test_a_jobtemplate_without_a_restart_policy_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, cronjob(restart=None)) == [
        ("spec.jobTemplate.spec.template.spec.restartPolicy", 'Required value: valid values: "OnFailure", "Never"')
    ]


def test_a_jobtemplate_is_checked_as_a_job_spec(kube_emulator: KubeEmulator) -> None:
    body = cronjob(job={"backoffLimit": -1, "backoffLimitPerIndex": 1})
    assert refusal(kube_emulator, body) == [
        ("spec.jobTemplate.spec.backoffLimit", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.jobTemplate.spec.backoffLimitPerIndex", "Invalid value: 1: requires indexed completion mode"),
    ]


def test_a_jobtemplate_selector_is_refused(kube_emulator: KubeEmulator) -> None:
    body = cronjob(job={"selector": {"matchLabels": {"app": "x"}}, "manualSelector": True})
    assert refusal(kube_emulator, body) == [
        (
            "spec.jobTemplate.spec.selector",
            'Invalid value: {"matchLabels":{"app":"x"}}: `selector` will be auto-generated',
        ),
        ("spec.jobTemplate.spec.manualSelector", 'Unsupported value: true: supported values: "nil", "false"'),
    ]


def test_a_schedule_with_four_fields_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, cronjob("*/5 * * *")) == [
        ("spec.schedule", 'Invalid value: "*/5 * * *": expected exactly 5 fields, found 4: [*/5 * * *]')
    ]


def test_a_schedule_out_of_range_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, cronjob("0 24 * * *")) == [
        ("spec.schedule", 'Invalid value: "0 24 * * *": end of range (24) above maximum (23): 24')
    ]


def test_a_schedule_word_is_refused_with_go_s_error(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, cronjob("0 0 * * weekday")) == [
        (
            "spec.schedule",
            'Invalid value: "0 0 * * weekday": failed to parse int from weekday: strconv.Atoi: parsing "weekday": '
            "invalid syntax",
        )
    ]


def test_an_unknown_descriptor_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, cronjob("@fortnightly")) == [
        ("spec.schedule", 'Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly')
    ]


def test_tz_in_the_schedule_is_refused_on_create(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, cronjob("CRON_TZ=UTC 0 3 * * *")) == [
        (
            "spec.schedule",
            'Invalid value: "CRON_TZ=UTC 0 3 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
        )
    ]


def test_an_unknown_time_zone_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, cronjob(timeZone="Mars/Olympus_Mons")) == [
        ("spec.timeZone", 'Invalid value: "Mars/Olympus_Mons": unknown time zone Mars/Olympus_Mons')
    ]


def test_a_known_time_zone_is_created(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CRONJOBS, cronjob(timeZone="Europe/Amsterdam"))
    assert r.status == 201, r.body


def test_an_unknown_concurrency_policy_and_negative_limits_are_refused(kube_emulator: KubeEmulator) -> None:
    body = cronjob(concurrencyPolicy="Queue", startingDeadlineSeconds=-1, failedJobsHistoryLimit=-1)
    assert refusal(kube_emulator, body) == [
        ("spec.startingDeadlineSeconds", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.concurrencyPolicy", 'Unsupported value: "Queue": supported values: "Allow", "Forbid", "Replace"'),
        ("spec.failedJobsHistoryLimit", "Invalid value: -1: must be greater than or equal to 0"),
    ]


def test_a_name_longer_than_52_characters_is_refused_on_create(kube_emulator: KubeEmulator) -> None:
    name = "n" * 53
    assert refusal(kube_emulator, cronjob(name=name)) == [
        ("metadata.name", f'Invalid value: "{name}": must be no more than 52 characters')
    ]


@pytest.mark.kubectl
def test_kubectl_prints_the_jobtemplate_refusal(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    r = kubectl_create(cronjob("0 24 * * *", restart="Always"))
    assert r.returncode == 1
    assert r.stderr.strip() == (
        'The CronJob "nightly" is invalid: \n'
        '* spec.schedule: Invalid value: "0 24 * * *": end of range (24) above maximum (23): 24\n'
        '* spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'
    )
