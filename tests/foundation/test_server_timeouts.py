"""A server that takes the connection and never answers fails fast, in one line, and is not
asked again and again.

client-go retries no timeout of a request (kubernetes/client-go rest/request.go, ``request``'s
``isErrRetryableFunc``: GETs only, on a reset connection, EOF or a lost HTTP/2 connection), and
``--request-timeout`` bounds all its tries together. akscli sends a read once more after a
timeout, and only to a server that answered earlier in the process (it may be restarting); never a
write, which the server may have applied (akscli.netfail.Failure.retryable).

The server is tests.silent_server's: a listening socket nobody accepts from while the client
waits; the connections it queued count the tries afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from akscli import errors, netfail
from akscli.kube import retry
from akscli.kube.client import Kube, KubeTarget
from akscli.kube.connecting import connect
from tests.cli import invoke
from tests.silent_server import Silent


@pytest.fixture(autouse=True)
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """No server has answered yet in this process; retry waits are recorded, not slept."""
    netfail.forget()
    waits: list[float] = []
    monkeypatch.setattr(retry, "sleep", waits.append)
    return waits


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.close()


@pytest.fixture
def kubeconfig_of_silent(tmp_path: Path, silent: Silent) -> Path:
    path = tmp_path / "kc"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": f"https://{silent.server}"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    path.write_text(json.dumps(config), encoding="utf-8")
    path.chmod(0o600)
    return path


def kube_of(kubeconfig: Path) -> Kube:
    return connect(KubeTarget(kubeconfig=str(kubeconfig), request_timeout=0.3))


def test_a_server_that_never_answered_is_asked_once_and_named_with_the_timeout(
    kubeconfig_of_silent: Path, silent: Silent, slept: list[float]
) -> None:
    result = invoke("model", "list", "--kubeconfig", str(kubeconfig_of_silent), "--request-timeout", "300ms")
    assert result.exit_code == errors.AkscliError.exit_code
    assert (
        result.stderr.splitlines()[0]
        == f"error: the API server {silent.server} (context 'x') did not answer within 0.3s"
    )
    assert "--request-timeout" in result.stderr and "VPN" in result.stderr
    assert "Timeout" not in result.stderr and "HTTPSConnectionPool" not in result.stderr
    assert silent.connections() == 1
    assert slept == []


def test_a_read_that_times_out_after_the_server_answered_is_sent_once_more(
    kubeconfig_of_silent: Path, silent: Silent, slept: list[float]
) -> None:
    kube = kube_of(kubeconfig_of_silent)
    netfail.answered(silent.server)  # as if it had answered earlier in this process
    with pytest.raises(errors.AkscliError) as failed:
        kube.request("GET", "/api/v1/namespaces/default")
    assert failed.value.message.endswith("did not answer within 0.3s (2 tries)")
    assert silent.connections() == 2
    assert len(slept) == 1


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_write_that_times_out_is_never_sent_again(kubeconfig_of_silent: Path, silent: Silent, method: str) -> None:
    kube = kube_of(kubeconfig_of_silent)
    netfail.answered(silent.server)  # even to a server that answered before: it may have applied it
    with pytest.raises(errors.AkscliError, match=r"did not answer within 0\.3s$"):
        kube.request(method, "/api/v1/namespaces/default/configmaps", body={"kind": "ConfigMap"})
    assert silent.connections() == 1


def test_a_post_that_only_asks_is_retried_as_a_read(kubeconfig_of_silent: Path, silent: Silent) -> None:
    kube = kube_of(kubeconfig_of_silent)
    netfail.answered(silent.server)
    with pytest.raises(errors.AkscliError, match=r"\(2 tries\)$"):
        kube.request("POST", "/api/v1/namespaces/default/services/p:9090/proxy/api/v1/query", writes=False)
    assert silent.connections() == 2


def test_a_timeout_is_retried_at_most_once_and_a_dropped_connection_as_before() -> None:
    timeout = netfail.Failure("timeout", "timed out")
    connect_timeout = netfail.Failure("connect-timeout", "the connection timed out")
    dropped = netfail.Failure("dropped", "the connection was dropped")
    netfail.answered("h:1")
    assert timeout.retryable("h:1") and not timeout.retryable("h:1", timeouts=1)
    assert not timeout.retryable("h:2")  # never answered: a black hole, not a restart
    assert not timeout.retryable("h:1", write=True)
    assert connect_timeout.retryable("h:1", write=True)  # nothing was sent
    assert not connect_timeout.retryable("h:1", timeouts=1)
    assert dropped.retryable("h:2", write=True, timeouts=5)
