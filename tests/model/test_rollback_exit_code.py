"""`model rollback --dry-run=server --exit-code`: the rollback's own plan with kubectl diff's exit
status, 0 nothing would change, 1 something would, 2 or more an error (kubernetes/kubectl
pkg/cmd/diff/diff.go), as `model deploy --exit-code`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import assert_exit_code_needs_server_dry_run, invoke, server_diff

Start = Callable[..., Any]


def test_a_rollback_to_other_manifests_would_change_something_exit_1(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "4096", "-y").exit_code == 0
    result = server_diff("model", "rollback", "phi-4")
    assert result.exit_code == 1, result
    assert "configmap/phi-4-inference-config (default): will be changed" in result.stdout


def test_a_rollback_to_the_live_revision_is_no_change_exit_0(model_emulator: Start) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    result = server_diff("model", "rollback", "phi-4", "--to-revision", "1")
    assert result.exit_code == 0, result


def test_a_rollback_of_a_model_never_deployed_exits_above_1(model_emulator: Start) -> None:
    model_emulator()
    result = server_diff("model", "rollback", "phi-4")
    assert result.exit_code > 1, result


def test_exit_code_without_a_server_dry_run_is_one_usage_line() -> None:
    assert_exit_code_needs_server_dry_run("model", "rollback", "phi-4")
