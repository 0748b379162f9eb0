"""akscli's vLLM Deployment bounds vLLM's multimodal processor cache where the pod's memory cannot
hold the default. vLLM v0.11.0 (the image akscli pins) keeps a 4 GiB lru cache in its API process
and another in its engine core for a model it serves as multimodal; on Standard_NC4as_T4_v3 the
pod has 1 GiB left after /dev/shm and the GPU's 16 GiB, so akscli passes
--mm-processor-cache-gb 0.5 (upstream: vllm-project/vllm v0.11.0 vllm/config/multimodal.py
MultiModalConfig.mm_processor_cache_gb; vllm/model_executor/models/registry.py
_MULTIMODAL_MODELS)."""

from __future__ import annotations

from typing import Any

import yaml

from akscli.model import catalog, vllm_multimodal
from tests.cli import invoke


def _vllm_args(model: str, *args: str) -> list[str]:
    result = invoke(
        "model", "deploy", model, "--runtime", "vllm", "--access-secret", "hf-token", *args, "--dry-run=client",
        "-o", "yaml",
    )  # fmt: skip
    assert result.exit_code == 0, result
    docs: list[dict[str, Any]] = [d for d in yaml.safe_load_all(result.stdout) if d]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return [str(a) for a in container.get("args") or container.get("command") or []]


def test_a_multimodal_model_on_a_t4_gets_half_a_gib_of_processor_cache_per_process() -> None:
    args = _vllm_args("google/gemma-3-4b-it", "--vm-size", "Standard_NC4as_T4_v3")
    assert args[args.index("--mm-processor-cache-gb") + 1] == "0.5"


def test_a_multimodal_model_keeps_vllms_default_cache_where_the_pod_has_room() -> None:
    assert "--mm-processor-cache-gb" not in _vllm_args("google/gemma-3-4b-it", "--vm-size", "Standard_NC24ads_A100_v4")


def test_a_text_model_on_a_t4_gets_no_processor_cache_flag() -> None:
    assert "--mm-processor-cache-gb" not in _vllm_args(
        "microsoft/phi-4-mini-instruct", "--vm-size", "Standard_NC4as_T4_v3"
    )


def test_the_catalogs_multimodal_rows_are_those_the_default_image_s_registry_names() -> None:
    # What the v0.24.0 registry makes multimodal among akscli's catalog rows (by config.json architecture):
    # v0.11.0's Gemma 3, Ministral 3, Mistral Small and Nemotron Nano VL, and Gemma 4, Qwen3.5 and Kimi-K2.5.
    multimodal = {m.architecture for m in catalog.all_models() if vllm_multimodal.is_multimodal(m.architecture)}
    assert multimodal == {
        "Gemma3ForConditionalGeneration", "Mistral3ForConditionalGeneration", "NemotronH_Nano_VL_V2",
        "Gemma4ForConditionalGeneration", "Gemma4UnifiedForConditionalGeneration", "Qwen3_5ForConditionalGeneration",
        "Qwen3_5MoeForConditionalGeneration", "KimiK25ForConditionalGeneration",
    }  # fmt: skip
