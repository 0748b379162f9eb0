"""Staged update runs of the KubeFleet hub simulator, as kubefleet-dev/kubefleet runs them.

Each behaviour follows a file of (upstream:) kubefleet-dev/kubefleet e160c1cd
``pkg/controllers/updaterun`` (Azure/fleet 942238f3 has the same code):

* controller.go: Initialized False for the run's generation is final (no retry); a finished run
  (Succeeded True or False) is left alone; ``spec.state`` Initialize only initializes, Run
  executes, Stop stops.
* initialization.go: the run needs the placement (External strategy), its latest policy snapshot,
  that snapshot fully scheduled, scheduled bindings, and, when it names a resource snapshot
  index, a snapshot of that index (getResourceSnapshotObjs, upstream kubefleet-dev/kubefleet
  pkg/controllers/updaterun/initialization.go); each failure is final, with the message
  ``cannot continue the updateRun: failed to validate the updateRun: <why>``. Stages take the
  scheduled members by label selector, sorted by ``sortingLabelKey``; approval requests are
  named ``<run>-before-<stage>`` / ``<run>-after-<stage>`` (apis/placement/v1beta1/commons.go).
* execution.go: a member is updated by binding it; it is done when its placement status is
  Available; a member that never gets there does not fail the run -- after
  ``updateRunStuckThreshold`` (5 minutes, ``stuck_after`` here; on the simulator's clock,
  fleet_conditions.Clock, which a test moves on with ``advance`` rather than shortening it) the run
  gets Progressing=False, reason UpdateRunStuck, and Progressing=True again once no member is
  stuck (aggregateUpdateRunStatus). After a stage: Progressing=False UpdateRunWaiting while
  after-stage tasks run, stuck before or not (handleStageCompletion); TimedWait counts from then
  and only ever writes WaitTimeElapsed=True. Its waitTime is scaled by ``wait_scale`` (0 in most
  tests) and counted on the simulator's clock (upstream: kubefleet-dev/kubefleet
  pkg/controllers/updaterun/execution.go).
* The deletion stage (initialization.go collectScheduledClusters, execution.go
  executeDeleteStage): the members whose binding is Unscheduled when the run initializes; once
  every stage is done their bindings are deleted, each member Started and then Succeeded, and
  the run succeeds when none is left.
* validation.go: every pass after initialization first validates the run; its placement gone
  (validatePlacement, initialization.go: ``parent placement not found``) fails it for good with
  recordUpdateRunFailed (controller.go): Progressing and Succeeded False, reason UpdateRunFailed,
  Succeeded's message ``cannot continue the updateRun: failed to validate the updateRun: failed
  to process the request due to a client error: parent placement not found``.
* stop.go: a run told to Stop starts no member; it is Stopping (Progressing=Unknown, reason
  UpdateRunStopping; its updating stage Progressing=Unknown, StageUpdatingStopping) while the
  members that had started updating finish (or get stuck, as in execution.go), and Stopped
  (Progressing=False, UpdateRunStopped; the stage StageUpdatingStopped) once none is in flight
  (controller.go recordUpdateRunStopped). State Run resumes it. A run stopped once every update
  stage is done stops its deletion stage (stopDeleteStage): it deletes nothing more, marks the
  members whose binding is gone Succeeded, and stays Stopping while a binding to delete is left.
* The deletion stage waits while a binding is being deleted (the work generator's finalizer,
  fleet_bindings), looking again after clusterUpdatingWaitTime (1 s here).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers.fleet_conditions import Clock, write_status
from tests.emulators.kube.controllers.fleet_runs_common import (
    ABORTED,
    CLUSTER_UPDATING_WAIT,
    LATEST_LABEL,
    P1,
    RUN_LABEL,
    STAGE_LABEL,
    STAGE_STOPPED,
    STAGE_STOPPING,
    STOPPING,
    STUCK,
    TASK_TYPE_LABEL,
    USER_ERROR,
    WAITING,
    Cond,
    _current,
    _now,
    conds_of,
    set_cond,
    stuck_clusters,
)
from tests.emulators.kube.controllers.fleet_runs_delete import RunDeletion
from tests.emulators.kube.controllers.fleet_runs_init import RunInitialization

# upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/condition/reason.go UpdateRunFailedReason
REASON_FAILED = "UpdateRunFailed"


def _at_generation(status: dict[str, Any], generation: int) -> dict[str, Any]:
    """updateAllStatusConditionsGeneration, the first step of every Reconcile: every condition of the
    run, its stages (the deletion stage too), their tasks and members takes the run's generation as
    its observedGeneration, so a spec change (a new state) leaves Initialized False final and finished
    runs finished (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go
    Reconcile, updateAllStageStatusConditionsGeneration)."""
    stages = [
        *(status.get("stagesStatus") or []),
        *([status["deletionStageStatus"]] if status.get("deletionStageStatus") else []),
    ]
    holders = [status, *stages]
    for stage in stages:
        holders += [*(stage.get("beforeStageTaskStatus") or []), *(stage.get("afterStageTaskStatus") or [])]
        holders += stage.get("clusters") or []
    for holder in holders:
        for cond in holder.get("conditions") or []:
            cond["observedGeneration"] = generation
    return status


# upstream: kubefleet-dev/kubefleet pkg/controllers/updaterun/controller.go (initialize, execute, delete)
class StagedRuns(RunDeletion, RunInitialization):
    """The update-run half of the hub simulator (mixed into FleetHubController)."""

    delay: float
    wait_scale: float
    stuck_after: float
    updated: dict[tuple[str | None, str], set[str]]
    rolled: dict[tuple[str | None, str], dict[str, str]]
    run_overrides: dict[tuple[str | None, str], dict[str, tuple[list[str], list[dict[str, str]]]]]
    selected_resources: Callable[[Any, dict[str, Any]], list[dict[str, Any]]]
    selected_objects: Callable[[Any, list[dict[str, Any]]], list[dict[str, Any]]]
    _scheduled: dict[tuple[str | None, str], int]
    _run_clock: dict[tuple[str, str, str], float]

    cond: Cond
    # Provided by FleetHubController (and Controller): _members, place, requeue, policy_snapshot.
    _members: Callable[[Any], dict[str, dict[str, Any]]]
    place: Callable[[Any, dict[str, Any]], None]
    requeue: Callable[[dict[str, Any], float], None]
    policy_snapshot: Callable[[Mapping[str, Any]], str | None]

    def run(self, cluster: Any, run: dict[str, Any]) -> None:
        meta = run["metadata"]
        run = cluster.get(run["apiVersion"], run["kind"], meta.get("namespace"), meta["name"]) or run
        generation = int(run["metadata"].get("generation") or 1)
        status = _at_generation(copy.deepcopy(run.get("status") or {}), generation)
        conds = conds_of(status)
        if _current(conds.get("Initialized"), generation, "False"):
            return
        if conds.get("Initialized", {}).get("status") != "True":
            status = self._initialize(cluster, run, generation)
            if not self._write(cluster, run, status) or conds_of(status)["Initialized"]["status"] != "True":
                return
        if conds_of(status).get("Succeeded", {}).get("status") in ("True", "False"):
            return
        if self._placement_of(cluster, run) is None:
            # validation.go validate -> validatePlacement (initialization.go): a placement gone
            # since the run was initialized fails the run for good, whatever its state.
            self._fail(status, ABORTED + USER_ERROR + "parent placement not found", generation)
            self._write(cluster, run, status)
            return
        state = (run.get("spec") or {}).get("state", "Initialize")
        if state not in ("Run", "Stop"):
            return
        step = self._stop if state == "Stop" else self._execute
        again = step(cluster, run, status, generation)
        if self._write(cluster, run, status) and again is not None:
            self.requeue(run, again)

    def _fail(self, status: dict[str, Any], message: str, gen: int) -> None:
        """recordUpdateRunFailed (controller.go): Progressing and Succeeded False, reason
        UpdateRunFailed; the stages keep the status they had."""
        aborted = "The stages are aborted due to a non-recoverable error"
        conditions = set_cond(
            status.get("conditions") or [], self.cond("Progressing", False, REASON_FAILED, aborted, gen)
        )
        status["conditions"] = set_cond(conditions, self.cond("Succeeded", False, REASON_FAILED, message, gen))

    def placement_deleted(self, cluster: Any, placement: Mapping[str, Any]) -> None:
        """Reconcile the runs of a deleted placement. Upstream does not watch placements for runs:
        a run waiting on a gate or on members is requeued (stageUpdatingWaitTime 60 s,
        clusterUpdatingWaitTime 15 s, execution.go) and fails at that pass; here at once."""
        meta = placement.get("metadata") or {}
        kind = "StagedUpdateRun" if meta.get("namespace") else "ClusterStagedUpdateRun"
        for run in cluster.list(P1, kind, meta.get("namespace")):
            if (run.get("spec") or {}).get("placementName") == meta.get("name"):
                self.requeue(run, self.delay)

    def _write(self, cluster: Any, run: dict[str, Any], status: dict[str, Any]) -> bool:
        """recordUpdateRunStatus and the record* writes: Status().Update of the run as this pass read
        it; False where another writer came between: the 409 (NewUpdateIgnoreConflictError) ends
        the pass and the run is requeued, its next pass computing the status from a fresh read
        (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go
        recordUpdateRunStatus, recordUpdateRunSucceeded, recordUpdateRunFailed; initialization.go)."""
        return write_status(cluster, run, status, lambda: self.requeue(run, self.delay))

    # ---- execution.go ------------------------------------------------------------------------

    def _execute(self, cluster: Any, run: dict[str, Any], status: dict[str, Any], gen: int) -> float | None:
        """One pass; the delay before the next, or None when waiting on a person or finished."""
        conditions = status.get("conditions") or []
        progressing = conds_of(status).get("Progressing")
        if not (progressing and progressing.get("reason") in ("UpdateRunWaiting", "UpdateRunStuck")):
            conditions = set_cond(
                conditions,
                self.cond("Progressing", True, "UpdateRunProgressing", "The update run is making progress", gen),
            )
        status["conditions"] = conditions
        for stage in status.get("stagesStatus") or []:
            if conds_of(stage).get("Succeeded", {}).get("status") == "True":
                continue
            stage.setdefault("startTime", _now())
            if not stage["clusters"]:
                self._stage_done(
                    stage, gen, "StageUpdatingSkippedNoClusters", "Stage skipped because it has no clusters"
                )
                return self.delay
            for task in stage.get("beforeStageTaskStatus") or []:
                if task["type"] == "Approval" and not self._approval(cluster, run, stage, task, "beforeStage", gen):
                    self._stage_cond(
                        stage,
                        False,
                        "StageUpdatingWaiting",
                        "Not all before-stage tasks are completed, waiting for approval",
                        gen,
                    )
                    self._run_waiting(status, WAITING.format(when="before-stage", stage=stage["stageName"]), gen)
                    return None
            progress = self._update_clusters(cluster, run, status, stage, gen)
            if progress == "waiting":
                # Members are updating: look again later, as upstream requeues after
                # clusterUpdatingWaitTime (15 s, execution.go), here 1 s.
                return CLUSTER_UPDATING_WAIT
            if progress == "progressed":
                return self.delay
            return self._after_stage(cluster, run, status, stage, gen)
        if not self._delete_stage(cluster, run, status, gen):
            # Bindings are being deleted: look again after clusterUpdatingWaitTime (execution.go).
            return CLUSTER_UPDATING_WAIT
        status["conditions"] = set_cond(
            set_cond(
                status["conditions"],
                self.cond("Progressing", False, "UpdateRunSucceeded", "All stages are completed", gen),
            ),
            self.cond("Succeeded", True, "UpdateRunSucceeded", "All stages are completed successfully", gen),
        )
        return None

    def _update_clusters(
        self, cluster: Any, run: dict[str, Any], status: dict[str, Any], stage: dict[str, Any], gen: int
    ) -> str:
        """executeUpdatingStage: start members up to maxConcurrency; 'done' once all are,
        'progressed' when a member started or finished in this pass, else 'waiting'."""
        moved = False
        key = (run["metadata"].get("namespace"), (run.get("spec") or {}).get("placementName", ""))
        limit = self._max_concurrency(status, stage)
        busy, done, stuck = 0, 0, []
        for entry in stage["clusters"]:
            if busy >= limit:
                break
            conds = conds_of(entry)
            if conds.get("Succeeded", {}).get("status") == "True":
                done += 1
                continue
            busy += 1
            if conds.get("Started", {}).get("status") != "True":
                self.updated.setdefault(key, set()).add(entry["clusterName"])
                index = str(status.get("resourceSnapshotIndexUsed", "0"))
                self.rolled.setdefault(key, {})[entry["clusterName"]] = index
                # execution.go: the binding takes the override snapshots the run recorded for it.
                self.run_overrides.setdefault(key, {})[entry["clusterName"]] = (
                    list(entry.get("clusterResourceOverrideSnapshots") or []),
                    list(entry.get("resourceOverrideSnapshots") or []),
                )
                self._run_clock[(run["metadata"]["name"], stage["stageName"], entry["clusterName"])] = Clock.monotonic()
                entry["conditions"] = set_cond(
                    entry.get("conditions") or [],
                    self.cond("Started", True, "ClusterUpdatingStarted", "Cluster update started", gen),
                )
                self._stage_cond(stage, True, "StageUpdatingStarted", "Clusters in the stage started updating", gen)
                self._replace(cluster, run)
                moved = True
                continue
            outcome = self._check_member(cluster, run, stage, entry, gen)
            if outcome == "done":
                done += 1
                busy -= 1
                moved = True
            elif outcome == "stuck":
                stuck.append(entry["clusterName"])
        self._aggregate(status, stage, stuck, gen, (run.get("spec") or {}).get("state"))
        if done == len(stage["clusters"]):
            return "done"
        return "progressed" if moved else "waiting"

    def _check_member(
        self, cluster: Any, run: dict[str, Any], stage: dict[str, Any], entry: dict[str, Any], gen: int
    ) -> str:
        """checkClusterUpdateResult for a member that started updating: 'done' (marked
        Succeeded) once its placement status is Available, 'stuck' past the threshold, else
        'updating'."""
        if self._member_available(cluster, run, entry["clusterName"]):
            entry["conditions"] = set_cond(
                entry["conditions"],
                self.cond("Succeeded", True, "ClusterUpdatingSucceeded", "Cluster update completed successfully", gen),
            )
            return "done"
        clock = (run["metadata"]["name"], stage["stageName"], entry["clusterName"])
        if Clock.monotonic() - self._run_clock.get(clock, Clock.monotonic()) > self.stuck_after:
            return "stuck"
        return "updating"

    def _aggregate(
        self, status: dict[str, Any], stage: dict[str, Any], stuck: list[str], gen: int, state: str | None
    ) -> None:
        """aggregateUpdateRunStatus (execution.go): Progressing=False UpdateRunStuck while a member is
        stuck, else -- for a run in state Run -- Progressing=True again: a stuck run recovers once
        its members finish (stop.go calls it too, and a stopping run stays Stopping)."""
        if stuck:
            message = STUCK.format(clusters=stuck_clusters(stuck), stage=stage["stageName"])
            status["conditions"] = set_cond(
                status["conditions"], self.cond("Progressing", False, "UpdateRunStuck", message, gen)
            )
        elif state == "Run":
            status["conditions"] = set_cond(
                status["conditions"],
                self.cond("Progressing", True, "UpdateRunProgressing", "The update run is making progress", gen),
            )

    # ---- stop.go -----------------------------------------------------------------------------

    def _stop(self, cluster: Any, run: dict[str, Any], status: dict[str, Any], gen: int) -> float | None:
        """stop and stopUpdatingStage: Stopping while started members finish, then Stopped."""
        status["conditions"] = set_cond(
            status.get("conditions") or [], self.cond("Progressing", None, "UpdateRunStopping", STOPPING, gen)
        )
        stages = status.get("stagesStatus") or []
        stage = next((s for s in stages if conds_of(s).get("Succeeded", {}).get("status") != "True"), None)
        if stage is not None:
            stage["conditions"] = set_cond(
                stage.get("conditions") or [],
                self.cond("Progressing", None, "StageUpdatingStopping", STAGE_STOPPING, gen),
            )
            updating, stuck = 0, []
            for entry in stage["clusters"]:
                conds = conds_of(entry)
                if conds.get("Started", {}).get("status") != "True" or "Succeeded" in conds:
                    continue  # not started, or already finished
                outcome = self._check_member(cluster, run, stage, entry, gen)
                if outcome != "done":
                    updating += 1
                if outcome == "stuck":
                    stuck.append(entry["clusterName"])
            self._aggregate(status, stage, stuck, gen, (run.get("spec") or {}).get("state"))
            if updating:
                return CLUSTER_UPDATING_WAIT
            self._stage_cond(stage, False, "StageUpdatingStopped", STAGE_STOPPED, gen)
        elif status.get("deletionStageStatus") is not None and self._stop_delete_stage(cluster, run, status, gen):
            return CLUSTER_UPDATING_WAIT
        status["conditions"] = set_cond(
            status["conditions"],
            self.cond("Progressing", False, "UpdateRunStopped", "The update run has been stopped", gen),
        )
        return None

    def _after_stage(
        self, cluster: Any, run: dict[str, Any], status: dict[str, Any], stage: dict[str, Any], gen: int
    ) -> float | None:
        """handleStageCompletion and checkAfterStageTasksStatus."""
        self._run_waiting(status, WAITING.format(when="after-stage", stage=stage["stageName"]), gen)
        self._stage_cond(
            stage,
            False,
            "StageUpdatingWaiting",
            "All clusters in the stage are updated, waiting for after-stage tasks to complete",
            gen,
        )
        wait_left: float | None = None
        passed = True
        clock = (run["metadata"]["name"], stage["stageName"], "")
        started = self._run_clock.setdefault(clock, Clock.monotonic())
        for task in stage.get("afterStageTaskStatus") or []:
            if task["type"] == "TimedWait":
                left = self._wait_seconds(status, stage) * self.wait_scale - (Clock.monotonic() - started)
                if left > 0:
                    passed, wait_left = False, left
                else:
                    task["conditions"] = set_cond(
                        task.get("conditions") or [],
                        self.cond("WaitTimeElapsed", True, "AfterStageTaskWaitTimeElapsed", "Wait time elapsed", gen),
                    )
            elif not self._approval(cluster, run, stage, task, "afterStage", gen):
                passed = False
        if not passed:
            return wait_left
        status["conditions"] = set_cond(
            status["conditions"],
            self.cond("Progressing", True, "UpdateRunProgressing", "The update run is making progress", gen),
        )
        self._stage_succeeded(stage, gen)
        return self.delay

    def _stage_done(self, stage: dict[str, Any], gen: int, reason: str, message: str) -> None:
        stage.setdefault("endTime", _now())
        self._stage_cond(stage, False, reason, message, gen)
        stage["conditions"] = set_cond(stage["conditions"], self.cond("Succeeded", True, reason, message, gen))

    def _stage_cond(self, stage: dict[str, Any], ok: bool, reason: str, message: str, gen: int) -> None:
        stage["conditions"] = set_cond(
            stage.get("conditions") or [], self.cond("Progressing", ok, reason, message, gen)
        )

    def _stage_succeeded(self, stage: dict[str, Any], gen: int) -> None:
        """markStageUpdatingSucceeded (execution.go), for an update stage and the deletion stage alike:
        the end time where none is set, Progressing False and Succeeded True, reason
        StageUpdatingSucceeded."""
        stage.setdefault("endTime", _now())
        self._stage_cond(
            stage,
            False,
            "StageUpdatingSucceeded",
            "All clusters in the stage are updated and after-stage tasks are completed",
            gen,
        )
        stage["conditions"] = set_cond(
            stage["conditions"],
            self.cond("Succeeded", True, "StageUpdatingSucceeded", "Stage update completed successfully", gen),
        )

    def _run_waiting(self, status: dict[str, Any], message: str, gen: int) -> None:
        """markUpdateRunWaiting (execution.go): set whatever the run was, Stuck included."""
        status["conditions"] = set_cond(
            status["conditions"], self.cond("Progressing", False, "UpdateRunWaiting", message, gen)
        )

    def _approval(
        self, cluster: Any, run: dict[str, Any], stage: dict[str, Any], task: dict[str, Any], task_type: str, gen: int
    ) -> bool:
        """handleStageApprovalTask: create the request, then wait for Approved; accept it once."""
        if conds_of(task).get("ApprovalRequestApproved", {}).get("status") == "True":
            return True
        namespace = run["metadata"].get("namespace")
        kind = "ApprovalRequest" if namespace else "ClusterApprovalRequest"
        name = task["approvalRequestName"]
        request = cluster.get(P1, kind, namespace, name)
        if request is None:
            meta: dict[str, Any] = {
                "name": name,
                "labels": {
                    STAGE_LABEL: stage["stageName"],
                    RUN_LABEL: run["metadata"]["name"],
                    TASK_TYPE_LABEL: task_type,
                    LATEST_LABEL: "true",
                },
            }
            if namespace:
                meta["namespace"] = namespace
            body = {"parentStageRollout": run["metadata"]["name"], "targetStage": stage["stageName"]}
            cluster.create({"apiVersion": P1, "kind": kind, "metadata": meta, "spec": body})
            task["conditions"] = set_cond(
                task.get("conditions") or [],
                self.cond(
                    "ApprovalRequestCreated",
                    True,
                    "StageTaskApprovalRequestCreated",
                    "ApprovalRequest object is created",
                    gen,
                ),
            )
            return False
        # An Approved (and ApprovalAccepted) condition counts only with the request's generation as its
        # observedGeneration (pkg/utils/condition/condition.go IsConditionStatusTrue): one written
        # without it (0) leaves the gate closed. Once accepted, an approval holds even if Approved is
        # taken back ("Approved state should not change once the approval is accepted").
        rgen = int(request["metadata"].get("generation") or 1)
        rconds = conds_of(request.get("status") or {})
        approved = _current(rconds.get("Approved"), rgen, "True")
        accepted = _current(rconds.get("ApprovalAccepted"), rgen, "True")
        if not approved and not accepted:
            return False
        if approved and not accepted:
            accept = self.cond(
                "ApprovalAccepted",
                True,
                "ApprovalRequestApprovalAccepted",
                "The approval request has been approved and cannot be reverted",
                rgen,
            )
            # updateApprovalRequestAccepted: Status().Update of the request as read; a 409 ends the
            # pass (NewUpdateIgnoreConflictError) and the run is requeued (upstream: kubefleet-dev/
            # kubefleet e160c1cd pkg/controllers/updaterun/execution.go).
            conditions = set_cond((request.get("status") or {}).get("conditions") or [], accept)
            if not write_status(cluster, request, {"conditions": conditions}, lambda: self.requeue(run, self.delay)):
                return False
        task["conditions"] = set_cond(
            task.get("conditions") or [],
            self.cond(
                "ApprovalRequestApproved",
                True,
                "StageTaskApprovalRequestApproved",
                "ApprovalRequest object is approved",
                gen,
            ),
        )
        return True

    def _member_available(self, cluster: Any, run: Mapping[str, Any], member: str) -> bool:
        placement = self._placement_of(cluster, run)
        for entry in ((placement or {}).get("status") or {}).get("placementStatuses") or []:
            if entry.get("clusterName") == member:
                return conds_of(entry).get("Available", {}).get("status") == "True"
        return False

    def _placement_of(self, cluster: Any, run: Mapping[str, Any]) -> dict[str, Any] | None:
        namespace = run["metadata"].get("namespace")
        kind = "ResourcePlacement" if namespace else "ClusterResourcePlacement"
        found: dict[str, Any] | None = cluster.get(P1, kind, namespace, (run.get("spec") or {}).get("placementName"))
        return found

    def _replace(self, cluster: Any, run: Mapping[str, Any]) -> None:
        placement = self._placement_of(cluster, run)
        if placement is not None:
            self.place(cluster, placement)

    @staticmethod
    def _strategy_stage(status: Mapping[str, Any], stage: Mapping[str, Any]) -> Mapping[str, Any]:
        for item in (status.get("stagedUpdateStrategySnapshot") or {}).get("stages") or []:
            if item.get("name") == stage["stageName"]:
                return dict(item)
        return {}

    def _max_concurrency(self, status: Mapping[str, Any], stage: Mapping[str, Any]) -> int:
        """calculateMaxConcurrencyValue: a percentage rounds down, 1 at least."""
        value = self._strategy_stage(status, stage).get("maxConcurrency", 1)
        if isinstance(value, str) and value.endswith("%"):
            return max(1, len(stage["clusters"]) * int(value[:-1]) // 100)
        return max(1, int(value))

    def _wait_seconds(self, status: Mapping[str, Any], stage: Mapping[str, Any]) -> float:
        # waitTime is a metav1.Duration the CRD's pattern admits only as a Go duration
        # (kubefleet-dev/kubefleet config/crd/bases/placement.kubernetes-fleet.io_clusterstagedupdatestrategies
        # .yaml), read by time.ParseDuration
        from tests.emulators.kube.go_duration import seconds

        for task in self._strategy_stage(status, stage).get("afterStageTasks") or []:
            if task.get("type") == "TimedWait":
                return seconds(str(task.get("waitTime", "0s"))) or 0.0
        return 0.0

    def approval_changed(self, cluster: Any, request: dict[str, Any]) -> None:
        """An approval request changed: its run (spec.parentStageRollout, TargetUpdateRun) is looked
        at again when the request is approved for its generation (handleApprovalRequestUpdate,
        upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/controller.go; it
        compares the old object with the new, the emulator has the new one only)."""
        gen = int((request.get("metadata") or {}).get("generation") or 1)
        if _current(conds_of(request.get("status") or {}).get("Approved"), gen, "True"):
            self._requeue_run_of(cluster, request)

    def approval_deleted(self, cluster: Any, request: dict[str, Any]) -> None:
        """An approval request deleted: its run is looked at again, and so creates it again,
        unless the request had been approved and accepted (handleApprovalRequestDelete, same file:
        "We watch for ClusterApprovalRequest deletion events to recreate it ASAP")."""
        gen = int((request.get("metadata") or {}).get("generation") or 1)
        conds = conds_of(request.get("status") or {})
        if "Approved" in conds and _current(conds.get("ApprovalAccepted"), gen, "True"):
            return
        self._requeue_run_of(cluster, request)

    def _requeue_run_of(self, cluster: Any, request: Mapping[str, Any]) -> None:
        run_name = (request.get("spec") or {}).get("parentStageRollout")
        if not run_name:
            return
        namespace = request["metadata"].get("namespace")
        kind = "StagedUpdateRun" if namespace else "ClusterStagedUpdateRun"
        run = cluster.get(P1, kind, namespace, run_name)
        if run is not None:
            self.requeue(run, self.delay)
