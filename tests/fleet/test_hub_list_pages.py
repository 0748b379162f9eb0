"""Hub lists reach the output layer page by page (limit and continue, as kubectl get
--chunk-size): a placement, strategy or update run becomes its text or its table row as its page
arrives, not after the whole list was built (tests/listpages.py)."""

from __future__ import annotations

import pytest

from tests.cli import invoke
from tests.fleet.conftest import Hub
from tests.listpages import one_object_a_page, printed_page_by_page


def _ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_placement_list_prints_each_page_as_it_arrives(hub: Hub, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    for name in ("a", "b", "c"):
        _ok("fleet", "place", name, "--select", "namespace/llm", "-y")
    events = one_object_a_page(monkeypatch)
    listed = _ok("fleet", "placement", "list", "-o", fmt)
    assert all(name in listed for name in ("a", "b", "c"))
    assert printed_page_by_page(events)


@pytest.mark.parametrize("fmt", ["table", "yaml"])
def test_strategy_list_prints_each_page_as_it_arrives(hub: Hub, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    for name in ("s1", "s2", "s3"):
        _ok("fleet", "rollout", "strategy", "create", name, "--stage", "all", "-y")
    events = one_object_a_page(monkeypatch)
    listed = _ok("fleet", "rollout", "strategy", "list", "-o", fmt)
    assert all(name in listed for name in ("s1", "s2", "s3"))
    assert printed_page_by_page(events)
