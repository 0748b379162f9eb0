"""What an audit line holds when the text it records is unusual: a token typed into --reason, an
argument that is not UTF-8, and a log that logrotate renamed away."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from akscli import audit
from akscli.globals import FLAGS

TOKEN = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.jsonl"
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(path))
    monkeypatch.setattr(FLAGS, "audit_log", None)
    monkeypatch.setattr(FLAGS, "reason", None)
    monkeypatch.setattr(FLAGS, "argv", ("apply", "-f", "web.yaml"))
    return path


def record() -> None:
    audit.record(action="apply", target={"context": "prod"}, objects=[], result="success")


def lines(path: Path) -> list[dict[str, Any]]:
    # Each line is UTF-8 JSON on its own: read as bytes, decoded strictly.
    return [json.loads(line.decode("utf-8")) for line in path.read_bytes().splitlines()]


def test_a_token_typed_into_the_reason_is_hidden_as_argv_hides_it(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FLAGS, "argv", ("apply", "-f", "web.yaml", "--reason", f"CHG-1 rotate {TOKEN}"))
    monkeypatch.setattr(FLAGS, "reason", f"CHG-1 rotate {TOKEN}")
    record()
    written = log.read_text()
    assert TOKEN not in written
    entry = lines(log)[0]
    assert entry["reason"] == entry["argv"][-1] == "<redacted>"


def test_an_ordinary_reason_is_kept_word_for_word(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FLAGS, "reason", "CHG-42: Basic setup, pinned next sprint")
    record()
    assert lines(log)[0]["reason"] == "CHG-42: Basic setup, pinned next sprint"


def test_an_argument_that_is_not_utf8_is_written_as_its_bytes(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `ray job submit -- python $'\xff.py'`: Python holds the byte as U+DCFF (PEP 383); the line
    # must still be written, and be UTF-8 JSON.
    monkeypatch.setattr(FLAGS, "argv", ("ray", "job", "submit", "--", "python", os.fsdecode(b"\xff.py")))
    record()
    assert lines(log)[0]["argv"][-1] == "\\xff.py"


def test_bytes_that_are_utf8_after_all_are_written_as_their_text(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FLAGS, "argv", ("--", "caf\udcc3\udca9"))
    record()
    assert lines(log)[0]["argv"][-1] == "café"


def test_a_lone_surrogate_that_is_no_byte_is_written_escaped(log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FLAGS, "argv", ("--", "x\ud800y"))
    record()
    assert lines(log)[0]["argv"][-1] == "x\\ud800y"


def test_a_log_renamed_by_logrotate_is_started_again_private(log: Path) -> None:
    # logrotate's default (create-less rename): every append opens the path anew, so the next line
    # goes to a new file, created 0600, and the rotated file keeps the older lines.
    record()
    rotated = log.with_name("audit.jsonl.1")
    log.rename(rotated)
    record()
    assert len(lines(rotated)) == 1 and len(lines(log)) == 1
    assert log.stat().st_mode & 0o777 == 0o600


def test_a_log_truncated_by_copytruncate_gets_whole_lines_from_its_start(log: Path) -> None:
    # logrotate's copytruncate: O_APPEND writes at the new end, so no hole of NULs before the line.
    record()
    os.truncate(log, 0)
    record()
    assert len(lines(log)) == 1
