"""Microsoft.Authorization role assignments, as ``Role Assignments - List For Scope`` answers a list
at a scope (``GET {scope}/providers/Microsoft.Authorization/roleAssignments``, api-version 2022-04-01).

Its ``$filter`` (learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope):
"Use $filter=atScope() to return all role assignments at or above the scope. Use $filter=principalId
eq {id} to return all role assignments at, above or below the scope for the specified principal."
``assignedTo('{objectId}')`` "Lists role assignments for a specified user or service principal. If the
user is a member of a group that has a role assignment, that role assignment is also listed. This
filter is transitive for groups", and ``atScope() and assignedTo(...)`` narrows it to the scope and
above (MicrosoftDocs/azure-docs articles/role-based-access-control/role-assignments-list-rest.md).
Membership is what a test puts in ``emu.group_members`` (group -> members; no Graph API here). The
same page says a group's object id is not accepted; the emulator does not refuse one (no published
error body was found).
A scope is above another where it is one of its parents by id (a subscription above its resource
groups and their resources; ``/`` and a management group above every subscription here: the
emulator has one tenant and no management-group membership). The page does not say what the list
answers without a filter; the emulator answers as for ``principalId``, for every principal. Any other
filter is refused with 400, in the emulator's own words (no published answer was found).

Each assignment answers as Azure/azure-rest-api-specs specification/authorization/resource-manager/
Microsoft.Authorization/stable/2022-04-01/examples/RoleAssignments_ListForScope.json shows it: id,
type, name, and properties roleDefinitionId, principalId, principalType, scope (filled from the id
where a test stored none). Tests store assignments with ``emu.put_resource``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

ROLE_ASSIGNMENTS = r"Microsoft\.Authorization/roleAssignments"
_PRINCIPAL = re.compile(r"\s*principalId\s+eq\s+'?([0-9A-Za-z-]+)'?\s*", re.I)
_AT_SCOPE = re.compile(r"\s*atScope\(\)\s*", re.I)
_ASSIGNED_TO = re.compile(r"\s*(atScope\(\)\s+and\s+)?assignedTo\('([0-9A-Za-z-]+)'\)\s*", re.I)


def _scope_of(assignment: dict[str, Any]) -> str:
    props = assignment.get("properties") or {}
    return str(props.get("scope") or assignment["id"].split("/providers/Microsoft.Authorization/")[0] or "/")


def _above(upper: str, lower: str) -> bool:
    """``upper`` is ``lower`` or one of its parents."""
    upper, lower = upper.rstrip("/").lower(), lower.rstrip("/").lower()
    return upper in ("", lower) or lower.startswith(upper + "/") or upper.startswith("/providers/microsoft.management/")


def list_for_scope(emu: ArmEmulator, scope: str, query: dict[str, list[str]]) -> list[dict[str, Any]]:
    text = next((v[0] for k, v in query.items() if k.lower() == "$filter"), "")
    principal = _PRINCIPAL.fullmatch(text)
    assigned = _ASSIGNED_TO.fullmatch(text)
    at_scope = _AT_SCOPE.fullmatch(text) or (assigned and assigned.group(1))
    principals = _with_groups(emu, assigned.group(2)) if assigned else None
    if text and not principal and not at_scope and not assigned:
        raise ArmError(400, "InvalidFilter", f"The filter '{text}' is not supported.")
    out = []
    for assignment in emu.list_resources("Microsoft.Authorization/roleAssignments"):
        props = assignment.setdefault("properties", {})
        props.setdefault("scope", _scope_of(assignment))
        theirs = str(props["scope"])
        if principal and str(props.get("principalId", "")).lower() != principal.group(1).lower():
            continue
        if principals is not None and str(props.get("principalId", "")).lower() not in principals:
            continue
        if _above(theirs, scope) or (not at_scope and _above(scope, theirs)):
            out.append(assignment)
    return out


def _with_groups(emu: ArmEmulator, member: str) -> set[str]:
    """The member and every group it is in, directly or through other groups (lower case)."""
    found = {member.lower()}
    grew = True
    while grew:
        grew = False
        for group, members in emu.group_members.items():
            if group.lower() not in found and found & {m.lower() for m in members}:
                found.add(group.lower())
                grew = True
    return found


# Built-in role definitions, answered to Role Definitions - Get By Id at the subscription's scope in
# the shape of specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/
# examples/GetRoleDefinitionById.json. Monitoring Reader: MicrosoftDocs/azure-docs
# articles/role-based-access-control/built-in-roles/monitor.md (no DataActions). Monitoring Data
# Reader is not on that page; its id is Azure/prometheus-collector
# AddonBicepTemplate/nested_grafana_amw_role_assignment.bicep's, and the one data action given here is
# the one a workspace's 403 names while the docs say to grant this role
# (Microsoft.Monitor/accounts/data/metrics/read; MicrosoftDocs/azure-docs
# articles/role-based-access-control/permissions/monitor.md). Its control-plane actions were not found,
# so none are given.
BUILT_IN_ROLES: dict[str, tuple[str, list[str], list[str]]] = {
    "b0d8363b-8ddd-447d-831f-62ca05bff136": (
        "Monitoring Data Reader",
        [],
        ["Microsoft.Monitor/accounts/data/metrics/read"],
    ),
    "43d0d8ad-25c7-4714-9337-8ba259a9fe05": (
        "Monitoring Reader",
        ["*/read", "Microsoft.OperationalInsights/workspaces/search/action", "Microsoft.Support/*"],
        [],
    ),
}


def role_definition_id(subscription: str, role: str) -> str:
    return f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}"


SERVICE_PRINCIPAL_BY_APP_ID = r"^/v1\.0/servicePrincipals\(appId='([^']*)'\)$"


def service_principal(emu: ArmEmulator, path: str, _query: Any, _body: Any) -> tuple[int, dict[str, Any]]:
    """Microsoft Graph ``GET /v1.0/servicePrincipals(appId='{appId}')`` (upstream: learn.microsoft.com/graph/api/
    serviceprincipal-get; MicrosoftDocs/microsoft-graph-docs-contrib api-reference/v1.0/api/
    serviceprincipal-get.md): the service principal with ``id`` (its object ID), ``appId``,
    ``displayName`` and ``servicePrincipalType``, from ``emu.service_principals``. An unknown appId is
    404 ``Request_ResourceNotFound``; a caller without Application.Read.All gets 403
    ``Authorization_RequestDenied`` "Insufficient privileges to complete the operation." (Graph's
    error codes: learn.microsoft.com/graph/errors, directory codes as the Graph PowerShell and CLI
    users quote them). The token's audience is not checked here: routes are not given the headers."""
    app_id = unquote(re.fullmatch(SERVICE_PRINCIPAL_BY_APP_ID, path, re.I).group(1))  # type: ignore[union-attr]
    if emu.graph_denied:
        return 403, {
            "error": {
                "code": "Authorization_RequestDenied",
                "message": "Insufficient privileges to complete the operation.",
            }
        }
    found = emu.service_principals.get(app_id.lower())
    if found is None:
        message = (
            f"Resource '{app_id}' does not exist or one of its queried reference-property objects are not present."
        )
        return 404, {"error": {"code": "Request_ResourceNotFound", "message": message}}
    return 200, {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
        "appId": app_id,
        **found,
    }


def install(emu: ArmEmulator) -> None:
    emu.add_hooks(ROLE_ASSIGNMENTS, on_scope_list=list_for_scope)
    emu.register_route("GET", SERVICE_PRINCIPAL_BY_APP_ID, service_principal)
    for role, (name, actions, data_actions) in BUILT_IN_ROLES.items():
        perms = {"actions": actions, "notActions": [], "dataActions": data_actions, "notDataActions": []}
        emu.put_resource(
            role_definition_id(emu.subscription, role),
            {
                "properties": {
                    "roleName": name,
                    "type": "BuiltInRole",
                    "assignableScopes": ["/"],
                    "permissions": [perms],
                }
            },
        )
