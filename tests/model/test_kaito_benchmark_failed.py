"""A KAITO Workspace whose pods serve but whose benchmark result KAITO could not read: KAITO keeps
WorkspaceSucceeded False (BenchmarkFailed), and akscli calls the model ready, with a warning that
names the failure and how to see why (upstream: kaito-project/kaito v0.12.0 0894eb2b
pkg/workspace/controllers/workspace_controller.go applyInferenceWorkspaceStatus and
applyBenchmarkStatus; benchmark.go reconcileBenchmarkResult; api/v1beta1/labels.go
ShouldRunBenchmark; pkg/workspace/inference/preset_inferences.go buildBenchmarkStartupProbe)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from akscli.kube import readiness
from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO

Start = Callable[..., Any]
NAME = "phi-4"
WHY = "pod default/phi-4-0: no KAITO_BENCHMARK_RESULT line found in pod logs"


def _workspace(succeeded: dict[str, Any], inference: str = "True") -> dict[str, Any]:
    def cond(ctype: str, status: str, reason: str, message: str = "") -> dict[str, Any]:
        return {"type": ctype, "status": status, "reason": reason, "message": message, "observedGeneration": 1}

    return {
        "apiVersion": KAITO,
        "kind": "Workspace",
        "metadata": {"name": "phi-4", "namespace": "default", "generation": 1},
        "status": {
            "state": "NotReady",
            "conditions": [
                cond("ResourceReady", "True", "workspaceResourceStatusSuccess"),
                cond("InferenceReady", inference, "WorkspaceInferenceStatusSuccess"),
                succeeded,
            ],
        },
    }


BENCHMARK_FAILED = {
    "type": "WorkspaceSucceeded",
    "status": "False",
    "reason": "BenchmarkFailed",
    "message": WHY,
    "observedGeneration": 1,
}


def _benchmark_failed(ws: dict[str, Any] | None) -> bool:
    conds = ((ws or {}).get("status") or {}).get("conditions") or []
    return any(c["type"] == "WorkspaceSucceeded" and c["reason"] == "BenchmarkFailed" for c in conds)


def test_a_workspace_that_serves_with_a_failed_benchmark_is_ready_with_a_warning() -> None:
    verdict = readiness.check(_workspace(BENCHMARK_FAILED))
    assert verdict.ready
    assert f"BenchmarkFailed: {WHY}" in verdict.warning
    assert "kubectl logs phi-4-0 -n default -c phi-4 | grep KAITO_BENCHMARK" in verdict.warning


def test_a_failed_benchmark_of_a_workspace_that_does_not_serve_is_not_ready() -> None:
    assert not readiness.check(_workspace(BENCHMARK_FAILED, inference="False")).ready


def test_a_pending_workspace_is_not_ready_and_has_no_warning() -> None:
    pending = {**BENCHMARK_FAILED, "reason": "workspacePending", "message": "waiting"}
    verdict = readiness.check(_workspace(pending))
    assert not verdict.ready
    assert verdict.warning == ""


def test_deploy_wait_ends_ready_and_warns_when_only_the_benchmark_failed(model_emulator: Start) -> None:
    model_emulator(failure="benchmark")
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    assert f"workspace.kaito.sh/phi-4 serves requests, but KAITO's benchmark of it failed (BenchmarkFailed: {WHY})" in (
        result.stderr
    )


def test_model_status_counts_the_model_serving_and_warns_of_the_failed_benchmark(model_emulator: Start) -> None:
    emu = model_emulator(failure="benchmark")
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _benchmark_failed(
        emu.cluster.get(KAITO, "Workspace", "default", "phi-4")
    ):
        time.sleep(0.05)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    doc = json.loads(result.stdout)
    assert (doc["ready"], doc["desired"], doc["state"]) == (1, 1, "BenchmarkFailed")
    assert "workspace.kaito.sh/phi-4 serves requests, but KAITO's benchmark of it failed" in result.stderr


def test_a_workspace_annotated_not_to_be_benchmarked_succeeds_without_a_warning(
    model_emulator: Start, tmp_path: Path
) -> None:
    # kaito.sh/disable-benchmark: "true" turns KAITO's benchmark off (api/v1beta1/labels.go).
    model_emulator(failure="benchmark")
    rendered = invoke("model", "deploy", "phi-4", "--dry-run=client")
    assert rendered.exit_code == 0, rendered
    docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    (ws,) = [d for d in docs if d["kind"] == "Workspace"]
    ws["metadata"]["annotations"]["kaito.sh/disable-benchmark"] = "true"
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    result = invoke("apply", "-f", str(path), "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    assert "benchmark" not in result.stderr
