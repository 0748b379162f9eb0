"""A typed --context that the kubeconfig does not hold is refused on a client dry run too, before
anything is rendered, as kubectl refuses it (kubernetes/client-go tools/clientcmd/client_config.go
DirectClientConfig.Namespace calls ConfirmUsable: "context was not found for specified context")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli import invoke

KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "lab", "cluster": {"server": "https://127.0.0.1:1"}}],
    "users": [{"name": "me", "user": {"token": "t"}}],
    "contexts": [{"name": "lab", "context": {"cluster": "lab", "user": "me"}}],
    "current-context": "lab",
}
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "1"}}


@pytest.fixture
def lab_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    path.write_text(json.dumps(KUBECONFIG))
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["model", "deploy", "phi-4", "--dry-run"],
        ["ray", "cluster", "create", "rc", "--dry-run=client"],
        ["apply", "-f", "MANIFEST", "--dry-run=client"],
    ],
    ids=["model deploy", "ray cluster create", "apply"],
)
def test_a_context_the_kubeconfig_lacks_is_refused_on_a_client_dry_run(
    lab_kubeconfig: Path, tmp_path: Path, argv: list[str]
) -> None:
    manifest = tmp_path / "cm.json"
    manifest.write_text(json.dumps(CONFIGMAP))
    result = invoke(*[str(manifest) if word == "MANIFEST" else word for word in argv], "--context", "nosuch")
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: --context: context 'nosuch' is not in {lab_kubeconfig}",
        "hint: known contexts: lab",
    ]


def test_a_context_the_kubeconfig_holds_renders_on_a_client_dry_run(lab_kubeconfig: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.json"
    manifest.write_text(json.dumps(CONFIGMAP))
    result = invoke("apply", "-f", str(manifest), "--dry-run=client", "-o", "name", "--context", "lab")
    assert result.exit_code == 0, result
    assert result.stdout == "configmap/settings\n"


def test_without_a_kubeconfig_a_client_dry_run_without_context_still_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    manifest = tmp_path / "cm.json"
    manifest.write_text(json.dumps(CONFIGMAP))
    result = invoke("apply", "-f", str(manifest), "--dry-run=client", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout == "configmap/settings\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["model", "deploy", "phi-4", "--dry-run"],
        ["apply", "-f", "MANIFEST", "--dry-run=client"],
        ["policy", "check", "-f", "MANIFEST"],
    ],
    ids=["model deploy", "apply", "policy check"],
)
def test_without_a_kubeconfig_a_typed_context_is_refused_on_a_client_dry_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    # kubectl 1.32, KUBECONFIG naming no file: `kubectl create configmap x --dry-run=client -o yaml
    # --context nosuch` prints `error: context "nosuch" does not exist` and exits 1 (client-go
    # tools/clientcmd/client_config.go getContext: a context that was named is required).
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    manifest = tmp_path / "cm.json"
    manifest.write_text(json.dumps(CONFIGMAP))
    result = invoke(*[str(manifest) if word == "MANIFEST" else word for word in argv], "--context", "lab")
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: --context: context 'lab' is not in {tmp_path / 'none'}: there is no kubeconfig there",
        "hint: known contexts: none; get credentials with "
        "'akscli cluster credentials NAME -g GROUP' (or pass --kubeconfig FILE)",
    ]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_refuses_a_typed_context_without_a_kubeconfig_too(tmp_path: Path) -> None:
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "none"), "HOME": str(tmp_path)}
    theirs = subprocess.run(
        ["kubectl", "create", "configmap", "x", "--dry-run=client", "-o", "yaml", "--context", "lab"],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )
    assert (theirs.returncode, theirs.stdout, theirs.stderr) == (1, "", 'error: context "lab" does not exist\n')
