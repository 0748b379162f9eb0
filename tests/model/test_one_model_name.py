"""`-o name` of a command about one deployed model prints what `model list -o name` prints for it
(docs/grammar.md: one object prints as its list prints it), so a script can pass it on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke

Start = Callable[..., Any]


@pytest.mark.parametrize("command", ["status", "endpoint"])
def test_a_command_about_one_model_names_it_as_model_list_does(model_emulator: Start, command: str) -> None:
    model_emulator(serving=True)
    deployed = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y")
    assert deployed.exit_code == 0, deployed
    listed = invoke("model", "list", "-o", "name")
    result = invoke("model", command, "phi-4", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == listed.stdout == "model/phi-4\n"
