"""Microsoft.Authorization role assignments, as ``Role Assignments - List For Scope`` answers a list
at a scope (``GET {scope}/providers/Microsoft.Authorization/roleAssignments``, api-version 2022-04-01).

Its ``$filter`` (learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope):
"Use $filter=atScope() to return all role assignments at or above the scope. Use $filter=principalId
eq {id} to return all role assignments at, above or below the scope for the specified principal."
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

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

ROLE_ASSIGNMENTS = r"Microsoft\.Authorization/roleAssignments"
_PRINCIPAL = re.compile(r"\s*principalId\s+eq\s+'?([0-9A-Za-z-]+)'?\s*", re.I)
_AT_SCOPE = re.compile(r"\s*atScope\(\)\s*", re.I)


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
    at_scope = _AT_SCOPE.fullmatch(text)
    if text and not principal and not at_scope:
        raise ArmError(400, "InvalidFilter", f"The filter '{text}' is not supported.")
    out = []
    for assignment in emu.list_resources("Microsoft.Authorization/roleAssignments"):
        props = assignment.setdefault("properties", {})
        props.setdefault("scope", _scope_of(assignment))
        theirs = str(props["scope"])
        if principal and str(props.get("principalId", "")).lower() != principal.group(1).lower():
            continue
        if _above(theirs, scope) or (not at_scope and _above(scope, theirs)):
            out.append(assignment)
    return out


def install(emu: ArmEmulator) -> None:
    emu.add_hooks(ROLE_ASSIGNMENTS, on_scope_list=list_for_scope)
