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
