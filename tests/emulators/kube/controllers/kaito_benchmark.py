"""KAITO's post-load benchmark as the simulator runs it: the result lines the benchmark writes to
the leader pod's log, the ``status.performance`` and BenchmarkCompleted condition the Workspace
controller records from them, and the aggregate the InferenceSet controller writes.

upstream: kaito-project/kaito v0.12.0 (0894eb2b567d48cd2d66afe579acb1542b226af4)
- presets/workspace/inference/vllm/benchmark_entrypoint.py: BENCHMARK_DURATION 60,
  BENCHMARK_INPUT_LEN 2048, BENCHMARK_OUTPUT_LEN 256; ``_log`` writes ``TAG <UTC time> <JSON>``
  through PID 1's stdout; main() writes KAITO_BENCHMARK_CONFIG then KAITO_BENCHMARK_RESULT.
- pkg/workspace/controllers/benchmark.go parseBenchmarkResult (the last result line; the config
  line's four figures and RuntimeMetadataConfig's engine, engineVersion and quantization in
  ``config``; the value ``strconv.FormatFloat(tpm, 'f', -1, 64)``), the constants BenchmarkDesc
  "stress/high-concurrency", BenchmarkMetricPeakTPM "peakTokensPerMinute",
  BenchmarkMetricAggregatedPeakTPM "aggregatedPeakTokensPerMinute", BenchmarkMetricUnit
  "tokens/min".
- pkg/workspace/controllers/workspace_controller.go applyBenchmarkStatus: on success
  ``status.performance`` and BenchmarkCompleted True, reason BenchmarkCompleted, message
  "benchmark result has been recorded".
- pkg/workspace/inference/preset_inferences.go GetBaseRuntimeVersion (the base image's
  ``runtimeVersion.vllm`` in presets/workspace/models/supported_models.yaml: 0.25.1) and
  GetPresetQuantization (``quantMethod``; no preset in that file has one, so "").
- pkg/inferenceset/inferenceset_controller.go aggregateBenchmarkResults and
  addOrUpdateInferenceSet: the TPM of the succeeded Workspaces summed (``FormatFloat(total, 'f',
  2, 64)``) with RuntimeMetadataConfig as config, and BenchmarkCompleted True "N/N replicas
  benchmarked" once every replica has one, else False BenchmarkPending; only while
  ShouldRunInferenceSetBenchmark (api/v1beta1/labels.go: no ``kaito.sh/disable-benchmark:
  "true"`` on the set, the vLLM runtime by the set's ``kaito.sh/runtime``, a preset).

The figures are the simulator's own, fixed: a real benchmark measures them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

DESCRIPTION = "stress/high-concurrency"
PEAK = "peakTokensPerMinute"
AGGREGATED_PEAK = "aggregatedPeakTokensPerMinute"
UNIT = "tokens/min"
VLLM_VERSION = "0.25.1"
DURATION, INPUT_TOKENS, OUTPUT_TOKENS = 60, 2048, 256
# The simulator's measurements (a real run computes max_concurrency from the KV cache).
MAX_CONCURRENCY = 64
PEAK_TPM = 184320.5
RESULT = '{"vllm_total_tpm":184320.5,"ttft_avg_ms":212.4,"tpot_avg_ms":18.7}'


def log_lines() -> str:
    """What benchmark_entrypoint.py main() writes to the leader pod's log after a good run."""
    ts = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = (
        f'{{"duration_sec":{DURATION},"input_tokens":{INPUT_TOKENS},'
        f'"output_tokens":{OUTPUT_TOKENS},"max_concurrency":{MAX_CONCURRENCY}}}'
    )
    return f"KAITO_BENCHMARK_CONFIG {ts} {config}\nKAITO_BENCHMARK_RESULT {ts} {RESULT}\n"


def _runtime_config() -> dict[str, str]:
    """RuntimeMetadataConfig for the vLLM runtime and a preset without quantMethod."""
    return {"engine": "vllm", "engineVersion": VLLM_VERSION, "quantization": ""}


def _format(value: float) -> str:
    """Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest text that reads back as v."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def performance() -> dict[str, Any]:
    """The Workspace's ``status.performance`` parseBenchmarkResult makes from log_lines()."""
    config = {
        "durationSec": str(DURATION),
        "inputTokens": str(INPUT_TOKENS),
        "outputTokens": str(OUTPUT_TOKENS),
        "maxConcurrency": str(MAX_CONCURRENCY),
        **_runtime_config(),
    }
    metric = {"description": DESCRIPTION, "value": _format(PEAK_TPM), "unit": UNIT, "config": config}
    return {"metrics": {PEAK: metric}}


def runs_for_set(iset: dict[str, Any]) -> bool:
    """ShouldRunInferenceSetBenchmark."""
    annotations = iset["metadata"].get("annotations") or {}
    template = (iset.get("spec") or {}).get("template") or {}
    return (
        annotations.get("kaito.sh/disable-benchmark") != "true"
        and annotations.get("kaito.sh/runtime") != "transformers"
        and bool((template.get("inference") or {}).get("preset"))
    )


def set_status(succeeded: list[dict[str, Any]], desired: int) -> tuple[dict[str, Any] | None, tuple[bool, str, str]]:
    """The set's ``performance`` (None: no replica has a figure) and its BenchmarkCompleted
    (status, reason, message), from its succeeded Workspaces (aggregateBenchmarkResults)."""
    total, benchmarked = 0.0, 0
    for ws in succeeded:
        metric = (((ws.get("status") or {}).get("performance") or {}).get("metrics") or {}).get(PEAK) or {}
        try:
            value = float(metric.get("value", ""))
        except ValueError:
            continue
        if value > 0:
            total += value
            benchmarked += 1
    perf = None
    if benchmarked:
        metric = {"description": DESCRIPTION, "value": f"{total:.2f}", "unit": UNIT, "config": _runtime_config()}
        perf = {"metrics": {AGGREGATED_PEAK: metric}}
    done = benchmarked == desired and desired > 0
    reason = "BenchmarkCompleted" if done else "BenchmarkPending"
    return perf, (done, reason, f"{benchmarked}/{desired} replicas benchmarked")
