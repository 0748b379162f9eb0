"""A server that takes the connection and never answers fails fast, in one line, and is not
asked again and again.

client-go retries no timeout of a request (kubernetes/client-go rest/request.go, ``request``'s
``isErrRetryableFunc``: GETs only, on a reset connection, EOF or a lost HTTP/2 connection), and
``--request-timeout`` bounds all its tries together (``request``: ``context.WithTimeout`` around the
retry loop); as akscli's, where it is given. Without it, akscli's default bounds each try
(retry.DEFAULT_REQUEST_TIMEOUT), and a read is sent once more after a timeout, only to a server
that answered earlier in the process (it may be restarting); never a write, which the server may
have applied (akscli.netfail.Failure.retryable). ``--request-timeout 0`` is kubectl's "no
timeout": the answer is waited for, the connection only for client-go's dial timeout.

The server is tests.silent_server's: a listening socket nobody accepts from while the client
waits; the connections it queued count the tries afterwards.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from akscli import errors, netfail, validate
from akscli.kube import retry
from akscli.kube.client import Kube, KubeTarget
from akscli.kube.connecting import connect, kube_target
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


@pytest.fixture(autouse=True)
def short_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """akscli's default timeout of a try, and --request-timeout 0's connect timeout: 0.3 s here."""
    monkeypatch.setattr(retry, "DEFAULT_REQUEST_TIMEOUT", 0.3)
    monkeypatch.setattr(retry, "NO_TIMEOUT_CONNECT", 0.3)


def kube_of(kubeconfig: Path) -> Kube:
    """No --request-timeout: akscli's default timeout of each try."""
    return connect(KubeTarget(kubeconfig=str(kubeconfig)))


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


def test_a_request_timeout_given_bounds_all_tries_so_a_timed_out_read_is_not_sent_again(
    kubeconfig_of_silent: Path, silent: Silent, slept: list[float]
) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig_of_silent), request_timeout=0.3))
    netfail.answered(silent.server)  # a second try would be allowed without the flag (test above)
    with pytest.raises(errors.AkscliError) as failed:
        kube.request("GET", "/api/v1/namespaces/default")
    assert failed.value.message.endswith("did not answer within 0.3s")
    assert silent.connections() == 1
    assert slept == []


def test_request_timeout_0_waits_for_the_answer_and_only_the_connection_has_a_timeout(
    kubeconfig_of_silent: Path, silent: Silent
) -> None:
    result = invoke("model", "list", "--kubeconfig", str(kubeconfig_of_silent), "--request-timeout", "0")
    assert result.exit_code == errors.AkscliError.exit_code
    # the TLS hello is never answered: the connect timeout (client-go's dial timeout, 0.3 s here)
    assert (
        result.stderr.splitlines()[0]
        == f"error: the API server {silent.server} (context 'x') did not answer within 0.3s"
    )
    assert silent.connections() == 1


def test_request_timeout_0_sends_no_read_timeout(kubeconfig_of_silent: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig_of_silent), request_timeout=0.0))
    sent: list[Any] = []

    def send(*args: Any) -> tuple[int, Any, None]:
        sent.append(args[-1])
        return 200, _Answer(), None

    monkeypatch.setattr(kube, "_send", send)
    assert kube.request("GET", "/api/v1/namespaces/default") == {}
    assert sent == [(0.3, None)]  # urllib3 Timeout(connect=0.3, read=None): the answer is waited for


class _Answer:
    def read(self) -> bytes:
        return b""


@pytest.mark.parametrize(("typed", "seconds"), [("0", 0.0), ("30", 30.0), ("30s", 30.0), ("1m", 60.0), ("1m30s", 90.0)])
def test_request_timeout_takes_kubectls_forms(typed: str, seconds: float) -> None:
    # kubernetes/client-go tools/clientcmd/helpers.go ParseTimeout: whole seconds, or a Go duration
    assert kube_target(None, None, None, typed).request_timeout == seconds


@pytest.mark.parametrize("typed", ["-1", "1x", "soon", "1m-30s"])
def test_request_timeout_refuses_what_is_not_a_duration_in_one_line(typed: str) -> None:
    result = invoke("model", "list", "--request-timeout", typed)
    assert result.exit_code == errors.UsageError.exit_code
    assert result.stderr.startswith("error: invalid --request-timeout")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [("1.5s", 1.5), ("500ms", 0.5), ("2us", 2e-6), ("2\u00b5s", 2e-6), ("3ns", 3e-9), ("1.5h", 5400.0), ("+5", 5.0)],
)
def test_request_timeout_takes_go_durations_with_any_unit_as_kubectl(typed: str, seconds: float) -> None:
    # client-go tools/clientcmd/helpers.go ParseTimeout: strconv.ParseInt, else time.ParseDuration
    # (golang/go src/time/format.go unitMap: ns, us, µs, ms, s, m, h; fractions of any unit)
    assert kube_target(None, None, None, typed).request_timeout == pytest.approx(seconds)


@pytest.mark.parametrize("typed", ["1.5", "0.5", "1e3", "-1"])
def test_request_timeout_refuses_a_bare_fraction_and_a_negative_number_naming_the_forms(typed: str) -> None:
    # "1.5": neither a whole number of seconds nor a Go duration (time.ParseDuration: "missing unit")
    result = invoke("model", "list", "--request-timeout", typed)
    assert result.exit_code == errors.UsageError.exit_code
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: invalid --request-timeout '{typed}': it is ")
    assert first.endswith("give whole seconds (30) or a number with a unit, ns, us, ms, s, m or h (1.5s, 1h30m)")


@pytest.mark.parametrize("typed", ["-1s", "-500ms", "-1h30m"])
def test_a_negative_request_timeout_with_a_unit_is_no_timeout_as_kubectl(typed: str) -> None:
    # client-go tools/clientcmd/helpers.go ParseTimeout takes it (time.ParseDuration); rest/request.go
    # and Go's http.Client bound a request only where the timeout is > 0. kubectl get --request-timeout=-1s
    # lists (tests/kube_emulator/test_kubectl_streams.py); before, akscli refused it. It is kept as
    # typed, to be sent as the ``timeout`` query (audit35: test_request_timeout_query.py); Kube bounds
    # nothing by it.
    assert kube_target(None, None, None, typed).request_timeout == validate.request_timeout(typed) < 0


def test_a_negative_timeout_stays_refused_for_the_other_durations() -> None:
    with pytest.raises(errors.UsageError) as refused:
        validate.duration("-1s", "--timeout")
    assert refused.value.message.startswith("invalid --timeout '-1s': it is negative")


def test_a_bare_fraction_is_refused_for_timeout_too() -> None:
    with pytest.raises(errors.UsageError) as refused:
        validate.duration("1.5", "--timeout")
    assert refused.value.message.startswith("invalid --timeout '1.5': it is not a duration: give whole seconds")
    assert validate.duration("250ms", "--timeout") == 0.25 and validate.duration("30", "--timeout") == 30


def test_the_timeout_hint_of_request_timeout_0_suggests_no_longer_timeout(
    kubeconfig_of_silent: Path, silent: Silent
) -> None:
    result = invoke("model", "list", "--kubeconfig", str(kubeconfig_of_silent), "--request-timeout", "0")
    assert result.exit_code == errors.AkscliError.exit_code
    assert result.stderr.splitlines()[1] == (
        "hint: check that this network reaches the server (VPN, firewall, a private cluster's network) and "
        "the kubeconfig's server address: with --request-timeout 0 only the connection has a limit (0.3s)"
    )


def test_the_timeout_hint_of_a_given_request_timeout_names_it(kubeconfig_of_silent: Path, silent: Silent) -> None:
    result = invoke("model", "list", "--kubeconfig", str(kubeconfig_of_silent), "--request-timeout", "200ms")
    assert result.stderr.splitlines()[1].endswith("; a slow server may need more than --request-timeout 0.2s")


def test_the_timeout_hint_without_the_flag_names_the_default(kubeconfig_of_silent: Path, silent: Silent) -> None:
    result = invoke("model", "list", "--kubeconfig", str(kubeconfig_of_silent))
    assert result.stderr.splitlines()[1].endswith(
        "; a slow server may need a longer --request-timeout (default: 0.3s each try)"
    )


@pytest.fixture
def busy() -> Iterator[tuple[str, list[str]]]:
    """An API server that answers every request 503 with Retry-After: 1 (the paths it was sent)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def _kubeconfig(tmp_path: Path, server: str) -> Path:
    path = tmp_path / "busy-kc"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    path.write_text(json.dumps(config), encoding="utf-8")
    path.chmod(0o600)
    return path


def test_a_retry_after_past_the_request_timeout_is_not_waited_for(
    tmp_path: Path, busy: tuple[str, list[str]], slept: list[float]
) -> None:
    server, seen = busy
    kube = connect(KubeTarget(kubeconfig=str(_kubeconfig(tmp_path, server)), request_timeout=0.5))
    with pytest.raises(errors.AkscliError) as failed:
        kube.request("GET", "/api/v1/namespaces/default")
    assert len(seen) == 1 and slept == []
    assert failed.value.hint == retry.past_budget(1.0)


def test_without_a_request_timeout_a_retry_after_is_waited_for_within_the_retry_budget(
    tmp_path: Path, busy: tuple[str, list[str]], slept: list[float]
) -> None:
    server, seen = busy
    kube = connect(KubeTarget(kubeconfig=str(_kubeconfig(tmp_path, server))))
    with pytest.raises(errors.AkscliError):
        kube.request("GET", "/api/v1/namespaces/default")
    assert len(seen) == 6 and len(slept) == 5  # RetryPolicy.attempts: the waits recorded, not slept


def test_each_try_gets_what_is_left_of_the_request_timeout() -> None:
    assert retry.try_timeout(3.0, 101.0, 100.0) == 1.0
    assert retry.try_timeout(3.0, None, 100.0) == 3.0  # no flag: akscli's default bounds each try
    assert retry.try_timeout((10.0, 60.0), 101.0, 100.0) == (10.0, 60.0)  # a stream's own timeout


@pytest.mark.parametrize(("flags", "bound"), [({"request_timeout": 0.3}, "0.3s"), ({}, "0.3s")])
def test_an_exec_whose_opening_is_never_answered_ends_at_the_request_bound(
    kubeconfig_of_silent: Path, flags: dict[str, float], bound: str
) -> None:
    # audit35 (wait35): the exec websocket's opening (Kube.exec_output: the Ray session logs' tar) is bounded
    # as a request, by --request-timeout or akscli's default a try (0.3 s here); kubernetes' own client
    # opens it with no timeout (kubernetes-client/python kubernetes/base/stream/ws_client.py
    # create_websocket), and before it waited for ever. A thread, so that the old code fails, not hangs.
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig_of_silent), **flags))
    ended: list[BaseException] = []

    def run() -> None:
        try:
            b"".join(kube.exec_output("default", "p", "c", ["tar", "-cf", "-", "."]))
        except BaseException as exc:  # the test reads what ended it
            ended.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "the exec's opening was not bounded"
    [error] = ended
    assert isinstance(error, errors.WaitTimeoutError)
    assert error.message == (
        f"cannot exec in pod default/p: the API server did not answer the websocket's opening within {bound}"
    )
    assert error.hint == "raise --request-timeout, or try again"
