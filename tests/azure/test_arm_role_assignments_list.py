"""The ARM emulator answers Role Assignments - List For Scope as its reference page says: with
``$filter=principalId eq {id}`` the principal's assignments at, above or below the scope; with
``$filter=atScope()`` those at or above it (tests/emulators/arm/authorization.py)."""

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
