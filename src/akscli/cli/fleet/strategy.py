"""``akscli fleet rollout strategy``: staged update strategies (ARM with --fleet, else on the hub).
Moved out of cli/fleet/rollout.py, which keeps the update runs."""

from typing import TYPE_CHECKING, Annotated

from akscli import output
from akscli.cli import azopts, delete_many, flag_types
from akscli.cli import options as opts
from akscli.cli.diff_status import CreateExitCode, check_exit_code, with_exit_code
from akscli.cli.fleet.common import (
    STAGED_DELETE_NOTE,
    ArmFlags,
    ArmTimeout,
    HubStrategyName,
    NewStrategyName,
    Stage,
    arm_timeout,
    audit_arm,
    checked_namespace,
    create_on_hub,
    delete_staged,
    group_app,
    on_fleet,
    on_hub,
    on_staged_delete,
    refuse_namespace_on_arm,
    staged_list_selector,
    staged_name,
)
from akscli.output import Column

strategy_app = group_app("Staged update strategies (ARM with --fleet, else on the hub).")

ARM_STRATEGY_COLUMNS = [
    Column("name", "name"),
    Column("state", "properties.provisioningState"),
    Column(
        "stages",
        lambda s: ",".join(st["name"] for st in (s.get("properties") or {}).get("strategy", {}).get("stages", [])),
    ),
]
HUB_STRATEGY_COLUMNS = [
    Column("name", "metadata.name"),
    Column("stages", lambda s: ",".join(st["name"] for st in (s.get("spec") or {}).get("stages", []))),
]


@strategy_app.command("create")
@on_fleet
@on_hub
@with_exit_code
def strategy_create(
    name: NewStrategyName,
    stage: Stage = None,
    namespace: Annotated[str | None, opts.namespace_option("Hub: a namespaced StagedUpdateStrategy.")] = None,
    arm: ArmFlags = ArmFlags(),
    dry_run: flag_types.DryRun = "none",
    yes: flag_types.Yes = False,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: flag_types.ApplyOutput = "table",
    timeout: ArmTimeout = None,
    exit_code: CreateExitCode = False,
) -> None:
    """Create a staged update strategy: ARM (--fleet: update groups) or hub (members by labels)."""
    from akscli.fleet.stages import parse_stages

    fmt = opts.output_format(output_format)
    check_exit_code(exit_code, opts.dry_run_mode(dry_run))
    refuse_namespace_on_arm(arm, namespace)
    staged_name(arm, name, "strategy name")  # a bad typed name before the --stage it lacks
    specs = parse_stages(stage or [])
    limit = arm_timeout(arm, timeout)
    if not arm.fleet:
        from akscli.fleet.rollout import strategy_objects

        objects = strategy_objects(name, checked_namespace(namespace), specs)
        create_on_hub(
            objects,
            stack=f"fleet-strategy-{name}",
            hub=hub,
            dry_run=dry_run,
            yes=yes,
            output_format=output_format,
            action="fleet rollout strategy create",
            exit_code=exit_code,
        )
        return
    from akscli.fleet.arm import strategy_body
    from akscli.fleet.armclient import STRATEGY
    from akscli.fleet.stages import child_name

    child_name(name, "strategy name")
    body = strategy_body(specs)
    # --dry-run: the SDK builds the PUT and it is printed; nothing is read first, so nothing is contacted.
    with azopts.dry_run_scope(dry_run, fmt, offline=True):
        scope = arm.scope(limit)
        with audit_arm(scope, "fleet rollout strategy create", scope.ref(STRATEGY, name), "create"):
            # If-None-Match: *, as `rollout create`: a plain PUT (az fleet updatestrategy create) replaced it.
            hint = f"pick another name, or delete it first: akscli fleet rollout strategy delete {name}{scope.where} -y"
            result = scope.create_new(STRATEGY, name, body, exists_hint=hint)
        if fmt == "table":  # kubectl create's line, as the hub's strategy and `rollout create` print
            output.write(f"{STRATEGY.ref}/{name} created")
        else:
            output.emit_object(result, fmt, name=output.named(STRATEGY.ref))


@strategy_app.command("list")
@on_fleet
@on_hub
def strategy_list(
    namespace: Annotated[str | None, opts.namespace_option("Hub: namespaced strategies (-A: both scopes).")] = None,
    all_namespaces: flag_types.AllNamespaces = False,
    selector: flag_types.Selector = None,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List staged update strategies (-l: the hub's, by label)."""
    fmt = opts.output_format(output_format)
    chosen = staged_list_selector(arm, namespace, all_namespaces, selector, "update strategies")
    if arm.fleet:
        from akscli.fleet.armclient import STRATEGY

        items = arm.scope().each(STRATEGY)  # page by page into the output layer
        output.emit(items, fmt, ARM_STRATEGY_COLUMNS, name=output.named(STRATEGY.ref))
        return
    from akscli.cli.common import namespaced_columns
    from akscli.fleet.rollout import list_strategies

    ns = checked_namespace(namespace)
    strategies = list_strategies(hub.connect(), ns, all_namespaces, chosen)
    empty = output.no_resources(None if all_namespaces else ns)
    output.emit(strategies, fmt, namespaced_columns(HUB_STRATEGY_COLUMNS, all_namespaces), empty=empty)


@strategy_app.command("show")
@on_fleet
@on_hub
def strategy_show(
    name: HubStrategyName,
    namespace: Annotated[str | None, opts.namespace_option("Hub: a namespaced strategy.")] = None,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Show one staged update strategy: its stages (ARM with --fleet, as az fleet updatestrategy show)."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    refuse_namespace_on_arm(arm, namespace)
    staged_name(arm, name, "strategy name")
    if arm.fleet:
        from akscli.fleet.arm import strategy_fields
        from akscli.fleet.armclient import STRATEGY

        strategy = arm.scope().get(STRATEGY, name)
        fields = strategy_fields(strategy) if fmt == "table" else None
        output.emit_object(strategy, fmt, fields=fields, name=output.named(STRATEGY.ref))
        return
    from akscli.fleet.rollout import get_strategy
    from akscli.fleet.stages import hub_strategy_fields

    obj = get_strategy(hub.connect(), name, checked_namespace(namespace))
    output.emit_object(obj, fmt, fields=hub_strategy_fields(obj) if fmt == "table" else None)


if TYPE_CHECKING:
    HubStrategyNames = list[str] | None
else:
    HubStrategyNames = delete_many.names_argument(HubStrategyName, note=STAGED_DELETE_NOTE)


@strategy_app.command("delete")
@on_fleet
@on_hub
@on_staged_delete
def strategy_delete(
    names: HubStrategyNames = None,
    namespace: Annotated[str | None, opts.namespace_option("Hub: namespaced strategies.")] = None,
    selector: flag_types.Selector = None,
    all_: delete_many.AllStrategies = False,
    all_namespaces: delete_many.AllNamespaces = False,
    arm: ArmFlags = ArmFlags(),
    delete: opts.DeleteFlags = opts.DeleteFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Delete staged update strategies (with --fleet one through ARM; on the hub NAME..., -l or --all)."""
    from akscli.fleet.armclient import STRATEGY

    action = "fleet rollout strategy delete"
    refuse_namespace_on_arm(arm, namespace, all_namespaces)
    delete_staged(STRATEGY, names or [], namespace, arm, hub, action, delete, (selector, all_, all_namespaces))
