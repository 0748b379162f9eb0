"""The emulator's port-forward ends as the kubelet's does once kubectl has gone: the FINs that close
the data and error streams meet a closed connection, and that write error is dropped
(kubernetes/kubernetes 0d1821e3 pkg/kubelet/cri/streaming/portforward/httpstream.go portForward,
its deferred dataStream.Close and errorStream.Close). Before, the pump's thread died on the
websockets package's InvalidState, which pytest printed as an unhandled thread exception."""

from __future__ import annotations

import socket

import pytest

from tests.emulators.kube import portforward
from tests.emulators.kube.streams import WebSocket

HANDSHAKE = [
    ("Host", "emulator"),
    ("Upgrade", "websocket"),
    ("Connection", "Upgrade"),
    ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ("Sec-WebSocket-Version", "13"),
    ("Sec-WebSocket-Protocol", portforward.PROTOCOLS[0]),
]


def _closed_websocket() -> WebSocket:
    """A server-side WebSocket whose client (kubectl) has gone: its connection ended."""
    server, client = socket.socketpair()
    ws = WebSocket.accept(server, "/api/v1/namespaces/default/pods/p/portforward", HANDSHAKE, portforward.PROTOCOLS)
    assert ws is not None
    client.close()
    assert ws.recv() is None  # Session.serve's loop ends here
    return ws


def test_a_write_on_a_websocket_whose_peer_has_gone_fails_as_a_closed_connection() -> None:
    ws = _closed_websocket()
    with pytest.raises(ConnectionError, match="use of closed network connection"):
        ws.send(b"\x00")


def test_the_pump_ends_quietly_when_the_websocket_closed_before_the_pods_port() -> None:
    session = portforward.Session(_closed_websocket(), lambda _port: None, "uid")
    pod_side, pod_port = socket.socketpair()
    pod_port.close()  # the pod's process closes its end: the pump reads EOF and sends its FINs
    session.sockets[1] = pod_side
    session._pump(pod_side, 1, 3)  # before: websockets.exceptions.InvalidState escaped the thread
    assert session.sockets == {}
