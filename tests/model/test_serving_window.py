"""model top --window's plain logic (akscli.model.serving_window): the PromQL sent for all the
models at once, and Prometheus's per-pod answers split into one row per replica and each model's
total."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from akscli.gpu import activity as gpu_activity
from akscli.model import serving_window as sw
from akscli.model.metrics import Target

PHI = [Target("phi", "ml", "phi-0", 8000), Target("phi", "ml", "phi.1", 8000)]
QWEN = Target("qwen", "team", "qwen-0", 8000)


def test_one_query_per_figure_selects_every_models_pods() -> None:
    q = sw.queries([*PHI, QWEN], "5m")
    sel = 'namespace=~"ml|team",pod=~"phi-0|phi\\\\.1|qwen-0"'
    assert q["running"] == f"sum by (namespace, pod) (vllm:num_requests_running{{{sel}}})"
    assert (
        q["kv_cache_percent"]
        == f'avg by (namespace, pod) ({{__name__=~"vllm:kv_cache_usage_perc|vllm:gpu_cache_usage_perc",{sel}}})'
    )
    assert q["generation_tokens_per_second"] == (
        f"sum by (namespace, pod) (rate(vllm:generation_tokens_total{{{sel}}}[5m]))"
    )
    assert q["ttft"] == f"sum by (namespace, pod, le) (rate(vllm:time_to_first_token_seconds_bucket{{{sel}}}[5m]))"
    assert len(q) == 7
    assert sw.selector(PHI) == 'namespace="ml",pod=~"phi-0|phi\\\\.1"'


def test_bucket_quantile_is_prometheus_s_on_nonmonotonic_buckets() -> None:
    # prometheus/prometheus d15adb9a promql/promqltest/testdata/histograms.test, nonmonotonic_bucket at 50m.
    buckets = {0.1: 20.0, 1.0: 10.0, 10.0: 50.0, 100.0: 40.0, 1000.0: 90.0, float("inf"): 80.0}
    assert [round(sw.bucket_quantile(q, buckets) or 0, 6) for q in (0.01, 0.5, 0.99)] == [0.0045, 8.5, 979.75]
    assert sw.bucket_quantile(0.99, {0.1: 1.0, float("inf"): 2.0}) == 0.1  # the +Inf bucket: highest finite bound
    assert sw.bucket_quantile(0.5, {0.1: 1.0, 1.0: 2.0}) is None  # no +Inf bucket: NaN
    assert sw.bucket_quantile(0.5, {0.1: 0.0, float("inf"): 0.0}) is None  # no observations


def _ttft(ns: str, pod: str, fast: float, slow: float) -> list[gpu_activity.Sample]:
    """A replica's TTFT bucket rates: ``fast`` per second under 80ms, ``slow`` between 80ms and 1s."""
    counts = {"0.04": 0.0, "0.08": fast, "1.0": fast + slow, "+Inf": fast + slow}
    return [({"namespace": ns, "pod": pod, "le": le}, n) for le, n in counts.items()]


def test_join_splits_the_answers_by_model_and_pools_each_models_buckets() -> None:
    answers: dict[str, list[gpu_activity.Sample]] = {
        "running": [
            ({"namespace": "ml", "pod": "phi-0"}, 3.0),
            ({"namespace": "ml", "pod": "phi.1"}, 1.0),
            ({"namespace": "team", "pod": "phi-0"}, 9.0),  # another namespace's pod of that name
            ({"namespace": "ml", "pod": "old"}, 9.0),  # gone from the cluster
        ],
        "kv_cache_percent": [({"namespace": "ml", "pod": "phi-0"}, 0.5), ({"namespace": "ml", "pod": "phi.1"}, 0.25)],
        "generation_tokens_per_second": [({"namespace": "ml", "pod": "phi-0"}, 12.34)],
        "ttft": _ttft("ml", "phi-0", 0.9, 0.1) + _ttft("ml", "phi.1", 1.0, 0.0),
    }
    joined = sw.join([*PHI, QWEN], answers)
    assert list(joined) == [("phi", "ml")]  # qwen: no running series, no rows
    a, b, total = joined[("phi", "ml")]
    assert (a["pod"], a["running"], a["kv_cache_percent"], a["generation_tokens_per_second"]) == (
        "phi-0", 3.0, 50.0, 12.3,
    )  # fmt: skip
    assert (a["ttft_p50_ms"], a["ttft_p95_ms"]) == (62.2, 540.0)
    assert b["waiting"] is None and b["e2e_p50_ms"] is None
    assert (total["pod"], total["model"], total["running"], total["kv_cache_percent"]) == (None, "phi", 4.0, 37.5)
    # The pooled buckets (1.9 of 2 per second at or under 80ms), not the mean of the replicas' p95.
    assert (total["ttft_p50_ms"], total["ttft_p95_ms"]) == (61.1, 80.0) and total["waiting"] is None


class _Kube:
    """A cluster with one Prometheus whose answers are ``vectors[query figure]``, counting the
    requests and how many are in flight at once."""

    def __init__(self, result: list[dict[str, Any]], prometheus: bool = True) -> None:
        self.result, self.prometheus, self.paths = result, prometheus, []  # type: list[str]
        self.lock, self.in_flight, self.most = threading.Lock(), 0, 0
        self.together = threading.Barrier(sw.PARALLEL, timeout=10)

    def has_api(self, api: str, kind: str) -> bool:
        return self.prometheus

    def list(self, api: str, kind: str, all_namespaces: bool = False) -> list[dict[str, Any]]:
        return [{"metadata": {"namespace": "monitoring", "name": "k"}}]

    def proxy(self, namespace: str, service: str, port: int, path: str, **kw: Any) -> tuple[int, bytes]:
        with self.lock:
            self.paths.append(f"{kw['method']} {path} {kw['body']}")
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            first = len(self.paths) <= sw.PARALLEL
        if first:
            self.together.wait()  # the first PARALLEL queries are in flight together
        with self.lock:
            self.in_flight -= 1
        body = {"status": "success", "data": {"resultType": "vector", "result": self.result}}
        return 200, json.dumps(body).encode()


def test_read_without_series_or_prometheus_says_why_and_how() -> None:
    with pytest.raises(
        gpu_activity.Unavailable, match=r"no vllm:num_requests_running series of model ml/phi's pods; .*PodMonitor"
    ):
        sw.read(_Kube([]), PHI, "5m")  # type: ignore[arg-type]
    with pytest.raises(gpu_activity.Unavailable, match=r"no Prometheus .* to read vLLM metrics from; .*PodMonitor"):
        sw.read(_Kube([], prometheus=False), PHI, "5m")  # type: ignore[arg-type]


def test_read_sends_seven_queries_for_any_number_of_models_a_few_at_a_time() -> None:
    models = [*PHI, QWEN, Target("mistral", "team", "mistral-0", 8000)]
    kube = _Kube([{"metric": {"namespace": "ml", "pod": "phi-0"}, "value": [1, "2"]}])
    reading = sw.read(kube, models, "10m")  # type: ignore[arg-type]
    print(f"Prometheus requests for 3 models, 4 pods: {len(kube.paths)} (13 per model before: 39)")
    assert len(kube.paths) == 7 and all(p.startswith("POST /api/v1/query query=") for p in kube.paths)
    assert kube.most == sw.PARALLEL
    assert [r["pod"] for r in reading.rows] == ["phi-0", "phi.1", None] and reading.rows[0]["waiting"] == 2.0
    # The models without series: a line each (why, how); phi keeps its rows.
    assert [line.split(":")[0] for line in reading.unseen] == [
        "no figures over 10m from model team/qwen",
        "no figures over 10m from model team/mistral",
    ]
    assert "has no vllm:num_requests_running series of its pods; have a Prometheus" in reading.unseen[0]
