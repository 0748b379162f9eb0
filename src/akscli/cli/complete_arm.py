"""TAB on the names Azure Resource Manager and node auto-provisioning hold: AKS clusters, agent pools,
NAP NodePools, fleets and bare-metal clusters (``arm_clusters``, ``arm_pools``, ``pools``,
``arm_fleets``, ``baremetal_clusters``), each answered within ARM_TIMEOUT_S and never signing in
interactively. The ARM reads take their token from akscli's <TAB> cache first (akscli.azure.tabtoken):
through the Azure CLI each token is a process of its own that often takes longer than a <TAB> waits.
"""

from collections.abc import Callable
from typing import Any

from akscli.cli.complete import _connect, _matching, _param, _within

# How long a <TAB> waits for Azure Resource Manager's names (cluster, node pool, fleet) and for a
# cluster's NodePools: longer than CLUSTER_TIMEOUT_S, as the first call of a command also gets a
# token, which through the Azure CLI (`az account get-access-token`), for ARM or for an AKS
# kubeconfig's credential plugin, is a process of its own; it still offers nothing rather than wait longer.
ARM_TIMEOUT_S = 3.0

# The sign-in sources that ask the user something (a browser, a device code): a <TAB> never signs in.
PROMPTING_AUTH = ("devicecode", "interactive")


def arm_clusters(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The AKS clusters of -g (else of the subscription), as az completes `az aks show -n <TAB>`
    (upstream: Azure/azure-cli src/azure-cli-core/azure/cli/core/commands/parameters.py
    get_resource_name_completion_list: the resource group's resources of the type when -g was given,
    else the subscription's; src/azure-cli/azure/cli/command_modules/acs/_params.py puts it on the
    cluster's name), read within ARM_TIMEOUT_S and never signing in interactively."""

    def names(target: Any) -> list[tuple[str, str]]:
        from akscli.azure import clusters

        rows = clusters.list_clusters(clusters.client(target), _param(ctx, "resource_group"))
        return [(str(c.get("name")), _group_help(c)) for c in rows]

    return _arm_names(ctx, incomplete, names)


def arm_pools(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The agent pools of --cluster in -g (AgentPools_List); nothing until both are given."""
    cluster, group = _param(ctx, "cluster"), _param(ctx, "resource_group")
    if not cluster or not group:
        return []

    def names(target: Any) -> list[tuple[str, str]]:
        from akscli.azure import clusters, nodepools

        rows = nodepools.list_pools(clusters.client(target), group, cluster)
        return [(str(p.get("name")), str((p.get("properties") or {}).get("vmSize") or "")) for p in rows]

    return _arm_names(ctx, incomplete, names)


def pools(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The NAME of ``nodepool show`` and ``delete``, which take both kinds of pool: with
    --auto-provision the NodePools of the cluster of --context; with --cluster (or -g) the agent
    pools (``arm_pools``); with neither, the NodePools, each described by the flag the command then
    needs (``--auto-provision``), as a cluster's line names its ``-g``."""
    if _param(ctx, "auto_provision"):
        return nap_pools(ctx, incomplete, "")
    if _param(ctx, "cluster") or _param(ctx, "resource_group"):
        return arm_pools(ctx, incomplete)
    return nap_pools(ctx, incomplete, "--auto-provision")


def nap_pools(ctx: Any, incomplete: str, needs: str) -> list[tuple[str, str]]:
    """The Karpenter NodePools (karpenter.sh/v1, cluster-scoped) of the cluster of --kubeconfig and
    --context, as ``nodepool list --auto-provision`` reads them (akscli.nap.nodepool.list_pools); nothing
    where the cluster serves no NodePool (no node auto-provisioning) or answers later than
    ARM_TIMEOUT_S. ``needs``: the description of each line."""

    def names() -> list[str]:
        from akscli.nap import nodepool as nap

        return [str(pool["metadata"]["name"]) for pool in nap.list_pools(_connect(ctx))]

    return _matching([(name, needs) for name in sorted(_within(ARM_TIMEOUT_S, names) or [])], incomplete)


def arm_fleets(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The fleets of -g (else of the subscription): Fleets_ListByResourceGroup or
    Fleets_ListBySubscription, as ``arm_clusters``."""

    def names(target: Any) -> list[tuple[str, str]]:
        from akscli.fleet.armclient import FleetArm

        rows = FleetArm(target, spinner=_no_spinner).list_fleets(_param(ctx, "group"))
        return [(str(f.get("name")), _group_help(f)) for f in rows]

    return _arm_names(ctx, incomplete, names)


def baremetal_clusters(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """The bare-metal clusters of -g (else of the subscription): the connected clusters of kind
    ProvisionedCluster, as ``baremetal cluster list`` reads them, without their instances."""

    def names(target: Any) -> list[tuple[str, str]]:
        from akscli.baremetal.clusters import BareMetal

        pages = BareMetal(target).connected_pages(_param(ctx, "resource_group"))
        return [(str(c.get("name")), _group_help(c)) for page in pages for c in page]

    return _arm_names(ctx, incomplete, names)


def _group_help(resource: dict[str, Any]) -> str:
    """``-g rg-ml``: the flag the command needs with the name, as its resource group is in the id."""
    from akscli.azure.clusters import resource_group_of

    group = resource_group_of(str(resource.get("id") or ""))
    return f"-g {group}" if group else ""


def _no_spinner(_what: str) -> Any:
    from contextlib import nullcontext

    return nullcontext(lambda _line: None)


def _arm_names(ctx: Any, incomplete: str, names: Callable[[Any], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """``names(target)`` for --subscription, --auth and --tenant given before the word, within
    ARM_TIMEOUT_S; nothing when the sign-in would prompt, fails, or is slower."""
    if str(_param(ctx, "auth") or "").strip().lower() in PROMPTING_AUTH:
        return []

    def read() -> list[Any]:
        from akscli.azure import tabtoken
        from akscli.azure.arm import AzureTarget

        target = AzureTarget(_param(ctx, "subscription"), _param(ctx, "auth"), _param(ctx, "tenant")).validated()
        tabtoken.READING.set(True)  # this thread's: the cached token first (akscli.azure.tabtoken)
        return names(target)

    rows = _within(ARM_TIMEOUT_S, read) or []
    return _matching(sorted(set(rows)), incomplete)
