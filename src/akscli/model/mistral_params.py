"""The config vLLM builds for a Mistral-format repo, from its params.json rather than its config.json, as a plain
dict akscli's other readers take (the architecture judge, the limits, --hub-config's values). Plain logic: no Typer,
no rich, no HTTP.

upstream: vllm-project/vllm v0.24.0 (sdist on PyPI) ``vllm/transformers_utils/config.py`` MistralConfigParser.parse
and ``vllm/transformers_utils/configs/mistral.py`` adapt_config_dict. vLLM takes params.json (``config_dict``), sets
its ``max_position_embeddings`` where it names none from config.json's text config through AutoConfig
(_maybe_retrieve_max_pos_from_hf, 128000 where that fails), renames the Mistral keys, names the architecture itself
(never config.json's), and only then fills the keys it still lacks from config.json read as a plain dict
(``defaults``, ``config_dict.setdefault``). Which releases read params.json: akscli.model.remote_code.reads_params_json.
Releases v0.12.0 to v0.23.0 are taken to build it as v0.24.0 does (their mistral.py was not read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# _remap_general_mistral_args: Mistral key -> HF key
_RENAMED = {
    "dim": "hidden_size",
    "norm_eps": "rms_norm_eps",
    "n_kv_heads": "num_key_value_heads",
    "n_layers": "num_hidden_layers",
    "n_heads": "num_attention_heads",
    "hidden_dim": "intermediate_size",
}
# vLLM's fallback where neither params.json nor config.json gives max_position_embeddings.
DEFAULT_MAX_POSITIONS = 128_000
# _remap_mistral_yarn_args: yarn key -> rope_parameters key
_YARN = {
    "factor": "factor",
    "original_max_position_embeddings": "original_max_position_embeddings",
    "beta": "beta_fast",
    "alpha": "beta_slow",
}


def positions_of(config: Mapping[str, Any]) -> int | None:
    """config.json's text config max_position_embeddings (get_text_config: a multimodal model's text_config)."""
    text = config.get("text_config")
    found = (text if isinstance(text, Mapping) else config).get("max_position_embeddings")
    return found if isinstance(found, int) and not isinstance(found, bool) and found > 0 else None


def architecture(params: Mapping[str, Any]) -> str:
    """The architecture adapt_config_dict names for params.json ``params``: a vision encoder gives Pixtral, an
    audio (whisper) encoder Voxtral, else Mamba2 (model_type mamba), MistralLarge3 (MoE with shared experts),
    Mixtral (MoE), or Mistral."""
    found = params.get("multimodal")
    multimodal: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    whisper = multimodal.get("whisper_model_args")
    if multimodal.get("vision_encoder_args") or params.get("vision_encoder"):
        return "PixtralForConditionalGeneration"
    if isinstance(whisper, Mapping) and isinstance(whisper.get("encoder_args"), Mapping) and whisper["encoder_args"]:
        causal = whisper["encoder_args"].get("causal")
        return "VoxtralRealtimeGeneration" if causal else "VoxtralForConditionalGeneration"
    return _text_architecture(params)


def _text_architecture(params: Mapping[str, Any]) -> str:
    moe = params.get("moe")
    if params.get("model_type") == "mamba":
        return "Mamba2ForCausalLM"
    # _remap_mistral_mla_args gives an MLA model (qk_nope_head_dim) without moe one with a shared expert.
    mla = bool(params.get("qk_nope_head_dim"))
    if mla and not moe:
        return "MistralLarge3ForCausalLM"
    if isinstance(moe, Mapping) and moe:
        return "MistralLarge3ForCausalLM" if (moe.get("num_shared_experts") or 0) > 0 else "MixtralForCausalLM"
    return "MistralForCausalLM"


def adapted(params: Mapping[str, Any], config: Mapping[str, Any], config_loads: bool) -> dict[str, Any]:
    """The config vLLM builds from params.json ``params`` beside config.json ``config`` (``config_loads``: whether
    the image's AutoConfig loads config.json, which is where a missing max_position_embeddings comes from).
    The text model's keys are at the top, or under ``text_config`` for Pixtral and Voxtral, as vLLM nests them."""
    text: dict[str, Any] = dict(params)
    if text.get("max_position_embeddings") is None:
        found = positions_of(config) if config_loads else None
        text["max_position_embeddings"] = found or DEFAULT_MAX_POSITIONS
    for key, renamed in _RENAMED.items():
        if key in text:
            text[renamed] = text.pop(key)
    # HF key <- (Mistral key, default); max_seq_len's default is max_position_embeddings (set above)
    text["model_type"] = text.pop("model_type", "transformer")
    text["max_seq_len"] = text.pop("max_seq_len", text["max_position_embeddings"])
    quantization = text.pop("quantization", None)
    if isinstance(quantization, Mapping) and quantization:
        # _remap_mistral_quantization_args: fp8_e4m3 weights are vLLM's fp8; compressed-tensors passes through
        # with its quant_method spelled so; vLLM raises on any other ("Found unknown quantization"), which akscli
        # passes on as it is (its quant_method warning names it).
        if quantization.get("qformat_weight") == "fp8_e4m3":
            dynamic = quantization.get("qscheme_act") == "NO_SCALES"
            text["quantization_config"] = {
                "quant_method": "fp8",
                "activation_scheme": "dynamic" if dynamic else "static",
            }
        else:
            text["quantization_config"] = dict(quantization)
            method = str(quantization.get("quant_method", "")).lower().replace("_", "-")
            if method == "compressed-tensors":
                text["quantization_config"]["quant_method"] = method
    name = _text_architecture(params)
    text["architectures"] = [name]
    if name == "MistralLarge3ForCausalLM":
        text["model_type"] = "deepseek_v3"
    yarn = text.pop("yarn", None)
    if isinstance(yarn, Mapping) and yarn:
        rope: dict[str, Any] = {"rope_type": "yarn", "mscale_all_dim": 1}
        rope.update({_YARN[k]: v for k, v in yarn.items() if k in _YARN})
        text["rope_parameters"] = rope
    whole = architecture(params)
    built: dict[str, Any]
    if whole.startswith(("Pixtral", "Voxtral")):
        text.pop("multimodal", None)
        text.pop("vision_encoder", None)
        built = {
            "model_type": "pixtral" if whole.startswith("Pixtral") else "voxtral",
            "architectures": [whole],
            "text_config": text,
        }
        if "quantization_config" in text:
            built["quantization_config"] = text["quantization_config"]
    else:
        built = text
    for key, value in config.items():
        built.setdefault(key, value)
    return built


# KAITO's preset generator reads a Mistral-format repo's params.json where it has no config.json (kaito-project/kaito
# 056b8280 presets/workspace/generator/generator.go fetchAndParseConfig), with its own key lists, the first key
# present that getInt reads as a number winning (presets/workspace/generator/model_catalog.go configKeyMap,
# optionalKeyMap): config.json's name for each, as akscli's --hub-config reads them.
_KAITO_KEYS = {
    "hidden_size": ("hidden_size", "n_embd", "d_model", "dim"),
    "num_hidden_layers": ("num_hidden_layers", "n_layer", "n_layers"),
    "num_attention_heads": ("num_attention_heads", "n_head", "n_heads"),
    "num_key_value_heads": ("num_key_value_heads", "n_head_kv", "n_kv_heads"),
    "head_dim": ("head_dim", "attention_head_dim"),
    "kv_lora_rank": ("kv_lora_rank",),
    "qk_rope_head_dim": ("qk_rope_head_dim",),
}


def _kaito_int(value: Any) -> int | None:
    """generator.go getInt's reading of one value: a JSON number (truncated), or a string strconv.Atoi takes."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    digits = value[1:] if isinstance(value, str) and value[:1] in "+-" else value
    if isinstance(value, str) and isinstance(digits, str) and digits.isascii() and digits.isdigit():
        return int(value)
    return None


def kaito_view(params: Mapping[str, Any]) -> dict[str, Any]:
    """The values KAITO's generator sizes a Workspace from when it reads ``params`` (a params.json): each under
    config.json's name, and the token-limit keys (kaito_names.TOKEN_LIMIT_KEYS) as they are, for
    akscli.model.config_limits.kaito_limit. KAITO reads no text_config of params.json, no quantization and no yarn."""
    from akscli.model.kaito_names import TOKEN_LIMIT_KEYS

    view: dict[str, Any] = {}
    for name, keys in _KAITO_KEYS.items():
        found = next((n for n in (_kaito_int(params.get(k)) for k in keys if k in params) if n is not None), None)
        if found is not None:
            view[name] = found
    view.update({k: params[k] for k in TOKEN_LIMIT_KEYS if k in params})
    return view
