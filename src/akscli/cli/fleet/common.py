"""What every ``akscli fleet`` module shares: the ARM and hub flag blocks, option types, audit
and the small helpers. Commands that take ``--fleet`` talk to ARM; the others talk to the hub."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import errors, output, validate
from akscli.cli import azopts
from akscli.cli import options as opts
from akscli.errors import UsageError

if TYPE_CHECKING:
    from akscli.fleet.armclient import Child, FleetArm, FleetScope
    from akscli.kube.client import Kube


def opt(*decls: str, help: str) -> Any:
    """An option whose default is not shown in --help (most are None or empty)."""
    return typer.Option(*decls, help=help, show_default=False)


def group_app(help_text: str) -> typer.Typer:
    return typer.Typer(no_args_is_help=True, rich_markup_mode=None, add_completion=False, help=help_text)


# ---- options ----------------------------------------------------------------------------------

Group = azopts.ResourceGroup
Fleet = Annotated[str | None, opt("--fleet", help="Fleet name: act through ARM on this fleet.")]
Stage = Annotated[
    list[str] | None,
    opt(
        "--stage",
        help="A stage: NAME[;labels=SEL][;groups=G1,G2][;sort=KEY][;max=N|P%][;before=approval]"
        "[;after=approval|wait:DUR]. Repeat in order.",
    ),
]
FleetName = Annotated[str, typer.Argument(help="Fleet name.")]
RunName = Annotated[str, typer.Argument(help="Update run name.")]
StrategyName = Annotated[str, typer.Argument(help="Strategy name.")]
PlacementName = Annotated[str, typer.Argument(help="Placement name.")]
HubMemberName = Annotated[str, typer.Argument(help="Member cluster name on the hub.")]
ProfileName = Annotated[str, typer.Argument(help="Profile name.")]
RunNamespace = Annotated[str | None, opts.namespace_option("Hub: namespace of a StagedUpdateRun.")]
PlacementNamespace = Annotated[str | None, opts.namespace_option("Namespace of a ResourcePlacement.")]
StrategyOption = Annotated[str | None, opt("--strategy", help="Strategy name (hub or ARM).")]

# ---- connections, audit -----------------------------------------------------------------------


@dataclass(frozen=True)
class ArmFlags:
    """--fleet, -g and the Azure flags: the fleet a command acts on through ARM."""

    fleet: str | None = None
    group: str | None = None
    azure: azopts.AzureFlags = field(default_factory=azopts.AzureFlags)

    def __post_init__(self) -> None:
        # --fleet and -g are checked as the command starts, on its hub path too, before the hub is read.
        from akscli.azure import names
        from akscli.fleet.arm import fleet_name

        if self.fleet is not None:
            fleet_name(self.fleet)
        if self.group:
            names.resource_group(self.group)

    def client(self) -> "FleetArm":
        from akscli.fleet.armclient import FleetArm

        return FleetArm(self.azure.target(), spinner=output.status)

    def named(self, name: str) -> "FleetScope":
        """The fleet named by a command's argument (fleet create, show, credentials, delete)."""
        from akscli.fleet.arm import fleet_name
        from akscli.fleet.armclient import FleetScope

        fleet_name(name)
        group = azopts.resource_group(self.group)
        return FleetScope(self.client(), group, name)

    def scope(self) -> "FleetScope":
        """The fleet named by ``--fleet`` (the commands on members, runs, strategies and gates)."""
        if not self.fleet:
            raise UsageError("this command acts on a fleet through ARM", hint="add --fleet NAME -g GROUP")
        return self.named(self.fleet)


def arm_flags(
    fleet: str | None = None,
    group: str | None = None,
    subscription: str | None = None,
    auth: str | None = None,
    tenant: str | None = None,
) -> ArmFlags:
    return ArmFlags(fleet, group, azopts.AzureFlags(subscription, auth, tenant))


# Decorators: `@on_fleet` puts --fleet, -g, --subscription, --auth and --tenant in place of the
# command's `arm: ArmFlags` parameter; `@on_group` the same but --fleet (the commands that take
# the fleet's name as their argument); `@on_hub` puts --kubeconfig and --context in place of its
# `hub: KubeFlags` parameter.
on_fleet = opts.flag_block({"fleet": Fleet, "group": Group, **azopts.AZURE_OPTIONS}, "arm", arm_flags)
on_group = opts.flag_block({"group": Group, **azopts.AZURE_OPTIONS}, "arm", arm_flags)
on_hub = opts.on_kube(into="hub")


def checked_namespace(namespace: str | None) -> str | None:
    return validate.name(namespace, "namespace") if namespace is not None else None


def audit_arm(scope: "FleetScope", action: str, changes: list[tuple[str, str]]) -> None:
    from akscli.azure.arm import identity_of
    from akscli.cli.common import record_audit

    objects = [{"object": ref, "action": verb} for ref, verb in changes]
    target = {"subscription": scope.arm.subscription}
    record_audit(action, None, [], "success", target=target, objects=objects, identity=identity_of(scope.arm.client))


def audit_hub(kube: "Kube", action: str, changes: list[tuple[str, str]]) -> None:
    from akscli.cli.common import record_audit

    record_audit(action, kube, [], "success", objects=[{"object": ref, "action": verb} for ref, verb in changes])


def remove_child(
    scope: "FleetScope",
    child: "Child",
    name: str,
    yes: bool,
    action: str,
    verb: str = "delete",
    *,
    dry: bool = False,
    fmt: str | None = None,
    ignore_not_found: bool = False,
) -> None:
    """Confirm, delete a child of the fleet through ARM, audit and report it.

    ARM answers a DELETE of a resource that does not exist with 204, which the SDK takes as
    success (upstream: azure-mgmt-containerservicefleet 4.0.0 operations/_operations.py,
    _delete_initial accepts 200/202/204); read it first, as `cluster delete` and kubectl do, so a wrong name is "not
    found" (exit 3) rather than "deleted". A dry run stays offline and reads nothing. ``fmt``:
    -o (``name``: only ``kind/name``, as kubectl delete -o name). ``ignore_not_found``:
    --ignore-not-found (errors.absent_is_done)."""
    from akscli.cli.common import confirm

    with errors.absent_is_done(ignore_not_found):
        if not dry:
            scope.get(child, name)
        confirm(f"{verb} {child.noun} {name} of fleet {scope.fleet}", yes or dry)
        scope.remove(child, name)
        audit_arm(scope, action, [(scope.ref(child, name), "delete")])
        azopts.deleted(child.ref, name, fmt, f"{verb}d")


def hub_only(force_conflicts: bool) -> None:
    """--force-conflicts is server-side apply's: ARM has no field managers."""
    if force_conflicts:
        raise UsageError(
            "--force-conflicts belongs to hub objects (server-side apply); ARM has no field managers",
            hint="drop --force-conflicts, or leave out --fleet to work on the hub",
        )


def delete_staged(
    child: "Child",
    name: str,
    namespace: str | None,
    yes: bool,
    arm: ArmFlags,
    hub: opts.KubeFlags,
    action: str,
    dry_run: str,
    fmt: str | None = None,
    ignore_not_found: bool = False,
    wait: float | None = None,
) -> None:
    """Delete an update run or strategy: through ARM with --fleet (--dry-run prints the DELETE,
    contacting nothing; the ARM operation is always followed to its end), else on the hub
    (--dry-run reads the object, as kubectl delete does; ``wait``: as common.delete_objects)."""
    from akscli.cli.common import delete_objects
    from akscli.fleet import rollout
    from akscli.fleet.armclient import UPDATE_RUN

    mode = opts.dry_run_mode(dry_run)
    validate.name(name, f"{child.noun} name")
    if arm.fleet:
        with azopts.dry_run_scope(mode, fmt or "json", offline=True) as dry:
            remove_child(arm.scope(), child, name, yes, action, dry=dry, fmt=fmt, ignore_not_found=ignore_not_found)
        return
    ns = checked_namespace(namespace)
    kube = hub.connect()
    read = rollout.get_run if child is UPDATE_RUN else rollout.get_strategy
    with errors.absent_is_done(ignore_not_found):
        delete_objects(
            kube,
            [_hub_ref(read(kube, name, ns))],
            yes=yes,
            what=f"{child.noun} {name}",
            action=action,
            dry_run=mode,
            fmt=fmt,
            wait=wait,
        )


def _hub_ref(obj: dict[str, Any]) -> tuple[str, str, str, str | None]:
    meta = obj["metadata"]
    return str(obj["apiVersion"]), str(obj["kind"]), str(meta["name"]), meta.get("namespace")
