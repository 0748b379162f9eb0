"""The pods a DaemonSet's controller makes: the tolerations it adds to the template. Moved out of
scheduling.py (which re-exports daemon_pod_spec and keeps should_run_daemon_pod)."""

from __future__ import annotations

from typing import Any

# upstream: kubernetes/kubernetes v1.34 pkg/controller/daemon/util/daemonset_util.go
# AddOrUpdateDaemonPodTolerations: every daemon pod tolerates these, whatever its template says.
DAEMON_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]
HOST_NETWORK_TOLERATION = {
    "key": "node.kubernetes.io/network-unavailable",
    "operator": "Exists",
    "effect": "NoSchedule",
}


def daemon_pod_spec(template_spec: dict[str, Any]) -> dict[str, Any]:
    """The template's pod spec with the tolerations the DaemonSet controller adds."""
    spec = dict(template_spec)
    extra = DAEMON_TOLERATIONS + ([HOST_NETWORK_TOLERATION] if spec.get("hostNetwork") else [])
    spec["tolerations"] = list(spec.get("tolerations") or []) + extra
    return spec
