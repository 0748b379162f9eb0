"""Pod exec over WebSocket, the way kubectl 1.32 speaks it (channel protocols
``v5.channel.k8s.io`` down to ``v4.channel.k8s.io``).

The protocol, from kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/httpstream/
wsstream/conn.go and staging/src/k8s.io/client-go/tools/remotecommand/websocket.go: every binary
message starts with a channel byte (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize); v5 adds
the close signal (channel 255 followed by the channel being closed, sent by the client when its
stdin ends). The error channel carries the exec's final metav1.Status
(staging/src/k8s.io/apiserver/pkg/util/remotecommand ... v4 WriteStatusFunc): Success, or
Failure/NonZeroExitCode with the exit code as the ExitCode cause, which kubectl turns into
``command terminated with exit code N`` and its own exit code.

The WebSocket framing itself (handshake, masking, fragmentation, control frames, closing
handshake) is the ``websockets`` package's sans-I/O ServerProtocol; this module only moves
bytes between it and the request's socket.

What runs "in" the container is a handler a test registers (``emu.register_exec``); without one
a few commands are answered as a shell would (echo, cat, true, false, hostname, env, sh -c
"exit N"); anything else fails as a missing executable does under containerd (exit 126).
"""

from __future__ import annotations

import json
import select
import shlex
import socket
import threading
from collections.abc import Callable
from typing import Any

from websockets.frames import Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol

EXEC_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"]
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255

# (container, command, stdin) -> (exit code, stdout, stderr)
ExecHandler = Callable[[str, list[str], bytes], tuple[int, bytes, bytes]]


class _KubeServerProtocol(ServerProtocol):
    """Kubernetes subprotocol names such as ``SPDY/3.1+portforward.k8s.io`` are not RFC 7230
    tokens, which the websockets package insists on; Go's gorilla/websocket (the API server's)
    splits the header on commas, and so does this."""

    def process_subprotocol(self, headers: Any) -> Any:
        offered = [p.strip() for value in headers.get_all("Sec-WebSocket-Protocol") for p in value.split(",")]
        return self.select_subprotocol([p for p in offered if p])


class WebSocket:
    """One upgraded connection: blocking receive and send of binary messages (sends may come
    from several threads; the sans-I/O protocol object is guarded by a lock)."""

    def __init__(self, sock: socket.socket, proto: ServerProtocol) -> None:
        self.sock = sock
        self.proto = proto
        self.subprotocol = proto.subprotocol
        self.lock = threading.Lock()

    @classmethod
    def accept(
        cls, sock: socket.socket, path: str, headers: list[tuple[str, str]], subprotocols: list[str]
    ) -> WebSocket | None:
        proto = _KubeServerProtocol(subprotocols=[*subprotocols])  # type: ignore[list-item]
        # the HTTP server has parsed the request already: hand the protocol the same request
        # as bytes, so that its parser moves on to frames
        head = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        proto.receive_data(head.encode("latin-1"))
        request = next(e for e in proto.events_received() if isinstance(e, Request))
        response = proto.accept(request)
        proto.send_response(response)
        cls._flush(sock, proto)
        if response.status_code != 101:
            return None
        return cls(sock, proto)

    @staticmethod
    def _flush(sock: socket.socket, proto: ServerProtocol) -> None:
        for data in proto.data_to_send():
            if data:
                sock.sendall(data)

    def send(self, data: bytes) -> None:
        """Raises ConnectionError once the connection is closing or closed: a write on a closed
        connection fails, as Go's does ("use of closed network connection"), and each writer ends
        on it as the kubelet's does (kubernetes/kubernetes 0d1821e3
        pkg/kubelet/cri/streaming/portforward/httpstream.go portForward: the data and error streams'
        deferred Close, whose write error on a closed connection is dropped)."""
        self._send(self.proto.send_binary, data)

    def send_text(self, text: str) -> None:
        """One text message (a backend's own websocket behind the service proxy: Ray's log tail
        sends its log chunks as text, ray-project/ray python/ray/dashboard/modules/job/job_head.py
        tail_job_logs ``ws.send_str``); raises ConnectionError as ``send`` does."""
        self._send(self.proto.send_text, text.encode())

    def _send(self, frame: Callable[[bytes], None], data: bytes) -> None:
        with self.lock:
            if self.proto.state.name != "OPEN":
                raise ConnectionError(f"use of closed network connection (the WebSocket is {self.proto.state.name})")
            frame(data)
            self._flush(self.sock, self.proto)

    def peer_gone(self) -> bool:
        """Whether the peer has closed (a close frame, or the connection), looked at without
        waiting: a sender with nothing to send stops then instead of holding its thread. What the
        peer sent otherwise is dropped (Ray's log tail reads nothing from its client: ray-project/ray
        python/ray/dashboard/modules/job/job_head.py tail_job_logs only sends)."""
        readable, _, _ = select.select([self.sock], [], [], 0)
        if not readable:
            return False
        if not self._take():
            return True
        with self.lock:
            self.proto.events_received()
            self._flush(self.sock, self.proto)
            return self.proto.close_rcvd is not None or self.proto.state.name != "OPEN"

    def _take(self) -> bool:
        """Read what the socket has into the protocol; False once the peer closed the connection."""
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        with self.lock:
            if not data:
                self.proto.receive_eof()
                return False
            self.proto.receive_data(data)
            return True

    def recv(self) -> bytes | None:
        """The next binary or text message; None once the peer has closed."""
        while True:
            with self.lock:
                for frame in self.proto.events_received():
                    if frame.opcode in (Opcode.BINARY, Opcode.TEXT):
                        return bytes(frame.data)
                self._flush(self.sock, self.proto)
                if self.proto.close_rcvd is not None or self.proto.state.name == "CLOSED":
                    return None
            if not self._take():
                return None

    def close(self) -> None:
        with self.lock:
            try:
                if self.proto.state.name == "OPEN":
                    self.proto.send_close(1000)
                self._flush(self.sock, self.proto)
            except OSError:
                pass


def status_message(exit_code: int, command: list[str]) -> bytes:
    if exit_code == 0:
        return json.dumps({"metadata": {}, "status": "Success"}).encode()
    return json.dumps(
        {
            "metadata": {},
            "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command "
            f"[{' '.join(command)}], exit code {exit_code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(exit_code)}]},
        }
    ).encode()


def default_exec(container: str, command: list[str], stdin: bytes) -> tuple[int, bytes, bytes]:
    """A few commands answered as a shell in the container would."""
    if command[:2] == ["sh", "-c"] and len(command) == 3:
        inner = shlex.split(command[2])
        if len(inner) == 2 and inner[0] == "exit" and inner[1].isdigit():
            return int(inner[1]), b"", b""
        return default_exec(container, inner, stdin)
    name, args = (command[0], command[1:]) if command else ("", [])
    if name == "echo":
        return 0, (" ".join(args) + "\n").encode(), b""
    if name == "cat" and not args:
        return 0, stdin, b""
    if name == "true":
        return 0, b"", b""
    if name == "false":
        return 1, b"", b""
    if name == "hostname":
        return 0, f"{container}\n".encode(), b""
    message = (
        f'OCI runtime exec failed: exec failed: unable to start container process: exec: "{name}": '
        "executable file not found in $PATH: unknown\r\n"
    )
    return 126, b"", message.encode()


def run_exec(
    ws: WebSocket, query: dict[str, list[str]], container: str, handler: ExecHandler, *, cut: bool = False
) -> None:
    """Serve one exec session: collect stdin (if asked for) until the client closes it, run the
    command, send its output and final status, close. With ``cut`` (control.Faults.add
    drop_connection, in_stream) it stops after the output: no status on the error channel and no
    close frame, the caller then cuts the connection, as a killed API server or a load balancer's
    cut leaves an exec (kubectl reads it as ``error reading from error stream: next reader:
    unexpected EOF``: kubernetes/client-go 32ce75a7 tools/remotecommand/websocket.go readDemuxLoop,
    errorstream.go watchErrorStream)."""
    command = query.get("command") or []
    want_stdin = (query.get("stdin") or ["false"])[0] in ("true", "1")
    v5 = ws.subprotocol == "v5.channel.k8s.io"
    stdin = bytearray()
    if want_stdin:
        while True:
            msg = ws.recv()
            if msg is None:
                break
            if not msg:
                continue
            if msg[0] == STDIN:
                stdin += msg[1:]
            elif v5 and msg[0] == CLOSE and msg[1:2] == bytes([STDIN]):
                break
    code, out, err = handler(container, command, bytes(stdin))
    if out and (query.get("stdout") or ["true"])[0] in ("true", "1"):
        ws.send(bytes([STDOUT]) + out)
    if err and (query.get("stderr") or ["true"])[0] in ("true", "1"):
        ws.send(bytes([STDERR]) + err)
    if cut:
        return
    ws.send(bytes([ERROR]) + status_message(code, command))
    ws.close()


def exec_container(pod: dict[str, Any], requested: str | None) -> str:
    """The container an exec targets; raises ValueError with the API server's message."""
    containers = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]
    if requested:
        if requested not in containers:
            raise ValueError(f"container {requested} is not valid for pod {pod['metadata']['name']}")
        return requested
    if len(containers) == 1:
        return containers[0]
    if not containers:
        raise ValueError(f"pod {pod['metadata']['name']} has no containers")
    # kubectl picks the default container itself; a bare request names none of several
    raise ValueError(
        f"a container name must be specified for pod {pod['metadata']['name']}, choose one of: [{' '.join(containers)}]"
    )
