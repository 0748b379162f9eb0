"""Text from the cluster that akscli repeats on the terminal (a warning quoting an event or a
condition, a table cell) never carries a live escape sequence: a control character is written as
its escape, as kubectl escapes ESC and CR in its tables and event lines (upstream:
kubernetes/cli-runtime pkg/printers/terminal.go EscapeTerminal, kubernetes/kubernetes#101695).
Whoever may write an event or a RayJob's entrypoint could otherwise clear the screen, recolour a
line, rewrite what was printed before (CR) or set the user's clipboard (OSC 52)."""

from __future__ import annotations

import pytest

from akscli import output, statuslines

# OSC 52 sets the clipboard; CSI 2J clears the screen; U+009B is the one-character CSI.
HOSTILE = "back-off \x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07 \x1b[2J\x9b1m\r done"


def test_a_warning_shows_a_control_character_of_a_servers_words_as_its_escape(
    capsys: pytest.CaptureFixture[str],
) -> None:
    statuslines.warn(f"pod p: {HOSTILE}")
    line = capsys.readouterr().err
    assert line == "warning: pod p: back-off \\x1b]52;c;Y3VybCBldmlsIHwgc2g=\\x07 \\x1b[2J\\x9b1m\\r done\n"


def test_a_progress_line_keeps_its_line_breaks_and_tabs_and_its_own_letters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    statuslines.info("plan:\n  create\tdeployment.apps/caf\u00e9 \u2192 ready")
    assert capsys.readouterr().err == "plan:\n  create\tdeployment.apps/caf\u00e9 \u2192 ready\n"


def test_a_coloured_warning_keeps_its_own_colour_and_escapes_the_servers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(statuslines, "color_enabled", lambda stream=None: True)
    output.warn("\x1b[31mred\x1b[0m")
    assert capsys.readouterr().err == "\x1b[33mwarning:\x1b[0m \\x1b[31mred\\x1b[0m\n"
