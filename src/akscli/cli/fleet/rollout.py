"""``akscli fleet rollout``: staged update runs (ARM upgrades, hub workload rollouts); its
``strategy`` group is in cli/fleet/strategy.py."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import output, validate
from akscli.cli import azopts, delete_many, flag_types
from akscli.cli import options as opts
from akscli.cli.diff_status import CreateExitCode, ExitCode, check_exit_code, found, with_exit_code
from akscli.cli.fleet.common import (
    STAGED_DELETE_NOTE,
    ArmFlags,
    ArmTimeout,
    HubRunName,
    NewRunName,
    RunCreateTimeout,
    RunName,
    RunNamespace,
    Stage,
    StrategyOption,
    arm_timeout,
    audit_arm,
    audit_hub,
    checked_namespace,
    create_on_hub,
    delete_staged,
    group_app,
    on_fleet,
    on_hub,
    on_staged_delete,
    opt,
    refuse_namespace_on_arm,
    staged_list_selector,
    staged_name,
)
from akscli.cli.fleet.strategy import strategy_app
from akscli.errors import UsageError
from akscli.fleet import CSUR, PLACEMENT_V1, SUR
from akscli.output import Column

if TYPE_CHECKING:
    from akscli.fleet.armclient import FleetScope


app = group_app("Staged rollouts: upgrade runs (ARM, --fleet) and workload runs (hub).")
app.add_typer(strategy_app, name="strategy")

# ---- update runs ------------------------------------------------------------------------------


@app.command("create")
@on_fleet
@on_hub
@with_exit_code
def rollout_create(
    name: NewRunName,
    placement: Annotated[
        str | None, opt("--placement", help="Hub: the placement (with an External strategy) to roll out.")
    ] = None,
    strategy: StrategyOption = None,
    resource_index: Annotated[
        str | None, opt("--resource-index", help="Hub: resource snapshot index to roll out (default: latest).")
    ] = None,
    start: Annotated[bool, typer.Option("--start/--no-start", help="Start the run at once.")] = False,
    namespace: Annotated[str | None, opts.namespace_option("Hub: a namespaced StagedUpdateRun.")] = None,
    upgrade_type: Annotated[
        str, typer.Option("--upgrade-type", help="ARM: Full|ControlPlaneOnly|NodeImageOnly.")
    ] = "Full",
    kubernetes_version: Annotated[
        str | None, opt("--kubernetes-version", "-k", help="ARM: target Kubernetes version.")
    ] = None,
    node_image_selection: Annotated[
        str, typer.Option("--node-image-selection", help="ARM: Latest|Consistent.")
    ] = "Latest",
    stage: Stage = None,
    arm: ArmFlags = ArmFlags(),
    dry_run: flag_types.DryRun = "none",
    yes: flag_types.Yes = False,
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: flag_types.ApplyOutput = "table",
    timeout: RunCreateTimeout = None,
    exit_code: CreateExitCode = False,
) -> None:
    """Create an update run: a Kubernetes/node-image upgrade (--fleet) or a hub workload rollout."""
    fmt = opts.output_format(output_format)
    check_exit_code(exit_code, opts.dry_run_mode(dry_run))
    refuse_namespace_on_arm(arm, namespace)
    if arm.fleet:
        limit = arm_timeout(arm, timeout)
        _refuse_hub_flags(placement, resource_index)
        from akscli.fleet.arm import update_run_body
        from akscli.fleet.stages import child_name, parse_stages

        child_name(name, "update run name")
        if strategy is not None:
            child_name(strategy, "strategy name")
        body = update_run_body(
            upgrade_type=upgrade_type,
            kubernetes_version=kubernetes_version,
            node_image=node_image_selection,
            strategy=strategy,
            stages=parse_stages(stage) if stage else None,
        )
        if azopts.arm_dry_run(dry_run):
            _print_arm_run(arm, name, body, strategy, start, fmt)
            return
        _create_arm_run(arm.scope(limit), name, body, strategy, start, fmt)
        return
    from akscli.fleet.rollout import run_objects, typed_run_values

    typed_run_values(name, placement, strategy)  # a bad typed value before a missing flag
    if not placement or not strategy:
        raise UsageError(
            "a hub rollout needs --placement and --strategy",
            hint="or add --fleet NAME -g GROUP for a Kubernetes/node-image upgrade run",
        )
    arm_only = [
        flag
        for flag, given in (
            ("--upgrade-type", upgrade_type != "Full"),
            ("--kubernetes-version", kubernetes_version is not None),
            ("--node-image-selection", node_image_selection != "Latest"),
        )
        if given
    ]
    if arm_only:
        raise UsageError(
            f"{arm_only[0]} belongs to ARM upgrade runs; a hub rollout rolls out a placement's resources",
            hint="add --fleet NAME -g GROUP for a Kubernetes/node-image upgrade run, or drop " + arm_only[0],
        )
    if stage:
        raise UsageError(
            "--stage belongs to ARM runs; on the hub, stages live in the strategy",
            hint="create one with: akscli fleet rollout strategy create NAME --stage ...",
        )
    objects = run_objects(name, checked_namespace(namespace), placement, strategy, resource_index, start)
    if opts.dry_run_mode(dry_run) != "client":
        from akscli.fleet.runchecks import check_runs

        check_runs(hub.connect(), objects)
    if opts.dry_run_mode(dry_run) == "none":
        from akscli.fleet.rollout import SCHEDULE_TIMEOUT, require_new, wait_until_scheduled

        require_new(hub.connect(), objects)  # a taken name is refused before the wait, not after it
        seconds = validate.duration(timeout, "--timeout") if timeout is not None else SCHEDULE_TIMEOUT
        with output.status(f"waiting for placement {placement} to be scheduled before run {name}") as update:
            wait_until_scheduled(hub.connect(), objects, seconds, progress=update)
    create_on_hub(
        objects,
        stack=f"fleet-run-{name}",
        hub=hub,
        dry_run=dry_run,
        yes=yes,
        output_format=output_format,
        action="fleet rollout create",
        exit_code=exit_code,
    )


def _refuse_hub_flags(placement: str | None, resource_index: str | None) -> None:
    """--placement and --resource-index name what a hub run rolls out (a placement's resource
    snapshot); an ARM update run upgrades the members' clusters, and its body has no such field
    (upstream: Azure/azure-rest-api-specs fleet stable/2026-06-01 fleets.json UpdateRunProperties:
    updateStrategyId, strategy, managedClusterUpdate). Refused before anything is read or sent,
    as the hub path refuses the ARM-only flags, rather than silently dropped."""
    flag = "--placement" if placement is not None else "--resource-index" if resource_index is not None else None
    if flag:
        raise UsageError(
            f"{flag} belongs to hub rollouts; an ARM update run (--fleet) upgrades the members' clusters",
            hint=f"drop {flag}, or leave out --fleet to roll out a placement on the hub",
        )


def _print_arm_run(
    arm: ArmFlags, name: str, body: dict[str, Any], strategy: str | None, start: bool, output_format: str
) -> None:
    """--dry-run=client, offline (no credential, no ARM read): the PUT of the run as the SDK builds
    it, and with --start the POST that starts it, printed as every ARM dry run prints its requests."""
    from functools import partial

    from akscli.azure import arm as azure_arm
    from akscli.fleet.arm import strategy_id, use_strategy
    from akscli.fleet.armclient import UPDATE_RUN

    with azure_arm.dry_run(offline=True):
        scope = arm.scope()
        if strategy:
            use_strategy(body, {"id": strategy_id(scope.arm.subscription, scope.group, scope.fleet, strategy)})
        # create_new, as the real run: the PUT carries If-None-Match: *, and the dry run shows it.
        requests = [azopts.captured_write(partial(scope.create_new, UPDATE_RUN, name, body, ""))]
        if start:
            requests.append(azopts.captured_write(partial(scope.run_action, "start", name)))
    output.info("dry run: not checked against the fleet (that the strategy exists, Arc-enabled members)")
    azopts.print_request(requests if start else requests[0], output_format)


def _create_arm_run(
    scope: "FleetScope",
    name: str,
    body: dict[str, Any],
    strategy: str | None,
    start: bool,
    output_format: str,
) -> None:
    from akscli.fleet.arm import use_strategy
    from akscli.fleet.armclient import UPDATE_RUN

    saved = scope.strategy_of_run(strategy)
    scope.check_no_arc(body, saved)
    use_strategy(body, saved)
    hint = f"pick another name, or delete it first: akscli fleet rollout delete {name}{scope.where} -y"
    with audit_arm(scope, "fleet rollout create", scope.ref(UPDATE_RUN, name), "create"):
        result = scope.create_new(UPDATE_RUN, name, body, exists_hint=hint)
    if start:
        with audit_arm(scope, "fleet rollout create", scope.ref(UPDATE_RUN, name), "start"):
            result = scope.run_action("start", name)
    if output.structured(output_format) or output_format == "name":
        output.emit_object(result, output_format, name=output.named(UPDATE_RUN.ref))
    else:
        output.write(f"updaterun/{name} created" + (" and started" if start else ""))


def _run_action(
    action: str,
    name: str,
    namespace: str | None,
    arm: ArmFlags,
    hub: opts.KubeFlags,
    dry_run: str,
    fmt: str,
    timeout: str | None,
    exit_code: bool = False,
) -> None:
    """Start or stop a run: ARM (--fleet) or the hub's staged update run.

    --dry-run: ARM's POST is built by the SDK and printed, with nothing contacted (the real run
    reads nothing first either); the hub's patch reads the run first, as the real run does.
    --exit-code: 1 when the server dry run's patch changes the run's state (a run already in it: 0).
    """
    from akscli.cli.common import dry_run_writes

    mode = opts.dry_run_mode(dry_run)
    check_exit_code(exit_code, mode)
    refuse_namespace_on_arm(arm, namespace)
    staged_name(arm, name, "update run name")
    outcome = "started" if action == "start" else "stopped"
    limit = arm_timeout(arm, timeout)
    if arm.fleet:
        from akscli.fleet.arm_run_status import run_outcome, run_state
        from akscli.fleet.armclient import UPDATE_RUN

        with azopts.dry_run_scope(mode, fmt, offline=True):
            scope = arm.scope(limit)
            with audit_arm(scope, f"fleet rollout {action}", scope.ref(UPDATE_RUN, name), action):
                run = scope.run_action(action, name)
            # ARM answers with the run: Pending when it waits at a gate, Stopping until what it tracks stopped.
            if action == "start":
                outcome = f"started: {run_outcome(run)}"
            elif run_state(run) == "Stopping":
                outcome = "stopping"
            output.write(f"updaterun/{name}" + ("" if fmt == "name" else f" {outcome}"))
        return
    from akscli.fleet.rollout import ns_flag, run_state_change

    ns = checked_namespace(namespace)
    kube = hub.connect()
    write, changes = run_state_change(kube, name, ns, action)
    if mode != "none":
        dry_run_writes(kube, [write], mode, fmt)
        found(exit_code and changes)
        return
    write.send(kube)
    audit_hub(kube, f"fleet rollout {action}", [(f"stagedupdaterun/{name}", action)])
    if action == "stop":
        # The hub stops a run through Stopping: members already updating finish first
        # (kubefleet-dev/kubefleet pkg/controllers/updaterun/stop.go).
        outcome = f"stopping (see when it has stopped with: akscli fleet rollout status {name}{ns_flag(ns)})"
    # -o name: only kind.group/NAME, as kubectl patch -o name prints what it changed.
    output.write(output.kind_ref(PLACEMENT_V1, SUR if ns else CSUR, name) + ("" if fmt == "name" else f" {outcome}"))


def _action_command(action: str, doc: str) -> Any:
    """`fleet rollout start` and `stop`: one signature, one body (_run_action)."""

    def command(
        name: HubRunName,
        namespace: RunNamespace = None,
        arm: ArmFlags = ArmFlags(),
        yes: flag_types.Yes = False,
        dry_run: flag_types.DryRun = "none",
        hub: opts.KubeFlags = opts.KubeFlags(),
        output_format: flag_types.DryRunOutput = "yaml",
        timeout: ArmTimeout = None,
        exit_code: ExitCode = False,
    ) -> None:
        fmt = opts.output_format(output_format, opts.DRY_RUN_FORMATS)
        _run_action(action, name, namespace, arm, hub, dry_run, fmt, timeout, exit_code)

    command.__name__ = command.__qualname__ = f"rollout_{action}"
    command.__doc__ = doc
    return app.command(action)(on_fleet(on_hub(with_exit_code(command))))


rollout_start = _action_command("start", "Start an update run.")
rollout_stop = _action_command("stop", "Stop an update run (members being updated finish; no new ones start).")


@app.command("skip")
@on_fleet
def rollout_skip(
    name: RunName,
    target: Annotated[
        list[str] | None,
        opt("--target", help="TYPE:NAME to skip: Member, Group, Stage or AfterStageWait (repeatable)."),
    ] = None,
    arm: ArmFlags = ArmFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    output_format: flag_types.DryRunOutput = "json",
    timeout: azopts.Timeout = azopts.ARM_TIMEOUT_DEFAULT,
) -> None:
    """Skip members, groups, stages or waits of an ARM update run (--dry-run: offline)."""
    from akscli.fleet.arm import check_skip_targets, skip_body
    from akscli.fleet.armclient import UPDATE_RUN

    fmt = opts.output_format(output_format, opts.DRY_RUN_FORMATS)
    staged_name(arm, name, "update run name")  # a bad typed name before the --fleet it lacks
    if not arm.fleet:
        raise UsageError(
            "skip applies to ARM update runs (--fleet)",
            hint="hub runs move on through approvals: akscli fleet approve RUN",
        )
    body = skip_body(target or [])
    with azopts.dry_run_scope(dry_run, fmt, offline=True) as dry:
        scope = arm.scope(timeout)
        if not dry:  # one GET: a target the run does not have is refused, not sent (Fleet's answer is unpublished)
            check_skip_targets(scope.get(UPDATE_RUN, name), name, body, scope.where)
        with audit_arm(scope, "fleet rollout skip", scope.ref(UPDATE_RUN, name), "skip"):
            scope.skip(name, body)
        skipped = ", ".join(f"{t['type']}:{t['name']}" for t in body["targets"])
        output.write(f"updaterun/{name}" + ("" if fmt == "name" else f" skipped {skipped}"))


HUB_RUN_COLUMNS = [
    Column("stage", "stage"),
    Column("member", "member"),
    Column("state", "state"),
    Column("detail", "detail"),
]
ARM_RUN_COLUMNS = [
    Column("stage", "stage"),
    Column("group", "group"),
    Column("member", "member"),
    Column("state", "state"),
    Column("detail", "detail"),
]


@app.command("status")
@on_fleet
@on_hub
def rollout_status(
    name: HubRunName,
    namespace: RunNamespace = None,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="First wait until the run has succeeded (exit 10 if it fails or stops); with --fleet, polls ARM.",
        ),
    ] = False,
    timeout: flag_types.Timeout = "30m",
) -> None:
    """The stages of a run, each with its gates and members and their state."""
    fmt = opts.output_format(output_format)
    refuse_namespace_on_arm(arm, namespace)
    staged_name(arm, name, "update run name")
    seconds = validate.duration(timeout, "--timeout")
    if arm.fleet:
        from akscli.fleet import arm_run_status as logic
        from akscli.fleet.armclient import UPDATE_RUN

        scope = arm.scope()
        if wait:
            # ARM has no watch: a poll with backoff (arm_run_status.wait_for_run).
            where = f" --fleet {arm.fleet} -g {arm.group}"
            with output.status(f"waiting for update run {name} to complete"):
                run = dict(logic.wait_for_run(lambda: scope.get(UPDATE_RUN, name), name, seconds, where=where))
        else:
            run = scope.get(UPDATE_RUN, name)
        if output.structured(fmt) or fmt == "name":  # -o name: the run, as rollout list names it
            output.emit_object(run, fmt, name=output.named(UPDATE_RUN.ref))
            return
        rows, heading, columns = logic.run_rows(run), f"update run {name}: {logic.run_outcome(run)}", ARM_RUN_COLUMNS
    else:
        from akscli.fleet import rollout

        ns = checked_namespace(namespace)
        run = rollout.get_run(hub.connect(), name, ns)
        if wait:
            # The one wait rule (a watch): the run's Succeeded condition, failed for good on
            # Initialized/Succeeded False or Progressing False UpdateRunStopped (akscli.kube.readiness.fleet_runs
            # run_state; upstream: kubefleet-dev/kubefleet pkg/controllers/updaterun/controller.go). A run
            # without approval gates needs no one; one at a gate waits for `fleet approve`.
            from akscli.kube.wait import wait_for

            with output.status(f"waiting for update run {name} to succeed") as update:
                wait_for(hub.connect(), [run], seconds, progress=update)
            run = rollout.get_run(hub.connect(), name, ns)
        if fmt == "name":  # the run's kind.group/NAME, as kubectl's name printer and rollout list
            output.emit_object(run, fmt)
            return
        summary, rows = rollout.run_summary(run), rollout.run_rows(run)
        if output.structured(fmt):
            output.emit_object({"run": summary, "stages": rows}, fmt, rows=rows)
            return
        heading, columns = f"update run {name}: {rollout.describe(summary)}", HUB_RUN_COLUMNS
    output.write(heading)
    output.emit(rows, fmt, columns, empty="the run has no stages yet")


# Over akscli.fleet.arm_run_status.run_row's rows.
ARM_RUN_LIST_COLUMNS = [
    Column("name", "name"),
    Column("state", "state"),
    Column("upgrade", "upgrade"),
    Column("version", "kubernetesVersion"),
]
HUB_RUN_LIST_COLUMNS = [
    Column("name", "name"),
    Column("placement", "placement"),
    Column("strategy", "strategy"),
    Column("state", "state"),
    Column("message", "message", wide=True),
]


@app.command("list")
@on_fleet
@on_hub
def rollout_list(
    namespace: Annotated[str | None, opts.namespace_option("Hub: namespaced runs (-A: both scopes).")] = None,
    all_namespaces: flag_types.AllNamespaces = False,
    selector: flag_types.Selector = None,
    arm: ArmFlags = ArmFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List update runs (-l: the hub's, by label)."""
    fmt = opts.output_format(output_format)
    chosen = staged_list_selector(arm, namespace, all_namespaces, selector, "update runs")
    if arm.fleet:
        from akscli.fleet.arm_run_status import run_row
        from akscli.fleet.armclient import UPDATE_RUN

        runs = arm.scope().each(UPDATE_RUN)
        azopts.emit_resources(
            runs, fmt, ARM_RUN_LIST_COLUMNS, run_row, kind=UPDATE_RUN.ref, empty="No resources found."
        )
        return
    from akscli.cli.common import namespaced_columns
    from akscli.fleet import rollout

    ns = checked_namespace(namespace)
    items = rollout.list_runs(hub.connect(), ns, all_namespaces, chosen)
    if output.structured(fmt):
        output.emit(items, fmt, [])
        return
    rows = [{**rollout.run_summary(i), "namespace": (i.get("metadata") or {}).get("namespace")} for i in items]
    columns = namespaced_columns(HUB_RUN_LIST_COLUMNS, all_namespaces, path="namespace")
    empty = output.no_resources(None if all_namespaces else ns)
    output.emit(
        rows, fmt, columns, name=lambda r: output.kind_ref(PLACEMENT_V1, str(r["kind"]), r["name"]), empty=empty
    )


if TYPE_CHECKING:
    HubRunNames = list[str] | None
else:
    HubRunNames = delete_many.names_argument(HubRunName, note=STAGED_DELETE_NOTE)


@app.command("delete")
@on_fleet
@on_hub
@on_staged_delete
def rollout_delete(
    names: HubRunNames = None,
    namespace: RunNamespace = None,
    selector: flag_types.Selector = None,
    all_: delete_many.AllRuns = False,
    all_namespaces: delete_many.AllNamespaces = False,
    arm: ArmFlags = ArmFlags(),
    delete: opts.DeleteFlags = opts.DeleteFlags(),
    hub: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Delete update runs (ARM with --fleet, else the hub's staged update runs: NAME..., -l or --all)."""
    from akscli.fleet.armclient import UPDATE_RUN

    action = "fleet rollout delete"
    refuse_namespace_on_arm(arm, namespace, all_namespaces)
    delete_staged(UPDATE_RUN, names or [], namespace, arm, hub, action, delete, (selector, all_, all_namespaces))
