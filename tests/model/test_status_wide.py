"""`model status -o wide` is the report with more in it, as kubectl's wide printers add columns to
the default ones: its Conditions and Events sections stay, the creation time and each event's
time are added. The Events' OBJECT is kubectl get events' (`workspace/phi-4`, the kind lower-cased;
kubernetes/kubernetes pkg/printers/internalversion/printers.go printEvent)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from akscli.object_names import event_age
from tests.cli import invoke

Start = Callable[..., Any]
# An event no controller of the emulator records: its KAITO controller records NodeClaimCreated
# for each node it asks for, which would count it once more whenever the controller got there first.
EVENT = {"type": "Normal", "reason": "Noted", "message": "noted by the test"}


@pytest.fixture
def deployed(model_emulator: Start) -> Any:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--dry-run=none").exit_code == 0
    workspace = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi-4")
    emu.cluster.add_event(workspace, EVENT["reason"], EVENT["message"], EVENT["type"])
    return emu


def test_wide_status_keeps_the_conditions_and_events_sections(deployed: Any) -> None:
    result = invoke("model", "status", "phi-4", "-o", "wide")
    assert result.exit_code == 0, result
    assert "\nConditions:" in result.stdout
    assert "\nEvents:\nLAST SEEN " in result.stdout
    assert "\ncreated:" in result.stdout


def test_status_events_name_their_object_as_kubectl_get_events_does(deployed: Any) -> None:
    table = invoke("model", "status", "phi-4").stdout
    events = table.split("\nEvents:\n")[1].splitlines()
    assert events[0].split() == ["TYPE", "REASON", "AGE", "OBJECT", "MESSAGE"]
    # The column is as wide as its longest object (the StatefulSet's own events, statefulset/phi-4,
    # are about the model's name too), so the row is matched by its cells.
    assert any(row.split()[-5:] == ["workspace/phi-4", "noted", "by", "the", "test"] for row in events[1:])


def test_a_counted_event_shows_how_often_as_kubectl_describe_does(deployed: Any) -> None:
    workspace = deployed.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi-4")
    deployed.cluster.add_event(workspace, EVENT["reason"], EVENT["message"], EVENT["type"])
    rows = invoke("model", "status", "phi-4").stdout.split("\nEvents:\n")[1].splitlines()[1:]
    row = next(r for r in rows if r.split()[1:2] == ["Noted"])
    assert row.split()[0] == "Normal" and " (x2 over " in row
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    noted = next(e for e in doc["events"] if e["reason"] == "Noted")
    assert noted["count"] == 2 and noted["first_time"]


def test_event_age_follows_describe() -> None:
    now = datetime(2026, 1, 1, 0, 10, tzinfo=UTC)
    assert event_age("2026-01-01T00:07:00Z", "2026-01-01T00:00:00Z", 2, now=now) == "3m (x2 over 10m)"
    assert event_age("2026-01-01T00:07:00Z", "2026-01-01T00:00:00Z", 1, now=now) == "10m"
