"""Operations: doctor, gpu usage, audit list/show, policy check/rules."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from akscli import output, validate
from akscli.cli import options as opts
from akscli.output import Column

# ---- doctor ----------------------------------------------------------------------------------

_DOCTOR_COLUMNS = [
    Column("component", "component"),
    Column("check", "check"),
    Column("status", "status"),
    Column("needed-by", lambda r: ",".join(r["neededBy"]), wide=True),
    Column("severity", "severity", wide=True),
    Column("detail", "detail"),
    Column("fix", lambda r: r["fix"] or ""),
]


def doctor(
    for_groups: Annotated[
        list[str] | None,
        typer.Option(
            "--for",
            help="Only the needs of these command groups: model, ray, fleet, baremetal, gpu "
            "(comma-separated or repeated).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("-o", "--output", help="Output format: table|wide|json|yaml.")
    ] = "table",
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
) -> None:
    """Check the cluster for what akscli's command groups need, with the fix for each gap.

    Exits non-zero (9) when a component a chosen group requires is missing or not ready, so a
    runbook can gate on it: akscli doctor --for model && akscli model deploy ...
    """
    from akscli import doctor as logic
    from akscli.kube.client import connect

    fmt = opts.output_format(output_format, ("table", "wide", "json", "yaml"))
    groups = logic.parse_groups(for_groups or [])
    kube = connect(opts.kube_target(kubeconfig, context, None, request_timeout))
    with output.status("checking the cluster"):
        results = logic.run(kube, groups)
    rows = [r.to_dict() for r in results]
    if fmt in ("json", "yaml"):
        output.emit_object(
            {
                "context": kube.context_name,
                "groups": list(groups or logic.GROUPS),
                "ready": not logic.blocking(results),
                "checks": rows,
            },
            fmt,
        )
    else:
        output.emit(rows, fmt, _DOCTOR_COLUMNS)
        gaps = [r for r in results if not r.ok and not r.required]
        if gaps:
            output.info(f"{len(gaps)} optional gap(s): the features named in FIX are unavailable")
    logic.raise_if_blocked(results)


# ---- gpu usage -------------------------------------------------------------------------------

gpu_app = typer.Typer(
    name="gpu",
    help="GPU usage and the cost of idle GPUs.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@gpu_app.callback()
def _gpu() -> None:
    """GPU usage and the cost of idle GPUs."""
    # A callback keeps `gpu` a group: Typer runs a one-command app as that command.


def _money(value: float | None) -> str | None:
    return None if value is None else f"{value:,.2f}"


_POOL_COLUMNS = [
    Column("pool", "pool"),
    Column("vm-size", "vm_size"),
    Column("region", "region", wide=True),
    Column("nodes", "nodes", wide=True),
    Column("gpu-nodes", "gpu_nodes"),
    Column("allocatable", "allocatable"),
    Column("requested", "requested"),
    Column("idle", "idle"),
    Column("idle-nodes", "idle_nodes"),
    Column("usd/vm-hour", lambda p: _money(p["usd_per_vm_hour"]), wide=True),
    Column("idle-usd/hour", lambda p: _money(p["idle_usd_per_hour"])),
    Column("idle-usd/month", lambda p: _money(p["idle_usd_per_month"])),
]
_NAMESPACE_COLUMNS = [
    Column("namespace", "namespace"),
    Column("pods", "pods"),
    Column("requested", "requested"),
    Column("pending", "pending"),
    Column("usd/hour", lambda n: _money(n["usd_per_hour"])),
    Column("usd/month", lambda n: _money(n["usd_per_month"])),
    Column("unpriced", "unpriced", wide=True),
]
# One flat CSV: a scope column tells pool rows from namespace rows.
_CSV_COLUMNS = [
    Column("scope", "scope"),
    Column("name", "name"),
    Column("vm_size", "vm_size"),
    Column("region", "region"),
    Column("nodes", "nodes"),
    Column("gpu_nodes", "gpu_nodes"),
    Column("allocatable", "allocatable"),
    Column("requested", "requested"),
    Column("idle", "idle"),
    Column("idle_nodes", "idle_nodes"),
    Column("pending", "pending"),
    Column("pods", "pods"),
    Column("usd_per_vm_hour", "usd_per_vm_hour"),
    Column("usd_per_hour", "usd_per_hour"),
    Column("usd_per_month", "usd_per_month"),
    Column("unpriced", "unpriced"),
]


@gpu_app.command("usage")
def gpu_usage(
    output_format: Annotated[
        str, typer.Option("-o", "--output", help="Output format: table|wide|json|yaml|csv.")
    ] = "table",
    price_region: Annotated[
        str | None,
        typer.Option(
            "--price-region",
            help="Price every node as if it ran in this region (default: each node's region label).",
            show_default=False,
        ),
    ] = None,
    price_file: Annotated[
        str | None,
        typer.Option(
            "--price-file",
            help="Your own prices (negotiated, reserved) per VM size; see docs/operations.md.",
            show_default=False,
        ),
    ] = None,
    page_size: Annotated[int, typer.Option("--page-size", help="Objects per list request.", min=50, max=5000)] = 500,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    request_timeout: opts.RequestTimeout = None,
) -> None:
    """GPUs allocatable, requested and idle per node pool and namespace, and what idle GPUs cost.

    Pools with the most idle GPUs come first. Nodes and pods are streamed page by page, so this
    works on clusters of any size.
    """
    from akscli import gpu_usage, skus
    from akscli.kube.client import connect

    fmt = opts.output_format(output_format, ("table", "wide", "json", "yaml", "csv"))
    if price_file:
        validate.existing_file(price_file, "--price-file")
        skus.load(price_file)
    region = validate.choice(price_region, skus.regions(), "--price-region") if price_region else None
    kube = connect(opts.kube_target(kubeconfig, context, None, request_timeout))
    with output.status("reading nodes and pods") as update:
        usage = gpu_usage.measure(kube, price_region=region, page_size=page_size, progress=update)
    data = usage.to_dict()
    if fmt in ("json", "yaml"):
        output.emit_object(data, fmt)
        return
    if fmt == "csv":
        rows = [{"scope": "pool", "name": p["pool"], **p} for p in data["pools"]]
        rows += [{"scope": "namespace", "name": n["namespace"], **n} for n in data["namespaces"]]
        output.emit(rows, "csv", _CSV_COLUMNS)
        return
    output.emit(data["pools"], fmt, _POOL_COLUMNS, empty="No GPU nodes found.")
    if data["namespaces"]:
        output.write("")
        output.emit(data["namespaces"], fmt, _NAMESPACE_COLUMNS)
    totals = data["totals"]
    cost = (
        f", ${totals['idleUsdPerHour']:,.2f}/hour, ${totals['idleUsdPerMonth']:,.2f}/month"
        if totals["idleUsdPerHour"] is not None
        else ""
    )
    output.info(
        f"{totals['idle']} of {totals['allocatable']} GPUs idle{cost} "
        f"({totals['nodesSeen']:,} nodes, {totals['podsSeen']:,} pods read; prices as of "
        f"{skus.as_of()})"
    )
    if data["unpriced"]:
        output.warn("no price for " + ", ".join(data["unpriced"]) + ": pass --price-region or --price-file")


# ---- audit -----------------------------------------------------------------------------------

audit_app = typer.Typer(
    name="audit",
    help="The audit trail of changes made with akscli.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _objects(entry: dict[str, Any]) -> str:
    refs = [str(o.get("object") or f"{o.get('kind', '')}/{o.get('name', '')}") for o in entry.get("objects") or []]
    return ",".join(refs[:3]) + (f",+{len(refs) - 3}" if len(refs) > 3 else "")


def _who(entry: dict[str, Any]) -> str:
    ident = entry.get("identity") or {}
    return str(
        ident.get("upn") or ident.get("appid") or ident.get("oid") or ident.get("user") or entry.get("localUser") or ""
    )


_AUDIT_COLUMNS = [
    Column("id", "id"),
    Column("time", "time"),
    Column("action", "action"),
    Column("who", _who),
    Column(
        "context",
        lambda e: (e.get("target") or {}).get("context") or (e.get("target") or {}).get("cluster"),
    ),
    Column("namespace", "target.namespace", wide=True),
    Column("objects", _objects),
    Column("result", "result"),
    Column("allowed", lambda e: ",".join(e.get("allowedRules") or []), wide=True),
    Column("reason", "reason"),
]


@audit_app.command("list")
def audit_list(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only entries newer than this: a duration (30m, 2h, 7d) or an ISO time.",
            show_default=False,
        ),
    ] = None,
    action: Annotated[
        str | None,
        typer.Option("--action", help="Only this action (glob, e.g. 'model*').", show_default=False),
    ] = None,
    result: Annotated[
        str | None,
        typer.Option("--result", help="Only this result (glob, e.g. 'failed*').", show_default=False),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option("-n", "--namespace", help="Only changes in this namespace.", show_default=False),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Only changes to this cluster or kubeconfig context.",
            show_default=False,
        ),
    ] = None,
    who: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="Only changes by this identity (part of upn, oid or appid).",
            show_default=False,
        ),
    ] = None,
    obj: Annotated[
        str | None,
        typer.Option(
            "--object",
            help="Only changes to this object (glob on kind/name or name).",
            show_default=False,
        ),
    ] = None,
    allowed: Annotated[
        bool,
        typer.Option("--allowed", help="Only changes that overrode a policy rule with --allow."),
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, the newest.", min=1, max=1_000_000)] = 100,
    output_format: opts.Output = "table",
) -> None:
    """List audit entries, oldest first (the newest --limit of those that match)."""
    from akscli import audit

    fmt = opts.output_format(output_format, ("table", "wide", "json", "yaml", "name"))
    for value, what in (
        (action, "--action"),
        (result, "--result"),
        (cluster, "--cluster"),
        (who, "--user"),
        (obj, "--object"),
    ):
        if value is not None:
            validate.text(value, what, 256)
    if namespace is not None:
        validate.name(namespace, "namespace")
    filters = audit.Filters(
        since=audit.since_time(since) if since else None,
        action=action,
        result=result,
        namespace=namespace,
        cluster=cluster,
        who=who,
        object=obj,
        allowed=allowed,
    )
    path = audit.log_path()
    stats = audit.ReadStats()
    found = audit.query(path, filters, limit=limit, stats=stats)
    output.emit(
        found,
        fmt,
        _AUDIT_COLUMNS,
        name=lambda e: str(e.get("id")),
        empty=f"No audit entries match in {path}.",
    )
    if stats.skipped:
        output.warn(f"{stats.skipped} line(s) of {path} are not audit entries and were skipped")


@audit_app.command("show")
def audit_show(
    entry_id: Annotated[
        str,
        typer.Argument(metavar="ID", help="An id (or its first characters) from 'akscli audit list'."),
    ],
    output_format: opts.ObjectOutput = "yaml",
) -> None:
    """Show one audit entry in full."""
    from akscli import audit

    fmt = opts.output_format(output_format, ("table", "json", "yaml"))
    output.emit_object(audit.find(audit.log_path(), entry_id.strip().lower()), fmt)


# ---- policy ----------------------------------------------------------------------------------

policy_app = typer.Typer(
    name="policy",
    help="Policy guardrails for manifests.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

_FINDING_COLUMNS = [
    Column("rule", "rule"),
    Column("severity", "severity"),
    Column("object", "object"),
    Column("message", "message"),
    Column("source", "source", wide=True),
]


@policy_app.command("check")
def policy_check(
    files: Annotated[
        list[str],
        typer.Option("-f", "--filename", help="A manifest file, a folder of them, or - for stdin (repeatable)."),
    ],
    output_format: Annotated[
        str, typer.Option("-o", "--output", help="Output format: table|wide|json|yaml|sarif.")
    ] = "table",
) -> None:
    """Check manifests against the policy rules, for CI.

    Exits 9 when an error-severity finding is not let through with --allow RULE; --policy-file
    enables, disables or re-grades rules. -o sarif feeds code-scanning uploads.
    """
    from akscli import policy
    from akscli.globals import FLAGS

    fmt = opts.output_format(output_format, ("table", "wide", "json", "yaml", "sarif"))
    for rule in FLAGS.allow:
        policy.known_rule(rule)
    config = policy.load_config(FLAGS.policy_file)
    objects, sources = policy.load_manifests(files)
    findings = policy.evaluate(objects, config, sources)
    if fmt == "sarif":
        output.write(_json(policy.sarif(findings)))
    else:
        output.emit(
            [f.to_dict() for f in findings],
            fmt,
            _FINDING_COLUMNS,
            name=lambda f: f"{f['rule']}/{f['object']}",
            empty=f"No findings in {len(objects)} object(s).",
        )
    policy.raise_if_blocked(findings, FLAGS.allow, "check failed", listed=True)


def _json(data: Any) -> str:
    from akscli import yamlio

    return yamlio.dump_json(data)


_RULE_COLUMNS = [
    Column("rule", "rule"),
    Column("severity", lambda r: r["severity"] or "off"),
    Column("default", "default", wide=True),
    Column("summary", "summary"),
    Column("fix", "fix", wide=True),
]


@policy_app.command("rules")
def policy_rules(output_format: opts.Output = "table") -> None:
    """List the rules with their effective severity (after --policy-file)."""
    from akscli import policy
    from akscli.globals import FLAGS

    fmt = opts.output_format(output_format, ("table", "wide", "json", "yaml", "name"))
    config = policy.load_config(FLAGS.policy_file)
    rows = [
        {
            "rule": r.id,
            "severity": config.severity(r.id),
            "default": r.severity,
            "summary": r.summary,
            "fix": r.fix,
        }
        for r in policy.RULES.values()
    ]
    output.emit(rows, fmt, _RULE_COLUMNS, name=lambda r: str(r["rule"]))
