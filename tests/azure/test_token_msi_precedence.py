"""``akscli token`` in msi mode picks the managed identity as kubelogin does (upstream: Azure/kubelogin
pkg/internal/token/options.go ``UpdateFromEnv`` and msicredential.go, commit
66784961ef44a34236a651d9b08bcdf0aa07b836): AZURE_CLIENT_ID (else AAD_SERVICE_PRINCIPAL_CLIENT_ID; with
--use-azurerm-env-vars ARM_CLIENT_ID), read after the flags, wins over --client-id; then the client id,
else --identity-resource-id, else the system-assigned identity. The kubeconfig ``az aks get-credentials``
writes carries --client-id for the AKS client, which names no identity."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.azure.test_token_env_overrides import KUBELOGIN_NAMES, claims_of
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

AKS_CLIENT = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"  # the --client-id az aks get-credentials writes
IDENTITY = "5b3c1f0e-2d4a-4e6b-8c9d-0a1b2c3d4e5f"  # a user-assigned identity's client id
IDENTITY_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/ml-runner"
)
# The exec line of an AKS kubeconfig with AAD_LOGIN_METHOD=msi choosing the mode.
AKS_EXEC = ("--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630", "--client-id", AKS_CLIENT, "--login", "devicecode")


@pytest.fixture
def on_a_node(azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[ArmEmulator]:
    """A machine with a managed identity endpoint, no service principal, and AAD_LOGIN_METHOD=msi."""
    for name in (*KUBELOGIN_NAMES, "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IDENTITY_ENDPOINT", azure_env.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", azure_env.msi_header)
    monkeypatch.setenv("AAD_LOGIN_METHOD", "msi")
    azure_env.user_assigned_identities[IDENTITY_ID.lower()] = IDENTITY
    yield azure_env


def test_azure_client_id_wins_over_the_kubeconfigs_client_id_in_msi_mode(on_a_node: ArmEmulator) -> None:
    claims = claims_of(on_a_node, *AKS_EXEC, env={"AZURE_CLIENT_ID": IDENTITY})
    assert claims["appid"] == IDENTITY


def test_kubelogins_service_principal_variable_also_names_the_identity(on_a_node: ArmEmulator) -> None:
    claims = claims_of(on_a_node, *AKS_EXEC, env={"AAD_SERVICE_PRINCIPAL_CLIENT_ID": IDENTITY})
    assert claims["appid"] == IDENTITY


def test_arm_client_id_names_the_identity_with_use_azurerm_env_vars(on_a_node: ArmEmulator) -> None:
    args = (*AKS_EXEC, "--use-azurerm-env-vars")
    claims = claims_of(on_a_node, *args, env={"ARM_CLIENT_ID": IDENTITY, "AZURE_CLIENT_ID": AKS_CLIENT})
    assert claims["appid"] == IDENTITY


def test_an_empty_azure_client_id_leaves_the_system_assigned_identity(on_a_node: ArmEmulator) -> None:
    # os.LookupEnv: set but empty, it replaces the flag with "", and kubelogin asks for no identity.
    claims = claims_of(on_a_node, *AKS_EXEC, env={"AZURE_CLIENT_ID": ""})
    assert claims["appid"] == "msi-system-assigned"


def test_without_a_variable_the_client_id_flag_names_the_identity(on_a_node: ArmEmulator) -> None:
    claims = claims_of(on_a_node, "--login", "msi", "--client-id", IDENTITY)
    assert claims["appid"] == IDENTITY


def test_disable_environment_override_keeps_the_client_id_flag(on_a_node: ArmEmulator) -> None:
    args = ("--login", "msi", "--client-id", IDENTITY, "--disable-environment-override")
    assert claims_of(on_a_node, *args, env={"AZURE_CLIENT_ID": AKS_CLIENT})["appid"] == IDENTITY


def test_identity_resource_id_names_a_user_assigned_identity(on_a_node: ArmEmulator) -> None:
    claims = claims_of(on_a_node, "--login", "msi", "--identity-resource-id", IDENTITY_ID)
    assert claims["appid"] == IDENTITY


def test_a_client_id_wins_over_identity_resource_id(on_a_node: ArmEmulator) -> None:
    other = "11111111-2222-3333-4444-555555555555"
    args = ("--login", "msi", "--identity-resource-id", IDENTITY_ID)
    assert claims_of(on_a_node, *args, env={"AZURE_CLIENT_ID": other})["appid"] == other


def test_tokens_of_two_identities_are_cached_apart(on_a_node: ArmEmulator) -> None:
    first = claims_of(on_a_node, "--login", "msi", "--identity-resource-id", IDENTITY_ID)
    second = claims_of(on_a_node, "--login", "msi")
    assert (first["appid"], second["appid"]) == (IDENTITY, "msi-system-assigned")


def test_an_identity_resource_id_that_is_no_identitys_arm_id_is_one_usage_line(on_a_node: ArmEmulator) -> None:
    r = invoke("token", "--login", "msi", "--identity-resource-id", "/subscriptions/s/resourceGroups/rg")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == "error: invalid --identity-resource-id '/subscriptions/s/resourceGroups/rg'"
    assert [e.path for e in on_a_node.request_log if e.path.startswith("/msi/")] == []
