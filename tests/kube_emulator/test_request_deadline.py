"""The ``timeout`` query parameter as the API server reads it: on a request that is not long-running, a
value that is no Go duration is a 400 before anything else is looked at; a watch's or a log's is not
read (kubernetes/apiserver 24a394e5 pkg/endpoints/filters/request_deadline.go withRequestDeadline and
parseTimeout; the long-running verbs and subresources of kubernetes/kubernetes
pkg/controlplane/apiserver/config.go BuildGenericConfig)."""

from __future__ import annotations

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap, raw

CM = "/api/v1/namespaces/default/configmaps"


@pytest.mark.parametrize("value", ["30s", "1m30s", "1.5s", "500ms", "0", "-1s"])
def test_a_go_duration_in_timeout_is_served(kube_emulator: KubeEmulator, value: str) -> None:
    assert raw(kube_emulator, "GET", f"{CM}?timeout={value}").status == 200


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("30", 'missing unit in duration "30"'),
        ("abc", 'invalid duration "abc"'),
        ("5x", 'unknown unit "x" in duration "5x"'),
        ("1.5sec", 'unknown unit "sec" in duration "1.5sec"'),
    ],
)
def test_a_timeout_that_is_no_go_duration_is_a_bad_request(
    kube_emulator: KubeEmulator, value: str, reason: str
) -> None:
    answer = raw(kube_emulator, "GET", f"{CM}?timeout={value}")
    assert answer.status == 400
    assert answer.json()["reason"] == "BadRequest"
    assert answer.json()["message"] == f"invalid timeout specified in the request URL - time: {reason}"


def test_the_timeout_is_checked_before_the_caller_is_authenticated(kube_emulator: KubeEmulator) -> None:
    # WithRequestDeadline wraps WithAuthentication (pkg/server/config.go DefaultBuildHandlerChain)
    assert raw(kube_emulator, "GET", f"{CM}?timeout=abc", token=None).status == 400


def test_a_write_with_a_bad_timeout_changes_nothing(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "POST", f"{CM}?timeout=abc", configmap("c")).status == 400
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "c") is None


def test_a_watch_does_not_read_timeout(kube_emulator: KubeEmulator) -> None:
    answer = raw(kube_emulator, "GET", f"{CM}?watch=true&timeoutSeconds=1&timeout=abc")
    assert answer.status == 200


def test_a_list_whose_watch_is_false_reads_timeout(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "GET", f"{CM}?watch=false&timeout=abc").status == 400


def test_a_log_does_not_read_timeout(kube_emulator: KubeEmulator) -> None:
    answer = raw(kube_emulator, "GET", "/api/v1/namespaces/default/pods/none/log?timeout=abc")
    assert answer.status == 404  # the pod is not there: the timeout was not looked at


# A request past its deadline (audit35, wait35): the timeout filter's 504 (kubernetes/apiserver 24a394e5
# pkg/server/filters/timeout.go; the deadline from pkg/endpoints/filters/request_deadline.go). The emulator's
# latency and a fault's delay are spent inside the deadline. Before, every request was answered whatever
# its ``timeout``.
TIMED_OUT = (
    b'{"metadata":{},"status":"Failure","message":"Timeout: request did not complete within the allotted timeout",'
    b'"reason":"Timeout","details":{},"code":504}\n'
)


def test_a_request_past_its_timeout_is_the_timeout_filters_504(kube_emulator: KubeEmulator) -> None:
    kube_emulator.latency_s = 0.3
    answer = raw(kube_emulator, "GET", f"{CM}?timeout=100ms")
    assert (answer.status, answer.body) == (504, TIMED_OUT)
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"  # Go's sniffing: no type was set


def test_a_request_within_its_timeout_is_served(kube_emulator: KubeEmulator) -> None:
    kube_emulator.latency_s = 0.1
    assert raw(kube_emulator, "GET", f"{CM}?timeout=30s").status == 200


@pytest.mark.parametrize("value", ["", "0", "-1s", "10m"])
def test_no_timeout_or_one_not_below_the_maximum_is_bounded_by_the_servers_maximum(
    kube_emulator: KubeEmulator, value: str
) -> None:
    # only 0 < timeout < maximum is taken (withRequestDeadline); kube-apiserver's --request-timeout here 0.2 s
    kube_emulator.request_timeout, kube_emulator.latency_s = 0.2, 0.3
    assert raw(kube_emulator, "GET", f"{CM}?timeout={value}" if value else CM).status == 504


def test_a_write_past_its_timeout_is_504_and_still_applied(kube_emulator: KubeEmulator) -> None:
    # the handler goes on after the timeout filter answered (timeout.go: its own goroutine)
    kube_emulator.faults.add(verb="POST", path="/configmaps", delay=0.3)
    assert raw(kube_emulator, "POST", f"{CM}?timeout=100ms", configmap("late")).status == 504
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "late") is not None


def test_a_watch_has_no_deadline(kube_emulator: KubeEmulator) -> None:
    kube_emulator.latency_s = 0.3
    assert raw(kube_emulator, "GET", f"{CM}?watch=true&timeoutSeconds=1&timeout=100ms").status == 200
