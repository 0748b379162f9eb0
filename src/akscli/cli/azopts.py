"""Azure options shared by every ARM-backed group (cluster, nodepool, fleet, baremetal)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget

AzSubscription = Annotated[
    str | None,
    typer.Option(
        "--subscription",
        help="Subscription ID (default: $AZURE_SUBSCRIPTION_ID, then the Azure CLI's default).",
        show_default=False,
    ),
]
AzAuth = Annotated[
    str | None,
    typer.Option(
        "--auth",
        help="Sign in with one source: azurecli|devicecode|spn|msi|workloadidentity|interactive "
        "(default: environment, workload identity, managed identity, Azure CLI, azd in turn).",
        show_default=False,
    ),
]
AzTenant = Annotated[
    str | None,
    typer.Option("--tenant", help="Entra tenant ID or domain (default: $AZURE_TENANT_ID).", show_default=False),
]
ResourceGroup = Annotated[
    str | None, typer.Option("-g", "--resource-group", help="Resource group.", show_default=False)
]


def azure_target(subscription: str | None, auth: str | None, tenant: str | None) -> AzureTarget:
    """Validate the Azure flags (no network) and return the target."""
    from akscli.azure.arm import AzureTarget

    return AzureTarget(subscription, auth, tenant).validated()


def resource_group(value: str | None) -> str:
    from akscli.azure import names
    from akscli.errors import UsageError

    if not value:
        raise UsageError("a resource group is required", hint="pass -g/--resource-group NAME")
    return names.resource_group(value)
