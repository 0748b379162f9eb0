"""`model rollback` of a name typed wrong said `no revisions recorded for phi4` with `hint:
revisions are recorded by akscli model deploy`, which names no fix. It is now not found as
`model history` and `model test` say it, with the deployed names close to it (model/live.py
not_found; kubectl rollout undo of a Deployment that is not there is NotFound)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]


def test_a_rollback_of_a_mistyped_name_names_the_deployed_model(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    result = invoke("model", "rollback", "phi4", "-y")
    assert result.exit_code == 3, result
    assert result.stderr.splitlines() == [
        "error: model deployment phi4 not found in namespace default",
        "hint: did you mean phi-4? list them with: akscli model list -n default",
    ]


def test_a_deleted_model_whose_history_was_kept_still_rolls_back(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert invoke("model", "delete", "phi-4", "--keep-history", "-y").exit_code == 0
    assert invoke("model", "rollback", "phi-4", "--to-revision", "1", "-y").exit_code == 0
