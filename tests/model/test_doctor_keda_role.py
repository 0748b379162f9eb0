"""Signed in to a subscription, `doctor` asks Azure whether the identity KEDA signs in as holds the
Monitoring Data Reader role on the Azure Monitor workspace its ScaledObjects query
(akscli.doctor.keda_role, upstream cited there). The ARM emulator answers the workspace and identity
lists as the published examples show them, and the role assignments list for the workspace's scope
with ``$filter=assignedTo(...)``, which follows group membership, and the role definitions by id
(tests/emulators/arm/authorization.py). Access is judged by the query's data action, so a group's
role and a custom role count."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator
from tests.emulators.kube.controllers.azure_monitor_collector import install_azure_monitor
from tests.emulators.kube.profiles import WORKLOAD_IDENTITY_ENV, keda_operator_pod

from ._queue import gpu_nodes

WORKSPACE_ENDPOINT = "https://amw-ml-a1b2.eastus.prometheus.monitor.azure.com"
DEPLOY = ("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:4", "--prometheus", WORKSPACE_ENDPOINT)
KEDA_CLIENT = WORKLOAD_IDENTITY_ENV[0]["value"]
PRINCIPAL = "25cc773c-7f05-40fc-a104-32d2300754ad"
DATA_READER = "b0d8363b-8ddd-447d-831f-62ca05bff136"
MONITORING_READER = "43d0d8ad-25c7-4714-9337-8ba259a9fe05"
Start = Callable[..., Any]


def _world(model_emulator: Start, arm: ArmEmulator, *, client_id: str = KEDA_CLIENT) -> str:
    """A federated KEDA querying a workspace, the workspace and KEDA's identity in ARM; the workspace id."""
    rg = f"/subscriptions/{arm.subscription}/resourceGroups/rg-ml"
    emu = model_emulator(serving=True)
    emu.prometheus = install_azure_monitor(emu, f"{rg}/providers/Microsoft.ContainerService/managedClusters/ml", None)
    gpu_nodes(emu, 4)
    keda_operator_pod(emu, workload_identity=True)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    workspace = f"{rg}/providers/Microsoft.Monitor/accounts/amw-ml"
    arm.put_resource(
        workspace, {"location": "eastus", "properties": {"metrics": {"prometheusQueryEndpoint": WORKSPACE_ENDPOINT}}}
    )
    arm.put_resource(
        f"{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-keda",
        {"location": "eastus", "properties": {"clientId": client_id, "principalId": PRINCIPAL}},
    )
    return workspace


def _assign(arm: ArmEmulator, scope: str, role: str, principal: str = PRINCIPAL, name: str = "a1") -> None:
    arm.put_resource(
        f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
        {
            "properties": {
                "roleDefinitionId": f"/subscriptions/{arm.subscription}/providers/Microsoft.Authorization/"
                f"roleDefinitions/{role}",
                "principalId": principal,
                "principalType": "ServicePrincipal",
                "scope": scope,
            }
        },
    )


def _custom_role(arm: ArmEmulator, role: str, data_actions: list[str], not_data_actions: list[str]) -> None:
    arm.put_resource(
        f"/subscriptions/{arm.subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}",
        {
            "properties": {
                "roleName": "amw-query",
                "type": "CustomRole",
                "assignableScopes": [f"/subscriptions/{arm.subscription}"],
                "permissions": [
                    {"actions": [], "notActions": [], "dataActions": data_actions, "notDataActions": not_data_actions}
                ],
            }
        },
    )


def _role_row() -> dict[str, Any] | None:
    result = invoke("doctor", "--for", "model", "-o", "json")
    assert "Traceback" not in result.stderr, result
    rows = {r["check"]: r for r in json.loads(result.stdout)["checks"] if r["component"] == "keda"}
    return rows.get("monitoring role")


def test_doctor_passes_a_keda_identity_that_holds_monitoring_data_reader_on_the_workspace(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    workspace = _world(model_emulator, azure_env)
    _assign(azure_env, workspace, DATA_READER)
    row = _role_row()
    assert row is not None and row["status"] == "ok"
    assert row["detail"] == (
        f"identity id-keda (principal {PRINCIPAL}) holds Monitoring Data Reader on workspace {workspace} "
        f"(assigned at {workspace})"
    )


def test_doctor_names_the_role_to_grant_where_keda_holds_another_or_another_principal_holds_it(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    # Before: no role check at all; KEDA's 403 (KEDAScalerFailed) was the only sign.
    workspace = _world(model_emulator, azure_env)
    _assign(azure_env, workspace, MONITORING_READER)  # Monitoring Reader grants no query
    _assign(azure_env, workspace, DATA_READER, principal="0b0b0b0b-0000-4000-8000-000000000001", name="a2")
    row = _role_row()
    assert row is not None and (row["status"], row["severity"]) == ("not-ready", "optional")
    assert row["detail"].startswith(
        f"identity id-keda (principal {PRINCIPAL}), which KEDA signs in as, holds no role with "
        f"Microsoft.Monitor/accounts/data/metrics/read on workspace {workspace} or above it, itself or through a "
        "group, so the workspace refuses KEDA's queries (403)"
    )
    assert row["fix"] == (
        f"az role assignment create --assignee-object-id {PRINCIPAL} --assignee-principal-type ServicePrincipal "
        f'--role "Monitoring Data Reader" --scope {workspace}'
    )


def test_a_role_assigned_on_the_workspaces_resource_group_grants_it(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    workspace = _world(model_emulator, azure_env)
    group = workspace.split("/providers/")[0]
    _assign(azure_env, group, DATA_READER)
    row = _role_row()
    assert row is not None and row["status"] == "ok"
    assert row["detail"].endswith(f"(assigned at {group})")


def test_a_role_given_to_a_group_the_identity_is_in_through_another_group_grants_it(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    # Before: the list asked for the principal's own assignments only, so this was not-ready.
    workspace = _world(model_emulator, azure_env)
    outer, inner = "9e9e9e9e-0000-4000-8000-000000000001", "9e9e9e9e-0000-4000-8000-000000000002"
    azure_env.group_members = {outer: {inner}, inner: {PRINCIPAL}}
    _assign(azure_env, workspace, DATA_READER, principal=outer)
    row = _role_row()
    assert row is not None and row["status"] == "ok"
    assert row["detail"].endswith(f"(assigned at {workspace}, given to group {outer})")


def test_a_custom_role_whose_data_action_wildcard_covers_the_query_grants_it(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    # Before: only the built-in role's id counted.
    workspace = _world(model_emulator, azure_env)
    custom = "5c5c5c5c-0000-4000-8000-000000000001"
    _custom_role(azure_env, custom, ["Microsoft.Monitor/accounts/data/*"], [])
    _assign(azure_env, workspace, custom)
    row = _role_row()
    assert row is not None and row["status"] == "ok"
    assert row["detail"].startswith(f"identity id-keda (principal {PRINCIPAL}) holds amw-query on workspace")


def test_a_custom_role_that_takes_the_query_out_with_not_data_actions_does_not_grant_it(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    workspace = _world(model_emulator, azure_env)
    custom = "5c5c5c5c-0000-4000-8000-000000000002"
    _custom_role(
        azure_env, custom, ["Microsoft.Monitor/accounts/data/*"], ["Microsoft.Monitor/accounts/data/metrics/read"]
    )
    _assign(azure_env, workspace, custom)
    row = _role_row()
    assert row is not None and row["status"] == "not-ready"


def test_doctor_cannot_tell_the_role_of_a_client_no_identity_or_app_registration_has(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    _world(model_emulator, azure_env, client_id="11111111-2222-4333-8444-555555555555")
    row = _role_row()
    assert row is not None and row["status"] == "unknown"
    assert row["detail"] == (
        f"client ID {KEDA_CLIENT}, the one KEDA signs in as, is no user-assigned identity in subscription "
        f"{azure_env.subscription} and has no service principal in the signed-in tenant, so no role can be "
        "assigned to it"
    )


def _elsewhere(model_emulator: Start, arm: ArmEmulator, kind: str, name: str) -> str:
    """KEDA signs in as a client that no user-assigned identity in the subscription has, whose service
    principal Graph knows (an app registration, or an identity in another subscription); the workspace."""
    workspace = _world(model_emulator, arm, client_id="11111111-2222-4333-8444-555555555555")
    arm.service_principals[KEDA_CLIENT.lower()] = {"id": SP_OBJECT, "displayName": name, "servicePrincipalType": kind}
    return workspace


SP_OBJECT = "7a7a7a7a-0000-4000-8000-000000000001"


def test_doctor_passes_an_app_registration_that_holds_the_role_through_its_service_principal(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    # Before: unknown, "an app registration's ... is not looked up".
    workspace = _elsewhere(model_emulator, azure_env, "Application", "keda-app")
    _assign(azure_env, workspace, DATA_READER, principal=SP_OBJECT)
    row = _role_row()
    assert row is not None and row["status"] == "ok"
    assert row["detail"] == (
        f"app registration keda-app (principal {SP_OBJECT}) holds Monitoring Data Reader on workspace "
        f"{workspace} (assigned at {workspace})"
    )


def test_doctor_names_the_role_to_grant_to_an_identity_of_another_subscription(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    # Before: unknown, "pass --subscription with the identity's subscription".
    workspace = _elsewhere(model_emulator, azure_env, "ManagedIdentity", "id-keda-hub")
    row = _role_row()
    assert row is not None and row["status"] == "not-ready"
    assert row["detail"].startswith(f"managed identity id-keda-hub (principal {SP_OBJECT}), which KEDA signs in as")
    assert row["fix"] == (
        f"az role assignment create --assignee-object-id {SP_OBJECT} --assignee-principal-type ServicePrincipal "
        f'--role "Monitoring Data Reader" --scope {workspace}'
    )


def test_doctor_says_why_it_cannot_tell_where_graph_refuses_the_service_principal_read(
    model_emulator: Start, azure_env: ArmEmulator
) -> None:
    _elsewhere(model_emulator, azure_env, "Application", "keda-app")
    azure_env.graph_denied = True
    row = _role_row()
    assert row is not None and row["status"] == "unknown"
    assert "Microsoft Graph cannot be asked for its service principal" in row["detail"]
    assert "Insufficient privileges" in row["detail"]
    assert row["fix"].startswith("sign in as a user who may read service principals (Application.Read.All)")


def test_doctor_asks_azure_nothing_where_no_subscription_is_chosen(model_emulator: Start) -> None:
    # A guard (no row before either): doctor reads the cluster and needs no Azure sign-in.
    emu = model_emulator(serving=True)
    emu.prometheus = install_azure_monitor(
        emu, "/subscriptions/0000/resourceGroups/rg-ml/providers/Microsoft.ContainerService/managedClusters/ml", None
    )
    gpu_nodes(emu, 4)
    keda_operator_pod(emu, workload_identity=True)
    assert invoke(*DEPLOY, "-y").exit_code == 0
    assert _role_row() is None
