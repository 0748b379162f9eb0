"""Reading one KubeFleet object on the hub, and following it by watching until it reaches a verdict."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from akscli.errors import NotFoundError, WaitTimeoutError
from akscli.fleet import PLACEMENT_V1
from akscli.kube.client import Kube
from akscli.kube.reflector import list_and_watch

T = TypeVar("T")


def conditions(part: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``conditions`` of a status, or of one entry of it (a stage, a member), by type."""
    return {str(c.get("type")): dict(c) for c in part.get("conditions") or [] if isinstance(c, Mapping)}


def list_scoped(
    kube: Kube, cluster_kind: str, namespaced_kind: str, namespace: str | None, all_namespaces: bool
) -> Iterator[dict[str, Any]]:
    """KubeFleet's pairs of kinds (ClusterResourcePlacement and ResourcePlacement, the staged
    update runs and strategies), page by page: the cluster-scoped kind (neither -n nor -A), the
    namespaced kind in ``namespace`` (-n), or with -A both, the cluster-scoped first, then every
    namespace's. -A wins over -n, as kubectl get's (kubernetes/kubectl pkg/cmd/get/get.go: "Namespace
    in current context is ignored even if specified with --namespace")."""
    if all_namespaces:
        yield from kube.list(PLACEMENT_V1, cluster_kind)
        yield from kube.list(PLACEMENT_V1, namespaced_kind, all_namespaces=True)
    elif namespace is None:
        yield from kube.list(PLACEMENT_V1, cluster_kind)
    else:
        yield from kube.list(PLACEMENT_V1, namespaced_kind, namespace=namespace)


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

    kube/reflector.py's loop on the name, started from ``first`` (the object the caller read or
    created) rather than a list: a watch the server ends is resumed from the last version seen, a
    BOOKMARK's included; a 410 Gone lists the name again, and an empty list is "deleted while
    waiting". upstream: kubernetes/client-go v0.35.0 tools/watch/until.go (Until from an initial
    version; UntilWithSync relists on an expired one) and tools/cache/reflector.go.
    """
    deadline = time.monotonic() + timeout
    found = verdict(first)
    if found is not None:
        return found
    for event, obj in list_and_watch(
        kube,
        api_version,
        kind,
        namespace=namespace,
        name=name,
        seconds_left=lambda: deadline - time.monotonic(),
        start=first,
    ):
        if event == "DELETED":
            raise _deleted(kind, name)
        if on_change:
            on_change(obj)
        found = verdict(obj)
        if found is not None:
            return found
    raise timeout_error()


def _deleted(kind: str, name: str) -> NotFoundError:
    return NotFoundError(f"{kind} {name!r} was deleted while waiting", hint="nothing is left to wait for")
