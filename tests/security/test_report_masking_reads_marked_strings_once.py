"""-o json/-o yaml of a report reads a string with a secret name's mark once, not per row (perf37).

printable.said dumps a report once and searches the dump for the marks server_text starts from
(akscli.redact.may_hide); a string the marks are in is read once for all rows, and a report none of
whose strings server_text changes is printed as it came, not walked."""

from __future__ import annotations

from typing import Any

import pytest

from akscli import printable, redact


def _rows(n: int) -> list[dict[str, Any]]:
    return [
        {"name": f"aks-{i:05}", "path": "/mnt/models", "authMode": "aad", "sshKey": "ssh-rsa AAAA"} for i in range(n)
    ]


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = redact.server_text

    def counting(text: str) -> str:
        seen.append(text)
        return original(text)

    monkeypatch.setattr(redact, "server_text", counting)
    return seen


def test_a_clean_report_of_many_rows_reads_each_marked_string_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _counted(monkeypatch)
    rows = _rows(2000)
    assert printable.shown(rows, "json") == rows
    assert len(seen) <= 6  # "path", "/mnt/models", "authMode", "sshKey" and its value: not 2,000 rows


def test_a_v1_list_of_records_is_read_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _counted(monkeypatch)
    listing = {"apiVersion": "v1", "kind": "List", "metadata": {}, "items": _rows(500)}
    assert printable.shown(listing, "yaml")["items"] == listing["items"]
    assert len(seen) <= 6


def test_a_secret_in_the_last_row_of_many_is_still_hidden() -> None:
    rows = [*_rows(300), {"name": "x", "message": "login failed: password=Hunter2xyz9 rejected"}]
    told = printable.shown(rows, "json")
    assert told[-1]["message"] == "login failed: password=*** rejected"
    assert told[:300] == rows[:300]


def test_a_secret_beside_escaped_quotes_is_hidden() -> None:
    row = {"message": 'webhook said "denied" \\ token=Abc123xyzQ9 "again"', "path": 'C:\\"x"'}
    assert "Abc123xyzQ9" not in str(printable.shown([row], "json"))
