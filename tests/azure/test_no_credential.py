"""With no Azure credential at all, akscli says so in one short line with the one fix first, as
az does ("Please run 'az login' to setup account.": Azure/azure-cli
src/azure-cli-core/azure/cli/core/_profile.py _AZ_LOGIN_MESSAGE). What each source said, which
azure-identity's ChainedTokenCredential puts in one long message, comes only with -v or --debug."""

from __future__ import annotations

import pytest

from akscli.azure import token
from akscli.errors import AuthError
from tests.cli import Result, invoke
from tests.emulators.arm import ArmEmulator

SOURCES = (
    "environment (service principal)",
    "workload identity",
    "managed identity",
    "Azure CLI",
    "Azure Developer CLI",
)


@pytest.fixture
def no_credential(azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> ArmEmulator:
    for var in ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("AKSCLI_TRY_IMDS", "0")
    monkeypatch.setenv("PATH", "/nonexistent")  # no az, no azd
    return azure_env


def lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


def test_no_credential_is_a_short_error_line_with_az_login_first(no_credential: ArmEmulator) -> None:
    result = invoke("cluster", "list")
    assert result.exit_code == AuthError.exit_code == 6
    assert lines(result)[0] == "error: no Azure credential found; run 'az login' to sign in"


def test_no_credential_prints_two_lines_and_the_hint_is_short(no_credential: ArmEmulator) -> None:
    result = invoke("cluster", "list")
    assert len(lines(result)) == 2
    hint = lines(result)[1]
    assert hint.startswith("hint: tried ")
    assert len(hint) <= 160


def test_the_hint_names_every_source_tried_and_how_to_see_why(no_credential: ArmEmulator) -> None:
    hint = lines(invoke("cluster", "list"))[1]
    assert hint == "hint: tried " + ", ".join(SOURCES) + "; -v shows why each failed and how to use it"


@pytest.mark.parametrize("flag", ["-v", "--debug"])
def test_with_verbose_or_debug_the_hint_does_not_point_to_v(no_credential: ArmEmulator, flag: str) -> None:
    printed = lines(invoke("cluster", "list", flag))
    hint = next(line for line in printed if line.startswith("hint: tried "))
    assert hint == "hint: tried " + ", ".join(SOURCES)


@pytest.mark.parametrize("flag", ["-v", "--debug"])
def test_verbose_or_debug_adds_why_each_source_failed_and_how_to_use_it(no_credential: ArmEmulator, flag: str) -> None:
    result = invoke("cluster", "list", flag)
    assert result.exit_code == 6
    printed = lines(result)  # --debug's traceback comes first
    hint_at = next(i for i, line in enumerate(printed) if line.startswith("hint: tried "))
    details = [line.strip() for line in printed[hint_at + 1 :]]
    assert [line.split(":")[0] for line in details[:-1]] == list(SOURCES)
    assert details[1].startswith("workload identity: AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID")
    assert "Azure CLI: Azure CLI not found on path; to use it: run 'az login'" in details
    assert details[-1] == "or pick one with --auth azurecli|devicecode|spn|msi|workloadidentity|interactive|azd"


def test_akscli_token_shows_the_same_two_lines_and_the_details_only_with_v(
    no_credential: ArmEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    server_id = ["token", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]
    assert token.main(server_id) == 6
    plain = capsys.readouterr().err.splitlines()
    assert plain[0] == "error: no Azure credential found; run 'az login' to sign in"
    assert len(plain) == 2
    assert token.main([*server_id, "-v"]) == 6
    verbose = capsys.readouterr().err.splitlines()
    assert verbose[0] == plain[0]
    assert verbose[1] == "hint: tried " + ", ".join(SOURCES)
    assert len(verbose) == 2 + len(SOURCES) + 1


def test_auth_azurecli_without_the_azure_cli_says_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no az
    result = invoke("token", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630", "--auth", "azurecli")
    assert result.exit_code == AuthError.exit_code
    assert lines(result) == [
        "error: --auth azurecli could not get a token: Azure CLI not found on path",
        "hint: install the Azure CLI (https://learn.microsoft.com/cli/azure/install-azure-cli), then run 'az login'",
    ]
