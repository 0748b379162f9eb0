"""The Prometheus server a Prometheus (monitoring.coreos.com/v1) runs, as the lab's KEDA reads it:
``GET http://prometheus-operated.<namespace>.svc:9090/api/v1/query`` (the emulator's service proxy),
and as akscli asks it, a POST of the form ``query=...`` (``PrometheusServer.handle``).

When it scrapes: each target on its interval, the PodMonitor endpoint's ``interval``, else the
Prometheus's ``spec.scrapeInterval``, else 30s (prometheus-operator/prometheus-operator 6adcebc5
pkg/prometheus/promcfg.go generatePodMonitorConfig and appendScrapeIntervals;
pkg/apis/monitoring/v1/prometheus_types.go ScrapeInterval ``+kubebuilder:default:="30s"``). The
scrape loop (``ScrapeLoop``, a controller) looks at the targets every 5 s, as the scrape manager
applies new target sets at most every 5 s (prometheus/prometheus d15adb9a scrape/manager.go
reloadIntervalDuration), and scrapes those whose next scrape is due. A new target is first scraped
at its offset within the interval, a hash of its labels and URL and the server's seed
(prometheus_offset.py, scrape/target.go offset), then every interval after. A target that goes
away gets staleness markers stamped at its next tick and written a tick and a tenth of an interval
later (scrape/scrape.go endOfRunStaleness). A test lets an interval pass with
``scrape(every=True)``. Samples are kept, marked stale and read within the lookback delta
(``spec.query.lookbackDelta``, default 5m) as prometheus_tsdb.py says.

What it scrapes:

* The PodMonitors the Prometheus selects (prometheus.py ``selects``; upstream
  prometheus-operator/prometheus-operator 6adcebc5 pkg/prometheus/resource_selector.go), and for
  each the pods its ``spec.selector`` selects in the namespaces of its ``spec.namespaceSelector``
  (``any: true``, ``matchNames``, else its own namespace), less the pods in phase Failed or
  Succeeded (pkg/prometheus/promcfg.go generatePodMonitorConfig, generateRunningFilter).
* One target per podMetricsEndpoints entry and container port of that name (the keep rule on
  ``__meta_kubernetes_pod_container_port_name``), at the endpoint's path (default /metrics),
  through the emulator's pod proxy: a pod that does not answer has no series but ``up`` 0.
* Each series gets the target's labels: ``namespace``, ``container``, ``pod``, ``job``
  (``<PodMonitor namespace>/<name>``), ``endpoint`` (the port name) (generatePodMonitorConfig) and
  ``instance`` (the address); a scraped label of the same name is kept as ``exported_<name>``
  (honor_labels false).

What it answers (upstream: prometheus.io docs/prometheus/latest/querying/api.md, Instant queries and
the Format overview): ``{"status": "success", "data": {"resultType": "vector", "result": [{"metric":
{...}, "value": [<unix time>, "<value>"]}]}}``, values written as prometheus/prometheus
util/jsonutil/marshal.go MarshalFloat writes them. Only the query shapes akscli's ScaledObject
renders are evaluated: ``sum(SELECTOR)`` (no labels left; no series in, no sample out) and a bare
``SELECTOR`` (``name{label="v",...}``, matchers ``=``, ``!=``, ``=~``, ``!~``), and the one
`akscli gpu usage --utilization` sends: ``avg_over_time(SELECTOR[DURATION])``, each series' mean over
the range with the metric name dropped (prometheus/prometheus promql/functions.go funcAvgOverTime; the range as
prometheus_tsdb.py reads it), and what `akscli model top --window` sends: ``rate``, ``sum|avg|max by``
and ``histogram_quantile`` (prometheus_promql.py). Any other query is a 400 ``bad_data`` error that says so: the lab
does not pretend to run PromQL it does not have.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from tests.emulators.kube.controllers import prometheus_promql as promql
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.fleet_scheduler import matches_selector
from tests.emulators.kube.controllers.prometheus import OPERATOR, selects
from tests.emulators.kube.controllers.prometheus_offset import first_scrape, offset_seed, target_hash
from tests.emulators.kube.controllers.prometheus_text import (
    _duration,
    _duration_text,
    _eval_time,
    _matches,
    format_value,
    parse_exposition,
    parse_selector,
)
from tests.emulators.kube.controllers.prometheus_tsdb import (
    Series,
    SeriesKey,
    Tsdb,
    key_of,
    parse_duration,
)
from tests.emulators.kube.status import ApiError

# The governing Service the operator makes for every Prometheus in a namespace, port "web" 9090
# (pkg/prometheus/server/statefulset.go governingServiceName; pkg/prometheus/common.go
# BuildStatefulSetService, DefaultPortName; selector app.kubernetes.io/name=prometheus,
# pkg/prometheus/server/operator.go applicationNameLabelValue; the ``operated-prometheus: "true"``
# label: upstream prometheus-operator/prometheus-operator pkg/prometheus/common.go
# BuildStatefulSetService, operator.WithLabels).
SERVICE = "prometheus-operated"
PORT_NAME = "web"
PORT = 9090
# pkg/apis/monitoring/v1/prometheus_types.go: scrapeInterval defaults to 30s.
DEFAULT_INTERVAL = 30.0
# prometheus/prometheus scrape/manager.go reloadIntervalDuration: new target sets every 5 s.
RELOAD_INTERVAL = 5.0

ProxyHandler = Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]
# upstream: prometheus/prometheus d15adb9a web/api/v1/api.go respond / respondError
# (Content-Type application/json).
_HEADERS = {"Content-Type": "application/json"}
FORM = "application/x-www-form-urlencoded"
# What Go's net/http writes for http.NotFound and http.Error (text/plain; charset=utf-8).
_TEXT = {"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff"}
# The methods api.go Register gives /query (r.Get, r.Post, and r.Options("/*path")), as
# julienschmidt/httprouter v1.3.0 router.go allowed() lists them in a 405's Allow header (sorted).
_QUERY_ALLOW = "GET, OPTIONS, POST"


def governing_service(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": SERVICE, "namespace": namespace, "labels": {"operated-prometheus": "true"}},
        "spec": {
            "clusterIP": "None",
            "ports": [{"name": PORT_NAME, "port": PORT, "targetPort": PORT_NAME}],
            "selector": {"app.kubernetes.io/name": "prometheus"},
        },
    }


def serve_prometheus(kube: Any, namespace: str, scrape_loop: bool = True) -> PrometheusServer:
    """What the operator's StatefulSet answers behind ``prometheus-operated`` in ``namespace``, and
    its scrape loop (one ``ScrapeLoop`` controller per emulator runs every namespace's server).
    Without ``scrape_loop`` it scrapes only when a test lets an interval pass (``interval_passes``,
    ``scrape``): nothing then changes what KEDA reads behind a test's back."""
    if kube.cluster.get("v1", "Service", namespace, SERVICE) is None:
        kube.cluster.create(governing_service(namespace))
    servers: dict[str, PrometheusServer] | None = getattr(kube, "prometheus_servers", None)
    if servers is None:
        servers = kube.prometheus_servers = {}
        if scrape_loop:
            kube.controllers.add(ScrapeLoop(servers))
    server = servers.get(namespace) or PrometheusServer(kube, namespace)
    servers[namespace] = server
    for port in (PORT_NAME, str(PORT)):
        kube.register_service_proxy(namespace, SERVICE, port, server.handle)
    return server


@dataclass(frozen=True)
class Target:
    """One scrape target: a pod's port of a PodMonitor endpoint."""

    labels: dict[str, str]
    pod: tuple[str, str]
    port: int
    path: str
    interval: float

    @property
    def key(self) -> tuple[str, ...]:
        return (self.labels["job"], *self.pod, str(self.port), self.path)

    @property
    def url(self) -> str:
        return f"http://{self.labels['instance']}{self.path}"

    @property
    def hashed(self) -> dict[str, str]:
        """The labels the target's hash is taken over (prometheus_offset.py)."""
        interval = _duration_text(self.interval)
        # config.go: the global 10s scrape_timeout, at most the interval.
        timeout = "10s" if self.interval >= 10 else interval
        return self.labels | {
            "__address__": self.labels["instance"],
            "__metrics_path__": self.path,
            "__scheme__": "http",
            "__scrape_interval__": interval,
            "__scrape_timeout__": timeout,
        }


@dataclass
class _Loop:
    """A target's scrape loop: its next scrape (on its offset's grid), the interval, and the series
    its last scrape exposed (none before the first)."""

    next: float
    interval: float
    series: set[SeriesKey] = field(default_factory=set)


@dataclass
class _Stale:
    """End-of-run staleness markers: stamped ``at``, written once the clock reaches ``written``."""

    series: set[SeriesKey]
    at: float
    written: float


class PrometheusServer:
    # The PodMonitor group its scraper reads (azure_monitor_collector.py reads Azure Monitor's,
    # azmonitoring.coreos.com: upstream Azure/prometheus-collector
    # otelcollector/configuration-reader-builder/main.go PodMonitorSelector).
    monitor_api = OPERATOR

    def __init__(self, kube: Any, namespace: str) -> None:
        self.kube = kube
        self.namespace = namespace
        self.tsdb = Tsdb()
        self._loops: dict[tuple[str, ...], _Loop] = {}
        self._stale: list[_Stale] = []
        self._lock = threading.RLock()

    def handle(
        self, method: str, path: str, body: bytes, host: str = "", headers: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """/api/v1/query on GET and POST as Prometheus serves it (upstream: prometheus/prometheus
        d15adb9a web/web.go mounts the v1 API's router under /api/v1; web/api/v1/api.go Register,
        ``r.Get("/query", ...)`` and ``r.Post("/query", ...)``; the router is prometheus/common route
        over julienschmidt/httprouter v1.3.0). The parameters are read as Go's
        ``Request.FormValue`` reads them (net/http request.go ParseForm, parsePostForm): the URL's
        query, and for a POST the body too when its Content-Type is
        application/x-www-form-urlencoded (another body is not read), a body's value first
        (docs/querying/api.md: "You can URL-encode these parameters directly in the request body
        by using the POST method")."""
        parts = urlsplit(path)
        if method == "OPTIONS" and parts.path.startswith("/api/v1/"):
            # api.go: r.Options("/*path", wrap(api.options)); no data, so wrap answers 204.
            return 204, {}, b""
        if parts.path.rstrip("/") != "/api/v1/query":
            # httprouter router.go ServeHTTP: no route and no other method -> http.NotFound.
            return 404, _TEXT, b"404 page not found\n"
        if method not in ("GET", "POST"):
            # httprouter router.go ServeHTTP "Handle 405": http.Error and the Allow header.
            return 405, {**_TEXT, "Allow": _QUERY_ALLOW}, b"Method Not Allowed\n"
        params = parse_qs(parts.query, keep_blank_values=True)
        content_type = {k.lower(): v for k, v in (headers or {}).items()}.get("content-type", "")
        if method == "POST" and content_type.split(";")[0].strip().lower() == FORM:
            params |= parse_qs(body.decode(), keep_blank_values=True)
        expr = (params.get("query") or [""])[0]
        try:
            at = _eval_time((params.get("time") or [""])[0])
            result = self.query(expr, at)
        except ValueError as exc:
            # api.go invalidParamError: errorBadData, which getDefaultErrorCode answers with 400.
            return 400, _HEADERS, json.dumps({"status": "error", "errorType": "bad_data", "error": str(exc)}).encode()
        vector = [{"metric": labels, "value": [at, format_value(value)]} for labels, value in result]
        data = {"status": "success", "data": {"resultType": "vector", "result": vector}}
        return 200, _HEADERS, json.dumps(data).encode()

    # The emulator's service proxy passes a handler that takes them the request's Host and headers
    # (server_streams.py _proxy): the Content-Type says whether a POST's body is a form.
    handle.takes_host = True  # type: ignore[attr-defined]

    def query(self, expr: str, at: float | None = None) -> list[Series]:
        """The instant vector of ``expr`` at ``at`` (default now; ValueError: not a shape the lab
        evaluates)."""
        text = expr.strip()
        if not text:
            # promql/parser/generated_parser.y "no expression found in input"; parse.go ParseErr
            # and posrange.go StartPosInput: "unknown position" for an empty query.
            where = "unknown position" if not expr else "1:1"
            raise ValueError(f'invalid parameter "query": {where}: parse error: no expression found in input')
        at = time.time() if at is None else at
        # rate, sum/avg/max by, histogram_quantile: akscli model top --window (prometheus_promql.py,
        # after prometheus/prometheus promql/functions.go and promql/quantile.go).
        if promql.handles(text):
            evaluated = promql.evaluate(text, at, self.tsdb, self.samples_at, parse_selector, _matches)
            if evaluated is not None:
                return evaluated
        over = re.fullmatch(r"avg_over_time\s*\((.*)\[([0-9a-z]+)\]\s*\)", text, re.DOTALL)
        if over is not None:
            name, matchers = parse_selector(over.group(1))
            seconds = parse_duration(over.group(2))
            return [
                ({k: v for k, v in labels.items() if k != "__name__"}, sum(values) / len(values))
                for labels, values in self.tsdb.window(at, seconds)
                if _matches(labels, name, matchers)
            ]
        # sum over no series is an empty vector, not 0 (upstream: prometheus/prometheus d15adb9a
        # promql/engine.go rangeEvalAgg: no input series, no output group).
        m = re.fullmatch(r"sum\s*\((.*)\)", text, re.DOTALL)
        name, matchers = parse_selector(m.group(1) if m else text)
        samples = self.samples_at(at)
        found = [(labels, v) for labels, v in samples if _matches(labels, name, matchers)]
        if m is None:
            return found
        return [({}, sum(v for _, v in found))] if found else []

    def samples_at(self, at: float) -> list[Series]:
        """What an instant vector selector sees at ``at`` (prometheus_tsdb.Tsdb.instant)."""
        return self.tsdb.instant(at)

    def scrape(self, now: float | None = None, *, every: bool = False) -> float:
        """One look at the targets at ``now`` (default the time): a target whose next scrape is due
        is scraped; a new one is first scraped at its offset (prometheus_offset.py); ``every``:
        each target's next scrape is due, and the markers of gone targets are written now (a
        test's way to let time go by). A target gone gets end-of-run staleness markers. Returns
        ``now``."""
        now = time.time() if now is None else now
        with self._lock:
            prom = self._prometheus()
            if prom is not None:
                self.tsdb.lookback = _duration(((prom.get("spec") or {}).get("query") or {}).get("lookbackDelta"))
            found = {t.key: t for t in self._targets(prom)} if prom is not None else {}
            for key, loop in list(self._loops.items()):
                if key not in found:
                    # endOfRunStaleness: stamped at the loop's next tick, written a tick and a
                    # tenth of an interval after it (scrape/scrape.go).
                    at = now if every else loop.next
                    self._stale.append(_Stale(loop.series, at, at if every else at + 1.1 * loop.interval))
                    del self._loops[key]
            for pending in [p for p in self._stale if every or p.written <= now]:
                self.tsdb.mark_stale(pending.series, pending.at)
                self._stale.remove(pending)
            seed = offset_seed(prom["metadata"]["namespace"], prom["metadata"]["name"]) if prom is not None else 0
            for key, target in found.items():
                loop = self._loops.get(key)
                if loop is None:
                    first = first_scrape(now, target.interval, target_hash(target.hashed, target.url), seed)
                    loop = self._loops[key] = _Loop(first, target.interval)
                if not every and now < loop.next:
                    continue
                seen: set[SeriesKey] = set()
                for labels, value in self._scrape_target(target):
                    series = key_of(labels)
                    self.tsdb.append(series, now, value)
                    seen.add(series)
                self.tsdb.mark_stale(loop.series - seen, now)  # updateStaleMarkers
                loop.series = seen
                loop.interval = target.interval
                while loop.next <= now:  # the next tick on the offset's grid
                    loop.next += target.interval
        return now

    def next_due(self) -> float:
        """When a scrape or markers are next due (Unix seconds; infinity when nothing is)."""
        with self._lock:
            return min([loop.next for loop in self._loops.values()] + [p.written for p in self._stale] + [math.inf])

    def next_scrape(self, pod: str) -> float:
        """When the loop of ``pod``'s target scrapes next (a test's look at the schedule)."""
        with self._lock:
            [loop] = [loop for key, loop in self._loops.items() if key[2] == pod]
            return loop.next

    def interval_passes(self) -> float:
        """Every target is scraped now, as when its interval has passed; returns once KEDA can see
        those samples: KEDA asks for the value at a time in whole seconds (RFC 3339; kedacore/keda
        v2.20.2 pkg/scalers/prometheus_scaler.go ExecutePromQuery), and an instant query sees no
        sample newer than its time, so a sample is seen from the next second on."""
        at = self.scrape(every=True)
        while time.time() < math.ceil(at):
            time.sleep(0.01)
        return at

    def _prometheus(self) -> dict[str, Any] | None:
        proms = sorted(_list(self.kube.cluster, OPERATOR, "Prometheus", self.namespace), key=_name)
        # The Service selects every Prometheus's pods in the namespace; a request reaches one of
        # them. The lab takes the first by name (one Prometheus per namespace in practice).
        return proms[0] if proms else None

    def _targets(self, prom: Mapping[str, Any]) -> list[Target]:
        """Every target of the PodMonitors the Prometheus selects."""
        interval = _duration((prom.get("spec") or {}).get("scrapeInterval"), DEFAULT_INTERVAL)
        targets: list[Target] = []
        for monitor in sorted(_list(self.kube.cluster, self.monitor_api, "PodMonitor", None), key=_name):
            if selects(self.kube.cluster, prom, monitor):
                targets += self._monitor_targets(monitor, interval)
        return targets

    def _monitor_targets(self, monitor: Mapping[str, Any], interval: float) -> list[Target]:
        md, spec = monitor["metadata"], monitor.get("spec") or {}
        ns_selector = spec.get("namespaceSelector") or {}
        if ns_selector.get("any"):
            pods = _list(self.kube.cluster, "v1", "Pod", None)
        else:
            pods = []
            for ns in ns_selector.get("matchNames") or [md["namespace"]]:
                pods += _list(self.kube.cluster, "v1", "Pod", ns)
        targets: list[Target] = []
        for pod in sorted(pods, key=_name):
            phase = (pod.get("status") or {}).get("phase")
            if phase in ("Failed", "Succeeded") or not matches_selector(
                spec.get("selector") or {}, pod["metadata"].get("labels") or {}
            ):
                continue
            for endpoint in spec.get("podMetricsEndpoints") or []:
                for container, port in _ports(pod, endpoint):
                    labels = {
                        "namespace": pod["metadata"]["namespace"],
                        "container": container,
                        "pod": pod["metadata"]["name"],
                        "job": f"{md['namespace']}/{md['name']}",
                        "endpoint": str(endpoint.get("port") or port),
                        "instance": f"{(pod.get('status') or {}).get('podIP') or pod['metadata']['name']}:{port}",
                    }
                    every = _duration(endpoint.get("interval"), interval)
                    where = (pod["metadata"]["namespace"], pod["metadata"]["name"])
                    targets.append(Target(labels, where, port, str(endpoint.get("path") or "/metrics"), every))
        return targets

    def _scrape_target(self, target: Target) -> list[Series]:
        """A scrape's samples: ``up`` 1 and the exposed series, or ``up`` 0 alone when the target
        does not answer 200 (upstream: prometheus/prometheus d15adb9a scrape/scrape.go scrapeAndReport,
        report: up is 1 only without a scrape error); an exposed label that a target label also
        names is kept as exported_<name> (honor_labels false: scrape/target.go / scrape.go
        resolveConflictingExposedLabels). Not simulated: scrape_duration_seconds,
        scrape_samples_scraped and the other report series."""
        handler = self.kube.find_pod_proxy(*target.pod, str(target.port))
        status, _, body = handler("GET", target.path, b"") if handler is not None else (0, {}, b"")
        if status != 200:
            return [({"__name__": "up", **target.labels}, 0.0)]
        samples = [({"__name__": "up", **target.labels}, 1.0)]
        for labels, value in parse_exposition(body.decode()):
            kept = {(f"exported_{k}" if k in target.labels else k): v for k, v in labels.items()}
            samples.append(({**kept, **target.labels}, value))
        return samples


class ScrapeLoop(Controller):
    """Drives every Prometheus server of the emulator: a look at the targets every RELOAD_INTERVAL
    seconds (and at every change of a Prometheus)."""

    watches: ClassVar[list[tuple[str, str]]] = [(OPERATOR, "Prometheus")]

    def __init__(self, servers: dict[str, PrometheusServer], delay: float = 0.02) -> None:
        super().__init__(delay)
        self.servers = servers
        self._next: dict[tuple[str, str], float] = {}

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        key = (obj["metadata"]["namespace"], obj["metadata"]["name"])
        server = self.servers.get(key[0])
        if server is None:
            return
        server.scrape()
        # The next look: the next reload, or sooner the next scrape or markers due (upstream each
        # loop scrapes on its own ticker).
        after = max(min(RELOAD_INTERVAL, server.next_due() - time.time()), 0.01)
        now = time.monotonic()
        if self._next.get(key, 0.0) <= now or now + after < self._next[key]:
            self._next[key] = now + after
            self.requeue(obj, after)


def _ports(pod: Mapping[str, Any], endpoint: Mapping[str, Any]) -> list[tuple[str, int]]:
    """(container, port number) of the pod's container ports the endpoint names."""
    found = []
    for container in (pod.get("spec") or {}).get("containers") or []:
        for p in container.get("ports") or []:
            by_name = endpoint.get("port") and p.get("name") == endpoint.get("port")
            by_number = endpoint.get("portNumber") and p.get("containerPort") == endpoint.get("portNumber")
            if by_name or by_number:
                found.append((str(container["name"]), int(p["containerPort"])))
    return found


def _name(obj: Mapping[str, Any]) -> tuple[str, str]:
    return (obj["metadata"].get("namespace") or "", obj["metadata"]["name"])


def _list(cluster: Any, api: str, kind: str, namespace: str | None) -> list[dict[str, Any]]:
    try:
        return list(cluster.list(api, kind, namespace))
    except ApiError:  # the cluster does not serve the kind
        return []
