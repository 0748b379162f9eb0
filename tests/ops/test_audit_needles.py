"""A filtered read of the audit log parses only the lines that hold the filter's plain text
(``audit.needles_for``); every entry the filter matches still holds it, however the line was
written, and lines that are not audit entries are still counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from akscli import audit


def test_the_plain_text_of_each_glob_and_the_quoted_exact_values_are_the_needles() -> None:
    found = audit.needles_for(
        audit.Filters(action="model *", result="fail*", object="Deployment/llama*", namespace="serving", cluster="c1")
    )
    assert found == (b"model ", b"fail", b"Deployment", b'"serving"', b'"c1"')


def test_a_character_class_a_user_or_text_that_json_escapes_gives_no_needle() -> None:
    assert audit.needles_for(audit.Filters(action="[mr]*", who="Alice", cluster='a"b', since="2026")) == ()
    assert audit.needles_for(audit.Filters(result="é*")) == ()


def test_entries_written_with_spaces_or_ascii_escapes_still_match(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    entry = {"id": "00000000000000a1", "time": "2026-12-05T10:00:00Z", "action": "model deploy", "result": "échec",
             "target": {"namespace": "serving"}, "objects": [{"kind": "Deployment", "name": "llama-3"}]}  # fmt: skip
    log.write_text(json.dumps(entry) + "\n", encoding="utf-8")  # ", " and ": ", "\u00e9"
    for filters in (
        audit.Filters(action="model *", namespace="serving"),
        audit.Filters(object="Deployment/llama*"),
        audit.Filters(object="llama-3"),
    ):
        assert audit.query(log, filters, limit=10) == [entry]
        assert audit.query(log, filters) == [entry]


def test_lines_that_are_not_audit_entries_are_counted_under_a_filter(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    log.write_text('not json\n{"id": "00000000000000a1", "action": "model dep\n', encoding="utf-8")  # one cut short
    stats = audit.ReadStats()
    assert audit.query(log, audit.Filters(action="ray*"), limit=10, stats=stats) == []
    assert (stats.read, stats.skipped, stats.whole) == (2, 2, True)


def test_blocks_of_any_size_hand_out_exactly_the_lines_with_the_needles_either_way(tmp_path: Path) -> None:
    from akscli import logscan

    rows = [f'{{"n":{n},"action":"{"ray create" if n % 7 == 0 else "model deploy"}"}}' for n in range(40)]
    log = tmp_path / "audit.jsonl"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    want = [r.encode() for r in rows if "ray" in r]
    for block in (1, 5, 13, 64, 4096):
        for backwards in (False, True):
            with log.open("rb") as handle:
                found, others = [], 0
                for chunk in logscan.chunks(handle, block, backwards=backwards):
                    wanted, passed = logscan.lines(chunk, (b"ray",), backwards=backwards)
                    found += wanted
                    others += passed
            assert found == (want[::-1] if backwards else want), (block, backwards)
            assert len(found) + others == len(rows), (block, backwards)


def _line(n: int, action: str, upn: str) -> str:
    return json.dumps({"id": f"{n:016x}", "action": action, "identity": {"upn": upn}}, separators=(",", ":"))


def test_a_line_that_writes_the_needles_text_with_escapes_is_still_found(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    escaped = '{"id":"00000000000000a2","action":"r\\u0061y create","target":{"namespace":"serv\\u0069ng"}}'
    log.write_text(_line(1, "model deploy", "bob@contoso.com") + "\n" + escaped + "\n", encoding="utf-8")
    filters = audit.Filters(action="ray*", namespace="serving")
    assert [e["id"] for e in audit.query(log, filters, limit=10)] == ["00000000000000a2"]
    assert [e["id"] for e in audit.query(log, filters)] == ["00000000000000a2"]


def test_user_gives_a_lower_case_needle_and_none_for_text_beyond_plain_ascii() -> None:
    assert audit.folded_for(audit.Filters(who="Alice@Contoso")) == (b"alice@contoso",)
    assert audit.folded_for(audit.Filters(who="Zoë")) == ()
    assert audit.folded_for(audit.Filters(action="ray*")) == ()


def test_a_user_filter_parses_only_the_lines_holding_the_name_in_any_letter_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "audit.jsonl"
    rows = [_line(n, "model deploy", "ALICE@contoso.com" if n % 50 == 0 else "bob@contoso.com") for n in range(1, 201)]
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    parsed: list[bytes] = []
    loads = audit.json.loads
    monkeypatch.setattr(audit.json, "loads", lambda raw: parsed.append(raw) or loads(raw))
    found = audit.query(log, audit.Filters(who="alice"))
    assert [e["id"] for e in found] == [f"{n:016x}" for n in (50, 100, 150, 200)]
    assert len(parsed) == 4


def test_a_claim_with_a_non_ascii_character_is_parsed_under_a_user_filter(tmp_path: Path) -> None:
    """str.lower turns the Kelvin sign (U+212A) into "k": the claim matches --user kim. Written as
    append writes it, UTF-8 (ensure_ascii=False), it holds no escape."""
    log = tmp_path / "audit.jsonl"
    rows = [_line(1, "model deploy", "bob@contoso.com"), _line(2, "model deploy", "\u212aim@contoso.com")]
    log.write_text("\n".join(rows).replace("\\u212a", "\u212a") + "\n", encoding="utf-8")
    assert "\\" not in log.read_text(encoding="utf-8")
    assert [e["id"] for e in audit.query(log, audit.Filters(who="kim"))] == [f"{2:016x}"]
