"""``akscli fleet approve`` and ``akscli fleet gates``: the approvals a staged run waits for."""

import time
from contextlib import nullcontext
from typing import TYPE_CHECKING, Annotated

import typer

from akscli import output, validate
from akscli.cli import azopts, completers, flag_types
from akscli.cli import options as opts
from akscli.cli.fleet.common import (
    ArmFlags,
    RunNamespace,
    audit_arm,
    audit_hub,
    checked_namespace,
    on_fleet,
    on_hub,
    opt,
    refuse_namespace_on_arm,
    run_name,
    staged_name,
)
from akscli.errors import CheckFailedError, UsageError
from akscli.output import Column

if TYPE_CHECKING:
    from akscli.fleet.armclient import FleetScope
    from akscli.kube.client import Kube


# ---- approvals and gates ----------------------------------------------------------------------


@on_fleet
@on_hub
def approve(
    run: Annotated[
        str,
        typer.Argument(
            help="Update run whose pending approval to give; its line from rollout list -o name also works.",
            autocompletion=completers.hub_runs,
            callback=run_name,
        ),
    ],
    stage: Annotated[str | None, opt("--stage", help="Only the gate of this stage.")] = None,
    gate: Annotated[str | None, opt("--gate", help="ARM: approve this gate by name.")] = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="First wait for the gate if the run has not reached it yet (members still updating); then "
            "wait until the run asks for its next approval or ends, or not.",
        ),
    ] = False,
    timeout: flag_types.Timeout = "30m",
    namespace: RunNamespace = None,
    arm: ArmFlags = ArmFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    hub: opts.KubeFlags = opts.KubeFlags(),
    output_format: flag_types.DryRunOutput = "yaml",
) -> None:
    """Approve the pending gate of a run: ARM gates (--fleet) or hub (Cluster)ApprovalRequests.

    --dry-run reads which approvals are pending (as the real run does) and prints every request
    that would answer them; --wait is not followed.
    """
    fmt = opts.output_format(output_format, opts.DRY_RUN_FORMATS)
    mode = opts.dry_run_mode(dry_run)
    refuse_namespace_on_arm(arm, namespace)
    staged_name(arm, run, "update run name", param="run")
    if stage is not None:
        staged_name(arm, stage, "stage name")
    seconds = validate.duration(timeout, "--timeout")
    wait_for = seconds if wait else None
    if arm.fleet:
        if azopts.arm_dry_run(mode):
            _print_arm_approvals(arm.scope(), run, stage, gate, fmt)
            return
        # A gate's PATCH is bounded as every ARM wait is by default (azopts.ARM_TIMEOUT_DEFAULT);
        # this command's --timeout is --wait's, for the next gate.
        _approve_arm(arm.scope(azopts.ARM_TIMEOUT_DEFAULT), run, stage, gate, wait_for, fmt)
        return
    if gate:
        raise UsageError("--gate names ARM gates", hint="add --fleet NAME -g GROUP, or drop --gate")
    ns = checked_namespace(namespace, param="run")
    if mode != "none":
        from akscli.cli.common import dry_run_writes
        from akscli.fleet import approvals

        kube = hub.connect()
        pending = approvals.pending_for(kube, run, ns, stage)
        dry_run_writes(kube, [approvals.approval_write(kube, p.name, ns) for p in pending], mode, fmt)
        return
    _approve_hub(hub.connect(), run, ns, stage, wait_for, fmt)


def _approved(ref: str, line: str, fmt: str) -> None:
    """One answered approval: ``-o name`` prints its kind/NAME alone, as its --dry-run and kubectl's name
    printer do (k8s.io/cli-runtime pkg/printers/name.go), else the line saying what was approved."""
    output.write(ref if fmt == "name" else line)


def _approve_hub(
    kube: "Kube", run: str, namespace: str | None, stage: str | None, wait: float | None, fmt: str
) -> None:
    from akscli.fleet import AR, CAR, PLACEMENT_V1, approvals

    started = time.monotonic()
    # With --wait, a run whose members update before it asks for an approval is watched until it does.
    with output.status(f"waiting for an approval {run} asks for") if wait is not None else nullcontext():
        approved = approvals.approve_pending(kube, run, namespace, stage, wait)
    for item in approved:
        ref = output.kind_ref(PLACEMENT_V1, AR if namespace else CAR, item.name)
        _approved(ref, f"approved {item.name} (stage {item.stage})", fmt)
    answered = sorted({a.name for a in approved})
    audit_hub(kube, "fleet approve", [(f"approvalrequest/{n}", "approve") for n in answered])
    if any(a.held for a in approved):
        # A stopped run reads its approvals only once it runs again (approvals.run_stopped); until
        # then `fleet rollout status` still shows the gate waiting.
        where = f" -n {namespace}" if namespace else ""
        output.warn(
            f"update run {run} is stopped: it moves past the approved gate only once started again "
            f"(akscli fleet rollout start {run}{where})"
        )
    if wait is None:
        return
    with output.status(f"waiting for the next gate of {run}") as update:
        left = _left(wait, time.monotonic() - started)
        outcome, gates = approvals.wait_for_next_gate(
            kube, run, namespace, set(answered), left, on_event=lambda s: update(f"run {run}: {s}")
        )
    where = f" -n {namespace}" if namespace else ""
    _report_next(run, outcome, [f"{g.name} (stage {g.stage})" for g in gates], where, fmt)


def _print_arm_approvals(scope: "FleetScope", run: str, stage: str | None, gate: str | None, fmt: str) -> None:
    """--dry-run (client): the pending gates are read; the PATCH completing each is printed."""
    from functools import partial

    from akscli.azure import arm
    from akscli.fleet import arm_gates

    with arm.dry_run():
        pending = [str(g["name"]) for g in arm_gates.to_approve(scope, run, stage, gate)]
        requests = [azopts.captured_write(partial(arm_gates.complete, scope, name, run)) for name in pending]
    azopts.print_request(requests, fmt)


def _approve_arm(
    scope: "FleetScope", run: str, stage: str | None, gate: str | None, wait: float | None, fmt: str
) -> None:
    from akscli.azure import armretry
    from akscli.fleet import arm_gates
    from akscli.fleet.armclient import GATE

    started = armretry.clock()  # the ARM polls' clock (arm_run_status._waits)
    # With --wait, a run still upgrading members before its gate is waited on, as the hub's --wait does.
    with output.status(f"waiting for a gate of {run}") if wait is not None else nullcontext():
        approved = arm_gates.to_approve(scope, run, stage, gate, wait)
    for item in approved:
        # Each gate is its own ARM write: its own audit line, cut or not (audit_arm).
        with audit_arm(scope, "fleet approve", scope.ref(GATE, str(item["name"])), "approve"):
            arm_gates.complete(scope, str(item["name"]), run)
        _approved(output.named(GATE.ref)(item), f"approved gate {arm_gates.gate_label(item)}", fmt)
    answered = sorted(str(g["name"]) for g in approved)
    if wait is None:
        return
    left = _left(wait, armretry.clock() - started)
    with output.status(f"waiting for the next gate of {run}"):
        outcome, fresh = arm_gates.wait_for_next(scope, run, answered, left)
    _report_next(run, outcome, [arm_gates.gate_label(g) for g in fresh], scope.where, fmt)


def _left(wait: float, spent: float) -> float:
    """What is left of --timeout for the next gate's wait (one --timeout for both waits). A --timeout 0
    stays 0, the next gate checked once; a longer one the first wait used up leaves a moment, not 0,
    which would read as --timeout 0 (kube/wait_report.py once_error) and say so."""
    return 0.0 if wait == 0 else max(0.001, wait - spent)


def _report_next(run: str, outcome: str, gates: list[str], where: str = "", fmt: str = "yaml") -> None:
    # With -o name stdout holds the names alone; where the wait ended goes to stderr.
    say = output.info if fmt == "name" else output.write
    if outcome == "gate":
        say("next: " + ", ".join(gates))
    elif outcome == "done":
        say(f"update run {run} completed")
    else:
        hint = f"see why with: akscli fleet rollout status {run}{where}"
        raise CheckFailedError(f"update run {run} {outcome}", hint=hint)


GATE_COLUMNS = [
    Column("name", "name"),
    Column("run", "run"),
    Column("stage", "stage"),
    Column("group", "group"),
    Column("timing", "timing"),
    Column("state", "state"),
    Column("display name", "displayName", wide=True),
]


@opts.lists_no_kubernetes_objects
@on_fleet
def gates_list(
    run: Annotated[str | None, opt("--run", help="Only gates of this update run.")] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only gates waiting for approval.")] = False,
    arm: ArmFlags = ArmFlags(),
    output_format: opts.Output = "table",
) -> None:
    """List the approval gates of a fleet's update runs (ARM)."""
    from akscli.fleet import arm_gates
    from akscli.fleet import arm_run_status as logic
    from akscli.fleet.armclient import GATE

    fmt = opts.output_format(output_format)
    if run is not None:
        staged_name(arm, run, "--run")
    scope = arm.scope()
    # The ARM pager passed through: each gate becomes its text or its row as its page arrives
    # (output.emit), and a later page that fails prints nothing.
    gates = arm_gates.pending_in_fleet(scope) if pending else scope.each(GATE)
    chosen = (g for g in gates if logic.gate_matches(g, run, None))
    if output.structured(fmt):
        output.emit(chosen, fmt, [])
        return
    output.emit((logic.gate_row(g) for g in chosen), fmt, GATE_COLUMNS, name=output.named(GATE.ref))
