"""azure-core's RetryPolicy with client-go's rule for errors that got no answer.

azure-core (1.41.0, azure/core/pipeline/policies/_retry.py) retries every ``ServiceRequestError``
(nothing reached the server) ``retry_connect`` times, 3 by default, with exponential backoff: a
refused connection, a name that does not resolve, or a TLS failure waits about 6 s before it is
reported. client-go retries none of those (kubernetes/client-go rest/request.go, ``request``'s
``isErrRetryableFunc``: only a reset or dropped connection); akscli.netfail says which is which.
A refusal is still retried from a server that answered earlier in this process (it restarts).
Status retries (408/429/5xx, Retry-After) and read errors are azure-core's, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline.policies import RetryPolicy

from akscli import netfail

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


def server_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


class ReachableRetryPolicy(RetryPolicy):  # type: ignore[type-arg]
    def is_retry(self, settings: dict[str, Any], response: Any) -> bool:
        # Called with every response: the server answered.
        netfail.answered(server_of(response.http_request.url))
        return bool(super().is_retry(settings, response))

    def increment(self, settings: dict[str, Any], response: Any = None, error: Any = None) -> bool:
        if error is not None:
            request = getattr(response, "http_request", None)
            server = server_of(request.url) if request is not None else ""
            if not netfail.classify(error).retryable(server):
                return False
        again = bool(super().increment(settings, response=response, error=error))
        counted = _RETRIES.get()
        if again and counted is not None and not isinstance(error, ServiceRequestError):
            counted[0] += 1
        return again
