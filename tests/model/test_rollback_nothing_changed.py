"""`model rollback` to manifests the latest revision already holds records nothing; its last line
says so, as kubectl rollout undo's "skipped rollback (current template already matches revision N)"
(kubernetes/kubectl pkg/polymorphichelpers/rollback.go), and names the revision that stays current."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]


def test_a_rollback_to_the_live_revision_says_it_skipped_and_which_revision_is_current(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "-y")
    assert result.exit_code == 0, result
    assert (
        "skipped rollback of phi-4 (current manifests already match revision 1): nothing changed; "
        "revision 1 stays current" in result.stderr
    )
    assert "recorded as" not in result.stderr


def test_a_rollback_that_recreates_deleted_objects_says_nothing_new_was_recorded(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert invoke("model", "delete", "phi-4", "--keep-history", "-y").exit_code == 0
    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "-y")
    assert result.exit_code == 0, result
    assert "rolled phi-4 back to revision 1; revision 1 stays current: nothing new recorded" in result.stderr


def test_a_rollback_to_other_manifests_names_the_revision_it_recorded(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "4096", "-y").exit_code == 0
    result = invoke("model", "rollback", "phi-4", "-y")
    assert result.exit_code == 0, result
    assert "rolled phi-4 back to revision 1 (recorded as revision 3)" in result.stderr
