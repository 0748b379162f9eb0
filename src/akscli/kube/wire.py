"""Bytes on the wire: streamed watch and log lines, pods/exec websocket output, query parameter values."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

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
    cause = exc.__cause__ or exc.__context__
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


def exec_stream(
    api: Any, namespace: str, pod: str, container: str | None, command: Sequence[str], timeout: float
) -> Iterator[bytes]:
    """The stdout chunks of ``command`` run in a container over a pods/exec websocket (channel 1),
    collecting channel 2 (stderr) to name the failure when nothing was written."""
    from kubernetes import client as k8s
    from kubernetes.client.exceptions import ApiException
    from kubernetes.stream import stream

    try:
        ws = stream(
            k8s.CoreV1Api(api).connect_get_namespaced_pod_exec,
            pod,
            namespace,
            container=container,
            command=list(command),
            stderr=True,
            stdin=False,
            stdout=True,
            tty=False,
            _preload_content=False,
            binary=True,
        )
    except ApiException as exc:
        raise errors.AkscliError(f"cannot exec in pod {namespace}/{pod}: {exec_refusal(exc)}") from exc
    deadline = time.monotonic() + timeout
    errors_seen: list[bytes] = []
    wrote = False
    try:
        while ws.is_open() and time.monotonic() < deadline:
            ws.update(timeout=1)
            chunk = ws.read_channel(1)
            if chunk:
                wrote = True
                yield bytes(chunk)
            err = ws.read_channel(2)
            if err:
                errors_seen.append(bytes(err)[:2000])
    finally:
        ws.close()
    if not wrote and errors_seen:
        text = b"".join(errors_seen).decode("utf-8", "replace").strip().splitlines()
        raise errors.AkscliError(f"{command[0]} in pod {namespace}/{pod} failed: {text[-1] if text else ''}")
