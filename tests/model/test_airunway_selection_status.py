"""`model status` shows the provider and engine AI Runway's core controller recorded for a
ModelDeployment, and why, also where it picked them itself (a ModelDeployment applied without
spec.provider or spec.engine: ai-runway/airunway v0.7.0 controller/internal/controller/
modeldeployment_controller.go selectEngine, selectProvider, runSelectionAlgorithm; the emulator's
selection: tests/emulators/kube/controllers/airunway_select.py)."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke

from ._airunway import MD, model_until
from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS


def _applied(emu: Any, spec: dict[str, Any]) -> None:
    """A ModelDeployment applied by hand (kubectl apply), naming no provider and no engine."""
    emu.cluster.create(
        {
            "apiVersion": MD,
            "kind": "ModelDeployment",
            "metadata": {"name": "phi-4", "namespace": "default", "labels": {"app.kubernetes.io/managed-by": "akscli"}},
            "spec": {"model": {"id": "microsoft/phi-4", "source": "huggingface"}, **spec},
        }
    )


def _selected(stdout: str) -> str:
    return next(line.partition(":")[2].strip() for line in stdout.splitlines() if line.startswith("selected:"))


def _waiting_for_a_provider(model_emulator: Any) -> Any:
    """A 1-GPU vLLM ModelDeployment applied while no provider is ready: AI Runway selects none."""
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    for config in emu.cluster.list(MD, "InferenceProviderConfig", None):
        emu.cluster.update_status({**config, "status": {"ready": False}})
    _applied(emu, {"engine": {"type": "vllm"}, "resources": {"gpu": {"count": 1}}})
    model_until(emu, lambda md: "Provider selection failed" in str((md.get("status") or {}).get("message")))
    return emu


def test_status_shows_the_provider_and_engine_ai_runway_auto_selected_and_why(model_emulator: Any) -> None:
    emu = model_emulator(crds=(*AIRUNWAY_CRDS, "kuberay"))  # the kuberay provider ready: RayService served
    gpu_nodes(emu, 1)
    _applied(emu, {"resources": {"gpu": {"count": 2}}})
    model_until(emu, lambda md: ((md.get("status") or {}).get("provider") or {}).get("name") == "kuberay")
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert _selected(result.stdout) == (
        "provider kuberay (matched capabilities: engine=vllm, gpu=true, mode=aggregated); "
        "engine vllm (auto-selected from provider kaito capabilities)"
    )
    doc = json.loads(invoke("model", "status", "phi-4", "-o", "json").stdout)
    assert doc["selected"]["provider"] == "kuberay" and doc["selected"]["engine"] == "vllm"


def test_status_says_why_ai_runway_selected_no_provider(model_emulator: Any) -> None:
    _waiting_for_a_provider(model_emulator)
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert _selected(result.stdout) == (
        "provider not selected: no healthy providers available; engine vllm (explicit engine selection)"
    )


def test_status_of_an_akscli_deployment_shows_the_explicit_selection(model_emulator: Any) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    deployed = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "-y")
    assert deployed.exit_code == 0, deployed
    model_until(emu, lambda md: bool((md.get("status") or {}).get("provider")))
    result = invoke("model", "status", "phi-4")
    assert (
        _selected(result.stdout)
        == "provider vllm (explicit provider selection); engine vllm (explicit engine selection)"
    )


def test_a_provider_turning_ready_gets_a_model_still_waiting_for_one_selected(model_emulator: Any) -> None:
    # SetupWithManager watches InferenceProviderConfigs (mapProviderConfigToModelDeployments).
    emu = _waiting_for_a_provider(model_emulator)
    llmd = emu.cluster.get(MD, "InferenceProviderConfig", None, "llmd")
    emu.cluster.update_status({**llmd, "status": {"ready": True}})
    md = model_until(emu, lambda md: ((md.get("status") or {}).get("provider") or {}).get("name") == "llmd")
    selected = {c["type"]: c for c in md["status"]["conditions"]}["ProviderSelected"]
    assert (selected["status"], selected["reason"], selected["message"]) == (
        "True",
        "AutoSelected",
        "Provider llmd auto-selected",
    )
