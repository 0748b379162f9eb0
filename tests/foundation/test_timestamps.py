"""RFC 3339 times are read one way, as Kubernetes and ARM read them: Go's time.Parse(time.RFC3339)
(golang/go src/time/format_rfc3339.go parseRFC3339, src/time/format.go parse), which metav1.Time
and metav1.MicroTime use (kubernetes/apimachinery eed236ce pkg/apis/meta/v1/time.go and
micro_time.go UnmarshalJSON)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from akscli import output, timestamps

NOON = datetime(2026, 1, 31, 12, 0, 0, tzinfo=UTC)

READ = [
    ("2026-01-31T12:00:00Z", NOON),  # metav1.Time as the API server writes it
    ("2026-01-31T12:00:00.123456Z", NOON.replace(microsecond=123456)),  # metav1.MicroTime (RFC3339Micro)
    ("2026-01-31T12:00:00.123456789Z", NOON.replace(microsecond=123456)),  # RFC3339Nano: past 6 digits dropped
    ("2026-01-31T12:00:00.5Z", NOON.replace(microsecond=500000)),
    ("2026-01-31T12:00:00,5Z", NOON.replace(microsecond=500000)),  # format.go commaOrPeriod
    ("2026-01-31T14:30:00+02:30", NOON),
    ("2026-01-31T09:00:00-03:00", NOON),
    ("2026-01-31T7:00:00-05:00", NOON),  # format.go stdHour: one or two digits
    ("2026-02-01T12:00:00+24:00", NOON),  # format.go: offset hours up to 24
    ("2026-01-31T12:00:00.395+00:00", NOON.replace(microsecond=395000)),  # ARM's form
]

REFUSED = [
    "2026-01-31T12:00:00",  # no offset: RFC 3339 requires one
    "2026-01-31t12:00:00Z",
    "2026-01-31T12:00:00z",
    "2026-01-31 12:00:00Z",
    "2026-01-31",
    "20260131T120000Z",
    "2026-01-31T12:00:00+0200",
    "2026-01-31T12:00:00+25:00",
    "2026-01-31T12:00:00+02:61",
    "2026-02-30T12:00:00Z",
    "2026-01-31T24:00:00Z",
    "2026-01-31T12:00:60Z",
    "2026-01-31T12:00:00.Z",
    " 2026-01-31T12:00:00Z",
    "2026-01-31T12:00:00Z ",
    "0000-01-01T00:00:00Z",  # Go's year 0: no datetime holds it
    "0001-01-01T00:00:00+01:00",
    "２０２６-01-31T12:00:00Z",  # digits are ASCII digits
    "",
    None,
    1769860800,
]


@pytest.mark.parametrize(("text", "when"), READ)
def test_a_time_go_reads_as_rfc3339_is_read_in_utc(text: str, when: datetime) -> None:
    assert timestamps.parse(text) == when


@pytest.mark.parametrize("text", REFUSED)
def test_a_time_go_refuses_reads_as_no_time(text: object) -> None:
    assert timestamps.parse(text) is None


def test_epoch_is_the_parsed_time_in_unix_seconds() -> None:
    assert timestamps.epoch("1970-01-01T00:01:00.5+00:00") == 60.5
    assert timestamps.epoch("1970-01-01T00:01:00") is None


def test_a_typed_since_without_an_offset_is_utc() -> None:
    assert timestamps.typed("2026-01-31 12:00") == NOON
    assert timestamps.typed("2026-01-31T14:00+02:00") == NOON


def test_age_of_a_creation_time_without_an_offset_is_unknown() -> None:
    # The old age read it as a naive datetime and failed subtracting it from an aware now (TypeError).
    assert output.age({"metadata": {"creationTimestamp": "2026-01-31T12:00:00"}}) == "<unknown>"


def test_age_of_a_micro_time_counts_from_it() -> None:
    created = "2026-01-31T12:00:00.500000Z"
    assert output.age(created, now=NOON.replace(minute=1)) == "59s"
