"""``--hub-config`` completes a model described on the command line: what config.json (and, for the
weights' size, the repo's file list) on the Hugging Face Hub gives, for each description flag not
given; the flags given win. Plain logic: no Typer, no rich; the HTTP is akscli.model.hub_config's.

The keys are the ones vLLM reads (upstream: vllm-project/vllm v0.25.1
vllm/transformers_utils/model_arch_config_convertor.py ModelArchConfigConvertorBase, all read from
the text config, a multimodal model's ``text_config``): ``num_hidden_layers``,
``num_attention_heads``, ``hidden_size``, the KV heads from the first of ``n_head_kv``,
``num_kv_heads``, ``num_key_value_heads``, ``multi_query_group_num``, ``num_attention_groups``
(else the attention heads), the head size from ``head_dim`` (when above 0), else
``hidden_size_per_head``, else ``hidden_size // num_attention_heads``; multi-head latent attention
from ``kv_lora_rank`` and ``qk_rope_head_dim`` (is_deepseek_mla, get_head_size). The model types
vLLM reads with a convertor of their own (MODEL_ARCH_CONFIG_CONVERTORS) get no attention values
from here: akscli does not hold those readings, so their flags stay required.

The weights are the files KAITO's preset generator counts (kaito-project/kaito v0.12.0 0894eb2b
presets/workspace/generator/generator.go selectWeightFiles: ``consolidated.*\\.safetensors`` for a
Mistral-format repo, else ``.*\\.safetensors``, else ``.*\\.bin``), summed from the file list's
``size`` (huggingface/huggingface_hub ee0a4510 src/huggingface_hub/hf_api.py RepoFile: "The file's
size, in bytes").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from akscli.errors import UsageError
from akscli.model import bounded, catalog, config_limits, hf_defaults, hub_config, mamba_state, vllm_kv, vllm_versions

# vllm-project/vllm v0.25.1 model_arch_config_convertor.py MODEL_ARCH_CONFIG_CONVERTORS: the model
# types whose attention values vLLM reads its own way.
OWN_CONVERTORS = frozenset(
    {
        "bailing_hybrid_mtp", "cohere_asr", "dbrx", "deepseek_mtp", "diffusion_gemma_text", "ernie_mtp", "falcon",
        "falcon_mamba", "gemma4", "gemma4_mtp", "gemma4_text", "gemma4_unified", "gemma4_unified_text",
        "glm4_moe_mtp", "glm_ocr_mtp", "longcat_flash_mtp", "mamba", "medusa", "mimo_mtp", "mimo_v2",
        "mimo_v2_flash", "mimo_v2_mtp", "mimo_v2_omni_mtp", "moss_audio", "mpt", "nemotron-nas",
        "pangu_ultra_moe_mtp", "qwen3_5_mtp", "qwen3_next_mtp", "RefinedWeb", "RefinedWebModel", "step3p5_mtp",
        "timm_wrapper", "zamba2",
    }
)  # fmt: skip
KV_HEAD_KEYS = ("n_head_kv", "num_kv_heads", "num_key_value_heads", "multi_query_group_num", "num_attention_groups")
# The vLLM a runtime runs: KAITO's images (kaito-project/kaito 056b8280b
# presets/workspace/dependencies/requirements.txt: vllm==0.25.1) and the one akscli pins for its own vLLM
# runtime (kinds.DEFAULT_VLLM_IMAGE, v0.24.0; its -cu129 build is the same release), or the release an
# --image tag names (vllm_versions). Which
# quant_method names each loads: vllm_versions.quant_methods. vLLM reads the name lowercased,
# compressed_tensors as compressed-tensors (v0.11.0 vllm/config/model.py _parse_quant_hf_config; v0.25.1
# vllm/transformers_utils/model_arch_config_convertor.py _normalize_quantization_config).
KAITO_VLLM, OWN_VLLM = "v0.25.1", "v0.24.0"
_MISTRAL = re.compile(r"consolidated.*\.safetensors")
_SAFETENSORS = re.compile(r".*\.safetensors")
_BIN = re.compile(r".*\.bin")
GIB = float(1 << 30)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def quantization(config: Mapping[str, Any]) -> str | None:
    """The --quantization config.json names: ``quantization_config.quant_method`` (for vLLM's
    compressed-tensors, its ``format``), else ``torch_dtype`` (transformers v5: ``dtype``) float16;
    None where it names none akscli knows (catalog.QUANT_FAMILIES)."""
    quant = config.get("quantization_config")
    if isinstance(quant, Mapping):
        method = _method(quant)
        if method == "compressed-tensors":
            method = str(quant.get("format") or "").lower()
        return method if method in catalog.QUANT_FAMILIES else None
    dtype = config.get("torch_dtype") or config.get("dtype")
    return "fp16" if dtype == "float16" else None


def _method(quant: Mapping[str, Any]) -> str:
    """``quant_method`` as vLLM reads it: lowercased, compressed_tensors as compressed-tensors."""
    return str(quant.get("quant_method") or "").lower().replace("compressed_tensors", "compressed-tensors")


def unknown_quantization(config: Mapping[str, Any], vllm_version: str | None = OWN_VLLM) -> str | None:
    """The warning for a ``quantization_config.quant_method`` akscli does not size (it plans the model
    as bf16 then); None where config.json names none, or one akscli knows. ``vllm_version``: the vLLM
    the runtime runs (a release vllm_versions read), whose registry says whether it loads the method;
    None: an image whose tag names none (or AI Runway's Ray or Dynamo image), where that is not judged."""
    quant = config.get("quantization_config")
    if not isinstance(quant, Mapping) or quantization(config) is not None:
        return None
    method = _method(quant)
    if vllm_version is None:
        vllm = "not judged: vLLM release not known"
    elif method in vllm_versions.quant_methods(vllm_version):
        vllm = f"vLLM {vllm_version} loads it"
    else:
        vllm = f"not a method vLLM {vllm_version} lists"
    if method == "compressed-tensors":
        method = f"compressed-tensors, format {str(quant.get('format') or '') or 'unset'}"
    return (
        f"config.json's quant_method {bounded.value(method, 40) or 'unset'} is not one akscli sizes ({vllm}): it "
        "planned the model "
        "as bf16; give --quantization to say otherwise"
    )


def serving_vllm(kaito: bool, image: str | None) -> str | None:
    """The vLLM release the runtime runs: KAITO's, else --image's tag (None where it names no release
    akscli read, or ``image`` is "": an image whose vLLM is not known), else akscli's pinned image's."""
    if kaito:
        return KAITO_VLLM
    return OWN_VLLM if image is None else vllm_versions.image_version(image)


def weight_files(files: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The files KAITO's generator counts as weights (selectWeightFiles), in the list's order."""
    paths = [f for f in files if isinstance(f.get("path"), str)]
    mistral = [f for f in paths if _MISTRAL.search(f["path"])]
    return (
        mistral or [f for f in paths if _SAFETENSORS.search(f["path"])] or [f for f in paths if _BIN.search(f["path"])]
    )


def parameters_b(safetensors: Mapping[str, Any] | None) -> float | None:
    """--params-b from the Hub's safetensors counts (hub_config.read_safetensors): ``total`` in
    billions. None where the Hub gives none, or where more than 1% of it is in integer tensors: a
    packed quantized checkpoint (GPTQ, AWQ: eight 4-bit weights in one I32; NVFP4: two in one U8)
    whose element count is not its parameter count. A small integer buffer (a BERT's I64
    position_ids) is under that. The Hub counts elements per dtype as huggingface_hub does
    (upstream: huggingface/huggingface_hub ee0a4510 src/huggingface_hub/utils/_safetensors.py
    TensorInfo.parameter_count, SafetensorsRepoMetadata.parameter_count)."""
    if safetensors is None:
        return None
    total, counts = _int(safetensors.get("total")), safetensors.get("parameters")
    if total is None or not isinstance(counts, Mapping):
        return None
    packed = sum(v for k, v in counts.items() if _int(v) and not str(k).startswith(("F", "BF")))
    if packed > total / 100:
        return None
    return max(round(total / 1e9, 3), 0.001)


class Filled(NamedTuple):
    """A description completed from the Hub, what came from there (as flags), the MLA sizes, and
    what akscli assumed where config.json names what it does not know (warning lines)."""

    description: catalog.Description
    said: list[str]
    mla: tuple[int, int] | None
    warnings: tuple[str, ...] = ()
    window: tuple[int, int] | None = None  # the sliding window and how many layers slide (vllm_kv)
    hybrid: mamba_state.Hybrid | None = None  # a hybrid's layers and recurrent state (mamba_state)


def fill(
    given: catalog.Description,
    config: Mapping[str, Any],
    limit: tuple[int, str] | None,
    files: Sequence[Mapping[str, Any]] | None,
    safetensors: Mapping[str, Any] | None = None,
    vllm_version: str | None = OWN_VLLM,
) -> Filled:
    """``given`` with each value it lacks taken from ``config`` (``limit``: the --max-context it gets, the
    length vLLM and, for KAITO, its webhook accept, and the key it comes from), ``files`` (the file
    list; None: not read), ``safetensors`` (the Hub's parameter counts; None: not read or none) and
    ``vllm_version`` (the vLLM the runtime runs, for the quant_method warning and the transformers
    its image runs; None: not known)."""
    seen = hf_defaults.text_config(config, transformers_of(vllm_version))
    text = seen.values
    values: dict[str, Any] = {}
    said: list[str] = []
    model_type = str(text.get("model_type") or config.get("model_type") or "")
    mla: tuple[int, int] | None = None
    if model_type not in OWN_CONVERTORS:
        heads = _int(text.get("num_attention_heads"))
        kv = next((_int(text.get(k)) for k in KV_HEAD_KEYS if text.get(k) is not None), None) or heads
        head_dim = _int(text.get("head_dim")) or _int(text.get("hidden_size_per_head"))
        lora, rope = _int(text.get("kv_lora_rank")), _int(text.get("qk_rope_head_dim"))
        if lora and rope and given.head_dim is None:
            mla = lora, rope
        found = {
            "layers": _int(text.get("num_hidden_layers")),
            "attention_heads": heads,
            "kv_heads": kv,
            "head_dim": head_dim,
            "hidden_size": _int(text.get("hidden_size")),
        }
        values.update({k: v for k, v in found.items() if v is not None})
    why: dict[str, str] = {}
    # the flags whose every key came from the config class (transformers' default, as vLLM sees it)
    keys = {
        "layers": ("num_hidden_layers",),
        "attention_heads": ("num_attention_heads",),
        "kv_heads": KV_HEAD_KEYS,
        "head_dim": ("head_dim",),
        "hidden_size": ("hidden_size",),
    }
    for flag, read in keys.items():
        if flag in values and any(k in seen.defaulted for k in read):
            why[flag] = f" ({seen.source}'s default)"
    if limit is not None:
        values["max_context"], why["max_context"] = limit[0], f" ({limit[1]})"
    quant = quantization(config)
    if quant is not None:
        values["quantization"] = quant
    unknown = unknown_quantization(config, vllm_version) if given.quantization is None else None
    weights: list[Mapping[str, Any]] = weight_files(files) if files is not None else []
    if weights and given.weights_gib is None:
        total = sum(f["size"] for f in weights if isinstance(f.get("size"), int))
        values["weights_gib"] = max(round(total / GIB, 2), 0.01)
        kind = "safetensors" if weights[0]["path"].endswith(".safetensors") else "bin"
        why["weights_gib"] = f" (its {len(weights)} .{kind} file{'s' if len(weights) > 1 else ''})"
    params = parameters_b(safetensors)
    if params is not None:
        values["params_b"], why["params_b"] = params, " (the Hub's safetensors total)"
    merged = given._asdict()
    for key, value in values.items():
        if merged.get(key) is None:
            merged[key] = value
            said.append(
                f"--{key.replace('_', '-')} {value:g}{why.get(key, '')}"
                if isinstance(value, float)
                else f"--{key.replace('_', '-')} {value}{why.get(key, '')}"
            )
    layers = merged.get("layers")
    window = vllm_kv.window_from_config(text, model_type, layers) if isinstance(layers, int) and not mla else None
    named = config.get("architectures")
    architecture = named[0] if isinstance(named, list) and named else ""
    hybrid = (
        mamba_state.from_config(text, model_type, layers, str(architecture))
        if isinstance(layers, int) and not mla
        else None
    )
    warned = ((unknown,) if unknown else ()) + ((window,) if isinstance(window, str) else ())
    if isinstance(hybrid, str):
        warned += (f"the hybrid model's recurrent state is not sized: {hybrid}",)
    return Filled(
        catalog.Description(**merged),
        said,
        mla,
        warned,
        window if isinstance(window, tuple) else None,
        hybrid if isinstance(hybrid, mamba_state.Hybrid) else None,
    )


def transformers_of(vllm_version: str | None) -> int | None:
    """The transformers major version the image of ``vllm_version`` runs (None: not known)."""
    return vllm_versions.transformers_major(vllm_version) if vllm_version is not None else None


def tokenizer_judged(
    model_id: str,
    config: Mapping[str, Any],
    tokenizer: Mapping[str, Any] | None,
    files: Sequence[Mapping[str, Any]],
    vllm_version: str | None,
    trusted: bool,
    kaito_flag: str,
) -> str | None:
    """akscli.model.remote_code.check_tokenizer for a repo whose file list holds a tokenization_*.py (its
    tokenizer_config.json read here, one GET, unless read already); None for the others."""
    from akscli.model import remote_code

    if trusted or not remote_code.ships_tokenizer_code(files):
        return None
    if tokenizer is None:
        tokenizer = hub_config.read_json(model_id, "tokenizer_config.json", optional=True) or {}
    return remote_code.check_tokenizer(model_id, config, tokenizer, vllm_version, trusted, kaito_flag)


def _config_judged(
    model_id: str,
    config: Mapping[str, Any],
    vllm_version: str | None,
    trusted: bool,
    kaito_flag: str,
    files: list[dict[str, Any]] | None,
) -> tuple[str | None, list[dict[str, Any]] | None, dict[str, Any] | None]:
    """akscli.model.remote_code.check's warning, the file list (``files``: read already, else None) and the
    repo's params.json where the image's vLLM builds its config from it. The judge runs on config.json only where
    vLLM reads config.json; where it refuses and the list was not read, the list is read (one GET) to see whether
    vLLM reads params.json instead (remote_code.reads_params_json: a Mistral-format repo). Where the list cannot be
    read, the refusal stands; where only a later vLLM reads params.json, the refusal says so."""
    from akscli.errors import AkscliError
    from akscli.model import remote_code

    params = _params_json(model_id, files, vllm_version)
    if params is not None:
        return None, files, params
    try:
        return remote_code.check(model_id, config, vllm_version, trusted, kaito_flag), files, None
    except UsageError as refused:
        if files is None:
            try:
                files = hub_config.list_files(model_id)
            except AkscliError:
                raise refused from None
            params = _params_json(model_id, files, vllm_version)
            if params is not None:
                return None, files, params
        raise remote_code.params_json_later(refused, files, vllm_version, kaito_flag) from None


def _kaito_params_json(
    model_id: str, files: list[dict[str, Any]] | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The file list and the params.json KAITO's preset generator reads for a repo without a config.json: only a
    Mistral-format one, whose weights are consolidated*.safetensors (kaito-project/kaito 056b8280
    presets/workspace/generator/generator.go selectWeightFiles, fetchAndParseConfig); for any other, or a
    missing params.json, the Hub's 404 (the generator fails "error fetching config")."""
    from akscli.model import remote_code

    listed = files if files is not None else hub_config.list_files(model_id)
    if not _mistral(listed):
        raise hub_config.not_found(model_id, "config.json", hub_config.token())
    found = hub_config.read_json(model_id, remote_code.MISTRAL_CONFIG)
    assert found is not None
    return listed, found


def _format_seen(kaito: bool, judged: bool, vllm_version: str | None) -> bool:
    """Whether the file list is read even where --weights-gib gives the size: where the repo's format (Mistral's
    consolidated*.safetensors) decides what the runtime's vLLM reads, as the runtime itself lists the repo to see.
    KAITO's generator lists it for every model outside its catalog (kaito-project/kaito 056b8280
    presets/workspace/generator/generator.go FetchModelMetadata, selectWeightFiles, setMistralMode); vLLM v0.12.0
    and later list it at every start where the config format is auto (vllm-project/vllm
    vllm/transformers_utils/config.py get_config "First check for Mistral", repo_utils.py is_mistral_model_repo).
    Not where akscli judges nothing (an image whose vLLM is not known, a runtime that is neither), or on v0.11.x."""
    from akscli.model import remote_code

    return kaito or (judged and remote_code.may_read_params_json(vllm_version))


def _mistral(files: Sequence[Mapping[str, Any]]) -> bool:
    """Whether KAITO's generator takes the repo for a Mistral-format one: its weights are consolidated*.safetensors
    (generator.go selectWeightFiles sets IsMistralModel, then setMistralMode)."""
    weights = weight_files(files)
    return bool(weights) and bool(_MISTRAL.search(weights[0]["path"]))


def _no_params_json(model_id: str) -> UsageError:
    """KAITO's refusal-to-be of a Mistral-format repo with a config.json but no params.json: its generator sets
    config_format mistral for consolidated weights (kaito-project/kaito 056b8280 presets/workspace/generator/
    generator.go selectWeightFiles, setMistralMode), and vLLM's MistralConfigParser reads only params.json, raising
    "Failed to load mistral 'params.json' config" where there is none (vllm-project/vllm
    vllm/transformers_utils/config.py _download_mistral_config_file): the pod exits at start."""
    return UsageError(
        f"{bounded.value(model_id, 48)} is in Mistral format (consolidated*.safetensors) but has no params.json on "
        f"Hugging Face: KAITO runs vLLM {KAITO_VLLM} with config_format mistral, which reads only params.json, so it "
        "would exit at start",
        hint="KAITO cannot serve this repo as it is: use a copy with params.json, or one in Hugging Face format "
        "(model*.safetensors)",
    )


def _params_json(model_id: str, files: list[dict[str, Any]] | None, vllm_version: str | None) -> dict[str, Any] | None:
    """The repo's params.json where its file list shows that vLLM ``vllm_version`` builds its config from it (one
    GET, for such repos only); else None."""
    from akscli.model import remote_code

    if files is None or vllm_version is None or not remote_code.reads_params_json(files, vllm_version):
        return None
    return hub_config.read_json(model_id, remote_code.MISTRAL_CONFIG)


def _architecture_refused(config: Mapping[str, Any], vllm_version: str | None, trusted: bool) -> bool:
    """Whether akscli.model.vllm_archs.check refuses config.json's ``architectures[0]``."""
    from akscli.model import vllm_archs

    try:
        vllm_archs.check("", config_limits.limits(config).architecture, vllm_version, trusted, None)
    except UsageError:
        return True
    return False


def mistral_note(
    model_id: str,
    config: Mapping[str, Any],
    built: Mapping[str, Any],
    vllm_version: str,
    kaito: bool = False,
    has_config: bool = True,
) -> str:
    """The line that says vLLM ``vllm_version`` builds the config from params.json, and what config.json says that
    akscli did not take; under KAITO (``kaito``), what its generator sized the Workspace from (config.json, else,
    where the repo has none, ``has_config`` False, params.json)."""
    from akscli.model import remote_code

    name = bounded.value(model_id, 48)
    if kaito and not has_config:
        return (
            f"{name} has no config.json: KAITO's preset generator reads its params.json (a Mistral-format repo), and "
            "akscli sized it from that one"
        )
    if kaito:
        return (
            f"{name} is in Mistral format: KAITO runs vLLM {vllm_version} with config_format mistral, which builds "
            f"its config from params.json ({built['architectures'][0]}); KAITO's generator sizes the Workspace from "
            "its config.json, as akscli did"
        )
    archs = config.get("architectures")
    named = archs[0] if isinstance(archs, list) and archs and isinstance(archs[0], str) else None
    theirs = f"model_type {bounded.value(str(config.get('model_type') or 'unset'), 40)}" + (
        f", {bounded.value(named, 48)}" if named else ""
    )
    return (
        f"{name} is in Mistral format: vLLM {vllm_version} builds its config from "
        f"{remote_code.MISTRAL_CONFIG} ({built['architectures'][0]}), not from its config.json ({theirs}); "
        "akscli judged and sized that one"
    )


def resolve(
    name: str,
    given: catalog.Description,
    kaito: bool,
    image: str | None = None,
    trusted: bool | None = None,
    kaito_flag: str = "--runtime kaito",
) -> tuple[catalog.Model, tuple[str, ...], tuple[str, ...]]:
    """The model ``name`` described by ``given``, completed and checked from its config.json on the Hub
    (and its tokenizer_config.json where vLLM reads it, and its file list where --weights-gib is not
    given or the repo's format matters: _format_seen) for the vLLM the runtime runs (``image``: --image, the
    vLLM image; None: akscli's); the lines
    that say where the config came from (a Mistral-format repo's params.json) and what came from the Hub (none
    where nothing did); and the warnings for what akscli assumed there.
    ``trusted``: whether the vLLM command line passes --trust-remote-code (akscli.model.remote_code
    judges a config that needs the repo's own code); None: KAITO's vLLM, not judged; ``kaito_flag``: the
    flag that picks KAITO instead, named in the refusal's hint."""
    model_id = catalog.validate_hf_id(name)
    found_config = hub_config.read_json(model_id, "config.json", optional=kaito)
    vllm_version = serving_vllm(kaito, image)
    judged = trusted is not None and not kaito
    files = (
        hub_config.list_files(model_id)
        if given.weights_gib is None or _format_seen(kaito, judged, vllm_version)
        else None
    )
    params: dict[str, Any] | None = None
    kaito_config: dict[str, Any] | None = None  # what KAITO's generator read, where it is not config.json
    if found_config is None:  # KAITO only: its generator reads a Mistral-format repo's params.json instead
        files, params = _kaito_params_json(model_id, files)
        from akscli.model import mistral_params

        kaito_config = mistral_params.kaito_view(params)
    elif kaito and files is not None and _mistral(files):
        # KAITO's generator sizes from config.json but runs vLLM with config_format mistral: params.json's length
        params = hub_config.read_json(model_id, "params.json", optional=True)
        if params is None:
            raise _no_params_json(model_id)
        kaito_config = found_config
    config: Mapping[str, Any] = found_config if found_config is not None else {}
    tokenizer = (
        hub_config.read_json(model_id, "tokenizer_config.json", optional=True)
        if config_limits.reads_tokenizer_config(config)
        else None
    )
    remote = None
    if judged:
        assert trusted is not None
        if files is None and _architecture_refused(config, vllm_version, trusted):
            # config.json's architecture would be refused: does vLLM read params.json instead? (one GET)
            files = hub_config.list_files(model_id)
        remote, files, params = _config_judged(model_id, config, vllm_version, trusted, kaito_flag, files)
    served: Mapping[str, Any] = config
    notes: tuple[str, ...] = ()
    loads = True
    if params is not None and vllm_version is not None:
        from akscli.model import mistral_params

        loads = found_config is not None and _loads(model_id, config, vllm_version)
        served = mistral_params.adapted(params, config, loads)
        notes = (mistral_note(model_id, config, served, vllm_version, kaito, found_config is not None),)
    transformers = transformers_of(vllm_version)
    config_limits.check_loads(model_id, served, transformers, vllm_version)
    found = config_limits.limits(served, tokenizer, transformers)
    bounds = [(found.vllm, _from(found.vllm_key, params, config if loads else None))] if found.vllm is not None else []
    if kaito:
        limit, key = (found.kaito, found.kaito_key) if kaito_config is None else config_limits.kaito_limit(kaito_config)
        key = key if found_config is not None or key.startswith("KAITO") else f"params.json {key}"
        bounds.append((limit, key if key.startswith("KAITO") else f"{key}, KAITO's token limit"))
    if judged and files is not None:
        remote = remote or tokenizer_judged(model_id, config, tokenizer, files, vllm_version, bool(trusted), kaito_flag)
    # One GET each: config.json; tokenizer_config.json only where vLLM reads it or, for the remote-code
    # judge, where the file list shows a tokenization_*.py; the file list without --weights-gib, and with it
    # where the repo's format decides what the runtime's vLLM reads (_format_seen) or a judge of config.json
    # refuses (a params.json vLLM reads instead); params.json only where the list shows that vLLM reads it; the
    # model info only without --params-b, and only where the Hub completes the description (flags that describe
    # the model in full make --hub-config a check: config.json and, where _format_seen, the file list).
    asks = given.params_b is None and not catalog.complete(given)
    safetensors = hub_config.read_safetensors(model_id) if asks else None
    listed = files if given.weights_gib is None else None  # the size comes from the flag
    described = kaito_config if kaito_config is not None else served  # KAITO sizes from what its generator read
    filled = fill(given, described, min(bounds) if bounds else None, listed, safetensors, vllm_version)
    try:
        model = catalog.resolve(model_id, filled.description)
    except UsageError as exc:
        if filled.said and not exc.message.startswith("describing"):
            exc.hint = (
                f"{exc.hint + '; ' if exc.hint else ''}a value came from Hugging Face: give its flag to override it"
            )
        elif exc.message.startswith("describing"):
            exc.hint = f"{model_id}'s config.json on Hugging Face does not give them (read the model card)"
        raise
    if filled.mla is not None:
        model = model._replace(kv_lora_rank=filled.mla[0], qk_rope_head_dim=filled.mla[1])
    if filled.window is not None:
        model = model._replace(sliding_window=filled.window[0], sliding_layers=filled.window[1])
    if filled.hybrid is not None:
        model = model._replace(
            attention_layers=filled.hybrid.attention_layers,
            mamba_layers=filled.hybrid.mamba_layers,
            mamba_state_bytes=filled.hybrid.state_bytes,
            mamba_groups=filled.hybrid.groups or None,
            mamba_group_bytes=filled.hybrid.group_bytes or None,
            mamba_heads=filled.hybrid.heads or None,
        )
    model = config_limits.checked(
        model,
        served,
        kaito,
        tokenizer,
        transformers,
        vllm_from="params.json" if params else "",
        kaito_from=None if kaito_config is None else (kaito_config, "config.json" if found_config else "params.json"),
    )
    warnings = filled.warnings + ((remote,) if remote else ())
    said = notes + ((f"from {model_id} on Hugging Face: {' '.join(filled.said)}",) if filled.said else ())
    return model, said, warnings


def _from(key: str, params: Mapping[str, Any] | None, config: Mapping[str, Any] | None) -> str:
    """vLLM's length key as said: with the file it came from where vLLM built its config from params.json
    (``params``), where a max_position_embeddings params.json lacks is config.json's (``config``: where its
    AutoConfig loads) or vLLM's default (mistral_params.DEFAULT_MAX_POSITIONS)."""
    from akscli.model import mistral_params

    if params is None:
        return key
    if not key.startswith("max_position_embeddings") or "max_position_embeddings" in params:
        return f"params.json {key}"
    named = mistral_params.positions_of(config) if config is not None else None
    return (
        f"config.json {key}, as params.json names none"
        if named
        else f"vLLM's default {key}, as params.json names none and config.json gives none vLLM reads"
    )


def _loads(model_id: str, config: Mapping[str, Any], vllm_version: str) -> bool:
    """Whether the image's AutoConfig loads config.json (remote_code.check passes it without trusting the repo's
    code): only then does vLLM take a max_position_embeddings params.json lacks from it."""
    from akscli.model import remote_code

    try:
        return remote_code.check(model_id, config, vllm_version, False) is None
    except UsageError:
        return False
