"""AKS preview features: where they are offered and whether the subscription registered them.

A preview needs its feature flag registered on the subscription (Microsoft.Features) and
exists only in some regions; both are checked before the create is sent, so the user gets the
``az feature register`` line to run instead of a failed deployment.
"""

from __future__ import annotations

from dataclasses import dataclass

from akscli.azure import arm
from akscli.errors import NotInstalledError, UsageError

FEATURES_API = "2021-07-01"  # Microsoft.Features (specification/resources/.../Microsoft.Features/stable/2021-07-01)


@dataclass(frozen=True)
class Preview:
    flag: str  # what --help calls it
    namespace: str
    feature: str
    regions: frozenset[str]  # ARM location names; empty: every region
    source: str


# MicrosoftDocs/azure-aks-docs articles/aks/automatic/aks-automatic-managed-system-node-pools.md:
# "Register the AKS-AutomaticHostedSystemProfilePreview feature flag" and its "Region availability"
# table, as ARM location names ("UK South 2" has no ARM location name and is left out).
HOSTED_SYSTEM = Preview(
    flag="--hosted-system",
    namespace="Microsoft.ContainerService",
    feature="AKS-AutomaticHostedSystemProfilePreview",
    regions=frozenset(
        [
            "southafricanorth",
            "southafricawest",
            "eastasia",
            "southeastasia",
            "australiacentral",
            "australiaeast",
            "australiacentral2",
            "australiasoutheast",
            "brazilsouth",
            "brazilsoutheast",
            "canadacentral",
            "canadaeast",
            "chilecentral",
            "northeurope",
            "westeurope",
            "francecentral",
            "francesouth",
            "germanynorth",
            "germanywestcentral",
            "centralindia",
            "southindia",
            "westindia",
            "jioindiacentral",
            "jioindiawest",
            "israelcentral",
            "italynorth",
            "japaneast",
            "japanwest",
            "koreacentral",
            "koreasouth",
            "malaysiasouth",
            "mexicocentral",
            "newzealandnorth",
            "norwayeast",
            "norwaywest",
            "polandcentral",
            "qatarcentral",
            "spaincentral",
            "swedencentral",
            "swedensouth",
            "switzerlandnorth",
            "switzerlandwest",
            "taiwannorth",
            "taiwannorthwest",
            "uaenorth",
            "uaecentral",
            "uksouth",
            "ukwest",
            "eastus",
            "eastus2",
            "centralus",
            "northcentralus",
            "southcentralus",
            "westcentralus",
            "westus",
            "westus2",
            "westus3",
            "eastus2euap",
            "centraluseuap",
        ]
    ),
    source="https://learn.microsoft.com/azure/aks/automatic/aks-automatic-managed-system-node-pools",
)


def check_region(preview: Preview, location: str) -> None:
    """Refuse a preview in a region it is not offered in (no network)."""
    loc = location.replace(" ", "").lower()
    if preview.regions and loc not in preview.regions:
        near = ", ".join(sorted(r for r in preview.regions if r[:4] == loc[:4])[:4]) or "eastus, westeurope, ..."
        raise UsageError(
            f"{preview.flag} (preview) is not offered in {location}",
            hint=f"use a region that offers it, e.g. {near} (list: {preview.source})",
        )


def register_command(preview: Preview) -> str:
    return f"az feature register --namespace {preview.namespace} --name {preview.feature}"


def feature_state(target: arm.AzureTarget, preview: Preview) -> str:
    """The registration state of the preview's feature flag on the subscription."""
    client = arm.raw_client(target)
    path = (
        f"/subscriptions/{target.subscription_id()}/providers/Microsoft.Features/providers/"
        f"{preview.namespace}/features/{preview.feature}"
    )
    body = arm.raw_call(client, "GET", path, FEATURES_API) or {}
    return str((body.get("properties") or {}).get("state") or "NotRegistered")


def check_registered(target: arm.AzureTarget, preview: Preview) -> None:
    """Raise NotInstalledError with the ``az feature register`` line unless the flag is Registered."""
    state = feature_state(target, preview)
    if state == "Registered":
        return
    raise NotInstalledError(
        f"{preview.flag} needs the preview feature {preview.namespace}/{preview.feature}, which is {state} "
        "on this subscription",
        hint=f"run '{register_command(preview)}', wait until 'az feature show --namespace {preview.namespace} "
        f"--name {preview.feature}' says Registered, then 'az provider register --namespace {preview.namespace}'",
    )
