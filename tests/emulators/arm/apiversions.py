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
  in Azure/azure-cli#28368. These older versions are answered in their own shapes (aksolder.py),
  2026-01-02-preview in the 2026-08-01 shapes.
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

A global type (``GLOBAL_TYPES``) is registered in no location: ARM's refusal lists none, "The
supported locations are ''." (ARM's answer for roleAssignments as quoted in
Azure/azure-quickstart-templates#8013: "No registered resource provider found for location
'australiaeast' and API version '2015-06-15' for type 'roleAssignments'. ... The supported locations
are ''.").

What ARM serves itself, with no provider behind it (a subscription path with no ``/providers/``
segment: resource groups, and the Microsoft.Resources namespace), it refuses at a version it does
not have with 400 InvalidApiVersionParameter, in these words (a resource group read, as quoted in
inspec/inspec-azure#716; the same words in ansible-collections/azure#1739, Azure/azure-cli#28038,
hashicorp/vault-plugin-secrets-azure#13 "StatusCode=400"):

    The api-version '2022-12-01' is invalid. The supported versions are '2023-03-01-preview,
    2022-12-01,...,2014-04'.

(the list joined by commas without spaces, newest first, ending in ARM's own '2013-03-01,2014-02-26,
2014-04'). ``ARM_VERSIONS`` is the list, in its order, as ARM gave it
for a role definition list in Azure/azure-cli#31964 (2025, "The supported versions are '2025-04-01,
2025-03-01,2024-10-01-preview,2024-11-01,2024-08-01,2024-07-01,...,2014-02-26,2014-04'"; the same
list less its first two in Azure/bicep#17091). check_arm_own applies it.

Microsoft.Features (feature registration, served by ARM's feature exposure control) refuses a version
its type lacks with 404 InvalidResourceType, naming the type (the first segment after the namespace:
'providers' for a feature read or register) and listing its versions joined by commas without
spaces, as ARM answered `az feature register` in a cloud that lacked 2021-07-01 (Azure/azure-cli#20087
and Azure/AKS#2655: "(InvalidResourceType) The resource type 'providers' could not be found in the
namespace 'Microsoft.Features' for api version '2021-07-01'. The supported api-versions are
'2014-08-01-preview,2015-12-01'."; the 404 of that code and wording as AzGovViz logs it for
Microsoft.Security pricings, JulianHayward/Azure-MG-Sub-Governance-Reporting#244). ``FEATURES``
holds the versions Azure/azure-rest-api-specs publishes the feature paths at, each with the same
FeatureResult (specification/resources/resource-manager/Microsoft.Features/stable/2015-12-01/
features.json, .../stable/2021-07-01/features.json, .../stable/2025-03-01/features.json), oldest
first as ARM listed them; 2014-08-01-preview, which ARM also lists, has no published swagger, so the
emulator does not answer it. check_features applies it, and a feature request with no api-version
answers MissingApiVersionParameter as any other.

A type in none of these is answered at any api-version: the types akscli never calls. Which location
ARM names for a request with no body location and no resource group (a list by subscription) is not
published: the emulator names the resource group's region, else none ('').
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.emulators.arm import locations
from tests.emulators.arm.ids import ParsedId, parse_path, resource_group_of
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

# Microsoft.Features type (lower case) -> the versions the emulator answers it at (module docstring).
FEATURES: dict[str, tuple[str, ...]] = {"providers": ("2015-12-01", "2021-07-01", "2025-03-01")}
_FEATURES_PATH = re.compile(r"^/subscriptions/[^/]+/providers/Microsoft\.Features/([^/]+)", re.I)

# Types registered in no location (module docstring): their refusal lists no supported location.
GLOBAL_TYPES = frozenset({"microsoft.authorization/roleassignments"})

# ARM's own api-versions in ARM's order, as ARM listed them in Azure/azure-cli#31964 (module docstring).
_ARM_LIST = (
    "2025-04-01,2025-03-01,2024-10-01-preview,2024-11-01,2024-08-01,2024-07-01,2024-06-01-preview,2024-03-01,"
    "2023-07-01,2023-07-01-preview,"
    "2023-03-01-preview,2022-12-01,2022-11-01-preview,2022-09-01,2022-06-01,2022-05-01,2022-03-01-preview,"
    "2022-01-01,2021-04-01,2021-01-01,2020-10-01,2020-09-01,2020-08-01,2020-07-01,2020-06-01,2020-05-01,"
    "2020-01-01,2019-11-01,2019-10-01,2019-09-01,2019-08-01,2019-07-01,2019-06-01,2019-05-10,2019-05-01,"
    "2019-03-01,2018-11-01,2018-09-01,2018-08-01,2018-07-01,2018-06-01,2018-05-01,2018-02-01,2018-01-01,"
    "2017-12-01,2017-08-01,2017-06-01,2017-05-10,2017-05-01,2017-03-01,2016-09-01,2016-07-01,2016-06-01,"
    "2016-02-01,2015-11-01,2015-01-01,2014-04-01-preview,2014-04-01,2014-01-01,2013-03-01,2014-02-26,2014-04"
)
ARM_VERSIONS: tuple[str, ...] = tuple(_ARM_LIST.split(","))


def check(emu: ArmEmulator, p: ParsedId, api_version: str, body: dict[str, Any] | None = None) -> None:
    """Refuse, as ARM does, a request to a served type at an api-version the emulator does not answer."""
    if not p.types:
        return
    kind = f"{p.namespace}/{p.types[0]}".lower()
    served = SERVED.get(kind)
    if served is None or api_version in served:
        return
    where = [] if kind in GLOBAL_TYPES else locations.available(emu)
    raise ArmError(
        400,
        "NoRegisteredProviderFound",
        f"No registered resource provider found for location '{_location(emu, p, body)}' and API version "
        f"'{api_version}' for type '{p.types[0]}'. The supported api-versions are '{', '.join(served)}'. "
        f"The supported locations are '{', '.join(where)}'.",
    )


def arm_own(path: str) -> bool:
    """Whether ARM answers this subscription path itself (module docstring): no ``/providers/``
    segment (resource groups), or the Microsoft.Resources namespace."""
    p = parse_path(path.rstrip("/"))
    return p is None or p.namespace.lower() == "microsoft.resources"


def check_arm_own(path: str, api_version: str) -> None:
    """Refuse, as ARM does, a request ARM answers itself at an api-version it does not have."""
    if arm_own(path) and api_version not in ARM_VERSIONS:
        raise ArmError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{api_version}' is invalid. The supported versions are '{_ARM_LIST}'.",
        )


def features_type(path: str) -> str | None:
    """The Microsoft.Features type a subscription path names ('providers' for a feature), or None."""
    m = _FEATURES_PATH.match(path)
    return m.group(1) if m else None


def check_features(path: str, api_version: str) -> None:
    """Refuse, as ARM does, a Microsoft.Features request at a version its type lacks (module docstring)."""
    kind = features_type(path)
    served = FEATURES.get((kind or "").lower())
    if kind is not None and served is not None and api_version not in served:
        raise ArmError(
            404,
            "InvalidResourceType",
            f"The resource type '{kind}' could not be found in the namespace 'Microsoft.Features' for api version "
            f"'{api_version}'. The supported api-versions are '{','.join(served)}'.",
        )


def _location(emu: ArmEmulator, p: ParsedId, body: dict[str, Any] | None) -> str:
    given = (body or {}).get("location")
    if isinstance(given, str) and given:
        return given
    group = resource_group_of(p.scope + "/")
    sub = p.scope.split("/")[2] if p.scope.count("/") >= 2 else ""
    return emu.resource_groups.get((sub.lower(), (group or "").lower()), "")
