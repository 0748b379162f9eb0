"""The KV cache vLLM allocates for one request, where a model mixes sliding-window and full
attention layers (Gemma 3). Plain data and arithmetic: no Typer, no rich.

KAITO's estimator counts full-length K and V on every layer (kaito-project/kaito
pkg/workspace/estimator/nodesestimator/estimator.go: max_model_len x the model's bytes per token,
reproduced in akscli.model.kaito_estimator), and so does ``Model.kv_bytes_per_token``. vLLM does
not; these rules hold in vllm-project/vllm v0.24.0, the release of the image akscli pins
(akscli.model.kinds.DEFAULT_VLLM_IMAGE), read from that release's wheel:

* ``vllm/model_executor/models/gemma3.py`` Gemma3Attention: a layer whose ``config.layer_types``
  entry is ``sliding_attention`` gets ``config.sliding_window``; the rest attend in full.
* ``vllm/v1/kv_cache_interface.py``: FullAttentionSpec.max_memory_usage_bytes is
  ``cdiv(max_model_len, block_size)`` pages; SlidingWindowSpec's is
  ``cdiv(min(sliding_window - 1 + max_num_batched_tokens, max_model_len), block_size) + 1``
  pages; a page is ``block_size x num_kv_heads x (head_size + head_size_v) x dtype bytes``.
* ``vllm/v1/core/kv_cache_utils.py`` _get_kv_cache_groups_uniform_page_size: layers of one kind
  are split into groups of ``group_size`` layers (the smaller kind's count; the larger kind's
  where it is under 1.5 times that), the last group padded; _max_memory_usage_bytes_from_groups
  needs ``group_size x page_size x`` the pages of every group, the check vLLM makes at start
  (_check_enough_kv_cache_memory).
* ``vllm/config/cache.py`` CacheConfig.DEFAULT_BLOCK_SIZE 16; ``vllm/engine/arg_utils.py``
  get_batch_defaults: the OpenAI server batches 8192 tokens on a GPU of 70 GiB or more that is
  not an A100, else 2048 (chunked prefill on; Gemma 3's 256-token images never raise it).

Which layers slide, for a model read from its config.json (``--hub-config``, window_from_config):
vLLM reads the transformers config object, and in v0.24.0:

* ``vllm/engine/arg_utils.py`` create_engine_config: where the text config is not interleaved
  (``vllm/transformers_utils/config.py`` is_interleaved: its ``layer_types`` holds more than one
  kind), CacheConfig.sliding_window is the config's ``sliding_window``, and
  ``vllm/model_executor/layers/attention/attention.py`` Attention gives it to every layer that has
  no window of its own: every layer slides. ``vllm/config/model.py`` reads a window of 0 as none.
* Interleaved, each model file decides: ``gemma3.py`` and ``llama.py`` slide the layers whose
  ``layer_types`` entry is ``sliding_attention``; ``gpt_oss.py`` slides every even layer
  (``self.layer_idx % 2 == 0``). Other model types are not read here: akscli counts every layer.
* huggingface/transformers, the config classes: ``configuration_qwen2.py`` and
  ``configuration_qwen3.py`` drop ``sliding_window`` unless ``use_sliding_window`` (default False);
  ``configuration_gemma3.py`` Gemma3TextConfig defaults ``sliding_window`` 4096 and
  ``sliding_window_pattern`` 6 (layer i slides unless (i + 1) is a multiple of it);
  ``configuration_gpt_oss.py`` GptOssConfig defaults ``sliding_window`` 128.

Hybrid models (HYBRID_ARCHITECTURES) keep a Mamba or linear-attention state on most layers, one page
per sequence (akscli.model.mamba_state, where config.json gives its dimensions). In v0.24.0:

* ``vllm/platforms/interface.py`` _align_hybrid_block_size (prefix caching off, mamba_cache_mode
  "none"): the attention block grows to ``kernel_block_alignment_size x cdiv(mamba_page,
  kernel_block_alignment_size x attention bytes per token)`` tokens, and the Mamba page is padded to
  that attention page. kernel_block_alignment_size is ``max(min(supported kernel block sizes),
  block_size)``: 16 on every backend akscli's GPUs run (``vllm/v1/attention/backends/flash_attn.py``
  [16, 32, 64] or MultipleOf(16), ``flashinfer.py`` [16, ...], ``triton_attn.py`` and ``rocm_attn.py``
  MultipleOf(16)).
* ``vllm/v1/kv_cache_interface.py`` MambaSpec.max_memory_usage_bytes with mamba_cache_mode "none":
  one page; the groups and the start-up check are the sliding window's (above).

A hybrid whose dimensions akscli does not hold keeps KAITO's every-layer figure, and its plans say so
(hybrid_note) rather than pass it off as vLLM's. So does Gemma 4 (gemma4_note), whose layers differ in
window, head size and KV heads, and may share KV (``vllm/model_executor/models/gemma4.py``
Gemma4Attention: ``global_head_dim``, ``num_global_key_value_heads`` with ``attention_k_eq_v``,
``num_kv_shared_layers``), none of which its catalog rows hold.
"""

from collections.abc import Mapping
from typing import Any

from akscli.model import mamba_state, vllm_tp
from akscli.model.catalog import Model
from akscli.model.skus import GpuSku

# vllm-project/vllm v0.24.0 vllm/model_executor/models/registry.py: the architectures whose class is
# (or derives from) interfaces.py IsHybrid ("models like Jamba that have both attention and mamba
# blocks"), read with an AST walk of vllm/model_executor/models/*.py.
HYBRID_ARCHITECTURES = frozenset(
    {
        "BailingMoeV2_5ForCausalLM", "ColBERTLfm2Model", "ColQwen3_5", "FalconH1ForCausalLM",
        "GraniteMoeHybridForCausalLM", "InternS2PreviewForConditionalGeneration", "JambaForCausalLM",
        "JambaForSequenceClassification", "KimiLinearForCausalLM", "Lfm2ForCausalLM", "Lfm2MoeForCausalLM",
        "Lfm2VlForConditionalGeneration", "MiniCPMV4_6ForConditionalGeneration", "NemotronHForCausalLM",
        "NemotronHPuzzleForCausalLM", "NemotronH_Nano_Omni_Reasoning_V3", "NemotronH_Nano_VL_V2",
        "NemotronH_Super_Omni_Reasoning_V3", "OlmoHybridForCausalLM", "Plamo2ForCausalLM", "Qwen3NextForCausalLM",
        "Qwen3_5ForConditionalGeneration", "Qwen3_5MoeForConditionalGeneration", "Zamba2ForCausalLM",
    }
)  # fmt: skip
# model types whose vLLM v0.24.0 model file reads layer_types per layer (gpt_oss: every even layer)
_BY_LAYER_TYPES = frozenset({"gemma3", "gemma3_text", "llama"})
_EVEN_LAYERS = frozenset({"gpt_oss"})
# transformers' config classes: the window where config.json names none, and the model types whose
# class drops it unless use_sliding_window (which defaults to False there)
_DEFAULT_WINDOW = {"gemma3": 4096, "gemma3_text": 4096, "gpt_oss": 128}
_USE_SLIDING_WINDOW = frozenset({"qwen2", "qwen3"})

VLLM_RELEASE = vllm_tp.VLLM_RELEASE
BLOCK_SIZE = 16


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


def max_num_batched_tokens(sku: GpuSku) -> int:
    """vLLM's default for its OpenAI server on this GPU (arg_utils.py get_batch_defaults)."""
    big = sku.gpu_memory_gib >= 70 and "a100" not in sku.gpu_model.lower()
    return 8192 if big else 2048


def _group_size(a: int, b: int) -> int:
    """kv_cache_utils.py _get_kv_cache_groups_uniform_page_size: the smaller kind's layer count, or the
    larger's where it is under 1.5 times that."""
    size = min(a, b)
    return max(a, b) if max(a, b) < size * 1.5 else size


def state_bytes(model: Model, tp: int = 1) -> int | None:
    """One recurrent layer's state for one sequence, summed over ``tp`` tensor-parallel ranks: with the Mamba2
    groups vLLM replicates where ``tp`` does not divide n_groups (akscli.model.mamba_state.state_at)."""
    if not (model.attention_layers and model.mamba_layers and model.mamba_state_bytes) or model.is_mla:
        return None
    return mamba_state.state_at(model.mamba_state_bytes, model.mamba_groups or 0, model.mamba_group_bytes or 0, tp)


def hybrid_block(model: Model, tp: int = 1) -> int | None:
    """The attention block vLLM picks for a hybrid model at tensor-parallel ``tp`` (tokens; interface.py
    _align_hybrid_block_size), on one rank's pages: the state split ``tp`` ways (mamba_utils.py divides every
    dimension), the KV heads one rank holds (akscli.model.vllm_tp.kv_heads_per_rank: 1 where ``tp`` exceeds
    them), or None for a model whose recurrent state akscli does not size."""
    state = state_bytes(model, tp)
    if state is None:
        return None
    rank_state = _cdiv(state, max(tp, 1))
    per_token = vllm_tp.kv_heads_per_rank(model, tp) * 2 * model.head_dim * 2  # K and V, 16-bit
    return max(BLOCK_SIZE * _cdiv(rank_state, BLOCK_SIZE * per_token), BLOCK_SIZE)


def layer_counts(model: Model) -> tuple[int, int] | None:
    """(full-attention layers, sliding-window layers), or None for a model without a window.
    Gemma 3's layer_types: layer i slides unless (i + 1) is a multiple of the pattern
    (huggingface/transformers src/transformers/models/gemma3/configuration_gemma3.py)."""
    if not model.sliding_window or model.is_mla:
        return None
    if model.sliding_layers is not None:
        sliding = min(model.sliding_layers, model.layers)
        return (model.layers - sliding, sliding) if sliding else None
    if not model.sliding_window_pattern:
        return None
    full = model.layers // model.sliding_window_pattern
    return full, model.layers - full


def window_from_config(text: Mapping[str, Any], model_type: str, layers: int) -> tuple[int, int] | str | None:
    """(window, sliding layers) as vLLM v0.24.0 serves a model whose text config is ``text`` (the rules
    above); None for no window; a warning line where the layers interleave in a way akscli does not read."""
    window = text.get("sliding_window", _DEFAULT_WINDOW.get(model_type))
    use = text.get("use_sliding_window", model_type not in _USE_SLIDING_WINDOW)
    if not isinstance(window, int) or isinstance(window, bool) or window <= 0 or not use or layers <= 0:
        return None
    kinds = text.get("layer_types")
    if kinds is not None and (not isinstance(kinds, list) or len(kinds) != layers):
        return (
            f"config.json's layer_types does not name one kind for each of the {layers} layers: the KV cache is "
            "sized on every layer in full"
        )
    if kinds is None and model_type in ("gemma3", "gemma3_text"):
        every = text.get("sliding_window_pattern", 6)
        if isinstance(every, int) and every > 0:
            kinds = ["full_attention" if (i + 1) % every == 0 else "sliding_attention" for i in range(layers)]
    if kinds is None and model_type in _EVEN_LAYERS:
        kinds = ["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(layers)]
    if kinds is None or len(set(kinds)) < 2:
        return window, layers
    if model_type in _EVEN_LAYERS:
        return window, (layers + 1) // 2
    if model_type in _BY_LAYER_TYPES:
        return window, kinds.count("sliding_attention")
    return (
        f"config.json mixes sliding-window and full layers (layer_types), which akscli does not read for "
        f"model type {model_type or 'unknown'}: the KV cache is sized on every layer in full, more than vLLM needs"
    )


def hybrid_note(model: Model) -> str | None:
    """The plan's line for a hybrid (Mamba or linear-attention) model whose recurrent state akscli does not
    size (its catalog row holds no config.json dimensions; akscli.model.mamba_state)."""
    if model.architecture not in HYBRID_ARCHITECTURES or hybrid_block(model) is not None:
        return None
    return (
        f"{model.architecture} is a hybrid model: vLLM keeps KV on attention layers, a Mamba state on the rest, "
        "from config.json values akscli lacks; the KV figure counts all layers in full"
    )


def gemma4_note(model: Model) -> str | None:
    """The plan's line for a Gemma 4 model, whose per-layer KV akscli does not size (see above)."""
    if not (model.architecture or "").startswith("Gemma4"):
        return None
    return (
        "Gemma 4's layers differ in window, head size and KV heads (and may share KV), from config.json values "
        "akscli lacks here: the KV figure counts every layer in full, more than vLLM allocates"
    )


def request_bytes(model: Model, context: int, sku: GpuSku, tp: int = 1) -> int:
    """KV bytes vLLM needs to serve one request of ``context`` tokens on this GPU at tensor-parallel ``tp``,
    summed over the ranks: a KV head held on several ranks counts on each (akscli.model.vllm_tp.replicas). A
    model without a window keeps akscli's every-layer figure (vLLM's own rounds the length up to whole
    16-token blocks: under 16 tokens' worth, left out so those plans stay as they were)."""
    heads = model.kv_heads * vllm_tp.replicas(model, tp)  # over all ranks
    block = hybrid_block(model, tp)
    if block is not None:
        assert model.attention_layers is not None and model.mamba_layers is not None
        attention, mamba = model.attention_layers, model.mamba_layers
        group_size = _group_size(attention, mamba)
        page = block * heads * 2 * model.head_dim * 2  # the Mamba page is padded to it
        pages = _cdiv(attention, group_size) * _cdiv(context, block) + _cdiv(mamba, group_size)
        return group_size * page * pages
    counts = layer_counts(model)
    if counts is None:
        return vllm_tp.kv_bytes_per_token(model, tp) * context
    full, sliding = counts
    assert model.sliding_window is not None
    page = BLOCK_SIZE * heads * 2 * model.head_dim * 2  # K and V, 16-bit
    full_pages = _cdiv(context, BLOCK_SIZE)
    window_tokens = min(model.sliding_window - 1 + max_num_batched_tokens(sku), context)
    window_pages = _cdiv(window_tokens, BLOCK_SIZE) + 1
    if not full:
        return sliding * window_pages * page
    group_size = _group_size(full, sliding)
    pages = _cdiv(full, group_size) * full_pages + _cdiv(sliding, group_size) * window_pages
    return group_size * page * pages


def rule_note(model: Model, tp: int = 1) -> str | None:
    """One line for the plan where vLLM's rule gives other numbers than KAITO's (a hybrid's at ``tp``)."""
    block = hybrid_block(model, tp)
    if block is not None:
        held = "each" if model.attention_layers == model.mamba_layers == model.layers else model.mamba_layers
        return (
            f"KV cache sized as vLLM {VLLM_RELEASE} allocates it: full context on {model.attention_layers} of "
            f"{model.layers} layers in {block}-token blocks, a {state_bytes(model, tp):,}-byte state per request on "
            f"{held} (padded to one page; KAITO counts every layer)"
        )
    counts = layer_counts(model)
    if counts is None:
        return None
    full, sliding = counts
    return (
        f"KV cache sized as vLLM {VLLM_RELEASE} allocates it: full context on {full} of {model.layers} layers, "
        f"a {model.sliding_window}-token window plus one prefill chunk on {sliding} (KAITO counts every layer)"
    )


def kv_cache_bytes(
    model: Model, context: int, concurrency: int, sku: GpuSku | None, *, per_layer: bool, tp: int = 1
) -> int:
    """The KV cache a plan sizes for ``concurrency`` requests of ``context`` tokens: vLLM's per-layer
    figure on ``sku``'s GPUs at tensor-parallel ``tp`` (above, with the KV heads the ranks replicate), or with
    ``per_layer`` False (or no size) KAITO's full length on every layer, as its estimator counts it. The fit,
    the plan's header and its JSON all read this one figure."""
    if per_layer and sku is not None:
        return request_bytes(model, context, sku, tp) * concurrency
    return model.kv_bytes_per_token * context * concurrency
