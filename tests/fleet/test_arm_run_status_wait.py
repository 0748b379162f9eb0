"""``fleet rollout status RUN --fleet F -g RG --wait``: ARM has no watch, so akscli polls the run with
backoff until it is Completed. The ARM emulator moves a run one step each time it is read
(tests/emulators/arm/fleetruns.py). The poll waits through the ARM retry policy's pause and reads
its clock (akscli.azure.armretry), so here every wait, the poll's and the retry policy's, is
recorded on the emulator's clock: nothing sleeps, and no test races the wall clock."""

from __future__ import annotations

import time
from typing import Any

import pytest

from akscli.azure import armretry
from tests.azure.helpers import record_pauses
from tests.cli import invoke
from tests.fleet.armworld import ARM, ok, seed_members


@pytest.fixture(autouse=True)
def waited(fleet: Any, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Each wait akscli makes, in order; each moves the ARM emulator's clock on by as much."""
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        fleet.clock_offset += seconds

    record_pauses(monkeypatch, pause)
    monkeypatch.setattr(armretry, "clock", lambda: time.monotonic() + fleet.clock_offset)
    return pauses


def _run_at_a_gate(fleet: Any, stage: str = "cloud;groups=cloud;before=approval") -> None:
    """Run up-1 started, its one stage (``stage``) waiting for an approval before it starts."""
    seed_members(fleet)
    ok("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", stage)
    ok("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--strategy", "safe", "--start")


def test_status_wait_of_an_arm_run_ends_once_it_completed(fleet: Any) -> None:
    seed_members(fleet)
    ok("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--stage", "s;groups=cloud",
       "--start")  # fmt: skip
    result = invoke("fleet", "rollout", "status", "up-1", *ARM, "--wait", "--timeout", "60s")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0] == "update run up-1: Completed"


def test_status_wait_of_an_arm_run_at_a_gate_times_out_naming_the_gate(fleet: Any) -> None:
    _run_at_a_gate(fleet)
    result = invoke("fleet", "rollout", "status", "up-1", *ARM, "--wait", "--timeout", "1s")
    assert result.exit_code == 5, result
    assert "waiting for update run 'up-1' (Pending, waiting for approval of gate" in result.stderr
    assert "hint: approve a gate it waits at (akscli fleet approve up-1 --fleet ml-fleet -g rg-fleet)" in result.stderr


def test_status_wait_of_a_stopped_arm_run_ends_at_once(fleet: Any) -> None:
    _run_at_a_gate(fleet)
    ok("fleet", "rollout", "stop", "up-1", *ARM)
    result = invoke("fleet", "rollout", "status", "up-1", *ARM, "--wait", "--timeout", "60s")
    assert result.exit_code == 10, result
    assert "update run 'up-1' is Stopped" in result.stderr


def test_status_wait_honours_retry_after_on_a_throttled_read(fleet: Any, waited: list[float]) -> None:
    seed_members(fleet)
    ok("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--stage", "s;groups=cloud",
       "--start")  # fmt: skip
    fleet.faults.add("GET", "/updateRuns/up-1$", 429, retry_after=7)
    result = invoke("fleet", "rollout", "status", "up-1", *ARM, "--wait", "--timeout", "60s")
    assert result.exit_code == 0, result
    assert waited[0] == 7.0


def test_status_wait_polls_with_backoff_on_the_emulators_clock_until_its_timeout(
    fleet: Any, waited: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(armretry, "uniform", lambda low, high: low)  # the shortest jitter
    _run_at_a_gate(fleet)
    result = invoke("fleet", "rollout", "status", "up-1", *ARM, "--wait", "--timeout", "20s")
    assert result.exit_code == 5, result
    # 1 s doubling to 5 s; one more 5 s would pass the 20 s, so it ends after 17 s of the emulator's clock.
    assert waited == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_status_wait_timeout_zero_reads_the_arm_run_once(fleet: Any, waited: list[float]) -> None:
    # --timeout 0 checks once, as kubectl wait --timeout=0 (kubernetes/kubectl dee3483a pkg/cmd/wait/condition.go)
    _run_at_a_gate(fleet)
    result = invoke("fleet", "rollout", "status", "up-1", *ARM, "--wait", "--timeout", "0")
    assert result.exit_code == 5, result
    assert "error: condition not met for update run 'up-1' (" in result.stderr
    assert "hint: --timeout 0 checks once and does not wait" in result.stderr
    assert waited == []  # no poll's pause


# audit35 (wait35): approve --wait --timeout 0 checks once, as every wait (kube/wait_report.py once_error);
# before, its own poll said "reached no new gate within 0s".
def test_arm_approve_wait_timeout_zero_reads_the_run_and_its_gates_once(fleet: Any, waited: list[float]) -> None:
    _run_at_a_gate(fleet, "cloud;groups=cloud;before=approval;after=wait:1h")
    result = invoke("fleet", "approve", "up-1", *ARM, "--wait", "--timeout", "0")
    assert result.exit_code == 5, result
    assert "approved gate" in result.stdout  # the gate it was asked for is approved; the next one is checked once
    assert "error: condition not met for update run 'up-1' (no new gate; it is " in result.stderr
    assert "hint: --timeout 0 checks once and does not wait, as kubectl wait --timeout=0" in result.stderr
    assert "within 0s" not in result.stderr
    assert waited == []  # never polled
