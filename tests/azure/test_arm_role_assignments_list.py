"""The ARM emulator answers Role Assignments - List For Scope as its reference page says: with
``$filter=principalId eq {id}`` the principal's assignments at, above or below the scope; with
``$filter=atScope()`` those at or above it; with ``assignedTo('{id}')`` the principal's and those of the
groups it is in, transitively (tests/emulators/arm/authorization.py). Built-in role definitions answer
Get By Id."""

from __future__ import annotations

from urllib.parse import quote

from akscli.azure import arm
from tests.emulators.arm.server import ArmEmulator

PRINCIPAL = "25cc773c-7f05-40fc-a104-32d2300754ad"
OTHER = "0b0b0b0b-0000-4000-8000-000000000001"


def _seed(emu: ArmEmulator) -> str:
    sub = f"/subscriptions/{emu.subscription}"
    workspace = f"{sub}/resourceGroups/rg-ml/providers/Microsoft.Monitor/accounts/amw"
    scopes = {"sub": sub, "rg": f"{sub}/resourceGroups/rg-ml", "ws": workspace, "other-rg": f"{sub}/resourceGroups/rg"}
    for name, scope in scopes.items():
        for who in (PRINCIPAL, OTHER):
            emu.put_resource(
                f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}-{who[:4]}",
                {"properties": {"roleDefinitionId": "/providers/x/roleDefinitions/r", "principalId": who}},
            )
    return workspace


def _names(scope: str, text: str) -> list[str]:
    target = arm.AzureTarget().validated()
    params = "?api-version=2022-04-01&$filter=" + quote(text)
    found = arm.raw_pages(target, f"{scope}/providers/Microsoft.Authorization/roleAssignments", "2022-04-01", params)
    return sorted(str(a["name"]) for a in found)


def test_a_principal_filter_answers_its_assignments_at_above_and_below_the_scope(azure_env: ArmEmulator) -> None:
    workspace = _seed(azure_env)
    group = workspace.split("/providers/")[0]
    assert _names(group, f"principalId eq '{PRINCIPAL}'") == ["rg-25cc", "sub-25cc", "ws-25cc"]


def test_an_at_scope_filter_answers_the_assignments_at_or_above_the_scope(azure_env: ArmEmulator) -> None:
    workspace = _seed(azure_env)
    group = workspace.split("/providers/")[0]
    assert _names(group, "atScope()") == ["rg-0b0b", "rg-25cc", "sub-0b0b", "sub-25cc"]


def test_each_assignment_carries_its_scope_as_the_published_example_does(azure_env: ArmEmulator) -> None:
    workspace = _seed(azure_env)
    target = arm.AzureTarget().validated()
    params = "?api-version=2022-04-01&$filter=" + quote(f"principalId eq '{PRINCIPAL}'")
    found = arm.raw_pages(target, f"{workspace}/providers/Microsoft.Authorization/roleAssignments", "", params)
    by_name = {a["name"]: a for a in found}
    assert by_name["ws-25cc"]["properties"]["scope"] == workspace
    assert by_name["ws-25cc"]["type"] == "Microsoft.Authorization/roleAssignments"


def test_an_assigned_to_filter_answers_the_assignments_of_the_groups_the_principal_is_in(
    azure_env: ArmEmulator,
) -> None:
    workspace = _seed(azure_env)
    azure_env.group_members = {"group-a": {"group-b"}, "group-b": {PRINCIPAL}}
    azure_env.put_resource(
        f"{workspace}/providers/Microsoft.Authorization/roleAssignments/ws-group",
        {"properties": {"roleDefinitionId": "/providers/x/roleDefinitions/r", "principalId": "group-a"}},
    )
    group = workspace.split("/providers/")[0]
    assert _names(group, f"assignedTo('{PRINCIPAL}')") == ["rg-25cc", "sub-25cc", "ws-25cc", "ws-group"]
    assert _names(workspace, f"atScope() and assignedTo('{PRINCIPAL}')") == [
        "rg-25cc",
        "sub-25cc",
        "ws-25cc",
        "ws-group",
    ]
    assert _names(group, f"atScope() and assignedTo('{PRINCIPAL}')") == ["rg-25cc", "sub-25cc"]


def test_a_built_in_role_definition_answers_get_by_id_with_its_data_actions(azure_env: ArmEmulator) -> None:
    target = arm.AzureTarget().validated()
    role_id = "b0d8363b-8ddd-447d-831f-62ca05bff136"
    rid = f"/subscriptions/{azure_env.subscription}/providers/Microsoft.Authorization/roleDefinitions/{role_id}"
    role = arm.raw_call(arm.raw_client(target), "GET", rid, "2022-04-01") or {}
    assert role["properties"]["roleName"] == "Monitoring Data Reader"
    assert role["properties"]["permissions"][0]["dataActions"] == ["Microsoft.Monitor/accounts/data/metrics/read"]
    assert role["type"] == "Microsoft.Authorization/roleDefinitions"
