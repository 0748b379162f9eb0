"""Where ``akscli token`` signs in, and empty variables, as kubelogin reads them (upstream:
Azure/kubelogin pkg/internal/token/options.go, commit 66784961ef44a34236a651d9b08bcdf0aa07b836):
--authority-host in every mode (``GetCloudConfiguration``), AZURE_AUTHORITY_HOST in workloadidentity
mode only, over the flag, both checked by ``Validate``; every variable read with os.LookupEnv, so a set but
empty one replaces what an earlier name gave (``UpdateFromEnv``)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from akscli.azure import identity
from akscli.azure import token as plugin
from tests.azure.test_token_env_overrides import SP_ID, SP_SECRET, claims_of, sp_env  # noqa: F401 - a fixture
from tests.cli import invoke
from tests.emulators.arm import DEFAULT_CLIENT_ID, ArmEmulator

REFUSED = "https://127.0.0.1:9"  # nothing listens on the discard port: a sign-in there is refused at once


def authority_chosen(monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    """The authority ``acquire`` hands the credential factory for ``akscli token ARGS``."""
    from azure.core.credentials import AccessToken

    seen: dict[str, Any] = {}

    class Signed:
        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            return AccessToken("a-token", int(time.time()) + 3600)

    def credential(*a: Any, **kwargs: Any) -> Signed:
        seen.update(kwargs)
        return Signed()

    monkeypatch.setattr(identity, "credential", credential)
    plugin.acquire(plugin.parse_args(list(args)))
    return seen["authority"]


def test_authority_host_flag_names_the_sign_in_host(azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_AUTHORITY_HOST")
    claims = claims_of(azure_env, "--login", "spn", "--authority-host", azure_env.url + "/")
    assert claims["appid"] == DEFAULT_CLIENT_ID


def test_authority_host_flag_wins_over_the_variable_outside_workload_identity(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = invoke(
        "token", "--login", "spn", "--authority-host", azure_env.url + "/", env={"AZURE_AUTHORITY_HOST": REFUSED}
    )
    assert r.exit_code == 0, r
    assert azure_env.tokens[json.loads(r.stdout)["status"]["token"]]["appid"] == DEFAULT_CLIENT_ID


def test_in_workload_identity_mode_the_variable_wins_over_the_flag(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "https://login.partner.example/")
    chosen = authority_chosen(monkeypatch, "--login", "workloadidentity", "--authority-host", "https://flag.example/")
    assert chosen == "https://login.partner.example"


def test_in_workload_identity_mode_an_empty_variable_leaves_the_environments_host(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "")
    args = ("--login", "workloadidentity", "--authority-host", "https://flag.example/", "-e", "AzureChinaCloud")
    assert authority_chosen(monkeypatch, *args) == "https://login.chinacloudapi.cn"


def test_disable_environment_override_does_not_read_the_authority_variable(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", REFUSED)
    chosen = authority_chosen(monkeypatch, "--login", "azurecli", "--disable-environment-override")
    assert chosen == plugin.PUBLIC_AUTHORITY
    assert identity._common(None, chosen)["authority"] == plugin.PUBLIC_AUTHORITY  # not the variable's


def test_an_empty_authority_variable_is_the_public_cloud_for_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    # azure-identity would sign in to "https://" (azure/identity/_internal/utils.py get_default_authority).
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "")
    monkeypatch.setenv("AKSCLI_DISABLE_INSTANCE_DISCOVERY", "")
    assert identity._common(None)["authority"] == "login.microsoftonline.com"


@pytest.mark.parametrize("command", [("cluster", "list"), ("fleet", "list")])
def test_an_authority_variable_azure_identity_refuses_is_one_usage_line_for_every_command(
    azure_env: ArmEmulator, command: tuple[str, ...]
) -> None:
    # Was 'list clusters: ValueError: ... is an invalid authority' (exit 1) with a service
    # principal, and 'no Azure credential found' through the default chain.
    r = invoke(*command, env={"AZURE_AUTHORITY_HOST": "http://127.0.0.1:8080/"})
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == "error: authority host 'http://127.0.0.1:8080/' is not valid"
    assert azure_env.token_requests == []


@pytest.mark.parametrize(
    ("host", "message"),
    [
        (
            "https://login.microsoftonline.com",
            "authority host 'https://login.microsoftonline.com' should have a trailing slash",
        ),
        ("login.microsoftonline.com/", "authority host 'login.microsoftonline.com/' is not valid"),
        ("http://127.0.0.1:8080/", "authority host 'http://127.0.0.1:8080/' is not valid"),
    ],
)
def test_an_authority_host_flag_kubelogin_refuses_is_one_usage_line(
    azure_env: ArmEmulator, host: str, message: str
) -> None:
    r = invoke("token", "--login", "spn", "--authority-host", host)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == f"error: --authority-host: {message}"
    assert azure_env.token_requests == []


def test_a_workload_identity_authority_variable_without_its_slash_is_refused_by_name(azure_env: ArmEmulator) -> None:
    r = invoke("token", "--login", "workloadidentity", env={"AZURE_AUTHORITY_HOST": azure_env.url})
    assert r.exit_code == 2, r
    assert r.stderr.splitlines() == [
        f"error: authority host '{azure_env.url}' should have a trailing slash",
        f"hint: AZURE_AUTHORITY_HOST must end in '/', as kubelogin requires: {azure_env.url}/",
    ]


@pytest.mark.parametrize(
    "host", ["https://login.microsoftonline.us/", "login.microsoftonline.us", "http://127.0.0.1:8080/"]
)
def test_outside_workload_identity_the_authority_variable_is_not_read(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    # kubelogin reads AZURE_AUTHORITY_HOST in workloadidentity mode only (options.go UpdateFromEnv);
    # elsewhere --authority-host (which cluster credentials writes) or --environment names the host.
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", host)
    assert authority_chosen(monkeypatch, "--login", "spn") == plugin.PUBLIC_AUTHORITY
    assert (
        authority_chosen(monkeypatch, "--login", "spn", "-e", "AzureUSGovernment") == "https://login.microsoftonline.us"
    )


def test_an_empty_aad_login_method_is_refused_as_kubelogin_refuses_it(azure_env: ArmEmulator) -> None:
    r = invoke("token", "--login", "spn", env={"AAD_LOGIN_METHOD": ""})
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == "error: AAD_LOGIN_METHOD='' is not a sign-in mode akscli token has"
    assert azure_env.token_requests == []


@pytest.mark.parametrize("emptied", ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID"])
def test_an_empty_azure_variable_replaces_kubelogins_own_name(sp_env: ArmEmulator, emptied: str) -> None:  # noqa: F811
    env = {"AAD_SERVICE_PRINCIPAL_CLIENT_ID": SP_ID, "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": SP_SECRET, emptied: ""}
    r = invoke("token", "--login", "spn", env=env)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0].startswith("error: --auth spn needs a service principal")
    assert sp_env.token_requests == []


def test_an_empty_variable_after_none_is_still_no_value(sp_env: ArmEmulator) -> None:  # noqa: F811
    env = {"AAD_SERVICE_PRINCIPAL_CLIENT_ID": "", "AZURE_CLIENT_ID": SP_ID, "AZURE_CLIENT_SECRET": SP_SECRET}
    assert claims_of(sp_env, "--login", "spn", env=env)["appid"] == SP_ID


def test_an_unreachable_sign_in_host_is_named_with_the_flag_that_sets_it(azure_env: ArmEmulator) -> None:
    # Was the emulator's AZURE_AUTHORITY_HOST, which akscli token does not read in this mode, in both lines.
    r = invoke("token", "--login", "spn", "--authority-host", REFUSED + "/")
    assert r.exit_code == 6, r
    assert r.stderr.splitlines() == [
        f"error: --auth spn could not get a token: cannot reach {REFUSED}: the connection was refused",
        "hint: check the network or proxy (HTTPS_PROXY) and --authority-host (or --environment)",
    ]
