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
  wrapped in the client's ``RESTResponse``, a TLS error raised as the client raises it. Where
  the manager is a plain one and the host has no path, what ``PoolManager.urlopen`` does is
  done on the pool it picks, kept from the first request (``_urlopen``): the same request
  target, the same bytes on the wire, the same failure on a redirect.

What it leaves out is per-request work that does not change the request: the deep copy of
every body before it is encoded, the content-type regular expressions, two layers of
re-packing the arguments (about a fifth of the client's CPU per request), the manager's parse
of the host and keying of its pool for every URL (a sixth of urllib3's), and the parse of a
target that parsing leaves unchanged and a new JSON encoder (about 10 us of some 400): a
500-object apply sends 1,000 requests (#16). Anything else (a text or bytes body, another
content type, the Configuration's client-go style read retries) takes the client's own path
unchanged. A form (``application/x-www-form-urlencoded``, a Prometheus query's POST) goes there
as the fields the client sends a form from: its ``rest.py`` writes such a request from
``post_params`` alone and drops a ``body`` given with it.
"""

from __future__ import annotations

import functools
import json
import re
import weakref
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

import urllib3
from kubernetes.client.exceptions import ApiException
from kubernetes.client.rest import RESTResponse
from urllib3.util import parse_url

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
FORM = "application/x-www-form-urlencoded"


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
        fields = None
        if content_type == FORM and isinstance(body, (str, bytes)):
            # rest.py RESTClientObject.request sends a form as ``fields=post_params`` (urllib3's
            # urlencode), never the body: the encoded form goes as those fields.
            text = body.decode() if isinstance(body, bytes) else body
            fields, body = parse_qsl(text, keep_blank_values=True), None
        request = api.param_serialize(
            method,
            path,
            query_params=list(params),
            header_params=dict(headers),
            body=body,
            post_params=fields,
            auth_settings=AUTH_SETTINGS,
        )
        return api.call_api(*request, _request_timeout=timeout)

    header_params = dict(headers)
    header_params.update(api.default_headers)
    if api.cookie:
        header_params["Cookie"] = api.cookie
    queries = list(params)
    api.update_params_for_auth(header_params, queries, AUTH_SETTINGS, path, method, body)
    target = path + ("?" + _query(api, tuple(queries)) if queries else "")
    url = config.host + target
    if content_type == "application/json-patch+json" and not isinstance(body, list):
        header_params["Content-Type"] = "application/strategic-merge-patch+json"
    manager = api.rest_client.pool_manager
    # The manager's pool for the host, where the host adds nothing to the request target.
    pool = _pool(manager, config.host) if path[:1] == "/" and path[:2] != "//" else None
    try:
        if method in ("GET", "HEAD"):
            if pool is not None:
                response = _urlopen(pool, method, url, target, None, header_params, timeout)
            else:
                response = manager.request(
                    method, url, fields={}, timeout=_timeout(timeout), headers=header_params, preload_content=False
                )
        else:
            encoded = None if body is None else _encoder(api).encode(body)
            if pool is not None:
                response = _urlopen(pool, method, url, target, encoded, header_params, timeout)
            else:
                response = manager.request(
                    method, url, body=encoded, timeout=_timeout(timeout), headers=header_params, preload_content=False
                )
    except urllib3.exceptions.SSLError as exc:
        raise ApiException(status=0, reason=f"{type(exc).__name__}\n{exc}") from exc
    return RESTResponse(response)


def _urlopen(
    pool: Any,
    method: str,
    url: str,
    target: str,
    body: str | None,
    headers: dict[str, str],
    timeout: float | tuple[float, float] | None,
) -> Any:
    """``PoolManager.urlopen`` of ``url`` (urllib3 2.x src/urllib3/poolmanager.py) for a host
    with no path of its own, on the pool it would pick, without parsing the host out of every
    URL and keying its pools again (a sixth of urllib3's CPU per request, #16):

    - the request target is ``parse_url(url).request_uri``: with a host that is
      ``scheme://authority`` alone and a path that starts with one ``/``, the host adds nothing
      to it, so only the path and query are parsed (dot segments removed, percent-encoding as
      there; a target that parsing leaves as it is, as every one akscli builds from names it
      checked, is not parsed: ``_request_uri``);
    - the headers go as the dict they are, as ``request_encode_url`` passes them (a body's
      ``HTTPHeaderDict`` copy in ``request_encode_body`` writes the same header lines);
    - ``assert_same_host`` and ``redirect`` off, as the manager sets them; the manager then
      answers a redirect by counting it against the pool's retries, and with none (``connect``
      sets the client's retries to 0: a total of 0) that raises MaxRetryError("too many
      redirects") after draining the connection: the same here.
    """
    response = pool.urlopen(
        method,
        _request_uri(target),
        body=body,
        headers=headers,
        timeout=_timeout(timeout),
        preload_content=False,
        assert_same_host=False,
        redirect=False,
    )
    if response.get_redirect_location():
        retries = response.retries
        try:
            retries.increment(method, url, response=response, _pool=pool)
        except urllib3.exceptions.MaxRetryError:
            if retries.raise_on_redirect:
                response.drain_conn()
                raise
    return response


# The pool the client's PoolManager picks for a host, kept: looking it up keys the host's
# connection settings again for every request. Only for a plain PoolManager (a proxy's manager
# writes the request differently) whose pools do not retry (see _urlopen's redirects), and a
# host that is scheme://authority alone; looked up again once the manager has closed it. Kept by a
# weak reference to the manager: a client that is gone takes its pools and their open connections
# with it (a strong reference here kept up to 256 clients' sockets open in a long-lived process:
# a test worker that ran many commands in-process held over 1,500 descriptors).
_POOLS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _pool(manager: Any, host: str) -> Any:
    kept = _POOLS.get(manager)
    pool = kept.get(host) if kept is not None else None
    if pool is not None and pool.pool is not None:
        return pool
    if type(manager) is not urllib3.PoolManager:
        return None
    retries = manager.connection_pool_kw.get("retries")
    total = retries.total if isinstance(retries, urllib3.Retry) else retries
    if type(total) is not int or total != 0:
        return None
    try:
        parts = parse_url(host)
    except urllib3.exceptions.LocationParseError:
        return None  # the manager's own path raises it where it always has
    bare = parts.path is None and parts.query is None and parts.fragment is None and parts.auth is None
    if not bare or parts.scheme not in ("http", "https") or not parts.host or parts.url != host:
        return None
    pool = manager.connection_from_host(parts.host, port=parts.port, scheme=parts.scheme)
    hosts = _POOLS.setdefault(manager, {})
    if len(hosts) >= _QUERIES_KEPT:
        hosts.clear()
    hosts[host] = pool
    return pool


# A request target that ``parse_url`` gives back as it is: a path and an optional query of
# characters urllib3 never percent-encodes (no ``%``, so none to normalise, and no ``#``), with
# no dot segment in the path (a segment starting with ``.`` takes the parse; upstream: urllib3
# 2.x src/urllib3/util/url.py ``parse_url``, ``_encode_invalid_chars`` with ``_PATH_CHARS`` and
# ``_QUERY_CHARS``, ``_remove_path_dot_segments``). Every path akscli builds is one: names are
# checked as DNS labels and subdomains, queries encoded by the client's ``parameters_to_url_query``.
_PLAIN_TARGET = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@/-]*(?:\?[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?")


def _request_uri(target: str) -> str:
    """``parse_url(target).request_uri`` for a target starting with one ``/``, without parsing
    the ones it leaves unchanged (about 8 us a request, #16)."""
    if _PLAIN_TARGET.fullmatch(target) and "/." not in target.partition("?")[0]:
        return target
    return str(parse_url(target).request_uri)


# ``json.dumps(body, default=f)`` makes a ``JSONEncoder(default=f)`` for every call and encodes with
# it (CPython Lib/json/__init__.py ``dumps``): the encoder, which keeps no state between calls, is
# made once per client, and kept no longer than its client (a weak key; the encoder reaches the
# client's method through a weak reference, or the entry would keep its own key alive).
_ENCODERS: weakref.WeakKeyDictionary[Any, json.JSONEncoder] = weakref.WeakKeyDictionary()


def _encoder(api: Any) -> json.JSONEncoder:
    encoder = _ENCODERS.get(api)
    if encoder is None:
        encoder = _ENCODERS[api] = json.JSONEncoder(default=_Sanitize(api))
    return encoder


class _Sanitize:
    """``api.sanitize_for_serialization`` without a strong reference to ``api``."""

    __slots__ = ("_method",)

    def __init__(self, api: Any) -> None:
        self._method = weakref.WeakMethod(api.sanitize_for_serialization)

    def __call__(self, obj: Any) -> Any:
        method = self._method()
        if method is None:  # the client is gone; an encoder only runs while its client sends
            raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")
        return method(obj)


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
