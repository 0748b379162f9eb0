"""akscli cluster: AKS managed clusters through Azure Resource Manager."""

from typing import Annotated, Any

import typer

from akscli import errors, output
from akscli.azure import etags, kinds
from akscli.cli import azopts, cluster_update, flag_types
from akscli.cli import options as opts
from akscli.cli.azopts import ArmWrite, AzureFlags, DryRun, ResourceGroup, on_arm_write, on_azure
from akscli.cli.cluster_common import (
    KAITO,
    LOCAL_ACCOUNTS,
    NODE_PROVISIONING,
    TAGS,
    TIER,
    Name,
    NewName,
    _ids,
    _resume,
    _show,
    _show_cmd,
)
from akscli.output import Column

app = typer.Typer(
    name="cluster",
    help="AKS clusters through Azure Resource Manager (create, list, upgrade, credentials).",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)

COLUMNS = [
    Column("name", "name"),
    Column("resource group", "resourceGroup"),
    Column("location", "location"),
    Column("version", "version"),
    Column("sku", "sku"),
    Column("state", "provisioningState"),
    Column("power", "powerState"),
    Column("pools", "nodePools"),
    Column("nodes", "nodes"),
    Column("gpus", "gpus"),
    Column("kaito", "kaito", wide=True),
    Column("node provisioning", "nodeProvisioning", wide=True),
    Column("fqdn", "fqdn", wide=True),
]


@app.command("create")
@on_azure
@on_arm_write
def create(
    name: NewName,
    resource_group: ResourceGroup = None,
    location: Annotated[str, typer.Option("-l", "--location", help="Azure region.")] = "eastus",
    sku: Annotated[str, typer.Option(help="automatic|base.")] = "automatic",
    tier: Annotated[str | None, TIER] = None,
    kubernetes_version: Annotated[
        str | None,
        typer.Option(
            "--kubernetes-version", "-k", help="e.g. 1.33 (default: the region's default).", show_default=False
        ),
    ] = None,
    enable_kaito: Annotated[bool, KAITO] = False,
    node_provisioning: Annotated[str | None, NODE_PROVISIONING] = None,
    os_sku: Annotated[
        str | None,
        typer.Option(
            "--os-sku",
            help="AzureLinux|AzureContainerLinux|Ubuntu|Ubuntu2204|Ubuntu2404.",
            show_default=False,
        ),
    ] = None,
    hosted_system: Annotated[
        bool,
        typer.Option("--hosted-system", help="Managed system node pools (AKS Automatic always has them; az's flag)."),
    ] = False,
    system_count: Annotated[
        int | None,
        # az aks create's --node-count is this count (its first pool is the system pool; upstream:
        # Azure/azure-cli 0088c878 src/azure-cli/azure/cli/command_modules/acs/_params.py, node_count)
        typer.Option(
            "--system-count",
            "--node-count",
            metavar="SYSTEM_COUNT",
            help="Nodes in the system pool (--sku base; default 3).",
            show_default=False,
        ),
    ] = None,
    system_vm_size: Annotated[
        str | None,
        # az aks create's --node-vm-size is this size, as --node-count is the count above (upstream:
        # Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/_params.py, aks create node_vm_size)
        typer.Option(
            "--system-vm-size",
            "--node-vm-size",
            metavar="SYSTEM_VM_SIZE",
            help="VM size of the system pool (--sku base; default Standard_D4ds_v5).",
            show_default=False,
        ),
    ] = None,
    azure_rbac: Annotated[
        bool, typer.Option("--azure-rbac/--no-azure-rbac", help="Entra ID with Azure RBAC for Kubernetes.")
    ] = True,
    local_accounts: Annotated[bool, LOCAL_ACCOUNTS] = False,
    tags: Annotated[list[str] | None, TAGS] = None,
    zones: Annotated[
        list[str] | None,
        typer.Option("--zones", help="Availability zones of the system pool (--sku base; 1,2,3).", show_default=False),
    ] = None,
    if_none_match: azopts.IfNoneMatch = None,
    write: ArmWrite = ArmWrite(),
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Create an AKS cluster (Automatic by default, Entra ID + Azure RBAC on)."""
    from akscli.azure import armerrors, clusters

    fmt = output.check_format(write.output_, output.OBJECT_FORMATS)
    etags.check_if_none_match(if_none_match)
    spec = clusters.ClusterSpec.from_flags(
        name=name,
        resource_group=azopts.resource_group(resource_group),
        location=location,
        sku=sku,
        tier=tier,
        kubernetes_version=kubernetes_version,
        enable_kaito=enable_kaito,
        node_provisioning=node_provisioning,
        os_sku=os_sku,
        hosted_system=hosted_system,
        system_count=system_count,
        system_vm_size=system_vm_size,
        enable_azure_rbac=azure_rbac,
        disable_local_accounts=not local_accounts,
        tags=tags,
        zones=zones,
    )
    body = clusters.build_create_body(spec)
    # --dry-run contacts nothing: the SDK builds the PUT (URL, api-version, body) and it is printed;
    # the checks before a real create (quota, an existing cluster) are reads it leaves out.
    with azopts.dry_run_scope(write.dry_run, fmt, offline=True) as dry:
        c = azure.aks_client()
        if dry:
            clusters.send_create(c, spec, body)
        try:
            poller = clusters.begin_create(c, spec, body, target=azure.target(), no_wait=write.no_wait)
        except errors.NotFoundError as exc:
            armerrors.in_location(exc, spec.location)  # the hint's `az group create` in --location
            raise
        result = write.finish(
            poller,
            f"create cluster {spec.name}",
            fmt,
            resume=_resume(spec.resource_group, spec.name),
            target=azopts.audit_target(c, spec.resource_group, spec.name, command="cluster create"),
        )
        if result is not None:
            _show(clusters.as_dict(result), fmt)


@app.command("list")
@opts.lists_no_kubernetes_objects
@on_azure
def list_(
    resource_group: ResourceGroup = None,
    output_: opts.Output = "table",
    azure: AzureFlags = AzureFlags(),
) -> None:
    """List clusters of the subscription, or of one resource group."""
    from akscli.azure import clusters, names

    fmt = output.check_format(output_)
    rg = names.resource_group(resource_group) if resource_group else None
    c = azure.aks_client()
    azopts.emit_resources(
        clusters.list_clusters(c, rg), fmt, COLUMNS, clusters.summary, kind=kinds.CLUSTER, empty="No resources found."
    )


@app.command("show")
@on_azure
def show(
    name: Name,
    resource_group: ResourceGroup = None,
    output_: opts.ObjectOutput = "table",
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Show one cluster."""
    from akscli.azure import clusters

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    rg, cname = _ids(resource_group, name)
    _show(clusters.get(azure.aks_client(), rg, cname), fmt)


@app.command("upgrade")
@on_azure
@on_arm_write
def upgrade(
    name: Name,
    resource_group: ResourceGroup = None,
    kubernetes_version: azopts.UpgradeVersion = None,
    list_only: azopts.UpgradeList = False,
    control_plane_only: Annotated[
        bool, typer.Option("--control-plane-only", help="Upgrade only the control plane.")
    ] = False,
    node_image_only: Annotated[
        bool, typer.Option("--node-image-only", help="Upgrade only the node images of every pool.")
    ] = False,
    if_match: azopts.IfMatch = None,
    write: ArmWrite = ArmWrite(),
    azure: AzureFlags = AzureFlags(),
) -> None:
    """List available upgrades, or upgrade the control plane and node pools."""
    from akscli.azure import arm, clusters, upgrades
    from akscli.cli import common

    fmt = output.check_format(write.output_, output.OBJECT_FORMATS)
    rg, cname = _ids(resource_group, name)
    version = upgrades.check_upgrade_flags(
        kubernetes_version, control_plane_only=control_plane_only, node_image_only=node_image_only, list_only=list_only
    )
    etag = etags.check_upgrade_if_match(
        if_match, _show_cmd(rg, cname), version=version, node_image_only=node_image_only
    )
    deadline = azopts.deadline(write.timeout)
    with azopts.dry_run_scope(write.dry_run, fmt) as dry:
        c = azure.aks_client()
        if node_image_only:
            # Reads before the question: a missing cluster is "not found", not a prompt first
            # (kubectl delete --interactive lists what it found before it asks).
            pools = upgrades.pool_names(c, rg, cname)
            common.confirm(f"upgrade the node images of every pool of {cname}", write.yes or dry)
            begun = upgrades.begin_node_image_upgrades(c, rg, cname, pools, no_wait=write.no_wait)
            try:
                for pool, poller in begun:
                    write.finish(
                        poller,
                        f"node image upgrade of {pool}",
                        fmt,
                        resume=_resume(rg, cname),
                        target=azopts.audit_target(c, rg, cname, pool, command="cluster upgrade"),
                        until=deadline,
                    )
            finally:  # a wait cut short leaves no other pool's poller polling on (arm.stop_polling)
                for _pool, poller in begun:
                    arm.stop_polling(poller)
            if not write.no_wait:
                _show(clusters.get(c, rg, cname), fmt)
            return
        if version is None:
            info, behind = upgrades.upgrade_info(c, rg, cname)
            azopts.emit_upgrades(info, fmt, kind=kinds.CLUSTER)
            if behind:
                output.info(
                    f"node pools behind the control plane: {', '.join(behind)}; bring them up to it with: "
                    f"akscli cluster upgrade {cname} -g {rg} -k {info['currentVersion']}"
                )
            return
        scope = "the control plane" if control_plane_only else "the control plane and all node pools"
        try:
            body = upgrades.upgrade_body(c, rg, cname, version, control_plane_only=control_plane_only)
        except errors.AlreadyAtVersion as there:
            output.info(f"{there.message}. {there.hint}")
            if not dry:
                _show(clusters.get(c, rg, cname), fmt)
            return
        props = body["properties"]
        resend = errors.resend_of(
            f"cluster {cname}", props, "currentKubernetesVersion", "kubernetesVersion", "az aks upgrade"
        )
        if resend:
            output.info(resend)
        common.confirm(f"upgrade {scope} of {cname} to {version}", write.yes or dry)
        poller = upgrades.send_upgrade(c, rg, cname, body, if_match=etag, no_wait=write.no_wait)
        result = write.finish(
            poller,
            f"upgrade cluster {cname} to {version}",
            fmt,
            resume=_resume(rg, cname),
            target=azopts.audit_target(c, rg, cname, command="cluster upgrade"),
            until=deadline,
        )
        if result is not None:
            _show(clusters.as_dict(result), fmt)


def _power(action: str, name: str, resource_group: str | None, write: ArmWrite, azure: AzureFlags) -> None:
    from akscli.azure import clusters

    fmt = output.check_format(write.output_, output.OBJECT_FORMATS)
    rg, cname = _ids(resource_group, name)
    # Starting reads nothing first, so its dry run contacts nothing; stopping reads the cluster.
    with azopts.dry_run_scope(write.dry_run, fmt, offline=action == "start"):
        c = azure.aks_client()
        begin = clusters.begin_start if action == "start" else clusters.begin_stop
        poller = begin(c, rg, cname, no_wait=write.no_wait)
        write.finish(
            poller,
            f"{action} cluster {cname}",
            fmt,
            resume=_resume(rg, cname),
            target=azopts.audit_target(c, rg, cname, command=f"cluster {action}"),
        )
        if not write.no_wait:
            _show(clusters.get(c, rg, cname), fmt)


def _power_command(action: str, doc: str) -> Any:
    """`cluster start` and `cluster stop`: one signature, one body (_power)."""

    def command(
        name: Name, resource_group: ResourceGroup = None, write: ArmWrite = ArmWrite(), azure: AzureFlags = AzureFlags()
    ) -> None:
        _power(action, name, resource_group, write, azure)

    command.__name__ = command.__qualname__ = action
    command.__doc__ = doc
    return app.command(action)(on_azure(on_arm_write(command)))


start = _power_command("start", "Start a stopped cluster.")
stop = _power_command("stop", "Stop a cluster (its nodes are deallocated; the configuration is kept).")


@app.command("abort")
@on_azure
@on_arm_write
def abort(
    name: Name, resource_group: ResourceGroup = None, write: ArmWrite = ArmWrite(), azure: AzureFlags = AzureFlags()
) -> None:
    """Abort the operation running on a cluster (az aks operation-abort): Canceling, then Canceled."""
    from akscli.cli import abort as aborting

    rg, cname = _ids(resource_group, name)
    aborting.run(rg=rg, cluster=cname, pool=None, write=write, azure=azure)


@app.command("delete")
@on_azure
@azopts.on_delete(azopts.Timeout, azopts.ARM_TIMEOUT_DEFAULT)
def delete(
    name: Name,
    resource_group: ResourceGroup = None,
    delete: opts.DeleteFlags = opts.DeleteFlags(),
    if_match: azopts.IfMatch = None,
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Delete a cluster and everything in it."""
    from akscli.azure import clusters
    from akscli.cli import common

    yes, dry_run, no_wait, output_ = delete.yes, delete.dry_run, not delete.wait, delete.output
    timeout, ignore_not_found = delete.timeout or azopts.ARM_TIMEOUT_DEFAULT, delete.ignore_not_found
    rg, cname = _ids(resource_group, name)
    etag = etags.check_if_match(if_match, _show_cmd(rg, cname))
    until = azopts.deadline(timeout)  # bounds the begin's retries too (armbound.bound_by)
    with azopts.dry_run_scope(dry_run, output_ or "json") as dry:
        c = azure.aks_client()
        with errors.absent_is_done(ignore_not_found):
            clusters.get(c, rg, cname)
            common.confirm(f"delete cluster {cname} in resource group {rg} and all its workloads", yes or dry)
            poller = clusters.begin_delete(c, rg, cname, if_match=etag, no_wait=no_wait)
            azopts.finish(
                poller,
                f"delete cluster {cname}",
                output_ or "table",
                no_wait=no_wait,
                resume=_resume(rg, cname, deleted=True),
                target=azopts.audit_target(c, rg, cname, command="cluster delete"),
                deadline=until,
            )
            if not no_wait or output_ == "name":  # kubectl delete --wait=false prints it too
                azopts.deleted(kinds.CLUSTER, cname, output_)


@app.command("wait")
@on_azure
def wait(
    name: Name,
    resource_group: ResourceGroup = None,
    deleted: Annotated[bool, typer.Option("--deleted", help="Wait until it is gone.")] = False,
    timeout: Annotated[str, typer.Option("--timeout", help="e.g. 30m.")] = "60m",
    interval: Annotated[str, typer.Option("--interval", help="Seconds between checks.")] = "10s",
    output_: opts.ObjectOutput = "table",
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Wait until a cluster's operation finishes (after --no-wait)."""
    from akscli import validate
    from akscli.azure import clusters

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    rg, cname = _ids(resource_group, name)
    limit = validate.duration(timeout, "--timeout")
    every = validate.duration(interval, "--interval")
    c = azure.aks_client()
    result = clusters.wait_for(c, rg, cname, deleted=deleted, timeout=limit, interval=every, progress=output.progress)
    if result is None:
        output.info(f"cluster {cname} is deleted")
    else:
        _show(result, fmt)


@app.command("credentials")
@on_azure
def credentials(
    name: Name,
    resource_group: ResourceGroup = None,
    file: azopts.KubeconfigFile = None,
    overwrite_existing: azopts.OverwriteExisting = False,
    yes: flag_types.Yes = False,
    dry_run: DryRun = "none",
    login: azopts.ExecLogin = None,
    client_id: azopts.ClientId = None,
    identity_resource_id: azopts.IdentityResourceId = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="Static admin credentials (only where local accounts are on).")
    ] = False,
    output_: opts.ObjectOutput = "table",
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Merge the cluster's kubeconfig (signing in through 'akscli token') into a kubeconfig."""
    from akscli.azure import clustercreds
    from akscli.cli import credentials_common

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    rg, cname = _ids(resource_group, name)
    user = credentials_common.exec_user(
        login, azure=azure, admin=admin, client_id=client_id, identity_resource_id=identity_resource_id
    )
    c = azure.aks_client()
    raw = user.rewrite(clustercreds.user_kubeconfig(c, rg, cname, admin=admin))
    merged = credentials_common.merge_credentials(raw, file, overwrite_existing=overwrite_existing, dry_run=dry_run)
    credentials_common.report_merge(merged, cname, fmt)
    user.warn_not_on_path(raw)


app.command("update")(cluster_update.update)
