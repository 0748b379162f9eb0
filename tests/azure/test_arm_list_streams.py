"""A table of ARM resources keeps rows, not resources: each page's resources are summarised as
they arrive (akscli.cli.azopts.emit_resources), so ``cluster list`` of 2,000 clusters holds
2,000 short rows rather than 2,000 cluster objects (tests/bench/bench_arm_reads.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from akscli.cli import azopts
from akscli.output import Column


def test_a_table_summarises_each_resource_as_it_arrives(capsys: pytest.CaptureFixture[str]) -> None:
    pulled: list[int] = []
    held_when_summarised: list[int] = []

    def pages() -> Iterator[dict[str, Any]]:
        for n in range(3):
            pulled.append(n)
            yield {"name": f"aks{n}", "properties": {"big": "x" * 1000}}

    def summary(resource: Any) -> dict[str, Any]:
        held_when_summarised.append(len(pulled))
        return {"name": resource["name"]}

    azopts.emit_resources(pages(), "table", [Column("name", "name")], summary, kind="cluster", empty="none")
    assert held_when_summarised == [1, 2, 3]
    assert capsys.readouterr().out.split() == ["NAME", "aks0", "aks1", "aks2"]


@pytest.mark.parametrize("fmt", ["json", "yaml", "name"])
def test_json_yaml_and_name_print_nothing_until_the_last_page_is_in(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    printed_when_pulled: list[str] = []

    def pages() -> Iterator[dict[str, Any]]:
        for n in range(2):
            printed_when_pulled.append(capsys.readouterr().out)
            yield {"name": f"aks{n}", "properties": {"big": "x" * 1000}}

    azopts.emit_resources(
        pages(), fmt, [Column("name", "name")], lambda r: {"name": r["name"]}, kind="cluster", empty=""
    )
    assert printed_when_pulled == ["", ""] and "aks1" in capsys.readouterr().out
