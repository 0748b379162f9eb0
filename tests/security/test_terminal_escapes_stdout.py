"""What akscli writes on stdout outside a table (a key/value view, the lines above a status table, a
plan, a model's reply, -o json and -o csv) carries no live escape sequence either: each control
character but the line break and the tab is written as its escape, in the one output layer
(output.write, yamlio.dump_json, output._csv). kubectl escapes ESC and CR in what it prints of a
cluster's words (upstream: kubernetes/cli-runtime pkg/printers/terminal.go EscapeTerminal,
kubernetes/kubernetes#101695). A container's log lines are the exception, as ``kubectl logs``
copies them as they came (upstream: kubernetes/kubectl pkg/cmd/logs/logs.go DefaultConsumeRequest)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from akscli import output
from akscli.fleet import placement_status

# OSC 52 sets the clipboard; CSI 2J clears the screen; U+009B is the one-character CSI; DEL.
HOSTILE = "x\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07\x1b[2J\x9b1m\x7f\ry"
SHOWN = "x\\x1b]52;c;Y3VybCBldmlsIHwgc2g=\\x07\\x1b[2J\\x9b1m\\x7f\\ry"


def test_a_key_value_view_shows_a_control_character_of_a_value_as_its_escape(
    capsys: pytest.CaptureFixture[str],
) -> None:
    output.emit_object({"metadata": {"name": "p"}}, "table", fields=[("message", HOSTILE)])
    assert capsys.readouterr().out == f"message: {SHOWN}\n"


def test_the_lines_above_a_placement_status_show_its_condition_message_escaped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = {
        "kind": "ClusterResourcePlacement",
        "name": "llm",
        "placementType": "PickAll",
        "strategy": "RollingUpdate",
        "available": 0,
        "clusters": 1,
        "conditions": {"Applied": "False"},
        "message": HOSTILE,
    }
    output.write("\n".join(placement_status.describe(summary)))
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out and "\r" not in out
    assert f"  {SHOWN}\n" in out


def test_a_written_block_keeps_its_line_breaks_tabs_and_letters(capsys: pytest.CaptureFixture[str]) -> None:
    output.write("Conditions:\n  Ready\tTrue\tcaf\u00e9 \u2192 ok")
    assert capsys.readouterr().out == "Conditions:\n  Ready\tTrue\tcaf\u00e9 \u2192 ok\n"


def test_a_log_line_is_written_as_it_came_as_kubectl_logs_writes_it(capsys: pytest.CaptureFixture[str]) -> None:
    output.write("\x1b[32mINFO\x1b[0m loaded", raw=True)
    assert capsys.readouterr().out == "\x1b[32mINFO\x1b[0m loaded\n"


def test_json_writes_del_and_c1_controls_as_unicode_escapes_of_the_same_string(
    capsys: pytest.CaptureFixture[str],
) -> None:
    output.emit_object({"message": HOSTILE + "\u2028"}, "json")
    out = capsys.readouterr().out
    assert "\x9b" not in out and "\x7f" not in out and "\x1b" not in out and "\u2028" not in out
    assert "\\u009b" in out and "\\u007f" in out
    assert json.loads(out) == {"message": HOSTILE + "\u2028"}


def test_json_of_a_list_writes_c1_controls_as_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit([{"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "a\x9bb"}}], "json", [])
    out = capsys.readouterr().out
    assert "\x9b" not in out
    assert json.loads(out)["items"][0]["metadata"]["name"] == "a\x9bb"


def test_a_csv_cell_shows_esc_as_its_escape_and_keeps_a_quoted_line_break(
    capsys: pytest.CaptureFixture[str],
) -> None:
    output.emit([{"pool": "a\x1b[2Jb\x9bc\nd"}], "csv", [output.Column("POOL", "pool")])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out
    assert list(csv.reader(io.StringIO(out))) == [["POOL"], ["a\\x1b[2Jb\\x9bc\nd"]]
