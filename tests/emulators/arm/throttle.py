"""ARM's subscription throttling: a token bucket per subscription and kind of request.

upstream: MicrosoftDocs/azure-docs articles/azure-resource-manager/management/request-limits-and-throttling.md
("Regional throttling and token bucket algorithm"): per subscription, reads have a bucket of 250
tokens refilled at 25 a second, writes and deletes 200 refilled at 10; each request takes a token;
an empty bucket answers 429 with Retry-After (the seconds to wait), and every answer carries the
tokens left in ``x-ms-ratelimit-remaining-subscription-reads`` / ``-writes`` / ``-deletes``
("Remaining requests"). The 429's error code and message are the ones users report
(MicrosoftDocs/azure-docs issues #51431 and #105248: ``SubscriptionRequestsThrottled``,
"Number of 'read' requests for subscription '...' exceeded ... Please try again after '6'
seconds"). Off by default (``emu.throttle = None``); the emulator's clock (``now``) includes
``clock_offset``, so a test moves time on instead of sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator

# The documented defaults: kind -> (bucket size, refill per second).
DOCUMENTED = {"reads": (250, 25.0), "writes": (200, 10.0), "deletes": (200, 10.0)}


def kind_of(method: str) -> str:
    return {"GET": "reads", "HEAD": "reads", "DELETE": "deletes"}.get(method.upper(), "writes")


@dataclass
class Throttle:
    """Buckets per (subscription, kind); ``limits`` overrides the documented sizes and rates."""

    limits: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(DOCUMENTED))
    _tokens: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)  # -> (tokens, at)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    throttled: int = 0  # 429s answered
    # The clock the buckets refill by; default the wall clock plus the emulator's clock_offset.
    clock: Callable[[], float] | None = None

    def take(self, subscription: str, method: str, now: float) -> tuple[int, float | None]:
        """Take a token: (tokens left, None), or (0, seconds to wait) when the bucket is empty."""
        kind = kind_of(method)
        size, rate = self.limits[kind]
        key = (subscription.lower(), kind)
        with self._lock:
            tokens, at = self._tokens.get(key, (float(size), now))
            tokens = min(float(size), tokens + max(0.0, now - at) * rate)
            if tokens >= 1:
                self._tokens[key] = (tokens - 1, now)
                return int(tokens - 1), None
            self._tokens[key] = (tokens, now)
            self.throttled += 1
            wait = math.ceil((1 - tokens) / rate) if rate > 0 else 3600
            return 0, float(max(1, wait))


def now(emu: ArmEmulator) -> float:
    clock = emu.throttle.clock if emu.throttle is not None else None
    return clock() if clock is not None else time.monotonic() + emu.clock_offset


def check(emu: ArmEmulator, method: str, subscription: str) -> tuple[dict[str, str], dict[str, object] | None, int]:
    """Headers for the answer and, when throttled, the 429 body and its Retry-After."""
    throttle = emu.throttle
    if throttle is None:
        return {}, None, 0
    left, wait = throttle.take(subscription, method, now(emu))
    kind = kind_of(method)
    headers = {f"x-ms-ratelimit-remaining-subscription-{kind}": str(left)}
    if wait is None:
        return headers, None, 0
    headers["Retry-After"] = str(int(wait))
    body = {
        "error": {
            "code": "SubscriptionRequestsThrottled",
            "message": f"Number of '{kind[:-1]}' requests for subscription '{subscription}' exceeded the limit. "
            f"Please try again after '{int(wait)}' seconds.",
        }
    }
    return headers, body, int(wait)
