"""Initialization of a staged update run, as kubefleet-dev/kubefleet initializes it (see fleet_runs.py).

upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/initialization.go"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers import fleet_bindings
from tests.emulators.kube.controllers import fleet_snapshots as snapshots
from tests.emulators.kube.controllers.fleet_runs_common import (
    ABORTED,
    P1,
    USER_ERROR,
    _current,
    conds_of,
    resource_indexes,
)

# apis/placement/v1beta1/commons.go UpdateRunDeleteStageName
DELETE_STAGE = "kubernetes-fleet.io/deleteStage"


def to_be_deleted(cluster: Any, placement: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """collectScheduledClusters' toBeDeletedBindings by member: the Unscheduled bindings of
    ``placement``, being deleted or not (ListBindingsFromKey lists both)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for binding in fleet_bindings.all_bindings(cluster, placement):
        if binding["spec"].get("state") == "Unscheduled":
            found.setdefault(str(binding["spec"]["targetCluster"]), []).append(binding)
    return found


def unscheduled_members(cluster: Any, placement: Mapping[str, Any]) -> list[str]:
    """The members whose binding of ``placement`` is Unscheduled (being deleted or not), by name."""
    return sorted(to_be_deleted(cluster, placement))


class RunInitialization:
    """Update-run initialization (mixed into StagedRuns)."""

    _overrides_for: Callable[..., tuple[list[str], list[dict[str, str]]]]

    # ---- initialization.go -------------------------------------------------------------------

    def _initialize(self, cluster: Any, run: dict[str, Any], generation: int) -> dict[str, Any]:
        spec = run.get("spec") or {}
        namespace = run["metadata"].get("namespace")
        pkind = "ResourcePlacement" if namespace else "ClusterResourcePlacement"
        skind = "StagedUpdateStrategy" if namespace else "ClusterStagedUpdateStrategy"
        placement = cluster.get(P1, pkind, namespace, spec.get("placementName"))

        def failed(why: str) -> dict[str, Any]:
            cond = self.cond("Initialized", False, "UpdateRunInitializedFailed", ABORTED + why, generation)
            return {"conditions": [cond]}

        if placement is None:
            return failed(USER_ERROR + "parent placement not found")
        strategy_type = ((placement.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate")
        if strategy_type != "External":
            return failed(
                USER_ERROR
                + "parent placement does not have an external rollout strategy, current strategy: "
                + strategy_type
            )
        snapshot = self.policy_snapshot(placement)
        if snapshot is None:
            return failed("no latest policy snapshot found")
        pgen = int(placement["metadata"].get("generation") or 1)
        pconds = conds_of(placement.get("status") or {})
        if not _current(pconds.get(pkind + "Scheduled"), pgen, "True"):
            return failed(f"policy snapshot `{snapshot}` not fully scheduled yet")
        scheduled = [
            s["clusterName"]
            for s in (placement.get("status") or {}).get("placementStatuses") or []
            if s.get("clusterName") and conds_of(s).get("Scheduled", {}).get("status") == "True"
        ]
        ns = namespace or ""
        # collectScheduledClusters: an Unscheduled binding is to be deleted, by the deletion stage.
        to_delete = unscheduled_members(cluster, placement)
        if not scheduled and not to_delete:
            return failed(
                f"no scheduled or to-be-deleted bindings found for the latest policy snapshot {ns}/{snapshot}"
            )
        strategy = cluster.get(P1, skind, namespace, spec.get("stagedRolloutStrategyName"))
        if strategy is None:
            # types.NamespacedName.String(): "<namespace>/<name>", "/<name>" for a cluster-scoped one
            key = f"{namespace or ''}/{spec.get('stagedRolloutStrategyName')}"
            return failed(USER_ERROR + f"referenced updateStrategy not found: `{key}`")
        stages, problem = self._stages(cluster, run, strategy, scheduled)
        if problem:
            return failed(problem)
        index = str(spec.get("resourceSnapshotIndex") or "")
        if index:
            # getResourceSnapshotObjs (initialization.go), reached after the stages are computed.
            if not re.fullmatch(r"[+-]?[0-9]+", index) or int(index) < 0:
                return failed(
                    USER_ERROR + f"invalid resource snapshot index `{index}` provided, expected an integer >= 0"
                )
            if index not in resource_indexes(cluster, placement):
                return failed(
                    USER_ERROR + f"no resourceSnapshots with index `{int(index)}` found for placement "
                    f"`{ns}/{placement['metadata']['name']}`"
                )
        # recordOverrideSnapshots (upstream: kubefleet-dev/kubefleet pkg/controllers/updaterun/
        # initialization.go): the override snapshots that apply to each
        # member, which execution.go writes on its binding when it updates the member.
        # No index: the run snapshots what the placement selects now, or reuses the latest snapshot
        # of the same content (getResourceSnapshotObjs, GetOrCreateResourceSnapshot), before it
        # records the overrides that select what that snapshot holds (FetchAllMatchingOverridesForResourceSnapshot).
        # upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun/initialization.go,
        # pkg/utils/overrider/overrider.go.
        index = index or snapshots.get_or_create(
            cluster, placement, self.selected_objects(cluster, self.selected_resources(cluster, placement))
        )
        members = self._members(cluster)
        for stage in stages:
            for entry in stage["clusters"]:
                cros, ros = self._overrides_for(cluster, placement, members[entry["clusterName"]], index)
                if cros:
                    entry["clusterResourceOverrideSnapshots"] = cros
                if ros:
                    entry["resourceOverrideSnapshots"] = ros
        return {
            "policySnapshotIndexUsed": snapshot.rsplit("-", 1)[-1],
            "policyObservedClusterCount": len(scheduled),
            "resourceSnapshotIndexUsed": index,
            "stagedUpdateStrategySnapshot": strategy.get("spec"),
            "stagesStatus": stages,
            # generateStagesByStrategy: the deletion stage, its clusters sorted by name.
            "deletionStageStatus": {
                "stageName": DELETE_STAGE,
                "clusters": [{"clusterName": n} for n in to_delete],
            },
            "conditions": [
                self.cond(
                    "Initialized",
                    True,
                    "UpdateRunInitializedSuccessfully",
                    "The UpdateRun initialized successfully",
                    generation,
                )
            ],
        }

    def _stages(
        self, cluster: Any, run: Mapping[str, Any], strategy: Mapping[str, Any], scheduled: list[str]
    ) -> tuple[list[dict[str, Any]], str]:
        """computeRunStageStatus (initialization.go): each stage takes the scheduled members its
        label selector matches (a missing selector none, an empty one all), in name order as the
        member list comes; a member in two stages, a sorting label that is not an integer on a
        member of the stage (strconv.Atoi of the value, "" when missing) and a scheduled member in
        no stage each fail the run. Returns the stages, or the failure's message."""
        from tests.emulators.kube.controllers.fleet_scheduler import labels_of, matches_selector

        members = self._members(cluster)
        name = run["metadata"]["name"]
        placed: set[str] = set()
        stages = []
        for stage in (strategy.get("spec") or {}).get("stages") or []:
            selector = stage.get("labelSelector")
            in_stage = []
            for n in sorted(members):
                if n not in scheduled or selector is None or not matches_selector(selector, labels_of(members[n])):
                    continue
                if n in placed:
                    return [], USER_ERROR + f"cluster `{n}` appears in more than one stages"
                sort_key = stage.get("sortingLabelKey")
                value = labels_of(members[n]).get(sort_key, "") if sort_key else "0"
                if not re.fullmatch(r"[+-]?[0-9]+", value):
                    return [], USER_ERROR + (
                        f"the sorting label `{sort_key}:{value}` on cluster `{n}` is not valid: "
                        f'strconv.Atoi: parsing "{value}": invalid syntax'
                    )
                in_stage.append((int(value), n))
                placed.add(n)
            in_stage.sort()
            entry: dict[str, Any] = {"stageName": stage["name"], "clusters": [{"clusterName": n} for _, n in in_stage]}
            for when, field in (("before", "beforeStageTasks"), ("after", "afterStageTasks")):
                tasks = []
                for task in stage.get(field) or []:
                    item: dict[str, Any] = {"type": task["type"]}
                    if task["type"] == "Approval":
                        item["approvalRequestName"] = f"{name}-{when}-{stage['name']}"
                    tasks.append(item)
                if tasks:
                    entry[f"{when}StageTaskStatus"] = tasks
            stages.append(entry)
        left = sorted(n for n in scheduled if n not in placed)
        if left:
            shown = ", ".join(left[:10])
            return [], (
                USER_ERROR + f"some clusters are not placed in any stage, total {len(left)}, showing up to 10: {shown}"
            )
        return stages, ""
