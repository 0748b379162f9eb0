"""The status the kubelet writes for a pod it stopped because the pod was deleted, before it
confirms the deletion: the pod is terminal, so its phase is Succeeded where every container
exited 0, else Failed, whatever its restartPolicy; Ready and ContainersReady go False with
reason PodFailed (or PodCompleted).

upstream: kubernetes/kubernetes pkg/kubelet/kubelet_pods.go generateAPIPodStatus and getPhase
(podIsTerminal: "The pod is terminal so its containers won't be restarted regardless of the
restart policy"; since 1.27, kubernetes/kubernetes#115331), pkg/kubelet/status/generate.go
generatePodReadyConditionForTerminalPhase, generateContainersReadyConditionForTerminalPhase;
pkg/kubelet/status/status_manager.go TerminatePod (a container the runtime no longer reports:
ContainerStatusUnknown, exit code 137).

A running container is stopped with SIGTERM; the emulator's containers exit on it as a process
without a handler does, 128 + 15 = 143, reason Error (the exit code is the workload's on a real
node)."""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube.apiserver_common import now_iso

SIGTERM_EXIT = 143
UNKNOWN = {
    "exitCode": 137,
    "reason": "ContainerStatusUnknown",
    "message": "The container could not be located when the pod was terminated",
}


def _terminated(status: dict[str, Any], stamp: str) -> dict[str, Any]:
    state = status.get("state") or {}
    if "terminated" in state:
        return status
    out = copy.deepcopy(status)
    if "running" in state:
        started = state["running"].get("startedAt") or stamp
        terminated = {"exitCode": SIGTERM_EXIT, "reason": "Error", "startedAt": started, "finishedAt": stamp}
        if status.get("containerID"):
            terminated["containerID"] = status["containerID"]
    else:
        terminated = dict(UNKNOWN)
    out["state"] = {"terminated": terminated}
    out["ready"], out["started"] = False, False
    return out


def terminal_status(pod: dict[str, Any]) -> dict[str, Any] | None:
    """The status patch for a deleted pod the kubelet has stopped; None where it is already
    terminal or never ran on a node."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed") or not (pod.get("spec") or {}).get("nodeName"):
        return None
    stamp = now_iso()
    containers = [_terminated(c, stamp) for c in status.get("containerStatuses") or []]
    inits = [_terminated(c, stamp) for c in status.get("initContainerStatuses") or []]
    codes = [c["state"]["terminated"].get("exitCode") for c in containers]
    phase = "Succeeded" if codes and all(code == 0 for code in codes) else "Failed"
    reason = "PodCompleted" if phase == "Succeeded" else "PodFailed"
    conditions = []
    for c in status.get("conditions") or []:
        if c.get("type") in ("Ready", "ContainersReady"):
            changed = c.get("status") != "False"
            c = {**c, "status": "False", "reason": reason}
            c.pop("message", None)
            if changed:
                c["lastTransitionTime"] = stamp
        conditions.append(c)
    out: dict[str, Any] = {"phase": phase, "conditions": conditions, "containerStatuses": containers}
    if inits:
        out["initContainerStatuses"] = inits
    return out
