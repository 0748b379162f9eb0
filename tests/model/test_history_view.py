"""`model history` tells revisions apart: what scales each one, and (-o wide) the options it was
deployed with, as `helm history` has a DESCRIPTION for each revision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]


def _deploy(*args: str) -> None:
    result = invoke("model", "deploy", "phi-4", *args, "-y")
    assert result.exit_code == 0, result


def _rows(*args: str) -> list[list[str]]:
    result = invoke("model", "history", "phi-4", *args)
    assert result.exit_code == 0, result
    return [line.split("   ") for line in result.stdout.splitlines()]


def _column(rows: list[list[str]], header: str) -> list[str]:
    cells = [[c.strip() for c in row if c.strip()] for row in rows]
    at = cells[0].index(header)
    return [row[at] for row in cells[1:]]


def test_history_shows_the_autoscaler_range_of_an_autoscaled_revision(model_emulator: Start) -> None:
    """Two revisions that differ only in --autoscale used to read the same (REPLICAS 1)."""
    model_emulator()
    _deploy("--autoscale", "1:4")
    _deploy("--autoscale", "1:8")
    assert _column(_rows(), "REPLICAS") == ["1:4", "1:8"]


def test_history_shows_a_revision_deployed_with_no_replica_as_zero(model_emulator: Start) -> None:
    model_emulator()
    _deploy()
    _deploy("--replicas", "0")
    assert _column(_rows(), "REPLICAS") == ["1", "0"]


def test_wide_history_shows_the_options_each_revision_was_deployed_with(model_emulator: Start) -> None:
    model_emulator()
    _deploy("--max-model-len", "4096")
    _deploy("--max-model-len", "4096", "--replicas", "2")
    assert _column(_rows("-o", "wide"), "OPTIONS") == ["--max-model-len 4096", "--max-model-len 4096 --replicas 2"]
