"""Objects akscli deletes on its way to an apply are in the audit log, as every other change is:
`model deploy --recreate` (common.recreate_if_needed) and what a deploy no longer renders."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke

Start = Callable[..., Any]
H100 = "Standard_NC40ads_H100_v5"


def _deletions(log: Path) -> list[tuple[str, str, str, str]]:
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    return [
        (e["action"], o["object"], o.get("namespace", ""), e["result"])
        for e in entries
        for o in e["objects"]
        if o.get("action") == "delete"
    ]


def test_a_recreate_records_the_deletion_in_the_audit_log(model_emulator: Start, tmp_path: Path) -> None:
    model_emulator()
    log = tmp_path / "audit.jsonl"
    assert invoke("model", "deploy", "phi-4", "-y", "--audit-log", str(log)).exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--vm-size", H100, "--recreate", "-y", "--audit-log", str(log))
    assert result.exit_code == 0, result
    assert _deletions(log) == [("model deploy", "workspace.kaito.sh/phi-4", "default", "success")]


def test_objects_a_deploy_no_longer_renders_are_deleted_in_the_audit_log(model_emulator: Start, tmp_path: Path) -> None:
    model_emulator()
    log = tmp_path / "audit.jsonl"
    assert invoke("model", "deploy", "phi-4", "--autoscale", "1:2", "-y", "--audit-log", str(log)).exit_code == 0
    result = invoke("model", "deploy", "phi-4", "-y", "--audit-log", str(log))
    assert result.exit_code == 0, result
    deleted = _deletions(log)
    assert deleted and all(action == "model deploy" and result == "success" for action, _, _, result in deleted)


def _entries(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_a_recreate_is_one_audit_entry_with_its_deletion_first(model_emulator: Start, tmp_path: Path) -> None:
    # docs/operations.md: every command that changes something appends one line.
    model_emulator()
    log = tmp_path / "audit.jsonl"
    assert invoke("model", "deploy", "phi-4", "-y", "--audit-log", str(log)).exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--vm-size", H100, "--recreate", "-y", "--audit-log", str(log))
    assert result.exit_code == 0, result
    entries = _entries(log)
    assert len(entries) == 2, entries  # the first deploy, then the recreate
    changed = [(o["object"], o["action"]) for o in entries[1]["objects"]]
    assert changed[0] == ("workspace.kaito.sh/phi-4", "delete")
    assert ("workspace.kaito.sh/phi-4", "create") in changed[1:]
    assert entries[1]["result"] == "success"


def test_an_apply_that_fails_after_a_recreate_is_one_failed_entry_with_the_deletion(
    model_emulator: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.errors import AkscliError
    from akscli.kube import apply as engine

    model_emulator()
    log = tmp_path / "audit.jsonl"
    assert invoke("model", "deploy", "phi-4", "-y", "--audit-log", str(log)).exit_code == 0

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AkscliError("the server said no")

    monkeypatch.setattr(engine, "execute", refuse)
    result = invoke("model", "deploy", "phi-4", "--vm-size", H100, "--recreate", "-y", "--audit-log", str(log))
    assert result.exit_code == 1, result
    entries = _entries(log)
    assert len(entries) == 2, entries
    assert entries[1]["result"] == "failed: the server said no"
    deleted = {"object": "workspace.kaito.sh/phi-4", "namespace": "default", "action": "delete"}
    assert entries[1]["objects"][0] == deleted
