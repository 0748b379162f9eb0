"""ARM's answers to a subscription it does not know and to a location a resource type is not in.

- A request under ``/subscriptions/{s}/`` for a subscription ARM does not know (or the caller cannot
  see) answers 404 SubscriptionNotFound "The subscription 'S' could not be found." (ARM's words as
  its answers are quoted: Azure/azure-cli#33657 and the az CI log in Azure/azure-cli PR #30164,
  "(SubscriptionNotFound) The subscription '00000000-0000-0000-0000-000000000000' could not be
  found.", which az maps to ResourceNotFoundError, i.e. a 404).
- A PUT whose ``location`` the resource type is not offered in answers 400
  LocationNotAvailableForResourceType "The provided location 'L' is not available for resource type
  'T'. List of available regions for the resource type is 'a,b,...'." (ARM's words as recorded in
  Azure/azure-rest-api-specs PR #8577 and #8347, and for managedClusters in a public walk-through
  quoting "... resource type 'Microsoft.ContainerService/managedClusters'. List of available regions
  for the resource type is 'eastus,westeurope,...'"; the 400 status as in cloud-barista/cb-spider#527,
  "Status=400 Code=\"LocationNotAvailableForResourceGroup\""). ARM compares region names without
  case ("EastUS" is eastus) and lists them lower case.

Which regions a type is offered in is Azure's provider registration of the day ('az provider show -n
Microsoft.ContainerService'); the emulator's world has the regions ``ArmEmulator.regions`` and those
a test gave sizes in (``sku_availability``), and checks only the types in ``LOCATED_TYPES``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

# The types whose location the emulator checks: the managed cluster create, and the fleet create
# (ARM checks the location of every PUT against the type's provider registration, the same 400 for
# any type: Azure/azure-rest-api-specs PR #8577 and #8347 record it for other providers' types);
# identities and the rest keep any location, as before.
LOCATED_TYPES = ("Microsoft.ContainerService/managedClusters", "Microsoft.ContainerService/fleets")


def subscription_known(emu: ArmEmulator, sub: str) -> bool:
    """A subscription exists in the emulator's world: the one it serves, any a test gave a tenant
    (``subscription_tenants``) or a resource group (``add_resource_group``)."""
    lower = sub.lower()
    return lower in emu.subscription_tenants or any(s == lower for s, _ in emu.resource_groups)


def check_subscription(emu: ArmEmulator, path: str) -> None:
    parts = path.split("/")
    if len(parts) > 2 and parts[2] and not subscription_known(emu, parts[2]):
        raise ArmError(404, "SubscriptionNotFound", f"The subscription '{parts[2]}' could not be found.")


def available(emu: ArmEmulator) -> list[str]:
    return sorted({r.lower() for r in emu.regions} | {loc.lower() for w in emu.sku_availability.values() for loc in w})


def check_location(emu: ArmEmulator, type_name: str, req: dict[str, Any]) -> None:
    """A create or replace of a located type in a region it is not offered in."""
    kind = next((t for t in LOCATED_TYPES if t.lower() == type_name.lower()), None)
    location = req.get("location")
    if kind is None or not isinstance(location, str) or not location:
        return
    regions = available(emu)
    if re.sub(r"\s", "", location.lower()) not in regions:
        raise ArmError(
            400,
            "LocationNotAvailableForResourceType",
            f"The provided location '{location}' is not available for resource type '{kind}'. "
            f"List of available regions for the resource type is '{','.join(regions)}'.",
        )
