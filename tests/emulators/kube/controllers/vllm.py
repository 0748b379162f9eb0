"""vLLM's /metrics for the emulator's pod proxy: the figures a test sets, in vLLM's names and
Prometheus text format, as the default image akscli runs (vllm/vllm-openai:v0.24.0) writes them.

upstream: vllm-project/vllm v0.24.0 vllm/v1/metrics/loggers.py, PrometheusStatLogger: gauges
vllm:num_requests_running, vllm:num_requests_waiting, vllm:kv_cache_usage_perc; counters
vllm:prompt_tokens and vllm:generation_tokens (exposed with prometheus_client's ``_total``);
histograms vllm:time_to_first_token_seconds and vllm:e2e_request_latency_seconds. Every series is
labelled ``model_name`` (the served model name) and ``engine``, with one labelled child per engine
index (vllm/v1/metrics/utils.py create_metric_per_engine): a server started with
``--data-parallel-size N`` (KAITO's for a model under half a GPU: kaito-project/kaito v0.12.0
pkg/model/interface.go configureParallelism) writes N series of each, ``engine="0"`` to ``"N-1"``;
``engines`` here, each engine reporting the figures set. /metrics is prometheus_client's
exposition of the default registry (vllm/entrypoints/serve/instrumentator/metrics.py
attach_router; vllm/v1/metrics/prometheus.py get_prometheus_registry: multiprocess mode only with
--api-server-count > 1): a HELP and TYPE line per family, labels in name order, and a
``_created`` gauge beside each counter and histogram (prometheus/client_python
prometheus_client/exposition.py generate_latest, floatToGoString).

Register it with ``emu.register_pod_proxy(namespace, pod, port, server.handler)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# loggers.py's bucket bounds: the TTFT histogram's and request_latency_buckets (e2e).
TTFT_BUCKETS = (
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0,
    80.0, 160.0, 640.0, 2560.0,
)  # fmt: skip
E2E_BUCKETS = (
    0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0,
    1920.0, 7680.0,
)  # fmt: skip
# The families' documentation strings in loggers.py.
HELP = {
    "vllm:num_requests_running": "Number of requests in model execution batches.",
    "vllm:num_requests_waiting": "Number of requests waiting to be processed.",
    "vllm:kv_cache_usage_perc": "KV-cache usage. 1 means 100 percent usage.",
    "vllm:prompt_tokens": "Number of prefill tokens processed.",
    "vllm:generation_tokens": "Number of generation tokens processed.",
    "vllm:time_to_first_token_seconds": "Histogram of time to first token in seconds.",
    "vllm:e2e_request_latency_seconds": "Histogram of e2e request latency in seconds.",
}
# When the lab's server registered its metrics (Unix seconds, as floatToGoString writes 1765000000.0).
CREATED = "1.765e+09"


@dataclass
class VllmMetrics:
    model: str
    running: float = 0.0
    waiting: float = 0.0
    kv_cache: float = 0.0  # 0..1, as vLLM reports it
    prompt_tokens: float = 0.0
    generation_tokens: float = 0.0
    ttft: list[float] = field(default_factory=list)
    e2e: list[float] = field(default_factory=list)
    # Added to the counters at every scrape, so two scrapes show a rate.
    prompt_tokens_per_scrape: float = 0.0
    generation_tokens_per_scrape: float = 0.0
    # vLLM's engine cores in this server (--data-parallel-size): one series per engine.
    engines: int = 1

    def text(self) -> str:
        each = [{"engine": str(i), "model_name": self.model} for i in range(self.engines)]
        lines: list[str] = []
        for name, value in (
            ("vllm:num_requests_running", self.running),
            ("vllm:num_requests_waiting", self.waiting),
            ("vllm:kv_cache_usage_perc", self.kv_cache),
        ):
            lines += _family(name, name, "gauge", [f"{name}{_labels(labels)} {float(value)}" for labels in each])
        for name, value in (
            ("vllm:prompt_tokens", self.prompt_tokens),
            ("vllm:generation_tokens", self.generation_tokens),
        ):
            lines += _family(
                name, f"{name}_total", "counter", [f"{name}_total{_labels(labels)} {float(value)}" for labels in each]
            )
            lines += _created(name, each)
        for name, bounds, observations in (
            ("vllm:time_to_first_token_seconds", TTFT_BUCKETS, self.ttft),
            ("vllm:e2e_request_latency_seconds", E2E_BUCKETS, self.e2e),
        ):
            samples = [line for labels in each for line in _histogram(name, labels, bounds, observations)]
            lines += _family(name, name, "histogram", samples)
            lines += _created(name, each)
        return "\n".join(lines) + "\n"

    def handler(self) -> Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]:
        def handle(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
            if method != "GET" or not path.split("?")[0].rstrip("/").endswith("/metrics"):
                return 404, {"Content-Type": "text/plain"}, b"Not Found"
            self.prompt_tokens += self.prompt_tokens_per_scrape
            self.generation_tokens += self.generation_tokens_per_scrape
            return 200, {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}, self.text().encode()

        return handle


def _family(name: str, shown: str, kind: str, samples: list[str]) -> list[str]:
    """generate_latest's HELP and TYPE lines (a counter's with ``_total``), then the samples."""
    return [f"# HELP {shown} {HELP[name]}", f"# TYPE {shown} {kind}", *samples]


def _labels(labels: dict[str, str]) -> str:
    """sample_line's label set: sorted by name."""
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _created(name: str, each: list[dict[str, str]]) -> list[str]:
    """The ``_created`` gauge prometheus_client writes after a counter's or histogram's samples."""
    return [
        f"# HELP {name}_created {HELP[name]}",
        f"# TYPE {name}_created gauge",
        *(f"{name}_created{_labels(labels)} {CREATED}" for labels in each),
    ]


def _histogram(name: str, labels: dict[str, str], bounds: tuple[float, ...], observations: list[float]) -> list[str]:
    lines = []
    for bound in (*bounds, "+Inf"):
        count = len(observations) if bound == "+Inf" else sum(1 for o in observations if o <= bound)
        lines.append(f"{name}_bucket{_labels({**labels, 'le': str(bound)})} {float(count)}")
    lines.append(f"{name}_count{_labels(labels)} {float(len(observations))}")
    lines.append(f"{name}_sum{_labels(labels)} {float(sum(observations))}")
    return lines
