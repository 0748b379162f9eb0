"""akscli token: the kubectl exec credential plugin, its cache, and its import budget."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from akscli.azure import token as plugin
from tests.azure.helpers import entra_flag
from tests.cli import invoke
from tests.emulators.arm import AKS_SERVER_APP, DEFAULT_CLIENT_ID, ArmEmulator

REPO = Path(__file__).resolve().parents[2]


def run_token(*args: str, env: dict[str, str | None] | None = None) -> dict:
    r = invoke("token", *entra_flag(), *args, env=env)
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def test_returns_a_v1beta1_exec_credential_for_the_aks_server_app(azure_env: ArmEmulator) -> None:
    cred = run_token("--server-id", AKS_SERVER_APP)
    assert cred["kind"] == "ExecCredential"
    assert cred["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    claims = azure_env.tokens[cred["status"]["token"]]
    assert claims["aud"] == AKS_SERVER_APP
    assert cred["status"]["expirationTimestamp"].endswith("Z")


def test_answers_in_the_version_kubectl_asks_for(azure_env: ArmEmulator) -> None:
    info = json.dumps(
        {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "spec": {"interactive": False}}
    )
    cred = run_token(env={"KUBERNETES_EXEC_INFO": info})
    assert cred["apiVersion"] == "client.authentication.k8s.io/v1"


def test_a_version_it_does_not_speak_is_a_clear_error(azure_env: ArmEmulator) -> None:
    r = invoke(
        "token",
        *entra_flag(),
        env={"KUBERNETES_EXEC_INFO": json.dumps({"apiVersion": "client.authentication.k8s.io/v2"})},
    )
    assert r.exit_code == 2 and "v2" in r.stderr


def test_second_call_is_served_from_the_cache_without_asking_entra(azure_env: ArmEmulator) -> None:
    first = run_token()
    asked = len(azure_env.token_requests)
    second = run_token()
    assert second["status"]["token"] == first["status"]["token"]
    assert len(azure_env.token_requests) == asked


def test_cache_file_is_private(azure_env: ArmEmulator) -> None:
    run_token()
    files = list(Path(plugin.cache_dir()).glob("*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(plugin.cache_dir()).stat().st_mode) == 0o700


def test_a_token_close_to_expiry_is_refreshed(azure_env: ArmEmulator) -> None:
    req = plugin.TokenRequest()
    plugin.write_cached(req, "stale-token", int(time.time()) + plugin.REFRESH_MARGIN - 5)
    cred = run_token()
    assert cred["status"]["token"] != "stale-token"
    assert cred["status"]["token"] in azure_env.tokens


def test_cache_is_keyed_by_server_application(azure_env: ArmEmulator) -> None:
    a = run_token("--server-id", AKS_SERVER_APP)
    b = run_token("--server-id", "api://fleet-hub")
    assert a["status"]["token"] != b["status"]["token"]
    assert azure_env.tokens[b["status"]["token"]]["aud"] == "api://fleet-hub"


def test_kubelogin_style_arguments_are_accepted(azure_env: ArmEmulator) -> None:
    out = plugin.run(["get-token", "--environment", "AzurePublicCloud", "--server-id", AKS_SERVER_APP,
                      "--tenant-id", azure_env.tenant, "--login", "spn", *entra_flag()])  # fmt: skip
    assert json.loads(out)["status"]["token"] in azure_env.tokens


def test_its_sign_in_hints_name_its_own_tenant_flag(azure_env: ArmEmulator) -> None:
    missing = invoke("token", *entra_flag(), "--auth", "spn", env={"AZURE_TENANT_ID": None})
    assert missing.exit_code == 2 and "(or pass --tenant-id)" in missing.stderr
    assert run_token("--tenant-id", azure_env.tenant, "--auth", "spn")["status"]["token"] in azure_env.tokens


def test_unknown_flags_and_login_modes_are_usage_errors() -> None:
    from akscli.errors import UsageError

    with pytest.raises(UsageError):
        plugin.parse_args(["--no-such-flag"])  # --pop-enabled is kubelogin's: its own line (browser_flags)
    with pytest.raises(UsageError):
        plugin.parse_args(["--auth", "ropc"])
    with pytest.raises(UsageError):
        plugin.parse_args(["--login", "ropc"])
    with pytest.raises(UsageError):
        plugin.parse_args(["--server-id", "bad id;rm"])


@pytest.mark.parametrize("flag", ["--login", "-l", "--auth"])
def test_an_unknown_login_mode_is_named_by_the_flag_typed(flag: str) -> None:
    """kubelogin's --login/-l and akscli's --auth set one mode; the line names the one given, not
    always --auth (a kubeconfig written by kubelogin carries --login)."""
    from akscli.errors import UsageError

    with pytest.raises(UsageError) as caught:
        plugin.parse_args([flag, "bogus"])
    assert caught.value.message == f"unknown {flag} mode 'bogus'"


@pytest.mark.parametrize("argv", [["--server-id", ""], ["--server-id= "], ["get-token", "--server-id="]])
def test_an_empty_server_id_is_refused_not_read_as_the_aks_server_app(argv: list[str]) -> None:
    # kubelogin refuses it too: Azure/kubelogin pkg/internal/token/execCredentialPlugin.go Do,
    # "server-id is required"; only a --server-id left out means akscli's default.
    from akscli.errors import UsageError

    with pytest.raises(UsageError) as info:
        plugin.parse_args(argv)
    assert info.value.message in ("the value of --server-id is empty", "the value of --server-id is blank")


def test_the_fast_path_refuses_an_empty_server_id_as_the_cli_does(capsys: pytest.CaptureFixture[str]) -> None:
    assert plugin.main(["token", "--server-id", ""]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0] == "error: the value of --server-id is empty"
    assert captured.out == ""


def test_failure_to_sign_in_is_one_line_without_the_secret(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "s3cr3t-wrong")
    assert plugin.main(["--login", "spn", *entra_flag()]) == 6


def test_cached_path_imports_neither_azure_nor_kubernetes(azure_env: ArmEmulator) -> None:
    run_token()  # fills the cache
    code = (
        "import sys\n"
        "from akscli.azure.token import main\n"
        f"rc = main(['token', *{list(entra_flag())!r}])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('azure', 'kubernetes', 'msal', 'typer', 'rich'))\n"
        "print('LOADED', bad, file=sys.stderr)\n"
        "sys.exit(rc or (3 if bad else 0))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy(), timeout=60)
    assert p.returncode == 0, p.stderr
    assert "LOADED []" in p.stderr
    assert json.loads(p.stdout)["kind"] == "ExecCredential"


def test_cached_path_loads_no_datetime(azure_env: ArmEmulator) -> None:
    # kubectl runs akscli token before each request: the cached token's int expiry goes through
    # time.gmtime (timestamps.format), and datetime is imported only where a date is parsed.
    run_token()  # fills the cache
    code = (
        "import sys\n"
        "from akscli.azure.token import main\n"
        f"rc = main(['token', *{list(entra_flag())!r}])\n"
        "print('LOADED', sorted(m for m in sys.modules if m in ('datetime', '_datetime')), file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy(), timeout=60)
    assert p.returncode == 0, p.stderr
    assert "LOADED []" in p.stderr


def test_aad_login_method_wins_over_the_kubeconfigs_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """kubelogin reads AAD_LOGIN_METHOD after its flags (Azure/kubelogin pkg/internal/token/options.go)."""
    monkeypatch.setenv("AAD_LOGIN_METHOD", "spn")
    assert plugin.parse_args(["--login", "devicecode"]).login == "spn"


def test_with_aad_login_method_spn_a_devicecode_kubeconfig_signs_in_as_the_service_principal(
    azure_env: ArmEmulator,
) -> None:
    cred = run_token("--login", "devicecode", env={"AAD_LOGIN_METHOD": "spn"})
    claims = azure_env.tokens[cred["status"]["token"]]
    assert (claims["aud"], claims["appid"]) == (AKS_SERVER_APP, DEFAULT_CLIENT_ID)
    assert not azure_env.requests_to("/devicecode$")


def test_an_aad_login_method_akscli_lacks_is_one_clear_line(azure_env: ArmEmulator) -> None:
    # (kubelogin's ropc has a line of its own: tests/azure/test_token_kubelogin_modes.py)
    r = invoke("token", *entra_flag(), env={"AAD_LOGIN_METHOD": "kerberos"})
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == "error: AAD_LOGIN_METHOD='kerberos' is not a sign-in mode akscli token has"


def test_the_scope_is_kubelogins_for_an_app_id_uri_with_a_slash_or_its_scope() -> None:
    """Azure/kubelogin pkg/internal/token/execCredentialPlugin.go GetScope."""
    assert plugin.parse_args(["--server-id", AKS_SERVER_APP]).scope == f"{AKS_SERVER_APP}/.default"
    assert plugin.parse_args(["--server-id", "api://aks-server/"]).scope == "api://aks-server/.default"
    assert plugin.parse_args(["--server-id", "api://aks-server/.default"]).scope == "api://aks-server/.default"


def test_every_function_of_the_plugin_has_a_caller_in_src() -> None:
    """One way to get a token for kubectl: ``main`` / ``run``; no second, unused path beside it."""
    import ast
    import re

    module = REPO / "src" / "akscli" / "azure" / "token.py"
    names = [n.name for n in ast.parse(module.read_text()).body if isinstance(n, ast.FunctionDef)]
    source = "\n".join(p.read_text() for p in (REPO / "src").rglob("*.py"))
    unused = [n for n in names if len(re.findall(rf"\b{n}\b", source)) < 2]
    assert unused == []
