"""pods/portforward as kubectl 1.32 speaks it: SPDY/3.1 tunneled through a WebSocket whose
subprotocol is ``SPDY/3.1+portforward.k8s.io`` (kubernetes/kubernetes
staging/src/k8s.io/client-go/tools/portforward/tunneling_dialer.go and tunneling_connection.go:
every binary WebSocket message carries raw SPDY bytes).

SPDY/3.1 framing and the header compression (zlib with the SPDY/3 dictionary, one stream per
direction) follow moby/spdystream spdy/ (types.go, read.go, write.go, dictionary.go). The
port-forward protocol is the kubelet's (pkg/kubelet/cri/streaming/portforward/httpstream.go):
for each forwarded connection the client opens an error stream and a data stream, both with
headers ``streamtype`` (error|data), ``port`` and ``requestid``; the server answers each with a
SYN_REPLY, copies bytes between the data stream and the pod's port, writes any failure on the
error stream, and ends both with FIN when the connection closes.

A pod's ports are what a test registers (``emu.register_port_forward(ns, pod, port, (host,
port))``): typically a small server on 127.0.0.1 standing in for the container's process.
Flow control (WINDOW_UPDATE) is not enforced, as spdystream does not enforce it either.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import zlib
from collections.abc import Callable

from tests.emulators.kube.streams import WebSocket

PROTOCOLS = ["SPDY/3.1+portforward.k8s.io"]
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01

Target = tuple[str, int]
Resolver = Callable[[int], Target | None]

_WORDS = [
    *[
        "options",
        "head",
        "post",
        "put",
        "delete",
        "trace",
        "accept",
        "accept-charset",
        "accept-encoding",
        "accept-language",
        "accept-ranges",
        "age",
        "allow",
        "authorization",
        "cache-control",
        "connection",
        "content-base",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "content-type",
        "date",
        "etag",
        "expect",
        "expires",
        "from",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "last-modified",
        "location",
        "max-forwards",
        "pragma",
        "proxy-authenticate",
        "proxy-authorization",
        "range",
        "referer",
        "retry-after",
        "server",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "vary",
        "via",
        "warning",
        "www-authenticate",
        "method",
        "get",
        "status",
    ],
    "200 OK",
    *["version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin"],
]
_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)
# The SPDY/3 header dictionary (spdystream spdy/dictionary.go headerDictionaryV3): the words,
# each with a 4-byte length, then the tail as is.
DICTIONARY = b"".join(struct.pack(">I", len(w)) + w.encode() for w in _WORDS) + _TAIL.encode()


def _control(kind: int, flags: int, payload: bytes) -> bytes:
    return struct.pack(">HHI", 0x8003, kind, (flags << 24) | len(payload)) + payload


def _data(stream_id: int, flags: int, payload: bytes) -> bytes:
    return struct.pack(">II", stream_id & 0x7FFFFFFF, (flags << 24) | len(payload)) + payload


class Session:
    """One SPDY connection over a WebSocket: the port-forward server side."""

    def __init__(self, ws: WebSocket, resolve: Resolver, pod_uid: str) -> None:
        self.ws = ws
        self.resolve = resolve
        self.pod_uid = pod_uid
        self.inflate = zlib.decompressobj(zdict=DICTIONARY)
        self.deflate = zlib.compressobj(
            zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY, DICTIONARY
        )
        self.send_lock = threading.Lock()
        self.streams: dict[int, dict[str, str]] = {}
        self.pairs: dict[str, dict[str, int]] = {}
        self.sockets: dict[int, socket.socket] = {}

    # ---- wire ---------------------------------------------------------------------------

    def _send(self, frame: bytes) -> None:
        with self.send_lock:
            self.ws.send(frame)

    def _headers_block(self, headers: dict[str, str]) -> bytes:
        raw = struct.pack(">I", len(headers)) + b"".join(
            struct.pack(">I", len(k)) + k.encode() + struct.pack(">I", len(v)) + v.encode() for k, v in headers.items()
        )
        with self.send_lock:
            return self.deflate.compress(raw) + self.deflate.flush(zlib.Z_SYNC_FLUSH)

    def _parse_headers(self, block: bytes) -> dict[str, str]:
        raw = self.inflate.decompress(block)
        (n,) = struct.unpack_from(">I", raw, 0)
        pos, out = 4, {}
        for _ in range(n):
            (kl,) = struct.unpack_from(">I", raw, pos)
            key = raw[pos + 4 : pos + 4 + kl].decode()
            pos += 4 + kl
            (vl,) = struct.unpack_from(">I", raw, pos)
            out[key.lower()] = raw[pos + 4 : pos + 4 + vl].decode()
            pos += 4 + vl
        return out

    def serve(self) -> None:
        buf = b""
        try:
            while True:
                msg = self.ws.recv()
                if msg is None:
                    return
                buf += msg
                while len(buf) >= 8:
                    length = int.from_bytes(buf[5:8], "big")
                    if len(buf) < 8 + length:
                        break
                    frame, buf = buf[: 8 + length], buf[8 + length :]
                    if not self._frame(frame):
                        return
        finally:
            for s in list(self.sockets.values()):
                _close(s)
            self.ws.close()

    def _frame(self, frame: bytes) -> bool:
        flags, payload = frame[4], frame[8:]
        if not frame[0] & 0x80:
            stream_id = int.from_bytes(frame[0:4], "big") & 0x7FFFFFFF
            self._on_data(stream_id, payload, bool(flags & FLAG_FIN))
            return True
        kind = int.from_bytes(frame[2:4], "big")
        if kind == SYN_STREAM:
            stream_id = int.from_bytes(payload[0:4], "big") & 0x7FFFFFFF
            self._on_syn_stream(stream_id, self._parse_headers(payload[10:]), bool(flags & FLAG_FIN))
        elif kind == PING:
            self._send(frame)
        elif kind == RST_STREAM:
            stream_id = int.from_bytes(payload[0:4], "big") & 0x7FFFFFFF
            s = self.sockets.pop(stream_id, None)
            if s is not None:
                _close(s)
        elif kind == GOAWAY:
            return False
        elif kind == HEADERS:
            self._parse_headers(payload[4:])  # keeps the shared zlib stream in step
        return True

    # ---- port-forward -------------------------------------------------------------------

    def _on_syn_stream(self, stream_id: int, headers: dict[str, str], fin: bool) -> None:
        self.streams[stream_id] = headers
        self._send(_control(SYN_REPLY, 0, struct.pack(">I", stream_id) + self._headers_block({})))
        pair = self.pairs.setdefault(headers.get("requestid", ""), {})
        pair[headers.get("streamtype", "")] = stream_id
        if "data" in pair and "error" in pair:
            conn = self._connect(pair["data"], pair["error"], headers)
            if conn is not None:
                self.sockets[pair["data"]] = conn
                threading.Thread(target=self._pump, args=(conn, pair["data"], pair["error"]), daemon=True).start()

    def _connect(self, data_id: int, error_id: int, headers: dict[str, str]) -> socket.socket | None:
        port = int(headers.get("port", "0") or 0)
        target = self.resolve(port)
        conn: socket.socket | None = None
        if target is not None:
            try:
                conn = socket.create_connection(target, timeout=5)
                conn.settimeout(None)
            except OSError:
                conn = None
        if conn is None:
            message = (
                f"error forwarding port {port} to pod {self.pod_uid}, uid : failed to connect to localhost:{port} "
                "inside namespace: connection refused"
            )
            self._send(_data(error_id, FLAG_FIN, message.encode()))
            self._send(_data(data_id, FLAG_FIN, b""))
        return conn

    def _pump(self, conn: socket.socket, data_id: int, error_id: int) -> None:
        try:
            while True:
                chunk = conn.recv(32768)
                if not chunk:
                    break
                self._send(_data(data_id, 0, chunk))
        except OSError:
            pass
        finally:
            self.sockets.pop(data_id, None)
            _close(conn)
            try:
                self._send(_data(data_id, FLAG_FIN, b""))
                self._send(_data(error_id, FLAG_FIN, b""))
            except OSError:
                pass

    def _on_data(self, stream_id: int, payload: bytes, fin: bool) -> None:
        conn = self.sockets.get(stream_id)
        if conn is None:
            return
        try:
            if payload:
                conn.sendall(payload)
            if fin:
                conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.close()
