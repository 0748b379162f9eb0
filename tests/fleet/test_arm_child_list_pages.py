"""``fleet rollout strategy list``, ``fleet autoupgrade list`` and ``fleet gates`` pass the ARM
pager through the one output layer (FleetScope.each, FleetScope.pending_gates): each item becomes
its text (json) or its table cells as its page arrives, and a later page that fails prints
nothing (kubectl get prints a list only once every page came: kubernetes/kubectl dee3483a
pkg/cmd/get/get.go Run)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli import output, printable
from tests.cli import invoke, list_items
from tests.fleet.armworld import ARM, fleet_id


def _gate(emu: Any, n: int) -> dict[str, Any]:
    # The shape of Gates_Get.json (../shared/data/arm-examples/fleet-2026-06-01).
    run = f"{fleet_id(emu)}/updateRuns/up-1"
    target = {"name": "up-1", "stage": "s1", "group": f"g{n}", "timing": "After"}
    return {"properties": {"displayName": f"gate {n}", "target": {"id": run, "updateRunProperties": target},
                           "gateType": "Approval", "state": "Pending"}}  # fmt: skip


LISTS: dict[str, tuple[list[str], str, Any]] = {
    "strategy list": (
        ["fleet", "rollout", "strategy", "list", *ARM],
        "updateStrategies",
        lambda emu, n: {"properties": {"strategy": {"stages": [{"name": "all"}]}}},
    ),
    "autoupgrade list": (
        ["fleet", "autoupgrade", "list", *ARM],
        "autoUpgradeProfiles",
        lambda emu, n: {"properties": {"channel": "Stable"}},
    ),
    "gates": (["fleet", "gates", *ARM], "gates", _gate),
    "gates --pending": (["fleet", "gates", *ARM, "--pending"], "gates", _gate),
}


def _three_pages(emu: Any, child: str, body: Any) -> str:
    """Three children of ml-fleet, one a page; the list's path."""
    emu.page_size = 1
    for n in range(3):
        emu.put_resource(f"{fleet_id(emu)}/{child}/item-{n}", body(emu, n))
    return rf"/fleets/ml-fleet/{child}$"


def _pages_read_when_printed(monkeypatch: pytest.MonkeyPatch, emu: Any, path: str) -> list[int]:
    """How many pages had been read each time an item became its text or a table cell."""
    seen: list[int] = []
    shown, text = printable.shown, output._text

    def recorded(original: Any) -> Any:
        def call(*args: Any) -> Any:
            seen.append(len(emu.requests_to(path, "GET")))
            return original(*args)

        return call

    monkeypatch.setattr(printable, "shown", recorded(shown))
    monkeypatch.setattr(output, "_text", recorded(text))
    return seen


@pytest.mark.parametrize("fmt", ["json", "table"])
@pytest.mark.parametrize("command", LISTS)
def test_each_item_is_printed_as_its_page_arrives(
    command: str, fmt: str, fleet: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    args, child, body = LISTS[command]
    path = _three_pages(fleet, child, body)
    seen = _pages_read_when_printed(monkeypatch, fleet, path)
    result = invoke(*args, "-o", fmt)
    assert result.exit_code == 0, result
    assert "item-2" in result.stdout
    if fmt == "json":
        assert len(list_items(result.stdout)) == 3
    assert seen[0] == 1 and seen[-1] == 3


@pytest.mark.parametrize("command", LISTS)
def test_a_later_page_that_fails_prints_nothing(command: str, fleet: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    args, child, body = LISTS[command]
    path = _three_pages(fleet, child, body)
    original = printable.shown

    def refuse_the_next_page(item: Any, fmt: str) -> Any:
        fleet.faults.add("GET", path, 403)  # the first page is in: the second is refused
        return original(item, fmt)

    monkeypatch.setattr(printable, "shown", refuse_the_next_page)
    result = invoke(*args, "-o", "json")
    assert result.exit_code != 0, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and result.stderr.strip()
