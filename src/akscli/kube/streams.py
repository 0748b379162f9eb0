"""The streaming requests of ``Kube``: a watch, a pod's log, a command's output over exec, a
request through the API server's proxy, and a websocket through it. ``Kube`` (akscli.kube.client)
inherits them; each but the websocket goes through ``Kube.request`` and its retries.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from akscli import errors, netfail
from akscli.kube import retry, watch_policy
from akscli.kube.wire import WatchInterrupted, exec_stream, lines, proxy_messages, ran_out, watch_events

if TYPE_CHECKING:
    from akscli.concurrency import Cancellation
    from akscli.kube.resource import Resource

PROXY_ANSWERS = frozenset({502, 503, 504})
LOG = logging.getLogger("akscli.kube")


class Streams:
    """The streams of ``Kube``, a mixin: what they use of ``Kube`` is declared here."""

    if TYPE_CHECKING:
        api: Any
        _stream_failures: watch_policy.StreamFailures
        request_timeout: float | None  # --request-timeout as typed (None: not given)

        request: Callable[..., Any]  # Kube.request

        def resource(self, api_version: str, kind: str) -> Resource: ...

        def _ns(self, resource: Resource, namespace: str | None) -> str | None: ...

    def watch(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str | None = None,
        all_namespaces: bool = False,
        name: str | None = None,
        label_selector: str | None = None,
        resource_version: str | None = None,
        send_initial_events: bool = False,
        timeout_seconds: int = 300,
        cancel: Cancellation | None = None,
        seconds_left: watch_policy.SecondsLeft = None,
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Events ``(type, object)`` from one watch request; raises WatchExpired on 410. A 429 or
        5xx inside the stream ends it after a backoff (the caller resumes from its last version)
        until ``retry.attempts`` in a row (akscli.kube.watch_policy); no backoff outlasts the
        caller's ``seconds_left()``. With ``cancel``, cancelling it from another thread ends the
        stream (its socket is shut). ``send_initial_events`` asks for a watch-list: the objects as
        ADDED events, then a BOOKMARK annotated ``k8s.io/initial-events-end``, then the changes
        (upstream: kubernetes/client-go v0.35.0 tools/cache/reflector.go watchList's ListOptions).
        """
        res = self.resource(api_version, kind)
        ns = None if all_namespaces else self._ns(res, namespace)
        field_selector = f"metadata.name={name}" if name else None
        # A --request-timeout given bounds each watch request, as client-go's http.Client.Timeout cuts
        # kubectl's (kubernetes/client-go 32ce75a7 rest/transport.go HTTPClientFor, rest/request.go Watch's
        # client.Do); the caller's reflector then watches again from its last version, as kubectl wait's
        # informer does (tools/cache/reflector.go watch), so a wait still ends at its own --timeout. Here
        # A timer cuts it at the bound itself, as the http.Client's Timeout does (1.5s ends at 1.5 s),
        # and the server ends it by then too (timeoutSeconds is whole seconds: ceil of the bound).
        bound = self.request_timeout or None
        if bound:
            timeout_seconds = max(1, min(timeout_seconds, math.ceil(bound)))
        sent = time.monotonic()
        response = self.request(
            "GET",
            res.path(ns),
            stream=True,
            query={
                "watch": "true",
                "resourceVersion": resource_version,
                "sendInitialEvents": "true" if send_initial_events else None,
                "resourceVersionMatch": "NotOlderThan" if send_initial_events else None,
                "allowWatchBookmarks": "true",
                "labelSelector": label_selector,
                "fieldSelector": field_selector,
                "timeoutSeconds": timeout_seconds,
            },
            timeout=(min(10.0, bound), bound) if bound else (10.0, timeout_seconds + 15.0),
        )
        raw = response.response if hasattr(response, "response") else response
        forget = cancel.on_cancel(raw.shutdown) if cancel else lambda: None
        key, started, events = f"{res.path(ns)}?{label_selector}&{field_selector}", time.monotonic(), 0
        cut, timer = cut_at(raw, sent + bound) if bound else (threading.Event(), None)
        try:
            for event in watch_events(raw):
                events += 1
                self._stream_failures.delivered(key)
                yield event
        except WatchInterrupted as exc:  # ends like a closed stream: the caller resumes
            self._stream_failures.interrupted(key, exc, seconds_left)
            return
        except Exception as exc:
            # A stream cut mid-read (the connection dropped before the chunked body's end: an
            # API server restarting, a load balancer's idle cut; or a read that timed out) ends
            # like a closed one, and the caller resumes from the last version it saw. upstream:
            # kubernetes/apimachinery pkg/watch/streamwatcher.go receive: io.ErrUnexpectedEOF and
            # net.IsProbableEOF / net.IsTimeout end the watch as io.EOF does (only logged), and
            # client-go's reflector watches again (tools/cache/reflector.go watch).
            # A cut at --request-timeout (cut_at) ends it too, whatever the shut socket raised.
            if not cut.is_set() and (
                isinstance(exc, errors.AkscliError) or netfail.classify(exc).kind not in ("dropped", "timeout")
            ):
                raise
            LOG.debug("watch %s ended mid-stream: %s", key, exc)
        finally:
            forget()
            if timer is not None:
                timer.cancel()
        if cut.is_set():
            LOG.debug("watch %s cut at --request-timeout %gs", key, bound)
        cancelled = bool(cancel and cancel.cancelled)
        watch_policy.after_close(events, time.monotonic() - started, cancelled=cancelled, seconds_left=seconds_left)

    def logs(
        self,
        namespace: str,
        pod: str,
        *,
        container: str | None = None,
        follow: bool = False,
        tail_lines: int | None = None,
        previous: bool = False,
        since_seconds: int | None = None,
        timestamps: bool = False,
    ) -> Iterator[str]:
        path = f"/api/v1/namespaces/{quote(namespace)}/pods/{quote(pod)}/log"
        # kubectl logs -f --request-timeout N ends after N s: client-go's http.Client.Timeout bounds the
        # whole stream, body included (kubernetes/client-go 32ce75a7 rest/transport.go HTTPClientFor,
        # rest/request.go Stream's client.Do), and kubectl/pkg/cmd/logs/logs.go DefaultConsumeRequest
        # returns the read's error. Without the flag, or with 0, a follow has no end of its own.
        bound = self.request_timeout if follow and self.request_timeout else None
        started = time.monotonic()
        response = self.request(
            "GET",
            path,
            stream=True,
            accept="*/*",
            query={
                "container": container,
                "follow": "true" if follow else None,
                "tailLines": tail_lines,
                "previous": "true" if previous else None,
                "sinceSeconds": since_seconds,
                "timestamps": "true" if timestamps else None,
            },
            timeout=((min(10.0, bound), bound) if bound else (10.0, 3600.0 * 24)) if follow else None,
        )
        raw = response.response if hasattr(response, "response") else response
        cut, timer = cut_at(raw, started + bound) if bound else (threading.Event(), None)
        try:
            for line in lines(raw):
                yield line.decode("utf-8", "replace")
        except Exception as exc:
            # The read timeout is the bound itself (timeout= above): a stream silent that long has run
            # past --request-timeout, whether or not the timer's thread has run yet (a loaded machine).
            if bound and netfail.classify(exc).kind == "timeout":
                cut.set()
            if not cut.is_set():
                error = cut_error(f"the log stream of pod {namespace}/{pod}", exc)
                if error is None:
                    raise
                raise error from exc
        finally:
            if timer is not None:
                timer.cancel()
            raw.release_conn()
        if cut.is_set():
            raise ran_out(f"the logs of pod {namespace}/{pod}", float(bound or 0), "the pod ends")

    def exec_output(
        self, namespace: str, pod: str, container: str | None, command: Sequence[str], timeout: float = 300.0
    ) -> Iterator[bytes]:
        """The stdout of ``command`` run in a container (pods/exec over a websocket), chunk by chunk.

        Raises AkscliError naming the API server's answer when exec is refused (RBAC, a policy, an
        API server that does not serve it), and once the stream ends as kubectl exec fails: the
        command exited non-zero (its Status), or the connection was cut before that Status
        (akscli.kube.wire.exec_stream).
        """
        # The websocket's opening is bounded as any request is (--request-timeout, else 30 s; 0: not),
        # its stream by ``timeout`` alone (wire.open_exec).
        given = self.request_timeout
        handshake = retry.DEFAULT_REQUEST_TIMEOUT if given is None else given or None
        yield from exec_stream(self.api, namespace, pod, container, command, timeout, handshake)

    def proxy_websocket(
        self,
        namespace: str,
        service: str,
        port: int | str,
        path: str,
        refused: Callable[[int, bytes], errors.AkscliError],
    ) -> Iterator[str]:
        """The text messages of a websocket a Service's backend serves on ``path``, through the
        API server's service proxy (akscli.kube.wire.proxy_messages); ``refused(status, body)``
        is the error for a handshake the proxy or the backend answers without upgrading; the
        messages stop after --request-timeout, as a followed log's lines do (logs)."""
        url = f"/api/v1/namespaces/{quote(namespace)}/services/{service}:{port}/proxy/{path.lstrip('/')}"
        what = f"the websocket of service {namespace}/{service}:{port}"
        yield from proxy_messages(self.api, url, what, refused, self.request_timeout or None)

    def proxy(
        self,
        namespace: str,
        service: str,
        port: int | str,
        path: str,
        *,
        method: str = "GET",
        body: Any = None,
        scheme: str | None = None,
        timeout: float | None = None,
        resource: str = "services",
        host: str | None = None,
        content_type: str | None = None,
        answers: frozenset[int] = PROXY_ANSWERS,
        writes: bool | None = None,
    ) -> tuple[int, bytes]:
        """A request to a Service (or, with resource="pods", a pod) through the API server's
        proxy: (status, body). ``host`` is sent as the Host header: the service proxy passes the
        request's Host on to the backend (kubernetes/apimachinery
        pkg/util/proxy/upgradeaware.go: only ``UseLocationHost``, which the service proxy does not
        set, replaces it), so a gateway matches a route's hostname on it. ``content_type``: the
        body's (a form's, kube/transport.py FORM); ``answers``: the statuses returned rather than
        raised (the proxy's 502/503/504, and what a caller handles itself); ``writes`` as
        Kube.request takes it."""
        target = f"{scheme}:{service}:{port}" if scheme else f"{service}:{port}"
        url = f"/api/v1/namespaces/{quote(namespace)}/{resource}/{target}/proxy/{path.lstrip('/')}"
        # A 503 here is the proxy's answer for the backend, not an overloaded API server:
        # "no endpoints available for service" (kubernetes/kubernetes
        # pkg/registry/core/service/storage/storage.go, ResourceLocation) or "error trying to reach
        # service" (staging/src/k8s.io/apimachinery/pkg/util/proxy/transport.go, RoundTrip); a
        # 502 or 504 is the backend's own. Returned to the caller, who knows what the backend is.
        response = self.request(
            method,
            url,
            body=body,
            stream=True,
            accept="*/*",
            timeout=timeout,
            answers=answers,
            headers={"Host": host} if host else None,
            content_type=content_type,
            writes=writes,
        )
        raw = response.response if hasattr(response, "response") else response
        try:
            return int(raw.status), bytes(raw.data)
        except Exception as exc:
            what = f"the answer of {resource[:-1]} {namespace}/{service}:{port} through the API server's proxy"
            error = cut_error(what, exc, hint="try again; if it repeats, check the API server's health")
            if error is None:
                raise
            raise error from exc


def cut_at(raw: Any, deadline: float) -> tuple[threading.Event, threading.Timer]:
    """A timer that shuts ``raw``'s socket at ``deadline`` (time.monotonic), so that a stream ends then
    even while lines or events keep coming, and a silent one ends too: client-go's http.Client.Timeout
    bounds a whole response, body included (kubernetes/client-go 32ce75a7 rest/transport.go
    HTTPClientFor; Go's net/http Client.Timeout "includes ... reading the response body"). The event
    says that it fired."""
    cut = threading.Event()

    def end() -> None:
        cut.set()
        raw.shutdown()

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), end)
    timer.daemon = True
    timer.start()
    return cut, timer


def cut_error(
    what: str,
    exc: Exception,
    hint: str = "the lines above are all that arrived; run the command again to follow on (kubectl logs -f "
    "ends the same way)",
) -> errors.AkscliError | None:
    """A stream whose connection closed or went silent mid-body, as one line in kubectl's words; None
    for any other error (raised as it is). kubectl logs -f ends with the read's error, ``error: unexpected EOF`` for a
    cut (upstream: kubernetes/kubectl pkg/cmd/logs/logs.go DefaultConsumeRequest: a read error other
    than io.EOF is returned; Go's net/http reads a chunked body cut before its last chunk as
    io.ErrUnexpectedEOF), exit 1."""
    if isinstance(exc, errors.AkscliError):
        return None
    kind = netfail.classify(exc).kind
    if kind == "dropped":
        why = "unexpected EOF (the connection to the API server closed mid-stream)"
    elif kind == "timeout":
        why = "the API server sent nothing more within the read timeout"
    else:
        return None
    return errors.AkscliError(f"{what} was cut: {why}", hint)
