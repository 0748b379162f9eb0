"""AKS on bare metal: the resource types Microsoft's ARM template creates, as Azure accepts them.

The template (Azure/aksArc ``deploymentTemplates/aks-baremetal-arm/aks-baremetal-arm.json``, in
../shared/data/arm-examples/aks-baremetal/) creates, in order: ``Microsoft.AzureStackHCI/devicePools``
over an edge machine (which makes the custom location), two ``Microsoft.Authorization/roleAssignments``
for the pool's identity, ``Microsoft.AzureStackHCI/logicalNetworks`` in that custom location, a
``Microsoft.Kubernetes/connectedClusters`` of kind ``ProvisionedCluster``, its
``Microsoft.HybridContainerService/provisionedClusterInstances/default`` and
``Microsoft.KubernetesConfiguration/extensions``. This module gives each type the checks Azure makes:

- Bodies are held to the published API: a property no published source has is refused with 400
  InvalidRequestContent (as schema.py does for AKS). The provisioned cluster instance follows
  Azure/azure-rest-api-specs ``specification/hybridaks/.../preview/2024-09-01-preview/openapi.json``
  (ProvisionedClusterProperties and its references); the other types follow the template's bodies and
  their published examples (azurestackhci ``2024-11-01-preview/examples/DevicePools_*``,
  ``EdgeMachines_Get.json``).
- Names follow the published patterns: a device pool's (devicePool.tsp) and a logical network's
  (logicalNetworks.json, at most 64 characters) are refused with 400 InvalidResourceName otherwise (the
  specs give the pattern, not the error code, which is the emulator's).
- References must exist: the device pool's edge machine, the role assignment's principal (the pool's
  identity; otherwise 400 PrincipalNotFound as ARM answers), the custom location of ``extendedLocation``
  (created by the device pool, as the HCI resource provider does), the logical network in
  ``vnetSubnetIds`` (at most one, per the spec), and the connected cluster of an instance or extension.
- The instance needs ``extendedLocation`` (present even in ProvisionedClusters_CreateOrUpdate_MinimumSet_Gen)
  and an SSH key (the template: "Required by the AksArc-Operator webhook").

Edge machines are seeded by tests with ``edge_machine(emu, rg, name)`` (Purposed, provisioningState Succeeded).
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

Schema = dict[str, Any]  # key -> nested Schema, or None for a value not checked further

DEVICE_POOL = r"Microsoft\.AzureStackHCI/devicePools"
LNET = r"Microsoft\.AzureStackHCI/logicalNetworks"
CONNECTED = r"Microsoft\.Kubernetes/connectedClusters"
PCI = r"Microsoft\.HybridContainerService/provisionedClusterInstances"
ROLE = r"Microsoft\.Authorization/roleAssignments"
EXTENSION = r"Microsoft\.KubernetesConfiguration/extensions"

# ---- the published shapes ----------------------------------------------------------------------

_ENDPOINT: Schema = {"hostIP": None}
# openapi.json definitions: ProvisionedClusterProperties, LinuxProfileProperties, ControlPlaneProfile,
# NetworkProfile, StorageProfile, ClusterVMAccessProfile, NamedAgentPoolProfile, CloudProviderProfile,
# ProvisionedClusterLicenseProfile, ProvisionedClusterPropertiesAutoScalerProfile.
PCI_PROPERTIES: Schema = {
    "linuxProfile": {"ssh": {"publicKeys": {"keyData": None}}},
    "controlPlane": {"count": None, "vmSize": None, "controlPlaneEndpoint": _ENDPOINT, "witness": None},
    "kubernetesVersion": None,
    "kubernetesDistribution": None,
    "networkProfile": {
        "loadBalancerProfile": {"count": None},
        "networkPolicy": None,
        "podCidr": None,
        "vnetSubnetId": None,
    },
    "storageProfile": {
        "smbCsiDriver": {"enabled": None},
        "nfsCsiDriver": {"enabled": None},
        "localPathProvisionerDriver": {"enabled": None},
    },
    "clusterVMAccessProfile": {"authorizedIPRanges": None},
    "agentPoolProfiles": {
        k: None
        for k in (
            "osType",
            "osSKU",
            "nodeLabels",
            "nodeTaints",
            "maxCount",
            "minCount",
            "enableAutoScaling",
            "maxPods",
            "count",
            "vmSize",
            "kubernetesVersion",
            "name",
        )
    },
    "cloudProviderProfile": {"infraNetworkProfile": {"vnetSubnetIds": None}},
    "provisioningState": None,
    "status": None,
    "licenseProfile": {"azureHybridBenefit": None},
    "autoScalerProfile": None,
}
# devicePool.tsp (0291de3d) DevicePoolProperties.
DEVICE_POOL_PROPERTIES: Schema = {
    "devices": {"deviceResourceId": None, "claimedBy": None},
    "customLocationName": None,  # the template's body
    "customLocationResourceId": None,  # DevicePools_CreateOrUpdate_MaximumSet_Gen.json response
    "managedResourceGroup": None,
    "cloudId": None,
    "operationDetails": None,
    "provisioningState": None,
}
_ROUTE: Schema = {"addressPrefix": None, "nextHopIpAddress": None}
LNET_PROPERTIES: Schema = {
    "subnets": {
        "name": None,
        "properties": {
            "addressPrefix": None,
            "ipAllocationMethod": None,
            "addressPrefixes": None,
            "ipConfigurationReferences": None,
            "ipPools": {"start": None, "end": None, "name": None, "ipPoolType": None, "info": None},
            "routeTable": {
                "etag": None,
                "name": None,
                "type": None,
                "properties": {"routes": {"name": None, "properties": _ROUTE}},
            },
            "vlan": None,
        },
    },
    "vmSwitchName": None,
    "dhcpOptions": {"dnsServers": None},
    "provisioningState": None,
    "status": None,
}
# hybridkubernetes stable/2024-01-01 connectedClusters.json (4c0959c2) ConnectedClusterProperties.
CONNECTED_PROPERTIES: Schema = {
    "agentPublicKeyCertificate": None,
    "aadProfile": {"enableAzureRBAC": None, "adminGroupObjectIDs": None, "tenantID": None},
    "arcAgentProfile": {"desiredAgentVersion": None, "agentAutoUpgrade": None},
    "azureHybridBenefit": None,
    "privateLinkState": None,
    "privateLinkScopeResourceId": None,
    "provisioningState": None,
    "connectivityStatus": None,
    "kubernetesVersion": None,
    "totalNodeCount": None,
    "totalCoreCount": None,
    "agentVersion": None,
    "offering": None,
    "managedIdentityCertificateExpirationTime": None,
    "lastConnectivityTime": None,
    "miscellaneousProperties": None,
    "distribution": None,
    "distributionVersion": None,
    "infrastructure": None,
}
ROLE_PROPERTIES: Schema = {
    "roleDefinitionId": None,
    "principalId": None,
    "principalType": None,
    "description": None,
    "condition": None,
    "conditionVersion": None,
    "provisioningState": None,  # the emulator's own bookkeeping
}
EXTENSION_PROPERTIES: Schema = {
    "extensionType": None,
    "autoUpgradeMinorVersion": None,
    "releaseTrain": None,
    "version": None,
    "configurationSettings": None,
    "configurationProtectedSettings": None,
    "provisioningState": None,
}
ENVELOPE: Schema = {
    k: None for k in ("id", "name", "type", "location", "tags", "kind", "etag", "systemData", "properties", "identity")
} | {"extendedLocation": {"type": None, "name": None}}


def check(schema: Schema, body: Any, what: str, path: str = "") -> None:
    """Raise 400 InvalidRequestContent naming the first property ``schema`` does not have."""
    if not isinstance(body, dict):
        return
    for key, value in body.items():
        where = f"{path}.{key}" if path else key
        if key not in schema:
            raise ArmError(
                400,
                "InvalidRequestContent",
                f"The request content was invalid: property '{where}' is not defined for {what} in the published API.",
            )
        sub = schema[key]
        if sub is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            check(sub, item, what, where)


def _body(body: dict[str, Any], properties: Schema, what: str) -> dict[str, Any]:
    check(ENVELOPE, body, what)
    props: dict[str, Any] = body.get("properties") or {}
    check(properties, props, what, "properties")
    return props


def _rg(rid: str) -> str:
    parts = rid.split("/")
    return "/".join(parts[:5])  # /subscriptions/{s}/resourceGroups/{rg}


# Resource name patterns of the published APIs. upstream: Azure/azure-rest-api-specs
# specification/azurestackhci/AzureStackHCI.StackHCI.Management/devicePool.tsp (0291de3d) and edgeMachine.tsp
# (188c4d8c): NamePattern "^[a-zA-Z0-9-_]{3,63}$"; .../Microsoft.AzureStackHCI/stable/2024-01-01/logicalNetworks.json
# (9ff39d8c) LogicalNetworkNameParameter: the pattern below, minLength 2, maxLength 64.
HCI_NAME = re.compile(r"^[a-zA-Z0-9-_]{3,63}$")
LNET_NAME = re.compile(r"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-._a-zA-Z0-9]{0,62}[_a-zA-Z0-9]$")
# upstream: azure-rest-api-specs specification/extendedlocation/resource-manager/Microsoft.ExtendedLocation/
# CustomLocations/CustomLocation.tsp (14f14dbe): NamePattern below, 1-63 characters. The HCI RP makes the
# custom location the pool names; a name the ExtendedLocation API refuses is refused with the pool.
CUSTOM_LOCATION_NAME = re.compile(r"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$")


def _name(rid: str, pattern: re.Pattern[str], max_length: int, what: str) -> None:
    name = rid.rsplit("/", 1)[-1]
    if len(name) > max_length or not pattern.match(name):
        raise ArmError(
            400,
            "InvalidResourceName",
            f"The {what} name '{name}' is invalid: it must match '{pattern.pattern}' and be at most {max_length} "
            "characters.",
        )


def _require(emu: ArmEmulator, rid: str, code: str, what: str) -> dict[str, Any]:
    found = emu.get_resource(rid)
    if found is None:
        raise ArmError(400 if code != "ResourceNotFound" else 404, code, f"{what} '{rid}' was not found.")
    return found


def _extended_location(emu: ArmEmulator, body: dict[str, Any], what: str) -> None:
    loc = body.get("extendedLocation") or {}
    if loc.get("type") != "CustomLocation" or not loc.get("name"):
        raise ArmError(
            400,
            "InvalidExtendedLocation",
            f"{what} needs extendedLocation {{type: CustomLocation, name: <custom location ID>}}.",
        )
    _require(emu, str(loc["name"]), "InvalidExtendedLocation", "Custom location")


# ---- hooks -------------------------------------------------------------------------------------


def _device_pool(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    _name(rid, HCI_NAME, 63, "DevicePool")
    props = _body(body, DEVICE_POOL_PROPERTIES, "DevicePool")
    for device in props.get("devices") or []:
        _require(emu, str(device.get("deviceResourceId")), "InvalidDeviceResourceId", "Edge machine")
    identity = body.get("identity") or {}
    if identity.get("type") == "SystemAssigned":
        old = (existing or {}).get("identity") or {}
        identity["principalId"] = old.get("principalId") or str(uuid.uuid4())
        identity["tenantId"] = emu.tenant
    name = props.get("customLocationName") or rid.rsplit("/", 1)[-1]
    _name(f"customLocations/{name}", CUSTOM_LOCATION_NAME, 63, "CustomLocation")
    location_id = f"{_rg(rid)}/providers/Microsoft.ExtendedLocation/customLocations/{name}"
    props["customLocationResourceId"] = location_id
    if emu.get_resource(location_id) is None:
        # The HCI resource provider creates the custom location with the pool (the template's
        # customLocationName parameter: "created by HCI RP during DevicePool provisioning").
        emu.put_resource(location_id, {"location": body.get("location"), "properties": {"hostResourceId": rid}})


def _role_assignment(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    props = _body(body, ROLE_PROPERTIES, "RoleAssignment")
    principal = props.get("principalId")
    known = {
        ((pool.get("identity") or {}).get("principalId"))
        for pool in emu.list_resources("Microsoft.AzureStackHCI/devicePools")
    }
    if principal not in known:
        raise ArmError(400, "PrincipalNotFound", f"Principal {principal} does not exist in the directory {emu.tenant}.")
    scope = rid.split("/providers/Microsoft.Authorization/")[0]
    _require(emu, scope, "InvalidScope", "Scope")
    if existing is None:
        # One assignment per principal, role and scope, whatever its name: another name is refused
        # with 409 RoleAssignmentExists "The role assignment already exists." (upstream: the RBAC
        # provider's answer as an activity log records it, openshift/cloud-credential-operator
        # ec23983; Azure/bicep discussion 19690: "does not allow having a role assignment with the
        # same properties - service principal, role definition and scope ... with different name").
        role = str(props.get("roleDefinitionId", "")).lower()
        for other in emu.list_resources("Microsoft.Authorization/roleAssignments", under=scope.lower() + "/"):
            theirs = other.get("properties") or {}
            if (
                str(other["id"]).lower().split("/providers/microsoft.authorization/")[0] == scope.lower()
                and theirs.get("principalId") == principal
                and str(theirs.get("roleDefinitionId", "")).lower() == role
            ):
                raise ArmError(409, "RoleAssignmentExists", "The role assignment already exists.")


def _lnet(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    _name(rid, LNET_NAME, 64, "LogicalNetwork")
    _body(body, LNET_PROPERTIES, "LogicalNetwork")
    _extended_location(emu, body, "A logical network")


def _connected(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    if str(body.get("kind", "")).lower() != "provisionedcluster":
        return  # other connected clusters (Arc-enabled Kubernetes) are not this module's
    props = _body(body, CONNECTED_PROPERTIES, "ConnectedCluster")
    # connectedClusters.json: ConnectedCluster "required": ["properties", "identity"];
    # ConnectedClusterProperties "required": ["agentPublicKeyCertificate"] (the template sends "").
    if not body.get("identity") or "agentPublicKeyCertificate" not in props:
        raise ArmError(
            400,
            "InvalidRequestContent",
            "The request content was invalid: 'identity' and 'properties.agentPublicKeyCertificate' are required "
            "for ConnectedCluster.",
        )
    props.setdefault("connectivityStatus", "Connected")
    identity = body.get("identity") or {}
    if identity.get("type") == "SystemAssigned":
        identity.setdefault("principalId", str(uuid.uuid4()))
        identity.setdefault("tenantId", emu.tenant)


def _instance(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    props = _body(body, PCI_PROPERTIES, "ProvisionedCluster")
    connected = _require(
        emu, rid.split("/providers/Microsoft.HybridContainerService/")[0], "ParentResourceNotFound", "Connected cluster"
    )
    if str(connected.get("kind", "")).lower() != "provisionedcluster":
        raise ArmError(400, "InvalidParentResource", "The connected cluster is not of kind ProvisionedCluster.")
    _extended_location(emu, body, "A provisioned cluster instance")
    if not (((props.get("linuxProfile") or {}).get("ssh") or {}).get("publicKeys")):
        raise ArmError(400, "InvalidLinuxProfile", "linuxProfile.ssh.publicKeys is required by the AksArc operator.")
    subnets = ((props.get("cloudProviderProfile") or {}).get("infraNetworkProfile") or {}).get("vnetSubnetIds") or []
    if len(subnets) != 1:
        raise ArmError(400, "InvalidInfraNetworkProfile", "vnetSubnetIds must name exactly one logical network.")
    _require(emu, str(subnets[0]), "InvalidInfraNetworkProfile", "Logical network")


def _extension(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    _body(body, EXTENSION_PROPERTIES, "Extension")
    _require(emu, rid.split("/providers/Microsoft.KubernetesConfiguration/")[0], "ParentResourceNotFound", "Cluster")


def edge_machine(
    emu: ArmEmulator, resource_group: str, name: str, state: str = "Succeeded", machine_state: str | None = "Purposed"
) -> str:
    """Seed an edge machine in the shape of the 2024-11-01-preview examples (EdgeMachines_Update.json,
    EdgeMachines_MarkFailedMachineState.json): ``provisioningState`` and ``machineState`` (edgeMachine.tsp
    EdgeMachineState; Purposed: "configured with target OS to deploy workloads")."""
    rg = f"/subscriptions/{emu.subscription}/resourceGroups/{resource_group}"
    rid = f"{rg}/providers/Microsoft.AzureStackHCI/edgeMachines/{name}"
    emu.put_resource(
        rid,
        {
            "location": "eastus",
            "properties": {
                "provisioningState": state,
                **({"machineState": machine_state} if machine_state is not None else {}),
                "arcMachineResourceId": f"/subscriptions/{emu.subscription}/resourceGroups/{resource_group}"
                f"/providers/Microsoft.HybridCompute/machines/{name}",
            },
        },
    )
    return rid


def install(emu: ArmEmulator) -> None:
    emu.add_hooks(DEVICE_POOL, on_put=_device_pool)
    emu.add_hooks(ROLE, on_put=_role_assignment)
    emu.add_hooks(LNET, on_put=_lnet)
    emu.add_hooks(CONNECTED, on_put=_connected)
    emu.add_hooks(PCI, on_put=_instance)
    emu.add_hooks(EXTENSION, on_put=_extension)
