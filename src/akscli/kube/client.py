"""Kube: the one wrapper around the official ``kubernetes`` client.

Every request goes through ``Kube.request``, which retries 429, 5xx and dropped connections with
exponential backoff and full jitter, honours the server's ``Retry-After`` within the overall
budget, and is bounded in attempts and time. No other 4xx is retried, nor a 500 whose Status
says the request itself is wrong (an apply with a field the schema does not declare). Every
list is paginated (``limit``/``continue``); watches stream. API errors become ``akscli.errors``
exceptions with the server's message (``akscli.kube.status``).

``kubernetes`` is imported inside ``connect`` only, so modules that merely mention ``Kube``
stay cheap to import.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from akscli import errors, logconfig, netfail, printable, process
from akscli.kube import operators, retry, watch_policy
from akscli.kube.reach import ProxyAnswer, unreachable
from akscli.kube.resource import Resource as Resource
from akscli.kube.retry import FIELD_MANAGER as FIELD_MANAGER
from akscli.kube.retry import RETRY_STATUSES as RETRY_STATUSES
from akscli.kube.retry import RetryPolicy as RetryPolicy
from akscli.kube.retry import is_ours, parse_retry_after
from akscli.kube.status import api_error, request_is_wrong
from akscli.kube.streams import PROXY_ANSWERS as PROXY_ANSWERS
from akscli.kube.streams import Streams
from akscli.kube.wire import WatchExpired as WatchExpired
from akscli.kube.wire import query_value
from akscli.output import object_ref
from akscli.redact import remember_secret

LOG = logging.getLogger("akscli.kube")
logconfig.ready()  # the kubernetes client logs: akscli's configuration first (akscli.logconfig)
DEFAULT_PAGE_SIZE = 500
# The methods that change nothing on the server (process.wrote counts the others).
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
# The failures of a request that never reached the server: sent again whatever it does (netfail).
_NEVER_SENT = frozenset({"refused", "connect-timeout"})


@dataclass(frozen=True)
class KubeTarget:
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    request_timeout: float | None = None


DEFAULT_RETRY = RetryPolicy()


@functools.cache
def _wire() -> tuple[Any, Any, Any]:
    """The transport module and the errors it raises, imported on the first request (after
    ``connect`` has imported the client) and then looked up once, not three imports a request."""
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    from akscli.kube import transport

    return transport, ApiException, HTTPError


def _resend_safe(method: str, content_type: str | None, query: Mapping[str, Any] | None) -> bool:
    """Whether a write may be sent again after an answer that does not say whether it was applied
    (a 5xx without Retry-After, a dropped connection), where a second one that meets the first's
    result ends where one would have. client-go sends no write again then (kubernetes/client-go
    rest/request.go ``request``: "We are not automatically retrying "write" operations, as they are
    not idempotent"; rest/with_retry.go ``checkWait``: a 5xx only with Retry-After). akscli does
    for these only:

    - a dry run: nothing is stored (kubernetes/apiserver 24a394e5 pkg/endpoints/handlers/create.go,
      ``dryrun.IsDryRun(options.DryRun)``);
    - a server-side apply: declarative, the same configuration applied again by the same field
      manager sets the same fields to the same values and owns the same set, so a second apply
      after a first that took changes nothing and meets no conflict (kubernetes/website
      content/en/docs/reference/using-api/server-side-apply.md, "Field management": a conflict is a
      field another manager owns with a different value);
    - a JSON merge patch: applying it to its own result gives that result again (RFC 7386 section
      2, MergePatch sets or removes the members it names; one that carries a resourceVersion meets a
      Conflict the second time: redone from a fresh read where the caller uses retry.on_conflict,
      else reported);
    - a DELETE: a second one is NotFound, which Kube.delete reports as gone (RFC 9110 section
      9.2.2: DELETE is idempotent).

    Never a PUT (a second with the first's resourceVersion is a Conflict), a JSON patch (``add``
    to a list twice adds two), a strategic merge patch, or a POST: Kube.create says for a named
    object, whose second create is AlreadyExists and is judged with retry.is_ours."""
    if (query or {}).get("dryRun"):
        return True
    if method == "DELETE":
        return True
    return method == "PATCH" and content_type in ("application/apply-patch+yaml", "application/merge-patch+json")


class Kube(Streams):
    """A connection to one cluster (one kubeconfig context)."""

    def __init__(
        self,
        api_client: Any,
        *,
        namespace: str,
        context_name: str,
        request_timeout: float | None = None,
        retry: RetryPolicy | None = None,
        user_name: str | None = None,
    ) -> None:
        self.api = api_client
        self.namespace = namespace
        self.context_name = context_name
        self.user_name = user_name  # the kubeconfig user, for audit lines without token claims
        # None: akscli's default, a timeout of each try (retry.DEFAULT_REQUEST_TIMEOUT); 0: kubectl's
        # "no timeout" (retry.try_timeout); a --request-timeout given bounds all tries together. A
        # negative one (-1s) bounds nothing here, as 0, and is still sent as the ``timeout`` query
        # (_timeout_query), as client-go sends any timeout that is not 0.
        self.request_timeout = None if request_timeout is None else max(0.0, request_timeout)
        self._timeout_sent = request_timeout or 0.0
        self.retry = retry or DEFAULT_RETRY
        self._resources: dict[str, dict[str, Resource]] = {}
        self._lock = threading.Lock()
        self._server: tuple[str, str] | None = None  # (configuration host, what ``server`` made of it)
        self._stream_failures = watch_policy.StreamFailures(self.retry)
        # False once the API server refused a watch-list (a 1.33 server, WatchList off): the
        # reflector lists page by page from then on (akscli.kube.reflector).
        self.watch_list = True

    # ---- raw requests ------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        stream: bool = False,
        timeout: float | tuple[float, float] | None = None,
        what: str | Callable[[], str] | None = None,
        accept: str = "application/json",
        answers: frozenset[int] = frozenset(),
        headers: Mapping[str, str] | None = None,
        writes: bool | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """One API request with retries; returns parsed JSON (or the raw response if ``stream``).

        A status in ``answers`` (with ``stream``) is returned as a response, not raised, and is
        retried only when the server sends Retry-After (client-go's rule for every 5xx:
        rest/with_retry.go ``checkWait``). ``what`` names the request in a failure's message; a
        function giving the name is called only when the request fails. ``headers`` are sent as
        well (a service proxy's Host). ``writes``: whether the request changes anything (default:
        any method but GET, HEAD, OPTIONS); False for a POST that only asks (a query's form).
        ``idempotent``: whether a write may be sent again after an answer that does not say whether
        it was applied (default: ``_resend_safe``)."""
        headers = {**(headers or {}), "Accept": accept}
        remember_secret(body)  # akscli.redact: an answer that quotes the Secret sent is scrubbed
        if body is not None:
            printable.remember_credentials(body)  # ... or a token typed into a container's args
        if content_type or body is not None:
            headers["Content-Type"] = content_type or "application/json"
        params = [(k, query_value(v)) for k, v in (query or {}).items() if v is not None]
        if self._timeout_sent and "timeout" not in (query or {}) and "/proxy/" not in path:
            params.append(("timeout", self._timeout_query()))
        changed = method not in _READS if writes is None else writes
        if idempotent is None:
            idempotent = not changed or _resend_safe(method, content_type, query)
        given = self.request_timeout
        limit = timeout or (retry.DEFAULT_REQUEST_TIMEOUT if given is None else given)
        started = time.monotonic()
        bound = None if timeout else given or None
        ends = None if bound is None else started + bound
        attempt = timeouts = 0
        while True:
            sent = time.monotonic()
            this_try = retry.try_timeout(limit, ends, sent)
            status, response, retry_after = self._send(method, path, params, headers, body, this_try)
            # Method, path, status and latency only: never headers (tokens) or bodies (secrets).
            LOG.debug("%s %s -> %s in %.0f ms", method, path, status or "no response", (time.monotonic() - sent) * 1000)

            if status is not None:
                netfail.answered(self.server)
            if status is not None and status < 400:
                if changed and not (query or {}).get("dryRun"):
                    process.wrote()  # output.write: a closed stdout no longer cuts the command short
                if stream:
                    return response
                data = response.read()
                answer = json.loads(data) if data else {}
                remember_secret(answer)
                return answer
            failure = netfail.classify(response) if status is None else None
            if failure is not None:
                # A timeout of a write is never sent again: the server may have applied it.
                retryable = failure.retryable(self.server, write=changed, timeouts=timeouts)
                # ... and a write that is not idempotent only where it never reached the server.
                retryable = retryable and (idempotent or failure.kind in _NEVER_SENT)
                timeouts += failure.timed_out
            elif status in answers and retry_after is None:
                # The proxy's answer for a backend (no ready endpoint, a pod that does not
                # answer), not an overloaded API server: retried only when it says when.
                retryable = False
            elif not idempotent and (status or 0) >= 500 and retry_after is None:
                # A write the server may have applied before it failed: client-go sends no request
                # again on a 5xx without Retry-After (rest/with_retry.go ``checkWait``).
                retryable = False
            elif changed and status == 504 and retry_after is None:
                # The API server's timeout filter answers 504 while the handler goes on, and the write
                # may still be applied ("Clients may retry, but the operation may still complete":
                # kubernetes/apimachinery pkg/api/errors/errors.go NewTimeoutError; kubernetes/apiserver
                # 24a394e5 pkg/server/filters/timeout.go): never sent again, as a write's own timeout.
                retryable = False
            else:
                retryable = status in RETRY_STATUSES
            if status == 500 and retryable:
                body_bytes = response.read() if hasattr(response, "read") else response
                if request_is_wrong(status, body_bytes):
                    raise self._failed(status, body_bytes, what or f"{method} {path}", attempt)
                response = body_bytes
            now = time.monotonic()
            delay = self.retry.delay(attempt, retry_after)
            # past the retry budget, or past --request-timeout before the next try could start
            spent = now - started + delay > self.retry.deadline or (ends is not None and now + delay >= ends)
            if not retryable or attempt + 1 >= self.retry.attempts or spent:
                if status is None:
                    failure = failure or netfail.classify(response)
                    within = limit or retry.NO_TIMEOUT_CONNECT
                    raise unreachable(
                        failure,
                        self.server,
                        self.context_name,
                        self.user_name,
                        within=within,
                        tries=attempt + 1,
                        flag=None if timeout else given,
                    ) from response
                if status in answers:
                    return response if hasattr(response, "status") else ProxyAnswer(status, bytes(response))
                body_bytes = response.read() if hasattr(response, "read") else response
                error = self._failed(status, body_bytes, what or f"{method} {path}", attempt)
                if changed and status >= 500 and retry_after is None and (status == 504 or not idempotent):
                    error.hint = (
                        "the API server may have applied it all the same: look at the object before trying again"
                    )
                if retryable and retry_after is not None and spent:
                    error.hint = retry.past_budget(retry_after)
                raise error
            retry.sleep(delay)
            attempt += 1

    def _timeout_query(self) -> str:
        """--request-timeout as the ``timeout`` query parameter kubectl sends on every request: client-go
        puts the client's timeout there in Go's form (kubernetes/client-go 32ce75a7 rest/request.go
        NewRequest takes ``c.Client.Timeout``, and URL sets ``timeout`` to ``r.timeout.String()`` where it
        is not 0, a negative one included; rest/transport.go HTTPClientFor makes that Timeout the rest
        config's, which --request-timeout fills). The API server bounds a request that is not long-running
        by it, and by its own maximum where it is not above 0 (kubernetes/apiserver 24a394e5
        pkg/endpoints/filters/request_deadline.go withRequestDeadline). Not on a request
        through a service or pod proxy: akscli relays those (ray dashboard), and their query is the
        backend's."""
        from akscli.durations import go_string

        return go_string(self._timeout_sent)

    @property
    def server(self) -> str:
        """host:port of the API server (for messages, and netfail's record of who answered)."""
        host = str(getattr(self.api.configuration, "host", "") or "")
        known = self._server
        if known is not None and known[0] == host:  # asked after every answer: parsed once per host
            return known[1]
        parts = urlsplit(host)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        server = f"{parts.hostname}:{port}" if parts.hostname else "the API server"
        self._server = (host, server)
        return server

    @staticmethod
    def _failed(status: int, body: Any, what: str | Callable[[], str], attempt: int) -> errors.AkscliError:
        error = api_error(status, body, what() if callable(what) else what)
        error.attempts = attempt + 1
        return error

    def _send(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]],
        headers: dict[str, str],
        body: Any,
        timeout: float | tuple[float, float],
    ) -> tuple[int | None, Any, float | None]:
        transport, ApiException, HTTPError = _wire()
        try:
            response = transport.send(self.api, method, path, params, headers, body, timeout)
        except ApiException as exc:
            if not exc.status:  # the client's wrapper for connection and TLS failures
                return None, exc, None
            return exc.status, (exc.body or b""), parse_retry_after((exc.headers or {}).get("Retry-After"))
        except (HTTPError, OSError) as exc:
            return None, exc, None
        if response.status >= 400:
            return response.status, response, parse_retry_after(response.getheader("Retry-After"))
        return response.status, response, None

    # ---- discovery -----------------------------------------------------------------------------

    def resource(self, api_version: str, kind: str) -> Resource:
        """The REST resource for ``apiVersion``/``kind``; NotInstalledError names the operator."""
        known = self._group_version(api_version)
        if kind in known:
            return known[kind]
        raise operators.not_installed(api_version, kind, group_served=bool(known))

    def _group_version(self, api_version: str) -> dict[str, Resource]:
        # Every request asks; a dict read is atomic, so a known group version takes no lock that
        # 16 worker threads would queue on.
        known = self._resources.get(api_version)
        if known is not None:
            return known
        with self._lock:
            if api_version in self._resources:
                return self._resources[api_version]
        path = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
        try:
            doc = self.request("GET", path, what=f"discovery of {api_version}")
        except errors.NotFoundError:
            doc = {"resources": []}
        found: dict[str, Resource] = {}
        subresources: dict[str, set[str]] = {}
        for entry in doc.get("resources", []):
            plural, _, sub = entry["name"].partition("/")
            if sub:
                subresources.setdefault(plural, set()).add(sub)
        for entry in doc.get("resources", []):
            if "/" in entry["name"]:
                continue
            found[entry["kind"]] = Resource(
                api_version,
                entry["kind"],
                entry["name"],
                bool(entry.get("namespaced")),
                frozenset(subresources.get(entry["name"], ())),
            )
        with self._lock:
            self._resources[api_version] = found
        return found

    def has_api(self, api_version: str, kind: str) -> bool:
        return kind in self._group_version(api_version)

    def served_kinds(self, api_version: str) -> list[str]:
        """The kinds the server serves in ``apiVersion`` (its discovery document), sorted."""
        return sorted(self._group_version(api_version))

    def forget_discovery(self) -> None:
        with self._lock:
            self._resources.clear()

    def _ns(self, resource: Resource, namespace: str | None) -> str | None:
        return (namespace or self.namespace) if resource.namespaced else None

    # ---- reads -------------------------------------------------------------------------------

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        res = self.resource(api_version, kind)
        try:
            obj: dict[str, Any] = self.request("GET", res.path(self._ns(res, namespace), name))
        except errors.NotFoundError:
            return None
        return obj

    def list(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str | None = None,
        all_namespaces: bool = False,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Every matching object, fetched page by page; never one response for a whole type."""
        for page in self.list_pages(
            api_version,
            kind,
            namespace=namespace,
            all_namespaces=all_namespaces,
            label_selector=label_selector,
            field_selector=field_selector,
            page_size=page_size,
        ):
            yield from page["items"]

    def list_pages(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str | None = None,
        all_namespaces: bool = False,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        consistent: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """The list page by page. When etcd compacts the version a list is paging at (every 5
        minutes by default), the API server answers 410 Expired with a token for the rest at its
        latest version: followed, with one warning on stderr, unless ``consistent`` (a list a
        watch resumes from, which must list again: ExpiredError is raised).

        Upstream differs: kubectl get prints the pages it got and fails (kubernetes/cli-runtime
        pkg/resource/selector.go Visit; test_kubectl_fidelity.py), client-go's pager lists again
        unpaged (kubernetes/client-go 32ce75a7 tools/pager/pager.go, FullListIfExpired). The token
        keeps the list paged and repeats no page already yielded."""
        res = self.resource(api_version, kind)
        ns = None if all_namespaces else self._ns(res, namespace)
        path = res.path(ns)
        token: str | None = None
        while True:
            query = {
                "limit": page_size,
                "continue": token,
                "labelSelector": label_selector,
                "fieldSelector": field_selector,
            }
            try:
                page = self.request("GET", path, query=query)
            except errors.ExpiredError as exc:
                if consistent or not token or not exc.continue_token:
                    raise
                from akscli.statuslines import warn

                warn(
                    f"the list of {res.plural} expired while paging: the rest is from a later version, not one snapshot"
                )
                token = exc.continue_token
                continue
            # The API server leaves apiVersion and kind out of a list's items; they go first, where
            # kubectl prints them (an unchanged object's `apply -o json` prints a listed item).
            page["items"] = [
                item if "kind" in item else {"apiVersion": api_version, "kind": kind, **item}
                for item in page.get("items") or []
            ]
            yield page
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return

    # ---- writes ------------------------------------------------------------------------------

    def create(self, obj: Mapping[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        """POST ``obj``. A retried create that meets AlreadyExists succeeded earlier when the
        object on the server is the one we sent (its response was lost): that is success."""
        res = self.resource(obj["apiVersion"], obj["kind"])
        ns = self._ns(res, obj.get("metadata", {}).get("namespace"))
        try:
            result: dict[str, Any] = self.request(
                "POST",
                res.path(ns),
                body=dict(obj),
                # A named object: a second create is AlreadyExists, judged with is_ours below. One
                # from a generateName would make a second object (kubernetes/apiserver 24a394e5
                # pkg/registry/rest/create.go BeforeCreate names it anew), so it is not sent again.
                idempotent=bool((obj.get("metadata") or {}).get("name")) or None,
                query={
                    "dryRun": "All" if dry_run else None,
                    "fieldManager": FIELD_MANAGER,
                    "fieldValidation": "Strict",
                },
            )
        except errors.ConflictError as exc:
            name = (obj.get("metadata") or {}).get("name")
            retried = exc.attempts > 1 and exc.reason == "AlreadyExists"
            live = self.get(obj["apiVersion"], obj["kind"], name, ns) if retried and name and not dry_run else None
            if live is None or not is_ours(obj, live):
                raise
            return live
        return result

    def apply(
        self, obj: Mapping[str, Any], *, force: bool = False, dry_run: bool = False, field_manager: str = FIELD_MANAGER
    ) -> dict[str, Any]:
        """Server-side apply (``application/apply-patch+yaml``) as ``field_manager``."""
        res = self.resource(obj["apiVersion"], obj["kind"])
        ns = self._ns(res, obj.get("metadata", {}).get("namespace"))
        body = dict(obj)
        if res.namespaced:
            body["metadata"] = {**body.get("metadata", {}), "namespace": ns}
        result: dict[str, Any] = self.request(
            "PATCH",
            res.path(ns, obj["metadata"]["name"]),
            body=body,
            content_type="application/apply-patch+yaml",
            query={
                "fieldManager": field_manager,
                "force": "true" if force else None,
                "dryRun": "All" if dry_run else None,
                "fieldValidation": "Strict",
            },
            # named only if it fails: an apply of 500 objects sends 1,000 requests that succeed
            what=lambda: f"apply of {object_ref(obj)}",
        )
        return result

    def patch(
        self,
        api_version: str,
        kind: str,
        name: str,
        patch: Any,
        *,
        namespace: str | None = None,
        content_type: str = "application/merge-patch+json",
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        res = self.resource(api_version, kind)
        result: dict[str, Any] = self.request(
            "PATCH",
            res.path(self._ns(res, namespace), name, subresource),
            body=patch,
            content_type=content_type,
            query={"fieldManager": FIELD_MANAGER, "dryRun": "All" if dry_run else None},
        )
        return result

    def patch_status(
        self, api_version: str, kind: str, name: str, patch: Any, *, namespace: str | None = None
    ) -> dict[str, Any]:
        return self.patch(api_version, kind, name, patch, namespace=namespace, subresource="status")

    def delete(
        self,
        api_version: str,
        kind: str,
        name: str,
        *,
        namespace: str | None = None,
        propagation: str = "Background",
        dry_run: bool = False,
    ) -> dict[str, Any] | None:
        """Delete one object; the server's answer (the object while finalizers hold it, else a
        Status naming its UID: akscli.kube.deletion.uid_of), None when it was already gone."""
        res = self.resource(api_version, kind)
        try:
            answer = self.request(
                "DELETE",
                res.path(self._ns(res, namespace), name),
                body={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": propagation},
                query={"dryRun": "All" if dry_run else None},
            )
        except errors.NotFoundError:
            return None
        return answer if isinstance(answer, dict) and answer else {"kind": "Status"}

    # ---- who am I ----------------------------------------------------------------------------

    def identity(self) -> dict[str, str]:
        """Who the requests are made as: token claims (oid, upn, appid), never the token."""
        config = self.api.configuration
        token = (config.api_key or {}).get("authorization", "") or (config.api_key or {}).get("BearerToken", "")
        token = token.removeprefix("Bearer ").strip()
        claims = jwt_claims(token) if token else {}
        identity: dict[str, str] = {
            k: str(claims[k]) for k in ("oid", "upn", "appid", "preferred_username", "sub") if k in claims
        }
        if not identity:
            identity["user"] = self.user_name or "unknown"
        return identity


def jwt_claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError):
        return {}
    return claims if isinstance(claims, dict) else {}
