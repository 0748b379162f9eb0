"""AKS refusals of cluster and node pool combinations, and Microsoft.Features registrations (a
generic route: no AKS rule here needs a registered feature since AKS Automatic went GA).

Each rule cites the AKS documentation it follows. The documentation gives the rule but not
the exact error AKS answers; the codes and messages below are therefore the emulator's own
wording (400 BadRequest naming the rule), which akscli never parses: it refuses these
combinations itself before sending anything.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

MC = r"Microsoft\.ContainerService/managedClusters"
AP = r"Microsoft\.ContainerService/managedClusters/agentPools"
# upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/spot-node-pool.md, Limitations: "A Spot
# node pool has the kubernetes.azure.com/scalesetpriority:spot label, the
# kubernetes.azure.com/scalesetpriority=spot:NoSchedule taint" (its sample GET shows both).
SPOT_LABEL = ("kubernetes.azure.com/scalesetpriority", "spot")
SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"
FEATURE_ROUTE = r"^/subscriptions/[^/]+/providers/Microsoft\.Features/providers/([^/]+)/features/([^/]+)"


# A node pool's name, as the agentPoolName path parameter and ManagedClusterAgentPoolProfile.name
# give it (upstream: Azure/azure-rest-api-specs specification/containerservice/resource-manager/
# Microsoft.ContainerService/aks/stable/2026-08-01/managedClusters.json: "agentPoolName" minLength 1,
# maxLength 12, pattern "^[a-z][a-z0-9]{0,11}$"; the definition ManagedClusterAgentPoolProfile's "name" has
# the same pattern). What AKS answers for one outside it: 400 InvalidParameter "The value of parameter
# agentPoolProfile.name is invalid. Please see https://aka.ms/aks-naming-rules for more details.", target
# agentPoolProfile.name (Azure/AKS issue #3300, `az aks nodepool add --nodepool-name UPSANW`; the same code,
# words and target for a cluster create's profile in crossplane/crossplane issue #304, "StatusCode=400").
POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")


def check_pool_name(name: Any) -> None:
    """Refuse a node pool name the spec's pattern does not match, as AKS does (POOL_NAME)."""
    if not isinstance(name, str) or not POOL_NAME.match(name):
        raise ArmError(
            400,
            "InvalidParameter",
            "The value of parameter agentPoolProfile.name is invalid. "
            "Please see https://aka.ms/aks-naming-rules for more details.",
            target="agentPoolProfile.name",
        )


def _nap(props: dict[str, Any]) -> bool:
    return str((props.get("nodeProvisioningProfile") or {}).get("mode") or "").lower() == "auto"


def _cluster_rules(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    props = body.get("properties") or {}
    automatic = (body.get("sku") or {}).get("name") == "Automatic"
    if automatic:
        # AKS Automatic runs Azure CNI Overlay powered by Cilium (articles/aks/intro-aks-automatic.md).
        props.setdefault(
            "networkProfile",
            {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataplane": "cilium",
             "networkPolicy": "cilium"},
        )  # fmt: skip
    _network_defaults(props, existing)
    if automatic and "autoUpgradeProfile" not in props:
        # AKS Automatic clusters are "automatically upgraded using the stable channel" and their node OS
        # images "using the NodeImage channel" (upstream: MicrosoftDocs/azure-aks-docs fb060abe
        # articles/aks/intro-aks-automatic.md, "Cluster upgrades", "Node OS image upgrades"); the names and
        # values are Azure/azure-rest-api-specs aks/stable/2026-08-01 ManagedClusterAutoUpgradeProfile
        # (upgradeChannel "stable", nodeOSUpgradeChannel "NodeImage"). A PUT that sends none keeps the
        # cluster's own.
        old_profile = ((existing or {}).get("properties") or {}).get("autoUpgradeProfile")
        props["autoUpgradeProfile"] = old_profile or {"upgradeChannel": "stable", "nodeOSUpgradeChannel": "NodeImage"}
    if automatic and existing is None and not (props.get("hostedSystemProfile") or {}).get("enabled"):
        # upstream: MicrosoftDocs/azure-aks-docs fb060abe
        # articles/aks/includes/aks-automatic/aks-automatic-limitations.md:
        # "You can't create AKS Automatic clusters without managed system node pools in any region."
        raise ArmError(
            400,
            "BadRequest",
            "AKS Automatic clusters are created with managed system node pools: set hostedSystemProfile.enabled.",
        )
    for pool in props.get("agentPoolProfiles") or []:
        _profile_rules(pool)
    _settings_rules(body, automatic)
    if existing is not None:
        _spot_upgrade_rule(existing.get("properties") or {}, props)
        before = {p.get("name"): p for p in (existing.get("properties") or {}).get("agentPoolProfiles") or []}
        for pool in props.get("agentPoolProfiles") or []:
            if pool.get("name") in before and _upgrades(pool, before[pool.get("name")]):
                check_surge_room(pool, before[pool.get("name")], name=str(pool.get("name")))
        old = existing.get("properties") or {}
        if props.get("kubernetesVersion") and old.get("currentKubernetesVersion"):
            refusal = upgrade_not_allowed(str(old["currentKubernetesVersion"]), str(props["kubernetesVersion"]))
            if refusal:
                raise ArmError(400, "OperationNotAllowed", refusal)
    if _nap(props):
        # upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/node-auto-provisioning-networking.md:
        # NAP supports Azure CNI, Azure CNI Overlay and Azure CNI Overlay powered by Cilium, and not
        # "Calico network policy" (nor dynamic IP allocation, a pod subnet akscli never sends).
        net = props.get("networkProfile") or {}
        plugin, policy = str(net.get("networkPlugin") or "").lower(), str(net.get("networkPolicy") or "").lower()
        if plugin != "azure" or policy == "calico":
            raise ArmError(
                400,
                "BadRequest",
                "Node auto provisioning requires networkProfile networkPlugin 'azure' (Azure CNI, overlay or "
                f"Cilium) and no Calico network policy; got networkPlugin {plugin or None!r}, networkPolicy "
                f"{policy or None!r}.",
            )
        # upstream: Azure/azure-rest-api-specs aks/stable/2026-08-01 NodeProvisioningMode "Auto": "Fixed
        # size Node Pools can still be created, but autoscaling Node Pools cannot be."
        if any(p.get("enableAutoScaling") for p in props.get("agentPoolProfiles") or []):
            raise ArmError(
                400,
                "BadRequest",
                "Node auto provisioning can't be enabled on a cluster whose node pools have the cluster "
                "autoscaler enabled.",
            )


def _network_defaults(props: dict[str, Any], existing: dict[str, Any] | None) -> None:
    """The network AKS gives a cluster created without a networkPlugin: Azure CNI Overlay
    (networkPlugin azure, networkPluginMode overlay) on Kubernetes 1.30 and later, every version the
    emulator serves (upstream: Azure/azure-rest-api-specs pull 30844 "{AKS}: remove `default` from
    ContainerServiceNetworkProfile.networkPlugin": "The default value in k8s < 1.30 will remain
    kubenet while in 1.30+ it will be CNI Overlay"; MicrosoftDocs/azure-aks-docs fb060abe
    articles/aks/azure-cni-overlay.md: "If you don't specify --network-plugin, AKS defaults to Azure
    CNI Overlay", and a networkPlugin azure without a mode stays in node subnet mode). The ranges are
    those the REST examples read back for a request that names none (Azure/azure-rest-api-specs
    aks/stable/2026-08-01 examples/ManagedClustersCreate_UpdateWithEnableAzureRBAC.json: podCidr
    10.244.0.0/16, serviceCidr 10.0.0.0/16, dnsServiceIP 10.0.0.10; azure-cni-overlay.md: "If you
    don't specify a value for --pod-cidr, AKS assigns the default value of 10.244.0.0/16"). An
    update that sends no networkProfile keeps the cluster's (no source says AKS would migrate it)."""
    old = ((existing or {}).get("properties") or {}).get("networkProfile")
    if "networkProfile" not in props and old is not None:
        props["networkProfile"] = old
        return
    net = props.setdefault("networkProfile", {})
    if existing is not None or not isinstance(net, dict):
        return
    created_network(net)


def created_network(net: dict[str, Any]) -> None:
    """What AKS fills in of a new cluster's networkProfile, as every official GET answer shows it
    (upstream: Azure/azure-rest-api-specs aks/stable/2026-08-01 examples/ManagedClustersGet.json and
    ManagedClustersCreate_UpdateWithEnableAzureRBAC.json, kubenet; aks/preview/2026-01-02-preview
    examples/ManagedClustersCreate_EnableAIToolchainOperator.json, Azure CNI Overlay): a pod range
    for kubenet and overlay (none for Azure CNI in node subnet mode, whose pods take subnet IPs), the
    service range and DNS IP, each range also in its plural list (podCidrs, serviceCidrs: "One IPv4
    CIDR is expected for single-stack networking", azure-mgmt-containerservice 41.8.0
    ContainerServiceNetworkProfile), ipFamilies [IPv4], and a Standard load balancer for egress
    (the examples' loadBalancerSku standard and outboundType loadBalancer; the spec: loadBalancerSku
    "The default is 'standard'"; MicrosoftDocs/azure-aks-docs articles/aks/egress-outboundtype.md: "By
    default, AKS provisions a standard SKU load balancer to be set up and used for egress"). The
    load balancer's outbound IPs (loadBalancerProfile.effectiveOutboundIPs) are not modelled: how
    many AKS makes by default is not in the examples, which ask for two."""
    if not net.get("networkPlugin"):
        net.update(networkPlugin="azure", networkPluginMode="overlay")
    pods = net.get("networkPluginMode") == "overlay" or net.get("networkPlugin") == "kubenet"
    if pods and not net.get("podCidrs"):
        net.setdefault("podCidr", "10.244.0.0/16")
    if not net.get("serviceCidrs"):
        net.setdefault("serviceCidr", "10.0.0.0/16")
        net.setdefault("dnsServiceIP", "10.0.0.10")
    for one, many in (("podCidr", "podCidrs"), ("serviceCidr", "serviceCidrs")):
        if net.get(one) and not net.get(many):
            net[many] = [net[one]]
        elif net.get(many) and not net.get(one):
            # the first of the list, as a dual-stack cluster reads back (aks/stable/2026-08-01
            # examples/ManagedClustersCreate_DualStackNetworking.json: podCidr is podCidrs[0])
            net[one] = net[many][0]
    net.setdefault("ipFamilies", ["IPv4"])
    net.setdefault("loadBalancerSku", "standard")
    net.setdefault("outboundType", "loadBalancer")


def _settings_rules(body: dict[str, Any], automatic: bool) -> None:
    """What AKS refuses of a create or an update (az aks update) among the settings `cluster update` changes."""
    props, tier = body.get("properties") or {}, str((body.get("sku") or {}).get("tier") or "")
    refusal = None
    if automatic and (tier.lower() not in ("", "standard") or _mode(props) == "manual"):
        # upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/intro-aks-automatic.md: the Standard
        # tier and node auto-provisioning are "always enabled and you can't disable or change" them.
        refusal = "AKS Automatic clusters keep the Standard tier and nodeProvisioningProfile.mode Auto."
    elif props.get("supportPlan") == "AKSLongTermSupport" and tier.lower() not in ("", "premium"):
        # upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/managed_cluster_decorator.py
        # update_k8s_support_plan: "Long term support is only available for premium tier clusters."
        refusal = "Long term support is only available for premium tier clusters."
    elif props.get("disableLocalAccounts") and not (props.get("aadProfile") or {}).get("managed"):
        # upstream: Azure/azure-rest-api-specs aks/stable/2026-08-01 ManagedClusterProperties.disableLocalAccounts:
        # "This must only be used on Managed Clusters that are AAD enabled."
        refusal = "disableLocalAccounts must only be used on Managed Clusters that are AAD enabled."
    if refusal:
        raise ArmError(400, "BadRequest", refusal)


def _mode(props: dict[str, Any]) -> str:
    return str((props.get("nodeProvisioningProfile") or {}).get("mode") or "").lower()


def upgrade_not_allowed(current: str, target: str) -> str | None:
    """AKS's refusal of a control plane upgrade from ``current`` to ``target`` (a patch, or a minor
    resolved to its newest patch), or None. One minor version at a time (upstream: AKS docs, "AKS
    upgrades frequently asked questions", docs.azure.cn/en-us/aks/upgrade-aks-faq: "Direct upgrades that
    skip minor versions aren't supported"); the message and code are AKS's, as learn.microsoft.com/troubleshoot/azure/
    azure-kubernetes/error-codes/aks-upgrade-blocked quotes them ("OperationNotAllowed: Upgrading
    Kubernetes version 1.24.9 to 1.26.6 is not allowed. Available upgrades: [1.29.15 1.29.14 ...]").
    A target the region does not offer is aks_versions.resolve_version's VersionNotSupported; a downgrade is
    refused in aks._cluster_on_put."""
    from tests.emulators.arm.aks_versions import _vkey, resolve_version, upgrades_from

    resolved = resolve_version(target)
    offered = upgrades_from(current)
    if _vkey(resolved) <= _vkey(current) or resolved in offered:
        return None
    newest_first = " ".join(sorted(offered, key=_vkey, reverse=True))
    return f"Upgrading Kubernetes version {current} to {resolved} is not allowed. Available upgrades: [{newest_first}]"


def _profile_rules(pool: dict[str, Any]) -> None:
    """What AKS refuses in one agent pool profile, wherever it is sent (cluster or agentPools PUT)."""
    # upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-labels.md, Reserved prefixes:
    # "kubernetes.azure.com/" and "kubernetes.io/" "can't be used for any node".
    for key, value in (pool.get("nodeLabels") or {}).items():
        if (key, value) == SPOT_LABEL and pool.get("scaleSetPriority") == "Spot":
            continue  # AKS's own label on a spot pool, as a GET returns it
        if str(key).startswith(("kubernetes.azure.com/", "kubernetes.io/")):
            raise ArmError(400, "InvalidParameter", f"Node label {key} uses an AKS reserved prefix.")
    # upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-system-pools.md: "B series VMs
    # aren't supported for system node pools"; "Spot node pools require user node pools".
    if pool.get("mode") == "System" and str(pool.get("vmSize") or "").lower().startswith("standard_b"):
        raise ArmError(400, "InvalidParameter", "B series VM sizes are not supported for System mode agent pools.")
    # upstream: articles/aks/spot-node-pool.md: "SpotMaxPrice ... must be -1 or a positive value with up to
    # five decimal places".
    price = pool.get("spotMaxPrice")
    if price is not None and price != -1 and (price <= 0 or round(price, 5) != price):
        raise ArmError(400, "InvalidParameter", f"spotMaxPrice {price} must be -1 or positive with up to 5 decimals.")
    if pool.get("mode") == "System" and pool.get("scaleSetPriority") == "Spot":
        raise ArmError(400, "InvalidParameter", "A System mode agent pool cannot use Spot priority.")
    _upgrade_settings_rules(pool)


def _zero(value: Any) -> bool:
    text = str(value or "0").rstrip("%")
    return text.isdigit() and int(text) == 0


def _upgrade_settings_rules(pool: dict[str, Any]) -> None:
    """upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/upgrade-aks-node-pools-rolling.md,
    "Customize unavailable nodes": "You can't set max unavailable on system node pools"; "The default
    value of `maxUnavailable` is `0`. When `maxUnavailable` is `0`, AKS requires `maxSurge` to be greater
    than `0`" (maxSurge's own default is 10%: Azure/azure-rest-api-specs aks/stable/2026-08-01
    AgentPoolUpgradeSettings). The page gives neither refusal's code: InvalidParameter is the emulator's."""
    settings = pool.get("upgradeSettings")
    if not isinstance(settings, dict):
        return
    # upstream: Azure/azure-rest-api-specs specification/containerservice/resource-manager/Microsoft.ContainerService/
    # aks/stable/2026-08-01/managedClusters.json, the api-version akscli sends, AgentPoolUpgradeSettings:
    # drainTimeoutInMinutes "minimum": 1, "maximum": 1440; nodeSoakDurationInMinutes "minimum": 0, "maximum": 30.
    # ARM's code for a value outside the spec's range is not published: InvalidParameter is the emulator's.
    for key, (lo, hi) in (("drainTimeoutInMinutes", (1, 1440)), ("nodeSoakDurationInMinutes", (0, 30))):
        value = settings.get(key)
        if value is not None and not (isinstance(value, int) and lo <= value <= hi):
            raise ArmError(400, "InvalidParameter", f"upgradeSettings.{key} {value!r} must be between {lo} and {hi}.")
    unavailable = settings.get("maxUnavailable")
    if pool.get("mode") == "System" and not _zero(unavailable):
        raise ArmError(400, "InvalidParameter", "maxUnavailable cannot be set on a System mode agent pool.")
    if "maxSurge" in settings and _zero(settings["maxSurge"]) and _zero(unavailable):
        raise ArmError(
            400, "InvalidParameter", "upgradeSettings.maxSurge must be greater than 0 when maxUnavailable is 0."
        )


def _spot_upgrade_rule(old: dict[str, Any], new: dict[str, Any]) -> None:
    """upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/spot-node-pool.md, Limitations: with a
    Spot node pool "You can't upgrade the control plane and node pools at the same time"."""
    old_pools = {p.get("name"): p for p in old.get("agentPoolProfiles") or []}
    if not any(p.get("scaleSetPriority") == "Spot" for p in old_pools.values()):
        return
    control_plane = new.get("kubernetesVersion") not in (None, old.get("kubernetesVersion"))
    pools = any(
        p.get("orchestratorVersion") not in (None, (old_pools.get(p.get("name")) or {}).get("orchestratorVersion"))
        for p in new.get("agentPoolProfiles") or []
    )
    if control_plane and pools:
        raise ArmError(
            400,
            "InvalidParameter",
            "The control plane and node pools of a cluster with a Spot node pool can't be upgraded at the same time.",
        )


# upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/upgrade-aks-node-pools-rolling.md, "Customize
# node surge": "Azure Virtual Machine Scale Sets (VMSS) allow a maximum of 1,000 instances per scale set."
SCALE_SET_MAX = 1000


def check_surge_room(pool: dict[str, Any], old: dict[str, Any] | None = None, *, name: str) -> None:
    """An upgrade of ``pool`` (its properties; ``old``: the pool before this PUT, whose values it keeps
    where it sends none) whose surge would take the scale set past 1,000 instances: "If a node pool's
    current size plus the calculated surge count would exceed 1,000 instances, AKS rejects the upgrade
    before it starts" (the page above). The surge is maxSurge, a count or a percentage of the pool rounded
    up, at most the pool's nodes ("the number of nodes to be upgraded is used"); absent, the spec's default
    10% (aks/stable/2026-08-01 AgentPoolUpgradeSettings). The message is the one the page quoted in
    MicrosoftDocs/azure-aks-docs 6d4bd931 ("Node pools near the 1,000-instance limit", taken out again in
    14299c46); no page gives the code: InvalidParameter is the emulator's."""
    import math

    old = old or {}
    if (pool.get("type") or old.get("type") or "VirtualMachineScaleSets") != "VirtualMachineScaleSets":
        return
    settings = pool.get("upgradeSettings") or old.get("upgradeSettings") or {}
    surge = str(settings.get("maxSurge") or "10%")
    count = int(pool.get("count", old.get("count")) or 0)
    if not surge.rstrip("%").isdigit():
        return
    asked = math.ceil(count * int(surge[:-1]) / 100) if surge.endswith("%") else int(surge)
    total = count + min(asked, count)
    if total > SCALE_SET_MAX:
        raise ArmError(
            400,
            "InvalidParameter",
            f"Node pool '{name}' upgrade would exceed the VMSS {SCALE_SET_MAX}-instance limit. Current size: {count}, "
            f"configured maxSurge: {surge}, calculated surge count: {total - count}, resulting capacity: {total} "
            f"(limit: {SCALE_SET_MAX}). To proceed, use maxUnavailable instead of maxSurge, reduce the pool size below "
            f"{SCALE_SET_MAX} nodes, or split the pool into multiple smaller pools.",
        )


def _upgrades(pool: dict[str, Any], old: dict[str, Any]) -> bool:
    return pool.get("orchestratorVersion") not in (None, old.get("orchestratorVersion"))


def _pool_rules(emu: ArmEmulator, rid: str, body: dict[str, Any], existing: dict[str, Any] | None) -> None:
    _profile_rules(body.get("properties") or {})
    old = (existing or {}).get("properties") or {}
    if existing is not None and _upgrades(body.get("properties") or {}, old):
        check_surge_room(body.get("properties") or {}, old, name=rid.rsplit("/", 1)[-1])
    cluster = emu.get_resource(rid.rsplit("/", 2)[0]) or {}
    # upstream: Azure/azure-rest-api-specs aks/stable/2026-08-01 NodeProvisioningMode "Auto" (as
    # azure-mgmt-containerservice 41.8.0 ships it): "autoscaling Node Pools cannot be" created.
    if _nap(cluster.get("properties") or {}) and (body.get("properties") or {}).get("enableAutoScaling"):
        raise ArmError(
            400,
            "BadRequest",
            "The cluster autoscaler can't be enabled on a node pool of a cluster with node auto provisioning.",
        )


def _stop_rules(emu: ArmEmulator, rid: str, obj: dict[str, Any], body: dict[str, Any] | None) -> None:
    from tests.emulators.arm.aks import check_cluster_idle

    check_cluster_idle(emu, rid)
    # upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/node-auto-provisioning.md, Limitations:
    # "You can't stop a cluster enabled with NAP."
    if _nap(obj.get("properties") or {}):
        raise ArmError(400, "BadRequest", "A cluster with node auto provisioning can't be stopped.")


def feature_state(emu: ArmEmulator, subscription: str, namespace: str, name: str) -> str:
    return emu.features.get((subscription.lower(), namespace.lower(), name.lower()), "NotRegistered")


def register_feature(emu: ArmEmulator, namespace: str, name: str, subscription: str | None = None) -> None:
    """What 'az feature register' does once approved (tests call it to model a registered preview)."""
    emu.features[((subscription or emu.subscription).lower(), namespace.lower(), name.lower())] = "Registered"


def _feature(emu: ArmEmulator, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, Any]:
    """GET .../providers/Microsoft.Features/providers/{ns}/features/{name}: the FeatureResult shape
    of specification/resources/resource-manager/Microsoft.Features/stable/2021-07-01 (as `az feature
    show` prints it: id, name "{ns}/{feature}", properties.state, type), the same at 2015-12-01 and
    2025-03-01 (Azure/azure-rest-api-specs specification/resources/resource-manager/Microsoft.Features/
    stable/2015-12-01/features.json, .../stable/2025-03-01/features.json); routes._subscription_request
    refuses any other api-version first (apiversions.FEATURES)."""
    import re

    m = re.match(FEATURE_ROUTE, path, re.I)
    assert m is not None
    ns, name = m.group(1), m.group(2)
    subscription = path.split("/")[2]
    if path.rstrip("/").lower().endswith("/register"):
        name = name if not name.lower().endswith("/register") else name[: -len("/register")]
        emu.features[(subscription.lower(), ns.lower(), name.lower())] = "Registering"
    return 200, {
        "id": f"/subscriptions/{subscription}/providers/Microsoft.Features/providers/{ns}/features/{name}",
        "name": f"{ns}/{name}",
        "properties": {"state": feature_state(emu, subscription, ns, name)},
        "type": "Microsoft.Features/providers/features",
    }


def install(emu: ArmEmulator) -> None:
    from tests.emulators.arm import aksoidc

    emu.add_hooks(MC, on_put=_cluster_rules)
    emu.add_hooks(MC, on_put=aksoidc.on_put, on_put_done=aksoidc.on_put_done)
    emu.add_hooks(AP, on_put=_pool_rules)
    from tests.emulators.arm.aks import power_handler

    emu.register_action(MC, "stop", power_handler("Stopped"), busy_state="Stopping", before=_stop_rules)
    emu.register_route("GET", FEATURE_ROUTE + "/?$", _feature)
    emu.register_route("POST", FEATURE_ROUTE + "/register/?$", _feature)
