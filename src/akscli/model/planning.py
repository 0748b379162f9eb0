"""GPU fit, cost and throughput for serving a model: what `akscli model plan` computes.

Two estimates meet here:

* KAITO's own node estimator (``akscli.model.kaito_estimator``), for ``--runtime kaito``.
* ``fit``: akscli's estimate for vLLM, which also sizes the KV cache for concurrency (KAITO
  sizes it for one sequence of max_model_len) and picks a tensor-parallel degree that divides
  the attention heads.

Decode throughput (akscli.model.throughput) is an estimate from memory bandwidth; the KV cache is
sized in akscli.model.vllm_kv.
"""

import math
from typing import Any

from akscli.errors import UsageError
from akscli.model import bounded, catalog, kaito_names, skus, vllm_kv, vllm_tp
from akscli.model.catalog import Model
from akscli.model.kaito_estimator import (
    GIB,
    KAITO_BASE_OVERHEAD_GIB,
    KAITO_DATA_PARALLEL_SHARE,
    KAITO_UTILIZATION,
    KAITO_WEIGHT_FACTOR,
    KaitoEstimate,
    kaito_estimate,
    kaito_gpu_memory_utilization,
    supports_kaito,
)
from akscli.model.skus import GpuSku
from akscli.model.throughput import BANDWIDTH_EFFICIENCY, Throughput, throughput
from akscli.records import Record

HOURS_PER_MONTH = 730  # Azure's pricing calculator month

# akscli's own vLLM plan, and what akscli's vLLM Deployment passes as --gpu-memory-utilization:
# vLLM's long-standing default (vllm-project/vllm vllm/config/cache.py,
# CacheConfig.gpu_memory_utilization: 0.9 at c1d86421174a87056edc90a41dc9942391509e84, 0.92 at
# 002f10e0cfa1373a19a0d2756598a34b700d20e5), passed explicitly so plan and server agree on any image.
VLLM_GPU_MEMORY_UTILIZATION = 0.90
OVERHEAD_GIB_PER_GPU = 2.3
# Quantisations the GPU generation runs natively (tensor cores for that format). Others still
# load in vLLM through weight-only kernels (Marlin) or upcasting: slower, sometimes larger.
NATIVE_QUANT: dict[str, frozenset[str]] = {
    "t4": frozenset({"fp16", "int8", "int4"}),
    "v100": frozenset({"fp16", "int8"}),
    "m60": frozenset({"fp16"}),
    "a10": frozenset({"bf16", "fp16", "int8", "int4"}),
    "a100": frozenset({"bf16", "fp16", "int8", "int4"}),
    "h100": frozenset({"bf16", "fp16", "int8", "int4", "fp8"}),
    "h200": frozenset({"bf16", "fp16", "int8", "int4", "fp8"}),
    "gb200": frozenset({"bf16", "fp16", "int8", "int4", "fp8", "mxfp4", "nvfp4"}),
    "mi300x": frozenset({"bf16", "fp16", "int8", "fp8"}),
    "mi25": frozenset({"fp16"}),
    "v620": frozenset({"bf16", "fp16", "int8"}),
}
# A model split over nodes moves activations between them on every token: akscli plans
# multi-node serving only on sizes with an RDMA (InfiniBand) network, up to this many nodes.
MAX_NODES = 16

# vLLM needs CUDA compute capability 7.0+ or a supported ROCm GPU.
UNSUPPORTED_BY_VLLM = frozenset({"m60", "mi25", "v620"})

# CUDA compute capability per NVIDIA GPU family (NVIDIA's table,
# https://developer.nvidia.com/cuda-gpus). FP8 tensor cores start at 8.9 (Ada, Hopper).
CUDA_CAPABILITY: dict[str, float] = {
    "m60": 5.2,
    "v100": 7.0,
    "t4": 7.5,
    "a100": 8.0,
    "a10": 8.6,
    "h100": 9.0,
    "h200": 9.0,
    "gb200": 10.0,
}
# vLLM serves FP8 checkpoints on GPUs without FP8 tensor cores through its weight-only FP8
# Marlin kernels, which need compute capability 8.0 (vllm-project/vllm
# vllm/model_executor/layers/quantization/utils/marlin_utils_fp8.py, is_fp8_marlin_supported;
# later releases lower it to 7.5, akscli keeps the older bound).
FP8_MARLIN_MIN_CAPABILITY = 8.0

RUNTIMES = ("kaito", "vllm")


def quant_kernel(model: Model, sku: GpuSku) -> str:
    """How vLLM runs the checkpoint's weight format on this GPU: ``native`` (tensor cores for
    it), ``weight-only`` (FP8 Marlin: dequantised on the fly, slower) or ``unsupported``. Only
    FP8 is gated; other formats keep the warnings of ``quant_warnings``."""
    if model.quant_family != "fp8":
        return "native"
    if "fp8" in NATIVE_QUANT.get(sku.gpu_family, frozenset()):
        return "native"
    capability = CUDA_CAPABILITY.get(sku.gpu_family)
    if capability is not None and capability >= FP8_MARLIN_MIN_CAPABILITY:
        return "weight-only"
    return "unsupported"


def _priced(f: "Fit", hourly: float | None, budget: float | None) -> "Fit":
    """The option with the price of every node it takes, and whether that is within the budget."""
    if hourly is None:
        return f
    per_month = round(hourly * f.nodes * HOURS_PER_MONTH, 2)
    return f._replace(
        price_per_hour=round(hourly * f.nodes, 3),
        price_per_month=per_month,
        within_budget=None if budget is None else per_month <= budget,
    )


class Fit(Record):
    vm_size: str
    gpu_model: str
    gpu_family: str
    gpus_per_node: int
    gpu_memory_gib: float
    fits: bool
    reason: str = ""
    interconnect: str = ""
    tensor_parallel: int = 0
    pipeline_parallel: int = 0
    nodes: int = 0
    # Copies of the model one node can hold (vLLM runtime; a KAITO Workspace takes the node).
    replicas_per_node: int = 0
    gpus: int = 0
    memory_per_gpu_gib: float = 0.0
    weights_per_gpu_gib: float = 0.0
    kv_cache_per_gpu_gib: float = 0.0
    free_per_gpu_gib: float = 0.0
    shortfall_gib: float = 0.0
    price_per_hour: float | None = None
    price_per_month: float | None = None
    within_budget: bool | None = None
    kaito: KaitoEstimate | None = None
    # How vLLM runs the weight format here: native | weight-only | unsupported (quant_kernel).
    quant_kernel: str = "native"
    throughput: Throughput | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = self._asdict()
        d["kaito"] = None if self.kaito is None else self.kaito._asdict()
        d["throughput"] = None if self.throughput is None else self.throughput._asdict()
        d["warnings"] = list(self.warnings)
        return d


def servable(f: Fit) -> bool:
    """The model fits and vLLM (which both runtimes serve with) runs it on the GPU."""
    return f.fits and f.gpu_family not in UNSUPPORTED_BY_VLLM and f.quant_kernel != "unsupported"


def has_rdma(sku: GpuSku) -> bool:
    return "rdma" in sku.interconnect.lower()


def _tp_ok(model: Model, tp: int) -> bool:
    """A degree vLLM starts the model at (akscli.model.vllm_tp.refusal: heads, KV heads, Mamba heads and groups)."""
    return tp == 1 or (model.tensor_parallel and vllm_tp.refusal(model, tp) is None)


def _refused(model: Model, sku: GpuSku) -> str:
    """The fit's words for the degrees up to this size's GPUs that vLLM fails to start the model at, or ""."""
    degrees = [2**i for i in range(1, sku.gpus.bit_length()) if 2**i <= sku.gpus]
    refused = [(tp, why) for tp in degrees if model.tensor_parallel and (why := vllm_tp.refusal(model, tp))]
    if not refused:
        return ""
    named = " or ".join(str(tp) for tp, _ in refused)
    return f"; vLLM {vllm_tp.VLLM_RELEASE} fails to start it at tensor parallel {named}: {refused[0][1]}"


def quant_warnings(model: Model, sku: GpuSku) -> list[str]:
    out: list[str] = []
    fam = model.quant_family
    native = NATIVE_QUANT.get(sku.gpu_family)
    if sku.gpu_family in UNSUPPORTED_BY_VLLM:
        out.append(f"{sku.gpu_model} is not supported by vLLM")
    if native is not None and fam not in native:
        if fam == "bf16" and "fp16" in native:
            out.append(f"bf16 is not native on {sku.gpu_family.upper()}; vLLM runs it as fp16")
        else:
            out.append(f"{fam} is not native on {sku.gpu_family.upper()}; it runs through slower weight-only kernels")
    return out


def fit(
    model: Model,
    sku: GpuSku,
    *,
    context: int,
    concurrency: int = 1,
    region: str = skus.DEFAULT_REGION,
    budget: float | None = None,
    gpu_memory_utilization: float = VLLM_GPU_MEMORY_UTILIZATION,
    per_layer_kv: bool = True,
) -> Fit:
    """Smallest GPU count on this size that holds the weights and a full KV cache for
    ``concurrency`` sequences of ``context`` tokens. Within a node the tensor-parallel degree is
    a power of two that divides the attention heads; beyond a node, whole nodes are added as
    pipeline stages, and the stage vLLM gives the most layers must hold its share
    (akscli.model.vllm_tp.heaviest_stage). The KV cache is vLLM's per-layer sizing (akscli.model.vllm_kv), or with
    ``per_layer_kv`` False KAITO's full length on every layer."""
    weights = model.weights_gib * KAITO_WEIGHT_FACTOR

    def kv_at(tp: int) -> float:  # a hybrid's state grows where vLLM replicates Mamba2 groups (vllm_kv.state_bytes)
        return vllm_kv.kv_cache_bytes(model, context, concurrency, sku, per_layer=per_layer_kv, tp=tp) / GIB

    usable = sku.gpu_memory_gib * gpu_memory_utilization - OVERHEAD_GIB_PER_GPU
    warnings = quant_warnings(model, sku)
    kernel = quant_kernel(model, sku)
    if kernel == "unsupported":
        warnings.append(f"vLLM has no FP8 kernel for {sku.gpu_model} (FP8 Marlin needs compute capability 8.0)")
    unsized = _unsized(sku, kaito_estimate(model, sku, context), kernel, warnings)
    candidates: list[tuple[int, int]] = []
    tp = 1
    while tp <= sku.gpus:
        if _tp_ok(model, tp):
            candidates.append((tp, 1))
        tp *= 2
    multi_node = has_rdma(sku)
    if multi_node and _tp_ok(model, sku.gpus) and model.tensor_parallel:
        candidates += [(sku.gpus, pp) for pp in range(2, MAX_NODES + 1)]
    best = None
    for tp, pp in sorted(set(candidates), key=lambda c: c[0] * c[1]):
        # the fullest pipeline stage's share, split over its tp GPUs (vllm_tp.heaviest_stage)
        if usable > 0 and tp * usable >= (weights + kv_at(tp)) * vllm_tp.heaviest_stage(model.layers, pp):
            best = (tp, pp)
            break
    largest_tp, largest = max(((c[0], c[0] * c[1]) for c in candidates), key=lambda c: c[1], default=(1, 1))
    if best is None:
        need = weights + kv_at(largest_tp)
        reason = (
            f"needs {need:.1f} GiB for weights and KV cache; {largest} x "
            f"{sku.gpu_memory_gib:g} GiB GPUs leave {largest * max(usable, 0):.1f} GiB"
        )
        if not model.tensor_parallel and sku.gpus > 1:
            reason += " (model cannot be split across GPUs)"
        elif not multi_node:
            reason += " on one node (no RDMA network between nodes of this size)"
        reason += _refused(model, sku)
        shortfall = need - largest * max(usable, 0.0)
        stages = largest // largest_tp
        if shortfall <= 0 and stages > 1:  # the even split fits; vLLM's fullest stage does not
            per_gpu = need * vllm_tp.heaviest_stage(model.layers, stages) / largest_tp
            fullest = max(vllm_tp.stage_layers(model.layers, stages))
            reason += (
                f", but vLLM's fullest of {stages} pipeline stages holds {fullest} of {model.layers} layers: "
                f"{per_gpu:.1f} GiB a GPU"
            )
            shortfall = (per_gpu - usable) * largest
        return unsized._replace(shortfall_gib=round(shortfall, 2), reason=reason)
    tp, pp = best
    n = tp * pp
    kv_total = kv_at(tp)
    nodes = math.ceil(n / sku.gpus)
    per_gpu = vllm_tp.heaviest_stage(model.layers, pp) / tp  # of the whole, on each GPU of the fullest stage
    memory_per_gpu = round((weights + kv_total) * per_gpu + OVERHEAD_GIB_PER_GPU, 2)
    sized = unsized._replace(
        fits=True,
        tensor_parallel=tp,
        pipeline_parallel=pp,
        gpus=n,
        nodes=nodes,
        replicas_per_node=max(sku.gpus // n, 1) if nodes == 1 else 1,
        weights_per_gpu_gib=round(weights * per_gpu, 2),
        kv_cache_per_gpu_gib=round(kv_total * per_gpu, 2),
        memory_per_gpu_gib=memory_per_gpu,
        free_per_gpu_gib=round(sku.gpu_memory_gib * gpu_memory_utilization - memory_per_gpu, 2),
        throughput=throughput(
            model, sku, n, context=context, concurrency=concurrency, latency_gpus=tp, per_layer_kv=per_layer_kv
        ),
    )
    return _priced(sized, sku.price(region), budget)


def _unsized(sku: GpuSku, kaito: KaitoEstimate, quant_kernel: str, warnings: list[str]) -> Fit:
    """The row of a VM size before the model is sized on it: the size's facts, and no fit yet."""
    return Fit(
        vm_size=sku.vm_size,
        gpu_model=sku.gpu_model,
        gpu_family=sku.gpu_family,
        gpus_per_node=sku.gpus,
        gpu_memory_gib=sku.gpu_memory_gib,
        fits=False,
        interconnect=sku.interconnect,
        kaito=kaito,
        quant_kernel=quant_kernel,
        warnings=tuple(warnings),
    )


def kaito_fit(
    model: Model,
    sku: GpuSku,
    *,
    context: int,
    concurrency: int = 1,
    region: str = skus.DEFAULT_REGION,
    budget: float | None = None,
) -> Fit:
    """What KAITO provisions for a Workspace on this size: its estimator's node count, each node
    taken whole (kaito-project/kaito pkg/workspace/estimator/nodesestimator/estimator.go), vLLM's
    parallelism as KAITO sets it (pkg/model/interface.go, configureParallelism), and the price of
    those nodes. akscli's own sizing for ``concurrency`` is compared and warned about."""
    utilization = kaito_gpu_memory_utilization(sku)
    own = fit(
        model,
        sku,
        context=context,
        concurrency=concurrency,
        region=region,
        budget=budget,
        gpu_memory_utilization=utilization,
        per_layer_kv=False,
    )
    est = own.kaito or kaito_estimate(model, sku, context)
    unsized = _unsized(sku, est, own.quant_kernel, list(own.warnings))
    if not est.fits:
        return unsized._replace(reason=f"KAITO's estimator: {est.reason}")
    weights = model.weights_gib * KAITO_WEIGHT_FACTOR
    kv_total = model.kv_bytes_per_token * context / GIB
    gpus = est.nodes * sku.gpus
    single_gpu = est.nodes == 1 and model.weights_gib < KAITO_DATA_PARALLEL_SHARE * sku.gpu_memory_gib
    tensor_parallel = 1 if single_gpu else sku.gpus
    refused = vllm_tp.refusal(model, tensor_parallel)
    if refused:  # KAITO's TP is the node's GPU count (configureParallelism), whatever the model's heads
        return unsized._replace(
            reason=f"KAITO runs vLLM at tensor parallel {tensor_parallel} (the node's GPUs), which vLLM "
            f"{vllm_tp.KAITO_VLLM_RELEASE} (KAITO's) fails to start: {refused}"
        )
    shards = tensor_parallel * est.nodes
    # KAITO's pipeline stages are its nodes: the fullest stage's GPUs hold the most (vllm_tp.heaviest_stage)
    per_gpu = vllm_tp.heaviest_stage(model.layers, est.nodes) / tensor_parallel
    memory_per_gpu = round((weights + kv_total) * per_gpu + KAITO_BASE_OVERHEAD_GIB, 2)
    warnings = unsized.warnings
    if concurrency > 1 and own.fits and own.gpus > gpus:
        warnings += (
            f"KAITO sizes the KV cache for one sequence: {gpus} GPU(s) here; "
            f"{concurrency} sequences of {context} tokens need {own.gpus}",
        )
    usable = sku.gpu_memory_gib * utilization
    if est.nodes > 1 and memory_per_gpu > usable:
        warnings += (stage_warning(model, est.nodes, memory_per_gpu, usable),)
    sized = unsized._replace(
        fits=True,
        nodes=est.nodes,
        gpus=gpus,
        tensor_parallel=tensor_parallel,
        pipeline_parallel=est.nodes,
        replicas_per_node=sku.gpus if single_gpu else 1,
        weights_per_gpu_gib=round(weights * per_gpu, 2),
        kv_cache_per_gpu_gib=round(kv_total * per_gpu, 2),
        memory_per_gpu_gib=memory_per_gpu,
        free_per_gpu_gib=round(usable - memory_per_gpu, 2),
        throughput=throughput(
            model, sku, gpus, context=context, concurrency=concurrency, latency_gpus=shards, per_layer_kv=False
        ),
        warnings=warnings,
    )
    return _priced(sized, sku.price(region), budget)


def stage_warning(model: Model, stages: int, memory_per_gpu: float, usable: float) -> str:
    """KAITO's node count assumes an even split; vLLM's pipeline stages hold whole layers (vllm_tp.stage_layers)."""
    fullest = max(vllm_tp.stage_layers(model.layers, stages))
    return (
        f"KAITO's {stages} nodes are {stages} vLLM pipeline stages over {model.layers} layers; the fullest holds "
        f"{fullest} ({memory_per_gpu:.2f} GiB a GPU), over the {usable:.2f} GiB vLLM may use: likely short of "
        "memory at start"
    )


class Plan(Record):
    model: Model
    runtime: str
    context: int
    concurrency: int
    region: str
    budget: float | None
    options: list[Fit]
    recommended: Fit | None
    warnings: tuple[str, ...]
    prices_as_of: str
    # The warning that says why nothing was picked, where one does: `model plan` leaves it out
    # when its error (plan_view.nothing_picked) says the same.
    no_pick: str | None = None
    # kv_cache_bytes' figure, and the size it was sized on where it depends on the GPU (a sliding
    # window under vLLM: its prefill chunk is per GPU, vllm_kv.max_num_batched_tokens).
    kv_cache_bytes: int = 0
    kv_sized_on: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.to_dict(),
            "inputs": {
                "runtime": self.runtime,
                "context": self.context,
                "concurrency": self.concurrency,
                "region": self.region,
                "budget_usd_per_month": self.budget,
                # KAITO's vLLM runs with its own value (0.82 on A10s: kaito_gpu_memory_utilization).
                "gpu_memory_utilization": KAITO_UTILIZATION if self.runtime == "kaito" else VLLM_GPU_MEMORY_UTILIZATION,
                "overhead_gib_per_gpu": OVERHEAD_GIB_PER_GPU,
                "weight_load_factor": KAITO_WEIGHT_FACTOR,
                "bandwidth_efficiency": BANDWIDTH_EFFICIENCY,
                "hours_per_month": HOURS_PER_MONTH,
                "prices_as_of": self.prices_as_of,
            },
            "requirements": {
                "weights_gib": round(self.model.weights_gib * KAITO_WEIGHT_FACTOR, 2),
                "kv_bytes_per_token": self.model.kv_bytes_per_token,
                "kv_cache_gib": round(self.kv_cache_bytes / GIB, 2),
            }
            | ({"kv_cache_sized_on": self.kv_sized_on} if self.kv_sized_on else {}),
            "recommended": self.recommended.vm_size if self.recommended else None,
            "options": [o.to_dict() for o in self.options],
            "warnings": list(self.warnings),
        }


def check_context(model: Model, context: int) -> None:
    if context > model.context:
        raise UsageError(
            f"context {context} is above {model.id}'s limit of {model.context} tokens",
            hint=f"use --max-model-len {model.context} or less",
        )


def plan(
    model: Model,
    *,
    runtime: str = "kaito",
    context: int | None = None,
    concurrency: int = 1,
    region: str = skus.DEFAULT_REGION,
    budget: float | None = None,
    vm_sizes: list[GpuSku] | None = None,
) -> Plan:
    ctx = context if context is not None else min(model.context, 8192)
    check_context(model, ctx)
    if runtime == "kaito":
        kaito_names.check_token_limit(model, ctx)
    region = region.lower()
    known_regions = skus.regions()
    warnings: list[str] = []
    if region not in known_regions:
        from akscli import suggest  # here: only an unknown region or size is answered with a guess

        warnings.append(
            f"no prices for region {bounded.value(region)!r} "
            f"({suggest.did_you_mean(region, known_regions, margin=0.05)}prices known for "
            f"{bounded.listed(known_regions, 5)}); "
            "give --price-file for it"
        )
    sizes = vm_sizes or skus.all_skus()
    if runtime == "kaito":
        options = [
            kaito_fit(model, s, context=ctx, concurrency=concurrency, region=region, budget=budget)
            for s in sizes
            if supports_kaito(s.vm_size)
        ]
    else:
        options = [fit(model, s, context=ctx, concurrency=concurrency, region=region, budget=budget) for s in sizes]
    options.sort(key=_order)
    fitting = [o for o in options if servable(o)]
    priced = [o for o in fitting if o.price_per_month is not None]
    affordable = [o for o in priced if o.within_budget is not False]
    recommended = pick(affordable)
    no_pick = None
    if not fitting:
        no_pick = (
            f"{bounded.value(model.id)} does not fit any known VM size at context {ctx} and "
            f"concurrency {concurrency}; lower --max-model-len or --concurrency"
        )
    elif budget is not None and priced and not affordable:
        cheapest = min(priced, key=_cost)
        no_pick = (
            f"no size fits within ${budget:,.0f}/month; the cheapest that fits is "
            f"{cheapest.vm_size} at ${cheapest.price_per_month:,.0f}/month"
        )
    elif not priced:
        no_pick = "no size that fits has a price for this region"
    if no_pick:
        warnings.append(no_pick)
    if recommended is not None:
        warnings.extend(recommended.warnings)
    warnings.extend(kaito_names.hub_note(model, ctx) if runtime == "kaito" else catalog.vllm_limit_note(model, ctx))
    basis = recommended or next(iter(fitting or options), None)
    basis_tp = max(basis.tensor_parallel, 1) if basis is not None else 1
    kv_note = vllm_kv.rule_note(model, basis_tp) if runtime != "kaito" else None
    if kv_note:
        warnings.append(kv_note)
    replicated = vllm_tp.replication_note(model, basis_tp) if runtime != "kaito" else None
    if replicated:
        warnings.append(replicated)
    hybrid = vllm_kv.hybrid_note(model)
    if hybrid:
        warnings.append(hybrid)
    gemma4 = vllm_kv.gemma4_note(model) if runtime != "kaito" else None
    if gemma4:
        warnings.append(gemma4)
    if model.kv_estimated:
        warnings.append(
            f"the KV figure is an estimate: {model.id}'s layers and heads come from KAITO's catalog alone "
            "(no published config.json was found to check them)"
        )
    basis_sku = next((s for s in sizes if basis and (kv_note or replicated) and s.vm_size == basis.vm_size), None)
    kv_bytes = vllm_kv.kv_cache_bytes(model, ctx, concurrency, basis_sku, per_layer=runtime != "kaito", tp=basis_tp)
    return Plan(
        model=model,
        runtime=runtime,
        context=ctx,
        concurrency=concurrency,
        region=region,
        budget=budget,
        options=options,
        recommended=recommended,
        warnings=tuple(warnings),
        prices_as_of=skus.as_of(),
        no_pick=no_pick,
        kv_cache_bytes=kv_bytes,
        kv_sized_on=basis_sku.vm_size if basis_sku is not None else None,
    )


def pick(rows: list[Fit]) -> Fit | None:
    """Cheapest single node first: a model split over nodes pays network latency on every
    token, so a multi-node size is picked only when no single node holds the model. A size
    that runs the weight format natively beats one that runs it weight-only."""
    if not rows:
        return None
    native = [o for o in rows if o.quant_kernel == "native"] or rows
    single = [o for o in native if o.nodes == 1]
    networked = [o for o in native if "rdma" in o.interconnect.lower()]
    return min(single or networked or native, key=_cost)


def _cost(o: Fit) -> tuple[float, int]:
    return (o.price_per_month if o.price_per_month is not None else math.inf, o.gpus)


def _order(o: Fit) -> tuple[int, float, str]:
    return (0 if o.fits else 1, _cost(o)[0], o.vm_size)


def known_sku(vm_size: str) -> GpuSku:
    """The GPU size --vm-size names, or a refusal naming the known ones."""
    sku = skus.get(vm_size)
    if sku is None:
        from akscli import suggest

        known = [s.vm_size for s in skus.all_skus()]
        # Compared without the "Standard_" every size starts with, which would make any two close.
        close = suggest.did_you_mean(
            vm_size.removeprefix("Standard_"), {k[9:]: k for k in known}, cutoff=0.7, margin=0.05
        )
        raise UsageError(f"unknown VM size {vm_size!r}", hint=f"{close}known GPU sizes: {', '.join(known)}")
    return sku


def check_vm_size(p: Plan, vm_size: str) -> Fit:
    """The plan's row for a size the user chose; if it does not fit, say by how much and name
    the cheapest size that does."""
    sku = known_sku(vm_size)
    row = next((o for o in p.options if o.vm_size == sku.vm_size), None)
    if row is None:
        raise UsageError(
            f"KAITO does not support {sku.vm_size}: its estimator fails 'Unsupported SKU' and the "
            "Workspace never provisions",
            hint="pick one of: " + ", ".join(o.vm_size for o in p.options if servable(o)) + " (or --runtime vllm)",
        )
    if row.fits and row.quant_kernel == "unsupported":
        raise UsageError(
            f"{p.model.id} has FP8 weights and vLLM has no FP8 kernel for {sku.gpu_model}",
            hint="pick a size with FP8 (H100, H200) or FP8 Marlin (A10, A100) support",
        )
    if row.fits:
        return row
    alt = p.recommended or next((o for o in p.options if o.fits), None)
    hint = (
        f"{alt.vm_size} fits ({alt.gpus} GPU(s), "
        + (f"${alt.price_per_month:,.0f}/month)" if alt.price_per_month else "no price)")
        if alt
        else "lower --max-model-len or --concurrency"
    )
    raise UsageError(
        f"{p.model.id} does not fit {sku.vm_size}: short by {row.shortfall_gib:.1f} GiB ({row.reason})", hint=hint
    )
