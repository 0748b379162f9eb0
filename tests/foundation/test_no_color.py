"""NO_COLOR as https://no-color.org defines it: set to any value but the empty string, colour is off.

rich, which draws akscli's terminal tables, reads it the same way (Textualize/rich rich/console.py,
Console.__init__: ``self._environ.get("NO_COLOR", "") != ""``), so the error label, the warning label,
the spinner and the tables agree."""

from __future__ import annotations

import io
import sys

import pytest

from akscli import errors, statuslines
from akscli.cli import run_common


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_an_empty_no_color_keeps_colour_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    assert statuslines.color_enabled(Terminal())


def test_no_color_set_to_any_value_turns_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "0")
    assert not statuslines.color_enabled(Terminal())


def test_the_error_label_reads_an_empty_no_color_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # Before, `NO_COLOR=` (an export meant to clear it) took the red off the error label alone
    # of everything on the terminal: rich's tables kept theirs.
    monkeypatch.setenv("NO_COLOR", "")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run_common.report(errors.NotFoundError("model deployment x not found"), 3)
    assert terminal.getvalue().startswith("\x1b[31merror:\x1b[0m model deployment x not found")


@pytest.mark.parametrize("term", ["dumb", "unknown"])
def test_a_dumb_terminal_gets_no_colour_as_rich_gives_it_none(monkeypatch: pytest.MonkeyPatch, term: str) -> None:
    # Before, TERM=dumb kept the red error label while rich's tables on the same terminal had none.
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", term)
    assert not statuslines.color_enabled(Terminal())
