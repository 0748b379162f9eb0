"""akscli nodepool: AKS node pools (GPU pools, MIG, autoscaler, spot) through ARM."""

from typing import TYPE_CHECKING, Annotated

import typer

from akscli import errors, output
from akscli.azure import etags, kinds
from akscli.cli import abort as aborting
from akscli.cli import (
    azopts,
    completers,
    delete_many,
    flag_types,
    nodepool_arm,
    nodepool_nap,
    nodepool_update,
    nodepool_upgrade,
)
from akscli.cli import options as opts
from akscli.cli.azopts import AzureFlags, DryRun, NoWait, ResourceGroup, on_azure
from akscli.cli.diff_status import ExitCode, check_exit_code, with_exit_code
from akscli.cli.nodepool_arm import _ids, _resume, _show, _show_cmd
from akscli.cli.nodepool_flags import (
    COLUMNS,
    ArmName,
    AutoProvision,
    Cluster,
    DrainTimeout,
    EnableAutoscaler,
    Labels,
    ManagedGpu,
    MaxCount,
    MinCount,
    Name,
    NewName,
    NodeSoakDuration,
    OptCluster,
    Taints,
    TerminationGracePeriod,
    UndrainableNodeBehavior,
)

app = typer.Typer(
    name="nodepool",
    help="AKS node pools: GPU pools, MIG, autoscaler, taints, spot.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)


@app.command("add")
@with_exit_code
@on_azure
@flag_types.on_kube(into="kube")
def add(
    name: NewName,
    cluster: OptCluster = None,
    resource_group: ResourceGroup = None,
    auto_provision: AutoProvision = False,
    vm_size: Annotated[
        str | None,
        typer.Option(
            "--vm-size",
            "--node-vm-size",
            metavar="VM_SIZE",
            help="Azure VM size, e.g. Standard_D8ds_v5.",
            show_default=False,
            autocompletion=completers.vm_sizes,
        ),
    ] = None,
    gpu: Annotated[
        str | None,
        typer.Option(
            "--gpu",
            help="GPU shortcut: t4|a10|a100|h100|h200 (picks the VM size).",
            show_default=False,
            autocompletion=completers.gpu_shortcuts,
        ),
    ] = None,
    gpus_per_node: Annotated[
        int | None, typer.Option("--gpus-per-node", help="GPUs per node with --gpu (default 1).", show_default=False)
    ] = None,
    count: Annotated[
        int | None,
        typer.Option(
            "--count",
            "--node-count",
            metavar="COUNT",
            help="Nodes (default 1, or --min with the autoscaler).",
            show_default=False,
        ),
    ] = None,
    min_count: MinCount = None,
    max_count: MaxCount = None,
    enable_autoscaler: EnableAutoscaler = False,
    mode: Annotated[str, typer.Option("--mode", help="System|User.")] = "User",
    taints: Taints = None,
    no_gpu_taint: Annotated[
        bool, typer.Option("--no-gpu-taint", help="Do not add nvidia.com/gpu=present:NoSchedule to a GPU pool.")
    ] = False,
    labels: Labels = None,
    gpu_driver: Annotated[
        str | None,
        typer.Option("--gpu-driver", help="install|none (none: bring the GPU Operator).", show_default=False),
    ] = None,
    enable_managed_gpu: ManagedGpu = False,
    gpu_instance_profile: Annotated[
        str | None,
        typer.Option("--gpu-instance-profile", help="MIG profile: MIG1g|MIG2g|MIG3g|MIG4g|MIG7g.", show_default=False),
    ] = None,
    os_sku: Annotated[
        str | None,
        typer.Option(
            "--os-sku", help="AzureLinux|AzureContainerLinux|Ubuntu|Ubuntu2204|Ubuntu2404.", show_default=False
        ),
    ] = None,
    spot: Annotated[bool, typer.Option("--spot", help="Spot VMs (evicted when Azure needs them).")] = False,
    spot_max_price: Annotated[
        float | None,
        typer.Option(
            "--spot-max-price", help="USD/hour cap for --spot (-1: up to the on-demand price).", show_default=False
        ),
    ] = None,
    zones: Annotated[
        list[str] | None,
        typer.Option(
            "--zones",
            help="Availability zones 1,2,3 (repeatable); --auto-provision: also REGION-N (eastus-1) and 0 (regional).",
            show_default=False,
        ),
    ] = None,
    kubernetes_version: Annotated[
        str | None,
        typer.Option(
            "--kubernetes-version", "-k", help="Node pool version (default: the cluster's).", show_default=False
        ),
    ] = None,
    max_gpus: Annotated[
        int | None,
        typer.Option(
            "--max-gpus", help="--auto-provision: GPUs its nodes may have in all (spec.limits).", show_default=False
        ),
    ] = None,
    weight: Annotated[
        int | None,
        typer.Option("--weight", help="--auto-provision: priority over other NodePools, 1-100.", show_default=False),
    ] = None,
    consolidation_policy: Annotated[
        str | None,
        typer.Option(
            "--consolidation-policy",
            help="--auto-provision: WhenEmpty (default: a node with a model keeps it) or WhenEmptyOrUnderutilized.",
            show_default=False,
        ),
    ] = None,
    consolidate_after: Annotated[
        str | None,
        typer.Option(
            "--consolidate-after",
            help="--auto-provision: how long a node stays empty first (default 10m; Never).",
            show_default=False,
        ),
    ] = None,
    disruption_budget: Annotated[
        str | None,
        typer.Option(
            "--disruption-budget",
            help="--auto-provision: nodes disrupted at once, N or N% (default 10%).",
            show_default=False,
        ),
    ] = None,
    node_class: Annotated[
        str | None,
        typer.Option(
            "--node-class",
            help="--auto-provision: the AKSNodeClass its nodes use (default: default).",
            show_default=False,
        ),
    ] = None,
    os_disk_size: Annotated[
        int | None,
        typer.Option(
            "--os-disk-size",
            help="--auto-provision: OS disk GB, 30-2048 (an AKSNodeClass of its own; default 128).",
            show_default=False,
        ),
    ] = None,
    expire_after: Annotated[
        str | None,
        typer.Option(
            "--expire-after",
            help="--auto-provision: replace nodes this old, e.g. 720h (default Never).",
            show_default=False,
        ),
    ] = None,
    termination_grace_period: TerminationGracePeriod = None,
    drain_timeout: DrainTimeout = None,
    node_soak_duration: NodeSoakDuration = None,
    undrainable_node_behavior: UndrainableNodeBehavior = None,
    if_none_match: azopts.IfNoneMatch = None,
    yes: flag_types.Yes = False,
    dry_run: DryRun = "none",
    no_wait: NoWait = False,
    timeout: azopts.ArmPoolTimeout = None,
    output_: opts.ObjectOutput = "table",
    azure: AzureFlags = AzureFlags(),
    kube: opts.KubeFlags = opts.KubeFlags(),
    exit_code: ExitCode = False,
) -> None:
    """Add a node pool; --gpu h100 --gpus-per-node 8 picks the Azure GPU VM size.

    With --auto-provision: a node auto-provisioning (Karpenter) NodePool on the cluster of --context,
    which makes nodes of those sizes for pending pods that fit no node."""
    check_exit_code(exit_code, opts.dry_run_mode(dry_run))  # --auto-provision's plan: ARM has no server dry run
    # az's --node-taints takes "k1=v1:NoSchedule,k2=v2:NoExecute" (Azure/azure-cli acs/_validators.py
    # validate_nodepool_taints splits it on commas); a taint holds no comma, so each value is split.
    taints = [t for value in taints or [] for t in value.split(",") if t] or None
    if nodepool_nap.routed(
        auto_provision,
        cluster=cluster,
        resource_group=resource_group,
        azure=azure,
        kube=kube,
        count=count,
        mode=None if mode == "User" else mode,
        min_count=min_count,
        max_count=max_count,
        enable_autoscaler=enable_autoscaler,
        gpu_driver=gpu_driver,
        enable_managed_gpu=enable_managed_gpu,
        gpu_instance_profile=gpu_instance_profile,
        os_sku=os_sku,
        spot_max_price=spot_max_price,
        zones=None if auto_provision else zones,
        kubernetes_version=kubernetes_version,
        drain_timeout=drain_timeout,
        node_soak_duration=node_soak_duration,
        undrainable_node_behavior=undrainable_node_behavior,
        if_none_match=if_none_match,
        no_wait=no_wait,
        timeout=timeout,
        max_gpus=max_gpus,
        weight=weight,
        consolidation_policy=consolidation_policy,
        consolidate_after=consolidate_after,
        disruption_budget=disruption_budget,
        expire_after=expire_after,
        termination_grace_period=termination_grace_period,
        node_class=node_class,
        os_disk_size=os_disk_size,
    ):
        nodepool_nap.add(
            name=name,
            vm_size=vm_size,
            gpu=gpu,
            gpus_per_node=gpus_per_node,
            spot=spot,
            labels=labels,
            taints=taints,
            no_gpu_taint=no_gpu_taint,
            max_gpus=max_gpus,
            weight=weight,
            disruption={
                "consolidation_policy": consolidation_policy,
                "consolidate_after": consolidate_after,
                "disruption_budget": disruption_budget,
                "expire_after": expire_after,
                "termination_grace_period": termination_grace_period,
            },
            zones=zones or [],
            node_class=node_class,
            os_disk_size=os_disk_size,
            kube=kube,
            dry_run=dry_run,
            yes=yes,
            output_format=output_,
            exit_code=exit_code,
        )
        return
    nodepool_arm.pool_name(name)  # a bad typed NAME before the --cluster it lacks
    cluster = nodepool_nap.need_cluster(cluster)
    nodepool_arm.add(
        name=name,
        cluster=cluster,
        resource_group=resource_group,
        vm_size=vm_size,
        gpu=gpu,
        gpus_per_node=gpus_per_node,
        count=count,
        min_count=min_count,
        max_count=max_count,
        enable_autoscaler=enable_autoscaler,
        mode=mode,
        taints=taints,
        no_gpu_taint=no_gpu_taint,
        labels=labels,
        gpu_driver=gpu_driver,
        managed_gpu=enable_managed_gpu,
        gpu_instance_profile=gpu_instance_profile,
        os_sku=os_sku,
        spot=spot,
        spot_max_price=spot_max_price,
        zones=zones,
        kubernetes_version=kubernetes_version,
        upgrade_settings={
            "drain_timeout": drain_timeout,
            "node_soak_duration": node_soak_duration,
            "undrainable_node_behavior": undrainable_node_behavior,
        },
        if_none_match=if_none_match,
        dry_run=dry_run,
        no_wait=no_wait,
        timeout=timeout or azopts.ARM_TIMEOUT_DEFAULT,
        output_=output_,
        azure=azure,
    )


@app.command("list")
@on_azure
@flag_types.on_kube(into="kube")
def list_(
    cluster: OptCluster = None,
    resource_group: ResourceGroup = None,
    auto_provision: AutoProvision = False,
    selector: flag_types.Selector = None,
    output_: opts.Output = "table",
    azure: AzureFlags = AzureFlags(),
    kube: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """List the node pools of a cluster (--auto-provision: its NodePools; -l selects those)."""
    from akscli.azure import nodepools

    fmt = output.check_format(output_)
    if not auto_provision:
        opts.refuse_selector(
            selector, "a cluster's node pools in Azure", "drop -l, or add --auto-provision to list NodePools by label"
        )
    chosen = opts.label_selector(selector)
    if nodepool_nap.routed(auto_provision, cluster=cluster, resource_group=resource_group, azure=azure, kube=kube):
        nodepool_nap.list_pools(kube, fmt, chosen)
        return
    rg, cname, _ = _ids(resource_group, cluster)
    pools = nodepools.list_pools(azure.aks_client(), rg, cname)
    azopts.emit_resources(pools, fmt, COLUMNS, nodepools.summary, kind=kinds.NODEPOOL, empty="No resources found.")


@app.command("show")
@on_azure
@flag_types.on_kube(into="kube")
def show(
    name: Name,
    cluster: OptCluster = None,
    resource_group: ResourceGroup = None,
    auto_provision: AutoProvision = False,
    output_: opts.ObjectOutput = "table",
    azure: AzureFlags = AzureFlags(),
    kube: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Show one node pool (--auto-provision: a NodePool)."""
    from akscli.azure import nodepools

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    if nodepool_nap.routed(auto_provision, cluster=cluster, resource_group=resource_group, azure=azure, kube=kube):
        nodepool_nap.show(name, kube, fmt)
        return
    rg, cname, pname = _ids(resource_group, cluster, name)
    _show(nodepools.get_pool(azure.aks_client(), rg, cname, pname), fmt)


@app.command("scale")
@on_azure
def scale(
    name: ArmName,
    cluster: Cluster,
    resource_group: ResourceGroup = None,
    count: Annotated[
        int | None, typer.Option("--count", "--node-count", metavar="COUNT", help="Nodes.", show_default=False)
    ] = None,
    min_count: MinCount = None,
    max_count: MaxCount = None,
    enable_autoscaler: EnableAutoscaler = False,
    disable_autoscaler: Annotated[
        bool,
        typer.Option(
            "--disable-autoscaler", "--disable-cluster-autoscaler", help="Turn the autoscaler off (with --count)."
        ),
    ] = False,
    if_match: azopts.IfMatch = None,
    no_wait: NoWait = False,
    timeout: azopts.Timeout = azopts.ARM_TIMEOUT_DEFAULT,
    yes: flag_types.Yes = False,
    dry_run: DryRun = "none",
    output_: opts.ObjectOutput = "table",
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Scale a node pool to --count nodes, or set its autoscaler range."""
    from akscli.azure import nodepools, poolchecks
    from akscli.azure.clusters import as_dict

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    rg, cname, pname = _ids(resource_group, cluster, name)
    poolchecks.check_enable_autoscaler(enable_autoscaler, min_count, max_count)
    poolchecks.check_scale_flags(
        count=count, min_count=min_count, max_count=max_count, disable_autoscaler=disable_autoscaler
    )
    etag = etags.check_if_match(if_match, _show_cmd(rg, cname, pname))
    until = azopts.deadline(timeout)  # bounds the begin's retries too (armbound.bound_by)
    with azopts.dry_run_scope(dry_run, fmt):
        c = azure.aks_client()
        poller = nodepools.begin_scale(
            c,
            rg,
            cname,
            pname,
            count=count,
            min_count=min_count,
            max_count=max_count,
            disable_autoscaler=disable_autoscaler,
            if_match=etag,
            no_wait=no_wait,
        )
        what = f"scale node pool {pname}"
        result = azopts.finish(
            poller,
            what,
            fmt,
            no_wait=no_wait,
            resume=_resume(rg, cname, pname),
            target=azopts.audit_target(c, rg, cname, pname, command="nodepool scale"),
            deadline=until,
        )
        if result is not None:
            _show(as_dict(result), fmt)


app.command("upgrade")(nodepool_upgrade.upgrade)
app.command("abort")(aborting.pool_abort)
app.command("update")(nodepool_update.update)


if TYPE_CHECKING:
    PoolNames = list[str] | None
else:
    PoolNames = delete_many.names_argument(
        Name, note="Without --auto-provision one NAME: an ARM DELETE names one agent pool."
    )


@app.command("delete")
@on_azure
@flag_types.on_kube(into="kube")
@azopts.on_delete(azopts.PoolDeleteTimeout, None, selects=True)
def delete(
    names: PoolNames = None,
    cluster: OptCluster = None,
    resource_group: ResourceGroup = None,
    auto_provision: AutoProvision = False,
    selector: flag_types.Selector = None,
    all_: delete_many.AllNodePools = False,
    all_namespaces_ignored: delete_many.AllNamespacesIgnored = False,
    delete: opts.DeleteFlags = opts.DeleteFlags(),
    if_match: azopts.IfMatch = None,
    azure: AzureFlags = AzureFlags(),
    kube: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Delete a node pool (its nodes are drained and removed); --auto-provision: NodePools (NAME..., -l or --all)."""
    from akscli.azure import nodepools
    from akscli.cli import common

    yes, dry_run, no_wait, output_ = delete.yes, delete.dry_run, not delete.wait, delete.output
    timeout, ignore_not_found = delete.timeout, delete.ignore_not_found

    if nodepool_nap.routed(
        auto_provision,
        cluster=cluster,
        resource_group=resource_group,
        azure=azure,
        kube=kube,
        if_match=if_match,
        selector=selector,
        all_=all_,
        all_namespaces_ignored=all_namespaces_ignored,
    ):
        nodepool_nap.delete(names or [], (selector, all_), kube, delete, timeout or azopts.NAP_DELETE_TIMEOUT_DEFAULT)
        return
    rg, cname, pname = _ids(resource_group, cluster, nodepool_nap.one_pool(names or []))
    etag = etags.check_if_match(if_match, _show_cmd(rg, cname, pname))
    until = azopts.deadline(timeout or azopts.ARM_TIMEOUT_DEFAULT)
    with azopts.dry_run_scope(dry_run, output_ or "json") as dry:
        c = azure.aks_client()
        with errors.absent_is_done(ignore_not_found):
            nodepools.refuse_kaito_pool(nodepools.get_pool(c, rg, cname, pname), "delete")
            common.confirm(f"delete node pool {pname} of cluster {cname}", yes or dry)
            poller = nodepools.begin_delete(c, rg, cname, pname, if_match=etag, no_wait=no_wait)
            azopts.finish(
                poller,
                f"delete node pool {pname}",
                output_ or "table",
                no_wait=no_wait,
                resume=_resume(rg, cname),
                target=azopts.audit_target(c, rg, cname, pname, command="nodepool delete"),
                deadline=until,
            )
            if not no_wait or output_ == "name":  # kubectl delete --wait=false prints it too
                azopts.deleted(kinds.NODEPOOL, pname, output_)
