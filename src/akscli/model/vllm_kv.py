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
"""

from akscli.model.catalog import Model
from akscli.model.skus import GpuSku

VLLM_RELEASE = "v0.24.0"
BLOCK_SIZE = 16


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


def max_num_batched_tokens(sku: GpuSku) -> int:
    """vLLM's default for its OpenAI server on this GPU (arg_utils.py get_batch_defaults)."""
    big = sku.gpu_memory_gib >= 70 and "a100" not in sku.gpu_model.lower()
    return 8192 if big else 2048


def layer_counts(model: Model) -> tuple[int, int] | None:
    """(full-attention layers, sliding-window layers), or None for a model without a window.
    Gemma 3's layer_types: layer i slides unless (i + 1) is a multiple of the pattern
    (huggingface/transformers src/transformers/models/gemma3/configuration_gemma3.py)."""
    if not model.sliding_window or not model.sliding_window_pattern or model.is_mla:
        return None
    full = model.layers // model.sliding_window_pattern
    return full, model.layers - full


def request_bytes(model: Model, context: int, sku: GpuSku) -> int:
    """KV bytes vLLM needs to serve one request of ``context`` tokens on this GPU. A model without a
    window keeps akscli's every-layer figure unchanged (vLLM's own rounds the length up to whole
    16-token blocks: under 16 tokens' worth, left out so those plans stay as they were)."""
    counts = layer_counts(model)
    if counts is None:
        return model.kv_bytes_per_token * context
    full, sliding = counts
    assert model.sliding_window is not None
    page = BLOCK_SIZE * model.kv_heads * 2 * model.head_dim * 2  # K and V, 16-bit
    full_pages = _cdiv(context, BLOCK_SIZE)
    window_tokens = min(model.sliding_window - 1 + max_num_batched_tokens(sku), context)
    window_pages = _cdiv(window_tokens, BLOCK_SIZE) + 1
    if not full:
        return sliding * window_pages * page
    group_size = min(full, sliding)
    if max(full, sliding) < group_size * 1.5:
        group_size = max(full, sliding)
    pages = _cdiv(full, group_size) * full_pages + _cdiv(sliding, group_size) * window_pages
    return group_size * page * pages


def rule_note(model: Model) -> str | None:
    """One line for the plan where vLLM's rule gives other numbers than KAITO's."""
    counts = layer_counts(model)
    if counts is None:
        return None
    full, sliding = counts
    return (
        f"KV cache sized as vLLM {VLLM_RELEASE} allocates it: full context on {full} of {model.layers} layers, "
        f"a {model.sliding_window}-token window plus one prefill chunk on {sliding} (KAITO counts every layer)"
    )
