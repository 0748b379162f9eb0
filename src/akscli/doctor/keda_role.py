"""doctor's ``monitoring role`` row: whether the identity KEDA signs in as may query the Azure
Monitor workspace its ScaledObjects read, asked of Azure Resource Manager. Plain logic: no Typer,
no rich; azure-core is imported only when a row is made (akscli.azure.arm).

A workspace answers a query only for an identity with the Monitoring Data Reader role on it:
"Assign the Monitoring Data Reader role ... so that it can query data from your Azure Monitor
workspace" (MicrosoftDocs/azure-monitor-docs articles/azure-monitor/metrics/prometheus-api-promql.md,
"Allow your app access to your workspace"). The built-in role's id, the same in every tenant, is
``b0d8363b-8ddd-447d-831f-62ca05bff136`` (microsoft/WhatTheHack
070-BuildYourOwnCopilot/Student/Resources/infra/aks/infra/role-assignments/azuremonitor-role-assignment.bicep,
"the built-in Azure Monitor Data Reader role", assigned at the workspace's scope).

Three reads, each a paged collection GET in the subscription doctor is signed in to:
- the workspaces, ``Microsoft.Monitor/accounts`` (2023-04-03), to find the one whose
  ``properties.metrics.prometheusQueryEndpoint`` is the trigger's serverAddress (Azure/azure-rest-api-specs
  specification/monitor/resource-manager/Microsoft.Monitor/stable/2023-04-03/examples/
  AzureMonitorWorkspacesListBySubscription.json): the cluster holds only the endpoint, ARM the scope;
- the user-assigned identities, ``Microsoft.ManagedIdentity/userAssignedIdentities`` (2023-01-31), to
  turn the client ID KEDA signs in with into the principal ID role assignments name (specification/msi/
  resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/examples/IdentityListBySubscription.json:
  ``properties.clientId``, ``properties.principalId``);
- the role assignments for the workspace's scope with ``$filter=assignedTo('{principalId}')``, which
  "Lists role assignments for a specified user or service principal. If the user is a member of a group
  that has a role assignment, that role assignment is also listed. This filter is transitive for groups"
  (MicrosoftDocs/azure-docs articles/role-based-access-control/role-assignments-list-rest.md; the
  answer's shape: Azure/azure-rest-api-specs specification/authorization/resource-manager/
  Microsoft.Authorization/stable/2022-04-01/examples/RoleAssignments_ListForScope.json). A group's
  assignment names the group's principalId, so the principal is not checked again here. Only those at
  the workspace or above it grant it (``_at_or_above``).

Access is decided as the workspace decides it, by the data action a query needs,
``microsoft.monitor/accounts/data/metrics/read`` (MicrosoftDocs/azure-docs
articles/role-based-access-control/permissions/monitor.md, Microsoft.Monitor DataAction "Read metrics
data in any Monitoring Account"; a KEDA 403 quoted in a troubleshooting page reads "does not have access
to perform any of the following actions 'microsoft.monitor/accounts/data/metrics/read'"). Each granting assignment's
role definition is read by its id (Role Definitions - Get By Id: specification/authorization/
resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/GetRoleDefinitionById.json,
``properties.permissions[].dataActions`` / ``notDataActions``), so a custom role with the action counts,
and a role whose wildcard covers it (``Microsoft.Monitor/accounts/data/*``) too, unless a notDataAction
of the same permission takes it out. The built-in Monitoring Data Reader (id
``b0d8363b-8ddd-447d-831f-62ca05bff136``: Azure/prometheus-collector
AddonBicepTemplate/nested_grafana_amw_role_assignment.bicep, the role the AddonArmTemplate/README.md
names) is what the fix grants.

A client ID that no user-assigned identity in the subscription has (an app registration, or an
identity in another subscription) is turned into its service principal's object ID by Microsoft Graph
(akscli.azure.graph, ``servicePrincipals(appId=...)``); role assignments name a service principal by
that ID with ``principalType: ServicePrincipal`` (RoleAssignments_ListForScope.json above), whatever
kind it is. ``unknown`` remains where Graph refuses the read or has no such service principal.
Not seen: deny assignments and ABAC conditions.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from akscli.doctor.probes import NOT_READY, OK, UNKNOWN
from akscli.errors import AkscliError

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget

ACCOUNTS_API = "2023-04-03"
IDENTITIES_API = "2023-01-31"
ROLES_API = "2022-04-01"
CHECK = "monitoring role"
QUERY_ACTION = "Microsoft.Monitor/accounts/data/metrics/read"

Row = tuple[str, str, str, str]


def rows(
    target: AzureTarget, client_id: str, endpoints: Sequence[str], keda_account: str = "", cluster_id: str = ""
) -> Iterator[Row]:
    """One row per workspace the ScaledObjects query (``endpoints``: their serverAddress values); before
    them, where ``keda_account`` (KEDA's service account, NAMESPACE/NAME) is given and the client is a
    user-assigned identity, whether its federated credentials trust that account on the cluster
    ``cluster_id`` names (akscli.doctor.keda_federation)."""
    from akscli.azure import arm

    sub = target.subscription_id()
    hosts = list(dict.fromkeys(_host(e) for e in endpoints))
    try:
        accounts = arm.raw_pages(target, f"/subscriptions/{sub}/providers/Microsoft.Monitor/accounts", ACCOUNTS_API)
        identities = arm.raw_pages(
            target, f"/subscriptions/{sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities", IDENTITIES_API
        )
    except AkscliError as exc:
        yield CHECK, UNKNOWN, f"Azure cannot be asked in subscription {sub}: {exc.message}", _READ_FIX
        return
    identity = next((i for i in identities if _props(i).get("clientId", "").lower() == client_id.lower()), None)
    if identity is not None:
        if keda_account:
            from akscli.doctor import keda_federation as doctor_keda_federation

            yield doctor_keda_federation.row(target, identity, keda_account, cluster_id)
        name, principal = (
            f"identity {identity.get('name') or client_id}",
            str(_props(identity).get("principalId") or ""),
        )
    else:
        found = _service_principal(target, sub, client_id)
        if len(found) == 4:  # the unknown row
            yield found
            return
        name, principal = found
    for host in hosts:
        account = next((a for a in accounts if _host(_endpoint(a)) == host), None)
        if account is None:
            yield (
                CHECK,
                UNKNOWN,
                f"no Azure Monitor workspace in subscription {sub} answers at {host}",
                "pass --subscription with the workspace's subscription",
            )
            continue
        yield _verdict(target, name, principal, str(account.get("id") or ""))


def _service_principal(target: AzureTarget, sub: str, client_id: str) -> tuple[str, str] | Row:
    """(name, principal ID) of a client that is no user-assigned identity in ``sub``, from Microsoft
    Graph (akscli.azure.graph): an app registration, or an identity in another subscription; else the
    ``unknown`` row saying why."""
    from akscli.azure import graph

    try:
        found = graph.service_principal(target, client_id)
    except AkscliError as exc:
        return (
            CHECK,
            UNKNOWN,
            f"no user-assigned identity in subscription {sub} has client ID {client_id}, the one KEDA signs in "
            f"as, and Microsoft Graph cannot be asked for its service principal: {exc.message}",
            "sign in as a user who may read service principals (Application.Read.All), or pass --subscription "
            "with the identity's subscription",
        )
    if not found or not found.get("id"):
        return (
            CHECK,
            UNKNOWN,
            f"client ID {client_id}, the one KEDA signs in as, is no user-assigned identity in subscription {sub} "
            "and has no service principal in the signed-in tenant, so no role can be assigned to it",
            "set KEDA's client ID to an identity or app registration of this tenant",
        )
    kind = {"application": "app registration", "managedidentity": "managed identity"}.get(
        str(found.get("servicePrincipalType") or "").lower(), "service principal"
    )
    return f"{kind} {found.get('displayName') or client_id}", str(found["id"])


def _verdict(target: AzureTarget, name: str, principal: str, workspace: str) -> Row:
    from akscli.azure import arm

    path = f"{workspace}/providers/Microsoft.Authorization/roleAssignments"
    params = f"?api-version={ROLES_API}&$filter=" + quote(f"assignedTo('{principal}')")
    who = f"{name} (principal {principal})"
    try:
        assignments = arm.raw_pages(target, path, ROLES_API, params)
        client = arm.raw_client(target)
        roles = {
            rid.lower(): arm.raw_call(client, "GET", rid, ROLES_API) or {}
            for rid in dict.fromkeys(
                str(_props(a).get("roleDefinitionId") or "")
                for a in assignments
                if _at_or_above(str(_props(a).get("scope", "")), workspace)
            )
            if rid
        }
    except AkscliError as exc:
        return CHECK, UNKNOWN, f"the role assignments of {who} cannot be read: {exc.message}", _READ_FIX
    for assignment in assignments:
        props = _props(assignment)
        role = roles.get(str(props.get("roleDefinitionId") or "").lower())
        if role is None or not _allows(role, QUERY_ACTION):
            continue
        via = "" if str(props.get("principalId", "")).lower() == principal.lower() else ", given to group "
        via += "" if not via else str(props.get("principalId"))
        role_name = str(_props(role).get("roleName") or role.get("name") or "a role")
        return (
            CHECK,
            OK,
            f"{who} holds {role_name} on workspace {workspace} (assigned at {props.get('scope')}{via})",
            "",
        )
    return (
        CHECK,
        NOT_READY,
        f"{who}, which KEDA signs in as, holds no role with {QUERY_ACTION} on workspace {workspace} or above "
        "it, itself or through a group, so the workspace refuses KEDA's queries (403)",
        f"az role assignment create --assignee-object-id {principal} --assignee-principal-type ServicePrincipal "
        f'--role "Monitoring Data Reader" --scope {workspace}',
    )


def _allows(role: dict[str, Any], action: str) -> bool:
    """A role definition grants a data action where one of its dataActions matches it and none of its
    notDataActions does: "DataActions - NotDataActions = Effective data plane permissions", ``*`` a
    wildcard (MicrosoftDocs/azure-docs articles/role-based-access-control/role-definitions.md,
    "NotDataActions"); case is ignored, as ARM's action names are."""
    perms = [p for p in _props(role).get("permissions") or [] if isinstance(p, dict)]
    allowed = any(_matches(p, action) for perm in perms for p in perm.get("dataActions") or [])
    return allowed and not any(_matches(p, action) for perm in perms for p in perm.get("notDataActions") or [])


def _matches(pattern: Any, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), str(pattern).lower())


_READ_FIX = "sign in as a user who may read role assignments, identities and workspaces (Reader on the subscription)"


def _props(obj: Any) -> dict[str, Any]:
    props = obj.get("properties") if isinstance(obj, dict) else None
    return props if isinstance(props, dict) else {}


def _endpoint(account: Any) -> str:
    return str((_props(account).get("metrics") or {}).get("prometheusQueryEndpoint") or "")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _at_or_above(scope: str, workspace: str) -> bool:
    """The list answers assignments at, above or below the workspace; one below it (a scope under the
    workspace's id) does not grant the workspace."""
    return not scope.rstrip("/").lower().startswith(workspace.rstrip("/").lower() + "/")
