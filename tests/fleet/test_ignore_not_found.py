"""--ignore-not-found on the fleet deletes through ARM: an absent fleet, member, update run,
strategy or auto-upgrade profile is exit 0, nothing on stdout, no DELETE sent (kubectl delete
--ignore-not-found; upstream: kubernetes/kubectl pkg/cmd/delete/delete.go, DeleteResult)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke
from tests.fleet.armworld import ABSENT_DELETES


@pytest.mark.parametrize(
    "command",
    ABSENT_DELETES,
    ids=lambda c: " ".join(c[1:3]),
)
def test_deleting_what_does_not_exist_with_ignore_not_found_is_exit_0_and_sends_no_delete(
    fleet: Any, command: list[str]
) -> None:
    result = invoke(*command, "-y", "--ignore-not-found")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert [r for r in fleet.request_log if r.method == "DELETE"] == []


@pytest.mark.parametrize(
    "command",
    [["placement", "delete", "nosuch"], ["rollout", "delete", "nosuch"], ["rollout", "strategy", "delete", "nosuch"]],
    ids=" ".join,
)
def test_deleting_what_the_hub_does_not_have_with_ignore_not_found_is_exit_0_and_writes_nothing(
    hub: Any, command: list[str]
) -> None:
    result = invoke("fleet", *command, "-y", "--ignore-not-found")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert [r for r in hub.emu.request_log if r.method not in ("GET", "HEAD")] == []


def test_deleting_what_the_hub_does_not_have_without_the_flag_is_not_found(hub: Any) -> None:
    result = invoke("fleet", "placement", "delete", "nosuch", "-y")
    assert result.exit_code == 3, result
    assert result.stdout == "" and result.stderr.startswith("error: ")
