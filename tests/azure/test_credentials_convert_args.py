"""The exec line ``cluster credentials --login MODE`` (and fleet's and baremetal's: ``clustercreds.exec_args``)
writes, mode by mode, as kubelogin's convert-kubeconfig writes it from ARM's format=exec kubeconfig: the same
args, in its order, under the same conditions (upstream: Azure/kubelogin v0.2.19 (66784961)
pkg/internal/converter/convert.go ``Convert`` and ``getArgValues``; convert_test.go's expected args per mode).
Every line is then read by akscli token's parser, as kubectl would run it."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli import errors
from akscli.azure import clustercreds
from akscli.azure.token import parse_args

S = "6dae42f8-4368-4678-94ff-3960e28e3630"  # the AKS server app, ARM's --server-id
AKS_CLIENT = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"  # ARM's --client-id
KC_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # ARM's --tenant-id (the cluster's)
TENANT = "contoso.onmicrosoft.com"  # --tenant given to the credentials command
CLIENT = "5b3c1f0e-2d4a-4e6b-8c9d-0a1b2c3d4e5f"  # --client-id given
SUB = "11111111-2222-3333-4444-555555555555"
IDENTITY_ID = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"
# ARM's listClusterUserCredential?format=exec user (tests/emulators/arm/akscreds.py).
ARM_LINE = f"get-token --environment AzurePublicCloud --server-id {S} --client-id {AKS_CLIENT} --tenant-id {KC_TENANT}"
ARM_LINE += " --login devicecode"
HINT = "--redirect-url http://localhost:8400 --login-hint ana@contoso.com"
PUBLIC = "--environment AzurePublicCloud"

# (mode, flags given, extra args of the kubeconfig's line, the line written after "token --login MODE --server-id S")
CASES = [
    # case token.AzureCLILogin: the kubeconfig's tenant and environment dropped; --tenant-id, --subscription given
    ("azurecli", {}, "", ""),
    ("azurecli", {"tenant": TENANT}, "", f"--tenant-id {TENANT}"),
    ("azurecli", {"subscription": SUB}, "", f"--subscription {SUB}"),
    # case token.AzureDeveloperCLILogin: --tenant-id given only
    ("azd", {}, "", ""),
    ("azd", {"tenant": TENANT}, "", f"--tenant-id {TENANT}"),
    # case token.DeviceCodeLogin: client, tenant (flag over kubeconfig), the kubeconfig's environment as it is
    ("devicecode", {}, "", f"--client-id {AKS_CLIENT} --tenant-id {KC_TENANT} {PUBLIC}"),
    ("devicecode", {"client_id": CLIENT, "tenant": TENANT}, "", f"--client-id {CLIENT} --tenant-id {TENANT} {PUBLIC}"),
    # getArgValues: the kubeconfig's --cache-dir, else its --token-cache-dir, after --server-id (every mode)
    (
        "devicecode",
        {},
        "--token-cache-dir /c/",
        f"--cache-dir /c/ --client-id {AKS_CLIENT} --tenant-id {KC_TENANT} {PUBLIC}",
    ),
    # case token.InteractiveLogin: as devicecode, then the kubeconfig's --redirect-url and --login-hint
    ("interactive", {}, HINT, f"--client-id {AKS_CLIENT} --tenant-id {KC_TENANT} {PUBLIC} {HINT}"),
    # case token.ServicePrincipalLogin: client (the kubeconfig's: akscli token signs in as AZURE_CLIENT_ID), tenant
    ("spn", {}, "", f"--client-id {AKS_CLIENT} --tenant-id {KC_TENANT} {PUBLIC}"),
    ("spn", {"tenant": TENANT}, "", f"--client-id {AKS_CLIENT} --tenant-id {TENANT} {PUBLIC}"),
    # case token.MSILogin: the --client-id given, else the --identity-resource-id given; nothing else
    ("msi", {}, "", ""),
    ("msi", {"tenant": TENANT}, "", ""),
    ("msi", {"client_id": CLIENT}, "", f"--client-id {CLIENT}"),
    ("msi", {"identity_resource_id": IDENTITY_ID}, "", f"--identity-resource-id {IDENTITY_ID}"),
    # case token.WorkloadIdentityLogin: --client-id, then --tenant-id, each only where given (the webhook's
    # AZURE_TENANT_ID otherwise, not the kubeconfig's tenant)
    ("workloadidentity", {}, "", ""),
    ("workloadidentity", {"client_id": CLIENT, "tenant": TENANT}, "", f"--client-id {CLIENT} --tenant-id {TENANT}"),
]


def _id(case: tuple[str, dict[str, str], str, str]) -> str:
    return "-".join([case[0], *case[1], *(["kubeconfig"] if case[2] else [])])


@pytest.mark.parametrize(("mode", "flags", "extra", "written"), CASES, ids=[_id(c) for c in CASES])
def test_credentials_write_the_args_convert_kubeconfig_writes(
    monkeypatch: pytest.MonkeyPatch, mode: str, flags: dict[str, str], extra: str, written: str
) -> None:
    # A sign-in host other than the public one: convert writes --authority-host for no mode it was not given.
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "https://login.partner.example/")
    clustercreds.check_exec_identity(mode, **flags)
    args = clustercreds.exec_args(f"{ARM_LINE} {extra}".split(), mode, **flags)
    assert args == ["token", "--login", mode, "--server-id", S, *written.split()]
    assert parse_args(args[1:]).login == mode  # the line akscli token runs takes every arg


def test_a_sovereign_clouds_environment_is_written_where_convert_writes_it() -> None:
    line = ARM_LINE.replace("AzurePublicCloud", "AzureChinaCloud").split()
    assert clustercreds.exec_args(line, "spn")[-2:] == ["--environment", "AzureChinaCloud"]
    assert "--environment" not in clustercreds.exec_args(line, "azurecli")  # case token.AzureCLILogin: none


@pytest.mark.parametrize(
    "line",
    [
        # convert_test.go's expected args of the modes akscli token has, with the flags credentials never writes
        f"--login spn --client-id {CLIENT} --client-secret s3cr3t --tenant-id {KC_TENANT} "
        "--disable-environment-override",
        f"--login spn --client-id {CLIENT} --client-certificate CERT --client-certificate-password p4ss "
        f"--tenant-id {KC_TENANT} --environment AzureUSGovernmentCloud",
        f"--login workloadidentity --client-id {CLIENT} --tenant-id {KC_TENANT} "
        "--authority-host https://login.microsoftonline.com/ --federated-token-file TOKEN",
        f"--login azurepipelines --tenant-id {KC_TENANT} --azure-pipelines-service-connection-id {CLIENT}",
        f"--login azurecli --cache-dir /tmp/token_dir --tenant-id {KC_TENANT}",
    ],
    ids=["spn-secret", "spn-certificate", "workloadidentity-flags", "azurepipelines", "cache-dir"],
)
def test_akscli_token_takes_the_other_args_convert_writes(tmp_path: Path, line: str) -> None:
    (tmp_path / "cert.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    (tmp_path / "token").write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
    files = {"CERT": str(tmp_path / "cert.pem"), "TOKEN": str(tmp_path / "token")}
    req = parse_args(["get-token", *(files.get(a, a) for a in line.split())])
    assert req.login == line.split()[1] and req.tenant_id == KC_TENANT


@pytest.mark.parametrize(
    "line", [["get-token", "--server-id", ""], ["get-token", "--server-id="], ["--server-id", " "]]
)
def test_an_empty_server_id_in_the_exec_line_is_refused_not_replaced_by_the_aks_server_app(line: list[str]) -> None:
    # kubelogin convert-kubeconfig: "--server-id is required" (convert.go Convert); before, akscli wrote the AKS
    # server app in its place without a word.
    with pytest.raises(errors.AkscliError) as refused:
        clustercreds.exec_args(line, "azurecli")
    assert refused.value.message.startswith("the kubeconfig Azure returned has an empty --server-id in its exec line")
    assert refused.value.hint.startswith("nothing was written")
