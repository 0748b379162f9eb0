"""`--config` on a command that reads its file with kubectl's -f/--filename is answered with
-f/--filename, not with --kubeconfig, whose tail it is (Ray Serve's `serve deploy` takes a config
file: ray-project/ray python/ray/serve/scripts.py deploy, config_file_name)."""

from __future__ import annotations

import pytest

from tests.cli import invoke


@pytest.mark.parametrize("flag", ["--config", "--config-file"])
def test_a_config_flag_on_ray_service_deploy_is_answered_with_its_file_flag(flag: str) -> None:
    result = invoke("ray", "service", "deploy", "svc", flag, "serve.yaml")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines() == [
        f"error: No such option: {flag}",
        "hint: did you mean -f/--filename? (run 'akscli ray service deploy --help' for usage)",
    ]


def test_a_config_flag_on_apply_is_answered_with_its_file_flag() -> None:
    result = invoke("apply", "--config", "app.yaml")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[-1] == "hint: did you mean -f/--filename? (run 'akscli apply --help' for usage)"


def test_a_config_flag_on_a_command_without_a_file_flag_keeps_its_close_spellings() -> None:
    result = invoke("model", "deploy", "phi-4", "--config", "x")
    assert result.exit_code == 2, result
    assert "did you mean --kubeconfig or --hub-config?" in result.stderr
