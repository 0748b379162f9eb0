"""The Prometheus server a Prometheus (monitoring.coreos.com/v1) runs, as the lab's KEDA reads it:
``GET http://prometheus-operated.<namespace>.svc:9090/api/v1/query`` (the emulator's service proxy).

What it scrapes (at query time; a real server scrapes every interval and a query reads the last
sample, which the lab reads as "now"):

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
``SELECTOR`` (``name{label="v",...}``, matchers ``=``, ``!=``, ``=~``, ``!~``). Any other query is a
400 ``bad_data`` error that says so: the lab does not pretend to run PromQL it does not have.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.emulators.kube.controllers.fleet_scheduler import matches_selector
from tests.emulators.kube.controllers.prometheus import OPERATOR, selects
from tests.emulators.kube.status import ApiError

# The governing Service the operator makes for every Prometheus in a namespace, port "web" 9090
# (pkg/prometheus/server/statefulset.go governingServiceName; pkg/prometheus/common.go
# BuildStatefulSetService, DefaultPortName; selector app.kubernetes.io/name=prometheus,
# pkg/prometheus/server/operator.go applicationNameLabelValue).
SERVICE = "prometheus-operated"
PORT_NAME = "web"
PORT = 9090

Series = tuple[dict[str, str], float]
ProxyHandler = Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]
_HEADERS = {"Content-Type": "application/json"}


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


def serve_prometheus(kube: Any, namespace: str) -> None:
    """What the operator's StatefulSet answers behind ``prometheus-operated`` in ``namespace``."""
    if kube.cluster.get("v1", "Service", namespace, SERVICE) is None:
        kube.cluster.create(governing_service(namespace))
    server = PrometheusServer(kube, namespace)
    for port in (PORT_NAME, str(PORT)):
        kube.register_service_proxy(namespace, SERVICE, port, server.handle)


class PrometheusServer:
    def __init__(self, kube: Any, namespace: str) -> None:
        self.kube = kube
        self.namespace = namespace

    def handle(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(path)
        if parts.path.rstrip("/") != "/api/v1/query":
            return 404, {"Content-Type": "text/plain"}, b"404 page not found\n"
        if method not in ("GET", "POST"):
            return 405, {"Content-Type": "text/plain"}, b"Method Not Allowed\n"
        params = parse_qs(parts.query)
        if method == "POST":
            params |= parse_qs(body.decode())
        expr = (params.get("query") or [""])[0]
        try:
            at = _eval_time((params.get("time") or [""])[0])
            result = self.query(expr)
        except ValueError as exc:
            return 400, _HEADERS, json.dumps({"status": "error", "errorType": "bad_data", "error": str(exc)}).encode()
        vector = [{"metric": labels, "value": [at, format_value(value)]} for labels, value in result]
        data = {"status": "success", "data": {"resultType": "vector", "result": vector}}
        return 200, _HEADERS, json.dumps(data).encode()

    def query(self, expr: str) -> list[Series]:
        """The instant vector of ``expr`` (ValueError: not a shape the lab evaluates)."""
        text = expr.strip()
        m = re.fullmatch(r"sum\s*\((.*)\)", text, re.DOTALL)
        name, matchers = parse_selector(m.group(1) if m else text)
        found = [(labels, v) for labels, v in self.scrape() if _matches(labels, name, matchers)]
        if m is None:
            return found
        return [({}, sum(v for _, v in found))] if found else []

    def scrape(self) -> list[Series]:
        """Every sample of every target of the Prometheus the Service reaches."""
        proms = sorted(_list(self.kube.cluster, OPERATOR, "Prometheus", self.namespace), key=_name)
        if not proms:
            return []
        # The Service selects every Prometheus's pods in the namespace; a request reaches one of
        # them. The lab takes the first by name (one Prometheus per namespace in practice).
        prom = proms[0]
        samples: list[Series] = []
        for monitor in sorted(_list(self.kube.cluster, OPERATOR, "PodMonitor", None), key=_name):
            if selects(self.kube.cluster, prom, monitor):
                samples += self._scrape_monitor(monitor)
        return samples

    def _scrape_monitor(self, monitor: Mapping[str, Any]) -> list[Series]:
        md, spec = monitor["metadata"], monitor.get("spec") or {}
        ns_selector = spec.get("namespaceSelector") or {}
        if ns_selector.get("any"):
            pods = _list(self.kube.cluster, "v1", "Pod", None)
        else:
            pods = []
            for ns in ns_selector.get("matchNames") or [md["namespace"]]:
                pods += _list(self.kube.cluster, "v1", "Pod", ns)
        samples: list[Series] = []
        for pod in sorted(pods, key=_name):
            phase = (pod.get("status") or {}).get("phase")
            if phase in ("Failed", "Succeeded") or not matches_selector(
                spec.get("selector") or {}, pod["metadata"].get("labels") or {}
            ):
                continue
            for endpoint in spec.get("podMetricsEndpoints") or []:
                for container, port in _ports(pod, endpoint):
                    target = {
                        "namespace": pod["metadata"]["namespace"],
                        "container": container,
                        "pod": pod["metadata"]["name"],
                        "job": f"{md['namespace']}/{md['name']}",
                        "endpoint": str(endpoint.get("port") or port),
                        "instance": f"{(pod.get('status') or {}).get('podIP') or pod['metadata']['name']}:{port}",
                    }
                    samples += self._scrape_target(pod, port, str(endpoint.get("path") or "/metrics"), target)
        return samples

    def _scrape_target(self, pod: Mapping[str, Any], port: int, path: str, target: dict[str, str]) -> list[Series]:
        handler = self.kube.find_pod_proxy(pod["metadata"]["namespace"], pod["metadata"]["name"], str(port))
        status, _, body = handler("GET", path, b"") if handler is not None else (0, {}, b"")
        if status != 200:
            return [({"__name__": "up", **target}, 0.0)]
        samples = [({"__name__": "up", **target}, 1.0)]
        for labels, value in parse_exposition(body.decode()):
            kept = {(f"exported_{k}" if k in target else k): v for k, v in labels.items()}
            samples.append(({**kept, **target}, value))
        return samples


def parse_selector(text: str) -> tuple[str | None, list[tuple[str, str, str]]]:
    """``name{label op "value", ...}`` as (name, [(label, op, value)])."""
    m = re.fullmatch(r"\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(.*)\})?\s*", text, re.DOTALL)
    if m is None or (m.group(1) is None and m.group(2) is None):
        raise ValueError(
            f'invalid parameter "query": the lab\'s Prometheus evaluates only sum(SELECTOR) and SELECTOR, not {text!r}'
        )
    matchers: list[tuple[str, str, str]] = []
    rest = (m.group(2) or "").strip()
    pattern = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')
    while rest:
        mm = pattern.match(rest)
        if mm is None:
            raise ValueError(f'invalid parameter "query": bad label matchers in {text!r}')
        matchers.append((mm.group(1), mm.group(2), _unescape(mm.group(3))))
        rest = rest[mm.end() :].strip()
    return m.group(1), matchers


def parse_exposition(text: str) -> list[Series]:
    """The samples of the Prometheus text format (comments skipped; a timestamp ignored)."""
    samples: list[Series] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?", line)
        if m is None:
            continue
        labels = {"__name__": m.group(1)}
        for k, v in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""):
            labels[k] = _unescape(v)
        samples.append((labels, float(m.group(3))))
    return samples


def format_value(value: float) -> str:
    """As MarshalFloat writes a sample value: 'f' format, shortest, 'e' below 1e-6 and from 1e21."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value != 0 and (abs(value) < 1e-6 or abs(value) >= 1e21):
        return repr(value)
    return format(Decimal(repr(value)).normalize(), "f")


def _matches(labels: Mapping[str, str], name: str | None, matchers: list[tuple[str, str, str]]) -> bool:
    if name is not None and labels.get("__name__") != name:
        return False
    for label, op, value in matchers:
        have = labels.get(label, "")
        ok = {
            "=": have == value,
            "!=": have != value,
            "=~": re.fullmatch(value, have) is not None,
            "!~": re.fullmatch(value, have) is None,
        }[op]
        if not ok:
            return False
    return True


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


def _eval_time(raw: str) -> float:
    if not raw:
        return round(time.time(), 3)
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ValueError(f'invalid parameter "time": cannot parse "{raw}" to a valid timestamp') from None


def _unescape(value: str) -> str:
    return value.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _name(obj: Mapping[str, Any]) -> tuple[str, str]:
    return (obj["metadata"].get("namespace") or "", obj["metadata"]["name"])


def _list(cluster: Any, api: str, kind: str, namespace: str | None) -> list[dict[str, Any]]:
    try:
        return list(cluster.list(api, kind, namespace))
    except ApiError:  # the cluster does not serve the kind
        return []
