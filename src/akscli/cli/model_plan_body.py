"""akscli model plan's body: the plan and its table, without the CLI framework (akscli.cli.model_plan
declares the flags; the fast path, akscli.cli.fast, calls this with the same arguments). Nothing
here imports kubernetes or azure at load time (--subscription asks Azure when given)."""

from akscli import errors, output
from akscli.cli.model_resolve import resolve_model
from akscli.model import catalog, flag_checks, plan_view, planning
from akscli.output import Column

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
        "Per seq tok/s",
        lambda o: f"{o['throughput']['per_sequence_tokens_per_second']:,.1f}" if o["throughput"] else "-",
        wide=True,
    ),
    Column("Notes", lambda o: "; ".join(([o["reason"]] if o["reason"] else []) + o["warnings"]) or "-", wide=True),
]


def plan(
    model_name: str,
    runtime: str,
    context: int | None,
    concurrency: int,
    region: str,
    budget: float | None,
    price_file: str | None,
    vm_size: str | None,
    described: catalog.Description,
    hub_config: bool,
    image: str | None,
    trust_remote_code: bool,
    output_fmt: str,
    subscription: str | None,
) -> None:
    """Which GPU VM sizes fit the model, at what cost and throughput; the cheapest that fits."""
    fmt = output.check_format(output_fmt, output.LIST_FORMATS)
    if image is not None:
        flag_checks.plan_image(image, runtime)
    if trust_remote_code:
        flag_checks.trust_remote_code(runtime)
    trusted = trust_remote_code if runtime == "vllm" else None
    model = resolve_model(model_name, described, hub_config, runtime, image, trusted)
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
        the_plan = _mark_quota(the_plan, subscription)
    chosen = plan_view.chosen_fit(the_plan, vm_size)
    if output.structured(fmt):
        doc = the_plan.to_dict()
        doc["recommended"] = chosen.vm_size if chosen else None
        doc["billed"] = plan_view.billed(the_plan, chosen) if chosen else None
        output.emit_object(doc, fmt, rows=doc["options"])
    elif fmt == "name":
        for row in plan_view.table_rows(the_plan, chosen, every_size=False):
            output.write(row["vm_size"])
    else:
        _print_plan(the_plan, chosen, fmt)
    if chosen is None:
        # A runbook gating on the plan must see that there is nothing to deploy.
        message, hint = plan_view.nothing_picked(the_plan)
        raise errors.CheckFailedError(message, hint=hint)


def _mark_quota(the_plan: planning.Plan, subscription: str) -> planning.Plan:
    """The plan with a warning on each fitting size this subscription cannot get in the region,
    and the pick moved to the first size it can get (akscli.azure.capacity: resource SKUs and
    usages)."""
    from akscli.azure import arm, capacity

    target = arm.AzureTarget(subscription).validated()
    fitting = {f.vm_size: max(f.nodes, 1) for f in the_plan.options if planning.servable(f)}
    marks = capacity.quota_marks(target, the_plan.region, fitting) if fitting else {}
    if not marks:
        return the_plan
    options = [
        f._replace(warnings=(*f.warnings, marks[f.vm_size])) if f.vm_size in marks else f for f in the_plan.options
    ]
    first = the_plan.recommended
    if first is None or first.vm_size not in marks:
        return the_plan._replace(options=options)  # the pick's row is unmarked: the same object
    alternatives = [
        f
        for f in options
        if planning.servable(f)
        and f.vm_size not in marks
        and f.price_per_month is not None
        and f.within_budget is not False
    ]
    return the_plan._replace(
        options=options,
        recommended=min(alternatives, key=lambda f: f.price_per_month or 0.0) if alternatives else None,
        warnings=(*the_plan.warnings, f"{first.vm_size} is not available to this subscription: {marks[first.vm_size]}"),
    )


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
        if billed := plan_view.billed_note(the_plan, chosen):
            output.write(billed)
        if chosen.throughput is not None:
            output.write(plan_view.throughput_note(chosen.throughput))
    for warning in the_plan.warnings:
        if chosen is None and warning == the_plan.no_pick:
            continue  # the error below says it, with the fix
        output.warn(warning)
