"""Times read one way: RFC 3339 as the servers akscli talks to read it, and ``--since`` as typed.

Kubernetes reads its times with Go's ``time.Parse``: metav1.Time with ``time.RFC3339`` and
metav1.MicroTime with ``RFC3339Micro`` (upstream: kubernetes/apimachinery eed236ce
pkg/apis/meta/v1/time.go and micro_time.go, UnmarshalJSON). A custom resource keeps the string a
client sent, so a condition's ``lastTransitionTime`` may carry a fraction or an offset that a Go
server would have written as ``...Z``. ARM's JSON times are RFC 3339 as well (upstream:
microsoft/api-guidelines 011dd3c9 azure/Guidelines.md, json-date-time-is-rfc3339).

``parse`` accepts what ``time.Parse(time.RFC3339, s)`` accepts (upstream: golang/go 536ee116
src/time/format_rfc3339.go parseRFC3339, the fast path, then 08d24035 src/time/format.go parse, the layout
it falls back to). RFC3339Nano and RFC3339Micro accept nothing more:

- ``YYYY-MM-DD``, ``T``, the hour (one or two digits, 0-23), ``:MM:SS`` (0-59 each; no leap second);
- an optional fraction after the seconds, ``.`` or ``,`` then any number of digits;
- ``Z``, or an offset ``+hh:mm``/``-hh:mm`` (hours up to 24, minutes up to 60, as Go's range test);
- nothing else: no lower-case ``t`` or ``z``, no space, no offset-less time, no text around it.

Python holds microseconds, so digits after the sixth are dropped (Go keeps nine). Go's year 0 has no
``datetime`` and reads as no time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:[.,]([0-9]+))?(?:Z|([+-])([0-9]{2}):([0-9]{2}))",
    re.ASCII,
)


def parse(text: object) -> datetime | None:
    """An RFC 3339 time as Go's ``time.Parse(time.RFC3339, ...)`` reads it, in UTC; None for
    anything else (not a string, empty, or a time Go refuses)."""
    match = _RFC3339.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_hour, off_minute = match.groups()
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    try:  # ValueError: a day the month lacks, hour 24, second 60, year 0; OverflowError: past year 1 or 9999
        when = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=UTC)
        if sign is None:
            return when
        if int(off_hour) > 24 or int(off_minute) > 60:
            return None
        offset = timedelta(hours=int(off_hour), minutes=int(off_minute))
        return when - offset if sign == "+" else when + offset
    except (ValueError, OverflowError):
        return None


def epoch(text: object) -> float | None:
    """``parse`` as seconds since the Unix epoch."""
    when = parse(text)
    return None if when is None else when.timestamp()


def typed(text: str) -> datetime:
    """A date or date-time a person typed (``--since 2026-01-31``, ``2026-01-31 12:00``): ISO 8601
    as Python's ``datetime.fromisoformat`` reads it, ``Z`` for UTC, and UTC where it has no offset.
    ValueError when it is not one."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
