"""kubelogin's azd mode, and its ropc mode and --legacy flag, in ``akscli token`` and ``cluster credentials``
(upstream: Azure/kubelogin 66784961 pkg/internal/token/options.go supportedLogin and AddFlags, provider.go,
azuredevopscredential.go, pkg/internal/converter/convert.go; docs/book/src/concepts/login-modes/azd.md, ropc.md).

- azd signs in through 'azd auth token' with the --tenant-id given and keeps no token of its own, as
  kubelogin; ``cluster credentials --login azd`` writes --tenant-id only where one is given, as convert does.
- ropc (a user's password) and --legacy (an ADAL v1 token for the retired Azure AD integration) are
  refused, each with one line that names the fix, before anything is sent and without echoing a password.
"""

from __future__ import annotations

import io
import json
import stat
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from akscli.azure import token as plugin
from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import AKS_SERVER_APP, ArmEmulator

AKS_CLIENT = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
OTHER_TENANT = "33333333-0000-0000-0000-00000000000b"
PASSWORD = "Correct-Horse-Battery-Staple-42"  # a refused ropc password, never to be echoed


def kubectl_runs(*args: str) -> tuple[int, str, str]:
    """``akscli token ARGS`` as kubectl runs it (the fast entry point)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = plugin.main(["token", *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def fake_azd(azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``azd`` on PATH answering ``auth token --output json --no-prompt --scope S [--tenant-id T]`` as
    azure-identity's AzureDeveloperCliCredential reads it (azure/identity/_credentials/azd_cli.py
    COMMAND_LINE, parse_token: ``token`` and ``expiresOn``); each call's arguments go to a log."""
    tokens = {
        tenant: azure_env.issue_token(AKS_SERVER_APP, tenant=tenant)[0] for tenant in (azure_env.tenant, OTHER_TENANT)
    }
    log = tmp_path / "azd.calls"
    script = tmp_path / "bin" / "azd"
    script.parent.mkdir()
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"tokens = {json.dumps(tokens)}\n"
        "args = sys.argv[1:]\n"
        f"open({str(log)!r}, 'a').write(json.dumps(args) + '\\n')\n"
        f"tenant = args[args.index('--tenant-id') + 1] if '--tenant-id' in args else {azure_env.tenant!r}\n"
        "print(json.dumps({'token': tokens[tenant], 'expiresOn': '2099-01-01T00:00:00Z'}))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")
    monkeypatch.delenv("AAD_LOGIN_METHOD", raising=False)
    monkeypatch.delenv("AZURE_TENANT_ID")  # azd mode reads it, as kubelogin: each test sets the one it means
    return log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_azd_mode_prints_the_token_azd_gives_for_the_clusters_scope(azure_env: ArmEmulator, fake_azd: Path) -> None:
    code, out, err = kubectl_runs("--login", "azd", "--server-id", AKS_SERVER_APP)
    assert code == 0, err
    token = json.loads(out)["status"]["token"]
    assert azure_env.tokens[token]["aud"] == AKS_SERVER_APP
    assert calls(fake_azd) == [
        ["auth", "token", "--output", "json", "--no-prompt", "--scope", f"{AKS_SERVER_APP}/.default"]
    ]


def test_azd_mode_asks_azd_for_the_tenant_id_given(azure_env: ArmEmulator, fake_azd: Path) -> None:
    code, out, err = kubectl_runs("--login", "azd", "--tenant-id", OTHER_TENANT)
    assert code == 0, err
    assert azure_env.tokens[json.loads(out)["status"]["token"]]["tid"] == OTHER_TENANT
    assert calls(fake_azd)[0][-2:] == ["--tenant-id", OTHER_TENANT]


@pytest.mark.parametrize(
    ("variable", "flags"),
    [("AZURE_TENANT_ID", ()), ("ARM_TENANT_ID", ("--use-azurerm-env-vars",))],
    ids=["azure", "azurerm"],
)
def test_azd_mode_without_tenant_id_asks_azd_for_the_environments_tenant_as_kubelogin(
    azure_env: ArmEmulator, fake_azd: Path, monkeypatch: pytest.MonkeyPatch, variable: str, flags: tuple[str, ...]
) -> None:
    # kubelogin's UpdateFromEnv reads AZURE_TENANT_ID (ARM_TENANT_ID with --use-azurerm-env-vars) into the
    # TenantID its azd credential gets (options.go, azuredevopscredential.go).
    monkeypatch.setenv(variable, OTHER_TENANT)
    code, out, err = kubectl_runs("--login", "azd", *flags)
    assert code == 0, err
    assert azure_env.tokens[json.loads(out)["status"]["token"]]["tid"] == OTHER_TENANT
    assert calls(fake_azd)[0][-2:] == ["--tenant-id", OTHER_TENANT]


@pytest.mark.parametrize(
    "flags", [("--tenant-id", "TENANT"), ("--disable-environment-override",)], ids=["flag-wins", "no-variables"]
)
def test_azd_mode_takes_the_tenant_id_flag_over_the_variable_and_no_variable_when_told_not_to(
    azure_env: ArmEmulator, fake_azd: Path, monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...]
) -> None:
    monkeypatch.setenv("AZURE_TENANT_ID", OTHER_TENANT)
    code, _, err = kubectl_runs("--login", "azd", *(azure_env.tenant if f == "TENANT" else f for f in flags))
    assert code == 0, err
    asked = calls(fake_azd)[0]
    assert OTHER_TENANT not in asked
    assert asked[-2:] == ["--tenant-id", azure_env.tenant] if "--tenant-id" in flags else "--tenant-id" not in asked


def test_azd_mode_refuses_a_tenant_variable_that_is_no_tenant_before_running_azd(
    fake_azd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_TENANT_ID", "not a tenant")
    code, out, err = kubectl_runs("--login", "azd")
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == "error: invalid tenant 'not a tenant': expected a tenant ID (GUID) or a domain"
    assert "Traceback" not in err and calls(fake_azd) == []


def test_azd_mode_keeps_no_token_and_asks_azd_on_every_call(fake_azd: Path) -> None:
    for _ in range(2):
        assert kubectl_runs("--login", "azd")[0] == 0
    assert len(calls(fake_azd)) == 2


def test_aad_login_method_azd_chooses_azd_mode(fake_azd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AAD_LOGIN_METHOD", "azd")
    code, _, err = kubectl_runs("--login", "devicecode", "--client-id", AKS_CLIENT)
    assert code == 0, err
    assert len(calls(fake_azd)) == 1


def test_azd_credentials_write_azd_mode_without_the_kubeconfigs_tenant(azure_env: ArmEmulator, tmp_path: Path) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    assert invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "--login", "azd").exit_code == 0
    ex = YAML(typ="safe", pure=True).load(cfg.read_text())["users"][0]["user"]["exec"]
    assert ex["args"] == ["token", "--login", "azd", "--server-id", AKS_SERVER_APP]  # convert.go: no tenant, no client
    assert ex["interactiveMode"] == "Never"


def test_azd_credentials_write_the_tenant_given(azure_env: ArmEmulator, tmp_path: Path) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    args = ("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), "--login", "azd")
    assert invoke(*args, "--tenant", azure_env.tenant).exit_code == 0
    ex = YAML(typ="safe", pure=True).load(cfg.read_text())["users"][0]["user"]["exec"]
    assert ex["args"][5:] == ["--tenant-id", azure_env.tenant]


# The exec line kubelogin's convert-kubeconfig -l ropc writes (convert.go, case token.ROPCLogin).
ROPC_LINE = ("get-token", "--login", "ropc", "--server-id", AKS_SERVER_APP, "--client-id", AKS_CLIENT,
             "--tenant-id", "00000000-0000-0000-0000-00000000000a", "--username", "ana@contoso.com",
             "--password", PASSWORD)  # fmt: skip


def test_ropc_is_refused_with_the_modes_to_use_and_without_the_password(azure_env: ArmEmulator) -> None:
    code, out, err = kubectl_runs(*ROPC_LINE)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("error: --login ropc: signing in with a user's name and password is not supported")
    assert "--login devicecode or interactive" in err
    assert PASSWORD not in err
    assert azure_env.token_requests == []


def test_aad_login_method_ropc_is_refused_by_its_name(azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AAD_LOGIN_METHOD", "ropc")
    code, _, err = kubectl_runs("--login", "devicecode", "--client-id", AKS_CLIENT)
    assert code == 2
    assert err.splitlines()[0].startswith("error: AAD_LOGIN_METHOD=ropc: signing in with a user's name and password")


# The exec line kubelogin's convert writes for a legacy 'azure' auth-provider (config-mode "" or "0").
LEGACY_LINE = ("get-token", "--login", "devicecode", "--server-id", AKS_SERVER_APP, "--client-id", AKS_CLIENT,
               "--tenant-id", "00000000-0000-0000-0000-00000000000a", "--environment", "AzurePublicCloud",
               "--legacy")  # fmt: skip


@pytest.mark.parametrize("flag", ["--legacy", "--legacy=true"])
def test_legacy_is_refused_with_the_fix(azure_env: ArmEmulator, flag: str) -> None:
    code, out, err = kubectl_runs(*LEGACY_LINE[:-1], flag)
    assert code == 2 and out == ""
    assert err.splitlines()[0].startswith("error: --legacy: an ADAL v1 token with the 'spn:' audience")
    assert "drop --legacy from the exec line" in err
    assert azure_env.token_requests == [] and not azure_env.device_codes


def test_legacy_false_asks_for_nothing_legacy(fake_azd: Path) -> None:
    code, _, err = kubectl_runs("--login", "azd", "--legacy=false")
    assert code == 0, err


def test_legacy_is_refused_the_same_way_after_a_global_flag(azure_env: ArmEmulator) -> None:
    r = invoke("-v", "token", *LEGACY_LINE[1:])  # a global flag first: the CLI, not the fast path
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0].startswith("error: --legacy: an ADAL v1 token with the 'spn:' audience")
