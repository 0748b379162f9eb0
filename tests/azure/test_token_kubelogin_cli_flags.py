"""The rest of kubelogin get-token's flags in ``akscli token`` (upstream: Azure/kubelogin 66784961
pkg/internal/token/options.go AddFlags, Validate and UpdateFromEnv; azureclicredential.go; convert.go writes
``--subscription`` for azurecli): ``--subscription``/``-s`` and the environment's tenant go to 'az account
get-access-token' as kubelogin's Azure CLI credential passes them; ``--timeout`` (and AZURE_CLI_TIMEOUT) bound
the CLI; ``--disable-instance-discovery`` reaches the Entra credential; ropc's ``--username``/``--password``
are refused with ropc's line wherever they stand, the password never shown.

Plain-package tests: azure-identity's ``_run_command`` (the 'az' and 'azd' subprocess) is replaced by a
recorder, so nothing is run and no emulator is needed.
"""

from __future__ import annotations

import io
import json
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from akscli.azure import token as plugin
from tests.cli import invoke

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER = "contoso.onmicrosoft.com"
SUB = "00000000-0000-0000-0000-0000000000aa"
PASSWORD = "Tr0ub4dor-and-3-Horses"  # a refused ropc password: never in any output


def kubectl_runs(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = plugin.main(["token", *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def az(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[list[str], int]]:
    """What akscli token hands 'az' (and 'azd'): each call's arguments and process timeout."""
    import azure.identity._credentials.azd_cli as azd_cli
    import azure.identity._credentials.azure_cli as azure_cli

    for name in ("AZURE_TENANT_ID", "ARM_TENANT_ID", "AAD_LOGIN_METHOD", "AZURE_CLI_TIMEOUT", "AZURE_AUTHORITY_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path / "az"))
    calls: list[tuple[list[str], int]] = []

    def run(args: list[str], timeout: int) -> str:
        calls.append((list(args), timeout))
        expiry = int(time.time()) + 3600
        return json.dumps({"accessToken": "cli-token", "expires_on": expiry, "token": "azd-token",
                           "expiresOn": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expiry))})  # fmt: skip

    monkeypatch.setattr(azure_cli, "_run_command", run)
    monkeypatch.setattr(azd_cli, "_run_command", run)
    return calls


def _after(args: list[str], flag: str) -> str | None:
    return args[args.index(flag) + 1] if flag in args else None


@pytest.mark.parametrize(
    ("variables", "flags", "tenant", "subscription"),
    [
        ({}, ("-s", SUB), None, SUB),
        ({}, ("--subscription=My Sub_1.x",), None, "My Sub_1.x"),
        ({"AZURE_TENANT_ID": TENANT}, (), TENANT, None),
        ({"ARM_TENANT_ID": TENANT}, ("--use-azurerm-env-vars",), TENANT, None),
        ({"AZURE_TENANT_ID": TENANT}, ("--disable-environment-override",), None, None),
        ({"AZURE_TENANT_ID": TENANT}, ("--tenant-id", OTHER), OTHER, None),
    ],
    ids=["subscription", "subscription-name", "azure-tenant", "arm-tenant", "no-variables", "flag-wins"],
)
def test_azurecli_hands_az_the_subscription_or_the_tenant_as_kubelogin(
    az: list[tuple[list[str], int]],
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    flags: tuple[str, ...],
    tenant: str | None,
    subscription: str | None,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    code, out, err = kubectl_runs("--login", "azurecli", *flags)
    assert (code, err) == (0, "")
    assert json.loads(out)["status"]["token"] == "cli-token"
    (args, _), *_ = az
    assert (_after(args, "--tenant"), _after(args, "--subscription")) == (tenant, subscription)


def test_a_token_of_one_subscription_is_not_served_for_another(az: list[tuple[list[str], int]]) -> None:
    for sub in (SUB, "other-sub", SUB):
        assert kubectl_runs("-l", "azurecli", "-s", sub)[0] == 0
    assert [_after(args, "--subscription") for args, _ in az] == [SUB, "other-sub"]  # the third from the cache


@pytest.mark.parametrize(
    ("variables", "flags", "error"),
    [
        ({}, ("-s", SUB, "--tenant-id", TENANT), "--subscription and a tenant (--tenant-id) together"),
        ({"AZURE_TENANT_ID": TENANT}, ("-s", SUB), "--subscription and a tenant (AZURE_TENANT_ID) together"),
        ({"AZURE_TENANT_ID": "not a tenant!"}, (), "invalid AZURE_TENANT_ID 'not a tenant!'"),
        ({}, ("--subscription", "sub;rm -rf"), "invalid --subscription 'sub;rm -rf'"),
        ({}, ("--timeout", "60"), "invalid --timeout '60': not a duration"),
        ({}, ("--timeout=5x",), "invalid --timeout '5x': not a duration"),
        ({}, ("--timeout", "0s"), "--timeout must be greater than 0"),
        ({}, ("--timeout", "-1m"), "--timeout must be greater than 0"),
        ({"AZURE_CLI_TIMEOUT": "0"}, ("--timeout", "1m"), "AZURE_CLI_TIMEOUT must be greater than 0"),
        ({}, ("--disable-instance-discovery=maybe",), "--disable-instance-discovery takes true or false"),
    ],
)
def test_each_bad_value_is_one_line_before_az_runs(
    az: list[tuple[list[str], int]],
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    flags: tuple[str, ...],
    error: str,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    code, out, err = kubectl_runs("--login", "azurecli", *flags)
    assert (code, out, az) == (2, "", [])
    assert err.startswith(f"error: {error}") and err.count("\n") == 2 and "\nhint: " in err


@pytest.mark.parametrize(
    ("login", "flags", "variable", "seconds"),
    [
        ("azurecli", ("--timeout", "1m30s"), None, 90),
        ("azurecli", ("--timeout", "1m30s"), "2m", 120),  # UpdateFromEnv reads it after the flags
        ("azurecli", ("--timeout", "1m30s"), "ninety", 90),  # one that does not parse is skipped, as kubelogin
        ("azurecli", ("--timeout", "1m30s", "--disable-environment-override"), "2m", 90),
        ("azd", ("--timeout=1.5s",), None, 2),  # whole seconds, rounded up
    ],
)
def test_timeout_bounds_the_cli_it_runs(
    az: list[tuple[list[str], int]],
    monkeypatch: pytest.MonkeyPatch,
    login: str,
    flags: tuple[str, ...],
    variable: str | None,
    seconds: int,
) -> None:
    if variable is not None:
        monkeypatch.setenv("AZURE_CLI_TIMEOUT", variable)
    code, _, err = kubectl_runs("--login", login, *flags)
    assert (code, err) == (0, "")
    assert [timeout for _, timeout in az] == [seconds]


@pytest.mark.parametrize("flags", [("--disable-instance-discovery",), ()], ids=["off", "default"])
def test_disable_instance_discovery_reaches_the_entra_credential(
    az: list[tuple[list[str], int]], monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...]
) -> None:
    import azure.identity
    from azure.core.credentials import AccessToken

    monkeypatch.delenv("AKSCLI_DISABLE_INSTANCE_DISCOVERY", raising=False)
    built: list[dict[str, Any]] = []

    class Secret:
        def __init__(self, tenant: str, client: str, secret: str, **kw: Any) -> None:
            built.append(kw)

        def get_token(self, *scopes: str, **kw: Any) -> AccessToken:
            return AccessToken("spn-token", int(time.time()) + 3600)

    monkeypatch.setattr(azure.identity, "ClientSecretCredential", Secret)
    code, _, err = kubectl_runs("-l", "spn", "-t", TENANT, "--client-id", SUB, "--client-secret", PASSWORD, *flags)
    assert (code, err) == (0, ""), err
    assert built[0].get("disable_instance_discovery", False) is bool(flags)


@pytest.mark.parametrize(
    "argv",
    [
        ["--username", "alice", "--login", "devicecode"],
        ["--no-such-flag", "--password", PASSWORD],
        ["--tenant-id", "bad tenant!", f"--password={PASSWORD}"],
        ["--login", "ropc", "--username", "alice", "--password", PASSWORD],
        ["--legacy", "--password"],
    ],
    ids=["username-first", "after-unknown", "after-bad-value", "ropc-mode", "no-value"],
)
@pytest.mark.parametrize("verbosity", [(), ("--debug", "-v")], ids=["plain", "debug"])
def test_ropc_flags_are_refused_with_ropcs_line_wherever_they_stand_and_no_password_shown(
    az: list[tuple[list[str], int]], argv: list[str], verbosity: tuple[str, ...]
) -> None:
    code, out, err = kubectl_runs(*verbosity, *argv)
    assert (code, out, az) == (2, "", [])
    first = err.splitlines()[0]
    assert "ropc" in first and "user's name and password" in first and "unknown flag" not in err
    assert PASSWORD not in err


def test_the_cli_form_refuses_the_password_with_ropcs_line(az: list[tuple[list[str], int]]) -> None:
    r = invoke("-v", "token", "--password", PASSWORD, "--timeout", "30s")
    assert r.exit_code == 2 and "--password (kubelogin's ropc sign-in)" in r.stderr
    assert PASSWORD not in r.stderr + r.stdout


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("60s", 60.0), ("1m30s", 90.0), ("1.5h", 5400.0), (".5s", 0.5), ("1.s", 1.0), ("300ms", 0.3),
     ("2us", 2e-6), ("2\u00b5s", 2e-6), ("+1h", 3600.0), ("-2s", -2.0), ("0", 0.0), ("1h2m3s4ms", 3723.004),
     ("", None), ("60", None), ("1 s", None), ("1d", None), (".s", None), ("1h-2m", None), ("s", None)],
)  # fmt: skip
def test_go_duration_reads_what_time_parseduration_reads(text: str, seconds: float | None) -> None:
    # upstream: golang/go src/time/format.go ParseDuration and its tests (time_test.go parseDurationTests)
    from akscli.azure.tokenflags import go_duration

    got = go_duration(text)
    assert got == pytest.approx(seconds) if seconds is not None else got is None
