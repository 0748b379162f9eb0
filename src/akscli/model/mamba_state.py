"""The recurrent state vLLM keeps per sequence on the Mamba and linear-attention layers of a hybrid
model, read from its config.json. Plain data and arithmetic: no Typer, no rich.

vllm-project/vllm v0.24.0 (the release akscli.model.vllm_kv models) sizes each such layer as a
MambaSpec (``vllm/v1/kv_cache_interface.py``): one page of ``sum(prod(shape) x dtype bytes)`` over the
layer's state shapes, held once per sequence where prefix caching is off, as it is by default for
every hybrid model (``vllm/config/model.py`` is_prefix_caching_supported: False for attn_type
"hybrid"; ``vllm/model_executor/models/config.py`` MambaModelConfig: mamba_cache_mode "none").
The shapes are ``vllm/model_executor/layers/mamba/mamba_utils.py`` MambaStateShapeCalculator's, at
one tensor-parallel rank (every dimension below is split by the tensor-parallel degree, so the sum
over ranks is the same; n_groups that the degree does not divide are replicated, not counted here):

* Mamba2 (``vllm/model_executor/models/nemotron_h.py`` get_mamba_state_shape_from_config):
  conv ``(conv_kernel - 1, mamba_num_heads x mamba_head_dim + 2 x n_groups x ssm_state_size)`` and
  temporal ``(mamba_num_heads, mamba_head_dim, ssm_state_size)``; layer i is a Mamba layer where
  ``hybrid_override_pattern[i]`` is "M" and an attention layer where it is "*"
  (nemotron_h.py ALL_DECODER_LAYER_TYPES).
* Gated DeltaNet (``qwen3_5.py`` and ``qwen3_next.py`` get_mamba_state_shape_from_config):
  conv ``(linear_conv_kernel_dim - 1, 2 x linear_key_head_dim x linear_num_key_heads +
  linear_value_head_dim x linear_num_value_heads)`` and temporal ``(linear_num_value_heads,
  linear_value_head_dim, linear_key_head_dim)``; layer i is ``layer_types[i]``, "linear_attention" or
  "full_attention" (qwen3_5.py, qwen3_next.py: ``config.layer_types[layer_idx]``).

dtypes (``mamba_utils.py`` MambaStateDtypeCalculator): the conv state in the model's dtype (16-bit,
as akscli sizes every KV cache); the temporal state in ``mamba_ssm_cache_dtype``, which
``vllm/model_executor/models/config.py`` sets from config.json for NemotronH
(NemotronHForCausalLMConfig: its ``mamba_ssm_cache_dtype``, else float32) and Qwen3.5
(Qwen3_5ForConditionalGenerationConfig: its ``mamba_ssm_dtype``, else the model's dtype); for
Qwen3-Next it stays the model's dtype.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

_DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}
_MAMBA2 = frozenset({"nemotron_h"})
_GATED_DELTA_NET = frozenset({"qwen3_5", "qwen3_5_text", "qwen3_5_moe", "qwen3_5_moe_text", "qwen3_next"})
# the config key vLLM v0.24.0 reads the temporal state's dtype from, and its default (None: the model's dtype)
_SSM_DTYPE_KEY: dict[str, tuple[str, str | None]] = {
    "nemotron_h": ("mamba_ssm_cache_dtype", "float32"),
    "qwen3_5": ("mamba_ssm_dtype", None),
    "qwen3_5_text": ("mamba_ssm_dtype", None),
    "qwen3_5_moe": ("mamba_ssm_dtype", None),
    "qwen3_5_moe_text": ("mamba_ssm_dtype", None),
}
_MAMBA2_KEYS = ("mamba_num_heads", "mamba_head_dim", "n_groups", "ssm_state_size", "conv_kernel")
_GDN_KEYS = (
    "linear_num_key_heads",
    "linear_num_value_heads",
    "linear_key_head_dim",
    "linear_value_head_dim",
    "linear_conv_kernel_dim",
)


class Hybrid(NamedTuple):
    attention_layers: int  # layers that hold a KV cache
    mamba_layers: int  # layers that hold one recurrent state per sequence
    state_bytes: int  # one such layer's state for one sequence


def mamba2_bytes(
    num_heads: int, head_dim: int, n_groups: int, state_size: int, conv_kernel: int, *, ssm_bytes: int
) -> int:
    """One Mamba2 layer's conv and temporal state for one sequence (16-bit conv state)."""
    conv_dim = num_heads * head_dim + 2 * n_groups * state_size
    return (conv_kernel - 1) * conv_dim * 2 + num_heads * head_dim * state_size * ssm_bytes


def gated_delta_net_bytes(
    key_heads: int, value_heads: int, key_dim: int, value_dim: int, conv_kernel: int, *, ssm_bytes: int
) -> int:
    """One Gated DeltaNet layer's conv and temporal state for one sequence (16-bit conv state)."""
    conv_dim = 2 * key_dim * key_heads + value_dim * value_heads
    return (conv_kernel - 1) * conv_dim * 2 + value_heads * value_dim * key_dim * ssm_bytes


def _ints(text: Mapping[str, Any], keys: tuple[str, ...]) -> list[int] | str:
    missing = [k for k in keys if not isinstance(text.get(k), int) or isinstance(text.get(k), bool) or text[k] <= 0]
    return f"config.json gives no {', '.join(missing)}" if missing else [int(text[k]) for k in keys]


def from_config(text: Mapping[str, Any], model_type: str, layers: int) -> Hybrid | str | None:
    """The hybrid layout and state size vLLM v0.24.0 serves ``text`` (a text config) with; None for a model
    type akscli does not size this way; a reason where config.json lacks what the sizing needs."""
    if model_type not in _MAMBA2 and model_type not in _GATED_DELTA_NET:
        return None
    key, default = _SSM_DTYPE_KEY.get(model_type, ("", None))
    dtype = text.get(key, default) if key else None
    ssm_bytes = 2 if dtype is None else _DTYPE_BYTES.get(str(dtype))
    if ssm_bytes is None:
        return f"config.json's {key} {dtype!r} is not a dtype akscli sizes"
    mamba2 = model_type in _MAMBA2
    # the key naming each layer's kind, its attention and recurrent kinds, and the dimensions' keys
    key, attention, recurrent, dim_keys = (
        ("hybrid_override_pattern", "*", "M", _MAMBA2_KEYS)
        if mamba2
        else ("layer_types", "full_attention", "linear_attention", _GDN_KEYS)
    )
    kinds = text.get(key)
    if not isinstance(kinds, str if mamba2 else list) or len(kinds) != layers:
        return f"config.json's {key} does not name one kind for each of the {layers} layers"
    dims = _ints(text, dim_keys)
    if isinstance(dims, str):
        return dims
    state = (mamba2_bytes if mamba2 else gated_delta_net_bytes)(*dims, ssm_bytes=ssm_bytes)
    return Hybrid(list(kinds).count(attention), list(kinds).count(recurrent), state)
