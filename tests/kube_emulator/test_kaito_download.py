"""KAITO's vLLM presets download their weights from Hugging Face as the server starts (kaito-project/kaito
v0.12.0 pkg/model/interface.go buildVLLMInferenceCommand): a node that cannot reach huggingface.co leaves
huggingface_hub's LocalEntryNotFoundError in the server's log as it exits, and KAITO reports the crash loop
(workspace_controller.go classifyInferencePodFailure). The simulator's failure="download"."""

from __future__ import annotations

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import kaito
from tests.kube_emulator.test_kaito_scheduling import workspace
from tests.kube_emulator.test_scheduling import node, seed

KAITO = "kaito.sh/v1beta1"


def _inference_ready(emu: KubeEmulator) -> dict[str, str]:
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi") or {}
    return next((c for c in (ws.get("status") or {}).get("conditions") or [] if c["type"] == "InferenceReady"), {})


def test_a_server_that_cannot_reach_hugging_face_crash_loops_with_the_hubs_error_in_its_previous_log(
    kube_emulator: KubeEmulator,
) -> None:
    for controller in kaito.controllers(delay=0.02, failure="download"):
        kube_emulator.controllers.add(controller)
    seed(kube_emulator, node("aks-system-0"))
    kube_emulator.cluster.create(workspace())
    assert wait_until(lambda: _inference_ready(kube_emulator).get("reason") == "ContainerCrashLoopBackOff")
    assert _inference_ready(kube_emulator)["message"].startswith('container "phi" is in CrashLoopBackOff')
    previous = "".join(line for _, line in kube_emulator.cluster.api.previous_log_lines("default", "phi-0", "phi"))
    assert "huggingface_hub.errors.LocalEntryNotFoundError: An error happened while trying to locate" in previous
