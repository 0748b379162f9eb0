"""--debug logs the sign-in's requests (Entra ID, a managed identity endpoint, Azure DevOps's OIDC
endpoint) as it logs ARM's: method, URL without its query but api-version, status, latency
(akscli.azure.signinlog). No secret form reaches that log: the client secret, the certificate's
password, a client assertion (federated or Azure DevOps's), the device code, a refresh token, the
managed identity endpoint's header, Azure DevOps's job token, or the access token (stdout only, for
kubectl). Each mode runs as kubectl runs it (the fast entry point) and through the CLI."""

from __future__ import annotations

import io
import json
import re
import uuid
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from akscli.azure import token as plugin
from tests.azure.helpers import entra_flag
from tests.azure.test_token_env_overrides import SP_ID, SP_SECRET, _encrypted_certificate, sp_env  # noqa: F401
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

LINE = re.compile(r"^akscli\.entra: (GET|POST) (https?://[^ ?]+)(\?api-version=[^ &]+)? -> \d{3} in \d+ ms$")


def secrets_of(emu: ArmEmulator, *given: str) -> set[str]:
    """Every secret value of this run: those given, and those the emulator handed out or took."""
    found = {*given, emu.msi_header, emu.pipeline_access_token, *emu.tokens, *emu.device_codes}
    found |= {*emu.refresh_tokens, *emu.federated_assertions, *emu.clients.values()}
    found |= {r[k] for r in emu.token_requests for k in ("client_assertion", "device_code", "refresh_token") if k in r}
    return {s for s in found if s}


def fast_path(*args: str, code: int = 0) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert plugin.main(["token", "--debug", *args]) == code, err.getvalue()
    return out.getvalue(), err.getvalue()


def through_the_cli(*args: str, code: int = 0) -> tuple[str, str]:
    r = invoke("--debug", "token", *args)
    assert r.exit_code == code, r
    return r.stdout, r.stderr


def assert_logged_without_secrets(emu: ArmEmulator, stdout: str, stderr: str, *given: str) -> list[str]:
    lines = [line for line in stderr.splitlines() if line.startswith("akscli.entra: ")]
    assert lines, stderr
    assert all(LINE.match(line) for line in lines), lines
    leaked = [s for s in secrets_of(emu, *given) if s in stderr]
    assert leaked == [], "a secret is in the --debug output"
    if stdout:
        token = json.loads(stdout)["status"]["token"]
        assert token in emu.tokens  # the token went to kubectl, on stdout only
    return lines


@pytest.fixture(params=[fast_path, through_the_cli], ids=["fast-path", "cli"])
def run(request: pytest.FixtureRequest, sp_env: ArmEmulator) -> object:  # noqa: F811
    # Each parameter is a fresh cache: every run signs in.
    return request.param


def test_a_service_principals_token_request_is_logged_without_its_secret(sp_env: ArmEmulator, run) -> None:  # noqa: F811
    env_secret = SP_SECRET
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AZURE_CLIENT_ID", SP_ID)
        mp.setenv("AZURE_CLIENT_SECRET", env_secret)
        out, err = run("--login", "spn", *entra_flag())
    lines = assert_logged_without_secrets(sp_env, out, err, env_secret)
    assert any(re.search(rf" {re.escape(sp_env.url)}/{sp_env.tenant}/oauth2/v2\.0/token -> 200 ", x) for x in lines)


def test_a_certificates_assertion_and_password_are_not_logged(
    sp_env: ArmEmulator,  # noqa: F811
    run,
    tmp_path: Path,
) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    _encrypted_certificate(tmp_path / "sp.pem", password)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AZURE_CLIENT_ID", SP_ID)
        mp.setenv("AZURE_CLIENT_CERTIFICATE_PATH", str(tmp_path / "sp.pem"))
        mp.setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", password)
        # The emulator trusts no certificate: Entra's refusal (exit 6) shows the signed assertion was sent.
        out, err = run("--login", "spn", *entra_flag(), code=6)
    lines = assert_logged_without_secrets(sp_env, out, err, password)
    assert any(x.endswith("/oauth2/v2.0/token -> 401 in " + x.rsplit(" in ", 1)[1]) for x in lines), lines
    assert [q["client_id"] for q in sp_env.token_requests if "client_assertion" in q] == [SP_ID]


def test_a_federated_assertion_is_not_logged(sp_env: ArmEmulator, run, tmp_path: Path) -> None:  # noqa: F811
    assertion = f"eyJhbGciOiJSUzI1NiJ9.{uuid.uuid4().hex}.{uuid.uuid4().hex}"
    sp_env.federated_assertions.add(assertion)
    (tmp_path / "token").write_text(assertion)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AZURE_CLIENT_ID", SP_ID)
        mp.setenv("AZURE_FEDERATED_TOKEN_FILE", str(tmp_path / "token"))
        mp.setenv("AZURE_AUTHORITY_HOST", sp_env.url + "/")
        out, err = run("--login", "workloadidentity")
    assert_logged_without_secrets(sp_env, out, err, assertion)


def test_a_managed_identity_endpoints_request_is_logged_without_its_header(sp_env: ArmEmulator, run) -> None:  # noqa: F811
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IDENTITY_ENDPOINT", sp_env.msi_endpoint)
        mp.setenv("IDENTITY_HEADER", sp_env.msi_header)
        out, err = run("--login", "msi")
    lines = assert_logged_without_secrets(sp_env, out, err)
    # The endpoint's query names the resource and the identity: only api-version is kept.
    assert any(f"GET {sp_env.msi_endpoint}?api-version=2019-08-01 -> 200" in x for x in lines), lines


def test_azure_pipelines_job_token_and_oidc_token_are_not_logged(sp_env: ArmEmulator, run) -> None:  # noqa: F811
    connection = str(uuid.uuid4())
    sp_env.pipeline_connections[connection] = SP_ID
    oidc = f"{sp_env.url}/org/{uuid.uuid4()}/_apis/distributedtask/hubs/build/plans/{uuid.uuid4()}/jobs/x/oidctoken"
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {
            "AZURESUBSCRIPTION_CLIENT_ID": SP_ID,
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": connection,
            "SYSTEM_ACCESSTOKEN": sp_env.pipeline_access_token,
            "SYSTEM_OIDCREQUESTURI": oidc,
        }.items():
            mp.setenv(name, value)
        out, err = run("--login", "azurepipelines", *entra_flag())
    lines = assert_logged_without_secrets(sp_env, out, err, sp_env.pipeline_access_token)
    assert any("/oidctoken?api-version=" in x for x in lines), lines
    assert not any("serviceConnectionId" in x for x in lines)


def test_the_device_code_and_refresh_token_are_not_logged(sp_env: ArmEmulator, run) -> None:  # noqa: F811
    out, err = run("--login", "devicecode", *entra_flag())
    lines = assert_logged_without_secrets(sp_env, out, err)
    assert any("/oauth2/v2.0/devicecode -> 200" in x for x in lines), lines


def test_an_arm_command_logs_its_sign_in_before_its_arm_requests(sp_env: ArmEmulator) -> None:  # noqa: F811
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AZURE_CLIENT_ID", SP_ID)
        mp.setenv("AZURE_CLIENT_SECRET", SP_SECRET)
        r = invoke("--debug", "cluster", "list", "-o", "json")
    assert r.exit_code == 0, r
    lines = [x for x in r.stderr.splitlines() if x.startswith(("akscli.entra: ", "akscli.azure: "))]
    first_arm = next(i for i, x in enumerate(lines) if x.startswith("akscli.azure: GET /subscriptions/"))
    assert any("akscli.entra: POST " in x and "/oauth2/v2.0/token -> 200 in " in x for x in lines[:first_arm]), lines
    assert [s for s in secrets_of(sp_env, SP_SECRET) if s in r.stderr] == []


def test_without_debug_nothing_is_logged(sp_env: ArmEmulator) -> None:  # noqa: F811
    r = invoke(
        "token", "--login", "spn", *entra_flag(), env={"AZURE_CLIENT_ID": SP_ID, "AZURE_CLIENT_SECRET": SP_SECRET}
    )
    assert r.exit_code == 0, r
    assert "akscli.entra" not in r.stderr


REFUSED = "https://127.0.0.1:9/"  # nothing listens on the discard port: each attempt is refused at once


def test_a_sign_in_request_that_got_no_answer_is_logged_without_its_secret(sp_env: ArmEmulator, run) -> None:  # noqa: F811
    secret = f"never-logged-{uuid.uuid4().hex}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AZURE_CLIENT_ID", SP_ID)
        mp.setenv("AZURE_CLIENT_SECRET", secret)
        out, err = run("--login", "spn", "--authority-host", REFUSED, code=6)
    lines = [x for x in err.splitlines() if x.startswith("akscli.entra: ")]
    no_answer = re.compile(r"^akscli\.entra: (GET|POST) https://127\.0\.0\.1:9/[^ ?]+ -> no response in \d+ ms$")
    assert lines and all(no_answer.match(x) for x in lines), err
    assert secret not in err and secret not in out
    assert [t for t in sp_env.tokens if t in err] == []


def test_kubectls_v_6_logs_a_request_that_got_no_answer(sp_env: ArmEmulator) -> None:  # noqa: F811
    secret = f"never-logged-{uuid.uuid4().hex}"
    env = {"AZURE_CLIENT_ID": SP_ID, "AZURE_CLIENT_SECRET": secret}
    r = invoke("-v", "6", "token", "--login", "spn", "--authority-host", REFUSED, env=env)
    assert r.exit_code == 6, r
    assert re.search(r"^akscli\.entra: GET https://127\.0\.0\.1:9/\S+ -> no response in \d+ ms$", r.stderr, re.M), r
    assert secret not in r.stderr + r.stdout
