"""``cluster credentials --login msi --identity-resource-id ID`` writes kubelogin's flag as kubelogin's
convert-kubeconfig writes it (upstream: Azure/kubelogin 66784961 pkg/internal/converter/convert.go, case
token.MSILogin: ``--identity-resource-id`` and its value, where no --client-id is given; convert_test.go
"convert from devicecode to msi with identity-resource-id override"), from the kubelogin exec block that
ARM's listClusterUserCredential returns; the written line signs in as that identity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.azure.helpers import RG, seed_cluster
from tests.azure.test_token_env_overrides import KUBELOGIN_NAMES
from tests.cli import invoke
from tests.emulators.arm import AKS_SERVER_APP, ArmEmulator

IDENTITY = "5b3c1f0e-2d4a-4e6b-8c9d-0a1b2c3d4e5f"
IDENTITY_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/ml-runner"
)
AKS_CLIENT = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"  # the kubelogin block's --client-id (the emulator's)


def credentials(cfg: Path, *args: str) -> object:
    return invoke("cluster", "credentials", "aks1", "-g", RG, "--kubeconfig", str(cfg), *args)


def exec_of(cfg: Path) -> dict:
    return YAML(typ="safe", pure=True).load(cfg.read_text())["users"][0]["user"]["exec"]


def test_msi_credentials_write_the_identity_resource_id_as_kubelogin_writes_it(
    azure_env: ArmEmulator, tmp_path: Path
) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    r = credentials(cfg, "--login", "msi", "--identity-resource-id", IDENTITY_ID)
    assert r.exit_code == 0, r
    args = exec_of(cfg)["args"]
    assert args == ["token", "--login", "msi", "--server-id", AKS_SERVER_APP, "--identity-resource-id", IDENTITY_ID]
    assert AKS_CLIENT not in args  # the AKS client names no identity: kubelogin drops it for msi


def test_the_written_exec_line_signs_in_as_that_identity(
    azure_env: ArmEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    assert credentials(cfg, "--login", "msi", "--identity-resource-id", IDENTITY_ID).exit_code == 0
    for name in (*KUBELOGIN_NAMES, "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AAD_LOGIN_METHOD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IDENTITY_ENDPOINT", azure_env.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", azure_env.msi_header)
    azure_env.user_assigned_identities[IDENTITY_ID.lower()] = IDENTITY
    r = invoke(*exec_of(cfg)["args"])  # as kubectl runs it
    assert r.exit_code == 0, r
    assert azure_env.tokens[json.loads(r.stdout)["status"]["token"]]["appid"] == IDENTITY


@pytest.mark.parametrize(
    "args",
    [
        ("--identity-resource-id", IDENTITY_ID),
        ("--login", "azurecli", "--identity-resource-id", IDENTITY_ID),
        ("--login", "msi", "--admin", "--identity-resource-id", IDENTITY_ID),
    ],
    ids=["no-login", "azurecli", "admin"],
)
def test_identity_resource_id_without_login_msi_is_one_usage_line_and_nothing_is_sent(
    azure_env: ArmEmulator, tmp_path: Path, args: tuple[str, ...]
) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    r = credentials(cfg, *args)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == "error: --identity-resource-id names the managed identity of --login msi"
    assert azure_env.requests_to("/listCluster(User|Admin)Credential$", "POST") == []
    assert not cfg.exists()


@pytest.mark.parametrize(
    "value",
    ["", "ml-runner", IDENTITY_ID.replace("userAssignedIdentities", "identities"), IDENTITY_ID + "/x"],
    ids=["empty", "a-name", "other-type", "too-long"],
)
def test_an_identity_resource_id_that_is_no_identitys_arm_id_is_refused_before_anything_is_sent(
    azure_env: ArmEmulator, tmp_path: Path, value: str
) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    r = credentials(cfg, "--login", "msi", "--identity-resource-id", value)
    assert r.exit_code == 2, r
    first = r.stderr.splitlines()[0]
    empty = "error: the value of --identity-resource-id is empty"
    assert first.startswith(("error: invalid --identity-resource-id ", empty))
    assert "Traceback" not in r.stderr
    assert azure_env.requests_to("/listClusterUserCredential$", "POST") == []
    assert not cfg.exists()


# --client-id, written as kubelogin's convert writes it (convert.go: case token.MSILogin, the flag's --client-id
# over --identity-resource-id; devicecode and interactive, getArgValues: the flag's client over the kubeconfig's).
@pytest.mark.parametrize("mode", ["msi", "devicecode"])
def test_credentials_write_the_client_id_given_as_kubelogin_writes_it(
    azure_env: ArmEmulator, tmp_path: Path, mode: str
) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    r = credentials(cfg, "--login", mode, "--client-id", IDENTITY)
    assert r.exit_code == 0, r
    args = exec_of(cfg)["args"]
    assert args[:6] == ["token", "--login", mode, "--server-id", AKS_SERVER_APP, "--client-id"]
    assert args[6] == IDENTITY
    assert AKS_CLIENT not in args


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (("--client-id", IDENTITY), "--client-id names the managed identity of --login msi, or the public client"),
        (("--login", "azurecli", "--client-id", IDENTITY), "--client-id names the managed identity of --login msi"),
        (("--login", "msi", "--admin", "--client-id", IDENTITY), "--client-id names the managed identity of"),
        (
            ("--login", "msi", "--client-id", IDENTITY, "--identity-resource-id", IDENTITY_ID),
            "--client-id and --identity-resource-id each name the managed identity: give one",
        ),
        (("--login", "msi", "--client-id", "not an id"), "invalid --client-id 'not an id'"),
    ],
    ids=["no-login", "azurecli", "admin", "both", "invalid"],
)
def test_a_client_id_the_exec_line_cannot_take_is_one_usage_line_and_nothing_is_sent(
    azure_env: ArmEmulator, tmp_path: Path, args: tuple[str, ...], first: str
) -> None:
    seed_cluster(azure_env)
    cfg = tmp_path / "config"
    r = credentials(cfg, *args)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0].startswith("error: " + first)
    assert "Traceback" not in r.stderr
    assert azure_env.requests_to("/listCluster(User|Admin)Credential$", "POST") == []
    assert not cfg.exists()
