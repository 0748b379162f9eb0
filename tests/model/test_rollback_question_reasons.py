"""A rollback from an exposed InferenceSet to a Workspace deletes the InferenceSet and its Service
(the Workspace replaces them) and the HTTPRoute (revision 1 renders none). The question put one
`replaced by workspace.kaito.sh/phi-4` after the three names, so the route read as replaced too.
It now gives each group its reason, as the dry run's lines do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]


def _deploy(*args: str) -> None:
    result = invoke("model", "deploy", "phi-4", *args, "-y")
    assert result.exit_code == 0, result


def test_the_question_gives_the_route_its_own_reason(model_emulator: Start) -> None:
    model_emulator()
    _deploy("--max-model-len", "4096")
    _deploy("--max-model-len", "4096", "--replicas", "2", "--expose")
    asked = invoke("model", "rollback", "phi-4", "--to-revision", "1")  # no -y, no terminal: refused
    assert asked.exit_code == 2, asked
    assert asked.stderr.splitlines()[0] == (
        "error: refusing to delete 3 object(s) revision 1 does not have (inferenceset.kaito.sh/phi-4, "
        "service/phi-4, replaced by workspace.kaito.sh/phi-4; httproute.gateway.networking.k8s.io/phi-4, "
        "no longer rendered) without confirmation"
    )


def test_a_question_with_one_reason_keeps_its_form(model_emulator: Start) -> None:
    model_emulator()
    _deploy("--max-model-len", "4096")
    _deploy("--max-model-len", "4096", "--replicas", "2")
    asked = invoke("model", "rollback", "phi-4", "--to-revision", "1")
    assert asked.exit_code == 2, asked
    assert asked.stderr.splitlines()[0] == (
        "error: refusing to delete 2 object(s) revision 1 does not have (inferenceset.kaito.sh/phi-4, "
        "service/phi-4), replaced by workspace.kaito.sh/phi-4 without confirmation"
    )
