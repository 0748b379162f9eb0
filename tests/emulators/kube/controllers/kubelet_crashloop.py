"""The kubelet's restart back-off for the containers of the injected ``crashloop`` mode's pods
(restartPolicy Always: Deployments, StatefulSets, DaemonSets). Such a pod is made after 3
restarts, waiting 40 s; as its owner's clock moves on (``advance``), each container starts again
when its back-off has passed, exits at once with code 1, and waits again for twice as long, up to
5 min: restartCount grows, lastState is the new exit, the message gives the new back-off, and the
kubelet records another BackOff event.

The back-off is kept per container, as the kubelet keys it (upstream: kubernetes/kubernetes
pkg/kubelet/kuberuntime/helpers.go getStableKey: pod name, namespace, uid, container name and the
container's hash; pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff, one container at a
time). The container's hash here is a hash of its spec's JSON, not HashContainer's. The rules of
the back-off itself are kubelet_backoff.RestartBackOff's.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers import kubelet_backoff
from tests.emulators.kube.controllers.kubelet_backoff import REASON, RestartBackOff, after_restarts, go_duration

EXIT_CODE = 1


# kubernetes/kubernetes pkg/kubelet/container/runtime.go MaxContainerTerminationMessageLogLines and
# MaxContainerTerminationMessageLogLength: the log tail a FallbackToLogsOnError message holds.
LOG_LINES, LOG_BYTES = 80, 2048


def termination_message(container: dict[str, Any], exit_code: int, log: str | None) -> str | None:
    """lastState.terminated.message of a container that exited, as the kubelet fills it
    (kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go
    convertToKubeContainerStatus, getTerminationMessage, readLastStringFromContainerLogs): the
    message file is empty (no simulated process writes /dev/termination-log), so only
    terminationMessagePolicy FallbackToLogsOnError with a non-zero exit gives one: the log's last
    80 lines, each with its newline, cut to its last 2048 bytes (a circular buffer). None with the
    default policy File or an empty log."""
    if container.get("terminationMessagePolicy") != "FallbackToLogsOnError" or exit_code == 0 or not log:
        return None
    tail = "".join(line + "\n" for line in log.splitlines()[-LOG_LINES:]).encode()[-LOG_BYTES:]
    return tail.decode("utf-8", "replace")


def stable_key(pod: dict[str, Any], container: dict[str, Any]) -> str:
    """getStableKey: ``name_namespace_uid_container_hash``."""
    md = pod["metadata"]
    digest = hashlib.sha256(json.dumps(container, sort_keys=True).encode()).hexdigest()[:16]
    return f"{md['name']}_{md.get('namespace', '')}_{md.get('uid', '')}_{container.get('name', '')}_{digest}"


def container_keys(pod: dict[str, Any]) -> list[str]:
    """The back-off key of each of the pod's containers (the Job controller's OnFailure restarts
    use them too: all of a pod's containers exit together there, each with its own entry)."""
    return [stable_key(pod, c) for c in (pod.get("spec") or {}).get("containers") or []] or [
        str(pod["metadata"].get("uid"))
    ]


class CrashLoops:
    """The crash-looping pods one controller made, with each container's back-off."""

    def __init__(self) -> None:
        self.back_off = RestartBackOff()
        self._pods: dict[str, tuple[str, str]] = {}  # pod uid -> (namespace, name)
        self.restarted_logs: list[tuple[str, str, str]] = []  # (namespace, pod, container) per restart
        self._exit_logs: dict[str, str] = {}  # pod uid -> the line its first container logs at each exit
        self._exit_codes: dict[str, int] = {}  # pod uid -> its first container's exit code, where not 1
        self._lock = threading.Lock()

    def track(self, pod: dict[str, Any], now: float, exit_log: str | None = None, exit_code: int = EXIT_CODE) -> None:
        """A pod made crash-looping: each container exited ``now`` after its restarts so far.
        ``exit_log``: what its first container logs before each exit (a KubeRay operator that
        refuses to start; its maker writes the first one), written again for each new instance;
        ``exit_code``: the first container's (2 where Go's flag package refused its flags)."""
        md = pod["metadata"]
        containers = {c.get("name"): c for c in (pod.get("spec") or {}).get("containers") or []}
        with self._lock:
            if exit_log is not None:
                self._exit_logs[str(md.get("uid"))] = exit_log
            if exit_code != EXIT_CODE:
                self._exit_codes[str(md.get("uid"))] = exit_code
            self._pods[str(md.get("uid"))] = (str(md.get("namespace", "")), str(md["name"]))
            for status in (pod.get("status") or {}).get("containerStatuses") or []:
                key = stable_key(pod, containers.get(status.get("name")) or {"name": status.get("name")})
                self.back_off.set(key, after_restarts(int(status.get("restartCount") or 0)), now)
                self.back_off.exited(key, now)

    def step(self, cluster: ClusterState, now: float) -> None:
        """Every tracked pod's containers whose back-off has passed by ``now`` restart and exit
        again, as often as the time allows (a restart comes when the previous back-off ends)."""
        with self._lock:
            tracked = dict(self._pods)
        for uid, (namespace, name) in tracked.items():
            pod = cluster.get("v1", "Pod", namespace, name)
            if pod is None or pod["metadata"].get("uid") != uid or pod["metadata"].get("deletionTimestamp"):
                self._forget(uid)
                continue
            self.restarted_logs = []
            patch = self._restarts(pod, now)
            # each new instance's log starts empty, the old one kept for --previous (upstream:
            # kubernetes/kubernetes pkg/kubelet/kubelet_pods.go validateContainerLogStatus)
            for ns, pod_name, container in self.restarted_logs:
                cluster.api.restart_logs(ns, pod_name, container)
            exit_log = self._exit_logs.get(uid)
            if exit_log is not None and self.restarted_logs:
                self.write_exit_log(cluster, pod, exit_log)
            if patch is not None:
                # the kubelet's status sync: a patch from the pod as read (kubernetes/kubernetes
                # pkg/kubelet/status/status_manager.go syncPod, pkg/util/pod/pod.go PatchPodStatus)
                updated = cluster.patch_pod_status(pod, patch)
                cluster.add_event(updated, "BackOff", kubelet_backoff.back_off_event(updated), "Warning")

    def _restarts(self, pod: dict[str, Any], now: float) -> dict[str, Any] | None:
        md = pod["metadata"]
        who = f"{md['name']}_{md.get('namespace', '')}({md.get('uid', '')})"
        containers = {c.get("name"): c for c in (pod.get("spec") or {}).get("containers") or []}
        statuses, moved = [], False
        with self._lock:
            first_code = self._exit_codes.get(str(md.get("uid")), EXIT_CODE)
            exit_log = self._exit_logs.get(str(md.get("uid")))
            for index, status in enumerate((pod.get("status") or {}).get("containerStatuses") or []):
                key = stable_key(pod, containers.get(status.get("name")) or {"name": status.get("name")})
                restarts = 0
                while self.back_off.remaining(key, now) <= 0 and self.back_off.waiting_since(key) is not None:
                    started = self.back_off.waiting_since(key) + self.back_off.get(key)  # type: ignore[operator]
                    self.back_off.restart(key, started)  # doBackOff's Next, then the container starts
                    self.restarted_logs.append((str(md.get("namespace", "")), str(md["name"]), str(status.get("name"))))
                    self.back_off.exited(key, started)  # ... and exits at once
                    restarts += 1
                if not restarts:
                    statuses.append(status)
                    continue
                moved = True
                stamp = kubelet_backoff.clock_iso(started)  # the last restart's start, and its exit
                wait = go_duration(self.back_off.get(key))
                message = f"back-off {wait} restarting failed container={status.get('name')} pod={who}"
                statuses.append(
                    {
                        **status,
                        "restartCount": int(status.get("restartCount") or 0) + restarts,
                        "lastState": {
                            "terminated": {
                                "exitCode": first_code if index == 0 else EXIT_CODE,
                                "reason": "Completed"
                                if index == 0 and first_code == 0
                                else "Error",  # containerd/containerd internal/cri/server/helpers.go
                                "startedAt": stamp,
                                "finishedAt": stamp,
                                **_message(
                                    containers.get(status.get("name")), first_code, exit_log if index == 0 else None
                                ),
                            }
                        },
                        "state": {"waiting": {"reason": REASON, "message": message}},
                    }
                )
        return {"containerStatuses": statuses} if moved else None

    @staticmethod
    def write_exit_log(cluster: ClusterState, pod: dict[str, Any], line: str) -> None:
        """The first container's log: the line it wrote before it exited (what `kubectl logs` and
        `--previous` read of a restarted container; upstream: kubernetes/kubernetes
        pkg/kubelet/kuberuntime/kuberuntime_container.go keeps the previous instance's log)."""
        if (pod.get("spec") or {}).get("containers"):
            # None for a pod deleted since its read: its log went with its container
            # (kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go removeContainerLog).
            cluster.write_pod_log(pod, line)

    def _forget(self, uid: str) -> None:
        with self._lock:
            self._pods.pop(uid, None)
            self._exit_logs.pop(uid, None)
            self._exit_codes.pop(uid, None)


def _message(container: dict[str, Any] | None, exit_code: int, log: str | None) -> dict[str, str]:
    message = termination_message(container or {}, exit_code, log)
    return {"message": message} if message is not None else {}
