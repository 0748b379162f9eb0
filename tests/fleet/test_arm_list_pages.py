"""``fleet list`` and ``fleet rollout list`` pass the ARM pager through the one output layer, as
``cluster list`` does (akscli.cli.azopts.emit_resources, docs/changes/audit17-arm2.md): each fleet
or update run is turned into its text, or its table row, as its page arrives, and a later page
that fails leaves stdout empty (kubectl get prints a list only once every page came)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli import invoke, list_items
from tests.fleet.armworld import ARM, RG, fleet_id, sub

FLEETS = r"/resourceGroups/rg-fleet/providers/Microsoft\.ContainerService/fleets$"
RUNS = r"/fleets/ml-fleet/updateRuns$"
LISTS = {
    "fleet list": (["fleet", "list", "-g", RG], FLEETS, "akscli.fleet.arm.fleet_row"),
    "fleet rollout list": (["fleet", "rollout", "list", *ARM], RUNS, "akscli.fleet.arm_run_status.run_row"),
}


def _three_pages(emu: Any) -> None:
    """Three fleets in rg-fleet (ml-fleet and two more) and three update runs, one a page."""
    emu.page_size = 1
    for n in (1, 2):
        group = f"/subscriptions/{sub(emu)}/resourceGroups/{RG}/providers/Microsoft.ContainerService"
        emu.put_resource(f"{group}/fleets/zz-fleet-{n}", {"location": "eastus", "properties": {}})
    for n in range(3):
        emu.put_resource(f"{fleet_id(emu)}/updateRuns/up-{n}", {"properties": {}})


def _pages_read_when(monkeypatch: pytest.MonkeyPatch, emu: Any, target: str, path: str) -> list[int]:
    """How many pages of the list had been read each time ``target`` turned an item into text or a row."""
    module, _, attr = target.rpartition(".")
    original = getattr(__import__(module, fromlist=[attr]), attr)
    seen: list[int] = []

    def recording(item: Any, *args: Any) -> Any:
        seen.append(len(emu.requests_to(path, "GET")))
        return original(item, *args)

    monkeypatch.setattr(target, recording)
    return seen


@pytest.mark.parametrize("command", LISTS)
def test_json_turns_each_item_into_text_as_its_page_arrives(
    command: str, fleet: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    args, path, _ = LISTS[command]
    _three_pages(fleet)
    seen = _pages_read_when(monkeypatch, fleet, "akscli.printable.shown", path)
    result = invoke(*args, "-o", "json")
    assert result.exit_code == 0, result
    assert len(list_items(result.stdout)) == 3
    assert seen == [1, 2, 3]


@pytest.mark.parametrize("command", LISTS)
def test_a_table_summarises_each_item_as_its_page_arrives(
    command: str, fleet: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    args, path, row = LISTS[command]
    _three_pages(fleet)
    seen = _pages_read_when(monkeypatch, fleet, row, path)
    result = invoke(*args)
    assert result.exit_code == 0, result
    assert len(result.stdout.splitlines()) == 4  # the header and three rows
    assert seen == [1, 2, 3]


@pytest.mark.parametrize("command", LISTS)
def test_a_later_page_that_fails_prints_nothing(command: str, fleet: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    args, path, _ = LISTS[command]
    _three_pages(fleet)
    from akscli import printable

    original = printable.shown

    def refuse_the_next_page(item: Any, fmt: str) -> Any:
        fleet.faults.add("GET", path, 403)  # the first page is in: the second is refused
        return original(item, fmt)

    monkeypatch.setattr(printable, "shown", refuse_the_next_page)
    result = invoke(*args, "-o", "json")
    assert result.exit_code != 0, result
    assert result.stdout == ""
    assert len(fleet.requests_to(path, "GET")) == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()
