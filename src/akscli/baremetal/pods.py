"""Following pods by label: one list, then a watch from its resourceVersion (never polling)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from akscli.kube.client import Kube

TERMINAL = ("Succeeded", "Failed")


def pod_events(kube: Kube, namespace: str, selector: str, deadline: float) -> Iterator[dict[str, Any]]:
    """Every matching pod now, then each change until ``deadline``. A watch the server ends
    (timeoutSeconds, its own request timeout) resumes from the last version seen, as client-go's
    reflector does (upstream: kubernetes/client-go v0.35.0 tools/cache/reflector.go, watch);
    only an expired version (410) lists again."""
    from akscli import errors
    from akscli.kube.client import WatchExpired

    version: str | None = None
    while time.monotonic() < deadline:
        try:
            if version is None:
                for page in kube.list_pages("v1", "Pod", namespace=namespace, label_selector=selector, consistent=True):
                    version = (page.get("metadata") or {}).get("resourceVersion") or version
                    yield from page["items"]
            remaining = int(deadline - time.monotonic())
            if remaining <= 0:
                return
            for kind, obj in kube.watch(
                "v1",
                "Pod",
                namespace=namespace,
                label_selector=selector,
                resource_version=version,
                timeout_seconds=min(remaining, 300),
            ):
                version = (obj.get("metadata") or {}).get("resourceVersion") or version
                if kind in ("ADDED", "MODIFIED"):
                    yield obj
                if time.monotonic() >= deadline:
                    return
        except (WatchExpired, errors.ExpiredError):
            version = None


def phase(pod: Mapping[str, Any]) -> str:
    return str((pod.get("status") or {}).get("phase") or "Pending")


def pull_error(pod: Mapping[str, Any]) -> str | None:
    """The kubelet's reason when the pod's image cannot be pulled (akscli.kube.pod_problems reads
    it, with every pull reason the kubelet has), else None."""
    from akscli.kube import pod_problems

    found = pod_problems.problem(pod)
    return found.reason if found is not None and found.image_pull else None
