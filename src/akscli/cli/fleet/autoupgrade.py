"""``akscli fleet autoupgrade``: auto-upgrade profiles (ARM)."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import output
from akscli.cli import azopts, flag_types
from akscli.cli import options as opts
from akscli.cli.fleet.common import (
    ArmFlags,
    NewProfileName,
    ProfileName,
    audit_arm,
    delete_child,
    group_app,
    on_arm_delete,
    on_fleet,
    opt,
)
from akscli.fleet.stages import child_name
from akscli.output import Column

if TYPE_CHECKING:
    pass


# ---- auto-upgrade profiles (ARM) --------------------------------------------------------------

app = group_app("Auto-upgrade profiles: upgrade runs generated on a release channel (ARM).")

PROFILE_COLUMNS = [
    Column("name", "name"),
    Column("channel", "properties.channel"),
    Column("disabled", lambda p: "yes" if (p.get("properties") or {}).get("disabled") else "no"),
    # No updateStrategyId prints kubectl's <none>, not a blank cell.
    Column(
        "strategy", lambda p: str((p.get("properties") or {}).get("updateStrategyId") or "").rsplit("/", 1)[-1] or None
    ),
    Column("state", "properties.provisioningState"),
]


@app.command("create")
@on_fleet
def autoupgrade_create(
    name: NewProfileName,
    channel: Annotated[str, typer.Option("--channel", help="Stable|Rapid|NodeImage|TargetKubernetesVersion.")],
    strategy: Annotated[str | None, opt("--strategy", help="Update strategy the generated runs use.")] = None,
    target_version: Annotated[
        str | None, opt("--target-kubernetes-version", help="MAJOR.MINOR for the TargetKubernetesVersion channel.")
    ] = None,
    node_image_selection: Annotated[str, typer.Option("--node-image-selection", help="Latest|Consistent.")] = "Latest",
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it switched off.")] = False,
    arm: ArmFlags = ArmFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    output_format: opts.ObjectOutput = "table",
    timeout: azopts.Timeout = azopts.ARM_TIMEOUT_DEFAULT,
) -> None:
    """Create an auto-upgrade profile; Arc-enabled members are refused as for upgrade runs."""
    from akscli.fleet.arm import auto_upgrade_body, use_strategy
    from akscli.fleet.armclient import PROFILE

    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    child_name(name, "profile name")
    body = auto_upgrade_body(channel, target_version=target_version, node_image=node_image_selection, disabled=disabled)
    if strategy:
        child_name(strategy, "strategy name")
    with azopts.dry_run_scope(dry_run, fmt):
        scope = arm.scope(timeout)
        saved = scope.strategy_of_run(strategy)
        scope.check_no_arc(use_strategy(body, saved), saved)
        with audit_arm(scope, "fleet autoupgrade create", scope.ref(PROFILE, name), "create"):
            # If-None-Match: *, as `rollout create`: a plain PUT (az fleet autoupgradeprofile create) replaced it.
            hint = f"pick another name, or delete it first: akscli fleet autoupgrade delete {name}{scope.where} -y"
            result = scope.create_new(PROFILE, name, body, exists_hint=hint)
        if fmt == "table":  # kubectl create's line, as `fleet rollout create` prints
            output.write(f"{PROFILE.ref}/{name} created")
        else:
            output.emit_object(result, fmt, name=output.named(PROFILE.ref))


@app.command("list")
@opts.lists_no_kubernetes_objects
@on_fleet
def autoupgrade_list(
    arm: ArmFlags = ArmFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List auto-upgrade profiles."""
    from akscli.fleet.armclient import PROFILE

    fmt = opts.output_format(output_format)
    profiles = arm.scope().each(PROFILE)  # page by page into the output layer
    output.emit(profiles, fmt, PROFILE_COLUMNS, name=output.named(PROFILE.ref))


@app.command("show")
@on_fleet
def autoupgrade_show(
    name: ProfileName,
    arm: ArmFlags = ArmFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Show one auto-upgrade profile (an ARM GET, as az fleet autoupgradeprofile show)."""
    from akscli.fleet.armclient import PROFILE

    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    child_name(name, "profile name")
    profile = arm.scope().get(PROFILE, name)
    fields = profile_fields(profile) if fmt == "table" else None
    output.emit_object(profile, fmt, fields=fields, name=output.named(PROFILE.ref))


def profile_fields(profile: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A profile's key/value table: the writable fields of AutoUpgradeProfileProperties and its
    state (Azure/azure-rest-api-specs fleet/stable/2026-06-01/fleets.json); unset ones <none>."""
    props = profile.get("properties") or {}
    return [
        ("name", profile.get("name")),
        ("channel", props.get("channel")),
        ("target kubernetes version", props.get("targetKubernetesVersion")),
        ("node image selection", (props.get("nodeImageSelection") or {}).get("type")),
        ("disabled", "yes" if props.get("disabled") else "no"),
        ("strategy", str(props.get("updateStrategyId") or "").rsplit("/", 1)[-1] or None),
        ("state", props.get("provisioningState")),
        ("id", profile.get("id")),
    ]


@app.command("delete")
@on_fleet
@on_arm_delete
def autoupgrade_delete(
    name: ProfileName,
    arm: ArmFlags = ArmFlags(),
    delete: opts.DeleteFlags = opts.DeleteFlags(),
) -> None:
    """Delete an auto-upgrade profile."""
    from akscli.fleet.armclient import PROFILE

    action = "fleet autoupgrade delete"
    delete_child(arm, PROFILE, name, "profile name", action, delete)
