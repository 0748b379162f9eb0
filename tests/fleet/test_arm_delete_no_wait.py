"""--no-wait on `fleet rollout delete` and `fleet rollout strategy delete` is the hub delete's
(kubectl delete --wait=false). Through ARM (--fleet) akscli follows Azure's operation to its end, as
every Fleet ARM write does, so --no-wait is refused there (exit 2, nothing read or sent) rather than
accepted and ignored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.armworld import ARM, ok

DELETES = [
    ["fleet", "rollout", "delete", "up-1", *ARM],
    ["fleet", "rollout", "strategy", "delete", "safe", *ARM],
]


def _run_and_strategy() -> None:
    ok("fleet", "rollout", "strategy", "create", "safe", *ARM, "--stage", "all;groups=cloud")
    ok("fleet", "rollout", "create", "up-1", *ARM, "--upgrade-type", "NodeImageOnly", "--strategy", "safe")


@pytest.mark.parametrize("command", DELETES, ids=["rollout delete", "strategy delete"])
def test_no_wait_with_fleet_is_refused_and_deletes_nothing(fleet: Any, command: list[str]) -> None:
    _run_and_strategy()
    fleet.request_log.clear()
    result = invoke(*command, "--no-wait", "-y")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        "error: --no-wait applies to the hub's delete; with --fleet akscli follows Azure's operation to its end"
    )
    assert "Traceback" not in result.stderr
    assert fleet.request_log == []


@pytest.mark.parametrize("command", DELETES, ids=["rollout delete", "strategy delete"])
def test_the_arm_delete_without_no_wait_still_deletes(fleet: Any, command: list[str]) -> None:
    _run_and_strategy()
    if "strategy" in command:
        ok("fleet", "rollout", "delete", "up-1", *ARM, "-y")  # the run that uses it goes first
    result = invoke(*command, "-y")
    assert result.exit_code == 0, result
