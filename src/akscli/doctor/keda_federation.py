"""doctor's ``federated credential`` row: whether the user-assigned identity KEDA signs in as trusts
the token of KEDA's service account on this cluster, asked of Azure Resource Manager. Plain logic: no
Typer, no rich; azure-core is imported only when the row is made (akscli.azure.arm).

What Microsoft Entra does with KEDA's token: the workload identity credential sends the service
account token the webhook projected into the pod, and Entra gives an access token only where one of
the identity's federated identity credentials names that token's issuer, subject and audience; else
"AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer:
'...'. Assertion Subject: 'system:serviceaccount:NS:NAME'. Assertion Audience:
'api://AzureADTokenExchange'." The issuer must match exactly: "the most common cause is when the user
is missing the trailing `/`" (Azure/azure-workload-identity docs/book/src/troubleshooting.md,
"AADSTS70021"). The subject is ``system:serviceaccount:NAMESPACE:keda-operator`` and the audience
``api://AzureADTokenExchange``; the issuer is the cluster's ``oidcIssuerProfile.issuerUrl``
(MicrosoftDocs/azure-aks-docs articles/aks/keda-workload-identity.md: `az aks show --query
oidcIssuerProfile.issuerUrl`, then `az identity federated-credential create --name $FED_KEDA
--identity-name $MI_NAME --resource-group $RG --issuer $OIDC_ISSUER_URL --subject
system:serviceaccount:kube-system:keda-operator --audience api://AzureADTokenExchange` for the add-on;
KEDA's chart runs it in ``keda``). A cluster without the issuer gives no token Entra can check:
`az aks update --enable-oidc-issuer` (MicrosoftDocs/azure-aks-docs articles/aks/use-oidc-issuer.md).

Entra's own rules (MicrosoftDocs/entra-docs docs/workload-id/workload-identity-federation-considerations.md):
"A maximum of 20 federated identity credentials can be added to an application or user-assigned
managed identity", and "The combination of issuer and subject must be unique", so the fix replaces
KEDA's own credential where one names its subject or this issuer with it, and where the identity holds
20 already a new one needs a delete first.

Two reads, both GETs in the subscription doctor is signed in to:
- the cluster, ``Microsoft.ContainerService/managedClusters`` (akscli.azure.clusters.API_VERSION), for
  ``properties.oidcIssuerProfile.issuerURL`` (Azure/azure-rest-api-specs specification/containerservice/
  resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/managedClusters.json
  ManagedClusterOIDCIssuerProfile). The cluster's resource ID is the one Azure Monitor's collector
  names (akscli.model.monitoring.collector_cluster): a workspace query needs the collector;
- the identity's credentials, ``{identity}/federatedIdentityCredentials`` (2023-01-31), each with
  ``properties.issuer``, ``subject`` and ``audiences`` (specification/msi/resource-manager/
  Microsoft.ManagedIdentity/stable/2023-01-31/examples/FederatedIdentityCredentialList.json).

Not judged: an app registration's federated credentials (Microsoft Graph ``applications/{id}/
federatedIdentityCredentials``), and an Arc-enabled cluster's issuer: for those no row is made or the
row is ``unknown``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from akscli.doctor.probes import NOT_READY, OK, UNKNOWN
from akscli.errors import AkscliError

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget

CHECK = "federated credential"
IDENTITIES_API = "2023-01-31"
AUDIENCE = "api://AzureADTokenExchange"
MAX_CREDENTIALS = 20  # entra-docs workload-identity-federation-considerations.md (module docstring)
CREDENTIAL_NAME = "fed-keda"  # the name MicrosoftDocs/azure-aks-docs articles/aks/keda-workload-identity.md uses

Row = tuple[str, str, str, str]


def row(target: AzureTarget, identity: dict[str, Any], account: str, cluster_id: str) -> Row:
    """The row for ``identity`` (a userAssignedIdentities object as listed), whose credential must
    trust service account ``account`` (NAMESPACE/NAME) of the cluster ``cluster_id`` names."""
    from akscli.azure import arm

    ns, _, sa = account.partition("/")
    subject = f"system:serviceaccount:{ns}:{sa}"
    identity_id = str(identity.get("id") or "")
    name = str(identity.get("name") or identity_id.rsplit("/", 1)[-1])
    group = _group(identity_id)
    issuer, why = _issuer(target, cluster_id)
    if why:
        return CHECK, UNKNOWN, f"whether identity {name} trusts {subject} cannot be told: {why}", _list_fix(name, group)
    if not issuer:
        cluster, cluster_group = cluster_id.rsplit("/", 1)[-1], _group(cluster_id)
        return (
            CHECK,
            NOT_READY,
            f"cluster {cluster} has no OIDC issuer, so Microsoft Entra can check no service account token "
            f"and KEDA's sign-in as identity {name} fails",
            f"az aks update --resource-group {cluster_group} --name {cluster} --enable-oidc-issuer "
            "--enable-workload-identity",
        )
    try:
        credentials = arm.raw_pages(target, f"{identity_id}/federatedIdentityCredentials", IDENTITIES_API)
    except AkscliError as exc:
        return CHECK, UNKNOWN, f"the federated credentials of identity {name} cannot be read: {exc.message}", _READ_FIX
    props = [(str(c.get("name") or ""), _props(c)) for c in credentials]
    for cred, p in props:
        if p.get("issuer") == issuer and p.get("subject") == subject and AUDIENCE in (p.get("audiences") or []):
            return CHECK, OK, f"identity {name} trusts {subject} of issuer {issuer} (credential {cred})", ""
    detail, cred_name = _miss(name, subject, issuer, props)
    full = cred_name not in {cred for cred, _ in props} and len(props) >= MAX_CREDENTIALS
    return (
        CHECK,
        NOT_READY,
        f"{detail}, so Microsoft Entra refuses KEDA's token (AADSTS70021: No matching federated identity record "
        "found for presented assertion) and every workspace query fails",
        (
            f"az identity federated-credential delete --name UNUSED --identity-name {name} --resource-group {group} "
            f"(it holds {len(props)}, the most Entra allows), then "
            if full
            else ""
        )
        + f"az identity federated-credential create --name {cred_name} --identity-name {name} "
        f"--resource-group {group} --issuer {issuer} --subject {subject} --audience {AUDIENCE}",
    )


def _miss(name: str, subject: str, issuer: str, props: list[tuple[str, dict[str, Any]]]) -> tuple[str, str]:
    """What the nearest credential gets wrong, and the name the fix writes: that credential's where it
    is KEDA's (its subject, or this issuer and audience, match), else one no credential has (a create
    over another workload's credential would replace it)."""
    taken = {cred for cred, _ in props}
    free = next(n for n in (CREDENTIAL_NAME, *(f"{CREDENTIAL_NAME}-{i}" for i in range(2, 99))) if n not in taken)
    for cred, p in props:
        if p.get("subject") == subject and p.get("issuer") == issuer:
            return (
                f"identity {name}'s credential {cred} for {subject} has audiences {p.get('audiences') or []}, "
                f"not {AUDIENCE}",
                cred,
            )
    for cred, p in props:
        if p.get("subject") == subject:
            got = str(p.get("issuer") or "")
            slash = (
                " (only the trailing / differs: the issuer must match exactly)"
                if got.rstrip("/") == issuer.rstrip("/")
                else ""
            )
            return (
                f"identity {name}'s credential {cred} for {subject} names issuer {got}, not this cluster's "
                f"{issuer}{slash}",
                cred,
            )
    same_issuer = sorted({str(p.get("subject")) for _, p in props if p.get("issuer") == issuer})
    if same_issuer:
        return (
            f"identity {name} trusts this cluster's issuer only for {', '.join(same_issuer)}, not {subject}, the "
            "service account KEDA's operator runs as",
            free,
        )
    held = f"{len(props)} federated credential(s), none for" if props else "no federated credential, none for"
    return f"identity {name} has {held} this cluster's issuer {issuer}", free


def _issuer(target: AzureTarget, cluster_id: str) -> tuple[str, str]:
    """(the cluster's OIDC issuer URL, "") — "" where the cluster has none — or ("", why it cannot be read)."""
    from akscli.azure import arm, clusters

    if "/providers/microsoft.containerservice/managedclusters/" not in cluster_id.lower():
        where = f"cluster {cluster_id}" if cluster_id else "this cluster (no Azure Monitor collector names it)"
        return "", f"akscli reads the OIDC issuer of an AKS cluster only, not of {where}"
    try:
        cluster = arm.raw_call(arm.raw_client(target), "GET", cluster_id, clusters.API_VERSION) or {}
    except AkscliError as exc:
        return "", f"cluster {cluster_id} cannot be read: {exc.message}"
    profile = _props(cluster).get("oidcIssuerProfile") or {}
    return (str(profile.get("issuerURL") or "") if profile.get("enabled") else ""), ""


def _list_fix(name: str, group: str) -> str:
    return (
        f"compare az identity federated-credential list --identity-name {name} --resource-group {group} with the "
        "cluster's service account issuer"
    )


_READ_FIX = "sign in as a user who may read the identity (Managed Identity Operator or Reader on it)"


def _group(resource_id: str) -> str:
    parts = resource_id.strip("/").split("/")
    return parts[3] if len(parts) > 3 and parts[2].lower() == "resourcegroups" else "GROUP"


def _props(obj: Any) -> dict[str, Any]:
    props = obj.get("properties") if isinstance(obj, dict) else None
    return props if isinstance(props, dict) else {}
