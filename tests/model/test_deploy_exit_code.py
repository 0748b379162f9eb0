"""`model deploy --dry-run=server --exit-code`: the model's own plan (the Workspace an
InferenceSet replaces included) with kubectl diff's exit status, 0 nothing would change, 1
something would, 2 or more an error (kubernetes/kubectl pkg/cmd/diff/diff.go), so that a pipeline
gates a deploy on it."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import assert_exit_code_needs_server_dry_run, invoke, server_diff

DEPLOY = ("model", "deploy", "phi-4", "-n", "default")


def test_a_new_model_would_change_something_exit_1(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    result = server_diff(*DEPLOY)
    assert result.exit_code == 1, result
    assert "workspace.kaito.sh/phi-4 (default): will be created" in result.stdout
    assert "error:" not in result.stderr


def test_a_deployed_model_deployed_again_is_no_change_exit_0(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    assert invoke(*DEPLOY, "-y").exit_code == 0
    result = server_diff(*DEPLOY)
    assert result.exit_code == 0, result
    assert "workspace.kaito.sh/phi-4 (default): unchanged" in result.stdout


def test_a_replaced_workspace_is_a_change_exit_1(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    assert invoke(*DEPLOY, "-y").exit_code == 0
    result = server_diff(*DEPLOY, "--replicas", "2")
    assert result.exit_code == 1, result
    assert "workspace.kaito.sh/phi-4 (default): will be deleted (replaced by" in result.stdout


def test_without_the_flag_the_server_dry_run_still_exits_0(model_emulator: Callable[..., Any]) -> None:
    model_emulator()
    assert invoke(*DEPLOY, "--dry-run=server").exit_code == 0


def test_exit_code_without_a_server_dry_run_is_one_usage_line() -> None:
    assert_exit_code_needs_server_dry_run(*DEPLOY)


def test_a_failure_exits_2_not_1(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\n"
        f'clusters: [{{name: c, cluster: {{server: "http://127.0.0.1:{port}"}}}}]\n'
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]\ncurrent-context: x\n",
        encoding="utf-8",
    )
    plain = invoke(*DEPLOY, "--dry-run=server", "--kubeconfig", str(config))
    result = invoke(*DEPLOY, "--dry-run=server", "--exit-code", "--kubeconfig", str(config))
    assert plain.exit_code == 1, plain
    assert result.exit_code == 2, result
