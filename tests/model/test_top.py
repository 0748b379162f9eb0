"""`model top` and `model status` read each serving pod's vLLM /metrics through the pod proxy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from akscli.model import metrics
from tests.cli import invoke, list_items
from tests.emulators.kube.controllers.vllm import VllmMetrics

Start = Callable[..., Any]


def _deploy(*args: str) -> None:
    result = invoke("model", "deploy", *args, "-y")
    assert result.exit_code == 0, result


def test_top_shows_queue_kv_cache_rates_and_latency_per_replica(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4", "--wait", "--timeout", "20s")
    server = VllmMetrics(
        "phi-4", running=3, waiting=2, kv_cache=0.42, ttft=[0.05] * 90 + [0.9] * 10, e2e=[1.2] * 100,
        generation_tokens_per_scrape=200,
    )  # fmt: skip
    emu.register_pod_proxy("default", "phi-4-0", 5000, server.handler())
    result = invoke("model", "top", "phi-4", "--interval", "200ms", "-o", "json")
    assert result.exit_code == 0, result
    [row] = list_items(result.stdout)
    assert (row["pod"], row["running"], row["waiting"], row["kv_cache_percent"]) == ("phi-4-0", 3, 2, 42.0)
    assert row["generation_tokens_per_second"] > 0
    assert row["ttft_p50_ms"] < 100 < row["ttft_p95_ms"]
    assert 1000 < row["e2e_p50_ms"] <= 1500
    table = invoke("model", "top", "--interval", "100ms").stdout
    assert "KV CACHE" in table and "42%" in table


def test_top_shows_a_data_parallel_servers_kv_cache_as_the_mean_of_its_engines(model_emulator: Start) -> None:
    # KAITO runs a model under half a GPU with --data-parallel-size = the node's GPUs (kaito-project/kaito
    # v0.12.0 pkg/model/interface.go configureParallelism); vLLM writes a series per engine.
    emu = model_emulator()
    _deploy("phi-4", "--wait", "--timeout", "20s")
    server = VllmMetrics("phi-4", running=3, waiting=2, kv_cache=0.42, ttft=[0.05] * 10, engines=2)
    emu.register_pod_proxy("default", "phi-4-0", 5000, server.handler())
    [row] = list_items(invoke("model", "top", "phi-4", "--interval", "100ms", "-o", "json").stdout)
    assert (row["running"], row["waiting"], row["kv_cache_percent"]) == (6, 4, 42.0)
    assert row["ttft_p50_ms"] < 100


def test_top_reads_every_replica_of_an_inferenceset(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4", "--replicas", "2", "--wait", "--timeout", "20s")
    leaders = [p["metadata"]["name"] for p in emu.cluster.list("v1", "Pod", "default")
               if p["metadata"]["name"].startswith("phi-4-") and p["metadata"]["name"].endswith("-0")]  # fmt: skip
    for pod in leaders:
        emu.register_pod_proxy("default", pod, 5000, VllmMetrics("phi-4", waiting=1).handler())
    rows = list_items(invoke("model", "top", "phi-4", "--interval", "100ms", "-o", "json").stdout)
    assert sorted(r["pod"] for r in rows) == sorted(leaders) and len(rows) == 2


def test_top_shows_the_replicas_that_answer_and_marks_the_one_that_does_not(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4", "--replicas", "2", "--wait", "--timeout", "20s")
    names = [p["metadata"]["name"] for p in emu.cluster.list("v1", "Pod", "default")]
    leaders = sorted(n for n in names if n.startswith("phi-4-") and n.endswith("-0"))
    emu.register_pod_proxy("default", leaders[0], 5000, VllmMetrics("phi-4", waiting=1).handler())
    result = invoke("model", "top", "-A", "--interval", "100ms", "-o", "json")
    assert result.exit_code == 0, result
    rows = {r["pod"]: r for r in list_items(result.stdout)}
    assert rows[leaders[0]]["waiting"] == 1 and rows[leaders[1]]["waiting"] is None
    assert f"warning: no figures from pod default/{leaders[1]}:" in result.stderr


def test_top_fails_when_no_replica_answers(model_emulator: Start) -> None:
    model_emulator()
    _deploy("phi-4", "--wait", "--timeout", "20s")
    result = invoke("model", "top", "phi-4", "--interval", "100ms")
    assert result.exit_code != 0
    assert "phi-4-0" in result.stderr and result.stdout == ""


def test_status_shows_the_serving_figures_in_one_line(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("phi-4", "--wait", "--timeout", "20s")
    emu.register_pod_proxy("default", "phi-4-0", 5000, VllmMetrics("phi-4", running=1, waiting=4).handler())
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert doc["serving"].startswith("1 replica(s): 1 running, 4 waiting")


def test_status_of_a_pending_model_says_it_is_not_serving(model_emulator: Start) -> None:
    model_emulator(failure="quota")
    _deploy("phi-4")
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert doc["serving"].startswith("not serving yet")


def test_a_quantile_interpolates_within_the_bucket_as_prometheus_does() -> None:
    buckets = {0.1: 50.0, 0.2: 100.0, float("inf"): 100.0}
    assert metrics.quantile(0.5, buckets) == 0.1
    assert metrics.quantile(0.75, buckets) == 0.15000000000000002
    assert metrics.quantile(0.5, {}) is None


def test_a_503_from_the_pod_proxy_shows_the_api_servers_reason(model_emulator: Start) -> None:
    # The pod proxy's Status message (apimachinery pkg/util/proxy/transport.go RoundTrip).
    model_emulator()
    _deploy("phi-4", "--wait", "--timeout", "20s")
    result = invoke("model", "top", "phi-4", "--interval", "100ms")
    assert result.exit_code == 1
    assert (
        "GET /metrics on pod default/phi-4-0 answered HTTP 503: error trying to reach service: dial tcp "
        "phi-4-0:5000: connect: connection refused"
    ) in result.stderr


def test_the_proxy_reason_is_scrubbed_of_credentials() -> None:
    from akscli.kube.reach import proxy_reason

    body = b'{"kind":"Status","code":503,"message":"error trying to reach service: Authorization: Bearer abc.def"}'
    assert "abc.def" not in proxy_reason(body)
    assert proxy_reason(b"<html>busy</html>") == ""
