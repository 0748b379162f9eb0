"""``--hub-config`` reads a config.json as vLLM sees it through transformers: a key it leaves out is
its config class's default (akscli.model.hf_defaults; upstream: huggingface/transformers v5.17.0
src/transformers/models/<type>/configuration_<type>.py), and a ``rope_parameters`` nested by layer
type is read as vLLM v0.25.1 reads it (vllm/config/model.py _get_and_verify_max_len,
vllm/transformers_utils/config.py is_rope_parameters_nested)."""

from __future__ import annotations

import json
from typing import Any

from akscli.model import config_limits
from tests.cli import invoke
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import REPO
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config_fill import QWEN, SHARDS

LLAMA = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "hidden_size": 4096,
}
NESTED_YARN = {
    "full_attention": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 8192},
    "sliding_attention": {"rope_type": "default"},
}


def _put(hub: HubServer, config: dict[str, Any]) -> None:
    hub.repos[REPO] = {"config.json": config, **SHARDS}  # type: ignore[index]


def _plan(*args: str) -> Any:
    return invoke("model", "plan", REPO, "--hub-config", "--runtime", "vllm", "--params-b", "8", *args, "-o", "json")


def test_a_llama_config_without_max_position_embeddings_is_held_to_llamaconfigs_2048(hub: HubServer) -> None:
    _put(hub, LLAMA)
    result = _plan("--max-context", "4096")
    assert result.exit_code == 2, result
    assert "2048 (max_position_embeddings, LlamaConfig's default), above which vLLM exits at start" in result.stderr


def test_the_class_default_fills_the_max_context_and_says_where_it_came_from(hub: HubServer) -> None:
    _put(hub, LLAMA)
    result = _plan()
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["model"]["context"] == 2048
    assert "--max-context 2048 (max_position_embeddings, LlamaConfig's default)" in result.stderr


def test_a_qwen3_config_without_head_dim_gets_qwen3configs_128_not_hidden_over_heads(hub: HubServer) -> None:
    qwen3 = {**QWEN, "model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"], "hidden_size": 1024}
    qwen3["num_attention_heads"], qwen3["num_key_value_heads"] = 16, 8
    _put(hub, qwen3)
    result = _plan()
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["model"]["head_dim"] == 128  # 1024 / 16 would be 64
    assert "--head-dim 128 (Qwen3Config's default)" in result.stderr


def test_a_multimodal_text_config_without_a_model_type_takes_its_wrappers_text_class(hub: HubServer) -> None:
    text = {"num_hidden_layers": 34, "num_attention_heads": 8, "num_key_value_heads": 4, "hidden_size": 2560}
    _put(hub, {"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", "text_config": text})
    result = _plan()
    assert result.exit_code == 0, result
    model = json.loads(result.stdout)["model"]
    assert (model["head_dim"], model["context"]) == (256, 131072)  # Gemma3TextConfig's


def test_a_model_type_akscli_holds_no_class_for_assumes_nothing() -> None:
    config = {**LLAMA, "model_type": "acme_lm"}
    assert config_limits.vllm_limit(config) == (None, "")


def test_a_rope_parameters_nested_by_layer_type_scales_the_length() -> None:
    config = {**LLAMA, "max_position_embeddings": 32768, "rope_parameters": NESTED_YARN}
    assert config_limits.vllm_limit(config) == (
        32768,
        "rope_parameters.full_attention.original_max_position_embeddings × rope_parameters.full_attention.factor 4",
    )


def test_a_gpt_oss_config_without_rope_gets_gptossconfigs_yarn() -> None:
    config = {"model_type": "gpt_oss", "max_position_embeddings": 8192}
    assert config_limits.vllm_limit(config) == (
        131072,
        "GptOssConfig's default rope_parameters.original_max_position_embeddings"
        " × GptOssConfig's default rope_parameters.factor 32",
    )


def test_a_key_config_json_gives_as_null_is_not_replaced_by_the_class_default() -> None:
    from akscli.model import hf_defaults

    seen = hf_defaults.text_config({"model_type": "qwen3", "head_dim": None})
    assert seen.values["head_dim"] is None
    assert "head_dim" not in seen.defaulted
