"""A KubeFleet hub simulator: scheduler, rollout, staged update runs, approvals and evictions.

It stands in for the fleet hub agent on a Kubernetes API emulator that acts as the hub:

* MemberCluster objects are the members (labels, ``spec.taints``, ``status.properties``).
* ClusterResourcePlacement / ResourcePlacement are scheduled (PickAll, PickN with preferences
  and property sorters, PickFixed, tolerations), their selected resources listed, and each
  chosen member gets the per-cluster conditions Scheduled .. Available.
* A member annotated ``fleet.emulator/fail`` = ``apply`` | ``available`` | ``drift`` | ``rollout``
  fails that way, so tests see what users see.
* Placements with ``strategy.type: External`` wait for a (Cluster)StagedUpdateRun, which goes
  stage by stage, creating (Cluster)ApprovalRequests and waiting for their Approved condition.
* ClusterResourcePlacementEvictions are executed unless a ClusterResourcePlacementDisruptionBudget
  of the same name would be broken.

All state lives in the emulator's store, except which members a staged run has updated and which
were evicted (kept here, as the real hub keeps them in bindings that the emulator does not have).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.fleet_scheduler import Decisions, matches_selector, schedule
from tests.emulators.kube.controllers.fleet_scheduler import labels_of as _labels

P1 = "placement.kubernetes-fleet.io/v1"
PB = "placement.kubernetes-fleet.io/v1beta1"
C1 = "cluster.kubernetes-fleet.io/v1"
FAIL_ANNOTATION = "fleet.emulator/fail"
RUN_LABEL = "kubernetes-fleet.io/targetupdaterun"
STAGE_LABEL = "kubernetes-fleet.io/targetUpdatingStage"
LATEST_LABEL = "kubernetes-fleet.io/isLatestUpdateRunApproval"
CLUSTER_TYPES = (
    "Scheduled",
    "RolloutStarted",
    "Overridden",
    "WorkSynchronized",
    "Applied",
    "Available",
)
# Kinds looked up inside a selected namespace (the hub copies everything; these are enough here).
NAMESPACED_CONTENT = [
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("apps/v1", "Deployment"),
    ("kaito.sh/v1beta1", "Workspace"),
]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _cond(ctype: str, ok: bool | None, reason: str, message: str = "", generation: int = 1) -> dict[str, Any]:
    status = "Unknown" if ok is None else ("True" if ok else "False")
    return {
        "type": ctype,
        "status": status,
        "reason": reason,
        "message": message,
        "observedGeneration": generation,
        "lastTransitionTime": _now(),
    }


def _conds(obj: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("conditions") or [])}


def _set(conditions: list[dict[str, Any]], cond: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in conditions if c["type"] != cond["type"]] + [cond]


def _latest(cluster: Any, obj: dict[str, Any]) -> dict[str, Any]:
    """The stored copy of ``obj`` (a reconcile may run after later changes), else ``obj``."""
    meta = obj["metadata"]
    return cluster.get(obj["apiVersion"], obj["kind"], meta.get("namespace"), meta["name"]) or obj


# Placement-level conditions as FalseClusterResourcePlacementCondition & co. write them
# (kubefleet-dev/kubefleet pkg/utils/condition/condition.go): reason and message per type and status.
PLACEMENT_REASONS = {
    "RolloutStarted": ("RolloutStartedUnknown", "RolloutNotStartedYet", "RolloutStarted"),
    "Overridden": ("OverriddenPending", "OverriddenFailed", "OverriddenSucceeded"),
    "WorkSynchronized": ("WorkSynchronizedUnknown", "WorkNotSynchronizedYet", "WorkSynchronized"),
    "Applied": ("ApplyPending", "ApplyFailed", "ApplySucceeded"),
    "Available": ("ResourceAvailableUnknown", "ResourceNotAvailableYet", "ResourceAvailable"),
    "DiffReported": ("DiffReportingPending", "DiffReportingIncompleteOrFailed", "DiffReportingCompleted"),
}
PLACEMENT_MESSAGES = {
    "RolloutStarted": (
        "There are still {n} cluster(s) in the process of deciding whether to roll out the latest resources or not",
        "The rollout is being blocked by the rollout strategy in {n} cluster(s)",
        "All {n} cluster(s) start rolling out the latest resource",
    ),
    "Overridden": (
        "There are still {n} cluster(s) in the process of overriding the selected resources if there is any "
        "override defined",
        "Failed to override resources in {n} cluster(s)",
        "The selected resources are successfully overridden in {n} cluster(s)",
    ),
    "WorkSynchronized": (
        "There are still {n} cluster(s) in the process of creating or updating the work object(s) in the hub cluster",
        "There are {n} cluster(s) which have not finished creating or updating work(s) yet",
        "Works(s) are succcesfully created or updated in {n} target cluster(s)' namespaces",
    ),
    "Applied": (
        "There are still {n} cluster(s) in the process of applying the resources on the member cluster",
        "Failed to apply resources to {n} cluster(s), please check the `failedPlacements` status",
        "The selected resources are successfully applied to {n} cluster(s)",
    ),
    "Available": (
        "There are still {n} cluster(s) in the process of checking the availability of the selected resources",
        "The selected resources in {n} cluster(s) are still not available yet",
        "The selected resources in {n} cluster(s) are available now",
    ),
    "DiffReported": (
        "There are still {n} cluster(s) in the process of checking for configuration differences",
        "Diff reporting in {n} clusters is still in progress or has failed",
        "Diff reporting in {n} cluster(s) has been completed",
    ),
}
APPLY_TYPES = ("RolloutStarted", "Overridden", "WorkSynchronized", "Applied", "Available")
REPORT_DIFF_TYPES = ("RolloutStarted", "Overridden", "WorkSynchronized", "DiffReported")


def expected_types(placement: Mapping[str, Any]) -> tuple[str, ...]:
    """determineExpectedPlacementAndResourcePlacementStatusCondType (pkg/controllers/placement/placement_status.go)."""
    strategy = (placement.get("spec") or {}).get("strategy") or {}
    return REPORT_DIFF_TYPES if (strategy.get("applyStrategy") or {}).get("type") == "ReportDiff" else APPLY_TYPES


def placement_conditions(
    prefix: str, statuses: list[dict[str, Any]], expected: tuple[str, ...], generation: int
) -> list[dict[str, Any]]:
    """setPlacementConditions (placement_status.go): per type, Unknown if any member is Unknown, else
    False if any is False -- and then the later types are dropped -- else True."""
    out = []
    picked = [s for s in statuses if s.get("clusterName") and _conds(s).get("Scheduled", {}).get("status") == "True"]
    for ctype in expected:
        seen = [_conds(s)[ctype]["status"] for s in picked if ctype in _conds(s)]
        counts = {v: seen.count(v) for v in ("Unknown", "False", "True")}
        index, ok = (0, None) if counts["Unknown"] else ((1, False) if counts["False"] else (2, True))
        n = counts["Unknown"] or counts["False"] or counts["True"]
        reason = PLACEMENT_REASONS[ctype][index]
        message = PLACEMENT_MESSAGES[ctype][index].format(n=n)
        if (
            ctype == "Overridden"
            and ok
            and not any(
                s.get("applicableClusterResourceOverrides") or s.get("applicableResourceOverrides") for s in picked
            )
        ):
            reason, message = "NoOverrideSpecified", "No override rules are configured for the selected resources"
        out.append(_cond(prefix + ctype, ok, reason, message, generation))
        if ok is not True:
            break
    return out


class FleetHubController(Controller):
    watches: ClassVar[list[tuple[str, str]]] = [
        (P1, "ClusterResourcePlacement"),
        (P1, "ResourcePlacement"),
        (C1, "MemberCluster"),
        (P1, "ClusterStagedUpdateRun"),
        (P1, "StagedUpdateRun"),
        (P1, "ClusterApprovalRequest"),
        (P1, "ApprovalRequest"),
        (PB, "ClusterResourcePlacementEviction"),
        (P1, "ClusterResourceOverride"),
        (P1, "ResourceOverride"),
    ]

    def __init__(self, delay: float = 0.05, failure: str | None = None, wait_scale: float = 0.0) -> None:
        super().__init__(delay, failure)
        # A TimedWait of waitTime seconds lasts waitTime * wait_scale seconds here.
        self.wait_scale = wait_scale
        self._lock = threading.RLock()
        self.updated: dict[tuple[str | None, str], set[str]] = {}
        self.evicted: dict[tuple[str | None, str], set[str]] = {}
        self._wait_started: dict[tuple[str, str], float] = {}
        # The generation each placement was last scheduled for (the scheduler's observedCRPGeneration).
        self._scheduled: dict[tuple[str | None, str], int] = {}

    # ---- dispatch -----------------------------------------------------------------------------

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        kind = obj.get("kind")
        with self._lock:
            if kind in ("ClusterResourcePlacement", "ResourcePlacement"):
                self.place(cluster, obj)
            elif kind in ("MemberCluster", "ClusterResourceOverride", "ResourceOverride"):
                if kind == "MemberCluster":
                    self._member_status(cluster, obj)
                self.replace_all(cluster)
            elif kind in ("ClusterStagedUpdateRun", "StagedUpdateRun"):
                self.run(cluster, obj)
            elif kind in ("ClusterApprovalRequest", "ApprovalRequest"):
                self._approval(cluster, obj)
            elif kind == "ClusterResourcePlacementEviction":
                self.evict(cluster, obj)

    def replace_all(self, cluster: Any) -> None:
        for crp in cluster.list(P1, "ClusterResourcePlacement"):
            self.place(cluster, crp)
        for rp in cluster.list(P1, "ResourcePlacement"):
            self.place(cluster, rp)

    def _member_status(self, cluster: Any, member: dict[str, Any]) -> None:
        conds = _conds(member.get("status") or {})
        if conds.get("Joined", {}).get("status") == "True":
            return
        cluster.patch_status(
            C1,
            "MemberCluster",
            None,
            member["metadata"]["name"],
            {
                "conditions": [
                    _cond("ReadyToJoin", True, "MemberClusterReadyToJoin"),
                    _cond("Joined", True, "MemberClusterJoined"),
                ]
            },
        )

    # ---- scheduling ---------------------------------------------------------------------------

    def _members(self, cluster: Any) -> dict[str, dict[str, Any]]:
        return {m["metadata"]["name"]: m for m in cluster.list(C1, "MemberCluster")}

    def schedule(self, cluster: Any, placement: dict[str, Any]) -> Decisions:
        current = {
            str(s.get("clusterName"))
            for s in (placement.get("status") or {}).get("placementStatuses") or []
            if s.get("clusterName")
        }
        policy = (placement.get("spec") or {}).get("policy") or {}
        return schedule(policy, self._members(cluster), self.evicted.get(self._key(placement), set()), current)

    def selected_resources(self, cluster: Any, placement: dict[str, Any]) -> list[dict[str, Any]]:
        namespace = placement["metadata"].get("namespace")
        found: list[dict[str, Any]] = []
        for sel in (placement.get("spec") or {}).get("resourceSelectors") or []:
            group, version, kind = sel.get("group", ""), sel["version"], sel["kind"]
            api_version = f"{group}/{version}" if group else version
            if sel.get("name"):
                obj = cluster.get(api_version, kind, namespace, sel["name"])
                objects = [obj] if obj else []
            else:
                try:
                    objects = [
                        o
                        for o in cluster.list(api_version, kind, namespace)
                        if matches_selector(sel.get("labelSelector"), _labels(o))
                    ]
                except Exception:  # an API the hub does not serve selects nothing
                    objects = []
            for obj in objects:
                found.append(self._ident(group, version, kind, obj, namespace))
                if (
                    kind == "Namespace"
                    and sel.get("selectionScope", "NamespaceWithResources") == "NamespaceWithResources"
                ):
                    ns = obj["metadata"]["name"]
                    for content_version, content_kind in NAMESPACED_CONTENT:
                        try:
                            items = cluster.list(content_version, content_kind, ns)
                        except Exception:
                            continue
                        cgroup, _, cver = content_version.rpartition("/")
                        for item in items:
                            found.append(self._ident(cgroup, cver, content_kind, item, ns))
        return found

    @staticmethod
    def _ident(group: str, version: str, kind: str, obj: Mapping[str, Any], namespace: str | None) -> dict[str, Any]:
        ident = {"group": group, "version": version, "kind": kind, "name": obj["metadata"]["name"]}
        ns = obj["metadata"].get("namespace") or (namespace if kind != "Namespace" else None)
        if ns:
            ident["namespace"] = ns
        return ident

    def _overrides_for(
        self, cluster: Any, placement: dict[str, Any], member: dict[str, Any]
    ) -> tuple[list[str], list[dict[str, str]]]:
        name = placement["metadata"]["name"]
        namespaced = placement["kind"] == "ResourcePlacement"
        cro_names: list[str] = []
        ro_names: list[dict[str, str]] = []
        if not namespaced:
            for cro in cluster.list(P1, "ClusterResourceOverride"):
                if self._override_applies(cro, name, "Cluster", member):
                    cro_names.append(f"{cro['metadata']['name']}-0")
        ns = placement["metadata"].get("namespace")
        for ro in cluster.list(P1, "ResourceOverride", ns) if ns else cluster.list(P1, "ResourceOverride"):
            scope = "Namespaced" if namespaced else "Cluster"
            if self._override_applies(ro, name, scope, member):
                ro_names.append(
                    {
                        "name": f"{ro['metadata']['name']}-0",
                        "namespace": ro["metadata"]["namespace"],
                    }
                )
        return cro_names, ro_names

    @staticmethod
    def _override_applies(override: Mapping[str, Any], placement: str, scope: str, member: Mapping[str, Any]) -> bool:
        spec = override.get("spec") or {}
        ref = spec.get("placement") or {}
        if ref.get("name") != placement or ref.get("scope", "Cluster") != scope:
            return False
        for rule in (spec.get("policy") or {}).get("overrideRules") or []:
            terms = (rule.get("clusterSelector") or {}).get("clusterSelectorTerms") or []
            if not terms or any(matches_selector(t.get("labelSelector"), _labels(member)) for t in terms):
                return True
        return False

    @staticmethod
    def _key(placement: Mapping[str, Any]) -> tuple[str | None, str]:
        return placement["metadata"].get("namespace"), placement["metadata"]["name"]

    def place(self, cluster: Any, placement: dict[str, Any]) -> None:
        placement = _latest(cluster, placement)
        if placement["metadata"].get("deletionTimestamp"):
            return
        generation = int(placement["metadata"].get("generation") or 1)
        key = self._key(placement)
        if self._scheduled.get(key) != generation:
            self._pending_schedule(cluster, placement, generation)
            return
        members = self._members(cluster)
        decisions = self.schedule(cluster, placement)
        resources = self.selected_resources(cluster, placement)
        external = ((placement.get("spec") or {}).get("strategy") or {}).get("type") == "External"
        updated = self.updated.get(key, set())
        statuses: list[dict[str, Any]] = []
        for name in decisions.picked:
            member = members[name]
            statuses.append(
                self._cluster_status(
                    cluster,
                    placement,
                    member,
                    resources,
                    rolled=not external or name in updated,
                    generation=generation,
                )
            )
        # One row per cluster that failed to schedule, with the scheduler's own reason for it
        # (buildFailedToSchedulePerClusterPlacementStatuses, placement_status.go).
        for name, reason in decisions.unselected[: decisions.failed_count]:
            statuses.append(
                {"clusterName": name, "conditions": [_cond("Scheduled", False, "ScheduleFailed", reason, generation)]}
            )
        prefix = placement["kind"]
        conditions = [_cond(prefix + "Scheduled", decisions.fulfilled, decisions.reason, decisions.message, generation)]
        if decisions.picked:
            conditions += placement_conditions(prefix, statuses, expected_types(placement), generation)
        cluster.patch_status(
            placement["apiVersion"],
            placement["kind"],
            key[0],
            key[1],
            {
                "observedResourceIndex": "0",
                "selectedResources": resources,
                "placementStatuses": statuses,
                "conditions": conditions,
            },
        )

    def _pending_schedule(self, cluster: Any, placement: dict[str, Any], generation: int) -> None:
        """A new generation the scheduler has not handled yet: buildScheduledCondition returns Scheduled
        Unknown (SchedulePending) and setPlacementStatus resets the per-cluster statuses; the other
        conditions keep their old generation until the next pass (kubefleet-dev/kubefleet
        pkg/controllers/placement/controller.go). The scheduler runs one delay later."""
        key = self._key(placement)
        prefix = placement["kind"]
        old = [c for c in (placement.get("status") or {}).get("conditions") or [] if c["type"] != prefix + "Scheduled"]
        pending = _cond(prefix + "Scheduled", None, "SchedulePending", "Scheduling has not completed", generation)
        cluster.patch_status(
            placement["apiVersion"],
            placement["kind"],
            key[0],
            key[1],
            {"placementStatuses": [], "conditions": [pending, *old]},
        )
        self._scheduled[key] = generation
        self.requeue(placement, self.delay)

    def _cluster_status(
        self,
        cluster: Any,
        placement: dict[str, Any],
        member: dict[str, Any],
        resources: list[dict[str, Any]],
        rolled: bool,
        generation: int,
    ) -> dict[str, Any]:
        name = member["metadata"]["name"]
        fail = ((member.get("metadata") or {}).get("annotations") or {}).get(FAIL_ANNOTATION) or (
            self.failure if self.failure in ("apply", "available", "drift") else None
        )
        entry: dict[str, Any] = {"clusterName": name, "observedResourceIndex": "0"}
        conds = [
            _cond(
                "Scheduled",
                True,
                "Scheduled",
                f'Successfully scheduled resources for placement in "{name}"',
                generation,
            )
        ]
        if not rolled:
            conds.append(
                _cond(
                    "RolloutStarted",
                    False,
                    "RolloutNotStartedYet",
                    "The placement is waiting for a staged update run to update this cluster",
                    generation,
                )
            )
            entry["conditions"] = conds
            return entry
        cros, ros = self._overrides_for(cluster, placement, member)
        conds.append(
            _cond(
                "RolloutStarted",
                True,
                "RolloutStarted",
                "Detected the new changes on the resources and started the rollout process",
                generation,
            )
        )
        if cros or ros:
            conds.append(
                _cond(
                    "Overridden",
                    True,
                    "OverriddenSucceeded",
                    "Successfully applied the override rules on the resources",
                    generation,
                )
            )
            if cros:
                entry["applicableClusterResourceOverrides"] = cros
            if ros:
                entry["applicableResourceOverrides"] = ros
        else:
            conds.append(
                _cond(
                    "Overridden",
                    True,
                    "NoOverrideSpecified",
                    "No override rules are configured for the selected resources",
                    generation,
                )
            )
        conds.append(
            _cond(
                "WorkSynchronized",
                True,
                "AllWorkSynced",
                "All of the works are synchronized to the latest",
                generation,
            )
        )
        target = resources[-1] if resources else {"group": "", "version": "v1", "kind": "Namespace", "name": "unknown"}
        if fail == "apply":
            conds.append(
                _cond(
                    "Applied",
                    False,
                    "NotAllWorkHaveBeenApplied",
                    "Failed to apply resources to the member cluster; see failedPlacements",
                    generation,
                )
            )
            entry["failedPlacements"] = [
                {
                    **target,
                    "condition": _cond(
                        "Applied",
                        False,
                        "ManifestApplyFailed",
                        "Failed to apply the manifest: the object is owned by another placement",
                        generation,
                    ),
                }
            ]
        elif fail == "drift":
            conds.append(
                _cond(
                    "Applied",
                    False,
                    "FoundDrifts",
                    "Found drifts in the member cluster; see driftedPlacements",
                    generation,
                )
            )
            entry["driftedPlacements"] = [
                {
                    **target,
                    "observationTime": _now(),
                    "firstDriftedObservedTime": _now(),
                    "targetClusterObservedGeneration": 2,
                    "observedDrifts": [{"path": "/spec/replicas", "valueInHub": "2", "valueInMember": "5"}],
                }
            ]
        else:
            conds.append(
                _cond(
                    "Applied",
                    True,
                    "AllWorkHaveBeenApplied",
                    "All corresponding work objects are applied",
                    generation,
                )
            )
            if fail == "available":
                conds.append(
                    _cond(
                        "Available",
                        False,
                        "NotAllWorkAreAvailable",
                        "Some resources are not available yet; see failedPlacements",
                        generation,
                    )
                )
                entry["failedPlacements"] = [
                    {
                        **target,
                        "condition": _cond(
                            "Available",
                            False,
                            "ManifestNotAvailableYet",
                            "Deployment has 0 of 2 replicas available",
                            generation,
                        ),
                    }
                ]
            else:
                conds.append(
                    _cond(
                        "Available",
                        True,
                        "AllWorkAreAvailable",
                        "All corresponding work objects are available",
                        generation,
                    )
                )
        entry["conditions"] = conds
        return entry

    # ---- staged update runs -------------------------------------------------------------------

    def run(self, cluster: Any, run: dict[str, Any]) -> None:
        run = _latest(cluster, run)
        status = dict(run.get("status") or {})
        conds = _conds(status)
        if "Succeeded" in conds:
            return
        if "Initialized" not in conds:
            status = self._initialize(cluster, run)
            self._write_run(cluster, run, status)
            if _conds(status)["Initialized"]["status"] != "True":
                return
        state = (run.get("spec") or {}).get("state", "Initialize")
        if state == "Stop":
            conditions = _set(
                status.get("conditions") or [],
                _cond("Progressing", False, "UpdateRunStopped", "The update run is stopped"),
            )
            self._write_run(cluster, run, {**status, "conditions": conditions})
            return
        if state != "Run":
            return
        more = self._step(cluster, run, status)
        self._write_run(cluster, run, status)
        if more:
            self.requeue(run, self.delay)

    def _write_run(self, cluster: Any, run: dict[str, Any], status: dict[str, Any]) -> None:
        cluster.patch_status(
            run["apiVersion"],
            run["kind"],
            run["metadata"].get("namespace"),
            run["metadata"]["name"],
            status,
        )

    def _initialize(self, cluster: Any, run: dict[str, Any]) -> dict[str, Any]:
        spec = run.get("spec") or {}
        namespace = run["metadata"].get("namespace")
        pkind = "ResourcePlacement" if namespace else "ClusterResourcePlacement"
        skind = "StagedUpdateStrategy" if namespace else "ClusterStagedUpdateStrategy"
        placement = cluster.get(P1, pkind, namespace, spec.get("placementName"))
        strategy = cluster.get(P1, skind, namespace, spec.get("stagedRolloutStrategyName"))

        def failed(message: str) -> dict[str, Any]:
            return {"conditions": [_cond("Initialized", False, "UpdateRunInitializedFailed", message)]}

        if placement is None:
            return failed(f"parent placement {spec.get('placementName')!r} not found")
        if ((placement.get("spec") or {}).get("strategy") or {}).get("type") != "External":
            return failed(f"the placement {spec.get('placementName')!r} does not have an External rollout strategy")
        if strategy is None:
            return failed(f"referenced update strategy {spec.get('stagedRolloutStrategyName')!r} not found")
        members = self._members(cluster)
        scheduled = [
            s["clusterName"]
            for s in (placement.get("status") or {}).get("placementStatuses") or []
            if s.get("clusterName")
        ]
        stages_status = []
        placed: set[str] = set()
        for stage in (strategy.get("spec") or {}).get("stages") or []:
            in_stage = [
                n
                for n in scheduled
                if n not in placed
                and n in members
                and matches_selector(stage.get("labelSelector"), _labels(members[n]))
            ]
            sort_key = stage.get("sortingLabelKey")
            if sort_key:
                in_stage.sort(key=lambda n: (int(_labels(members[n]).get(sort_key, "0") or 0), n))
            placed.update(in_stage)
            entry: dict[str, Any] = {
                "stageName": stage["name"],
                "clusters": [{"clusterName": n} for n in in_stage],
            }
            if stage.get("beforeStageTasks"):
                entry["beforeStageTaskStatus"] = [{"type": t["type"]} for t in stage["beforeStageTasks"]]
            if stage.get("afterStageTasks"):
                entry["afterStageTaskStatus"] = [{"type": t["type"]} for t in stage["afterStageTasks"]]
            stages_status.append(entry)
        left = [n for n in scheduled if n not in placed]
        if left:
            return failed(f"the cluster(s) {', '.join(left)} are not selected by any stage")
        return {
            "policyObservedClusterCount": len(scheduled),
            "resourceSnapshotIndexUsed": "0",
            "stagedUpdateStrategySnapshot": strategy.get("spec"),
            "stagesStatus": stages_status,
            "conditions": [
                _cond(
                    "Initialized",
                    True,
                    "UpdateRunInitializedSuccessfully",
                    "The update run is initialized",
                )
            ],
        }

    def _approval_task(
        self,
        cluster: Any,
        run: dict[str, Any],
        stage: dict[str, Any],
        task: dict[str, Any],
        when: str,
    ) -> bool:
        """True once the approval was given; creates the request first."""
        namespace = run["metadata"].get("namespace")
        kind = "ApprovalRequest" if namespace else "ClusterApprovalRequest"
        name = task.get("approvalRequestName") or f"{run['metadata']['name']}-{when}-{stage['stageName']}"
        request = cluster.get(P1, kind, namespace, name)
        conds = task.setdefault("conditions", [])
        if request is None:
            meta: dict[str, Any] = {
                "name": name,
                "labels": {
                    RUN_LABEL: run["metadata"]["name"],
                    STAGE_LABEL: stage["stageName"],
                    LATEST_LABEL: "true",
                },
            }
            if namespace:
                meta["namespace"] = namespace
            cluster.create(
                {
                    "apiVersion": P1,
                    "kind": kind,
                    "metadata": meta,
                    "spec": {
                        "parentStageRollout": run["metadata"]["name"],
                        "targetStage": stage["stageName"],
                    },
                }
            )
            task["approvalRequestName"] = name
            task["conditions"] = _set(
                conds,
                _cond(
                    "ApprovalRequestCreated",
                    True,
                    "ApprovalRequestCreated",
                    "ApprovalRequest object is created",
                ),
            )
            return False
        task["approvalRequestName"] = name
        approved = _conds(request.get("status") or {}).get("Approved", {}).get("status") == "True"
        if approved:
            task["conditions"] = _set(
                task["conditions"],
                _cond(
                    "ApprovalRequestApproved",
                    True,
                    "ApprovalRequestApproved",
                    "ApprovalRequest object is approved",
                ),
            )
            accepted = (request.get("status") or {}).get("conditions") or []
            if "ApprovalAccepted" not in _conds(request.get("status") or {}):
                cluster.patch_status(
                    P1,
                    kind,
                    namespace,
                    name,
                    {
                        "conditions": _set(
                            accepted,
                            _cond(
                                "ApprovalAccepted",
                                True,
                                "ApprovalRequestApprovalAccepted",
                                "The approval request has been approved and cannot be reverted",
                            ),
                        )
                    },
                )
        return approved

    def _step(self, cluster: Any, run: dict[str, Any], status: dict[str, Any]) -> bool:
        """Advance one step; False when waiting on a person or finished."""
        key = (run["metadata"].get("namespace"), (run.get("spec") or {}).get("placementName", ""))
        members = self._members(cluster)
        conditions = status.get("conditions") or []
        for stage in status.get("stagesStatus") or []:
            sconds = _conds(stage)
            if sconds.get("Succeeded", {}).get("status") == "True":
                continue
            stage.setdefault("startTime", _now())
            for task in stage.get("beforeStageTaskStatus") or []:
                if task["type"] == "Approval" and not self._approval_task(cluster, run, stage, task, "before"):
                    stage["conditions"] = _set(
                        stage.get("conditions") or [],
                        _cond(
                            "Progressing",
                            False,
                            "StageUpdatingWaiting",
                            "waiting for approval before the stage",
                        ),
                    )
                    status["conditions"] = _set(
                        conditions,
                        _cond(
                            "Progressing",
                            False,
                            "UpdateRunWaiting",
                            f"waiting for approval before stage {stage['stageName']}",
                        ),
                    )
                    return False
            stage["conditions"] = _set(
                stage.get("conditions") or [],
                _cond("Progressing", True, "StageUpdatingStarted", "stage is updating clusters"),
            )
            status["conditions"] = _set(
                conditions,
                _cond("Progressing", True, "UpdateRunProgressing", "the update run is making progress"),
            )
            max_conc = self._max_concurrency(status, stage)
            running = [c for c in stage["clusters"] if "Started" in _conds(c) and "Succeeded" not in _conds(c)]
            if running:
                for entry in running:
                    member = members.get(entry["clusterName"], {})
                    fail = ((member.get("metadata") or {}).get("annotations") or {}).get(FAIL_ANNOTATION)
                    if fail == "rollout" or self.failure == "rollout":
                        message = f"cluster {entry['clusterName']} failed to apply the new resources"
                        entry["conditions"] = _set(
                            entry["conditions"],
                            _cond("Succeeded", False, "ClusterUpdatingFailed", message),
                        )
                        stage["conditions"] = _set(
                            stage["conditions"],
                            _cond("Succeeded", False, "StageUpdatingFailed", message),
                        )
                        status["conditions"] = _set(
                            status["conditions"],
                            _cond("Succeeded", False, "UpdateRunFailed", message),
                        )
                        status["conditions"] = _set(
                            status["conditions"],
                            _cond("Progressing", False, "UpdateRunFailed", message),
                        )
                        return False
                    entry["conditions"] = _set(
                        entry["conditions"],
                        _cond("Succeeded", True, "ClusterUpdatingSucceeded", "cluster is updated"),
                    )
                    self.updated.setdefault(key, set()).add(entry["clusterName"])
                self._replace(cluster, run)
                return True
            waiting = [c for c in stage["clusters"] if "Started" not in _conds(c)]
            if waiting:
                for entry in waiting[:max_conc]:
                    entry["conditions"] = [_cond("Started", True, "ClusterUpdatingStarted", "cluster update started")]
                return True
            for task in stage.get("afterStageTaskStatus") or []:
                if task["type"] == "Approval":
                    if not self._approval_task(cluster, run, stage, task, "after"):
                        stage["conditions"] = _set(
                            stage["conditions"],
                            _cond(
                                "Progressing",
                                False,
                                "StageUpdatingWaiting",
                                "waiting for approval after the stage",
                            ),
                        )
                        status["conditions"] = _set(
                            status["conditions"],
                            _cond(
                                "Progressing",
                                False,
                                "UpdateRunWaiting",
                                f"waiting for approval after stage {stage['stageName']}",
                            ),
                        )
                        return False
                else:
                    wait = self._wait_seconds(status, stage)
                    started = self._wait_started.setdefault(
                        (run["metadata"]["name"], stage["stageName"]), time.monotonic()
                    )
                    if time.monotonic() - started < wait * self.wait_scale:
                        task["conditions"] = _set(
                            task.get("conditions") or [],
                            _cond(
                                "WaitTimeElapsed",
                                False,
                                "AfterStageTaskWaitTimeNotElapsed",
                                f"waiting {wait}s after the stage",
                            ),
                        )
                        return True
                    task["conditions"] = _set(
                        task.get("conditions") or [],
                        _cond(
                            "WaitTimeElapsed",
                            True,
                            "AfterStageTaskWaitTimeElapsed",
                            "wait time elapsed",
                        ),
                    )
            stage["endTime"] = _now()
            stage["conditions"] = _set(
                stage["conditions"],
                _cond("Progressing", False, "StageUpdatingSucceeded", "stage is done"),
            )
            stage["conditions"] = _set(
                stage["conditions"],
                _cond(
                    "Succeeded",
                    True,
                    "StageUpdatingSucceeded",
                    "all clusters in the stage are updated",
                ),
            )
            return True
        status["conditions"] = _set(
            _set(
                conditions,
                _cond("Progressing", False, "UpdateRunSucceeded", "the update run is done"),
            ),
            _cond("Succeeded", True, "UpdateRunSucceeded", "the update run succeeded"),
        )
        return False

    @staticmethod
    def _strategy_stage(status: Mapping[str, Any], stage: Mapping[str, Any]) -> Mapping[str, Any]:
        for item in (status.get("stagedUpdateStrategySnapshot") or {}).get("stages") or []:
            if item.get("name") == stage["stageName"]:
                return dict(item)
        return {}

    def _max_concurrency(self, status: Mapping[str, Any], stage: Mapping[str, Any]) -> int:
        value = self._strategy_stage(status, stage).get("maxConcurrency", 1)
        if isinstance(value, str) and value.endswith("%"):
            return max(1, len(stage["clusters"]) * int(value[:-1]) // 100)
        return max(1, int(value))

    def _wait_seconds(self, status: Mapping[str, Any], stage: Mapping[str, Any]) -> float:
        from akscli.validate import duration

        for task in self._strategy_stage(status, stage).get("afterStageTasks") or []:
            if task.get("type") == "TimedWait":
                return duration(str(task.get("waitTime", "0s")))
        return 0.0

    def _replace(self, cluster: Any, run: Mapping[str, Any]) -> None:
        namespace = run["metadata"].get("namespace")
        kind = "ResourcePlacement" if namespace else "ClusterResourcePlacement"
        placement = cluster.get(P1, kind, namespace, (run.get("spec") or {}).get("placementName"))
        if placement is not None:
            self.place(cluster, placement)

    def _approval(self, cluster: Any, request: dict[str, Any]) -> None:
        run_name = _labels(request).get(RUN_LABEL)
        if not run_name:
            return
        namespace = request["metadata"].get("namespace")
        kind = "StagedUpdateRun" if namespace else "ClusterStagedUpdateRun"
        run = cluster.get(P1, kind, namespace, run_name)
        if run is not None and _conds(request.get("status") or {}).get("Approved", {}).get("status") == "True":
            self.requeue(run, self.delay)

    # ---- evictions ----------------------------------------------------------------------------

    def evict(self, cluster: Any, eviction: dict[str, Any]) -> None:
        if _conds(eviction.get("status") or {}).get("Valid"):
            return
        spec = eviction.get("spec") or {}
        name, target = spec.get("placementName"), spec.get("clusterName")

        def finish(valid: bool, valid_msg: str, executed: bool | None = None, exec_msg: str = "") -> None:
            conditions = [
                _cond(
                    "Valid",
                    valid,
                    "ClusterResourcePlacementEvictionValid" if valid else "ClusterResourcePlacementEvictionInvalid",
                    valid_msg,
                )
            ]
            if executed is not None:
                conditions.append(
                    _cond(
                        "Executed",
                        executed,
                        "ClusterResourcePlacementEvictionExecuted"
                        if executed
                        else "ClusterResourcePlacementEvictionNotExecuted",
                        exec_msg,
                    )
                )
            cluster.patch_status(
                PB,
                "ClusterResourcePlacementEviction",
                None,
                eviction["metadata"]["name"],
                {"conditions": conditions},
            )

        crp = cluster.get(P1, "ClusterResourcePlacement", None, name)
        if crp is None:
            finish(False, "Failed to find ClusterResourcePlacement targeted by eviction")
            return
        if crp["metadata"].get("deletionTimestamp"):
            finish(False, "Found deleting ClusterResourcePlacement targeted by eviction")
            return
        policy = (crp.get("spec") or {}).get("policy") or {}
        if policy.get("placementType") == "PickFixed":
            finish(
                False,
                "Found ClusterResourcePlacement with PickFixed placement type targeted by eviction",
            )
            return
        statuses = [s for s in (crp.get("status") or {}).get("placementStatuses") or [] if s.get("clusterName")]
        if target not in {s["clusterName"] for s in statuses}:
            finish(
                False,
                "Failed to find scheduler decision for placement in cluster targeted by eviction",
            )
            return
        available = len([s for s in statuses if _conds(s).get("Available", {}).get("status") == "True"])
        total = len(statuses)
        budget = cluster.get(PB, "ClusterResourcePlacementDisruptionBudget", None, name)
        if budget is not None:
            bspec = budget.get("spec") or {}
            allowed, reason = self._budget_allows(bspec, policy, available, total)
            if not allowed:
                finish(
                    True,
                    "Eviction is valid",
                    False,
                    reason
                    or (
                        "Eviction is blocked by specified "
                        "ClusterResourcePlacementDisruptionBudget, "
                        f"availablePlacements: {available}, totalPlacements: {total}"
                    ),
                )
                return
            message = (
                "Eviction is allowed by specified ClusterResourcePlacementDisruptionBudget, "
                f"availablePlacements: {available}, totalPlacements: {total}"
            )
        else:
            message = "Eviction is allowed, no ClusterResourcePlacementDisruptionBudget specified"
        self.evicted.setdefault((None, name), set()).add(target)
        finish(True, "Eviction is valid", True, message)
        self.place(cluster, crp)

    @staticmethod
    def _budget_allows(
        bspec: Mapping[str, Any], policy: Mapping[str, Any], available: int, total: int
    ) -> tuple[bool, str]:
        ptype = policy.get("placementType", "PickAll")
        if ptype == "PickAll" and ("maxUnavailable" in bspec or str(bspec.get("minAvailable", "")).endswith("%")):
            return (
                False,
                "Eviction is blocked by misconfigured ClusterResourcePlacementDisruptionBudget",
            )
        target = int(policy.get("numberOfClusters") or total) if ptype == "PickN" else total

        def resolve(value: Any) -> int:
            text = str(value)
            if text.endswith("%"):
                return -(-target * int(text[:-1]) // 100)
            return int(text)

        if "minAvailable" in bspec:
            return available - 1 >= resolve(bspec["minAvailable"]), ""
        if "maxUnavailable" in bspec:
            return target - (available - 1) <= resolve(bspec["maxUnavailable"]), ""
        return True, ""
