"""How the KubeRay simulator writes a RayJob's status: as ray-project/kuberay
ray-operator/controllers/ray/rayjob_controller.go ``updateRayJobStatus`` does, ``r.Status().Update``
of the RayJob the pass read (its resourceVersion as precondition: a writer that came between is a
409 Conflict, never overwritten), and on an error ``Reconcile`` returns
``ctrl.Result{RequeueAfter: RayJobDefaultRequeueDuration}, err``: the next pass reads the RayJob
again and computes its status from that read.

The simulator's RayJob part runs each job as a generator of passes (job_passes.py), so the pass is the
generator's step: the RayJob is read just before the write, the step's fields (or a function of the
status read, for the ``failed``/``succeeded`` counts that checkBackoffLimitAndUpdateStatusIfNeeded
computes from it) are set over that status, and the result is sent as an update of /status
(``ClusterState.update_status_of``). A 409 ends the pass, requeued (``REQUEUE``, standing for
RayJobDefaultRequeueDuration: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/constant.go),
and the next pass does it again from a fresh read.

``updateRayJobStatus`` sends the update only when jobStatus, jobDeploymentStatus, rayClusterStatus
(utils/consistency.go ``InconsistentRayClusterStatus``: state, reason, the worker counts, endpoints,
head, conditions; not lastUpdateTime nor observedGeneration) or jobStatusCheckFailureStartTime
changed (``crucial_change``). A pass that changes only other fields (the message, rayJobInfo,
dashboardURL, jobId) writes nothing. The simulator's steps are finer than KubeRay's passes: the
Initializing pass sets dashboardURL together with Running or Waiting, the Waiting pass jobId
together with Running. So a step that changes no crucial field is held (``_held``, per RayJob uid)
and goes out with the next step that does, as those fields go out with that pass upstream; a
later step's value of the same field wins, as the later pass computes it afresh.

A write that is sent with a terminal deployment status (Complete, Failed: ray-operator/apis/ray/v1/
rayjob_types.go IsJobDeploymentTerminal) gets ``endTime`` now, as updateRayJobStatus stamps it; the
steps that end a job leave it to this."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.controllers.kuberay.common import RAY, now
from tests.emulators.kube.controllers.kuberay.job_passes import Passes
from tests.emulators.kube.patches import merge_patch
from tests.emulators.kube.status import ApiError

# The requeue after a conflict: RayJobDefaultRequeueDuration (3 s upstream: rayjob_controller.go),
# shortened as the simulator's other clocks are.
REQUEUE = 0.05
Fields = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


# ray-project/kuberay ray-operator/controllers/ray/utils/consistency.go InconsistentRayClusterStatus:
# the RayClusterStatus fields whose change is worth a write (lastUpdateTime, observedGeneration are not).
_CLUSTER_FIELDS = (
    "state",
    "reason",
    "readyWorkerReplicas",
    "availableWorkerReplicas",
    "desiredWorkerReplicas",
    "minWorkerReplicas",
    "maxWorkerReplicas",
    "endpoints",
    "head",
    "conditions",
)
# The deployment statuses the suspend passes own (job_endings.py ``_suspend_pass``): a job's
# attempt that finds one of them has ended.
SUSPENDED = ("Suspending", "Suspended")


class Superseded(Exception):
    """A job's attempt found the RayJob Suspending or Suspended: its passes end (job.py ``_spawn``)."""


_held: dict[tuple[str, str, str], dict[str, Any]] = {}
_held_lock = threading.Lock()


def crucial_change(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether ``updateRayJobStatus`` (rayjob_controller.go) would send ``new`` over ``old``: jobStatus,
    jobDeploymentStatus or jobStatusCheckFailureStartTime differ, or the rayClusterStatus fields
    InconsistentRayClusterStatus compares."""
    if any(old.get(f) != new.get(f) for f in ("jobStatus", "jobDeploymentStatus", "jobStatusCheckFailureStartTime")):
        return True
    was, now = old.get("rayClusterStatus") or {}, new.get("rayClusterStatus") or {}
    return any(was.get(f) != now.get(f) for f in _CLUSTER_FIELDS)


def write_status(cluster: Any, ns: str, name: str, fields: Fields, requeue: float = REQUEUE) -> Passes[dict[str, Any]]:
    """Status().Update of RayJob ``ns/name`` as read now, with ``fields`` (or ``fields(status)``)
    set in its status (None removes one), when that changes a field updateRayJobStatus compares
    (``crucial_change``); otherwise the fields are held for the RayJob's next write. A conflict ends
    the pass, requeued (``requeue`` seconds: a ``yield`` of the job's passes, so the manager's thread
    runs other work meanwhile), and the next computes the status again from a fresh read. The RayJob gone
    answers 404, as the write of a deleted object does (the job's passes end on it: job.py
    ``_spawn``). The RayJob as written (or as read, when nothing was sent)."""
    while True:
        job = cluster.get(RAY, "RayJob", ns, name)
        if job is None:
            raise ApiError(404, f'rayjobs.ray.io "{name}" not found', "NotFound")
        job = dict(job)
        status = dict(job.get("status") or {})
        if status.get("jobDeploymentStatus") in SUSPENDED:
            # The status moved on under this pass: its next Reconcile switches on Suspending or
            # Suspended (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go)
            # and never writes what an Initializing or Running pass computed.
            raise Superseded(f"RayJob {ns}/{name} is {status['jobDeploymentStatus']}")
        key = (ns, name, str((job.get("metadata") or {}).get("uid") or ""))
        with _held_lock:
            wanted = dict(_held.get(key) or {})
        wanted.update(fields(dict(status)) if callable(fields) else fields)
        after = merge_patch(status, wanted)
        if not crucial_change(status, after):
            with _held_lock:
                _held[key] = wanted
            return job
        if after.get("jobDeploymentStatus") in ("Complete", "Failed"):
            wanted["endTime"] = now()
        try:
            written = dict(cluster.update_status_of(job, wanted))
        except ApiError as exc:
            if exc.code != 409:
                raise
        else:
            with _held_lock:
                _held.pop(key, None)
            return written
        yield max(requeue, 0.01)


def forget_held(ns: str, name: str, uid: str) -> None:
    """Drop what RayJob ``ns/name`` (``uid``) holds for its next write: a pass that computes the
    status afresh (the suspend passes, job_endings.py) sends only its own fields."""
    with _held_lock:
        _held.pop((ns, name, uid), None)


def counted(status: dict[str, Any], failed: int = 0, succeeded: int = 0) -> dict[str, int]:
    """``failed`` and ``succeeded`` as read, plus this attempt's end (checkBackoffLimitAndUpdateStatusIfNeeded)."""
    return {
        "failed": int(status.get("failed") or 0) + failed,
        "succeeded": int(status.get("succeeded") or 0) + succeeded,
    }
