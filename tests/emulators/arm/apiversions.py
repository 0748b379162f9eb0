"""The api-versions the emulator answers for each resource type, and ARM's refusal of any other.

ARM sends a request on to a resource provider only for an api-version the provider registered for
that resource type; for any other it answers 400 NoRegisteredProviderFound itself, in these words
(ARM's answers as quoted in Azure/azure-cli#28368 and #28499, for managedClusters; #23985; the
supported locations as in Azure/azure-cli#10100, "the supported locations listed in the error
response"):

    No registered resource provider found for location 'australiaeast' and API version '2024-01-01'
    for type 'managedClusters'. The supported api-versions are '2017-08-31, 2018-03-31, ...'.
    The supported locations are 'australiacentral, ...'.

The type is the top-level type's name without its namespace. Real ARM lists every version the
provider registered; the emulator lists the ones it answers (``SERVED``), each the version of a
published model or example it holds, and the ones akscli sends (tests/azure/
test_arm_api_versions_served.py holds both sides to it):

- Microsoft.ContainerService/managedClusters 2026-08-01: the model of azure-mgmt-containerservice
  41.8.0 (schema.py) and ../shared/data/arm-examples/containerservice-2026-08-01 (Azure/
  azure-rest-api-specs specification/containerservice/resource-manager/Microsoft.ContainerService/
  aks/stable/2026-08-01/examples/); 2026-01-01: ../shared/data/arm-examples/containerservice-2026-01-01/
  ManagedClustersListByResourceGroup.json (aks/stable/2026-01-01/examples/), which akscli's fleet
  member list reads a member's cluster at (fleet/armclient.py _AKS_API); 2026-01-02-preview:
  containerservice-2026-01-02-preview (aks/preview/2026-01-02-preview/examples/). The versions on
  either side of AKS's unknown-field rule that schema.check_aks holds the emulator to (Azure/AKS PR
  #4078 CHANGELOG.md names 2024-01-01 and 2024-01-02-preview), each with its swagger:
  aks/stable/2023-11-01, aks/preview/2023-11-02-preview, aks/stable/2024-01-01 and
  aks/preview/2024-01-02-preview managedClusters.json; 2023-11-01 is also in ARM's own list quoted
  in Azure/azure-cli#28368. These older versions get the 2026-08-01 shapes (schema.py's weak).
- Microsoft.ContainerService/fleets 2026-06-01: azure-mgmt-containerservicefleet 4.0.0 and
  ../shared/data/arm-examples/fleet-2026-06-01 (fleet/stable/2026-06-01/examples/).
- The bare metal types: Azure/aksArc deploymentTemplates/aks-baremetal-arm/aks-baremetal-arm.json
  (../shared/data/arm-examples/aks-baremetal), each resource's apiVersion: devicePools
  2024-11-01-preview (edgeMachines, read at the provider's same version), logicalNetworks 2024-01-01,
  connectedClusters 2024-01-01, provisionedClusterInstances 2024-09-01-preview, extensions
  2023-05-01, roleAssignments 2022-04-01.
- Microsoft.Authorization/roleAssignments 2022-04-01: Azure/azure-rest-api-specs specification/
  authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/
  authorization-RoleAssignmentsCalls.json.
- Microsoft.ManagedIdentity/userAssignedIdentities 2023-01-31: specification/msi/resource-manager/
  Microsoft.ManagedIdentity/stable/2023-01-31/ManagedIdentity.json.
- Microsoft.Monitor/accounts 2023-04-03: specification/monitor/resource-manager/Microsoft.Monitor/
  Accounts/stable/2023-04-03/monitoringAccounts_API.json.
- Microsoft.Compute/skus 2021-07-01: specification/compute/resource-manager/Microsoft.Compute/Skus/
  stable/2021-07-01/skus.json; Microsoft.Compute/locations (the emulator answers only its usages)
  2024-07-01: Microsoft.Compute/ComputeRP/stable/2024-07-01/examples/computeRPCommonExamples/
  Usage_List_MaximumSet_Gen.json. akscli sends both (azure/capacity.py SKUS_API, USAGES_API); they
  are answered by compute.py's routes, which routes._subscription_request checks first too.

A type not in ``SERVED`` is answered at any api-version (named in docs/changes/audit34-arm34.md).
Which location ARM names for a request with no body location and no resource group (a list by
subscription) is not published: the emulator names the resource group's region, else none ('').
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.emulators.arm import locations
from tests.emulators.arm.ids import ParsedId, resource_group_of
from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

# namespace/top-level type (lower case) -> the api-versions the emulator answers (module docstring).
SERVED: dict[str, tuple[str, ...]] = {
    "microsoft.containerservice/managedclusters": (
        "2023-11-01",
        "2023-11-02-preview",
        "2024-01-01",
        "2024-01-02-preview",
        "2026-01-01",
        "2026-01-02-preview",
        "2026-08-01",
    ),
    "microsoft.containerservice/fleets": ("2026-06-01",),
    "microsoft.azurestackhci/devicepools": ("2024-11-01-preview",),
    "microsoft.azurestackhci/edgemachines": ("2024-11-01-preview",),
    "microsoft.azurestackhci/logicalnetworks": ("2024-01-01",),
    "microsoft.kubernetes/connectedclusters": ("2024-01-01",),
    "microsoft.hybridcontainerservice/provisionedclusterinstances": ("2024-09-01-preview",),
    "microsoft.kubernetesconfiguration/extensions": ("2023-05-01",),
    "microsoft.authorization/roleassignments": ("2022-04-01",),
    "microsoft.managedidentity/userassignedidentities": ("2023-01-31",),
    "microsoft.monitor/accounts": ("2023-04-03",),
    "microsoft.compute/skus": ("2021-07-01",),
    "microsoft.compute/locations": ("2024-07-01",),
}


def check(emu: ArmEmulator, p: ParsedId, api_version: str, body: dict[str, Any] | None = None) -> None:
    """Refuse, as ARM does, a request to a served type at an api-version the emulator does not answer."""
    if not p.types:
        return
    served = SERVED.get(f"{p.namespace}/{p.types[0]}".lower())
    if served is None or api_version in served:
        return
    raise ArmError(
        400,
        "NoRegisteredProviderFound",
        f"No registered resource provider found for location '{_location(emu, p, body)}' and API version "
        f"'{api_version}' for type '{p.types[0]}'. The supported api-versions are '{', '.join(served)}'. "
        f"The supported locations are '{', '.join(locations.available(emu))}'.",
    )


def _location(emu: ArmEmulator, p: ParsedId, body: dict[str, Any] | None) -> str:
    given = (body or {}).get("location")
    if isinstance(given, str) and given:
        return given
    group = resource_group_of(p.scope + "/")
    sub = p.scope.split("/")[2] if p.scope.count("/") >= 2 else ""
    return emu.resource_groups.get((sub.lower(), (group or "").lower()), "")
