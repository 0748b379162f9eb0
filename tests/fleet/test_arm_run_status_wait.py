"""``fleet rollout status RUN --fleet F -g RG --wait``: ARM has no watch, so akscli polls the run with
backoff until it is Completed. The ARM emulator moves a run one step each time it is read
(tests/emulators/arm/fleetruns.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.azure.helpers import record_pauses
from tests.cli import invoke
from tests.fleet.armworld import ARM, ok, seed_members


def test_status_wait_of_an_arm_run_ends_once_it_completed(fleet: Any) -> None:
    seed_members(fleet)
    ok("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--stage", "s;groups=cloud",
       "--start")  # fmt: skip
    result = invoke("fleet", "rollout", "status", "up-1", *ARM, "--wait", "--timeout", "60s")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0] == "update run up-1: Completed"


def test_status_wait_of_an_arm_run_at_a_gate_times_out_naming_the_gate(fleet: Any) -> None:
    seed_members(fleet)
    ok("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "cloud;groups=cloud;before=approval")
    ok("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--strategy", "safe", "--start")
    result = invoke("fleet", "rollout", "status", "up-1", *ARM, "--wait", "--timeout", "1s")
    assert result.exit_code == 5, result
    assert "waiting for update run 'up-1' (Pending, waiting for approval of gate" in result.stderr
    assert "hint: approve a gate it waits at (akscli fleet approve up-1 --fleet ml-fleet -g rg-fleet)" in result.stderr


def test_status_wait_of_a_stopped_arm_run_ends_at_once(fleet: Any) -> None:
    seed_members(fleet)
    ok("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "cloud;groups=cloud;before=approval")
    ok("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--strategy", "safe", "--start")
    ok("fleet", "rollout", "stop", "up-1", *ARM)
    result = invoke("fleet", "rollout", "status", "up-1", *ARM, "--wait", "--timeout", "60s")
    assert result.exit_code == 10, result
    assert "update run 'up-1' is Stopped" in result.stderr


def test_status_wait_honours_retry_after_on_a_throttled_read(fleet: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []

    def pause(seconds: float) -> None:  # the ARM retry policy's wait, recorded on the emulator's clock
        waited.append(seconds)
        fleet.clock_offset += seconds

    record_pauses(monkeypatch, pause)
    seed_members(fleet)
    ok("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--stage", "s;groups=cloud",
       "--start")  # fmt: skip
    fleet.faults.add("GET", "/updateRuns/up-1$", 429, retry_after=7)
    result = invoke("fleet", "rollout", "status", "up-1", *ARM, "--wait", "--timeout", "60s")
    assert result.exit_code == 0, result
    assert waited[0] == 7.0
