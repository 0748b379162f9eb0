"""GPU fit, cost and throughput for serving a model: what `akscli model plan` computes.

Two estimates live here:

* ``kaito_estimate``: KAITO's own node estimator, reproduced rule for rule, so akscli can say
  what KAITO will provision for a Workspace (and a test checks the two agree for KAITO's whole
  catalog on every VM size KAITO knows).
* ``fit``: akscli's estimate for vLLM, which also sizes the KV cache for concurrency (KAITO
  sizes it for one sequence of max_model_len) and picks a tensor-parallel degree that divides
  the attention heads.

Decode throughput is an estimate from memory bandwidth (each generated token reads the active
weights once, plus the KV cache of the sequences in flight); the result says so and shows its
inputs.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from akscli import validate
from akscli.errors import UsageError
from akscli.model import skus
from akscli.model.catalog import Model
from akscli.model.skus import GpuSku

GIB = 1024**3
HOURS_PER_MONTH = 730  # Azure's pricing calculator month

# KAITO's estimator constants (pkg/workspace/estimator/nodesestimator/estimator.go in
# kaito-project/kaito): vLLM's default GPU memory utilisation in KAITO, the measured per-GPU
# overhead (1.7 GiB activations + 0.6 GiB non-PyTorch), weights as loaded vs. file size, the
# headroom left over the weights, and the default max_model_len.
KAITO_UTILIZATION = 0.84
KAITO_BASE_OVERHEAD_GIB = 2.3
KAITO_WEIGHT_FACTOR = 1.02
KAITO_WEIGHT_HEADROOM = 1.05
KAITO_DEFAULT_MAX_MODEL_LEN = 2048

# akscli's own vLLM plan: vLLM's default --gpu-memory-utilization and the same measured overhead.
VLLM_GPU_MEMORY_UTILIZATION = 0.90
OVERHEAD_GIB_PER_GPU = 2.3
# Fraction of peak memory bandwidth a decode step reaches in practice (kernel and scheduling
# losses); shown with every throughput estimate so the user can scale it.
BANDWIDTH_EFFICIENCY = 0.6

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


@dataclass(frozen=True)
class KaitoEstimate:
    fits: bool
    gpus: int
    nodes: int
    reason: str = ""


def kaito_estimate(model: Model, sku: GpuSku, max_model_len: int = KAITO_DEFAULT_MAX_MODEL_LEN) -> KaitoEstimate:
    """KAITO's node count for a preset on one VM size, in KAITO's own integer/float steps."""
    weights = float(round(model.weights_gib * GIB)) * KAITO_WEIGHT_FACTOR
    per_gpu = float(round(sku.total_gpu_memory_gib * GIB) // sku.gpus)
    usable = per_gpu * KAITO_UTILIZATION
    kv = float(max_model_len * model.kv_bytes_per_token) / float(sku.gpus)
    fixed = KAITO_BASE_OVERHEAD_GIB * GIB + kv
    if not model.tensor_parallel and weights + fixed > usable:
        return KaitoEstimate(
            False, 0, 0, f"model cannot be split across GPUs and needs {(weights + fixed) / GIB:.1f} GiB on one GPU"
        )
    if usable <= fixed:
        return KaitoEstimate(
            False, 0, 0, f"GPU memory too small for the {fixed / GIB:.1f} GiB fixed overhead (2.3 GiB + KV cache)"
        )
    space = (usable - fixed) / KAITO_WEIGHT_HEADROOM
    gpus = int(weights / space) + 1
    nodes = (gpus + sku.gpus - 1) // sku.gpus
    if nodes > 1 and not model.tensor_parallel:
        return KaitoEstimate(False, gpus, nodes, "model cannot be distributed across nodes")
    return KaitoEstimate(True, gpus, nodes)


@dataclass(frozen=True)
class Throughput:
    tokens_per_second: float
    per_sequence_tokens_per_second: float
    bytes_per_step_gib: float
    aggregate_bandwidth_gbps: float
    efficiency: float
    note: str = "estimate: memory-bandwidth bound decode, not a benchmark"


@dataclass
class Fit:
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
    throughput: Throughput | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def servable(f: Fit) -> bool:
    """The model fits and vLLM (which both runtimes serve with) runs on the GPU."""
    return f.fits and f.gpu_family not in UNSUPPORTED_BY_VLLM


def has_rdma(sku: GpuSku) -> bool:
    return "rdma" in sku.interconnect.lower()


def _tp_ok(model: Model, tp: int) -> bool:
    return tp == 1 or (model.tensor_parallel and model.attention_heads % tp == 0)


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
) -> Fit:
    """Smallest GPU count on this size that holds the weights and a full KV cache for
    ``concurrency`` sequences of ``context`` tokens. Within a node the tensor-parallel degree is
    a power of two that divides the attention heads; beyond a node, whole nodes are added as
    pipeline stages."""
    weights = model.weights_gib * KAITO_WEIGHT_FACTOR
    kv_total = model.kv_bytes_per_token * context * concurrency / GIB
    usable = sku.gpu_memory_gib * gpu_memory_utilization - OVERHEAD_GIB_PER_GPU
    f = Fit(
        vm_size=sku.vm_size,
        gpu_model=sku.gpu_model,
        gpu_family=sku.gpu_family,
        gpus_per_node=sku.gpus,
        gpu_memory_gib=sku.gpu_memory_gib,
        fits=False,
        interconnect=sku.interconnect,
    )
    f.warnings = quant_warnings(model, sku)
    f.kaito = kaito_estimate(model, sku, context)
    hourly = sku.price(region)
    candidates: list[tuple[int, int]] = []
    tp = 1
    while tp <= sku.gpus:
        if _tp_ok(model, tp):
            candidates.append((tp, 1))
        tp *= 2
    multi_node = has_rdma(sku)
    if multi_node and _tp_ok(model, sku.gpus) and model.tensor_parallel:
        candidates += [(sku.gpus, pp) for pp in range(2, MAX_NODES + 1)]
    need = weights + kv_total
    best = None
    for tp, pp in sorted(set(candidates), key=lambda c: c[0] * c[1]):
        n = tp * pp
        if usable > 0 and n * usable >= need:
            best = (tp, pp)
            break
    largest = max((c[0] * c[1] for c in candidates), default=1)
    if best is None:
        f.shortfall_gib = round(need - largest * max(usable, 0.0), 2)
        f.reason = (
            f"needs {need:.1f} GiB for weights and KV cache; {largest} x "
            f"{sku.gpu_memory_gib:g} GiB GPUs leave {largest * max(usable, 0):.1f} GiB"
        )
        if not model.tensor_parallel and sku.gpus > 1:
            f.reason += " (model cannot be split across GPUs)"
        elif not multi_node:
            f.reason += " on one node (no RDMA network between nodes of this size)"
        return f
    tp, pp = best
    n = tp * pp
    f.fits = True
    f.tensor_parallel, f.pipeline_parallel, f.gpus = tp, pp, n
    f.nodes = math.ceil(n / sku.gpus)
    f.replicas_per_node = max(sku.gpus // n, 1) if f.nodes == 1 else 1
    f.weights_per_gpu_gib = round(weights / n, 2)
    f.kv_cache_per_gpu_gib = round(kv_total / n, 2)
    f.memory_per_gpu_gib = round(weights / n + kv_total / n + OVERHEAD_GIB_PER_GPU, 2)
    f.free_per_gpu_gib = round(sku.gpu_memory_gib * gpu_memory_utilization - f.memory_per_gpu_gib, 2)
    if hourly is not None:
        f.price_per_hour = round(hourly * f.nodes, 3)
        f.price_per_month = round(hourly * f.nodes * HOURS_PER_MONTH, 2)
        if budget is not None:
            f.within_budget = f.price_per_month <= budget
    f.throughput = throughput(model, sku, n, context=context, concurrency=concurrency, latency_gpus=tp)
    return f


def throughput(
    model: Model, sku: GpuSku, gpus: int, *, context: int, concurrency: int, latency_gpus: int | None = None
) -> Throughput:
    """Decode tokens/s from memory bandwidth. Each step reads the weights once (only the active
    experts for a mixture of experts named '-A<n>B') and the KV cache of every sequence in flight,
    taken half full on average. Pipeline stages add aggregate bandwidth but not per-sequence
    speed, so one sequence's rate uses the tensor-parallel GPUs (``latency_gpus``) only."""
    weight_bytes = model.weights_gib * GIB
    if model.active_parameters_b and model.parameters_b:
        weight_bytes *= model.active_parameters_b / model.parameters_b
    kv_bytes = model.kv_bytes_per_token * (context / 2) * concurrency
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


@dataclass
class Plan:
    model: Model
    context: int
    concurrency: int
    region: str
    budget: float | None
    options: list[Fit]
    recommended: Fit | None
    warnings: list[str]
    prices_as_of: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.to_dict(),
            "inputs": {
                "context": self.context,
                "concurrency": self.concurrency,
                "region": self.region,
                "budget_usd_per_month": self.budget,
                "gpu_memory_utilization": VLLM_GPU_MEMORY_UTILIZATION,
                "overhead_gib_per_gpu": OVERHEAD_GIB_PER_GPU,
                "weight_load_factor": KAITO_WEIGHT_FACTOR,
                "bandwidth_efficiency": BANDWIDTH_EFFICIENCY,
                "hours_per_month": HOURS_PER_MONTH,
                "prices_as_of": self.prices_as_of,
            },
            "requirements": {
                "weights_gib": round(self.model.weights_gib * KAITO_WEIGHT_FACTOR, 2),
                "kv_bytes_per_token": self.model.kv_bytes_per_token,
                "kv_cache_gib": round(self.model.kv_bytes_per_token * self.context * self.concurrency / GIB, 2),
            },
            "recommended": self.recommended.vm_size if self.recommended else None,
            "options": [o.to_dict() for o in self.options],
            "warnings": self.warnings,
        }


def check_context(model: Model, context: int) -> None:
    if context > model.context:
        raise UsageError(
            f"context {context} is above {model.id}'s limit of {model.context} tokens",
            hint=f"use --context {model.context} or less",
        )


def plan(
    model: Model,
    *,
    context: int | None = None,
    concurrency: int = 1,
    region: str = skus.DEFAULT_REGION,
    budget: float | None = None,
    vm_sizes: list[GpuSku] | None = None,
) -> Plan:
    ctx = context if context is not None else min(model.context, 8192)
    check_context(model, ctx)
    region = region.lower()
    known_regions = skus.regions()
    warnings: list[str] = []
    if region not in known_regions:
        warnings.append(
            f"no prices for region {region!r} (prices known for {', '.join(known_regions)}); give --price-file for it"
        )
    options = [
        fit(model, s, context=ctx, concurrency=concurrency, region=region, budget=budget)
        for s in (vm_sizes or skus.all_skus())
    ]
    options.sort(key=_order)
    fitting = [o for o in options if servable(o)]
    priced = [o for o in fitting if o.price_per_month is not None]
    affordable = [o for o in priced if o.within_budget is not False]
    recommended = _pick(affordable)
    if not fitting:
        warnings.append(
            f"{model.id} does not fit any known VM size at context {ctx} and "
            f"concurrency {concurrency}; lower --context or --concurrency"
        )
    elif budget is not None and priced and not affordable:
        cheapest = min(priced, key=_cost)
        warnings.append(
            f"no size fits within ${budget:,.0f}/month; the cheapest that fits is "
            f"{cheapest.vm_size} at ${cheapest.price_per_month:,.0f}/month"
        )
    elif not priced:
        warnings.append("no size that fits has a price for this region")
    if recommended is not None:
        warnings.extend(recommended.warnings)
    return Plan(
        model=model,
        context=ctx,
        concurrency=concurrency,
        region=region,
        budget=budget,
        options=options,
        recommended=recommended,
        warnings=warnings,
        prices_as_of=skus.as_of(),
    )


def _pick(rows: list[Fit]) -> Fit | None:
    """Cheapest single node first: a model split over nodes pays network latency on every
    token, so a multi-node size is picked only when no single node holds the model."""
    if not rows:
        return None
    single = [o for o in rows if o.nodes == 1]
    return min(single or rows, key=_cost)


def _cost(o: Fit) -> tuple[float, int]:
    return (o.price_per_month if o.price_per_month is not None else math.inf, o.gpus)


def _order(o: Fit) -> tuple[int, float, str]:
    return (0 if o.fits else 1, _cost(o)[0], o.vm_size)


def check_vm_size(p: Plan, vm_size: str) -> Fit:
    """The plan's row for a size the user chose; if it does not fit, say by how much and name
    the cheapest size that does."""
    sku = skus.get(vm_size)
    if sku is None:
        raise UsageError(
            f"unknown VM size {vm_size!r}", hint="known GPU sizes: " + ", ".join(s.vm_size for s in skus.all_skus())
        )
    row = next(o for o in p.options if o.vm_size == sku.vm_size)
    if row.fits:
        return row
    alt = p.recommended or next((o for o in p.options if o.fits), None)
    hint = (
        f"{alt.vm_size} fits ({alt.gpus} GPU(s), "
        + (f"${alt.price_per_month:,.0f}/month)" if alt.price_per_month else "no price)")
        if alt
        else "lower --context or --concurrency"
    )
    raise UsageError(
        f"{p.model.id} does not fit {sku.vm_size}: short by {row.shortfall_gib:.1f} GiB ({row.reason})", hint=hint
    )


def vllm_args(model: Model, f: Fit, context: int) -> dict[str, Any]:
    """The vLLM engine arguments that follow from a plan row."""
    return {
        "tensor_parallel_size": f.tensor_parallel,
        "pipeline_parallel_size": f.pipeline_parallel,
        "max_model_len": context,
        "gpu_memory_utilization": VLLM_GPU_MEMORY_UTILIZATION,
    }


# ---- what `model plan` and `model deploy` take from the command line and show ------------------

# Azure region names are lower-case letters and digits (eastus, westus3); '-' is tolerated.
_REGION = re.compile(r"^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$")


def check_region(value: str) -> str:
    region = value.strip().lower()
    if not _REGION.fullmatch(region):
        raise UsageError(
            f"invalid --region {value!r}: an Azure region name is letters and digits",
            hint="for example --region eastus (all of them: az account list-locations -o table)",
        )
    return region


def plan_from_flags(
    model: Model,
    *,
    context: int | None,
    concurrency: int,
    region: str,
    budget: float | None,
    price_file: str | None,
    context_flag: str = "--context",
) -> Plan:
    """The plan for the values a user typed, each checked first; errors name the flag typed
    (``context_flag``: ``model deploy`` calls it --max-model-len)."""
    if price_file:
        skus.load(price_file)
    return plan(
        model,
        context=validate.integer(context, context_flag, 128, 100_000_000) if context is not None else None,
        concurrency=validate.integer(concurrency, "--concurrency", 1, 100_000),
        region=check_region(region),
        budget=validate.number(budget, "--budget", 1, 100_000_000) if budget is not None else None,
    )


def chosen_fit(p: Plan, vm_size: str | None) -> Fit | None:
    """The user's --vm-size (checked to fit), else the plan's pick (None when nothing fits)."""
    return check_vm_size(p, vm_size) if vm_size else p.recommended


def fit_to_deploy(p: Plan, vm_size: str | None) -> Fit:
    """Like ``chosen_fit``, but a deploy needs a size: no pick is an error that says why."""
    chosen = chosen_fit(p, vm_size)
    if chosen is None:
        raise UsageError(
            f"no VM size with a price fits {p.model.id} at context {p.context}"
            + (" within the budget" if p.budget is not None else ""),
            hint="; ".join(p.warnings) or "give --vm-size, or lower --context",
        )
    return chosen


def usd(value: float | None) -> str:
    """Dollars as the plan shows them: cents below $100, whole dollars above."""
    if value is None:
        return "-"
    return f"${value:,.2f}" if value < 100 else f"${value:,.0f}"


def gpu_label(f: Fit) -> str:
    """``2x A100 PCIe 80G``: count, short model name and memory of a size's GPUs."""
    short = re.sub(r"\s*\d+GB$", "", f.gpu_model.replace("NVIDIA ", "").replace("AMD ", ""))
    return f"{f.gpus_per_node}x {short} {f.gpu_memory_gib:g}G"


def table_rows(p: Plan, chosen: Fit | None, *, every_size: bool) -> list[dict[str, Any]]:
    """The plan's rows for a table: the sizes that can serve the model (``every_size``: all of
    them), each with its GPU label and whether it is the pick."""
    rows = []
    for option in p.options:
        if every_size or servable(option):
            row = option.to_dict()
            row["gpu"] = gpu_label(option)
            row["pick"] = chosen is not None and option.vm_size == chosen.vm_size
            rows.append(row)
    return rows


def hidden_note(p: Plan) -> str | None:
    """Why the narrow table leaves sizes out, and how to see them."""
    too_small = sum(1 for o in p.options if not o.fits)
    no_vllm = sum(1 for o in p.options if o.fits and not servable(o))
    reasons = [f"{too_small} size(s) do not fit"] if too_small else []
    if no_vllm:
        reasons.append(f"{no_vllm} fit but have GPUs vLLM does not run on")
    return f"{' and '.join(reasons)}; -o wide shows them and why." if reasons else None


def headline(p: Plan) -> list[str]:
    """What the plan is for: the model, and the context, KV cache and prices it was sized with."""
    m = p.model
    params = ("~" if m.parameters_estimated else "") + f"{m.parameters_b:g}B params, " if m.parameters_b else ""
    preset = f" (KAITO preset {m.preset})" if m.preset else ""
    kv_gib = m.kv_bytes_per_token * p.context * p.concurrency / GIB
    return [
        f"{m.id}{preset}: {params}{m.quantization}, {m.weights_gib:.1f} GiB weights",
        f"context {p.context:,} x concurrency {p.concurrency}: KV cache {kv_gib:.2f} GiB "
        f"({m.kv_bytes_per_token:,} bytes/token); prices {p.region}, as of {p.prices_as_of}",
    ]


def pick_line(f: Fit) -> str:
    return (
        f"{f.vm_size}, {f.nodes} node(s), {f.gpus} GPU(s), tensor parallel {f.tensor_parallel}, "
        f"{usd(f.price_per_month)}/month"
    )


def throughput_note(t: Throughput) -> str:
    return (
        f"tok/s is an estimate: memory-bandwidth bound decode at {t.efficiency:.0%} of "
        f"{t.aggregate_bandwidth_gbps:,.0f} GB/s, {t.bytes_per_step_gib:.1f} GiB read per step; not a benchmark"
    )
