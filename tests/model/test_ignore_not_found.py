"""model delete --ignore-not-found: a model that is not deployed is exit 0, nothing on stdout and
nothing written, as kubectl delete --ignore-not-found (upstream: kubernetes/kubectl
pkg/cmd/delete/delete.go, DeleteResult); without it, exit 3 naming the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke


def test_deleting_a_model_that_is_not_deployed_with_ignore_not_found_is_exit_0_and_writes_nothing(
    model_emulator: Callable[..., Any],
) -> None:
    emu = model_emulator()
    result = invoke("model", "delete", "ghost", "-y", "--ignore-not-found")
    assert result.exit_code == 0, result
    assert result.stdout == ""
    assert [r for r in emu.request_log if r.method not in ("GET", "HEAD")] == []


def test_deleting_a_model_that_is_not_deployed_without_the_flag_is_not_found(
    model_emulator: Callable[..., Any],
) -> None:
    model_emulator()
    result = invoke("model", "delete", "ghost", "-y")
    assert result.exit_code == 3, result
    assert "model deployment ghost not found" in result.stderr
