"""Labels, messages and condition helpers the staged-update-run parts share (see fleet_runs.py).

upstream: kubefleet-dev/kubefleet e160c1cd pkg/controllers/updaterun (each value names its file)."""

# condition times on the simulator's clock (upstream: kubefleet-dev/kubefleet pkg/controllers/updaterun)
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tests.emulators.kube.controllers import fleet_snapshots as snapshots
from tests.emulators.kube.controllers.fleet_conditions import _now as _now

# set_cond: kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/api/meta/conditions.go
# SetStatusCondition, one copy for the Fleet simulators (fleet_conditions.py)
from tests.emulators.kube.controllers.fleet_conditions import set_cond as set_cond
from tests.emulators.kube.status import ApiError

P1 = "placement.kubernetes-fleet.io/v1"
RUN_LABEL = snapshots.FLEET + "targetUpdateRun"
STAGE_LABEL = snapshots.FLEET + "targetUpdatingStage"
TASK_TYPE_LABEL = snapshots.FLEET + "taskType"
LATEST_LABEL = snapshots.FLEET + "isLatestUpdateRunApproval"
ABORTED = "cannot continue the updateRun: failed to validate the updateRun: "
# controller.NewUserError (pkg/utils/controller/controller.go): ErrUserError wraps what the user got wrong.
USER_ERROR = "failed to process the request due to a client error: "
WAITING = "The updateRun is waiting for {when} tasks in stage {stage} to complete"
STUCK = (
    "The updateRun is stuck waiting for {clusters} cluster(s) in stage {stage} to finish updating, "
    "please check placement status for potential errors"
)
# The messages of markUpdateRunStopping, markStageUpdatingStopping and markStageUpdatingStopped
# (kubefleet-dev/kubefleet pkg/controllers/updaterun/stop.go).
STOPPING = (
    "The update run is the process of stopping, waiting for all the updating/deleting clusters to finish "
    "updating before completing the stop process"
)
STAGE_STOPPING = "Waiting for all the updating clusters to finish updating before completing the stop process"
STAGE_STOPPED = "All the updating clusters have finished updating, the stage is now stopped, waiting to be resumed"
UPDATE_RUN_STUCK_THRESHOLD = 300.0
CLUSTER_UPDATING_WAIT = 1.0

Cond = Callable[..., dict[str, Any]]


def conds_of(obj: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("conditions") or [])}


def _current(cond: Mapping[str, Any] | None, generation: int, status: str) -> bool:
    return cond is not None and cond.get("status") == status and cond.get("observedGeneration") == generation


def stuck_clusters(names: list[str]) -> str:
    """generateStuckClustersString (execution.go): the first three, then '...'."""
    return ", ".join(names[:3]) + ("..." if len(names) > 3 else "")


def resource_indexes(cluster: Any, placement: Mapping[str, Any]) -> set[str]:
    """The resource snapshot indexes a placement has: those of its (Cluster)ResourceSnapshots,
    listed by the kubernetes-fleet.io/parent-CRP label and read from kubernetes-fleet.io/resource-index
    (upstream: kubefleet-dev/kubefleet e160c1cd pkg/utils/controller/resource_snapshot_resolver.go
    ListAllResourceSnapshotWithAnIndex). The simulator installs the snapshot CRDs (fleet_snapshots);
    a hub without them has no snapshot of any index."""
    api_version, kind = snapshots.kind_of(placement)
    try:
        found = cluster.list(api_version, kind, placement["metadata"].get("namespace"),
                             f"{snapshots.PARENT}={placement['metadata']['name']}")  # fmt: skip
    except ApiError:
        return set()
    return {str(s["metadata"].get("labels", {}).get(snapshots.INDEX)) for s in found}
