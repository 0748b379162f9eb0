"""`ray dashboard --port-forward` says what fails as kubectl port-forward does: a head pod the
kubelet cannot run is refused before anything listens (exit 3, one line); a request the head
cannot answer is one line on stderr, once per outage, and that line is the browser's page in
place of the proxy's own answer; a lost connection to the API server ends the forward with its
error, as client-go's ForwardPorts ends with ErrLostConnectionToPod.

upstream: kubernetes/kubectl pkg/cmd/portforward/portforward.go (runSinglePortForward: "unable to
forward port because pod is not running. Current status=%v"), kubernetes/client-go
tools/portforward/portforward.go (handleConnection: "an error occurred forwarding %d -> %d: %v",
then the stream connection is closed; ForwardPorts returns ErrLostConnectionToPod)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from akscli import errors, ray
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from tests.cli import invoke
from tests.ray.test_cli_cluster import ray_pods, wait_until

NGINX = b"<html><head><title>504 Gateway Time-out</title></head><body>nginx</body></html>\n"


def _ready_cluster(ray_emulator: Callable[..., Any]) -> Any:
    emu = ray_emulator()
    result = invoke("ray", "cluster", "create", "demo", "--worker-replicas", "0", "--wait", "--timeout", "20s")
    assert result.exit_code == 0, result
    return emu


def _forwarder(lines: list[str], reconnect_timeout: float = 0.3) -> ray.DashboardForwarder:
    return ray.DashboardForwarder(
        connect(KubeTarget()),
        "default",
        "demo",
        "demo-head-svc",
        port=0,
        progress=lines.append,
        reconnect_timeout=reconnect_timeout,
    )


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_the_command_refuses_a_head_the_kubelet_cannot_run_with_one_line_and_exit_3(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(failure="image-pull")
    assert invoke("ray", "cluster", "create", "demo").exit_code == 0
    wait_until(lambda: any((p.get("status") or {}).get("containerStatuses") for p in ray_pods(emu, "demo")), timeout=30)
    result = invoke("ray", "dashboard", "demo", "--port-forward", "--port", "0")
    assert result.exit_code == 3, result
    assert result.stdout == ""
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith("error: the Ray dashboard of cluster demo is not serving yet: head pod demo-head")
    assert "ImagePullBackOff" in line


def test_a_gateway_timeout_is_one_line_on_stderr_and_the_browsers_page(ray_emulator: Callable[..., Any]) -> None:
    emu = _ready_cluster(ray_emulator)
    emu.register_service_proxy(
        "default", "demo-head-svc", 8265, lambda m, p, b: (504, {"Content-Type": "text/html"}, NGINX)
    )
    lines: list[str] = []
    forwarder = _forwarder(lines)
    forwarder.start()
    try:
        status, kind, body = _get(forwarder.url + "api/version")
        _get(forwarder.url + "api/jobs/")
    finally:
        forwarder.stop()
    expected = (
        "the Ray dashboard of cluster demo (Service demo-head-svc) answered HTTP 504 Gateway Timeout: it did not "
        "answer in time; see akscli ray cluster status demo -n default"
    )
    assert (status, kind, body) == (504, "text/plain; charset=utf-8", (expected + "\n").encode())
    assert lines == [expected]  # once for the outage, not once per request


def test_a_head_service_with_no_ready_endpoint_says_why_instead_of_the_proxys_answer(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = _ready_cluster(ray_emulator)
    proxy_says = b'{"kind":"Status","message":"no endpoints available for service \\"demo-head-svc\\""}'
    emu.register_service_proxy(
        "default", "demo-head-svc", 8265, lambda m, p, b: (503, {"Content-Type": "application/json"}, proxy_says)
    )
    lines: list[str] = []
    forwarder = _forwarder(lines)
    forwarder.start()
    try:
        status, _, body = _get(forwarder.url + "api/version")
    finally:
        forwarder.stop()
    assert status == 503
    assert b"Status" not in body
    assert body.decode().startswith(
        "the Ray dashboard of cluster demo (Service demo-head-svc) does not answer (HTTP 503 from the API "
        "server's service proxy): no ready endpoint behind the head Service; see akscli ray cluster status demo"
    )
    assert lines[-1] == body.decode().strip()


def test_a_lost_connection_to_the_api_server_ends_the_forward_with_its_error(
    ray_emulator: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ready_cluster(ray_emulator)
    forwarder = _forwarder([])
    forwarder.start()

    def refused(*args: Any, **kwargs: Any) -> Any:
        # As Kube.request raises it for a request that got no answer (akscli.kube.reach.unreachable).
        raise errors.AkscliError("the connection to the server x was refused", hint="check") from ConnectionError()

    monkeypatch.setattr(forwarder.kube, "request", refused)
    try:
        status, _, body = _get(forwarder.url + "api/version")
        assert status == 502 and body == b"the connection to the server x was refused\n"
        with pytest.raises(errors.AkscliError) as caught:
            forwarder.wait()
        assert caught.value.message == "the connection to the server x was refused"
    finally:
        forwarder.stop()


def test_stopping_the_forward_ends_its_head_pod_watch_at_once(ray_emulator: Callable[..., Any]) -> None:
    # Before, the watch thread read its stream until the watch's 30 s timeout, outliving the forward
    # (and the emulator it watched: the cut stream was an unhandled error in that thread).
    import threading

    emu = _ready_cluster(ray_emulator)
    forwarder = _forwarder([])
    before = set(threading.enumerate())
    forwarder.start()
    wait_until(lambda: bool(emu.requests(verb="watch", path="/pods")), timeout=30)  # the head pod watch is open
    forwarder.stop()
    assert [t.name for t in set(threading.enumerate()) - before if t.name == "akscli-ray-head-watch"] == []


def test_an_answer_cut_mid_body_is_one_line_for_that_request_and_the_forward_goes_on(
    ray_emulator: Callable[..., Any],
) -> None:
    # client-go's port-forward logs one error per failed connection and goes on (tools/portforward/
    # portforward.go handleConnection); before, the cut was a traceback of the relay's thread.
    emu = _ready_cluster(ray_emulator)
    emu.register_service_proxy(
        "default", "demo-head-svc", 8265, lambda m, p, b: (200, {"Content-Type": "application/json"}, b'{"ray": "2"}')
    )
    emu.faults.add(path="/proxy/api/version", drop_connection=True, in_stream=True)
    lines: list[str] = []
    forwarder = _forwarder(lines)
    forwarder.start()
    try:
        cut = _get(forwarder.url + "api/version")
        after = _get(forwarder.url + "api/version")
    finally:
        forwarder.stop()
    expected = (
        "the answer of the Ray dashboard of cluster demo (/api/version) was cut: unexpected EOF (the connection "
        "to the API server closed mid-stream); try again"
    )
    assert cut == (502, "text/plain; charset=utf-8", (expected + "\n").encode())
    assert lines == [expected]
    assert after[0] == 200 and after[2] == b'{"ray": "2"}'


def test_a_proxied_answer_cut_mid_body_is_one_error_naming_the_service(ray_emulator: Callable[..., Any]) -> None:
    emu = _ready_cluster(ray_emulator)
    emu.register_service_proxy(
        "default", "demo-head-svc", 8265, lambda m, p, b: (200, {"Content-Type": "application/json"}, b'{"ray": "2"}')
    )
    emu.faults.add(path="/proxy/api/version", drop_connection=True, in_stream=True)
    with pytest.raises(errors.AkscliError) as caught:
        connect(KubeTarget()).proxy("default", "demo-head-svc", 8265, "api/version")
    assert (caught.value.message, caught.value.hint) == (
        "the answer of service default/demo-head-svc:8265 through the API server's proxy was cut: unexpected EOF "
        "(the connection to the API server closed mid-stream)",
        "try again; if it repeats, check the API server's health",
    )
