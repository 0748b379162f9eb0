"""Where `akscli gpu usage --utilization --prometheus URL` sends its PromQL, and how.

The URL is checked as ``model deploy --prometheus`` checks it (model/monitoring.py
check_query_url: one validator for the flag), then classified:

* an in-cluster Service, ``http(s)://NAME.NAMESPACE.svc[.cluster.local][:PORT][/PREFIX]``: reached
  through the API server's service proxy, as the Prometheus Operator's Prometheus is (a PREFIX is
  the Prometheus's ``--web.route-prefix``, the Operator's ``spec.routePrefix``: its API is then
  ``PREFIX/api/v1``, prometheus/prometheus web/web.go New, ``router = router.WithPrefix(o.RoutePrefix)``);
* an Azure Monitor workspace's query endpoint (``https://*.prometheus.monitor.azure.com``, ``.us``,
  ``.cn``): queried directly at ``/api/v1/query`` with a Microsoft Entra token whose audience is
  the cloud's ``https://prometheus.monitor.azure.<tld>`` (MicrosoftDocs/azure-monitor-docs
  24a14fa7 articles/azure-monitor/metrics/prometheus-api-promql.md, "Request a token":
  ``resource=https://prometheus.monitor.azure.com``, "Instant queries": Path ``/api/v1/query``;
  the per-cloud scopes as kedacore/keda v2.20.2
  pkg/scalers/azure/azure_managed_prometheus_http_round_tripper.go
  azureManagedPrometheusResourceURLInCloud names them), from akscli's credential chain;
* any other http(s) URL (a ``kubectl port-forward``'s ``http://localhost:9090``, an ingress):
  queried directly, without credentials, as ``promtool query instant URL`` does.

Each query is a POST of the form ``query=EXPR``, a GET where that is refused (``Querier``).

Plain logic: no Typer, no rich; nothing is printed; a token is never put in a message.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

from akscli.errors import AkscliError, UsageError
from akscli.kube import retry
from akscli.kube.retry import RetryPolicy
from akscli.model.kinds import AZURE_MONITOR_QUERY_HOSTS

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# NAME.NAMESPACE.svc or NAME.NAMESPACE.svc.cluster.local (the cluster DNS names of a Service,
# kubernetes/dns docs/specification.md, the A record ``<service>.<ns>.svc.<zone>``).
_SERVICE_HOST = re.compile(r"([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?")
QUERY_PATH = "/api/v1/query"
DIRECT_TIMEOUT_S = 30.0
LOG = logging.getLogger("akscli.prometheus")


@dataclass(frozen=True)
class InCluster:
    """A Service reached through the API server's service proxy."""

    namespace: str
    service: str
    port: int
    scheme: str
    prefix: str

    @property
    def where(self) -> str:
        return f"Prometheus {self.namespace}/{self.service}:{self.port}{self.prefix}"


@dataclass(frozen=True)
class Direct:
    """A URL queried from this machine; ``scope``: the Entra token's scope (Azure Monitor), else None."""

    url: str
    scope: str | None

    @property
    def where(self) -> str:
        return ("Azure Monitor workspace " if self.scope else "Prometheus ") + self.url


Source = InCluster | Direct


def azure_monitor_scope(url: str) -> str | None:
    """The token scope of an Azure Monitor workspace query endpoint, None for any other URL."""
    host = (urlsplit(url).hostname or "").lower()
    for suffix in AZURE_MONITOR_QUERY_HOSTS:
        if host.endswith(f".{suffix}"):
            return f"https://{suffix}/.default"
    return None


def classify(url: str) -> Source:
    """``--prometheus URL`` as the place the queries go (UsageError, exit 2: not a URL, or an Azure
    Monitor endpoint over http)."""
    from akscli.model import monitoring

    monitoring.check_query_url(url, managed=False)
    parts = urlsplit(url)  # no user:password@, ?query or #fragment (check_query_url)
    prefix = parts.path.rstrip("/")
    scope = azure_monitor_scope(url)
    if scope is not None:
        if parts.scheme != "https":  # the token goes over TLS only
            raise UsageError(
                f"invalid --prometheus {url!r}: an Azure Monitor workspace's query endpoint is https",
                hint=f"--prometheus https://{parts.netloc}{parts.path}",
            )
        return Direct(f"{parts.scheme}://{parts.netloc}{prefix}", scope)
    found = _SERVICE_HOST.fullmatch((parts.hostname or "").lower())
    if found is None:
        return Direct(f"{parts.scheme}://{parts.netloc}{prefix}", None)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UsageError(f"invalid --prometheus {url!r}: the port is not a number", hint="for example :9090") from None
    return InCluster(found.group(3), found.group(1), port, parts.scheme, prefix)


# How a query goes (upstream: prometheus/client_golang 89c60c05 api/prometheus/v1/api.go Query and
# DoGetFallback, what promtool and Go clients send): a POST of the form ``query=EXPR``
# (application/x-www-form-urlencoded), so the URL stays the same size however many pods the PromQL
# names; Prometheus serves /api/v1/query on POST as on GET and reads the form from the body
# (prometheus/prometheus d15adb9a web/api/v1/api.go Register ``r.Post("/query", ...)``, and
# docs/querying/api.md: "useful when specifying a large query that may breach server-side URL
# character limits"), and so does an Azure Monitor workspace (MicrosoftDocs/azure-monitor-docs
# articles/azure-monitor/metrics/prometheus-api-promql.md "Instant queries": its POST example).
# Answered 403, 405 or 501 (a proxy or server that takes no POST; the API server's RBAC, where
# POST on services/proxy is the ``create`` verb, kubernetes/apiserver
# pkg/endpoints/request/requestinfo.go NewRequestInfo, and GET is ``get``), the query goes again
# as a GET, as DoGetFallback does, and every later one of the run goes as a GET straight away.
FORM = "application/x-www-form-urlencoded"
GET_FALLBACK = frozenset({403, 405, 501})

# (method, path, form body or None) -> (status, body)
Send = Callable[[str, str, str | None], tuple[int, bytes]]


class Querier:
    """Instant queries to one Prometheus: ``querier(expr)`` returns (status, body). Shared by
    the threads of one reading (a flag, set once, says POST was refused)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._get = False

    def __call__(self, expr: str) -> tuple[int, bytes]:
        form = urlencode({"query": expr}, quote_via=quote)
        if not self._get:
            status, body = self._send("POST", QUERY_PATH, form)
            if status not in GET_FALLBACK:
                return status, body
            self._get = True
        return self._send("GET", f"{QUERY_PATH}?{form}", None)


def asker(kube: Kube, source: Source, *, auth: str | None = None, tenant: str | None = None) -> Querier:
    """The Querier of ``source``: through the API server's service proxy or straight to its URL."""
    if isinstance(source, InCluster):

        def through_proxy(method: str, path: str, form: str | None) -> tuple[int, bytes]:
            from akscli.kube.streams import PROXY_ANSWERS

            scheme = "https" if source.scheme == "https" else None
            # A POST's 403/405/501 is returned (the GET follows); a GET's is the API server's
            # refusal, raised as every request's is.
            answers = PROXY_ANSWERS | GET_FALLBACK if form is not None else PROXY_ANSWERS
            return kube.proxy(
                source.namespace,
                source.service,
                source.port,
                source.prefix + path,
                scheme=scheme,
                method=method,
                body=form,
                content_type=FORM if form is not None else None,
                answers=answers,
                writes=False,  # a query changes nothing (a closed stdout still ends the command)
            )

        return Querier(through_proxy)
    return Querier(_direct(source, auth, tenant))


def _direct(source: Direct, auth: str | None, tenant: str | None) -> Send:
    token: list[str] = []

    def send(method: str, path: str, form: str | None) -> tuple[int, bytes]:
        import urllib3

        from akscli import netfail

        headers = {"Accept": "application/json", "User-Agent": "akscli"}
        if form is not None:
            headers["Content-Type"] = FORM
        if source.scope is not None:
            if not token:
                token.append(_token(source.scope, auth, tenant))
            headers["Authorization"] = f"Bearer {token[0]}"
        pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=DIRECT_TIMEOUT_S, read=DIRECT_TIMEOUT_S))
        server = urlsplit(source.url).netloc
        attempt = timeouts = 0
        wait: float | None
        while True:
            sent = time.monotonic()
            try:  # no redirect followed: the token goes to the endpoint named, nowhere else
                answer = pool.request(
                    method, source.url + path, body=form, headers=headers, redirect=False, retries=False
                )
            except urllib3.exceptions.HTTPError as exc:
                _log(method, source.url + path, "no response", sent)
                failure = netfail.classify(exc)
                if not failure.retryable(server, timeouts=timeouts) or attempt + 1 >= DIRECT_RETRY.attempts:
                    raise AkscliError(failure.reason) from None
                timeouts += failure.timed_out
                wait = DIRECT_RETRY.delay(attempt, None)
            else:
                netfail.answered(server)
                _log(method, source.url + path, str(answer.status), sent)
                wait = _retry_wait(answer.status, answer.headers.get("Retry-After"), attempt)
                if wait is None:
                    return answer.status, answer.data
            retry.sleep(wait)
            attempt += 1

    return send


# The retries of a direct query: those of the same query through the service proxy (Kube.request,
# akscli.kube.retry.RetryPolicy: full jitter, never sooner than a Retry-After): a 429 is sent again,
# a 5xx only where it says when (client-go's rule for every 5xx: kubernetes/client-go
# rest/with_retry.go ``checkWait``; Prometheus answers a query that timed out 503, prometheus/prometheus
# web/api/v1/api.go ``returnAPIError``: ErrQueryTimeout is errorTimeout, ``respondError``: errorTimeout is
# StatusServiceUnavailable, and the same query would time out again). A dropped connection is sent again
# as akscli's other reads are (akscli.netfail). What an Azure Monitor workspace answers a throttled PromQL
# query is not published (MicrosoftDocs/azure-monitor-docs articles/azure-monitor/metrics/
# prometheus-api-promql.md names no limit): a 429 waits its Retry-After, as any server's.
DIRECT_RETRY = RetryPolicy(attempts=4, base_delay=1.0, max_delay=8.0, deadline=60.0)


def _retry_wait(status: int, retry_after_header: str | None, attempt: int) -> float | None:
    """The wait before sending a direct query again after ``status``, or None: the answer stands
    (not retryable, the tries spent, or a Retry-After past the policy's deadline)."""
    wait = retry.parse_retry_after(retry_after_header)
    if not (status == 429 or (status >= 500 and wait is not None)) or attempt + 1 >= DIRECT_RETRY.attempts:
        return None
    delay = DIRECT_RETRY.delay(attempt, wait)
    return None if delay > DIRECT_RETRY.deadline else delay


def _log(method: str, url: str, outcome: str, sent: float) -> None:
    """--debug: one line per query, as akscli logs its other requests (akscli.azure.signinlog): the
    method, the URL's scheme, host and path (not the PromQL), the status and the latency; never a
    header."""
    if LOG.isEnabledFor(logging.DEBUG):
        from akscli.azure.signinlog import where

        LOG.debug("%s %s -> %s in %.0f ms", method, where(url), outcome, (time.monotonic() - sent) * 1000)


def _token(scope: str, auth: str | None, tenant: str | None) -> str:
    """An access token for ``scope`` from akscli's credential (the ``--auth`` source, else the chain)."""
    from akscli.azure import identity

    return identity.credential(auth, tenant).get_token(scope).token


def refused(status: int, where: str) -> str | None:
    """Why a direct query's HTTP status means no answer to read, or None. Azure Monitor answers a
    token it does not take with 401 and a principal without access with 403 (the article's
    "Allow your app access to your workspace": the Monitoring Data Reader role)."""
    if status == 401:
        return f"{where} refused the token (HTTP 401): sign in to the workspace's tenant (--auth, --tenant)"
    if status == 403:
        return (
            f"{where} denied the query (HTTP 403): the signed-in identity needs the Monitoring Data Reader role "
            "on the Azure Monitor workspace"
        )
    if status in (404, 405):
        return f"{where} has no Prometheus query API at {QUERY_PATH} (HTTP {status}): check the URL and its path prefix"
    return None
