"""The time left of a staged run's after-stage wait, and a member's last heartbeat, are read from RFC
3339 times as the hub and ARM read them (akscli.timestamps): a fraction or an offset is a time, a
time without an offset is none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from akscli.fleet import rollout
from akscli.fleet.arm_run_status import wait_detail
from akscli.fleet.eligibility import not_eligible


def _hub_run(progressing_since: str) -> dict[str, Any]:
    """A hub run whose stage's members are updated, waiting an hour after the stage (kubefleet-dev/
    kubefleet e160c1cd pkg/controllers/updaterun/execution.go: Progressing=False, StageUpdatingWaiting)."""
    waiting = {
        "type": "Progressing",
        "status": "False",
        "reason": "StageUpdatingWaiting",
        "lastTransitionTime": progressing_since,
    }
    stage = {
        "stageName": "canary",
        "conditions": [waiting],
        "clusters": [],
        "afterStageTaskStatus": [{"type": "TimedWait"}],
    }
    snapshot = {"stages": [{"name": "canary", "afterStageTasks": [{"type": "TimedWait", "waitTime": "1h"}]}]}
    return {"status": {"stagesStatus": [stage], "stagedUpdateStrategySnapshot": snapshot}}


def _wait_row(run: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in rollout.run_rows(run) if r["member"] == "(after timedwait)")


@pytest.mark.parametrize(
    "form",
    [
        "%Y-%m-%dT%H:%M:%S.123456Z",  # metav1.MicroTime's RFC3339Micro
        "%Y-%m-%dT%H:%M:%S+00:00",  # as a Python client writes it; a custom resource keeps it
    ],
)
def test_an_after_stage_wait_counts_from_a_transition_time_with_a_fraction_or_an_offset(form: str) -> None:
    # The old reader took only "%Y-%m-%dT%H:%M:%SZ" and showed no time left for these.
    row = _wait_row(_hub_run(datetime.now(UTC).strftime(form)))
    assert row["state"] == "Waiting"
    assert row["detail"].endswith("s left of 1h")


def test_an_after_stage_wait_without_a_readable_transition_time_shows_no_time_left() -> None:
    assert _wait_row(_hub_run("2026-01-31T12:00:00"))["detail"] == ""


def test_an_arm_wait_counts_from_a_start_time_with_seven_fraction_digits_and_an_offset() -> None:
    started = "2026-01-31T14:00:00.1234567+02:00"
    now = datetime(2026, 1, 31, 12, 0, 10, tzinfo=UTC).timestamp()
    wait = {"waitDurationInSeconds": 600, "status": {"state": "Running", "startTime": started}}
    assert wait_detail(wait, now=lambda: now) == "600s, 590s left"


def test_an_arm_wait_start_time_without_an_offset_is_not_read_as_local_time() -> None:
    # RFC 3339 requires an offset (microsoft/api-guidelines azure/Guidelines.md
    # json-date-time-is-rfc3339); the old reader took such a time as the machine's local time, so the
    # time left was off by the machine's offset from UTC.
    now = datetime(2026, 1, 31, 12, 0, 10, tzinfo=UTC).timestamp()
    wait = {"waitDurationInSeconds": 600, "status": {"state": "Running", "startTime": "2026-01-31T12:00:00"}}
    assert wait_detail(wait, now=lambda: now) == "600s"


def test_a_heartbeat_without_an_offset_is_no_heartbeat() -> None:
    # The old reader made a naive datetime of it, and subtracting it from now raised TypeError.
    agent = {"type": "MemberAgent", "lastReceivedHeartbeat": "2026-01-31T12:00:00", "conditions": []}
    reason = not_eligible({"status": {"agentStatus": [agent]}})
    assert reason == "cluster is not connected to the fleet: no recent heartbeat signals (last received never)"


def test_a_micro_time_heartbeat_a_minute_old_is_recent() -> None:
    beat = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    joined = {"type": "Joined", "status": "True"}
    healthy = {"type": "Healthy", "status": "True"}
    agent = {"type": "MemberAgent", "lastReceivedHeartbeat": beat, "conditions": [joined, healthy]}
    assert not_eligible({"status": {"agentStatus": [agent]}}) is None
