"""A KubeFleet hub simulator: scheduler, placement status, staged update runs, approvals, evictions.

It stands in for the fleet hub agent on a Kubernetes API emulator that acts as the hub, writing
status as the hub does; each behaviour names its upstream file, all of them (upstream:)
kubefleet-dev/kubefleet at e160c1cd (2026-08-20; Azure/fleet 942238f3 has the same behaviour),
paths below relative to that repository:

* MemberCluster objects are the members (labels, ``spec.taints``, ``status.properties``); the
  member changes the scheduler reacts to are ``fleet_member_watch``'s
  (pkg/scheduler/watchers/membercluster/watcher.go).
* Placements are scheduled by ``fleet_scheduler`` (pkg/scheduler/framework) one delay after a new
  generation; until then Scheduled is Unknown and the other conditions keep their old generation
  (pkg/controllers/placement/controller.go). Per-member conditions, the placement-level rollup
  that stops at the first False or Unknown, unscheduled rows and External placements follow
  pkg/controllers/placement/placement_status.go and pkg/utils/condition/condition.go.
* A member annotated ``fleet.emulator/fail`` = ``apply`` | ``available`` | ``drift`` fails that way
  (``drift``: only where the placement's whenToApply is IfNotDrifted; Always overwrites the change).
* A member annotated ``fleet.emulator/pre-existing`` = ``same`` | ``differs`` had the placement's objects
  before Fleet: whenToTakeOver decides (fleet_apply_strategy; upstream pkg/controllers/workapplier).
* A member annotated ``fleet.emulator/unserved-groups`` serves none of those API groups: its
  work applier fails each manifest of them with DecodingErred (fleet_member_status.unserved; upstream:
  kubefleet-dev/kubefleet e160c1cd pkg/controllers/workapplier/preprocess.go, "failed to decode manifest").
* Staged update runs: ``fleet_runs`` (pkg/controllers/updaterun); evictions: ``fleet_evictions``
  (pkg/controllers/clusterresourceplacementeviction).

* Finalizers and the clean-up of a deleted placement: ``fleet_cleanup`` (pkg/controllers/placement/
  controller.go handleDelete, pkg/scheduler/scheduler.go cleanUpAllBindingsFor).
* Resource snapshots: ``fleet_snapshots`` (the (Cluster)ResourceSnapshot CRDs, which the simulator
  installs, and the snapshots upstream kubefleet-dev/kubefleet pkg/utils/controller/
  resource_snapshot_resolver.go writes).

* Bindings: ``fleet_bindings`` writes a (Cluster)ResourceBinding per placement and picked member, as
  the scheduler and rollout controllers do (upstream: kubefleet-dev/kubefleet
  apis/placement/v1beta1/binding_types.go, pkg/scheduler/framework/frameworkutils.go generateBinding);
  ``fleet_rollout`` paces a RollingUpdate placement's bindings (pkg/controllers/rollout/controller.go).
* Members: a member joins with its member agent's status and heartbeat, reported on its
  InternalMemberCluster and copied by the hub (``fleet_internal_members``; upstream:
  kubefleet-dev/kubefleet pkg/controllers/membercluster); one the scheduler does not
  count as eligible (``fleet_scheduler.ineligible``) gets no new placement and its rows stay as last
  reported.

All state lives in the emulator's store, except what the simulator reads back from memory rather
than from those bindings, and the policy snapshots, which the emulator does not serve: which
members are bound (``updated``) and to which resource snapshot index (``rolled``), and each
placement's policy snapshot index. No evicted set: an eviction only deletes the binding, and the
cordon taint keeps the member out (kubefleet-dev/kubefleet pkg/scheduler/framework/plugins/tainttoleration).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from tests.emulators.kube.cluster import OriginScope
from tests.emulators.kube.controllers import (
    fleet_apply_strategy,
    fleet_bindings,
    fleet_envelopes,
    fleet_internal_members,
    fleet_override_snapshots,
    fleet_report_diff,
    fleet_rollout,
    fleet_snapshots,
)
from tests.emulators.kube.controllers.base import Controller, PassHeld
from tests.emulators.kube.controllers.fleet_cleanup import (
    PLACEMENT_CLEANUP_FINALIZER,
    SCHEDULER_CLEANUP_FINALIZER,
    PlacementCleanup,
)
from tests.emulators.kube.controllers.fleet_conditions import (
    Clock,
    _cond,
    _latest,
    expected_types,
    external_rollout_unknown,
    placement_conditions,
    set_cond,
    set_placement_conditions,
)
from tests.emulators.kube.controllers.fleet_evictions import Evictions
from tests.emulators.kube.controllers.fleet_member_agents import MemberAgents
from tests.emulators.kube.controllers.fleet_member_status import FAIL_ANNOTATION as FAIL_ANNOTATION
from tests.emulators.kube.controllers.fleet_member_status import UNTRACKABLE, MemberStatuses
from tests.emulators.kube.controllers.fleet_member_watch import fully_scheduled_fixed_or_n
from tests.emulators.kube.controllers.fleet_runs import StagedRuns
from tests.emulators.kube.controllers.fleet_runs_common import UPDATE_RUN_STUCK_THRESHOLD
from tests.emulators.kube.controllers.fleet_scheduler import Decisions, ineligible, leaving
from tests.emulators.kube.controllers.fleet_scheduling import SchedulingCycles
from tests.emulators.kube.controllers.fleet_selection import CONTENT_KINDS, NAMESPACED_CONTENT, ResourceSelection

P1 = "placement.kubernetes-fleet.io/v1"
PB = "placement.kubernetes-fleet.io/v1beta1"
C1 = "cluster.kubernetes-fleet.io/v1"
CLUSTER_TYPES = (
    "Scheduled",
    "RolloutStarted",
    "Overridden",
    "WorkSynchronized",
    "Applied",
    "Available",
)


# upstream: kubefleet-dev/kubefleet pkg/scheduler/scheduler.go and pkg/controllers (one mixin per controller)
class FleetHubController(
    StagedRuns,
    Evictions,
    PlacementCleanup,
    MemberStatuses,
    MemberAgents,  # members' join and heartbeats (upstream: kubefleet-dev/kubefleet pkg/controllers/membercluster)
    ResourceSelection,
    SchedulingCycles,
    Controller,
):
    # kubefleet-dev/kubefleet e160c1cd docker/hub-agent.Dockerfile: the binary is /hubagent, and
    # cmd/hubagent sets no user agent, so client-go's default (kubernetes/kubernetes
    # staging/src/k8s.io/client-go/rest/config.go DefaultKubernetesUserAgent) names it
    field_manager: ClassVar[str | None] = "hubagent"
    # The hub agent's chart installs the snapshot and binding CRDs; ../shared/crds has none.
    crds: ClassVar[list[dict[str, Any]]] = [
        *fleet_snapshots.CRDS,
        *fleet_bindings.CRDS,
        *fleet_override_snapshots.CRDS,
        fleet_report_diff.WORK_CRD,
        *fleet_envelopes.CRDS,
        fleet_internal_members.CRD,
    ]
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
        # What placements select: a change makes the placements that select it pass again.
        ("v1", "Namespace"),
        *NAMESPACED_CONTENT,
    ]

    def __init__(
        self,
        delay: float = 0.05,
        failure: str | None = None,
        wait_scale: float = 0.0,
        stuck_after: float = UPDATE_RUN_STUCK_THRESHOLD,
        agent_period: float | None = None,
    ) -> None:
        super().__init__(delay, failure)
        # With ``agent_period``, the member agents also send their heartbeats every that many seconds
        # of wall clock (``attach``): a standalone emulator, whose clock no test moves on.
        self.agent_period = agent_period
        # A TimedWait of waitTime seconds lasts waitTime * wait_scale seconds here.
        self.wait_scale = wait_scale
        # updateRunStuckThreshold (pkg/controllers/updaterun/execution.go); tests pass it with advance.
        self.stuck_after = stuck_after
        self._lock = threading.RLock()
        self.updated: dict[tuple[str | None, str], set[str]] = {}
        # The resource snapshot index an update run rolled out to each member (its binding's).
        self.rolled: dict[tuple[str | None, str], dict[str, str]] = {}
        # The override snapshots an update run bound each member with (its run's record of them).
        self.run_overrides: dict[tuple[str | None, str], dict[str, tuple[list[str], list[dict[str, str]]]]] = {}
        self._run_clock: dict[tuple[str, str, str], float] = {}
        # The generation each placement was last scheduled for (the scheduler's observedCRPGeneration).
        self._scheduled: dict[tuple[str | None, str], int] = {}
        # Policy snapshot index per placement, and the policy it was taken of (controller.go).
        self._snapshots: dict[tuple[str | None, str], tuple[int, str]] = {}
        # When each member's untrackable Available condition became True, per placement: (resource
        # snapshot index, Clock.monotonic time, its lastTransitionTime) (fleet_rollout, unavailablePeriodSeconds).
        self._available_since: dict[tuple[str | None, str], dict[str, tuple[str, float, str]]] = {}
        # The heartbeat this simulator stamped last per member (its member agent runs while the hub
        # holds it: _renew_heartbeats).
        self._heartbeats: dict[str, str] = {}
        # kubefleet-dev/kubefleet pkg/controllers/membercluster: the hub copies the agents' heartbeats.
        # The heartbeat the hub copied onto each MemberCluster last (fleet_member_agents._write_member).
        self._copied: dict[str, str | None] = {}
        # What the hub copied from each member's InternalMemberCluster last (agentStatus, properties,
        # resourceUsage): a test's write that differs stands for the member agent's report
        # (kubefleet-dev/kubefleet pkg/controllers/membercluster syncInternalMemberClusterStatus).
        self._reported: dict[str, dict[str, Any]] = {}
        # resourceSnapshotCreationMinimumInterval and resourceChangesCollectionDuration, in seconds of
        # the simulator's clock (both 0: a changed selection gets its snapshot at once), and when each
        # placement's latest snapshot was made (Clock.epoch) (fleet_snapshots.creation_delay).
        self.snapshot_interval = 0.0
        self.collection_duration = 0.0
        self._snapshot_taken: dict[tuple[str | None, str], float] = {}
        # When each member's work applier started on its binding's current Works, per placement:
        # (resource snapshot index and override snapshots, Clock.monotonic time) (_still_applying).
        self._applying: dict[tuple[str | None, str], dict[str, tuple[str, float]]] = {}
        self._holding: dict[tuple[str | None, str], set[str]] = {}
        # Emulator bookkeeping, no upstream state of its own: what enqueued each placement for the
        # rollout controller when it last had nothing left to roll (fleet_rollout.triggers), and the
        # override snapshots its bindings carry (kubefleet-dev/kubefleet apis/placement/v1beta1/binding_types.go).
        self._rollout_seen: dict[tuple[str | None, str], str] = {}
        self._carried: dict[tuple[str | None, str], dict[str, tuple[list[str], list[dict[str, str]]]]] = {}
        self._drifts = fleet_apply_strategy.Drifts()  # the manifest each drift member drifted from (emulator fault)
        self._fields = fleet_apply_strategy.FieldManagers()  # a managed member's /spec/replicas (emulator fault)
        # The override controller's latency (fleet_override_snapshots), in seconds of wall clock, and
        # when it may snapshot each override's spec: (kind, namespace, name) -> (spec hash, due).
        self.override_lag = 0.0
        self._override_due: dict[tuple[str, str | None, str], tuple[str, float]] = {}
        # Each member as the scheduler's member watcher saw it last: its update events' old object.
        self._members_seen: dict[str, dict[str, Any]] = {}
        # The scheduler's last decisions per placement, the placements its watchers enqueued since
        # (_due), and the live bindings each pass left (a binding gone since is the binding watcher's
        # event): the scheduler runs only then (upstream: kubefleet-dev/kubefleet e160c1cd
        # pkg/scheduler/watchers/{membercluster,schedulingpolicysnapshot,binding,placement}/watcher.go).
        self._decisions: dict[tuple[str | None, str], tuple[str, Decisions]] = {}  # by uid
        self._due: set[tuple[str | None, str]] = set()
        self._bindings_left: dict[tuple[str | None, str], set[str]] = {}
        Clock.offset = 0.0  # the wall clock until a test moves it on (advance)

    cond = staticmethod(_cond)

    def advance(self, seconds: float) -> None:
        """Move the simulator's clock (fleet_conditions.Clock: condition stamps, the rollout's
        unavailablePeriodSeconds, the update runs' TimedWait and stuck threshold, the scheduler's
        heartbeat check) on by ``seconds``; renew the heartbeats of the member agents that run;
        then pass over every placement and update run now, as the rollout controller's requeue
        after the time left would (minWaitTime, upstream: kubefleet-dev/kubefleet e160c1cd
        pkg/controllers/rollout/controller.go Reconcile)."""
        Clock.offset += seconds
        manager = self._manager
        if manager is None:
            raise RuntimeError("controller is not registered with an emulator")
        # The member agents and the hub's member cluster controller write, not the test that moved
        # the clock: their writes are the hub agent's (field_manager).
        with self._lock, OriginScope(self):
            self._renew_heartbeats(manager.cluster)
        # The update runs requeue too: after clusterUpdatingWaitTime, or the TimedWait left
        # (pkg/controllers/updaterun/execution.go); their TimedWait and stuck threshold read Clock.
        for kind in ("ClusterResourcePlacement", "ResourcePlacement", "ClusterStagedUpdateRun", "StagedUpdateRun"):
            for obj in manager.cluster.list(P1, kind):
                self.requeue(obj, self.delay)

    # ---- dispatch -----------------------------------------------------------------------------

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        kind = obj.get("kind")
        with self._lock:
            if kind in ("ClusterResourcePlacement", "ResourcePlacement"):
                self.place(cluster, obj)
            elif kind == "MemberCluster":
                self._member_changed(cluster, obj)
            elif kind in ("ClusterResourceOverride", "ResourceOverride"):
                self._override_changed(cluster, obj)
            elif kind in ("ClusterStagedUpdateRun", "StagedUpdateRun"):
                self.run(cluster, obj)
            elif kind in ("ClusterApprovalRequest", "ApprovalRequest"):
                self.approval_changed(cluster, obj)
            elif kind == "ClusterResourcePlacementEviction":
                self.evict(cluster, obj)
            elif kind in CONTENT_KINDS:
                self.resource_changed(cluster, obj)

    def _override_changed(self, cluster: Any, obj: dict[str, Any]) -> None:
        """The override controller (fleet_override_snapshots): ``override_lag`` after it first sees a
        spec, it snapshots the override; the rollout controller watches the snapshots and passes over
        the placements again (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/rollout/
        controller.go handleClusterResourceOverrideSnapshot, handleResourceOverrideSnapshot)."""
        meta = obj["metadata"]
        current = cluster.get(obj["apiVersion"], obj["kind"], meta.get("namespace"), meta["name"])
        if current is None:
            return
        key = (str(obj["kind"]), meta.get("namespace"), str(meta["name"]))
        digest = fleet_override_snapshots.spec_hash(current)
        if self._override_due.get(key, ("",))[0] != digest:
            self._override_due[key] = (digest, time.monotonic() + self.override_lag)
        left = self._override_due[key][1] - time.monotonic()
        if left > 0:
            self.requeue(current, left)
            return
        fleet_override_snapshots.take(cluster, current)
        self.replace_all(cluster)

    def resource_changed(self, cluster: Any, obj: Mapping[str, Any], gone: bool = False) -> None:
        """The resource change detector: a placement that selects a changed object (or selected a
        deleted one) passes again, and takes a new resource snapshot of it (upstream:
        kubefleet-dev/kubefleet e160c1cd pkg/resourcewatcher/change_detector.go,
        pkg/controllers/resourcechange/resourcechange_controller.go)."""
        meta = obj["metadata"]
        ident = (obj["kind"], meta.get("namespace"), meta["name"])
        for kind in ("ClusterResourcePlacement", "ResourcePlacement"):
            for placement in cluster.list(P1, kind):
                status = placement.get("status") or {}
                found = list(status.get("selectedResources") or [])
                if not gone:
                    found += self.selected_resources(cluster, placement)
                if any((r["kind"], r.get("namespace"), r["name"]) == ident for r in found):
                    self.requeue(placement, self.delay)

    def clocks(self) -> tuple[PassHeld, ...]:
        """The hub's clock (fleet_conditions.Clock.setting), held by the runner for every pass of the
        hub's (reconcile, on_delete, a call_later's): a move of the clock while a pass runs shows from
        the next (emulator structure, no upstream behaviour; upstream: kubefleet-dev/kubefleet e160c1cd
        pkg/controllers/rollout/controller.go requeues after minWaitTime instead)."""
        return (*super().clocks(), Clock.setting)

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        with self._lock:
            if obj.get("kind") in CONTENT_KINDS:
                self.resource_changed(cluster, obj, gone=True)
            elif obj.get("kind") in ("ClusterResourcePlacement", "ResourcePlacement"):
                self.placement_deleted(cluster, obj)
            elif obj.get("kind") in ("ClusterApprovalRequest", "ApprovalRequest"):
                self.approval_deleted(cluster, obj)
            elif obj.get("kind") in ("ClusterStagedUpdateRun", "StagedUpdateRun"):
                self.run_deleted(cluster, obj)
            elif obj.get("kind") in fleet_override_snapshots.SNAPSHOT_OF:
                fleet_override_snapshots.delete_all(cluster, obj)
                meta = obj["metadata"]
                self._override_due.pop((str(obj["kind"]), meta.get("namespace"), str(meta["name"])), None)
                self.replace_all(cluster)
            elif obj.get("kind") == "MemberCluster":
                # its agent stops; a member of the same name joins anew (upstream: kubefleet-dev/kubefleet
                # e160c1cd pkg/controllers/membercluster/v1beta1/membercluster_controller.go join)
                self._member_gone(obj["metadata"]["name"])
                # A member that left: its bindings dangle and are unscheduled (fleet_bindings); the
                # scheduler re-runs every placement on a member change (upstream: kubefleet-dev/kubefleet
                # pkg/scheduler/watchers/membercluster/watcher.go).
                self.replace_all(cluster, scheduling=True)

    def replace_all(self, cluster: Any, classify: bool = False, scheduling: bool = False) -> None:
        """Pass over every placement; with ``classify``, as the member watcher's Reconcile does for a
        member update, only those classifyPlacements keeps: PickAll, and PickN or PickFixed not
        fully scheduled (pkg/scheduler/watchers/membercluster/utils.go). ``scheduling``: the member
        watcher enqueues them for the scheduler; otherwise a pass keeps its last decisions."""
        fleet_bindings.release_all(cluster)
        for kind in ("ClusterResourcePlacement", "ResourcePlacement"):
            for placement in cluster.list(P1, kind):
                if not (classify and fully_scheduled_fixed_or_n(placement)):
                    if scheduling:
                        self._due.add(self._key(placement))
                    self.place(cluster, placement)

    # ---- placing (the scheduler's cycles: fleet_scheduling.py) --------------------------------

    def place(self, cluster: Any, placement: dict[str, Any]) -> None:
        placement = _latest(cluster, placement)
        if placement["metadata"].get("deletionTimestamp"):
            self.clean_up_deleted(cluster, placement)
            return
        # controller.go Reconcile registers its finalizer before handleUpdate (upstream:
        # kubefleet-dev/kubefleet e160c1cd pkg/controllers/placement/controller.go).
        if not self.ensure_finalizer(cluster, placement, PLACEMENT_CLEANUP_FINALIZER):
            return
        # r.Client.Update fills placementObj in (kubernetes-sigs/controller-runtime pkg/client/typed_client.go Update)
        placement = _latest(cluster, placement)
        generation = int(placement["metadata"].get("generation") or 1)
        key = self._key(placement)
        if self._invalid_selectors(cluster, placement, generation):
            return
        if self._scheduled.get(key) != generation:
            self._pending_schedule(cluster, placement, generation)
            return
        # scheduleOnce: its finalizer once a policy snapshot exists, before the cycle (upstream:
        # kubefleet-dev/kubefleet e160c1cd pkg/scheduler/scheduler.go).
        if not self.ensure_finalizer(cluster, _latest(cluster, placement), SCHEDULER_CLEANUP_FINALIZER):
            return
        # The placement as this pass holds it: after its own finalizer Update (the client fills the
        # object in) and the scheduler's; the status below is computed from it and written
        # conditionally on it (write_placement_status).
        placement = _latest(cluster, placement)
        members = self._members(cluster)
        decisions = self._scheduled_decisions(cluster, placement, members)
        resources = self.selected_resources(cluster, placement)
        external = ((placement.get("spec") or {}).get("strategy") or {}).get("type") == "External"
        updated = self.updated.get(key, set())
        # A placement that rolls out by itself snapshots what it selects; an External one leaves
        # that to its update runs (controller.go handleResourceSnapshotByStrategy).
        selected = self.selected_objects(cluster, resources)
        latest = None
        if not external:
            latest, resources = self._resource_snapshot(cluster, placement, selected, resources)
        rolled = self.rolled.get(key, {})
        held = fleet_bindings.held_for_cleanup(cluster, placement, decisions.picked)
        # PickFixed keeps the binding of a named member that is placed already and no longer eligible
        # (frameworkutils.go crossReferenceValidTargetsWithBindings unschedules obsolete bindings
        # only), while its decision says it is not eligible; one that left the fleet dangles.
        fixed = ((placement.get("spec") or {}).get("policy") or {}).get("placementType") == "PickFixed"
        kept = {n for n, _ in decisions.unselected if fixed and n in members and not leaving(members[n])}
        # A RollingUpdate placement's bindings move as the rollout controller paces them (fleet_rollout).
        roll = None
        if latest is not None:
            waiting = bool(held) or fleet_bindings.rollout_waits(cluster, placement)
            since = {m: t for m, (_, t, _) in self._available_since.get(key, {}).items()}
            period = fleet_rollout.unavailable_period(placement) * self.wait_scale
            overrides = {name: self._overrides_for(cluster, placement, members[name]) for name in decisions.picked}
            on = fleet_bindings.bindings_of(cluster, placement)
            due = fleet_rollout.triggers(cluster, placement, latest, on)
            if not fleet_rollout.triggered(self._rollout_seen.get(key), due):
                # Nothing enqueued the rollout controller: its bindings keep the override snapshots
                # they carry, and an override naming no placement waits (kubefleet-dev/kubefleet
                # pkg/controllers/rollout/controller.go SetupWithManagerForClusterResourcePlacement
                # watches; Reconcile writes the override snapshots into a binding's spec only when it runs).
                carried = {n: fleet_bindings.carried(on[n]) for n in decisions.picked if n in on}
                overrides = {**overrides, **carried}
            roll = fleet_rollout.plan(
                cluster, placement, decisions.picked, latest, waiting, kept, period, since, overrides
            )
            self._carried[key] = dict(roll.overrides)
            idle = not (roll.changed or roll.blocked or roll.wait is not None or waiting)
            self._rollout_seen[key] = due if idle else ""
        # A member picked already whose member agent is not connected: nothing it reports reaches
        # the hub, so its row stays as last written (its binding's conditions come from its Works'
        # status, which the member agent writes: pkg/controllers/workgenerator/controller.go).
        before = {str(s.get("clusterName")): s for s in (placement.get("status") or {}).get("placementStatuses") or []}
        live = fleet_bindings.bindings_of(cluster, placement)
        statuses: list[dict[str, Any]] = []
        frozen: set[str] = set()
        for name in decisions.picked:
            member = members[name]
            if name in before and ineligible(member) is not None:
                # ... unless the hub writes it: the rollout controller's RolloutStarted False on a
                # stale binding it holds back (updateStaleBindingsStatus), or the work generator's
                # ApplyInProgress once the rollout moves its binding.
                if roll is not None and name in roll.blocked:
                    statuses.append(fleet_rollout.blocked_row(name, str(latest), generation))
                    continue
                frozen.add(name)
                on = fleet_rollout.snapshot_index(placement, live[name]) if name in live else ""
                if roll is not None and latest is not None and roll.index.get(name) == latest != on:
                    statuses.append(self._applying_status(cluster, placement, member, generation, latest))
                else:
                    statuses.append(before[name])
                continue
            if roll is not None and name in roll.blocked:
                statuses.append(fleet_rollout.blocked_row(name, str(latest), generation))
                continue
            if roll is not None and roll.index.get(name) != latest:
                statuses.append(self._cluster_status(cluster, placement, member, resources, False, generation))
                continue
            if roll is not None and latest is not None and self._still_applying(placement, member, latest, roll):
                statuses.append(self._applying_status(cluster, placement, member, generation, latest))
                continue
            statuses.append(
                self._cluster_status(
                    cluster,
                    placement,
                    member,
                    resources,
                    rolled=(not external or name in updated) and name not in held,
                    generation=generation,
                    index=latest if latest is not None else rolled.get(name, "0"),
                )
            )
        self._track_untrackable(key, decisions.picked, statuses)
        # One row per cluster that failed to schedule, with the scheduler's own reason for it
        # (buildFailedToSchedulePerClusterPlacementStatuses, placement_status.go).
        for name, reason in decisions.unselected[: decisions.failed_count]:
            statuses.append(
                {"clusterName": name, "conditions": [_cond("Scheduled", False, "ScheduleFailed", reason, generation)]}
            )
        picked = dict(zip(decisions.picked, statuses, strict=False))
        bound = {name: self.is_bound(placement, name) and name not in held for name in picked}
        if roll is not None:
            bound = {name: bool(roll.index.get(name)) for name in picked}
        changed = fleet_bindings.sync(
            cluster,
            placement,
            picked,
            self.policy_snapshot(placement),
            bound,
            kept,
            indices=roll.index if roll else None,
            conditions_of=fleet_rollout.binding_conditions(roll, str(latest), picked) if roll else None,
            removals=roll.removals if roll else 0,
            frozen=frozen,
            overrides=roll.overrides if roll else self.run_overrides.get(key),
            # a binding status write's 409 requeues the placement (kubefleet-dev/kubefleet
            # pkg/controllers/rollout/controller.go updateBindingStatus, NewUpdateIgnoreConflictError)
            requeue=lambda: self.requeue(placement, self.delay),
        )
        self._bindings_left[key] = set(fleet_bindings.bindings_of(cluster, placement))
        if roll is not None and (roll.changed or changed):
            self.requeue(placement, self.delay)
        elif roll is not None and roll.wait is not None:
            # isBindingReady's wait time: Reconcile requeues after the least of them (minWaitTime).
            self.requeue(placement, roll.wait + self.delay)
        prefix = placement["kind"]
        conditions = [_cond(prefix + "Scheduled", decisions.fulfilled, decisions.reason, decisions.message, generation)]
        # The latest snapshot's index (setPlacementStatus), or under External the one every member
        # observes (determineRolloutStateForPlacementWithExternalRolloutStrategy).
        index = latest if latest is not None else (statuses[0]["observedResourceIndex"] if decisions.picked else "0")
        unknown = external_rollout_unknown(prefix, statuses[: len(decisions.picked)], generation) if external else None
        if unknown is not None and decisions.picked:
            conditions.append(unknown)
            index, resources = "", []
        elif decisions.picked:
            conditions += placement_conditions(prefix, statuses, expected_types(placement), generation)
        read = (placement.get("status") or {}).get("conditions") or []
        fields = {
            "observedResourceIndex": index,
            "selectedResources": resources,
            "placementStatuses": statuses,
            "conditions": set_placement_conditions(prefix, read, conditions, reset=not decisions.picked),
        }
        self.write_placement_status(cluster, placement, fields)

    def _invalid_selectors(self, cluster: Any, placement: dict[str, Any], generation: int) -> bool:
        """handleUpdate selects the resources before any snapshot: a user error there sets only
        Scheduled=False, reason InvalidResourceSelectors, and ends the pass, no policy snapshot made,
        so nothing is scheduled or rolled out and what was placed before stays (upstream:
        kubefleet-dev/kubefleet e160c1cd pkg/controllers/placement/controller.go handleUpdate,
        condition.InvalidResourceSelectorsReason in pkg/utils/condition/reason.go)."""
        error = self.selection_error(cluster, placement)
        if error is None:
            return False
        prefix = placement["kind"]
        cond = _cond(prefix + "Scheduled", False, "InvalidResourceSelectors", "", generation)
        cond["message"] = f"The resource selectors are invalid: {error}"
        conditions = (placement.get("status") or {}).get("conditions") or []
        same = ("status", "reason", "message", "observedGeneration")
        if any(c.get("type") == cond["type"] and all(c.get(f) == cond[f] for f in same) for c in conditions):
            return True  # written already: a status write of its own would bring the placement back
        # placementObj.SetConditions(scheduleCondition), Status().Update (NewUpdateIgnoreConflictError)
        self.write_placement_status(cluster, placement, {"conditions": set_cond(list(conditions), cond)})
        return True

    def _resource_snapshot(
        self, cluster: Any, placement: dict[str, Any], selected: list[dict[str, Any]], resources: list[dict[str, Any]]
    ) -> tuple[str, list[dict[str, Any]]]:
        """The latest resource snapshot's index and what the placement shows as selected: a new
        snapshot of a changed selection, unless snapshot_interval or collection_duration holds it
        back; then the latest one's, looked at again once it may be made (fleet_snapshots)."""
        key = self._key(placement)
        current = fleet_snapshots.latest_index(cluster, placement)
        if current is not None and fleet_snapshots.differs(cluster, placement, selected):
            taken = self._snapshot_taken.get(key, float("-inf"))
            interval, collection = self.snapshot_interval, self.collection_duration
            left = fleet_snapshots.creation_delay(cluster, placement, Clock.epoch(), taken, interval, collection)
            if left > 0:
                self.requeue(placement, left + self.delay)
                return current, fleet_snapshots.identifiers(cluster, placement, current)
        index = fleet_snapshots.get_or_create(cluster, placement, selected)
        if index != current:
            self._snapshot_taken[key] = Clock.epoch()
        return index, resources

    def _track_untrackable(self, key: tuple[str | None, str], picked: list[str], rows: list[dict[str, Any]]) -> None:
        """Remember when each member's Available became True for objects that cannot be tracked, per
        resource snapshot, and keep that transition time on its row (SetConditions keeps a condition's
        lastTransitionTime while its status holds; the work generator resets the conditions when the
        binding's Works change: pkg/controllers/workgenerator/controller.go Reconcile)."""
        since = self._available_since.setdefault(key, {})
        for name, row in zip(picked, rows, strict=False):
            available = next((c for c in row.get("conditions") or [] if c["type"] == "Available"), None)
            if available is None:  # a row held back or not rolled out: its binding keeps what it had
                continue
            if available["status"] != "True" or available["reason"] != UNTRACKABLE:
                since.pop(name, None)
                continue
            index = str(row.get("observedResourceIndex") or "")
            if since.get(name, ("",))[0] != index:
                since[name] = (index, Clock.monotonic(), available["lastTransitionTime"])
            available["lastTransitionTime"] = since[name][2]

    def is_bound(self, placement: Mapping[str, Any], member: str) -> bool:
        """Whether the member's binding is bound: always under RollingUpdate, once a run reached it
        under External (pkg/controllers/rollout, updaterun/execution.go)."""
        strategy = ((placement.get("spec") or {}).get("strategy") or {}).get("type")
        return strategy != "External" or member in self.updated.get(self._key(placement), set())
