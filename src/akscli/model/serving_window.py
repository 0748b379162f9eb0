"""`model top --window`: each serving replica's vLLM figures over a window, from the cluster's
Prometheus (what its PodMonitor scraped), and each model's total.

The series are vLLM's (vllm-project/vllm 005a810b vllm/v1/metrics/loggers.py, PrometheusStatLogger,
labelled ``model_name`` and ``engine``; the names are model/metrics.py's): the scraper adds the
target's ``namespace`` and ``pod`` (prometheus-operator pkg/prometheus/promcfg.go
generatePodMonitorConfig), so a model's series are ``{namespace="NS",pod=~"P1|P2"}`` of its
serving pods, whichever PodMonitor scraped them (akscli's, KAITO's or Dynamo's). Per model, one
instant query per figure through gpu_activity's reader (the first Prometheus Operator Prometheus,
by the API server's service proxy):

* running, waiting: ``sum by (pod) (GAUGE{SEL})``; KV cache: ``avg by (pod)`` of
  ``vllm:kv_cache_usage_perc`` (``vllm:gpu_cache_usage_perc`` before vLLM 0.10: both names match);
* token rates: ``sum by (pod) (rate(COUNTER{SEL}[WINDOW]))`` (per second, prometheus/prometheus
  promql/functions.go extrapolatedRate);
* TTFT and end-to-end latency p50/p95: ``histogram_quantile(Q, sum by (pod, le)
  (rate(HIST_bucket{SEL}[WINDOW])))`` per replica and ``sum by (le)`` for the model (a quantile of
  the pooled buckets; percentiles of replicas do not add up: promql/quantile.go bucketQuantile).

The total row sums the queues and token rates of the replicas and averages their KV cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from akscli import gpu_activity
from akscli.kube.client import Kube
from akscli.model import metrics
from akscli.model.metrics import ReplicaFigures, Target

DEFAULT_WINDOW = "5m"
HOW = (
    "have a Prometheus Operator Prometheus scrape the model's pods (a PodMonitor it selects: akscli model "
    "deploy makes one; see docs/model.md 'Who scrapes the queue')"
)
_QUANTILES = (("ttft_p50_ms", metrics.TTFT, 0.5), ("ttft_p95_ms", metrics.TTFT, 0.95),
              ("e2e_p50_ms", metrics.E2E, 0.5), ("e2e_p95_ms", metrics.E2E, 0.95))  # fmt: skip


def selector(namespace: str, pods: Sequence[str]) -> str:
    """The label matchers of a model's serving pods (a PromQL string: a regex dot is ``\\\\.``)."""
    names = "|".join(p.replace(".", "\\\\.") for p in sorted(pods))
    return f'namespace="{namespace}",pod=~"{names}"'


def queries(namespace: str, pods: Sequence[str], window: str) -> dict[str, str]:
    """Field -> the PromQL sent; fields ending in ``@total`` are the model's pooled percentiles."""
    sel = selector(namespace, pods)
    kv = "|".join(metrics.KV_CACHE)
    found = {
        "running": f"sum by (pod) ({metrics.RUNNING}{{{sel}}})",
        "waiting": f"sum by (pod) ({metrics.WAITING}{{{sel}}})",
        "kv_cache_percent": f'avg by (pod) ({{__name__=~"{kv}",{sel}}})',
        "prompt_tokens_per_second": f"sum by (pod) (rate({metrics.PROMPT_TOKENS}{{{sel}}}[{window}]))",
        "generation_tokens_per_second": f"sum by (pod) (rate({metrics.GENERATION_TOKENS}{{{sel}}}[{window}]))",
    }
    for field, hist, q in _QUANTILES:
        rate = f"rate({hist}_bucket{{{sel}}}[{window}])"
        found[field] = f"histogram_quantile({q}, sum by (pod, le) ({rate}))"
        found[f"{field}@total"] = f"histogram_quantile({q}, sum by (le) ({rate}))"
    return found


def _shown(field: str, value: float) -> float:
    if field == "kv_cache_percent":
        return round(value * 100, 1)
    if field.endswith("_ms"):
        return round(value * 1000, 1)
    return round(value, 1)


def join(
    model: str, namespace: str, pods: Sequence[str], answers: Mapping[str, Sequence[gpu_activity.Sample]]
) -> list[dict[str, Any]]:
    """One row per pod (None where Prometheus has no figure) and the model's total (pod None)."""
    by_pod: dict[str, dict[str, float]] = {p: {} for p in pods}
    total: dict[str, float] = {}
    for field, samples in answers.items():
        for labels, value in samples:
            if field.endswith("@total"):
                total[field.removesuffix("@total")] = _shown(field.removesuffix("@total"), value)
            elif labels.get("pod") in by_pod:
                by_pod[labels["pod"]][field] = _shown(field, value)
    empty = ReplicaFigures(model, namespace, "", *([None] * 9)).to_dict()
    rows = [{**empty, "pod": p, **by_pod[p]} for p in pods]

    def summed(field: str) -> float | None:
        vals = [r[field] for r in rows if r[field] is not None]
        return round(sum(vals), 1) if vals else None

    kv = [r["kv_cache_percent"] for r in rows if r["kv_cache_percent"] is not None]
    sums = ("running", "waiting", "prompt_tokens_per_second", "generation_tokens_per_second")
    whole = {**empty, **{f: summed(f) for f in sums}, **total}
    whole.update(pod=None, kv_cache_percent=round(sum(kv) / len(kv), 1) if kv else None)
    return [*rows, whole]


def read(kube: Kube, targets: Sequence[Target], window: str) -> list[dict[str, Any]]:
    """The rows of every model among ``targets``; gpu_activity.Unavailable says why there are none."""
    models: dict[tuple[str, str], list[str]] = {}
    for t in targets:
        models.setdefault((t.model, t.namespace), []).append(t.pod)
    namespace = gpu_activity.find_prometheus(kube, what="vLLM metrics", how=HOW)
    rows: list[dict[str, Any]] = []
    for (model, ns), pods in models.items():
        answers = {f: gpu_activity.query(kube, namespace, q) for f, q in queries(ns, pods, window).items()}
        if not answers["running"]:
            raise gpu_activity.Unavailable(
                f"Prometheus {namespace}/{gpu_activity.SERVICE} has no {metrics.RUNNING} series of model "
                f"{ns}/{model}'s pods; {HOW}"
            )
        rows += join(model, ns, pods, answers)
    return rows
