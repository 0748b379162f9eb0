"""The one list-then-watch loop of akscli: client-go's reflector rules in one place, for every
caller that follows a collection (a wait, a pod watch) until its own condition holds.

upstream: kubernetes/client-go v0.35.0 tools/cache/reflector.go (ListAndWatch: list one
consistent snapshot page by page through pager.ListPager, then watch from its resourceVersion;
watch/handleAnyWatch: after a normal close resume from the last event's resourceVersion, a
Bookmark's included; relist only on an expired version, isExpiredError) and tools/watch/until.go
UntilWithSync (the caller's condition is tested on each object, the initial list's included).
A relist after a 410 reports each object seen before and absent from the new list as DELETED,
as the store's Replace does (upstream: kubernetes/client-go v0.35.0 tools/cache/delta_fifo.go
Replace: a key known before and not in the new list is queued as a Deleted
DeletedFinalStateUnknown carrying its last known object; keys are MetaNamespaceKeyFunc's
namespace/name, tools/cache/store.go).
The list is a watch-list where the API server serves one, as client-go v0.35.0's reflector asks
(its WatchListClient gate is on by default from 1.35: client-go features/known_features.go): one
watch with ``sendInitialEvents=true`` and ``resourceVersionMatch=NotOlderThan`` streams the objects,
then a bookmark annotated ``k8s.io/initial-events-end``, then the changes, in place of a list request
per 500 objects and a watch (reflector.go watchList, handleListWatch). A server that refuses it
(400/422: the WatchList gate is off by default in 1.33, kubernetes/apiserver v0.35.0
pkg/features/kube_features.go) is listed page by page from then on, as the reflector falls back
(ListAndWatchWithContext, fallbackToList). So is a server that ignores sendInitialEvents: its
plain watch sends a change or a plain bookmark before any end bookmark, which a watch-list never
does (kubernetes/apiserver pkg/storage/cacher/cache_watcher.go processInterval). A caller with no
time left gets a paged list: a watch-list would be cut by the watch's timeout. A Kube (a test's fake)
without ``watch_list`` is listed page by page.
A caller that holds the object already (a create's or a get's answer) starts by watching from its
resourceVersion, as client-go's Until from an initial version (tools/watch/until.go Until), and
still relists on a 410 as UntilWithSync does. A caller with a precondition on the synced store
(kubectl's delete wait: upstream kubernetes/kubectl pkg/cmd/wait/delete.go IsDeleted,
preconditionFunc) asks for a SYNCED marker after each whole list.
The backoffs after a very short watch and an in-stream 429/5xx are ``Kube.watch``'s
(kube/watch_policy.py), so that every caller of this loop gets them; they are given
``seconds_left`` so that none outlasts the caller's deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from akscli import errors
from akscli.kube.client import DEFAULT_PAGE_SIZE, WatchExpired

if TYPE_CHECKING:
    from akscli.concurrency import Cancellation
    from akscli.kube.client import Kube

# The longest watch asked for: a deadline usually ends it sooner. client-go's reflector asks for 5-10
# min at random (reflector.go defaultMinWatchTimeout); akscli's callers all asked for 5 at most.
MAX_WATCH_SECONDS = 300

# The marker ``synced=True`` adds to the stream: the objects known are in step with the server.
SYNCED = "SYNCED"


def list_and_watch(
    kube: Kube,
    api_version: str,
    kind: str,
    *,
    namespace: str | None,
    seconds_left: Callable[[], float],
    name: str | None = None,
    label_selector: str | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    cancel: Cancellation | None = None,
    start: Mapping[str, Any] | None = None,
    synced: bool = False,
    watch_seconds: int = MAX_WATCH_SECONDS,
    keep: Callable[[Mapping[str, Any]], bool] | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each object of one consistent list (a watch-list's objects, or a paged list's where the
    server refuses watch-lists) as ``("ADDED", obj)``, then each watch event but
    BOOKMARK, until ``seconds_left()`` is 0 or ``cancel`` is cancelled; the caller stops sooner
    by leaving its loop. ``name`` follows one object (a ``metadata.name`` field selector). An
    expired list or watch (410) lists again, its objects ADDED again, then each object seen before
    and absent from that list as ``("DELETED", last_seen)``: it was deleted in the gap. The first
    list is made even with no time left, so that the caller sees the objects as they are.

    ``start``, an object the caller has read, replaces the first list: the watch starts at its
    resourceVersion and a relist that misses it reports it DELETED. ``synced`` adds
    ``(SYNCED, {"items": [...]})``, the objects known, after each whole list (client-go's
    HasSynced, where UntilWithSync checks its precondition: an empty list of one name says it is
    gone) and after each watch the server ended (where a caller that follows in slices takes its
    turn: ``watch_seconds`` is the longest one watch asks for, MAX_WATCH_SECONDS unless the caller
    wants its turn sooner). ``keep`` narrows on the client what no selector narrows on the server:
    an object it turns down is neither yielded nor held, so a follow of a whole kind holds only
    the objects its caller wants."""
    field_selector = f"metadata.name={name}" if name else None
    version: str | None = None
    known: dict[str, dict[str, Any]] = {}  # namespace/name -> the last object seen, as Replace keys it
    if start is not None:
        version = (start.get("metadata") or {}).get("resourceVersion") or None
        known[_key(start)] = dict(start)
    listed: dict[str, dict[str, Any]] = {}

    def replaced() -> Iterator[tuple[str, dict[str, Any]]]:
        """After a whole list: the objects it lacks are gone (the store's Replace)."""
        nonlocal known, listed
        gone = [obj for key, obj in known.items() if key not in listed]
        known, listed = listed, {}
        for obj in gone:
            yield "DELETED", obj
        if synced:
            yield SYNCED, {"items": list(known.values())}

    while not (cancel and cancel.cancelled):
        remaining = seconds_left()
        # A watch-list where the caller has time to watch: the list comes in the watch's stream.
        # A fake Kube without ``watch_list`` takes the paged path its list_pages and watch serve.
        streaming = version is None and getattr(kube, "watch_list", False) and remaining > 0
        plain = False  # the server sent a change before its end bookmark: it ignored sendInitialEvents
        try:
            if version is None and not streaming:
                listed = {}
                for page in kube.list_pages(
                    api_version,
                    kind,
                    namespace=namespace,
                    label_selector=label_selector,
                    field_selector=field_selector,
                    page_size=page_size,
                    consistent=True,
                ):
                    version = (page.get("metadata") or {}).get("resourceVersion") or version
                    for obj in page["items"]:
                        if keep is None or keep(obj):
                            listed[_key(obj)] = obj
                            yield "ADDED", obj
                # Only a whole list says what is gone: a list that expired halfway reports nothing.
                yield from replaced()
                remaining = seconds_left()
            if remaining <= 0:
                return
            listed = {}
            for event, obj in kube.watch(
                api_version,
                kind,
                namespace=namespace,
                name=name,
                label_selector=label_selector,
                resource_version=version,
                send_initial_events=streaming,
                # A second past the caller's time, so that a quiet watch ends after it, not just before.
                timeout_seconds=max(1, min(int(remaining) + 1, watch_seconds)),
                cancel=cancel,
                seconds_left=seconds_left,  # its backoffs end at the caller's deadline
            ):
                version = (obj.get("metadata") or {}).get("resourceVersion") or version
                kept = keep is None or event == "BOOKMARK" or keep(obj)
                if streaming:
                    if event == "BOOKMARK" and _initial_events_end(obj):
                        streaming = False  # the list is whole: what follows are changes
                        yield from replaced()
                    elif event != "ADDED":
                        plain = True  # the objects it sent may not be all of them: listed below
                        break
                    elif kept:
                        listed[_key(obj)] = obj
                elif not kept:
                    pass
                elif event == "DELETED":
                    known.pop(_key(obj), None)
                elif event in ("ADDED", "MODIFIED"):
                    known[_key(obj)] = obj
                if event != "BOOKMARK" and kept:
                    yield event, obj
                if seconds_left() <= 0 and not streaming:
                    return
            if plain:
                # Only ADDED events come before the end bookmark where the server streams a
                # watch-list (upstream: kubernetes/apiserver 24a394e5 pkg/storage/cacher/cache_watcher.go
                # processInterval: the initial events, then initialEventsEndBookmark, then the
                # changes and the periodic bookmarks). A change or a plain bookmark before it is a
                # plain watch: a server that ignores sendInitialEvents (a 1.27 or 1.28 server whose
                # watch for a resource is served by etcd, which sent no end bookmark before
                # kubernetes/apiserver 90ba0890 "storage/etcd: the watcher supports the API
                # streaming"). It never says its objects are whole, so it is listed page by page from
                # then on, as client-go's reflector lists after its watch-list fails
                # (client-go v0.35.0 tools/cache/reflector.go ListAndWatchWithContext, fallbackToList).
                kube.watch_list = False
                version = None
                known.update(listed)  # seen ADDED: the list reports each one it lacks as DELETED
                listed = {}
                continue
            if streaming:  # ended before its list was whole: asked again, as client-go's watchList does
                version = None
                known.update(listed)
                listed = {}
                if seconds_left() <= 0:
                    return
                continue
            if synced:
                yield SYNCED, {"items": list(known.values())}
        except errors.UsageError:
            if not streaming:
                raise
            # The API server refused the watch-list (400/422: a 1.33 server, its WatchList gate off,
            # kubernetes/apimachinery pkg/apis/meta/internalversion/validation/validation.go
            # validateWatchOptions): list page by page, as client-go's reflector falls back
            # (tools/cache/reflector.go ListAndWatchWithContext, fallbackToList), and remember it for
            # this connection, so that the next list does not ask again.
            kube.watch_list = False
            version = None
        except (WatchExpired, errors.ExpiredError):
            version = None  # the version is gone (a watch's, or the snapshot a list paged at)
            # The objects a list yielded before its snapshot expired are known too: the caller
            # saw them ADDED, so the next whole list reports each one it lacks as DELETED.
            # client-go's pager hands the reflector no page of a list that expires (tools/pager
            # pager.go ListWithAlloc gathers every page first): akscli's caller sees pages as they
            # come, and is told of the ones that went.
            known.update(listed)
            listed = {}
        except Exception:
            if cancel and cancel.cancelled:
                return  # the stream was shut on purpose: the caller is done
            raise


def _initial_events_end(bookmark: Mapping[str, Any]) -> bool:
    """The bookmark that ends a watch-list's objects (upstream: kubernetes/apimachinery
    pkg/apis/meta/v1/types.go InitialEventsAnnotationKey; client-go v0.35.0 reflector.go
    handleListWatch)."""
    annotations = (bookmark.get("metadata") or {}).get("annotations") or {}
    return bool(annotations.get("k8s.io/initial-events-end") == "true")


def _key(obj: Mapping[str, Any]) -> str:
    """client-go's MetaNamespaceKeyFunc: ``namespace/name``, or ``name`` for a cluster-scoped object."""
    meta = obj.get("metadata") or {}
    namespace, name = meta.get("namespace"), meta.get("name")
    return f"{namespace}/{name}" if namespace else str(name)
