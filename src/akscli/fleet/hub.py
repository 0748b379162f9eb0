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
    kube: Kube,
    cluster_kind: str,
    namespaced_kind: str,
    namespace: str | None,
    all_namespaces: bool,
    label_selector: str | None = None,
) -> Iterator[dict[str, Any]]:
    """KubeFleet's pairs of kinds (ClusterResourcePlacement and ResourcePlacement, the staged
    update runs and strategies), page by page: the cluster-scoped kind (neither -n nor -A), the
    namespaced kind in ``namespace`` (-n), or with -A both, the cluster-scoped first, then every
    namespace's. -A wins over -n, as kubectl get's (kubernetes/kubectl pkg/cmd/get/get.go: "Namespace
    in current context is ignored even if specified with --namespace").

    With -A, a kind the hub does not serve is left out with one note on stderr, as long as the other
    is served: KubeFleet served ClusterResourcePlacement in v1 before ResourcePlacement (upstream:
    kubefleet-dev/kubefleet v0.2.2 config/crd/bases/placement.kubernetes-fleet.io_resourceplacements.yaml
    serves v1beta1 only; v0.3.0 adds v1), so -A on such a hub lists what it has. With neither served,
    or without -A, the list fails as any unserved kind does (``Kube.resource``: NotInstalledError).
    ``label_selector``: -l, sent with every list (the server selects, page by page)."""
    if all_namespaces:
        kinds = {cluster_kind: False, namespaced_kind: True}  # kind -> listed in every namespace
        served = {kind: every for kind, every in kinds.items() if kube.has_api(PLACEMENT_V1, kind)}
        if len(served) == 1:
            from akscli import output

            ((missing,), (listed,)) = kinds.keys() - served.keys(), served.keys()
            output.warn(f"the hub does not serve {PLACEMENT_V1} {missing} (an older KubeFleet): listing {listed} only")
        for kind, every in (served or kinds).items():
            yield from kube.list(PLACEMENT_V1, kind, all_namespaces=every, label_selector=label_selector)
    elif namespace is None:
        yield from kube.list(PLACEMENT_V1, cluster_kind, label_selector=label_selector)
    else:
        yield from kube.list(PLACEMENT_V1, namespaced_kind, namespace=namespace, label_selector=label_selector)


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
    state: Callable[[Mapping[str, Any]], str] | None = None,
) -> T:
    """Watch ``name`` from ``first`` until ``verdict`` returns something, and return that.

    kube/reflector.py's loop on the name, started from ``first`` (the object the caller read or
    created) rather than a list: a watch the server ends is resumed from the last version seen, a
    BOOKMARK's included; a 410 Gone lists the name again, and an empty list is "deleted while
    waiting". upstream: kubernetes/client-go v0.35.0 tools/watch/until.go (Until from an initial
    version; UntilWithSync relists on an expired one) and tools/cache/reflector.go.

    A ``timeout`` of 0 checks once: ``first`` is that check, and an object with no verdict on it is
    every wait's "condition not met" (kube/wait_report.py once_error; ``state`` says where it stands).
    """
    deadline = time.monotonic() + timeout
    found = verdict(first)
    if found is not None:
        return found
    if timeout == 0:
        from akscli.kube.wait_report import once_error
        from akscli.output import object_ref

        raise once_error(object_ref(first), state(first) if state else "")
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
