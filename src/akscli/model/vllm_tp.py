"""The tensor-parallel degrees vLLM starts a model at, and how its KV heads spread over the ranks. Plain data
and arithmetic: no Typer, no rich. Read from vllm-project/vllm v0.24.0 (its sdist), the release of the image
akscli pins (akscli.model.kinds.DEFAULT_VLLM_IMAGE):

* ``vllm/config/model.py`` ModelConfig.verify_with_parallel_config: ``Total number of attention heads (N) must
  be divisible by tensor parallel size (T)``, a ValueError at start.
* ``vllm/model_executor/models/llama.py`` LlamaAttention (and every model file built the same way):
  ``assert total_num_kv_heads % tp_size == 0`` where the KV heads are at least the TP degree, else
  ``assert tp_size % total_num_kv_heads == 0``; ``vllm/model_executor/layers/linear.py`` QKVParallelLinear does
  the same through ``divide()`` (``vllm/distributed/utils.py`` ensure_divisibility asserts) and, where TP is at
  least the KV heads, keeps one KV head per rank (``num_kv_head_replicas = tp_size // total_num_kv_heads``).
* ``vllm/config/model.py`` ModelConfig.get_num_kv_heads, the heads each rank's KV cache holds: 1 for multi-head
  latent attention (``use_mla``: the one latent vector, whole on every rank; ``mla_attention.py`` and
  ``deepseek_v2.py`` give MLAAttentionSpec ``num_kv_heads=1``), else ``max(1, total_num_kv_heads // tp)``.
* ``vllm/model_executor/layers/mamba/mamba_mixer2.py`` MambaMixer2: ``assert num_heads % tp_size == 0`` and
  ``assert (n_groups % tp_size) == 0 or n_groups == 1``; ``mamba_utils.py`` gated_delta_net_state_shape
  ``divide(num_v_heads, tp_world_size)`` for a Gated DeltaNet layer's value heads.

A plan sizes the KV cache summed over the TP ranks (the fit divides it by the GPUs), so a replicated head
counts once on every rank that holds it.

Pipeline parallel (KAITO's multi-node layout: kaito-project/kaito pkg/model/interface.go configureParallelism sets
``tensor-parallel-size`` to the node's GPUs and ``pipeline-parallel-size`` to the nodes, with no smaller-TP fallback)
splits the layers, not the heads (the same in v0.24.0 and v0.25.1):

* ``vllm/distributed/utils.py`` get_pp_indices: ``num_hidden_layers // pp_size`` layers a stage, the remainder one
  each to the stages before the last (``partitions[-i] += 1`` for i from 2), unless VLLM_PP_LAYER_PARTITION says.
* ``vllm/v1/core/kv_cache_utils.py`` get_kv_cache_configs: "Change the num_blocks of each rank to the smallest
  among all ranks", so the stage with the most layers bounds the KV cache every stage holds.

KAITO v0.12.0 runs vLLM v0.25.1 (kaito-project/kaito presets/workspace/dependencies/requirements.txt
``vllm==0.25.1``, installed by docker/presets/models/tfs/Dockerfile). Every rule above reads the same in v0.25.1's
sdist (``mamba_utils.py``, ``mamba_mixer2.py`` and ``kv_cache_utils.py`` are unchanged; ``config/model.py``,
``llama.py``, ``linear.py`` and ``distributed/utils.py`` change nothing these rules read).
"""

from akscli.model.catalog import Model

VLLM_RELEASE = "v0.24.0"
KAITO_VLLM_RELEASE = "v0.25.1"  # kaito-project/kaito v0.12.0 presets/workspace/dependencies/requirements.txt


def refusal(model: Model, tp: int) -> str | None:
    """Why vLLM v0.24.0 fails to start ``model`` at tensor-parallel ``tp`` (the rules above), or None."""
    if tp <= 1:
        return None
    if model.attention_heads % tp:
        return f"{tp} does not divide its {model.attention_heads} attention heads"
    kv = model.kv_heads
    if not model.is_mla and kv >= tp and kv % tp:
        return f"{tp} does not divide its {kv} KV heads"
    if not model.is_mla and kv < tp and tp % kv:
        return f"its {kv} KV heads do not divide {tp}"
    if model.mamba_heads and model.mamba_heads % tp:
        return f"{tp} does not divide the {model.mamba_heads} heads of its recurrent layers"
    groups = model.mamba_groups or 0
    if groups > 1 and groups % tp:
        return f"{tp} does not divide its {groups} Mamba2 groups (vLLM replicates only a single group)"
    return None


def kv_heads_per_rank(model: Model, tp: int) -> int:
    """ModelConfig.get_num_kv_heads: the KV heads one rank holds (1 for MLA: the latent, whole)."""
    return 1 if model.is_mla else max(1, model.kv_heads // max(tp, 1))


def replicas(model: Model, tp: int) -> int:
    """How many ranks hold each KV head (1 where ``tp`` divides the KV heads)."""
    tp = max(tp, 1)
    if model.is_mla:
        return tp
    return max(1, tp // model.kv_heads) if model.kv_heads < tp else 1


def kv_bytes_per_token(model: Model, tp: int) -> int:
    """KV bytes per token on every layer, summed over the ``tp`` ranks (16-bit): Model.kv_bytes_per_token where
    ``tp`` divides the KV heads, times the replicas where it does not."""
    return model.kv_bytes_per_token * replicas(model, tp)


def replication_note(model: Model, tp: int) -> str | None:
    """The plan's line where the ranks hold the KV cache more than once (None where they split it)."""
    times = replicas(model, tp)
    if times <= 1:
        return None
    held = (
        ("the whole MLA latent", "it")
        if model.is_mla
        else ("its one KV head", "it")
        if model.kv_heads == 1
        else (f"1 of its {model.kv_heads} KV heads", "each head")
    )
    return (
        f"KV cache at tensor parallel {tp}: vLLM {VLLM_RELEASE} keeps {held[0]} on each of the {tp} tensor-parallel "
        f"GPUs; the figure counts {held[1]} {times} times"
    )


def stage_layers(layers: int, pp: int) -> list[int]:
    """get_pp_indices: the layers each of ``pp`` pipeline stages holds (the remainder on the stages before the last)."""
    pp = max(pp, 1)
    parts = [layers // pp] * pp
    for i in range(2, layers % pp + 2):
        parts[-i] += 1
    return parts


def heaviest_stage(layers: int, pp: int) -> float:
    """The share of the layers the fullest of ``pp`` stages holds: 1 with one stage, over 1/pp where they do not
    divide evenly (61 layers on 2 stages: 31/61). That stage's GPUs bound the fit (get_kv_cache_configs)."""
    return max(stage_layers(layers, pp)) / layers if layers > 0 else 1 / max(pp, 1)
