"""Following pods by label: one list, then a watch from its resourceVersion (never polling)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.kube.client import Kube

TERMINAL = ("Succeeded", "Failed")


def pod_events(kube: Kube, namespace: str, selector: str, deadline: float) -> Iterator[dict[str, Any]]:
    """Every matching pod now, then each change until ``deadline``: kube/reflector.py's loop
    (a watch the server ends resumes from the last version seen; only a 410 lists again)."""
    from akscli.kube.reflector import list_and_watch

    for kind, pod in list_and_watch(
        kube,
        "v1",
        "Pod",
        namespace=namespace,
        label_selector=selector,
        seconds_left=lambda: deadline - time.monotonic(),
    ):
        if kind in ("ADDED", "MODIFIED"):
            yield pod


def phase(pod: Mapping[str, Any]) -> str:
    return str((pod.get("status") or {}).get("phase") or "Pending")


def stopped(pod: Mapping[str, Any]) -> bool:
    """Whether the pod failed because it was deleted: since Kubernetes 1.27 the kubelet marks a
    deleted pod Failed (or Succeeded) before its removal (upstream: kubernetes/kubernetes
    pkg/kubelet/kubelet_pods.go getPhase, podIsTerminal)."""
    return phase(pod) == "Failed" and bool((pod.get("metadata") or {}).get("deletionTimestamp"))


def disruption(pod: Mapping[str, Any]) -> str | None:
    """The DisruptionTarget condition's reason and message (an eviction, a preemption, a taint),
    else None (upstream: kubernetes/api core/v1/types.go DisruptionTarget)."""
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "DisruptionTarget" and c.get("status") == "True":
            return ": ".join(str(x) for x in (c.get("reason"), c.get("message")) if x) or "DisruptionTarget"
    return None


def pull_error(pod: Mapping[str, Any]) -> str | None:
    """The kubelet's reason when the pod's image cannot be pulled (akscli.kube.pod_problems reads
    it, with every pull reason the kubelet has), else None."""
    from akscli.kube import pod_problems

    found = pod_problems.problem(pod)
    return found.reason if found is not None and found.image_pull else None
