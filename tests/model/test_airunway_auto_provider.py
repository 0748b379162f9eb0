"""`model deploy --runtime airunway --provider auto` leaves spec.provider out, so AI Runway's core
controller picks the provider from the ready InferenceProviderConfigs (ai-runway/airunway v0.7.0
controller/internal/controller/modeldeployment_controller.go selectProvider; the CRD's
spec.provider.name "If not specified, the provider-selector will choose one"). The emulator's
selection: tests/emulators/kube/controllers/airunway_select.py."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke

from ._airunway import MD
from ._queue import gpu_nodes
from .conftest import AIRUNWAY_CRDS

_AUTO = ("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "auto")


def test_deploy_with_provider_auto_applies_a_model_deployment_without_a_provider(model_emulator: Any) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    _only_ready(emu, "vllm", "llmd")  # with kaito ready it would be picked, and refused (test_airunway_auto_kaito.py)
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "auto", "-y")
    assert result.exit_code == 0, result
    assert "provider" not in emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")["spec"]


def test_deploy_refuses_a_provider_ai_runway_has_not(model_emulator: Any) -> None:
    model_emulator(crds=AIRUNWAY_CRDS)
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "sglang", "-y")
    assert result.exit_code == 2, result
    assert "auto" in (result.stdout + result.stderr)


def _only_ready(emu: Any, *names: str) -> None:
    """The InferenceProviderConfigs of the other providers set not ready (as their probes would)."""
    for config in emu.cluster.list(MD, "InferenceProviderConfig", None):
        if config["metadata"]["name"] not in names:
            emu.cluster.update_status({**config, "status": {"ready": False}})


def test_deploy_wait_reports_the_provider_ai_runway_selected(model_emulator: Any) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    _only_ready(emu, "vllm")
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "auto", "--wait", "--timeout", "5m", "-y"
    )
    assert result.exit_code == 0, result
    picked = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")["status"]["provider"]["name"]
    assert f"AI Runway selected provider {picked}" in (result.stdout + result.stderr)


def test_deploy_wait_fails_with_ai_runways_message_when_it_selects_no_provider(model_emulator: Any) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    _only_ready(emu)
    result = invoke(
        "model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "auto", "--wait", "--timeout", "10s", "-y"
    )
    # Not terminal: AI Runway selects again when an InferenceProviderConfig changes
    # (modeldeployment_controller.go mapProviderConfigToModelDeployments), so the wait times out (exit 5).
    assert result.exit_code == 5, result
    assert "Provider selection failed: no healthy providers available" in result.stderr


def test_deploy_with_provider_auto_refuses_an_image_no_known_provider_runs() -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "auto", "--image", "vllm/x:1")
    assert result.exit_code == 2, result
    assert "--provider auto" in (result.stdout + result.stderr)


def test_deploy_with_provider_auto_says_the_provider_is_chosen_by_the_cluster(model_emulator: Any) -> None:
    model_emulator(crds=AIRUNWAY_CRDS)
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "auto", "--dry-run=client")
    assert result.exit_code == 0, result
    assert "provider: chosen by AI Runway when it reconciles the ModelDeployment" in result.stderr


def test_deploy_with_provider_auto_renders_placement_for_the_providers_that_read_it(model_emulator: Any) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    _only_ready(emu, "vllm", "llmd")
    assert invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "auto", "-y").exit_code == 0
    spec = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")["spec"]
    assert spec["nodeSelector"] == {"node.kubernetes.io/instance-type": "Standard_NC24ads_A100_v4"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in spec["tolerations"]


def test_status_and_delete_of_an_auto_deployment_follow_the_provider_ai_runway_selected(model_emulator: Any) -> None:
    # `model status` and `model delete` know the provider only from status.provider (AI Runway's
    # core controller records it: modeldeployment_controller.go selectProvider).
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    gpu_nodes(emu, 1)
    _only_ready(emu, "vllm")
    assert invoke(*_AUTO, "--wait", "--timeout", "5m", "-y").exit_code == 0
    status = invoke("model", "status", "phi-4")
    assert status.exit_code == 0, status
    assert "provider vllm (matched capabilities: engine=vllm, gpu=true, mode=aggregated)" in status.stdout
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is not None  # the vllm provider's
    deleted = invoke("model", "delete", "phi-4", "-y")
    assert deleted.exit_code == 0, deleted
    assert emu.cluster.get(MD, "ModelDeployment", "default", "phi-4") is None
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is None
