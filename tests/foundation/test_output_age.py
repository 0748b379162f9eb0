"""The AGE column reads as kubectl's: kubernetes/apimachinery's HumanDuration, which the API
server's table (pkg/api/meta/table/table.go ConvertToHumanReadableDateType) and kubectl's own
printers use. The cases are upstream's boundary table (eed236ce pkg/util/duration/duration_test.go
TestHumanDurationBoundaries)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from akscli import output

MINUTE, HOUR, DAY, YEAR = 60, 3600, 86400, 365 * 86400
MS = 0.001

UPSTREAM_BOUNDARIES = [
    (-2, "<invalid>"),
    (-2 + 1e-9, "0s"),
    (0, "0s"),
    (1 - MS, "0s"),
    (2 * MINUTE - MS, "119s"),
    (2 * MINUTE, "2m"),
    (2 * MINUTE + 1, "2m1s"),
    (10 * MINUTE - MS, "9m59s"),
    (10 * MINUTE, "10m"),
    (10 * MINUTE + 1, "10m"),
    (3 * HOUR - MS, "179m"),
    (3 * HOUR, "3h"),
    (3 * HOUR + MINUTE, "3h1m"),
    (8 * HOUR - MS, "7h59m"),
    (8 * HOUR, "8h"),
    (8 * HOUR + 59 * MINUTE, "8h"),
    (2 * DAY - MS, "47h"),
    (2 * DAY, "2d"),
    (2 * DAY + HOUR, "2d1h"),
    (8 * DAY - MS, "7d23h"),
    (8 * DAY, "8d"),
    (8 * DAY + 23 * HOUR, "8d"),
    (2 * YEAR - MS, "729d"),
    (2 * YEAR, "2y"),
    (2 * YEAR + 23 * HOUR + 59 * MINUTE, "2y"),
    (2 * YEAR + DAY, "2y1d"),
    (8 * YEAR - MS, "7y364d"),
    (8 * YEAR, "8y"),
    (9 * YEAR, "9y"),
]


@pytest.mark.parametrize(("seconds", "shown"), UPSTREAM_BOUNDARIES)
def test_a_duration_is_written_as_kubectl_writes_an_age(seconds: float, shown: str) -> None:
    assert output.human_duration(seconds) == shown


@pytest.mark.parametrize(
    ("since", "shown"),
    [
        (timedelta(seconds=90), "90s"),
        (timedelta(seconds=190), "3m10s"),
        (timedelta(hours=5, minutes=30), "5h30m"),
        (timedelta(days=3, hours=4), "3d4h"),
    ],
)
def test_the_age_of_an_object_keeps_kubectls_second_unit(since: timedelta, shown: str) -> None:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    created = (now - since).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert output.age({"metadata": {"creationTimestamp": created}}, now=now) == shown


def test_an_object_without_a_creation_time_has_an_unknown_age() -> None:
    assert output.age({"metadata": {}}) == "<unknown>"
