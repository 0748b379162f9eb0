"""Upgrades of an AKS cluster: the versions Azure offers, the control plane with or without its
node pools, node images (``akscli cluster upgrade``); moved out of clusters.py, which holds the
cluster's other verbs."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from akscli import statuslines
from akscli.azure import arm, armerrors, etags, names
from akscli.azure.clusters import as_dict, get, put_back
from akscli.azure.poolchecks import MAX_COUNT
from akscli.errors import AlreadyAtVersion, ConflictError, UsageError

if TYPE_CHECKING:
    from azure.core.polling import LROPoller
    from azure.mgmt.containerservice import ContainerServiceClient


def upgrade_profile(c: ContainerServiceClient, rg: str, name: str) -> dict[str, Any]:
    return as_dict(arm.call(f"upgrade profile of {name}", lambda: c.managed_clusters.get_upgrade_profile(rg, name)))


def available_versions(profile: Mapping[str, Any]) -> list[str]:
    cp = (profile.get("properties") or {}).get("controlPlaneProfile") or {}
    return offered_versions(cp.get("upgrades"))[0]


def offered_versions(upgrades: Any) -> tuple[list[str], list[str]]:
    """An upgrade profile's ``upgrades`` (the control plane's or a pool's) as the versions offered, oldest
    first, and those of them in preview. Each item is ``{kubernetesVersion, isPreview}`` (upstream:
    Azure/azure-rest-api-specs aks/stable/2026-01-01 examples/ManagedClustersGetUpgradeProfile.json,
    ``"isPreview": true`` on 1.7.9 and 1.7.11; Azure/azure-sdk-for-python azure-mgmt-containerservice
    models AgentPoolUpgradeProfilePropertiesUpgradesItem and ManagedClusterPoolUpgradeProfileUpgradesItem,
    ``is_preview``). They are sorted as versions, as az aks get-upgrades sorts them (upstream: Azure/azure-cli
    src/azure-cli/azure/cli/command_modules/acs/_format.py aks_upgrades_table_format, sort_versions):
    1.7.11 after 1.7.9, which a sort of the text puts first."""
    items = [u for u in upgrades or [] if u.get("kubernetesVersion")]
    versions = [str(u["kubernetesVersion"]) for u in items]
    if all(re.fullmatch(r"[0-9]+(\.[0-9]+)*", v) for v in versions):
        versions.sort(key=lambda v: tuple(int(part) for part in v.split(".")))
    preview = {str(u["kubernetesVersion"]) for u in items if u.get("isPreview")}
    return versions, [v for v in versions if v in preview]


def upgrade_info(c: ContainerServiceClient, rg: str, name: str) -> tuple[dict[str, Any], list[str]]:
    """The current version and the versions Azure offers (``cluster upgrade`` without a version),
    and the node pools behind the control plane, as ``POOL (VERSION)``: the upgrade profile's
    agentPoolProfiles (upstream: Azure/azure-rest-api-specs aks/stable/2026-08-01
    ManagedClusterUpgradeProfile.agentPoolProfiles, each pool's kubernetesVersion)."""
    profile = upgrade_profile(c, rg, name)
    props = profile.get("properties") or {}
    cp = props.get("controlPlaneProfile") or {}
    current = cp.get("kubernetesVersion")
    behind = [
        f"{p.get('name')} ({p.get('kubernetesVersion')})"
        for p in props.get("agentPoolProfiles") or []
        if p.get("kubernetesVersion") and p.get("kubernetesVersion") != current
    ]
    versions, preview = offered_versions(cp.get("upgrades"))
    info = {"name": name, "currentVersion": current, "availableUpgrades": versions, "previewUpgrades": preview}
    return info, behind


def check_upgrade_flags(
    version: str | None, *, control_plane_only: bool, node_image_only: bool, list_only: bool = False
) -> str | None:
    """The normalised target version; raises UsageError for flags that exclude each other."""
    check_list_flags(list_only, version=version, node_image_only=node_image_only, control_plane_only=control_plane_only)
    if node_image_only and (version or control_plane_only):
        raise UsageError(
            "--node-image-only upgrades node images only", hint="drop --kubernetes-version/--control-plane-only"
        )
    if control_plane_only and not version:
        raise UsageError("--control-plane-only needs a target version", hint="add --kubernetes-version, e.g. -k 1.34")
    return names.kubernetes_version(version) if version else None


def check_list_flags(list_only: bool, *, version: str | None, node_image_only: bool, control_plane_only: bool) -> None:
    """--list (``cluster upgrade`` and ``nodepool upgrade``) reads the upgrade profile, as ``az aks
    get-upgrades`` and ``az aks nodepool get-upgrades`` do, and upgrades nothing (what leaving out -k
    also does); a flag that upgrades something is refused with it, not ignored."""
    if not list_only:
        return
    given = [
        flag
        for flag, on in (
            (f"--kubernetes-version {version}", version),
            ("--node-image-only", node_image_only),
            ("--control-plane-only", control_plane_only),
        )
        if on
    ]
    if given:
        raise UsageError(
            f"--list and {given[0]} exclude each other: --list only shows the versions Azure offers",
            hint=f"drop --list to upgrade, or {given[0].split()[0]} to list",
        )


def upgrade_body(
    c: ContainerServiceClient,
    rg: str,
    name: str,
    version: str,
    *,
    control_plane_only: bool = False,
) -> dict[str, Any]:
    """The cluster as read, changed to upgrade the control plane (and, unless told otherwise,
    every node pool) to ``version``, after every read and check that can refuse it (a missing
    cluster, a version not offered, spot pools): they all come before the confirmation
    (send_upgrade PUTs it back)."""
    version = names.kubernetes_version(version)
    cluster = get(c, rg, name)
    props = cluster["properties"]
    current = str(props.get("currentKubernetesVersion") or props.get("kubernetesVersion") or "")
    if (version == current or current.startswith(version + ".")) and not AlreadyAtVersion.applies(
        props.get("provisioningState")
    ):
        # A cluster not Succeeded (Failed, Canceled after 'akscli cluster abort', ...) is sent its own
        # version again: az aks upgrade sends the PUT in every state, warning "Proceeding with upgrade
        # to existing version %s to attempt resolution of failed cluster state" for Failed (upstream:
        # Azure/azure-cli 0a1fa21c acs/custom.py aks_upgrade; MicrosoftDocs SupportArticles
        # error-code-poddrainfailure.md: "This process triggers a reconciliation").
        version = current
    elif version == current or current.startswith(version + "."):
        # The control plane's own version: what brings node pools left behind by a
        # --control-plane-only upgrade up to it, as 'az aks upgrade' does (it warns, then sends every
        # pool the version; upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/
        # custom.py aks_upgrade, "The cluster is already on version %s ...", upgrade_all).
        version = _align_pools(name, rg, props, current, control_plane_only=control_plane_only)
    else:
        offered = available_versions(upgrade_profile(c, rg, name))
        if version not in offered and not any(v.startswith(version + ".") for v in offered):
            raise UsageError(
                f"cluster {name} (at {current}) cannot be upgraded to {version}",
                hint="available: " + (", ".join(offered) or "none (it is at the newest version)"),
            )
    spot = [str(p.get("name")) for p in props.get("agentPoolProfiles") or [] if p.get("scaleSetPriority") == "Spot"]
    if spot and not control_plane_only:
        # upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/spot-node-pool.md, Limitations: "You
        # can't upgrade the control plane and node pools at the same time. You must upgrade them separately".
        raise UsageError(
            f"cluster {name} has spot node pools ({', '.join(spot)}), and AKS cannot upgrade its control plane "
            "and node pools at the same time",
            hint=f"upgrade the control plane with --control-plane-only, then each pool with "
            f"'akscli nodepool upgrade POOL --cluster {name} -g {rg} -k {version}'",
        )
    if not control_plane_only:
        for pool in props.get("agentPoolProfiles") or []:
            if pool.get("orchestratorVersion") != version:
                check_scale_set_limit(pool, rg, name, str(pool.get("name")), version=version)
    props["kubernetesVersion"] = version
    if not control_plane_only:
        for pool in props.get("agentPoolProfiles") or []:
            pool["orchestratorVersion"] = version
    return cluster


def surge_nodes(max_surge: str, count: int) -> int:
    """The nodes a maxSurge adds during an upgrade: a count, or a percentage of the pool's nodes
    rounded up, and never more than the nodes there are to upgrade (upstream: Azure/azure-rest-api-specs
    aks/stable/2026-08-01 AgentPoolUpgradeSettings.maxSurge, "For percentages, fractional nodes are
    rounded up"; MicrosoftDocs/azure-aks-docs fb060abe articles/aks/upgrade-aks-node-pools-rolling.md: "If
    the max surge value is higher than the required number of nodes to be upgraded, the number of nodes
    to be upgraded is used")."""
    asked = math.ceil(count * int(max_surge[:-1]) / 100) if max_surge.endswith("%") else int(max_surge)
    return min(asked, count)


def check_scale_set_limit(
    props: Mapping[str, Any],
    rg: str,
    cluster: str,
    name: str,
    *,
    max_surge: str | None = None,
    version: str | None = None,
    node_image: bool = False,
) -> None:
    """Refuse an upgrade whose surge would take a scale set pool past 1,000 instances, which AKS refuses
    before it starts (upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/upgrade-aks-node-pools-rolling.md,
    "Customize node surge": "Azure Virtual Machine Scale Sets (VMSS) allow a maximum of 1,000 instances
    per scale set. If a node pool's current size plus the calculated surge count would exceed 1,000
    instances, AKS rejects the upgrade before it starts"). The surge is --max-surge, else the pool's own
    upgradeSettings.maxSurge as read; a pool that reads none is judged with one node (the page's
    default; the spec's 10%, rounded up, is never less). ``props``: the pool's properties (a pool read
    alone) or its profile (in a cluster); ``version``: the cluster upgrade's target, which the hint
    then names; ``node_image``: a node image upgrade, which takes no --max-surge."""
    if (props.get("type") or "VirtualMachineScaleSets") != "VirtualMachineScaleSets":
        return
    surge = max_surge if max_surge is not None else (props.get("upgradeSettings") or {}).get("maxSurge")
    # A pool that reads no maxSurge still surges: one node by the page ("AKS configures upgrades to surge
    # with one extra node by default"), 10% by the spec. One node is the least either gives, so a pool
    # already at 1,000 nodes is refused whichever AKS applies.
    default = not surge
    if default:
        surge = "1"
    if not re.fullmatch(r"[0-9]+%?", str(surge)):
        return
    count = int(props.get("count") or 0)
    if props.get("enableAutoScaling"):
        # The autoscaler keeps the pool within minCount..maxCount (2026-08-01 ManagedClusterAgentPoolProfileProperties).
        count = max(count, int(props.get("minCount") or 0))
    total = count + surge_nodes(str(surge), count)
    if total <= MAX_COUNT:
        _warn_autoscaled(props, str(surge), name, default=default)
        return
    room = MAX_COUNT - count
    if default:
        given = f"node pool {name}'s default surge (one node at least)"
    else:
        given = f"--max-surge {surge}" if max_surge is not None else f"node pool {name}'s maxSurge {surge}"
    az = f"az aks nodepool update -g {rg} --cluster-name {cluster} -n {name}"
    # In place (maxSurge 0, maxUnavailable above 0) adds no instance: "In-place upgrades with max unavailable
    # don't create additional surge nodes, so they aren't subject to this limit" (upstream: MicrosoftDocs/
    # azure-aks-docs 6d4bd931 articles/aks/upgrade-aks-node-pools-rolling.md, "Node pools near the
    # 1,000-instance limit"). AKS takes no maxUnavailable on a System pool (the same page).
    user = props.get("mode") != "System"
    in_place = "--max-surge 0 --max-unavailable 1" if not node_image and version is None else None
    if room <= 0:
        hint = f"a pool of {count} nodes has no room to surge: scale it down first"
        if user:
            how = in_place or f"'{az} --max-surge 0 --max-unavailable 1' first"
            hint += f", or upgrade it in place ({how})"
    elif max_surge is not None:
        hint = f"use --max-surge {room} or less" + (f", or upgrade in place ({in_place})" if user and in_place else "")
    elif node_image:
        hint = f"lower it first ('{az} --max-surge {room}'), then upgrade the node image"
    elif version is not None:
        hint = (
            f"upgrade the control plane with --control-plane-only, then the pool with 'akscli nodepool upgrade "
            f"{name} -c {cluster} -g {rg} -k {version} --max-surge {room}'"
        )
    else:
        hint = f"pass --max-surge {room} or less with -k, or lower it first ('{az} --max-surge {room}')" + (
            f", or upgrade in place ({in_place})" if user and in_place else ""
        )
    raise UsageError(
        f"{given} would take node pool {name} to {total} instances during the upgrade; a scale set holds at most "
        f"{MAX_COUNT}, so AKS refuses the upgrade",
        hint=hint,
    )


def _warn_autoscaled(props: Mapping[str, Any], surge: str, name: str, *, default: bool) -> None:
    """Warn, before the question, when an autoscaled pool fits now but would not at its maxCount. AKS judges
    "the node pool's current size plus the calculated surge count" when the upgrade starts (upstream:
    MicrosoftDocs/azure-aks-docs fb060abe articles/aks/upgrade-aks-node-pools-rolling.md, "Customize node
    surge"; its 6d4bd931 error: "Current size: 995, configured maxSurge: 1%, calculated surge count: 10"), and
    the autoscaler may have grown the pool up to maxCount by then ("account for nodes that might be added as
    part of upgrades, including the count of nodes specified via maxCount and maxSurge values":
    articles/aks/configure-load-balancer-standard.md). A warning, not a refusal: AKS takes the upgrade while
    the pool is small enough, and refuses it before it starts otherwise."""
    top = int(props.get("maxCount") or 0)
    if not props.get("enableAutoScaling") or top + surge_nodes(surge, top) <= MAX_COUNT:
        return
    fits = max((n for n in range(top + 1) if n + surge_nodes(surge, n) <= MAX_COUNT), default=0)
    what = "its default surge (one node at least)" if default else f"maxSurge {surge}"
    statuslines.warn(
        f"node pool {name} autoscales up to {top} nodes: with {what}, AKS refuses the upgrade if the pool has more "
        f"than {fits} nodes when it starts (a scale set holds at most {MAX_COUNT} instances)"
        + ("" if props.get("mode") == "System" else "; an in-place upgrade (maxSurge 0, maxUnavailable 1) adds none")
    )


def send_upgrade(
    c: ContainerServiceClient,
    rg: str,
    name: str,
    cluster: dict[str, Any],
    *,
    if_match: str | None = None,
    no_wait: bool = False,
) -> LROPoller[Any]:
    """The upgrade's PUT alone (``upgrade_body`` builds and checks it). It carries If-Match: the
    eTag read with the cluster (or ``if_match``, --if-match), so a change made in between is
    refused (412) rather than overwritten (azure/etags.py). The PUT also carries every pool's
    profile as read, and a pool's own change (a nodepool scale) does not change the cluster's eTag,
    so the pools' eTags are compared again first (_pools_unchanged)."""
    return put_cluster(c, rg, name, cluster, f"upgrade cluster {name}", if_match=if_match, no_wait=no_wait)


def put_cluster(
    c: ContainerServiceClient,
    rg: str,
    name: str,
    cluster: dict[str, Any],
    what: str,
    *,
    if_match: str | None = None,
    no_wait: bool = False,
) -> LROPoller[Any]:
    """PUT back a cluster read and changed (an upgrade, a cluster update), under If-Match, after its
    pools' eTags are compared again (send_upgrade says why)."""
    _pools_unchanged(c, rg, name, cluster, what)
    body = put_back("ManagedCluster", cluster)
    conditions = etags.headers(if_match or etags.of_cluster(cluster))
    return etags.guarded(
        what,
        lambda: c.managed_clusters.begin_create_or_update(rg, name, body, headers=conditions, polling=not no_wait),
        show=etags.cluster_show(rg, name),
        given=if_match is not None,
    )


def _pool_etags(cluster: Mapping[str, Any]) -> dict[str, str | None]:
    return {str(p.get("name")): p.get("eTag") for p in (cluster.get("properties") or {}).get("agentPoolProfiles") or []}


def _pools_unchanged(c: ContainerServiceClient, rg: str, name: str, cluster: Mapping[str, Any], what: str) -> None:
    """Refuse, as a 412 would, when a node pool changed after ``cluster`` was read. "When you perform
    an agent pool operation, only the agent pool eTag is updated" (upstream: MicrosoftDocs/azure-aks-docs
    fb060abe articles/aks/use-etags.md), so the cluster's If-Match lets it through, and the whole-cluster
    PUT applies each profile as sent: its count too, as az aks scale scales a pool with one
    (Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/custom.py aks_scale). A profile's eTag
    is read-only in a PUT (2026-08-01 ManagedClusterAgentPoolProfileProperties.eTag), so the check is
    akscli's, one GET just before the PUT; a change in the moment between them is not caught."""
    read, now = _pool_etags(cluster), _pool_etags(get(c, rg, name))
    changed = sorted(pool for pool in read.keys() | now.keys() if read.get(pool) != now.get(pool))
    if not changed:
        return
    pools = f"node pool{'s' if len(changed) > 1 else ''} {', '.join(changed)}"
    err = ConflictError(
        f"{what}: {pools} changed in Azure after akscli read it (a pool's eTag); nothing was changed",
        hint=f"run the command again to {what.split()[0]} on top of the new state "
        f"(see it with '{etags.cluster_show(rg, name)}')",
    )
    err.reason = armerrors.PRECONDITION_FAILED
    raise err


def _align_pools(name: str, rg: str, props: Mapping[str, Any], current: str, *, control_plane_only: bool) -> str:
    """The control plane's version, as the target that upgrades only the node pools behind it or not
    Succeeded (a pool aborted or failed at this version is sent it again, as 'nodepool upgrade' sends
    it); AlreadyAtVersion when there is none (or the control plane alone is asked for)."""
    behind = [
        str(p.get("name"))
        for p in props.get("agentPoolProfiles") or []
        if (p.get("currentOrchestratorVersion") or p.get("orchestratorVersion")) != current
        or not AlreadyAtVersion.applies(p.get("provisioningState"))
    ]
    if control_plane_only or not behind:
        what = "its control plane" if control_plane_only else "its control plane and every node pool"
        raise AlreadyAtVersion(
            f"cluster {name} is already at {current} ({what}); nothing to upgrade",
            hint=f"'akscli cluster upgrade {name} -g {rg} --list' lists the newer versions",
        )
    return current


def pool_names(c: ContainerServiceClient, rg: str, name: str) -> list[str]:
    """The cluster's node pools, read before a node image upgrade is confirmed (a missing cluster
    is NotFoundError then, not after the question), each checked for room to surge."""
    pools = get(c, rg, name)["properties"].get("agentPoolProfiles") or []
    for pool in pools:
        check_scale_set_limit(pool, rg, name, str(pool["name"]), node_image=True)
    return [str(p["name"]) for p in pools]


def begin_node_image_upgrades(
    c: ContainerServiceClient, rg: str, name: str, pools: list[str], *, no_wait: bool = False
) -> list[tuple[str, LROPoller[Any]]]:
    """Start a node image upgrade on each of ``pools`` (they run side by side in Azure); a dry
    run prints each pool's POST (arm.each_write)."""
    from functools import partial

    pollers = arm.each_write([partial(_begin_node_image, c, rg, name, pool, no_wait) for pool in pools])
    return list(zip(pools, pollers, strict=True))


def _begin_node_image(c: ContainerServiceClient, rg: str, name: str, pool: str, no_wait: bool) -> LROPoller[Any]:
    return arm.call(
        f"node image upgrade of {pool}",
        lambda: c.agent_pools.begin_upgrade_node_image_version(rg, name, pool, polling=not no_wait),
    )
