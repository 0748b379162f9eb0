"""akscli model: catalog, GPU-fit and cost plan, deploy through KAITO or vLLM, operate, roll back.

Thin: flags are parsed here; models come from ``akscli.model.catalog``, the numbers from
``akscli.model.planning``, the objects from ``akscli.model.deploy``, revisions from
``akscli.model.revisions``, every cluster read from ``akscli.model.live``, and every change goes
through ``common.apply_objects``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Annotated, Any

import typer

from akscli import errors, output, validate
from akscli.cli import common, complete, model_top
from akscli.cli import options as opts
from akscli.kube.client import Kube, KubeTarget, connect
from akscli.model import catalog, deploy, kinds, live, plan_view, planning, preflight, revisions, skus
from akscli.output import Column

app = typer.Typer(
    name="model",
    help="Model serving: catalog, plan, deploy, operate.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)

# ---- flags shared by plan and deploy --------------------------------------------------------

# vLLM's and KAITO's own name for the tokens per sequence (--context is the kubeconfig context).
MaxModelLenOpt = Annotated[
    int | None,
    typer.Option(
        "--max-model-len",
        metavar="TOKENS",
        help="Tokens per sequence (vLLM's max-model-len). Default: the model's limit, at most 8192.",
        show_default=False,
    ),
]
FleetHubOpt = Annotated[
    bool,
    typer.Option(
        "--fleet-hub",
        help="--context is a Fleet hub: the model is placed (ClusterResourcePlacement) onto GPU-capable members.",
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
RuntimeOpt = Annotated[
    str,
    typer.Option(
        "--runtime",
        help="kaito (Workspace / InferenceSet: KAITO's sizes and node count) or vllm (Deployment).",
        autocompletion=complete.runtimes,
    ),
]
VmSizeOpt = Annotated[
    str | None,
    typer.Option(
        "--vm-size",
        help="Use this VM size instead of the plan's pick (checked to fit).",
        show_default=False,
        autocompletion=complete.vm_sizes,
    ),
]


def _describing(flag: str, help_text: str, kind: type) -> Any:
    return Annotated[kind | None, typer.Option(flag, help=f"Model not in the catalog: {help_text}", show_default=False)]


# The flags that describe a model the catalog lacks (catalog.Description), in help order.
DESCRIPTION_OPTIONS: dict[str, Any] = {
    "weights_gib": _describing("--weights-gib", "total size of its weight files (GiB).", float),
    "layers": _describing("--layers", "num_hidden_layers.", int),
    "attention_heads": _describing("--attention-heads", "num_attention_heads.", int),
    "kv_heads": _describing("--kv-heads", "num_key_value_heads (default: attention heads).", int),
    "head_dim": _describing("--head-dim", "head_dim (default hidden_size/attention heads).", int),
    "hidden_size": _describing("--hidden-size", "hidden_size.", int),
    "max_context": _describing("--max-context", "max_position_embeddings.", int),
    "quantization": _describing("--quantization", "bf16, fp8, mxfp4, awq, gptq ...", str),
    "params_b": _describing("--params-b", "parameters in billions.", float),
}


Command = Callable[..., None]


def _deployed(cluster: opts.KubeFlags, name: str) -> tuple[Kube, dict[str, Any]]:
    """The connection and the object serving the deployed model ``name``."""
    validate.name(name, "model deployment name")
    kube, namespace = cluster.connect_ns()
    return kube, live.find(kube, name, namespace)


# Decorators: `@_with_description_flags` puts the model description flags in place of the
# command's `described: catalog.Description` parameter; `@_on_cluster` puts -n, --kubeconfig,
# --context and --request-timeout in place of its `cluster: opts.KubeFlags` parameter.
_with_description_flags = opts.flag_block(DESCRIPTION_OPTIONS, "described", catalog.Description)
_on_cluster = opts.on_kube("namespace", "kubeconfig", "context", "request_timeout")


DeploymentName = Annotated[str, typer.Argument(help="Deployment name (see model list).")]
ModelName = Annotated[
    str, typer.Argument(metavar="MODEL", help="Hugging Face id or KAITO preset name.", autocompletion=complete.models)
]


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
    name: Annotated[str, typer.Argument(help="Hugging Face id or KAITO preset name.", autocompletion=complete.models)],
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """Everything akscli knows about one model."""
    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    model = catalog.get(validate.text(name, "model", 200))
    output.emit_object(model.to_dict(), fmt)


# ---- plan -----------------------------------------------------------------------------------

PLAN_COLUMNS = [
    Column("", lambda o: "*" if o["pick"] else ""),
    Column("VM size", "vm_size"),
    Column("GPUs", "gpu"),
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
    Column("$/hour", lambda o: plan_view.usd(o["price_per_hour"])),
    Column(
        "$/month",
        lambda o: plan_view.usd(o["price_per_month"]) + (" (over)" if o["within_budget"] is False else ""),
    ),
    Column("Tok/s est.", lambda o: f"{o['throughput']['tokens_per_second']:,.0f}" if o["throughput"] else "-"),
    Column("KAITO nodes", lambda o: (o["kaito"]["nodes"] if o["kaito"]["fits"] else "no fit") if o["kaito"] else "-"),
    Column("Replicas/node", lambda o: o["replicas_per_node"] if o["fits"] else "-", wide=True),
    Column(
        "Per-seq tok/s",
        lambda o: f"{o['throughput']['per_sequence_tokens_per_second']:,.1f}" if o["throughput"] else "-",
        wide=True,
    ),
    Column("Notes", lambda o: "; ".join(([o["reason"]] if o["reason"] else []) + o["warnings"]) or "-", wide=True),
]


@app.command("plan")
@_with_description_flags
def plan_cmd(
    model_name: ModelName,
    runtime: RuntimeOpt = "kaito",
    context: MaxModelLenOpt = None,
    concurrency: ConcurrencyOpt = 1,
    region: RegionOpt = skus.DEFAULT_REGION,
    budget: BudgetOpt = None,
    price_file: PriceFileOpt = None,
    vm_size: VmSizeOpt = None,
    described: catalog.Description = catalog.Description(),
    output_fmt: opts.Output = "table",
    subscription: Annotated[
        str | None,
        typer.Option(
            "--subscription",
            help="Also mark sizes this subscription cannot get in --region (not offered, restricted, over its "
            "vCPU quota); asks Azure.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Which GPU VM sizes fit the model, at what cost and throughput; the cheapest that fits.

    With --runtime kaito (the default, as for deploy) the sizes are those KAITO supports and each
    size's nodes and price are what KAITO's node estimator provisions there. With --runtime vllm,
    fit counts the weights (x1.02 as loaded), a full KV cache for --concurrency sequences of
    --max-model-len tokens and 2.3 GiB per GPU of overhead, within 90% of GPU memory.
    """
    fmt = opts.output_format(output_fmt)
    model = catalog.resolve(model_name, described)
    the_plan = plan_view.plan_from_flags(
        model,
        runtime=runtime,
        context=context,
        concurrency=concurrency,
        region=region,
        budget=budget,
        price_file=price_file,
    )
    if subscription:
        _mark_quota(the_plan, subscription)
    chosen = plan_view.chosen_fit(the_plan, vm_size)
    if output.structured(fmt):
        doc = the_plan.to_dict()
        doc["recommended"] = chosen.vm_size if chosen else None
        output.emit_object(doc, fmt)
    elif fmt == "name":
        for row in plan_view.table_rows(the_plan, chosen, every_size=False):
            output.write(row["vm_size"])
    else:
        _print_plan(the_plan, chosen, fmt)
    if chosen is None:
        # A runbook gating on the plan must see that there is nothing to deploy.
        raise errors.CheckFailedError(
            f"no VM size fits {model.id} within this plan",
            hint="lower --max-model-len or --concurrency, raise --budget, or try another --region",
        )


def _mark_quota(the_plan: planning.Plan, subscription: str) -> None:
    """Each fitting size this subscription cannot get in the region gets a warning, and the pick
    moves to the first size it can get (akscli.azure.capacity: resource SKUs and usages)."""
    from akscli.azure import arm, capacity

    target = arm.AzureTarget(subscription).validated()
    fitting = {f.vm_size: max(f.nodes, 1) for f in the_plan.options if planning.servable(f)}
    marks = capacity.quota_marks(target, the_plan.region, fitting) if fitting else {}
    for f in the_plan.options:
        if f.vm_size in marks:
            f.warnings.append(marks[f.vm_size])
    first = the_plan.recommended
    if first is not None and first.vm_size in marks:
        alternatives = [
            f
            for f in the_plan.options
            if planning.servable(f)
            and f.vm_size not in marks
            and f.price_per_month is not None
            and f.within_budget is not False
        ]
        the_plan.recommended = min(alternatives, key=lambda f: f.price_per_month or 0.0) if alternatives else None
        the_plan.warnings.append(f"{first.vm_size} is not available to this subscription: {marks[first.vm_size]}")


def _print_plan(the_plan: planning.Plan, chosen: planning.Fit | None, fmt: str) -> None:
    rows = plan_view.table_rows(the_plan, chosen, every_size=fmt == "wide")
    for line in plan_view.headline(the_plan):
        output.write(line)
    output.write("\n")
    output.emit(rows, fmt, PLAN_COLUMNS, empty="No VM size fits.")
    output.write("\n")
    hidden = plan_view.hidden_note(the_plan) if fmt != "wide" else None
    if hidden:
        output.write(hidden)
    if chosen is not None:
        output.write(f"pick: {plan_view.pick_line(chosen)}")
        if chosen.throughput is not None:
            output.write(plan_view.throughput_note(chosen.throughput))
    for warning in the_plan.warnings:
        output.warn(warning)


# ---- deploy ---------------------------------------------------------------------------------


@app.command("deploy")
@_with_description_flags
@_on_cluster
def deploy_cmd(
    model_name: ModelName,
    name: Annotated[
        str | None, typer.Option("--name", help="Name of the deployment (default: from the model).", show_default=False)
    ] = None,
    runtime: Annotated[
        str,
        typer.Option(
            "--runtime",
            help="kaito (Workspace / InferenceSet), vllm (Deployment) or airunway (AI Runway ModelDeployment).",
            autocompletion=complete.runtimes,
        ),
    ] = "kaito",
    provider: Annotated[
        str, typer.Option("--provider", help="With --runtime airunway: kaito, vllm, kuberay, dynamo or llmd.")
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
    ] = kinds.DEFAULT_PROMETHEUS,
    queue_threshold: Annotated[
        int, typer.Option("--queue-threshold", help="Waiting requests per replica before KEDA adds one.")
    ] = kinds.DEFAULT_QUEUE_THRESHOLD,
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
    image: Annotated[str, typer.Option("--image", help="vLLM image (runtime vllm).")] = kinds.DEFAULT_VLLM_IMAGE,
    storage_class: Annotated[
        str, typer.Option("--storage-class", help="Storage class for the weights (runtime vllm).")
    ] = kinds.DEFAULT_STORAGE_CLASS,
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
    fleet: FleetHubOpt = False,
    member: Annotated[
        list[str] | None,
        typer.Option(
            "--member", help="With --fleet-hub: place on these member clusters only (repeatable).", show_default=False
        ),
    ] = None,
    clusters: Annotated[
        int | None,
        typer.Option("--clusters", help="With --fleet-hub: place on N capable members (PickN).", show_default=False),
    ] = None,
    staged_strategy: Annotated[
        str | None,
        typer.Option(
            "--staged-strategy",
            help="With --fleet-hub: roll out through a staged update run of this ClusterStagedUpdateStrategy.",
            show_default=False,
        ),
    ] = None,
    vm_size: VmSizeOpt = None,
    context: MaxModelLenOpt = None,
    concurrency: ConcurrencyOpt = 1,
    region: RegionOpt = skus.DEFAULT_REGION,
    budget: BudgetOpt = None,
    price_file: PriceFileOpt = None,
    described: catalog.Description = catalog.Description(),
    subscription: Annotated[
        str | None,
        typer.Option(
            "--subscription",
            help="Check first that this subscription can get the GPU nodes in --region (size offered, vCPU "
            "quota free); for clusters that create nodes on demand (KAITO, node auto-provisioning).",
            show_default=False,
        ),
    ] = None,
    cluster: opts.KubeFlags = opts.KubeFlags(),
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
    model = catalog.resolve(model_name, described)
    deploy.check_fleet_flags(fleet, member or [], clusters, staged_strategy)
    validate.choice(runtime, kinds.RUNTIMES, "--runtime")
    the_plan = plan_view.plan_from_flags(
        model,
        runtime=deploy.plan_runtime(runtime, provider),
        context=context,
        concurrency=concurrency,
        region=region,
        budget=budget,
        price_file=price_file,
        context_flag="--max-model-len",
    )
    fit = plan_view.fit_to_deploy(the_plan, vm_size)
    if subscription and mode != "client":
        # Nodes created on demand fail minutes later on quota; ask Azure before anything is applied.
        from akscli.azure import arm, capacity

        nodes = max(fit.nodes, 1) * (replicas or 1)
        azure_target = arm.AzureTarget(subscription).validated()
        capacity.check(azure_target, f"deploy {model.id}", region, fit.vm_size, nodes)
    # On a fleet hub the model gets a namespace of its own: the placement takes the whole namespace.
    namespace = cluster.namespace or (deploy.default_name(model) if fleet else None)
    gateway_name, gateway_namespace = deploy.parse_gateway(gateway)
    req = deploy.DeployRequest(
        name=validate.name(name, "--name", 50) if name else deploy.default_name(model),
        namespace=namespace or "default",
        model=model,
        runtime=runtime,
        provider=provider,
        fit=fit,
        context=the_plan.context,
        replicas=replicas,
        access_secret=access_secret,
        autoscale=deploy.parse_autoscale(autoscale) if autoscale else None,
        prometheus=prometheus,
        queue_threshold=queue_threshold,
        expose=expose,
        gateway=gateway_name,
        gateway_namespace=gateway_namespace,
        inference_pool=inference_pool,
        endpoint_picker=endpoint_picker,
        hostname=hostname,
        image=image,
        storage_class=storage_class,
        fleet=fleet,
        fleet_clusters=list(member or []),
        fleet_count=clusters,
        staged_strategy=staged_strategy,
    )
    req.check()
    target = dataclasses.replace(cluster, namespace=namespace).target()
    kube = connect(target) if mode != "client" else None
    if kube is not None:
        req.namespace = namespace or kube.namespace
        req.monitor_api = preflight.monitor_api(kube)
    else:
        # Nothing to ask offline: render the Prometheus Operator's PodMonitor for a scraped metric.
        req.monitor_api = kinds.PODMONITOR_APIS[-1] if req.autoscale and req.runtime == "vllm" else None
    objects = deploy.build(req)
    _announce(req)
    if kube is None:
        common.apply_objects(
            objects, stack=kinds.stack_of(req.name), target=target, dry_run=mode, yes=yes, output_format=output_fmt
        )
        return
    preflight.check(kube, req, objects, wait=wait)
    if fleet:
        from akscli.fleet.matching import check_placements

        check_placements(kube, objects)
    if not fleet:
        _ensure_namespace(kube, req.namespace, create=create_namespace, dry_run=mode)
    rollout = _Rollout(kube, target, mode, yes, output_fmt, recreate, force_conflicts, action="model deploy")
    rev = rollout.apply(
        objects,
        name=req.name,
        namespace=req.namespace,
        params=req.params(),
        note="deploy",
        dropped="the last deploy made and this one does not",
    )
    if rev is None:
        return
    if rollout.unchanged:
        output.info(f"no change since revision {rev} of {req.name}: nothing recorded")
    else:
        output.info(f"recorded revision {rev} of {req.name}")
    if wait:
        _wait(kube, objects, timeout, fleet=fleet)


def _announce(req: deploy.DeployRequest) -> None:
    """The size the plan chose, and what will stop the model from starting."""
    fit = req.fit
    output.info(
        f"plan: {fit.vm_size} x {fit.nodes} node(s), {fit.gpus} GPU(s), tensor parallel "
        f"{fit.tensor_parallel}, {plan_view.usd(fit.price_per_month)}/month per replica"
    )
    for warning in fit.warnings:
        output.warn(warning)
    if req.model.access_token_required and not req.access_secret:
        output.warn(
            f"{req.model.id} is gated on Hugging Face: give --access-secret NAME "
            "(a Secret with key HF_TOKEN) or the download will be refused"
        )


def _ensure_namespace(kube: Kube, namespace: str, *, create: bool, dry_run: str) -> None:
    if kube.get("v1", "Namespace", namespace) is not None:
        return
    if not create:
        raise errors.NotFoundError(
            f"namespace {namespace} does not exist", hint="add --create-namespace, or pick another with -n"
        )
    if dry_run == "none":
        # Created on its own, not as part of the model's stack: deleting or rolling back
        # the model must never delete a namespace.
        kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        output.info(f"namespace/{namespace} created")


@dataclasses.dataclass
class _Rollout:
    """What deploy and rollback share: recreate what cannot change in place, apply, delete what
    is no longer rendered, and record the revision."""

    kube: Kube
    target: KubeTarget
    mode: str
    yes: bool
    output_fmt: str
    recreate: bool
    force_conflicts: bool
    action: str
    unchanged: bool = False

    def apply(
        self,
        objects: list[dict[str, Any]],
        *,
        name: str,
        namespace: str,
        params: dict[str, Any],
        note: str,
        dropped: str,
        history: list[revisions.Revision] | None = None,
    ) -> int | None:
        """The recorded revision number; None for a dry run."""
        self._recreate_if_needed(objects)
        if history is None:
            history = revisions.revisions(self.kube, name, namespace)
        stale = revisions.stale_objects(history, objects)
        first_stale, after = revisions.split_stale(stale)
        if stale and self.mode == "none":
            refs = ", ".join(revisions.ref(o) for o in stale)
            common.confirm(f"delete {len(stale)} object(s) {dropped} ({refs})", self.yes)
            for ref in revisions.replace_first(self.kube, first_stale):
                output.write(f"{ref} deleted (replaced)")
        from akscli.fleet import rollout as fleet_rollout

        # A staged update run is created only once its placement has scheduled bindings: one that
        # comes first fails for good (kubefleet-dev/kubefleet pkg/controllers/updaterun/initialization.go).
        applied = revisions.leave_replicas_to_autoscaler(self.kube, objects)
        first, runs = fleet_rollout.split_runs(applied) if self.mode == "none" else (applied, [])
        for batch in (first, runs):
            if batch is runs and runs:
                with output.status("waiting for the placement to be scheduled before its staged update run") as update:
                    fleet_rollout.wait_until_scheduled(self.kube, runs, progress=update)
            if batch:
                common.apply_objects(
                    batch,
                    stack=kinds.stack_of(name),
                    target=self.target,
                    dry_run=self.mode,
                    wait=False,
                    yes=self.yes,
                    output_format=self.output_fmt,
                    force_conflicts=self.force_conflicts,
                    action=self.action,
                )
        if self.mode != "none":
            return None
        for ref in revisions.delete_stale(self.kube, after):
            output.write(f"{ref} deleted (no longer rendered)")
        number = revisions.record_revision(self.kube, name, namespace, objects, params, note, history)
        self.unchanged = bool(history) and number == history[-1].revision
        return number

    def _recreate_if_needed(self, objects: list[dict[str, Any]]) -> None:
        changes = revisions.immutable_conflicts(self.kube, objects)
        if not changes:
            return
        listed = "; ".join(line for change in changes for line in change.fields)
        if not self.recreate:
            raise errors.UsageError(
                f"these fields cannot change in place: {listed}",
                hint="add --recreate to delete and create the object again (the model is down "
                "until it is ready), or keep the old values",
            )
        if self.mode != "none":
            output.info(f"would recreate: {listed}")
            return
        common.confirm(f"recreate {len(changes)} object(s) ({listed})", self.yes)
        revisions.recreate(self.kube, changes)


def _wait(kube: Kube, objects: list[dict[str, Any]], timeout: str, *, fleet: bool) -> None:
    from akscli.kube.wait import wait_for

    waited = live.objects_to_wait_for(objects, fleet=fleet)
    with output.status(f"waiting up to {timeout} for {len(waited)} object(s)") as update:
        wait_for(kube, waited, validate.duration(timeout, "--timeout"), progress=update)
    output.info("ready")


# ---- list, status, endpoint, test, logs ---------------------------------------------------

LIST_COLUMNS = [
    Column("Name", "name"),
    Column("Namespace", "namespace", wide=True),
    Column("Model", "model"),
    Column("Runtime", "runtime"),
    Column("Ready", lambda r: f"{r['ready']}/{r['desired']}"),
    Column("GPUs", "gpus"),
    Column("VM size", "vm_size"),
    Column("Endpoint", "endpoint"),
    Column("Age", lambda r: output.age(r.get("created"))),
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
    fleet: FleetHubOpt = False,
    kubeconfig: opts.Kubeconfig = None,
    kube_context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
    output_fmt: opts.Output = "table",
) -> None:
    """Deployed models: replicas, GPUs, VM size, endpoint and state."""
    fmt = opts.output_format(output_fmt)
    kube = opts.KubeFlags(kubeconfig, kube_context, namespace, request_timeout).connect()
    if fleet:
        output.emit(
            live.fleet_placements(kube),
            fmt,
            FLEET_COLUMNS,
            name=lambda r: f"{r['name']}/{r['cluster']}",
            empty="No model is placed through the fleet.",
        )
        return
    rows = live.deployed_models(kube, namespace=namespace, all_namespaces=all_namespaces)
    output.emit(rows, fmt, LIST_COLUMNS, name=lambda r: f"model/{r['name']}", empty="No models deployed.")


STATUS_FIELDS = ("name", "namespace", "model", "runtime", "kind", "ready", "state", "vm_size", "gpus", "endpoint")
CONDITION_COLUMNS = [
    Column("Type", "type"),
    Column("Status", "status"),
    Column("Reason", "reason"),
    Column("Message", "message"),
]
EVENT_COLUMNS = [
    Column("Type", "type"),
    Column("Reason", "reason"),
    Column("Object", "object"),
    Column("Message", "message"),
]


@app.command("status")
@_on_cluster
def status_cmd(
    name: DeploymentName,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """Conditions and recent events of one deployed model."""
    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    kube, obj = _deployed(cluster, name)
    doc = live.status_report(kube, obj)
    doc["serving"] = live.serving_figures(kube, obj)
    if fmt != "table":
        output.emit_object(doc, fmt)
        return
    shown = {**doc, "ready": f"{doc['ready']}/{doc['desired']}"}
    output.emit_object(doc, "table", fields=[(k, shown[k]) for k in (*STATUS_FIELDS, "serving")])
    output.write("\nConditions:")
    output.emit(doc["conditions"], "table", CONDITION_COLUMNS, empty="  (none reported yet)")
    output.write("\nEvents:")
    output.emit(doc["events"], "table", EVENT_COLUMNS, empty="  (no recent events)")


app.command("top")(model_top.top_cmd)


@app.command("endpoint")
@_on_cluster
def endpoint_cmd(
    name: DeploymentName,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """The in-cluster URL of a model and the model id it serves (from /v1/models)."""
    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    kube, obj = _deployed(cluster, name)
    doc = {"name": name, "url": f"{live.endpoint_of(obj)}/v1", "models": live.served_models(kube, obj)}
    output.emit_object(doc, fmt, fields=[("url", doc["url"]), ("models", doc["models"])])


@app.command("test")
@_on_cluster
def test_cmd(
    name: DeploymentName,
    prompt: Annotated[str, typer.Option("--prompt", help="The user message.")] = "Say hello in five words.",
    max_tokens: Annotated[int, typer.Option("--max-tokens", help="Longest reply.")] = 64,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    output_fmt: opts.ObjectOutput = "table",
) -> None:
    """One chat completion through the API server's service proxy: the reply and its latency."""
    fmt = opts.output_format(output_fmt, output.OBJECT_FORMATS)
    text = validate.text(prompt, "--prompt", 8000, multiline=True)
    limit = validate.integer(max_tokens, "--max-tokens", 1, 32_768)
    kube, obj = _deployed(cluster, name)
    answer = live.chat(kube, obj, text, limit)
    if fmt != "table":
        output.emit_object(answer.to_dict(), fmt)
        return
    output.write(answer.reply)
    usage = answer.usage or {}
    tokens = f", {usage['completion_tokens']} tokens" if "completion_tokens" in usage else ""
    output.info(f"{answer.model}: {answer.latency_seconds * 1000:,.0f} ms{tokens}")


@app.command("logs")
@_on_cluster
def logs_cmd(
    name: DeploymentName,
    follow: Annotated[bool, typer.Option("-f", "--follow", help="Stream new lines.")] = False,
    tail: Annotated[int | None, typer.Option("--tail", help="Last N lines of each pod.", show_default=False)] = None,
    cluster: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Logs of the model's server pods (the first pod when following)."""
    tail_lines = validate.integer(tail, "--tail", 0, 1_000_000) if tail is not None else None
    kube, obj = _deployed(cluster, name)
    pods = live.server_pods(kube, obj)
    shown = pods[:1] if follow else pods
    for pod in shown:
        prefix = f"[{pod}] " if len(shown) > 1 else ""
        for line in kube.logs(obj["metadata"]["namespace"], pod, follow=follow, tail_lines=tail_lines):
            output.write(prefix + line.rstrip("\n"))


# ---- delete, history, rollback --------------------------------------------------------------


@app.command("delete")
@_on_cluster
def delete_cmd(
    name: DeploymentName,
    keep_history: Annotated[bool, typer.Option("--keep-history", help="Keep the revision records.")] = False,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    dry_run: opts.DryRun = "none",
    yes: opts.Yes = False,
) -> None:
    """Delete a deployed model and everything deploy created for it."""
    mode = opts.dry_run_mode(dry_run)
    validate.name(name, "model deployment name")
    kube, ns = cluster.connect_ns()
    refs = live.stack_refs(kube, name, ns, keep_history=keep_history)
    if mode == "client":
        # Nothing is sent: say what a real delete would remove.
        for _, kind, obj_name, _ in refs:
            output.write(f"{kind.lower()}/{obj_name} deleted (dry run)")
        return
    common.delete_objects(kube, refs, yes=yes, what=f"model {name} ({len(refs)} objects)", dry_run=mode)


HISTORY_COLUMNS = [
    Column("Revision", "revision"),
    Column("Created", "created"),
    Column("Change", "change"),
    Column("Model", "params.model"),
    Column("Runtime", "params.runtime"),
    Column("VM size", "params.vm_size"),
    Column("Context", "params.context"),
    Column("Replicas", lambda r: r["params"].get("replicas") or 1),
    Column("$/month", lambda r: plan_view.usd(r["params"].get("price_per_month")), wide=True),
]


@app.command("history")
@_on_cluster
def history_cmd(
    name: DeploymentName,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    output_fmt: opts.Output = "table",
) -> None:
    """The recorded revisions of a deployed model, oldest first."""
    fmt = opts.output_format(output_fmt)
    validate.name(name, "model deployment name")
    kube, ns = cluster.connect_ns()
    output.emit(
        [r.summary() for r in revisions.revisions(kube, name, ns)],
        fmt,
        HISTORY_COLUMNS,
        name=lambda r: f"{name}/{r['revision']}",
        empty=f"No revisions recorded for {name}.",
    )


@app.command("rollback")
@_on_cluster
def rollback_cmd(
    name: DeploymentName,
    to_revision: Annotated[
        int | None,
        typer.Option(
            "--to-revision", help="Revision to return to (default: the one before the latest).", show_default=False
        ),
    ] = None,
    recreate: Annotated[
        bool, typer.Option("--recreate", help="Delete and create objects whose immutable fields differ.")
    ] = False,
    cluster: opts.KubeFlags = opts.KubeFlags(),
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
    number = validate.integer(to_revision, "--to-revision", 1, 1_000_000) if to_revision is not None else None
    kube, ns = cluster.connect_ns()
    history = revisions.revisions(kube, name, ns)
    chosen = revisions.pick_revision(history, name, ns, number)
    objects = [dict(o) for o in chosen.manifests]
    preflight.check_operators(kube, objects)
    rollout = _Rollout(kube, cluster.target(), mode, yes, output_fmt, recreate, False, action="model rollback")
    rev = rollout.apply(
        objects,
        name=name,
        namespace=ns,
        params=chosen.params,
        note=f"rollback to {chosen.revision}",
        dropped=f"revision {chosen.revision} does not have",
        history=history,
    )
    if rev is None:
        return
    output.info(f"rolled {name} back to revision {chosen.revision} (recorded as {rev})")
    if wait:
        _wait(kube, objects, timeout, fleet=bool(chosen.params.get("fleet")))
