"""One API request through the official client's own connection pool.

Every request of ``Kube`` goes out through the ``ApiClient`` that ``connect`` configured. For
the requests akscli sends (no body, or a body the client encodes as JSON: JSON content types
and server-side apply's ``application/apply-patch+yaml``), ``send`` does in one step what
``ApiClient.param_serialize``, ``ApiClient.call_api`` and ``RESTClientObject.request`` do in
three (kubernetes-client/python 37.0.2, kubernetes/client/api_client.py and rest.py):

- the same headers: the caller's, then the client's default headers (User-Agent) and cookie,
  then its auth settings (``ApiClient.update_params_for_auth``: the Configuration's bearer
  token, through its refresh hook);
- the same URL: the Configuration's host, the path, the query encoded by the client's own
  ``parameters_to_url_query``;
- the same body bytes: ``json.dumps`` of the body, with the client's
  ``sanitize_for_serialization`` for any value JSON cannot encode itself (a date, a model),
  which is what sanitizing the whole body first gives; a JSON patch that is not a list goes as
  a strategic merge patch, as ``rest.py`` sends it;
- the same ``urllib3.Timeout`` and the same ``PoolManager.request`` of the client's
  ``RESTClientObject`` (its TLS settings, client certificate, proxy and retries), the response
  wrapped in the client's ``RESTResponse``, a TLS error raised as the client raises it.

What it leaves out is per-request work that does not change the request: the deep copy of
every body before it is encoded, the content-type regular expressions, and two layers of
re-packing the arguments: about a fifth of the client's CPU per request, and a 500-object
apply sends 1,000 of them (#16). Anything else (a text or bytes body, another content type,
the Configuration's client-go style read retries) takes the client's own path unchanged.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import urllib3
from kubernetes.client.exceptions import ApiException
from kubernetes.client.rest import RESTResponse

# The content types akscli sends whose bodies rest.py encodes with json.dumps (its is_json and
# is_structured_yaml tests).
JSON_BODIES = frozenset(
    {
        "application/json",
        "application/merge-patch+json",
        "application/json-patch+json",
        "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
    }
)
AUTH_SETTINGS = ["BearerToken"]


def send(
    api: Any,
    method: str,
    path: str,
    params: Sequence[tuple[str, str]],
    headers: dict[str, str],
    body: Any,
    timeout: float | tuple[float, float] | None,
) -> Any:
    """The client's ``RESTResponse`` for one request; raises what ``ApiClient.call_api`` raises."""
    config = api.configuration
    content_type = headers.get("Content-Type")
    if (
        (content_type is not None and content_type not in JSON_BODIES)
        or isinstance(body, (str, bytes))
        or config.client_go_retries
    ):
        request = api.param_serialize(
            method, path, query_params=list(params), header_params=dict(headers), body=body, auth_settings=AUTH_SETTINGS
        )
        return api.call_api(*request, _request_timeout=timeout)

    header_params = dict(headers)
    header_params.update(api.default_headers)
    if api.cookie:
        header_params["Cookie"] = api.cookie
    queries = list(params)
    api.update_params_for_auth(header_params, queries, AUTH_SETTINGS, path, method, body)
    url = config.host + path
    if queries:
        url += "?" + _query(api, tuple(queries))
    if content_type == "application/json-patch+json" and not isinstance(body, list):
        header_params["Content-Type"] = "application/strategic-merge-patch+json"
    try:
        if method in ("GET", "HEAD"):
            response = api.rest_client.pool_manager.request(
                method, url, fields={}, timeout=_timeout(timeout), headers=header_params, preload_content=False
            )
        else:
            encoded = None if body is None else json.dumps(body, default=api.sanitize_for_serialization)
            response = api.rest_client.pool_manager.request(
                method, url, body=encoded, timeout=_timeout(timeout), headers=header_params, preload_content=False
            )
    except urllib3.exceptions.SSLError as exc:
        raise ApiException(status=0, reason=f"{type(exc).__name__}\n{exc}") from exc
    return RESTResponse(response)


# An apply sends the same few queries (dryRun, fieldManager, fieldValidation) and the same timeout
# for every object: each is encoded once. The client's ``parameters_to_url_query`` reads nothing
# but its arguments, and urllib3 clones a ``Timeout`` before it starts one (connectionpool.py
# ``_get_timeout``), so one may serve every request. Bounded, for list pages' continue tokens.
_QUERIES: dict[tuple[tuple[str, str], ...], str] = {}
_QUERIES_KEPT = 256


def _query(api: Any, queries: tuple[tuple[str, str], ...]) -> str:
    encoded = _QUERIES.get(queries)
    if encoded is None:
        encoded = api.parameters_to_url_query(list(queries), None)
        if len(_QUERIES) >= _QUERIES_KEPT:
            _QUERIES.clear()
        _QUERIES[queries] = encoded
    return encoded


@functools.lru_cache(maxsize=64)
def _timeout(seconds: float | tuple[float, float] | None) -> urllib3.Timeout | None:
    """rest.py's reading of ``_request_timeout``: a total, or (connect, read)."""
    if not seconds:
        return None
    if isinstance(seconds, (int, float)):
        return urllib3.Timeout(total=seconds)
    if isinstance(seconds, tuple) and len(seconds) == 2:
        return urllib3.Timeout(connect=seconds[0], read=seconds[1])
    return None
