"""How akscli reads an API server's Retry-After: whole seconds, as client-go reads it (audit 34).

kubernetes/client-go rest/request.go ``retryAfterSeconds`` takes the header only when
``strconv.Atoi`` reads it; RFC 9110 section 10.2.3 has delay-seconds as digits only. Before audit 34
akscli read it with ``float()``: "inf" made a wait no deadline could hold ("asked to wait infs"),
and "nan" a wait of NaN seconds. Anything that is not whole seconds now counts as no Retry-After,
and the policy's own jittered backoff is waited instead.
"""

from __future__ import annotations

import pytest

from akscli.kube import retry


@pytest.mark.parametrize(("header", "seconds"), [("0", 0.0), ("1", 1.0), ("120", 120.0), (" 7 ", 7.0)])
def test_whole_seconds_are_the_wait(header: str, seconds: float) -> None:
    assert retry.parse_retry_after(header) == seconds


@pytest.mark.parametrize("header", ["inf", "nan", "1e9", "1.5", "-3", "Wed, 21 Oct 2026 07:28:00 GMT", "", None])
def test_anything_but_whole_seconds_is_no_retry_after(header: str | None) -> None:
    assert retry.parse_retry_after(header) is None


def test_a_retry_after_that_is_not_whole_seconds_gets_the_policys_own_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry.random, "uniform", lambda _low, high: high)
    policy = retry.RetryPolicy()
    assert policy.delay(0, retry.parse_retry_after("inf")) == policy.base_delay
