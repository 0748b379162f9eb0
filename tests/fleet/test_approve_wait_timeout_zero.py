"""``fleet approve --wait --timeout 0`` checks once, as every akscli wait's --timeout 0 and kubectl wait
--timeout=0 ("Zero means check once and don't wait": kubernetes/kubectl dee3483a pkg/cmd/wait/wait.go,
pkg/cmd/wait/condition.go getObjAndCheckCondition): the run it read is the check, nothing is watched or
polled, and a gate not there yet ends the command with the shared "condition not met for ..." and its
hint (kube/wait_report.py once_error), exit 5. Before, approve's own loops said "asked for no new
approval within 0s" (hub) and "reached no new gate within 0s" (ARM)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from akscli.azure import armretry
from tests.azure.helpers import record_pauses
from tests.cli import invoke
from tests.fleet.armworld import ARM, ok, seed_members
from tests.fleet.conftest import Hub
from tests.fleet.test_rollout_e2e import _staged

ONCE_HINT = (
    "hint: --timeout 0 checks once and does not wait, as kubectl wait --timeout=0; give a longer --timeout to wait"
)
RUN = "clusterstagedupdaterun.placement.kubernetes-fleet.io/run-1"


def test_hub_approve_wait_timeout_zero_checks_the_run_once_and_says_the_condition_is_not_met(hub: Hub) -> None:
    # run-1 waits for the canary stage's approval; nothing of stage prod is asked for until it is given
    _staged(hub)
    hub.emu.request_log.clear()
    result = invoke("fleet", "approve", "run-1", "--stage", "prod", "--wait", "--timeout", "0")
    assert result.exit_code == 5, result
    assert result.stderr.splitlines()[-2:] == [
        f"error: condition not met for {RUN} (no new approval asked for; it is Waiting)",
        ONCE_HINT,
    ]
    runs = [r.verb for r in hub.emu.request_log if "clusterstagedupdateruns" in r.path]
    assert runs == ["get"]  # the one read is the check: no second read, no watch


def test_hub_approve_wait_that_used_up_its_timeout_is_not_a_check_once() -> None:
    from akscli.cli.fleet.approve import _left

    assert _left(0.0, 0.0) == 0.0
    assert _left(30.0, 31.0) > 0  # the next gate's wait times out; it is no --timeout 0
    assert _left(30.0, 10.0) == 20.0


@pytest.fixture
def arm_clock(fleet: Any, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Each pause akscli makes, on the ARM emulator's clock (as test_arm_run_status_wait.py)."""
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        fleet.clock_offset += seconds

    record_pauses(monkeypatch, pause)
    monkeypatch.setattr(armretry, "clock", lambda: time.monotonic() + fleet.clock_offset)
    return pauses


def test_arm_approve_wait_timeout_zero_reads_the_run_and_its_gates_once(fleet: Any, arm_clock: list[float]) -> None:
    seed_members(fleet)
    ok(
        "fleet",
        "rollout",
        "strategy",
        "create",
        "safe",
        *ARM,
        "--stage",
        "cloud;groups=cloud;before=approval;after=wait:1h",
    )
    ok("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--strategy", "safe", "--start")
    result = invoke("fleet", "approve", "up-1", *ARM, "--wait", "--timeout", "0")
    assert result.exit_code == 5, result
    assert "approved gate" in result.stdout  # the gate it was asked for is approved; the next one is checked once
    assert "error: condition not met for update run 'up-1' (no new gate; it is " in result.stderr
    assert ONCE_HINT in result.stderr
    assert "within 0s" not in result.stderr
    assert arm_clock == []  # never polled
