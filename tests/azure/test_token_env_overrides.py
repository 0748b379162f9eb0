"""kubelogin's environment variables in ``akscli token`` (upstream: Azure/kubelogin
pkg/internal/token/options.go ``UpdateFromEnv``, pkg/internal/env/variables.go and
docs/book/src/concepts/login-modes/sp.md, commit 66784961ef44a34236a651d9b08bcdf0aa07b836):
AAD_SERVICE_PRINCIPAL_CLIENT_ID/SECRET, AZURE_CLIENT_ID winning over it, ARM_* with
--use-azurerm-env-vars, and none of them with --disable-environment-override. Unlike kubelogin, a
--tenant-id flag wins over the variables (documented in ``akscli token --help``)."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from akscli.azure import token as plugin
from tests.azure.helpers import entra_flag
from tests.cli import invoke
from tests.emulators.arm import AKS_SERVER_APP, DEFAULT_CLIENT_ID, ArmEmulator

KUBELOGIN_NAMES = (
    "AAD_LOGIN_METHOD",
    "AAD_SERVICE_PRINCIPAL_CLIENT_ID",
    "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET",
    "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE",
    "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD",
    "ARM_CLIENT_ID",
    "ARM_CLIENT_SECRET",
    "ARM_CLIENT_CERTIFICATE_PATH",
    "ARM_CLIENT_CERTIFICATE_PASSWORD",
    "ARM_TENANT_ID",
)
SP_ID = "7d0c4a52-1b7e-4f0a-9c3e-2a6b8e4f1d90"  # a second service principal, not DEFAULT_CLIENT_ID
SP_SECRET = "kubelogin-sp-secret-value"
OTHER_TENANT = "99999999-8888-7777-6666-555555555555"


@pytest.fixture
def sp_env(azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[ArmEmulator]:
    """The emulator with a second service principal, and only the tenant among AZURE_*."""
    for name in (*KUBELOGIN_NAMES, "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    azure_env.clients[SP_ID] = SP_SECRET
    yield azure_env


def claims_of(emulator: ArmEmulator, *args: str, env: dict[str, str | None] | None = None) -> dict:
    r = invoke("token", *entra_flag(), *args, env=env)
    assert r.exit_code == 0, r
    return emulator.tokens[json.loads(r.stdout)["status"]["token"]]


def test_spn_signs_in_as_kubelogins_aad_service_principal_variables(sp_env: ArmEmulator) -> None:
    env = {"AAD_SERVICE_PRINCIPAL_CLIENT_ID": SP_ID, "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": SP_SECRET}
    claims = claims_of(sp_env, "--login", "spn", env=env)
    assert (claims["aud"], claims["appid"]) == (AKS_SERVER_APP, SP_ID)


def test_azure_client_id_wins_over_aad_service_principal_client_id(sp_env: ArmEmulator) -> None:
    env = {
        "AAD_SERVICE_PRINCIPAL_CLIENT_ID": DEFAULT_CLIENT_ID,
        "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": "not-this-one",
        "AZURE_CLIENT_ID": SP_ID,
        "AZURE_CLIENT_SECRET": SP_SECRET,
    }
    assert claims_of(sp_env, "--login", "spn", env=env)["appid"] == SP_ID


def test_a_token_of_one_service_principal_is_not_served_for_another(sp_env: ArmEmulator) -> None:
    first = {"AAD_SERVICE_PRINCIPAL_CLIENT_ID": SP_ID, "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": SP_SECRET}
    second = {
        "AAD_SERVICE_PRINCIPAL_CLIENT_ID": DEFAULT_CLIENT_ID,
        "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": sp_env.clients[DEFAULT_CLIENT_ID],
    }
    assert claims_of(sp_env, "--login", "spn", env=first)["appid"] == SP_ID
    assert claims_of(sp_env, "--login", "spn", env=second)["appid"] == DEFAULT_CLIENT_ID


def test_use_azurerm_env_vars_signs_in_with_terraforms_arm_variables_only(sp_env: ArmEmulator) -> None:
    env = {
        "ARM_CLIENT_ID": SP_ID,
        "ARM_CLIENT_SECRET": SP_SECRET,
        "ARM_TENANT_ID": sp_env.tenant,
        "AZURE_TENANT_ID": OTHER_TENANT,  # not read with the flag
        "AZURE_CLIENT_ID": DEFAULT_CLIENT_ID,
        "AZURE_CLIENT_SECRET": "not-this-one",
    }
    claims = claims_of(sp_env, "--login", "spn", "--use-azurerm-env-vars", env=env)
    assert (claims["appid"], claims["tid"]) == (SP_ID, sp_env.tenant)


def test_use_azurerm_env_vars_without_them_names_the_arm_variables(sp_env: ArmEmulator) -> None:
    r = invoke("token", *entra_flag(), "--login", "spn", "--use-azurerm-env-vars", env={"AZURE_CLIENT_ID": SP_ID})
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == (
        "error: --auth spn needs a service principal: ARM_CLIENT_ID with ARM_CLIENT_SECRET or "
        "ARM_CLIENT_CERTIFICATE_PATH, and a tenant"
    )
    # The hint reads the secret at a silent prompt: an export line typed with it stays in the history.
    assert r.stderr.splitlines()[1] == (
        "hint: export ARM_TENANT_ID=... ARM_CLIENT_ID=...; read -rs ARM_CLIENT_SECRET && export ARM_CLIENT_SECRET "
        "(or pass --tenant-id)"
    )


def test_a_tenant_flag_wins_over_arm_tenant_id(sp_env: ArmEmulator) -> None:
    env = {"ARM_CLIENT_ID": SP_ID, "ARM_CLIENT_SECRET": SP_SECRET, "ARM_TENANT_ID": OTHER_TENANT}
    args = ("--login", "spn", "--use-azurerm-env-vars", "--tenant-id", sp_env.tenant)
    assert claims_of(sp_env, *args, env=env)["tid"] == sp_env.tenant


def test_disable_environment_override_keeps_the_kubeconfigs_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """kubelogin docs/book/src/concepts/login-modes/devicecode.md."""
    monkeypatch.setenv("AAD_LOGIN_METHOD", "spn")
    assert plugin.parse_args(["--login", "azurecli", "--disable-environment-override"]).login == "azurecli"


def test_disable_environment_override_reads_no_service_principal(sp_env: ArmEmulator) -> None:
    env = {"AZURE_CLIENT_ID": SP_ID, "AZURE_CLIENT_SECRET": SP_SECRET}
    r = invoke("token", *entra_flag(), "--login", "spn", "--disable-environment-override", env=env)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == (
        "error: --auth spn needs a service principal, and --disable-environment-override reads none from "
        "the environment"
    )
    # auth4 added --client-secret and --client-certificate: the hint no longer says the plugin takes
    # no secret on its command line, and names the certificate over the secret a kubeconfig would keep.
    assert r.stderr.splitlines()[1] == (
        "hint: drop --disable-environment-override from the kubeconfig's exec args, or add --client-certificate "
        "FILE to them (a --client-secret there is kept in the kubeconfig and shown by ps)"
    )
    assert sp_env.token_requests == []


def test_the_flags_take_kubelogins_boolean_values() -> None:
    assert plugin.parse_args(["--use-azurerm-env-vars=true"]).variables == "azurerm"
    assert plugin.parse_args(["--use-azurerm-env-vars=false"]).variables == "azure"
    assert plugin.parse_args(["--use-azurerm-env-vars", "--disable-environment-override"]).variables == "none"


def test_a_flag_value_that_is_no_boolean_is_one_usage_line() -> None:
    from akscli.errors import UsageError

    with pytest.raises(UsageError) as refused:
        plugin.parse_args(["--disable-environment-override=maybe"])
    assert refused.value.message == "--disable-environment-override takes true or false, not 'maybe'"


@pytest.mark.parametrize(("prefix", "flags"), [("AAD_SERVICE_PRINCIPAL", ()), ("ARM", ("--use-azurerm-env-vars",))])
def test_a_refused_secret_never_reaches_stdout_or_stderr_even_with_debug(
    sp_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch, prefix: str, flags: tuple[str, ...]
) -> None:
    secret = f"wrong-{uuid.uuid4().hex}"
    monkeypatch.setenv(f"{prefix}_CLIENT_ID", SP_ID)
    monkeypatch.setenv(f"{prefix}_CLIENT_SECRET", secret)
    monkeypatch.setenv("ARM_TENANT_ID", sp_env.tenant)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):  # kubectl's path: the fast entry point
        assert plugin.main(["token", "--debug", "-v", "--login", "spn", *flags, *entra_flag()]) == 6
    assert "AADSTS7000215" in err.getvalue()  # Entra's refusal is shown ...
    assert secret not in out.getvalue() + err.getvalue()  # ... never the secret
    r = invoke("--debug", "-v", "token", *entra_flag(), "--login", "spn", *flags)
    assert r.exit_code == 6, r
    assert secret not in r.stdout + r.stderr


def test_token_help_documents_that_a_flag_wins_over_the_variables() -> None:
    def words(text: str) -> str:  # help wraps lines, even inside --tenant-id
        return "".join(text.split())

    text = words(invoke("token", "--help").stdout)
    assert words("A --tenant-id or --client-id flag wins over AZURE_TENANT_ID and AZURE_CLIENT_ID") in text
    assert words("(kubelogin lets the variables win)") in text


def _encrypted_certificate(path: Path, password: str) -> None:
    """A self-signed certificate whose PEM key is encrypted with ``password``."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "akscli-test-sp")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password.encode())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    path.write_bytes(pem + cert.public_bytes(serialization.Encoding.PEM))


@pytest.mark.parametrize(
    ("id_name", "path_name", "password_name"),
    [
        (
            "AAD_SERVICE_PRINCIPAL_CLIENT_ID",
            "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE",
            "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD",
        ),
        ("AZURE_CLIENT_ID", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PASSWORD"),
    ],
)
def test_the_certificate_password_opens_the_service_principals_certificate(
    sp_env: ArmEmulator, tmp_path: Path, id_name: str, path_name: str, password_name: str
) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    _encrypted_certificate(tmp_path / "sp.pem", password)
    env = {id_name: SP_ID, path_name: str(tmp_path / "sp.pem"), password_name: password}
    r = invoke("--debug", "token", *entra_flag(), "--login", "spn", env=env)
    # The emulator trusts no certificate: Entra's refusal shows the signed assertion was sent.
    assert r.exit_code == 6, r
    assert [q["client_id"] for q in sp_env.token_requests if "client_assertion" in q] == [SP_ID]
    assert password not in r.stdout + r.stderr


def test_a_wrong_certificate_password_is_one_line_naming_the_variables(sp_env: ArmEmulator, tmp_path: Path) -> None:
    _encrypted_certificate(tmp_path / "sp.pem", "the-right-one")
    env = {
        "AZURE_CLIENT_ID": SP_ID,
        "AZURE_CLIENT_CERTIFICATE_PATH": str(tmp_path / "sp.pem"),
        "AZURE_CLIENT_CERTIFICATE_PASSWORD": "a-wrong-one",
    }
    r = invoke("token", *entra_flag(), "--login", "spn", env=env)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines() == [
        f"error: cannot read the service principal's certificate {tmp_path / 'sp.pem'}: Incorrect password, "
        "could not decrypt key",
        "hint: check AZURE_CLIENT_CERTIFICATE_PATH and AZURE_CLIENT_CERTIFICATE_PASSWORD",
    ]


@pytest.mark.parametrize(
    ("path_name", "password_name"),
    [
        ("AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE", "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD"),
        ("ARM_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PASSWORD"),
    ],
)
def test_a_wrong_certificate_password_names_the_variables_it_was_read_from(
    sp_env: ArmEmulator, tmp_path: Path, path_name: str, password_name: str
) -> None:
    # kubelogin's own names (or ARM_* with --use-azurerm-env-vars): the hint names those, not AZURE_*
    _encrypted_certificate(tmp_path / "sp.pem", "the-right-one")
    prefix = path_name.split("_CLIENT_CERTIFICATE")[0]
    env = {f"{prefix}_CLIENT_ID": SP_ID, path_name: str(tmp_path / "sp.pem"), password_name: "a-wrong-one"}
    if prefix == "ARM":
        env["ARM_TENANT_ID"] = OTHER_TENANT
    args = ("--use-azurerm-env-vars",) if prefix == "ARM" else ()
    r = invoke("token", *entra_flag(), "--login", "spn", *args, env=env)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[1:] == [f"hint: check {path_name} and {password_name}"]


def test_a_certificate_without_its_password_names_the_password_variable_beside_the_path(
    sp_env: ArmEmulator, tmp_path: Path
) -> None:
    _encrypted_certificate(tmp_path / "sp.pem", "the-right-one")
    env = {
        "AAD_SERVICE_PRINCIPAL_CLIENT_ID": SP_ID,
        "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE": str(tmp_path / "sp.pem"),
    }
    r = invoke("token", *entra_flag(), "--login", "spn", env=env)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[1:] == [
        "hint: check AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE and AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD"
    ]
