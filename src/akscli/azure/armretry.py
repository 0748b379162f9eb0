"""azure-core's RetryPolicy with client-go's rule for errors that got no answer.

azure-core (1.41.0, azure/core/pipeline/policies/_retry.py) retries every ``ServiceRequestError``
(nothing reached the server) ``retry_connect`` times, 3 by default, with exponential backoff: a
refused connection, a name that does not resolve, or a TLS failure waits about 6 s before it is
reported. client-go retries none of those (kubernetes/client-go rest/request.go, ``request``'s
``isErrRetryableFunc``: only a reset or dropped connection); akscli.netfail says which is which.
A refusal is still retried from a server that answered earlier in this process (it restarts).
A timeout is netfail's too: never sent again to a server that never answered, nor as a write
(azure-core retries PUT and DELETE), and once at most, where azure-core tries 4 times, each after
its 300 s read timeout. Status retries (408/429/5xx) and dropped connections are azure-core's,
with three bounds of akscli's:

- **A POST that acts is not sent again after a 5xx that names no wait** (``_action_applied_maybe``):
  azure-core would (``_is_method_retryable``), while the provider may have taken the first.

- **Retry-After is honoured within a bound.** azure-core sleeps whatever Retry-After says
  (``RetryPolicy.sleep``, ``_sleep_for_retry``), an hour if ARM says an hour. ARM's throttling
  answers 429 with Retry-After, the seconds to wait before the next request, which is refused
  with a new Retry-After if sent sooner (upstream: MicrosoftDocs/azure-docs
  articles/azure-resource-manager/management/request-limits-and-throttling.md, "Error code").
  So akscli waits what ARM asks up to ``MAX_RETRY_AFTER_S`` and, past that, sends nothing more
  and reports the wait (armerrors): a command is not left silent for longer.
- **The command's --timeout bounds the retries too** (armbound.bound_by): azure-core's own ``timeout``
  (absolute, 604800 s by default) is checked only when the next try starts and never cuts the sleep
  before it (``RetryPolicy.send``: ``_configure_timeout`` before each try; ``sleep`` in between), so
  a begin request throttled with a 120 s Retry-After held a ``--timeout 30s`` command minutes
  before its long-running wait began. A retry whose wait would pass the --timeout is not waited:
  ``RetryPastTimeout`` (exit 5) says what Azure answered and asked.
- **Backoff has jitter.** azure-core's exponential backoff has none (``get_backoff_time``:
  ``backoff * 2 ** (n - 1)``, and 0 before the first retry), so clients that failed together
  retry together. Without Retry-After akscli waits ``backoff * 2 ** (n - 1)`` from the first
  retry on, times a factor in [0.8, 1.3), capped at azure-core's ``retry_backoff_max``: the
  jitter of the Azure SDK for Go (Azure/azure-sdk-for-go sdk/azcore/runtime/policy_retry.go,
  ``calcDelay``: "Introduce jitter: [0.0, 1.0) / 2 = [0.0, 0.5) + 0.8 = [0.8, 1.3)").

Every ARM client akscli makes (SDK clients and raw pipelines, azure/arm.py) and the Entra token
requests of its credentials (azure/identity.py) use this policy; a long-running operation's polls
go through the same pipeline, so a 429 on a poll is retried here too.
"""

from __future__ import annotations

import random
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline.policies import RetryPolicy

from akscli import concurrency, netfail
from akscli.azure import armbound
from akscli.errors import WaitTimeoutError

# How long akscli waits for Azure to take a connection (TCP and the TLS handshake, which urllib3
# bounds with the connect timeout) and then for each answer. azure-core waits 300 s for each
# (Azure/azure-sdk-for-python sdk/core/azure-core azure/core/configuration.py
# ``ConnectionConfiguration``: connection_timeout=300, read_timeout=300), and az keeps that (Azure/
# azure-cli src/azure-cli-core/azure/cli/core/commands/client_factory.py
# ``_prepare_client_kwargs_track2`` sets no timeout): a silent endpoint held a command 300 s
# before it said anything. The connection: the Azure SDK for Go's 30 s (Azure/azure-sdk-for-go
# sdk/azcore/runtime/transport_default_http_client.go: ``net.Dialer{Timeout: 30 * time.Second}``,
# ``TLSHandshakeTimeout: 10 * time.Second``), also client-go's dial timeout. The answer stays
# azure-core's 300 s: Azure may take long to accept a write, and a poll of a long-running operation
# is bounded by the command's --timeout anyway (arm.wait_lro waits on the poller, not on a request).
CONNECT_TIMEOUT_S = 30.0
READ_TIMEOUT_S = 300.0

# The longest Retry-After akscli waits before sending a request again: azure-core's own cap on its
# backoff (retry_backoff_max, 120 s). A longer one ends the retries, and the error names it.
MAX_RETRY_AFTER_S = 120.0
# The longest Retry-After akscli waits between two polls of a long-running operation: the RPC's own
# bound, "a minimum of 10 seconds and a maximum of 10 minutes" (upstream: Azure/azure-resource-manager-rpc
# 69e229f v1.0/async-api-reference.md, "202 Accepted and Location Headers" step 2). A poll answer within
# it is waited as asked: the command's --timeout, not this bound, ends a wait that is too long.
MAX_POLL_RETRY_AFTER_S = 600.0
# Jitter of a poll that got no Retry-After: the client's interval (the RPC's 60 s default) times a factor
# in [1.0, 1.3), the Go SDK's upper bound: never sooner than the RPC's default, and clients started
# together (a script creating many pools) do not poll together.
POLL_JITTER = (1.0, 1.3)
# The methods that change nothing in Azure (a timeout of any other is never sent again).
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
# Jitter factor range of the backoff (Azure/azure-sdk-for-go sdk/azcore/runtime/policy_retry.go).
JITTER = (0.8, 1.3)
# Jitter factor on a Retry-After met by one of several requests akscli sends side by side: never
# sooner than asked, at most the Go SDK's upper bound.
FANOUT_JITTER = (1.0, 1.3)

# The poller threads akscli stopped following (stop_polling), each with the event that wakes it.
_STOPS: weakref.WeakKeyDictionary[threading.Thread, threading.Event] = weakref.WeakKeyDictionary()
_STOPS_LOCK = threading.Lock()


class PollingStopped(Exception):
    """Raised in an azure-core LROPoller's thread that akscli stopped following (stop_polling):
    ``LROPoller._start`` keeps it as the poller's exception and the thread ends, sending nothing more.
    Not an AzureError, so the retry policy does not retry it."""


def _stop_event(thread: threading.Thread) -> threading.Event:
    with _STOPS_LOCK:
        event = _STOPS.get(thread)
        if event is None:
            event = _STOPS[thread] = threading.Event()
        return event


def stop_polling(thread: threading.Thread | None) -> None:
    """Stop an LROPoller's thread without waiting for it: a wait between two polls (or a retry)
    ends at once, and the thread sends no request after the one it may be sending now.

    azure-core 1.41 has no public cancel (azure/core/polling/_poller.py: LROPoller starts
    ``self._thread``, a daemon that runs ``polling_method.run()`` until the operation ends, and sets
    ``self._done`` when it does); its waits and its polls are this module's (``pause``, the
    transport's ``sleep`` and ``send``), so they are where the thread is told to end."""
    if thread is not None and thread.is_alive():
        _stop_event(thread).set()


def _raise_if_stopped() -> None:
    event = _STOPS.get(threading.current_thread())
    if event is not None and event.is_set():
        raise PollingStopped()


def _sleep(seconds: float) -> None:
    """time.sleep, cut short in a poller thread that stop_polling stopped (then PollingStopped)."""
    thread = threading.current_thread()
    if thread is threading.main_thread():
        time.sleep(seconds)
    elif _stop_event(thread).wait(seconds):
        raise PollingStopped()


# How the policy waits and draws its jitter; tests replace them with a recorder (no real sleep).
pause: Callable[[float], None] = _sleep
uniform: Callable[[float, float], float] = random.uniform
# The clock akscli's own ARM polls (fleet.arm_run_status) measure their --timeout by, as they wait
# through ``pause``: a test that records the pauses on the ARM emulator's clock reads that clock here.
clock: Callable[[], float] = time.monotonic

# Per thread, the Retry-After (None: none) of the last 429 this policy gave back to its caller
# without sending the request again, or no attribute: azure-identity turns a token endpoint's
# 429 into "Authentication failed: <msal's parse error>" with no response (azure/identity/
# _internal/decorators.py wraps any exception so), so akscli.azure.identity reads the 429 here.
_THROTTLED = threading.local()


def take_throttled() -> tuple[bool, float | None]:
    """(whether a 429 was given back since the last call, its Retry-After), then forgotten."""
    found = hasattr(_THROTTLED, "wait")
    wait: float | None = getattr(_THROTTLED, "wait", None)
    if found:
        del _THROTTLED.wait
    return found, wait


# The retries counted for the caller of ``counting_retries`` (None: nobody counts).
_RETRIES: ContextVar[list[int] | None] = ContextVar("akscli_arm_retries", default=None)


@contextmanager
def counting_retries() -> Iterator[list[int]]:
    """Count, in the one-item list yielded, the requests sent again after an attempt that may have
    reached Azure (a 408/429/5xx answer, a read error; not a connection that never opened).
    azure-core retries PUT and DELETE so (_retry.py, _method_whitelist): a conditional write's
    412 on such a retry may answer akscli's own first attempt (azure/etags.py guarded)."""
    counted = [0]
    token = _RETRIES.set(counted)
    try:
        yield counted
    finally:
        _RETRIES.reset(token)


def _past_bound(wait: float, response: Any) -> None:
    """Raise RetryPastTimeout where waiting ``wait`` before the next try would pass the --timeout."""
    bound = armbound.current()
    if bound is None or wait < bound.left():
        return
    answer = getattr(response, "http_response", None)
    status = str(getattr(answer, "status_code", "") or "no answer")
    raise RetryPastTimeout(status, wait, bound.text())


def server_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


class _Answer:
    """An HTTP response in the shape azure-core's ``get_retry_after`` reads (a PipelineResponse's)."""

    def __init__(self, http_response: Any) -> None:
        self.http_response = http_response


def retry_after(http_response: Any) -> float | None:
    """The wait an HTTP answer asks for, read by azure-core's own rule (azure/core/pipeline/policies/
    _utils.py ``get_retry_after``: Retry-After in seconds or an HTTP-date, else retry-after-ms, else
    x-ms-retry-after-ms, in milliseconds): the one reading of it for the retries and for the errors."""
    if getattr(http_response, "headers", None) is None:
        return None
    try:
        answer: Any = _Answer(http_response)
        found = RetryPolicy.no_retries().get_retry_after(answer)
    except (TypeError, ValueError):
        return None  # not seconds, milliseconds or an HTTP-date: no wait named
    return None if found is None else float(found)


def _action_applied_maybe(settings: dict[str, Any], response: Any) -> bool:
    """Whether the answer is a 5xx without Retry-After to a POST that acts (start, stop, abort, an
    update run's start or skip): not sent again, as client-go sends no request again on a 5xx
    without Retry-After (kubernetes/client-go rest/with_retry.go ``checkWait``). azure-core retries
    a POST answered 500, 503 or 504 whatever its method allowlist says (azure/core/pipeline/
    policies/_retry.py ``_is_method_retryable``, 1.41.0), yet the provider may have taken the first:
    the second is then refused with a conflict (another operation in progress) while the first
    runs. Still retried: a POST whose caller names POST in ``retry_on_methods`` (azure-identity's
    token requests: azure/identity/_internal/msal_client.py, aad_client.py), and ARM's ``list*``
    actions, which read (listClusterUserCredential, listClusterAdminCredential: Azure/azure-rest-api-specs
    specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/
    examples/ManagedClustersListClusterUserCredentials.json; a bare-metal cluster's
    listUserKubeconfig)."""
    request, answer = response.http_request, response.http_response
    if str(request.method).upper() != "POST" or "POST" in settings["methods"] or answer.status_code < 500:
        return False
    if retry_after(answer) is not None:  # the server says when to come back: retried as any method
        return False
    action = urlsplit(str(request.url)).path.rstrip("/").rsplit("/", 1)[-1]
    return not action.lower().startswith("list")


class ReachableRetryPolicy(RetryPolicy):  # type: ignore[type-arg]
    def retry_after_of(self, response: Any) -> float | None:
        """The wait an answer asks for (Retry-After, retry-after-ms, x-ms-retry-after-ms)."""
        if response is None or getattr(response, "http_response", None) is None:
            return None
        return retry_after(response.http_response)

    def is_retry(self, settings: dict[str, Any], response: Any) -> bool:
        # Called with every response: the server answered.
        netfail.answered(server_of(response.http_request.url))
        again = bool(super().is_retry(settings, response)) and not _action_applied_maybe(settings, response)
        if not again and response.http_response.status_code == 429:
            _THROTTLED.wait = self.retry_after_of(response)
        return again

    def increment(self, settings: dict[str, Any], response: Any = None, error: Any = None) -> bool:
        if error is not None:
            request = getattr(response, "http_request", None)
            server = server_of(request.url) if request is not None else ""
            # A timeout is sent again once at most, and only as a read (akscli.netfail): azure-core
            # retries PUT and DELETE read errors 3 times (_retry.py, _method_whitelist), each after
            # its read_timeout of 300 s; the one before may have been applied.
            write = request is not None and str(request.method).upper() not in _READS
            earlier = sum(netfail.classify(h.error).timed_out for h in settings["history"] if h.error is not None)
            if not netfail.classify(error).retryable(server, write=write, timeouts=earlier):
                return False
        wait = self.retry_after_of(response) if error is None else None
        if wait is not None and wait > MAX_RETRY_AFTER_S:
            if response.http_response.status_code == 429:
                _THROTTLED.wait = wait
            return False  # the answer (429 with its Retry-After) goes back to the caller, who says so
        again = bool(super().increment(settings, response=response, error=error))
        if again:
            _past_bound(self._wait(settings, response if error is None else None), response)
        counted = _RETRIES.get()
        if again and counted is not None and not isinstance(error, ServiceRequestError):
            counted[0] += 1
        return again

    def sleep(self, settings: dict[str, Any], transport: Any, response: Any = None) -> None:
        """Wait before the next attempt: Retry-After when the answer has one (within
        ``MAX_RETRY_AFTER_S``, see ``increment``), else the jittered exponential backoff: the wait
        ``increment`` drew and checked against the --timeout."""
        wait = settings.pop("akscli_wait", None)
        if wait is None:
            wait = self._wait(settings, response)
        if wait > 0:
            pause(wait)

    def _wait(self, settings: dict[str, Any], response: Any) -> float:
        """The wait before the next try, drawn once (kept in ``settings`` for ``sleep``)."""
        wait = self.retry_after_of(response)
        if wait and concurrency.fanned_out():
            # One of akscli's own parallel requests (a bounded pool: concurrency.parallel_map): its
            # siblings, throttled together, were told the same wait; never sooner than asked, up to
            # the Go SDK's 1.3 on top, so they do not come back in one instant. A single request
            # waits Retry-After exactly, as azure-core does (Azure/azure-sdk-for-python sdk/core/
            # azure-core azure/core/pipeline/policies/_retry.py ``sleep``: ``_sleep_for_retry``
            # sleeps ``get_retry_after`` as given).
            wait *= uniform(*FANOUT_JITTER)
        elif not wait:
            attempts = max(1, len(settings["history"]))
            backoff = float(settings["backoff"]) * (2 ** (attempts - 1))
            wait = min(float(settings["max_backoff"]), backoff * uniform(*JITTER))
        settings["akscli_wait"] = wait
        return float(wait)


class RetryPastTimeout(WaitTimeoutError):
    """Azure asked to be sent the request again later than the command's --timeout leaves: nothing
    more is sent (armbound.bound_by)."""

    def __init__(self, status: str, seconds: float, timeout: str) -> None:
        super().__init__(
            f"Azure answered {status} and asks to wait {seconds:.0f}s before the request is sent again, "
            f"past the --timeout of {timeout}; it was not sent again",
            hint="check the resource before trying again (a write may have been taken), "
            "then try again later or with a longer --timeout",
        )
        self.seconds = seconds


class PollWaitTooLong(WaitTimeoutError):
    """Azure asked for a longer wait between two polls of a long-running operation than the RPC
    allows (``MAX_POLL_RETRY_AFTER_S``): the operation goes on in Azure; akscli stops following it."""

    def __init__(self, seconds: float, longest: float = MAX_POLL_RETRY_AFTER_S) -> None:
        super().__init__(
            f"Azure asks to wait {seconds:.0f}s before the next poll, longer than akscli waits "
            f"({longest:.0f}s); the operation continues in Azure",
            hint="check it later with the show command (or 'akscli cluster wait' for a cluster)",
        )
        self.seconds = seconds


def poll_transport(interval: float) -> Any:
    """The transport of akscli's ARM clients: azure-core's requests transport, whose ``sleep``
    is the wait between two polls of a long-running operation.

    azure-core waits between polls whatever the poll's Retry-After says, else the client's
    polling interval (upstream: Azure/azure-sdk-for-python sdk/core/azure-core
    azure/core/polling/base_polling.py, as installed 1.41.0: ``_extract_delay`` returns
    ``get_retry_after(...)`` unbounded, ``_delay`` passes it to ``_sleep``, which is
    ``self._transport.sleep``; ARMPolling in azure-mgmt-core inherits both). akscli waits a
    Retry-After as asked up to the RPC's 10 minutes (``MAX_POLL_RETRY_AFTER_S``, or the configured
    interval, if longer), through ``pause``; a longer one, outside the RPC, ends the wait at once
    with ``PollWaitTooLong`` rather than leave the command silent for an hour. The configured
    interval itself (no Retry-After) is waited with jitter (``POLL_JITTER``). How long the whole
    wait may last is the command's --timeout (arm.wait_lro). Nothing else of akscli sleeps through
    the transport: the retry policy waits through ``pause`` itself (ReachableRetryPolicy.sleep)."""
    from azure.core.pipeline.transport import RequestsTransport

    longest = max(MAX_POLL_RETRY_AFTER_S, interval)

    class _PollTransport(RequestsTransport):  # type: ignore[misc]
        def send(self, request: Any, **kwargs: Any) -> Any:
            _raise_if_stopped()  # a poller thread akscli stopped following sends nothing more
            # --debug / -vv: one line per ARM request, as the Kubernetes client logs its own
            # (akscli.kube.client): method, path and api-version, status, latency. Never headers
            # (the token), bodies, or the rest of the query (an operation URL a provider may sign).
            sent, status, left = time.monotonic(), "no response", ""
            try:
                response = super().send(request, **kwargs)
                status, left = str(response.status_code), _arm_left_text(response)
                return response
            finally:
                _request_line(request.method, request.url, status, (time.monotonic() - sent) * 1000, left)

        def sleep(self, duration: float) -> None:
            if duration > longest:
                raise PollWaitTooLong(duration, longest)
            if duration > 0 and duration == interval:
                duration *= uniform(*POLL_JITTER)  # the interval, not a Retry-After Azure gave
            if duration > 0:
                pause(duration)
            _raise_if_stopped()

    return _PollTransport(connection_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S)


def _arm_left_text(response: Any) -> str:
    """What the --debug line adds after the status: the requests ARM says the subscription has left,
    as `az --debug` shows them (upstream: MicrosoftDocs/azure-docs articles/azure-resource-manager/
    management/request-limits-and-throttling.md, "Retrieving the header values": "If you want to see
    the remaining requests for debugging ... --debug"), which tell ARM's throttling from a provider's."""
    from akscli.azure.armbudget import arm_left_headers

    found = [f"{name}: {value}" for name, value in arm_left_headers(response).items()]
    return f", {', '.join(found)}" if found else ""


def _request_line(method: str, url: str, status: str, ms: float, left: str = "") -> None:
    import logging
    from urllib.parse import parse_qs

    log = logging.getLogger("akscli.azure")
    if not log.isEnabledFor(logging.DEBUG):
        return
    parts = urlsplit(url)
    version = parse_qs(parts.query).get("api-version")
    where = f"{parts.path}?api-version={version[0]}" if version else parts.path
    log.debug("%s %s -> %s in %.0f ms%s", method, where, status, ms, left)
