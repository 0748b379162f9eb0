"""A <TAB> on an `az login` machine reuses the ARM token the Azure CLI last gave akscli, instead of
running `az account get-access-token` again: azure-identity's AzureCliCredential runs the CLI on every
get_token and keeps nothing, leaving the caching to its caller (Azure/azure-sdk-for-python
sdk/identity/azure-identity/azure/identity/_credentials/azure_cli.py, get_token), and the CLI alone
takes 1 to 2 s at best (Azure/azure-cli issue 29871), more than a <TAB> waits with the rest
(cli/complete_arm.py ARM_TIMEOUT_S). The token is kept in akscli's cache folder, 0600 in a 0700 folder,
read back only by a <TAB> and only while fresh, and never printed (akscli.azure.tabtoken)."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from akscli.azure import identity, tabtoken, tokenfile
from akscli.cli import complete_arm
from akscli.cli.complete import protocol_lines
from akscli.cli.main import root_command
from tests.azure.helpers import seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def _sign_in(emu: ArmEmulator, user: str) -> None:
    """What `az login` leaves in azureProfile.json (Azure/azure-cli src/azure-cli-core/azure/cli/core/_profile.py)."""
    folder = Path(os.environ["AZURE_CONFIG_DIR"])
    folder.mkdir(exist_ok=True)
    sub = {"id": emu.subscription, "isDefault": True, "tenantId": emu.tenant, "user": {"name": user, "type": "user"}}
    (folder / "azureProfile.json").write_text(json.dumps({"subscriptions": [sub]}), encoding="utf-8-sig")


@pytest.fixture
def az(azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Azure CLI as the only sign-in: an `az` on PATH answering `account get-access-token` with an
    ARM token; the returned file holds one character per call."""
    for name in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AKSCLI_TRY_IMDS", "0")
    # What a <TAB> keeps is tested here, not how long it waits: on a busy machine the az process and
    # the ARM read took longer than ARM_TIMEOUT_S (3 s), and the <TAB> gave up before the token was
    # kept (its thread, left to end, wrote it after the test had looked).
    monkeypatch.setattr(complete_arm, "ARM_TIMEOUT_S", 60.0)
    _sign_in(azure_env, "alice@contoso.com")
    token, expires_on = azure_env.issue_token()
    calls = tmp_path / "az-calls"
    script = tmp_path / "bin" / "az"
    script.parent.mkdir()
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import json\n"
        f"open({str(calls)!r}, 'a').write('x')\n"
        f"print(json.dumps({{'accessToken': {token!r}, 'expires_on': {expires_on}, 'tokenType': 'Bearer'}}))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{script.parent}:{os.environ['PATH']}")
    seed_cluster(azure_env, "ml-east")
    return calls


def _tab() -> list[str]:
    identity._CREDENTIALS.clear()  # each <TAB> is a process of its own
    return protocol_lines(["__complete", "cluster", "show", ""], root_command)


def _az_runs(calls: Path) -> int:
    return len(calls.read_text()) if calls.exists() else 0


def _kept_files() -> list[Path]:
    folder = Path(tabtoken.cache_dir())
    return sorted(folder.glob("*.json")) if folder.exists() else []


def test_a_second_tab_runs_no_az(az: Path) -> None:
    assert _tab()[0].startswith("ml-east\t")
    assert _az_runs(az) == 1
    assert _tab()[0].startswith("ml-east\t")
    assert _az_runs(az) == 1


def test_the_kept_token_is_the_users_alone_and_never_printed(az: Path, capfd: pytest.CaptureFixture[str]) -> None:
    lines = _tab()
    [kept] = _kept_files()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    token = json.loads(kept.read_text())["token"]
    printed = capfd.readouterr()
    assert token not in "\n".join(lines) + printed.out + printed.err


def test_a_tab_after_a_command_runs_no_az(az: Path) -> None:
    identity._CREDENTIALS.clear()
    assert invoke("cluster", "list", "-o", "name").exit_code == 0
    ran = _az_runs(az)
    assert _tab()[0].startswith("ml-east\t")
    assert _az_runs(az) == ran


def test_a_command_still_asks_the_azure_cli(az: Path) -> None:
    _tab()
    identity._CREDENTIALS.clear()
    assert invoke("cluster", "list", "-o", "name").exit_code == 0
    assert _az_runs(az) == 2  # only a <TAB> reads the kept token back


def test_a_token_about_to_expire_is_not_used(az: Path) -> None:
    _tab()
    [kept] = _kept_files()
    token = json.loads(kept.read_text())["token"]
    tokenfile.write(str(kept.parent), str(kept), token, int(time.time()) + tokenfile.REFRESH_MARGIN - 5)
    assert _tab()[0].startswith("ml-east\t")
    assert _az_runs(az) == 2


def test_after_az_login_as_another_user_the_kept_token_is_not_used(az: Path, azure_env: ArmEmulator) -> None:
    _tab()
    _sign_in(azure_env, "bob@contoso.com")
    _tab()
    assert _az_runs(az) == 2
    assert len(_kept_files()) == 2


def test_a_service_principals_token_is_not_kept(azure_env: ArmEmulator) -> None:
    # Entra answers a service principal at once; only the Azure CLI's tokens are kept.
    seed_cluster(azure_env, "ml-east")
    assert _tab()[0].startswith("ml-east\t")
    assert _kept_files() == []
