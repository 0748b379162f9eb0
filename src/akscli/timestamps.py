"""Times read and written one way: RFC 3339 as the servers akscli talks to read and write it, and
``--since`` as typed.

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

``format`` writes a time as a Go server writes a metav1.Time, ``t.UTC().Format(time.RFC3339)``
(upstream: kubernetes/apimachinery eed236ce pkg/apis/meta/v1/time.go MarshalJSON; MicroTime the
same with six digits, micro_time.go): UTC, ``Z``, and as many fraction digits as asked.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

# datetime is imported where it is used: `akscli token` (kubectl runs it before each request)
# writes its expiry from an int through time.gmtime and so never loads it (about 2 ms).

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
    from datetime import UTC, datetime, timedelta

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
    from datetime import UTC, datetime

    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def format(when: datetime | int | None = None, *, digits: int = 0) -> str:
    """``when`` as RFC 3339 in UTC with ``Z`` (now when None; an int is seconds since the Unix
    epoch, a datetime without an offset is taken as UTC), with ``digits`` digits of the second's
    fraction (0 to 6), cut, not rounded: 0 for a metav1.Time or an ExecCredential's
    expirationTimestamp, 3 for akscli's audit log. OverflowError where UTC leaves the years 1 to
    9999."""
    if not 0 <= digits <= 6:
        raise ValueError(f"digits: 0 to 6, not {digits}")
    if isinstance(when, int):
        # time.gmtime, not datetime: an epoch past year 9999 is written, not refused.
        fields, micro = time.gmtime(when)[:6], 0
    else:
        from datetime import UTC, datetime

        when = datetime.now(UTC) if when is None else when
        utc = when.astimezone(UTC) if when.tzinfo is not None else when
        fields, micro = utc.timetuple()[:6], utc.microsecond
    year, month, day, hour, minute, second = fields
    fraction = f".{micro:06d}"[: digits + 1] if digits else ""
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{fraction}Z"


# What a typed date looks like, told from a duration (``7d``, ``2h``): YYYY-MM-DD, then maybe a
# time after ``T`` or a space and an offset. ``typed`` then reads it or refuses it.
_TYPED = re.compile(r"\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?")


def looks_typed(text: str) -> bool:
    """Whether ``text`` has the shape of a date a person types (``typed``), not of a duration."""
    return _TYPED.fullmatch(text) is not None
