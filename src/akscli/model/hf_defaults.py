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
- transformers v4.57.6 (the image of vLLM v0.11.0, akscli's pinned one: akscli.model.vllm_versions)
  differs in three things held here: the RoPE is the ``rope_scaling`` argument, whose default applies
  only where config.json leaves the key out (a null stays null, GptOssConfig.__init__); there is no
  Ministral3Config (V5_ONLY); and Phi3Config and Phi4MultimodalConfig refuse any RoPE but a longrope
  one (V4_LONGROPE_ONLY). The other defaults above and the wrappers' text configs are the same
  there (each class's ``__init__``, read key by key with an AST script).
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
        # configuration_qwen2_5_omni.py (v4.57.6 and v5.17.0 alike)
        "qwen2_5_omni_text": _class("Qwen2_5OmniTextConfig", 28, 28, 3584, 32768, num_key_value_heads=4),
    }
)
# The types transformers v4.57.6 has no config class for (vLLM's v4 images cannot load them): not held there.
V5_ONLY = frozenset({"ministral3"})


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
    "internvl": Wrapper("InternVLConfig", "qwen2"),  # configuration_internvl.py: model_type else "qwen2"
}  # fmt: skip
# Omni configs: the text config is the thinker's (Qwen2_5OmniConfig.get_text_config and
# Qwen3OmniMoeConfig.get_text_config return ``self.thinker_config.get_text_config()``), whose
# ``text_config`` is always its own text class, else that class's defaults (Qwen2_5OmniThinkerConfig,
# Qwen3OmniMoeThinkerConfig); no thinker_config: the default thinker. transformers v4.57.6 and v5.17.0
# configuration_qwen2_5_omni.py, configuration_qwen3_omni_moe.py; vLLM v0.11.0 and v0.25.1
# get_hf_text_config call get_text_config().
THINKERS = {
    "qwen2_5_omni": Wrapper("Qwen2_5OmniConfig", "qwen2_5_omni_text", fixed=True),
    "qwen3_omni_moe": Wrapper("Qwen3OmniMoeConfig", "qwen3_omni_moe_text", fixed=True),
}
# vLLM renames a config's ``llm_config`` to ``text_config`` where it has none (vllm-project/vllm v0.11.0
# and v0.25.1 vllm/transformers_utils/config.py _CONFIG_ATTRS_MAPPING, _maybe_remap_hf_config_attrs):
# InternVL's remote-code config (model_type internvl_chat) builds it by ``llm_config.architectures[0]``
# (OpenGVLab/InternVL 016ae21f internvl_chat/internvl/model/internvl_chat/configuration_internvl_chat.py):
# transformers' LlamaConfig or Qwen2Config, else its own copies of InternLM2Config, Phi3Config and
# Gemma2Config, whose defaults akscli does not hold. Another type's llm_config: its keys, nothing assumed.
LLM_CONFIG_CLASSES = {"LlamaForCausalLM": "llama", "Qwen2ForCausalLM": "qwen2"}
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


def _inner(config: Mapping[str, Any], top_type: str) -> tuple[Any, Wrapper | None, str | None]:
    """The dict vLLM serves as the text config (None: none given), the wrapper class that builds it,
    and the text type forced whatever the dict names ("": unknown, nothing assumed; None: not forced)."""
    thinker = THINKERS.get(top_type)
    if thinker is not None:
        found = config.get("thinker_config")
        return (found.get("text_config") if isinstance(found, Mapping) else None), thinker, None
    llm = config.get("llm_config")
    if "text_config" not in config and isinstance(llm, Mapping):
        archs = llm.get("architectures")
        arch = archs[0] if isinstance(archs, list) and archs else None
        return llm, None, LLM_CONFIG_CLASSES.get(str(arch), "") if top_type == "internvl_chat" else ""
    return config.get("text_config"), WRAPPERS.get(top_type), None


def text_config(config: Mapping[str, Any], transformers: int | None = 5) -> TextConfig:
    """``transformers``: the major version the image runs (4: the v4.57.6 classes, which take a key
    config.json gives as null as null and name the RoPE ``rope_scaling``; 5 or None: v5.17.0's)."""
    top_type = str(config.get("model_type") or "")
    nested, wrapper, forced = _inner(config, top_type)
    if isinstance(nested, Mapping):
        text: Mapping[str, Any] = nested
        named = "" if wrapper is not None and wrapper.fixed else str(nested.get("model_type") or "")
        model_type = forced if forced is not None else named or (wrapper.text_type if wrapper is not None else "")
    elif wrapper is not None and not wrapper.flat:
        # the wrapper's default text config: config.json's top-level keys are not read
        held = _held(wrapper.text_type, transformers)
        values = {**(held[1] if held else {}), **wrapper.given}
        values = _v4_rope(values) if transformers == 4 else values
        return TextConfig({**values, "model_type": wrapper.text_type}, frozenset(values), wrapper.name)
    elif wrapper is not None:
        text, model_type = config, wrapper.text_type
    else:
        text, model_type = config, top_type
    held = _held(model_type, transformers)
    if held is None:
        return TextConfig(dict(text), frozenset(), "")
    source, defaults = held
    # A key given as null is taken as given (None), as the class takes it; a null RoPE is replaced
    # (``if self.rope_parameters is None``), unless config.json gives one under either name.
    # transformers v4: the RoPE is the ``rope_scaling`` argument, whose default applies only where
    # config.json leaves it out (GptOssConfig.__init__); its rope_parameters is no RoPE to v4.
    missing = {k: v for k, v in defaults.items() if k not in text and k != "rope_parameters"}
    if "rope_parameters" in defaults and transformers == 4:
        missing.update(_v4_rope({"rope_parameters": defaults["rope_parameters"]}) if "rope_scaling" not in text else {})
    elif "rope_parameters" in defaults and not any(text.get(k) for k in _ROPE_KEYS):
        missing["rope_parameters"] = defaults["rope_parameters"]
    return TextConfig({**dict(text), **missing}, frozenset(missing), source)


def _held(model_type: str, transformers: int | None) -> tuple[str, dict[str, Any]] | None:
    return None if transformers == 4 and model_type in V5_ONLY else DEFAULTS.get(model_type)


def _v4_rope(values: Mapping[str, Any]) -> dict[str, Any]:
    """v5's default ``rope_parameters`` as v4 names it, ``rope_scaling``."""
    out = {k: v for k, v in values.items() if k != "rope_parameters"}
    if "rope_parameters" in values:
        out["rope_scaling"] = values["rope_parameters"]
    return out


# transformers v4.57.6 models/phi3/configuration_phi3.py and models/phi4_multimodal/
# configuration_phi4_multimodal.py: ``__init__`` runs _rope_scaling_adjustment (a ``type`` su or yarn
# becomes longrope) and _rope_scaling_validation, which raises a ValueError unless ``rope_scaling`` is
# None or a dict of exactly three keys, ``type`` longrope and ``short_factor`` and ``long_factor``
# lists of numbers, each of length int(hidden_size // num_attention_heads * partial_rotary_factor) // 2.
V4_LONGROPE_ONLY = {"phi3": "Phi3Config", "phi4_multimodal": "Phi4MultimodalConfig"}
# A model repo's own config class (remote code, which vLLM v0.11.0's get_config loads through AutoConfig):
# microsoft/Phi-4-multimodal-instruct configuration_phi4mm.py Phi4MMConfig, read in the copy at
# apoorvas-523/projectDL2025 f3c6d9be configuration_phi4mm.py (the Hub repo itself is not in the index):
# the same su/yarn rename, then a dict of exactly three keys, ``type`` longrope, ``short_factor`` a list
# of numbers; that copy checks neither ``long_factor`` nor any length. phi3_v's configuration_phi3_v.py
# was found nowhere: not judged.
REMOTE_LONGROPE_ONLY = {"phi4mm": "Phi4MMConfig"}


def v4_refused_rope(config: Mapping[str, Any]) -> tuple[str, str] | None:
    """Where transformers v4's config class refuses the config's RoPE: the class and the RoPE's type
    as config.json names it; None where it accepts it (or akscli does not hold the rule)."""
    seen = text_config(config, 4)
    text = seen.values
    # the class that builds the text config (seen.source), or the repo's own remote class
    remote = REMOTE_LONGROPE_ONLY.get(str(config.get("model_type") or ""))
    cls = seen.source if seen.source in V4_LONGROPE_ONLY.values() else remote
    rope = text.get("rope_scaling")
    if cls is None or rope is None:
        return None
    named = str(rope.get("rope_type") or rope.get("type") or "unset") if isinstance(rope, Mapping) else "not a dict"
    if not isinstance(rope, Mapping) or len(rope) != 3:
        return cls, named
    kind = rope.get("type")
    if {"su": "longrope", "yarn": "longrope"}.get(str(kind), kind) != "longrope":
        return cls, named
    if cls == remote:
        short = rope.get("short_factor")
        numeric = isinstance(short, list) and all(isinstance(x, int | float) for x in short)
        return None if numeric else (cls, named)
    sizes = [text.get("hidden_size"), text.get("num_attention_heads"), text.get("partial_rotary_factor", 1.0)]
    numbers = [x for x in sizes if isinstance(x, int | float) and not isinstance(x, bool)]
    half = int(numbers[0] // numbers[1] * numbers[2]) // 2 if len(numbers) == 3 and numbers[1] else None
    for key in ("short_factor", "long_factor"):
        factors = rope.get(key)
        if not isinstance(factors, list) or not all(isinstance(x, int | float) for x in factors):
            return cls, named
        if half is not None and len(factors) != half:
            return cls, named
    return None
