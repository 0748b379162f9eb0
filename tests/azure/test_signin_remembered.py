"""Device-code sign-in is remembered between commands, as kubelogin remembers it (an
authentication record and the persistent token cache), and one command signs in once
(issue #19 item 3)."""

from __future__ import annotations

import pytest

from akscli.azure import identity
from tests.emulators.arm import ArmEmulator

ARM = "https://management.azure.com/.default"


def _new_command() -> None:
    identity._CREDENTIALS.clear()


def _device_code_requests(emu: ArmEmulator) -> int:
    return len(emu.requests_to(r"/oauth2/v2\.0/devicecode$", "POST"))


def test_a_second_command_does_not_sign_in_again(azure_env: ArmEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    first = identity.credential("devicecode").get_token(ARM)
    assert _device_code_requests(azure_env) == 1
    _new_command()
    second = identity.credential("devicecode").get_token(ARM)
    assert _device_code_requests(azure_env) == 1, "no second device-code prompt"
    assert second.token == first.token  # served from the persistent token cache
    assert capsys.readouterr().err.count("enter the code") == 1


def test_an_expired_access_token_is_refreshed_without_a_prompt(azure_env: ArmEmulator) -> None:
    azure_env.token_lifetime = 120  # MSAL refreshes tokens that expire within five minutes
    identity.credential("devicecode").get_token(ARM)
    _new_command()
    identity.credential("devicecode").get_token(ARM)
    assert _device_code_requests(azure_env) == 1
    assert azure_env.token_requests[-1]["grant_type"] == "refresh_token"


def test_one_command_builds_one_credential() -> None:
    assert identity.credential("devicecode") is identity.credential("devicecode")


def test_device_code_polling_honours_the_interval(azure_env: ArmEmulator) -> None:
    azure_env.device_approval_polls = 2
    identity.credential("devicecode").get_token(ARM)
    assert azure_env.device_slow_downs == 0
