"""The lab (tests.emulators.lab, `python -m tests.emulators.kube`): a Workspace's Service answers
as KAITO's vLLM server once its inference is ready, so getting-started's `akscli model test`
runs there as written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.lab import serve_kaito_workspaces

Start = Callable[..., Any]


def test_model_test_answers_through_a_ready_workspaces_service_in_the_lab(model_emulator: Start) -> None:
    serve_kaito_workspaces(model_emulator())
    assert invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y").exit_code == 0
    result = invoke("model", "test", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    assert "Hello from the emulated model." in result.stdout


def test_a_workspace_that_is_not_ready_is_not_serving_in_the_lab(model_emulator: Start) -> None:
    serve_kaito_workspaces(model_emulator(failure="inference"))  # the server keeps crashing
    assert invoke("model", "deploy", "phi-4", "--no-wait", "-y").exit_code == 0
    result = invoke("model", "test", "phi-4")
    assert result.exit_code == 3, result
    assert "no ready server behind Service phi-4" in result.stderr
