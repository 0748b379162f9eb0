"""A PromQL query sent straight to its URL (a port-forward, an Azure Monitor workspace) retries as
the same query through the service proxy does (akscli.gpu.prometheus_source.DIRECT_RETRY): a 429 after
its Retry-After plus jitter, a 5xx only where it says when, a dropped connection; never a
Prometheus 503 without Retry-After (a query that timed out). The waits are recorded, not slept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import urllib3

from akscli import netfail
from akscli.errors import AkscliError
from akscli.gpu import prometheus_source as ps
from akscli.kube import retry

OK = b'{"status": "success", "data": {"resultType": "vector", "result": []}}'
URL = "http://localhost:9090"


class _Answer:
    def __init__(self, status: int, retry_after: str | None = None) -> None:
        self.status = status
        self.data = OK if status == 200 else b'{"status": "error"}'
        self.headers = {"Retry-After": retry_after} if retry_after is not None else {}


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(retry, "sleep", waited.append)
    monkeypatch.setattr(retry.random, "uniform", lambda low, high: high)  # the longest jitter
    netfail.forget()
    return waited


def _serve(monkeypatch: pytest.MonkeyPatch, answers: list[Any]) -> list[str]:
    """The pool answers ``answers`` in turn (an exception is raised); returns the methods sent."""
    sent: list[str] = []
    queue: Iterator[Any] = iter(answers)

    class Pool:
        def __init__(self, **kw: Any) -> None:
            pass

        def request(self, method: str, url: str, **kw: Any) -> Any:
            sent.append(method)
            answer = next(queue)
            if isinstance(answer, BaseException):
                raise answer
            return answer

    monkeypatch.setattr(urllib3, "PoolManager", Pool)
    return sent


def _query() -> tuple[int, bytes]:
    return ps.asker(None, ps.Direct(URL, None))("up")  # type: ignore[arg-type]


def test_a_query_answered_429_is_sent_again_after_its_retry_after_and_jitter(
    monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    sent = _serve(monkeypatch, [_Answer(429, "3"), _Answer(200)])
    assert _query() == (200, OK)
    assert sent == ["POST", "POST"]
    assert waits == [3.0 + 1.0]  # the Retry-After, then full jitter of up to base_delay


def test_a_query_answered_429_without_retry_after_backs_off_exponentially(
    monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    sent = _serve(monkeypatch, [_Answer(429), _Answer(429), _Answer(200)])
    assert _query()[0] == 200
    assert len(sent) == 3
    assert waits == [1.0, 2.0]


def test_a_query_that_timed_out_in_prometheus_is_not_sent_again(
    monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    sent = _serve(monkeypatch, [_Answer(503)])
    assert _query()[0] == 503
    assert sent == ["POST"]
    assert waits == []


def test_a_503_that_says_when_is_sent_again(monkeypatch: pytest.MonkeyPatch, waits: list[float]) -> None:
    sent = _serve(monkeypatch, [_Answer(503, "2"), _Answer(200)])
    assert _query()[0] == 200
    assert len(sent) == 2
    assert waits == [3.0]


def test_the_tries_are_bounded_and_the_last_answer_stands(monkeypatch: pytest.MonkeyPatch, waits: list[float]) -> None:
    sent = _serve(monkeypatch, [_Answer(429, "1")] * ps.DIRECT_RETRY.attempts)
    assert _query()[0] == 429
    assert len(sent) == ps.DIRECT_RETRY.attempts
    assert len(waits) == ps.DIRECT_RETRY.attempts - 1


def test_a_retry_after_past_the_retry_budget_is_not_waited(monkeypatch: pytest.MonkeyPatch, waits: list[float]) -> None:
    sent = _serve(monkeypatch, [_Answer(429, "3600")])
    assert _query()[0] == 429
    assert sent == ["POST"]
    assert waits == []


def test_a_dropped_connection_is_sent_again(monkeypatch: pytest.MonkeyPatch, waits: list[float]) -> None:
    dropped = urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "reset by peer"))
    sent = _serve(monkeypatch, [dropped, _Answer(200)])
    assert _query()[0] == 200
    assert len(sent) == 2
    assert waits == [1.0]


def test_a_refused_connection_to_a_server_that_never_answered_fails_at_once(
    monkeypatch: pytest.MonkeyPatch, waits: list[float]
) -> None:
    refused = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] refused")  # type: ignore[arg-type]
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    sent = _serve(monkeypatch, [refused])
    with pytest.raises(AkscliError):
        _query()
    assert sent == ["POST"]
    assert waits == []
