"""``--hub-config`` reads a config.json for the vLLM the runtime runs: a v0.11.0 image (akscli's default
before v0.24.0) runs transformers 4 (huggingface/transformers v4.57.6's config classes; vllm-project/vllm v0.11.0
vllm/config/model.py reads ``rope_scaling`` only), KAITO's v0.25.1 transformers 5, and an ``--image``
tag names its release (akscli.model.vllm_versions; each release's wheel: QuantizationMethods, and
METADATA's transformers requirement). Multimodal configs whose text keys sit under ``llm_config``
(InternVL, OpenGVLab/InternVL configuration_internvl_chat.py; vLLM _CONFIG_ATTRS_MAPPING) or
``thinker_config`` (Qwen2.5-Omni, Qwen2_5OmniConfig.get_text_config) are read there.

Shapes are cut to the keys akscli reads: Phi-3.5-mini's from microsoft/Phi-3.5-mini-instruct,
InternVL's from OpenGVLab/InternVL2_5-8B, Qwen2.5-Omni's from Qwen/Qwen2.5-Omni-7B (published files,
not re-read from huggingface.co here)."""

from __future__ import annotations

from typing import Any

from akscli.model import config_limits, hf_defaults, hub_describe, vllm_versions
from tests.cli import invoke
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import REPO
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config_fill import QWEN, SHARDS
from tests.model.test_hub_config_multimodal_defaults import PHI35

LLAMA = {"model_type": "llama", "num_attention_heads": 32, "hidden_size": 4096, "max_position_embeddings": 4096}
YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}


def _put(hub: HubServer, config: dict[str, Any]) -> None:
    hub.repos[REPO] = {"config.json": config, **SHARDS}  # type: ignore[index]


def _deploy(*args: str) -> Any:
    return invoke("model", "deploy", REPO, "--hub-config", "--runtime", "vllm", "--params-b", "8", *args,
                  "--dry-run", "client", "-o", "name")  # fmt: skip


# transformers 4 against 5


def test_a_transformers_4_image_refuses_a_phi3_yarn_rope_its_transformers_4_refuses(hub: HubServer) -> None:
    _put(hub, {**PHI35, "rope_scaling": YARN})
    result = invoke("model", "plan", REPO, "--hub-config", "--runtime", "vllm", "--params-b", "4", "-o", "json",
                    "--image", "vllm/vllm-openai:v0.11.0")  # fmt: skip
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        "error: acme/coder-7b's rope_scaling (yarn) is refused by transformers 4's Phi3Config (longrope only), "
        "which vLLM v0.11.0's image runs: vLLM exits at start"
    )
    assert "--runtime kaito" in result.stderr and "Traceback" not in result.stderr


def test_transformers_4_accepts_phi_3_5_mini_s_longrope_and_a_legacy_su_type() -> None:
    factors = [1.0] * 48  # hidden 3072 / 32 heads = 96 rotary dims: 48 factors each
    rope = {"type": "longrope", "long_factor": factors, "short_factor": factors}
    assert hf_defaults.v4_refused_rope({**PHI35, "rope_scaling": rope}) is None
    assert hf_defaults.v4_refused_rope({**PHI35, "rope_scaling": {**rope, "type": "su"}}) is None
    assert hf_defaults.v4_refused_rope({**PHI35, "rope_scaling": {**rope, "long_factor": [1.0]}}) == (
        "Phi3Config",
        "longrope",
    )


def test_transformers_4_reads_no_rope_parameters_and_5_does() -> None:
    config = {**LLAMA, "rope_parameters": {"rope_type": "linear", "factor": 2.0}}
    assert config_limits.vllm_limit(config, None, 4) == (4096, "max_position_embeddings")
    assert config_limits.vllm_limit(config, None, 5) == (8192, "max_position_embeddings × rope_parameters.factor 2")


def test_transformers_4_keeps_a_null_gpt_oss_rope_null_and_holds_no_ministral3() -> None:
    # GptOssConfig.__init__(rope_scaling={yarn...}) in v4.57.6: the default only where the key is left out
    null = hf_defaults.text_config({"model_type": "gpt_oss", "rope_scaling": None}, 4)
    assert null.values["rope_scaling"] is None and "rope_scaling" not in null.defaulted
    left_out = hf_defaults.text_config({"model_type": "gpt_oss"}, 4)
    assert left_out.values["rope_scaling"]["factor"] == 32.0
    assert hf_defaults.text_config({"model_type": "ministral3"}, 4).source == ""


def test_an_image_tag_naming_vllm_0_25_1_reads_the_config_as_transformers_5_does(hub: HubServer) -> None:
    nested = {"full_attention": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 8192}}
    _put(hub, {**QWEN, "max_position_embeddings": 131072, "rope_parameters": nested})
    result = _deploy("--image", "vllm/vllm-openai:v0.25.1", "--max-model-len", "65536")
    assert result.exit_code == 2, result
    assert "limit of 32768 tokens" in result.stderr  # v0.11.0 (transformers 4) reads no rope_parameters: 131072


# multimodal text configs


def test_internvl_chat_s_llm_config_is_its_text_config_built_by_its_architecture() -> None:
    llm = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "num_hidden_layers": 28, "hidden_size": 3584,
           "num_attention_heads": 28, "num_key_value_heads": 4}  # fmt: skip
    seen = hf_defaults.text_config({"model_type": "internvl_chat", "num_hidden_layers": 99, "llm_config": llm})
    assert seen.values["num_hidden_layers"] == 28
    assert seen.values["max_position_embeddings"] == 32768 and seen.source == "Qwen2Config"
    internlm = hf_defaults.text_config({"model_type": "internvl_chat", "llm_config": {**llm, "architectures": [
        "InternLM2ForCausalLM"]}})  # fmt: skip
    assert internlm.source == "" and internlm.values["num_hidden_layers"] == 28


def test_transformers_internvl_text_config_without_a_model_type_is_a_qwen2config() -> None:
    seen = hf_defaults.text_config({"model_type": "internvl", "text_config": {"num_hidden_layers": 24}})
    assert seen.values["num_hidden_layers"] == 24 and seen.values["num_key_value_heads"] == 32


def test_qwen2_5_omni_is_read_through_its_thinker_s_text_config() -> None:
    text = {"model_type": "qwen2_5_omni_text", "num_hidden_layers": 36, "hidden_size": 2048, "num_attention_heads": 16,
            "num_key_value_heads": 2, "max_position_embeddings": 32768}  # fmt: skip
    config = {
        "model_type": "qwen2_5_omni",
        "thinker_config": {"model_type": "qwen2_5_omni_thinker", "text_config": text},
    }
    filled = hub_describe.fill(hub_describe.catalog.Description(), config, None, None)
    assert filled.description.layers == 36 and filled.description.kv_heads == 2
    default = hf_defaults.text_config({"model_type": "qwen2_5_omni", "thinker_config": {}})
    assert default.values["num_hidden_layers"] == 28 and default.source == "Qwen2_5OmniConfig"


def test_phi3_v_and_phi4mm_are_read_from_their_top_level() -> None:
    # vLLM runs their language model over the whole config (v0.11.0 and v0.25.1 phi3v.py, phi4mm.py)
    for model_type in ("phi3_v", "phi4mm"):
        seen = hf_defaults.text_config({**PHI35, "model_type": model_type})
        assert seen.values["num_hidden_layers"] == 32 and seen.source == ""


# the vLLM release an --image names


def test_the_vllm_release_is_read_from_a_vllm_image_s_tag_only() -> None:
    assert vllm_versions.image_version("vllm/vllm-openai:v0.11.0") == "v0.11.0"
    assert vllm_versions.image_version("example.azurecr.io/vllm/vllm-openai:v0.19.1-cu130@sha256:ab") == "v0.19.1"
    for image in ("myorg/server:v0.11.0", "vllm/vllm-openai:latest", "vllm/vllm-openai@sha256:ab",
                  "vllm/vllm-openai:v0.11.3", "localhost:5000/vllm"):  # fmt: skip
        assert vllm_versions.image_version(image) is None, image


def test_each_release_s_registry_is_its_own() -> None:
    assert "hqq" in vllm_versions.quant_methods("v0.14.1") and "hqq" not in vllm_versions.quant_methods("v0.15.0")
    assert "auto-round" in vllm_versions.quant_methods("v0.15.0")  # read as inc from v0.15.0
    assert "gguf" in vllm_versions.quant_methods("v0.23.0") and "gguf" not in vllm_versions.quant_methods("v0.24.0")
    assert vllm_versions.transformers_major("v0.11.0") == 4 and vllm_versions.transformers_major("v0.25.1") == 5
    assert vllm_versions.transformers_major("v0.21.0") is None


def test_an_image_s_quant_method_is_judged_by_its_release_or_said_not_judged(hub: HubServer) -> None:
    _put(hub, {**QWEN, "quantization_config": {"quant_method": "hqq"}})
    judged = _deploy("--image", "vllm/vllm-openai:v0.16.0")
    assert "quant_method hqq is not one akscli sizes (not a method vLLM v0.16.0 lists)" in judged.stderr
    unknown = _deploy("--image", "example.azurecr.io/serving:1.0")
    assert "quant_method hqq is not one akscli sizes (not judged: vLLM release not known)" in unknown.stderr


def test_ai_runway_s_dynamo_image_is_not_judged_as_akscli_s_pinned_vllm(hub: HubServer) -> None:
    # a Dynamo runtime image (kinds.AIRUNWAY_VLLM_IMAGE_PROVIDERS): neither the quant method nor the Phi3 RoPE
    _put(hub, {**PHI35, "rope_scaling": YARN, "quantization_config": {"quant_method": "hqq"}})
    result = invoke("model", "deploy", REPO, "--hub-config", "--runtime", "airunway", "--provider", "dynamo",
                    "--params-b", "4", "--dry-run", "client", "-o", "name")  # fmt: skip
    assert result.exit_code == 0, result
    assert "(not judged: vLLM release not known)" in result.stderr
