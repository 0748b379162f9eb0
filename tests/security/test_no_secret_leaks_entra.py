"""The canary sweep on the Entra ID side: a client secret Entra refuses, a workload identity's
client assertion (the federated token file), and the refresh token a device-code sign-in keeps
never reach stdout or stderr, with --debug, -vv or neither; the refresh token is kept only in the
token cache, 0600.

Upstream: azure-core's HttpLoggingPolicy logs at INFO and redacts every header not on its allow
list (Azure/azure-sdk-for-python sdk/core/azure-core/azure/core/pipeline/policies/_universal.py,
``HttpLoggingPolicy.DEFAULT_HEADERS_ALLOWLIST``, ``REDACTED_PLACEHOLDER``); msal-extensions opens
its file cache 0600 (AzureAD/microsoft-authentication-extensions-for-python
msal_extensions/persistence.py ``FilePersistence.save``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke

FLAGS = [[], ["--debug"], ["-vv"]]
CANARY_SECRET = "CanaryClientSecret-4e1a9"
# A client assertion is a JWT: the scrub's JWT shape would hide it anyway, so this one has its own.
CANARY_ASSERTION = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnktYXNzZXJ0aW9uIn0.Q2FuYXJ5U2ln"


def printed(result: Any) -> str:
    return str(result.stdout) + str(result.stderr)


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: f[0] if f else "plain")
def test_a_client_secret_entra_refuses_is_not_printed(
    azure_env: Any, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", CANARY_SECRET)
    result = invoke("cluster", "list", *flags)
    assert result.exit_code != 0, result
    assert CANARY_SECRET not in printed(result)


def _assertion_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token_file = tmp_path / "azure-identity-token"
    token_file.write_text(CANARY_ASSERTION)
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    monkeypatch.delenv("AZURE_CLIENT_SECRET")


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: f[0] if f else "plain")
def test_a_workload_identitys_client_assertion_is_not_printed(
    azure_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flags: list[str]
) -> None:
    azure_env.federated_assertions.add(CANARY_ASSERTION)
    _assertion_file(tmp_path, monkeypatch)
    result = invoke("cluster", "list", "--auth", "workloadidentity", *flags)
    assert result.exit_code == 0, result
    assert CANARY_ASSERTION not in printed(result)
    assert not set(azure_env.tokens) & set(printed(result).split())


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: f[0] if f else "plain")
def test_a_client_assertion_entra_refuses_is_not_printed(
    azure_env: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flags: list[str]
) -> None:
    _assertion_file(tmp_path, monkeypatch)  # no federated credential matches it
    result = invoke("cluster", "list", "--auth", "workloadidentity", *flags)
    assert result.exit_code != 0, result
    assert CANARY_ASSERTION not in printed(result)


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: f[0] if f else "plain")
def test_a_device_code_sign_in_prints_no_refresh_token_and_keeps_it_private(azure_env: Any, flags: list[str]) -> None:
    result = invoke("cluster", "list", "--auth", "devicecode", *flags)
    assert result.exit_code == 0, result
    refresh = list(azure_env.refresh_tokens)
    assert refresh, "the sign-in issued no refresh token"
    text = printed(result)
    assert not any(r in text for r in refresh)
    assert not any(t in text for t in azure_env.tokens)
    holders = [
        f
        for f in Path(os.environ["HOME"]).rglob("*")
        if f.is_file() and any(r in f.read_text(errors="replace") for r in refresh)
    ]
    assert holders, "the refresh token was kept nowhere under HOME"
    for file in holders:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


@pytest.mark.parametrize("flags", [*FLAGS, ["-v"]], ids=lambda f: f[0] if f else "plain")
def test_a_client_secret_without_its_client_id_is_not_printed_when_no_credential_works(
    azure_env: Any, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", CANARY_SECRET)
    monkeypatch.delenv("AZURE_CLIENT_ID")
    monkeypatch.setenv("AKSCLI_TRY_IMDS", "0")
    monkeypatch.setenv("PATH", "/nonexistent")  # no az, no azd
    result = invoke("cluster", "list", *flags)
    assert result.exit_code == 6, result
    assert "no Azure credential found" in result.stderr
    assert CANARY_SECRET not in printed(result)


def _refused_with_a_secret_in_the_details(*_args: Any, **_kwargs: Any) -> Any:
    from akscli import redact
    from akscli.errors import AuthError

    redact.remember(CANARY_SECRET)  # as identity does with AZURE_CLIENT_SECRET
    raise AuthError("no Azure credential found", details=(f"environment: refused secret {CANARY_SECRET}",))


@pytest.mark.parametrize("flags", [["-v"], ["--debug"]], ids=lambda f: f[0])
def test_an_errors_details_are_scrubbed_as_its_line_is(
    azure_env: Any, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    from akscli.azure import credential_chain

    monkeypatch.setattr(credential_chain.Chain, "get_token", _refused_with_a_secret_in_the_details)
    result = invoke("cluster", "list", *flags)
    assert "  environment: refused secret ***" in result.stderr.splitlines()
    assert CANARY_SECRET not in printed(result)


def test_akscli_tokens_details_are_scrubbed_as_the_clis_are(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from akscli.azure import token

    monkeypatch.setattr(token, "run", _refused_with_a_secret_in_the_details)
    assert token.main(["token", "--server-id", "x", "-v"]) == 6
    err = capsys.readouterr().err
    assert "  environment: refused secret ***" in err.splitlines()
    assert CANARY_SECRET not in err
