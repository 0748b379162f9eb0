"""AKS managed clusters through ARM (azure-mgmt-containerservice, API 2026-08-01).

Plain logic: request bodies are built as ARM JSON dicts (what ``--dry-run`` prints is exactly
what is sent), results are returned as ARM JSON dicts (what ``-o json`` prints).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from akscli import validate
from akscli.azure import arm, armerrors, names
from akscli.errors import AkscliError, ConflictError, NotFoundError, UsageError, WaitTimeoutError
from akscli.globals import typed

if TYPE_CHECKING:
    from azure.core.polling import LROPoller
    from azure.mgmt.containerservice import ContainerServiceClient

API_VERSION = "2026-08-01"
SKUS = ("automatic", "base")
TIERS = ("free", "standard", "premium")
AUTOMATIC_TIER = "standard"
NODE_PROVISIONING = ("auto", "manual")
OS_SKUS = ("AzureLinux", "AzureLinux3", "AzureContainerLinux", "Ubuntu", "Ubuntu2204", "Ubuntu2404")
TERMINAL_STATES = arm.TERMINAL_STATES
DEFAULT_SYSTEM_VM = "Standard_D4ds_v5"


def as_dict(model: Any) -> dict[str, Any]:
    """An SDK model (or a dict) as the ARM JSON shape."""
    if model is None:
        return {}
    if hasattr(model, "as_dict"):
        return dict(model.as_dict())
    return dict(model)


def put_back(model: str, resource: Mapping[str, Any]) -> Any:
    """The body of a PUT built from a GET (read, change, send back): the SDK model of ``resource``.

    The SDK sends a model without the properties the spec marks read-only (``readOnly: true``; in
    the SDK ``visibility=["read"]``: id, name, eTag, provisioningState, currentOrchestratorVersion,
    fqdn, ...), which a dict would carry back as they were read. Each agent pool's
    ``nodeImageVersion`` is left out too: it is writable since 2026-04-01, and setting it asks AKS
    to roll the pool back to that image, only to one of its ``recentlyUsedVersions``, so the value
    a GET read, sent back with a new count or version, could ask for an older image than the pool
    has by then, or be refused. Left out, the pool keeps its image (upstream: Azure/azure-rest-api-specs
    specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/
    managedClusters.json ManagedClusterAgentPoolProfileProperties.nodeImageVersion, "Setting this value
    triggers an agentPool rollback. Only values from `recentlyUsedVersions` are allowed"; made writable
    by Azure/azure-rest-api-specs#43524; azure-mgmt-containerservice 41.8.0 models/_models.py).
    """
    import copy

    from azure.mgmt.containerservice import models

    body = copy.deepcopy(dict(resource))  # the caller's dict stays as read
    props = body.get("properties") or {}
    pools = props.get("agentPoolProfiles") or [] if model == "ManagedCluster" else [props]
    for pool in pools:
        pool.pop("nodeImageVersion", None)
    return getattr(models, model)(body)


@dataclass
class ClusterSpec:
    name: str
    resource_group: str
    location: str
    sku: str = "automatic"
    tier: str | None = None
    kubernetes_version: str | None = None
    enable_kaito: bool = False
    node_provisioning: str | None = None
    os_sku: str | None = None
    system_count: int = 3
    system_vm_size: str = DEFAULT_SYSTEM_VM
    enable_azure_rbac: bool = True
    disable_local_accounts: bool = True
    tags: dict[str, str] = field(default_factory=dict)
    zones: list[str] = field(default_factory=list)

    @classmethod
    def from_flags(
        cls,
        *,
        name: str,
        resource_group: str,
        location: str,
        sku: str = "automatic",
        tier: str | None = None,
        kubernetes_version: str | None = None,
        enable_kaito: bool = False,
        node_provisioning: str | None = None,
        os_sku: str | None = None,
        hosted_system: bool = False,
        system_count: int | None = None,
        system_vm_size: str | None = None,
        enable_azure_rbac: bool = True,
        disable_local_accounts: bool = True,
        tags: list[str] | None = None,
        zones: list[str] | None = None,
    ) -> ClusterSpec:
        """Validate every flag value (raises UsageError) and build the spec."""
        sku_v = validate.choice(sku, SKUS, "--sku")
        automatic = sku_v == "automatic"
        if hosted_system and not automatic:
            raise UsageError(
                "--hosted-system needs --sku automatic", hint="managed system node pools exist only on AKS Automatic"
            )
        if system_count is not None:
            # In the words of every other count's refusal (`nodepool scale --count 1001`).
            validate.integer(system_count, _system_count_flag(), 1, 1000)
        np = validate.choice(node_provisioning, NODE_PROVISIONING, "--node-provisioning") if node_provisioning else None
        if automatic and np == "manual":
            raise UsageError(
                "AKS Automatic always uses node auto-provisioning",
                hint="drop --node-provisioning manual, or use --sku base",
            )
        tier_v = validate.choice(tier, TIERS, "--tier") if tier else None
        os_sku_v = validate.choice(os_sku, OS_SKUS, "--os-sku") if os_sku else None
        if automatic:
            _check_automatic(
                tier=tier_v,
                enable_azure_rbac=enable_azure_rbac,
                system_pool_flags={
                    _system_count_flag(): system_count is not None,
                    _system_vm_size_flag(): system_vm_size is not None,
                    "--zones": bool(zones),
                    "--os-sku": os_sku_v is not None,
                },
            )
        loc = names.location(location)
        if automatic:
            from akscli.azure import features

            features.check_region(features.AUTOMATIC, loc)
        return cls(
            name=names.cluster_name(name),
            resource_group=names.resource_group(resource_group),
            location=loc,
            sku=sku_v,
            tier=tier_v,
            kubernetes_version=names.kubernetes_version(kubernetes_version) if kubernetes_version else None,
            enable_kaito=enable_kaito,
            node_provisioning=np,
            os_sku=os_sku_v,
            system_count=system_count if system_count is not None else 3,
            system_vm_size=(
                names.system_vm_size(system_vm_size, _system_vm_size_flag()) if system_vm_size else DEFAULT_SYSTEM_VM
            ),
            enable_azure_rbac=enable_azure_rbac,
            disable_local_accounts=disable_local_accounts,
            tags=names.tags(tags or []),
            zones=names.zones(zones or []),
        )


def _system_count_flag() -> str:
    """akscli's --system-count, or az's --node-count (grammar.AZ_ALIASES) when that was typed."""
    return typed("--system-count", "--node-count")


def _system_vm_size_flag() -> str:
    """akscli's --system-vm-size, or az's --node-vm-size (grammar.AZ_ALIASES) when that was typed."""
    return typed("--system-vm-size", "--node-vm-size")


def _check_automatic(*, tier: str | None, enable_azure_rbac: bool, system_pool_flags: dict[str, bool]) -> None:
    """Refuse what AKS Automatic preconfigures ("always enabled and you can't disable or change their
    settings"; upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/intro-aks-automatic.md, feature
    comparison): the Standard tier, Azure RBAC for Kubernetes authorization, and the system node pools,
    which AKS creates and hosts itself ("You can't create AKS Automatic clusters without managed system
    node pools", articles/aks/includes/aks-automatic/aks-automatic-limitations.md), so the flags that
    shape a system pool of our own have nothing to apply to."""
    if tier is not None and tier != AUTOMATIC_TIER:
        raise UsageError(
            f"AKS Automatic clusters are always on the Standard tier, not {tier}",
            hint="drop --tier, or use --sku base",
        )
    if not enable_azure_rbac:
        raise UsageError(
            "AKS Automatic always uses Azure RBAC for Kubernetes authorization",
            hint="drop --no-azure-rbac, or use --sku base",
        )
    given = [flag for flag, set_ in system_pool_flags.items() if set_]
    if given:
        raise UsageError(
            f"AKS Automatic manages its own system node pools: {', '.join(given)} cannot be set",
            hint=f"drop {', '.join(given)}, or use --sku base for a cluster with a system pool of its own",
        )


# Node auto-provisioning's network: "sets the --network-plugin to azure, --network-plugin-mode to
# overlay, and --network-dataplane to cilium", and the page's ARM template adds networkPolicy cilium
# (upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-node-auto-provisioning.md; Cilium is
# the recommended of the networks NAP supports, articles/aks/node-auto-provisioning-networking.md).
NAP_NETWORK_PROFILE = {
    "networkPlugin": "azure",
    "networkPluginMode": "overlay",
    "networkPolicy": "cilium",
    "networkDataplane": "cilium",
}


def uses_node_auto_provisioning(spec: ClusterSpec) -> bool:
    return spec.sku == "automatic" or spec.node_provisioning == "auto"


def dns_prefix(name: str) -> str:
    """The cluster's DNS prefix from its name. A DNS label holds letters, digits and hyphens and az
    starts it with a letter (upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/custom.py
    _get_default_dns_prefix: "re.sub('[^A-Za-z0-9-]', '', name)", prefixed with 'a' when it does not
    start with a letter), while a cluster name may also hold '_'."""
    part = re.sub("[^A-Za-z0-9-]", "", name)[:40]
    if not part[:1].isalpha():
        part = ("a" + part)[:40]
    return f"{part}-dns"


def build_create_body(spec: ClusterSpec) -> dict[str, Any]:
    """The ARM request body of ``ManagedClusters_CreateOrUpdate`` for ``spec``."""
    automatic = spec.sku == "automatic"
    tier = spec.tier or (AUTOMATIC_TIER if automatic else "free")
    props: dict[str, Any] = {
        "dnsPrefix": dns_prefix(spec.name),
        "aadProfile": {"managed": True, "enableAzureRBAC": spec.enable_azure_rbac},
        "disableLocalAccounts": spec.disable_local_accounts,
        "enableRBAC": True,
    }
    if spec.kubernetes_version:
        props["kubernetesVersion"] = spec.kubernetes_version
    if automatic:
        # upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/automatic/quick-automatic-managed-network.md:
        # the Automatic cluster's body has no agentPoolProfiles, and `az aks create --sku automatic
        # --enable-hosted-system` answers hostedSystemProfile {"enabled": true}; the API's field is
        # ManagedClusterHostedSystemProfile (aks/stable/2026-08-01).
        props["hostedSystemProfile"] = {"enabled": True}
    else:
        pool: dict[str, Any] = {
            "name": "system",
            "mode": "System",
            "count": spec.system_count,
            "vmSize": spec.system_vm_size,
            "osType": "Linux",
            "type": "VirtualMachineScaleSets",
        }
        if spec.os_sku:
            pool["osSKU"] = spec.os_sku
        if spec.zones:
            pool["availabilityZones"] = spec.zones
        if spec.kubernetes_version:
            pool["orchestratorVersion"] = spec.kubernetes_version
        props["agentPoolProfiles"] = [pool]
    # AKS Automatic comes with node auto-provisioning and Azure CNI Overlay with Cilium ("Preconfigured";
    # upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/intro-aks-automatic.md): its body states
    # those values, which its quickstart's Bicep leaves to AKS (automatic/quick-automatic-managed-network.md).
    if spec.node_provisioning or automatic:
        props["nodeProvisioningProfile"] = {
            "mode": "Auto" if (spec.node_provisioning or "auto") == "auto" else "Manual"
        }
    if uses_node_auto_provisioning(spec):
        props["networkProfile"] = dict(NAP_NETWORK_PROFILE)
    if spec.enable_kaito:
        props["aiToolchainOperatorProfile"] = {"enabled": True}
        # The add-on's guide creates the cluster with --enable-oidc-issuer (MicrosoftDocs/azure-aks-docs
        # articles/aks/ai-toolchain-operator.md); its GPU provisioner signs in to Azure through a
        # federated (workload identity) credential, so workload identity is turned on with it, as KAITO's
        # own Azure setup creates its cluster "with the OIDC issuer and workload identity enabled"
        # (upstream: kaito-project/kaito 056b8280 website/docs/azure.md).
        props["oidcIssuerProfile"] = {"enabled": True}
        props["securityProfile"] = {"workloadIdentity": {"enabled": True}}
    body: dict[str, Any] = {
        "location": spec.location,
        "sku": {"name": "Automatic" if automatic else "Base", "tier": tier.capitalize()},
        "identity": {"type": "SystemAssigned"},
        "properties": props,
    }
    if spec.tags:
        body["tags"] = dict(spec.tags)
    return body


def client(target: arm.AzureTarget) -> ContainerServiceClient:
    from azure.mgmt.containerservice import ContainerServiceClient

    return arm.management_client(ContainerServiceClient, target, api_version=API_VERSION)


def begin_create(
    c: ContainerServiceClient,
    spec: ClusterSpec,
    body: dict[str, Any],
    *,
    update: bool = False,
    target: arm.AzureTarget | None = None,
    no_wait: bool = False,
) -> LROPoller[Any]:
    """Start the create; with ``target``, check first what Azure would refuse minutes later (the
    system pool's size, zones and quota; AKS Automatic hosts its system pools and their quota itself).
    ``no_wait`` (--no-wait): a poller that polls nothing (arm.begun_status)."""
    if target is not None and spec.sku != "automatic":
        from akscli.azure import capacity

        what = f"create cluster {spec.name}"
        capacity.check(target, what, spec.location, spec.system_vm_size, spec.system_count, zones=spec.zones)
    if not update:
        existing = get_or_none(c, spec.resource_group, spec.name)
        running = running_state(existing)
        if running:
            # An earlier create (interrupted, or --no-wait) still running: AKS refuses another write until
            # it ends (409 OperationNotAllowed, "please wait for it to finish"; aka.ms/aks-pending-operation).
            wait = f"akscli cluster wait {spec.name} -g {spec.resource_group}"
            raise ConflictError(
                f"cluster {spec.name} is still {running}: an operation is running on it",
                # A cluster being deleted is never Succeeded again: wait for it to be gone, then create.
                hint=f"wait until it is gone with '{wait} --deleted', then create it again"
                if running == "Deleting"
                else f"wait for it with '{wait}'",
            )
        if existing is not None:
            # A state that forbids the create (exit 4), as the 412 of a cluster created between
            # this read and the PUT (etags.guarded): one condition, one exit code.
            raise ConflictError(
                f"cluster {spec.name} already exists in resource group {spec.resource_group}",
                hint="change it with 'akscli cluster upgrade' or 'akscli nodepool', or delete it first",
            )
    return send_create(c, spec, body, no_wait=no_wait)


def send_create(
    c: ContainerServiceClient, spec: ClusterSpec, body: dict[str, Any], *, no_wait: bool = False
) -> LROPoller[Any]:
    """The PUT alone, with no check before it: what ``--dry-run`` has the SDK build and prints. It
    carries If-None-Match: *, so that a cluster of the same name created since the check is refused
    (412), never overwritten (azure/etags.py)."""
    from akscli.azure import etags

    rg, what, conditions = spec.resource_group, f"create cluster {spec.name}", etags.headers(if_none_match="*")
    return etags.guarded(
        what,
        lambda: c.managed_clusters.begin_create_or_update(
            rg, spec.name, cast(Any, body), headers=conditions, polling=not no_wait
        ),
        show=etags.cluster_show(rg, spec.name),
        given=False,
        created=True,
    )


def get(c: ContainerServiceClient, rg: str, name: str) -> dict[str, Any]:
    return as_dict(arm.call(f"cluster {name}", lambda: c.managed_clusters.get(rg, name)))


def running_state(resource: Mapping[str, Any] | None) -> str | None:
    """The provisioningState of a resource an operation is running on (Creating, Updating, ...), or
    None: any state but the RPC's three terminal ones (arm.TERMINAL_STATES)."""
    state = ((resource or {}).get("properties") or {}).get("provisioningState")
    return str(state) if state is not None and state not in TERMINAL_STATES else None


def get_or_none(c: ContainerServiceClient, rg: str, name: str) -> dict[str, Any] | None:
    try:
        return get(c, rg, name)
    except NotFoundError:
        return None


def list_clusters(c: ContainerServiceClient, rg: str | None) -> Iterator[dict[str, Any]]:
    """Every cluster of the subscription (or resource group), page by page as ARM returns them."""
    pages = c.managed_clusters.list_by_resource_group(rg) if rg else c.managed_clusters.list()
    try:
        for m in pages:
            yield as_dict(m)
    except Exception as exc:
        raise arm.translate_arm_error(exc, what="list clusters") from exc


def resource_group_of(resource_id: str) -> str:
    parts = resource_id.split("/")
    low = [p.lower() for p in parts]
    return parts[low.index("resourcegroups") + 1] if "resourcegroups" in low else ""


def gpus_of_pool(pool: Mapping[str, Any]) -> int:
    from akscli.model import skus

    sku = skus.get(str(pool.get("vmSize", "")))
    return (sku.gpus if sku else 0) * int(pool.get("count") or 0)


def _with_stopped(running: int, stopped: list[int]) -> int | str:
    """A count of running nodes or GPUs, and those of stopped pools beside it: ``0 (3 stopped)``."""
    idle = sum(stopped)
    return f"{running} ({idle} stopped)" if idle else running


def summary(cluster: Mapping[str, Any]) -> dict[str, Any]:
    """The row of ``cluster list``: one flat mapping per cluster."""
    props = cluster.get("properties") or {}
    pools = props.get("agentPoolProfiles") or []
    sku = cluster.get("sku") or {}
    # A stopped cluster, or a stopped pool, keeps its configured `count` while its VMs are stopped
    # (upstream: Azure/azure-rest-api-specs aks/stable/2026-08-01, as azure-mgmt-containerservice
    # 41.8.0 ships it: AgentPool powerState "A stopped Agent Pool stops all of its VMs"; ManagedClusters
    # Stop "stops the control plane and agent nodes entirely"). az keeps `count` as it is in its JSON
    # and shows no node count in its table (Azure/azure-cli acs/_format.py _aks_table_format); the
    # summary counts running nodes and says how many are stopped.
    power = (props.get("powerState") or {}).get("code")
    running = [p for p in pools if power != "Stopped" and (p.get("powerState") or {}).get("code") != "Stopped"]
    stopped = [p for p in pools if p not in running]
    return {
        "name": cluster.get("name"),
        "resourceGroup": resource_group_of(str(cluster.get("id", ""))),
        "location": cluster.get("location"),
        "version": props.get("currentKubernetesVersion") or props.get("kubernetesVersion"),
        "sku": f"{sku.get('name', 'Base')}/{sku.get('tier', 'Free')}",
        "provisioningState": props.get("provisioningState"),
        "powerState": power,
        "nodePools": len(pools),
        "nodes": _with_stopped(
            sum(int(p.get("count") or 0) for p in running), [int(p.get("count") or 0) for p in stopped]
        ),
        "gpus": _with_stopped(sum(gpus_of_pool(p) for p in running), [gpus_of_pool(p) for p in stopped]),
        "fqdn": props.get("fqdn"),
        "kaito": bool((props.get("aiToolchainOperatorProfile") or {}).get("enabled")),
        "nodeProvisioning": (props.get("nodeProvisioningProfile") or {}).get("mode"),
    }


def begin_start(c: ContainerServiceClient, rg: str, name: str, *, no_wait: bool = False) -> LROPoller[Any]:
    return arm.call(f"start cluster {name}", lambda: c.managed_clusters.begin_start(rg, name, polling=not no_wait))


def begin_stop(c: ContainerServiceClient, rg: str, name: str, *, no_wait: bool = False) -> LROPoller[Any]:
    cluster = get(c, rg, name)
    mode = str(((cluster.get("properties") or {}).get("nodeProvisioningProfile") or {}).get("mode") or "")
    if mode.lower() == "auto":
        # upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/node-auto-provisioning.md, Limitations:
        # "You can't stop a cluster enabled with NAP."
        raise UsageError(
            f"cluster {name} uses node auto-provisioning, and AKS cannot stop such a cluster",
            hint="scale its workloads down instead (auto-provisioning then removes the nodes), or delete the cluster",
        )
    return arm.call(f"stop cluster {name}", lambda: c.managed_clusters.begin_stop(rg, name, polling=not no_wait))


def begin_delete(
    c: ContainerServiceClient, rg: str, name: str, *, if_match: str | None = None, no_wait: bool = False
) -> LROPoller[Any]:
    """Delete; with ``if_match`` (--if-match) only while the cluster's eTag is that one (azure/etags.py)."""
    from akscli.azure import etags

    get(c, rg, name)  # a clear NotFoundError rather than ARM's silent 204
    what, conditions = f"delete cluster {name}", etags.headers(if_match)
    return etags.guarded(
        what,
        lambda: c.managed_clusters.begin_delete(rg, name, headers=conditions, polling=not no_wait),
        show=etags.cluster_show(rg, name),
        given=True,
    )


def wait_for(
    c: ContainerServiceClient,
    rg: str,
    name: str,
    *,
    deleted: bool = False,
    timeout: float = 3600,
    interval: float = 10,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any] | None:
    """Wait until the cluster's provisioningState is terminal (or it is gone, with deleted).

    ARM has no watch for resources: this polls GET at ``interval`` seconds (Azure's own
    recommended cadence for AKS is 10-30 s), with the jitter of an operation's poll
    (armretry.POLL_JITTER), so that clients started together do not poll together."""
    from akscli.azure import armretry

    deadline = time.monotonic() + timeout
    last = ""
    while True:
        cluster = get_or_none(c, rg, name)
        if cluster is None:
            if deleted:
                return None
            raise NotFoundError(f"cluster {name} was not found in resource group {rg}", hint="check the name and -g")
        state = str((cluster.get("properties") or {}).get("provisioningState"))
        if state != last and progress is not None:
            progress(f"cluster {name}: {state}")
            last = state
        if not deleted and state in TERMINAL_STATES:
            if state != "Succeeded":
                raise failed_state_error(f"cluster {name}", cluster, f"akscli cluster show {name} -g {rg} -o json")
            return cluster
        if time.monotonic() > deadline:
            raise WaitTimeoutError(
                f"cluster {name} is still {state} after {timeout:.0f}s", hint="wait longer with --timeout"
            )
        armretry.pause(min(interval * armretry.uniform(*armretry.POLL_JITTER), max(0.0, deadline - time.monotonic())))


def failed_state_error(what: str, resource: Mapping[str, Any], show: str) -> AkscliError:
    """A resource left Failed/Canceled: its ``properties.status.provisioningError`` says why
    (ManagedClusterStatus / AgentPoolStatus, AKS API 2026-08-01)."""
    props = resource.get("properties") or {}
    state = props.get("provisioningState")
    error = (props.get("status") or {}).get("provisioningError") or {}
    if error.get("code") or error.get("message"):
        return armerrors.from_error(error, f"{what} ended in provisioningState {state}", str(resource.get("id", "")))
    return AkscliError(f"{what} ended in provisioningState {state}", hint=f"see why with '{show}'")
