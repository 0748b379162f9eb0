"""The hub's clean-up of a deleted placement: the finalizers that hold a ClusterResourcePlacement
or ResourcePlacement until its snapshots and bindings are gone; mixed into ``FleetHubController``.

upstream (kubefleet-dev/kubefleet e160c1cd, paths relative to that repository):

* ``kubernetes-fleet.io/crp-cleanup`` (apis/placement/v1beta1/clusterresourceplacement_types.go
  PlacementCleanupFinalizer, "added by the placement controller to all placement objects"; the
  same one on ResourcePlacements: ResourcePlacementCleanupFinalizer, "rp-cleanup", is declared but
  no controller sets it). pkg/controllers/placement/controller.go Reconcile adds it before
  handleUpdate; handleDelete deletes the placement's policy snapshots and resource snapshots
  (pkg/utils/controller DeletePolicySnapshots, resource_snapshot_resolver.go
  DeleteResourceSnapshots: DeleteAllOf by the parent-CRP label), then removes it and records the
  Normal event PlacementCleanupFinalizerRemoved.
* ``kubernetes-fleet.io/scheduler-cleanup`` (the same file, SchedulerCleanupFinalizer).
  pkg/scheduler/scheduler.go scheduleOnce adds it once the placement has a latest policy
  snapshot, before the scheduling cycle; on a deleted placement cleanUpAllBindingsFor deletes
  every binding derived from it, then removes it.

The emulator serves neither policy snapshots nor bindings: the simulator keeps them in memory
(``fleet`` module docstring), and their deletion is forgetting that state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.emulators.kube.controllers import fleet_apply_strategy, fleet_bindings, fleet_snapshots
from tests.emulators.kube.controllers.finalizers import add_finalizer, has_finalizer, remove_finalizer

PLACEMENT_CLEANUP_FINALIZER = "kubernetes-fleet.io/crp-cleanup"
SCHEDULER_CLEANUP_FINALIZER = "kubernetes-fleet.io/scheduler-cleanup"


class PlacementCleanup:
    """Finalizers of the placement controller and the scheduler; mixed into ``FleetHubController``."""

    delay: float
    updated: dict[tuple[str | None, str], set[str]]
    rolled: dict[tuple[str | None, str], dict[str, str]]
    _scheduled: dict[tuple[str | None, str], int]
    # Emulator bookkeeping for the rollout controller's watches (kubefleet-dev/kubefleet
    # pkg/controllers/rollout/controller.go SetupWithManagerForClusterResourcePlacement), no upstream state.
    _rollout_seen: dict[tuple[str | None, str], str]
    _carried: dict[tuple[str | None, str], dict[str, Any]]
    _snapshots: dict[tuple[str | None, str], tuple[int, str]]
    _holding: dict[tuple[str | None, str], set[str]]
    _drifts: fleet_apply_strategy.Drifts  # a test fault's state (fleet.emulator/fail: drift)
    _fields: fleet_apply_strategy.FieldManagers  # a test fault's state (fleet.emulator/pre-existing: managed)
    # Provided by Controller.
    requeue: Callable[[dict[str, Any], float], None]

    def ensure_finalizer(self, cluster: Any, placement: dict[str, Any], finalizer: str) -> bool:
        """Add the finalizer; False (requeued) where the placement changed since it was read:
        controller-runtime's Update conflict, retried (controller.go NewUpdateIgnoreConflictError)."""
        if add_finalizer(cluster, placement, finalizer):
            return True
        self.requeue(placement, self.delay)
        return False

    def clean_up_deleted(self, cluster: Any, placement: dict[str, Any]) -> None:
        """A placement with a deletionTimestamp: the scheduler's and the placement controller's
        clean-up, each removing its own finalizer once done."""
        key = (placement["metadata"].get("namespace"), placement["metadata"]["name"])
        if has_finalizer(placement, SCHEDULER_CLEANUP_FINALIZER):
            # cleanUpAllBindingsFor: every binding deleted (which members were bound, to which
            # snapshot), and the scheduler's observed generation with them. No evicted set: the cordon taint,
            # not the eviction, keeps a member out (kubefleet-dev/kubefleet
            # pkg/scheduler/framework/plugins/tainttoleration).
            for state in (self.updated, self.rolled, self._scheduled, self._rollout_seen, self._carried):
                state.pop(key, None)
            # The bindings' Works go, and with them what the members applied (their owner, the
            # AppliedWork: kubefleet-dev/kubefleet pkg/controllers/workapplier/controller.go
            # garbageCollectAppliedWork).
            self._holding.pop(key, None)
            self._drifts.forget(key)  # the drifted objects went with that AppliedWork
            # and their field managers with them (the managedFields of objects the AppliedWork owned:
            # kubefleet-dev/kubefleet pkg/controllers/workapplier/controller.go garbageCollectAppliedWork)
            self._fields.forget(key)
            # upstream: kubefleet-dev/kubefleet e160c1cd pkg/scheduler/scheduler.go cleanUpAllBindingsFor
            fleet_bindings.delete_all(cluster, placement)
            remove_finalizer(cluster, placement, SCHEDULER_CLEANUP_FINALIZER)
        if has_finalizer(placement, PLACEMENT_CLEANUP_FINALIZER):
            self._snapshots.pop(key, None)  # DeletePolicySnapshots
            api_version, kind = fleet_snapshots.kind_of(placement)
            selector = f"{fleet_snapshots.PARENT}={key[1]}"
            for snapshot in cluster.list(api_version, kind, key[0], selector):  # DeleteResourceSnapshots
                if cluster.get(api_version, kind, key[0], snapshot["metadata"]["name"]) is not None:
                    cluster.delete(api_version, kind, key[0], snapshot["metadata"]["name"])
            remove_finalizer(cluster, placement, PLACEMENT_CLEANUP_FINALIZER)
            cluster.add_event(
                placement,
                "PlacementCleanupFinalizerRemoved",
                "Deleted the snapshots and removed the placement cleanup finalizer",
            )
