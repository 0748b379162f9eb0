"""KAITO's benchmark when it succeeds: the Workspace controller records the result line of the
leader pod's log as ``status.performance`` and BenchmarkCompleted True, the InferenceSet
controller sums its replicas' figures, and `model status` shows the figure (upstream:
kaito-project/kaito v0.12.0 0894eb2b pkg/workspace/controllers/workspace_controller.go
applyBenchmarkStatus, benchmark.go parseBenchmarkResult, pkg/inferenceset/inferenceset_controller.go
aggregateBenchmarkResults; the simulator's side is tests/emulators/kube/controllers/kaito_benchmark.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO

Start = Callable[..., Any]
FIGURE = (
    "peak 184320.5 tokens/min (stress/high-concurrency: 60s, 2048 input and 256 output tokens, 64 concurrent; "
    "vllm 0.25.1)"
)


def _conditions(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


def _settled(emu: Any, kind: str, name: str, ctype: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    obj = None
    while time.monotonic() < deadline:
        obj = emu.cluster.get(KAITO, kind, "default", name)
        if obj is not None and _conditions(obj).get(ctype, {}).get("status") == "True":
            return dict(obj)
        time.sleep(0.05)
    raise AssertionError(f"{kind}/{name} never had {ctype} True: {obj}")


def test_a_benchmarked_workspace_records_the_figure_and_benchmark_completed(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    ws = _settled(emu, "Workspace", "phi-4", "WorkspaceSucceeded")
    done = _conditions(ws)["BenchmarkCompleted"]
    assert (done["status"], done["reason"], done["message"]) == (
        "True",
        "BenchmarkCompleted",
        "benchmark result has been recorded",
    )
    metric = ws["status"]["performance"]["metrics"]["peakTokensPerMinute"]
    assert metric == {
        "description": "stress/high-concurrency",
        "value": "184320.5",
        "unit": "tokens/min",
        "config": {
            "durationSec": "60",
            "inputTokens": "2048",
            "outputTokens": "256",
            "maxConcurrency": "64",
            "engine": "vllm",
            "engineVersion": "0.25.1",
            "quantization": "",
        },
    }


def test_the_leader_pod_logs_the_benchmark_result_line(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    _settled(emu, "Workspace", "phi-4", "WorkspaceSucceeded")
    # The container is named after the Workspace (setInferenceContainers).
    logs = "\n".join(line for _, line in emu.cluster.api.log_lines("default", "phi-4-0", "phi-4"))
    assert "KAITO_BENCHMARK_CONFIG " in logs
    assert "KAITO_BENCHMARK_RESULT " in logs and '{"vllm_total_tpm":184320.5,' in logs


def test_a_workspace_not_benchmarked_records_no_figure(model_emulator: Start, tmp_path: Path) -> None:
    emu = model_emulator()
    rendered = invoke("model", "deploy", "phi-4", "--dry-run=client")
    docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    (ws,) = [d for d in docs if d["kind"] == "Workspace"]
    ws["metadata"]["annotations"]["kaito.sh/disable-benchmark"] = "true"
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    assert invoke("apply", "-f", str(path), "-y").exit_code == 0
    stored = _settled(emu, "Workspace", "phi-4", "WorkspaceSucceeded")
    assert "performance" not in stored["status"]
    assert "BenchmarkCompleted" not in _conditions(stored)


def test_a_set_sums_its_replicas_figures_and_says_all_were_benchmarked(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    iset = _settled(emu, "InferenceSet", "phi-4", "BenchmarkCompleted")
    done = _conditions(iset)["BenchmarkCompleted"]
    assert (done["reason"], done["message"]) == ("BenchmarkCompleted", "2/2 replicas benchmarked")
    assert iset["status"]["performance"]["metrics"]["aggregatedPeakTokensPerMinute"] == {
        "description": "stress/high-concurrency",
        "value": "368641.00",
        "unit": "tokens/min",
        "config": {"engine": "vllm", "engineVersion": "0.25.1", "quantization": ""},
    }


def test_model_status_shows_the_benchmark_figure(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    _settled(emu, "Workspace", "phi-4", "BenchmarkCompleted")
    table = invoke("model", "status", "phi-4")
    assert table.exit_code == 0, table
    assert FIGURE in table.stdout
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert doc["benchmark"] == FIGURE


def test_model_status_of_a_set_shows_the_figure_over_all_replicas(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    _settled(emu, "InferenceSet", "phi-4", "BenchmarkCompleted")
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert doc["benchmark"] == "peak 368641.00 tokens/min over all replicas (stress/high-concurrency; vllm 0.25.1)"
