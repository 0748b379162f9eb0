"""A <TAB> that would read the cluster never runs a kubeconfig exec plugin that signs in with a device
code or a browser: kubelogin's default mode is devicecode (Azure/kubelogin 66784961
pkg/internal/token/options.go NewOptions), and its plugin would write "To sign in, use a web browser..."
over the command line being typed and wait for the user. The names the kubeconfig holds are still
offered; the cluster's are not read (cli/complete.py _sign_in_prompts, kube.kubeconfig_user.exec_prompts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command
from akscli.kube.kubeconfig_user import exec_prompts

KUBELOGIN = {"command": "kubelogin", "args": ["get-token", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]}


def _kubeconfig(tmp_path: Path, exec_line: str, marker: Path) -> Path:
    """A context whose user's exec plugin leaves ``marker`` behind when it runs."""
    plugin = tmp_path / "kubelogin"
    plugin.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    plugin.chmod(0o755)
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: aks\n"
        "clusters: [{name: c1, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "contexts: [{name: aks, context: {cluster: c1, user: u1, namespace: team-a}}]\n"
        f"users: [{{name: u1, user: {{exec: {{apiVersion: client.authentication.k8s.io/v1beta1, command: {plugin}, "
        f"args: [{exec_line}]}}}}}}]\n",
        encoding="utf-8",
    )
    return path


def test_a_devicecode_plugin_is_not_run_and_the_kubeconfigs_namespace_is_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "plugin-ran"
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path, "get-token, --login, devicecode", marker)))
    monkeypatch.delenv("AAD_LOGIN_METHOD", raising=False)
    assert protocol_lines(["__complete", "model", "list", "-n", ""], root_command) == ["team-a", ":4"]
    assert protocol_lines(["__complete", "nodepool", "show", "--auto-provision", ""], root_command) == [":4"]
    assert not marker.exists()


def test_an_azurecli_plugin_is_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "plugin-ran"
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path, "get-token, --login, azurecli", marker)))
    monkeypatch.delenv("AAD_LOGIN_METHOD", raising=False)
    protocol_lines(["__complete", "nodepool", "show", "--auto-provision", ""], root_command)
    assert marker.exists()


@pytest.mark.parametrize(
    ("user", "environ", "prompts"),
    [
        ({"exec": KUBELOGIN}, {}, True),  # kubelogin's default: devicecode
        ({"exec": {**KUBELOGIN, "args": [*KUBELOGIN["args"], "-l", "azurecli"]}}, {}, False),
        ({"exec": {**KUBELOGIN, "args": [*KUBELOGIN["args"], "--login=interactive"]}}, {}, True),
        (
            {"exec": {**KUBELOGIN, "args": [*KUBELOGIN["args"], "--login", "azurecli"]}},
            {"AAD_LOGIN_METHOD": "devicecode"},
            True,
        ),
        ({"exec": {**KUBELOGIN, "env": [{"name": "AAD_LOGIN_METHOD", "value": "msi"}]}}, {}, False),
        (
            {"exec": {**KUBELOGIN, "args": [*KUBELOGIN["args"], "--disable-environment-override"]}},
            {"AAD_LOGIN_METHOD": "azurecli"},
            True,
        ),
        ({"exec": {"command": "akscli", "args": ["token", "--server-id", "x"]}}, {}, False),  # the default chain
        ({"exec": {"command": "akscli", "args": ["token", "--auth", "devicecode"]}}, {}, True),
        ({"exec": {"command": "gke-gcloud-auth-plugin"}}, {}, False),
        ({"token": "t"}, {}, False),
    ],
)
def test_which_exec_plugins_prompt(user: dict[str, object], environ: dict[str, str], prompts: bool) -> None:
    assert exec_prompts(user, environ) is prompts
