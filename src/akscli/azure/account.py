"""Which sign-in mode, tenant, subscription and cloud a command uses: each value the user gives
checked, and where a missing one comes from (flag, then environment, then the Azure CLI's profile).
Plain Python: neither azure-identity nor the kube client is imported here. The credential itself is
akscli.azure.identity's."""

from __future__ import annotations

import os
import re
from typing import Any

from akscli.errors import UsageError

AUTH_MODES = ("azurecli", "devicecode", "spn", "msi", "workloadidentity", "interactive", "azd")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$")


def check_auth(auth: str | None, flag: str = "--auth") -> str | None:
    """``flag``: the option the user gave (the credentials commands' ``--login``)."""
    if auth is None or auth == "default":
        return None
    value = auth.strip().lower()
    if value not in AUTH_MODES:
        raise UsageError(
            f"unknown {flag} value {auth!r}",
            hint="use one of: " + ", ".join(AUTH_MODES) + " (or leave it out for the default chain)",
        )
    return value


def check_tenant(tenant: str | None, flag: str = "--tenant") -> str | None:
    """``flag``: the command's name for the tenant (``token`` keeps kubelogin's --tenant-id)."""
    if tenant is None:
        return None
    t = tenant.strip()
    if _GUID.match(t) or _DOMAIN.match(t) or t.lower() in ("organizations", "common"):
        return t
    raise UsageError(
        f"invalid tenant {tenant!r}: expected a tenant ID (GUID) or a domain",
        hint=f"e.g. {flag} 72f988bf-86f1-41af-91ab-2d7cd011db47 or {flag} contoso.onmicrosoft.com",
    )


def check_subscription(value: str) -> str:
    v = value.strip()
    if not _GUID.match(v):
        raise UsageError(
            f"invalid subscription {value!r}: expected a subscription ID (GUID)",
            hint="list yours with 'az account list -o table'; e.g. --subscription 00000000-0000-0000-0000-000000000000",
        )
    return v


def _cli_default_subscription() -> dict[str, Any] | None:
    """The Azure CLI's default subscription from its profile file, when that file exists."""
    from akscli.azure import azprofile

    return azprofile.default_subscription()


def resolve_subscription(explicit: str | None) -> str:
    if explicit:
        return check_subscription(explicit)
    env = os.environ.get("AZURE_SUBSCRIPTION_ID")
    if env:
        return check_subscription(env)
    sub = _cli_default_subscription()
    if sub is not None:
        return check_subscription(str(sub["id"]))
    raise UsageError(
        "no Azure subscription chosen",
        hint="pass --subscription ID, set AZURE_SUBSCRIPTION_ID, or pick a default with 'az account set -s ID'",
    )


def resolve_tenant(explicit: str | None) -> str | None:
    if explicit:
        return check_tenant(explicit)
    env = os.environ.get("AZURE_TENANT_ID")
    if env:
        return check_tenant(env)
    sub = _cli_default_subscription()
    return str(sub["tenantId"]) if sub and sub.get("tenantId") else None


# kubelogin's --environment values, matched without case, and their Entra authority hosts
# (azure-identity AzureAuthorityHosts: AZURE_PUBLIC_CLOUD, AZURE_CHINA, AZURE_GOVERNMENT). kubelogin
# also takes the Azure CLI's cloud names, AzureCloud and AzureUSGovernment, and AzurePublic
# (upstream: Azure/kubelogin pkg/internal/token/options.go ``GetCloudConfiguration``, commit
# 66784961ef44a34236a651d9b08bcdf0aa07b836); a name it does not know it signs in to the public
# cloud with, which akscli refuses instead.
ENVIRONMENTS = {
    "azurepubliccloud": "login.microsoftonline.com",
    "azurecloud": "login.microsoftonline.com",
    "azurepublic": "login.microsoftonline.com",
    "azurechinacloud": "login.chinacloudapi.cn",
    "azureusgovernmentcloud": "login.microsoftonline.us",
    "azureusgovernment": "login.microsoftonline.us",
}


def is_public_cloud(environment: str) -> bool:
    """Whether a kubeconfig's ``--environment`` names the public cloud (the default, not written)."""
    return ENVIRONMENTS.get(environment.replace(" ", "").lower()) == ENVIRONMENTS["azurepubliccloud"]


def authority_of(environment: str | None) -> str | None:
    """The authority host of a kubeconfig's ``--environment`` (None for the public cloud or unknown)."""
    host = ENVIRONMENTS.get((environment or "").replace(" ", "").lower())
    if host is None or host == ENVIRONMENTS["azurepubliccloud"]:
        return None
    return f"https://{host}"
