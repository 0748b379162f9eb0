"""The models akscli knows (data/models.yaml) and models described by the user's own flags.

A model is what the planner needs: weights size, quantisation and the attention shape that
decides the KV cache. Lookup accepts the Hugging Face id or the KAITO preset name, case-
insensitively; an unknown name fails with the closest known names.
"""

import re
import threading
from collections.abc import Mapping
from typing import Any

from akscli import datafiles, validate
from akscli.errors import UsageError
from akscli.model import bounded
from akscli.records import Record

# Hugging Face ids: "org/name", letters, digits, '.', '_' and '-'. Patterns are compiled on first
# use (re's cache), as in akscli.validate.
_HF_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$"
_ACTIVE = r"-A(\d+(?:\.\d+)?)B(?![A-Za-z])"

QUANT_FAMILIES: dict[str, str] = {
    "bf16": "bf16",
    "fp16": "fp16",
    "fp8": "fp8",
    "float-quantized": "fp8",
    "mxfp4": "mxfp4",
    "nvfp4": "nvfp4",
    "nvfp4-pack-quantized": "nvfp4",
    "mixed_precision": "nvfp4",
    "awq": "int4",
    "gptq": "int4",
    "pack-quantized": "int4",
    "int4": "int4",
    "int8": "int8",
}


class Model(Record):
    """One model the planner can size. A Record, as are the planner's other records:
    ``model plan`` and ``model catalog`` import them (akscli.output.Column says why)."""

    id: str
    weights_gib: float
    layers: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    context: int
    quantization: str = "bf16"
    preset: str | None = None
    parameters_b: float | None = None
    parameters_estimated: bool = False
    hidden_size: int | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    # Gemma 3: the window of the sliding layers, and one layer in this many attends in full; or, for
    # a model read with --hub-config, how many layers slide (akscli.model.vllm_kv.window_from_config).
    sliding_window: int | None = None
    sliding_window_pattern: int | None = None
    sliding_layers: int | None = None
    # A hybrid model (akscli.model.mamba_state): the layers that hold KV, the Mamba or linear-attention layers
    # that hold one recurrent state per sequence instead, and that state's bytes (models.yaml hybrid_source, or
    # the config.json --hub-config reads).
    attention_layers: int | None = None
    mamba_layers: int | None = None
    mamba_state_bytes: int | None = None
    # A Mamba2 layer's n_groups, and the bytes one more group adds to its state: vLLM replicates groups where the
    # tensor-parallel degree does not divide n_groups (akscli.model.mamba_state.extra_groups).
    mamba_groups: int | None = None
    mamba_group_bytes: int | None = None
    # The heads of a recurrent layer, which vLLM splits over the tensor-parallel ranks and refuses a degree that
    # does not divide (Mamba2 num_heads, Gated DeltaNet value heads: akscli.model.vllm_tp.refusal).
    mamba_heads: int | None = None
    # No published config.json or author's shape backs the row's layers and heads (models.yaml kv_estimated).
    kv_estimated: bool = False
    license: str | None = None
    architecture: str | None = None
    access_token_required: bool = False
    tensor_parallel: bool = True
    source: str = ""

    @property
    def name(self) -> str:
        """The short name used for Kubernetes objects: the preset, else the repo's last part."""
        return self.preset or self.id.split("/")[-1]

    @property
    def is_mla(self) -> bool:
        return bool(self.kv_lora_rank and self.qk_rope_head_dim)

    @property
    def kv_bytes_per_token(self) -> int:
        """KV cache bytes per token at 16-bit: K and V per layer per KV head, or for multi-head
        latent attention the compressed latent plus the rotary part, per layer."""
        if self.is_mla:
            assert self.kv_lora_rank is not None and self.qk_rope_head_dim is not None
            return (self.kv_lora_rank + self.qk_rope_head_dim) * self.layers * 2
        return 2 * self.layers * self.kv_heads * self.head_dim * 2

    @property
    def quant_family(self) -> str:
        return QUANT_FAMILIES.get(self.quantization.lower(), self.quantization.lower())

    @property
    def active_parameters_b(self) -> float | None:
        """Parameters read per token for a mixture of experts named like '...-A12B' (else None)."""
        if "-A" not in self.id:  # the pattern's own start: most ids have none, and need no compiled pattern
            return None
        m = re.search(_ACTIVE, self.id)
        return float(m.group(1)) if m else None

    def to_dict(self) -> dict[str, Any]:
        d = self._asdict()  # every field is a scalar
        for key in SHOWN_WHERE_SET:
            if d[key] is None or d[key] is False:
                del d[key]
        d["name"] = self.name
        d["kv_bytes_per_token"] = self.kv_bytes_per_token
        d["quant_family"] = self.quant_family
        d["attention"] = (
            "MLA"
            if self.is_mla
            else ("MQA" if self.kv_heads == 1 else "GQA" if self.kv_heads < self.attention_heads else "MHA")
        )
        return d


# Model fields a dict shows only where set.
SHOWN_WHERE_SET = (
    "sliding_window",
    "sliding_window_pattern",
    "sliding_layers",
    "attention_layers",
    "mamba_layers",
    "mamba_state_bytes",
    "mamba_groups",
    "mamba_group_bytes",
    "mamba_heads",
    "kv_estimated",
)
_lock = threading.Lock()
_models: list[Model] | None = None
_as_of = ""
# Each catalog row's Model, made once (by its place in models.yaml): a model found by name is the
# same object as all_models' and as the next find's.
_made: dict[int, Model] = {}


def _model_from(row: Mapping[str, Any]) -> Model:
    fields = {k: row[k] for k in Model._fields if k in row}
    try:
        return Model(**fields)
    except TypeError as exc:
        raise UsageError(
            f"model catalog row {row.get('id', '?')!r} is incomplete: {exc}",
            hint=f"each row in {datafiles.source_path('models').name} needs id, weights_gib, layers, ...",
        ) from exc


def all_models() -> list[Model]:
    global _models, _as_of
    with _lock:
        if _models is None:
            doc = datafiles.load("models")
            _models = [_model_at(index, row) for index, row in enumerate(doc["models"])]
            _as_of = str(doc.get("as_of", ""))
        return list(_models)


def _model_at(index: int, row: Mapping[str, Any]) -> Model:
    made = _made.get(index)
    return made if made is not None else _made.setdefault(index, _model_from(row))


def as_of() -> str:
    all_models()
    return _as_of


def find(name: str) -> Model | None:
    """The catalog's model typed as ``name`` (its id or preset, any case). Only the matching row
    becomes a Model: `model plan` and `model deploy` need one of the catalog's rows, and making
    all of them (all_models, for `model catalog`) is a quarter of a millisecond of their start."""
    key = name.strip().lower()
    for index, row in enumerate(datafiles.load("models")["models"]):
        if key in (str(row.get("id", "")).lower(), (row.get("preset") or "").lower()):
            return _model_at(index, row)
    return None


def config_of(model_id: str) -> dict[str, Any] | None:
    """The config.json facts models.yaml records for the catalog model ``model_id``, as a config.json would
    hold them: ``model_type``, ``architectures`` and ``auto_map`` (its AutoConfig; none where the row says
    ``auto_config: none`` or records no auto_config: auto_map_read tells which), for akscli.model.remote_code;
    None where the row records no model_type (not judged), or the model is not in the catalog."""
    for row in datafiles.load("models")["models"]:
        if row["id"] != model_id:
            continue
        model_type, auto_config = row.get("model_type"), row.get("auto_config")
        if model_type is None:
            return None
        config: dict[str, Any] = {"model_type": model_type}
        if row.get("architecture"):
            config["architectures"] = [row["architecture"]]
        if auto_config not in (None, "none"):
            config["auto_map"] = {"AutoConfig": auto_config}
        return config
    return None


def auto_map_read(model_id: str) -> bool:
    """Whether models.yaml records the catalog model's auto_map AutoConfig (``auto_config``, a class or none):
    a model_type derived from its architecture comes without it."""
    return any(row["id"] == model_id and "auto_config" in row for row in datafiles.load("models")["models"])


def _spellings() -> dict[str, str]:
    """Each way a catalog model is typed (its id, the id's last part, its preset), to the name shown."""
    names: dict[str, str] = {}
    for m in all_models():
        names[m.id.lower()] = m.id
        names[m.id.split("/")[-1].lower()] = m.id
        if m.preset:
            names[m.preset.lower()] = m.preset
    return names


def closest(name: str, n: int = 3) -> list[str]:
    from akscli import suggest  # here, as in get: only a name the catalog lacks needs it

    return suggest.closest(name, _spellings(), n, cutoff=0.5)


def get(name: str) -> Model:
    m = find(name)
    if m is not None:
        return m
    from akscli import suggest  # here: `model plan` of a known model loads no suggestion code

    hint = (
        suggest.did_you_mean(name, _spellings(), cutoff=0.5)
        + "list known models with 'akscli model catalog', or describe any Hugging Face model with "
        f"{', '.join(DESCRIPTION_FLAGS)} and {HEAD_DIM_FLAGS}"
    )
    raise UsageError(f"unknown model {name!r}", hint=hint)


def require_access_secret(model: Model, secret: str | None, downloader: str, namespace: str) -> None:
    """A gated model (``access_token_required``) cannot start without a Hugging Face token: the
    Hub answers 401 to a download without one. Every runtime akscli deploys downloads from the
    Hub at start and reads the token only from the Secret --access-secret names (KAITO v0.12.0
    pkg/workspace/inference/preset_inferences.go SetHFToken; akscli's vLLM Deployment sets
    HF_TOKEN from it). KAITO v0.12.0's webhook does not refuse the Workspace (DownloadAuthRequired
    is never set for a catalog preset, api/v1beta1/workspace_validation.go), so without this
    check the pod fails minutes later. The hint creates the Secret in the model's namespace: a
    secretKeyRef "selects a key of a secret in the pod's namespace" (upstream: kubernetes/api
    v0.34.0 core/v1/types.go EnvVarSource)."""
    if model.access_token_required and not secret:
        from akscli.secret_hints import secret_from_stdin  # here: an error's hint, not `model plan`'s start

        raise UsageError(
            f"{model.id} is gated on Hugging Face and needs --access-secret NAME (a Secret with key HF_TOKEN): "
            f"{downloader} downloads it from Hugging Face at start, and the Hub refuses a download without a token",
            hint=f"{secret_from_stdin('hf-token', namespace, 'HF_TOKEN')} (type the token at the silent prompt), "
            "then add --access-secret hf-token (the token's account must have accepted the model's licence on "
            "Hugging Face)",
        )


# What describing a model the catalog lacks takes, as `model plan` and `model deploy` spell it.
DESCRIPTION_FLAGS = ("--weights-gib", "--layers", "--attention-heads", "--max-context")
HEAD_DIM_FLAGS = "--head-dim (or --hidden-size)"


class Description(Record):
    """A model the catalog lacks, as the user describes it on the command line (all optional:
    none given means "look the name up")."""

    weights_gib: float | None = None
    layers: int | None = None
    attention_heads: int | None = None
    kv_heads: int | None = None
    head_dim: int | None = None
    hidden_size: int | None = None
    max_context: int | None = None
    quantization: str | None = None
    params_b: float | None = None

    @property
    def given(self) -> bool:
        return any(v is not None for v in self._asdict().values())


def resolve(name: str, described: Description) -> Model:
    """The catalog's model ``name``, or the model the flags describe; every value is checked."""
    name = validate.text(name, "model", 200)
    if not described.given:
        return get(name)
    d = checked_description(described)  # a bad typed value before the flags that are missing
    required = dict(zip(DESCRIPTION_FLAGS, (d.weights_gib, d.layers, d.attention_heads, d.max_context), strict=True))
    missing = [flag for flag, v in required.items() if v is None]
    if d.head_dim is None and d.hidden_size is None:
        missing.append(HEAD_DIM_FLAGS)
    if missing:
        raise UsageError(
            f"describing {name} needs {', '.join(missing)} as well",
            hint="read them from the model's config.json and file sizes, or add --hub-config to read them from "
            "Hugging Face",
        )
    assert d.weights_gib is not None and d.layers is not None and d.attention_heads is not None
    assert d.max_context is not None
    return custom(
        name,
        weights_gib=d.weights_gib,
        layers=d.layers,
        attention_heads=d.attention_heads,
        kv_heads=d.kv_heads,
        head_dim=d.head_dim,
        hidden_size=d.hidden_size,
        context=d.max_context,
        quantization=d.quantization or "bf16",
        parameters_b=d.params_b,
    )


def checked_description(d: Description) -> Description:
    """Each value of a description that is given, checked on its own (and --kv-heads against
    --attention-heads where both are): what ``resolve`` checks, also for a description that
    --hub-config completes."""
    heads = validate.integer(d.attention_heads, "--attention-heads", 1, 4096) if d.attention_heads is not None else None
    kv_heads = validate.integer(d.kv_heads, "--kv-heads", 1, heads or 4096) if d.kv_heads is not None else None
    if kv_heads is not None and heads is not None and heads % kv_heads:
        raise UsageError(
            f"invalid --kv-heads {kv_heads}: it must divide --attention-heads {heads}",
            hint="num_key_value_heads in config.json (equal to num_attention_heads without grouped-query attention)",
        )
    return Description(
        weights_gib=validate.number(d.weights_gib, "--weights-gib", 0.01, 100_000)
        if d.weights_gib is not None
        else None,
        layers=validate.integer(d.layers, "--layers", 1, 1000) if d.layers is not None else None,
        attention_heads=heads,
        kv_heads=kv_heads,
        head_dim=validate.integer(d.head_dim, "--head-dim", 1, 4096) if d.head_dim is not None else None,
        hidden_size=(
            validate.integer(d.hidden_size, "--hidden-size", heads or 1, 1_000_000)
            if d.hidden_size is not None
            else None
        ),
        max_context=validate.integer(d.max_context, "--max-context", 128, 100_000_000)
        if d.max_context is not None
        else None,
        quantization=d.quantization,
        params_b=validate.number(d.params_b, "--params-b", 0.001, 100_000) if d.params_b is not None else None,
    )


def complete(d: Description) -> bool:
    """Whether the description names everything ``resolve`` needs."""
    return None not in (d.weights_gib, d.layers, d.attention_heads, d.max_context) and (
        d.head_dim is not None or d.hidden_size is not None
    )


# vLLM's own limit on --max-model-len, at start: config.json's model_max_length where it has one
# (the Command-R clause), else the smallest of the other keys below (of the text config, for a
# multimodal model), times the RoPE scaling factor (not for llama3, longrope or su RoPE, nor for
# Gemma 3; a yarn one counts from original_max_position_embeddings), 2048 when none is there, and a
# tokenizer_config.json model_max_length below it; above it vLLM exits "User-specified
# max_model_len (N) is greater than the derived max_model_len" unless
# VLLM_ALLOW_LONG_MAX_MODEL_LEN=1. The same at the two releases akscli meets: v0.11.0 (the image
# akscli's own vLLM Deployment pins, kinds.DEFAULT_VLLM_IMAGE) and v0.25.1 (KAITO v0.12.0's,
# kaito-project/kaito presets/workspace/dependencies/requirements.txt). upstream: vllm-project/vllm
# v0.11.0 vllm/config/model.py _get_and_verify_max_len; v0.25.1 vllm/config/model.py
# _get_and_verify_max_len with vllm/transformers_utils/model_arch_config_convertor.py
# derive_max_model_len_and_key (read in the releases' PyPI sdists, sha256 f435a64c… and ddbdec3f…).
VLLM_TOKEN_LIMIT_KEYS = (
    "max_position_embeddings",
    "n_positions",
    "max_seq_len",
    "seq_length",
    "model_max_length",
    "max_target_positions",
    "max_sequence_length",
    "max_seq_length",
    "seq_len",
)


def vllm_limit_rule(context: int) -> tuple[str, str]:
    """What vLLM holds max-model-len ``context`` to when it starts, for a model akscli knows only
    from the command line: two warning lines, each short enough to read (the rule, then the keys)."""
    others = [k for k in VLLM_TOKEN_LIMIT_KEYS if k != "model_max_length"]
    return (
        f"vLLM itself exits at start with max-model-len {context} above config.json's model_max_length where it "
        "has one, else the smallest of its length keys (times its RoPE scaling factor; 2048 if none)",
        f"vLLM's length keys: {', '.join(others)}; give --max-context the limit they set",
    )


def vllm_limit_note(model: Model, context: int) -> tuple[str, ...]:
    """For a model described on the command line, served by a vLLM akscli starts itself (not
    KAITO's: kaito_names.hub_note says it for those): the limit akscli could not check, as warning
    lines (none for any other model)."""
    if model.source != DESCRIBED_SOURCE:
        return ()
    return (
        f"akscli checked max-model-len {context} against --max-context {model.context} only: it did not read "
        f"{bounded.value(model.id)}'s config.json (--hub-config reads it)",
        *vllm_limit_rule(context),
    )


def search(query: str | None = None) -> list[Model]:
    models = all_models()
    if not query:
        return models
    terms = query.lower().split()
    return [
        m
        for m in models
        if all(
            t in " ".join([m.id, m.preset or "", m.license or "", m.quantization, m.architecture or ""]).lower()
            for t in terms
        )
    ]


def listed_name(model: Mapping[str, Any]) -> str:
    """-o name of a catalog model: its Hugging Face id, as ``model catalog`` lists it and ``model show``
    prints it (``model show phi-4 -o name`` is ``microsoft/phi-4``, not the preset name it was asked by)."""
    return str(model["id"])


def validate_hf_id(value: str) -> str:
    v = value.strip()
    if not re.match(_HF_ID, v):
        raise UsageError(
            f"model id {value!r} is not a Hugging Face id", hint="write it as org/name, for example microsoft/phi-4"
        )
    return v


# The source of a model described by flags (custom), not taken from the catalog.
DESCRIBED_SOURCE = "given on the command line"
# The source of a described model checked against its config.json on the Hub (--hub-config:
# akscli.model.config_limits.checked).
HUB_SOURCE = "config.json on Hugging Face"


def custom(
    model_id: str,
    *,
    weights_gib: float,
    layers: int,
    attention_heads: int,
    kv_heads: int | None = None,
    head_dim: int | None = None,
    hidden_size: int | None = None,
    context: int,
    quantization: str = "bf16",
    parameters_b: float | None = None,
    kv_lora_rank: int | None = None,
    qk_rope_head_dim: int | None = None,
    license: str | None = None,
) -> Model:
    """A model the catalog lacks, from explicit metadata (its config.json and file sizes)."""
    mid = validate_hf_id(model_id)
    if head_dim is None:
        if not hidden_size:
            raise UsageError(
                "--head-dim or --hidden-size is needed to size the KV cache",
                hint="head_dim is config.json's head_dim, else hidden_size / num_attention_heads",
            )
        head_dim = hidden_size // attention_heads
    q = quantization.lower()
    if q not in QUANT_FAMILIES:
        raise UsageError(f"unknown quantisation {quantization!r}", hint=f"one of {', '.join(sorted(QUANT_FAMILIES))}")
    return Model(
        id=mid,
        weights_gib=weights_gib,
        layers=layers,
        attention_heads=attention_heads,
        kv_heads=kv_heads or attention_heads,
        head_dim=head_dim,
        context=context,
        quantization=q,
        hidden_size=hidden_size,
        parameters_b=parameters_b,
        kv_lora_rank=kv_lora_rank,
        qk_rope_head_dim=qk_rope_head_dim,
        license=license,
        source=DESCRIBED_SOURCE,
    )
