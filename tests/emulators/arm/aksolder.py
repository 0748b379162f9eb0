"""What an older AKS api-version does not have, so the emulator answers it as that version does.

The emulator's AKS model is api-version 2026-08-01 (schema.py: azure-mgmt-containerservice 41.8.0).
A request at an older version is held to what that version defines (upstream: microsoft/api-guidelines
011dd3c azure/Guidelines.md, "Create / Update / Replace Processing Rules": "PATCH/PUT | Any JSON field
name/value not known/valid to the api-version | 400-Bad Request"; "YOU SHOULD NOT accept a value for
an extensible enum that is not one of the values defined for the api-version specified in the
request"; AKS refuses unknown fields from 2024-01-01 on: schema.check_aks). Its answer leaves out
the properties that version does not define, as the same guidelines ask of a polymorphic type ("YOU
SHOULD NOT return properties of a polymorphic type that are not defined for the api-version
specified in the request"); for a plain property no AKS source says so (docs/changes/
audit35-arm35.md names it). An enum value newer than the version is answered as it is ("YOU MAY
return a value for an extensible enum that is not one of the values defined for the api-version").

``LACKS`` holds, for each older version akscli sends, the properties of each definition that the
2026-08-01 model has and that version's does not; ``NEW_VALUES`` the enum values likewise. Each
set is the difference of the two SDK releases generated from the two swaggers, model class by model
class (the ``rest_field`` JSON names of each class; the members of each enum):

- 2026-01-01: azure-mgmt-containerservice 41.0.0 (its ``_configuration.py`` default api_version
  "2026-01-01"), generated from Azure/azure-rest-api-specs specification/containerservice/
  resource-manager/Microsoft.ContainerService/aks/stable/2026-01-01/managedClusters.json, against
  41.8.0 (aks/stable/2026-08-01/managedClusters.json). The releases between them name the same
  additions in their CHANGELOG ("Model `ManagedClusterProperties` added property
  `hosted_system_profile`", 41.1.0; `scheduler_profile`, 41.5.0; `enable_fips`, 41.7.0; ...), in
  azure-mgmt-containerservice 41.8.0's package metadata. akscli reads member clusters at this
  version (akscli/fleet/armclient.py ``_AKS_API``).

- 2024-01-01, 2024-01-02-preview, 2023-11-01 and 2023-11-02-preview (the versions on either side of
  AKS's unknown-field rule, apiversions.SERVED): azure-mgmt-containerservice 30.0.0, a multi-api
  release whose v2024_01_01, v2024_01_02_preview, v2023_11_01 and v2023_11_02_preview packages were
  generated from aks/stable/2024-01-01, aks/preview/2024-01-02-preview, aks/stable/2023-11-01 and
  aks/preview/2023-11-02-preview managedClusters.json. Those msrest models flatten ``properties``
  (an ``_attribute_map`` key "properties.x"), so the sets come from walking both models by JSON path
  from ManagedCluster, AgentPool, both upgrade profiles and TagsObject, and are named by the 41.8.0
  class at each path. A version before 2024-01-01 ignores what it lacks in a request rather than
  refusing it (``drop``; AKS ignored unknown fields then: schema.check_aks).

A preview version's own properties that 2026-08-01 does not have (those the previews had and the
stable API never took) are not modelled: the emulator refuses them as unknown. 2026-01-02-preview
keeps the 2026-08-01 shapes: no SDK generated from it is on PyPI (docs/changes/audit36-arm36.md).
"""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.arm import schema
from tests.emulators.arm.server import ArmError

# What api-version 2024-01-02-preview lacks, by model class (module docstring); a pool's properties are
# the same set in both of its classes.
_POOL_2024_01_02_PREVIEW = frozenset({"eTag", "gatewayProfile", "localDNSProfile", "status"})
_LACKS_2024_01_02_PREVIEW: dict[str, frozenset[str]] = {
    "AgentPool": frozenset({"systemData"}),
    "AgentPoolManagedClusterAgentPoolProfileProperties": _POOL_2024_01_02_PREVIEW,
    "AgentPoolNetworkProfile": frozenset({"dranet"}),
    "AgentPoolUpgradeProfile": frozenset({"systemData"}),
    "AgentPoolUpgradeProfileProperties": frozenset({"recentlyUsedVersions"}),
    "AgentPoolUpgradeSettings": frozenset({"maxUnavailable", "undrainableNodeBehavior"}),
    "ContainerServiceNetworkProfile": frozenset({"advancedNetworking", "staticEgressGatewayProfile"}),
    "GPUProfile": frozenset({"driver", "nvidia"}),
    "IstioComponents": frozenset({"proxyRedirectionMechanism"}),
    "IstioEgressGateway": frozenset({"gatewayConfigurationName", "name", "namespace"}),
    "ManagedCluster": frozenset({"eTag", "kind"}),
    "ManagedClusterAgentPoolProfile": _POOL_2024_01_02_PREVIEW,
    "ManagedClusterAzureMonitorProfile": frozenset({"appMonitoring", "containerInsights"}),
    "ManagedClusterAzureMonitorProfileMetrics": frozenset({"controlPlane"}),
    "ManagedClusterHTTPProxyConfig": frozenset({"enabled"}),
    "ManagedClusterIngressProfile": frozenset({"gatewayAPI"}),
    "ManagedClusterIngressProfileWebAppRouting": frozenset({"gatewayAPIImplementations", "nginx"}),
    "ManagedClusterManagedOutboundIPProfile": frozenset({"countIPv6"}),
    "ManagedClusterNATGatewayProfile": frozenset({"outboundIPPrefixes", "outboundIPs", "sku"}),
    "ManagedClusterNodeProvisioningProfile": frozenset({"defaultNodePools"}),
    "ManagedClusterProperties": frozenset({"enableFIPS", "hostedSystemProfile", "schedulerProfile", "status"}),
    "ManagedClusterSecurityProfile": frozenset({"kubernetesResourceObjectEncryptionProfile"}),
    "ManagedClusterSecurityProfileDefender": frozenset({"securityGating"}),
    "ManagedClusterUpgradeProfile": frozenset({"systemData"}),
    "ManualScaleProfile": frozenset({"size"}),
    "ScaleProfile": frozenset({"autoscale"}),
}
# What the stable 2024-01-01 lacks besides (the preview's own properties it never had). The preview's
# sets below a property 2024-01-01 lacks whole (gpuProfile, nodeProvisioningProfile, a pool's
# virtualMachinesProfile) change nothing there.
_POOL_2024_01_01 = frozenset(
    {
        "artifactStreamingProfile",
        "gpuProfile",
        "messageOfTheDay",
        "podIPAllocationMode",
        "securityProfile",
        "virtualMachineNodesStatus",
        "virtualMachinesProfile",
        "windowsProfile",
    }
)
_STABLE_2024_01_01: dict[str, frozenset[str]] = {
    "AgentPoolManagedClusterAgentPoolProfileProperties": _POOL_2024_01_01,
    "ManagedClusterAgentPoolProfile": _POOL_2024_01_01,
    "ManagedClusterAPIServerAccessProfile": frozenset({"enableVnetIntegration", "subnetId"}),
    "ManagedClusterProperties": frozenset(
        {
            "aiToolchainOperatorProfile",
            "bootstrapProfile",
            "metricsProfile",
            "nodeProvisioningProfile",
            "nodeResourceGroupProfile",
        }
    ),
    "ManagedClusterPropertiesAutoScalerProfile": frozenset(
        {"daemonset-eviction-for-empty-nodes", "daemonset-eviction-for-occupied-nodes", "ignore-daemonsets-utilization"}
    ),
    "ManagedClusterSecurityProfile": frozenset({"customCATrustCertificates"}),
}
# Enum values 2024-01-02-preview lacks; 2024-01-01 lacks these and _STABLE_VALUES (AgentPoolSSHAccess
# is a pool securityProfile's, which 2024-01-01 lacks whole).
_VALUES_2024_01_02_PREVIEW: dict[str, frozenset[str]] = {
    "AgentPoolMode": frozenset({"Gateway"}),
    "AgentPoolSSHAccess": frozenset({"EntraId"}),
    "ManagedClusterSKUName": frozenset({"Automatic"}),
    "OSSKU": frozenset({"AzureContainerLinux", "AzureLinux3", "Ubuntu2204", "Ubuntu2404", "Windows2025"}),
    "OutboundType": frozenset({"none"}),
    "WorkloadRuntime": frozenset({"KataVmIsolation"}),
}
_STABLE_VALUES: dict[str, frozenset[str]] = {
    "AgentPoolType": frozenset({"VirtualMachines"}),
    "NetworkPolicy": frozenset({"none"}),
    "NodeOSUpgradeChannel": frozenset({"SecurityPatch"}),
}


def _more(base: dict[str, frozenset[str]], more: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """``base`` with ``more`` added, class by class (an older version lacks what the next one does, and more)."""
    return {cls: base.get(cls, frozenset()) | more.get(cls, frozenset()) for cls in {*base, *more}}


_LACKS_2024_01_01 = _more(_LACKS_2024_01_02_PREVIEW, _STABLE_2024_01_01)
_VALUES_2024_01_01 = _more(_VALUES_2024_01_02_PREVIEW, _STABLE_VALUES)


# api-version -> model class -> the JSON property names that version's definition lacks.
LACKS: dict[str, dict[str, frozenset[str]]] = {
    "2026-01-01": {
        "AgentPoolManagedClusterAgentPoolProfileProperties": frozenset({"artifactStreamingProfile"}),
        "AgentPoolNetworkProfile": frozenset({"dranet"}),
        "AgentPoolUpgradeProfileProperties": frozenset({"recentlyUsedVersions"}),
        "GPUProfile": frozenset({"nvidia"}),
        "ManagedClusterAgentPoolProfile": frozenset({"artifactStreamingProfile"}),
        "ManagedClusterAgentPoolProfileProperties": frozenset({"artifactStreamingProfile"}),
        "ManagedClusterAzureMonitorProfile": frozenset({"appMonitoring", "containerInsights"}),
        "ManagedClusterAzureMonitorProfileMetrics": frozenset({"controlPlane"}),
        "ManagedClusterIngressProfile": frozenset({"gatewayAPI"}),
        "ManagedClusterIngressProfileWebAppRouting": frozenset({"gatewayAPIImplementations"}),
        "ManagedClusterManagedOutboundIPProfile": frozenset({"countIPv6"}),
        "ManagedClusterNATGatewayProfile": frozenset({"outboundIPPrefixes", "outboundIPs", "sku"}),
        "ManagedClusterProperties": frozenset({"enableFIPS", "hostedSystemProfile", "schedulerProfile"}),
        "ManagedClusterSecurityProfile": frozenset({"kubernetesResourceObjectEncryptionProfile"}),
        "ManagedClusterSecurityProfileDefender": frozenset({"securityGating"}),
        "ScaleProfile": frozenset({"autoscale"}),
    },
    "2024-01-01": _LACKS_2024_01_01,
    "2024-01-02-preview": _LACKS_2024_01_02_PREVIEW,
    # 2023-11-01 is 2024-01-01 without an ingress profile (webAppRouting came in 2024-01-01).
    "2023-11-01": _more(_LACKS_2024_01_01, {"ManagedClusterProperties": frozenset({"ingressProfile"})}),
    # 2023-11-02-preview is 2024-01-02-preview without a bootstrap profile and a pool's podIPAllocationMode.
    "2023-11-02-preview": _more(
        _LACKS_2024_01_02_PREVIEW,
        {
            "ManagedClusterProperties": frozenset({"bootstrapProfile"}),
            "AgentPoolManagedClusterAgentPoolProfileProperties": frozenset({"podIPAllocationMode"}),
            "ManagedClusterAgentPoolProfile": frozenset({"podIPAllocationMode"}),
        },
    ),
}

# api-version -> enum class -> the values that version's enum lacks.
NEW_VALUES: dict[str, dict[str, frozenset[str]]] = {
    "2026-01-01": {
        "AgentPoolSSHAccess": frozenset({"EntraId"}),
        "OSSKU": frozenset({"AzureContainerLinux", "Windows2025"}),
    },
    "2024-01-01": _VALUES_2024_01_01,
    "2024-01-02-preview": _VALUES_2024_01_02_PREVIEW,
    "2023-11-01": _VALUES_2024_01_01,
    "2023-11-02-preview": _VALUES_2024_01_02_PREVIEW,
}

# A resource's type (lower case) -> its model class, for the answers this module trims.
_MODEL_OF_TYPE = {
    "microsoft.containerservice/managedclusters": "ManagedCluster",
    "microsoft.containerservice/managedclusters/agentpools": "AgentPool",
    "microsoft.containerservice/managedclusters/upgradeprofiles": "ManagedClusterUpgradeProfile",
    "microsoft.containerservice/managedclusters/agentpools/upgradeprofiles": "AgentPoolUpgradeProfile",
}


def answer(version: str, payload: Any) -> Any:
    """The emulator's answer at ``version``: a copy of a resource (or of a list's resources) of an
    AKS type without what that version lacks; any other payload as it is."""
    if version not in LACKS or not isinstance(payload, dict):
        return payload
    items = payload.get("value") if isinstance(payload.get("value"), list) else [payload]
    if not any(isinstance(i, dict) and str(i.get("type", "")).lower() in _MODEL_OF_TYPE for i in items):
        return payload
    out = copy.deepcopy(payload)
    for item in out.get("value") if isinstance(out.get("value"), list) else [out]:
        model = _MODEL_OF_TYPE.get(str(item.get("type", "")).lower()) if isinstance(item, dict) else None
        if model is not None:
            drop(version, model, item)
    return out


def problems(version: str, class_name: str, body: Any) -> list[str]:
    """What a request body at ``version`` carries that the version lacks: a property or an enum value."""
    lacks, values = LACKS.get(version, {}), NEW_VALUES.get(version, {})
    models = schema.aks_models()
    out: list[str] = []
    for cls, obj in schema._objects(models, class_name, body):
        fields = schema._fields(models, cls)
        for key, value in obj.items():
            if key in lacks.get(cls, frozenset()):
                out.append(f"property '{key}' is not defined for {cls} in api-version {version}")
                continue
            kind = schema._enum(models, fields.get(key, ""))
            newer = values.get(kind.__name__, frozenset()) if kind is not None else frozenset()
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item in newer:
                    out.append(f"property '{key}' has the value {item!r}, which api-version {version} does not have")
    return out


def drop(version: str, class_name: str, body: Any) -> None:
    """Leave out of a request body at a version before 2024-01-01 what that version lacks: AKS
    ignored an unknown field then (schema.check_aks; Azure/AKS issue #4060)."""
    lacks = LACKS.get(version, {})
    for cls, obj in list(schema._objects(schema.aks_models(), class_name, body)):
        for key in lacks.get(cls, frozenset()) & set(obj):
            del obj[key]


def check(version: str, class_name: str, body: Any) -> None:
    """Refuse a request body at an older version with what that version lacks (400
    InvalidRequestContent, as schema.check refuses an unknown property)."""
    found = problems(version, class_name, body)
    if found:
        raise ArmError(400, "InvalidRequestContent", f"The request content was invalid: {found[0]}.")
