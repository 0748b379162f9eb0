"""``baremetal cluster create``: the request sequence of Microsoft's ARM template for AKS on bare metal.

Microsoft publishes the portal's creation flow as an ARM template (Azure/aksArc
``deploymentTemplates/aks-baremetal-arm/aks-baremetal-arm.json``, copied in
../shared/data/arm-examples/aks-baremetal/). This module sends the same resources, in the same
order and with the same bodies, through the raw ARM pipeline (no installed SDK covers these
providers):

1. ``Microsoft.AzureStackHCI/devicePools/{pool}`` (2024-11-01-preview) over the edge machine, with a
   system-assigned identity; Azure creates the custom location ``customLocationName`` from it.
2. Two ``Microsoft.Authorization/roleAssignments`` (2022-04-01) for the pool's identity: Device
   Pool Manager on the pool, Edge Machine Contributor on the edge machine.
3. ``Microsoft.AzureStackHCI/logicalNetworks/{cluster}-lnet`` (2024-01-01) in that custom location.
4. ``Microsoft.Kubernetes/connectedClusters/{cluster}`` (2024-01-01), kind ``ProvisionedCluster``.
5. ``.../provisionedClusterInstances/default`` (2024-09-01-preview) with ``extendedLocation``,
   ``controlPlane``, ``networkProfile``, ``cloudProviderProfile.infraNetworkProfile``,
   ``agentPoolProfiles: []`` and ``linuxProfile.ssh`` (properties as in Azure/azure-rest-api-specs
   ``specification/hybridaks/.../preview/2024-09-01-preview/openapi.json`` ProvisionedClusterProperties).
6. Optional ``Microsoft.KubernetesConfiguration/extensions`` (2023-05-01): azure-policy, and
   azuremonitor-containers when a Log Analytics workspace is given.

Each step is skipped when its resource already exists (a re-run resumes at the first missing
one); a resource an interrupted run left mid-operation (provisioningState Creating, Updating, ...)
is waited for, not sent again; each long-running step is waited for with progress. The template names its role
assignments with ARM's ``guid()``; akscli computes the same names (``arm_guid``) from the same
arguments, so a re-run, or a later deployment of the template, finds the assignment already made;
one the portal made under another name is taken as done (Azure answers 409 RoleAssignmentExists:
_assigned_elsewhere).
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from akscli.baremetal.clusters import (
    CONNECTED_API,
    HYBRID_API,
    MACHINE_TAG,
    ArmRequest,
    ClusterRef,
    check_name,
    check_region,
    printable,
)
from akscli.errors import AkscliError, ConflictError, NotFoundError, OperationTimedOut, UsageError

if TYPE_CHECKING:
    from akscli.baremetal.clusters import BareMetal

STACK_HCI_API = "2024-11-01-preview"  # devicePools and edgeMachines
LNET_API = "2024-01-01"
ROLE_API = "2022-04-01"
EXTENSION_API = "2023-05-01"
# Built-in role definitions the template assigns (its variables devicePoolManagerRoleId and
# edgeMachineContributorRoleId).
DEVICE_POOL_MANAGER = "adc3c795-c41e-4a89-a478-0b321783324c"
EDGE_MACHINE_CONTRIBUTOR = "1a6f9009-515c-4455-b170-143e4c9ce229"
# The template's fixed network variables.
POD_CIDR = "10.244.0.0/16"
LNET_PREFIX, LNET_GATEWAY, LNET_POOL = "10.0.0.0/24", "10.0.0.1", ("10.0.0.2", "10.0.0.10")
LNET_SWITCH = "PlaceholderSwitch"
PRINCIPAL_PLACEHOLDER = "<identity.principalId of the device pool, known once it exists>"
_SSH_KEY = re.compile(r"^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-\S+) [A-Za-z0-9+/=]+( .*)?$")
_HCI_NAME = re.compile(r"^[a-zA-Z0-9-_]{3,63}$")
_CUSTOM_LOCATION_NAME = re.compile(r"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$")
LNET_SUFFIX, LNET_NAME_MAX = "-lnet", 64
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


@dataclass
class CreateSpec:
    """Every value of ``baremetal cluster create``, validated by :func:`check`."""

    name: str
    resource_group: str
    edge_machine: str
    ssh_key_file: str
    admin_groups: list[str]
    location: str = "eastus"
    kubernetes_version: str | None = None
    control_plane_ip: str | None = None
    device_pool: str | None = None  # default: the edge machine's name (as the template)
    custom_location: str | None = None  # default: the edge machine's name
    azure_rbac: bool = True
    azure_policy: bool = True
    log_analytics_workspace: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    ssh_public_key: str = ""

    @property
    def pool(self) -> str:
        return self.device_pool or self.edge_machine

    @property
    def location_name(self) -> str:
        return self.custom_location or self.edge_machine


def check(spec: CreateSpec) -> CreateSpec:
    """Validate every value (and read the SSH key) before anything is rendered or sent."""
    from akscli.azure import names
    from akscli.baremetal.clusters import version_tuple

    check_name(spec.name)
    if not spec.resource_group:
        raise UsageError("a resource group is required", hint="pass -g/--resource-group NAME")
    names.resource_group(spec.resource_group)
    spec.location = check_region(spec.location)
    for what, value in (("--edge-machine", spec.edge_machine), ("--device-pool", spec.device_pool)):
        # upstream: Azure/azure-rest-api-specs specification/azurestackhci/AzureStackHCI.StackHCI.Management
        # edgeMachine.tsp and devicePool.tsp (0291de3d): NamePattern "^[a-zA-Z0-9-_]{3,63}$". The pool
        # defaults to the edge machine's name, so the machine's name must be a valid pool name too.
        if value is not None and not _HCI_NAME.match(value):
            raise UsageError(
                f"invalid {what} {value!r}: 3-63 letters, digits, '-' or '_'", hint="for example: edge-gpu-01"
            )
    if len(spec.name) > LNET_NAME_MAX - len(LNET_SUFFIX):
        # upstream: azure-rest-api-specs azurestackhci/.../stable/2024-01-01/logicalNetworks.json
        # LogicalNetworkNameParameter, maxLength 64: the template's logical network "{cluster}-lnet" would be
        # refused at step 4, after the device pool and its role assignments exist.
        raise UsageError(
            f"cluster name {spec.name!r} is too long for AKS on bare metal: at most "
            f"{LNET_NAME_MAX - len(LNET_SUFFIX)} characters (its logical network is "
            f"'<name>{LNET_SUFFIX}', at most {LNET_NAME_MAX})",
            hint="pick a shorter name",
        )
    check_custom_location(spec)
    if not spec.admin_groups:
        raise UsageError(
            "at least one --admin-group is required: the Entra group whose members administer the cluster",
            hint="az ad group show -g 'AKS admins' --query id -o tsv",
        )
    for group in spec.admin_groups:
        if not _GUID.match(group):
            raise UsageError(
                f"invalid --admin-group {group!r}: an Entra group object ID (a GUID)", hint="az ad group list"
            )
    if spec.kubernetes_version:
        version_tuple(spec.kubernetes_version)
    if spec.control_plane_ip:
        try:
            ipaddress.IPv4Address(spec.control_plane_ip)
        except ValueError as exc:
            raise UsageError(
                f"invalid --control-plane-ip {spec.control_plane_ip!r}", hint="an IPv4 address, e.g. 10.0.0.5"
            ) from exc
    if spec.log_analytics_workspace and not re.match(
        r"^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.operationalinsights/workspaces/[^/]+$",
        spec.log_analytics_workspace,
        re.I,
    ):
        raise UsageError(
            f"invalid --log-analytics-workspace {spec.log_analytics_workspace!r}: a workspace resource ID",
            hint="az monitor log-analytics workspace show -g GROUP -n NAME --query id -o tsv",
        )
    spec.ssh_public_key = read_ssh_key(spec.ssh_key_file)
    return spec


def check_custom_location(spec: CreateSpec) -> None:
    """The custom location the device pool makes, named by --custom-location or, by default, after the
    edge machine (the template's customLocationName), must be a name the ExtendedLocation API takes."""
    # upstream: Azure/azure-rest-api-specs specification/extendedlocation/resource-manager/
    # Microsoft.ExtendedLocation/CustomLocations/CustomLocation.tsp (14f14dbe): NamePattern
    # "^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$", minLength 1, maxLength 63. An edge
    # machine's own pattern (3-63 of letters, digits, '-', '_' anywhere) lets a name start or end with
    # '-' or '_', which a custom location cannot.
    name = spec.location_name
    if _CUSTOM_LOCATION_NAME.match(name):
        return
    rule = "1-63 letters, digits, '-' or '_', starting and ending with a letter or digit"
    if spec.custom_location is not None:
        raise UsageError(f"invalid --custom-location {name!r}: {rule}", hint="for example: edge-gpu-01")
    raise UsageError(
        f"the edge machine's name {name!r} cannot name its custom location (the default): {rule}",
        hint=f"pass --custom-location {name.strip('-_') or 'edge-gpu-01'}",
    )


def read_ssh_key(path: str) -> str:
    """The one public key in ``path`` (the template's sshPublicKey; the AksArc operator requires it)."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise UsageError(
            f"--ssh-key {path!r} does not exist", hint="give a public key file, e.g. ~/.ssh/id_ed25519.pub"
        )
    text = p.read_text(encoding="utf-8", errors="replace").strip()
    if "PRIVATE KEY" in text:
        raise UsageError(f"--ssh-key {path!r} is a private key", hint="give the .pub file beside it")
    if not _SSH_KEY.match(text) or "\n" in text:
        raise UsageError(
            f"--ssh-key {path!r} is not one OpenSSH public key",
            hint="ssh-keygen -t ed25519, then pass the .pub file",
        )
    return text


# ---- the requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One resource of the template: where it goes and the body that creates it."""

    what: str
    path: str
    api: str
    body: Callable[[dict[str, Any]], dict[str, Any]]  # facts learnt so far (principalId) -> body


def _rg_id(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


# ARM's guid(): a name-based UUID (RFC 4122 section 4.3, version 5, SHA-1) in this namespace, over
# its arguments joined with "-" (UTF-8). upstream: the Azure docs (template-functions-string.md,
# guid: "implements the algorithm from RFC 4122 §4.3", GuidUtility "with some modifications",
# as MicrosoftDocs/azure-docs issue 121776 quotes them); the values ARM's own expression library
# gives in Azure/bicep 9beb0fee6 src/Bicep.Core.UnitTests/TypeSystem/FunctionResolverTests.cs
# (guid('foo', 'bar', 'baz') = 2ed86837-7c7c-5eaa-9864-dd077fd19b0d) and
# src/Bicep.Core.Samples/Files/baselines_bicepparam/Expressions/parameters.json
# (guid('asdf') = 228d27cc-6fdb-5934-b7ac-1efccebade04), which this reproduces.
ARM_GUID_NAMESPACE = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")


def arm_guid(*args: str) -> str:
    """What ARM's ``guid(args...)`` returns for these strings."""
    return str(uuid.uuid5(ARM_GUID_NAMESPACE, "-".join(args)))


def steps(spec: CreateSpec, subscription: str) -> list[Step]:
    """The template's resources in its dependency order."""
    rg = _rg_id(subscription, spec.resource_group)
    edge_id = f"{rg}/providers/Microsoft.AzureStackHCI/edgeMachines/{spec.edge_machine}"
    # The ids the template's guid() hashes, spelt as its resourceId() gives them (the case counts):
    # the deployment's subscription id in lower case, and 'Microsoft.AzureStackHCI/EdgeMachines'.
    hashed_rg = f"{_rg_id(subscription.lower(), spec.resource_group)}/providers/Microsoft.AzureStackHCI"
    pool_id = f"{rg}/providers/Microsoft.AzureStackHCI/devicePools/{spec.pool}"
    custom_location_id = f"{rg}/providers/Microsoft.ExtendedLocation/customLocations/{spec.location_name}"
    lnet_id = f"{rg}/providers/Microsoft.AzureStackHCI/logicalNetworks/{spec.name}{LNET_SUFFIX}"
    ref = ClusterRef(subscription, spec.resource_group, spec.name)
    tags = {**spec.tags, "aks-arc-cluster": spec.name, "purpose": "aks-arc-bmlinux"}
    extended_location = {"type": "CustomLocation", "name": custom_location_id}

    def role(scope: str, hashed: str, tag: str, role_id: str, description: str) -> Step:
        definition = f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role_id}"
        # the template's name: guid(<resource id>, tag, subscriptionResourceId(roleDefinitions, id))
        hashed_role = (
            f"/subscriptions/{subscription.lower()}/providers/Microsoft.Authorization/roleDefinitions/{role_id}"
        )
        name = arm_guid(hashed, tag, hashed_role)
        return Step(
            f"role assignment {description.split(' needs ')[1].split(' role')[0]} for the device pool",
            f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
            ROLE_API,
            lambda facts: {
                "properties": {
                    "roleDefinitionId": definition,
                    "principalId": facts.get("principalId", PRINCIPAL_PLACEHOLDER),
                    "principalType": "ServicePrincipal",
                    "description": description,
                }
            },
        )

    control_plane: dict[str, Any] = {"count": 1}
    if spec.control_plane_ip:
        control_plane["controlPlaneEndpoint"] = {"hostIP": spec.control_plane_ip}
    instance: dict[str, Any] = {
        "extendedLocation": extended_location,
        "properties": {
            "controlPlane": control_plane,
            "networkProfile": {"podCidr": POD_CIDR, "loadBalancerProfile": {"count": 0}},
            "cloudProviderProfile": {"infraNetworkProfile": {"vnetSubnetIds": [lnet_id]}},
            "agentPoolProfiles": [],
            "linuxProfile": {"ssh": {"publicKeys": [{"keyData": spec.ssh_public_key}]}},
        },
    }
    if spec.kubernetes_version:
        instance["properties"]["kubernetesVersion"] = spec.kubernetes_version
    out = [
        Step(
            f"device pool {spec.pool} over edge machine {spec.edge_machine}",
            pool_id,
            STACK_HCI_API,
            lambda _: {
                "location": spec.location,
                "identity": {"type": "SystemAssigned"},
                "properties": {"devices": [{"deviceResourceId": edge_id}], "customLocationName": spec.location_name},
                "tags": tags,
            },
        ),
        role(
            pool_id,
            f"{hashed_rg}/devicePools/{spec.pool}",
            "dpManager",
            DEVICE_POOL_MANAGER,
            "DevicePool MSI needs Device Pool Manager role for CAPE operations",
        ),
        role(
            edge_id,
            f"{hashed_rg}/EdgeMachines/{spec.edge_machine}",
            "emContributor",
            EDGE_MACHINE_CONTRIBUTOR,
            "DevicePool MSI needs Edge Machine Contributor role for CAPE lifecycle operations",
        ),
        Step(
            f"logical network {spec.name}-lnet",
            lnet_id,
            LNET_API,
            lambda _: {
                "location": spec.location,
                "extendedLocation": extended_location,
                "properties": {
                    "subnets": [
                        {
                            "name": "default",
                            "properties": {
                                "addressPrefix": LNET_PREFIX,
                                "ipAllocationMethod": "Static",
                                "ipPools": [{"start": LNET_POOL[0], "end": LNET_POOL[1]}],
                                "routeTable": {
                                    "properties": {
                                        "routes": [
                                            {
                                                "name": "default",
                                                "properties": {
                                                    "addressPrefix": "0.0.0.0/0",
                                                    "nextHopIpAddress": LNET_GATEWAY,
                                                },
                                            }
                                        ]
                                    }
                                },
                            },
                        }
                    ],
                    "vmSwitchName": LNET_SWITCH,
                },
                "tags": tags,
            },
        ),
        Step(
            f"connected cluster {spec.name}",
            ref.connected_id,
            CONNECTED_API,
            lambda _: {
                "location": spec.location,
                "identity": {"type": "SystemAssigned"},
                "kind": "ProvisionedCluster",
                "properties": {
                    "agentPublicKeyCertificate": "",
                    "aadProfile": {"enableAzureRBAC": spec.azure_rbac, "adminGroupObjectIDs": list(spec.admin_groups)},
                },
                "tags": {**tags, MACHINE_TAG: spec.edge_machine},
            },
        ),
        Step(f"Kubernetes on {spec.edge_machine}", ref.instance_id, HYBRID_API, lambda _: instance),
    ]
    extension_root = ref.connected_id + "/providers/Microsoft.KubernetesConfiguration/extensions"
    if spec.azure_policy:
        out.append(
            Step(
                "extension azure-policy",
                f"{extension_root}/azure-policy",
                EXTENSION_API,
                lambda _: {
                    "properties": {"extensionType": "microsoft.policyinsights", "autoUpgradeMinorVersion": True}
                },
            )
        )
    if spec.log_analytics_workspace:
        workspace = spec.log_analytics_workspace
        out.append(
            Step(
                "extension azuremonitor-containers",
                f"{extension_root}/azuremonitor-containers",
                EXTENSION_API,
                lambda _: {
                    "properties": {
                        "extensionType": "microsoft.azuremonitor.containers",
                        "autoUpgradeMinorVersion": True,
                        "configurationSettings": {"logAnalyticsWorkspaceResourceID": workspace},
                    }
                },
            )
        )
    return out


def plan(spec: CreateSpec, subscription: str) -> list[dict[str, Any]]:
    """What ``--dry-run`` prints: every request in order, with its body."""
    return printable([ArmRequest(s.what, "PUT", s.path, s.api, s.body({})) for s in steps(spec, subscription)])


def _assigned_elsewhere(step: Step, exc: ConflictError) -> bool:
    """A role assignment the device pool already holds under another name: Microsoft's template (or
    the portal, at parity with it) names its assignments with ARM's guid(), which akscli does not
    reproduce (no published source gives its algorithm), and Azure keeps one assignment per
    principal, role and scope, refusing another name with 409 RoleAssignmentExists (upstream:
    Azure/bicep discussion 19690; the code as openshift/cloud-credential-operator ec23983 records
    it). The role is granted: the step is done."""
    return "/providers/Microsoft.Authorization/roleAssignments/" in step.path and "RoleAssignmentExists:" in str(exc)


def _done(existing: dict[str, Any] | None) -> bool:
    """Whether a step's resource (read once settled) is there: Succeeded, or no provisioningState (the
    RPC's "assumed to be Succeeded"). Failed and Canceled are PUT again, as a template re-deploy does."""
    if existing is None:
        return False
    state = (existing.get("properties") or {}).get("provisioningState")
    return state in (None, "Succeeded")


def _stopped_at(exc: AkscliError, index: int, todo: list[Step], report: list[str]) -> AkscliError:
    """The error of step ``index``, saying what the earlier steps left in Azure and how to go on.

    The template has no rollback either: what was created stays, and a re-run skips it. A step
    whose wait passed --timeout did not fail: it goes on in Azure, and a re-run waits for it."""
    if isinstance(exc, OperationTimedOut):
        exc.hint = f"{exc.hint}; then re-run the same command: it waits for step {index} and goes on"
        return exc
    exc.message = f"step {index}/{len(todo)} ({todo[index - 1].what}) failed: {exc.message}"
    if index > 1:
        kept = "; ".join(report)
        exc.hint = (
            f"steps 1-{index - 1} are in Azure ({kept}); once the cause is fixed, re-run the same command: "
            f"it skips them and resumes at step {index}" + (f"; {exc.hint}" if exc.hint else "")
        )
    return exc


# upstream: Azure/azure-rest-api-specs specification/azurestackhci/AzureStackHCI.StackHCI.Management/
# edgeMachine.tsp (188c4d8c), union EdgeMachineState, with its docs. The template asks for a machine "in
# Provisioned state", a value no published state has; the one state the spec describes as ready to deploy
# workloads is Purposed ("machine configured with target OS to deploy workloads"; Unpurposed is "not
# provisioned to deploy workloads"). A state the spec does not list is left for Azure to judge.
_MACHINE_NOT_READY = {
    "Created": "created, not yet registered",
    "Registering": "being discovered and registered",
    "Unpurposed": "configured with a restricted OS, not provisioned to deploy workloads",
    "Transitioning": "moving from its initial OS to its target OS",
    "Preparing": "being prepared",
    "Updating": "installing OS updates",
    "Resetting": "moving back from its target OS to a restricted OS",
    "Failed": "failed; the only way to recover is to provision the machine again",
}
# edgeMachine.tsp ProvisioningState: the RPC's terminal states are Succeeded, Failed and Canceled
# (Azure/azure-resource-manager-rpc v1.0/async-api-reference.md); NotSpecified says nothing.
_USABLE_PROVISIONING = (None, "Succeeded", "NotSpecified")


def check_edge_machine(machine: dict[str, Any], name: str) -> None:
    """ConflictError unless the edge machine is in a state a cluster can be made on (see above)."""
    props = machine.get("properties") or {}
    show = f"az resource show --ids {machine.get('id') or '<edge machine ID>'}"
    provisioning = props.get("provisioningState")
    if provisioning not in _USABLE_PROVISIONING:
        ended = provisioning in ("Failed", "Canceled")
        raise ConflictError(
            f"edge machine {name} is not ready for a cluster: its provisioningState is {provisioning}",
            hint=f"see why with '{show}'"
            if ended
            else f"wait until it is Succeeded ({show} --query properties.provisioningState), then re-run",
        )
    state = props.get("machineState")
    if state in _MACHINE_NOT_READY:
        raise ConflictError(
            f"edge machine {name} is not ready for a cluster: its machineState is {state} "
            f"({_MACHINE_NOT_READY[state]}); AKS needs it Purposed (configured with its target OS)",
            hint="provision the machine again, then re-run"
            if state == "Failed"
            else f"re-run once its machineState is Purposed ({show} --query properties.machineState)",
        )


def create(bm: BareMetal, spec: CreateSpec, progress: Callable[[str], None] | None = None) -> list[str]:
    """Run the steps; returns one line per step (created / already there)."""
    say = progress or (lambda _: None)
    todo = steps(spec, bm.subscription)
    edge = bm.get_raw(todo[0].body({})["properties"]["devices"][0]["deviceResourceId"], STACK_HCI_API)
    if edge is None:
        raise NotFoundError(
            f"edge machine {spec.edge_machine} not found in resource group {spec.resource_group}",
            # upstream: Azure/aksArc deploymentTemplates/aks-baremetal-arm/aks-baremetal-arm.json,
            # parameter edgeMachineName: "Name of the existing EdgeMachine resource (must be in
            # Provisioned state)"; the template does not make one, and neither does akscli.
            hint="the cluster needs an existing Microsoft.AzureStackHCI/edgeMachines resource (machineState Purposed): "
            "provision the machine first, or check --edge-machine and -g",
        )
    check_edge_machine(edge, spec.edge_machine)
    connected = bm.get_raw(ClusterRef(bm.subscription, spec.resource_group, spec.name).connected_id, CONNECTED_API)
    if connected is not None and str(connected.get("kind", "")).lower() != "provisionedcluster":
        raise ConflictError(
            f"connected cluster {spec.name} exists in {spec.resource_group} and is not an AKS on bare metal cluster",
            hint="pick another name",
        )
    facts: dict[str, Any] = {}
    report: list[str] = []
    for i, step in enumerate(todo, start=1):
        label = f"step {i}/{len(todo)}: {step.what}"
        existing = bm.settled(step.path, step.api, label, progress=say)
        if _done(existing):
            say(f"{label}: exists, skipped")
            report.append(f"{step.what}: exists")
        else:
            say(f"{label}: creating")
            # Every PUT is waited for like an LRO: ARM's polling ends at once on a synchronous 200/201
            # (role assignments answer so), and follows Azure-AsyncOperation where there is one.
            try:
                bm.put(step.path, step.api, step.body(facts), label, progress=progress)
            except ConflictError as exc:
                if not _assigned_elsewhere(step, exc):
                    raise _stopped_at(exc, i, todo, report) from exc
                say(f"{label}: exists under another name, skipped")
                report.append(f"{step.what}: exists under another name")
                continue
            except AkscliError as exc:
                raise _stopped_at(exc, i, todo, report) from exc
            existing = bm.get_raw(step.path, step.api)
            report.append(f"{step.what}: created")
        if i == 1:
            principal = ((existing or {}).get("identity") or {}).get("principalId")
            if not principal:
                raise NotFoundError(
                    f"device pool {spec.pool} has no identity.principalId",
                    hint="the pool's system-assigned identity is needed for its role assignments; retry later",
                )
            facts["principalId"] = principal
    return report
