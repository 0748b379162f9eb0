"""A deploy that switches the model's server (a Workspace to an InferenceSet with --replicas, a
runtime switch) deletes the old server first, so it asks: the question names what takes its
place, or a user who only asked for more replicas reads only that the Workspace goes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

KAITO = "kaito.sh/v1beta1"


def test_the_question_before_a_server_switch_names_the_server_that_replaces_the_old_one(
    model_emulator: Callable[..., Any],
) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y").exit_code == 0
    asked = invoke("model", "deploy", "phi-4", "--replicas", "2")  # no -y, no terminal: refused
    assert asked.exit_code == 2, asked
    error = next(line for line in asked.stderr.splitlines() if line.startswith("error: "))
    assert "(workspace.kaito.sh/phi-4)" in error
    assert "replaced by inferenceset.kaito.sh/phi-4" in error, error
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None
