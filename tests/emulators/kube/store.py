"""The object store: compact serialized objects, a sorted key index per resource, one
resourceVersion counter for everything, a bounded event history for watch resumption and
continue tokens, and the live watchers.

Objects are held as compact JSON bytes without apiVersion/kind (added when served, which
also gives a custom resource the apiVersion of the version it is read at). A list page is
the concatenation of stored bytes: nothing is copied per request beyond the page."""

from __future__ import annotations

import bisect
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

_label_intern: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
_intern_lock = threading.Lock()


def intern_labels(labels: dict[str, str] | None) -> dict[str, str]:
    """Identical label sets share one dict (never mutated), which keeps a million pods of a
    few hundred deployments small."""
    if not labels:
        return _EMPTY
    key = tuple(sorted(labels.items()))
    with _intern_lock:
        got = _label_intern.get(key)
        if got is None:
            if len(_label_intern) > 200_000:
                _label_intern.clear()
            got = dict(key)
            _label_intern[key] = got
        return got


_EMPTY: dict[str, str] = {}


def encode(obj: dict[str, Any]) -> bytes:
    return _dumps(obj).encode("utf-8")


class Entry:
    __slots__ = ("fields", "labels", "owners", "raw", "rv", "uid")

    def __init__(
        self,
        raw: bytes,
        labels: dict[str, str],
        rv: int,
        uid: str,
        fields: tuple[str, str] | None,
        owners: tuple[str, ...],
    ) -> None:
        self.raw = raw
        self.labels = labels
        self.rv = rv
        self.uid = uid
        # (spec.nodeName, status.phase) for pods, (spec.nodeName, spec.driver) for ResourceSlices:
        # field selectors on a million objects must not parse each one (the API server's watch
        # cache keeps each object's selectable fields beside it; upstream: kubernetes/apiserver 24a394e5
        # pkg/storage/cacher/store/store.go Element.Fields, computed once by GetAttrs).
        self.fields = fields
        self.owners = owners

    def obj(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(self.raw)
        return out


def make_entry(obj: dict[str, Any], rv: int) -> Entry:
    md = obj.get("metadata") or {}
    fields = None
    spec = obj.get("spec")
    st = obj.get("status")
    # a ResourceSlice (stored without kind); upstream: kubernetes/kubernetes pkg/registry/resource/resourceslice/
    # strategy.go toSelectableFields (spec.nodeName, "" when unset; spec.driver)
    if isinstance(spec, dict) and "driver" in spec and "pool" in spec:
        fields = (str(spec.get("nodeName") or ""), str(spec.get("driver") or ""))
    elif (isinstance(spec, dict) and "nodeName" in spec) or (isinstance(st, dict) and "phase" in st):
        fields = (
            str((spec or {}).get("nodeName") or "") if isinstance(spec, dict) else "",
            str((st or {}).get("phase") or "") if isinstance(st, dict) else "",
        )
    owners = tuple(r["uid"] for r in md.get("ownerReferences") or [] if isinstance(r, dict) and "uid" in r)
    return Entry(encode(obj), intern_labels(md.get("labels")), rv, md.get("uid", ""), fields, owners)


class Bucket:
    """The objects of one resource (group/plural), keyed 'namespace/name' or 'name'; and, for
    objects with a spec.nodeName (pods, ResourceSlices), the keys on each node: the scheduler's
    NodeInfo and the kubelet read one node's pods without walking a million (upstream:
    kubernetes/kubernetes pkg/scheduler/backend/cache/cache.go keeps a NodeInfo per node, each
    with its pods; the kubelet's pod manager holds only its own node's pods).

    The unbound ones (spec.nodeName "") are indexed under "" as the API server's watch cache
    indexes them (upstream: kubernetes/kubernetes pkg/registry/core/pod/strategy.go
    NodeNameIndexFunc returns []string{pod.Spec.NodeName}, "" included). ``unfielded`` counts the
    entries stored without selectable fields (an object of another kind): where any is, the ""
    key is not every object whose spec.nodeName is "", and a list for it scans instead."""

    __slots__ = ("items", "keys", "on_node", "unfielded")

    def __init__(self) -> None:
        self.items: dict[str, Entry] = {}
        self.keys: list[str] = []
        self.on_node: dict[str, set[str]] = {}
        self.unfielded = 0

    def index(self, key: str, old: Entry | None, new: Entry | None) -> None:
        was = old.fields[0] if old is not None and old.fields is not None else None
        now = new.fields[0] if new is not None and new.fields is not None else None
        self.unfielded += (new is not None and new.fields is None) - (old is not None and old.fields is None)
        if was == now:
            return
        if was is not None:
            keys = self.on_node.get(was)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self.on_node[was]
        if now is not None:
            self.on_node.setdefault(now, set()).add(key)


@dataclass
class Event:
    rv: int
    bucket: str
    type: str  # ADDED | MODIFIED | DELETED
    key: str
    new: Entry | None
    old: Entry | None


class Gone(Exception):
    """The requested resourceVersion has been compacted away."""


class Watcher:
    """One watch stream: events for one bucket, filtered; fed under the store lock."""

    def __init__(self, bucket: str, prefix: str, match: Callable[[Entry], bool]) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.match = match
        self.cond = threading.Condition(threading.Lock())
        self.queue: deque[tuple[str, Entry, int]] = deque()
        self.closed = False

    def offer(self, ev: Event) -> None:
        if self.prefix and not ev.key.startswith(self.prefix):
            return
        new_ok = ev.new is not None and self.match(ev.new)
        old_ok = ev.old is not None and self.match(ev.old)
        if ev.type == "DELETED":
            if old_ok and ev.new is not None:
                self._push("DELETED", ev.new, ev.rv)
            return
        if ev.type == "ADDED":
            if new_ok and ev.new is not None:
                self._push("ADDED", ev.new, ev.rv)
            return
        # A modification moves an object into or out of a selector's view.
        if new_ok and old_ok and ev.new is not None:
            self._push("MODIFIED", ev.new, ev.rv)
        elif new_ok and ev.new is not None:
            self._push("ADDED", ev.new, ev.rv)
        elif old_ok and ev.new is not None:
            self._push("DELETED", ev.new, ev.rv)

    def _push(self, typ: str, entry: Entry, rv: int) -> None:
        with self.cond:
            self.queue.append((typ, entry, rv))
            self.cond.notify()

    def next(self, timeout: float) -> tuple[str, Entry, int] | None:
        with self.cond:
            if not self.queue and not self.closed:
                self.cond.wait(timeout)
            if self.queue:
                return self.queue.popleft()
            return None

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


class Store:
    SCAN_SLICE = 20_000

    def __init__(self, history: int = 20_000, start_rv: int = 1000) -> None:
        self.lock = threading.RLock()
        self.rv = start_rv
        self.compacted_rv = start_rv
        self.buckets: dict[str, Bucket] = {}
        self.history: deque[Event] = deque()
        self.history_size = history
        self.watchers: dict[str, set[Watcher]] = {}
        self.dependents: dict[str, set[tuple[str, str]]] = {}

    def bucket(self, name: str) -> Bucket:
        b = self.buckets.get(name)
        if b is None:
            b = self.buckets[name] = Bucket()
        return b

    def next_rv(self) -> int:
        with self.lock:
            self.rv += 1
            return self.rv

    def get(self, bucket: str, key: str) -> Entry | None:
        b = self.buckets.get(bucket)
        return b.items.get(key) if b else None

    def put(self, bucket: str, key: str, obj: dict[str, Any]) -> Entry:
        """Store ``obj`` under a new resourceVersion (written into the object)."""
        with self.lock:
            self.rv += 1
            obj["metadata"]["resourceVersion"] = str(self.rv)
            entry = make_entry(obj, self.rv)
            b = self.bucket(bucket)
            old = b.items.get(key)
            if old is None:
                bisect.insort(b.keys, key)
            else:
                self._unindex_owners(bucket, key, old)
            b.items[key] = entry
            b.index(key, old, entry)
            self._index_owners(bucket, key, entry)
            self._record(Event(self.rv, bucket, "MODIFIED" if old else "ADDED", key, entry, old))
            return entry

    def put_spliced(self, bucket: str, key: str, md: dict[str, Any], rest: bytes) -> Entry:
        """Store an object given its metadata and the serialized remainder (the bytes after
        the opening brace of everything but metadata), without re-encoding the remainder."""
        with self.lock:
            self.rv += 1
            md["resourceVersion"] = str(self.rv)
            raw = b'{"metadata":' + encode(md) + (b"," + rest if rest != b"}" else b"}")
            entry = Entry(raw, intern_labels(md.get("labels")), self.rv, md.get("uid", ""), None, ())
            b = self.bucket(bucket)
            old = b.items.get(key)
            if old is None:
                bisect.insort(b.keys, key)
            b.items[key] = entry
            b.index(key, old, entry)
            self._record(Event(self.rv, bucket, "MODIFIED" if old else "ADDED", key, entry, old))
            return entry

    def remove(self, bucket: str, key: str, final: dict[str, Any]) -> Entry | None:
        with self.lock:
            b = self.buckets.get(bucket)
            old = b.items.pop(key, None) if b else None
            if old is None or b is None:
                return None
            i = bisect.bisect_left(b.keys, key)
            if i < len(b.keys) and b.keys[i] == key:
                del b.keys[i]
            b.index(key, old, None)
            self._unindex_owners(bucket, key, old)
            self.rv += 1
            final["metadata"]["resourceVersion"] = str(self.rv)
            entry = make_entry(final, self.rv)
            self._record(Event(self.rv, bucket, "DELETED", key, entry, old))
            return entry

    def bulk_load(self, bucket: str, items: Iterator[tuple[str, dict[str, Any]]]) -> int:
        """Fast path for generated clusters: no history, no watch events, one sort. Owner references
        are indexed as ``put`` indexes them, so the garbage collector and the controllers' listers
        (``dependents_of``) find bulk-loaded dependents, the seeded pods of a DaemonSet
        (generate_daemons.py), as upstream's garbage collector graphs every object's
        ownerReferences (kubernetes/kubernetes pkg/controller/garbagecollector/graph_builder.go)."""
        with self.lock:
            b = self.bucket(bucket)
            n = 0
            for key, obj in items:
                self.rv += 1
                obj["metadata"]["resourceVersion"] = str(self.rv)
                old = b.items.get(key)
                if old is None:
                    b.keys.append(key)
                else:
                    self._unindex_owners(bucket, key, old)
                entry = make_entry(obj, self.rv)
                b.index(key, old, entry)
                b.items[key] = entry
                self._index_owners(bucket, key, entry)
                n += 1
            b.keys.sort()
            self.compacted_rv = self.rv
            self.history.clear()
            return n

    def _index_owners(self, bucket: str, key: str, e: Entry) -> None:
        for uid in e.owners:
            self.dependents.setdefault(uid, set()).add((bucket, key))

    def _unindex_owners(self, bucket: str, key: str, e: Entry) -> None:
        for uid in e.owners:
            s = self.dependents.get(uid)
            if s is not None:
                s.discard((bucket, key))
                if not s:
                    del self.dependents[uid]

    def dependents_of(self, uid: str) -> list[tuple[str, str]]:
        with self.lock:
            return sorted(self.dependents.get(uid, ()))

    def _record(self, ev: Event) -> None:
        if len(self.history) >= self.history_size:
            dropped = self.history.popleft()
            self.compacted_rv = dropped.rv
        self.history.append(ev)
        for w in self.watchers.get(ev.bucket, ()):
            w.offer(ev)

    def events(self) -> list[Event]:
        """The event history as it is now, copied under the lock. A test reads it on its own thread
        while the controllers' thread records events: walking the deque itself meets "deque mutated
        during iteration" at the first write in between (emulator structure, no upstream behaviour)."""
        with self.lock:
            return list(self.history)

    def compact(self) -> None:
        """Forget all history, as etcd compaction does: older continue tokens and watch
        resourceVersions now answer 410 Gone."""
        with self.lock:
            self.history.clear()
            self.rv += 1
            self.compacted_rv = self.rv

    def page(
        self, bucket: str, prefix: str, after: str | None, limit: int, match: Callable[[Entry], bool] | None
    ) -> tuple[list[Entry], str | None, int]:
        """Up to ``limit`` matching entries after key ``after``; returns (entries, last key
        if more may follow, count of keys left in range after the page)."""
        out: list[Entry] = []
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None
        while True:
            # A selective scan of a million objects takes seconds: it walks the index in slices
            # and lets writers in between, resuming after the last key seen (the index may have
            # changed; keys are unique and sorted, so resuming by key is exact).
            with self.lock:
                b = self.buckets.get(bucket)
                if b is None:
                    return out, None, 0
                keys = b.keys
                lo = bisect.bisect_left(keys, prefix) if prefix else 0
                hi = bisect.bisect_left(keys, end) if end is not None else len(keys)
                if after is not None:
                    lo = max(lo, bisect.bisect_right(keys, after))
                stop = min(hi, lo + self.SCAN_SLICE)
                i = lo
                items = b.items
                while i < stop:
                    e = items[keys[i]]
                    i += 1
                    if match is None or match(e):
                        out.append(e)
                        if limit and len(out) >= limit:
                            break
                if limit and len(out) >= limit:
                    more = i < hi
                    return out, keys[i - 1] if more else None, (hi - i) if more else 0
                if i >= hi:
                    return out, None, 0
                after = keys[i - 1]

    def page_at(
        self,
        bucket: str,
        prefix: str,
        after: str | None,
        limit: int,
        match: Callable[[Entry], bool] | None,
        rv: int,
    ) -> tuple[list[Entry], str | None, int]:
        """``page`` as the bucket was at resourceVersion ``rv``: a paginated list is one
        consistent snapshot at its first page's version, as etcd serves it to the API server
        (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go GetList
        reads every page at the continue token's revision). The state at ``rv`` is the live
        index with each key changed since restored from the history (caller checks that
        ``rv`` is not compacted)."""
        with self.lock:
            then: dict[str, Entry | None] = {}
            for ev in reversed(self.history):
                if ev.rv <= rv:
                    break
                if ev.bucket == bucket and ev.key.startswith(prefix):
                    then[ev.key] = ev.old  # the earliest change after rv wins (walking backwards)
            if not then:
                return self.page(bucket, prefix, after, limit, match)
            b = self.buckets.get(bucket)
            live_keys = b.keys if b else []
            items = b.items if b else {}
            end = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None
            lo = bisect.bisect_left(live_keys, prefix) if prefix else 0
            hi = bisect.bisect_left(live_keys, end) if end is not None else len(live_keys)
            if after is not None:
                lo = max(lo, bisect.bisect_right(live_keys, after))
            extra = sorted(k for k in then if (after is None or k > after) and k not in items)
            out: list[Entry] = []
            i, j = lo, 0
            last: str | None = None
            while i < hi or j < len(extra):
                if j >= len(extra) or (i < hi and live_keys[i] < extra[j]):
                    key = live_keys[i]
                    i += 1
                    entry = then[key] if key in then else items[key]
                else:
                    key = extra[j]
                    j += 1
                    entry = then[key]
                if entry is None or (match is not None and not match(entry)):
                    continue
                out.append(entry)
                last = key
                if limit and len(out) >= limit:
                    more = i < hi or j < len(extra)
                    return out, last if more else None, (hi - i) + (len(extra) - j) if more else 0
            return out, None, 0

    def page_on_node(
        self, bucket: str, prefix: str, node: str, limit: int, match: Callable[[Entry], bool] | None
    ) -> tuple[list[Entry], str | None, int] | None:
        """``page`` from the first key, walking only the entries whose spec.nodeName is ``node``
        (the index ``on_node``), as the watch cache serves a list whose field selector requires
        one spec.nodeName (upstream: kubernetes/apiserver v0.35.0 pkg/storage/cacher/watch_cache.go
        listLatestRV: store.ByIndex for the predicate's MatcherIndex, then filterPrefixAndOrder
        keeps the prefix's keys in key order; the caller's matcher still applies every term).
        None where the index cannot answer (node "" in a bucket with unfielded entries)."""
        with self.lock:
            b = self.buckets.get(bucket)
            if b is None:
                return [], None, 0
            if node == "" and b.unfielded:
                return None
            keys = sorted(k for k in b.on_node.get(node, ()) if k.startswith(prefix))
            out: list[Entry] = []
            for i, key in enumerate(keys, 1):
                e = b.items[key]
                if match is None or match(e):
                    out.append(e)
                    if limit and len(out) >= limit:
                        more = i < len(keys)
                        return out, key if more else None, (len(keys) - i) if more else 0
            return out, None, 0

    def on_node(self, bucket: str, node: str) -> list[Entry]:
        """The entries bound to ``node``, in key order (the live index); none for "" (a node's
        NodeInfo holds only the pods bound to it)."""
        with self.lock:
            b = self.buckets.get(bucket)
            if b is None or not node:
                return []
            return [b.items[k] for k in sorted(b.on_node.get(node, ()))]

    def count(self, bucket: str) -> int:
        b = self.buckets.get(bucket)
        return len(b.items) if b else 0

    def watch(
        self,
        bucket: str,
        prefix: str,
        match: Callable[[Entry], bool],
        since: int | None,
        initial: Callable[[Watcher], None] | None,
    ) -> Watcher:
        """Register a watcher. ``since``: replay history after that resourceVersion (Gone if
        compacted). ``initial``: called under the lock to enqueue synthetic ADDED events."""
        w = Watcher(bucket, prefix, match)
        with self.lock:
            if since is not None:
                if since < self.compacted_rv:
                    raise Gone(since)
                for ev in self.history:
                    if ev.rv > since and ev.bucket == bucket:
                        w.offer(ev)
            elif initial is not None:
                initial(w)
            self.watchers.setdefault(bucket, set()).add(w)
        return w

    def unwatch(self, w: Watcher) -> None:
        with self.lock:
            s = self.watchers.get(w.bucket)
            if s is not None:
                s.discard(w)
        w.close()

    def close_all_watchers(self) -> None:
        with self.lock:
            for s in self.watchers.values():
                for w in s:
                    w.close()
            self.watchers.clear()
