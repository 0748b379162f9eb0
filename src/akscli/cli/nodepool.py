"""akscli nodepool: AKS node pools (GPU pools, MIG, autoscaler, spot) through ARM."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from akscli import output
from akscli.cli import azopts
from akscli.cli.azopts import AzAuth, AzSubscription, AzTenant, ResourceGroup
from akscli.output import Column

app = typer.Typer(
    name="nodepool",
    help="AKS node pools: GPU pools, MIG, autoscaler, taints, spot.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)

Cluster = Annotated[str, typer.Option("--cluster", "-c", help="Cluster name.")]
Name = Annotated[str, typer.Option("-n", "--name", help="Node pool name.")]
Output = Annotated[str, typer.Option("-o", "--output", help="Output format: table|json|yaml.")]
ListOutput = Annotated[str, typer.Option("-o", "--output", help="Output format: table|wide|json|yaml|name.")]
NoWait = Annotated[bool, typer.Option("--no-wait", help="Return once Azure accepted the request.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the ARM request body and stop.")]
Yes = Annotated[bool, typer.Option("-y", "--yes", help="Do not ask for confirmation.")]

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
    Column("gpu model", "gpuModel", wide=True),
    Column("mig", "mig", wide=True),
    Column("spot", "spot", wide=True),
    Column("os sku", "osSku", wide=True),
    Column("zones", "zones", wide=True),
    Column("taints", "taints", wide=True),
]


def _target(subscription: str | None, auth: str | None, tenant: str | None) -> Any:
    from akscli.azure import clusters

    return clusters.client(azopts.azure_target(subscription, auth, tenant))


def _ids(resource_group: str | None, cluster: str, name: str | None = None) -> tuple[str, str, str]:
    from akscli.azure import names

    rg = azopts.resource_group(resource_group)
    return rg, names.cluster_name(cluster), names.nodepool_name(name) if name else ""


def _show(pool: dict[str, Any], fmt: str) -> None:
    from akscli.azure import nodepools

    if fmt in ("json", "yaml"):
        output.emit_object(pool, fmt)
    else:
        output.emit_object(pool, fmt, fields=list(nodepools.summary(pool).items()))


def _finish(poller: Any, what: str, fmt: str, no_wait: bool, resume: str) -> Any:
    from akscli.azure import arm

    if no_wait:
        info = {
            "operation": what,
            "status": str(poller.status()),
            "continuationToken": poller.continuation_token(),
            "resume": resume,
        }
        if fmt in ("json", "yaml"):
            output.emit_object(info, fmt)
        else:
            output.info(f"{what}: accepted by Azure; check with: {resume}")
        return None
    with output.status(f"{what}...") as update:
        return arm.wait_lro(poller, what, update)


@app.command("add")
def add(
    cluster: Cluster,
    name: Name,
    resource_group: ResourceGroup = None,
    vm_size: Annotated[
        str | None, typer.Option("--vm-size", help="Azure VM size, e.g. Standard_D8ds_v5.", show_default=False)
    ] = None,
    gpu: Annotated[
        str | None,
        typer.Option("--gpu", help="GPU shortcut: t4|a10|a100|h100|h200 (picks the VM size).", show_default=False),
    ] = None,
    gpus_per_node: Annotated[
        int | None, typer.Option("--gpus-per-node", help="GPUs per node with --gpu (default 1).", show_default=False)
    ] = None,
    count: Annotated[
        int | None, typer.Option("--count", help="Nodes (default 1, or --min with the autoscaler).", show_default=False)
    ] = None,
    min_count: Annotated[int | None, typer.Option("--min", help="Autoscaler minimum.", show_default=False)] = None,
    max_count: Annotated[int | None, typer.Option("--max", help="Autoscaler maximum.", show_default=False)] = None,
    mode: Annotated[str, typer.Option("--mode", help="System|User.")] = "User",
    taints: Annotated[
        list[str] | None, typer.Option("--taint", help="key[=value]:Effect (repeatable).", show_default=False)
    ] = None,
    no_gpu_taint: Annotated[
        bool, typer.Option("--no-gpu-taint", help="Do not add nvidia.com/gpu=present:NoSchedule to a GPU pool.")
    ] = False,
    labels: Annotated[
        list[str] | None, typer.Option("--labels", help="key=value node labels (repeatable).", show_default=False)
    ] = None,
    gpu_driver: Annotated[
        str | None,
        typer.Option("--gpu-driver", help="install|none (none: bring the GPU Operator).", show_default=False),
    ] = None,
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
        list[str] | None, typer.Option("--zones", help="Availability zones 1,2,3 (repeatable).", show_default=False)
    ] = None,
    kubernetes_version: Annotated[
        str | None,
        typer.Option(
            "--kubernetes-version", "-k", help="Node pool version (default: the cluster's).", show_default=False
        ),
    ] = None,
    dry_run: DryRun = False,
    no_wait: NoWait = False,
    output_: Output = "table",
    subscription: AzSubscription = None,
    auth: AzAuth = None,
    tenant: AzTenant = None,
) -> None:
    """Add a node pool; --gpu h100 --gpus-per-node 8 picks the Azure GPU VM size."""
    from akscli.azure import nodepools
    from akscli.errors import QuotaError

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    spec = nodepools.NodePoolSpec.from_flags(
        name=name,
        cluster=cluster,
        resource_group=azopts.resource_group(resource_group),
        vm_size=vm_size,
        gpu=gpu,
        gpus_per_node=gpus_per_node,
        count=count,
        min_count=min_count,
        max_count=max_count,
        mode=mode,
        taints=taints,
        no_gpu_taint=no_gpu_taint,
        labels=labels,
        gpu_driver=gpu_driver,
        gpu_instance_profile=gpu_instance_profile,
        os_sku=os_sku,
        spot=spot,
        spot_max_price=spot_max_price,
        zones=zones,
        kubernetes_version=kubernetes_version,
    )
    body = nodepools.build_body(spec)
    if dry_run:
        output.emit_object(body, fmt if fmt != "table" else "json")
        return
    c = _target(subscription, auth, tenant)
    if gpu:
        output.info(f"--gpu {gpu}: using VM size {spec.vm_size}")
    try:
        poller = nodepools.begin_add(c, spec, body)
    except QuotaError as exc:
        if "SkuNotAvailable" in exc.message:
            exc.hint = (
                nodepools.sku_not_available_hint(azopts.azure_target(subscription, auth, tenant), spec.vm_size)
                or exc.hint
            )
        raise
    result = _finish(
        poller,
        f"add node pool {spec.name}",
        fmt,
        no_wait,
        f"akscli nodepool show -g {spec.resource_group} -c {spec.cluster} -n {spec.name}",
    )
    if result is not None:
        from akscli.azure.clusters import as_dict

        _show(as_dict(result), fmt)


@app.command("list")
def list_(
    cluster: Cluster,
    resource_group: ResourceGroup = None,
    output_: ListOutput = "table",
    subscription: AzSubscription = None,
    auth: AzAuth = None,
    tenant: AzTenant = None,
) -> None:
    """List the node pools of a cluster."""
    from akscli.azure import nodepools

    fmt = output.check_format(output_)
    rg, cname, _ = _ids(resource_group, cluster)
    c = _target(subscription, auth, tenant)
    items = list(nodepools.list_pools(c, rg, cname))
    if fmt in ("json", "yaml"):
        output.emit(items, fmt, COLUMNS)
    else:
        output.emit(
            [nodepools.summary(i) for i in items],
            fmt,
            COLUMNS,
            name=lambda s: f"nodepool/{s['name']}",
            empty="No node pools found.",
        )


@app.command("show")
def show(
    cluster: Cluster,
    name: Name,
    resource_group: ResourceGroup = None,
    output_: Output = "table",
    subscription: AzSubscription = None,
    auth: AzAuth = None,
    tenant: AzTenant = None,
) -> None:
    """Show one node pool."""
    from akscli.azure import nodepools

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    rg, cname, pname = _ids(resource_group, cluster, name)
    c = _target(subscription, auth, tenant)
    _show(nodepools.get_pool(c, rg, cname, pname), fmt)


@app.command("scale")
def scale(
    cluster: Cluster,
    name: Name,
    resource_group: ResourceGroup = None,
    count: Annotated[int | None, typer.Option("--count", help="Nodes.", show_default=False)] = None,
    min_count: Annotated[int | None, typer.Option("--min", help="Autoscaler minimum.", show_default=False)] = None,
    max_count: Annotated[int | None, typer.Option("--max", help="Autoscaler maximum.", show_default=False)] = None,
    disable_autoscaler: Annotated[
        bool, typer.Option("--disable-autoscaler", help="Turn the autoscaler off (with --count).")
    ] = False,
    no_wait: NoWait = False,
    output_: Output = "table",
    subscription: AzSubscription = None,
    auth: AzAuth = None,
    tenant: AzTenant = None,
) -> None:
    """Scale a node pool to --count nodes, or set its autoscaler range."""
    from akscli.azure import nodepools
    from akscli.azure.clusters import as_dict

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    rg, cname, pname = _ids(resource_group, cluster, name)
    c = _target(subscription, auth, tenant)
    poller = nodepools.begin_scale(
        c,
        rg,
        cname,
        pname,
        count=count,
        min_count=min_count,
        max_count=max_count,
        disable_autoscaler=disable_autoscaler,
    )
    result = _finish(
        poller, f"scale node pool {pname}", fmt, no_wait, f"akscli nodepool show -g {rg} -c {cname} -n {pname}"
    )
    if result is not None:
        _show(as_dict(result), fmt)


@app.command("upgrade")
def upgrade(
    cluster: Cluster,
    name: Name,
    resource_group: ResourceGroup = None,
    kubernetes_version: Annotated[
        str | None,
        typer.Option(
            "--kubernetes-version",
            "-k",
            help="Target version; leave out to list what is available.",
            show_default=False,
        ),
    ] = None,
    node_image_only: Annotated[bool, typer.Option("--node-image-only", help="Upgrade only the node image.")] = False,
    yes: Yes = False,
    no_wait: NoWait = False,
    output_: Output = "table",
    subscription: AzSubscription = None,
    auth: AzAuth = None,
    tenant: AzTenant = None,
) -> None:
    """List available upgrades, or upgrade a node pool's version or node image."""
    from akscli.azure import nodepools
    from akscli.azure.clusters import as_dict
    from akscli.cli import common
    from akscli.errors import UsageError

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    rg, cname, pname = _ids(resource_group, cluster, name)
    if node_image_only and kubernetes_version:
        raise UsageError(
            "--node-image-only and --kubernetes-version exclude each other", hint="run them one after the other"
        )
    c = _target(subscription, auth, tenant)
    if node_image_only:
        common.confirm(f"upgrade the node image of pool {pname}", yes)
        poller = nodepools.begin_node_image_upgrade(c, rg, cname, pname)
    elif kubernetes_version:
        common.confirm(f"upgrade node pool {pname} to {kubernetes_version}", yes)
        poller = nodepools.begin_upgrade(c, rg, cname, pname, kubernetes_version)
    else:
        profile = nodepools.upgrade_profile(c, rg, cname, pname)
        props = profile.get("properties") or {}
        upgrades = nodepools.available_versions(profile)
        info = {
            "name": pname,
            "currentVersion": props.get("kubernetesVersion"),
            "availableUpgrades": upgrades,
            "latestNodeImageVersion": props.get("latestNodeImageVersion"),
        }
        if fmt in ("json", "yaml"):
            output.emit_object(info, fmt)
        else:
            output.emit_object(
                info,
                fmt,
                fields=[
                    ("name", pname),
                    ("current version", info["currentVersion"]),
                    ("available upgrades", ", ".join(upgrades) or "none"),
                    ("latest node image", info["latestNodeImageVersion"]),
                ],
            )
        return
    _finish(poller, f"upgrade node pool {pname}", fmt, no_wait, f"akscli nodepool show -g {rg} -c {cname} -n {pname}")
    if not no_wait:
        _show(as_dict(nodepools.get_pool(c, rg, cname, pname)), fmt)


@app.command("delete")
def delete(
    cluster: Cluster,
    name: Name,
    resource_group: ResourceGroup = None,
    yes: Yes = False,
    no_wait: NoWait = False,
    output_: Output = "table",
    subscription: AzSubscription = None,
    auth: AzAuth = None,
    tenant: AzTenant = None,
) -> None:
    """Delete a node pool (its nodes are drained and removed)."""
    from akscli.azure import nodepools
    from akscli.cli import common

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    rg, cname, pname = _ids(resource_group, cluster, name)
    c = _target(subscription, auth, tenant)
    nodepools.get_pool(c, rg, cname, pname)
    common.confirm(f"delete node pool {pname} of cluster {cname}", yes)
    poller = nodepools.begin_delete(c, rg, cname, pname)
    _finish(poller, f"delete node pool {pname}", fmt, no_wait, f"akscli nodepool list -g {rg} -c {cname}")
    if not no_wait:
        output.info(f"node pool {pname} deleted")
