"""A log of 100,000 entries is read from its end: ``audit list`` (no --since, the default --limit)
and ``audit show`` of a whole id read the newest lines only; a filter that matches few entries, and
a part of an id, read every line but parse only those that may match. Measured by the lines parsed
and the bytes read from the file, not by time."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from akscli import audit
from akscli.globals import FLAGS
from tests.cli import invoke, list_items

LINES = 100_000


def entry(n: int) -> dict[str, Any]:
    return {"id": f"{n:016x}", "time": f"2026-12-05T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
            "action": "model deploy", "target": {}, "objects": [], "result": "success"}  # fmt: skip


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(LINES):
            out.write(json.dumps(entry(n), separators=(",", ":")) + "\n")
    return path


class Reads:
    """What the audit module takes from its log: lines parsed, bytes read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
        self.parsed = 0
        self.bytes = 0
        loads, opened = json.loads, Path.open
        # json.loads is patched for the whole process: an emulator or client thread left running by
        # an earlier test in the same worker parses bytes too. Only the command's own thread counts.
        command_thread = threading.get_ident()

        def counting_loads(raw: Any, *a: Any, **kw: Any) -> Any:
            # the CLI's own output, parsed by the test, is text
            self.parsed += isinstance(raw, bytes) and threading.get_ident() == command_thread
            return loads(raw, *a, **kw)

        reads = self

        class Counting(io.BufferedReader):
            def read(self, size: int | None = -1) -> bytes:
                data = super().read(size)
                reads.bytes += len(data)
                return data

            def __next__(self) -> bytes:
                line = super().__next__()
                reads.bytes += len(line)
                return line

        def counting_open(path: Path, mode: str = "r", *a: Any, **kw: Any) -> Any:
            if path == log and mode == "rb":
                return Counting(io.FileIO(str(path), "rb"))
            return opened(path, mode, *a, **kw)

        monkeypatch.setattr(audit.json, "loads", counting_loads)
        monkeypatch.setattr(Path, "open", counting_open)


@pytest.fixture
def reads(big_log: Path, monkeypatch: pytest.MonkeyPatch) -> Reads:
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(big_log))
    monkeypatch.setattr(FLAGS, "audit_log", None)
    return Reads(monkeypatch, big_log)


def test_audit_list_reads_only_the_newest_hundred_of_a_hundred_thousand_lines(reads: Reads, big_log: Path) -> None:
    listed = invoke("audit", "list", "-o", "json")
    assert listed.exit_code == 0, listed
    assert [e["id"] for e in list_items(listed.stdout)] == [f"{n:016x}" for n in range(LINES - 100, LINES)]
    assert reads.parsed == 100
    assert reads.bytes <= audit._BLOCK  # one block from the end of a file of about 13 MB
    assert big_log.stat().st_size > 100 * audit._BLOCK


def test_audit_show_of_a_whole_id_reads_from_the_end_and_stops_at_it(reads: Reads) -> None:
    shown = invoke("audit", "show", f"{LINES - 3:016x}", "-o", "json")
    assert shown.exit_code == 0, shown
    assert json.loads(shown.stdout)["id"] == f"{LINES - 3:016x}"
    assert reads.parsed == 3
    assert reads.bytes <= audit._BLOCK


def test_audit_show_of_part_of_an_id_reads_the_whole_log_but_parses_only_the_lines_with_it(
    reads: Reads, big_log: Path
) -> None:
    shown = invoke("audit", "show", f"{LINES - 3:016x}"[:14], "-o", "json")
    assert shown.exit_code == 2, shown
    assert "matches 160 entries" in shown.stderr  # 0x18600 to 0x1869f
    assert reads.parsed == 160
    assert reads.bytes == big_log.stat().st_size  # every line, to say it is one entry


def test_audit_list_with_a_filter_that_matches_few_parses_only_the_lines_that_may_match(
    reads: Reads, big_log: Path
) -> None:
    size = big_log.stat().st_size
    with big_log.open("a", encoding="utf-8") as out:  # two "ray create" among 100,000 "model deploy"
        for n in (LINES, LINES + 1):
            out.write(json.dumps({**entry(n), "action": "ray create"}, separators=(",", ":")) + "\n")
    try:
        listed = invoke("audit", "list", "--action", "ray*", "-o", "name")
        assert listed.exit_code == 0, listed
        assert listed.stdout.split() == [f"{LINES:016x}", f"{LINES + 1:016x}"]
        assert reads.parsed == 2
        assert reads.bytes == big_log.stat().st_size
    finally:
        with big_log.open("r+b") as out:  # the module's log as the other tests read it
            out.truncate(size)
