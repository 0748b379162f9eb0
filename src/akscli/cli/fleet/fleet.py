"""``akscli fleet create|list|show|credentials|delete``: fleets through ARM."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import errors, output
from akscli.azure import kinds
from akscli.cli import azopts, flag_types
from akscli.cli import options as opts
from akscli.cli.fleet.common import (
    ArmFlags,
    FleetName,
    NewFleetName,
    audit_accepted,
    audit_arm,
    on_arm_delete,
    on_group,
    opt,
)
from akscli.output import Column

if TYPE_CHECKING:
    pass


app = typer.Typer(
    name="fleet",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    help="Azure Kubernetes Fleet Manager: fleets, members, placement, staged rollouts.",
)

# ---- fleets (ARM) -----------------------------------------------------------------------------

# Over akscli.fleet.arm.fleet_row's rows.
FLEET_COLUMNS = [
    Column("name", "name"),
    Column("location", "location"),
    Column("hub", "hub"),
    Column("state", "provisioningState"),
    Column("hub fqdn", "hubFqdn", wide=True),
    Column("resource group", "resourceGroup", wide=True),
]


# -o name: fleet/NAME, the same for the list and for one fleet (create, show).
FLEET_NAME = output.named(kinds.FLEET)


def _emit_fleet(fleet: dict[str, Any], output_format: str) -> None:
    from akscli.fleet.arm import fleet_fields

    fields = fleet_fields(fleet) if output_format == "table" else None
    output.emit_object(fleet, output_format, fields=fields, name=FLEET_NAME)


@app.command("create")
@on_group
def fleet_create(
    name: NewFleetName,
    location: Annotated[str, typer.Option("--location", "-l", help="Azure region, e.g. eastus.")] = "eastus",
    hub: Annotated[
        bool, typer.Option("--hub/--no-hub", help="Create a hub cluster (for placement and staged workload rollouts).")
    ] = True,
    dns_prefix: Annotated[str | None, opt("--dns-prefix", help="DNS prefix of the hub API server.")] = None,
    vm_size: Annotated[str | None, opt("--hub-vm-size", help="VM size of the hub's node.")] = None,
    arm: ArmFlags = ArmFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    output_format: opts.ObjectOutput = "table",
    timeout: azopts.Timeout = azopts.ARM_TIMEOUT_DEFAULT,
    no_wait: azopts.NoWait = False,
) -> None:
    """Create a fleet (with a hub cluster unless --no-hub)."""
    from akscli.fleet.arm import fleet_body, fleet_name

    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    body = fleet_body(fleet_name(name), location, hub=hub, dns_prefix=dns_prefix, vm_size=vm_size)
    with azopts.dry_run_scope(dry_run, fmt, offline=True):
        scope = arm.named(name, timeout)
        try:
            if no_wait:  # as az fleet create --no-wait (azure-cli-extensions src/fleet commands.py)
                poller = scope.create(body, no_wait=True)
                audit_accepted(scope, "fleet create", f"fleet/{name}", "create")
                azopts.report_accepted(poller, f"create fleet {name}", fmt, scope.follow())
                return
            with audit_arm(scope, "fleet create", f"fleet/{name}", "create"):
                result = scope.create(body)
        except errors.NotFoundError as exc:
            from akscli.azure import armerrors

            armerrors.in_location(exc, str(body["location"]))  # the hint's `az group create` in --location
            raise
        _emit_fleet(result, fmt)


@app.command("list")
@opts.lists_no_kubernetes_objects
@on_group
def fleet_list(
    arm: ArmFlags = ArmFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List fleets in a resource group, or in the subscription."""
    fmt = opts.output_format(output_format)
    rg = azopts.resource_group(arm.group) if arm.group else None
    from akscli.fleet.arm import fleet_row

    fleets = arm.client().list_fleets(rg)
    azopts.emit_resources(fleets, fmt, FLEET_COLUMNS, fleet_row, kind=kinds.FLEET, empty="No resources found.")


@app.command("show")
@on_group
def fleet_show(
    name: FleetName,
    arm: ArmFlags = ArmFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Show one fleet."""
    _emit_fleet(arm.named(name).show(), output_format)


@app.command("credentials")
@on_group
def fleet_credentials(
    name: FleetName,
    kubeconfig: azopts.KubeconfigFile = None,
    overwrite_existing: Annotated[
        bool, typer.Option("--overwrite-existing", help="Replace entries of the same name.")
    ] = False,
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    login: azopts.ExecLogin = None,
    client_id: azopts.ClientId = None,
    identity_resource_id: azopts.IdentityResourceId = None,
    output_format: opts.ObjectOutput = "table",
    arm: ArmFlags = ArmFlags(),
) -> None:
    """Merge the fleet hub's kubeconfig (signing in through 'akscli token'), as 'cluster credentials'."""
    from akscli.cli import credentials_common

    fmt = output.check_format(output_format, output.OBJECT_FORMATS)
    user = credentials_common.exec_user(
        login, azure=arm.azure, client_id=client_id, identity_resource_id=identity_resource_id
    )
    scope = arm.named(name)
    # The hub signs in with Entra ID like an AKS cluster: the same exec plugin rewrite.
    value = user.rewrite(scope.hub_kubeconfig())
    result = credentials_common.merge_credentials(
        value, kubeconfig, overwrite_existing=overwrite_existing, dry_run=dry_run
    )
    credentials_common.warn_not_on_path(value)
    credentials_common.report_merge(result, f"the hub of fleet {name}", fmt)


@app.command("delete")
@on_group
@on_arm_delete
def fleet_delete(
    name: FleetName,
    arm: ArmFlags = ArmFlags(),
    delete: opts.DeleteFlags = opts.DeleteFlags(),
) -> None:
    """Delete a fleet (and its hub); member clusters are not deleted."""
    from akscli.cli.common import confirm

    output_ = delete.output
    with azopts.dry_run_scope(delete.dry_run, output_ or "json", offline=True) as dry:
        scope = arm.named(name, delete.timeout or azopts.ARM_TIMEOUT_DEFAULT)
        with errors.absent_is_done(delete.ignore_not_found):
            if not dry:  # ARM answers 204 to a DELETE of no fleet: read it first (see remove_child)
                scope.show()
            confirm(f"delete fleet {name} in resource group {scope.group}", delete.yes or dry)
            if not delete.wait:  # as az fleet delete --no-wait (azure-cli-extensions src/fleet commands.py)
                poller = scope.delete(no_wait=True)
                audit_accepted(scope, "fleet delete", f"fleet/{name}", "delete")
                azopts.report_accepted(poller, f"delete fleet {name}", "table", scope.follow())
                if output_ == "name":
                    azopts.deleted(kinds.FLEET, name, output_)
                return
            with audit_arm(scope, "fleet delete", f"fleet/{name}", "delete"):
                scope.delete()
            azopts.deleted(kinds.FLEET, name, output_)
