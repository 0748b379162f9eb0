"""`model top --window`: each serving replica's vLLM figures over a window, from the cluster's
Prometheus (what its PodMonitor scraped), and each model's total.

The series are vLLM's (vllm-project/vllm 005a810b vllm/v1/metrics/loggers.py, PrometheusStatLogger,
labelled ``model_name`` and ``engine``; the names are model/metrics.py's): the scraper adds the
target's ``namespace`` and ``pod`` (prometheus-operator pkg/prometheus/promcfg.go
generatePodMonitorConfig), so the series of the selected models are
``{namespace="NS",pod=~"P1|P2|..."}`` of their serving pods (``namespace=~"A|B"`` across
namespaces), whichever PodMonitor scraped them (akscli's, KAITO's or Dynamo's). One instant query
per figure for all the models at once (not per model), at most PARALLEL in flight, through
gpu_activity's reader (the first Prometheus Operator Prometheus, by the API server's service
proxy), each a POST whose form carries the PromQL (prometheus_source.Querier: the URL stays short
however many pods the selector names); the answers are split here by (namespace, pod) into the
models akscli found:

* running, waiting: ``sum by (namespace, pod) (GAUGE{SEL})``; KV cache: ``avg by (namespace, pod)``
  of ``vllm:kv_cache_usage_perc`` (``vllm:gpu_cache_usage_perc`` before vLLM 0.10: both match);
* token rates: ``sum by (namespace, pod) (rate(COUNTER{SEL}[WINDOW]))`` (per second,
  prometheus/prometheus promql/functions.go extrapolatedRate);
* TTFT and end-to-end latency: ``sum by (namespace, pod, le) (rate(HIST_bucket{SEL}[WINDOW]))``,
  one query per histogram; p50/p95 of a replica are its buckets' quantile, the model's those of
  its replicas' buckets summed: what ``histogram_quantile(Q, sum by (le) (...))`` gives, computed
  here as Prometheus does (``bucket_quantile``). Not grouped by vLLM's ``model_name``: it is the
  served name, which two deployments share (KAITO serves a Workspace under its preset's name:
  kaito-project/kaito v0.12.0 pkg/model/interface.go buildVLLMInferenceCommand), so the model a
  pod belongs to is the one akscli found it under.

The total row sums the queues and token rates of the replicas and averages their KV cache. A
model none of whose pods has a ``vllm:num_requests_running`` series has no rows and one line
saying so; the others keep theirs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from akscli import concurrency
from akscli.gpu import activity as gpu_activity
from akscli.kube.client import Kube
from akscli.model import metrics
from akscli.model.metrics import ReplicaFigures, Target

DEFAULT_WINDOW = "5m"
PARALLEL = 4  # queries in flight at once (7 in all): a small burst for the API server's proxy
HOW = (
    "have a Prometheus Operator Prometheus scrape the model's pods (a PodMonitor it selects: akscli model "
    "deploy makes one; see docs/model.md 'Who scrapes the queue')"
)
_HISTOGRAMS = (("ttft", metrics.TTFT), ("e2e", metrics.E2E))
# promql/quantile.go smallDeltaTolerance: bucket counts this close are one count (float noise).
_SMALL_DELTA = 1e-12
_MIN_NORMAL = 2.2250738585072014e-308  # util/almost/almost.go minNormal

Model = tuple[str, str]  # (model, namespace)


def selector(targets: Sequence[Target]) -> str:
    """The label matchers of the targets' pods (a PromQL string: a regex dot is ``\\\\.``). Across
    namespaces a pod of one namespace may match a name of another: such series are dropped here."""
    namespaces = sorted({t.namespace for t in targets})
    names = "|".join(p.replace(".", "\\\\.") for p in sorted({t.pod for t in targets}))
    where = f'namespace="{namespaces[0]}"' if len(namespaces) == 1 else f'namespace=~"{"|".join(namespaces)}"'
    return f'{where},pod=~"{names}"'


def queries(targets: Sequence[Target], window: str) -> dict[str, str]:
    """Field -> the PromQL sent for all the targets; ``ttft`` and ``e2e`` are bucket rates."""
    sel = selector(targets)
    kv = "|".join(metrics.KV_CACHE)
    by = "sum by (namespace, pod)"
    found = {
        "running": f"{by} ({metrics.RUNNING}{{{sel}}})",
        "waiting": f"{by} ({metrics.WAITING}{{{sel}}})",
        "kv_cache_percent": f'avg by (namespace, pod) ({{__name__=~"{kv}",{sel}}})',
        "prompt_tokens_per_second": f"{by} (rate({metrics.PROMPT_TOKENS}{{{sel}}}[{window}]))",
        "generation_tokens_per_second": f"{by} (rate({metrics.GENERATION_TOKENS}{{{sel}}}[{window}]))",
    }
    for name, hist in _HISTOGRAMS:
        found[name] = f"sum by (namespace, pod, le) (rate({hist}_bucket{{{sel}}}[{window}]))"
    return found


def _almost_equal(a: float, b: float) -> bool:
    """util/almost/almost.go Equal with quantile.go's tolerance."""
    if a == b:
        return True
    total, diff = abs(a) + abs(b), abs(a - b)
    if a == 0 or b == 0 or total < _MIN_NORMAL:
        return diff < _SMALL_DELTA * _MIN_NORMAL
    return diff / total < _SMALL_DELTA


def bucket_quantile(q: float, buckets: Mapping[float, float]) -> float | None:
    """prometheus/prometheus d15adb9a promql/quantile.go BucketQuantile over {upper bound:
    cumulative count} (bounds already coalesced, as coalesceBuckets does): None where Prometheus
    gives NaN (no +Inf bucket, fewer than two buckets, no observations). Counts are first made
    monotonic (ensureMonotonicAndIgnoreSmallDeltas: a bucket's rate can come out below the one
    before it, each series being extrapolated on its own); the rank ``q * count`` is interpolated
    linearly in the first bucket that reaches it, from 0 below the lowest; in the +Inf bucket, the
    highest finite bound."""
    bounds = sorted(buckets)
    if not bounds or not math.isinf(bounds[-1]) or len(bounds) < 2:
        return None
    counts = [buckets[b] for b in bounds]
    prev = counts[0]
    for i in range(1, len(counts)):
        if counts[i] == prev:
            continue
        if _almost_equal(prev, counts[i]) or counts[i] < prev:
            counts[i] = prev  # 'prev' stays: the difference is ignored
            continue
        prev = counts[i]
    observations = counts[-1]
    if observations == 0:
        return None
    rank = q * observations
    b = next((i for i, count in enumerate(counts[:-1]) if count >= rank), len(counts) - 1)
    if b == len(counts) - 1:
        return bounds[-2]
    if b == 0 and bounds[0] <= 0:
        return bounds[0]
    start, count = 0.0, counts[b]
    if b > 0:
        start, count, rank = bounds[b - 1], count - counts[b - 1], rank - counts[b - 1]
    return start + (bounds[b] - start) * (rank / count)


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def _percentiles(name: str, buckets: Mapping[float, float]) -> dict[str, float | None]:
    return {f"{name}_p50_ms": _ms(bucket_quantile(0.5, buckets)), f"{name}_p95_ms": _ms(bucket_quantile(0.95, buckets))}


def _bound(labels: Mapping[str, str]) -> float | None:
    try:
        return float(labels["le"])  # "+Inf" too
    except (KeyError, ValueError):
        return None


@dataclass
class _Figures:
    values: dict[str, float] = field(default_factory=dict)
    buckets: dict[str, dict[float, float]] = field(default_factory=dict)

    def add_buckets(self, name: str, bound: float, value: float) -> None:
        series = self.buckets.setdefault(name, {})
        series[bound] = series.get(bound, 0.0) + value


def join(
    targets: Sequence[Target], answers: Mapping[str, Sequence[gpu_activity.Sample]]
) -> dict[Model, list[dict[str, Any]]]:
    """Each model's rows, by (model, namespace): one per pod (None where Prometheus has no
    figure) and its total (pod None); a model none of whose pods has a ``running`` series is
    left out. Series of pods that are no target (gone, or another namespace's) are dropped."""
    owner = {(t.namespace, t.pod): (t.model, t.namespace) for t in targets}
    found = {key: _Figures() for key in owner}
    for figure, samples in answers.items():
        for labels, value in samples:
            figures = found.get((labels.get("namespace", ""), labels.get("pod", "")))
            if figures is None:
                continue
            if figure in dict(_HISTOGRAMS):
                if (bound := _bound(labels)) is not None:
                    figures.add_buckets(figure, bound, value)
            else:
                figures.values[figure] = figures.values.get(figure, 0.0) + value
    models: dict[Model, list[tuple[str, _Figures]]] = {}
    for t in targets:
        models.setdefault((t.model, t.namespace), []).append((t.pod, found[(t.namespace, t.pod)]))
    return {model: _rows(model, pods) for model, pods in models.items() if any("running" in f.values for _, f in pods)}


def _shown(figure: str, value: float) -> float:
    return round(value * 100, 1) if figure == "kv_cache_percent" else round(value, 1)


def _rows(model: Model, pods: Sequence[tuple[str, _Figures]]) -> list[dict[str, Any]]:
    empty = ReplicaFigures(model[0], model[1], "", *([None] * 9)).to_dict()
    rows = []
    for pod, figures in pods:
        row = {**empty, "pod": pod, **{k: _shown(k, v) for k, v in figures.values.items()}}
        for name, _ in _HISTOGRAMS:
            row.update(_percentiles(name, figures.buckets.get(name, {})))
        rows.append(row)

    def summed(figure: str) -> float | None:
        vals = [r[figure] for r in rows if r[figure] is not None]
        return round(sum(vals), 1) if vals else None

    kv = [r["kv_cache_percent"] for r in rows if r["kv_cache_percent"] is not None]
    sums = ("running", "waiting", "prompt_tokens_per_second", "generation_tokens_per_second")
    whole = {**empty, **{f: summed(f) for f in sums}, "pod": None}
    whole["kv_cache_percent"] = round(sum(kv) / len(kv), 1) if kv else None
    for name, _ in _HISTOGRAMS:
        pooled: dict[float, float] = {}
        for _, figures in pods:
            for bound, value in figures.buckets.get(name, {}).items():
                pooled[bound] = pooled.get(bound, 0.0) + value
        whole.update(_percentiles(name, pooled))
    return [*rows, whole]


@dataclass(frozen=True)
class Reading:
    """What Prometheus gave: the rows of the models it has series of, and one line per model it
    has none of (why and how)."""

    rows: list[dict[str, Any]]
    unseen: list[str]


def read(kube: Kube, targets: Sequence[Target], window: str) -> Reading:
    """The rows of every model among ``targets``; gpu_activity.Unavailable says why there are
    none (no Prometheus, a query refused, or no model with series)."""
    namespace = gpu_activity.find_prometheus(kube, what="vLLM metrics", how=HOW)
    sent = list(queries(targets, window).items())
    where, ask = f"Prometheus {namespace}/{gpu_activity.SERVICE}", gpu_activity.in_cluster(kube, namespace)
    answers = concurrency.parallel_map(lambda q: gpu_activity.ask_query(ask, where, q[1], proxied=True), sent, PARALLEL)
    joined = join(targets, dict(zip([f for f, _ in sent], answers, strict=True)))
    models = list(dict.fromkeys((t.model, t.namespace) for t in targets))
    missing = [m for m in models if m not in joined]
    if not joined:
        named = ", ".join(f"{ns}/{model}" for model, ns in missing)
        which = f"model {named}'s pods" if len(missing) == 1 else f"the pods of models {named}"
        raise gpu_activity.Unavailable(f"{where} has no {metrics.RUNNING} series of {which}; {HOW}")
    unseen = [
        f"no figures over {window} from model {ns}/{model}: {where} has no {metrics.RUNNING} series of its pods; {HOW}"
        for model, ns in missing
    ]
    return Reading([row for m in models for row in joined.get(m, [])], unseen)
