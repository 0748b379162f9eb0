"""A kubeconfig exec plugin's env values (an ExecEnvVar, kubernetes/client-go
tools/clientcmd/api/v1/types.go: name and value) that hold a secret never reach akscli's output:
the plugin's own stderr, which akscli passes on in its error's hint as kubectl passes it through,
is scrubbed of them (kube.kubeconfig_user.User.remember_secrets). A value is a secret by its name,
and now also by its shape or as a bare key (akscli.secret_words.is_secret_variable, the rule for a
container's env value), so ``HF_AUTH=hf_...`` is hidden; a secret-named variable that points at
the secret (``AZURE_FEDERATED_TOKEN_FILE=/var/run/...``) is shown, as it is everywhere else.
client-go's own logs print no env value at all (tools/clientcmd/api/types.go ExecConfig.String,
``[]ExecEnvVar{--- REDACTED ---}``); kubectl passes the plugin's stderr through as it came."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from akscli import redact
from akscli.kube.kubeconfig_user import User
from tests.cli import invoke

HF = "hf_" + "CanaryExecPluginTokenAbCdEfGhIj"
HEX_KEY = "0c3a9e51d2b84f7a9e6d1c0b5a4f3e2d"
PW = "Opaque-Canary-31"


def exec_user(env: list[dict[str, str]]) -> dict[str, Any]:
    script = (
        "import os, sys; "
        "sys.stderr.write(' '.join(f'{k}={v}' for k, v in sorted(os.environ.items()) if k.startswith('P_'))); "
        "sys.exit(1)"
    )
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sys.executable,
            "args": ["-c", script],
            "env": env,
            "interactiveMode": "Never",
        }
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [("P_HF_AUTH", HF), ("P_AOAI_KEY1", HEX_KEY), ("P_CLIENT_SECRET", PW)],
    ids=["token shape", "bare hex key", "secret name"],
)
def test_an_exec_env_value_that_holds_a_secret_is_remembered(name: str, value: str) -> None:
    User("u", exec_user([{"name": name, "value": value}])).remember_secrets()
    assert redact.scrub(f"plugin said {value}!") == "plugin said ***!"


def test_an_exec_env_path_to_a_token_file_is_shown() -> None:
    path = "/var/run/secrets/azure/tokens/azure-identity-token"
    User("u", exec_user([{"name": "AZURE_FEDERATED_TOKEN_FILE", "value": path}])).remember_secrets()
    assert redact.scrub(f"cannot read {path}") == f"cannot read {path}"


@pytest.mark.parametrize("flags", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_failing_exec_plugin_that_prints_its_env_shows_no_secret(
    kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    monkeypatch.setenv("AKSCLI_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    env = [
        {"name": "P_HF_AUTH", "value": HF},
        {"name": "P_AOAI_KEY1", "value": HEX_KEY},
        {"name": "P_CLIENT_SECRET", "value": PW},
        {"name": "P_LOGIN", "value": "workloadidentity"},
    ]
    config = kube_emulator.kubeconfig_dict()
    config["users"][0]["user"] = exec_user(env)
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(config), encoding="utf-8")
    path.chmod(0o600)
    result = invoke("model", "list", "--kubeconfig", str(path), *flags)
    assert result.exit_code == 6, result
    assert "P_AOAI_KEY1=*** P_CLIENT_SECRET=*** P_HF_AUTH=*** P_LOGIN=workloadidentity" in result.stderr, result
    log = (tmp_path / "audit.jsonl").read_text() if (tmp_path / "audit.jsonl").exists() else ""
    for value in (HF, HEX_KEY, PW):
        assert value not in result.stdout + result.stderr + log
