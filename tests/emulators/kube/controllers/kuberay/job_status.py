"""How the KubeRay simulator writes a RayJob's status: as ray-project/kuberay
ray-operator/controllers/ray/rayjob_controller.go ``updateRayJobStatus`` does, ``r.Status().Update``
of the RayJob the pass read (its resourceVersion as precondition: a writer that came between is a
409 Conflict, never overwritten), and on an error ``Reconcile`` returns
``ctrl.Result{RequeueAfter: RayJobDefaultRequeueDuration}, err``: the next pass reads the RayJob
again and computes its status from that read.

The simulator's RayJob part runs each job on a thread of its own (job.py), so the pass is the
thread's step: the RayJob is read just before the write, the step's fields (or a function of the
status read, for the ``failed``/``succeeded`` counts that checkBackoffLimitAndUpdateStatusIfNeeded
computes from it) are set over that status, and the result is sent as an update of /status
(``ClusterState.update_status_of``). A 409 waits one requeue (``delay``, standing for
RayJobDefaultRequeueDuration) and does it again from a fresh read.

Not as upstream: updateRayJobStatus writes only when jobStatus, jobDeploymentStatus,
rayClusterStatus or jobStatusCheckFailureStartTime changed, and stamps endTime itself for a
terminal deployment status; the simulator's steps each write what they changed (the message,
jobId, rayJobInfo on their own too) and set endTime where they end the job."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.controllers.kuberay.common import RAY
from tests.emulators.kube.status import ApiError

# The requeue after a conflict: RayJobDefaultRequeueDuration (3 s upstream: rayjob_controller.go),
# shortened as the simulator's other clocks are.
REQUEUE = 0.05
Fields = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


def write_status(cluster: Any, ns: str, name: str, fields: Fields, requeue: float = REQUEUE) -> dict[str, Any]:
    """Status().Update of RayJob ``ns/name`` as read now, with ``fields`` (or ``fields(status)``)
    set in its status (None removes one); a conflict is requeued (``requeue`` seconds) and the
    status computed again from a fresh read. The RayJob gone answers 404, as the write of a deleted
    object does (the job thread ends on it: job.py ``_spawn``). The RayJob as written."""
    while True:
        job = cluster.get(RAY, "RayJob", ns, name)
        if job is None:
            raise ApiError(404, f'rayjobs.ray.io "{name}" not found', "NotFound")
        job = dict(job)
        wanted = fields(dict(job.get("status") or {})) if callable(fields) else fields
        try:
            return dict(cluster.update_status_of(job, wanted))
        except ApiError as exc:
            if exc.code != 409:
                raise
        time.sleep(max(requeue, 0.01))


def counted(status: dict[str, Any], failed: int = 0, succeeded: int = 0) -> dict[str, int]:
    """``failed`` and ``succeeded`` as read, plus this attempt's end (checkBackoffLimitAndUpdateStatusIfNeeded)."""
    return {
        "failed": int(status.get("failed") or 0) + failed,
        "succeeded": int(status.get("succeeded") or 0) + succeeded,
    }
