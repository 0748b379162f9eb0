"""akscli model: catalog, GPU-fit and cost plan, deploy through KAITO or vLLM, operate, roll back.

Thin: flags are parsed and validated here; the numbers come from ``akscli.planning``, the objects
from ``akscli.serving`` (rendered templates) and every change goes through
``common.apply_objects``.
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import catalog, errors, output, planning, serving, skus, validate
from akscli.cli import common
from akscli.cli import options as opts
from akscli.output import Column

if TYPE_CHECKING:
    from akscli.catalog import Model
    from akscli.kube.client import Kube

app = typer.Typer(
    name="model",
    help="Model serving: catalog, plan, deploy, operate.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)

# ---- flags shared by plan and deploy --------------------------------------------------------

ContextOpt = Annotated[
    int | None,
    typer.Option(
        "--context",
        help="Tokens per sequence (max model length). Default: the model's limit, at most 8192.",
        show_default=False,
    ),
]
MaxModelLenOpt = Annotated[
    int | None,
    typer.Option(
        "--max-model-len",
        help="Tokens per sequence (the plan's --context; --context here is the "
        "kubeconfig context). Default: the model's limit, at most 8192.",
        show_default=False,
    ),
]
ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", help="Sequences in flight at full context that the KV cache must hold.")
]
RegionOpt = Annotated[str, typer.Option("--region", help="Azure region for prices.")]
BudgetOpt = Annotated[
    float | None,
    typer.Option(
        "--budget", help="Monthly budget in USD per replica; sizes above it are not picked.", show_default=False
    ),
]
PriceFileOpt = Annotated[
    str | None,
    typer.Option(
        "--price-file", help="Your own prices: CSV (vm_size,region,price_usd_per_hour) or YAML.", show_default=False
    ),
]
VmSizeOpt = Annotated[
    str | None,
    typer.Option("--vm-size", help="Use this VM size instead of the plan's pick (checked to fit).", show_default=False),
]
WeightsOpt = Annotated[
    float | None,
    typer.Option(
        "--weights-gib", help="Model not in the catalog: total size of its weight files (GiB).", show_default=False
    ),
]
LayersOpt = Annotated[
    int | None, typer.Option("--layers", help="Model not in the catalog: num_hidden_layers.", show_default=False)
]
HeadsOpt = Annotated[
    int | None,
    typer.Option("--attention-heads", help="Model not in the catalog: num_attention_heads.", show_default=False),
]
KvHeadsOpt = Annotated[
    int | None,
    typer.Option(
        "--kv-heads",
        help="Model not in the catalog: num_key_value_heads (default: attention heads).",
        show_default=False,
    ),
]
HeadDimOpt = Annotated[
    int | None,
    typer.Option(
        "--head-dim",
        help="Model not in the catalog: head_dim (default hidden_size/attention heads).",
        show_default=False,
    ),
]
HiddenOpt = Annotated[
    int | None, typer.Option("--hidden-size", help="Model not in the catalog: hidden_size.", show_default=False)
]
MaxContextOpt = Annotated[
    int | None,
    typer.Option("--max-context", help="Model not in the catalog: max_position_embeddings.", show_default=False),
]
QuantOpt = Annotated[
    str | None,
    typer.Option(
        "--quantization", help="Model not in the catalog: bf16, fp8, mxfp4, awq, gptq ...", show_default=False
    ),
]
ParamsOpt = Annotated[
    float | None,
    typer.Option("--params-b", help="Model not in the catalog: parameters in billions.", show_default=False),
]


def _model(
    name: str,
    weights_gib: float | None,
    layers: int | None,
    attention_heads: int | None,
    kv_heads: int | None,
    head_dim: int | None,
    hidden_size: int | None,
    max_context: int | None,
    quantization: str | None,
    params_b: float | None,
) -> Model:
    given = [weights_gib, layers, attention_heads, kv_heads, head_dim, hidden_size, max_context, quantization, params_b]
    if all(v is None for v in given):
        return catalog.get(name)
    missing = [
        flag
        for flag, v in (
            ("--weights-gib", weights_gib),
            ("--layers", layers),
            ("--attention-heads", attention_heads),
            ("--max-context", max_context),
        )
        if v is None
    ]
    if missing:
        raise errors.UsageError(
            f"describing {name} needs {', '.join(missing)} as well",
            hint="read them from the model's config.json and file sizes",
        )
    assert weights_gib is not None and layers is not None and attention_heads is not None
    assert max_context is not None
    return catalog.custom(
        name,
        weights_gib=validate.number(weights_gib, "--weights-gib", 0.01, 100_000),
        layers=validate.integer(layers, "--layers", 1, 1000),
        attention_heads=validate.integer(attention_heads, "--attention-heads", 1, 4096),
        kv_heads=validate.integer(kv_heads, "--kv-heads", 1, 4096) if kv_heads else None,
        head_dim=validate.integer(head_dim, "--head-dim", 1, 4096) if head_dim else None,
        hidden_size=validate.integer(hidden_size, "--hidden-size", 1, 1_000_000) if hidden_size else None,
        context=validate.integer(max_context, "--max-context", 128, 100_000_000),
        quantization=quantization or "bf16",
        parameters_b=validate.number(params_b, "--params-b", 0.001, 100_000) if params_b else None,
    )


def _plan(
    model: Model, context: int | None, concurrency: int, region: str, budget: float | None, price_file: str | None
) -> planning.Plan:
    if price_file:
        skus.load(price_file)
    ctx = validate.integer(context, "--context", 128, 100_000_000) if context is not None else None
    conc = validate.integer(concurrency, "--concurrency", 1, 100_000)
    region = validate.name(region.lower(), "--region")
    bud = validate.number(budget, "--budget", 1, 100_000_000) if budget is not None else None
    return planning.plan(model, context=ctx, concurrency=conc, region=region, budget=bud)


# ---- catalog and show -----------------------------------------------------------------------

CATALOG_COLUMNS = [
    Column("Model", "id"),
    Column("Preset", lambda m: m.get("preset") or "-"),
    Column(
        "Params",
        lambda m: (
            (("~" if m.get("parameters_estimated") else "") + f"{m['parameters_b']:g}B")
            if m.get("parameters_b")
            else "-"
        ),
    ),
    Column("Weights", lambda m: f"{m['weights_gib']:.1f}Gi"),
    Column("Quant", "quantization"),
    Column("Context", lambda m: f"{m['context']:,}"),
    Column("Attention", lambda m: f"{m['attention']} {m['attention_heads']}/{m['kv_heads']}"),
    Column("License", "license"),
    Column("Layers", "layers", wide=True),
    Column("Head dim", "head_dim", wide=True),
    Column("KV bytes/token", "kv_bytes_per_token", wide=True),
    Column("Architecture", "architecture", wide=True),
]


@app.command("catalog")
def catalog_cmd(
    query: Annotated[
        str | None, typer.Argument(help="Words to search for (id, preset, license, quantisation, architecture).")
    ] = None,
    kaito_only: Annotated[bool, typer.Option("--kaito", help="Only models with a KAITO preset name.")] = False,
    output_fmt: opts.Output = "table",
) -> None:
    """List and search the models akscli knows."""
    fmt = opts.output_format(output_fmt)
    if query is not None:
        validate.text(query, "search query", 200)
    rows = [m.to_dict() for m in catalog.search(query) if m.preset or not kaito_only]
    output.emit(rows, fmt, CATALOG_COLUMNS, name=lambda m: m["id"], empty=f"No model matches {query!r}.")


@app.command("show")
def show_cmd(
    name: Annotated[str, typer.Argument(help="Hugging Face id or KAITO preset name.")],
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """Everything akscli knows about one model."""
    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    model = catalog.get(validate.text(name, "model", 200))
    output.emit_object(model.to_dict(), fmt)


# ---- plan -----------------------------------------------------------------------------------


def _gpu(o: planning.Fit) -> str:
    short = re.sub(r"\s*\d+GB$", "", o.gpu_model.replace("NVIDIA ", "").replace("AMD ", ""))
    return f"{o.gpus_per_node}x {short} {o.gpu_memory_gib:g}G"


def _money(v: float | None) -> str:
    return "-" if v is None else f"${v:,.2f}" if v < 100 else f"${v:,.0f}"


PLAN_COLUMNS = [
    Column("", lambda o: "*" if o.get("_pick") else ""),
    Column("VM size", "vm_size"),
    Column("GPUs", lambda o: o["_gpu"]),
    Column("Fits", lambda o: "yes" if o["fits"] else "no"),
    Column("TP x PP", lambda o: f"{o['tensor_parallel']} x {o['pipeline_parallel']}" if o["fits"] else "-"),
    Column("Nodes", lambda o: o["nodes"] if o["fits"] else "-"),
    Column(
        "Mem/GPU",
        lambda o: (
            f"{o['memory_per_gpu_gib']:.1f}/{o['gpu_memory_gib']:g}Gi"
            if o["fits"]
            else f"short {o['shortfall_gib']:.1f}Gi"
        ),
    ),
    Column("$/hour", lambda o: _money(o["price_per_hour"])),
    Column("$/month", lambda o: _money(o["price_per_month"]) + (" (over)" if o.get("within_budget") is False else "")),
    Column("Tok/s est.", lambda o: f"{o['throughput']['tokens_per_second']:,.0f}" if o.get("throughput") else "-"),
    Column(
        "KAITO nodes", lambda o: (o["kaito"]["nodes"] if o["kaito"]["fits"] else "no fit") if o.get("kaito") else "-"
    ),
    Column("Replicas/node", lambda o: o["replicas_per_node"] if o["fits"] else "-", wide=True),
    Column(
        "Per-seq tok/s",
        lambda o: f"{o['throughput']['per_sequence_tokens_per_second']:,.1f}" if o.get("throughput") else "-",
        wide=True,
    ),
    Column("Notes", lambda o: "; ".join(([o["reason"]] if o["reason"] else []) + o["warnings"]) or "-", wide=True),
]


@app.command("plan")
def plan_cmd(
    model_name: Annotated[str, typer.Argument(metavar="MODEL", help="Hugging Face id or KAITO preset name.")],
    context: ContextOpt = None,
    concurrency: ConcurrencyOpt = 1,
    region: RegionOpt = skus.DEFAULT_REGION,
    budget: BudgetOpt = None,
    price_file: PriceFileOpt = None,
    vm_size: VmSizeOpt = None,
    weights_gib: WeightsOpt = None,
    layers: LayersOpt = None,
    attention_heads: HeadsOpt = None,
    kv_heads: KvHeadsOpt = None,
    head_dim: HeadDimOpt = None,
    hidden_size: HiddenOpt = None,
    max_context: MaxContextOpt = None,
    quantization: QuantOpt = None,
    params_b: ParamsOpt = None,
    output_fmt: opts.Output = "table",
) -> None:
    """Which GPU VM sizes fit the model, at what cost and throughput; the cheapest that fits.

    Fit counts the weights (x1.02 as loaded), a full KV cache for --concurrency sequences of
    --context tokens and 2.3 GiB per GPU of overhead, within 90% of GPU memory. KAITO's own
    estimate (its node estimator, one sequence) is shown beside it.
    """
    fmt = opts.output_format(output_fmt)
    model = _model(
        validate.text(model_name, "model", 200),
        weights_gib,
        layers,
        attention_heads,
        kv_heads,
        head_dim,
        hidden_size,
        max_context,
        quantization,
        params_b,
    )
    the_plan = _plan(model, context, concurrency, region, budget, price_file)
    chosen = planning.check_vm_size(the_plan, vm_size) if vm_size else the_plan.recommended
    doc = the_plan.to_dict()
    if chosen is not None:
        doc["recommended"] = chosen.vm_size
    if fmt in ("json", "yaml"):
        output.emit_object(doc, fmt)
        return
    rows = []
    for o in doc["options"]:
        o["_gpu"] = _gpu(next(x for x in the_plan.options if x.vm_size == o["vm_size"]))
        o["_pick"] = chosen is not None and o["vm_size"] == chosen.vm_size
        rows.append(o)
    if fmt == "name":
        for o in rows:
            if o["fits"]:
                output.write(o["vm_size"])
        return
    shown = rows if fmt == "wide" else [o for o in rows if o["fits"]]
    m = the_plan.model
    req = doc["requirements"]
    params = ("~" if m.parameters_estimated else "") + f"{m.parameters_b:g}B params, " if m.parameters_b else ""
    output.write(
        f"{m.id}"
        + (f" (KAITO preset {m.preset})" if m.preset else "")
        + f": {params}{m.quantization}, {m.weights_gib:.1f} GiB weights"
    )
    output.write(
        f"context {the_plan.context:,} x concurrency {the_plan.concurrency}: KV cache "
        f"{req['kv_cache_gib']:.2f} GiB ({req['kv_bytes_per_token']:,} bytes/token); "
        f"prices {the_plan.region}, as of {the_plan.prices_as_of}"
    )
    output.write("")
    output.emit(shown, fmt, PLAN_COLUMNS, empty="No VM size fits.")
    hidden = len(rows) - len(shown)
    output.write("")
    if hidden:
        output.write(f"{hidden} size(s) do not fit; -o wide shows them and why.")
    if chosen is not None:
        ppm = _money(chosen.price_per_month)
        output.write(
            f"pick: {chosen.vm_size}, {chosen.nodes} node(s), {chosen.gpus} GPU(s), "
            f"tensor parallel {chosen.tensor_parallel}, {ppm}/month"
        )
    tp = chosen.throughput if chosen else None
    if tp is not None:
        output.write(
            f"tok/s is an estimate: memory-bandwidth bound decode at "
            f"{tp.efficiency:.0%} of {tp.aggregate_bandwidth_gbps:,.0f} GB/s, "
            f"{tp.bytes_per_step_gib:.1f} GiB read per step; not a benchmark"
        )
    for w in the_plan.warnings:
        output.warn(w)


# ---- deploy ---------------------------------------------------------------------------------


@app.command("deploy")
def deploy_cmd(
    model_name: Annotated[str, typer.Argument(metavar="MODEL", help="Hugging Face id or KAITO preset name.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Name of the deployment (default: from the model).", show_default=False)
    ] = None,
    runtime: Annotated[
        str, typer.Option("--runtime", help="kaito (Workspace / InferenceSet) or vllm (Deployment).")
    ] = "kaito",
    replicas: Annotated[
        int | None, typer.Option("--replicas", help="Replicas; with kaito, makes an InferenceSet.", show_default=False)
    ] = None,
    access_secret: Annotated[
        str | None,
        typer.Option(
            "--access-secret",
            help="Secret (key HF_TOKEN) with the model access token; referenced, never read.",
            show_default=False,
        ),
    ] = None,
    autoscale: Annotated[
        str | None,
        typer.Option(
            "--autoscale", help="MIN:MAX replicas through KEDA on vllm:num_requests_waiting.", show_default=False
        ),
    ] = None,
    prometheus: Annotated[
        str, typer.Option("--prometheus", help="Prometheus address KEDA queries.")
    ] = serving.DEFAULT_PROMETHEUS,
    queue_threshold: Annotated[
        int, typer.Option("--queue-threshold", help="Waiting requests per replica before KEDA adds one.")
    ] = serving.DEFAULT_QUEUE_THRESHOLD,
    expose: Annotated[bool, typer.Option("--expose", help="Add a Gateway API HTTPRoute.")] = False,
    gateway: Annotated[
        str, typer.Option("--gateway", help="Gateway for --expose: NAME or NAMESPACE/NAME.")
    ] = "inference-gateway",
    hostname: Annotated[
        str | None, typer.Option("--hostname", help="Hostname of the route.", show_default=False)
    ] = None,
    inference_pool: Annotated[
        bool, typer.Option("--inference-pool", help="Route through an InferencePool (Gateway API inference extension).")
    ] = False,
    endpoint_picker: Annotated[
        str | None,
        typer.Option(
            "--endpoint-picker", help="Endpoint picker Service of the pool (default NAME-epp).", show_default=False
        ),
    ] = None,
    image: Annotated[str, typer.Option("--image", help="vLLM image (runtime vllm).")] = serving.DEFAULT_VLLM_IMAGE,
    storage_class: Annotated[
        str, typer.Option("--storage-class", help="Storage class for the weights (runtime vllm).")
    ] = serving.DEFAULT_STORAGE_CLASS,
    recreate: Annotated[
        bool,
        typer.Option(
            "--recreate",
            help="Delete and create objects whose immutable fields change (preset, instance type): downtime.",
        ),
    ] = False,
    create_namespace: Annotated[
        bool, typer.Option("--create-namespace", help="Create the namespace when it does not exist.")
    ] = False,
    fleet: Annotated[
        bool,
        typer.Option(
            "--fleet",
            help="Deploy on a Fleet hub: the Workspace plus a ClusterResourcePlacement onto GPU-capable members.",
        ),
    ] = False,
    member: Annotated[
        list[str] | None,
        typer.Option(
            "--member", help="With --fleet: place on these member clusters only (repeatable).", show_default=False
        ),
    ] = None,
    clusters: Annotated[
        int | None,
        typer.Option("--clusters", help="With --fleet: place on N capable members (PickN).", show_default=False),
    ] = None,
    staged_strategy: Annotated[
        str | None,
        typer.Option(
            "--staged-strategy",
            help="With --fleet: roll out through a staged update run of this ClusterStagedUpdateStrategy.",
            show_default=False,
        ),
    ] = None,
    vm_size: VmSizeOpt = None,
    context: MaxModelLenOpt = None,
    concurrency: ConcurrencyOpt = 1,
    region: RegionOpt = skus.DEFAULT_REGION,
    budget: BudgetOpt = None,
    price_file: PriceFileOpt = None,
    weights_gib: WeightsOpt = None,
    layers: LayersOpt = None,
    attention_heads: HeadsOpt = None,
    kv_heads: KvHeadsOpt = None,
    head_dim: HeadDimOpt = None,
    hidden_size: HiddenOpt = None,
    max_context: MaxContextOpt = None,
    quantization: QuantOpt = None,
    params_b: ParamsOpt = None,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    kube_context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: opts.Timeout = "30m",
    yes: opts.Yes = False,
    force_conflicts: opts.ForceConflicts = False,
    output_fmt: opts.Output = "table",
) -> None:
    """Deploy a model through KAITO (default) or vLLM, sized by the plan.

    Every deploy records a revision in the cluster (model history, model rollback).
    """
    mode = opts.dry_run_mode(dry_run)
    validate.duration(timeout, "--timeout")
    model = _model(
        validate.text(model_name, "model", 200),
        weights_gib,
        layers,
        attention_heads,
        kv_heads,
        head_dim,
        hidden_size,
        max_context,
        quantization,
        params_b,
    )
    if (member or clusters or staged_strategy) and not fleet:
        raise errors.UsageError(
            "--member, --clusters and --staged-strategy go with --fleet",
            hint="add --fleet, with --context pointing at the fleet hub",
        )
    if member and clusters:
        raise errors.UsageError(
            "give --member or --clusters, not both", hint="--member picks clusters by name; --clusters N picks N"
        )
    the_plan = _plan(model, context, concurrency, region, budget, price_file)
    if vm_size:
        fit = planning.check_vm_size(the_plan, vm_size)
    elif the_plan.recommended is not None:
        fit = the_plan.recommended
    else:
        raise errors.UsageError(
            f"no VM size with a price fits {model.id} at context {the_plan.context}"
            + (" within the budget" if budget else ""),
            hint="; ".join(the_plan.warnings) or "give --vm-size, or lower --context",
        )
    validate.choice(runtime, serving.RUNTIMES, "--runtime")
    ns = validate.name(namespace, "namespace") if namespace else (serving.default_name(model) if fleet else None)
    req = serving.DeployRequest(
        name=validate.name(name, "--name", 50) if name else serving.default_name(model),
        namespace=ns or "default",
        model=model,
        runtime=runtime,
        fit=fit,
        context=the_plan.context,
        replicas=validate.integer(replicas, "--replicas", 0, 1000) if replicas is not None else None,
        access_secret=access_secret,
        autoscale=serving.parse_autoscale(autoscale) if autoscale else None,
        prometheus=prometheus,
        queue_threshold=validate.integer(queue_threshold, "--queue-threshold", 1, 10_000),
        expose=expose,
        inference_pool=inference_pool,
        endpoint_picker=endpoint_picker,
        hostname=hostname,
        image=image,
        storage_class=storage_class,
        fleet=fleet,
        fleet_clusters=list(member or []),
        fleet_count=validate.integer(clusters, "--clusters", 1, 1000) if clusters else None,
        staged_strategy=staged_strategy,
    )
    req.gateway, req.gateway_namespace = serving.parse_gateway(gateway)
    target = opts.kube_target(kubeconfig, kube_context, ns, request_timeout)
    kube = _kube(target) if mode != "client" else None
    if kube is not None and ns is None:
        req.namespace = kube.namespace
    objects = serving.build(req)
    output.info(
        f"plan: {fit.vm_size} x {fit.nodes} node(s), {fit.gpus} GPU(s), tensor parallel "
        f"{fit.tensor_parallel}, {_money(fit.price_per_month)}/month per replica"
    )
    for w in fit.warnings:
        output.warn(w)
    if model.access_token_required and not access_secret:
        output.warn(
            f"{model.id} is gated on Hugging Face: give --access-secret NAME "
            "(a Secret with key HF_TOKEN) or the download will be refused"
        )
    if kube is None:
        common.apply_objects(
            objects, stack=serving.stack_of(req.name), target=target, dry_run=mode, yes=yes, output_format=output_fmt
        )
        return
    _preflight(kube, objects)
    if not fleet and kube.get("v1", "Namespace", req.namespace) is None:
        if not create_namespace:
            raise errors.NotFoundError(
                f"namespace {req.namespace} does not exist",
                hint="add --create-namespace, or pick another with -n",
            )
        if mode == "none":
            # Created on its own, not as part of the model's stack: deleting or rolling back
            # the model must never delete a namespace.
            kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": req.namespace}})
            output.info(f"namespace/{req.namespace} created")
    _recreate_if_needed(kube, objects, recreate=recreate, yes=yes, dry_run=mode)
    history = _revisions(kube, req.name, req.namespace)
    stale = _stale(history, objects)
    if stale and mode == "none":
        common.confirm(
            f"delete {len(stale)} object(s) the last deploy made and this one does "
            f"not ({', '.join(_ref(o) for o in stale)})",
            yes,
        )
    outcome = common.apply_objects(
        objects,
        stack=serving.stack_of(req.name),
        target=target,
        dry_run=mode,
        wait=False,
        yes=yes,
        output_format=output_fmt,
        force_conflicts=force_conflicts,
        action="model deploy",
    )
    if mode != "none":
        return
    _delete_stale(kube, stale)
    rev = _record_revision(kube, req.name, req.namespace, objects, req.params(), "deploy", history)
    output.info(f"recorded revision {rev} of {req.name}")
    if wait:
        _wait(outcome.kube or kube, objects, timeout, fleet=fleet)


def _kube(target: Any) -> Kube:
    from akscli.kube.client import connect

    return connect(target)


def _preflight(kube: Kube, objects: list[dict[str, Any]]) -> None:
    """Name the missing operator (and its install command) before anything is applied."""
    from akscli.kube import operators

    seen: set[tuple[str, str]] = set()
    for obj in objects:
        key = (str(obj["apiVersion"]), str(obj["kind"]))
        if key in seen:
            continue
        seen.add(key)
        if not kube.has_api(*key):
            raise operators.not_installed(key[0], key[1], group_served=False)


def _recreate_if_needed(kube: Kube, objects: list[dict[str, Any]], *, recreate: bool, yes: bool, dry_run: str) -> None:
    changes: list[tuple[dict[str, Any], list[str]]] = []
    for obj in objects:
        meta = obj["metadata"]
        live = kube.get(obj["apiVersion"], obj["kind"], meta["name"], namespace=meta.get("namespace"))
        found = serving.immutable_changes(obj, live)
        if found:
            changes.append((obj, found))
    if not changes:
        return
    listed = "; ".join(line for _, lines in changes for line in lines)
    if not recreate:
        raise errors.UsageError(
            f"these fields cannot change in place: {listed}",
            hint="add --recreate to delete and create the object again (the model is down "
            "until it is ready), or keep the old values",
        )
    if dry_run != "none":
        output.info(f"would recreate: {listed}")
        return
    common.confirm(f"recreate {len(changes)} object(s) ({listed})", yes)
    for obj, _ in changes:
        meta = obj["metadata"]
        kube.delete(
            obj["apiVersion"], obj["kind"], meta["name"], namespace=meta.get("namespace"), propagation="Foreground"
        )
        _wait_gone(kube, obj)


def _wait_gone(kube: Kube, obj: dict[str, Any], timeout: float = 300.0) -> None:
    meta = obj["metadata"]
    ns = meta.get("namespace")
    if kube.get(obj["apiVersion"], obj["kind"], meta["name"], namespace=ns) is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for kind, _ in kube.watch(
            obj["apiVersion"],
            obj["kind"],
            namespace=ns,
            name=meta["name"],
            timeout_seconds=max(1, int(deadline - time.monotonic())),
        ):
            if kind == "DELETED":
                return
        if kube.get(obj["apiVersion"], obj["kind"], meta["name"], namespace=ns) is None:
            return
    raise errors.WaitTimeoutError(
        f"{obj['kind']}/{meta['name']} was not deleted within {timeout:g}s",
        hint="check its finalizers with kubectl get -o yaml",
    )


def _wait(kube: Kube, objects: list[dict[str, Any]], timeout: str, *, fleet: bool) -> None:
    from akscli.kube.wait import wait_for

    seconds = validate.duration(timeout, "--timeout")
    if fleet:
        waited = [o for o in objects if o["kind"] == "ClusterResourcePlacement"]
    else:
        waited = [o for o in objects if o["kind"] in ("Workspace", "InferenceSet", "Deployment")]
    with output.status(f"waiting up to {timeout} for {len(waited)} object(s)") as update:
        wait_for(kube, waited, seconds, progress=update)
    output.info("ready")


def _revisions(kube: Kube, name: str, namespace: str) -> list[serving.Revision]:
    found = kube.list("v1", "ConfigMap", namespace=namespace, label_selector=f"{serving.REVISION_OF_LABEL}={name}")
    return sorted((serving.parse_revision(cm) for cm in found), key=lambda r: r.revision)


def _ref(obj: dict[str, Any]) -> str:
    return f"{str(obj['kind']).lower()}/{obj['metadata']['name']}"


def _key(obj: dict[str, Any]) -> tuple[str, str, str | None, str]:
    meta = obj["metadata"]
    return (str(obj["apiVersion"]), str(obj["kind"]), meta.get("namespace"), str(meta["name"]))


def _stale(history: list[serving.Revision], objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the latest recorded deploy applied and this one no longer renders (an autoscaler
    or route dropped, a runtime switched): known from the revision record, so no scan of
    every API type is needed."""
    if not history:
        return []
    wanted = {_key(o) for o in objects}
    return [o for o in history[-1].manifests if _key(o) not in wanted]


def _delete_stale(kube: Kube, stale: list[dict[str, Any]]) -> None:
    for obj in stale:
        meta = obj["metadata"]
        if kube.delete(obj["apiVersion"], obj["kind"], meta["name"], namespace=meta.get("namespace")):
            output.write(f"{_ref(obj)} deleted (no longer rendered)")


def _record_revision(
    kube: Kube,
    name: str,
    namespace: str,
    objects: list[dict[str, Any]],
    params: dict[str, Any],
    note: str,
    existing: list[serving.Revision] | None = None,
) -> int:
    if existing is None:
        existing = _revisions(kube, name, namespace)
    number = serving.next_revision(existing)
    kube.apply(serving.revision_object(name, namespace, number, objects, params, note))
    for old in serving.expired_revisions([*existing, _placeholder(number)]):
        kube.delete("v1", "ConfigMap", old.object_name, namespace=namespace)
    return number


def _placeholder(number: int) -> serving.Revision:
    return serving.Revision(number, "", "", {}, [], "")


# ---- list, status, endpoint, test, logs ---------------------------------------------------

SERVING_KINDS = [(serving.KAITO_API, "Workspace"), (serving.KAITO_API, "InferenceSet"), ("apps/v1", "Deployment")]


def _age(stamp: str | None) -> str:
    from datetime import UTC, datetime

    if not stamp:
        return "-"
    try:
        then = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return "-"
    s = int((datetime.now(UTC) - then).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= size:
            return f"{s // size}{unit}"
    return f"{max(s, 0)}s"


def _serving_objects(
    kube: Kube, *, namespace: str | None, all_namespaces: bool, name: str | None = None
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for api, kind in SERVING_KINDS:
        if api != "apps/v1" and not kube.has_api(api, kind):
            continue
        selector = f"{serving.MODEL_LABEL}={name}" if name else (serving.MODEL_LABEL if kind == "Deployment" else None)
        for obj in kube.list(api, kind, namespace=namespace, all_namespaces=all_namespaces, label_selector=selector):
            owners = (obj.get("metadata") or {}).get("ownerReferences") or []
            labels = (obj.get("metadata") or {}).get("labels") or {}
            if kind == "Workspace" and (
                serving.KAITO_SET_POD_LABEL in labels or any(o.get("kind") == "InferenceSet" for o in owners)
            ):
                continue
            found.append(obj)
    return found


LIST_COLUMNS = [
    Column("Name", "name"),
    Column("Namespace", "namespace", wide=True),
    Column("Model", "model"),
    Column("Runtime", "runtime"),
    Column("Ready", lambda r: f"{r['ready']}/{r['desired']}"),
    Column("GPUs", "gpus"),
    Column("VM size", "vm_size"),
    Column("Endpoint", "endpoint"),
    Column("Age", lambda r: _age(r.get("created"))),
    Column("State", "state"),
    Column("Kind", "kind", wide=True),
]

FLEET_COLUMNS = [
    Column("Name", "name"),
    Column("Cluster", "cluster"),
    Column("State", "state"),
    Column("Message", "message"),
]


@app.command("list")
def list_cmd(
    namespace: opts.Namespace = None,
    all_namespaces: opts.AllNamespaces = False,
    fleet: Annotated[bool, typer.Option("--fleet", help="On a Fleet hub: each member's copy and its state.")] = False,
    kubeconfig: opts.Kubeconfig = None,
    kube_context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
    output_fmt: opts.Output = "table",
) -> None:
    """Deployed models: replicas, GPUs, VM size, endpoint and state."""
    fmt = opts.output_format(output_fmt)
    kube = _kube(opts.kube_target(kubeconfig, kube_context, namespace, request_timeout))
    if fleet:
        rows = []
        for crp in kube.list(serving.FLEET_API, "ClusterResourcePlacement", label_selector=serving.MODEL_LABEL):
            members = serving.fleet_members(crp)
            model = ((crp.get("metadata") or {}).get("labels") or {}).get(serving.MODEL_LABEL)
            if not members:
                members = [{"cluster": "-", "state": "Pending", "message": "not scheduled yet"}]
            rows += [{"name": model, **m} for m in members]
        output.emit(
            rows,
            fmt,
            FLEET_COLUMNS,
            name=lambda r: f"{r['name']}/{r['cluster']}",
            empty="No model is placed through the fleet.",
        )
        return
    objs = _serving_objects(kube, namespace=namespace, all_namespaces=all_namespaces)
    rows = sorted((serving.summary(o) for o in objs), key=lambda r: (r["namespace"], r["name"]))
    output.emit(rows, fmt, LIST_COLUMNS, name=lambda r: f"model/{r['name']}", empty="No models deployed.")


def _find(kube: Kube, name: str, namespace: str | None) -> dict[str, Any]:
    validate.name(name, "model deployment name")
    ns = namespace or kube.namespace
    for api, kind in SERVING_KINDS:
        if api != "apps/v1" and not kube.has_api(api, kind):
            continue
        obj = kube.get(api, kind, name, namespace=ns)
        if obj is not None and (
            kind != "Deployment" or serving.MODEL_LABEL in ((obj.get("metadata") or {}).get("labels") or {})
        ):
            obj.setdefault("apiVersion", api)
            obj.setdefault("kind", kind)
            return obj
    raise errors.NotFoundError(
        f"model deployment {name} not found in namespace {ns}", hint=f"list them with: akscli model list -n {ns}"
    )


def _events(kube: Kube, obj: dict[str, Any], limit: int = 10) -> list[dict[str, Any]]:
    meta = obj["metadata"]
    events = list(
        kube.list(
            "v1",
            "Event",
            namespace=meta.get("namespace"),
            field_selector=f"involvedObject.name={meta['name']}",
            page_size=100,
        )
    )
    events.sort(key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    return [
        {
            "type": e.get("type"),
            "reason": e.get("reason"),
            "message": e.get("message"),
            "time": e.get("lastTimestamp") or e.get("eventTime"),
            "object": f"{(e.get('involvedObject') or {}).get('kind')}/{meta['name']}",
        }
        for e in events[-limit:]
    ]


@app.command("status")
def status_cmd(
    name: Annotated[str, typer.Argument(help="Deployment name (see model list).")],
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    kube_context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """Conditions and recent events of one deployed model."""
    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    kube = _kube(opts.kube_target(kubeconfig, kube_context, namespace, request_timeout))
    obj = _find(kube, name, namespace)
    conds = [
        {"type": c.get("type"), "status": c.get("status"), "reason": c.get("reason"), "message": c.get("message")}
        for c in (obj.get("status") or {}).get("conditions") or []
    ]
    doc = {**serving.summary(obj), "conditions": conds, "events": _events(kube, obj)}
    if fmt != "table":
        output.emit_object(doc, fmt)
        return
    fields = [
        (k, doc[k]) for k in ("name", "namespace", "model", "runtime", "kind", "state", "vm_size", "gpus", "endpoint")
    ]
    fields.insert(5, ("ready", f"{doc['ready']}/{doc['desired']}"))
    output.emit_object(doc, "table", fields=fields)
    output.write("")
    output.write("Conditions:")
    output.emit(
        conds,
        "table",
        [Column("Type", "type"), Column("Status", "status"), Column("Reason", "reason"), Column("Message", "message")],
        empty="  (none reported yet)",
    )
    output.write("")
    output.write("Events:")
    output.emit(
        doc["events"],
        "table",
        [Column("Type", "type"), Column("Reason", "reason"), Column("Object", "object"), Column("Message", "message")],
        empty="  (no recent events)",
    )


def _served_models(kube: Kube, obj: dict[str, Any]) -> list[str]:
    meta = obj["metadata"]
    status, body = kube.proxy(meta["namespace"], meta["name"], serving.SERVICE_PORT, "/v1/models")
    if status != 200:
        raise errors.AkscliError(
            f"GET /v1/models on {meta['name']} answered HTTP {status}",
            hint=f"check the model with: akscli model status {meta['name']}",
        )
    try:
        return [str(m["id"]) for m in json.loads(body)["data"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise errors.AkscliError(
            f"/v1/models on {meta['name']} did not answer an OpenAI model list", hint="is the server OpenAI-compatible?"
        ) from exc


@app.command("endpoint")
def endpoint_cmd(
    name: Annotated[str, typer.Argument(help="Deployment name (see model list).")],
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    kube_context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """The in-cluster URL of a model and the model id it serves (from /v1/models)."""
    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    kube = _kube(opts.kube_target(kubeconfig, kube_context, namespace, request_timeout))
    obj = _find(kube, name, namespace)
    url = serving.endpoint_of(obj)
    models = _served_models(kube, obj)
    doc = {"name": name, "url": f"{url}/v1", "models": models}
    output.emit_object(doc, fmt, fields=[("url", doc["url"]), ("models", models)])


@app.command("test")
def test_cmd(
    name: Annotated[str, typer.Argument(help="Deployment name (see model list).")],
    prompt: Annotated[str, typer.Option("--prompt", help="The user message.")] = "Say hello in five words.",
    max_tokens: Annotated[int, typer.Option("--max-tokens", help="Longest reply.")] = 64,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    kube_context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """One chat completion through the API server's service proxy: the reply and its latency."""
    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    text = validate.text(prompt, "--prompt", 8000, multiline=True)
    limit = validate.integer(max_tokens, "--max-tokens", 1, 32_768)
    kube = _kube(opts.kube_target(kubeconfig, kube_context, namespace, request_timeout))
    obj = _find(kube, name, namespace)
    served = _served_models(kube, obj)
    if not served:
        raise errors.AkscliError(f"{name} serves no model yet", hint=f"wait for it: akscli model status {name}")
    body = {"model": served[0], "messages": [{"role": "user", "content": text}], "max_tokens": limit}
    meta = obj["metadata"]
    started = time.monotonic()
    status, raw = kube.proxy(
        meta["namespace"], meta["name"], serving.SERVICE_PORT, "/v1/chat/completions", method="POST", body=body
    )
    latency = time.monotonic() - started
    if status != 200:
        raise errors.AkscliError(
            f"chat completion on {name} answered HTTP {status}: {raw[:200].decode('utf-8', 'replace')}",
            hint=f"see the server's logs: akscli model logs {name}",
        )
    try:
        answer = json.loads(raw)
        reply = str(answer["choices"][0]["message"]["content"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise errors.AkscliError(
            f"{name} answered something that is not a chat completion", hint="is the server OpenAI-compatible?"
        ) from exc
    doc = {"model": served[0], "reply": reply, "latency_seconds": round(latency, 3), "usage": answer.get("usage")}
    if fmt != "table":
        output.emit_object(doc, fmt)
        return
    output.write(reply)
    usage = answer.get("usage") or {}
    tokens = f", {usage['completion_tokens']} tokens" if "completion_tokens" in usage else ""
    output.info(f"{served[0]}: {latency * 1000:,.0f} ms{tokens}")


def _pod_selector(obj: dict[str, Any]) -> str:
    name = obj["metadata"]["name"]
    if obj["kind"] == "Workspace":
        return f"{serving.KAITO_POD_LABEL}={name}"
    if obj["kind"] == "InferenceSet":
        return f"{serving.KAITO_SET_POD_LABEL}={name}"
    return f"{serving.MODEL_LABEL}={name}"


@app.command("logs")
def logs_cmd(
    name: Annotated[str, typer.Argument(help="Deployment name (see model list).")],
    follow: Annotated[bool, typer.Option("-f", "--follow", help="Stream new lines.")] = False,
    tail: Annotated[int | None, typer.Option("--tail", help="Last N lines of each pod.", show_default=False)] = None,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    kube_context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
) -> None:
    """Logs of the model's server pods (the first pod when following)."""
    tail_lines = validate.integer(tail, "--tail", 0, 1_000_000) if tail is not None else None
    kube = _kube(opts.kube_target(kubeconfig, kube_context, namespace, request_timeout))
    obj = _find(kube, name, namespace)
    ns = obj["metadata"]["namespace"]
    pods = sorted(
        p["metadata"]["name"] for p in kube.list("v1", "Pod", namespace=ns, label_selector=_pod_selector(obj))
    )
    if not pods:
        raise errors.NotFoundError(f"{name} has no pods yet", hint=f"see why with: akscli model status {name}")
    for pod in pods[:1] if follow else pods:
        prefix = f"[{pod}] " if len(pods) > 1 and not follow else ""
        for line in kube.logs(ns, pod, follow=follow, tail_lines=tail_lines):
            output.write(prefix + line.rstrip("\n"))


# ---- delete, history, rollback --------------------------------------------------------------

STACK_KINDS = [
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ("inference.networking.k8s.io/v1", "InferencePool"),
    (serving.KAITO_API, "InferenceSet"),
    (serving.KAITO_API, "Workspace"),
    ("apps/v1", "Deployment"),
    ("v1", "Service"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "ConfigMap"),
    (serving.FLEET_API, "ClusterStagedUpdateRun"),
    (serving.FLEET_API, "ClusterResourcePlacement"),
]


@app.command("delete")
def delete_cmd(
    name: Annotated[str, typer.Argument(help="Deployment name (see model list).")],
    keep_history: Annotated[bool, typer.Option("--keep-history", help="Keep the revision records.")] = False,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    kube_context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
    dry_run: opts.DryRun = "none",
    yes: opts.Yes = False,
) -> None:
    """Delete a deployed model and everything deploy created for it."""
    validate.name(name, "model deployment name")
    kube = _kube(opts.kube_target(kubeconfig, kube_context, namespace, request_timeout))
    ns = namespace or kube.namespace
    selector = f"akscli.io/stack={serving.stack_of(name)}"
    refs: list[tuple[str, str, str, str | None]] = []
    for api, kind in STACK_KINDS:
        if "/" in api and not api.startswith("apps/") and not kube.has_api(api, kind):
            continue
        cluster_scoped = api == serving.FLEET_API
        for obj in kube.list(api, kind, namespace=None if cluster_scoped else ns, label_selector=selector):
            refs.append((api, kind, obj["metadata"]["name"], None if cluster_scoped else ns))
    if not keep_history:
        for rev in _revisions(kube, name, ns):
            refs.append(("v1", "ConfigMap", rev.object_name, ns))
    if not refs:
        raise errors.NotFoundError(
            f"model deployment {name} not found in namespace {ns}", hint=f"list them with: akscli model list -n {ns}"
        )
    common.delete_objects(kube, refs, yes=yes, what=f"model {name} ({len(refs)} objects)", dry_run=dry_run)


HISTORY_COLUMNS = [
    Column("Revision", "revision"),
    Column("Created", "created"),
    Column("Change", "change"),
    Column("Model", "params.model"),
    Column("Runtime", "params.runtime"),
    Column("VM size", "params.vm_size"),
    Column("Context", "params.context"),
    Column("Replicas", lambda r: r["params"].get("replicas") or 1),
    Column("$/month", lambda r: _money(r["params"].get("price_per_month")), wide=True),
]


@app.command("history")
def history_cmd(
    name: Annotated[str, typer.Argument(help="Deployment name (see model list).")],
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    kube_context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
    output_fmt: opts.Output = "table",
) -> None:
    """The recorded revisions of a deployed model, oldest first."""
    fmt = opts.output_format(output_fmt)
    validate.name(name, "model deployment name")
    kube = _kube(opts.kube_target(kubeconfig, kube_context, namespace, request_timeout))
    revs = _revisions(kube, name, namespace or kube.namespace)
    output.emit(
        [r.summary() for r in revs],
        fmt,
        HISTORY_COLUMNS,
        name=lambda r: f"{name}/{r['revision']}",
        empty=f"No revisions recorded for {name}.",
    )


@app.command("rollback")
def rollback_cmd(
    name: Annotated[str, typer.Argument(help="Deployment name (see model list).")],
    to_revision: Annotated[
        int | None,
        typer.Option(
            "--to-revision", help="Revision to return to (default: the one before the latest).", show_default=False
        ),
    ] = None,
    recreate: Annotated[
        bool, typer.Option("--recreate", help="Delete and create objects whose immutable fields differ.")
    ] = False,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    kube_context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: opts.Timeout = "30m",
    yes: opts.Yes = False,
    output_fmt: opts.Output = "table",
) -> None:
    """Apply the manifests of an earlier revision again (recorded as a new revision)."""
    mode = opts.dry_run_mode(dry_run)
    validate.duration(timeout, "--timeout")
    validate.name(name, "model deployment name")
    target = opts.kube_target(kubeconfig, kube_context, namespace, request_timeout)
    kube = _kube(target)
    ns = namespace or kube.namespace
    revs = _revisions(kube, name, ns)
    if not revs:
        raise errors.NotFoundError(
            f"no revisions recorded for {name} in namespace {ns}", hint="revisions are recorded by akscli model deploy"
        )
    if to_revision is None:
        if len(revs) < 2:
            raise errors.UsageError(
                f"{name} has only revision {revs[0].revision}; nothing to roll back to",
                hint=f"see akscli model history {name}",
            )
        chosen = revs[-2]
    else:
        number = validate.integer(to_revision, "--to-revision", 1, 1_000_000)
        match = [r for r in revs if r.revision == number]
        if not match:
            raise errors.NotFoundError(
                f"{name} has no revision {number}", hint="recorded: " + ", ".join(str(r.revision) for r in revs)
            )
        chosen = match[0]
    objects = [dict(o) for o in chosen.manifests]
    _preflight(kube, objects)
    _recreate_if_needed(kube, objects, recreate=recreate, yes=yes, dry_run=mode)
    stale = _stale(revs, objects)
    if stale and mode == "none":
        common.confirm(
            f"delete {len(stale)} object(s) revision {chosen.revision} does not have "
            f"({', '.join(_ref(o) for o in stale)})",
            yes,
        )
    common.apply_objects(
        objects,
        stack=serving.stack_of(name),
        target=target,
        dry_run=mode,
        wait=False,
        yes=yes,
        output_format=output_fmt,
        action="model rollback",
    )
    if mode != "none":
        return
    _delete_stale(kube, stale)
    number = _record_revision(kube, name, ns, objects, chosen.params, f"rollback to {chosen.revision}", revs)
    output.info(f"rolled {name} back to revision {chosen.revision} (recorded as {number})")
    if wait:
        _wait(kube, objects, timeout, fleet=bool(chosen.params.get("fleet")))
