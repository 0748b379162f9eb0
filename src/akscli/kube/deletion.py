"""Waiting until deleted objects are gone, finalizers included: what kubectl delete does by
default (--wait=true) before it returns, so that a delete followed by a create of the same name
does not meet the old object still held by its operator's finalizer ("object is being deleted").

upstream: kubernetes/kubectl pkg/cmd/delete/delete.go DeleteResult (the UID of each deleted object
from the server's answer, the wait skipped on a dry run) and pkg/cmd/wait/delete.go IsDeleted (a
404, or an object of the same name with another UID, is gone; else UntilWithSync over a list and
watch of the name's field selector, its precondition the synced store, until a DELETED event; a
timeout names the objects left); akscli's list stands for kubectl's first GET (kube/reflector.py).
A list or watch the server refuses (Forbidden: no permission to list or watch; MethodNotAllowed:
the resource has no such verb) is followed by reading the object by GET every second until it is
gone, as kubectl replace --force waits (upstream: kubernetes/kubectl pkg/cmd/replace/replace.go
forceReplace: wait.PollUntilContextTimeout(1s, immediate) on info.Get until IsNotFound;
PollImmediate before kubectl 1.32, #128147). kubectl delete's own wait GETs the object first and
then, for a user who may get but not list, never syncs: client-go's reflector retries the refused
list (kubernetes/client-go tools/cache/reflector.go RunWithContext) until the timeout
(tools/watch/until.go UntilWithSync, "unable to sync caches"); the poll sees the object go.
A GET the server refuses raises; a plain delete then returns without waiting, as kubectl's does
(pkg/cmd/delete/delete.go DeleteResult: errors.IsForbidden || errors.IsMethodNotSupported from
the wait returns nil; IsDeleted returns the first GET's error), and a wait before a create of the
same name (--recreate, a replaced server) fails: the create must not meet the old object.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from akscli.errors import AkscliError, WaitTimeoutError
from akscli.kube.client import Kube
from akscli.kube.reflector import SYNCED, list_and_watch
from akscli.output import kind_ref, object_ref

Progress = Callable[[str], None]

# What a delete waits for unless --timeout says otherwise: the wait recreate has always used.
# kubectl's --timeout=0s means a week (delete.go, effectiveTimeout); akscli bounds every wait by
# default (docs/grammar.md), and a held finalizer is named rather than waited on for days.
DEFAULT_TIMEOUT = 300.0
# --timeout 0: wait as kubectl's --timeout=0s does (upstream: delete.go, "set it to a week").
UNBOUNDED = 168 * 3600.0


def uid_of(answer: Mapping[str, Any] | None) -> str | None:
    """The UID in the API server's answer to a DELETE: the object itself while finalizers hold
    it, else a Status whose details name it (upstream: delete.go DeleteResult, uidMap)."""
    if not answer:
        return None
    if answer.get("kind") == "Status":
        return (answer.get("details") or {}).get("uid")
    return (answer.get("metadata") or {}).get("uid")


def deleted_ref(
    api_version: str, kind: str, name: str, namespace: str | None, answer: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The deleted object as ``wait_deleted`` takes it: its identity and the UID deleted."""
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if uid := uid_of(answer):
        meta["uid"] = uid
    return {"apiVersion": api_version, "kind": kind, "metadata": meta}


def wait_refused(exc: AkscliError) -> bool:
    """The server refused the wait's get, list or watch, not the delete: kubectl returns without
    waiting (upstream: kubernetes/kubectl pkg/cmd/delete/delete.go DeleteResult, IsForbidden or
    IsMethodNotSupported; k8s.io/apimachinery pkg/api/errors/errors.go: the Status reasons
    Forbidden and MethodNotAllowed)."""
    return exc.reason in ("Forbidden", "MethodNotAllowed")


def wait_deleted(
    kube: Kube,
    objects: Iterable[Mapping[str, Any]],
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> None:
    """Return once each object is gone; a ``metadata.uid`` makes an object of the same name with
    another UID count as gone (created after the delete). Raises WaitTimeoutError (exit 5) naming
    each object left and the finalizers that hold it. ``progress`` is told which object is waited
    for and the finalizers holding it, whenever that changes. Where the server refuses the list or
    watch, the object is read again every second instead; a refused get raises (wait_refused
    says which refusals those are)."""
    limit = UNBOUNDED if timeout == 0 else timeout
    deadline = time.monotonic() + limit
    tell = progress or (lambda _message: None)
    left = [held for obj in objects if (held := _wait_one(kube, obj, deadline, tell)) is not None]
    if left:
        raise WaitTimeoutError(
            f"not deleted within {limit:g}s: {'; '.join(_holding(obj) for obj in left)}",
            hint="a finalizer goes once its controller has cleaned up: check that the controller runs "
            "and its events (kubectl describe); --timeout waits longer, --no-wait returns once the delete is accepted",
        )


def _wait_one(kube: Kube, obj: Mapping[str, Any], deadline: float, tell: Progress) -> dict[str, Any] | None:
    return wait_gone(kube, obj, deadline, tell)


Describe = Callable[[Mapping[str, Any]], str]


def wait_gone(
    kube: Kube, obj: Mapping[str, Any], deadline: float, tell: Progress, describe: Describe | None = None
) -> dict[str, Any] | None:
    """None once the object is gone, else the object as last seen at the deadline (a monotonic
    time). ``tell`` hears ``describe`` of the object (else waiting_for) whenever that changes. A
    list or watch the server refuses is followed by reading the object every second."""
    say = describe or waiting_for
    try:
        return _watch_one(kube, obj, deadline, tell, say)
    except AkscliError as exc:
        if not wait_refused(exc):
            raise
    return _poll_one(kube, obj, deadline, tell, say)


def _poll_one(
    kube: Kube, obj: Mapping[str, Any], deadline: float, tell: Progress, describe: Describe
) -> dict[str, Any] | None:
    """Read the object every second until it is gone, as kubectl replace --force does (upstream:
    kubernetes/kubectl pkg/cmd/replace/replace.go forceReplace, wait.PollUntilContextTimeout(1s,
    immediate) on info.Get); a refused GET raises."""
    meta = obj["metadata"]
    api_version, kind, name, namespace = (
        str(obj["apiVersion"]),
        str(obj["kind"]),
        str(meta["name"]),
        meta.get("namespace"),
    )
    uid = meta.get("uid")
    while (current := kube.get(api_version, kind, name, namespace=namespace)) is not None:
        if uid and (current.get("metadata") or {}).get("uid") != uid:
            return None  # another object of the same name: the deleted one is gone
        left = deadline - time.monotonic()
        if left <= 0:
            return current
        tell(describe(current))
        time.sleep(min(1.0, left))
    return None


def _watch_one(
    kube: Kube, obj: Mapping[str, Any], deadline: float, tell: Progress, describe: Describe
) -> dict[str, Any] | None:
    """None once the object is gone, else the object as last seen at the deadline.

    kubectl's IsDeleted, less its first GET: one list of the name (its field selector), then a
    watch from the list's version. The synced list stands for the GET: without the name, or with
    another UID, the object is gone (the precondition); on the watch, a DELETED, or the name with
    another UID (created again after a 410's relist), ends the wait."""
    meta = obj["metadata"]
    name, uid = str(meta["name"]), meta.get("uid")
    current: dict[str, Any] | None = None
    told = ""
    for event, seen in list_and_watch(
        kube,
        str(obj["apiVersion"]),
        str(obj["kind"]),
        namespace=meta.get("namespace"),
        name=name,
        seconds_left=lambda: deadline - time.monotonic(),
        synced=True,
    ):
        if event == "DELETED":
            return None
        if event == SYNCED:
            if current is None:
                return None  # the synced list has no such object: gone before the wait began
            continue
        if uid and (seen.get("metadata") or {}).get("uid") != uid:
            return None  # another object of the same name: the deleted one is gone
        current = seen
        if (said := describe(seen)) != told:
            told = said
            tell(said)
    return current


def waiting_for(obj: Mapping[str, Any]) -> str:
    """``waiting for workspace.kaito.sh/phi-4 to be deleted (finalizer workspace.finalizer.kaito.sh)``:
    the object as ``-o name`` writes it, and what holds it."""
    meta = obj.get("metadata") or {}
    ref = kind_ref(str(obj.get("apiVersion", "v1")), str(obj.get("kind", "")), str(meta.get("name")))
    finalizers: Sequence[str] = meta.get("finalizers") or []
    held = f" ({_finalizers(finalizers)})" if finalizers else ""
    return f"waiting for {ref} to be deleted{held}"


def _finalizers(finalizers: Sequence[str]) -> str:
    """``finalizer a`` or ``finalizers a, b`` (a foreground delete adds ``foregroundDeletion``)."""
    return f"finalizer{'s' if len(finalizers) > 1 else ''} {', '.join(finalizers)}"


def _holding(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    ref = object_ref(obj)
    finalizers: Sequence[str] = meta.get("finalizers") or []
    if finalizers:
        return f"{ref} (held by {_finalizers(finalizers)})"
    return f"{ref} (still terminating)"


def dependents(
    kube: Kube, owner_uid: str, namespace: str | None, kinds: Sequence[tuple[str, str]]
) -> list[dict[str, Any]]:
    """The objects of ``kinds`` in ``namespace`` whose ownerReferences name ``owner_uid``: what a
    foreground delete of the owner still waits for (upstream: kubernetes/kubernetes
    pkg/controller/garbagecollector/garbagecollector.go attemptToDeleteItem ->
    processDeletingDependentsItem: an owner in foregroundDeletion keeps the finalizer while a
    dependent with blockOwnerDeletion is left; commit not known, read in index copies). One list per kind,
    read once at the timeout; a kind the server does not serve (its CRD not installed) or refuses
    to list is skipped."""
    found: list[dict[str, Any]] = []
    for api_version, kind in kinds:
        try:
            items = list(kube.list(api_version, kind, namespace=namespace))
        except AkscliError:
            continue
        found += [
            item
            for item in items
            if any(ref.get("uid") == owner_uid for ref in (item.get("metadata") or {}).get("ownerReferences") or [])
        ]
    return found


def dependents_left(kube: Kube, held: Iterable[tuple[str, str | None]], kinds: Sequence[tuple[str, str]]) -> str:
    """`` still waiting for its dependent workspace.kaito.sh/phi-4 (check it with: kubectl get
    workspace phi-4 -n NS)``, for the (uid, namespace) of each owner held in foregroundDeletion,
    or "" when none is left (the owner goes at once)."""
    left = [obj for uid, namespace in held for obj in dependents(kube, uid, namespace, kinds)]
    if not left:
        return ""
    names = ", ".join(waiting_ref(obj) for obj in left)
    checks = "; ".join(_get_command(obj) for obj in left)
    return f"still waiting for its dependents: {names} (check with: {checks})"


def waiting_ref(obj: Mapping[str, Any]) -> str:
    """``workspace.kaito.sh/phi-4``: the object as ``-o name`` writes it."""
    meta = obj.get("metadata") or {}
    return kind_ref(str(obj.get("apiVersion", "v1")), str(obj.get("kind", "")), str(meta.get("name")))


def _get_command(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    where = f" -n {meta['namespace']}" if meta.get("namespace") else ""
    return f"kubectl get {str(obj.get('kind', '')).lower()} {meta.get('name')}{where}"
