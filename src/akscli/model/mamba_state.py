"""The recurrent state vLLM keeps per sequence on the Mamba, short-convolution and linear-attention layers
of a hybrid model, read from its config.json. Plain data and arithmetic: no Typer, no rich.

vllm-project/vllm v0.24.0 (the release akscli.model.vllm_kv models) sizes each such layer as a
MambaSpec (``vllm/v1/kv_cache_interface.py``): one page of ``sum(prod(shape) x dtype bytes)`` over the
layer's state shapes, held once per sequence where prefix caching is off, as it is by default for
every hybrid model (``vllm/config/model.py`` is_prefix_caching_supported: False for attn_type
"hybrid"; ``vllm/model_executor/models/config.py`` MambaModelConfig: mamba_cache_mode "none").
The shapes are ``vllm/model_executor/layers/mamba/mamba_utils.py`` MambaStateShapeCalculator's; every
dimension is split by the tensor-parallel degree, so the sum over ranks is the figure below, except
that mamba2_state_shape first widens n_groups by extra_groups_for_head_shards (``tp - n_groups`` where
the degree does not divide n_groups, else 0): those replicated groups are what ``state_at`` adds.

* Mamba2, ``mamba2_state_shape``: conv ``(conv_kernel - 1, intermediate + 2 x n_groups x state)`` and
  temporal ``(heads, head_dim, state)``. Each model file's get_mamba_state_shape_from_config names the keys:
  ``nemotron_h.py`` (intermediate ``mamba_num_heads x mamba_head_dim``, ``n_groups``, ``ssm_state_size``,
  ``conv_kernel``), ``granitemoehybrid.py`` (intermediate ``mamba_expand x hidden_size``, ``mamba_n_groups``,
  ``mamba_n_heads``, ``mamba_d_head``, ``mamba_d_state``, ``mamba_d_conv``) and ``falcon_h1.py`` (the same
  keys, intermediate ``mamba_d_ssm``, or ``int(mamba_expand x hidden_size)`` where it is null).
* Mamba1, ``mamba1_state_shape`` (``jamba.py``): conv ``(mamba_d_conv - 1, intermediate)`` and temporal
  ``(intermediate, mamba_d_state)``, intermediate ``mamba_expand x hidden_size``.
* Short convolution, ``short_conv_state_shape``: conv ``(conv_L_cache - 1, dim)``, dim ``conv_dim``
  (``lfm2.py``) or ``hidden_size`` (``lfm2_moe.py``; ``lfm2_vl.py`` reads its text config's).
* Gated DeltaNet, ``gated_delta_net_state_shape`` (``qwen3_5.py``, ``qwen3_next.py``): conv
  ``(linear_conv_kernel_dim - 1, 2 x linear_key_head_dim x linear_num_key_heads + linear_value_head_dim x
  linear_num_value_heads)`` and temporal ``(linear_num_value_heads, linear_value_head_dim, linear_key_head_dim)``.

Which layers hold a state: ``nemotron_h.py`` ALL_DECODER_LAYER_TYPES reads ``hybrid_override_pattern[i]``
("M" Mamba, "*" attention); ``granitemoehybrid.py`` ``layer_types[i]`` ("mamba", "attention");
``qwen3_5.py`` and ``qwen3_next.py`` ``layer_types[i]`` ("linear_attention", "full_attention"); ``lfm2.py``
and ``lfm2_moe.py`` attend where ``layer_types[i] == "full_attention"`` and convolve elsewhere;
``jamba.py`` reads transformers' JambaConfig.layers_block_type, attention where ``i % attn_layer_period ==
attn_layer_offset`` (huggingface/transformers src/transformers/models/jamba/configuration_jamba.py, whose
defaults, period 8, offset 4, mamba_d_state 16, mamba_d_conv 4, mamba_expand 2, vLLM reads where
config.json gives none); ``falcon_h1.py`` FalconH1ParallelHybrid holds attention and Mamba2 side by side
on every layer.

dtypes (``mamba_utils.py`` MambaStateDtypeCalculator): the conv state in the model's dtype (16-bit,
as akscli sizes every KV cache); the temporal state in ``mamba_ssm_cache_dtype``, which
``vllm/model_executor/models/config.py`` sets from config.json for NemotronH
(NemotronHForCausalLMConfig: its ``mamba_ssm_cache_dtype``, else float32) and Qwen3.5
(Qwen3_5ForConditionalGenerationConfig: its ``mamba_ssm_dtype``, else the model's dtype); for every
other family here CacheConfig's "auto" keeps the model's dtype.
"""

from collections.abc import Callable, Mapping
from typing import Any

from akscli.records import Record

_DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}
# the config key vLLM v0.24.0 reads the temporal state's dtype from, and its default (None: the model's dtype)
_SSM_DTYPE_KEY: dict[str, tuple[str, str | None]] = {
    "nemotron_h": ("mamba_ssm_cache_dtype", "float32"),
    "qwen3_5": ("mamba_ssm_dtype", None),
    "qwen3_5_text": ("mamba_ssm_dtype", None),
    "qwen3_5_moe": ("mamba_ssm_dtype", None),
    "qwen3_5_moe_text": ("mamba_ssm_dtype", None),
}
# transformers' JambaConfig.__init__ defaults, which vLLM reads where config.json names none
_JAMBA_DEFAULTS = {"attn_layer_period": 8, "attn_layer_offset": 4, "mamba_d_state": 16, "mamba_d_conv": 4,
                   "mamba_expand": 2}  # fmt: skip


class Hybrid(Record):
    # A Record, not a NamedTuple: `model plan` loads this module (#16, akscli/records.py).
    attention_layers: int  # layers that hold a KV cache
    mamba_layers: int  # layers that hold one recurrent state per sequence
    state_bytes: int  # one such layer's state for one sequence, at tensor-parallel 1
    groups: int = 0  # a Mamba2 layer's n_groups, which vLLM widens where the TP degree does not divide it
    group_bytes: int = 0  # one more group's conv state for one sequence (16-bit)
    heads: int = 0  # the heads vLLM splits over the TP ranks: Mamba2 num_heads, Gated DeltaNet value heads


def extra_groups(groups: int, tp: int) -> int:
    """mamba_utils.py extra_groups_for_head_shards: 0 where ``tp`` divides ``groups``, else ``tp - groups``. vLLM
    starts only where that is a single group (mamba_mixer2.py asserts; akscli.model.vllm_tp.refusal)."""
    return 0 if not groups or groups % tp == 0 else tp - groups


def state_at(state_bytes: int, groups: int, group_bytes: int, tp: int) -> int:
    """One layer's state for one sequence summed over ``tp`` ranks, with the groups vLLM replicates."""
    return state_bytes + extra_groups(groups, tp) * group_bytes


def mamba2_bytes(
    intermediate: int,
    n_groups: int,
    num_heads: int,
    head_dim: int,
    state_size: int,
    conv_kernel: int,
    *,
    ssm_bytes: int,
) -> int:
    """One Mamba2 layer's conv and temporal state for one sequence (16-bit conv state)."""
    conv_dim = intermediate + 2 * n_groups * state_size
    return (conv_kernel - 1) * conv_dim * 2 + num_heads * head_dim * state_size * ssm_bytes


def gated_delta_net_bytes(
    key_heads: int, value_heads: int, key_dim: int, value_dim: int, conv_kernel: int, *, ssm_bytes: int
) -> int:
    """One Gated DeltaNet layer's conv and temporal state for one sequence (16-bit conv state)."""
    conv_dim = 2 * key_dim * key_heads + value_dim * value_heads
    return (conv_kernel - 1) * conv_dim * 2 + value_heads * value_dim * key_dim * ssm_bytes


def mamba1_bytes(intermediate: int, state_size: int, conv_kernel: int) -> int:
    """One Mamba1 layer's conv and temporal state for one sequence (both 16-bit)."""
    return ((conv_kernel - 1) * intermediate + intermediate * state_size) * 2


def short_conv_bytes(dim: int, conv_kernel: int) -> int:
    """One short-convolution layer's state for one sequence (16-bit)."""
    return (conv_kernel - 1) * dim * 2


def _ints(text: Mapping[str, Any], keys: tuple[str, ...]) -> list[int] | str:
    missing = [k for k in keys if not isinstance(text.get(k), int) or isinstance(text.get(k), bool) or text[k] <= 0]
    return f"config.json gives no {', '.join(missing)}" if missing else [int(text[k]) for k in keys]


def _listed(text: Mapping[str, Any], key: str, layers: int, attention: str, recurrent: str) -> tuple[int, int] | str:
    """(attention layers, state layers) from ``key``, one kind per layer; ``recurrent`` "": every other layer."""
    kinds = text.get(key)
    if not isinstance(kinds, str if key == "hybrid_override_pattern" else list) or len(kinds) != layers:
        return f"config.json's {key} does not name one kind for each of the {layers} layers"
    attending = list(kinds).count(attention)
    return attending, list(kinds).count(recurrent) if recurrent else layers - attending


def _mamba2(text: Mapping[str, Any], keys: tuple[str, ...], intermediate: int | str, ssm_bytes: int) -> Hybrid | str:
    """(attention layers unset) the Mamba2 state from ``keys``: n_groups, heads, head_dim, state, conv kernel."""
    dims = _ints(text, keys)
    if isinstance(dims, str) or isinstance(intermediate, str):
        return dims if isinstance(dims, str) else str(intermediate)
    groups, state, kernel = dims[0], dims[3], dims[4]
    state_bytes = mamba2_bytes(intermediate, *dims, ssm_bytes=ssm_bytes)
    return Hybrid(0, 0, state_bytes, groups, (kernel - 1) * 2 * state * 2, heads=dims[1])


def _expanded(text: Mapping[str, Any]) -> int | str:
    dims = _ints(text, ("mamba_expand", "hidden_size"))
    return dims if isinstance(dims, str) else dims[0] * dims[1]


def _falcon_intermediate(text: Mapping[str, Any]) -> int | str:
    if "mamba_d_ssm" in text and text["mamba_d_ssm"] is None:  # falcon_h1.py: int(mamba_expand x hidden_size)
        expand, hidden = text.get("mamba_expand"), text.get("hidden_size")
        ok = isinstance(expand, int | float) and isinstance(hidden, int) and not isinstance(expand, bool)
        return int(expand * hidden) if ok else "config.json gives no mamba_expand, hidden_size"  # type: ignore[operator]
    dims = _ints(text, ("mamba_d_ssm",))
    return dims if isinstance(dims, str) else dims[0]


_MAMBA2_KEYS = {
    "nemotron_h": ("n_groups", "mamba_num_heads", "mamba_head_dim", "ssm_state_size", "conv_kernel"),
    "granitemoehybrid": ("mamba_n_groups", "mamba_n_heads", "mamba_d_head", "mamba_d_state", "mamba_d_conv"),
    "falcon_h1": ("mamba_n_groups", "mamba_n_heads", "mamba_d_head", "mamba_d_state", "mamba_d_conv"),
}
_GDN_KEYS = (
    "linear_num_key_heads",
    "linear_num_value_heads",
    "linear_key_head_dim",
    "linear_value_head_dim",
    "linear_conv_kernel_dim",
)
_GATED_DELTA_NET = frozenset({"qwen3_5", "qwen3_5_text", "qwen3_5_moe", "qwen3_5_moe_text", "qwen3_next"})
_SHORT_CONV = frozenset({"lfm2", "lfm2_moe"})
FAMILIES = frozenset({*_MAMBA2_KEYS, *_GATED_DELTA_NET, *_SHORT_CONV, "jamba"})


def _state(text: Mapping[str, Any], model_type: str, ssm_bytes: int, architecture: str) -> Hybrid | str:
    """The recurrent state of one layer (layer counts left 0)."""
    if model_type == "nemotron_h":
        heads = _ints(text, ("mamba_num_heads", "mamba_head_dim"))
        inter: int | str = heads if isinstance(heads, str) else heads[0] * heads[1]
        return _mamba2(text, _MAMBA2_KEYS[model_type], inter, ssm_bytes)
    if model_type in _MAMBA2_KEYS:
        inter = _falcon_intermediate(text) if model_type == "falcon_h1" else _expanded(text)
        return _mamba2(text, _MAMBA2_KEYS[model_type], inter, ssm_bytes)
    if model_type == "jamba":
        dims = _ints({**_JAMBA_DEFAULTS, **text}, ("mamba_expand", "hidden_size", "mamba_d_state", "mamba_d_conv"))
        return dims if isinstance(dims, str) else Hybrid(0, 0, mamba1_bytes(dims[0] * dims[1], dims[2], dims[3]))
    if model_type in _SHORT_CONV:
        # lfm2.py reads conv_dim; lfm2_moe.py and lfm2_vl.py (the VL wrapper's text config) read hidden_size
        by_hidden = model_type == "lfm2_moe" or architecture.startswith("Lfm2Vl")
        dims = _ints(text, ("hidden_size" if by_hidden else "conv_dim", "conv_L_cache"))
        return dims if isinstance(dims, str) else Hybrid(0, 0, short_conv_bytes(*dims))
    dims = _ints(text, _GDN_KEYS)
    if isinstance(dims, str):
        return dims
    return Hybrid(0, 0, gated_delta_net_bytes(*dims, ssm_bytes=ssm_bytes), heads=dims[1])


def _jamba_layers(text: Mapping[str, Any], layers: int) -> tuple[int, int] | str:
    dims = _ints({**_JAMBA_DEFAULTS, **text}, ("attn_layer_period",))
    offset = text.get("attn_layer_offset", _JAMBA_DEFAULTS["attn_layer_offset"])
    if isinstance(dims, str) or not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        return dims if isinstance(dims, str) else "config.json gives no attn_layer_offset"
    attending = sum(1 for i in range(layers) if i % dims[0] == offset)
    return attending, layers - attending


def _gdn_layers(text: Mapping[str, Any], layers: int) -> tuple[int, int] | str:
    return _listed(text, "layer_types", layers, "full_attention", "linear_attention")


# model type -> (layers that attend, layers that hold a state); falcon_h1: every layer holds both
_LAYERS: dict[str, Callable[[Mapping[str, Any], int], tuple[int, int] | str]] = {
    "nemotron_h": lambda t, n: _listed(t, "hybrid_override_pattern", n, "*", "M"),
    "granitemoehybrid": lambda t, n: _listed(t, "layer_types", n, "attention", "mamba"),
    "lfm2": lambda t, n: _listed(t, "layer_types", n, "full_attention", ""),
    "lfm2_moe": lambda t, n: _listed(t, "layer_types", n, "full_attention", ""),
    "jamba": _jamba_layers,
    "falcon_h1": lambda t, n: (n, n),
    **dict.fromkeys(_GATED_DELTA_NET, _gdn_layers),
}


def from_config(text: Mapping[str, Any], model_type: str, layers: int, architecture: str = "") -> Hybrid | str | None:
    """The hybrid layout and state size vLLM v0.24.0 serves ``text`` (a text config) with; None for a model
    type akscli does not size this way; a reason where config.json lacks what the sizing needs."""
    if model_type not in FAMILIES:
        return None
    key, default = _SSM_DTYPE_KEY.get(model_type, ("", None))
    dtype = text.get(key, default) if key else None
    ssm_bytes = 2 if dtype is None else _DTYPE_BYTES.get(str(dtype))
    if ssm_bytes is None:
        return f"config.json's {key} {dtype!r} is not a dtype akscli sizes"
    counts = _LAYERS[model_type](text, layers)
    if isinstance(counts, str):
        return counts
    state = _state(text, model_type, ssm_bytes, architecture)
    if isinstance(state, str):
        return state
    return state._replace(attention_layers=counts[0], mamba_layers=counts[1])
