"""Shell completion offers kubectl's log levels after `--v` (`--v <TAB>`, `--v=<TAB>`, `-v=<TAB>`),
each with what akscli does at it (akscli.globals: 6 and up is the request log, -vv)."""

from __future__ import annotations

from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command


def _values(*words: str) -> list[str]:
    return [line.split("\t")[0] for line in protocol_lines(["__complete", *words], root_command)]


def test_the_levels_are_offered_after_v() -> None:
    assert _values("model", "list", "--v", "") == [*"0123456789", ":4"]


def test_the_levels_are_offered_after_v_equals() -> None:
    assert _values("model", "list", "--v=") == [*"0123456789", ":4"]
    assert _values("model", "list", "-v=6") == ["6", ":4"]


def test_the_level_before_the_command_is_offered_too() -> None:
    assert _values("--v", "") == [*"0123456789", ":4"]


def test_level_six_says_it_logs_each_request() -> None:
    lines = protocol_lines(["__complete", "model", "list", "--v", "6"], root_command)
    assert lines == ["6\teach API request on stderr (akscli's -vv)", ":4"]


def test_v_alone_is_akscli_s_switch_and_takes_no_value() -> None:
    assert "0" not in _values("model", "list", "-v", "")
