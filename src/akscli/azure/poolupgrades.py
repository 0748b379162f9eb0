"""Upgrades of one AKS node pool: the versions Azure offers it, a version upgrade (the pool's PUT)
and a node image upgrade (``akscli nodepool upgrade``); moved out of nodepools.py, which holds the
pool's other verbs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from akscli.azure import arm, names
from akscli.azure.clusters import as_dict
from akscli.azure.nodepools import get_pool, put_pool
from akscli.azure.upgrades import AlreadyAtVersion, check_scale_set_limit
from akscli.errors import UsageError

if TYPE_CHECKING:
    from azure.core.polling import LROPoller
    from azure.mgmt.containerservice import ContainerServiceClient


def upgrade_profile(c: ContainerServiceClient, rg: str, cluster: str, name: str) -> dict[str, Any]:
    return as_dict(arm.call(f"upgrade profile of {name}", lambda: c.agent_pools.get_upgrade_profile(rg, cluster, name)))


def available_versions(profile: Mapping[str, Any]) -> list[str]:
    return [u["kubernetesVersion"] for u in (profile.get("properties") or {}).get("upgrades") or []]


def upgrade_info(c: ContainerServiceClient, rg: str, cluster: str, name: str) -> dict[str, Any]:
    """The pool's version, the versions Azure offers and the newest node image."""
    profile = upgrade_profile(c, rg, cluster, name)
    props = profile.get("properties") or {}
    return {
        "name": name,
        "currentVersion": props.get("kubernetesVersion"),
        "availableUpgrades": available_versions(profile),
        "latestNodeImageVersion": props.get("latestNodeImageVersion"),
    }


def check_upgrade_flags(version: str | None, *, node_image_only: bool, max_surge: str | None = None) -> str | None:
    """The normalised target version; raises UsageError for flags that exclude each other."""
    if node_image_only and version:
        raise UsageError(
            "--node-image-only and --kubernetes-version exclude each other", hint="run them one after the other"
        )
    if max_surge is not None:
        # upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/custom.py
        # aks_agentpool_upgrade: max surge is refused with --node-image-only ("node image upgrade
        # can't accept nodepool put fields like max surge"); it rides on the pool's PUT.
        if not version:
            raise UsageError(
                "--max-surge goes with a version upgrade (it is sent in the pool's PUT)",
                hint="add --kubernetes-version; a node image upgrade surges as the pool's upgradeSettings say",
            )
        # upstream: Azure/azure-rest-api-specs aks/stable/2026-08-01 AgentPoolUpgradeSettings.maxSurge:
        # "either be set to an integer (e.g. '5') or a percentage (e.g. '50%')".
        if not re.fullmatch(r"[0-9]+%?", max_surge) or (max_surge.endswith("%") and int(max_surge[:-1]) > 100):
            raise UsageError(
                f"invalid --max-surge {max_surge!r}: a node count or a percentage of the pool",
                hint="for example --max-surge 1 or --max-surge 33%",
            )
    return names.kubernetes_version(version) if version else None


def upgrade_body(
    c: ContainerServiceClient, rg: str, cluster: str, name: str, version: str, *, max_surge: str | None = None
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
    if pool is not None and pool["properties"].get("provisioningState") != "Failed":
        raise AlreadyAtVersion(
            f"node pool {name} is already at {current}; nothing to upgrade",
            hint=f"'akscli nodepool upgrade {name} -c {cluster} -g {rg}' lists the versions it can go to",
        )
    # A Failed pool is sent its own version again, which reconciles it: az aks nodepool upgrade
    # sends orchestratorVersion whatever it was (upstream: Azure/azure-cli acs/custom.py
    # aks_agentpool_upgrade).
    if pool is None and version not in offered:
        raise UsageError(
            f"node pool {name} cannot be upgraded to {version}",
            hint="available: "
            + (
                ", ".join(offered)
                # A pool is never newer than its control plane, which goes first, alone, to the
                # version asked for (MicrosoftDocs/azure-aks-docs articles/aks/upgrade-aks-control-plane.md).
                or f"none; upgrade the control plane first: akscli cluster upgrade {cluster} -g {rg} -k {version} "
                "--control-plane-only"
            ),
        )
    pool = pool or get_pool(c, rg, cluster, name)
    if max_surge is not None:
        _check_zero_surge(max_surge, pool, rg, cluster, name)
    check_scale_set_limit(pool["properties"], rg, cluster, name, max_surge=max_surge)
    pool["properties"]["orchestratorVersion"] = current if same else version
    if max_surge is not None:
        pool["properties"].setdefault("upgradeSettings", {})["maxSurge"] = max_surge
    return pool


def _is_zero(value: object) -> bool:
    """Whether an upgradeSettings count or percentage ("0", "0%") is zero; absent is zero for
    maxUnavailable, whose default is 0."""
    text = str(value or "0").rstrip("%")
    return text.isdigit() and int(text) == 0


def _check_zero_surge(max_surge: str, pool: Mapping[str, Any], rg: str, cluster: str, name: str) -> None:
    """Refuse --max-surge 0 on a pool whose maxUnavailable (as read) is 0: AKS then has no node to
    upgrade with. upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/upgrade-aks-node-pools-rolling.md,
    "Customize unavailable nodes": "The default value of `maxUnavailable` is `0`. When `maxUnavailable`
    is `0`, AKS requires `maxSurge` to be greater than `0`", and "You can't set max unavailable on system
    node pools"; Azure/azure-rest-api-specs aks/stable/2026-08-01 AgentPoolUpgradeSettings.maxUnavailable,
    "If not specified, the default is 0"."""
    settings = (pool.get("properties") or {}).get("upgradeSettings") or {}
    unavailable = settings.get("maxUnavailable")
    if _is_zero(max_surge) and _is_zero(unavailable):
        raise UsageError(
            f"--max-surge {max_surge} leaves node pool {name} no node to upgrade with: its maxUnavailable is "
            f"{unavailable or 0}, and AKS needs maxSurge above 0 then",
            hint="use --max-surge 1 or more, or give a user pool a maxUnavailable first "
            f"('az aks nodepool update -g {rg} --cluster-name {cluster} -n {name} --max-surge 0 --max-unavailable 1')",
        )


def node_image_pool(c: ContainerServiceClient, rg: str, cluster: str, name: str) -> dict[str, Any]:
    """The pool read before a node image upgrade (before the question), checked as a version
    upgrade is: its surge must leave the scale set within 1,000 instances."""
    pool = get_pool(c, rg, cluster, name)
    check_scale_set_limit(pool["properties"], rg, cluster, name, node_image=True)
    return pool


def send_upgrade(
    c: ContainerServiceClient, rg: str, cluster: str, name: str, pool: dict[str, Any], *, if_match: str | None = None
) -> LROPoller[Any]:
    """The upgrade's PUT alone (``upgrade_body`` builds and checks it), under If-Match: the eTag
    read with the pool, or --if-match."""
    return put_pool(c, rg, cluster, name, pool, f"upgrade node pool {name}", if_match)


def begin_node_image_upgrade(c: ContainerServiceClient, rg: str, cluster: str, name: str) -> LROPoller[Any]:
    """The node image upgrade's POST; the caller reads the pool first (get_pool), before it confirms."""
    return arm.call(
        f"node image upgrade of {name}", lambda: c.agent_pools.begin_upgrade_node_image_version(rg, cluster, name)
    )
