"""The output layer: machine-readable stdout, humans' tables on a TTY, progress on stderr."""

from __future__ import annotations

import json

import pytest

from akscli import output, yamlio
from akscli.output import Column

ITEMS = [
    {
        "metadata": {"name": "llama", "namespace": "ml"},
        "spec": {"replicas": 2},
        "kind": "Workspace",
        "apiVersion": "kaito.sh/v1beta1",
    },
    {
        "metadata": {"name": "phi", "namespace": "ml"},
        "spec": {"replicas": 1},
        "kind": "Workspace",
        "apiVersion": "kaito.sh/v1beta1",
    },
]
COLUMNS = [
    Column("name", "metadata.name"),
    Column("replicas", "spec.replicas"),
    Column("namespace", "metadata.namespace", wide=True),
]


class FakeTTY:
    def __init__(self, stream: object) -> None:
        self.stream = stream


def test_piped_table_is_plain_aligned_text(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "table", COLUMNS)
    out = capsys.readouterr().out
    assert out.splitlines() == ["NAME    REPLICAS", "llama   2", "phi     1"]
    assert "\x1b[" not in out


def test_wide_adds_the_wide_columns(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "wide", COLUMNS)
    assert capsys.readouterr().out.splitlines()[0].split() == ["NAME", "REPLICAS", "NAMESPACE"]


def test_json_and_yaml_print_the_raw_items(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "json", COLUMNS)
    assert json.loads(capsys.readouterr().out) == ITEMS
    output.emit(ITEMS, "yaml", COLUMNS)
    assert yamlio.load(capsys.readouterr().out) == ITEMS


def test_name_prints_kind_group_slash_name(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "name", COLUMNS)
    assert capsys.readouterr().out.splitlines() == ["workspace.kaito.sh/llama", "workspace.kaito.sh/phi"]


def test_csv_has_a_header_and_every_column(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(ITEMS, "csv", COLUMNS)
    assert capsys.readouterr().out.splitlines() == ["name,replicas,namespace", "llama,2,ml", "phi,1,ml"]


def test_an_empty_table_says_so_on_stderr_and_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit([], "table", COLUMNS)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "No resources found." in captured.err


def test_a_tty_gets_a_rich_table(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(output, "stdout_is_tty", lambda: True)
    output.emit(ITEMS, "table", COLUMNS)
    out = capsys.readouterr().out
    assert "NAME" in out and "llama" in out
    assert "─" in out  # rich's rule under the header


def test_no_color_turns_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    assert output.color_enabled(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not output.color_enabled(Tty())


def test_progress_and_warnings_go_to_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    output.progress("applying")
    output.warn("careful")
    with output.status("waiting") as update:
        update("still waiting")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "applying" in captured.err and "warning: careful" in captured.err
    assert "still waiting" in captured.err


def test_unknown_format_is_a_usage_error() -> None:
    from akscli.errors import UsageError

    with pytest.raises(UsageError):
        output.emit(ITEMS, "xml", COLUMNS)


def test_manifests_print_as_a_yaml_stream_or_a_json_list(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit_documents(ITEMS, "yaml")
    assert yamlio.load_all(capsys.readouterr().out) == ITEMS
    output.emit_documents(ITEMS, "json")
    assert json.loads(capsys.readouterr().out)["kind"] == "List"
