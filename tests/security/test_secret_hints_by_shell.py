"""A hint that reads a secret at a silent prompt is written in the user's shell (akscli.secret_hints):
bash and zsh (``read -rs``), fish (``read -s``, fishshell.com/docs/current/cmds/read.html) or
PowerShell (``Read-Host -AsSecureString``, learn.microsoft.com .../read-host), as the environment
tells it: PSModulePath (PowerShell builds it at start-up; about_PSModulePath) or Windows, else a
fish $SHELL, else a POSIX shell. The fish form is run by the real fish and kubectl."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from akscli import secret_hints
from tests.cli import invoke
from tests.emulators.kube import KubeEmulator

TOKEN = "hf_canaryTokenValue0123456789"


@pytest.mark.parametrize(
    ("env", "shell"),
    [
        ({"SHELL": "/bin/bash"}, "sh"),
        ({"SHELL": "/bin/zsh"}, "sh"),
        ({"SHELL": "/usr/bin/fish"}, "fish"),
        ({"SHELL": "/opt/homebrew/bin/fish"}, "fish"),
        ({"SHELL": "/bin/bash", "PSModulePath": "/usr/local/share/powershell/Modules"}, "powershell"),
        ({"SHELL": "/usr/bin/fish", "PSModulePath": "/opt/microsoft/powershell/7/Modules"}, "powershell"),
        ({}, "sh"),
    ],
)
def test_the_shell_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch, env: dict, shell: str) -> None:
    monkeypatch.delenv("SHELL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert secret_hints.shell() == shell


def test_fish_users_get_fishs_silent_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELL", "/usr/bin/fish")
    assert secret_hints.secret_from_stdin("hf-token", "ml", "HF_TOKEN") == (
        'read -s HF_TOKEN && printf %s "$HF_TOKEN" | kubectl create secret generic hf-token -n ml '
        "--from-file=HF_TOKEN=/dev/stdin"
    )


def test_powershell_users_get_read_host_as_secure_string_and_a_file_without_a_newline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PSModulePath", "/usr/local/share/powershell/Modules")
    assert secret_hints.secret_from_stdin("hf-token", "ml", "HF_TOKEN") == (
        "$s = Read-Host -AsSecureString HF_TOKEN; $f = (New-TemporaryFile).FullName; "
        "[IO.File]::WriteAllText($f, [Net.NetworkCredential]::new('', $s).Password); "
        "kubectl create secret generic hf-token -n ml --from-file=HF_TOKEN=$f; Remove-Item $f"
    )


@pytest.mark.parametrize(
    ("env", "hint"),
    [
        (
            {"SHELL": "/bin/bash"},
            "export AZURE_TENANT_ID=... AZURE_CLIENT_ID=...; read -rs AZURE_CLIENT_SECRET && export "
            "AZURE_CLIENT_SECRET",
        ),
        (
            {"SHELL": "/usr/bin/fish"},
            "set -x AZURE_TENANT_ID ...; set -x AZURE_CLIENT_ID ...; read -sx AZURE_CLIENT_SECRET",
        ),
        (
            {"PSModulePath": "C:\\Program Files\\PowerShell\\Modules"},
            "$env:AZURE_TENANT_ID = '...'; $env:AZURE_CLIENT_ID = '...'; $env:AZURE_CLIENT_SECRET = "
            "[Net.NetworkCredential]::new('', (Read-Host -AsSecureString AZURE_CLIENT_SECRET)).Password",
        ),
    ],
    ids=["bash", "fish", "powershell"],
)
def test_the_service_principal_hint_reads_the_secret_in_the_users_shell(
    monkeypatch: pytest.MonkeyPatch, env: dict, hint: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AAD_LOGIN_METHOD"):
        monkeypatch.delenv(name, raising=False)
    r = invoke("token", "--login", "spn")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[1] == f"hint: {hint} (or pass --tenant-id)"


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None or shutil.which("fish") is None, reason="needs kubectl and fish")
def test_the_token_secret_hint_run_by_fish_and_the_real_kubectl_stores_the_token_without_a_newline(
    kube_emulator: KubeEmulator, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHELL", shutil.which("fish") or "fish")
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}})
    result = invoke("model", "deploy", "llama-3.1-8b-instruct", "-n", "ml", "--dry-run=client")
    assert result.exit_code == 2, result
    line = re.search(r"hint: (read -s .*?/dev/stdin)", result.stderr)
    assert line, result.stderr
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    run = subprocess.run(
        ["fish", "--no-config", "-c", line.group(1)],
        input=TOKEN + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert TOKEN not in run.stdout + run.stderr
    secret = kube_emulator.cluster.get("v1", "Secret", "ml", "hf-token")
    assert secret is not None
    assert base64.b64decode(secret["data"]["HF_TOKEN"]) == TOKEN.encode()


@pytest.mark.skipif(shutil.which("fish") is None, reason="needs fish")
def test_the_fish_service_principal_hint_exports_the_secret_it_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELL", "/usr/bin/fish")
    hint = secret_hints.export_with_secret(("AZURE_TENANT_ID", "AZURE_CLIENT_ID"), "AZURE_CLIENT_SECRET")
    script = hint.replace("...", "x") + "; env"
    run = subprocess.run(["fish", "--no-config", "-c", script], input="s3cret\n", capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "AZURE_CLIENT_SECRET=s3cret" in run.stdout.splitlines()
