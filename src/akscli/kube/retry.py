"""How Kube.request retries, and how a retried write is judged once the server answers."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from akscli.errors import ConflictError

T = TypeVar("T")

FIELD_MANAGER = "akscli"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})  # what Kube.request and a watch stream retry
sleep = time.sleep  # the one place retries wait (tests record the delays here)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 0.2
    max_delay: float = 10.0
    deadline: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        # Full jitter: spreads the retries of many clients hitting one overloaded server.
        jitter = random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))
        if retry_after is None:
            return jitter
        # The server knows when it can take the request again: never sooner (the caller gives up
        # instead when it would overrun the overall deadline), and the jitter on top. API Priority
        # and Fairness gives every request it turns away at a priority level the same whole
        # seconds (1, more while it drops more), so clients that wait exactly come back in the
        # same instant and are turned away together (upstream: kubernetes/apiserver 24a394e5
        # pkg/server/filters/priority-and-fairness.go tooManyRequests, whose comment asks for
        # jitter; pkg/util/flowcontrol/dropped_requests_tracker.go GetRetryAfter).
        return retry_after + jitter


# The timeout of one try where --request-timeout is not given: akscli's own choice. kubectl's flag
# defaults to "0", no timeout (kubernetes/cli-runtime pkg/genericclioptions/config_flags.go
# ``NewConfigFlags``: ``Timeout: ptr.To("0")``; its help "A value of zero means don't timeout
# requests"; kubernetes/client-go rest/config.go ``Timeout``: "A value of zero means no timeout"),
# but akscli is run from scripts and CI, where a command that hangs on a silent server is worse
# than one that fails in 30 s and says so. A try, not all tries: the read retry of
# netfail.Failure.retryable and 429/5xx retries stay within RetryPolicy.deadline instead.
DEFAULT_REQUEST_TIMEOUT = 30.0
# --request-timeout 0: no timeout for the answer, as kubectl's 0, yet the connection (TCP and the
# TLS handshake, which urllib3 bounds with the connect timeout) within client-go's dialer's 30 s
# (kubernetes/client-go transport/cache.go: ``net.Dialer{Timeout: 30 * time.Second}``, and
# ``TLSHandshakeTimeout: 10 * time.Second`` through utilnet.SetTransportDefaults).
NO_TIMEOUT_CONNECT = 30.0


def try_timeout(limit: float | tuple[float, float], ends: float | None, now: float) -> float | tuple[float, Any]:
    """The timeout of the next try of one request: ``limit`` (0: only the connection's,
    ``NO_TIMEOUT_CONNECT``), and no more than what is left before ``ends``, where
    --request-timeout bounds all tries together (kubernetes/client-go rest/request.go
    ``request``: ``context.WithTimeout(ctx, r.timeout)`` around the whole retry loop)."""
    if not limit:
        return (NO_TIMEOUT_CONNECT, None)
    if ends is None or isinstance(limit, tuple):
        return limit
    return max(0.001, round(min(limit, ends - now), 3))


def past_budget(retry_after: float) -> str:
    """The hint of an error the server asked to retry later than the policy's deadline allows."""
    return f"the API server asked to wait {retry_after:g}s, past the retry budget: try again later"


# A write guarded by resourceVersion that met another writer: read again and redo it, 5 tries a
# few milliseconds apart (upstream: kubernetes/kubernetes staging/src/k8s.io/client-go/util/retry/
# util.go DefaultRetry, 5 steps of 10 ms; here with the full jitter of every akscli retry).
CONFLICT_RETRY = RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.1)


def on_conflict(write: Callable[[], T], policy: RetryPolicy = CONFLICT_RETRY) -> T:
    """``write()`` again while it fails with a resourceVersion Conflict, as client-go's
    ``retry.RetryOnConflict`` does: ``write`` must read the object itself each time. Only the
    reason Conflict (``errors.IsConflict``) is retried, never AlreadyExists; the last Conflict
    is raised once the tries are spent."""
    attempt = 0
    while True:
        try:
            return write()
        except ConflictError as exc:
            attempt += 1
            if exc.reason != "Conflict" or attempt >= policy.attempts:
                raise
            sleep(policy.delay(attempt - 1, None))


def parse_retry_after(value: str | None) -> float | None:
    """The seconds a Retry-After asks for, read as client-go reads it: whole seconds only
    (upstream: kubernetes/client-go rest/request.go ``retryAfterSeconds``, ``strconv.Atoi``; RFC 9110
    section 10.2.3, ``delay-seconds = 1*DIGIT``). Anything else (an HTTP-date, "1.5", "inf", "nan")
    is no Retry-After: the policy's own backoff is waited, never an endless or a NaN wait."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    return float(int(text))


def is_ours(sent: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    """Whether ``live`` is the object akscli sent: written by our field manager, and every
    field we sent has the value we sent (the server may add defaults, never change ours)."""
    managers = (live.get("metadata") or {}).get("managedFields") or []
    if not any(m.get("manager") == FIELD_MANAGER for m in managers):
        return False
    return _contains(live, sent)


def _contains(live: Any, sent: Any) -> bool:
    if isinstance(sent, Mapping):
        return isinstance(live, Mapping) and all(k in live and _contains(live[k], v) for k, v in sent.items())
    if isinstance(sent, list):
        return isinstance(live, list) and len(live) == len(sent) and all(map(_contains, live, sent))
    return bool(live == sent)
