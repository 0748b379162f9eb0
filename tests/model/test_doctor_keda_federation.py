"""Signed in to a subscription, `doctor` asks Azure whether the user-assigned identity KEDA signs in
as has a federated credential for KEDA's service account on this cluster: the cluster's OIDC issuer
(its managedClusters ``oidcIssuerProfile.issuerURL``), subject ``system:serviceaccount:NS:keda-operator``,
audience ``api://AzureADTokenExchange``. Without one Microsoft Entra refuses KEDA's token (AADSTS70021)
and the row names what differs, with the `az identity federated-credential create` that fixes it
(akscli.doctor.keda_federation, upstream cited there). The ARM emulator answers the credentials as
Azure/azure-rest-api-specs specification/msi/.../2023-01-31/examples/FederatedIdentityCredentialList.json
shows them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator

from .test_doctor_keda_role import _world

Start = Callable[..., Any]
ISSUER = (
    "https://eastus.oic.prod-aks.azure.com/00000000-0000-0000-0000-0000000000aa/4f1c2a9e-3b7d-4c55-9a0e-6d2b8f1e7c3a/"
)
SUBJECT = "system:serviceaccount:keda:keda-operator"  # KEDA's chart: namespace keda, account keda-operator
AUDIENCE = "api://AzureADTokenExchange"


def _cluster(arm: ArmEmulator, issuer: str | None = ISSUER) -> None:
    """The managed cluster Azure Monitor's collector names (the one _world installs it for)."""
    profile = {"enabled": True, "issuerURL": issuer} if issuer else {"enabled": False}
    arm.put_resource(
        f"/subscriptions/{arm.subscription}/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/ml",
        {"location": "eastus", "properties": {"oidcIssuerProfile": profile}},
    )


def _credential(arm: ArmEmulator, name: str, issuer: str = ISSUER, subject: str = SUBJECT) -> None:
    arm.put_resource(
        f"/subscriptions/{arm.subscription}/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/"
        f"userAssignedIdentities/id-keda/federatedIdentityCredentials/{name}",
        {"properties": {"issuer": issuer, "subject": subject, "audiences": [AUDIENCE]}},
    )


def _row() -> dict[str, Any] | None:
    result = invoke("doctor", "--for", "model", "-o", "json")
    assert "Traceback" not in result.stderr, result
    rows = {r["check"]: r for r in json.loads(result.stdout)["checks"] if r["component"] == "keda"}
    return rows.get("federated credential")


def _fix(name: str) -> str:
    return (
        f"az identity federated-credential create --name {name} --identity-name id-keda --resource-group rg-ml "
        f"--issuer {ISSUER} --subject {SUBJECT} --audience {AUDIENCE}"
    )


def test_doctor_passes_an_identity_that_trusts_kedas_service_account_on_this_clusters_issuer(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    _world(model_emulator, azure_env)
    _cluster(azure_env)
    _credential(azure_env, "other-app", subject="system:serviceaccount:default:app")
    _credential(azure_env, "fed-keda")
    row = _row()
    assert row is not None and row["status"] == "ok"
    assert row["detail"] == f"identity id-keda trusts {SUBJECT} of issuer {ISSUER} (credential fed-keda)"


def test_doctor_names_a_credential_whose_issuer_lacks_the_trailing_slash(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    # Before: the row was not there; KEDA's AADSTS70021 (KEDAScalerFailed) was the only sign.
    _world(model_emulator, azure_env)
    _cluster(azure_env)
    _credential(azure_env, "keda-cred", issuer=ISSUER.rstrip("/"))
    row = _row()
    assert row is not None and (row["status"], row["severity"]) == ("not-ready", "optional")
    assert row["detail"] == (
        f"identity id-keda's credential keda-cred for {SUBJECT} names issuer {ISSUER.rstrip('/')}, not this "
        f"cluster's {ISSUER} (only the trailing / differs: the issuer must match exactly), so Microsoft Entra "
        "refuses KEDA's token (AADSTS70021: No matching federated identity record found for presented assertion) "
        "and every workspace query fails"
    )
    assert row["fix"] == _fix("keda-cred")  # the create replaces KEDA's own credential


def test_doctor_names_the_add_ons_subject_where_keda_runs_from_its_chart(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    # The AKS add-on's operator runs in kube-system; KEDA's chart (here) in keda.
    _world(model_emulator, azure_env)
    _cluster(azure_env)
    _credential(azure_env, "fed-keda", subject="system:serviceaccount:kube-system:keda-operator")
    row = _row()
    assert row is not None and row["status"] == "not-ready"
    assert row["detail"].startswith(
        "identity id-keda trusts this cluster's issuer only for system:serviceaccount:kube-system:keda-operator, "
        f"not {SUBJECT}, the service account KEDA's operator runs as"
    )
    assert row["fix"] == _fix("fed-keda-2")  # fed-keda is taken: a create over it would replace it


def test_doctor_says_an_identity_without_federated_credentials_cannot_take_kedas_token(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    _world(model_emulator, azure_env)
    _cluster(azure_env)
    row = _row()
    assert row is not None and row["status"] == "not-ready"
    assert row["detail"].startswith(
        f"identity id-keda has no federated credential, none for this cluster's issuer {ISSUER}"
    )
    assert row["fix"] == _fix("fed-keda")


def test_doctor_says_a_cluster_without_an_oidc_issuer_gives_no_token_entra_can_check(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    _world(model_emulator, azure_env)
    _cluster(azure_env, issuer=None)
    _credential(azure_env, "fed-keda")
    row = _row()
    assert row is not None and row["status"] == "not-ready"
    assert row["detail"].startswith("cluster ml has no OIDC issuer")
    assert (
        row["fix"] == "az aks update --resource-group rg-ml --name ml --enable-oidc-issuer --enable-workload-identity"
    )


def test_doctor_cannot_tell_the_credential_where_the_cluster_is_not_in_the_subscription(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    _world(model_emulator, azure_env)
    row = _row()
    assert row is not None and row["status"] == "unknown"
    assert row["detail"].startswith(
        f"whether identity id-keda trusts {SUBJECT} cannot be told: cluster /subscriptions/"
    )
    assert row["fix"].startswith(
        "compare az identity federated-credential list --identity-name id-keda --resource-group rg-ml"
    )


def test_doctor_says_to_delete_one_first_where_the_identity_holds_the_most_credentials_entra_allows(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    # entra-docs workload-identity-federation-considerations.md: at most 20 per user-assigned identity.
    _world(model_emulator, azure_env)
    _cluster(azure_env)
    for i in range(20):
        _credential(azure_env, f"app-{i:02d}", subject=f"system:serviceaccount:app{i}:default")
    row = _row()
    assert row is not None and row["status"] == "not-ready"
    assert row["fix"] == (
        "az identity federated-credential delete --name UNUSED --identity-name id-keda --resource-group rg-ml "
        f"(it holds 20, the most Entra allows), then {_fix('fed-keda')}"
    )
