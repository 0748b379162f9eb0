"""``cluster credentials --login azurecli --subscription SUB`` (and fleet's and baremetal's, which share
``clustercreds``) writes ``--subscription SUB`` on the exec line, after the tenant, as kubelogin's
convert-kubeconfig writes it for azurecli only (upstream: Azure/kubelogin 66784961
pkg/internal/converter/convert.go, case token.AzureCLILogin: ``o.isSet(flagSubscriptionID)``). The value is
checked as akscli token checks it, and the pair with --tenant, which akscli token (as ``az account
get-access-token``) refuses, is one usage line before anything is fetched."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from akscli.azure import clustercreds
from akscli.azure.token import parse_args
from akscli.errors import UsageError
from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import AKS_SERVER_APP, DEFAULT_SUBSCRIPTION, ArmEmulator

SUB = "11111111-2222-3333-4444-555555555555"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
KUBECONFIG = b"""apiVersion: v1
kind: Config
users:
- name: u
  user:
    exec:
      command: kubelogin
      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630,
        --client-id, 80faf920-1908-4b52-b5ef-a8e7bedfc67a, --tenant-id, %s, --login, devicecode]
""" % TENANT.encode()


def exec_args(data: bytes) -> list[str]:
    return [str(a) for a in YAML(typ="safe", pure=True).load(data)["users"][0]["user"]["exec"]["args"]]


def test_azurecli_writes_the_subscription_after_the_tenant_and_akscli_token_reads_it() -> None:
    args = exec_args(clustercreds.rewrite_exec_user(KUBECONFIG, login="azurecli", subscription=SUB))
    assert args == ["token", "--login", "azurecli", "--server-id", AKS_SERVER_APP, "--subscription", SUB]
    assert parse_args(args[1:]).subscription == SUB  # the line akscli token runs takes it


@pytest.mark.parametrize("login", [None, "devicecode", "msi", "azd"])
def test_other_modes_write_no_subscription_as_convert(login: str | None) -> None:
    args = exec_args(clustercreds.rewrite_exec_user(KUBECONFIG, login=login, subscription=SUB))
    assert "--subscription" not in args


@pytest.mark.parametrize(
    ("kwargs", "first"),
    [
        ({"subscription": "bad;sub"}, "invalid --subscription 'bad;sub'"),
        ({"subscription": SUB, "tenant": TENANT}, "--subscription and --tenant together with --login azurecli"),
    ],
    ids=["bad-value", "with-tenant"],
)
def test_a_subscription_the_exec_line_cannot_take_is_refused(kwargs: dict[str, str], first: str) -> None:
    with pytest.raises(UsageError) as e:
        clustercreds.check_exec_identity("azurecli", **kwargs)
    assert str(e.value).startswith(first)


def test_the_subscription_and_tenant_pair_is_refused_before_the_cluster_is_read(
    azure_env: ArmEmulator, tmp_path: Path
) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    base = ("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "--login", "azurecli")
    r = invoke(*base, "--subscription", DEFAULT_SUBSCRIPTION, "--tenant", TENANT)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0].startswith("error: --subscription and --tenant together")
    assert azure_env.requests_to("/listCluster(User|Admin)Credential$", "POST") == []
    assert not cfg.exists()
    r = invoke(*base, "--subscription", DEFAULT_SUBSCRIPTION)
    assert r.exit_code == 0, r
    assert exec_args(cfg.read_bytes())[-2:] == ["--subscription", DEFAULT_SUBSCRIPTION]


def test_workloadidentity_writes_the_client_id_given_and_not_the_kubeconfigs() -> None:
    # convert, case token.WorkloadIdentityLogin: --client-id only where the flag is set.
    clustercreds.check_exec_identity("workloadidentity", client_id=SUB)
    args = exec_args(clustercreds.rewrite_exec_user(KUBECONFIG, login="workloadidentity", client_id=SUB))
    assert args == ["token", "--login", "workloadidentity", "--server-id", AKS_SERVER_APP, "--client-id", SUB]
    assert "80faf920-1908-4b52-b5ef-a8e7bedfc67a" not in exec_args(
        clustercreds.rewrite_exec_user(KUBECONFIG, login="workloadidentity")
    )
