"""`fleet place --recreate` is one audit entry: the placement's deletion first, then the apply that
creates it again (docs/operations.md: every command that changes something appends one line)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import invoke
from tests.fleet.conftest import Hub

PLACE = ("fleet", "place", "llm", "--select", "namespace/llm")


def test_a_placement_recreate_is_one_audit_entry_with_its_deletion(hub: Hub, tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    assert invoke(*PLACE, "-y", "--audit-log", str(log)).exit_code == 0
    hub.settle()
    result = invoke(*PLACE, "--pick-fixed", "gpu-east", "--recreate", "-y", "--audit-log", str(log))
    assert result.exit_code == 0, result
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(entries) == 2, entries
    changed = [(o["object"], o["action"]) for o in entries[1]["objects"]]
    placement = "clusterresourceplacement.placement.kubernetes-fleet.io/llm"  # one name for both
    assert changed[0] == (placement, "delete")
    assert (placement, "create") in changed[1:]
