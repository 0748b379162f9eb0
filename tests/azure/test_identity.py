"""The credential factory against the Entra emulator: real azure-identity classes, real tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from akscli.azure import identity
from akscli.errors import AuthError, UsageError
from tests.emulators.arm import ArmEmulator

ARM = "https://management.azure.com/.default"


def test_default_chain_signs_in_as_the_service_principal_from_the_environment(
    azure_env: ArmEmulator,
) -> None:
    token = identity.credential().get_token(ARM)
    claims = azure_env.tokens[token.token]
    assert claims["aud"] == "https://management.azure.com"
    assert claims["appid"] == "11111111-2222-3333-4444-555555555555"
    assert azure_env.token_requests[-1]["grant_type"] == "client_credentials"


def test_spn_mode_with_a_wrong_secret_is_one_auth_error_naming_entra_code(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "wrong")
    with pytest.raises(AuthError) as err:
        identity.credential("spn").get_token(ARM)
    assert "AADSTS7000215" in err.value.message
    assert "wrong" not in err.value.message


def test_workload_identity_reads_the_federated_token_file(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assertion = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2ln"
    azure_env.federated_assertions.add(assertion)
    token_file = tmp_path / "azure-identity-token"
    token_file.write_text(assertion)
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    monkeypatch.delenv("AZURE_CLIENT_SECRET")
    token = identity.credential("workloadidentity").get_token(ARM)
    assert token.token in azure_env.tokens
    assert azure_env.token_requests[-1]["client_assertion"] == assertion


def test_default_chain_uses_workload_identity_when_no_secret_is_set(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    azure_env.federated_assertions.add("a.b.c")
    (tmp_path / "tok").write_text("a.b.c")
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(tmp_path / "tok"))
    monkeypatch.delenv("AZURE_CLIENT_SECRET")
    token = identity.credential().get_token(ARM)
    assert token.token in azure_env.tokens


def test_managed_identity_mode_gets_a_token_from_the_identity_endpoint(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDENTITY_ENDPOINT", azure_env.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", azure_env.msi_header)
    monkeypatch.delenv("AZURE_CLIENT_ID")
    token = identity.credential("msi").get_token(ARM)
    assert azure_env.tokens[token.token]["aud"] == "https://management.azure.com"


def test_no_credential_at_all_names_every_source_tried_and_its_fix_in_the_details(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("AKSCLI_TRY_IMDS", "0")
    monkeypatch.setenv("PATH", "/nonexistent")  # no az, no azd
    with pytest.raises(AuthError) as err:
        identity.credential().get_token(ARM)
    sources = ("environment", "workload identity", "managed identity", "Azure CLI", "Azure Developer CLI")
    for source, detail in zip(sources, err.value.details[:-1], strict=True):
        assert detail.startswith(source)
        assert source in (err.value.hint or "")
    assert "run 'az login'" in err.value.message
    assert any(detail.endswith("to use it: run 'azd auth login'") for detail in err.value.details)


def test_unknown_auth_mode_is_a_usage_error_listing_the_modes() -> None:
    with pytest.raises(UsageError) as err:
        identity.credential("kerberos")
    assert "devicecode" in (err.value.hint or "")


def test_a_tenant_that_is_neither_guid_nor_domain_is_refused() -> None:
    with pytest.raises(UsageError):
        identity.check_tenant("not a tenant")


def test_subscription_comes_from_the_flag_then_env_then_cli_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cli_sub = "22222222-2222-2222-2222-222222222222"
    profile = {
        "subscriptions": [
            {"id": "33333333-3333-3333-3333-333333333333", "isDefault": False},
            {"id": cli_sub, "isDefault": True, "tenantId": "t"},
        ]
    }
    (tmp_path / "azureProfile.json").write_text(json.dumps(profile), encoding="utf-8-sig")
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    assert identity.resolve_subscription(None) == cli_sub
    env_sub = "44444444-4444-4444-4444-444444444444"
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", env_sub)
    assert identity.resolve_subscription(None) == env_sub
    flag_sub = "55555555-5555-5555-5555-555555555555"
    assert identity.resolve_subscription(flag_sub) == flag_sub


def test_no_subscription_anywhere_is_a_usage_error_with_three_fixes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    with pytest.raises(UsageError) as err:
        identity.resolve_subscription(None)
    assert "--subscription" in (err.value.hint or "")
    assert "AZURE_SUBSCRIPTION_ID" in (err.value.hint or "")


def test_devicecode_mode_prompts_on_stderr_and_gets_a_user_token(
    azure_env: ArmEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    token = identity.credential("devicecode").get_token(ARM)
    assert azure_env.tokens[token.token]["aud"] == "https://management.azure.com"
    err = capsys.readouterr().err
    assert "https://microsoft.com/devicelogin" in err and "enter the code" in err
    assert azure_env.token_requests[-1]["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"
