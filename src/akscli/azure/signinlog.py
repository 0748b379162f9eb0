"""--debug / -vv: one line per request of a sign-in, as akscli logs ARM's (akscli.azure.armretry)
and the Kubernetes API's.

azure-identity sends its requests (Entra ID's token, device code, OpenID metadata and instance
discovery endpoints; a managed identity endpoint; Azure DevOps's OIDC endpoint) through a pipeline
of its own, not through akscli's ARM transport. That pipeline has azure-core's CustomHookPolicy,
which calls ``raw_request_hook`` before and ``raw_response_hook`` after each attempt (upstream:
Azure/azure-sdk-for-python sdk/identity/azure-identity azure/identity/_internal/pipeline.py
``_get_config`` and ``_get_policies``, the retry policy first; sdk/core/azure-core
azure/core/pipeline/policies/_custom_hook.py), and every credential akscli builds passes its
keywords down to it (``hooks``).

A line is ``akscli.entra: POST https://login.microsoftonline.com/TENANT/oauth2/v2.0/token -> 200 in
84 ms``: the method, the URL's scheme, host and path, only its api-version parameter, the status and
the latency. Never a header (a managed identity endpoint's secret header, Azure DevOps's job token),
a body (the client secret, the client assertion, the device code, the authorization code, the
refresh token, the password) or any other query parameter. The logger's formatter scrubs the line
too (akscli.logconfig).

A request that got no answer (refused, no such host, a TLS failure, a timeout) calls no response hook:
CustomHookPolicy has no ``on_exception``. Its line, ``... -> no response in 3 ms`` as ARM's
(akscli.azure.armretry), comes from ``_NoAnswer``, a SansIOHTTPPolicy whose ``on_exception`` the
pipeline calls when the transport raises (upstream: azure-core azure/core/pipeline/_base.py
``_SansIOHTTPPolicyRunner.send``). azure-identity puts the policies of its ``_per_retry_policies``
keyword after the retry policy, one call per attempt (pipeline.py ``_get_policies``), and every
credential passes its keywords to ``build_pipeline`` (msal_client.py, managed_identity_client.py,
aad_client.py, azure_pipelines.py; installed 1.27.0).
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

LOG = logging.getLogger("akscli.entra")
_SENT = "akscli_sent"


def hooks() -> dict[str, Any]:
    """The keywords that make an azure-identity credential log its requests (at --debug or -vv,
    whichever run builds or reuses the credential: the level is read on each request)."""
    return {"raw_request_hook": _sent, "raw_response_hook": _answered, "_per_retry_policies": [_no_answer()]}


def _sent(request: Any) -> None:
    request.context[_SENT] = time.monotonic()


def _answered(response: Any) -> None:
    if not LOG.isEnabledFor(logging.DEBUG):
        return
    sent = response.context.get(_SENT)
    ms = (time.monotonic() - sent) * 1000 if sent is not None else 0.0
    request = response.http_request
    LOG.debug("%s %s -> %s in %.0f ms", request.method, where(request.url), response.http_response.status_code, ms)


class _NoAnswer:
    """An attempt that ended without a response: its line, then the error goes on (``on_exception``
    returns nothing, so the pipeline re-raises)."""

    def on_exception(self, request: Any) -> None:
        if not LOG.isEnabledFor(logging.DEBUG):
            return
        sent = request.context.get(_SENT)
        ms = (time.monotonic() - sent) * 1000 if sent is not None else 0.0
        http = request.http_request
        LOG.debug("%s %s -> no response in %.0f ms", http.method, where(http.url), ms)


_POLICY: list[Any] = []  # the one policy, made at the first credential (it keeps no state)


def _no_answer() -> Any:
    """A ``_NoAnswer`` that azure-core runs as a SansIOHTTPPolicy (the pipeline wraps only those with
    the runner that calls ``on_exception``); azure-core is imported here, where a credential is built."""
    if not _POLICY:
        from azure.core.pipeline.policies import SansIOHTTPPolicy

        class NoAnswerPolicy(_NoAnswer, SansIOHTTPPolicy[Any, Any]):
            pass

        _POLICY.append(NoAnswerPolicy())
    return _POLICY[0]


def where(url: str) -> str:
    """The URL without its query, but for api-version (a query may carry a signed value)."""
    parts = urlsplit(url)
    version = parse_qs(parts.query).get("api-version")
    base = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    return f"{base}?api-version={version[0]}" if version else base
