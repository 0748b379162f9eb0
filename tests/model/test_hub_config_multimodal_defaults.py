"""``--hub-config`` reads a multimodal config.json as vLLM serves it: the text config its transformers
wrapper class builds (akscli.model.hf_defaults.WRAPPERS; upstream: huggingface/transformers v5.17.0
models/<type>/configuration_<type>.py ``__post_init__``; vllm-project/vllm v0.25.1
vllm/transformers_utils/config.py get_hf_text_config), and a Phi3 yarn RoPE's
original_max_position_embeddings from the top level (transformers v5.17.0 modeling_rope_utils.py
standardize_rope_params).

The shapes are those of the Hub repos named, cut to the keys akscli reads; the values were taken
from the published files, not re-read from huggingface.co here."""

from __future__ import annotations

import json
from typing import Any

from akscli.model import config_limits, hf_defaults
from tests.cli import invoke
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import REPO
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config_fill import SHARDS

# Qwen/Qwen2-VL-7B-Instruct config.json: the text keys at the top level, no text_config.
QWEN2_VL = {
    "architectures": ["Qwen2VLForConditionalGeneration"],
    "model_type": "qwen2_vl",
    "hidden_size": 3584,
    "num_attention_heads": 28,
    "num_hidden_layers": 28,
    "num_key_value_heads": 4,
    "max_position_embeddings": 32768,
    "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]},
    "vision_config": {"depth": 32, "embed_dim": 1280, "num_heads": 16},
}
# google/gemma-3-4b-it config.json: the text keys under text_config (model_type gemma3_text).
GEMMA3_TEXT = {
    "model_type": "gemma3_text",
    "hidden_size": 2560,
    "num_hidden_layers": 34,
    "num_attention_heads": 8,
    "num_key_value_heads": 4,
    "head_dim": 256,
    "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
}
# microsoft/Phi-3.5-mini-instruct config.json's length keys (its RoPE is longrope, which vLLM does
# not scale by): the top level's original_max_position_embeddings beside max_position_embeddings.
PHI35 = {
    "architectures": ["Phi3ForCausalLM"],
    "model_type": "phi3",
    "hidden_size": 3072,
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
    "num_key_value_heads": 32,
    "max_position_embeddings": 131072,
    "original_max_position_embeddings": 4096,
}


def _plan(config: dict[str, Any], hub: HubServer, *args: str) -> Any:
    hub.repos[REPO] = {"config.json": config, **SHARDS}  # type: ignore[index]
    return invoke("model", "plan", REPO, "--hub-config", "--runtime", "vllm", "--params-b", "8", *args, "-o", "json")


def test_a_flat_qwen2_vl_config_is_read_from_its_top_level() -> None:
    seen = hf_defaults.text_config(QWEN2_VL)
    assert (seen.values["num_hidden_layers"], seen.values["num_key_value_heads"]) == (28, 4)
    assert config_limits.vllm_limit(QWEN2_VL) == (32768, "max_position_embeddings")


def test_a_flat_qwen2_vl_config_without_a_length_gets_its_text_classs_default() -> None:
    config = {k: v for k, v in QWEN2_VL.items() if k != "max_position_embeddings"}
    assert config_limits.vllm_limit(config) == (32768, "max_position_embeddings, Qwen2VLTextConfig's default")


def test_a_flat_qwen2_vl_config_without_kv_heads_gets_its_text_classs_8_not_the_attention_heads() -> None:
    config = {k: v for k, v in QWEN2_VL.items() if k != "num_key_value_heads"}
    assert hf_defaults.text_config(config).values["num_key_value_heads"] == 8


def test_a_gemma3_config_without_text_config_is_served_with_gemma3configs_default_text_config(
    hub: HubServer,
) -> None:
    # Gemma3Config builds Gemma3TextConfig() and reads none of the top level's text keys.
    flat = {"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", **GEMMA3_TEXT}
    flat["model_type"] = "gemma3"
    result = _plan(flat, hub)
    assert result.exit_code == 0, result
    model = json.loads(result.stdout)["model"]
    assert (model["layers"], model["attention_heads"], model["head_dim"]) == (26, 8, 256)  # not 34 layers
    assert "--layers 26 (Gemma3Config's default)" in result.stderr


def test_gemma3s_text_config_is_read_as_gemma3textconfig_whatever_its_model_type_says() -> None:
    config = {"model_type": "gemma3", "text_config": {**GEMMA3_TEXT, "model_type": "llama"}}
    config["text_config"].pop("head_dim")
    assert hf_defaults.text_config(config).values["head_dim"] == 256  # Gemma3TextConfig's, not 2560 / 8


def test_a_llava_text_config_without_a_model_type_takes_llamaconfigs_defaults() -> None:
    text = {"hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32}
    config = {"architectures": ["LlavaForConditionalGeneration"], "model_type": "llava", "text_config": text}
    assert config_limits.vllm_limit(config) == (2048, "max_position_embeddings, LlamaConfig's default")


def test_a_mistral3_config_without_text_config_gets_the_mistral_text_config_mistral3config_gives() -> None:
    seen = hf_defaults.text_config({"model_type": "mistral3", "num_hidden_layers": 4})
    assert (seen.values["num_hidden_layers"], seen.values["hidden_size"], seen.values["head_dim"]) == (40, 5120, 128)
    assert seen.source == "Mistral3Config"


def test_a_phi3_yarn_rope_takes_the_top_levels_original_max_position_embeddings() -> None:
    rope = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}
    assert config_limits.vllm_limit({**PHI35, "rope_scaling": rope}) == (
        16384,
        "original_max_position_embeddings × rope_scaling.factor 4",
    )


def test_a_phi3_yarn_rope_without_a_top_level_original_takes_phi3configs_4096() -> None:
    rope = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}
    config = {k: v for k, v in PHI35.items() if k != "original_max_position_embeddings"}
    assert config_limits.vllm_limit({**config, "rope_scaling": rope}) == (
        16384,
        "Phi3Config's default original_max_position_embeddings × rope_scaling.factor 4",
    )


def test_a_yarn_rope_of_another_type_keeps_its_own_original() -> None:
    rope = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}
    config = {**PHI35, "model_type": "qwen2", "rope_scaling": rope}
    assert config_limits.vllm_limit(config)[0] == 131072


def test_a_phi3_longrope_is_not_scaled() -> None:
    rope = {"type": "longrope", "long_factor": [1.0], "short_factor": [1.0]}
    assert config_limits.vllm_limit({**PHI35, "rope_scaling": rope}) == (131072, "max_position_embeddings")
