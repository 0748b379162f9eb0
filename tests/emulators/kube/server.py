"""The HTTP(S) front end: routing of Kubernetes API paths, authentication and authorization,
fault injection, watch and log streaming, the service proxy, and the request log."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from tests.emulators.kube import aggregated_apis, discovery, server_params
from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.control import Fault, RequestRecord
from tests.emulators.kube.server_params import _Dropped

# The REST verbs and subresources as kube-apiserver routes them (upstream: kubernetes/kubernetes
# staging/src/k8s.io/apiserver/pkg/endpoints/installer.go).
from tests.emulators.kube.server_resources import ResourcesMixin
from tests.emulators.kube.server_streams import SubresourcesMixin
from tests.emulators.kube.status import ApiError, FlowControlRejection, status_body

if TYPE_CHECKING:
    from tests.emulators.kube.emulator import KubeEmulator

ProxyHandler = Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]
# emulator-only (upstream: kubernetes/kubernetes serves through Go's net/http, whose buffered
# response writer sends a small answer's head and body together): an answer up to this size goes
# out with its head in one write (Handler._end_headers_with); a larger
# one (a big list) is written on its own rather than copied once more
_ONE_WRITE_MAX = 1 << 16
AGGREGATED_CT = "application/json;g=apidiscovery.k8s.io;v={v};as=APIGroupDiscoveryList"


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr: tuple[str, int], emulator: KubeEmulator) -> None:
        self.emulator = emulator
        self.ssl_context: ssl.SSLContext | None = None
        # The connections being served and their threads, so that server_close ends them.
        self._open: dict[Any, threading.Thread | None] = {}
        self._open_lock = threading.Lock()
        super().__init__(addr, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open[request] = None
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            if request in self._open:
                self._open[request] = threading.current_thread()
        super().process_request_thread(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.pop(request, None)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Close the listener and end the connections still open, a client's idle keep-alive ones
        too, as kube-apiserver's shutdown closes its connections (upstream: golang/go
        src/net/http/server.go Server.Shutdown closes idle connections; kubernetes/apiserver
        pkg/server/secure_serving.go RunServer calls it): a handler thread left reading an idle
        connection kept its socket, and the client's, open for the life of the process."""
        super().server_close()
        with self._open_lock:
            open_now = list(self._open.items())
        for sock, _ in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # the handler's read ends; it closes the socket
        deadline = time.monotonic() + 5.0
        for _, thread in open_now:
            if thread is not None and thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that hang up (during the TLS handshake, mid-stream) are normal, not errors
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = self.socket.accept()
        # small writes (headers, TLS records, watch events) must not wait for delayed ACKs
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            # the handshake runs on the request's thread, not in the accept loop
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr


class Handler(ResourcesMixin, SubresourcesMixin, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EmulatorHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    # ---- plumbing ------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _pause(self, seconds: float) -> None:
        """Wait ``seconds`` (the latency, a fault's delay), but not past the request's deadline: there the
        timeout filter answers 504 (``_send``) while the handler goes on and may still commit (upstream:
        kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/server/filters/timeout.go
        timeoutHandler.ServeHTTP, mirrored as kubernetes/apiserver 24a394e5: the handler in its own
        goroutine; its later writes get http.ErrHandlerTimeout). The emulator runs the handler
        at once then, its answer replaced."""
        if self._deadline is not None and time.monotonic() + seconds >= self._deadline:
            time.sleep(max(0.0, self._deadline - time.monotonic()))
            self._timed_out = True
            return
        time.sleep(seconds)

    def _send(
        self, code: int, body: bytes, content_type: str = "application/json", headers: dict[str, str] | None = None
    ) -> None:
        if self._timed_out:  # past the deadline: the timeout filter's 504, whatever the handler answered
            code, body, content_type, headers = 504, server_params.TIMED_OUT_BODY, server_params.TIMED_OUT_TYPE, None
            self._lose_response = self._timed_out = False
            self._warnings = []  # the handler's headers are not the timeout writer's
        if self._lose_response and code < 400:
            # the write is committed; the client never hears of it (Faults.add lose_response)
            self._lose_response = False
            raise _Dropped()
        self._status = code
        # Log before answering, so a test that counts requests right after a command sees them all.
        self._log_request()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        for w in self._warnings:
            self.send_header("Warning", f'299 - "{w.replace(chr(34), chr(92) + chr(34))}"')
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        cut = self._stream_fault is not None and self._stream_fault.drop_connection
        payload = b"" if self.command == "HEAD" else body[: len(body) // 2] if cut else body
        self._end_headers_with(payload)
        if cut:  # the connection closes before the body's end (Faults.add, in_stream): a client reads an unexpected EOF
            self.wfile.flush()
            raise _Dropped()

    def _end_headers_with(self, payload: bytes) -> None:
        """``end_headers`` and then ``payload``, the same bytes on the wire, in one write when the payload
        is small: BaseHTTPRequestHandler writes the head on its own (CPython Lib/http/server.py
        end_headers, flush_headers) and wfile is unbuffered, so an answer was two TLS records and two
        sends (TCP_NODELAY: two segments) where a real API server's Go net/http bufio.Writer sends one
        (golang/go src/net/http/server.go response.finishRequest: w.w.Flush, then w.conn.bufw.Flush)."""
        if len(payload) > _ONE_WRITE_MAX or self.request_version == "HTTP/0.9":
            self.end_headers()
            if payload:
                self.wfile.write(payload)
            return
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(payload)
        self.flush_headers()

    def _json(
        self, code: int, obj: Any, headers: dict[str, str] | None = None, content_type: str = "application/json"
    ) -> None:
        self._send(code, json.dumps(obj, separators=(",", ":")).encode(), content_type, headers)

    def _error(self, err: ApiError) -> None:
        # upstream: kubernetes/apiserver pkg/server/filters/priority-and-fairness.go tooManyRequests
        if isinstance(err, FlowControlRejection):  # http.Error's text, not a Status
            self._send(err.code, err.TEXT.encode(), "text/plain; charset=utf-8", err.headers)
            return
        self._json(err.code, err.body(), err.headers)

    def _start_stream(self, content_type: str = "application/json") -> None:
        self._status = 200
        # streams are logged when they start (latency = time to first byte), so a test can
        # see a watch that is still open
        self._log_request()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.flush()

    def _chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # ---- entry -------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    def _handle(self) -> None:
        start = time.monotonic()
        self._status = 0
        self._warnings: list[str] = []
        self._verb = ""
        self._user = ""
        self._lose_response = False
        self._stream_fault: Fault | None = None
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        self._start, self._path, self._query, self._recorded = start, path, query, False
        allowed = server_params.request_deadline(path, query, self.server.emulator.request_timeout)
        self._deadline, self._timed_out = (None if allowed is None else start + allowed), False
        if self.server.emulator.latency_s:
            # a network hop to a real (AKS) API server: every request waits, each on its own
            # connection thread, so concurrent clients overlap their waits as they would over a WAN.
            # It is spent inside the request's deadline, as time the server takes (_pause).
            self._pause(self.server.emulator.latency_s)
        try:
            body = self._read_body()
            self._route(path, query, body)
        except _Dropped:
            self._status = 0
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        except ApiError as err:
            self._error(err)
        except OSError:
            # the client went away (broken pipe, reset, TLS EOF): nothing left to answer
            self.close_connection = True
        except Exception as exc:
            try:
                self._error(ApiError(500, f"emulator internal error: {type(exc).__name__}: {exc}", "InternalError"))
            except OSError:
                self.close_connection = True
        finally:
            self._log_request()

    def _log_request(self) -> None:
        if self._recorded:
            return
        self._recorded = True
        self.server.emulator.record(
            RequestRecord(
                self.command,
                self._path,
                self._query,
                self._status,
                time.monotonic() - self._start,
                self._verb,
                self._user,
                self.headers.get("User-Agent", ""),
                self.headers.get("Content-Type", ""),
            )
        )

    def _route(self, path: str, query: dict[str, list[str]], body: bytes) -> None:
        emu = self.server.emulator
        # The request deadline filter comes before authentication in the handler chain (kubernetes/kubernetes
        # staging/src/k8s.io/apiserver/pkg/server/config.go DefaultBuildHandlerChain, mirrored as
        # kubernetes/apiserver 24a394e5 pkg/server/config.go: WithRequestDeadline wraps WithAuthentication).
        refused = server_params.request_deadline_refusal(path, query)
        if refused is not None:
            raise refused
        if path in ("/healthz", "/livez", "/readyz"):
            self._send(200, b"ok", "text/plain; charset=utf-8")
            return
        if path == "/version":
            self._verb = "get"
            self._fault(path)
            self._json(200, discovery.VERSION_INFO)
            return
        user = emu.auth.authenticate(self.headers.get("Authorization"))
        if user is None:
            raise ApiError(401, "Unauthorized", "Unauthorized")
        self._user = user.name
        parts = [p for p in path.split("/") if p]
        if not parts:
            self._json(200, {"paths": ["/api", "/api/v1", "/apis", "/healthz", "/openapi/v3", "/version"]})
            return
        if parts[0] == "openapi":
            self._verb = "get"
            self._fault(path)
            self._openapi(parts)
            return
        if parts[0] == "api":
            if len(parts) == 1:
                self._verb = "get"
                self._fault(path)
                self._discovery_root(core=True)
                return
            group, version, rest = "", parts[1], parts[2:]
        elif parts[0] == "apis":
            if len(parts) == 1:
                self._verb = "get"
                self._fault(path)
                self._discovery_root(core=False)
                return
            if aggregated_apis.is_aggregated(parts[1]):
                # kube-aggregator proxies the group to its APIService's server (aggregated_apis.py;
                # upstream: kubernetes/kube-aggregator pkg/apiserver/handler_proxy.go)
                self._verb = "get"
                self._fault(path)
                if self.command != "GET":
                    raise ApiError(
                        405, "the server does not allow this method on the requested resource", "MethodNotAllowed"
                    )
                aggregated_apis.check(emu.cluster, parts[1])
                if len(parts) == 2:
                    self._json(200, aggregated_apis.api_group(parts[1]))
                elif len(parts) == 3 and parts[2] == aggregated_apis.VERSION:
                    self._json(200, aggregated_apis.resource_list(parts[1]))
                elif parts[2] == aggregated_apis.VERSION:
                    self._json(
                        200,
                        aggregated_apis.serve(emu.cluster, parts[1], parts[3:], query, emu.controllers.controllers),
                    )
                else:
                    raise ApiError(404, "the server could not find the requested resource", "NotFound")
                return
            if len(parts) == 2:
                self._verb = "get"
                ag = discovery.api_group(emu.api.registry, parts[1])
                if ag is None:
                    raise ApiError(404, "the server could not find the requested resource", "NotFound")
                self._json(200, ag)
                return
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ApiError(404, "the server could not find the requested resource", "NotFound")
        if not rest:
            self._verb = "get"
            self._fault(path)
            rl = discovery.resource_list(emu.api.registry, group, version)
            if rl is None:
                raise ApiError(404, "the server could not find the requested resource", "NotFound")
            self._json(200, rl)
            return
        self._resource(group, version, rest, query, body, user, path)

    def _fault(self, path: str) -> None:
        f = self.server.emulator.faults.match(self.command, self._verb, path, "dryRun" in self._query)
        if f is None:
            return
        if f.delay > 0:
            self._pause(f.delay)
        if f.before is not None:
            # Another client's write just before this request: apiserver_writes.py's resourceVersion check
            # then answers 409 Conflict ("the object has been modified"), as the API server's
            # optimistic concurrency does (upstream: kubernetes/kubernetes v1.32.0
            # staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go, Update).
            f.before()
        if f.lose_response:
            self._lose_response = True
            return
        if f.drop_connection and not f.in_stream:
            raise _Dropped()
        if f.in_stream and (self._verb == "watch" or f.drop_connection):
            # server_resources._watch sends it inside the stream, as the API server's watch does
            # (upstream: kubernetes/apiserver pkg/storage/etcd3/watcher.go watchChan.sendError); a cut
            # comes after a watch's first events, a followed log's lines (server_streams._logs) or
            # half of any other answer's body (_send)
            self._stream_fault = f
            return
        if f.flow_control:
            raise FlowControlRejection(int(f.retry_after or 1))
        if f.status is not None:
            headers = {}
            if f.retry_after is not None:
                headers["Retry-After"] = str(int(f.retry_after) if float(f.retry_after).is_integer() else f.retry_after)
            details = {"retryAfterSeconds": int(f.retry_after)} if f.retry_after is not None else None
            # a webhook's own code keeps reason Forbidden (upstream: kubernetes/apiserver pkg/admission/
            # plugin/webhook/errors/statuserror.go ToStatusErr; control.Faults.add's reason)
            raise ApiError(f.status, f.message, f.reason, details, headers)

    def _discovery_root(self, core: bool) -> None:
        emu = self.server.emulator
        accept = self.headers.get("Accept", "")
        for v in ("v2", "v2beta1"):
            if f"v={v};as=APIGroupDiscoveryList" in accept.replace(" ", ""):
                doc = discovery.aggregated(emu.api.registry, core, v)
                if not core:
                    doc["items"] += [aggregated_apis.aggregated_item(g) for g in aggregated_apis.served(emu.cluster)]
                self._json(200, doc, content_type=AGGREGATED_CT.format(v=v))
                return
        if core:
            self._json(200, discovery.api_versions(f"127.0.0.1:{emu.port}"))
        else:
            doc = discovery.api_group_list(emu.api.registry)
            for g in aggregated_apis.served(emu.cluster):
                doc["groups"].append(
                    {k: v for k, v in aggregated_apis.api_group(g).items() if k not in ("kind", "apiVersion")}
                )
            self._json(200, doc)

    def _openapi(self, parts: list[str]) -> None:
        reg = self.server.emulator.api.registry
        if len(parts) >= 2 and parts[1] == "v3":
            if len(parts) == 2:
                self._json(200, discovery.openapi_v3_root(reg))
                return
            if parts[2] == "api" and len(parts) == 4:
                g, v = "", parts[3]
            elif parts[2] == "apis" and len(parts) == 5:
                g, v = parts[3], parts[4]
            else:
                raise ApiError(404, "the server could not find the requested resource", "NotFound")
            if v not in reg.group_versions().get(g, []):
                raise ApiError(404, "the server could not find the requested resource", "NotFound")
            self._json(200, discovery.openapi_v3_gv(reg, g, v))
            return
        # OpenAPI v2 is served by real servers as protobuf; the emulator offers v3 only, and
        # clients (kubectl 1.32 included) fall back to it.
        raise ApiError(
            404,
            "the server could not find the requested resource (OpenAPI v2 is not emulated; use /openapi/v3)",
            "NotFound",
        )


__all__ = ["EmulatorHTTPServer", "now_iso", "status_body"]
