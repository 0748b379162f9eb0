"""The Prometheus series the vLLM akscli runs by default writes, recorded from its source: every
family vllm-project/vllm v0.24.0 vllm/v1/metrics/loggers.py PrometheusStatLogger registers (the
``name=`` of each ``_gauge_cls``, ``_counter_cls`` and ``_histogram_cls``), each labelled
``model_name`` and ``engine`` (``labelnames``; some add ``reason``, ``sleep_state``,
``finished_reason``). A counter is exposed with ``_total`` and a histogram as ``_bucket``, ``_sum``
and ``_count`` (prometheus/client_python prometheus_client/metrics.py Counter, Histogram).

v0.24.0 registers no hidden metric: ``show_hidden_metrics`` is read and never used. v0.11.0
registered ``vllm:gpu_cache_usage_perc``, ``vllm:gpu_prefix_cache_queries`` and
``vllm:gpu_prefix_cache_hits`` only under ``--show-hidden-metrics-for-version=0.10``, and
``vllm:time_per_output_token_seconds`` (renamed ``vllm:inter_token_latency_seconds``); v0.24.0 has
none of them (vllm-project/vllm v0.11.0 and v0.24.0 PyPI sdists, the same file).

When kinds.DEFAULT_VLLM_IMAGE moves to another release, record that release's families here
(test_vllm_metric_names.py fails until then)."""

from __future__ import annotations

RELEASE = "v0.24.0"
GAUGES = (
    "vllm:num_requests_running",
    "vllm:num_requests_waiting",
    "vllm:num_requests_waiting_by_reason",
    "vllm:engine_sleep_state",
    "vllm:kv_cache_usage_perc",
    "vllm:lora_requests_info",
)
COUNTERS = (
    "vllm:prefix_cache_queries",
    "vllm:prefix_cache_hits",
    "vllm:external_prefix_cache_queries",
    "vllm:external_prefix_cache_hits",
    "vllm:mm_cache_queries",
    "vllm:mm_cache_hits",
    "vllm:num_preemptions",
    "vllm:prompt_tokens",
    "vllm:prompt_tokens_by_source",
    "vllm:prompt_tokens_cached",
    "vllm:generation_tokens",
    "vllm:request_success",
    "vllm:corrupted_requests",
)
HISTOGRAMS = (
    "vllm:request_prompt_tokens",
    "vllm:request_generation_tokens",
    "vllm:iteration_tokens_total",
    "vllm:request_max_num_generation_tokens",
    "vllm:request_params_n",
    "vllm:request_params_max_tokens",
    "vllm:time_to_first_token_seconds",
    "vllm:inter_token_latency_seconds",
    "vllm:request_time_per_output_token_seconds",
    "vllm:e2e_request_latency_seconds",
    "vllm:request_queue_time_seconds",
    "vllm:request_inference_time_seconds",
    "vllm:request_prefill_time_seconds",
    "vllm:request_decode_time_seconds",
    "vllm:request_prefill_kv_computed_tokens",
    "vllm:kv_block_lifetime_seconds",
    "vllm:kv_block_idle_before_evict_seconds",
    "vllm:kv_block_reuse_gap_seconds",
)
LABELS = frozenset({"model_name", "engine"})
# What /metrics shows: the sample names.
SERIES = frozenset(
    {
        *GAUGES,
        *(f"{c}_total" for c in COUNTERS),
        *(f"{h}{s}" for h in HISTOGRAMS for s in ("_bucket", "_sum", "_count")),
    }
)
# prometheus_client's _created gauge beside each counter and histogram (exposition.py generate_latest).
CREATED = frozenset(f"{f}_created" for f in (*COUNTERS, *HISTOGRAMS))
# The bucket bounds of the two latency histograms akscli reads (loggers.py: the TTFT histogram's
# ``buckets``, and ``request_latency_buckets`` for vllm:e2e_request_latency_seconds).
TTFT_BUCKETS = (
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
    80.0, 160.0, 640.0, 2560.0,
)  # fmt: skip
E2E_BUCKETS = (
    0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0,
    1920.0, 7680.0,
)  # fmt: skip
