"""akscli baremetal cluster: AKS on bare metal (preview), create/list/show/upgrade/credentials/delete.

Thin: parse and validate flags, call ``akscli.baremetal.provision`` and ``akscli.baremetal.clusters``,
print through ``akscli.output``.
"""

from typing import TYPE_CHECKING, Annotated

import typer

from akscli import errors, output
from akscli.azure import kinds
from akscli.cli import azopts, complete_arm, flag_types
from akscli.cli import options as opts
from akscli.errors import UsageError

if TYPE_CHECKING:
    from akscli.baremetal.clusters import BareMetal, ClusterRef

cluster_app = typer.Typer(
    help="AKS on bare metal (preview): one single-node cluster per edge machine.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)
NewClusterName = Annotated[str, typer.Argument(help="Cluster name.")]
# A cluster that exists also takes baremetalcluster/NAME, the line -o name prints (options.type_name).
ClusterName = Annotated[
    str,
    typer.Argument(
        help="Cluster name; baremetalcluster/NAME as -o name prints it also works.",
        callback=opts.type_name("baremetalcluster", "bare-metal cluster name", "akscli baremetal cluster list"),
        autocompletion=complete_arm.baremetal_clusters,
    ),
]
# -o name: baremetalcluster/NAME, for the list and for one cluster (create, show, upgrade).
CLUSTER_NAME = output.named(kinds.BAREMETAL_CLUSTER)

CLUSTER_COLUMNS = [
    output.Column("NAME", "name"),
    output.Column("RESOURCE GROUP", "resourceGroup"),
    output.Column("LOCATION", "location"),
    output.Column("MACHINE", "machine"),
    output.Column("VERSION", "kubernetesVersion"),
    output.Column("STATE", "provisioningState"),
    output.Column("CONNECTIVITY", "connectivityStatus", wide=True),
    output.Column("ID", "id", wide=True),
]


# ---- cluster (AKS on bare metal, preview) ----------------------------------------------------


def _baremetal(
    azure: azopts.AzureFlags, resource_group: str | None, name: str | None = None, timeout: str | None = None
) -> "BareMetal":
    """The ARM client, once -g and the cluster name are checked (before the Azure SDK is loaded);
    with ``timeout`` (--timeout), the deadline of its waits, which name the show command to follow
    an operation akscli stops waiting for."""
    from akscli.baremetal.clusters import BareMetal, check_name, check_resource_group

    if name is not None:
        check_name(name)
    if name is not None or resource_group:
        check_resource_group(resource_group)
    bm = BareMetal(azure.target())
    if timeout is not None and name is not None:
        bm.deadline = azopts.deadline(timeout)
        bm.follow = f"akscli baremetal cluster show {name} -g {resource_group}"
    return bm


@cluster_app.command("create")
@azopts.on_azure
def cluster_create(
    name: NewClusterName,
    edge_machine: Annotated[
        str, typer.Option("--edge-machine", help="The edge machine (Microsoft.AzureStackHCI/edgeMachines) to run on.")
    ],
    ssh_key: Annotated[
        str, typer.Option("--ssh-key", help="OpenSSH public key file for node access (the AKS Arc operator needs one).")
    ],
    admin_group: Annotated[
        list[str],
        typer.Option("--admin-group", help="Entra group object ID of cluster admins (repeatable).", show_default=False),
    ],
    resource_group: azopts.ResourceGroup = None,
    location: Annotated[str, typer.Option("-l", "--location", help="Region (preview: eastus only).")] = "eastus",
    kubernetes_version: Annotated[
        str | None,
        typer.Option("--kubernetes-version", "-k", show_default=False, help="Kubernetes version (default: Azure's)."),
    ] = None,
    control_plane_ip: Annotated[
        str | None,
        typer.Option("--control-plane-ip", show_default=False, help="Static IP of the API server (default: assigned)."),
    ] = None,
    device_pool: Annotated[
        str | None,
        typer.Option("--device-pool", show_default=False, help="Device pool name (default: the edge machine's)."),
    ] = None,
    custom_location: Annotated[
        str | None,
        typer.Option("--custom-location", show_default=False, help="Custom location (default: the edge machine's)."),
    ] = None,
    azure_rbac: Annotated[
        bool, typer.Option("--azure-rbac/--no-azure-rbac", help="Entra ID with Azure RBAC for Kubernetes.")
    ] = True,
    azure_policy: Annotated[
        bool, typer.Option("--azure-policy/--no-azure-policy", help="Install the Azure Policy extension.")
    ] = True,
    log_analytics_workspace: Annotated[
        str | None,
        typer.Option(
            "--log-analytics-workspace",
            show_default=False,
            help="Workspace resource ID: installs the Container Monitoring extension.",
        ),
    ] = None,
    yes: flag_types.Yes = False,
    dry_run: azopts.DryRun = "none",
    timeout: azopts.Timeout = azopts.ARM_TIMEOUT_DEFAULT,
    azure: azopts.AzureFlags = azopts.AzureFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Create AKS on a bare-metal edge machine, as Microsoft's ARM template does it.

    Device pool, its two role assignments, logical network, connected cluster, the cluster
    instance and its extensions, in that order; each is waited for, and a re-run resumes at the
    first one missing. --dry-run prints every request and its body, in order, and sends nothing.
    """
    from akscli.baremetal import provision
    from akscli.cli import common
    from akscli.errors import UsageError

    fmt = output.check_format(output_format, output.OBJECT_FORMATS)
    spec = provision.check(
        provision.CreateSpec(
            name=name,
            resource_group=resource_group or "",
            edge_machine=edge_machine,
            ssh_key_file=ssh_key,
            admin_groups=admin_group,
            location=location,
            kubernetes_version=kubernetes_version,
            control_plane_ip=control_plane_ip,
            device_pool=device_pool,
            custom_location=custom_location,
            azure_rbac=azure_rbac,
            azure_policy=azure_policy,
            log_analytics_workspace=log_analytics_workspace,
        )
    )
    if azopts.arm_dry_run(dry_run):
        try:
            subscription = azure.target().subscription
        except UsageError:
            subscription = "{subscriptionId}"  # offline: no subscription chosen yet
        azopts.print_request(provision.plan(spec, str(subscription)), fmt)
        return
    bm = _baremetal(azure, spec.resource_group, name, timeout)
    ref = bm.ref(spec.resource_group, name)
    with (
        common.audited(
            "baremetal cluster create", _audit_target(ref), resource=f"connectedCluster/{name}", follow=bm.follow
        ),
        output.status(f"creating bare-metal cluster {name}") as update,
    ):
        for line in provision.create(bm, spec, progress=update):
            output.info(line)
    output.emit_object(bm.show(ref), fmt, name=CLUSTER_NAME)


@cluster_app.command("list")
@opts.lists_no_kubernetes_objects
@azopts.on_azure
def cluster_list(
    resource_group: azopts.ResourceGroup = None,
    azure: azopts.AzureFlags = azopts.AzureFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List bare-metal clusters (in a resource group, or the whole subscription)."""
    fmt = output.check_format(output_format)
    bm = _baremetal(azure, resource_group)
    output.emit(
        bm.list_clusters(resource_group),
        fmt,
        CLUSTER_COLUMNS,
        name=CLUSTER_NAME,
        empty="No resources found.",
    )


@cluster_app.command("show")
@azopts.on_azure
def cluster_show(
    name: ClusterName,
    resource_group: azopts.ResourceGroup = None,
    azure: azopts.AzureFlags = azopts.AzureFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Show one bare-metal cluster."""
    fmt = output.check_format(output_format, output.OBJECT_FORMATS)
    bm = _baremetal(azure, resource_group, name)
    output.emit_object(bm.show(bm.ref(resource_group, name)), fmt, name=CLUSTER_NAME)


@cluster_app.command("upgrade")
@azopts.on_azure
def cluster_upgrade(
    name: ClusterName,
    kubernetes_version: Annotated[
        str | None, typer.Option("--kubernetes-version", "-k", help="Target patch version.", show_default=False)
    ] = None,
    list_only: Annotated[bool, typer.Option("--list", help="List the available patch upgrades.")] = False,
    resource_group: azopts.ResourceGroup = None,
    yes: flag_types.Yes = False,
    dry_run: azopts.DryRun = "none",
    timeout: azopts.Timeout = azopts.ARM_TIMEOUT_DEFAULT,
    azure: azopts.AzureFlags = azopts.AzureFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Upgrade to a newer patch version (the preview supports patch upgrades only).

    --dry-run prints the PUT and its body; it reads the cluster (the body is its instance as
    Azure has it, with the new version), as 'cluster upgrade --dry-run' does.
    """
    from akscli.azure import upgrades
    from akscli.baremetal import clusters
    from akscli.cli import common

    fmt = output.check_format(output_format, output.OBJECT_FORMATS)
    dry = azopts.arm_dry_run(dry_run)
    # --list with -k is refused, as for 'akscli cluster upgrade' and 'nodepool upgrade'.
    upgrades.check_list_flags(list_only, version=kubernetes_version, node_image_only=False, control_plane_only=False)
    clusters.check_name(name)  # a bad typed NAME before the --kubernetes-version it lacks
    if not list_only and not kubernetes_version:
        raise UsageError(
            "give --kubernetes-version, or --list to see the available patch upgrades",
            hint=clusters.list_upgrades_command(name, resource_group),
        )
    if kubernetes_version:
        clusters.version_tuple(kubernetes_version)
    bm = _baremetal(azure, resource_group, name, timeout)
    ref = bm.ref(resource_group, name)
    if list_only:
        # The shape and the table of AKS's 'cluster upgrade --list' (azopts.emit_upgrades).
        azopts.emit_upgrades(bm.upgrade_info(ref), fmt, kind=kinds.BAREMETAL_CLUSTER)
        return
    assert kubernetes_version is not None
    try:
        current, state = bm.check_upgrade(ref, kubernetes_version)
    except errors.AlreadyAtVersion as there:
        # Exit 0 and nothing sent, as 'akscli cluster upgrade' to the version an AKS cluster runs.
        output.info(f"{there.message}. {there.hint}")
        if not dry:
            output.emit_object(bm.show(ref), fmt, name=CLUSTER_NAME)
        return
    if clusters.version_tuple(current, "current version") == clusters.version_tuple(kubernetes_version):
        output.info(errors.resend_note(f"bare-metal cluster {name}", state, "az aks upgrade"))
    if dry:
        azopts.print_request(clusters.printable([bm.upgrade_request(ref, kubernetes_version)])[0], fmt)
        return
    common.confirm(f"upgrade {name} from {current} to {kubernetes_version}", yes)
    # The instance has no eTag to send as If-Match: its body is read after the confirmation, so a
    # change made while the user answered is kept (clusters.BareMetal.upgrade_request).
    request = bm.upgrade_request(ref, kubernetes_version, current)
    with (
        common.audited(
            f"baremetal cluster upgrade to {kubernetes_version}",
            _audit_target(ref),
            resource=f"connectedCluster/{name}",
            follow=bm.follow,
        ),
        output.status(f"upgrading {name}") as update,
    ):
        bm.send(request, progress=update)
    output.emit_object(bm.show(ref), fmt, name=CLUSTER_NAME)


def _audit_target(ref: "ClusterRef") -> dict[str, str]:
    return {"subscription": ref.subscription, "resourceGroup": ref.resource_group, "cluster": ref.name}


@cluster_app.command("credentials")
@azopts.on_azure
def cluster_credentials(
    name: ClusterName,
    resource_group: azopts.ResourceGroup = None,
    admin: Annotated[bool, typer.Option("--admin", help="Admin credentials instead of the user's.")] = False,
    file: azopts.KubeconfigFile = None,
    overwrite_existing: azopts.OverwriteExisting = False,
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    login: azopts.ExecLogin = None,
    client_id: azopts.ClientId = None,
    identity_resource_id: azopts.IdentityResourceId = None,
    azure: azopts.AzureFlags = azopts.AzureFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Merge the cluster's kubeconfig into your kubeconfig (like 'cluster credentials')."""
    from akscli.cli import credentials_common

    fmt = output.check_format(output_format, output.OBJECT_FORMATS)
    user = credentials_common.exec_user(
        login, azure=azure, admin=admin, client_id=client_id, identity_resource_id=identity_resource_id
    )
    bm = _baremetal(azure, resource_group, name)
    # Sign in through `akscli token`, as `cluster credentials` does, not through kubelogin.
    config = user.rewrite(bm.kubeconfig(bm.ref(resource_group, name), admin=admin))
    merged = credentials_common.merge_credentials(config, file, overwrite_existing=overwrite_existing, dry_run=dry_run)
    credentials_common.report_merge(merged, name, fmt)
    user.warn_not_on_path(config)


@cluster_app.command("delete")
@azopts.on_azure
@flag_types.on_delete(
    ("yes", "dry_run", "timeout", "output_", "ignore_not_found"),  # it has no --wait/--no-wait
    timeout=(azopts.Timeout, azopts.ARM_TIMEOUT_DEFAULT),
    before={"yes": "azure", "dry_run": "azure", "timeout": "azure"},
)
def cluster_delete(
    name: ClusterName,
    resource_group: azopts.ResourceGroup = None,
    azure: azopts.AzureFlags = azopts.AzureFlags(),
    delete: opts.DeleteFlags = opts.DeleteFlags(),
) -> None:
    """Delete a bare-metal cluster (the host stays in Azure Arc).

    --dry-run prints the DELETEs in order; it reads which of the cluster's resources exist, as
    'cluster delete --dry-run' does.
    """
    from akscli.baremetal import clusters
    from akscli.cli import common

    yes, output_format, ignore_not_found = delete.yes, delete.output, delete.ignore_not_found
    dry = azopts.arm_dry_run(delete.dry_run)
    bm = _baremetal(azure, resource_group, name, delete.timeout or azopts.ARM_TIMEOUT_DEFAULT)
    ref = bm.ref(resource_group, name)
    with errors.absent_is_done(ignore_not_found):
        requests = bm.delete_requests(ref)
        if dry:
            azopts.print_request(clusters.printable(requests), output_format or "json")
            return
        common.confirm(f"delete bare-metal cluster {name} in {ref.resource_group}", yes)
        with (
            common.audited(
                "baremetal cluster delete", _audit_target(ref), resource=f"connectedCluster/{name}", follow=bm.follow
            ),
            output.status(f"deleting {name}") as update,
        ):
            for request in requests:
                bm.send(request, progress=update)
        azopts.deleted(kinds.BAREMETAL_CLUSTER, name, output_format)
