"""`akscli token --auth azurecli` (and the default chain, which ends in the Azure CLI) signs in as
whoever `az login` last signed in. kubelogin's azurecli mode keeps no token and asks the CLI on
every call (upstream: Azure/kubelogin pkg/internal/token/azureclicredential.go, commit
66784961ef44a34236a651d9b08bcdf0aa07b836), so `az login` as another user, `az account set` to
another tenant and `az logout` take effect at once; akscli's token cache must not hide them."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.cli import invoke
from tests.emulators.arm import AKS_SERVER_APP, ArmEmulator

OTHER_TENANT = "33333333-0000-0000-0000-00000000000c"


def _sign_in(emu: ArmEmulator, user: str | None, tenant: str | None = None) -> None:
    """What `az login` / `az account set` / `az logout` leave in azureProfile.json (with the BOM
    the CLI writes; upstream: Azure/azure-cli src/azure-cli-core/azure/cli/core/_profile.py)."""
    subs = []
    if user is not None:
        subs.append(
            {"id": emu.subscription, "isDefault": True, "tenantId": tenant or emu.tenant,
             "user": {"name": user, "type": "user"}, "environmentName": "AzureCloud"}
        )  # fmt: skip
    folder = Path(os.environ["AZURE_CONFIG_DIR"])
    folder.mkdir(exist_ok=True)
    (folder / "azureProfile.json").write_text(json.dumps({"subscriptions": subs}), encoding="utf-8-sig")


@pytest.fixture
def az(azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `az` on PATH answering `account get-access-token` for the profile's default user, as
    the real CLI does ("Please run 'az login' to setup account." when signed out); every call is
    counted in the returned file."""
    azure_env.tenants.add(OTHER_TENANT)
    tokens = {
        f"{user}/{tenant}": azure_env.issue_token(AKS_SERVER_APP, tenant=tenant)[0]
        for user in ("alice@contoso.com", "bob@contoso.com")
        for tenant in (azure_env.tenant, OTHER_TENANT)
    }
    calls = tmp_path / "az-calls"
    script = tmp_path / "bin" / "az"
    script.parent.mkdir()
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import json, os, sys, time\n"
        f"open({str(calls)!r}, 'a').write('x')\n"
        f"tokens = {json.dumps(tokens)}\n"
        "path = os.path.join(os.environ['AZURE_CONFIG_DIR'], 'azureProfile.json')\n"
        "subs = json.load(open(path, encoding='utf-8-sig'))['subscriptions']\n"
        "if not subs:\n"
        "    sys.stderr.write(\"ERROR: Please run 'az login' to setup account.\\n\")\n"
        "    sys.exit(1)\n"
        "sub = subs[0]\n"
        "token = tokens[sub['user']['name'] + '/' + sub['tenantId']]\n"
        "print(json.dumps({'accessToken': token, 'expires_on': int(time.time()) + 3600, 'tokenType': 'Bearer'}))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{script.parent}:{os.environ['PATH']}")
    return calls


def _token(*args: str) -> str:
    r = invoke("token", "--auth", "azurecli", *args)
    assert r.exit_code == 0, r
    return str(json.loads(r.stdout)["status"]["token"])


def _tenant_of(emu: ArmEmulator, token: str) -> str:
    return str(emu.tokens[token]["tid"])


def test_the_same_cli_account_is_served_from_the_cache(azure_env: ArmEmulator, az: Path) -> None:
    _sign_in(azure_env, "alice@contoso.com")
    first = _token()
    assert _token() == first
    assert az.read_text() == "x"  # the CLI was asked once


def test_after_az_login_as_another_user_the_new_users_token_is_printed(azure_env: ArmEmulator, az: Path) -> None:
    _sign_in(azure_env, "alice@contoso.com")
    alices = _token()
    _sign_in(azure_env, "bob@contoso.com")
    bobs = _token()
    assert bobs != alices
    assert az.read_text() == "xx"


def test_after_az_account_set_to_another_tenant_that_tenants_token_is_printed(azure_env: ArmEmulator, az: Path) -> None:
    _sign_in(azure_env, "alice@contoso.com")
    _token()
    _sign_in(azure_env, "alice@contoso.com", tenant=OTHER_TENANT)
    assert _tenant_of(azure_env, _token()) == OTHER_TENANT


def test_after_az_logout_no_cached_token_is_printed(azure_env: ArmEmulator, az: Path) -> None:
    _sign_in(azure_env, "alice@contoso.com")
    _token()
    _sign_in(azure_env, None)
    r = invoke("token", "--auth", "azurecli")
    assert r.exit_code == 6, r
    assert r.stdout == ""
    assert "az login" in r.stderr
