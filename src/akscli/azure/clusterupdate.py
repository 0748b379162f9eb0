"""`akscli cluster update`: what `az aks update` changes after create (KAITO, node auto-provisioning, the
tier, tags, local accounts, the auto-upgrade channels), as a read-modify-write of the cluster under its eTag.

upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/managed_cluster_decorator.py,
AKSManagedClusterUpdateDecorator (0029fc11): update_ai_toolchain_operator sets aiToolchainOperatorProfile.enabled,
update_node_provisioning_mode sets nodeProvisioningProfile.mode, update_sku sets sku {name Base, tier},
update_tags replaces the tags with the ones given (`--tags ""` clears them), update_auto_upgrade_profile
sets upgradeChannel / nodeOSUpgradeChannel one by one, update_disable_local_accounts sets
disableLocalAccounts, and update_k8s_support_plan refuses "Long term support is only available for
premium tier clusters". Every field is in api-version 2026-08-01 (azure-mgmt-containerservice 41.8.0
models ManagedClusterProperties: ai_toolchain_operator_profile, node_provisioning_profile,
auto_upgrade_profile, disable_local_accounts), the version akscli sends (clusters.API_VERSION)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import validate
from akscli.azure import names
from akscli.azure.clusters import AUTOMATIC_TIER, NAP_NETWORK_PROFILE, NODE_PROVISIONING, TIERS, get
from akscli.errors import UsageError

if TYPE_CHECKING:
    from azure.mgmt.containerservice import ContainerServiceClient

# The spec's values and spelling (azure-mgmt-containerservice 41.8.0 models UpgradeChannel,
# NodeOSUpgradeChannel; az's --auto-upgrade-channel / --node-os-upgrade-channel take the same).
UPGRADE_CHANNELS = ("rapid", "stable", "patch", "node-image", "none")
NODE_OS_UPGRADE_CHANNELS = ("None", "Unmanaged", "NodeImage", "SecurityPatch")
LONG_TERM_SUPPORT = "AKSLongTermSupport"


@dataclass
class ClusterUpdate:
    """The changes asked for, each checked; None: left as it is."""

    kaito: bool | None = None
    node_provisioning: str | None = None  # "Auto" | "Manual", as the spec spells it
    tier: str | None = None
    tags: dict[str, str] | None = None
    local_accounts: bool | None = None
    upgrade_channel: str | None = None
    node_os_upgrade_channel: str | None = None


def parse(
    *,
    kaito: bool | None = None,
    node_provisioning: str | None = None,
    tier: str | None = None,
    tags: list[str] | None = None,
    local_accounts: bool | None = None,
    upgrade_channel: str | None = None,
    node_os_upgrade_channel: str | None = None,
) -> ClusterUpdate:
    """Check every flag before anything is read (raises UsageError)."""
    change = ClusterUpdate(
        kaito=kaito,
        node_provisioning=(
            validate.choice(node_provisioning, NODE_PROVISIONING, "--node-provisioning").capitalize()
            if node_provisioning is not None
            else None
        ),
        tier=validate.choice(tier, TIERS, "--tier") if tier is not None else None,
        tags=names.tags([t for t in tags if t]) if tags is not None else None,
        local_accounts=local_accounts,
        upgrade_channel=(
            validate.choice(upgrade_channel, UPGRADE_CHANNELS, "--auto-upgrade-channel")
            if upgrade_channel is not None
            else None
        ),
        node_os_upgrade_channel=(
            validate.choice(node_os_upgrade_channel, NODE_OS_UPGRADE_CHANNELS, "--node-os-upgrade-channel")
            if node_os_upgrade_channel is not None
            else None
        ),
    )
    if all(v is None for v in vars(change).values()):
        raise UsageError(
            "nothing to change",
            hint="pass --enable-kaito/--disable-kaito, --node-provisioning, --tier, --tags, "
            "--local-accounts/--no-local-accounts, --auto-upgrade-channel or --node-os-upgrade-channel",
        )
    return change


def update_body(
    c: ContainerServiceClient, rg: str, name: str, change: ClusterUpdate
) -> tuple[dict[str, Any], bool, list[str]]:
    """The cluster as read and changed, whether anything changed, and what the change turns off (asked
    about first: KAITO, node auto-provisioning); refuses what AKS refuses, before the PUT."""
    cluster = get(c, rg, name)
    before = copy.deepcopy(cluster)
    props = cluster.setdefault("properties", {})
    automatic = (cluster.get("sku") or {}).get("name") == "Automatic"
    _check_automatic(change, automatic)
    turns_off: list[str] = []
    if change.kaito is not None:
        was = bool((props.get("aiToolchainOperatorProfile") or {}).get("enabled"))
        props.setdefault("aiToolchainOperatorProfile", {})["enabled"] = change.kaito
        if change.kaito:
            # As `cluster create --enable-kaito` (clusters.build_create_body): the add-on's guide turns on the
            # OIDC issuer with it (MicrosoftDocs/azure-aks-docs articles/aks/ai-toolchain-operator.md,
            # `az aks update --enable-ai-toolchain-operator --enable-oidc-issuer`), and its GPU provisioner
            # signs in through workload identity (kaito-project/kaito 056b8280 website/docs/azure.md).
            props.setdefault("oidcIssuerProfile", {})["enabled"] = True
            props.setdefault("securityProfile", {}).setdefault("workloadIdentity", {})["enabled"] = True
        elif was:
            turns_off.append("the AI toolchain operator (KAITO): its workspaces are no longer reconciled")
    if change.node_provisioning is not None:
        was_auto = str((props.get("nodeProvisioningProfile") or {}).get("mode") or "").lower() == "auto"
        props.setdefault("nodeProvisioningProfile", {})["mode"] = change.node_provisioning
        if change.node_provisioning == "Auto":
            _check_nap(props, rg, name)
        elif was_auto:
            # upstream: MicrosoftDocs/azure-aks-docs 4032b991 articles/aks/use-node-auto-provisioning.md,
            # "Disable node auto-provisioning": only with no NAP nodes left and every NodePool's limits.cpu 0.
            turns_off.append(
                "node auto-provisioning (AKS refuses while NAP nodes exist: set every Karpenter NodePool's "
                "spec.limits.cpu to 0 and move their pods to fixed-size pools first)"
            )
    if change.tier is not None:
        if change.tier != "premium" and props.get("supportPlan") == LONG_TERM_SUPPORT:
            raise UsageError(
                f"cluster {name} has long-term support, which is only available on the Premium tier",
                hint="keep --tier premium (az aks update --k8s-support-plan KubernetesOfficial turns LTS off first)",
            )
        cluster["sku"] = {**(cluster.get("sku") or {"name": "Base"}), "tier": change.tier.capitalize()}
    if change.tags is not None:
        cluster["tags"] = dict(change.tags)
    if change.local_accounts is not None:
        if not change.local_accounts and not (props.get("aadProfile") or {}).get("managed"):
            # Spec (2026-08-01 ManagedClusterProperties.disableLocalAccounts): "This must only be used on
            # Managed Clusters that are AAD enabled."
            raise UsageError(
                f"cluster {name} has no Microsoft Entra ID integration, and local accounts can only be "
                "disabled on a cluster that has it",
                hint=f"turn it on first: az aks update -n {name} -g {rg} --enable-aad",
            )
        props["disableLocalAccounts"] = not change.local_accounts
    if change.upgrade_channel is not None:
        props.setdefault("autoUpgradeProfile", {})["upgradeChannel"] = change.upgrade_channel
    if change.node_os_upgrade_channel is not None:
        props.setdefault("autoUpgradeProfile", {})["nodeOSUpgradeChannel"] = change.node_os_upgrade_channel
    return cluster, cluster != before, turns_off


def _check_automatic(change: ClusterUpdate, automatic: bool) -> None:
    """AKS Automatic's preconfigured settings, as `cluster create` refuses them (clusters._check_automatic;
    upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/intro-aks-automatic.md: node
    auto-provisioning and the Standard tier are "always enabled and you can't disable or change" them)."""
    if not automatic:
        return
    if change.tier is not None and change.tier != AUTOMATIC_TIER:
        raise UsageError(
            f"AKS Automatic clusters are always on the Standard tier, not {change.tier}", hint="drop --tier"
        )
    if change.node_provisioning == "Manual":
        raise UsageError("AKS Automatic always uses node auto-provisioning", hint="drop --node-provisioning manual")


def _check_nap(props: dict[str, Any], rg: str, name: str) -> None:
    """What AKS refuses when node auto-provisioning is turned on: a network other than Azure CNI (overlay,
    Cilium) or a Calico network policy (upstream: MicrosoftDocs/azure-aks-docs fb060abe
    articles/aks/node-auto-provisioning-networking.md), and pools with the cluster autoscaler (spec
    2026-08-01 NodeProvisioningMode "Auto": "autoscaling Node Pools cannot be")."""
    net = props.get("networkProfile") or {}
    plugin, policy = str(net.get("networkPlugin") or "").lower(), str(net.get("networkPolicy") or "").lower()
    if plugin != "azure" or policy == "calico":
        wanted = ", ".join(f"{k} {v}" for k, v in NAP_NETWORK_PROFILE.items())
        raise UsageError(
            f"node auto-provisioning needs Azure CNI (overlay or Cilium) without Calico; cluster {name} has "
            f"networkPlugin {plugin or 'none'}, networkPolicy {policy or 'none'}",
            hint=f"create a cluster with --node-provisioning auto (it has {wanted}), or migrate this one's network "
            "with az aks update --network-plugin azure --network-plugin-mode overlay --network-dataplane cilium",
        )
    scaled = [str(p.get("name")) for p in props.get("agentPoolProfiles") or [] if p.get("enableAutoScaling")]
    if scaled:
        raise UsageError(
            f"node auto-provisioning cannot be turned on while node pools have the cluster autoscaler: "
            f"{', '.join(scaled)}",
            hint=f"turn it off first: akscli nodepool scale {scaled[0]} -c {name} -g {rg} --count N "
            "--disable-autoscaler",
        )
