"""kubelogin's sign-in value flags and its azurepipelines mode in ``akscli token`` (upstream:
Azure/kubelogin pkg/internal/token/options.go ``AddFlags`` and ``UpdateFromEnv``,
azurepipelinescredential.go, commit 66784961ef44a34236a651d9b08bcdf0aa07b836), through
azure-identity's ClientSecretCredential, CertificateCredential, WorkloadIdentityCredential and
AzurePipelinesCredential. A secret given on the command line never reaches stdout or stderr."""

from __future__ import annotations

import io
import uuid
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from akscli.azure import token as plugin
from tests.azure.helpers import entra_flag
from tests.azure.test_token_env_overrides import (  # noqa: F401 - sp_env is a fixture
    SP_ID,
    SP_SECRET,
    _encrypted_certificate,
    claims_of,
    sp_env,
)
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

CONNECTION = "5f0d8a3e-6c1b-4d2a-9e7f-0b1c2d3e4f5a"


def fast_path(*args: str) -> tuple[int, str]:
    """``akscli token ARGS`` as kubectl runs it (the fast entry point): exit code, stdout + stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = plugin.main(["token", *args, *entra_flag()])
    return code, out.getvalue() + err.getvalue()


def test_client_secret_flag_signs_in_as_the_client_id_flags_principal(sp_env: ArmEmulator) -> None:  # noqa: F811
    claims = claims_of(sp_env, "--login", "spn", "--client-id", SP_ID, "--client-secret", SP_SECRET)
    assert claims["appid"] == SP_ID


def test_client_secret_flag_wins_over_an_empty_variable(sp_env: ArmEmulator) -> None:  # noqa: F811
    env = {"AZURE_CLIENT_SECRET": ""}
    claims = claims_of(sp_env, "--login", "spn", "--client-id", SP_ID, "--client-secret", SP_SECRET, env=env)
    assert claims["appid"] == SP_ID


def test_a_refused_client_secret_flag_never_reaches_stdout_or_stderr(sp_env: ArmEmulator) -> None:  # noqa: F811
    secret = f"wrong-{uuid.uuid4().hex}"
    args = ("--debug", "-v", "--login", "spn", "--client-id", SP_ID, "--client-secret", secret)
    code, text = fast_path(*args)
    assert code == 6 and "AADSTS7000215" in text
    assert secret not in text
    r = invoke("--debug", "-v", "token", *entra_flag(), *args[2:])
    assert r.exit_code == 6, r
    assert secret not in r.stdout + r.stderr
    assert secret not in repr(plugin.parse_args(list(args[2:])))


def test_a_secret_flag_quoted_by_a_usage_error_is_hidden(sp_env: ArmEmulator) -> None:  # noqa: F811
    secret = f"s-{uuid.uuid4().hex}"
    code, text = fast_path("--client-secret", secret, f"--bogus={secret}")
    assert code == 2 and "unknown flag" in text
    assert secret not in text


def test_a_misspelt_secret_flag_is_named_without_its_value() -> None:
    secret = f"s-{uuid.uuid4().hex}"
    code, text = fast_path("--login", "spn", f"--client-secrett={secret}")
    assert code == 2 and "unknown flag '--client-secrett'" in text
    assert secret not in text
    r = invoke("token", "--login", "spn", f"--client-secrett={secret}")
    assert r.exit_code == 2, r
    assert secret not in r.stdout + r.stderr


@pytest.mark.parametrize("flag", ["--cache-dir", "--token-cache-dir"])
def test_kubelogins_cache_dir_flags_from_a_converted_kubeconfig_are_accepted(flag: str) -> None:
    # kubelogin convert-kubeconfig writes --cache-dir (where it was --token-cache-dir before)
    req = plugin.parse_args(["get-token", "--login", "azurecli", flag, "/home/u/.kube/cache"])
    assert req.login == "azurecli"


def test_client_certificate_flags_sign_in_with_the_certificate(sp_env: ArmEmulator, tmp_path: Path) -> None:  # noqa: F811
    password = f"pw-{uuid.uuid4().hex}"
    _encrypted_certificate(tmp_path / "sp.pem", password)
    args = ("--login", "spn", "--client-id", SP_ID, "--client-certificate", str(tmp_path / "sp.pem"))
    r = invoke("--debug", "token", *entra_flag(), *args, "--client-certificate-password", password)
    # The emulator trusts no certificate: Entra's refusal shows the signed assertion was sent.
    assert r.exit_code == 6, r
    assert [q["client_id"] for q in sp_env.token_requests if "client_assertion" in q] == [SP_ID]
    assert password not in r.stdout + r.stderr


def test_a_wrong_certificate_password_flag_names_the_flags(sp_env: ArmEmulator, tmp_path: Path) -> None:  # noqa: F811
    _encrypted_certificate(tmp_path / "sp.pem", "the-right-one")
    args = ("--login", "spn", "--client-id", SP_ID, "--client-certificate", str(tmp_path / "sp.pem"))
    r = invoke("token", *entra_flag(), *args, "--client-certificate-password", "a-wrong-one")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[1:] == ["hint: check --client-certificate and --client-certificate-password"]
    assert "a-wrong-one" not in r.stdout + r.stderr


def test_federated_token_file_flag_signs_in_with_workload_identity(azure_env: ArmEmulator, tmp_path: Path) -> None:
    assertion = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmbGFnIn0.c2ln"
    azure_env.federated_assertions.add(assertion)
    (tmp_path / "token").write_text(assertion)
    env = {"AZURE_FEDERATED_TOKEN_FILE": None, "AZURE_AUTHORITY_HOST": azure_env.url + "/"}
    claims_of(azure_env, "--login", "workloadidentity", "--federated-token-file", str(tmp_path / "token"), env=env)
    assert azure_env.token_requests[-1]["client_assertion"] == assertion


def test_the_webhooks_token_file_wins_over_the_flag_as_in_kubelogin(azure_env: ArmEmulator, tmp_path: Path) -> None:
    azure_env.federated_assertions.add("from.the.webhook")
    (tmp_path / "webhook").write_text("from.the.webhook")
    (tmp_path / "flag").write_text("from.the.flag")
    env = {"AZURE_FEDERATED_TOKEN_FILE": str(tmp_path / "webhook"), "AZURE_AUTHORITY_HOST": azure_env.url + "/"}
    claims_of(azure_env, "--login", "workloadidentity", "--federated-token-file", str(tmp_path / "flag"), env=env)
    assert azure_env.token_requests[-1]["client_assertion"] == "from.the.webhook"


@pytest.fixture
def pipeline(sp_env: ArmEmulator) -> dict[str, str | None]:  # noqa: F811
    """An Azure Pipelines job's variables (AzureCLI@2 with a federated service connection)."""
    sp_env.pipeline_connections[CONNECTION] = SP_ID
    return {
        "AZURE_TENANT_ID": None,
        "AZURESUBSCRIPTION_TENANT_ID": sp_env.tenant,
        "AZURESUBSCRIPTION_CLIENT_ID": SP_ID,
        "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": CONNECTION,
        "SYSTEM_ACCESSTOKEN": sp_env.pipeline_access_token,
        "SYSTEM_OIDCREQUESTURI": f"{sp_env.url}/org/{uuid.uuid4()}/_apis/distributedtask/hubs/build/plans/"
        f"{uuid.uuid4()}/jobs/{uuid.uuid4()}/oidctoken",
    }


@pytest.mark.parametrize("how", ["--login", "AAD_LOGIN_METHOD"])
def test_azurepipelines_signs_in_as_the_service_connection(
    sp_env: ArmEmulator,  # noqa: F811
    pipeline: dict[str, str | None],
    how: str,
) -> None:
    args, env = (("--login", "azurepipelines"), pipeline) if how == "--login" else ((), pipeline)
    if how == "AAD_LOGIN_METHOD":
        env = {**pipeline, "AAD_LOGIN_METHOD": "azurepipelines"}
    claims = claims_of(sp_env, *args, env=env)
    assert (claims["appid"], claims["tid"]) == (SP_ID, sp_env.tenant)
    assert "client_assertion" in sp_env.token_requests[-1]


def test_the_service_connection_flag_wins_over_its_variable(
    sp_env: ArmEmulator,  # noqa: F811
    pipeline: dict[str, str | None],
) -> None:
    env = {**pipeline, "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": "not-this-one"}
    args = ("--login", "azurepipelines", "--azure-pipelines-service-connection-id", CONNECTION)
    assert claims_of(sp_env, *args, env=env)["appid"] == SP_ID


def test_azurepipelines_without_the_job_token_is_one_line(sp_env: ArmEmulator, pipeline: dict[str, str | None]) -> None:  # noqa: F811
    r = invoke("token", *entra_flag(), "--login", "azurepipelines", env={**pipeline, "SYSTEM_ACCESSTOKEN": None})
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == (
        "error: --auth azurepipelines needs the job's token in SYSTEM_ACCESSTOKEN, which is not set"
    )


def test_a_refused_job_token_never_reaches_stdout_or_stderr(
    sp_env: ArmEmulator,  # noqa: F811
    pipeline: dict[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job_token = f"job-{uuid.uuid4().hex}"
    for name, value in {**pipeline, "SYSTEM_ACCESSTOKEN": job_token}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    code, text = fast_path("--debug", "-v", "--login", "azurepipelines")
    assert code != 0 and "OIDC token endpoint" in text
    assert job_token not in text
    assert sp_env.token_requests == []


@pytest.mark.parametrize(("variable", "used"), [(None, CONNECTION), (SP_ID, SP_ID)], ids=["flag", "variable-wins"])
def test_workload_identity_takes_the_client_id_flag_where_the_webhook_sets_none(
    azure_env: ArmEmulator, tmp_path: Path, variable: str | None, used: str
) -> None:
    # kubelogin: AZURE_CLIENT_ID (UpdateFromEnv, after the flags) wins, else --client-id (convert writes it).
    azure_env.federated_assertions.add("a.b.c")
    (tmp_path / "token").write_text("a.b.c")
    env = {"AZURE_FEDERATED_TOKEN_FILE": str(tmp_path / "token"), "AZURE_AUTHORITY_HOST": azure_env.url + "/"}
    claims_of(
        azure_env, "--login", "workloadidentity", "--client-id", CONNECTION, env={**env, "AZURE_CLIENT_ID": variable}
    )
    assert azure_env.token_requests[-1]["client_id"] == used
