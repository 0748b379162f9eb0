"""The text the Prometheus simulator reads and writes: the exposition format a target answers a
scrape with (prometheus/prometheus model/textparse/promparse.go), a series selector's name and label
matchers (model/labels/matcher.go), a query's durations (prometheus/common model/time.go) and
evaluation time (web/api/v1/api.go parseTime), and a sample value as the API writes it
(MarshalFloat). Each function names its upstream file; prometheus_server.py serves them.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from tests.emulators.kube.controllers.prometheus_tsdb import (
    DEFAULT_LOOKBACK,
    Series,
    parse_duration,
)


def parse_selector(text: str) -> tuple[str | None, list[tuple[str, str, str]]]:
    """``name{label op "value", ...}`` as (name, [(label, op, value)])."""
    m = re.fullmatch(r"\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(.*)\})?\s*", text, re.DOTALL)
    if m is None or (m.group(1) is None and m.group(2) is None):
        raise ValueError(
            f'invalid parameter "query": the lab\'s Prometheus evaluates only sum(SELECTOR), SELECTOR, '
            f"avg_over_time(SELECTOR[DURATION]), rate, sum|avg|max by and histogram_quantile, not {text!r}"
        )
    matchers: list[tuple[str, str, str]] = []
    rest = (m.group(2) or "").strip()
    pattern = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')
    while rest:
        mm = pattern.match(rest)
        if mm is None:
            raise ValueError(f'invalid parameter "query": bad label matchers in {text!r}')
        matchers.append((mm.group(1), mm.group(2), _unescape(mm.group(3))))
        rest = rest[mm.end() :].strip()
    return m.group(1), matchers


def parse_exposition(text: str) -> list[Series]:
    """The samples of the Prometheus text format, ``name{label="value",...} value [timestamp]``,
    ``#`` lines HELP/TYPE/comments (upstream: prometheus/prometheus d15adb9a model/textparse/
    promparse.go). Comments are skipped and a timestamp ignored (the scrape's time is taken)."""
    samples: list[Series] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?", line)
        if m is None:
            continue
        labels = {"__name__": m.group(1)}
        for k, v in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""):
            labels[k] = _unescape(v)
        samples.append((labels, float(m.group(3))))
    return samples


def format_value(value: float) -> str:
    """As MarshalFloat writes a sample value: 'f' format, shortest, 'e' below 1e-6 and from 1e21."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value != 0 and (abs(value) < 1e-6 or abs(value) >= 1e21):
        return repr(value)
    return format(Decimal(repr(value)).normalize(), "f")


def _matches(labels: Mapping[str, str], name: str | None, matchers: list[tuple[str, str, str]]) -> bool:
    """A selector's matchers: a missing label reads as "", and a regex is anchored at both ends
    (upstream: prometheus/prometheus d15adb9a model/labels/matcher.go Matches, model/labels/regexp.go
    NewFastRegexMatcher "^(?s:" ... ")$")."""
    if name is not None and labels.get("__name__") != name:
        return False
    for label, op, value in matchers:
        have = labels.get(label, "")
        ok = {
            "=": have == value,
            "!=": have != value,
            "=~": re.fullmatch(value, have) is not None,
            "!~": re.fullmatch(value, have) is None,
        }[op]
        if not ok:
            return False
    return True


def _duration(raw: Any, default: float = DEFAULT_LOOKBACK) -> float:
    return parse_duration(str(raw)) if raw else default


def _duration_text(seconds: float) -> str:
    """A duration as Prometheus writes it (prometheus/common model/time.go Duration.String)."""
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    out = ""
    for unit, size in (("y", 31536000000), ("w", 604800000), ("d", 86400000), ("h", 3600000), ("m", 60000),
                       ("s", 1000), ("ms", 1)):  # fmt: skip
        if ms >= size:
            out += f"{ms // size}{unit}"
            ms %= size
    return out


def _eval_time(raw: str) -> float:
    """The query's ``time`` (upstream: prometheus/prometheus d15adb9a web/api/v1/api.go
    parseTimeParam, parseTime): now when absent; a Unix time in seconds, its fraction rounded to
    the millisecond (math.Round); else RFC 3339 with its zone (time.RFC3339Nano), taken to the
    millisecond as the engine's timestamps are (model/timestamp FromTime). Else 400 bad_data,
    ``invalid parameter "time": invalid time value for 'time': cannot parse "..." to a valid timestamp``."""
    if not raw:
        return round(time.time(), 3)
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        whole = math.trunc(seconds)
        return whole + math.copysign(math.floor(abs(seconds - whole) * 1000 + 0.5), seconds) / 1000
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in raw.upper():
        raise ValueError(
            f'invalid parameter "time": invalid time value for \'time\': cannot parse "{raw}" to a valid timestamp'
        )
    return math.floor(parsed.timestamp() * 1000) / 1000


def _unescape(value: str) -> str:
    return value.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
