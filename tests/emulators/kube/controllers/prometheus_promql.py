"""The PromQL `akscli model top --window` sends, evaluated by the lab's Prometheus
(prometheus_server.py asks here first; upstream: prometheus/prometheus d15adb9a):

* ``rate(SELECTOR[D])``: per series, promql/functions.go extrapolatedRate with isCounter and
  isRate: the increase over the samples in (T - D, T] (counter resets added back), extrapolated
  to the range's ends when the first/last sample lies within 1.1 average sample gaps of them
  (else by half a gap), the start clamped first and then to the counter's zero point, divided by
  D; fewer than two samples give nothing; the metric name is dropped.
* ``sum|avg|max by (L, ...) (EXPR)``: promql/engine.go aggregation, one sample per value of the
  ``by`` labels (only those labels kept).
* ``histogram_quantile(Q, EXPR)``: promql/functions.go funcHistogramQuantile over the ``le``
  series of each label set (``le`` and the name dropped), prometheus/prometheus promql/quantile.go BucketQuantile:
  buckets sorted by bound, NaN without a +Inf bucket; buckets of one bound coalesced and the
  counts made monotonic (ensureMonotonicAndIgnoreSmallDeltas: a count below the one before, or
  within 1e-12 of it, becomes that one, as a rate of each bucket series taken on its own can
  give); NaN with fewer than two buckets or no observations; the rank ``Q * count`` interpolated
  linearly in the first bucket whose count reaches it; the highest finite bound when that is the
  +Inf bucket. The info annotation Prometheus adds when it forced monotonicity
  (annotations.go HistogramQuantileForcedMonotonicityInfo, the response's ``infos``) is not
  written.
* a bare instant ``SELECTOR`` inside them (prometheus_tsdb.Tsdb.instant).

Anything else returns None: prometheus_server.py answers it or refuses it.
"""

from __future__ import annotations

import itertools
import math
import re
import sys
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.controllers.prometheus_tsdb import Series, parse_duration

Selector = Callable[[str], tuple[str | None, list[tuple[str, str, str]]]]
Matches = Callable[[dict[str, str], str | None, list[tuple[str, str, str]]], bool]

_AGG = re.compile(r"(sum|avg|max)\s+by\s*\(([^)]*)\)\s*\((.*)\)", re.DOTALL)
_QUANTILE = re.compile(r"histogram_quantile\s*\(\s*([0-9.]+)\s*,(.*)\)", re.DOTALL)
_RATE = re.compile(r"rate\s*\((.*)\[([0-9a-z]+)\]\s*\)", re.DOTALL)
# prometheus/prometheus promql/quantile.go smallDeltaTolerance; util/almost/almost.go minNormal
# (math.Float64frombits(0x0010000000000000)).
SMALL_DELTA_TOLERANCE = 1e-12
_MIN_NORMAL = sys.float_info.min


def handles(text: str) -> bool:
    """Whether ``text`` is one of the shapes above (others go on to prometheus_server.py)."""
    return re.match(r"(histogram_quantile|rate|(sum|avg|max)\s+by)\b", text) is not None


def evaluate(
    text: str, at: float, tsdb: Any, instant: Callable[[float], list[Series]], select: Selector, matches: Matches
) -> list[Series] | None:
    """The instant vector of ``text`` at ``at`` (``instant``: what a bare selector sees); None when
    it is not one of the shapes above."""
    text = text.strip()
    if m := _QUANTILE.fullmatch(text):
        inner = evaluate(m.group(2), at, tsdb, instant, select, matches)
        return None if inner is None else histogram_quantile(float(m.group(1)), inner)
    if m := _AGG.fullmatch(text):
        inner = evaluate(m.group(3), at, tsdb, instant, select, matches)
        by = [label.strip() for label in m.group(2).split(",") if label.strip()]
        return None if inner is None else aggregate(m.group(1), by, inner)
    if m := _RATE.fullmatch(text):
        name, matchers = select(m.group(1))
        seconds = parse_duration(m.group(2))
        found = []
        for labels, points in tsdb.points(at, seconds):
            if matches(labels, name, matchers) and (value := rate(points, at, seconds)) is not None:
                found.append(({k: v for k, v in labels.items() if k != "__name__"}, value))
        return found
    if "(" in text:
        return None
    name, matchers = select(text)
    return [(labels, v) for labels, v in instant(at) if matches(labels, name, matchers)]


def rate(points: list[tuple[float, float]], at: float, seconds: float) -> float | None:
    """functions.go extrapolatedRate (isCounter, isRate) over (at - seconds, at]."""
    if len(points) < 2:
        return None
    (first_t, first), (last_t, last) = points[0], points[-1]
    result = last - first
    for (_, before), (_, after) in itertools.pairwise(points):
        if after < before:  # a counter reset
            result += before
    to_start, to_end = first_t - (at - seconds), at - last_t
    sampled = last_t - first_t
    if sampled == 0:
        return None
    gap = sampled / (len(points) - 1)
    threshold = gap * 1.1
    if to_start >= threshold:
        to_start = gap / 2
    to_zero = sampled * (first / result) if result > 0 and first >= 0 else to_start
    to_start = min(to_start, to_zero)
    if to_end >= threshold:
        to_end = gap / 2
    return result * (sampled + to_start + to_end) / sampled / seconds


def aggregate(op: str, by: list[str], inner: list[Series]) -> list[Series]:
    groups: dict[tuple[tuple[str, str], ...], list[float]] = {}
    for labels, value in inner:
        groups.setdefault(tuple((k, labels[k]) for k in by if k in labels), []).append(value)
    fold = {"sum": sum, "max": max, "avg": lambda vs: sum(vs) / len(vs)}[op]
    return [(dict(key), float(fold(values))) for key, values in groups.items()]


def histogram_quantile(q: float, inner: list[Series]) -> list[Series]:
    groups: dict[tuple[tuple[str, str], ...], list[tuple[float, float]]] = {}
    for labels, value in inner:
        if "le" not in labels:
            continue
        key = tuple(sorted((k, v) for k, v in labels.items() if k not in ("le", "__name__")))
        groups.setdefault(key, []).append((float(labels["le"]), value))
    return [(dict(key), bucket_quantile(q, buckets)) for key, buckets in groups.items()]


def bucket_quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """quantile.go BucketQuantile over (upper bound, cumulative count) pairs: sorted by bound, NaN
    without a +Inf bucket, then coalesceBuckets (the counts of one bound added up) and
    ensureMonotonicAndIgnoreSmallDeltas, then NaN with fewer than two buckets or no observations."""
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    buckets = sorted(buckets, key=lambda b: b[0])  # slices.SortFunc by UpperBound alone
    if not buckets or not math.isinf(buckets[-1][0]):
        return math.nan
    buckets = ensure_monotonic(coalesce(buckets))
    if len(buckets) < 2:
        return math.nan
    observations = buckets[-1][1]
    if observations == 0:
        return math.nan
    rank = q * observations
    b = next((i for i, (_, count) in enumerate(buckets[:-1]) if count >= rank), len(buckets) - 1)
    if b == len(buckets) - 1:
        return buckets[-2][0]
    if b == 0 and buckets[0][0] <= 0:
        return buckets[0][0]
    start, (end, count) = 0.0, buckets[b]
    if b > 0:
        start, below = buckets[b - 1]
        count -= below
        rank -= below
    return start + (end - start) * (rank / count)


def coalesce(buckets: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """quantile.go coalesceBuckets: sorted buckets of one upper bound (two series whose ``le``
    reads the same number, "1" and "1.0") become one with their counts added."""
    merged: list[tuple[float, float]] = []
    for bound, count in buckets:
        if merged and merged[-1][0] == bound:
            merged[-1] = (bound, merged[-1][1] + count)
        else:
            merged.append((bound, count))
    return merged


def ensure_monotonic(buckets: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """quantile.go ensureMonotonicAndIgnoreSmallDeltas with smallDeltaTolerance 1e-12: a count
    almost equal to the one before (util/almost/almost.go Equal), whichever way, or below it,
    becomes that one; the one before stays the reference ("Do not update the 'prev' value")."""
    fixed = list(buckets)
    prev = fixed[0][1]
    for i in range(1, len(fixed)):
        bound, count = fixed[i]
        if count == prev:
            continue
        if _almost_equal(prev, count) or count < prev:
            fixed[i] = (bound, prev)
            continue
        prev = count
    return fixed


def _almost_equal(a: float, b: float, epsilon: float = SMALL_DELTA_TOLERANCE) -> bool:
    """util/almost/almost.go Equal (the NaN cases aside: bucket counts are numbers)."""
    if a == b:
        return True
    total, diff = abs(a) + abs(b), abs(a - b)
    if a == 0 or b == 0 or total < _MIN_NORMAL:
        return diff < epsilon * _MIN_NORMAL
    return diff / min(total, sys.float_info.max) < epsilon
