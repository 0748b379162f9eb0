"""Upgrades of one AKS node pool: the versions Azure offers it, a version upgrade (the pool's PUT)
and a node image upgrade (``akscli nodepool upgrade``); moved out of nodepools.py, which holds the
pool's other verbs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from akscli.azure import arm, names, poolsettings, upgrades
from akscli.azure.clusters import as_dict
from akscli.azure.nodepools import get_pool, put_pool
from akscli.azure.upgrades import check_scale_set_limit
from akscli.errors import AlreadyAtVersion, UsageError

if TYPE_CHECKING:
    from azure.core.polling import LROPoller
    from azure.mgmt.containerservice import ContainerServiceClient


def upgrade_profile(c: ContainerServiceClient, rg: str, cluster: str, name: str) -> dict[str, Any]:
    return as_dict(arm.call(f"upgrade profile of {name}", lambda: c.agent_pools.get_upgrade_profile(rg, cluster, name)))


def available_versions(profile: Mapping[str, Any]) -> list[str]:
    return upgrades.offered_versions((profile.get("properties") or {}).get("upgrades"))[0]


def upgrade_info(c: ContainerServiceClient, rg: str, cluster: str, name: str) -> dict[str, Any]:
    """The pool's version, the versions Azure offers and the newest node image."""
    profile = upgrade_profile(c, rg, cluster, name)
    props = profile.get("properties") or {}
    versions, preview = upgrades.offered_versions(props.get("upgrades"))
    return {
        "name": name,
        "currentVersion": props.get("kubernetesVersion"),
        "availableUpgrades": versions,
        "previewUpgrades": preview,
        "latestNodeImageVersion": props.get("latestNodeImageVersion"),
    }


def check_upgrade_flags(
    version: str | None,
    *,
    node_image_only: bool,
    max_surge: str | None = None,
    max_unavailable: str | None = None,
    upgrade_settings: Mapping[str, Any] | None = None,
    list_only: bool = False,
) -> str | None:
    """The normalised target version; raises UsageError for flags that exclude each other.
    ``upgrade_settings``: the other upgradeSettings keys given (poolsettings.settings), which ride on
    the version upgrade's PUT as --max-surge does."""
    upgrades.check_list_flags(list_only, version=version, node_image_only=node_image_only, control_plane_only=False)
    if node_image_only and version:
        raise UsageError(
            "--node-image-only and --kubernetes-version exclude each other", hint="run them one after the other"
        )
    for flag, value, example in (("--max-surge", max_surge, "33%"), ("--max-unavailable", max_unavailable, "5%")):
        if value is not None:
            _check_upgrade_setting(flag, value, example, version)
    for key in upgrade_settings or {}:
        _need_version(poolsettings.flag_of(key), version)
    return names.kubernetes_version(version) if version else None


def _check_upgrade_setting(flag: str, value: str, example: str, version: str | None) -> None:
    """--max-surge or --max-unavailable: upgradeSettings of the pool's PUT."""
    _need_version(flag, version)
    poolsettings.count_or_percent(flag, value, example)


def _need_version(flag: str, version: str | None) -> None:
    # upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/custom.py
    # aks_agentpool_upgrade: max surge is refused with --node-image-only ("node image upgrade
    # can't accept nodepool put fields like max surge"); it rides on the pool's PUT, as
    # maxUnavailable does (MicrosoftDocs/azure-aks-docs fb060abe articles/aks/upgrade-aks-node-pools-rolling.md,
    # "Set max unavailable at upgrade time": az aks nodepool upgrade --max-surge 0 --max-unavailable 5).
    if not version:
        raise UsageError(
            f"{flag} goes with a version upgrade (it is sent in the pool's PUT)",
            hint="add --kubernetes-version (or change it with 'akscli nodepool update'); a node image upgrade "
            "follows the pool's upgradeSettings as they are",
        )


def upgrade_body(
    c: ContainerServiceClient,
    rg: str,
    cluster: str,
    name: str,
    version: str,
    *,
    max_surge: str | None = None,
    max_unavailable: str | None = None,
    upgrade_settings: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The pool as read, changed to upgrade to ``version`` (send_upgrade PUTs it back), after every
    read and check that can refuse it (a missing pool, a version not offered), so that they come
    before the confirmation."""
    version = names.kubernetes_version(version)
    profile = upgrade_profile(c, rg, cluster, name)
    offered = available_versions(profile)
    current = str((profile.get("properties") or {}).get("kubernetesVersion") or "")
    same = version not in offered and (version == current or current.startswith(version + "."))
    pool = get_pool(c, rg, cluster, name) if same else None
    if pool is not None and AlreadyAtVersion.applies(pool["properties"].get("provisioningState")):
        raise AlreadyAtVersion(
            f"node pool {name} is already at {current}; nothing to upgrade",
            hint=f"'akscli nodepool upgrade {name} -c {cluster} -g {rg} --list' lists the versions it can go to",
        )
    # A pool not Succeeded (Failed, Canceled after 'akscli nodepool abort', ...) is sent its own version
    # again: az aks nodepool upgrade sends orchestratorVersion whatever the state (upstream: Azure/azure-cli
    # 0a1fa21c acs/custom.py aks_agentpool_upgrade, no state read at all; Azure/azure-cli-extensions
    # 003e28f6 src/aks-preview/azext_aks_preview/custom.py aks_agentpool_upgrade asks first, then sends).
    if pool is None and version not in offered:
        raise UsageError(
            f"node pool {name} cannot be upgraded to {version}",
            hint="available: " + (", ".join(offered) or _control_plane_first(c, rg, cluster, version)),
        )
    pool = pool or get_pool(c, rg, cluster, name)
    _check_settings(pool, rg, cluster, name, max_surge=max_surge, max_unavailable=max_unavailable)
    check_scale_set_limit(pool["properties"], rg, cluster, name, max_surge=max_surge)
    pool["properties"]["orchestratorVersion"] = current if same else version
    for key, value in (("maxSurge", max_surge), ("maxUnavailable", max_unavailable)):
        if value is not None:
            pool["properties"].setdefault("upgradeSettings", {})[key] = value
    if upgrade_settings:
        pool["properties"].setdefault("upgradeSettings", {}).update(upgrade_settings)
    return pool


def _control_plane_first(c: ContainerServiceClient, rg: str, cluster: str, version: str) -> str:
    """The hint's tail for a pool Azure offers no version: a pool is never newer than its control
    plane, which goes first, alone (MicrosoftDocs/azure-aks-docs articles/aks/upgrade-aks-control-plane.md),
    to a version the cluster's own upgrade profile offers; one read, on this error path only."""
    offered = upgrades.available_versions(upgrades.upgrade_profile(c, rg, cluster))
    if version in offered or any(v.startswith(version + ".") for v in offered):
        return (
            f"none; upgrade the control plane first: akscli cluster upgrade {cluster} -g {rg} -k {version} "
            "--control-plane-only"
        )
    if not offered:
        return f"none, and none for the control plane of cluster {cluster} either (it runs the newest version offered)"
    return (
        f"none; the control plane goes first, and it can go to {', '.join(offered)}: "
        f"akscli cluster upgrade {cluster} -g {rg} -k VERSION --control-plane-only"
    )


def _is_zero(value: object) -> bool:
    """Whether an upgradeSettings count or percentage ("0", "0%") is zero; absent is zero for
    maxUnavailable, whose default is 0."""
    text = str(value or "0").rstrip("%")
    return text.isdigit() and int(text) == 0


def _check_settings(
    pool: Mapping[str, Any], rg: str, cluster: str, name: str, *, max_surge: str | None, max_unavailable: str | None
) -> None:
    """Refuse upgradeSettings AKS refuses, as the pool's PUT would carry them (the flags over the pool's own).
    upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/upgrade-aks-node-pools-rolling.md, "Customize
    unavailable nodes": "You can't set max unavailable on system node pools"; "The default value of
    `maxUnavailable` is `0`. When `maxUnavailable` is `0`, AKS requires `maxSurge` to be greater than `0`";
    Azure/azure-rest-api-specs aks/stable/2026-08-01 AgentPoolUpgradeSettings.maxUnavailable, "If not specified,
    the default is 0"."""
    props = pool.get("properties") or {}
    settings = props.get("upgradeSettings") or {}
    system = props.get("mode") == "System"
    if max_unavailable is not None and system and not _is_zero(max_unavailable):
        raise UsageError(
            f"--max-unavailable {max_unavailable}: node pool {name} is a System pool, and AKS takes no maxUnavailable "
            "on a System pool",
            hint="upgrade it with a surge (--max-surge 1 or more); only a User pool upgrades in place",
        )
    surge = max_surge if max_surge is not None else settings.get("maxSurge")
    unavailable = max_unavailable if max_unavailable is not None else settings.get("maxUnavailable")
    if surge is None or not _is_zero(surge) or not _is_zero(unavailable):
        return  # no maxSurge at all is AKS's default surge (10% by the spec), not 0
    if max_surge is None and max_unavailable is None:
        return  # the pool's own settings, as AKS took them: nothing akscli changes
    given = f"--max-surge {max_surge}" if max_surge is not None else f"node pool {name}'s maxSurge {surge}"
    why = (
        f"--max-unavailable {max_unavailable}"
        if max_unavailable is not None
        else f"its maxUnavailable is {unavailable or 0}"
    )
    in_place = "" if system else ", or upgrade it in place with --max-surge 0 --max-unavailable 1 (a User pool)"
    raise UsageError(
        f"{given} leaves node pool {name} no node to upgrade with: {why}, and AKS needs maxSurge above 0 then",
        hint=f"use --max-surge 1 or more{in_place}",
    )


def node_image_pool(c: ContainerServiceClient, rg: str, cluster: str, name: str) -> dict[str, Any]:
    """The pool read before a node image upgrade (before the question), checked as a version
    upgrade is: its surge must leave the scale set within 1,000 instances."""
    pool = get_pool(c, rg, cluster, name)
    check_scale_set_limit(pool["properties"], rg, cluster, name, node_image=True)
    return pool


def send_upgrade(
    c: ContainerServiceClient,
    rg: str,
    cluster: str,
    name: str,
    pool: dict[str, Any],
    *,
    if_match: str | None = None,
    no_wait: bool = False,
) -> LROPoller[Any]:
    """The upgrade's PUT alone (``upgrade_body`` builds and checks it), under If-Match: the eTag
    read with the pool, or --if-match."""
    return put_pool(c, rg, cluster, name, pool, f"upgrade node pool {name}", if_match, no_wait=no_wait)


def begin_node_image_upgrade(
    c: ContainerServiceClient, rg: str, cluster: str, name: str, *, no_wait: bool = False
) -> LROPoller[Any]:
    """The node image upgrade's POST; the caller reads the pool first (get_pool), before it confirms."""
    return arm.call(
        f"node image upgrade of {name}",
        lambda: c.agent_pools.begin_upgrade_node_image_version(rg, cluster, name, polling=not no_wait),
    )
