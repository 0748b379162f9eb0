"""What a failed connection means, and whether trying again can help.

Both transports (``akscli.kube.client.Kube.request`` and the ARM pipeline's retry policy in
``akscli.azure.arm``) ask ``classify`` about the exception a request raised and get a
``Failure``: its kind, a short reason in words (never the urllib3 repr), and whether a retry can
help. The rule is client-go's (kubernetes/client-go rest/request.go, ``request``'s
``isErrRetryableFunc``, and rest/with_retry.go ``IsNextRetry``; util/net ``IsConnectionReset``,
``IsProbableEOF``): a dropped or reset connection to a server is transient and retried; an
error that says nothing was listening (connection refused), that the name does not resolve, or
that TLS failed (unknown authority, a host name the certificate does not name, a client
certificate or key that does not load) is not: client-go returns it at once, and kubectl prints
one line for it (kubernetes/kubectl pkg/cmd/util/helpers.go, ``StandardErrorMessage``: "The
connection to the server %s was refused - did you specify the right host or port?").

One refinement: a server that already answered in this process and then refuses a connection
is restarting (an API server rolling, a load balancer moving), so that refusal is retried with
the usual backoff. ``answered`` records the servers that answered.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
import threading
from dataclasses import dataclass

_ANSWERED: set[str] = set()
_LOCK = threading.Lock()


def answered(server: str) -> None:
    """``server`` (host:port) answered a request in this process."""
    if server not in _ANSWERED:
        with _LOCK:
            _ANSWERED.add(server)


def has_answered(server: str) -> bool:
    return server in _ANSWERED


def forget() -> None:
    """Tests: start as a fresh process."""
    with _LOCK:
        _ANSWERED.clear()


@dataclass(frozen=True)
class Failure:
    """kind: refused, connect-timeout, dns, timeout, dropped, tls-ca, tls-hostname, tls-expired,
    tls-client-cert, tls, or other."""

    kind: str
    reason: str

    @property
    def is_tls(self) -> bool:
        return self.kind.startswith("tls")

    @property
    def timed_out(self) -> bool:
        return self.kind in TIMEOUTS

    def retryable(self, server: str, *, write: bool = False, timeouts: int = 0) -> bool:
        """Whether sending again can help: a dropped connection; a refusal or connect timeout
        from a server that answered before; a read timeout of a read from a server that answered
        before. Never TLS, name resolution, or a first refusal or timeout; never a read timeout of
        a write (the server may have applied it); and no timeout once ``timeouts`` earlier tries
        of the same request timed out ``MAX_TIMEOUT_RETRIES`` times.

        client-go retries no timeout of a request at all (kubernetes/client-go rest/request.go,
        ``request``'s ``isErrRetryableFunc``: GETs only, on ``net.IsConnectionReset``,
        ``IsProbableEOF`` and ``IsHTTP2ConnectionLost``; rest/with_retry.go ``IsNextRetry``
        retries any other error only as a 429/5xx with Retry-After, ``checkWait``), and
        --request-timeout bounds all its tries together (``request``: ``context.WithTimeout`` of
        ``r.timeout`` around the loop). akscli retries a read's timeout once, from a server that
        answered before (an API server rolling, a load balancer moving): a command fails within
        twice its request timeout, and within one where the server never answered."""
        if self.kind in ("dropped", "other"):
            return True
        if self.kind in TIMEOUTS and timeouts >= MAX_TIMEOUT_RETRIES:
            return False
        if self.kind in ("refused", "connect-timeout"):
            return has_answered(server)
        if self.kind == "timeout":
            return not write and has_answered(server)
        return False


# A connection that was not made in time, and an answer that did not come in time.
TIMEOUTS = frozenset({"connect-timeout", "timeout"})
# How many times one request is sent again after it timed out (Failure.retryable).
MAX_TIMEOUT_RETRIES = 1


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it wraps: __cause__, __context__, urllib3's ``reason``,
    azure-core's ``inner_exception``."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen) or len(seen) > 20:
            continue
        seen.append(current)
        for attr in ("reason", "inner_exception", "__cause__", "__context__"):
            inner = getattr(current, attr, None)
            if isinstance(inner, BaseException):
                todo.append(inner)
        todo.extend(a for a in current.args if isinstance(a, BaseException))
    return seen


def classify(exc: BaseException) -> Failure:
    chain = _chain(exc)
    for e in chain:
        if isinstance(e, ssl.SSLCertVerificationError):
            message = str(e.verify_message or e.reason or "certificate verify failed")
            lowered = message.lower()
            if "mismatch" in lowered:
                return Failure("tls-hostname", message)
            if "expired" in lowered:
                return Failure("tls-expired", message)
            return Failure("tls-ca", message)
    for e in chain:
        if isinstance(e, ssl.SSLError):
            text = str(e)
            if any(
                mark in text for mark in ("PEM lib", "KEY_VALUES_MISMATCH", "key values mismatch", "CA_MD_TOO_WEAK")
            ):
                return Failure("tls-client-cert", _ssl_reason(e))
            if "CERTIFICATE_VERIFY_FAILED" in text:
                return Failure("tls-ca", "certificate verify failed")
    for e in chain:
        if isinstance(e, ConnectionRefusedError) or (isinstance(e, OSError) and e.errno == errno.ECONNREFUSED):
            return Failure("refused", "connection refused")
        if isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError":
            return Failure("dns", "the host name does not resolve")
    for e in chain:
        if isinstance(e, ssl.SSLError):
            return Failure("tls", _ssl_reason(e))
    for e in chain:
        name = type(e).__name__
        if name == "ConnectTimeoutError":  # urllib3: no TCP connection within the connect timeout
            return Failure("connect-timeout", "the connection timed out")
        if isinstance(e, (TimeoutError, socket.timeout)) or "Timeout" in name:
            return Failure("timeout", "timed out")
        if isinstance(e, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)) or name in (
            "RemoteDisconnected",
            "ProtocolError",
            "IncompleteRead",
        ):
            return Failure("dropped", "the connection was dropped")
    for e in chain:
        if "Connection refused" in str(e):  # a wrapper that kept only the text
            return Failure("refused", "connection refused")
    return Failure("other", f"{type(exc).__name__}")


def timeout_seconds(exc: BaseException) -> float | None:
    """The seconds of the timeout that ended a request, as urllib3 says them in its error
    ("Read timed out. (read timeout=30)", "... timed out. (connect timeout=30)": urllib3
    src/urllib3/connectionpool.py ``_raise_timeout``, connection.py ``_new_conn``); None where no
    error of the chain says them. A TLS handshake that timed out reads as a read timeout, with the
    connect timeout's seconds (``_raise_timeout`` gets ``conn.timeout``)."""
    for e in _chain(exc):
        found = re.search(r"\b(?:connect|read) timeout=(\d+(?:\.\d+)?)\)", str(e))
        if found:
            return float(found.group(1))
    return None


def _ssl_reason(e: ssl.SSLError) -> str:
    """The OpenSSL reason (``PEM lib``, ``WRONG_VERSION_NUMBER``), without the _ssl.c location."""
    text = str(e.reason or "") or (str(e.args[1]) if len(e.args) > 1 else str(e))
    text = re.sub(r"^\[[A-Z0-9_]+\]\s*", "", text.split(" (_ssl.c")[0].strip())
    if text == "PEM lib":
        return "no PEM certificate or key in it (OpenSSL: PEM lib)"
    return text or "TLS error"


TLS_HINTS = {
    "tls-ca": "the server's certificate is signed by an authority the configuration does not trust",
    "tls-hostname": "the server's certificate does not name this host",
    "tls-expired": "the server's certificate has expired",
    "tls-client-cert": "the client certificate or key does not load",
    "tls": "the TLS handshake failed",
}
