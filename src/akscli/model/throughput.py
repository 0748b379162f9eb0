"""Decode throughput from memory bandwidth, for `model plan`: each generated token reads the active
weights once, plus the KV cache of the sequences in flight; the result says so and shows its inputs.
Plain data and arithmetic: no Typer, no rich."""

from akscli.model import vllm_kv
from akscli.model.catalog import Model
from akscli.model.kaito_estimator import GIB
from akscli.model.skus import GpuSku
from akscli.records import Record

# Fraction of peak memory bandwidth a decode step reaches in practice (kernel and scheduling
# losses); shown with every throughput estimate so the user can scale it.
BANDWIDTH_EFFICIENCY = 0.6


class Throughput(Record):
    tokens_per_second: float
    per_sequence_tokens_per_second: float
    bytes_per_step_gib: float
    aggregate_bandwidth_gbps: float
    efficiency: float
    note: str = "estimate: memory-bandwidth bound decode, not a benchmark"


def throughput(
    model: Model,
    sku: GpuSku,
    gpus: int,
    *,
    context: int,
    concurrency: int,
    latency_gpus: int | None = None,
    per_layer_kv: bool = True,
) -> Throughput:
    """Decode tokens/s from memory bandwidth. Each step reads the weights once (only the active
    experts for a mixture of experts named '-A<n>B') and the KV cache of every sequence in flight,
    taken half full on average: the plan's own KV figure (akscli.model.vllm_kv.kv_cache_bytes, with
    ``per_layer_kv`` as the fit sized it) at half the context, so a sliding layer reads its window and
    a Mamba layer its state, not the full context. Pipeline stages add aggregate bandwidth but not
    per-sequence speed, so one sequence's rate uses the tensor-parallel GPUs (``latency_gpus``) only."""
    weight_bytes = model.weights_gib * GIB
    if model.active_parameters_b and model.parameters_b:
        weight_bytes *= model.active_parameters_b / model.parameters_b
    tp = latency_gpus or 1
    kv_bytes = vllm_kv.kv_cache_bytes(model, -(-context // 2), concurrency, sku, per_layer=per_layer_kv, tp=tp)
    per_step = weight_bytes + kv_bytes
    per_gpu = sku.mem_bandwidth_gbps * 1e9 * BANDWIDTH_EFFICIENCY
    aggregate = per_gpu * gpus / per_step * concurrency
    single = per_gpu * (latency_gpus or gpus) / per_step
    return Throughput(
        tokens_per_second=round(min(aggregate, single * concurrency), 1),
        per_sequence_tokens_per_second=round(single, 1),
        bytes_per_step_gib=round(per_step / GIB, 2),
        aggregate_bandwidth_gbps=round(sku.mem_bandwidth_gbps * gpus, 1),
        efficiency=BANDWIDTH_EFFICIENCY,
    )
