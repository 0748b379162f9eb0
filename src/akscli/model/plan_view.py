"""What `model plan` and `model deploy` take from the command line and show: the plan for the
values a user typed (each checked first), the size chosen, and the table, headline and notes
printed beside it. Plain logic: no Typer, no rich; nothing is printed."""

from __future__ import annotations

import math
from typing import Any

from akscli import validate
from akscli.errors import UsageError
from akscli.model import flag_checks, skus
from akscli.model.catalog import Model
from akscli.model.kaito_estimator import GIB
from akscli.model.planning import RUNTIMES, Fit, Plan, check_vm_size, plan, servable
from akscli.model.throughput import Throughput


def plan_from_flags(
    model: Model,
    *,
    runtime: str = "kaito",
    context: int | None,
    concurrency: int,
    region: str,
    budget: float | None,
    price_file: str | None,
    context_flag: str = "--max-model-len",
) -> Plan:
    """The plan for the values a user typed, each checked first; errors name the flag typed
    (``context_flag``: ``model deploy`` calls it --max-model-len)."""
    if price_file:
        skus.load(price_file)
    return plan(
        model,
        runtime=validate.choice(runtime, RUNTIMES, "--runtime"),
        context=flag_checks.context(context, context_flag) if context is not None else None,
        concurrency=flag_checks.concurrency(concurrency),
        region=flag_checks.region(region),
        budget=flag_checks.budget(budget) if budget is not None else None,
    )


def chosen_fit(p: Plan, vm_size: str | None) -> Fit | None:
    """The user's --vm-size (checked to fit), else the plan's pick (None when nothing fits)."""
    return check_vm_size(p, vm_size) if vm_size else p.recommended


def fit_to_deploy(p: Plan, vm_size: str | None) -> Fit:
    """Like ``chosen_fit``, but a deploy needs a size: no pick is an error that says why."""
    chosen = chosen_fit(p, vm_size)
    if chosen is None:
        message, hint = nothing_picked(p)
        raise UsageError(message, hint=hint)
    return chosen


def nothing_picked(p: Plan) -> tuple[str, str]:
    """(the error, its hint) of a plan that picked no size, saying which of the plan's reasons
    it was: nothing fits at this context, nothing that fits has a price, or every priced size
    that fits is over --budget (then the cheapest, and the budget that would take it)."""
    fitting = [o for o in p.options if servable(o)]
    priced = [o for o in fitting if o.price_per_month is not None]
    what = f"{p.model.id} at context {p.context:,} and concurrency {p.concurrency}"
    if not fitting:
        return f"no VM size fits {what}", "lower --max-model-len or --concurrency"
    if not priced:
        return (
            f"no VM size that fits {what} has a price in {p.region}",
            "pass your prices with --price-file, or try another --region",
        )
    if p.budget is not None and all(o.within_budget is False for o in priced):
        cheapest = min(priced, key=lambda o: (o.price_per_month or 0.0, o.vm_size))
        cost = cheapest.price_per_month or 0.0
        return (
            f"no VM size that fits {what} is within --budget ${p.budget:,.0f}/month: the cheapest, "
            f"{cheapest.vm_size}, is ${cost:,.0f}/month",
            f"raise --budget to {math.ceil(cost)} or more, or lower --max-model-len or --concurrency",
        )
    return (
        f"no VM size fits {what} within this plan",
        "lower --max-model-len or --concurrency, raise --budget, or try another --region",
    )


def usd(value: float | None) -> str:
    """Dollars as the plan shows them: cents below $100, whole dollars above."""
    if value is None:
        return "-"
    return f"${value:,.2f}" if value < 100 else f"${value:,.0f}"


def gpu_label(f: Fit) -> str:
    """``2x A100 PCIe 80G``: count, short model name and memory of a size's GPUs."""
    short = _without_memory(f.gpu_model.replace("NVIDIA ", "").replace("AMD ", ""))
    return f"{f.gpus_per_node}x {short} {f.gpu_memory_gib:g}G"


def _without_memory(gpu_model: str) -> str:
    """``A100 PCIe 80GB`` without its ``80GB`` and the spaces before it (re.sub of r"\\s*\\d+GB$",
    without compiling it for each `model plan`); a name not ending in digits and GB is kept."""
    if not gpu_model.endswith("GB"):
        return gpu_model
    size = gpu_model[:-2]
    name = size.rstrip("0123456789")
    return name.rstrip() if len(name) < len(size) else gpu_model


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
    per_token = f"{m.kv_bytes_per_token:,} bytes/token"
    if p.kv_sized_on:  # a sliding window or a hybrid: vLLM's figure on that size's GPUs, and the every-layer one
        every = m.kv_bytes_per_token * p.context * p.concurrency / GIB
        per_token = f"as vLLM allocates it on {p.kv_sized_on}; every layer in full: {every:.2f} GiB, {per_token}"
    return [
        f"{m.id}{preset}: {params}{m.quantization}, {m.weights_gib:.1f} GiB weights",
        f"context {p.context:,} x concurrency {p.concurrency}: KV cache {'~' if m.kv_estimated else ''}"
        f"{p.kv_cache_bytes / GIB:.2f} GiB "
        f"({per_token}); prices {p.region}, as of {p.prices_as_of}",
    ]


def pick_line(f: Fit) -> str:
    return (
        f"{f.vm_size}, {f.nodes} node(s), {f.gpus} GPU(s), tensor parallel {f.tensor_parallel}, "
        f"{usd(f.price_per_month)}/month"
    )


def billed(the_plan: Plan, f: Fit) -> dict[str, Any] | None:
    """What Azure bills where a replica takes fewer of a node's GPUs than the VM has (the vLLM
    runtime's one-GPU model on an 8-GPU size): the whole VM. A VM is billed whole, used or not
    (the prices are per VM: /work/shared/data/azure-gpu-skus.csv, price_usd_per_hour); the node
    akscli pins the pods to is of that size (Karpenter and KAITO's gpu-provisioner make the size
    the NodePool or Workspace names: Azure/gpu-provisioner pkg/providers/instance/instance.go
    launchInstance, an agent pool of instanceTypes[0]). A KAITO Workspace's pod requests every GPU
    of its size (kaito-project/kaito pkg/workspace/inference/preset_inferences.go
    GenerateInferencePodSpec: nvidia.com/gpu of gpuConfig.GPUCount), so its rows leave none idle.
    None where nothing is idle or there is no price. The one source of the table's `billed:` line
    (``billed_note``) and of `model plan -o json|yaml`'s ``billed``."""
    if f.price_per_month is None or f.nodes != 1 or f.gpus >= f.gpus_per_node:
        return None
    cheaper = [
        o
        for o in the_plan.options
        if servable(o) and o.price_per_month is not None and o.price_per_month < f.price_per_month
    ]
    alt = min(cheaper, key=lambda o: o.price_per_month or 0.0) if cheaper else None
    return {
        "vm_size": f.vm_size,
        "price_per_month": f.price_per_month,
        "gpus_used": f.gpus,
        "gpus_per_node": f.gpus_per_node,
        "replicas_per_node": f.replicas_per_node,
        "price_per_replica_on_full_node": f.price_per_month / max(f.replicas_per_node, 1),
        "cheaper_fit": None
        if alt is None
        else {"vm_size": alt.vm_size, "gpus_per_node": alt.gpus_per_node, "price_per_month": alt.price_per_month},
    }


def billed_note(the_plan: Plan, f: Fit) -> str | None:
    """``billed`` as the one line the table and the deploy print after the pick."""
    b = billed(the_plan, f)
    if b is None:
        return None
    note = (
        f"billed: the whole VM, {usd(b['price_per_month'])}/month: a replica uses {b['gpus_used']} of its "
        f"{b['gpus_per_node']} GPUs and Azure bills a VM whole; up to {b['replicas_per_node']} replicas share one "
        f"node ({usd(b['price_per_replica_on_full_node'])}/month each on a full node)"
    )
    if alt := b["cheaper_fit"]:
        note += f"; {alt['vm_size']} ({alt['gpus_per_node']} GPU(s)) fits for {usd(alt['price_per_month'])}/month"
    return note


def throughput_note(t: Throughput) -> str:
    return (
        f"tok/s is an estimate: memory-bandwidth bound decode at {t.efficiency:.0%} of "
        f"{t.aggregate_bandwidth_gbps:,.0f} GB/s, {t.bytes_per_step_gib:.1f} GiB read per step; not a benchmark"
    )
