"""``audit list`` reads the log from its end: it shows the newest --limit entries, and a log of
years (one line per change, hundreds of MB) is read only as far back as they go."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import audit
from akscli.globals import FLAGS
from tests.cli import invoke, list_items


def entry(n: int, action: str = "model deploy", result: str = "success") -> dict[str, Any]:
    return {"id": f"{n:016x}", "time": f"2026-12-05T10:{n // 60 % 60:02d}:{n % 60:02d}Z", "action": action,
            "target": {"namespace": "serving"}, "objects": [], "result": result}  # fmt: skip


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(path))
    monkeypatch.setattr(FLAGS, "audit_log", None)
    return path


def write(path: Path, entries: list[dict[str, Any]], end: str = "\n") -> None:
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entries) + end, encoding="utf-8")


def test_audit_list_parses_only_the_newest_lines_it_shows(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(log, [entry(n) for n in range(2000)])  # about 300 KB: several blocks of the backwards read
    parsed: list[Any] = []
    loads = json.loads
    monkeypatch.setattr(audit.json, "loads", lambda raw, *a, **kw: parsed.append(raw) or loads(raw, *a, **kw))
    # (the log's lines are bytes: the CLI's own output, parsed below, is text)
    listed = invoke("audit", "list", "--limit", "3", "-o", "json")
    assert listed.exit_code == 0, listed
    assert [e["id"] for e in list_items(listed.stdout)] == [f"{n:016x}" for n in (1997, 1998, 1999)]
    assert len([raw for raw in parsed if isinstance(raw, bytes)]) == 3


def test_a_filter_reads_back_until_the_limit_is_met(log: Path) -> None:
    write(log, [entry(n, action="ray create" if n % 10 == 0 else "model deploy") for n in range(500)])
    found = audit.query(log, audit.Filters(action="ray*"), limit=4)
    assert [e["id"] for e in found] == [f"{n:016x}" for n in (460, 470, 480, 490)]


def test_lines_split_across_blocks_and_characters_read_back_whole(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "_BLOCK", 7)  # every line, and its UTF-8 characters, cut across blocks
    entries = [entry(n, result=f"échec ✓ {n}") for n in range(30)]
    write(log, entries, end="")  # the last line without its newline
    assert audit.query(log, audit.Filters(), limit=30) == entries
    assert audit.query(log, audit.Filters(), limit=2) == entries[-2:]


def test_unreadable_lines_among_those_read_back_are_counted(log: Path) -> None:
    log.write_text(json.dumps(entry(1)) + "\nnot json\n\n" + json.dumps(entry(2)) + "\n", encoding="utf-8")
    stats = audit.ReadStats()
    assert [e["id"] for e in audit.query(log, audit.Filters(), limit=5, stats=stats)] == [f"{n:016x}" for n in (1, 2)]
    assert stats.skipped == 1
