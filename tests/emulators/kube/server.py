"""The HTTP(S) front end: routing of Kubernetes API paths, authentication and authorization,
fault injection, watch and log streaming, the service proxy, and the request log."""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import ssl
import sys
import time
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from tests.emulators.kube import discovery, streams, tables
from tests.emulators.kube.apiserver import Ctx, now_iso
from tests.emulators.kube.control import RequestRecord, User
from tests.emulators.kube.resources import ResourceType
from tests.emulators.kube.status import ApiError, bad_request, not_found, not_implemented, status_body

if TYPE_CHECKING:
    from tests.emulators.kube.emulator import KubeEmulator

ProxyHandler = Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]
AGGREGATED_CT = "application/json;g=apidiscovery.k8s.io;v={v};as=APIGroupDiscoveryList"


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr: tuple[str, int], emulator: KubeEmulator) -> None:
        self.emulator = emulator
        self.ssl_context: ssl.SSLContext | None = None
        super().__init__(addr, Handler)

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


class _Dropped(Exception):
    pass


def _q1(query: dict[str, list[str]], name: str) -> str | None:
    v = query.get(name)
    return v[-1] if v else None


def _int_param(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise bad_request(f'invalid value for {name}: "{value}"') from None


def _truthy(v: str | None) -> bool:
    return v is not None and v.lower() in ("true", "1")


def user_agent_manager(ua: str | None) -> str:
    """The API server's default field manager: the user agent up to the first '/'."""
    if not ua:
        return "unknown"
    return ua.split("/", 1)[0][:128] or "unknown"


class Handler(BaseHTTPRequestHandler):
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

    def _send(
        self, code: int, body: bytes, content_type: str = "application/json", headers: dict[str, str] | None = None
    ) -> None:
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
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(
        self, code: int, obj: Any, headers: dict[str, str] | None = None, content_type: str = "application/json"
    ) -> None:
        self._send(code, json.dumps(obj, separators=(",", ":")).encode(), content_type, headers)

    def _error(self, err: ApiError) -> None:
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
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        self._start, self._path, self._query, self._recorded = start, path, query, False
        if self.server.emulator.latency_s:
            # a network hop to a real (AKS) API server: every request waits, each on its own
            # connection thread, so concurrent clients overlap their waits as they would over a WAN
            time.sleep(self.server.emulator.latency_s)
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
            time.sleep(f.delay)
        if f.before is not None:
            # Another client's write just before this request: apiserver.py's resourceVersion check
            # then answers 409 Conflict ("the object has been modified"), as the API server's
            # optimistic concurrency does (upstream: kubernetes/kubernetes v1.32.0
            # staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go, Update).
            f.before()
        if f.lose_response:
            self._lose_response = True
            return
        if f.drop_connection:
            raise _Dropped()
        if f.status is not None:
            headers = {}
            if f.retry_after is not None:
                headers["Retry-After"] = str(int(f.retry_after) if float(f.retry_after).is_integer() else f.retry_after)
            details = {"retryAfterSeconds": int(f.retry_after)} if f.retry_after is not None else None
            raise ApiError(f.status, f.message, None, details, headers)

    def _discovery_root(self, core: bool) -> None:
        emu = self.server.emulator
        accept = self.headers.get("Accept", "")
        for v in ("v2", "v2beta1"):
            if f"v={v};as=APIGroupDiscoveryList" in accept.replace(" ", ""):
                doc = discovery.aggregated(emu.api.registry, core, v)
                self._json(200, doc, content_type=AGGREGATED_CT.format(v=v))
                return
        if core:
            self._json(200, discovery.api_versions(f"127.0.0.1:{emu.port}"))
        else:
            self._json(200, discovery.api_group_list(emu.api.registry))

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

    # ---- resources -----------------------------------------------------------------------

    def _resource(
        self, group: str, version: str, rest: list[str], query: dict[str, list[str]], body: bytes, user: User, path: str
    ) -> None:
        emu = self.server.emulator
        reg = emu.api.registry
        namespace: str | None = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            cand = reg.by_plural(group, version, rest[2])
            if cand is not None and cand.namespaced:
                namespace = rest[1]
                rest = rest[2:]
        plural = rest[0]
        rt = reg.by_plural(group, version, plural)
        if rt is None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound")
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        tail = "/".join(rest[3:])
        if rt.namespaced and namespace is None and name is not None:
            raise ApiError(404, "the server could not find the requested resource", "NotFound")
        method = self.command
        if (name is None and method in ("PUT", "PATCH")) or (name is not None and method == "POST" and sub is None):
            raise ApiError(
                405,
                "the server does not allow this method on the requested resource",
                "MethodNotAllowed",
                {"group": rt.group, "kind": rt.plural},
            )
        watch = _truthy(_q1(query, "watch"))
        if method in ("GET", "HEAD"):
            verb = ("watch" if watch else "list") if name is None else "get"
        elif method == "POST":
            verb = "create"
        elif method == "PUT":
            verb = "update"
        elif method == "PATCH":
            verb = "patch"
        elif method == "DELETE":
            verb = "deletecollection" if name is None else "delete"
        else:
            raise ApiError(405, f"method {method} is not supported", "MethodNotAllowed")
        if name is not None and len(rest) > 1 and rest[1] == "":
            raise ApiError(404, "the server could not find the requested resource", "NotFound")
        self._verb = verb
        self._fault(path)
        resource_name = f"{rt.plural}/{sub}" if sub else rt.plural
        if not emu.auth.authorize(user.name, user.groups, verb, rt.group, resource_name, namespace, name):
            scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
            what = f'{rt.group_resource} "{name}"' if name else rt.group_resource
            details: dict[str, Any] = {"group": rt.group, "kind": rt.plural}
            if name:
                details["name"] = name
            raise ApiError(
                403,
                f'{what} is forbidden: User "{user.name}" cannot {verb} resource "{resource_name}" '
                f'in API group "{rt.group}" {scope}',
                "Forbidden",
                details,
            )
        if verb not in rt.verbs and not sub:
            raise ApiError(
                405,
                "the server does not allow this method on the requested resource",
                "MethodNotAllowed",
                {"group": rt.group, "kind": rt.plural},
            )
        ctx = Ctx(
            user=user.name,
            groups=user.groups,
            dry_run="All" in query.get("dryRun", []),
            field_manager=_q1(query, "fieldManager")
            or (user_agent_manager(self.headers.get("User-Agent")) if verb in ("create", "update", "patch") else None),
            field_validation=_q1(query, "fieldValidation") or "Warn",
            warnings=self._warnings,
        )
        bad_dry = [d for d in query.get("dryRun", []) if d != "All"]
        if bad_dry:
            raise invalid_param("dryRun", bad_dry[0], '"All"')
        if ctx.field_validation not in ("Ignore", "Warn", "Strict"):
            raise invalid_param("fieldValidation", ctx.field_validation, '"Ignore", "Warn", "Strict"')
        if sub:
            self._subresource(rt, version, namespace, name or "", sub, tail, query, body, ctx)
            return
        if verb == "get":
            self._respond_obj(rt, version, emu.api.get(rt, version, namespace, name or ""))
        elif verb == "list":
            self._list(rt, version, namespace, query)
        elif verb == "watch":
            self._watch(rt, version, namespace, query)
        elif verb == "create":
            obj = self._parse(body)
            out = emu.api.create(rt, version, namespace, obj, ctx)
            self._json(201, out)
        elif verb == "update":
            out = emu.api.update(rt, version, namespace, name or "", self._parse(body), ctx)
            self._json(200, out)
        elif verb == "patch":
            ct = self.headers.get("Content-Type", "")
            if ct.startswith("application/apply-patch") and _q1(query, "fieldManager") is None:
                ctx.field_manager = None
            out = emu.api.patch(rt, version, namespace, name or "", ct, body, ctx, _truthy(_q1(query, "force")))
            self._json(201 if ctx.created else 200, out)
        elif verb == "delete":
            opts = self._parse(body) if body.strip() else {}
            prop = _q1(query, "propagationPolicy") or opts.get("propagationPolicy")
            if _q1(query, "orphanDependents") == "true" or opts.get("orphanDependents") is True:
                prop = "Orphan"
            if "All" in (opts.get("dryRun") or []):
                ctx.dry_run = True
            grace = _q1(query, "gracePeriodSeconds")
            grace_period = opts.get("gracePeriodSeconds") if grace is None else _int_param("gracePeriodSeconds", grace)
            code, out = emu.api.delete(
                rt, version, namespace, name or "", ctx, prop, opts.get("preconditions"), grace_period
            )
            self._json(code, out)
        elif verb == "deletecollection":
            opts = self._parse(body) if body.strip() else {}
            out = emu.api.delete_collection(
                rt,
                version,
                namespace,
                _q1(query, "labelSelector"),
                _q1(query, "fieldSelector"),
                ctx,
                _q1(query, "propagationPolicy") or opts.get("propagationPolicy"),
            )
            self._json(200, out)

    def _parse(self, body: bytes) -> Any:
        ct = self.headers.get("Content-Type", "application/json")
        if "protobuf" in ct:
            from tests.emulators.kube.protobuf import ProtobufError, decode

            try:
                return decode(body)
            except ProtobufError as exc:
                raise ApiError(
                    415,
                    "the body of the request was in an unknown format - accepted media types include: "
                    f"application/json, application/yaml ({exc})",
                    "UnsupportedMediaType",
                ) from None
        try:
            return json.loads(body or b"null")
        except ValueError:
            if "yaml" in ct:
                import yaml

                return yaml.load(body, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            raise bad_request("the body of the request could not be decoded as JSON") from None

    def _wants_table(self) -> bool:
        return "as=Table" in self.headers.get("Accept", "")

    def _respond_obj(self, rt: ResourceType, version: str, obj: dict[str, Any]) -> None:
        if self._wants_table():
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            self._json(
                200,
                tables.table(
                    rt,
                    version,
                    [obj],
                    {"resourceVersion": obj["metadata"].get("resourceVersion", "")},
                    _q1(q, "includeObject") or "Metadata",
                ),
            )
            return
        self._json(200, obj)

    def _list(self, rt: ResourceType, version: str, namespace: str | None, query: dict[str, list[str]]) -> None:
        emu = self.server.emulator
        limit_s = _q1(query, "limit")
        try:
            limit = int(limit_s) if limit_s else 0
        except ValueError:
            raise bad_request(f'invalid limit "{limit_s}"') from None
        if limit < 0:
            limit = 0
        rv_match = _q1(query, "resourceVersionMatch")
        at: int | None = None
        if rv_match == "Exact":
            want = _q1(query, "resourceVersion") or ""
            try:
                at = int(want)
            except ValueError:
                raise bad_request(f'invalid resource version "{want}"') from None
        elif rv_match not in (None, "", "NotOlderThan"):
            raise invalid_param("resourceVersionMatch", rv_match, '"Exact", "NotOlderThan"')
        entries, token, remaining, list_rv = emu.api.list_entries(
            rt,
            namespace,
            _q1(query, "labelSelector"),
            _q1(query, "fieldSelector"),
            limit,
            _q1(query, "continue") or None,
            at,
        )
        meta: dict[str, Any] = {"resourceVersion": str(list_rv)}
        if token:
            meta["continue"] = token
            if remaining is not None:
                meta["remainingItemCount"] = remaining
        if self._wants_table():
            objs = [emu.api.serve_obj(rt, version, e.obj()) for e in entries]
            self._json(200, tables.table(rt, version, objs, meta, _q1(query, "includeObject") or "Metadata"))
            return
        if rt.crd:
            items = b",".join(emu.api.serve(rt, version, e) for e in entries)
        else:
            items = b",".join(e.raw for e in entries)
        head = json.dumps(
            {"kind": f"{rt.kind}List", "apiVersion": rt.api_version(version), "metadata": meta}, separators=(",", ":")
        ).encode()
        self._send(200, head[:-1] + b',"items":[' + items + b"]}")

    def _watch(self, rt: ResourceType, version: str, namespace: str | None, query: dict[str, list[str]]) -> None:
        emu = self.server.emulator
        timeout_s = _q1(query, "timeoutSeconds")
        timeout = float(timeout_s) if timeout_s else emu.watch_default_timeout
        bookmarks = _truthy(_q1(query, "allowWatchBookmarks"))
        send_initial = _truthy(_q1(query, "sendInitialEvents"))
        rv = _q1(query, "resourceVersion")
        if send_initial and (not bookmarks or _q1(query, "resourceVersionMatch") != "NotOlderThan"):
            raise invalid_param(
                "sendInitialEvents", "true", "allowWatchBookmarks=true and resourceVersionMatch=NotOlderThan"
            )
        try:
            w = emu.api.watch(
                rt, namespace, _q1(query, "labelSelector"), _q1(query, "fieldSelector"), None if send_initial else rv
            )
        except ApiError as err:
            if err.code != 410:
                raise
            # the real server answers a too-old version inside the stream, as an ERROR event
            self._start_stream()
            self._chunk(json.dumps({"type": "ERROR", "object": err.body()}, separators=(",", ":")).encode() + b"\n")
            self._end_stream()
            return
        table = self._wants_table()
        try:
            self._start_stream()
            end = time.monotonic() + timeout
            last_sent = time.monotonic()
            if send_initial:
                # initial state is in the queue already; the bookmark marks its end
                initial_left = len(w.queue)
                while initial_left > 0:
                    item = w.next(0)
                    if item is None:
                        break
                    initial_left -= 1
                    self._send_event(rt, version, item[0], item[1], table)
                self._bookmark(rt, version, str(emu.api.store.rv), initial_end=True)
            while not emu.stopping:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    break
                item = w.next(min(remaining, emu.bookmark_interval, 0.5))
                if item is None:
                    if bookmarks and time.monotonic() - last_sent >= emu.bookmark_interval:
                        self._bookmark(rt, version, str(emu.api.store.rv))
                        last_sent = time.monotonic()
                    continue
                self._send_event(rt, version, item[0], item[1], table)
                last_sent = time.monotonic()
            if bookmarks:
                self._bookmark(rt, version, str(emu.api.store.rv))
            self._end_stream()
        finally:
            emu.api.store.unwatch(w)

    def _send_event(self, rt: ResourceType, version: str, typ: str, entry: Any, table: bool) -> None:
        emu = self.server.emulator
        if table:
            obj = emu.api.serve_obj(rt, version, entry.obj())
            t = tables.table(
                rt, version, [obj], {"resourceVersion": obj["metadata"].get("resourceVersion", "")}, "Metadata"
            )
            payload = json.dumps(t, separators=(",", ":")).encode()
        else:
            payload = emu.api.serve(rt, version, entry)
        self._chunk(b'{"type":"' + typ.encode() + b'","object":' + payload + b"}\n")

    def _bookmark(self, rt: ResourceType, version: str, rv: str, initial_end: bool = False) -> None:
        md: dict[str, Any] = {"resourceVersion": rv, "creationTimestamp": None}
        if initial_end:
            md["annotations"] = {"k8s.io/initial-events-end": "true"}
        obj = {"kind": rt.kind, "apiVersion": rt.api_version(version), "metadata": md}
        self._chunk(json.dumps({"type": "BOOKMARK", "object": obj}, separators=(",", ":")).encode() + b"\n")

    # ---- subresources ------------------------------------------------------------------

    def _subresource(
        self,
        rt: ResourceType,
        version: str,
        namespace: str | None,
        name: str,
        sub: str,
        tail: str,
        query: dict[str, list[str]],
        body: bytes,
        ctx: Ctx,
    ) -> None:
        emu = self.server.emulator
        method = self.command
        if sub == "status" and rt.status:
            if method == "GET":
                self._json(200, emu.api.get(rt, version, namespace, name))
            elif method == "PUT":
                self._json(
                    200, emu.api.update(rt, version, namespace, name, self._parse(body), ctx, subresource="status")
                )
            elif method == "PATCH":
                self._json(
                    200,
                    emu.api.patch(
                        rt,
                        version,
                        namespace,
                        name,
                        self.headers.get("Content-Type", ""),
                        body,
                        ctx,
                        _truthy(_q1(query, "force")),
                        subresource="status",
                    ),
                )
            else:
                raise ApiError(
                    405, "the server does not allow this method on the requested resource", "MethodNotAllowed"
                )
            return
        if sub == "scale" and rt.scale:
            self._scale(rt, version, namespace, name, body, ctx)
            return
        if sub == "log" and rt.kind == "Pod":
            self._logs(namespace or "", name, query)
            return
        if sub == "exec" and rt.kind == "Pod":
            self._exec(namespace or "", name, query)
            return
        if sub == "portforward" and rt.kind == "Pod":
            self._portforward(namespace or "", name)
            return
        if sub == "proxy" and rt.kind in ("Service", "Pod"):
            self._proxy(namespace or "", name, tail, body, rt.kind)
            return
        if sub == "finalize" and rt.kind == "Namespace" and method == "PUT":
            self._json(200, emu.api.update(rt, version, None, name, self._parse(body), ctx))
            return
        if sub in rt.extra_subresources:
            raise not_implemented(f"the {rt.plural}/{sub} subresource")
        raise ApiError(404, "the server could not find the requested resource", "NotFound")

    def _scale(self, rt: ResourceType, version: str, namespace: str | None, name: str, body: bytes, ctx: Ctx) -> None:
        emu = self.server.emulator
        assert rt.scale is not None
        sc = rt.scale

        def scale_of(obj: dict[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {
                "kind": "Scale",
                "apiVersion": "autoscaling/v1",
                "metadata": {
                    k: obj["metadata"][k]
                    for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                    if k in obj["metadata"]
                },
                "spec": {"replicas": tables.jsonpath(obj, sc.spec_replicas) or 0},
                "status": {"replicas": tables.jsonpath(obj, sc.status_replicas) or 0},
            }
            if sc.label_selector:
                sel = tables.jsonpath(obj, sc.label_selector)
                if isinstance(sel, dict):
                    ml = sel.get("matchLabels") or {}
                    sel = ",".join(f"{k}={v}" for k, v in sorted(ml.items()))
                if sel:
                    out["status"]["selector"] = sel
            return out

        if self.command == "GET":
            self._json(200, scale_of(emu.api.get(rt, version, namespace, name)))
            return
        if self.command not in ("PUT", "PATCH"):
            raise ApiError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed")
        current = scale_of(emu.api.get(rt, version, namespace, name))
        if self.command == "PUT":
            new = self._parse(body)
        else:
            from tests.emulators.kube.patches import json_patch, merge_patch

            ct = self.headers.get("Content-Type", "")
            p = json.loads(body or b"null")
            new = json_patch(current, p) if "json-patch" in ct else merge_patch(current, p)
        replicas = (new.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            raise ApiError(
                422,
                f'Scale.autoscaling "{name}" is invalid: spec.replicas: Invalid value: {json.dumps(replicas)}: '
                "must be greater than or equal to 0",
                "Invalid",
            )
        path = [p for p in sc.spec_replicas.split(".") if p]
        patch: dict[str, Any] = {}
        cur = patch
        for p in path[:-1]:
            cur = cur.setdefault(p, {})
        cur[path[-1]] = replicas
        obj = emu.api.patch(
            rt, version, namespace, name, "application/merge-patch+json", json.dumps(patch).encode(), ctx
        )
        self._json(200, scale_of(obj))

    def _logs(self, namespace: str, name: str, query: dict[str, list[str]]) -> None:
        emu = self.server.emulator
        api = emu.api
        pod_rt = api.rt("v1", "Pod")
        pod = api.get(pod_rt, "v1", namespace, name)
        containers = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
        container = _q1(query, "container")
        if container is None:
            if len(containers) != 1:
                choices = " ".join(str(c) for c in containers)
                raise bad_request(f"a container name must be specified for pod {name}, choose one of: [{choices}]")
            container = str(containers[0])
        elif container not in containers and container not in [
            c.get("name") for c in (pod.get("spec") or {}).get("initContainers") or []
        ]:
            raise bad_request(f"container {container} is not valid for pod {name}")
        if _truthy(_q1(query, "previous")):
            raise bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
        for unsupported in ("sinceTime",):
            if _q1(query, unsupported):
                raise not_implemented(f"the pod log option {unsupported}")
        tail = _q1(query, "tailLines")
        since = _q1(query, "sinceSeconds")
        stamps = _truthy(_q1(query, "timestamps"))
        limit_bytes = int(_q1(query, "limitBytes") or 0)
        lines = api.log_lines(namespace, name, container)
        if since:
            import datetime

            cutoff = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=int(since))).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            lines = [ln for ln in lines if ln[0] >= cutoff]
        if tail is not None:
            n = int(tail)
            lines = lines[-n:] if n > 0 else []

        def fmt(ls: list[tuple[str, str]]) -> bytes:
            return "".join(f"{t} {s}\n" if stamps else f"{s}\n" for t, s in ls).encode()

        if not _truthy(_q1(query, "follow")):
            data = fmt(lines)
            if limit_bytes:
                data = data[:limit_bytes]
            self._send(200, data, "text/plain")
            return
        self._start_stream("text/plain")
        sent_bytes = 0
        seen = len(api.log_lines(namespace, name, container))
        data = fmt(lines)
        self._chunk(data)
        sent_bytes += len(data)
        while not emu.stopping:
            with api.logs_cond:
                api.logs_cond.wait(0.2)
            now_lines = api.log_lines(namespace, name, container)
            if len(now_lines) > seen:
                data = fmt(now_lines[seen:])
                seen = len(now_lines)
                self._chunk(data)
                sent_bytes += len(data)
            if limit_bytes and sent_bytes >= limit_bytes:
                break
            entry = api.store.get(pod_rt.key, f"{namespace}/{name}")
            if entry is None:
                break
            phase = (entry.fields or ("", ""))[1]
            if phase in ("Succeeded", "Failed"):
                tail_lines = api.log_lines(namespace, name, container)
                if len(tail_lines) > seen:
                    self._chunk(fmt(tail_lines[seen:]))
                break
        self._end_stream()

    def _upgrade_required(self) -> None:
        if "websocket" not in self.headers.get("Upgrade", "").lower():
            # SPDY (the pre-1.30 transport, kubectl's fallback) is not emulated
            raise ApiError(400, "Upgrade request required", "BadRequest")

    def _running_pod(self, namespace: str, name: str, verb: str) -> dict[str, Any]:
        emu = self.server.emulator
        pod = emu.api.get(emu.api.rt("v1", "Pod"), "v1", namespace, name)
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            raise bad_request(f"cannot {verb} a container in a completed pod; current phase is {phase}")
        if not (pod.get("spec") or {}).get("nodeName"):
            raise bad_request(f"pod {name} does not have a host assigned")
        return pod

    def _upgrade(self, protocols: list[str]) -> streams.WebSocket | None:
        self._upgrade_required()
        ws = streams.WebSocket.accept(self.connection, self.path, list(self.headers.items()), protocols)
        self.close_connection = True
        self._status = 101 if ws is not None else 400
        self._log_request()
        return ws

    def _portforward(self, namespace: str, name: str) -> None:
        """pods/portforward: SPDY/3.1 tunneled over WebSocket (portforward.py)."""
        from tests.emulators.kube import portforward

        pod = self._running_pod(namespace, name, "port-forward to")
        emu = self.server.emulator
        ws = self._upgrade(portforward.PROTOCOLS)
        if ws is not None:
            resolve = functools.partial(emu.find_port_forward, namespace, name)
            portforward.Session(ws, resolve, pod["metadata"].get("uid", "")).serve()

    def _exec(self, namespace: str, name: str, query: dict[str, list[str]]) -> None:
        """pods/exec over WebSocket (streams.py); the pod must be running."""
        emu = self.server.emulator
        pod = self._running_pod(namespace, name, "exec into")
        try:
            container = streams.exec_container(pod, _q1(query, "container"))
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        ws = self._upgrade(streams.EXEC_PROTOCOLS)
        if ws is not None:
            streams.run_exec(ws, query, container, emu.find_exec(namespace, name) or streams.default_exec)

    def _proxy(self, namespace: str, spec: str, tail: str, body: bytes, kind: str = "Service") -> None:
        emu = self.server.emulator
        parts = spec.split(":")
        if parts[0] in ("http", "https") and len(parts) >= 2:
            parts = parts[1:]
        svc_name = parts[0]
        port = parts[1] if len(parts) > 1 else ""
        plural = "services" if kind == "Service" else "pods"
        svc_rt = emu.api.rt("v1", kind)
        entry = emu.api.store.get(svc_rt.key, f"{namespace}/{svc_name}")
        if entry is None:
            raise not_found(plural, svc_name, "", plural)
        # pods/proxy reaches one pod's port (a handler registered with register_pod_proxy).
        handler = (emu.find_service_proxy if kind == "Service" else emu.find_pod_proxy)(namespace, svc_name, port)
        if handler is None and kind == "Pod":
            raise ApiError(
                503,
                f"error trying to reach service: dial tcp {svc_name}:{port}: connect: connection refused",
                "ServiceUnavailable",
            )
        if handler is None:
            raise ApiError(503, f'no endpoints available for service "{svc_name}"', "ServiceUnavailable")
        q = urllib.parse.urlsplit(self.path).query
        status, headers, out = handler(self.command, "/" + tail + (f"?{q}" if q else ""), body)
        ct = headers.get("Content-Type") or headers.get("content-type") or "application/octet-stream"
        self._send(
            status,
            out,
            ct,
            {
                k: v
                for k, v in headers.items()
                if k.lower() not in ("content-type", "content-length", "transfer-encoding", "connection")
            },
        )


def invalid_param(name: str, value: str, allowed: str) -> ApiError:
    return ApiError(400, f'{name}: Unsupported value: "{value}": supported values: {allowed}', "BadRequest")


__all__ = ["EmulatorHTTPServer", "now_iso", "status_body"]
