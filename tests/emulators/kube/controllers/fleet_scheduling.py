"""The KubeFleet scheduler's cycles for the hub simulator (split out of fleet.py): the pending
Scheduled condition of a new generation, the policy snapshot it takes, and a new cycle only where
one of the scheduler's watchers enqueued the placement (upstream: kubefleet-dev/kubefleet e160c1cd
pkg/controllers/placement/controller.go, pkg/scheduler/scheduler.go, pkg/scheduler/watchers/)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers import fleet_bindings
from tests.emulators.kube.controllers.fleet_bindings import C1
from tests.emulators.kube.controllers.fleet_conditions import _cond, write_status
from tests.emulators.kube.controllers.fleet_scheduler import Decisions, schedule


class SchedulingCycles:
    """FleetHubController's scheduling: its state is the controller's (fleet.py __init__)."""

    delay: float
    _scheduled: dict[tuple[str | None, str], int]
    _snapshots: dict[tuple[str | None, str], tuple[int, str]]
    _decisions: dict[tuple[str | None, str], tuple[str, Decisions]]
    _due: set[tuple[str | None, str]]
    _bindings_left: dict[tuple[str | None, str], set[str]]
    requeue: Callable[[dict[str, Any], float], None]

    def write_placement_status(self, cluster: Any, placement: dict[str, Any], fields: dict[str, Any]) -> bool:
        """The placement controller's Status().Update of the placement as this pass read it (its
        resourceVersion): False where another writer came between, a 409 that ends the pass and
        requeues the placement, whose next pass computes the status again from a fresh read
        (upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/placement/controller.go
        handleUpdate's r.Client.Status().Update, controller.NewUpdateIgnoreConflictError in
        pkg/utils/controller/controller.go; the error requeues the key rate-limited). The requeue
        is the simulator's own, as place also runs from passes over every placement."""
        return write_status(cluster, placement, fields, lambda: self.requeue(placement, self.delay))

    def _members(self, cluster: Any) -> dict[str, dict[str, Any]]:
        return {m["metadata"]["name"]: m for m in cluster.list(C1, "MemberCluster")}

    def schedule(self, cluster: Any, placement: dict[str, Any]) -> Decisions:
        # The members with a Scheduled or Bound binding of the latest policy snapshot (classifyBindings:
        # bound, scheduled; one of an older snapshot is obsolete), which the cycle keeps.
        snapshot = self.policy_snapshot(placement)
        current = {
            member
            for member, binding in fleet_bindings.bindings_of(cluster, placement).items()
            if binding["spec"].get("state") in ("Scheduled", "Bound")
            and binding["spec"].get("schedulingPolicySnapshotName") == snapshot
        }
        policy = (placement.get("spec") or {}).get("policy") or {}
        return schedule(policy, self._members(cluster), current)

    @staticmethod
    def _key(placement: Mapping[str, Any]) -> tuple[str | None, str]:
        return placement["metadata"].get("namespace"), placement["metadata"]["name"]

    def _pending_schedule(self, cluster: Any, placement: dict[str, Any], generation: int) -> None:
        """A new generation the scheduler has not handled yet: buildScheduledCondition returns Scheduled
        Unknown (SchedulePending) and setPlacementStatus resets the per-cluster statuses; the other
        conditions keep their old generation until the next pass (kubefleet-dev/kubefleet
        pkg/controllers/placement/controller.go). The scheduler runs one delay later."""
        key = self._key(placement)
        prefix = placement["kind"]
        old = [c for c in (placement.get("status") or {}).get("conditions") or [] if c["type"] != prefix + "Scheduled"]
        pending = _cond(prefix + "Scheduled", None, "SchedulePending", "Scheduling has not completed", generation)
        if not self.write_placement_status(
            cluster, placement, {"placementStatuses": [], "conditions": [pending, *old]}
        ):
            return
        self._scheduled[key] = generation
        self._due.add(key)  # the policy snapshot watcher (or a new snapshot's creation) enqueues it
        # A new policy snapshot when the policy (without numberOfClusters) changed (controller.go).
        policy = dict((placement.get("spec") or {}).get("policy") or {})
        policy.pop("numberOfClusters", None)
        digest = json.dumps(policy, sort_keys=True)
        index, last = self._snapshots.get(key, (-1, None))
        if digest != last:
            self._snapshots[key] = (index + 1, digest)
        self.requeue(placement, self.delay)

    def _scheduled_decisions(self, cluster: Any, placement: dict[str, Any], members: Mapping[str, Any]) -> Decisions:
        """A new cycle (scheduleOnce) where a watcher enqueued the placement (_due: a new generation,
        a member event; a binding deleted since the last pass: pkg/scheduler/watchers/binding/
        watcher.go; a picked member's delete event), else the last decisions of this placement."""
        key, uid = self._key(placement), str(placement["metadata"].get("uid"))
        last_uid, last = self._decisions.get(key, ("", None))
        deleted = self._bindings_left.get(key, set()) - set(fleet_bindings.bindings_of(cluster, placement))
        if last is None or uid != last_uid or key in self._due or deleted or set(last.picked) - set(members):
            self._due.discard(key)
            last = self.schedule(cluster, placement)
            self._decisions[key] = (uid, last)
        return last

    def policy_snapshot(self, placement: Mapping[str, Any]) -> str | None:
        """The name of the placement's latest policy snapshot (PolicySnapshotNameFmt), if taken."""
        key = self._key(placement)
        return f"{key[1]}-{self._snapshots[key][0]}" if key in self._snapshots else None
