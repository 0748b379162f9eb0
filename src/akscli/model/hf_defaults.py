"""What transformers' config classes give a model where its config.json names nothing, for the keys
akscli sizes a model with. vLLM reads a model's values from the transformers config object, not
from the JSON (vllm-project/vllm v0.25.1 vllm/transformers_utils/model_arch_config_convertor.py
and vllm/config/model.py read ``getattr(hf_text_config, key)``), so a key config.json leaves out
is the class's default there. Plain data: no Typer, no rich, no transformers.

upstream: huggingface/transformers v5.17.0 (the wheel), src/transformers/models/<type>/
configuration_<type>.py, the class attributes of each config class (and ``__post_init__`` for
the defaults set there); the same values are the ``__init__`` defaults of transformers v4.57.6,
checked key by key (ministral3 is v5 only). Only the model types below are held: those of
akscli's catalog (models.yaml) and their common relatives. For any other type nothing is
assumed: a key config.json leaves out stays unread, as before.

- ``num_key_value_heads`` None (llama, phi3) is the attention heads (``__post_init__``), which is
  what akscli takes where no KV key is given, so it is not held.
- ``head_dim`` None is hidden size / heads (``__post_init__``), akscli's rule too, so only a
  number is held (qwen3 128, gemma 256, gpt_oss 64, ministral3 128).
- gpt_oss and ministral3 set a yarn RoPE where config.json gives none (GptOssConfig,
  Ministral3Config ``__post_init__``: ``if self.rope_parameters is None``).
- A multimodal wrapper builds its text config in ``__post_init__`` (WRAPPERS): from ``text_config``
  with that dict's model_type, else its own text type (Mistral3Config's ``mistral``, LlavaConfig's
  ``llama``), or always with its own text class (Gemma3Config, MllamaConfig, Llama4Config, the Qwen
  VL configs). With no ``text_config`` at all, Qwen2VLConfig and Qwen2_5_VLConfig build it from the
  top level's keys ("Hub configs are saved as flat dicts"); the others build their default text
  config and read none of the top level's keys (configuration_gemma3.py, configuration_mistral3.py,
  configuration_llava.py, configuration_llava_next.py, configuration_idefics3.py,
  configuration_paligemma.py, configuration_mllama.py, configuration_llama4.py,
  configuration_qwen2_vl.py, configuration_qwen2_5_vl.py, configuration_qwen3_vl.py). vLLM serves
  that text config (vllm-project/vllm v0.25.1 vllm/transformers_utils/config.py get_hf_text_config:
  ``config.get_text_config()``, transformers configuration_utils.py: the one of ``text_encoder``,
  ``decoder``, ``generator``, ``text_config`` that is set, else the config itself).
- Phi3Config and Phi4MultimodalConfig declare a top-level ``original_max_position_embeddings``
  (4096), which transformers v5 puts in a yarn, llama3 or longrope ``rope_parameters`` over the
  dict's own (modeling_rope_utils.py standardize_rope_params: "give priority to
  `self.original_max_position_embeddings`"): TOP_ORIGINAL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


def _class(name: str, layers: int, heads: int, hidden: int, positions: int, **more: Any) -> tuple[str, dict[str, Any]]:
    keys = {"num_hidden_layers": layers, "num_attention_heads": heads, "hidden_size": hidden}
    return name, {**keys, "max_position_embeddings": positions, **more}


def _yarn(factor: float, original: int) -> dict[str, Any]:
    return {"rope_type": "yarn", "factor": factor, "original_max_position_embeddings": original}


# model_type -> (config class, {key: default}): layers, heads, hidden size, max_position_embeddings, more
DEFAULTS: dict[str, tuple[str, dict[str, Any]]] = {
    "llama": _class("LlamaConfig", 32, 32, 4096, 2048),
    "mistral": _class("MistralConfig", 32, 32, 4096, 4096 * 32, num_key_value_heads=8),
    "mixtral": _class("MixtralConfig", 32, 32, 4096, 4096 * 32, num_key_value_heads=8),
    "qwen2": _class("Qwen2Config", 32, 32, 4096, 32768, num_key_value_heads=32),
    "qwen2_moe": _class("Qwen2MoeConfig", 24, 16, 2048, 32768, num_key_value_heads=16),
    "qwen3": _class("Qwen3Config", 32, 32, 4096, 32768, num_key_value_heads=32, head_dim=128),
    "qwen3_moe": _class("Qwen3MoeConfig", 24, 32, 2048, 32768, num_key_value_heads=4),
    "phi3": _class("Phi3Config", 32, 32, 3072, 4096, original_max_position_embeddings=4096),
    "gemma": _class("GemmaConfig", 28, 16, 3072, 8192, num_key_value_heads=16, head_dim=256),
    "gemma2": _class("Gemma2Config", 26, 8, 2304, 8192, num_key_value_heads=4, head_dim=256),
    "gemma3_text": _class("Gemma3TextConfig", 26, 8, 2304, 131072, num_key_value_heads=4, head_dim=256),
    "gpt_oss": _class(
        "GptOssConfig", 36, 64, 2880, 131072, num_key_value_heads=8, head_dim=64, rope_parameters=_yarn(32.0, 4096)
    ),
    "deepseek_v3": _class(
        "DeepseekV3Config", 61, 128, 7168, 4096, num_key_value_heads=128, kv_lora_rank=512, qk_rope_head_dim=64
    ),
    "ministral3": _class(
        "Ministral3Config",
        34,
        32,
        4096,
        262144,
        num_key_value_heads=8,
        head_dim=128,
        rope_parameters=_yarn(16.0, 16384),
    ),
}
DEFAULTS.update(
    {
        "qwen2_vl_text": _class("Qwen2VLTextConfig", 80, 64, 8192, 32768, num_key_value_heads=8),
        "qwen2_5_vl_text": _class("Qwen2_5_VLTextConfig", 80, 64, 8192, 32768, num_key_value_heads=8),
        "qwen3_vl_text": _class("Qwen3VLTextConfig", 32, 32, 4096, 128000, num_key_value_heads=32, head_dim=128),
        "mllama_text_model": _class("MllamaTextConfig", 40, 32, 4096, 131072, num_key_value_heads=8),
        "llama4_text": _class("Llama4TextConfig", 48, 40, 5120, 4096 * 32, num_key_value_heads=8, head_dim=128),
        "phi4_multimodal": _class(
            "Phi4MultimodalConfig", 32, 32, 3072, 131072, num_key_value_heads=8, original_max_position_embeddings=4096
        ),
    }
)


class Wrapper(NamedTuple):
    """A multimodal config class: its name, the type of the text config it builds where
    ``text_config`` names none, whether it builds that class whatever the dict names (``fixed``),
    whether it builds it from the top level's keys where config.json has no ``text_config`` (``flat``),
    and the values it gives that default text config over the class's own (``given``)."""

    name: str
    text_type: str
    fixed: bool = False
    flat: bool = False
    given: Mapping[str, Any] = {}


WRAPPERS = {
    "gemma3": Wrapper("Gemma3Config", "gemma3_text", fixed=True),
    "mistral3": Wrapper(
        "Mistral3Config",
        "mistral",
        given=_class("", 40, 32, 5120, 131072, num_key_value_heads=8, head_dim=128)[1],
    ),
    "llava": Wrapper("LlavaConfig", "llama"),
    "llava_next": Wrapper("LlavaNextConfig", "llama"),
    "idefics3": Wrapper("Idefics3Config", "llama"),
    "paligemma": Wrapper("PaliGemmaConfig", "gemma", given={"num_hidden_layers": 18, "num_attention_heads": 8,
                                                             "num_key_value_heads": 1, "hidden_size": 2048}),
    "mllama": Wrapper("MllamaConfig", "mllama_text_model", fixed=True),
    "llama4": Wrapper("Llama4Config", "llama4_text", fixed=True),
    "qwen2_vl": Wrapper("Qwen2VLConfig", "qwen2_vl_text", fixed=True, flat=True),
    "qwen2_5_vl": Wrapper("Qwen2_5_VLConfig", "qwen2_5_vl_text", fixed=True, flat=True),
    "qwen3_vl": Wrapper("Qwen3VLConfig", "qwen3_vl_text", fixed=True),
}  # fmt: skip
# The config classes that declare a top-level original_max_position_embeddings (transformers v5.17.0:
# configuration_phi3.py, configuration_phi4_multimodal.py; no other class does).
TOP_ORIGINAL = frozenset({"phi3", "phi4_multimodal"})
_ROPE_KEYS = ("rope_scaling", "rope_parameters")


class TextConfig(NamedTuple):
    """A model's text config as vLLM sees it: config.json's (a multimodal model's ``text_config``)
    over its class's defaults; ``defaulted``: the keys that came from the class; ``source``: the
    class's name ("" where akscli holds none)."""

    values: dict[str, Any]
    defaulted: frozenset[str]
    source: str


def text_config(config: Mapping[str, Any]) -> TextConfig:
    nested = config.get("text_config")
    top_type = str(config.get("model_type") or "")
    wrapper = WRAPPERS.get(top_type)
    if isinstance(nested, Mapping):
        text: Mapping[str, Any] = nested
        named = "" if wrapper is not None and wrapper.fixed else str(nested.get("model_type") or "")
        model_type = named or (wrapper.text_type if wrapper is not None else "")
    elif wrapper is not None and not wrapper.flat:
        # the wrapper's default text config: config.json's top-level keys are not read
        held = DEFAULTS.get(wrapper.text_type)
        values = {**(held[1] if held else {}), **wrapper.given}
        return TextConfig({**values, "model_type": wrapper.text_type}, frozenset(values), wrapper.name)
    elif wrapper is not None:
        text, model_type = config, wrapper.text_type
    else:
        text, model_type = config, top_type
    held = DEFAULTS.get(model_type)
    if held is None:
        return TextConfig(dict(text), frozenset(), "")
    source, defaults = held
    # A key given as null is taken as given (None), as the class takes it; a null RoPE is replaced
    # (``if self.rope_parameters is None``), unless config.json gives one under either name.
    missing = {k: v for k, v in defaults.items() if k not in text and k != "rope_parameters"}
    if "rope_parameters" in defaults and not any(text.get(k) for k in _ROPE_KEYS):
        missing["rope_parameters"] = defaults["rope_parameters"]
    return TextConfig({**dict(text), **missing}, frozenset(missing), source)
