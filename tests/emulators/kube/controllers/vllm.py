"""vLLM's /metrics for the emulator's pod proxy: the figures a test sets, in vLLM's names and
Prometheus text format (upstream: vllm-project/vllm v0.11.0 vllm/v1/metrics/loggers.py, PrometheusStatLogger:
gauges vllm:num_requests_running, vllm:num_requests_waiting, vllm:kv_cache_usage_perc; counters
vllm:prompt_tokens_total, vllm:generation_tokens_total; histograms
vllm:time_to_first_token_seconds and vllm:e2e_request_latency_seconds, labelled model_name).

Register it with ``emu.register_pod_proxy(namespace, pod, port, server.handler)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# A subset of vLLM's bucket bounds (loggers.py: the TTFT and request latency buckets).
TTFT_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
E2E_BUCKETS = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0)


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

    def text(self) -> str:
        labels = f'engine="0",model_name="{self.model}"'
        lines = [
            "# TYPE vllm:num_requests_running gauge",
            f"vllm:num_requests_running{{{labels}}} {self.running}",
            "# TYPE vllm:num_requests_waiting gauge",
            f"vllm:num_requests_waiting{{{labels}}} {self.waiting}",
            "# TYPE vllm:kv_cache_usage_perc gauge",
            f"vllm:kv_cache_usage_perc{{{labels}}} {self.kv_cache}",
            "# TYPE vllm:prompt_tokens_total counter",
            f"vllm:prompt_tokens_total{{{labels}}} {self.prompt_tokens}",
            "# TYPE vllm:generation_tokens_total counter",
            f"vllm:generation_tokens_total{{{labels}}} {self.generation_tokens}",
        ]
        lines += _histogram("vllm:time_to_first_token_seconds", labels, TTFT_BUCKETS, self.ttft)
        lines += _histogram("vllm:e2e_request_latency_seconds", labels, E2E_BUCKETS, self.e2e)
        return "\n".join(lines) + "\n"

    def handler(self) -> Callable[[str, str, bytes], tuple[int, dict[str, str], bytes]]:
        def handle(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
            if method != "GET" or not path.split("?")[0].rstrip("/").endswith("/metrics"):
                return 404, {"Content-Type": "text/plain"}, b"Not Found"
            self.prompt_tokens += self.prompt_tokens_per_scrape
            self.generation_tokens += self.generation_tokens_per_scrape
            return 200, {"Content-Type": "text/plain; version=0.0.4"}, self.text().encode()

        return handle


def _histogram(name: str, labels: str, bounds: tuple[float, ...], observations: list[float]) -> list[str]:
    lines = [f"# TYPE {name} histogram"]
    for bound in bounds:
        count = sum(1 for o in observations if o <= bound)
        lines.append(f'{name}_bucket{{{labels},le="{bound}"}} {count}')
    lines.append(f'{name}_bucket{{{labels},le="+Inf"}} {len(observations)}')
    lines.append(f"{name}_sum{{{labels}}} {sum(observations)}")
    lines.append(f"{name}_count{{{labels}}} {len(observations)}")
    return lines
