"""How a watch the API server ends early is followed, so that the caller's resume neither fails
at the first hiccup nor loops requests at the server: client-go's reflector rules
(upstream: kubernetes/client-go v0.35.0 tools/cache/reflector.go, watch and handleWatch)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from akscli.kube import retry
from akscli.kube.wire import WatchInterrupted

# client-go's reflector backs off 800 ms, doubling (NewExponentialBackoffManager(800*time.Millisecond, ...)).
VERY_SHORT_WATCH_BACKOFF = 0.8

SecondsLeft = Callable[[], float] | None


def backoff(delay: float, seconds_left: SecondsLeft) -> None:
    """Sleeps ``delay``, but no longer than the caller has left (``seconds_left``, None when the
    caller set no deadline): client-go's reflector selects its backoff timer against the context's
    Done channel, so a backoff ends when the caller's time does (upstream: kubernetes/client-go
    master 32ce75a tools/cache/reflector.go watch, ``case <-stopCh: return nil`` beside
    ``case <-r.clock.After(r.delayHandler())``)."""
    if seconds_left is not None:
        delay = min(delay, max(0.0, seconds_left()))
    if delay > 0:
        retry.sleep(delay)


def after_close(events: int, lasted: float, *, cancelled: bool, seconds_left: SecondsLeft = None) -> None:
    """After a stream the server closed: one that lasted under a second with nothing in it
    (client-go's VeryShortWatchError: an API server shutting down closes every watch at once,
    pkg/endpoints/handlers/watch.go ServerShuttingDownCh) waits 0.8-1.6 s, so that the caller's
    next watch is not a request loop."""
    if events == 0 and lasted < 1.0 and not cancelled:
        backoff(random.uniform(VERY_SHORT_WATCH_BACKOFF, 2 * VERY_SHORT_WATCH_BACKOFF), seconds_left)


class StreamFailures:
    """In-stream 429/5xx of one client's watches, counted in a row per watched collection: each
    waits as ``Kube.request`` waits between retries (the Status's retryAfterSeconds, else
    backoff with full jitter); the policy's last attempt, or a retryAfterSeconds past the
    policy's deadline (which ``Kube.request`` refuses to wait too), raises the server's error, one
    line. client-go's reflector backs off on an in-stream 429 and watches again (reflector.go
    watch, apierrors.IsTooManyRequests: its own backoff, 800 ms doubling to a 30 s cap before
    jitter, whatever the Status asks); any event delivered starts the count again."""

    def __init__(self, policy: retry.RetryPolicy) -> None:
        self.policy = policy
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def delivered(self, key: str) -> None:
        if key in self._failures:  # a dict read: the common case takes no lock
            with self._lock:
                self._failures.pop(key, None)

    def interrupted(self, key: str, exc: WatchInterrupted, seconds_left: SecondsLeft = None) -> None:
        with self._lock:
            failures = self._failures.get(key, 0) + 1
            self._failures[key] = failures
        delay = self.policy.delay(failures - 1, exc.retry_after)
        too_late = exc.retry_after is not None and delay > self.policy.deadline
        if failures >= self.policy.attempts or too_late:
            with self._lock:
                self._failures.pop(key, None)
            exc.error.attempts = failures
            if too_late:
                exc.error.hint = retry.past_budget(delay)
            raise exc.error from None
        backoff(delay, seconds_left)
