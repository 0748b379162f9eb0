"""Operations: doctor, gpu usage, audit list/show, policy check/rules.

Thin commands: the checks live in akscli.doctor.checks, the counting in akscli.gpu.usage, the log in
akscli.audit and the rules in akscli.policy.engine.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import output
from akscli.cli import flag_types
from akscli.cli import options as opts
from akscli.cli.azopts import AzureFlags, on_azure
from akscli.output import Column

if TYPE_CHECKING:
    from akscli.azure.arm import AzureTarget
    from akscli.policy.cluster_results import OnCluster

_TEMPLATES = (output.JSONPATH, output.CUSTOM_COLUMNS)
DOCTOR_FORMATS = ("table", "wide", "json", "yaml", *_TEMPLATES)
GPU_USAGE_FORMATS = ("table", "wide", "json", "yaml", "csv", *_TEMPLATES)
POLICY_CHECK_FORMATS = ("table", "wide", "json", "yaml", "sarif", *_TEMPLATES)


def _output_option(formats: tuple[str, ...], note: str = "") -> Any:
    """``-o/--output`` whose help lists exactly the formats the command accepts."""
    return opts.output_option(formats, note)


def _sub_app(name: str, help_text: str) -> typer.Typer:
    app = typer.Typer(name=name, help=help_text, no_args_is_help=True, rich_markup_mode=None, add_completion=False)

    # A callback keeps the app a group: Typer runs a one-command app as that command.
    @app.callback()
    def _group() -> None:
        pass

    return app


# ---- doctor ----------------------------------------------------------------------------------

_DOCTOR_COLUMNS = [
    Column("component", "component"),
    Column("check", "check"),
    Column("status", "status"),
    Column("needed by", lambda r: ",".join(r["neededBy"]), wide=True),
    Column("severity", "severity", wide=True),
    Column("detail", "detail"),
    Column("fix", lambda r: r["fix"] or ""),
]


# --kubeconfig, --context and --request-timeout, in place of a command's `cluster: KubeFlags`.
_on_cluster = flag_types.on_kube("kubeconfig", "context", "request_timeout")


@_on_cluster
@on_azure
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
    output_format: Annotated[str, _output_option(DOCTOR_FORMATS, "custom-columns: one row per check")] = "table",
    cluster: opts.KubeFlags = opts.KubeFlags(),
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Check the cluster for what akscli's command groups need, with the fix for each gap.

    With --for, exits non-zero (9) when a component a named group requires is missing or not
    ready, so a runbook can gate on it: akscli doctor --for model && akscli model deploy ...
    Without --for, only installed components that do not work block; absent ones are reported.
    Where a subscription is chosen (--subscription, $AZURE_SUBSCRIPTION_ID or the Azure CLI's
    default), doctor also asks Azure whether KEDA's identity may query the Azure Monitor workspace
    its ScaledObjects read (the Monitoring Data Reader role) and whether that identity's federated
    credentials trust KEDA's service account on this cluster's OIDC issuer; it reads nothing else there.
    """
    from akscli.doctor import checks as logic

    fmt = opts.output_format(output_format, DOCTOR_FORMATS)
    groups = logic.parse_groups(for_groups or [])
    kube = cluster.connect()
    with output.status("checking the cluster"):
        results = logic.run(kube, groups, lambda: _signed_in(azure))
    if output.structured(fmt):
        report = logic.report(kube.context_name, groups, results)
        output.emit_object(report, fmt, rows=report["checks"])
    else:
        output.emit([r.to_dict() for r in results], fmt, _DOCTOR_COLUMNS)
        found, absent = logic.found_and_absent(results)
        working, with_gaps = logic.working_and_not(found, results)
        output.info("found: " + (", ".join(working) or "none"))
        if with_gaps:
            output.info("found, with gaps: " + ", ".join(with_gaps) + " (see FIX)")
        missed, covered = logic.missing_and_covered(absent, results)
        if missed:
            scope = "" if groups else " (not required without --for)"
            output.info("not installed: " + ", ".join(missed) + scope)
        if covered:
            output.info(
                "not installed, not needed: " + ", ".join(covered) + " (another component does its job: see DETAIL)"
            )
        gaps = logic.optional_gaps(results)
        if gaps:
            output.info(f"{len(gaps)} optional gap(s): the features named in FIX are unavailable")
    logic.raise_if_blocked(results)


def _signed_in(azure: AzureFlags) -> "AzureTarget | None":
    """The subscription doctor asks Azure in: the flags', else none where no subscription is chosen
    (doctor reads the cluster and needs no Azure sign-in)."""
    from akscli.errors import UsageError

    try:
        return azure.target()
    except UsageError:
        if azure.subscription:
            raise
        return None


# ---- gpu usage -------------------------------------------------------------------------------

gpu_app = _sub_app("gpu", "GPU usage and the cost of idle GPUs.")


def _money(value: float | None) -> str | None:
    return None if value is None else f"{value:,.2f}"


_POOL_COLUMNS = [
    Column("pool", "pool"),
    Column("vm size", "vm_size"),
    Column("region", "region", wide=True),
    Column("priority", "priority", wide=True),
    Column("sharing", "sharing", wide=True),
    Column("nodes", "nodes", wide=True),
    Column("gpu nodes", "gpu_nodes"),
    Column("gpus", "gpus"),
    Column("unit", "unit"),
    Column("allocatable", "allocatable"),
    Column("requested", "requested"),
    Column("idle", "idle"),
    Column("idle nodes", "idle_nodes"),
    Column("unhealthy", "unhealthy", wide=True),
    Column("state", lambda p: f"{p['state']} ({p['held']})" if p["held"] else p["state"]),
    Column("vm usd/hour", lambda p: _money(p["usd_per_vm_hour"]), wide=True),
    Column("idle usd/hour", lambda p: _money(p["idle_usd_per_hour"]) or p["price_note"] or None),
    Column("idle usd/month", lambda p: _money(p["idle_usd_per_month"])),
]
_NAMESPACE_COLUMNS = [
    Column("namespace", "namespace"),
    Column("pods", "pods"),
    Column("claims", "claims", wide=True),
    Column("requested", "requested"),
    Column("slices", "slices"),
    Column("pending", "pending"),
    Column("usd/hour", lambda n: _money(n["usd_per_hour"])),
    Column("usd/month", lambda n: _money(n["usd_per_month"])),
    Column("unpriced", "unpriced", wide=True),
]


def _percent(value: float | None) -> str | None:
    return None if value is None else f"{value:g}%"


# With --utilization (gpu_activity.FIELDS): what the GPUs did over --window.
_UTIL_COLUMNS = [
    Column("gpu util", lambda r: _percent(r["gpu_util_percent"])),
    Column("gpu memory", lambda r: _percent(r["gpu_memory_used_percent"])),
]
# One flat CSV (gpu_usage.csv_rows): every field of both row kinds, named as in -o json; a field
# a row kind does not have is empty. Numbers are plain (no thousands separators).
_CSV_COLUMNS = [
    Column(key, key)
    for key in (
        "scope",
        "name",
        "vm_size",
        "region",
        "priority",
        "state",
        "held",
        "sharing",
        "nodes",
        "gpu_nodes",
        "gpus",
        "unit",
        "allocatable",
        "requested",
        "slices",
        "idle",
        "idle_nodes",
        "pending",
        "pods",
        "claims",
        "usd_per_vm_hour",
        "idle_usd_per_hour",
        "idle_usd_per_month",
        "usd_per_hour",
        "usd_per_month",
        "unpriced",
        "price_note",
    )
]


def _sign_in_flags() -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--auth and --tenant (the Azure flags' own), for the Azure Monitor workspace --prometheus names."""
    from akscli.cli import azopts

    return opts.flag_block({"auth": azopts.AzAuth, "tenant": azopts.AzTenant}, "azure", azopts.AzureFlags)


@gpu_app.command("usage")
@opts.reads_every_namespace
@_on_cluster
@_sign_in_flags()
def gpu_usage(
    output_format: Annotated[str, _output_option(GPU_USAGE_FORMATS, "custom-columns: one row per pool")] = "table",
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
    namespace: Annotated[
        str | None,
        opts.namespace_option("Only this namespace's row of the namespace table (default: every namespace)."),
    ] = None,
    utilization: Annotated[
        bool,
        typer.Option(
            "--utilization",
            help="Also each pool's and namespace's mean GPU utilization and GPU memory used over --window, "
            "from the DCGM exporter's metrics in the cluster's Prometheus (Prometheus Operator).",
        ),
    ] = False,
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            help="With --utilization: the span averaged, a Prometheus duration (default 1h).",
            show_default=False,
        ),
    ] = None,
    prometheus: Annotated[
        str | None,
        typer.Option(
            "--prometheus",
            help="With --utilization: the Prometheus to query: an in-cluster Service "
            "(http://NAME.NAMESPACE.svc.cluster.local:9090[/PREFIX], through the API server) or an Azure Monitor "
            "workspace's query endpoint (https://*.prometheus.monitor.azure.com, with an Entra token; "
            "--auth, --tenant).",
            show_default=False,
        ),
    ] = None,
    cluster: opts.KubeFlags = opts.KubeFlags(),
    azure: Any = None,
) -> None:
    """GPUs allocatable, requested and idle per node pool and namespace, and what idle GPUs cost.

    Pools with the most idle GPUs come first. Nodes and pods (and, with Dynamic Resource Allocation,
    ResourceSlices and ResourceClaims) are streamed page by page, so this works on clusters of any
    size. -n keeps one namespace's row; the pools and totals stay the whole cluster's (a GPU
    belongs to a node). --utilization adds what the GPUs actually did over --window: the mean
    DCGM_FI_DEV_GPU_UTIL (DCGM_FI_PROF_GR_ENGINE_ACTIVE for a MIG device) and framebuffer used
    that NVIDIA's dcgm-exporter reports, read from the
    Prometheus Operator's Prometheus through the API server's service proxy; without one, the
    usage is shown with one line on stderr that says why utilization is missing. --prometheus
    names another Prometheus, or the Azure Monitor workspace of managed Prometheus.
    """
    from akscli import errors, validate
    from akscli.gpu import activity as gpu_activity
    from akscli.gpu import prometheus_source
    from akscli.gpu import usage as gpu_usage
    from akscli.model import skus

    fmt = opts.output_format(output_format, GPU_USAGE_FORMATS)
    region = gpu_usage.use_prices(price_region, price_file)
    if namespace is not None:
        validate.name(namespace, "namespace")
    if window is not None and not utilization:
        raise errors.UsageError("--window needs --utilization", hint="akscli gpu usage --utilization --window 1h")
    span = gpu_activity.check_window(window or gpu_activity.DEFAULT_WINDOW)
    if prometheus is not None and not utilization:
        raise errors.UsageError(
            "--prometheus needs --utilization", hint=f"akscli gpu usage --utilization --prometheus {prometheus}"
        )
    source = prometheus_source.classify(prometheus) if prometheus is not None else None
    if (azure.auth or azure.tenant) and not (isinstance(source, prometheus_source.Direct) and source.scope):
        raise errors.UsageError(
            "--auth and --tenant sign in to an Azure Monitor workspace: they need --prometheus with its query endpoint",
            hint="akscli gpu usage --utilization --prometheus https://WORKSPACE-HASH.REGION.prometheus.monitor.azure.com",
        )
    kube = cluster.connect()
    with output.status("reading nodes and pods") as update:
        usage = gpu_usage.measure(
            kube, price_region=region, page_size=page_size, progress=update, keep_nodes=utilization
        )
    data = gpu_usage.in_namespace(usage.to_dict(), namespace)
    missing = None
    if utilization:
        with output.status(f"reading GPU utilization over {span} from Prometheus"):
            missing = gpu_activity.add(
                kube, usage, data, span, source, auth=azure.auth, tenant=azure.tenant, warn=output.warn
            )
    extra = _UTIL_COLUMNS if utilization else []
    if output.structured(fmt):
        output.emit_object(data, fmt, rows=data["pools"])
    elif fmt == "csv":
        csv_extra = [Column(k, k) for k in gpu_activity.FIELDS] if utilization else []
        output.emit(gpu_usage.csv_rows(data), "csv", _CSV_COLUMNS + csv_extra)
    else:
        output.emit(data["pools"], fmt, _POOL_COLUMNS + extra, empty="No GPU nodes found.")
        if data["namespaces"]:
            output.write("")
            output.emit(data["namespaces"], fmt, _NAMESPACE_COLUMNS + extra)
        elif namespace is not None:
            output.info(f"no GPU pods or claims in namespace {namespace}")
        output.info(gpu_usage.summary(data["totals"], skus.as_of()))
        busy = gpu_activity.summary(data, span) if utilization else None
        if busy:
            output.info(busy)
        if data["unpriced"]:
            output.warn(
                "no price for " + ", ".join(data["unpriced"]) + ": pass --price-region or --price-file "
                "(spot prices: the region <region>-spot in --price-file)"
            )
    if missing:
        output.warn(missing)


# ---- audit -----------------------------------------------------------------------------------

audit_app = _sub_app("audit", "The audit trail of changes made with akscli.")


def _audit_columns(allowed: bool = False) -> list[Column]:
    """``allowed``: `audit list --allowed` shows which rules each change overrode in the table too."""
    from akscli import audit

    return [
        Column("id", "id"),
        Column("time", "time"),
        Column("action", "action"),
        Column("who", audit.who),
        Column("context", audit.where),
        Column("namespace", "target.namespace", wide=True),
        Column("objects", audit.objects_summary),
        Column("result", "result"),
        Column("allowed", lambda e: ",".join(e.get("allowedRules") or []), wide=not allowed),
        Column("reason", "reason"),
    ]


def _filter(flag: str, help_text: str, *short: str) -> Any:
    return typer.Option(*short, flag, help=help_text, show_default=False)


@audit_app.command("list")
@opts.lists_no_kubernetes_objects
@opts.reads_every_namespace
def audit_list(
    since: Annotated[
        str | None, _filter("--since", "Only entries newer than this: a duration (30m, 2h, 7d) or an ISO time.")
    ] = None,
    action: Annotated[str | None, _filter("--action", "Only this action (glob, e.g. 'model*').")] = None,
    result: Annotated[str | None, _filter("--result", "Only this result (glob, e.g. 'failed*').")] = None,
    namespace: Annotated[str | None, opts.namespace_option("Only changes in this namespace (default: all).")] = None,
    cluster: Annotated[
        str | None, _filter("--cluster", "Only changes to this cluster or kubeconfig context.", "-c")
    ] = None,
    who: Annotated[str | None, _filter("--user", "Only changes by this identity (part of upn, oid or appid).")] = None,
    obj: Annotated[str | None, _filter("--object", "Only changes to this object (glob on kind/name or name).")] = None,
    allowed: Annotated[
        bool, typer.Option("--allowed", help="Only changes that overrode a policy rule with --allow.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, the newest.", min=1, max=1_000_000)] = 100,
    output_format: opts.Output = "table",
) -> None:
    """List audit entries, oldest first (the newest --limit of those that match)."""
    from akscli import audit

    fmt = opts.output_format(output_format)
    filters = audit.parse_filters(
        since=since,
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
        _audit_columns(allowed),
        name=lambda e: str(e.get("id")),
        empty=f"No audit entries match in {path}.",
    )
    if stats.skipped:
        output.warn(audit.skipped_line(path, stats))


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

    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    output.emit_object(audit.find(audit.log_path(), entry_id), fmt, name=lambda e: str(e.get("id")))


# ---- policy ----------------------------------------------------------------------------------

policy_app = _sub_app("policy", "Policy guardrails for manifests.")

_FINDING_COLUMNS = [
    Column("rule", "rule"),
    Column("severity", "severity"),
    Column("object", "object"),
    Column("message", "message"),
    Column("source", lambda f: f"{f['source']}:{f['line']}" if "line" in f else f.get("source"), wide=True),
]


# --allow and --policy-file are global flags (akscli.globals: accepted anywhere, taken off the
# command line before a command parses it). The commands that read them list them too, so that
# their --help shows the flags it talks about; Click never gets a value for them.
_Allow = Annotated[
    list[str] | None,
    typer.Option(
        "--allow",
        metavar="RULE",
        help="Let the error findings of RULE through (repeatable, or RULE,RULE; a global flag: also "
        "accepted before the command).",
        show_default=False,
    ),
]
_PolicyFile = Annotated[
    str | None,
    typer.Option(
        "--policy-file",
        metavar="PATH",
        help="A YAML file that enables, disables or re-grades rules (a global flag: also accepted before the command).",
        show_default=False,
    ),
]


@policy_app.command("check")
@flag_types.on_kube("namespace", "kubeconfig", "context", "request_timeout")
def policy_check(
    files: Annotated[
        list[str],
        typer.Option("-f", "--filename", help="A manifest file, a folder of them, or - for stdin (repeatable)."),
    ],
    output_format: Annotated[str, _output_option(POLICY_CHECK_FORMATS)] = "table",
    allow: _Allow = None,
    policy_file: _PolicyFile = None,
    cluster: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Check manifests against the policy rules, for CI.

    Exits 9 when an error-severity finding is not let through with --allow RULE; --policy-file
    enables, disables or re-grades rules. -o sarif feeds code-scanning uploads.

    -n: where objects without a namespace land. Offline unless --context or --kubeconfig is given:
    then it also lists, on stderr (and -o sarif as results), the cluster's Gatekeeper (Azure Policy)
    constraints whose match selects the objects or their pods, with their enforcement action and the
    violations their last audit found there. akscli does not evaluate their Rego: apply
    --dry-run=server shows a deny on the objects sent (on a workload's pods only where an
    ExpansionTemplate expands it).
    """
    from akscli.globals import FLAGS
    from akscli.policy import engine as policy

    del allow, policy_file  # global flags: akscli.globals.extract takes them into FLAGS before parsing

    fmt = opts.output_format(output_format, POLICY_CHECK_FORMATS)
    cluster.target()  # -n and --request-timeout are checked before a file is read
    on_cluster = bool(cluster.context or cluster.kubeconfig)
    namespace = cluster.client_namespace() if on_cluster else cluster.namespace
    places: list[tuple[str | None, int | None]] = []
    findings, objects = policy.check_paths(
        files, allow=FLAGS.allow, policy_file=FLAGS.policy_file, namespace=namespace, places=places
    )
    # SARIF carries the constraints, so they are read first; other formats print the findings first
    on = _cluster_constraints(cluster, objects, namespace or "default") if on_cluster and fmt == "sarif" else None
    if fmt == "sarif":
        from akscli.policy import cluster_results

        found, others = cluster_results.results(on.found, objects, places, on.context) if on else ([], [])
        output.emit_object(policy.sarif([*findings, *found], others=others), "json")
    else:
        output.emit(
            [f.to_dict() for f in findings],
            fmt,
            _FINDING_COLUMNS,
            name=lambda f: f"{f['rule']}/{f['object']}",
            empty=f"No findings in {len(objects)} object(s).",
        )
    if on_cluster:
        _say_constraints(on or _cluster_constraints(cluster, objects, namespace or "default"), files)
    policy.raise_if_blocked(findings, FLAGS.allow, "check failed", listed=True)
    # The job passes: say which errors --allow let through, or a CI log shows an error row and exit 0.
    let = [f.rule for f in findings if f.severity == "error" and f.rule in FLAGS.allow]
    if let:
        output.info(f"{len(let)} error finding(s) let through by --allow: {', '.join(sorted(set(let)))}")


def _cluster_constraints(cluster: opts.KubeFlags, objects: list[dict[str, Any]], namespace: str) -> "OnCluster":
    """``policy check --context``: the Gatekeeper constraints that would judge the files' objects."""
    from akscli.policy import cluster_results

    kube = cluster.connect()
    with output.status("reading the cluster's Gatekeeper constraints"):
        return cluster_results.read(kube, objects, namespace)


def _say_constraints(on: "OnCluster", files: list[str]) -> None:
    """The constraints, on stderr (in every format: -o sarif carries them too)."""
    from akscli.kube import gatekeeper

    for ns, reason in on.skipped.items():
        output.info(f"Gatekeeper's webhook skips namespace {ns} ({reason}): no constraint judges what lands there")
    for kind in on.forbidden:
        output.warn(f"could not list the {kind} constraints (forbidden): the webhook judges the objects all the same")
    for constraint in on.found:
        output.warn(gatekeeper.warning(constraint))
    if not on.found:
        output.info(f"no Gatekeeper constraint on {on.context} selects these objects")
    elif any(c.denies and c.at_admission for c in on.found):
        output.info(gatekeeper.DRY_RUN_HINT.format(files=" ".join(f"-f {f}" for f in files)))


_RULE_COLUMNS = [
    Column("rule", "rule"),
    Column("severity", lambda r: r["severity"] or "off"),
    Column("default", "default", wide=True),
    Column("summary", "summary"),
    Column("fix", "fix", wide=True),
    Column("upstream", lambda r: r["upstream"] or "akscli", wide=True),
]


@policy_app.command("rules")
@opts.lists_no_kubernetes_objects
def policy_rules(output_format: opts.Output = "table", policy_file: _PolicyFile = None) -> None:
    """List the rules with their effective severity (after --policy-file)."""
    from akscli.globals import FLAGS
    from akscli.policy import engine as policy

    del policy_file  # a global flag: akscli.globals.extract takes it into FLAGS before parsing

    fmt = opts.output_format(output_format)
    rows = policy.rule_rows(policy.load_config(FLAGS.policy_file))
    output.emit(rows, fmt, _RULE_COLUMNS, name=lambda r: str(r["rule"]))
