"""Where an AKS offering is available, checked offline before a create is sent.

A region that does not offer it would fail minutes into the deployment; the list here refuses
it at once with regions that do.
"""

from __future__ import annotations

from dataclasses import dataclass

from akscli.errors import UsageError


@dataclass(frozen=True)
class Offering:
    flag: str  # what --help calls it
    regions: frozenset[str]  # ARM location names; empty: every region
    source: str


# upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/includes/aks-automatic/aks-automatic-limitations.md
# (ms.date 07/24/2026): "AKS Automatic is generally available in the following regions". AKS Automatic
# went GA in May 2026 (commit cfe9fbb2 "aks automatic ga updates"), which retired the
# AKS-AutomaticHostedSystemProfilePreview feature flag and its preview region table: new Automatic
# clusters always have managed system node pools, so no registration is checked any more.
AUTOMATIC = Offering(
    flag="--sku automatic",
    regions=frozenset(
        [
            "australiaeast",
            "austriaeast",
            "belgiumcentral",
            "brazilsouth",
            "canadacentral",
            "centralindia",
            "centralus",
            "chilecentral",
            "denmarkeast",
            "eastasia",
            "eastus",
            "eastus2",
            "francecentral",
            "germanywestcentral",
            "indonesiacentral",
            "israelcentral",
            "italynorth",
            "japaneast",
            "japanwest",
            "koreacentral",
            "malaysiawest",
            "mexicocentral",
            "newzealandnorth",
            "northeurope",
            "norwayeast",
            "polandcentral",
            "southafricanorth",
            "southcentralus",
            "southeastasia",
            "spaincentral",
            "swedencentral",
            "switzerlandnorth",
            "uaenorth",
            "uksouth",
            "westeurope",
            "westus2",
            "westus3",
        ]
    ),
    source="https://learn.microsoft.com/azure/aks/intro-aks-automatic",
)


def check_region(offering: Offering, location: str) -> None:
    """Refuse an offering in a region that does not have it (no network)."""
    loc = location.replace(" ", "").lower()
    if offering.regions and loc not in offering.regions:
        near = ", ".join(sorted(r for r in offering.regions if r[:4] == loc[:4])[:4]) or "eastus, westeurope, ..."
        raise UsageError(
            f"{offering.flag} is not offered in {location}",
            hint=f"use a region that offers it, e.g. {near} (list: {offering.source})",
        )
