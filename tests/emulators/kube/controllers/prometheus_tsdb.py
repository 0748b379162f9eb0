"""What the lab's Prometheus server keeps between scrapes and how an instant query reads it
(prometheus_server.py scrapes into it; upstream: prometheus/prometheus d15adb9ad7e5d9fbde3a9a8f30200593a5a14d86,
main of August 2026):

* Samples are appended per series at the scrape's time. A series a target exposed in its last
  scrape and no longer exposes (or every series of a failed scrape, which counts as an empty one)
  gets a staleness marker at the new scrape's time (scrape/scrape.go scrapeAndReport: "A failed
  scrape is the same as an empty scrape, we still call sl.append to trigger stale markers";
  updateStaleMarkers). A target that goes away gets markers for every series it had, its ``up``
  included, stamped at the time its next scrape would have been and written a tick and a tenth of
  an interval after that (upstream: prometheus/prometheus scrape/scrape.go endOfRunStaleness;
  prometheus_server.py keeps them until then).
* The staleness marker is the NaN with bits 0x7ff0000000000002 (model/value/value.go StaleNaN).
* An instant query at time T sees, per series, the newest sample at or before T, only when it is
  newer than T minus the lookback delta (``--query.lookback-delta``, default 5m,
  cmd/prometheus/main.go; promql/engine.go defaultLookbackDelta) and not a staleness marker
  (promql/engine.go vectorSelectorSingle).
* A range selector ``[D]`` at time T reads each series' samples in (T - D, T], left-open since
  Prometheus 3.0, staleness markers left out (promql/engine.go matrixIterSlice, which drops
  ``value.IsStaleNaN`` points). Samples are kept ``retention`` seconds (upstream
  ``--storage.tsdb.retention.time``, default 15d, cmd/prometheus/main.go; the lab keeps one day).
"""

from __future__ import annotations

import bisect
import math
import re
import struct
import threading
from collections.abc import Iterable, Mapping

# model/value/value.go StaleNaN.
STALE_NAN_BITS = 0x7FF0000000000002
STALE_NAN: float = struct.unpack("<d", struct.pack("<Q", STALE_NAN_BITS))[0]
# cmd/prometheus/main.go: --query.lookback-delta defaults to 5m.
DEFAULT_LOOKBACK = 300.0
# How long the lab keeps samples (upstream's default is 15d; a lab run is shorter than a day).
RETENTION = 86400.0

SeriesKey = tuple[tuple[str, str], ...]
Series = tuple[dict[str, str], float]


def is_stale(value: float) -> bool:
    return math.isnan(value) and struct.unpack("<Q", struct.pack("<d", value))[0] == STALE_NAN_BITS


def key_of(labels: Mapping[str, str]) -> SeriesKey:
    return tuple(sorted(labels.items()))


class Tsdb:
    """Samples by series, each list in time order."""

    def __init__(self, lookback: float = DEFAULT_LOOKBACK, retention: float = RETENTION) -> None:
        self.lookback = lookback
        self.retention = retention
        self._samples: dict[SeriesKey, list[tuple[float, float]]] = {}
        self._lock = threading.Lock()

    def append(self, key: SeriesKey, at: float, value: float) -> None:
        with self._lock:
            points = self._samples.setdefault(key, [])
            if points and points[-1][0] >= at:
                # An out-of-order or duplicate timestamp is refused (storage.ErrOutOfOrderSample,
                # ErrDuplicateSampleForTimestamp; updateStaleMarkers ignores them).
                return
            points.append((at, value))
            # Nothing older than the retention (at least the lookback) before the newest sample is
            # ever read again.
            keep = max(self.lookback, self.retention)
            while len(points) > 1 and points[1][0] <= at - keep:
                points.pop(0)

    def mark_stale(self, keys: Iterable[SeriesKey], at: float) -> None:
        for key in keys:
            self.append(key, at, STALE_NAN)

    def instant(self, at: float) -> list[Series]:
        """Every series' value as an instant vector selector sees it at ``at``."""
        found: list[Series] = []
        with self._lock:
            for key, points in self._samples.items():
                i = bisect.bisect_right(points, at, key=lambda p: p[0])
                if not i:
                    continue
                t, value = points[i - 1]
                if t <= at - self.lookback or is_stale(value):
                    continue
                found.append((dict(key), value))
        return found

    def window(self, at: float, seconds: float) -> list[tuple[dict[str, str], list[float]]]:
        """Every series' sample values in (at - seconds, at], staleness markers left out; a
        series with none is not in the answer (a range vector selector)."""
        found: list[tuple[dict[str, str], list[float]]] = []
        with self._lock:
            for key, points in self._samples.items():
                lo = bisect.bisect_right(points, at - seconds, key=lambda p: p[0])
                hi = bisect.bisect_right(points, at, key=lambda p: p[0])
                values = [v for _, v in points[lo:hi] if not is_stale(v)]
                if values:
                    found.append((dict(key), values))
        return found

    def points(self, at: float, seconds: float) -> list[tuple[dict[str, str], list[tuple[float, float]]]]:
        """As ``window``, each sample with its time (rate needs them: prometheus_promql.py)."""
        found: list[tuple[dict[str, str], list[tuple[float, float]]]] = []
        with self._lock:
            for key, samples in self._samples.items():
                lo = bisect.bisect_right(samples, at - seconds, key=lambda p: p[0])
                hi = bisect.bisect_right(samples, at, key=lambda p: p[0])
                kept = [(t, v) for t, v in samples[lo:hi] if not is_stale(v)]
                if kept:
                    found.append((dict(key), kept))
        return found


_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0, "y": 31536000.0}


def parse_duration(text: str) -> float:
    """A Prometheus duration (``30s``, ``1m30s``, ``0``) in seconds (prometheus/common 06628cd7
    model/time.go ParseDuration: units y w d h m s ms, "0" without a unit)."""
    if text == "0":
        return 0.0
    parts = re.findall(r"(\d+)(ms|s|m|h|d|w|y)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a valid duration string: {text!r}")
    return sum(int(n) * _UNITS[u] for n, u in parts)
