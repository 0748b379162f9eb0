"""The ARM emulator answers Federated Identity Credentials - List as Azure/azure-rest-api-specs
specification/msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/examples/
FederatedIdentityCredentialList.json shows it: each credential of that identity with its id, name,
type and properties (issuer, subject, audiences); a child collection of the identity, so a list
under an identity that does not exist is a 404, as ARM answers any request under a missing parent."""

from __future__ import annotations

import pytest

from akscli.azure import arm
from akscli.errors import AkscliError
from tests.emulators.arm.server import ArmEmulator

API = "2023-01-31"


def _identity(emu: ArmEmulator, name: str) -> str:
    rid = (
        f"/subscriptions/{emu.subscription}/resourceGroups/rg-ml/providers/"
        f"Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
    )
    emu.put_resource(rid, {"location": "eastus", "properties": {"clientId": f"client-{name}"}})
    return rid


def _credential(emu: ArmEmulator, identity: str, name: str, subject: str) -> None:
    emu.put_resource(
        f"{identity}/federatedIdentityCredentials/{name}",
        {
            "properties": {
                "issuer": "https://oidc.prod-aks.azure.com/TenantGUID/IssuerGUID",
                "subject": subject,
                "audiences": ["api://AzureADTokenExchange"],
            }
        },
    )


def test_a_list_answers_the_identitys_own_credentials_in_the_published_shape(azure_env: ArmEmulator) -> None:
    keda, other = _identity(azure_env, "id-keda"), _identity(azure_env, "id-other")
    _credential(azure_env, keda, "fed-keda", "system:serviceaccount:keda:keda-operator")
    _credential(azure_env, other, "fed-app", "system:serviceaccount:default:app")
    found = arm.raw_pages(arm.AzureTarget().validated(), f"{keda}/federatedIdentityCredentials", API)
    for item in found:  # the emulator's own addition to every resource (not in the 2023-01-31 model)
        item["properties"].pop("provisioningState", None)
    assert found == [
        {
            "id": f"{keda}/federatedIdentityCredentials/fed-keda",
            "name": "fed-keda",
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            "properties": {
                "issuer": "https://oidc.prod-aks.azure.com/TenantGUID/IssuerGUID",
                "subject": "system:serviceaccount:keda:keda-operator",
                "audiences": ["api://AzureADTokenExchange"],
            },
        }
    ]


def test_a_list_under_an_identity_that_does_not_exist_is_not_found(azure_env: ArmEmulator) -> None:
    missing = (
        f"/subscriptions/{azure_env.subscription}/resourceGroups/rg-ml/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/id-gone"
    )
    with pytest.raises(AkscliError) as caught:
        arm.raw_pages(arm.AzureTarget().validated(), f"{missing}/federatedIdentityCredentials", API)
    assert "id-gone" in caught.value.message
