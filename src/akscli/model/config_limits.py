"""What a model's config.json on the Hugging Face Hub allows: the max-model-len vLLM derives from it,
the token limit KAITO's webhook builds a preset with, its architecture, and the checks of
--max-context and of the image's transformers against them. Plain logic, no I/O: hub_config.py
reads the files, hub_describe.py puts the answers together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from akscli.errors import UsageError

if TYPE_CHECKING:
    from akscli.model.catalog import Model


class Limits(NamedTuple):
    """What a config.json says about a model's length and kind. ``vllm``: the max-model-len vLLM
    derives (None where config.json names no length key: vLLM then takes its config class's
    default, which akscli does not hold); ``kaito``: the token limit KAITO's webhook builds a
    preset with; ``architecture``: ``architectures[0]``."""

    vllm: int | None
    vllm_key: str
    kaito: int
    kaito_key: str
    architecture: str | None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def vllm_limit(
    config: Mapping[str, Any], tokenizer: Mapping[str, Any] | None = None, transformers: int | None = 5
) -> tuple[int | None, str]:
    """vLLM's derived max_model_len and the key it came from (catalog.py's rule, VLLM_TOKEN_LIMIT_KEYS
    cites it: vllm-project/vllm v0.11.0 and v0.25.1 vllm/config/model.py _get_and_verify_max_len),
    read from the text config (vllm/transformers_utils/config.py get_hf_text_config: a multimodal
    model's ``text_config``). ``tokenizer``: tokenizer_config.json where vLLM reads it
    (reads_tokenizer_config): its ``model_max_length`` lowers the length, and gives it where config.json
    names none, before the RoPE factor (``derived_max_model_len = min(derived_max_model_len,
    tokenizer_model_max_length)``). The RoPE type is ``rope_type``, else the legacy ``type``, ``su`` read
    as longrope and ``mrope`` as default (config.py patch_rope_scaling_dict). A ``rope_parameters`` nested by
    layer type is read as v0.25.1 reads it: each layer type's (not longrope, llama3) factor, the last one
    winning, and a yarn one's original_max_position_embeddings (a Phi3 one's from the top level:
    hf_defaults.TOP_ORIGINAL). A key config.json leaves out is its
    transformers config class's default where akscli holds it (akscli.model.hf_defaults). ``transformers``
    4 (an image with transformers v4, as vLLM v0.11.0's): the RoPE is ``rope_scaling`` only, which is what
    v0.11.0 reads (vllm/config/model.py _get_and_verify_max_len: ``getattr(hf_config, "rope_scaling",
    None)``), and a yarn one's original length is its own. Not here: a sliding window vLLM is told to disable."""
    from akscli.model import hf_defaults
    from akscli.model.catalog import VLLM_TOKEN_LIMIT_KEYS

    seen = hf_defaults.text_config(config, transformers)
    text = seen.values
    derived: float | None = None
    key = ""
    for k in VLLM_TOKEN_LIMIT_KEYS:
        value = _number(text.get(k))
        if value is not None and (derived is None or value < derived):
            derived, key = value, k
    command_r = _number(text.get("model_max_length"))
    if command_r:
        derived, key = command_r, "model_max_length"
    if key in seen.defaulted:
        key = f"{key}, {seen.source}'s default"
    lowered = _number(tokenizer.get("model_max_length")) if tokenizer is not None else None
    if lowered is not None and (derived is None or lowered < derived):
        derived, key = lowered, "tokenizer_config.json model_max_length"
    if derived is None:
        return None, ""
    # transformers v5's configs name it rope_parameters (vLLM v0.25.1 reads that), either one dict or
    # one per layer type (is_rope_parameters_nested: its keys are all transformers' layer types)
    field = "rope_scaling" if text.get("rope_scaling") or transformers == 4 else "rope_parameters"
    rope = text.get(field)
    if field in seen.defaulted:
        field = f"{seen.source}'s default rope_parameters"
    model_type = str(text.get("model_type") or config.get("model_type") or "")
    if not isinstance(rope, Mapping) or not rope or "gemma3" in model_type:
        return int(derived), key
    nested = set(rope).issubset(LAYER_TYPES)
    factor, factor_at = 1.0, field
    for layer, params in rope.items() if nested else [("", rope)]:
        if not isinstance(params, Mapping):
            continue
        at = f"{field}.{layer}" if layer else field
        rope_type = str(params.get("rope_type") or params.get("type") or "")
        rope_type = {"su": "longrope", "mrope": "default"}.get(rope_type, rope_type)
        if rope_type in ("longrope", "llama3"):
            continue
        if "factor" in params:  # "assumes all layer types have the same scaling factor": the last one
            factor, factor_at = _number(params.get("factor")) or 1.0, at
        original, original_at = _number(params.get("original_max_position_embeddings")), f"{at}."
        if not nested and model_type in hf_defaults.TOP_ORIGINAL and transformers != 4:  # v5 standardize_rope_params
            original, original_at = _number(text.get("original_max_position_embeddings")), ""
            if "original_max_position_embeddings" in seen.defaulted:
                original_at = f"{seen.source}'s default "
        if rope_type == "yarn" and original is not None:
            derived, key = original, f"{original_at}original_max_position_embeddings"
    if factor != 1.0:
        derived, key = derived * factor, f"{key} × {factor_at}.factor {factor:g}"
    return int(derived), key


# transformers v5.17.0 src/transformers/configuration_utils.py ALLOWED_LAYER_TYPES (the attention
# and MLP layer types): the keys of a rope_parameters nested by layer type (vLLM v0.25.1
# vllm/transformers_utils/config.py is_rope_parameters_nested).
LAYER_TYPES = frozenset(
    {
        "full_attention", "sliding_attention", "chunked_attention", "window_attention", "compressed_sparse_attention",
        "heavily_compressed_attention", "minimax_m3_sparse", "conv", "moe", "hybrid", "hybrid_sliding",
        "deepseek_sparse_attention", "qwen_sparse_attention", "linear_attention", "sparse", "dense",
    }
)  # fmt: skip


# vLLM's default runner by an architecture's suffix (vllm-project/vllm v0.25.1 vllm/config/model.py
# _SUFFIX_TO_DEFAULTS, in its order: the first suffix that matches decides).
_RUNNER_BY_SUFFIX = (
    ("ForCausalLM", "generate"),
    ("ForConditionalGeneration", "generate"),
    ("ChatModel", "generate"),
    ("LMHeadModel", "generate"),
    ("ForTextEncoding", "pooling"),
    ("EmbeddingModel", "pooling"),
    ("ForSequenceClassification", "pooling"),
    ("ForTokenClassification", "pooling"),
    ("ForAudioClassification", "pooling"),
    ("ForImageClassification", "pooling"),
    ("ForVideoClassification", "pooling"),
    ("ClassificationModel", "pooling"),
    ("ForRewardModeling", "pooling"),
    ("RewardModel", "pooling"),
    ("Model", "pooling"),
)


def reads_tokenizer_config(config: Mapping[str, Any]) -> bool:
    """Whether vLLM reads tokenizer_config.json's model_max_length for this model: only a pooling model
    whose config says ``position_embedding_type: absolute`` (vllm-project/vllm v0.11.0 and v0.25.1
    vllm/config/model.py get_and_verify_max_len: "Consider max_model_len in tokenizer_config only when
    pooling models use absolute position_embedding"). The runner is vLLM's default for the first
    architecture whose suffix it knows (_get_default_runner_type, try_match_architecture_defaults). Not
    held: vLLM's registry, which decides first for the architectures it serves, and a sentence-transformers
    modules.json, which makes any model a pooling one (get_pooling_config)."""
    if config.get("position_embedding_type") != "absolute":
        return False
    listed = config.get("architectures")
    for arch in listed if isinstance(listed, list) else []:
        for suffix, runner in _RUNNER_BY_SUFFIX:
            if isinstance(arch, str) and arch.endswith(suffix):
                return runner == "pooling"
    return False


def kaito_limit(config: Mapping[str, Any]) -> tuple[int, str]:
    """The token limit KAITO's webhook gives a preset it builds from this config.json: the first of
    kaito_names.TOKEN_LIMIT_KEYS, ``text_config`` (else ``llm_config``) merged under the top
    level's keys, else 2048 (kaito-project/kaito v0.12.0 0894eb2b presets/workspace/generator/
    generator.go mergeTextConfig, ParseModelMetadata, getInt)."""
    from akscli.model.kaito_names import DEFAULT_TOKEN_LIMIT, TOKEN_LIMIT_KEYS

    merged = dict(config)
    nested = config.get("text_config")
    if not isinstance(nested, Mapping):
        nested = config.get("llm_config")
    if isinstance(nested, Mapping):
        merged.update({k: v for k, v in nested.items() if k not in config})
    for k in TOKEN_LIMIT_KEYS:
        value = merged.get(k)
        if isinstance(value, str) and value.lstrip("+-").isdigit():
            return int(value), k
        number = _number(value)
        if number is not None:
            return int(number), k
    return DEFAULT_TOKEN_LIMIT, f"KAITO's default, {DEFAULT_TOKEN_LIMIT}"


def limits(
    config: Mapping[str, Any], tokenizer: Mapping[str, Any] | None = None, transformers: int | None = 5
) -> Limits:
    listed = config.get("architectures")
    archs = [a for a in listed if isinstance(a, str)] if isinstance(listed, list) else []
    return Limits(*vllm_limit(config, tokenizer, transformers), *kaito_limit(config), archs[0] if archs else None)


def check_loads(model_id: str, config: Mapping[str, Any], transformers: int | None, vllm_version: str | None) -> None:
    """A UsageError where the image's transformers refuses the config: v4's Phi3Config and
    Phi4MultimodalConfig take no RoPE but a longrope one (hf_defaults.v4_refused_rope), so vLLM exits at
    start on an image with transformers v4 (``transformers`` 4), as v0.11.0 (akscli's pinned one before v0.24.0)."""
    from akscli.model import bounded, hf_defaults, vllm_versions

    refused = hf_defaults.v4_refused_rope(config) if transformers == 4 else None
    if refused is not None:
        remote = refused[0] in hf_defaults.REMOTE_LONGROPE_ONLY.values()
        raise UsageError(
            f"{bounded.value(model_id, 48)}'s rope_scaling ({bounded.value(refused[1], 24)}) is refused by "
            + (f"its own remote-code {refused[0]}" if remote else f"transformers 4's {refused[0]}")
            + f" (longrope only), which vLLM {vllm_version}'s image runs: vLLM exits at start",
            hint="the repo's code takes only rope_scaling {type: longrope, short_factor, long_factor}"
            if remote
            else "use --runtime kaito (vLLM v0.25.1, transformers 5), or --image vllm/vllm-openai:v0.24.0 or later"
            + vllm_versions.driver_note("v0.24.0"),
        )


def checked(
    model: Model,
    config: Mapping[str, Any],
    kaito: bool,
    tokenizer: Mapping[str, Any] | None = None,
    transformers: int | None = 5,
    vllm_from: str = "",
    kaito_from: tuple[Mapping[str, Any], str] | None = None,
) -> Model:
    """``model`` (a catalog.Model described on the command line) with its architecture from
    config.json, or a UsageError where its --max-context is above what config.json allows: vLLM
    exits at start above its derived length, and for KAITO (``kaito``) its webhook also refuses a
    max-model-len above its own token limit (api/v1beta1/inference_config_validation.go). ``vllm_from``: the
    file ``config`` was built from where it is not config.json (params.json), said before vLLM's length key;
    ``kaito_from``: what KAITO's generator read and its file, where that is not ``config``."""
    found = limits(config, tokenizer, transformers)
    kaito_file = vllm_from or "config.json"
    if kaito_from is not None:
        (limit, key), kaito_file = kaito_limit(kaito_from[0]), kaito_from[1]
        found = found._replace(kaito=limit, kaito_key=key)
    bounds = []
    if found.vllm is not None:
        key = f"{vllm_from} {found.vllm_key}" if vllm_from else found.vllm_key
        bounds.append(
            (found.vllm, f"{found.vllm} ({key}), above which vLLM exits at start", vllm_from or "config.json")
        )
    if kaito:
        said = f"{found.kaito} ({found.kaito_key}), above which KAITO's webhook refuses it"
        bounds.append((found.kaito, said, kaito_file))
    for limit, said, file in sorted(bounds, key=lambda b: b[0]):
        if model.context > limit:
            raise UsageError(
                f"--max-context {model.context} is above {model.id}'s limit in its {file} on Hugging Face: {said}",
                hint=f"use --max-context {limit}",
            )
    from akscli.model.catalog import HUB_SOURCE

    return model._replace(architecture=found.architecture, source=HUB_SOURCE)
