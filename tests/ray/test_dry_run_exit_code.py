"""`ray cluster create` and `ray service deploy` with `--dry-run=server --exit-code`: the plan with
kubectl diff's exit status (0 nothing would change, 1 something would; kubernetes/kubectl
pkg/cmd/diff/diff.go), so that a pipeline gates an apply on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import assert_exit_code_needs_server_dry_run, invoke, server_diff
from tests.ray.test_cli_service import SERVE


def test_a_new_cluster_would_change_something_exit_1(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    result = server_diff("ray", "cluster", "create", "rc")
    assert result.exit_code == 1, result
    assert "raycluster.ray.io/rc (default): will be created" in result.stdout


def test_the_same_cluster_again_is_no_change_exit_0(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "rc", "-y").exit_code == 0
    result = server_diff("ray", "cluster", "create", "rc")
    assert result.exit_code == 0, result


def test_more_workers_is_a_change_exit_1(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert invoke("ray", "cluster", "create", "rc", "-y").exit_code == 0
    result = server_diff("ray", "cluster", "create", "rc", "--worker-replicas", "2")
    assert result.exit_code == 1, result


def test_a_service_deployed_again_is_no_change_exit_0(ray_emulator: Callable[..., Any], tmp_path: Path) -> None:
    ray_emulator()
    serve = tmp_path / "serve.yaml"
    serve.write_text(SERVE)
    assert invoke("ray", "service", "deploy", "llm", "-f", str(serve), "-y").exit_code == 0
    result = server_diff("ray", "service", "deploy", "llm", "-f", str(serve))
    assert result.exit_code == 0, result


def test_exit_code_without_a_server_dry_run_is_one_usage_line() -> None:
    assert_exit_code_needs_server_dry_run("ray", "cluster", "create", "rc")
