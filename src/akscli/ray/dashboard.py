"""The Ray dashboard: its URL through the API server's service proxy, and a local forward."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from akscli.concurrency import Cancellation
from akscli.errors import AkscliError, AuthError, NotFoundError, UsageError
from akscli.kube import pod_hints, pod_problems, reach, streams
from akscli.kube.reach import proxy_path
from akscli.ray.follow import watch_pods
from akscli.ray.live import Progress, head_pod
from akscli.ray.pod_state import controlled_by_another, pod_ready
from akscli.ray.spec import CLUSTER_LABEL, DASHBOARD_PORT_NAME, NODE_TYPE_LABEL
from akscli.ray.status import head_service

if TYPE_CHECKING:
    from akscli.kube.client import Kube


def dashboard_info(kube: Kube, cluster: Mapping[str, Any]) -> dict[str, str]:
    """Where a cluster's dashboard is: its head service and the URL through the API server."""
    ns = str(cluster["metadata"]["namespace"])
    service = head_service(cluster)
    host = str(getattr(getattr(kube.api, "configuration", None), "host", "")).rstrip("/")
    return {
        "cluster": str(cluster["metadata"]["name"]),
        "namespace": ns,
        "service": service,
        "url": host + proxy_path(ns, service, DASHBOARD_PORT_NAME),
    }


# The answers of the API server's service proxy that are about the backend, not the API server
# (akscli.kube.client.PROXY_ANSWERS): returned, not raised, so that the relay decides.
_GATEWAY = frozenset({502, 503, 504})
# How long stop() waits for the head pod watch to end: a list it is sending is no stream that
# cancelling shuts, and ends within its request timeout; a command stopping does not wait longer.
STOP_WAIT_S = 5.0


class DashboardForwarder:
    """A local HTTP listener that relays every request to the head service's dashboard port
    through the API server's service proxy.

    The proxy resolves the Service on each request, so a restarted head pod (new name, new IP)
    is reached without reconnecting; while no head pod answers, the relay retries the request
    every second, at once when the head pod watch sees a ready one, for ``reconnect_timeout``.

    What fails is said as kubectl port-forward says it (upstream: kubernetes/kubectl
    pkg/cmd/portforward/portforward.go, runSinglePortForward: "unable to forward port because pod
    is not running", an error before anything listens; kubernetes/client-go
    tools/portforward/portforward.go, handleConnection: one error line per failed connection, and
    ForwardPorts ends with ErrLostConnectionToPod once the connection to the API server is gone):
    a head pod the kubelet cannot run is refused at start; a request the head cannot answer gets
    one line on stderr (once until the dashboard answers again) and, in the browser, that line in
    place of the proxy's own page; a lost connection to the API server (no answer, or refused
    credentials) ends the forward with its error (``failure``).
    """

    def __init__(
        self,
        kube: Kube,
        namespace: str,
        cluster: str,
        service: str,
        port: int = 0,
        address: str = "127.0.0.1",
        progress: Progress | None = None,
        reconnect_timeout: float = 60.0,
        owner_uid: str | None = None,
    ) -> None:
        self.kube = kube
        self.namespace = namespace
        self.cluster = cluster
        # The RayCluster's metadata.uid: its head is the pod it controls (live.head_pod).
        self.owner_uid = owner_uid
        self.service = service
        self.progress = progress or (lambda _m: None)
        self.reconnect_timeout = reconnect_timeout
        self.head_ready = threading.Event()
        self.head_name: str | None = None
        self.restarts = 0
        self._stop = threading.Event()
        # Shuts the head pod watch's open stream when the forward stops, so that its thread ends
        # with the forward rather than when the watch's timeout runs out.
        self._cancel = Cancellation()
        self._watcher: threading.Thread | None = None
        self._reported = False  # the current outage has been reported on stderr
        self.failure: AkscliError | None = None  # what ended the forward (the API server is lost)
        self._server = self._make_server(address, port)
        self.port = int(self._server.server_address[1])

    def _make_server(self, address: str, port: int) -> Any:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        forwarder = self

        class Handler(BaseHTTPRequestHandler):
            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                status, headers, payload = forwarder.relay(self.command, self.path, body)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _relay

            def log_message(self, format: str, *args: Any) -> None:
                del format, args  # the relay reports what matters through progress

        try:
            server = ThreadingHTTPServer((address, port), Handler)
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {address}:{port}: {exc.strerror or exc}",
                hint="pass another --port, or --port 0 for a free one",
            ) from exc
        server.daemon_threads = True
        return server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def relay(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        deadline = time.monotonic() + self.reconnect_timeout
        waiting = False
        while True:
            try:
                status, headers, payload = self._once(method, path, body)
            except AkscliError as cut:  # the answer was cut mid-body (_once): this request's error alone
                line = f"{cut.message}; try again"
                self.progress(line)
                return 502, {"Content-Type": "text/plain; charset=utf-8"}, (line + "\n").encode()
            if status not in (502, 503) or self._stop.is_set() or self.failure is not None:
                break
            # No head pod behind the Service: wait for the watch to see a ready one, and say so
            # (a silent minute looks like a hang).
            if not waiting and not self._reported:
                self.progress(
                    f"the dashboard does not answer (HTTP {status}): waiting up to {self.reconnect_timeout:g}s "
                    f"for a ready head pod of {self.cluster}"
                )
            waiting = True
            self.head_ready.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (not self.head_ready.wait(min(remaining, 1.0)) and time.monotonic() >= deadline):
                break
        if self.failure is not None:
            return status, headers, payload  # the forward is over: the command exits with it
        if status in _GATEWAY:
            return self._unanswered(status)
        if self._reported or waiting:
            self._reported = False
            self.progress(f"the dashboard answers again (/{path.lstrip('/')})")
        return status, headers, payload

    def _unanswered(self, status: int) -> tuple[int, dict[str, str], bytes]:
        """The head did not answer: one line saying why and what to do, on stderr once per
        outage and as the browser's page, in place of the proxy's own answer (an API server
        Status, a gateway's HTML)."""
        what = f"the Ray dashboard of cluster {self.cluster} (Service {self.service})"
        see = f"see akscli ray cluster status {self.cluster} -n {self.namespace}"
        if status == 503:
            try:
                why = self.head_problem() or "no ready endpoint behind the head Service"
            except AkscliError as exc:
                why = exc.message
            line = f"{what} does not answer (HTTP 503 from the API server's service proxy): {why}; {see}"
        else:
            error = reach.gateway_error(status, what, hint=see)
            line = f"{error.message}; {error.hint}"
        if not self._reported:
            self._reported = True
            self.progress(line)
        return status, {"Content-Type": "text/plain; charset=utf-8"}, (line + "\n").encode()

    def _once(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        url = proxy_path(self.namespace, self.service, DASHBOARD_PORT_NAME, path)
        try:
            response = self.kube.request(
                method,
                url,
                body=body.decode("utf-8", "replace") if body else None,
                stream=True,
                accept="*/*",
                answers=_GATEWAY,
            )
        except AkscliError as exc:
            return self._lost(exc)
        raw = response.response if hasattr(response, "response") else response
        headers = {
            k: v
            for k, v in (getattr(raw, "headers", None) or {}).items()
            if k.lower() in ("content-type", "cache-control", "etag", "last-modified")
        }
        try:
            return int(raw.status), headers, bytes(raw.data)
        except Exception as exc:
            # One answer cut mid-body is that connection's error, as client-go's port-forward logs one
            # per connection and goes on (kubernetes/client-go tools/portforward/portforward.go
            # handleConnection, "Error copying from remote stream to local connection"); an API server
            # that is gone answers the next request with no connection at all (_lost ends the forward).
            cut = streams.cut_error(
                f"the answer of the Ray dashboard of cluster {self.cluster} (/{path.lstrip('/')})", exc
            )
            if cut is None:
                raise
            raise cut from exc  # relay answers it, not as the head's own 502

    def _lost(self, exc: AkscliError) -> tuple[int, dict[str, str], bytes]:
        """A request the API server did not answer (reach.unreachable raises it from the
        connection's own error) or refused our credentials for: the forward cannot go on, as
        kubectl port-forward ends on a lost connection; the command exits with it. Another
        error answer (the API server's 404 for a Service that is gone, a 4xx) is that request's
        alone."""
        if (isinstance(exc, AuthError) or exc.__cause__ is not None) and self.failure is None:
            self.failure = exc
            self._stop.set()
            self.head_ready.set()
        status = 404 if isinstance(exc, NotFoundError) else 502
        return status, {"Content-Type": "text/plain; charset=utf-8"}, (exc.message + "\n").encode()

    def watch_head(self) -> None:
        """Follow the head pod; report when it is replaced and release waiting requests."""
        selector = f"{CLUSTER_LABEL}={self.cluster},{NODE_TYPE_LABEL}=head"
        while not self._stop.is_set():
            try:
                for event, pod in watch_pods(
                    self.kube, self.namespace, selector, self._watch_seconds, page_size=5, cancel=self._cancel
                ):
                    self._head_event(event, pod)
                    if self._stop.is_set():
                        return
            except AkscliError as exc:
                self.progress(f"head pod watch failed ({exc.message}); retrying")
                self._stop.wait(2.0)

    def _watch_seconds(self) -> float:
        # Short watches, so that stop() is noticed within one of them.
        return 0.0 if self._stop.is_set() else 30.0

    def _head_event(self, event: str, pod: Mapping[str, Any]) -> None:
        name = str((pod.get("metadata") or {}).get("name"))
        if controlled_by_another(pod, self.owner_uid):
            return  # an earlier cluster's head, not yet garbage collected: not this dashboard's
        if event == "DELETED":
            if name == self.head_name:
                self.head_ready.clear()
                self.progress(f"head pod {name} is gone; waiting for its replacement")
            return
        if pod_ready(pod):
            if self.head_name is not None and name != self.head_name:
                self.restarts += 1
                self.progress(f"head pod changed to {name}; forwarding continues")
            self.head_name = name
            self.head_ready.set()

    def head_problem(self) -> str | None:
        """Why the head pod cannot serve the dashboard now, or None when it is ready."""
        head = head_pod(self.kube, self.namespace, self.cluster, self.owner_uid)
        if head is None:
            return f"Ray cluster {self.cluster} has no head pod yet"
        if pod_ready(head):
            return None
        return _not_ready(head)

    def start(self) -> None:
        """Listen, or raise (nothing listening) when the head pod is one the kubelet cannot run:
        kubectl port-forward refuses a pod that is not running; a head that is only on its way
        up (being scheduled, pulling, starting) is waited for, as the relay does."""
        head = head_pod(self.kube, self.namespace, self.cluster, self.owner_uid)
        problem = None if head is None or pod_ready(head) else pod_problems.problem(head)
        if head is not None and problem is not None and problem.kind != pod_problems.UNSCHEDULABLE:
            self._server.server_close()
            see = f"see akscli ray cluster status {self.cluster} -n {self.namespace}"
            raise reach.not_serving_error(
                f"the Ray dashboard of cluster {self.cluster}",
                f"head pod {head['metadata']['name']} {problem.text}",
                hint=pod_hints.fix(problem) or see,
            )
        waiting = f"Ray cluster {self.cluster} has no head pod yet" if head is None else None
        if head is not None and not pod_ready(head):
            waiting = _not_ready(head)
        if waiting:
            self.progress(
                f"{waiting}: the dashboard answers once it is; each request waits up to "
                f"{self.reconnect_timeout:g}s (see akscli ray cluster status {self.cluster} -n {self.namespace})"
            )
        threading.Thread(target=self._server.serve_forever, name="akscli-ray-dashboard", daemon=True).start()
        self._watcher = threading.Thread(target=self.watch_head, name="akscli-ray-head-watch", daemon=True)
        self._watcher.start()

    def wait(self) -> None:
        """Block until the forward is stopped; raise what ended it (``failure``). Short waits,
        so that Ctrl-C is taken at once."""
        while not self._stop.wait(1.0):
            pass
        if self.failure is not None:
            raise self.failure

    def stop(self) -> None:
        """Stop listening and end the head pod watch (its stream is shut): nothing of the forward
        outlives it."""
        self._stop.set()
        self.head_ready.set()
        self._cancel.cancel()
        self._server.shutdown()
        self._server.server_close()
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(timeout=STOP_WAIT_S)


def _not_ready(head: Mapping[str, Any]) -> str:
    """``head pod NAME is not ready (REASON)``: the kubelet's or the scheduler's reason, else the phase."""
    found = pod_problems.problem(head)
    status = head.get("status") or {}
    waiting = [(cs.get("state") or {}).get("waiting") or {} for cs in status.get("containerStatuses") or []]
    reason = next((str(w["reason"]) for w in waiting if w.get("reason")), None)
    why = (found.reason if found else None) or reason or status.get("phase") or "Pending"
    return f"head pod {head['metadata']['name']} is not ready ({why})"
