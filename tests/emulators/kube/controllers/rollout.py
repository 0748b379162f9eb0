"""A Deployment's status conditions as the deployment controller writes them (upstream:
kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go NewDeploymentCondition).
A StatefulSet's update is statefulset.py's (pkg/controller/statefulset)."""

from __future__ import annotations

import threading
from typing import Any

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.controllers.base import PassHeld


def condition(typ: str, status: str, reason: str = "", message: str = "") -> dict[str, Any]:
    t = now_iso()
    c = {"type": typ, "status": status, "lastTransitionTime": t, "lastUpdateTime": t}
    if reason:
        c["reason"] = reason
    if message:
        c["message"] = message
    return c


def _scaled(value: Any, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: an int as it is, "25%" of total rounded as asked."""
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * total / 100
        return int(-(-exact // 1)) if round_up else int(exact // 1)
    return int(value)


def max_unavailable(spec: dict[str, Any], replicas: int) -> int:
    """How many pods a Deployment may miss and still have "minimum availability".

    upstream: kubernetes/kubernetes v1.34.0 pkg/controller/deployment/util/deployment_util.go
    MaxUnavailable and ResolveFenceposts: 0 for Recreate or zero replicas; else maxUnavailable
    (default 25%, pkg/apis/apps/v1/defaults.go) rounded down, maxSurge (default 25%) rounded up,
    1 where both come to 0, and never more than the replicas."""
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate" or replicas == 0:
        return 0
    rolling = strategy.get("rollingUpdate") or {}
    surge = _scaled(rolling.get("maxSurge", "25%"), replicas, True)
    unavailable = _scaled(rolling.get("maxUnavailable", "25%"), replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return min(unavailable, replicas)


def max_surge(spec: dict[str, Any], replicas: int) -> int:
    """upstream: kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go MaxSurge:
    0 for Recreate, else maxSurge (default 25%) of the replicas rounded up."""
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0
    return _scaled((strategy.get("rollingUpdate") or {}).get("maxSurge", "25%"), replicas, True)


def new_rs_new_replicas(spec: dict[str, Any], replicas: int, current: int, new: int) -> int:
    """The new ReplicaSet's next size, ``current`` pods being what every ReplicaSet's spec asks.

    upstream: kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go
    NewRSNewReplicas: Recreate, spec.replicas; RollingUpdate, up to replicas + maxSurge pods in all
    (maxSurge scaled from a percentage of replicas rounded up, default 25%,
    pkg/apis/apps/v1/defaults.go), never past spec.replicas, and no more while the old pods fill
    that room."""
    strategy = spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return replicas
    surge = _scaled((strategy.get("rollingUpdate") or {}).get("maxSurge", "25%"), replicas, True)
    most = replicas + surge
    if current >= most:
        return new
    return new + min(most - current, replicas - new)


class ProgressDeadline:
    """When a Deployment last made progress, on the simulator's clock, and whether its
    progressDeadlineSeconds (defaulted to 600 by the API server) has passed since.

    upstream: kubernetes/kubernetes 008b3652 pkg/controller/deployment/progress.go
    syncRolloutStatus (a rollout not complete: progress moves the Progressing condition's
    lastUpdateTime on, none for progressDeadlineSeconds gives Progressing=False
    ProgressDeadlineExceeded, 'ReplicaSet "X" has timed out progressing.'; a Deployment already
    timed out stays so until it progresses again) and requeueStuckDeployment (a stuck one is synced
    again when its deadline is due); deployment/util/deployment_util.go DeploymentProgressing
    (more updated replicas, fewer old ones, more ready or more available than the status before)
    and DeploymentTimedOut. A new rollout starts the clock (rolling.go/sync.go: the new ReplicaSet's
    NewReplicaSetCreated stamps lastUpdateTime). The clock is time.monotonic() plus what a test
    moved it on with ``DeploymentController.advance`` (no sleeps)."""

    def __init__(self) -> None:
        # kubernetes/kubernetes pkg/controller/deployment/progress.go reads the time through nowFn.
        self.clock = PassHeld()  # what a test moved it on (DeploymentController.advance, clocks)
        self._lock = threading.Lock()
        self._last: dict[str, tuple[int, float]] = {}  # uid -> (generation, clock time of last progress)

    @property
    def offset(self) -> float:
        return self.clock.read()

    def now(self) -> float:
        return self.clock.monotonic()

    def left(self, obj: dict[str, Any], new: dict[str, Any]) -> float:
        """Seconds until the deadline (<= 0: timed out), recording progress from ``obj``'s status to ``new``."""
        md, old = obj["metadata"], obj.get("status") or {}
        gen = int(md.get("generation", 1))

        def n(status: dict[str, Any], key: str) -> int:
            return int(status.get(key) or 0)

        progressed = (
            n(new, "updatedReplicas") > n(old, "updatedReplicas")
            or n(new, "replicas") - n(new, "updatedReplicas") < n(old, "replicas") - n(old, "updatedReplicas")
            or n(new, "readyReplicas") > n(old, "readyReplicas")
            or n(new, "availableReplicas") > n(old, "availableReplicas")
        )
        now = self.now()
        with self._lock:
            last = self._last.get(md["uid"])
            if last is None or last[0] != gen or progressed:
                last = self._last[md["uid"]] = (gen, now)
        deadline = int((obj.get("spec") or {}).get("progressDeadlineSeconds") or 600)
        return last[1] + deadline - now

    def forget(self, uid: str) -> None:
        with self._lock:
            self._last.pop(uid, None)


def rollout_conditions(
    spec: dict[str, Any],
    want: int,
    available: int,
    rs_name: str,
    status: dict[str, Any],
    complete: bool,
    timed_out: bool = False,
) -> list[dict[str, Any]]:
    """A Deployment's Available and Progressing conditions while nothing has failed.

    upstream: kubernetes/kubernetes v1.34.0 pkg/controller/deployment/sync.go syncRolloutStatus
    (Available while available >= replicas - MaxUnavailable) and progress.go
    syncRolloutStatus (NewReplicaSetAvailable once the rollout is complete, ``complete``:
    deployment_util.go DeploymentComplete, every replica updated and available and no old one
    left,
    ReplicaSetUpdated while it progresses; rolling.go reconcileNewReplicaSet's
    NewReplicaSetCreated before the first status, which the emulator keeps only while no pod is
    available: it places the pods in the same pass, where the real controller would already have
    seen them progress). A Deployment whose pods cannot be scheduled
    is not Available: the emulator said it was.

    A completed rollout keeps its Progressing condition as it is, NewReplicaSetAvailable, when it
    later loses ready pods: syncRolloutStatus skips the progress check for isCompleteDeployment
    (every replica updated, and the current reason NewReplicaSetAvailable), so such a Deployment
    never times out either (upstream: kubernetes/kubernetes 008b3652 pkg/controller/deployment/
    progress.go syncRolloutStatus). A new template is a new ReplicaSet, which the condition's
    message does not name."""
    current = next((c for c in status.get("conditions") or [] if c.get("type") == "Progressing"), None)
    finished = (
        current is not None
        and current.get("reason") == "NewReplicaSetAvailable"
        and f'ReplicaSet "{rs_name}"' in str(current.get("message"))
    )
    if available >= want - max_unavailable(spec, want):
        avail = condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
    else:
        avail = condition(
            "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."
        )
    if finished and current is not None:
        progress = current
    elif complete:
        progress = condition(
            "Progressing", "True", "NewReplicaSetAvailable", f'ReplicaSet "{rs_name}" has successfully progressed.'
        )
    elif timed_out:
        progress = condition(
            "Progressing", "False", "ProgressDeadlineExceeded", f'ReplicaSet "{rs_name}" has timed out progressing.'
        )
    elif not status.get("conditions") and available == 0:
        progress = condition("Progressing", "True", "NewReplicaSetCreated", f'Created new replica set "{rs_name}"')
    else:
        progress = condition("Progressing", "True", "ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.')
    return [avail, progress]
