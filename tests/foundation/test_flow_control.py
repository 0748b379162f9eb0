"""429s from API Priority and Fairness, as the API server sends them (a text body, whole-second
Retry-After, the same for every request its priority level turns away: the emulator's
``faults.add(flow_control=True)``; upstream: kubernetes/apiserver 24a394e5
pkg/server/filters/priority-and-fairness.go tooManyRequests,
pkg/util/flowcontrol/dropped_requests_tracker.go). Each is retried no sooner than it asks, with
jitter on top so that clients turned away together do not come back together, and one that
keeps coming is one line. Requests are counted and waits recorded, never timed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube import client as kube_client
from akscli.kube import retry
from akscli.kube.client import KubeTarget, RetryPolicy
from akscli.kube.connecting import connect
from tests.cli import invoke


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(retry, "sleep", waits.append)
    return waits


@pytest.fixture
def widest_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each jitter draw at the top of its range, so that the waits are known exactly."""
    monkeypatch.setattr(retry.random, "uniform", lambda _low, high: high)


def node_lists(emu: Any) -> list[Any]:
    return emu.requests(verb="list", path="/nodes")


def test_a_list_turned_away_is_sent_again_once_each_retry_after_has_passed(
    kube_emulator: Any, kubeconfig: Path, slept: list[float]
) -> None:
    kube_emulator.faults.add(verb="list", path="/nodes", flow_control=True, retry_after=1, count=2)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    assert list(kube.list("v1", "Node")) == []
    assert [r.status for r in node_lists(kube_emulator)] == [429, 429, 200]
    assert len(slept) == 2 and all(wait >= 1.0 for wait in slept)


def test_the_same_retry_after_is_spread_by_a_growing_jitter(
    kube_emulator: Any, kubeconfig: Path, slept: list[float], widest_jitter: None
) -> None:
    kube_emulator.faults.add(verb="list", path="/nodes", flow_control=True, retry_after=1, count=3)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    list(kube.list("v1", "Node"))
    base = kube.retry.base_delay
    assert slept == [1.0 + base, 1.0 + 2 * base, 1.0 + 4 * base]


def test_a_priority_level_that_keeps_turning_a_list_away_is_one_line(
    kube_emulator: Any, kubeconfig: Path, slept: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kube_client, "DEFAULT_RETRY", RetryPolicy(attempts=3, base_delay=0.01, deadline=20))
    kube_emulator.faults.add(verb="list", path="/nodes", flow_control=True, count=None)
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    with pytest.raises(errors.AkscliError) as caught:
        list(kube.list("v1", "Node"))
    assert len(node_lists(kube_emulator)) == caught.value.attempts == 3
    assert caught.value.message.endswith("failed with HTTP 429: Too many requests, please try again later.")
    assert caught.value.hint == (
        "the API server is overloaded and turned the request away each time it was sent: try again in a minute"
    )


def test_a_command_whose_reads_are_turned_away_says_so_in_one_line(
    kube_emulator: Any, kubeconfig: Path, slept: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kube_client, "DEFAULT_RETRY", RetryPolicy(attempts=2, base_delay=0.01, deadline=20))
    kube_emulator.faults.add(verb="list", path="/nodes", flow_control=True, count=None)
    result = invoke("gpu", "usage")
    assert result.exit_code == 1, result
    assert "Traceback" not in result.stderr
    assert "HTTP 429: Too many requests, please try again later." in result.stderr
    assert "turned the request away each time it was sent" in result.stderr
