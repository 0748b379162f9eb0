"""The kubeconfig user 'cluster credentials' writes, as kubelogin's convert-kubeconfig writes it
(Azure/kubelogin pkg/internal/converter/convert.go) (issue #19 item 5)."""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML

from akscli.azure import clustercreds, identity, token
from tests.azure.helpers import entra_flag
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

AKS_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: aks1, cluster: {server: 'https://aks1.hcp.chinaeast2.cx.prod.service.azk8s.cn:443'}}]
contexts: [{name: aks1, context: {cluster: aks1, user: u}}]
current-context: aks1
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --environment, AzureChinaCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630,
             --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, 72f988bf-0000-0000-0000-000000000001,
             --login, devicecode]
"""


def _args(login: str | None) -> list[str]:
    out = clustercreds.rewrite_exec_user(AKS_KUBECONFIG.encode(), login=login)
    return [str(a) for a in YAML(typ="safe", pure=True).load(out)["users"][0]["user"]["exec"]["args"]]


def test_azure_cli_sign_in_carries_no_tenant() -> None:
    args = _args("azurecli")
    assert "--tenant-id" not in args and args[:3] == ["token", "--login", "azurecli"]


def test_other_sign_ins_keep_the_tenant() -> None:
    assert "72f988bf-0000-0000-0000-000000000001" in _args("devicecode")


def test_the_sovereign_cloud_environment_is_kept() -> None:
    args = _args("devicecode")
    assert args[args.index("--environment") + 1] == "AzureChinaCloud"


def test_akscli_token_signs_in_to_the_environments_authority() -> None:
    req = token.parse_args(["--environment", "AzureChinaCloud", "--login", "azurecli"])
    assert identity.authority_of(req.environment) == "https://login.chinacloudapi.cn"
    assert req.cache_key() != token.parse_args(["--login", "azurecli"]).cache_key()
    assert identity.authority_of("AzurePublicCloud") is None


def test_the_rewritten_kubeconfig_keeps_its_quotes() -> None:
    """An unquoted 'https://host:443' inside a flow mapping is YAML 1.2 that libyaml's YAML 1.1 parser
    (ruamel.yaml.clib's C loader) refuses: the quotes the kubeconfig had stay."""
    out = clustercreds.rewrite_exec_user(AKS_KUBECONFIG.encode(), login="azurecli")
    assert b"{server: 'https://aks1.hcp.chinaeast2.cx.prod.service.azk8s.cn:443'}" in out


def test_the_azure_cli_cloud_names_kubelogin_takes_sign_in_to_their_cloud() -> None:
    """kubelogin takes AzureCloud, AzurePublic and AzureUSGovernment too (Azure/kubelogin
    pkg/internal/token/options.go GetCloudConfiguration)."""
    assert identity.authority_of(token.parse_args(["--environment", "AzureUSGovernment"]).environment) == (
        "https://login.microsoftonline.us"
    )
    assert identity.authority_of(token.parse_args(["-e", "AzureCloud"]).environment) is None
    assert identity.authority_of(token.parse_args(["--environment=azurepublic"]).environment) is None


def test_akscli_token_runs_with_the_azure_cli_cloud_name(azure_env: ArmEmulator) -> None:
    r = invoke("token", "--environment", "AzureCloud", *entra_flag())
    assert r.exit_code == 0, r
    assert json.loads(r.stdout)["kind"] == "ExecCredential"


def test_a_public_cloud_alias_is_not_written_into_the_default_chains_plugin_args() -> None:
    kubeconfig = AKS_KUBECONFIG.replace("AzureChinaCloud", "AzureCloud").encode()
    out = clustercreds.rewrite_exec_user(kubeconfig, login=None)
    assert "--environment" not in YAML(typ="safe", pure=True).load(out)["users"][0]["user"]["exec"]["args"]


@pytest.mark.parametrize(
    "variable", ["https://login.partner.example", "login.partner.example", "https://login.partner.example/"]
)
def test_a_sign_in_host_other_than_the_public_one_is_written_as_kubelogins_authority_host(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    # akscli token reads AZURE_AUTHORITY_HOST only in workloadidentity mode, as kubelogin: the default
    # chain's exec line (no kubelogin mode) carries the host, in the form kubelogin's Validate takes (https,
    # a trailing slash). The kubelogin modes do not: convert-kubeconfig writes none (test_credentials_convert_args).
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", variable)
    args = _args(None)
    assert args[args.index("--authority-host") + 1] == "https://login.partner.example/"


@pytest.mark.parametrize("variable", [None, "", "login.microsoftonline.com", "https://LOGIN.microsoftonline.com/"])
def test_the_public_sign_in_host_is_not_written(monkeypatch: pytest.MonkeyPatch, variable: str | None) -> None:
    if variable is None:
        monkeypatch.delenv("AZURE_AUTHORITY_HOST", raising=False)
    else:
        monkeypatch.setenv("AZURE_AUTHORITY_HOST", variable)
    assert "--authority-host" not in _args(None)
