"""RFC 3339 times are read one way, as Kubernetes and ARM read them: Go's time.Parse(time.RFC3339)
(golang/go src/time/format_rfc3339.go parseRFC3339, src/time/format.go parse), which metav1.Time
and metav1.MicroTime use (kubernetes/apimachinery eed236ce pkg/apis/meta/v1/time.go and
micro_time.go UnmarshalJSON). They are written one way too, as metav1.Time's MarshalJSON writes
them (t.UTC().Format(time.RFC3339)), byte for byte what each writer akscli had wrote before."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def test_a_time_is_written_in_utc_with_z_as_go_writes_a_metav1_time() -> None:
    assert timestamps.format(NOON.replace(microsecond=999999)) == "2026-01-31T12:00:00Z"
    east = timezone(timedelta(hours=2, minutes=30))
    assert timestamps.format(datetime(2026, 1, 31, 14, 30, tzinfo=east)) == "2026-01-31T12:00:00Z"
    assert timestamps.format(datetime(2026, 1, 31, 12, 0)) == "2026-01-31T12:00:00Z"  # no offset: UTC


def test_digits_cut_the_fraction_without_rounding() -> None:
    when = NOON.replace(microsecond=123999)
    assert timestamps.format(when, digits=3) == "2026-01-31T12:00:00.123Z"
    assert timestamps.format(when, digits=6) == "2026-01-31T12:00:00.123999Z"
    assert timestamps.format(NOON, digits=3) == "2026-01-31T12:00:00.000Z"
    with pytest.raises(ValueError):
        timestamps.format(NOON, digits=7)


def test_an_epoch_in_seconds_is_written_as_its_utc_time() -> None:
    assert timestamps.format(1769860800) == "2026-01-31T12:00:00Z"


def test_no_time_is_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    written = timestamps.parse(timestamps.format(digits=6))
    assert written is not None and before <= written <= datetime.now(UTC)


AWARE = st.builds(
    lambda when, minutes: when.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
    st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59),
)


@given(AWARE)
def test_milliseconds_are_what_the_audit_log_wrote_before(when: datetime) -> None:
    # audit._now and audit.since_time before: isoformat with milliseconds, +00:00 as Z.
    old = when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert timestamps.format(when, digits=3) == old


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)))
def test_seconds_are_what_strftime_wrote_before(when: datetime) -> None:
    # model/kaito_restart before (strftime; its %Y pads no year below 1000, which no clock reads).
    assert timestamps.format(when) == when.strftime("%Y-%m-%dT%H:%M:%SZ")


@given(st.integers(min_value=0, max_value=10**11))
def test_an_epoch_is_what_gmtime_wrote_before(seconds: int) -> None:
    # azure/token's expirationTimestamp, fleet/approvals and baremetal/record before: past year 9999 too.
    assert timestamps.format(seconds) == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


@given(AWARE)
def test_what_is_written_reads_back_as_the_same_time(when: datetime) -> None:
    assert timestamps.parse(timestamps.format(when, digits=6)) == when


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2026-01-31", True),
        ("2026-01-31T10:00:00Z", True),
        ("2026-01-31 10:00+0100", True),
        ("2026-01-31T10:00:00.5-03:00", True),
        ("2026-13-45", True),  # the shape of a date: typed then refuses it
        ("7d", False),
        ("2h", False),
        ("2026", False),
        ("2026-01-31Tnoon", False),
    ],
)
def test_a_typed_date_is_told_from_a_duration_by_its_shape(text: str, date: bool) -> None:
    assert timestamps.looks_typed(text) is date
