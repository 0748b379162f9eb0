"""Readiness of KubeFleet's staged update runs, placement evictions and member clusters, read as
the hub agent writes them (kubefleet-dev/kubefleet pkg/controllers/updaterun/controller.go,
pkg/controllers/clusterresourceplacementeviction/controller.go,
pkg/controllers/membercluster/v1beta1/membercluster_controller.go); the placements' own rules are
``readiness/fleet.py``, whose per-member condition reading the runs' stage rows share.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.kube.readiness.core import (
    READY,
    ConditionRule,
    Generation,
    Readiness,
    Rule,
    Terminal,
    conditions,
    current_conditions,
    describe,
    generation_of,
    stale,
    status_of,
)
from akscli.kube.readiness.fleet import GROUP, cluster_conditions

UPDATERUN_CONTROLLER = "kubefleet-dev/kubefleet pkg/controllers/updaterun/controller.go"

# Progressing=False reasons that need a person (pkg/controllers/updaterun/controller.go: a run whose
# Initialized or Succeeded is False for its generation is never reconciled again; stop.go: a stopped
# run stays stopped until its state is Run again). A stopping run (Progressing=Unknown,
# UpdateRunStopping, stop.go) is not final: its updating members are still finishing.
#
# UpdateRunStuck is not final either: execution.go marks a run stuck once a member has been updating
# for updateRunStuckThreshold (5 minutes), and aggregateUpdateRunStatus turns it back to Progressing
# as soon as no member is stuck. A member is stuck while its binding is not Available yet, which is
# also how a slow workload looks (a KAITO model pulling its image and weights takes longer than five
# minutes), so a wait goes on through Stuck and shows it (akscli fleet approve --wait ends early only
# when a stuck member failed to apply, rollout.stuck_failure).
RUN_TERMINAL = (
    Terminal("Initialized"),
    Terminal("Succeeded"),
    Terminal("Progressing", reasons=("UpdateRunStopped",)),
)
UPDATE_RUN_STUCK = "UpdateRunStuck"


def run_culprit(obj: Mapping[str, Any], cond: Mapping[str, Any]) -> str:
    """The stage and members behind a run's failure (members whose own condition is False), or
    behind a stuck run (members that started updating and have not finished, execution.go)."""
    stuck = cond.get("reason") == UPDATE_RUN_STUCK
    rows = []
    for stage in status_of(obj).get("stagesStatus") or []:
        for entry in stage.get("clusters") or []:
            conds = cluster_conditions(entry)
            where = f"stage {stage.get('stageName')}, member {entry.get('clusterName')}"
            failed = [c for c in conds.values() if c.get("status") == "False"]
            if failed:
                rows.append(f"{where}: {describe(failed[0])}")
            elif stuck and conds.get("Started", {}).get("status") == "True" and "Succeeded" not in conds:
                rows.append(f"{where}: updating since {conds['Started'].get('lastTransitionTime', '?')}")
    return "; ".join(rows)


UPDATE_RUN = ConditionRule(
    upstream=UPDATERUN_CONTROLLER,
    generation=Generation.CONDITIONS,
    ready=("Succeeded",),
    terminal=RUN_TERMINAL,
    culprit=run_culprit,
)


def stuck_members(obj: Mapping[str, Any]) -> dict[str, str]:
    """The members a stuck run waits for (Progressing=False UpdateRunStuck of the current
    generation), each with its stage: those that started updating and have not succeeded; empty
    when the run is not stuck."""
    progressing = current_conditions(obj, Generation.CONDITIONS).get("Progressing") or {}
    if progressing.get("status") != "False" or progressing.get("reason") != UPDATE_RUN_STUCK:
        return {}
    return {
        str(entry.get("clusterName")): str(stage.get("stageName"))
        for stage in status_of(obj).get("stagesStatus") or []
        for entry in stage.get("clusters") or []
        if cluster_conditions(entry).get("Started", {}).get("status") == "True"
        and "Succeeded" not in cluster_conditions(entry)
    }


def run_finished(obj: Mapping[str, Any]) -> bool:
    """Whether the hub agent is done with the run: Succeeded True or False for its generation ("The
    updateRun is finished"), or Initialized False ("has failed to initialize"); controller.go
    Reconcile returns at once for both. A stopped run is not finished: state Run resumes it."""
    current = current_conditions(obj, Generation.CONDITIONS)
    succeeded = (current.get("Succeeded") or {}).get("status")
    return succeeded in ("True", "False") or (current.get("Initialized") or {}).get("status") == "False"


def run_state(obj: Mapping[str, Any]) -> Readiness:
    """An update run's verdict: finished, failed for good (failed, stopped), or in progress; in
    progress, the message is the run's Progressing condition (Waiting, Stuck and why)."""
    verdict = UPDATE_RUN(obj)
    if verdict.ready or verdict.failed:
        return verdict
    progressing = current_conditions(obj, Generation.CONDITIONS).get("Progressing")
    if progressing is None:
        return verdict
    message = describe(progressing)
    if progressing.get("reason") == UPDATE_RUN_STUCK:
        message += f" ({run_culprit(obj, progressing)})"
    return Readiness(False, message=message)


def eviction(obj: Mapping[str, Any]) -> Readiness:
    """Executed=True; Valid=False or Executed=False is the hub's final word on an eviction
    (pkg/controllers/clusterresourceplacementeviction/controller.go never retries a finished one).
    Evictions are immutable, so their conditions name no generation that could move."""
    conds = conditions(obj)
    for ctype in ("Valid", "Executed"):
        cond = conds.get(ctype)
        if cond is not None and cond.get("status") == "False":
            return Readiness(False, True, str(cond.get("message") or describe(cond)), str(cond.get("reason") or ""))
    executed = conds.get("Executed")
    if executed is not None and executed.get("status") == "True":
        return READY
    return Readiness(False, message="waiting for the hub to judge the eviction")


def member_cluster(obj: Mapping[str, Any]) -> Readiness:
    """Joined=True for the current generation (pkg/controllers/membercluster/v1beta1/membercluster_controller.go)."""
    waiting = stale(obj, Generation.AUTO)
    if waiting is not None:
        return waiting
    joined = current_conditions(obj, Generation.AUTO).get("Joined")
    if joined is not None and joined.get("status") == "True":
        return READY
    if joined is None:
        return Readiness(False, message=f"waiting for the member to join (generation {generation_of(obj)})")
    return Readiness(False, message=describe(joined))


RULES: dict[tuple[str, str], Rule] = {
    (GROUP, "ClusterStagedUpdateRun"): run_state,
    (GROUP, "StagedUpdateRun"): run_state,
    (GROUP, "ClusterResourcePlacementEviction"): eviction,
    ("cluster.kubernetes-fleet.io", "MemberCluster"): member_cluster,
}
