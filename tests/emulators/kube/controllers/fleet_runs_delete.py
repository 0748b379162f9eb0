"""The deletion stage of a staged update run in the KubeFleet hub simulator (part of
fleet_runs.StagedRuns): once every update stage is done, the bindings of members no longer
scheduled are deleted and each member is marked as its binding goes; a stopped run stops the stage
(upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/execution.go
executeDeleteStage, stop.go stopDeleteStage)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.emulators.kube.controllers import fleet_bindings
from tests.emulators.kube.controllers.fleet_runs_common import (
    P1,
    RUN_LABEL,
    STAGE_STOPPED,
    STAGE_STOPPING,
    Cond,
    _now,
    conds_of,
    set_cond,
)
from tests.emulators.kube.controllers.fleet_runs_init import to_be_deleted


class RunDeletion:
    """Mixed into fleet_runs.StagedRuns, whose state and stage helpers it uses."""

    updated: dict[tuple[str | None, str], set[str]]
    rolled: dict[tuple[str | None, str], dict[str, str]]
    run_overrides: dict[tuple[str | None, str], dict[str, tuple[list[str], list[dict[str, str]]]]]
    cond: Cond
    # Provided by StagedRuns.
    _placement_of: Callable[[Any, Any], dict[str, Any] | None]
    _stage_cond: Callable[[dict[str, Any], bool, str, str, int], None]
    _stage_succeeded: Callable[[dict[str, Any], int], None]

    def _delete_stage(self, cluster: Any, run: dict[str, Any], status: dict[str, Any], gen: int) -> bool:
        """executeDeleteStage (execution.go), once every stage is done: a member with a binding to
        delete that has not started has it deleted and is marked Started; a started one waits while
        its binding is being deleted (the work generator's finalizer, fleet_bindings); a member with
        no such binding left is marked Succeeded; the stage succeeds once none is left. True then."""
        stage = status.get("deletionStageStatus")
        if stage is None:
            return True
        placement = self._placement_of(cluster, run)
        left = to_be_deleted(cluster, placement) if placement is not None else {}
        stage.setdefault("startTime", _now())
        self._stage_cond(stage, True, "StageUpdatingStarted", "Clusters in the stage started updating", gen)
        key = (run["metadata"].get("namespace"), (run.get("spec") or {}).get("placementName", ""))
        started = self.cond("Started", True, "ClusterUpdatingStarted", "Cluster update started", gen)
        for entry in stage["clusters"]:
            member = entry["clusterName"]
            if member in left:
                if conds_of(entry).get("Started", {}).get("status") == "True":
                    continue
                for binding in left[member]:
                    if not fleet_bindings.deleting(binding):
                        fleet_bindings.delete(cluster, binding)
                # The member is no longer bound (the simulator's memory of it).
                self.updated.get(key, set()).discard(member)
                self.rolled.get(key, {}).pop(member, None)
                self.run_overrides.get(key, {}).pop(member, None)
                entry["conditions"] = set_cond(entry.get("conditions") or [], started)
            else:
                self._deleted(entry, gen)
        if left:
            return False
        self._stage_succeeded(stage, gen)
        return True

    def _deleted(self, entry: dict[str, Any], gen: int) -> None:
        """markClusterUpdatingStarted (where not yet) and markClusterUpdatingSucceeded: a member of
        the deletion stage whose binding is gone."""
        if conds_of(entry).get("Started", {}).get("status") != "True":
            entry["conditions"] = set_cond(
                entry.get("conditions") or [],
                self.cond("Started", True, "ClusterUpdatingStarted", "Cluster update started", gen),
            )
        entry["conditions"] = set_cond(
            entry["conditions"],
            self.cond("Succeeded", True, "ClusterUpdatingSucceeded", "Cluster update completed successfully", gen),
        )

    def _stop_delete_stage(self, cluster: Any, run: dict[str, Any], status: dict[str, Any], gen: int) -> bool:
        """stopDeleteStage (stop.go), once every update stage is done: the deletion stage is
        Stopping; a member whose binding is gone is marked Succeeded, one whose binding is still
        there (being deleted, or not deleted yet) is left as it is; the stage is Stopped once no
        member is Started and not Succeeded. True while bindings to delete are left: the run stays
        Stopping until none is (stop returns finished only then)."""
        stage = status["deletionStageStatus"]
        placement = self._placement_of(cluster, run)
        left = to_be_deleted(cluster, placement) if placement is not None else {}
        stage["conditions"] = set_cond(
            stage.get("conditions") or [],
            self.cond("Progressing", None, "StageUpdatingStopping", STAGE_STOPPING, gen),
        )
        for entry in stage["clusters"]:
            if entry["clusterName"] not in left:
                self._deleted(entry, gen)
        in_flight = any(
            conds_of(e).get("Started", {}).get("status") == "True"
            and conds_of(e).get("Succeeded", {}).get("status") != "True"
            for e in stage["clusters"]
        )
        if not in_flight:
            self._stage_cond(stage, False, "StageUpdatingStopped", STAGE_STOPPED, gen)
        return bool(left)

    def run_deleted(self, cluster: Any, run: dict[str, Any]) -> None:
        """A deleted run takes its approval requests with it: DeleteAllOf the (Cluster)ApprovalRequests
        labelled kubernetes-fleet.io/targetUpdateRun=<run> (in its namespace). Upstream does it under the
        run's finalizer kubernetes-fleet.io/stagedupdaterun-finalizer before the run goes; the simulator
        adds no finalizer, so the requests go just after it (upstream: kubefleet-dev/kubefleet e160c1cd
        pkg/controllers/updaterun/controller.go handleDelete; apis/placement/v1beta1/commons.go)."""
        meta = run["metadata"]
        namespace = meta.get("namespace")
        kind = "ApprovalRequest" if namespace else "ClusterApprovalRequest"
        for request in cluster.list(P1, kind, namespace, f"{RUN_LABEL}={meta['name']}"):
            cluster.delete(P1, kind, namespace, request["metadata"]["name"])
