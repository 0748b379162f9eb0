"""``-o csv`` is RFC 4180 and cannot run a formula in a spreadsheet; ``-o custom-columns=`` cannot
move the cursor. A value in either may come from anyone who can write to the cluster.

* A field that holds a comma, a double quote, CR or LF is enclosed in double quotes, a double quote
  doubled (RFC 4180 section 2, rules 5 to 7). Python's csv writer left a lone CR bare.
* A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab, CR or LF gets a leading ``'``
  (OWASP/www-community pages/attacks/CSV_Injection.md); a number akscli computed does not.
* custom-columns writes C0 controls in caret notation (``^[``, as kubectl's EscapeTerminal writes
  ESC), DEL as ``^?``, and a C1 control (CSI, U+009B) or a bidi override as its escape."""

from __future__ import annotations

import csv
import io

import pytest

from akscli import output
from akscli.jsonpath import render_columns
from akscli.output import Column

COLUMNS = [Column("name", "name"), Column("note", "note"), Column("idle", "idle")]


def _csv(capsys: pytest.CaptureFixture[str], **row: object) -> str:
    output.emit([{"name": "pool", "note": "", "idle": 0, **row}], "csv", COLUMNS)
    return capsys.readouterr().out


def test_a_cell_with_a_lone_carriage_return_is_quoted(capsys: pytest.CaptureFixture[str]) -> None:
    text = _csv(capsys, note="a\rb")
    assert text.endswith('pool,"a\rb",0\n')
    assert list(csv.reader(io.StringIO(text, newline="")))[1] == ["pool", "a\rb", "0"]


def test_commas_quotes_and_line_breaks_are_quoted_and_read_back_whole(capsys: pytest.CaptureFixture[str]) -> None:
    note = 'a, "b"\nc'
    text = _csv(capsys, note=note)
    assert text.endswith('pool,"a, ""b""\nc",0\n')
    assert list(csv.reader(io.StringIO(text, newline="")))[1] == ["pool", note, "0"]


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1"]


@pytest.mark.parametrize("note", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_starts_with_a_quote(
    capsys: pytest.CaptureFixture[str], note: str
) -> None:
    [_, row] = list(csv.reader(io.StringIO(_csv(capsys, note=note), newline="")))
    assert row[1] == "'" + note


def test_a_negative_number_akscli_computed_stays_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    [_, row] = list(csv.reader(io.StringIO(_csv(capsys, idle=-1.5), newline="")))
    assert row[2] == "-1.5"


def test_plain_text_is_written_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert _csv(capsys, note="a-b=c @x").splitlines()[1] == "pool,a-b=c @x,0"


def test_custom_columns_escape_del_and_c1_controls_as_well_as_c0() -> None:
    text = render_columns("N:.n", [{"n": "a\x1b[2Jb\x7fc\x9b31md\u202ee\rf\tg"}])
    assert text.splitlines()[1] == "a^[[2Jb^?c\\x9b31md\\u202ee^Mf\tg"
