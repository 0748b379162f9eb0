"""What `model top` and `model status` show: each serving pod's vLLM figures, read from its
/metrics through the API server's pod proxy (no Prometheus needed).

The metric names are vLLM's (vllm-project/vllm v0.24.0 vllm/v1/metrics/loggers.py, PrometheusStatLogger):
``vllm:num_requests_running`` and ``vllm:num_requests_waiting`` (gauges), ``vllm:kv_cache_usage_perc``
(a 0-1 gauge), ``vllm:prompt_tokens_total`` and ``vllm:generation_tokens_total`` (counters),
``vllm:time_to_first_token_seconds`` and ``vllm:e2e_request_latency_seconds`` (histograms), each
labelled ``model_name`` and ``engine``. ``vllm:gpu_cache_usage_perc`` is read where
``kv_cache_usage_perc`` is absent: an older ``--image`` (v0.11.0 writes it only under
``--show-hidden-metrics-for-version=0.10``; v0.24.0 has none). A server with N engine cores
(``--data-parallel-size N``, as KAITO runs a model under half a GPU: kaito-project/kaito v0.12.0
pkg/model/interface.go configureParallelism) writes one series per engine (vllm/v1/metrics/utils.py
create_metric_per_engine): the queues, token counts and buckets are summed over them, the KV cache
is their mean, as serving_window's ``avg by (namespace, pod)``. Token rates and latency percentiles
come from two scrapes ``interval`` seconds apart; percentiles are interpolated within histogram
buckets as Prometheus's histogram_quantile does.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from akscli.errors import AkscliError, NotFoundError
from akscli.kube.client import Kube
from akscli.kube.reach import GATEWAY_ANSWERS, gateway_error, not_serving, proxy_reason

RUNNING = "vllm:num_requests_running"
WAITING = "vllm:num_requests_waiting"
KV_CACHE = ("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc")
PROMPT_TOKENS = "vllm:prompt_tokens_total"
GENERATION_TOKENS = "vllm:generation_tokens_total"
TTFT = "vllm:time_to_first_token_seconds"
E2E = "vllm:e2e_request_latency_seconds"

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")
_LE = re.compile(r'le="([^"]+)"')


@dataclass(frozen=True)
class Scrape:
    """One pod's samples: metric name -> value summed over its series (``series``: how many);
    histogram buckets by upper bound."""

    at: float
    values: dict[str, float]
    buckets: dict[str, dict[float, float]]
    series: dict[str, int] = field(default_factory=dict)

    def mean(self, name: str) -> float:
        """The mean of ``name``'s series (one per engine core)."""
        return self.values[name] / self.series.get(name, 1)


def parse(text: str, at: float) -> Scrape:
    """The Prometheus text format, summed over label sets (one model per server, a series per engine)."""
    values: dict[str, float] = {}
    counts: dict[str, int] = {}
    buckets: dict[str, dict[float, float]] = {}
    for line in text.splitlines():
        m = _SAMPLE.match(line)
        if not m or line.startswith("#"):
            continue
        name, labels, raw = m.group(1), m.group(2) or "", m.group(3)
        try:
            value = float(raw)
        except ValueError:
            continue
        if name.endswith("_bucket"):
            le = _LE.search(labels)
            if le:
                bound = math.inf if le.group(1) == "+Inf" else float(le.group(1))
                series = buckets.setdefault(name.removesuffix("_bucket"), {})
                series[bound] = series.get(bound, 0.0) + value
            continue
        values[name] = values.get(name, 0.0) + value
        counts[name] = counts.get(name, 0) + 1
    return Scrape(at, values, buckets, counts)


def quantile(q: float, buckets: Mapping[float, float]) -> float | None:
    """histogram_quantile over cumulative bucket counts; None without observations."""
    bounds = sorted(buckets)
    if not bounds or buckets[bounds[-1]] <= 0:
        return None
    total = buckets[bounds[-1]]
    rank = q * total
    lower, below = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if math.isinf(bound):
                return lower
            width = count - below
            return lower + (bound - lower) * ((rank - below) / width if width > 0 else 0.0)
        lower, below = bound, count
    return lower


def _delta(first: Scrape, second: Scrape, name: str) -> dict[float, float]:
    """The buckets observed between the scrapes; all of them if the server restarted."""
    old, new = first.buckets.get(name, {}), second.buckets.get(name, {})
    diff = {b: new[b] - old.get(b, 0.0) for b in new}
    if any(v < 0 for v in diff.values()) or not diff or max(diff.values()) <= 0:
        return new
    return diff


@dataclass(frozen=True)
class ReplicaFigures:
    model: str
    namespace: str
    pod: str
    running: float | None
    waiting: float | None
    kv_cache_percent: float | None
    prompt_tokens_per_second: float | None
    generation_tokens_per_second: float | None
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None
    e2e_p50_ms: float | None
    e2e_p95_ms: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rate(first: Scrape, second: Scrape, name: str) -> float | None:
    if name not in second.values or second.at <= first.at:
        return None
    change = second.values[name] - first.values.get(name, 0.0)
    return round(max(change, 0.0) / (second.at - first.at), 1)


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def figures(model: str, namespace: str, pod: str, first: Scrape, second: Scrape) -> ReplicaFigures:
    kv = next((second.mean(k) for k in KV_CACHE if k in second.values), None)
    ttft, e2e = _delta(first, second, TTFT), _delta(first, second, E2E)
    return ReplicaFigures(
        model=model,
        namespace=namespace,
        pod=pod,
        running=second.values.get(RUNNING),
        waiting=second.values.get(WAITING),
        kv_cache_percent=None if kv is None else round(kv * 100, 1),
        prompt_tokens_per_second=_rate(first, second, PROMPT_TOKENS),
        generation_tokens_per_second=_rate(first, second, GENERATION_TOKENS),
        ttft_p50_ms=_ms(quantile(0.5, ttft)),
        ttft_p95_ms=_ms(quantile(0.95, ttft)),
        e2e_p50_ms=_ms(quantile(0.5, e2e)),
        e2e_p95_ms=_ms(quantile(0.95, e2e)),
    )


def scrape(kube: Kube, namespace: str, pod: str, port: int, clock: Callable[[], float] = time.monotonic) -> Scrape:
    """GET /metrics of one pod through the API server's pod proxy."""
    try:
        status, body = kube.proxy(namespace, pod, port, "/metrics", resource="pods")
    except NotFoundError as exc:
        raise NotFoundError(f"pod {namespace}/{pod} is gone", hint="run the command again") from exc
    if status in GATEWAY_ANSWERS:
        raise gateway_error(
            status, f"GET /metrics on pod {namespace}/{pod}", hint="is the vLLM server up? see akscli model logs"
        )
    if status != 200:
        # A 503 is the pod proxy's own answer: its reason says why the pod was not reached.
        why = proxy_reason(body) if not_serving(status) else ""
        raise AkscliError(
            f"GET /metrics on pod {namespace}/{pod} answered HTTP {status}" + (f": {why}" if why else ""),
            hint="is the vLLM server up? see akscli model logs",
        )
    return parse(body.decode("utf-8", "replace"), clock())


@dataclass(frozen=True)
class Target:
    """One serving pod to read: the model it serves and its metrics port."""

    model: str
    namespace: str
    pod: str
    port: int


def read(
    kube: Kube,
    targets: Sequence[Target],
    interval: float,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[ReplicaFigures], dict[Target, AkscliError]]:
    """Two scrapes of every target, ``interval`` seconds apart: the figures of each target, all
    None for one that did not answer (as kubectl top node shows ``<unknown>`` for a node without
    metrics, kubernetes/kubectl pkg/cmd/top/top_node.go), and why each of those did not."""
    failed: dict[Target, AkscliError] = {}

    def once(t: Target) -> Scrape | None:
        if t in failed:
            return None
        try:
            return scrape(kube, t.namespace, t.pod, t.port)
        except AkscliError as exc:
            failed[t] = exc
            return None

    first = {t: once(t) for t in targets}
    if targets and len(failed) < len(targets):
        sleep(interval)
    rows = []
    for t in targets:
        before, now = first[t], once(t)
        if before is None or now is None:
            rows.append(ReplicaFigures(t.model, t.namespace, t.pod, *([None] * 9)))
        else:
            rows.append(figures(t.model, t.namespace, t.pod, before, now))
    return rows, failed


def one_line(rows: Iterable[ReplicaFigures]) -> str:
    """`model status`'s summary of all replicas: queue, KV cache and latency."""
    items = list(rows)
    if not items:
        return "no serving pod to read"

    def total(get: Callable[[ReplicaFigures], float | None]) -> str:
        vals = [v for v in map(get, items) if v is not None]
        return f"{sum(vals):g}" if vals else "-"

    def worst(get: Callable[[ReplicaFigures], float | None], unit: str) -> str:
        vals = [v for v in map(get, items) if v is not None]
        return f"{max(vals):g}{unit}" if vals else "-"

    return (
        f"{len(items)} replica(s): {total(lambda r: r.running)} running, {total(lambda r: r.waiting)} waiting, "
        f"KV cache {worst(lambda r: r.kv_cache_percent, '%')}, "
        f"{total(lambda r: r.generation_tokens_per_second)} gen tok/s, "
        f"TTFT p95 {worst(lambda r: r.ttft_p95_ms, 'ms')}, e2e p95 {worst(lambda r: r.e2e_p95_ms, 'ms')}"
    )
