"""Go's time.ParseDuration, the simulator's own port, for every emulated controller and the API
server that reads a Go duration (upstream: golang/go src/time/format.go ParseDuration: an optional
sign, then one or more terms of a decimal number and a unit of ns, us, \u00b5s, \u03bcs, ms, s, m, h;
"0" alone needs no unit; more than an int64 of nanoseconds is an "invalid duration" error)."""

from __future__ import annotations

import re
from decimal import Decimal

# Go's time.ParseDuration, units in nanoseconds (upstream golang/go src/time/format.go unitMap).
_UNIT = {
    "ns": 1,
    "us": 1000,
    "\u00b5s": 1000,
    "\u03bcs": 1000,
    "ms": 10**6,
    "s": 10**9,
    "m": 6 * 10**10,
    "h": 36 * 10**11,
}
_INT64_MAX = (1 << 63) - 1
_TERM = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")


def go_duration(text: str) -> int | None:
    """time.ParseDuration in nanoseconds, None where it errors ("", "1", "1d", "-")."""
    body = text.lstrip("+-") if text[:1] in "+-" else text
    if body == "0":
        return 0
    if not body or len(text) - len(body) > 1:
        return None
    total, pos = Decimal(0), 0
    for term in _TERM.finditer(body):
        if term.start() != pos:
            return None
        total += Decimal(term.group(1)) * _UNIT[term.group(2)]
        pos = term.end()
    if pos != len(body) or total > _INT64_MAX + (text[0] == "-"):
        return None
    return -int(total) if text[0] == "-" else int(total)


def seconds(text: str) -> float | None:
    """The duration in seconds, None where ParseDuration errors."""
    nanos = go_duration(text)
    return None if nanos is None else nanos / 1e9
