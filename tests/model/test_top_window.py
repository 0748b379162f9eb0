"""`model top --window` end to end: kube-prometheus-stack's Prometheus scrapes the vLLM pods the
PodMonitor akscli makes selects (controllers/prometheus_server.py, figures in vLLM's names from
controllers/vllm.py) and answers rate and histogram_quantile (prometheus_promql.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke, list_items

from ._queue import vllm_pods

Start = Callable[..., Any]


def test_window_reads_each_replica_and_the_total_from_prometheus(model_emulator: Start) -> None:
    emu = model_emulator(monitoring=True)
    for i in range(2):  # a pod is Ready only on a node: one A100 node per replica
        emu.cluster.create(nc_a100_node(f"aks-gpua100-{i}"))
    assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--replicas", "2", "-y").exit_code == 0
    deadline = time.monotonic() + 10
    while len(vllm_pods(emu)) < 2:
        assert time.monotonic() < deadline, "pods not ready"
        time.sleep(0.05)
    pods = vllm_pods(emu)

    # Nothing scraped yet: the two scrapes of each pod, and one line saying why.
    fallback = invoke("model", "top", "phi-4", "--window", "5m", "--interval", "100ms", "-o", "json")
    assert fallback.exit_code == 0, fallback
    assert sorted(r["pod"] for r in list_items(fallback.stdout)) == pods
    [line] = [x for x in fallback.stderr.splitlines() if "not shown" in x]
    assert "no vllm:num_requests_running series" in line and "PodMonitor" in line

    now = time.time()
    emu.prometheus.scrape(now - 160, every=True)  # counters and histograms at 0
    for index, pod in enumerate(pods):
        figures = emu.serving.figures("default", pod)
        figures.running, figures.waiting, figures.kv_cache = 3 + index, index, 0.4 + 0.2 * index
        figures.generation_tokens = 6000.0 * (index + 1)
        figures.ttft = [0.05] * 90 + [0.9] * 10 if index == 0 else [0.05] * 100
    emu.prometheus.scrape(now - 100, every=True)

    result = invoke("model", "top", "phi-4", "--window", "5m", "-o", "json")
    assert result.exit_code == 0, result
    assert "not shown" not in result.stderr
    rows = {r["pod"]: r for r in list_items(result.stdout)}
    first, second, total = rows[pods[0]], rows[pods[1]], rows[None]
    assert (first["running"], first["waiting"], first["kv_cache_percent"]) == (3, 0, 40.0)
    # rate: 6000 tokens between samples 60 s apart, extrapolated to the counter's zero point and
    # half a gap past the last sample (100 s before the query: over 1.1 gaps), over 300 s.
    assert (first["generation_tokens_per_second"], second["generation_tokens_per_second"]) == (30.0, 60.0)
    # vLLM v0.24.0's TTFT buckets: 90 of 100 in the 40-60ms one, 10 in the 750ms-1s one.
    assert (first["ttft_p50_ms"], first["ttft_p95_ms"]) == (51.1, 875.0)
    assert (total["running"], total["waiting"], total["kv_cache_percent"]) == (7, 1, 50.0)
    assert total["generation_tokens_per_second"] == 90.0
    # The pooled buckets (not the replicas' percentiles): 190 of 200 in the 40-60ms bucket.
    assert (total["ttft_p50_ms"], total["ttft_p95_ms"]) == (50.5, 60.0)
    assert total["e2e_p50_ms"] is None  # no request finished: no observation, no percentile

    table = invoke("model", "top", "phi-4", "--window", "5m")
    assert "(total)" in table.stdout and "90" in table.stdout
    names = invoke("model", "top", "phi-4", "--window", "5m", "-o", "name").stdout.split()
    assert names == [f"pod/{p}" for p in pods]


def test_window_reads_a_kaito_models_pod_through_the_podmonitor_deploy_made(model_emulator: Start) -> None:
    """KAITO's pod declares port http (5000), the one the PodMonitor names: Prometheus scrapes it
    (kaito-project/kaito v0.12.0 pkg/workspace/inference/preset_inferences.go containerPorts)."""
    emu = model_emulator(monitoring=True)
    emu.cluster.create(nc_a100_node("aks-gpua100-0"))
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "4096", "-y").exit_code == 0
    deadline = time.monotonic() + 10
    while not emu.cluster.list("v1", "Pod", "default", "kaito.sh/workspace=phi-4"):
        assert time.monotonic() < deadline, "no KAITO pod"
        time.sleep(0.05)
    emu.serving.figures("default", "phi-4-0").running = 2
    emu.prometheus.scrape(time.time() - 30, every=True)

    result = invoke("model", "top", "phi-4", "--window", "5m", "-o", "json")
    assert result.exit_code == 0, result
    assert "not shown" not in result.stderr
    rows = {r["pod"]: r for r in list_items(result.stdout)}
    assert (rows["phi-4-0"]["running"], rows[None]["running"]) == (2, 2)


def test_window_must_be_a_prometheus_duration(model_emulator: Start) -> None:
    model_emulator()
    result = invoke("model", "top", "phi-4", "--window", "5 minutes")
    assert result.exit_code == 2 and "invalid --window '5 minutes'" in result.stderr


def test_all_namespaces_sends_one_query_per_figure_and_names_a_model_without_series(
    model_emulator: Start, monkeypatch: Any
) -> None:
    emu = model_emulator(monitoring=True)
    for i in range(2):  # a pod is Ready only on a node: one A100 node per model
        emu.cluster.create(nc_a100_node(f"aks-gpua100-{i}"))
    for namespace in ("default", "other"):
        args = ("-n", namespace, "--create-namespace") if namespace == "other" else ()
        assert invoke("model", "deploy", "phi-4", "--runtime", "vllm", *args, "-y").exit_code == 0
        deadline = time.monotonic() + 10
        while not vllm_pods(emu, namespace=namespace):
            assert time.monotonic() < deadline, "pod not ready"
            time.sleep(0.05)
        if namespace == "default":
            emu.prometheus.scrape(time.time() - 30, every=True)  # other/phi-4 starts after: no series
    asked: list[str] = []
    query = emu.prometheus.query
    monkeypatch.setattr(emu.prometheus, "query", lambda expr, at=None: asked.append(expr) or query(expr, at))

    result = invoke("model", "top", "-A", "--window", "5m", "-o", "json")
    print(f"Prometheus requests for 2 models in 2 namespaces: {len(asked)}")
    assert result.exit_code == 0, result
    assert len(asked) == 7 and all('namespace=~"default|other"' in q for q in asked)
    [pod] = vllm_pods(emu)
    assert [(r["namespace"], r["pod"]) for r in list_items(result.stdout)] == [("default", pod), ("default", None)]
    [line] = result.stderr.splitlines()
    assert line.startswith("warning: no figures over 5m from model other/phi-4: Prometheus monitoring/")
    assert "has no vllm:num_requests_running series of its pods" in line

    # -w: the line is said once, not at every refresh (kubectl's warnings are deduplicated).
    from akscli.cli import model_top

    refreshes: list[float] = []

    def sleep(seconds: float) -> None:
        refreshes.append(seconds)
        if len(refreshes) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(model_top, "time", SimpleNamespace(sleep=sleep))
    watched = invoke("model", "top", "-A", "--window", "5m", "-w", "--interval", "100ms")
    assert watched.exit_code == 130 and watched.stdout.count("(total)") == 3
    assert [x for x in watched.stderr.splitlines() if "other/phi-4" in x] == [line]


def test_hundreds_of_pods_go_in_a_posted_form_not_in_the_url(kube_emulator: Any, kubeconfig: Any) -> None:
    """The reader, the API server's service proxy and the lab's Prometheus end to end, with 400
    replicas: each of the 7 queries names every pod, and goes as a POST of the form (the URL stays
    /api/v1/query), which the Prometheus reads as it reads a URL's query."""
    from urllib.parse import urlencode

    from akscli import process
    from akscli.kube.connecting import connect
    from akscli.model import serving_window
    from akscli.model.metrics import Target
    from tests.emulators.kube.controllers.prometheus_tsdb import key_of
    from tests.emulators.kube.profiles import install_podmonitor_api

    install_podmonitor_api(kube_emulator, scrape_loop=False)
    server = kube_emulator.prometheus_servers["monitoring"]
    targets = [Target("llama", "serving", f"llama-3-1-8b-vllm-7d9f8c6b5d-{i:05d}", 8000) for i in range(400)]
    now = time.time()
    for index, (namespace, pod) in enumerate([(t.namespace, t.pod) for t in targets] + [("other", targets[0].pod)]):
        labels = {"__name__": "vllm:num_requests_running", "namespace": namespace, "pod": pod}
        server.tsdb.append(key_of(labels), now - 10, float(index % 3))
    kube_emulator.request_log.clear()
    process.forget_writes()

    reading = serving_window.read(connect(), targets, "5m")
    asked = [e for e in kube_emulator.request_log if "/services/" in e.path and "/proxy/" in e.path]
    longest = max(len(urlencode({"query": q})) for q in serving_window.queries(targets, "5m").values())
    print(f"400 pods: {len(asked)} POSTs; a GET's query string would be {longest} characters")
    assert longest > 8192 and len(asked) == 7  # past an 8k request line (nginx large_client_header_buffers)
    assert {(e.method, e.content_type, e.path.rsplit("/proxy", 1)[1], bool(e.query)) for e in asked} == {
        ("POST", "application/x-www-form-urlencoded", "/api/v1/query", False)
    }
    assert not process.has_written()  # a query is no change: a closed stdout still ends the command
    *rows, total = reading.rows
    assert [r["pod"] for r in rows] == [t.pod for t in targets] and reading.unseen == []
    assert total["pod"] is None and total["running"] == sum(i % 3 for i in range(400))  # other/ dropped
