"""The flags and table columns akscli nodepool's commands share (cli/nodepool.py): the cluster,
with az's --cluster-name beside --cluster, the pool's name, --auto-provision, and the autoscaler's
bounds with az's long names."""

from dataclasses import dataclass
from typing import Annotated, Any

import typer

from akscli.cli import complete_arm
from akscli.cli import options as opts
from akscli.output import Column
from akscli.resource_type import ResourceType

# az aks nodepool names the cluster --cluster-name (upstream: Azure/azure-cli 0088c878
# src/azure-cli/azure/cli/command_modules/acs/_params.py, argument_context('aks nodepool'):
# cluster_name; 'aks nodepool wait': options_list=['--cluster-name']): accepted beside --cluster
# (grammar.AZ_ALIASES).
# --cluster completes from ARM, a pool's NAME too once --cluster and -g are given (complete_arm); the
# NAME of show and delete, which take both kinds of pool, also the NodePools of --context (complete_arm.pools).
Cluster = Annotated[
    str,
    typer.Option(
        "--cluster",
        "-c",
        "--cluster-name",
        metavar="CLUSTER",
        help="Cluster name.",
        autocompletion=complete_arm.arm_clusters,
    ),
]
# add, list, show and delete also work on node auto-provisioning pools, which need no --cluster.
OptCluster = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        "-c",
        "--cluster-name",
        metavar="CLUSTER",
        help="Cluster name (ARM pools).",
        show_default=False,
        autocompletion=complete_arm.arm_clusters,
    ),
]
AutoProvision = Annotated[
    bool,
    typer.Option(
        "--auto-provision",
        help="A node auto-provisioning (Karpenter) NodePool on the cluster of --context, not an ARM pool.",
    ),
]
# A NAP NodePool also by every TYPE kubectl takes for Karpenter's NodePool (Azure/karpenter-provider-azure
# 352646f5 pkg/apis/crds/karpenter.sh_nodepools.yaml: nodepools, nodepool, no short name, served v1).
NAP_NODEPOOLS = ResourceType("karpenter.sh", "nodepools", "nodepool", namespaced=False)
_POOL_CHECK = opts.type_name("nodepool", "node pool name", "akscli nodepool list", resources=[NAP_NODEPOOLS])
_POOL_HELP = "Node pool name; nodepool/NAME (nodepool.karpenter.sh/NAME) as -o name prints it also works."
Name = Annotated[
    str, typer.Argument(help=_POOL_HELP, show_default=False, callback=_POOL_CHECK, autocompletion=complete_arm.pools)
]
# add's NAME names a pool not there yet: nothing to complete.
NewName = Annotated[str, typer.Argument(help=_POOL_HELP, show_default=False, callback=_POOL_CHECK)]
# The NAME of scale, update, upgrade and abort, which act on Azure agent pools only: a NodePool's
# nodepool.karpenter.sh/NAME is taken by the same callback and then refused with what to do instead
# (nodepool_arm._refuse_nodepool_type), not stripped to an agent pool's NAME.
ArmName = Annotated[
    str,
    typer.Argument(
        help="Node pool name; nodepool/NAME as -o name prints it also works.",
        show_default=False,
        callback=_POOL_CHECK,
        autocompletion=complete_arm.arm_pools,
    ),
]
# az's long names are accepted beside akscli's, one option each, so an `az aks nodepool add/update`
# line runs as it is (upstream: Azure/azure-cli 0088c878 src/azure-cli/azure/cli/command_modules/acs/
# _params.py: node_count '--node-count' (its -c is akscli's --cluster, not taken), min_count, max_count,
# '--enable-cluster-autoscaler', '--disable-cluster-autoscaler', and aks nodepool add's node_vm_size
# '--node-vm-size' (its -s is not taken); grammar.AZ_ALIASES lists them).
MinCount = Annotated[
    int | None, typer.Option("--min", "--min-count", metavar="MIN", help="Autoscaler minimum.", show_default=False)
]
MaxCount = Annotated[
    int | None, typer.Option("--max", "--max-count", metavar="MAX", help="Autoscaler maximum.", show_default=False)
]
# AKS's fully managed GPU stack, by az's name (upstream: MicrosoftDocs/azure-aks-docs fb060abe
# articles/aks/aks-managed-gpu-nodes.md: az aks nodepool add --enable-managed-gpu=true sets
# gpuProfile.nvidia.managementMode Managed); --enable-managed-gpu=false is AKS's default, the driver only.
ManagedGpu = Annotated[
    bool,
    typer.Option(
        "--enable-managed-gpu",
        help="AKS installs and runs the NVIDIA driver, device plugin and DCGM exporter (NVIDIA sizes; no autoscaler).",
    ),
]
EnableAutoscaler = Annotated[
    bool,
    typer.Option(
        "--enable-cluster-autoscaler",
        help="az's flag: needs --min and --max (which turn the autoscaler on without it).",
    ),
]
# AgentPoolUpgradeSettings beside maxSurge/maxUnavailable, by az's names (upstream: Azure/azure-cli
# src/azure-cli/azure/cli/command_modules/acs/_params.py, 'aks nodepool add/update/upgrade': drain_timeout,
# node_soak_duration, undrainable_node_behavior); ranges and values: akscli/azure/poolsettings.py; the two
# behaviours as azure-mgmt-containerservice 41.8.0 models.UndrainableNodeBehavior (2026-08-01) describes them.
DrainTimeout = Annotated[
    int | None,
    typer.Option(
        "--drain-timeout",
        metavar="MINUTES",
        help="Minutes to wait for a node's pods to be evicted during an upgrade, 1-1440 (AKS default 30).",
        show_default=False,
    ),
]
NodeSoakDuration = Annotated[
    int | None,
    typer.Option(
        "--node-soak-duration",
        metavar="MINUTES",
        help="Minutes to wait after draining a node before reimaging it, 0-30 (AKS default 0).",
        show_default=False,
    ),
]
UndrainableNodeBehavior = Annotated[
    str | None,
    typer.Option(
        "--undrainable-node-behavior",
        help="Cordon|Schedule: what an upgrade does with a node it cannot drain (Cordon: cordon it and keep a "
        "surge node in its place; Schedule: make it schedulable again, not upgraded).",
        show_default=False,
    ),
]
# A NodePool's spec.template.spec.terminationGracePeriod, in Karpenter's words (upstream: kubernetes-sigs/karpenter
# v1.14.0 pkg/apis/v1/nodepool.go NodeClaimTemplateSpec.TerminationGracePeriod; the pattern: akscli.nap.nodepool).
TerminationGracePeriod = Annotated[
    str | None,
    typer.Option(
        "--termination-grace-period",
        metavar="DURATION",
        help="--auto-provision: the longest a node's drain may take once it is deleted, e.g. 1h; then its pods are "
        "deleted even if PDBs or karpenter.sh/do-not-disrupt block them (default: no limit).",
        show_default=False,
    ),
]
MaxSurge = Annotated[
    str | None,
    typer.Option(
        "--max-surge",
        help="Extra nodes during a version upgrade: a count or a percentage of the pool (AKS default 10%); "
        "kept for later upgrades.",
        show_default=False,
    ),
]
MaxUnavailable = Annotated[
    str | None,
    typer.Option(
        "--max-unavailable",
        help="Nodes drained at once without a surge node (an in-place upgrade, User pools only; AKS default 0): "
        "a count or a percentage of the pool, with --max-surge 0 for no surge at all; kept for later upgrades.",
        show_default=False,
    ),
]


@dataclass(frozen=True)
class UpgradeFlags:
    """--max-surge, --max-unavailable, --drain-timeout, --node-soak-duration and
    --undrainable-node-behavior: the upgradeSettings that nodepool update changes and nodepool
    upgrade applies (akscli/azure/poolsettings.py checks them)."""

    max_surge: str | None = None
    max_unavailable: str | None = None
    drain_timeout: int | None = None
    node_soak_duration: int | None = None
    undrainable_node_behavior: str | None = None


# `@on_upgrade_flags` puts those five flags, in that order, in place of the command's
# `upgrade_flags: UpgradeFlags` parameter (as azopts.on_arm_write the write flags).
UPGRADE_OPTIONS: dict[str, Any] = {
    "max_surge": MaxSurge,
    "max_unavailable": MaxUnavailable,
    "drain_timeout": DrainTimeout,
    "node_soak_duration": NodeSoakDuration,
    "undrainable_node_behavior": UndrainableNodeBehavior,
}
on_upgrade_flags = opts.flag_block(UPGRADE_OPTIONS, "upgrade_flags", UpgradeFlags)


Taints = Annotated[
    list[str] | None,
    typer.Option(
        "--taint", "--node-taints", help="key[=value]:Effect (repeatable, or comma-separated).", show_default=False
    ),
]
Labels = Annotated[
    list[str] | None, typer.Option("--labels", help="key=value node labels (repeatable).", show_default=False)
]
Mode = Annotated[str | None, typer.Option("--mode", help="System|User.", show_default=False)]

COLUMNS = [
    Column("name", "name"),
    Column("mode", "mode"),
    Column("vm size", "vmSize"),
    Column("count", "count"),
    Column("autoscale", "autoscale"),
    Column("gpus", "gpus"),
    Column("version", "version"),
    Column("state", "provisioningState"),
    Column("power", "powerState"),
    Column("managed by", "managedBy"),  # kaito: KAITO's gpu-provisioner made it (nodepools.kaito_owner)
    Column("gpu model", "gpuModel", wide=True),
    Column("mig", "mig", wide=True),
    Column("gpu management", "gpuManagement", wide=True),
    Column("spot", "spot", wide=True),
    Column("os sku", "osSku", wide=True),
    Column("zones", "zones", wide=True),
    Column("taints", "taints", wide=True),
    Column("kaito owner", "kaitoOwner", wide=True),
]
