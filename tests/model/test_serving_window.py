"""model top --window's plain logic (akscli.model.serving_window): the PromQL sent per model, and
Prometheus's per-pod and pooled answers joined into one row per replica and the model's total."""

from __future__ import annotations

from typing import Any

import pytest

from akscli import gpu_activity
from akscli.model import serving_window as sw
from akscli.model.metrics import Target


def test_queries_select_the_models_pods_and_pool_the_buckets_for_the_total() -> None:
    q = sw.queries("ml", ["llm-0", "llm.b"], "5m")
    sel = 'namespace="ml",pod=~"llm-0|llm\\\\.b"'
    assert q["running"] == f"sum by (pod) (vllm:num_requests_running{{{sel}}})"
    assert (
        q["kv_cache_percent"]
        == f'avg by (pod) ({{__name__=~"vllm:kv_cache_usage_perc|vllm:gpu_cache_usage_perc",{sel}}})'
    )
    assert q["generation_tokens_per_second"] == f"sum by (pod) (rate(vllm:generation_tokens_total{{{sel}}}[5m]))"
    rate = f"rate(vllm:time_to_first_token_seconds_bucket{{{sel}}}[5m])"
    assert q["ttft_p95_ms"] == f"histogram_quantile(0.95, sum by (pod, le) ({rate}))"
    assert q["ttft_p95_ms@total"] == f"histogram_quantile(0.95, sum by (le) ({rate}))"
    assert len(q) == 13


def test_join_gives_a_row_per_pod_and_a_total_that_sums_queues_and_averages_the_kv_cache() -> None:
    answers: dict[str, list[gpu_activity.Sample]] = {
        "running": [({"pod": "a"}, 3.0), ({"pod": "b"}, 1.0), ({"pod": "old"}, 9.0)],
        "kv_cache_percent": [({"pod": "a"}, 0.5), ({"pod": "b"}, 0.25)],
        "generation_tokens_per_second": [({"pod": "a"}, 12.34)],
        "ttft_p95_ms": [({"pod": "a"}, 0.75)],
        "ttft_p95_ms@total": [({}, 0.5)],
    }
    a, b, total = sw.join("phi", "ml", ["a", "b"], answers)
    assert (a["running"], a["kv_cache_percent"], a["generation_tokens_per_second"], a["ttft_p95_ms"]) == (
        3.0, 50.0, 12.3, 750.0,
    )  # fmt: skip
    assert b["waiting"] is None and b["ttft_p95_ms"] is None
    assert total["pod"] is None and total["model"] == "phi"
    assert (total["running"], total["kv_cache_percent"], total["generation_tokens_per_second"]) == (4.0, 37.5, 12.3)
    assert total["ttft_p95_ms"] == 500.0 and total["waiting"] is None


class _Kube:
    def __init__(self, answer: bytes, prometheus: bool = True) -> None:
        self.answer, self.prometheus, self.paths = answer, prometheus, []  # type: list[str]

    def has_api(self, api: str, kind: str) -> bool:
        return self.prometheus

    def list(self, api: str, kind: str, all_namespaces: bool = False) -> list[dict[str, Any]]:
        return [{"metadata": {"namespace": "monitoring", "name": "k"}}]

    def proxy(self, namespace: str, service: str, port: int, path: str) -> tuple[int, bytes]:
        self.paths.append(path)
        return 200, self.answer


def test_read_without_series_or_prometheus_says_why_and_how() -> None:
    targets = [Target("phi", "ml", "phi-0", 8000)]
    empty = b'{"status":"success","data":{"resultType":"vector","result":[]}}'
    with pytest.raises(
        gpu_activity.Unavailable, match=r"no vllm:num_requests_running series of model ml/phi.*PodMonitor"
    ):
        sw.read(_Kube(empty), targets, "5m")  # type: ignore[arg-type]
    with pytest.raises(gpu_activity.Unavailable, match=r"no Prometheus .* to read vLLM metrics from; .*PodMonitor"):
        sw.read(_Kube(empty, prometheus=False), targets, "5m")  # type: ignore[arg-type]


def test_read_queries_the_first_prometheus_once_per_figure_of_each_model() -> None:
    one = b'{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"phi-0"},"value":[1,"2"]}]}}'
    kube = _Kube(one)
    rows = sw.read(kube, [Target("phi", "ml", "phi-0", 8000)], "10m")  # type: ignore[arg-type]
    assert [r["pod"] for r in rows] == ["phi-0", None] and rows[0]["waiting"] == 2.0
    assert len(kube.paths) == 13 and all(p.startswith("/api/v1/query?query=") for p in kube.paths)
