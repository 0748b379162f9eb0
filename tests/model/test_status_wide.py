"""`model status -o wide` is the report with more in it, as kubectl's wide printers add columns to
the default ones: its Conditions and Events sections stay, the creation time and each event's
time are added. The Events' OBJECT is kubectl get events' (`workspace/phi-4`, the kind lower-cased;
kubernetes/kubernetes pkg/printers/internalversion/printers.go printEvent)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke

Start = Callable[..., Any]
EVENT = {"type": "Normal", "reason": "WorkspaceReady", "message": "workspace phi-4 is ready"}


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
    assert events[0].split() == ["TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert "   workspace/phi-4   workspace phi-4 is ready" in table
