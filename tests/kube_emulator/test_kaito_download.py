"""KAITO's vLLM presets download their weights from Hugging Face as the server starts (kaito-project/kaito
v0.12.0 pkg/model/interface.go buildVLLMInferenceCommand): a node that cannot reach huggingface.co leaves
huggingface_hub's LocalEntryNotFoundError in the server's log as it exits, and KAITO reports the crash loop
(workspace_controller.go classifyInferencePodFailure). The simulator's failure="download". A gated repo
whose pod has no token granted access crash-loops the same way, with huggingface_hub's GatedRepoError
(pkg/workspace/inference/preset_inferences.go SetHFToken; huggingface/huggingface_hub
src/huggingface_hub/utils/_http.py hf_raise_for_status)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator, hf_hub
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import kaito
from tests.emulators.kube.profiles import hf_token_secret
from tests.kube_emulator.test_kaito_scheduling import workspace
from tests.kube_emulator.test_scheduling import node, seed

KAITO = "kaito.sh/v1beta1"
LLAMA = "meta-llama/llama-3.1-8b-instruct"  # the catalog's id (presets/workspace/models/supported_models.yaml)


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


def _gated_llama(emu: KubeEmulator, *granted: str) -> dict[str, Any]:
    """A Workspace of KAITO's catalog model llama-3.1-8b-instruct, gated on the emulated Hub."""
    for controller in kaito.controllers(delay=0.02):
        emu.controllers.add(controller)
    seed(emu, node("aks-system-0"))
    emu.api.huggingface_hub[LLAMA] = hf_hub.repo({"architectures": ["LlamaForCausalLM"]}, gated=granted)
    ws = workspace()
    ws["inference"] = {"preset": {"name": "llama-3.1-8b-instruct"}}
    return ws


def test_a_gated_catalog_model_without_a_token_crash_loops_with_the_hubs_gated_repo_error(
    kube_emulator: KubeEmulator,
) -> None:
    # SetHFToken gives the pod no HF_TOKEN without presetOptions.modelAccessSecret, so the download
    # of config.json is answered 401 GatedRepo (huggingface_hub utils/_http.py hf_raise_for_status).
    kube_emulator.cluster.create(_gated_llama(kube_emulator, "hf_granted"))
    assert wait_until(lambda: _inference_ready(kube_emulator).get("reason") == "ContainerCrashLoopBackOff")
    previous = "".join(line for _, line in kube_emulator.cluster.api.previous_log_lines("default", "phi-0", "phi"))
    assert "huggingface_hub.errors.GatedRepoError: 401 Client Error." in previous
    assert f"Cannot access gated repo for url https://huggingface.co/{LLAMA}/resolve/main/config.json." in previous


def test_a_gated_catalog_model_whose_token_has_no_access_crash_loops_with_the_hubs_403(
    kube_emulator: KubeEmulator,
) -> None:
    ws = _gated_llama(kube_emulator, "hf_granted")
    ws["inference"]["preset"]["presetOptions"] = {"modelAccessSecret": "hf-token"}
    hf_token_secret(kube_emulator)  # HF_TOKEN hf_fake: an account not granted access
    kube_emulator.cluster.create(ws)
    assert wait_until(lambda: _inference_ready(kube_emulator).get("reason") == "ContainerCrashLoopBackOff")
    previous = "".join(line for _, line in kube_emulator.cluster.api.previous_log_lines("default", "phi-0", "phi"))
    assert "huggingface_hub.errors.GatedRepoError: 403 Client Error." in previous
    assert f"Access to model {LLAMA} is restricted and you are not in the authorized list." in previous
