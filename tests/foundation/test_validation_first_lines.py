"""The members of the validation-first class found by test_validation_first.py, each one line: a
command refuses its input with the error alone, never after an info line or a read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke


def only_the_error(result: Any, about: str) -> None:
    assert result.exit_code == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and about in lines[0], result
    assert all(line.startswith("hint: ") for line in lines[1:]), result


def test_nodepool_add_gpu_prints_no_size_line_before_a_missing_subscription(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path / "no-azure-config"))
    result = invoke("nodepool", "add", "gpu", "--cluster", "ml", "-g", "rg-ml", "--gpu", "h100")
    only_the_error(result, "subscription")


def test_nodepool_add_auto_provision_prints_no_size_line_before_a_zones_error() -> None:
    result = invoke("nodepool", "add", "h100", "--auto-provision", "--gpu", "h100", "--zones", "1", "--dry-run=client")
    only_the_error(result, "--zones")


def test_a_bad_dry_run_mode_is_refused_before_the_kubeconfig_is_read(tmp_path: Path) -> None:
    result = invoke("ray", "cluster", "delete", "demo", "-y", "--dry-run=bogus", "--kubeconfig", str(tmp_path / "x"))
    only_the_error(result, "--dry-run")


def test_a_bad_timeout_is_refused_before_the_kubeconfig_is_read(tmp_path: Path) -> None:
    result = invoke(
        *("fleet", "place", "team-a", "--select", "namespace/team-a", "--timeout", "soon"),
        *("--kubeconfig", str(tmp_path / "none")),
    )
    only_the_error(result, "--timeout")


def test_a_bad_subscription_is_refused_on_a_fleet_commands_hub_path() -> None:
    result = invoke("fleet", "rollout", "list", "--subscription", "not-a-guid")
    only_the_error(result, "subscription")


def test_a_hub_rollout_refuses_an_arm_runs_kubernetes_version() -> None:
    # -k was dropped unsaid: the hub's StagedUpdateRun rolls out a placement's resources, and the
    # version belongs to an ARM update run (--fleet).
    result = invoke(
        "fleet", "rollout", "create", "run-1", "--placement", "team-a", "--strategy", "canary", "-k", "1.34.2"
    )
    only_the_error(result, "--kubernetes-version")


def test_a_dry_run_refuses_a_subscription_that_is_not_a_guid(tmp_path: Path) -> None:
    # An offline dry run printed the request (exit 0) for any --subscription, read only when sent.
    key = tmp_path / "id.pub"
    key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample user@host\n")
    result = invoke(
        *("baremetal", "cluster", "create", "edge1", "-g", "rg-edge", "--edge-machine", "host-01"),
        *("--ssh-key", str(key), "--admin-group", "00000000-0000-0000-0000-000000000001"),
        *("--subscription", "Bad_Value!", "--dry-run"),
    )
    only_the_error(result, "subscription")


def test_nccl_checks_its_image_before_the_cluster_is_read(tmp_path: Path) -> None:
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--image", "Bad_Value!", "--kubeconfig", str(tmp_path))
    only_the_error(result, "--image")


def test_token_checks_kubelogins_environment_flag() -> None:
    # --environment was accepted and dropped by `akscli token` run through the CLI.
    result = invoke("token", "--auth", "azurecli", "--environment", "AzureMoonCloud")
    only_the_error(result, "--environment")


def test_token_checks_kubelogins_login_flag_beside_auth() -> None:
    result = invoke("token", "--auth", "azurecli", "--login", "bogus")
    only_the_error(result, "--login mode")


def test_model_deploy_checks_the_provider_with_any_runtime(tmp_path: Path) -> None:
    result = invoke("model", "deploy", "phi-4", "--provider", "bogus", "--kubeconfig", str(tmp_path / "none"))
    only_the_error(result, "--provider")
