"""Bytes on the wire: streamed watch and log lines, pods/exec websocket output, a proxied websocket's
messages, query parameter values."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from akscli import errors
from akscli.kube.retry import RETRY_STATUSES
from akscli.kube.status import api_error


class WatchExpired(Exception):
    """The resourceVersion a watch resumed from is too old (410 Gone): re-list."""


class WatchInterrupted(Exception):
    """The API server ended a watch with an error a retry can help (429, 5xx) inside the stream:
    ``error`` is its Status as an akscli error, ``retry_after`` its retryAfterSeconds."""

    def __init__(self, error: errors.AkscliError, retry_after: float | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after


def lines(raw: Any) -> Iterator[bytes]:
    buffer = b""
    for chunk in raw.stream(65536, decode_content=True):
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield line
    if buffer.strip():
        yield buffer


def watch_events(raw: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(type, object)`` from a watch response's JSON lines; the connection goes back to the pool."""
    try:
        for line in lines(raw):
            event = json.loads(line)
            kind_of_event, obj = event.get("type"), event.get("object") or {}
            if kind_of_event == "ERROR":
                code = int(obj.get("code") or 500)
                if code == 410:
                    raise WatchExpired(obj.get("message", "resource version too old"))
                error = api_error(code, json.dumps(obj), "watch")
                if code in RETRY_STATUSES:
                    wait = ((obj.get("details") or {}).get("retryAfterSeconds")) if isinstance(obj, dict) else None
                    raise WatchInterrupted(error, float(wait) if isinstance(wait, int | float) else None)
                raise error
            yield str(kind_of_event), obj
    finally:
        raw.release_conn()


def query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def exec_refusal(exc: BaseException) -> str:
    """Why the API server refused a pods/exec upgrade, in its own words.

    kubernetes' stream client turns websocket-client's WebSocketBadStatusException into
    ApiException(reason=str(e)) (kubernetes-client/python kubernetes/base/stream/ws_client.py,
    create_websocket), and that string is "Handshake status 400 Bad Request -+-+- {headers}
    -+-+- body" (websocket-client websocket/_handshake.py): response headers in an error line.
    The handshake exception keeps the status and the body, a metav1.Status whose message is what
    kubectl exec prints."""
    cause = exc.__cause__ or exc.__context__ or exc
    status = getattr(cause, "status_code", None)
    body = getattr(cause, "resp_body", None)
    if status is None:
        return str(getattr(exc, "reason", None) or getattr(exc, "status", None) or exc).split(" -+-+- ")[0]
    try:
        message = str(json.loads(body or b"{}").get("message") or "")
    except (ValueError, AttributeError):
        message = ""
    return (
        f"HTTP {status}: {message}"
        if message
        else f"HTTP {status} {getattr(cause, 'status_message', '') or ''}".strip()
    )


def open_exec(
    api: Any, namespace: str, pod: str, container: str | None, command: Sequence[str], handshake: float | None
) -> Any:
    """kubernetes' WSClient on a pods/exec websocket (stdout and stderr, no stdin, no tty), as its
    ``stream(connect_get_namespaced_pod_exec, ..., _preload_content=False, binary=True)`` opens it, but
    with the handshake bounded by ``handshake`` seconds (--request-timeout, else akscli's 30 s a try;
    None: not bounded) and the stream after it not: exec is long-running, its stream has no deadline
    on the API server (kubernetes/kubernetes pkg/controlplane/apiserver/config.go BuildGenericConfig,
    ``BasicLongRunningRequestCheck``: the exec subresource). The client's own opening has no timeout at
    all (kubernetes-client/python kubernetes/base/stream/ws_client.py create_websocket:
    ``WebSocket(...).connect(url, header=...)``, and websocket-client's socket then blocks), so a server
    that takes the connection and never answers the upgrade held the command for ever. Opened here
    with the same URL, headers, offered protocols (v5, v4) and TLS options; and without ``stream``'s
    swap of the shared ApiClient's ``request`` (kubernetes/base/stream/stream.py _websocket_request)."""
    from urllib.parse import quote

    from kubernetes.stream.ws_client import V4_CHANNEL_PROTOCOL, V5_CHANNEL_PROTOCOL, WSClient, get_websocket_url

    from akscli.kube.transport import AUTH_SETTINGS

    path = f"/api/v1/namespaces/{quote(namespace)}/pods/{quote(pod)}/exec"
    query: list[tuple[str, Any]] = [("command", list(command))]
    query += [("container", container)] if container else []
    query += [("stderr", "true"), ("stdin", "false"), ("stdout", "true"), ("tty", "false")]
    headers: dict[str, str] = {}
    api.update_params_for_auth(headers, [], AUTH_SETTINGS, path, "GET", None)
    url = get_websocket_url(api.configuration.host + path, query)
    header = [f"sec-websocket-protocol: {V5_CHANNEL_PROTOCOL},{V4_CHANNEL_PROTOCOL}"]
    header += [f"authorization: {v}" for k, v in headers.items() if k.lower() == "authorization"]
    sock = _websocket(api.configuration, url, header, handshake)

    class _Opened(WSClient):
        """WSClient's state (its __init__, kubernetes 31-37) around the socket opened above."""

        def __init__(self) -> None:
            self._connected, self._channels, self._closed_channels = False, {}, set()
            self.binary, self.newline = True, b"\n"
            self._all = cast(Any, _Discarded())
            self.sock = sock
            self.subprotocol = getattr(sock, "subprotocol", None)
            self._connected, self._returncode = True, None

    return _Opened()


class _Discarded:
    """What WSClient keeps of every channel when not capturing (its _IgnoredIO): nothing."""

    def write(self, _data: Any) -> None:
        return None


def _websocket(configuration: Any, url: str, header: list[str], handshake: float | None) -> Any:
    """A connected websocket-client WebSocket with create_websocket's TLS options (kubernetes-client/python
    kubernetes/base/stream/ws_client.py), its connect and handshake bounded by ``handshake`` seconds
    (websocket-client WebSocket.connect's ``timeout``), then unbounded for the stream."""
    import ssl

    import certifi
    from websocket import WebSocket

    options: dict[str, Any] = {"cert_reqs": ssl.CERT_NONE}
    if url.startswith("wss://") and configuration.verify_ssl:
        options = {"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": configuration.ssl_ca_cert or certifi.where()}
        if configuration.assert_hostname is not None:
            options["check_hostname"] = configuration.assert_hostname
    if configuration.cert_file:
        options["certfile"] = configuration.cert_file
    if configuration.key_file:
        options["keyfile"] = configuration.key_file
    if getattr(configuration, "tls_server_name", None):
        options["server_hostname"] = configuration.tls_server_name
    connect: dict[str, Any] = {"header": header, "timeout": handshake}
    if configuration.proxy or getattr(configuration, "proxy_headers", None):
        from kubernetes.stream.ws_client import websocket_proxycare

        connect = websocket_proxycare(connect, configuration, url, None)
    sock = WebSocket(sslopt=options, skip_utf8_validation=False)
    sock.connect(url, **connect)  # type: ignore[no-untyped-call]
    sock.settimeout(None)  # the stream is long-running: exec_stream bounds the command's run itself
    return sock


def exec_stream(
    api: Any,
    namespace: str,
    pod: str,
    container: str | None,
    command: Sequence[str],
    timeout: float,
    handshake: float | None = None,
) -> Iterator[bytes]:
    """The stdout chunks of ``command`` run in a container over a pods/exec websocket (channel 1).
    Once the stream ends, raises AkscliError as kubectl exec fails: the command's failure from its
    final Status (channel 3, ``exec_failure``), with stderr's (channel 2) last line; or a connection
    cut before that Status. WaitTimeoutError when it runs past ``timeout``, or when the API server does
    not answer the websocket's opening within ``handshake`` seconds (open_exec)."""
    from websocket import WebSocketBadStatusException, WebSocketException, WebSocketTimeoutException

    try:
        ws = open_exec(api, namespace, pod, container, command, handshake)
    except WebSocketBadStatusException as exc:
        raise errors.AkscliError(f"cannot exec in pod {namespace}/{pod}: {exec_refusal(exc)}") from exc
    except (WebSocketTimeoutException, TimeoutError) as exc:
        raise errors.WaitTimeoutError(
            f"cannot exec in pod {namespace}/{pod}: the API server did not answer the websocket's opening "
            f"within {handshake or 0:g}s",
            "raise --request-timeout, or try again",
        ) from exc
    except (WebSocketException, OSError) as exc:
        raise errors.AkscliError(f"cannot exec in pod {namespace}/{pod}: {exc}") from exc
    what = f"{command[0]} in pod {namespace}/{pod}"
    deadline = time.monotonic() + timeout
    errors_seen: list[bytes] = []
    try:
        while ws.is_open() and time.monotonic() < deadline:
            try:
                ws.update(timeout=1)
            except (WebSocketException, OSError) as exc:
                # The connection ended with no close frame, before the command's status: kubectl reads
                # the error channel's cut as "error reading from error stream: next reader: unexpected
                # EOF" and exits 1 (upstream: kubernetes/client-go 32ce75a7 tools/remotecommand/websocket.go
                # readDemuxLoop, errorstream.go watchErrorStream).
                raise errors.AkscliError(
                    f"{what} was cut: error reading from error stream: websocket: close 1006 (abnormal closure): "
                    "unexpected EOF (the connection to the API server closed before the command's exit status)",
                    "what arrived before the cut is incomplete; run the command again",
                ) from exc
            chunk = ws.read_channel(1)
            if chunk:
                yield bytes(chunk)
            err = ws.read_channel(2)
            if err:
                errors_seen.append(bytes(err)[:2000])
        if ws.is_open():
            raise errors.WaitTimeoutError(f"{what} did not end within {timeout:g}s", "run the command again")
        failure = exec_failure(bytes(ws.read_channel(3) or b""))
    finally:
        ws.close()
    if failure:
        text = b"".join(errors_seen).decode("utf-8", "replace").strip().splitlines()
        raise errors.AkscliError(f"{what} failed: {failure}" + (f" ({text[-1]})" if text else ""))


def exec_failure(message: bytes) -> str | None:
    """What kubectl says of an exec from the final Status on its error channel (3); None for
    Success, and for no Status at all (a normal close). Upstream: kubernetes/client-go 32ce75a7
    tools/remotecommand/v4.go errorDecoderV4.decode (NonZeroExitCode with an ExitCode cause:
    "command terminated with exit code N"; another Failure: its message), errorstream.go
    watchErrorStream (an empty error stream is success)."""
    if not message:
        return None
    try:
        status = json.loads(message)
    except ValueError:
        return f"error stream protocol error: {message[:200].decode('utf-8', 'replace')!r} is not a Status"
    if not isinstance(status, dict) or status.get("status") not in ("Success", "Failure"):
        return "error stream protocol error: unknown error"
    if status["status"] == "Success":
        return None
    if status.get("reason") == "NonZeroExitCode":
        causes = (status.get("details") or {}).get("causes") or []
        codes = [str(c.get("message", "")) for c in causes if isinstance(c, dict) and c.get("reason") == "ExitCode"]
        if not codes:
            return "error stream protocol error: no ExitCode cause given"
        return f"command terminated with exit code {codes[0]}"
    return str(status.get("message") or "")


def _within(bound: float | None, connect: Callable[[], Any]) -> Any:
    """``connect()`` (a websocket's dial and handshake), given up with TimeoutError after ``bound``
    seconds, as client-go's http.Client.Timeout (--request-timeout) bounds a request from its dial
    on (kubernetes/client-go rest/transport.go HTTPClientFor). kubernetes' create_websocket takes
    no timeout (kubernetes-client/python kubernetes/base/stream/ws_client.py), so the handshake
    runs on a thread of its own; a socket it opens after the bound ran out is closed there."""
    if not bound:
        return connect()
    done = threading.Event()
    lock = threading.Lock()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            opened = connect()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        else:
            with lock:
                if done.is_set():  # the caller gave up: nobody reads this socket
                    opened.close()
                box["ws"] = opened
        done.set()

    threading.Thread(target=run, name="akscli-ws-handshake", daemon=True).start()
    finished = done.wait(bound)
    with lock:
        if not finished and "ws" not in box and "error" not in box:
            done.set()
            raise TimeoutError(f"no handshake within {bound:g}s")
    if "error" in box:
        raise box["error"]
    return box["ws"]


def ran_out(what: str, bound: float, until: str) -> errors.AkscliError:
    """A followed stream ended by --request-timeout, as kubectl logs -f ends (client-go's
    http.Client.Timeout bounds the whole stream: kubernetes/client-go rest/transport.go
    HTTPClientFor); ``until``: what a follow without the flag would last until."""
    return errors.AkscliError(
        f"stopped following {what}: --request-timeout {bound:g}s ran out",
        f"kubectl logs -f ends the same way; leave --request-timeout out (or give 0) to follow until {until} or Ctrl-C",
    )


def proxy_messages(
    api: Any,
    path: str,
    what: str,
    refused: Callable[[int, bytes], errors.AkscliError],
    bound: float | None = None,
) -> Iterator[str]:
    """The text messages of a websocket opened on ``path`` (an API server proxy path), as they come,
    until the backend closes it. The API server's proxy carries the upgrade to the backend and then
    only copies bytes (upstream: kubernetes/apimachinery pkg/util/proxy/upgradeaware.go
    tryUpgrade), so what arrives is the backend's own websocket. A handshake answered with any
    status but 101 raises ``refused(status, body)``; a connection lost with no close frame raises
    the cut as Ray's job SDK does (ray-project/ray python/ray/dashboard/modules/job/sdk.py
    tail_job_logs: "WebSocket connection closed unexpectedly with close code 1006"). ``bound``
    (--request-timeout): the messages stop that many seconds after the socket opened, as a
    followed pod log's do (Kube.logs)."""
    from kubernetes.stream.ws_client import create_websocket, get_websocket_url
    from websocket import ABNF, WebSocketBadStatusException, WebSocketException, WebSocketTimeoutException

    from akscli.kube.transport import AUTH_SETTINGS

    headers: dict[str, str] = {}
    api.update_params_for_auth(headers, [], AUTH_SETTINGS, path, "GET", None)
    url = get_websocket_url(api.configuration.host + path)
    ends = time.monotonic() + bound if bound else None
    try:
        ws = _within(
            bound, lambda: create_websocket(api.configuration, url, {k.lower(): v for k, v in headers.items()})
        )
    except WebSocketBadStatusException as exc:
        body = exc.resp_body if isinstance(exc.resp_body, bytes) else str(exc.resp_body or "").encode()
        raise refused(int(exc.status_code), body) from exc
    except TimeoutError as exc:
        raise errors.AkscliError(
            f"cannot open {what}: no answer to the websocket handshake within --request-timeout {bound:g}s",
            "check the connection to the API server, or raise --request-timeout",
        ) from exc
    except (WebSocketException, OSError) as exc:
        raise errors.AkscliError(f"cannot open {what}: {exc}", "check the connection to the API server") from exc
    try:
        while True:
            try:
                if ends is not None:
                    ws.settimeout(max(0.001, ends - time.monotonic()))
                opcode, frame = ws.recv_data_frame(True)
            except (WebSocketTimeoutException, TimeoutError) as exc:
                raise ran_out(what, float(bound or 0), "the job ends") from exc
            except (WebSocketException, OSError) as exc:
                raise errors.AkscliError(
                    f"{what} was cut: WebSocket connection closed unexpectedly with close code 1006",
                    "the lines above are all that arrived; run the command again to follow on",
                ) from exc
            if opcode == ABNF.OPCODE_CLOSE:
                return
            if opcode in (ABNF.OPCODE_TEXT, ABNF.OPCODE_BINARY):
                data = frame if isinstance(frame, (bytes, str)) else frame.data
                yield data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    finally:
        ws.close()
