"""``audit list --since`` stops reading the log back an hour (``audit.SINCE_SKEW``) before
--since: lines are appended in time order give or take the moment between an entry's stamp and
its write, so nothing older can match. The warning about unreadable lines says how many lines
it counted them among."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import audit
from akscli.globals import FLAGS
from tests.cli import invoke, list_items


def entry(minute: int, action: str = "model deploy") -> dict[str, Any]:
    """One entry a minute from 2026-12-05T00:00Z, in the format akscli writes (milliseconds, Z)."""
    return {"id": f"{minute:016x}", "time": f"2026-12-05T{minute // 60:02d}:{minute % 60:02d}:00.000Z",
            "action": action, "target": {}, "objects": [], "result": "success"}  # fmt: skip


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(path))
    monkeypatch.setattr(FLAGS, "audit_log", None)
    return path


def write(path: Path, lines: list[Any]) -> None:
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")


def parsed_lines(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    parsed: list[bytes] = []
    loads = json.loads
    monkeypatch.setattr(audit.json, "loads", lambda raw, *a, **kw: parsed.append(raw) or loads(raw, *a, **kw))
    return parsed


def test_since_stops_the_read_an_hour_before_it(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(log, [entry(m, action="ray create" if m % 100 == 0 else "model deploy") for m in range(1200)])  # 20 h
    parsed = parsed_lines(monkeypatch)
    listed = invoke("audit", "list", "--since", "2026-12-05T17:30:00Z", "--action", "ray*", "--limit", "1000",
                    "-o", "json")  # fmt: skip
    assert listed.exit_code == 0, listed
    assert [e["id"] for e in list_items(listed.stdout)] == [f"{m:016x}" for m in (1100,)]
    # 17:30-19:59 (150 lines), the hour before (60), and the first line older than that
    assert len([raw for raw in parsed if isinstance(raw, bytes)]) == 211


def test_an_entry_appended_after_an_older_one_is_still_found(log: Path) -> None:
    late = entry(600)  # stamped 10:00, appended after an entry stamped 09:30 (its writer was slower)
    write(log, [entry(m) for m in range(500, 570)] + [late, entry(570), entry(571)])
    found = audit.query(log, audit.Filters(since="2026-12-05T10:00:00.000Z"), limit=100)
    assert found == [late]


def test_an_entry_without_a_readable_time_does_not_stop_the_read(log: Path) -> None:
    write(log, [entry(600), {"id": "ab" * 8, "time": "0001-13-01", "action": "x"}, {"id": "cd" * 8}, entry(601)])
    found = audit.query(log, audit.Filters(since="2026-12-05T10:00:00.000Z"), limit=100)
    assert [e["id"] for e in found] == [f"{m:016x}" for m in (600, 601)]


def test_since_at_the_start_of_the_calendar_reads_the_whole_log(log: Path) -> None:
    write(log, [entry(m) for m in range(3)])
    assert len(audit.query(log, audit.Filters(since="0001-01-01T00:00:00.000Z"), limit=100)) == 3


def test_the_warning_counts_unreadable_lines_among_those_read(log: Path) -> None:
    write(log, ["not json", entry(1), "not json either", entry(2), entry(3)])
    listed = invoke("audit", "list", "--limit", "2", "-o", "name")
    assert listed.exit_code == 0, listed
    assert "0 of the newest 2 line(s)" not in listed.stderr  # nothing unreadable among them: no warning
    assert "not audit entries" not in listed.stderr
    listed = invoke("audit", "list", "--limit", "3", "-o", "name")
    assert "1 of the newest 4 line(s) of" in listed.stderr
    assert "older lines were not read" in listed.stderr


def test_the_warning_says_the_whole_log_when_it_was_read_whole(log: Path) -> None:
    write(log, ["not json", entry(1), "not json either", entry(2)])
    listed = invoke("audit", "list", "--limit", "10", "-o", "name")
    assert listed.exit_code == 0, listed
    assert f"2 line(s) of {log} are not audit entries and were skipped" in listed.stderr
    assert "newest" not in listed.stderr
