"""Hub staged rollouts: (Cluster)StagedUpdateStrategy and -Run objects and their progress per
stage and member (answering their (Cluster)ApprovalRequests is fleet/approvals.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from akscli import timestamps, validate
from akscli.errors import AkscliError, ConflictError
from akscli.fleet import (
    BINDING,
    CRP,
    CSUR,
    CSUS,
    PARENT_PLACEMENT_LABEL,
    PLACEMENT_BETA,
    PLACEMENT_V1,
    RESOURCE_BINDING,
    RP,
    SUR,
    SUS,
    hub,
    runchecks,
)
from akscli.fleet.stages import StageSpec, hub_stages
from akscli.kube.client import Kube
from akscli.kube.readiness import fleet as fleet_rules
from akscli.kube.readiness import fleet_runs
from akscli.kube.readiness.core import READY, Readiness
from akscli.kube.readiness.core import describe as describe_condition
from akscli.kube.wait_report import failure_error
from akscli.kube.writes import Write
from akscli.output import object_ref

RUN_STATES = {"start": "Run", "stop": "Stop"}
# Spelled out: "stop" + "ed" printed "it cannot be stoped".
RUN_ACTIONS_DONE = {"start": "started", "stop": "stopped", "approve": "approved"}


def strategy_objects(name: str, namespace: str | None, specs: list[StageSpec]) -> list[dict[str, Any]]:
    from akscli import render

    validate.name(name, "strategy name")
    return render.render(
        "fleet/staged-strategy.yaml.j2",
        {
            "api_version": PLACEMENT_V1,
            "kind": SUS if namespace else CSUS,
            "name": name,
            "namespace": namespace,
            "stages": hub_stages(specs),
        },
    )


def typed_run_values(name: str, placement: str | None, strategy: str | None) -> None:
    """The hub run's values the user typed, checked before whether one is missing: ``fleet rollout
    create Demo`` is refused for its name, not for the --placement it lacks (kubectl validates a
    flag's value as it reads it, before the command runs: spf13/pflag flag.go)."""
    validate.name(name, "update run name")
    if placement:
        validate.subdomain(placement, "placement name")
    if strategy:
        validate.name(strategy, "strategy name")


def run_objects(
    name: str,
    namespace: str | None,
    placement: str,
    strategy: str,
    resource_index: str | None,
    start: bool,
) -> list[dict[str, Any]]:
    from akscli import render

    validate.name(name, "update run name")
    validate.subdomain(placement, "placement name")
    validate.name(strategy, "strategy name")
    if resource_index is not None:
        validate.integer(resource_index, "--resource-index", 0, 10**9)
    return render.render(
        "fleet/staged-run.yaml.j2",
        {
            "api_version": PLACEMENT_V1,
            "kind": SUR if namespace else CSUR,
            "name": name,
            "namespace": namespace,
            "placement": placement,
            "strategy": strategy,
            "resource_index": resource_index,
            "state": "Run" if start else "Initialize",
        },
    )


def ns_flag(namespace: str | None) -> str:
    """`` -n NS`` for a hint's command line on a namespaced run or strategy: without it the command
    reads the cluster-scoped kind, and finds nothing."""
    return f" -n {namespace}" if namespace else ""


def get_run(kube: Kube, name: str, namespace: str | None) -> dict[str, Any]:
    hint = "list runs with: akscli fleet rollout list" + (f" -n {namespace}" if namespace else "")
    return hub.read(kube, SUR if namespace else CSUR, name, namespace, hint)


def get_strategy(kube: Kube, name: str, namespace: str | None) -> dict[str, Any]:
    hint = "list strategies with: akscli fleet rollout strategy list" + (f" -n {namespace}" if namespace else "")
    return hub.read(kube, SUS if namespace else CSUS, name, namespace, hint)


def name_taken(error: AkscliError, obj: Mapping[str, Any]) -> AkscliError:
    """The API server's 409 AlreadyExists to the create of a staged update run or strategy
    (``rollout create`` and ``rollout strategy create`` POST it: ApplyOptions.create_only), as one
    line that names it and the delete that frees the name; any other error as it is. An apply over
    it had replaced a strategy's stages without a word, and set an existing run's spec.state (its
    placement, strategy and resource index are immutable: kubefleet-dev/kubefleet e160c1cd
    apis/placement/v1beta1/stageupdate_types.go UpdateRunSpec, CEL "self == oldSelf"). A
    conflict, exit 4, as the ARM creates' If-None-Match: * (FleetScope.create_new); akscli has no
    update of either, so the hint is a delete."""
    if error.reason != "AlreadyExists":
        return error
    meta = obj.get("metadata") or {}
    name, namespace = str(meta.get("name")), meta.get("namespace")
    strategy = obj.get("kind") in (CSUS, SUS)
    what = "staged update strategy" if strategy else "staged update run"
    where = f" in namespace {namespace}" if namespace else ""
    delete = f"akscli fleet rollout {'strategy ' if strategy else ''}delete {name}{ns_flag(namespace)} -y"
    hint = f"pick another name, or delete it first: {delete}"
    taken = ConflictError(f"{what} {name} already exists{where}", hint=hint)
    taken.reason = error.reason
    return taken


def require_new(kube: Kube, objects: Iterable[Mapping[str, Any]]) -> None:
    """Refuse a run whose name is taken before ``rollout create`` waits for its placement: the
    server's dry-run create answers AlreadyExists once validation and admission took the object
    (kube/create_check.py). Only a quick answer: the create itself is what refuses a name taken
    after this (ApplyOptions.create_only)."""
    for obj in objects:
        try:
            kube.create(obj, dry_run=True)
        except AkscliError as exc:
            taken = name_taken(exc, obj)
            if taken is exc:
                exc.message = f"{object_ref(obj)}: {exc.message}"  # as the plan names it
                raise
            raise taken from exc


def list_runs(
    kube: Kube, namespace: str | None, all_namespaces: bool = False, label_selector: str | None = None
) -> Iterator[dict[str, Any]]:
    """ClusterStagedUpdateRuns, StagedUpdateRuns, or with -A both, page by page (hub.list_scoped)."""
    return hub.list_scoped(kube, CSUR, SUR, namespace, all_namespaces, label_selector)


def list_strategies(
    kube: Kube, namespace: str | None, all_namespaces: bool = False, label_selector: str | None = None
) -> Iterator[dict[str, Any]]:
    """ClusterStagedUpdateStrategies, StagedUpdateStrategies, or with -A both, page by page
    (hub.list_scoped)."""
    return hub.list_scoped(kube, CSUS, SUS, namespace, all_namespaces, label_selector)


def run_state_write(kube: Kube, name: str, namespace: str | None, action: str) -> Write:
    """The patch that starts (Run) or stops (Stop) a staged update run through ``spec.state``
    (reads the run: one that has ended cannot be started or stopped)."""
    return run_state_change(kube, name, namespace, action)[0]


def run_state_change(kube: Kube, name: str, namespace: str | None, action: str) -> tuple[Write, bool]:
    """run_state_write's patch, and whether it changes the run: a run already in that state is
    left as it is (spec.state defaults to Initialize; upstream: kubefleet-dev/kubefleet e160c1cd
    apis/placement/v1beta1/stageupdate_types.go UpdateRunSpec.State)."""
    run = get_run(kube, name, namespace)
    refuse_finished(run, name, action)
    state = RUN_STATES[action]
    current = (run.get("spec") or {}).get("state") or "Initialize"
    if current == "Initialize" and state == "Stop":
        # The CRD refuses it: UpdateRunSpec's XValidation "invalid state transition: cannot transition
        # from Initialize to Stop" (upstream: kubefleet-dev/kubefleet e160c1cd
        # apis/placement/v1beta1/stageupdate_types.go; config/crd/bases/
        # placement.kubernetes-fleet.io_clusterstagedupdateruns.yaml). A run not started updates no
        # member, so there is nothing to stop.
        where = ns_flag(namespace)
        raise ConflictError(
            f"update run {name!r} has not started (state Initialize): it cannot be stopped, "
            "the hub takes no Initialize to Stop",
            hint=f"start it with: akscli fleet rollout start {name}{where}, "
            f"or drop it with: akscli fleet rollout delete {name}{where}",
        )
    return Write.patch(run, {"spec": {"state": state}}), current != state


def set_run_state(kube: Kube, name: str, namespace: str | None, action: str) -> dict[str, Any] | None:
    """Start (Run) or stop (Stop) a staged update run."""
    return run_state_write(kube, name, namespace, action).send(kube)


# ---- progress ---------------------------------------------------------------------------------


def _state(conds: Mapping[str, Mapping[str, Any]], done: str, started: str) -> tuple[str, str]:
    if done in conds and conds[done].get("status") == "True":
        return "Succeeded", ""
    if done in conds and conds[done].get("status") == "False":
        return "Failed", str(conds[done].get("message") or "")
    if started in conds:
        if conds[started].get("status") == "True":
            return "Running", ""
        return "Waiting", str(conds[started].get("message") or "")
    return "NotStarted", ""


def _timed_wait(stage: Mapping[str, Any], task: Mapping[str, Any], run: Mapping[str, Any]) -> tuple[str, str]:
    """A TimedWait task: upstream writes only WaitTimeElapsed=True; the wait runs from the moment
    the stage's members are all updated (Progressing=False, StageUpdatingWaiting), so the time left
    comes from that transition and the strategy snapshot's waitTime
    (kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/execution.go, handleStageCompletion
    and checkAfterStageTasksStatus). A stage waiting for its before-stage approval has the same
    Progressing reason (markStageUpdatingWaiting in execute): its after-stage wait has not begun
    until every member of the stage has Succeeded."""
    if hub.conditions(task).get("WaitTimeElapsed", {}).get("status") == "True":
        return "Elapsed", ""
    progressing = hub.conditions(stage).get("Progressing") or {}
    members_done = all(
        hub.conditions(c).get("Succeeded", {}).get("status") == "True" for c in stage.get("clusters") or []
    )
    if progressing.get("reason") != "StageUpdatingWaiting" or not members_done:
        return "NotStarted", ""
    snapshot = ((run.get("status") or {}).get("stagedUpdateStrategySnapshot") or {}).get("stages") or []
    spec: Mapping[str, Any] = next((s for s in snapshot if s.get("name") == stage.get("stageName")), {})
    wait = next((t.get("waitTime") for t in spec.get("afterStageTasks") or [] if t.get("type") == "TimedWait"), None)
    started = timestamps.epoch(progressing.get("lastTransitionTime"))
    if wait is None or started is None:
        return "Waiting", ""
    left = started + validate.duration(str(wait), "waitTime") - time.time()
    return "Waiting", f"{max(0, int(left))}s left of {wait}"


def _task_rows(stage: Mapping[str, Any], when: str, run: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    name = str(stage.get("stageName"))
    for task in stage.get(f"{when}StageTaskStatus") or []:
        conds = hub.conditions(task)
        kind = str(task.get("type"))
        if kind == "Approval":
            if conds.get("ApprovalRequestApproved", {}).get("status") == "True":
                state = "Approved"
            elif conds.get("ApprovalRequestCreated", {}).get("status") == "True":
                state = "WaitingForApproval"
            else:
                state = "NotStarted"
            detail = str(task.get("approvalRequestName") or "")
        else:
            state, detail = _timed_wait(stage, task, run)
        rows.append({"stage": name, "member": f"({when} {kind.lower()})", "state": state, "detail": detail})
    return rows


def run_rows(run: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The stages of a hub run, each followed by its gates and members, as table rows."""
    status = run.get("status") or {}
    rows: list[dict[str, Any]] = []
    stages = list(status.get("stagesStatus") or [])
    if status.get("deletionStageStatus"):
        stages.append(status["deletionStageStatus"])
    for stage in stages:
        name = str(stage.get("stageName"))
        state, message = _state(hub.conditions(stage), "Succeeded", "Progressing")
        reason = hub.conditions(stage).get("Progressing", {}).get("reason")
        if state == "Waiting" and reason in STAGE_STOP_STATES:
            state = STAGE_STOP_STATES[str(reason)]
        rows.append({"stage": name, "member": "", "state": state, "detail": message})
        rows += _task_rows(stage, "before", run)
        for cluster in stage.get("clusters") or []:
            cstate, cmsg = _state(hub.conditions(cluster), "Succeeded", "Started")
            rows.append(
                {
                    "stage": name,
                    "member": str(cluster.get("clusterName")),
                    "state": cstate,
                    "detail": cmsg,
                }
            )
        rows += _task_rows(stage, "after", run)
    if hub.conditions(status).get("Succeeded", {}).get("status") == "False":
        # A failed run's stages keep the status they had (kubefleet-dev/kubefleet e160c1cd
        # pkg/controllers/updaterun/controller.go recordUpdateRunFailed: "The stages are aborted due
        # to a non-recoverable error"): what was waiting or in flight will not move again.
        for row in rows:
            if row["state"] in IN_FLIGHT:
                row["state"], row["detail"] = "Aborted", "the run failed"
    return rows


# The row states of a stage, gate or member that a run still moves on from.
IN_FLIGHT = ("Running", "Waiting", "WaitingForApproval", "Stopping")


# The run states the hub never moves on from (Succeeded set True or False, or initialization failed).
FINISHED = ("Succeeded", "Failed", "InitializationFailed")


def refuse_finished(run: Mapping[str, Any], name: str, action: str) -> None:
    """One answer for start, stop and approve on a run the hub will not move again.

    upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go Reconcile:
    a run whose Initialized condition is False ("The updateRun has failed to initialize") or whose
    Succeeded condition is True or False ("The updateRun is finished") returns before execute or
    stop. The API server still takes the write (stageupdate_types.go has no rule against it), so
    a new spec.state or an approval would be accepted and then ignored. The run's state forbids
    the action: a conflict (exit 4), as ARM's "the current state does not allow" is
    (azure/armerrors.py)."""
    state = run_summary(run)["state"]
    if state in FINISHED:
        where = ns_flag((run.get("metadata") or {}).get("namespace"))
        raise ConflictError(
            f"update run {name!r} has finished ({state}): it cannot be {RUN_ACTIONS_DONE[action]}",
            hint=f"see why with: akscli fleet rollout status {name}{where}; to roll out again, create a new run",
        )


# Progressing reasons of a stopping or stopped stage: Unknown while the members that started
# updating finish, False once none is in flight (kubefleet-dev/kubefleet
# pkg/controllers/updaterun/stop.go, markStageUpdatingStopping/markStageUpdatingStopped).
STAGE_STOP_STATES = {"StageUpdatingStopping": "Stopping", "StageUpdatingStopped": "Stopped"}

# Progressing reasons of a run that is not moving, and what akscli calls them
# (kubefleet-dev/kubefleet pkg/utils/condition/reason.go; execution.go, stop.go). All are
# Progressing=False except UpdateRunStopping, which is Unknown (stop.go, markUpdateRunStopping).
RUN_PROGRESS_STATES = {
    "UpdateRunWaiting": "Waiting",
    "UpdateRunStuck": "Stuck",
    "UpdateRunStopping": "Stopping",
    "UpdateRunStopped": "Stopped",
}


def run_summary(run: Mapping[str, Any]) -> dict[str, Any]:
    conds = hub.conditions(run.get("status") or {})
    spec = run.get("spec") or {}
    progressing = conds.get("Progressing") or {}
    if conds.get("Initialized", {}).get("status") == "False":
        state, message = "InitializationFailed", str(conds["Initialized"].get("message") or "")
    elif conds.get("Succeeded", {}).get("status") in ("True", "False"):
        state, message = _state(conds, "Succeeded", "Progressing")
    elif progressing.get("status") in ("False", "Unknown") and progressing.get("reason") in RUN_PROGRESS_STATES:
        state, message = RUN_PROGRESS_STATES[str(progressing["reason"])], str(progressing.get("message") or "")
    elif progressing.get("status") == "True":
        state, message = "Running", ""
    elif conds.get("Initialized", {}).get("status") == "True":
        state, message = ("Stopped" if spec.get("state") == "Stop" else "Initialized"), ""
    else:
        state, message = "NotStarted", ""
    return {
        "name": (run.get("metadata") or {}).get("name"),
        "kind": run.get("kind"),
        "placement": spec.get("placementName"),
        "strategy": spec.get("stagedRolloutStrategyName"),
        "requested": spec.get("state", "Initialize"),
        "state": state,
        "message": message,
    }


# Why a run fails once its placement is deleted (upstream: kubefleet-dev/kubefleet e160c1cd
# pkg/controllers/updaterun/initialization.go validatePlacement, run by validation.go validate).
PLACEMENT_GONE = "parent placement not found"


def describe(summary: Mapping[str, Any]) -> str:
    """A run summary as one line: ``Running (placement P, strategy S): message``."""
    text = str(summary["message"] or "")
    if summary["state"] == "Failed" and text.endswith(PLACEMENT_GONE):
        text = (
            f"placement {summary['placement']} was deleted, so the run cannot go on (the hub: {PLACEMENT_GONE}); "
            "to roll out again, place it and create a new run"
        )
    message = f": {text}" if text else ""
    return f"{summary['state']} (placement {summary['placement']}, strategy {summary['strategy']}){message}"


def stuck_on_apply(run: Mapping[str, Any], placement: Mapping[str, Any]) -> list[str]:
    """The stuck members of a stuck run whose placement status names an object that failed to apply
    there: a failedPlacements entry whose condition is the manifest's Applied=False (kubefleet-dev/
    kubefleet pkg/controllers/workgenerator/controller.go, extractFailedResourcePlacementsFromWork).
    A member that is only slow (not Available yet) is not listed: the run goes on once it is."""
    stuck = fleet_runs.stuck_members(run)
    lines = []
    for entry in fleet_rules.cluster_statuses(placement):
        member = str(entry.get("clusterName"))
        if member not in stuck:
            continue
        failed = [
            item
            for item in entry.get("failedPlacements") or []
            if (item.get("condition") or {}).get("type") == "Applied"
            and (item.get("condition") or {}).get("status") == "False"
        ]
        for item in failed:
            kind, obj = item.get("kind") or "object", item.get("name")
            where = f"{item['namespace']}/{obj}" if item.get("namespace") else str(obj)
            message = (item.get("condition") or {}).get("message") or "failed to apply"
            lines.append(f"stage {stuck[member]}, member {member}: {kind} {where}: {message}")
    return lines


def fail_if_stuck_on_apply(kube: Kube, run: Mapping[str, Any]) -> None:
    """End the wait of a stuck run when a member it waits for failed to apply, as ``fleet place
    --wait`` ends on ApplyFailed; a run that is only slow is waited for (readiness/fleet.py)."""
    if not fleet_runs.stuck_members(run):
        return
    namespace = (run.get("metadata") or {}).get("namespace")
    placement = kube.get(
        PLACEMENT_V1, RP if namespace else CRP, str((run.get("spec") or {}).get("placementName")), namespace
    )
    lines = stuck_on_apply(run, placement or {})
    if lines:
        progressing = hub.conditions(run.get("status") or {}).get("Progressing") or {}
        reason = fleet_runs.UPDATE_RUN_STUCK
        stuck = fleet_runs.stuck_members(run)
        unserved = {
            kind: [m for m in members if m in stuck]
            for kind, members in fleet_rules.unserved_kinds(placement or {}).items()
            if any(m in stuck for m in members)
        }
        fix = fleet_rules.unserved_fix(unserved) if unserved else ""
        verdict = Readiness(False, True, describe_condition(progressing), reason, "; ".join(lines), fix=fix)
        raise failure_error(object_ref(run), verdict)


# ---- starting a run only once its placement is scheduled ---------------------------------------

# How long a run waits for its placement to be scheduled before it is created.
SCHEDULE_TIMEOUT = 300.0


def split_runs(objects: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(everything else, the staged update runs): a run must be created after its placement."""
    rest: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    for obj in objects:
        (runs if obj.get("kind") in (CSUR, SUR) else rest).append(obj)
    return rest, runs


def wait_until_scheduled(
    kube: Kube,
    runs: list[dict[str, Any]],
    timeout: float = SCHEDULE_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Wait until the placement of each run has scheduled bindings. The update run controller
    reads them once, when it initializes, and a run that finds none has failed for good
    (kubefleet-dev/kubefleet pkg/controllers/updaterun/initialization.go and controller.go)."""
    from akscli.kube.wait import wait_for

    placements = []
    for run in runs:
        namespace = (run.get("metadata") or {}).get("namespace")
        name = str((run.get("spec") or {}).get("placementName"))
        meta = {"name": name, **({"namespace": namespace} if namespace else {})}
        placements.append({"apiVersion": PLACEMENT_V1, "kind": RP if namespace else CRP, "metadata": meta})
    wait_for(kube, placements, timeout, progress, rule=_scheduled_or_removing(kube))
    runchecks.check_stages(kube, runs)


def _scheduled_or_removing(kube: Kube) -> Callable[[Mapping[str, Any]], Readiness]:
    """placement_scheduled, except that a placement scheduled onto no member is ready for a run
    when one of its bindings is Unscheduled: the run's deletion stage removes what was placed on
    that member. The run fails only when there are neither scheduled nor to-be-deleted bindings
    (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/initialization.go
    collectScheduledClusters; execution.go executeDeleteStage)."""

    def rule(placement: Mapping[str, Any]) -> Readiness:
        verdict = fleet_rules.placement_scheduled(placement)
        if verdict.failed and verdict.reason == "NoMatchingMember" and _has_unscheduled_binding(kube, placement):
            return READY
        return verdict

    return rule


def _has_unscheduled_binding(kube: Kube, placement: Mapping[str, Any]) -> bool:
    """Whether a (Cluster)ResourceBinding of the placement (by its parent-CRP label, as
    pkg/utils/controller/binding_resolver.go ListBindingsFromKey finds them) is Unscheduled."""
    meta = placement.get("metadata") or {}
    namespace = meta.get("namespace")
    bindings = kube.list(
        PLACEMENT_BETA,
        RESOURCE_BINDING if namespace else BINDING,
        namespace=namespace,
        label_selector=f"{PARENT_PLACEMENT_LABEL}={meta.get('name')}",
    )
    return any((b.get("spec") or {}).get("state") == "Unscheduled" for b in bindings)
