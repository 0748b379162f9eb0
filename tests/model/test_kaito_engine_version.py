"""The simulated KAITO's pods run KAITO v0.12.0's base image and log the vLLM that image holds, the
same version KAITO's benchmark records and `model status` names (upstream: kaito-project/kaito v0.12.0
8b050c7b pkg/workspace/inference/preset_inferences.go GetBaseImageName and GetBaseRuntimeVersion,
presets/workspace/models/supported_models.yaml base tag 0.5.0, runtimeVersion.vllm 0.25.1)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO

Start = Callable[..., Any]


def _benchmarked(emu: Any, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    ws = None
    while time.monotonic() < deadline:
        ws = emu.cluster.get(KAITO, "Workspace", "default", name)
        if ws and any(
            c.get("type") == "BenchmarkCompleted" and c.get("status") == "True"
            for c in (ws.get("status") or {}).get("conditions") or []
        ):
            return dict(ws)
        time.sleep(0.05)
    raise AssertionError(f"workspace/{name} never recorded a benchmark: {ws}")


def test_the_pod_log_names_the_vllm_that_the_benchmark_records(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    ws = _benchmarked(emu, "phi-4")
    version = ws["status"]["performance"]["metrics"]["peakTokensPerMinute"]["config"]["engineVersion"]
    logs = "\n".join(line for _, line in emu.cluster.api.log_lines("default", "phi-4-0", "phi-4"))
    assert f"vLLM API server version {version}\n" in logs + "\n"


def test_the_pods_run_kaito_v0_12_base_image(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    _benchmarked(emu, "phi-4")
    pod = emu.cluster.get("v1", "Pod", "default", "phi-4-0")
    assert pod["spec"]["containers"][0]["image"] == "mcr.microsoft.com/aks/kaito/kaito-base:0.5.0"
