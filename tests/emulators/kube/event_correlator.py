"""client-go's EventCorrelator, as the recorders of the emulator's controllers use it: an event
seen again is the same Event with its count and lastTimestamp moved on, and the tenth distinct
message of one reason about one object in ten minutes becomes one "(combined from similar events)"
Event, counted from then on.

upstream: kubernetes/client-go 32ce75a7 tools/record/events_cache.go (getEventKey,
EventAggregatorByReasonFunc, EventAggregatorByReasonMessageFunc, EventAggregator.EventAggregate:
defaultAggregateMaxEvents 10, defaultAggregateIntervalInSeconds 600; eventLogger.eventObserve: the
name, firstTimestamp and count of the last observation, patched with count, lastTimestamp and
message; maxLruCacheEntries 4096) and tools/record/event.go recordEvent (a patch that finds no
Event creates one), and its spam filter (upstream kubernetes/client-go tools/record/events_cache.go:
EventSourceObjectSpamFilter, getSpamKey: source and
object, not reason or message; a token bucket of defaultSpamBurst 25, refilled at defaultSpamQPS
1/300, one every 5 minutes; EventCorrelate observes the event, counting it, before the filter
skips it, so the next write that passes carries the count of every occurrence).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

MAX_EVENTS = 10
MAX_INTERVAL_S = 600.0
CACHE_ENTRIES = 4096
SPAM_BURST = 25
SPAM_QPS = 1.0 / 300.0


def _fields(ev: dict[str, Any]) -> list[str]:
    src, obj = ev.get("source") or {}, ev.get("involvedObject") or {}
    values = [src.get("component"), src.get("host"), obj.get("kind"), obj.get("namespace"), obj.get("name")]
    return [str(v or "") for v in values]


def event_key(ev: dict[str, Any]) -> str:
    obj = ev.get("involvedObject") or {}
    rest = [obj.get("fieldPath"), obj.get("uid"), obj.get("apiVersion"), ev.get("type"), ev.get("reason")]
    return "".join([*_fields(ev), *(str(v or "") for v in rest), str(ev.get("message") or "")])


def _spam_key(ev: dict[str, Any]) -> str:
    obj = ev.get("involvedObject") or {}
    return "".join([*_fields(ev), str(obj.get("uid") or ""), str(obj.get("apiVersion") or "")])


def _aggregate_key(ev: dict[str, Any]) -> str:
    obj = ev.get("involvedObject") or {}
    rest = [obj.get("uid"), obj.get("apiVersion"), ev.get("type"), ev.get("reason")]
    rest += [ev.get("reportingController"), ev.get("reportingInstance")]
    return "".join([*_fields(ev), *(str(v or "") for v in rest)])


class _Lru(OrderedDict[str, Any]):
    def put(self, key: str, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > CACHE_ENTRIES:
            self.popitem(last=False)


class EventCorrelator:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._similar: _Lru = _Lru()  # aggregate key -> (message set, last time)
        self._seen: _Lru = _Lru()  # event key -> (name, namespace, firstTimestamp, count)
        self._spam: _Lru = _Lru()  # spam key -> (tokens, last time)
        self.clock = time.monotonic

    def allow(self, ev: dict[str, Any]) -> bool:
        """EventSourceObjectSpamFilter.Filter, negated: whether the bucket of ``ev``'s source and
        object has a token left (one is taken)."""
        now = self.clock()
        key = _spam_key(ev)
        with self._lock:
            tokens, last = self._spam.get(key, (float(SPAM_BURST), now))
            tokens = min(float(SPAM_BURST), tokens + (now - last) * SPAM_QPS)
            allowed = tokens >= 1.0
            self._spam.put(key, (tokens - 1.0 if allowed else tokens, now))
        return allowed

    def observe(self, key: str, name: str | None, namespace: str, first: str, count: int) -> None:
        """eventObserve's "record our new observation", for an event the filter then skips."""
        with self._lock:
            self._seen.put(key, (name, namespace, first, count))

    def aggregate(self, ev: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """EventAggregate: the event (or the combined one that stands for it) and its cache key."""
        now = self.clock()
        key = _aggregate_key(ev)
        with self._lock:
            messages, last = self._similar.get(key, (set(), 0.0))
            if now - last > MAX_INTERVAL_S:
                messages = set()
            messages.add(str(ev.get("message") or ""))
            if len(messages) < MAX_EVENTS:
                self._similar.put(key, (messages, now))
                return ev, event_key(ev)
            messages.pop()
            self._similar.put(key, (messages, now))
        combined = dict(ev, message="(combined from similar events): " + str(ev.get("message") or ""))
        return combined, key

    def last(self, key: str) -> tuple[str, str, str, int] | None:
        """eventObserve's last observation of ``key``: (name, namespace, firstTimestamp, count)."""
        with self._lock:
            return self._seen.get(key)

    def observed(self, key: str, stored: dict[str, Any]) -> None:
        """UpdateState: the Event the API server now holds for ``key``."""
        md = stored.get("metadata") or {}
        with self._lock:
            self._seen.put(
                key, (md.get("name"), md.get("namespace"), stored.get("firstTimestamp"), stored.get("count"))
            )
