"""Shared by the akscli ray commands: the sub-app factory, options, the cluster flag block, helpers."""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import errors, output
from akscli import ray as logic
from akscli.cli import common, completers, delete_many, flag_types
from akscli.cli import options as opts
from akscli.resource_type import ResourceType

if TYPE_CHECKING:
    from akscli.kube.client import Kube

RAY = logic.RAY_API


def typer_app(help: str, name: str | None = None) -> typer.Typer:
    return typer.Typer(name=name, help=help, no_args_is_help=True, rich_markup_mode=None, add_completion=False)


# ---- options --------------------------------------------------------------------------------


def option(*names: str, help: str, kind: Any = str | None) -> Any:
    # Only for CLUSTER_OPTIONS: annotations built at run time, which Typer reads and mypy does not.
    return Annotated[kind, typer.Option(*names, help=help, show_default=False)]


Image = Annotated[
    str | None,
    typer.Option(
        "--image", help="Ray image (default rayproject/ray:VERSION, -gpu when GPUs are asked for).", show_default=False
    ),
]
GpuPool = Annotated[
    str | None,
    typer.Option(
        "--gpu-pool",
        help="AKS node pool or NAP NodePool for the workers (node selector + GPU tolerations).",
        show_default=False,
    ),
]
Spot = Annotated[bool, typer.Option("--spot", help="Run the workers on AKS spot nodes (selector + spot toleration).")]
Labels = Annotated[
    list[str] | None,
    typer.Option("--label", help="Label for the Ray object, key=value (repeatable).", show_default=False),
]
Tail = Annotated[
    int | None,
    typer.Option("--tail", help="Last N lines (-1: every line, as kubectl logs --tail=-1).", show_default=False),
]
ApplyOutput = flag_types.ApplyOutput
Group = Annotated[str, typer.Option("--group", help="Worker group name.")]
# The name of a Ray object the command reads or changes completes from the cluster (<TAB>), as
# kubectl completes `kubectl get raycluster <TAB>` (kubernetes/kubectl pkg/util/completion/completion.go
# ResourceNameCompletionFunc); a name the command creates (New...) does not.
# It also takes kubectl's TYPE/NAME (options.type_name): each TYPE kubectl takes for the resource,
# from KubeRay's CRDs (ray-project/kuberay 59d663ae ray-operator/config/crd/bases/ray.io_rayclusters.yaml,
# ray.io_rayjobs.yaml, ray.io_rayservices.yaml: spec.names, no shortNames; served v1 and v1alpha1).
RAY_CLUSTERS = ResourceType("ray.io", "rayclusters", "raycluster", versions=("v1", "v1alpha1"))
RAY_JOBS = ResourceType("ray.io", "rayjobs", "rayjob", versions=("v1", "v1alpha1"))
RAY_SERVICES = ResourceType("ray.io", "rayservices", "rayservice", versions=("v1", "v1alpha1"))


def _typed(resource: ResourceType, what: str, listing: str) -> Any:
    return opts.type_name(f"{resource.singular}.ray.io", what, listing, resources=[resource])


# The callback of every argument that names an existing Ray cluster (cluster nodes, workergroup list too).
cluster_name = _typed(RAY_CLUSTERS, "Ray cluster name", "akscli ray cluster list")
ClusterName = Annotated[
    str,
    typer.Argument(
        help="Ray cluster name; raycluster.ray.io/NAME as -o name prints it also works.",
        autocompletion=completers.ray_clusters,
        callback=cluster_name,
    ),
]
NewClusterName = Annotated[str, typer.Argument(help="Ray cluster name.")]
JobName = Annotated[
    str,
    typer.Argument(
        help="RayJob name; rayjob.ray.io/NAME as -o name prints it also works.",
        autocompletion=completers.ray_jobs,
        callback=_typed(RAY_JOBS, "RayJob name", "akscli ray job list"),
    ),
]
ServiceName = Annotated[
    str,
    typer.Argument(
        help="RayService name; rayservice.ray.io/NAME as -o name prints it also works.",
        autocompletion=completers.ray_services,
        callback=_typed(RAY_SERVICES, "RayService name", "akscli ray service list"),
    ),
]
NewServiceName = Annotated[str, typer.Argument(help="RayService name.")]

# The options of a new Ray cluster, shared by cluster create, job submit and service deploy, in
# the order --help lists them; ``with_cluster_flags`` hands them to a command as one ClusterFlags.
CLUSTER_OPTIONS: dict[str, Any] = {
    "ray_version": option("--ray-version", help=f"Ray version (default {logic.DEFAULT_RAY_VERSION})."),
    "image": Image,
    "head_cpu": option("--head-cpu", help="Head CPU (default 2)."),
    "head_memory": option("--head-memory", help="Head memory (default 8Gi)."),
    "head_gpu": option("--head-gpu", help="GPUs for the head (default 0).", kind=int | None),
    "worker_replicas": option(
        "--worker-replicas", help="Replicas of the default worker group (default 1).", kind=int | None
    ),
    "worker_min": option("--worker-min", help="Autoscaler minimum of the default group.", kind=int | None),
    "worker_max": option("--worker-max", help="Autoscaler maximum of the default group.", kind=int | None),
    "worker_cpu": option("--worker-cpu", help="Worker CPU (default 1)."),
    "worker_memory": option("--worker-memory", help="Worker memory (default 4Gi)."),
    "worker_gpu": option("--worker-gpu", help="GPUs per worker (default 0).", kind=int | None),
    "gpu_pool": GpuPool,
    "spot": Spot,
    "worker_selector": option(
        "--worker-node-selector",
        help="Extra node selector for the workers, key=value (repeatable).",
        kind=list[str] | None,
    ),
    "worker_group": option(
        "--worker-group",
        help="A worker group: name=N,replicas=R,min=A,max=B,cpu=C,memory=M,gpu=G,vm=VM_SIZE,"
        "ephemeral-storage=S,pool=POOL,spot (repeatable; replaces the default group).",
        kind=list[str] | None,
    ),
    "worker_vm_size": option(
        "--worker-vm-size",
        help="VM size of the GPU workers' nodes: they get their GPUs' share of its CPUs and memory "
        "(default: read from --gpu-pool's nodes).",
    ),
    "worker_ephemeral_storage": option("--worker-ephemeral-storage", help="Ephemeral storage per worker."),
    "head_ephemeral_storage": option("--head-ephemeral-storage", help="Ephemeral storage of the head."),
    "head_selector": option(
        "--head-node-selector", help="Node selector for the head, key=value (repeatable).", kind=list[str] | None
    ),
    "autoscaler": option("--autoscaler", help="Turn on the Ray autoscaler, version v1|v2 (autoscalerOptions.version)."),
    "service_account": option("--service-account", help="Service account of the head and worker pods."),
    "annotation": option(
        "--annotation", help="Annotation for the Ray object, key=value (repeatable).", kind=list[str] | None
    ),
}


# Replaces a command's ``cluster_flags`` parameter by CLUSTER_OPTIONS, handed over as one ClusterFlags.
with_cluster_flags = opts.flag_block(CLUSTER_OPTIONS, "cluster_flags", logic.ClusterFlags, defaults={"spot": False})

# Puts -n, --kubeconfig, --context and --request-timeout in place of a command's ``k8s: opts.KubeFlags``
# parameter (not ``cluster``: in this group that names a Ray cluster).
on_cluster = flag_types.on_kube("namespace", "kubeconfig", "context", "request_timeout", into="k8s")


# ---- helpers --------------------------------------------------------------------------------


def list_objects(
    kind: str,
    columns: "list[output.Column] | Callable[[Kube, str], list[output.Column]]",
    k8s: opts.KubeFlags,
    all_namespaces: bool,
    selector: str | None,
    output_format: str,
    keep: "Callable[[dict[str, Any]], bool] | None" = None,
    more: "Callable[[Kube, str, list[dict[str, Any]], str], list[dict[str, Any]]] | None" = None,
) -> None:
    """List ``kind`` page by page; ``columns``, or a function of the connection and the namespace
    (-n, or every one with -A: ``""``) giving them, for columns that read other objects. ``keep``:
    only the objects it keeps (a filter no label selector can say), as the pages arrive. ``more``:
    rows of what is not ``kind`` to list after the objects, from the connection, the namespace, the
    objects kept (held as a list then) and the format."""
    fmt = opts.output_format(output_format)
    chosen = opts.label_selector(selector)
    kube, ns = k8s.connect_ns()
    if callable(columns):
        columns = columns(kube, "" if all_namespaces else ns)
    items = kube.list(RAY, kind, namespace=ns, all_namespaces=all_namespaces, label_selector=chosen)
    if keep is not None:
        items = filter(keep, items)
    if more is not None:
        kept = list(items)
        items = iter([*kept, *more(kube, ns, kept, fmt)])
    empty = output.no_resources(None if all_namespaces else ns)
    output.emit(items, fmt, common.namespaced_columns(columns, all_namespaces), empty=empty)


def list_command(
    app: typer.Typer,
    kind: str,
    columns: "list[output.Column] | Callable[[Kube, str], list[output.Column]]",
    doc: str,
    func_name: str,
) -> Any:
    """Register `ray cluster|job|service list`: one signature, one body (list_objects)."""

    @on_cluster
    def command(
        k8s: opts.KubeFlags = opts.KubeFlags(),
        all_namespaces: flag_types.AllNamespaces = False,
        selector: flag_types.Selector = None,
        output_format: opts.Output = "table",
    ) -> None:
        list_objects(kind, columns, k8s, all_namespaces, selector, output_format)

    command.__name__ = command.__qualname__ = func_name
    command.__doc__ = doc
    return app.command("list")(command)


def delete_object(
    kind: str,
    names: Sequence[str],
    what: str,
    k8s: opts.KubeFlags,
    delete: opts.DeleteFlags,
    *,
    action: str,
    choose: tuple[str | None, bool, bool] = (None, False, False),
    also: "Callable[[Kube, str, str], list[tuple[str, str, str, str | None]]]" = lambda _kube, _name, _ns: [],
    warning: "Callable[[Kube], Callable[[dict[str, Any]], list[str]]]" = lambda _kube: lambda _obj: [],
) -> None:
    """Delete Ray objects (NAME..., or ``choose``: -l SELECTOR or --all, and -A, as kubectl delete:
    delete_many) and what ``also`` names for each (from the name and the namespace) after one
    confirmation that lists them all, with one wait for all (common.delete_objects). ``warning``:
    notes on stderr about each object before anything else (dry runs and -y included), e.g. that
    KubeRay makes it again; made once per command from the connection, so that what it reads for
    one object serves the next. A name that is not there is named after the others are deleted."""
    selector_, all_, every = choose
    selector = delete_many.check_choice(names, selector_, all_, f"{what} name")
    kube, ns = k8s.connect_ns()
    warnings_of = warning(kube)

    def refs_of(name: str, where: str | None, listed: dict[str, Any] | None) -> list[tuple[str, str, str, str | None]]:
        obj = listed if listed is not None else logic.get_object(kube, kind, name, where or ns)
        for said in warnings_of(obj):
            output.warn(said)
        here = obj["metadata"].get("namespace") or ns
        return [(RAY, kind, name, here), *also(kube, name, here)]

    delete_many.delete_chosen(
        kube,
        (RAY, kind, ns),
        names,
        selector,
        refs_of,
        delete,
        action=action,
        wait=delete.wait_seconds("5m"),
        all_namespaces=every,
    )


def delete_command(
    app: typer.Typer,
    kind: str,
    what: str,
    name_type: Any,
    doc: str,
    func_name: str,
    action: str,
    **hooks: Any,
) -> Any:
    """Register `ray cluster|job|service delete` (``action``: its audit name): one signature
    (``name_type``: the NAME argument's Annotated type), one body (delete_object; ``hooks``: its
    ``also`` and ``warning``)."""

    def command(
        names: list[str] | None = None,
        k8s: opts.KubeFlags = opts.KubeFlags(),
        selector: flag_types.Selector = None,
        all_: bool = False,
        all_namespaces: delete_many.AllNamespaces = False,
        delete: opts.DeleteFlags = opts.DeleteFlags(),
    ) -> None:
        choose = (selector, all_, all_namespaces)
        delete_object(kind, names or [], what, k8s, delete, action=action, choose=choose, **hooks)

    command.__annotations__["names"] = delete_many.names_argument(name_type)  # before on_delete reads the signature
    command.__annotations__["all_"] = delete_many.all_in_namespace(f"{kind}s")
    command.__name__ = command.__qualname__ = func_name
    command.__doc__ = doc
    return app.command("delete")(on_cluster(flag_types.on_delete(selects=True)(command)))


def connection(k8s: opts.KubeFlags, mode: str) -> logic.Connection:
    """The cluster a Ray command renders for: none with --dry-run=client, where the namespace is
    still -n, else the kubeconfig context's, else ``default`` (KubeFlags.client_namespace)."""
    if mode == "client":
        return logic.Connection(None, k8s.client_namespace())
    return logic.Connection(k8s.target(), k8s.namespace)


def build_and_apply(
    build: Callable[[logic.Connection], logic.Built],
    *,
    stack: str,
    action: str,
    k8s: opts.KubeFlags,
    dry_run: str,
    wait: bool,
    timeout: str,
    yes: bool,
    force_conflicts: bool,
    output_format: str,
    exit_code: bool = False,
    plan_notes: Callable[..., list[str]] | None = None,
) -> None:
    """Build a Ray object set and apply it (cluster create, service deploy): ``build`` gets a
    connection that reads nothing with --dry-run=client; its warnings go to stderr first. The
    plan says what KubeRay does to a RayService's clusters (``plan_notes``, else logic.kube_plan_notes).
    ``exit_code``: --exit-code, kubectl diff's exit status of the server dry run (cli/diff_status.py)."""
    from akscli.cli.diff_status import check_exit_code, found, would_change

    mode = opts.dry_run_mode(dry_run)
    check_exit_code(exit_code, mode)
    fmt = opts.output_format(output_format, output.APPLY_FORMATS)
    built = build(connection(k8s, mode))
    warn_all(built.warnings)
    try:
        outcome = common.apply_objects(
            built.objects,
            stack=stack,
            target=k8s.target(),
            dry_run=mode,
            wait=wait,
            timeout=timeout,
            yes=yes,
            force_conflicts=force_conflicts,
            output_format=fmt,
            action=action,
            plan_notes=plan_notes or logic.kube_plan_notes,
        )
    except errors.WaitTimeoutError as error:
        logic.explain_unpicked(error, k8s.connect_ns()[0])
        raise
    found(exit_code and would_change(outcome.changes))


def audit(action: str, kube: "Kube", ref: str, change: str, **details: str) -> None:
    common.record_audit(action, kube, [], "success", objects=[{"object": ref, "action": change, **details}])


def show(summary: dict[str, Any], fields: list[tuple[str, Any]], fmt: str, *, kind: str) -> None:
    """A status summary: the whole object as json|yaml, the chosen rows as a table (-o wide: the
    rows ``fields`` gives for wide, the report with more in it, as kubectl's wide printers add
    columns, not another view), and for -o name the object's ``kind.group/name`` (``kind``:
    raycluster.ray.io), as its list prints it."""
    rows = fields if fmt in ("table", "wide") else None
    output.emit_object(summary, fmt, fields=rows, name=lambda s: f"{kind}/{s['name']}")


def warn_all(warnings: Sequence[str]) -> None:
    for warning in warnings:
        output.warn(warning)


def print_logs(
    kube: "Kube", ns: str, sources: Sequence[logic.LogSource], tail: int | None, follow: bool = False
) -> None:
    for source in sources:
        if len(sources) > 1:
            output.info(f"==> {source.pod} <==")
        for line in kube.logs(ns, source.pod, container=source.container, follow=follow, tail_lines=tail):
            output.write(line, raw=True)  # as kubectl logs: the bytes as they came
