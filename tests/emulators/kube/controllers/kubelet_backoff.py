"""The kubelet's restart back-off for the containers of a pod that restart in place (restartPolicy
OnFailure, as Jobs use it): the first restart comes at once, each later one waits in
CrashLoopBackOff for the back-off, 10 s doubling to 5 min, counted from when the container
exited; a container that ran without failing for twice the cap starts again from 10 s.

upstream: kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff (the
exited container's finishedAt against IsInBackOffSince; the waiting reason CrashLoopBackOff, its
message "back-off %s restarting failed container=%s pod=%s" with format.Pod's name_namespace(uid),
and the Warning BackOff event "Back-off restarting failed container %s in pod %s"; Next once the
back-off has passed); pkg/kubelet/kubelet.go (backOffPeriod 10 s, MaxContainerBackOff 300 s, no
jitter); kubernetes/client-go 32ce75a7 util/flowcontrol/backoff.go (Next, IsInBackOffSince,
hasExpired: stable after twice the cap); pkg/kubelet/status/generate.go
GenerateContainersReadyCondition (ContainersNotReady, "containers with unready status: [a b]")."""

from __future__ import annotations

import datetime
import time
from typing import Any

INITIAL = 10.0  # backOffPeriod
CAP = 300.0  # MaxContainerBackOff
REASON = "CrashLoopBackOff"


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String() for whole seconds: 10s, 1m20s, 5m0s."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes}m{secs}s"


def clock_iso(at: float) -> str:
    """The RFC 3339 time of ``at`` on a controller's kubelet clock (time.monotonic() plus what a
    test moved it on with ``advance``): the wall clock now, moved on as far as that clock was. A
    container's startedAt and finishedAt are the times it started and exited on that clock, as the
    runtime stamps them (upstream: kubernetes/kubernetes pkg/kubelet/kuberuntime/
    kuberuntime_container.go toKubeContainerStatus, StartedAt/FinishedAt from the CRI status),
    not the time the emulator's pass that found the exit ran."""
    wall = time.time() + at - time.monotonic()
    return datetime.datetime.fromtimestamp(wall, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RestartBackOff:
    """flowcontrol.Backoff as the kubelet makes it, keyed by pod uid, on a caller's clock."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, float]] = {}  # key -> (back-off, last update)
        self._exited: dict[str, float] = {}  # key -> when the containers last exited, waiting

    def _expired(self, key: str, event_time: float) -> bool:
        entry = self._entries.get(key)
        return entry is None or event_time - entry[1] > 2 * CAP

    def get(self, key: str) -> float:
        entry = self._entries.get(key)
        return entry[0] if entry is not None else 0.0

    def next(self, key: str, event_time: float, now: float) -> None:
        """Backoff.Next: 10 s for a new or stable key, else double up to the cap."""
        if self._expired(key, event_time):
            self._entries[key] = (INITIAL, now)
        else:
            self._entries[key] = (min(self.get(key) * 2, CAP), now)

    def in_back_off_since(self, key: str, event_time: float, now: float) -> bool:
        """Backoff.IsInBackOffSince."""
        if self._expired(key, event_time):
            return False
        return now - event_time < self.get(key)

    def set(self, key: str, back_off: float, at: float) -> None:
        """An entry as a run of earlier restarts left it (a pod made crash-looping)."""
        self._entries[key] = (back_off, at)

    def exited(self, key: str, at: float) -> None:
        self._exited[key] = at

    def waiting_since(self, key: str) -> float | None:
        """When the key's container exited and began to wait (None: not waiting)."""
        return self._exited.get(key)

    def remaining(self, key: str, now: float) -> float:
        """Seconds until a waiting pod's containers may start again (0: now)."""
        exited = self._exited.get(key)
        if exited is None or not self.in_back_off_since(key, exited, now):
            return 0.0
        return self.get(key) - (now - exited)

    def restart(self, key: str, now: float) -> None:
        """doBackOff's Next once the wait is over, from the exit time."""
        exited = self._exited.pop(key, now)
        self.next(key, exited, now)

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)
        self._exited.pop(key, None)


def waiting(status: dict[str, Any]) -> bool:
    """Whether a pod's containers wait in CrashLoopBackOff."""
    return any(
        ((c.get("state") or {}).get("waiting") or {}).get("reason") == REASON
        for c in status.get("containerStatuses") or []
    )


def crash_loop(pod: dict[str, Any], code: int, now: str, back_off: float) -> dict[str, Any]:
    """The status patch of a pod whose containers exited with ``code`` and wait out the back-off:
    waiting CrashLoopBackOff, last state terminated, not ready; the pod stays Running."""
    md, status = pod["metadata"], pod.get("status") or {}
    who = f"{md['name']}_{md.get('namespace', '')}({md.get('uid', '')})"
    containers, names = [], []
    for c in status.get("containerStatuses") or []:
        running = (c.get("state") or {}).get("running") or {}
        last = {"exitCode": code, "reason": "Error", "startedAt": running.get("startedAt", now), "finishedAt": now}
        message = f"back-off {go_duration(back_off)} restarting failed container={c.get('name')} pod={who}"
        containers.append(
            {
                **c,
                "ready": False,
                "started": False,
                "lastState": {"terminated": last},
                "state": {"waiting": {"reason": REASON, "message": message}},
            }
        )
        names.append(str(c.get("name")))
    unready = {"reason": "ContainersNotReady", "message": f"containers with unready status: [{' '.join(names)}]"}
    return {"containerStatuses": containers, "conditions": _ready_conditions(status, False, now, unready)}


def started_again(status: dict[str, Any], now: str) -> dict[str, Any]:
    """The status patch once the back-off is over: restartCount + 1, running and ready again."""
    containers = [
        {
            **c,
            "restartCount": int(c.get("restartCount") or 0) + 1,
            "ready": True,
            "started": True,
            "state": {"running": {"startedAt": now}},
        }
        for c in status.get("containerStatuses") or []
    ]
    return {"containerStatuses": containers, "conditions": _ready_conditions(status, True, now, {})}


def after_restarts(restarts: int) -> float:
    """The back-off a container waits after ``restarts`` restarts that came each at its end: the
    first restart is at once and sets 10 s, each later one doubles it, up to the cap."""
    return min(INITIAL * 2 ** max(restarts - 1, 0), CAP)


def named(pod: dict[str, Any]) -> dict[str, Any]:
    """The status patch that gives a stored pod's CrashLoopBackOff containers doBackOff's whole
    message, naming the pod as format.Pod does (for pods made crash-looping, whose name and uid
    the API server gave)."""
    md, status = pod["metadata"], pod.get("status") or {}
    who = f"{md['name']}_{md.get('namespace', '')}({md.get('uid', '')})"
    containers = []
    for c in status.get("containerStatuses") or []:
        waiting = (c.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") == REASON:
            wait = go_duration(after_restarts(int(c.get("restartCount") or 0)))
            message = f"back-off {wait} restarting failed container={c.get('name')} pod={who}"
            c = {**c, "state": {"waiting": {"reason": REASON, "message": message}}}
        containers.append(c)
    return {"containerStatuses": containers}


def back_off_event(pod: dict[str, Any]) -> str:
    md = pod["metadata"]
    names = [str(c.get("name")) for c in (pod.get("status") or {}).get("containerStatuses") or []]
    who = f"{md['name']}_{md.get('namespace', '')}({md.get('uid', '')})"
    return f"Back-off restarting failed container {names[0] if names else ''} in pod {who}"


def _ready_conditions(status: dict[str, Any], ready: bool, now: str, why: dict[str, str]) -> list[dict[str, Any]]:
    """The pod's conditions with Ready and ContainersReady set to ``ready`` (a transition stamps
    lastTransitionTime)."""
    out = []
    for c in status.get("conditions") or []:
        if c.get("type") in ("Ready", "ContainersReady"):
            value = "True" if ready else "False"
            moved = c.get("status") != value
            c = {k: v for k, v in c.items() if k not in ("reason", "message")} | {"status": value} | why
            if moved:
                c["lastTransitionTime"] = now
        out.append(c)
    return out
