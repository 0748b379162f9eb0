"""Reading one KubeFleet object on the hub, and following it by watching until it reaches a verdict."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from akscli.errors import NotFoundError, WaitTimeoutError
from akscli.fleet import PLACEMENT_V1
from akscli.kube.client import Kube, WatchExpired

T = TypeVar("T")


def conditions(part: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``conditions`` of a status, or of one entry of it (a stage, a member), by type."""
    return {str(c.get("type")): dict(c) for c in part.get("conditions") or [] if isinstance(c, Mapping)}


def read(kube: Kube, kind: str, name: str, namespace: str | None, hint: str) -> dict[str, Any]:
    """A ``placement.kubernetes-fleet.io/v1`` object, or NotFoundError with ``hint``."""
    obj = kube.get(PLACEMENT_V1, kind, name, namespace)
    if obj is None:
        where = f" in namespace {namespace}" if namespace else ""
        raise NotFoundError(f"{kind} {name!r} not found{where}", hint=hint)
    return obj


def follow(
    kube: Kube,
    api_version: str,
    kind: str,
    name: str,
    namespace: str | None,
    first: Mapping[str, Any],
    verdict: Callable[[Mapping[str, Any]], T | None],
    *,
    timeout: float,
    timeout_error: Callable[[], WaitTimeoutError],
    on_change: Callable[[Mapping[str, Any]], None] | None = None,
) -> T:
    """Watch ``name`` from ``first`` until ``verdict`` returns something, and return that.

    A watch the server ends (timeoutSeconds, its own timeout) is resumed from the last version
    seen, a BOOKMARK's included; only a 410 Gone (the version was compacted) reads the object
    again. upstream: kubernetes/client-go v0.35.0 tools/cache/reflector.go (watch keeps
    LastSyncResourceVersion from every event, bookmarks too, and relists only on an expired
    version; watchHandler sets it from a Bookmark's object).
    """
    deadline = time.monotonic() + timeout
    obj = first
    version = (obj.get("metadata") or {}).get("resourceVersion")
    while True:
        found = verdict(obj)
        if found is not None:
            return found
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise timeout_error()
        try:
            for event, item in kube.watch(
                api_version,
                kind,
                namespace=namespace,
                name=name,
                resource_version=version,
                timeout_seconds=max(1, int(min(remaining, 300))),
            ):
                version = (item.get("metadata") or {}).get("resourceVersion") or version
                if event == "DELETED":
                    raise _deleted(kind, name)
                if event not in ("ADDED", "MODIFIED"):
                    continue
                obj = item
                if on_change:
                    on_change(obj)
                found = verdict(obj)
                if found is not None:
                    return found
                if time.monotonic() >= deadline:
                    break
        except WatchExpired:
            latest = kube.get(api_version, kind, name, namespace)
            if latest is None:
                raise _deleted(kind, name) from None
            obj = latest
            version = (obj.get("metadata") or {}).get("resourceVersion")


def _deleted(kind: str, name: str) -> NotFoundError:
    return NotFoundError(f"{kind} {name!r} was deleted while waiting", hint="nothing is left to wait for")
