"""akscli ray: Ray on AKS through KubeRay (RayCluster, RayJob, RayService).

Thin: parse flags, call ``akscli.ray`` (validation, objects, status, diagnosis, waits), apply
through ``common.apply_objects`` and print through ``akscli.output``.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import errors, output, validate
from akscli import ray as logic
from akscli.cli import common
from akscli.cli import options as opts

if TYPE_CHECKING:
    from akscli.kube.client import Kube, KubeTarget

RAY = logic.RAY_API
APPLY_FORMATS = ("table", "yaml", "json", "name")


def _typer(help: str, name: str | None = None) -> typer.Typer:
    return typer.Typer(name=name, help=help, no_args_is_help=True, rich_markup_mode=None, add_completion=False)


app = _typer("Ray on Kubernetes through KubeRay: clusters, jobs, services.", name="ray")
cluster_app = _typer("Ray clusters (RayCluster).")
workergroup_app = _typer("Worker groups of a Ray cluster.")
job_app = _typer("Ray jobs (RayJob): submit, follow, logs, stop.")
service_app = _typer("Ray Serve applications (RayService).")
app.add_typer(cluster_app, name="cluster")
app.add_typer(workergroup_app, name="workergroup")
app.add_typer(job_app, name="job")
app.add_typer(service_app, name="service")

# ---- options --------------------------------------------------------------------------------


def _option(*names: str, help: str, kind: Any = str | None) -> Any:
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
        "--gpu-pool", help="AKS node pool for the workers (node selector + GPU tolerations).", show_default=False
    ),
]
Spot = Annotated[bool, typer.Option("--spot", help="Run the workers on AKS spot nodes (selector + spot toleration).")]
Labels = Annotated[
    list[str] | None,
    typer.Option("--label", help="Label for the Ray object, key=value (repeatable).", show_default=False),
]
Tail = Annotated[int | None, typer.Option("--tail", help="Last N lines.", show_default=False)]
ApplyOutput = Annotated[
    str, opts.output_option(("table", "yaml", "json", "name"), "what was applied; --dry-run=client: the manifests")
]
Group = Annotated[str, typer.Option("--group", help="Worker group name.")]
ClusterName = Annotated[str, typer.Argument(help="Ray cluster name.")]
JobName = Annotated[str, typer.Argument(help="RayJob name.")]
ServiceName = Annotated[str, typer.Argument(help="RayService name.")]

# The options of a new Ray cluster, shared by cluster create, job submit and service deploy, in
# the order --help lists them; ``with_cluster_flags`` hands them to a command as one ClusterFlags.
CLUSTER_OPTIONS: dict[str, Any] = {
    "ray_version": _option("--ray-version", help=f"Ray version (default {logic.DEFAULT_RAY_VERSION})."),
    "image": Image,
    "head_cpu": _option("--head-cpu", help="Head CPU (default 2)."),
    "head_memory": _option("--head-memory", help="Head memory (default 8Gi)."),
    "head_gpu": _option("--head-gpu", help="GPUs for the head (default 0).", kind=int | None),
    "worker_replicas": _option(
        "--worker-replicas", help="Replicas of the default worker group (default 1).", kind=int | None
    ),
    "worker_min": _option("--worker-min", help="Autoscaler minimum of the default group.", kind=int | None),
    "worker_max": _option("--worker-max", help="Autoscaler maximum of the default group.", kind=int | None),
    "worker_cpu": _option("--worker-cpu", help="Worker CPU (default 1)."),
    "worker_memory": _option("--worker-memory", help="Worker memory (default 4Gi)."),
    "worker_gpu": _option("--worker-gpu", help="GPUs per worker (default 0).", kind=int | None),
    "gpu_pool": GpuPool,
    "spot": Spot,
    "worker_selector": _option(
        "--worker-node-selector",
        help="Extra node selector for the workers, key=value (repeatable).",
        kind=list[str] | None,
    ),
    "worker_group": _option(
        "--worker-group",
        help="A worker group: name=N,replicas=R,min=A,max=B,cpu=C,memory=M,gpu=G,vm=VM_SIZE,"
        "ephemeral-storage=S,pool=POOL,spot (repeatable; replaces the default group).",
        kind=list[str] | None,
    ),
    "worker_vm_size": _option(
        "--worker-vm-size",
        help="VM size of the GPU workers' nodes: they get their GPUs' share of its CPUs and memory "
        "(default: read from --gpu-pool's nodes).",
    ),
    "worker_ephemeral_storage": _option("--worker-ephemeral-storage", help="Ephemeral storage per worker."),
    "head_ephemeral_storage": _option("--head-ephemeral-storage", help="Ephemeral storage of the head."),
    "head_selector": _option(
        "--head-node-selector", help="Node selector for the head, key=value (repeatable).", kind=list[str] | None
    ),
    "autoscaler": _option(
        "--autoscaler", help="Turn on the Ray autoscaler, version v1|v2 (autoscalerOptions.version)."
    ),
    "service_account": _option("--service-account", help="Service account of the head and worker pods."),
    "annotation": _option(
        "--annotation", help="Annotation for the Ray object, key=value (repeatable).", kind=list[str] | None
    ),
}


# Replaces a command's ``cluster_flags`` parameter by CLUSTER_OPTIONS, handed over as one ClusterFlags.
with_cluster_flags = opts.flag_block(CLUSTER_OPTIONS, "cluster_flags", logic.ClusterFlags, defaults={"spot": False})

# Puts -n, --kubeconfig and --context in place of a command's ``k8s: opts.KubeFlags`` parameter
# (not ``cluster``: in this group that names a Ray cluster).
_on_cluster = opts.on_kube("namespace", "kubeconfig", "context", into="k8s")


# ---- helpers --------------------------------------------------------------------------------


def _columns(columns: list[output.Column], all_namespaces: bool) -> list[output.Column]:
    """With -A the namespace leads the table, as in kubectl; otherwise it is a wide column."""
    if not all_namespaces:
        return columns
    return [output.Column("namespace", "metadata.namespace")] + [c for c in columns if c.header != "namespace"]


def _list(
    kind: str,
    columns: list[output.Column],
    k8s: opts.KubeFlags,
    all_namespaces: bool,
    selector: str | None,
    output_format: str,
) -> None:
    fmt = opts.output_format(output_format)
    kube, ns = k8s.connect_ns()
    items = kube.list(
        RAY,
        kind,
        namespace=ns,
        all_namespaces=all_namespaces,
        label_selector=validate.label_selector(selector) if selector else None,
    )
    output.emit(items, fmt, _columns(columns, all_namespaces))


def _delete(
    kind: str,
    name: str,
    what: str,
    k8s: opts.KubeFlags,
    yes: bool,
    dry_run: str,
    *,
    also: Callable[[Kube, str], list[tuple[str, str, str, str | None]]] = lambda _kube, _ns: [],
) -> None:
    """Delete one Ray object (and what ``also`` names) after a confirmation."""
    validate.name(name, f"{what} name")
    kube, ns = k8s.connect_ns()
    logic.get_object(kube, kind, name, ns)
    refs = [(RAY, kind, name, ns), *also(kube, ns)]
    common.delete_objects(kube, refs, yes=yes, what=f"{what} {name} in namespace {ns}", dry_run=dry_run)


def _audit(action: str, kube: Kube, ref: str, change: str, **details: str) -> None:
    common.record_audit(action, kube, [], "success", objects=[{"object": ref, "action": change, **details}])


def _show(summary: dict[str, Any], fields: list[tuple[str, Any]], fmt: str) -> None:
    """A status summary: the whole object as json|yaml, the chosen rows as a table."""
    output.emit_object(summary, fmt, fields=fields if fmt == "table" else None)


def _warn(warnings: Sequence[str]) -> None:
    for warning in warnings:
        output.warn(warning)


def _print_logs(
    kube: Kube, ns: str, sources: Sequence[logic.LogSource], tail: int | None, follow: bool = False
) -> None:
    for source in sources:
        if len(sources) > 1:
            output.info(f"==> {source.pod} <==")
        for line in kube.logs(ns, source.pod, container=source.container, follow=follow, tail_lines=tail):
            output.write(line)


def _tail(tail: int | None) -> int | None:
    return None if tail is None else validate.integer(tail, "--tail", 1, 1_000_000)


# ---- cluster --------------------------------------------------------------------------------


@cluster_app.command("create")
@_on_cluster
@with_cluster_flags
def cluster_create(
    name: ClusterName,
    file: Annotated[
        str | None,
        typer.Option("-f", "--filename", help="Start from a RayCluster YAML.", show_default=False),
    ] = None,
    cluster_flags: logic.ClusterFlags = logic.ClusterFlags(),
    label: Labels = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: opts.Timeout = "10m",
    yes: opts.Yes = False,
    force_conflicts: opts.ForceConflicts = False,
    output_format: ApplyOutput = "table",
) -> None:
    """Create or update a Ray cluster (--wait: RayClusterProvisioned and HeadPodReady)."""
    mode = opts.dry_run_mode(dry_run)
    fmt = opts.output_format(output_format, APPLY_FORMATS)
    conn = logic.Connection(None if mode == "client" else k8s.target(), k8s.namespace)
    built = logic.cluster_objects(name, cluster_flags, label or [], file, conn)
    _warn(built.warnings)
    common.apply_objects(
        built.objects,
        stack=f"ray-{name}",
        target=k8s.target(),
        dry_run=mode,
        wait=wait,
        timeout=timeout,
        yes=yes,
        force_conflicts=force_conflicts,
        output_format=fmt,
        action="ray cluster create",
    )


CLUSTER_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("namespace", "metadata.namespace", wide=True),
    output.Column("desired", lambda c: output.dig(c, "status.desiredWorkerReplicas", 0)),
    output.Column("available", lambda c: output.dig(c, "status.availableWorkerReplicas", 0)),
    output.Column("gpus", lambda c: output.dig(c, "status.desiredGPU", "0")),
    output.Column("status", lambda c: output.dig(c, "status.state") or "pending"),
    output.Column("age", output.age),
    output.Column("head pod", "status.head.podName", wide=True),
    output.Column("ray version", "spec.rayVersion", wide=True),
]


@cluster_app.command("list")
@_on_cluster
def cluster_list(
    k8s: opts.KubeFlags = opts.KubeFlags(),
    all_namespaces: opts.AllNamespaces = False,
    selector: opts.Selector = None,
    output_format: opts.Output = "table",
) -> None:
    """List Ray clusters."""
    _list("RayCluster", CLUSTER_COLUMNS, k8s, all_namespaces, selector, output_format)


@cluster_app.command("status")
@_on_cluster
def cluster_status(
    name: ClusterName,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Conditions, workers ready per group, GPUs in use, and why pods are stuck."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    validate.name(name, "Ray cluster name")
    kube, ns = k8s.connect_ns()
    cluster = logic.get_object(kube, "RayCluster", name, ns)
    summary = logic.cluster_summary(cluster, logic.cluster_pods(kube, ns, name))
    # KubeRay never sets state back from "ready": pods lost or stuck later are only seen here.
    findings = logic.diagnose_cluster(kube, ns, name)
    summary["problems"] = [vars(f) for f in findings]
    _show(summary, logic.cluster_summary_fields(summary, findings), fmt)


@cluster_app.command("scale")
@_on_cluster
def cluster_scale(
    name: ClusterName,
    group: Group,
    replicas: Annotated[int | None, typer.Option("--replicas", help="Desired replicas.", show_default=False)] = None,
    min_replicas: Annotated[int | None, typer.Option("--min", help="Autoscaler minimum.", show_default=False)] = None,
    max_replicas: Annotated[int | None, typer.Option("--max", help="Autoscaler maximum.", show_default=False)] = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Scale one worker group: --replicas, --min, --max (an autoscaled group: --min and --max only)."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    validate.name(name, "Ray cluster name")
    for value, what in ((replicas, "--replicas"), (min_replicas, "--min"), (max_replicas, "--max")):
        if value is not None:
            validate.integer(value, what, 0, 10_000)
    kube, ns = k8s.connect_ns()
    cluster = logic.get_object(kube, "RayCluster", name, ns)
    change = logic.scale_patch(cluster, group, replicas, min_replicas, max_replicas)
    result: dict[str, Any] = {"cluster": name, "namespace": ns, "group": group, "changed": change is not None}
    if change is not None:
        logic.patch_cluster(kube, cluster, change["ops"])
        _audit("ray cluster scale", kube, f"raycluster.ray.io/{name}", "scale", group=group)
        result.update(replicas=change["replicas"], min=change["min"], max=change["max"])
    if fmt != "table":
        output.emit_object(result, fmt)
    elif change is None:
        output.write(f"worker group {group} of {name} already matches; nothing changed")
    elif change.get("autoscaled"):
        output.write(
            f"worker group {group} of {name} now scales between {change['min']} and {change['max']} "
            "(the Ray autoscaler picks the replicas within them)"
        )
    else:
        output.write(
            f"worker group {group} of {name} scaled: replicas {change['replicas']}, "
            f"min {change['min']}, max {change['max']}"
        )


@cluster_app.command("delete")
@_on_cluster
def cluster_delete(
    name: ClusterName,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    yes: opts.Yes = False,
    dry_run: opts.DryRun = "none",
) -> None:
    """Delete a Ray cluster and its pods."""
    _delete("RayCluster", name, "Ray cluster", k8s, yes, dry_run)


def _label(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda obj: (obj["metadata"].get("labels") or {}).get(key)


NODE_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("cluster", _label(logic.CLUSTER_LABEL)),
    output.Column("type", _label(logic.NODE_TYPE_LABEL)),
    output.Column("group", _label(logic.GROUP_LABEL)),
    output.Column("ready", logic.pod_ready),
    output.Column("gpus", logic.pod_gpus),
    output.Column("status", "status.phase"),
    output.Column("age", output.age),
    output.Column("node", "spec.nodeName", wide=True),
    output.Column("ip", "status.podIP", wide=True),
]


@cluster_app.command("nodes")
@_on_cluster
def cluster_nodes(
    name: Annotated[str | None, typer.Argument(help="Ray cluster (default: every cluster).")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Worker group name.", show_default=False)] = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    all_namespaces: opts.AllNamespaces = False,
    output_format: opts.Output = "table",
) -> None:
    """List the Ray nodes (head and worker pods) of a cluster."""
    fmt = opts.output_format(output_format)
    selector = f"{logic.CLUSTER_LABEL}={validate.name(name, 'Ray cluster name')}" if name else logic.CLUSTER_LABEL
    if group:
        selector += f",{logic.GROUP_LABEL}={validate.name(group, 'worker group')}"
    kube, ns = k8s.connect_ns()
    kube.resource(RAY, "RayCluster")  # KubeRay missing: say so, rather than list no pods
    pods = kube.list("v1", "Pod", namespace=ns, all_namespaces=all_namespaces, label_selector=selector)
    output.emit(pods, fmt, _columns(NODE_COLUMNS, all_namespaces), raw=logic.ray_node)


@cluster_app.command("logs")
@_on_cluster
def cluster_logs(
    name: ClusterName,
    out_dir: Annotated[
        str | None,
        typer.Option("--out-dir", help="Write each pod's log to DIR/POD.log instead of stdout.", show_default=False),
    ] = None,
    node_type: Annotated[str, typer.Option("--node-type", help="head|worker|all.")] = "head",
    tail: Annotated[int | None, typer.Option("--tail", help="Last N lines of each log.", show_default=False)] = None,
    session: Annotated[
        bool,
        typer.Option(
            "--session-logs/--no-session-logs",
            help="With --out-dir: also copy each pod's Ray session logs (raylet, GCS, drivers) through exec.",
        ),
    ] = True,
    k8s: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """Logs of a cluster's Ray pods (head by default); --out-dir saves them with the Ray session logs."""
    kind = validate.choice(node_type, ("head", "worker", "all"), "--node-type")
    validate.name(name, "Ray cluster name")
    lines = _tail(tail)
    kube, ns = k8s.connect_ns()
    logic.get_object(kube, "RayCluster", name, ns)
    sources = logic.cluster_log_sources(kube, ns, name, kind, with_sidecars=bool(out_dir))
    if not sources:
        raise errors.NotFoundError(
            f"Ray cluster {name} has no {kind} pods", hint=f"see akscli ray cluster status {name}"
        )
    if out_dir:
        logic.save_logs(kube, ns, sources, Path(out_dir), lines, output.info)
        if session:
            logic.save_session_logs(kube, ns, sources, Path(out_dir), output.info)
    else:
        _print_logs(kube, ns, sources, lines)


# ---- worker groups --------------------------------------------------------------------------


@workergroup_app.command("add")
@_on_cluster
def workergroup_add(
    cluster: ClusterName,
    group: Annotated[str, typer.Argument(help="New worker group name.")],
    replicas: Annotated[
        int | None, typer.Option("--replicas", help="Replicas (default 1).", show_default=False)
    ] = None,
    min_replicas: Annotated[int | None, typer.Option("--min", help="Autoscaler minimum.", show_default=False)] = None,
    max_replicas: Annotated[int | None, typer.Option("--max", help="Autoscaler maximum.", show_default=False)] = None,
    cpu: Annotated[str | None, typer.Option("--worker-cpu", help="Worker CPU (default 1).", show_default=False)] = None,
    memory: Annotated[
        str | None, typer.Option("--worker-memory", help="Worker memory (default 4Gi).", show_default=False)
    ] = None,
    gpu: Annotated[
        int | None, typer.Option("--worker-gpu", help="GPUs per worker (default 0).", show_default=False)
    ] = None,
    gpu_pool: GpuPool = None,
    spot: Spot = False,
    node_selector: Annotated[
        list[str] | None, typer.Option("--node-selector", help="key=value (repeatable).", show_default=False)
    ] = None,
    vm_size: Annotated[
        str | None,
        typer.Option(
            "--vm-size",
            help="VM size of the nodes: GPU workers get their GPUs' share of its CPUs and memory "
            "(default: read from --gpu-pool's nodes).",
            show_default=False,
        ),
    ] = None,
    ephemeral_storage: Annotated[
        str | None, typer.Option("--ephemeral-storage", help="Ephemeral storage per worker.", show_default=False)
    ] = None,
    image: Image = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    dry_run: opts.DryRun = "none",
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Add a worker group to a running Ray cluster (--dry-run=client: print the JSON patch, no cluster)."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    mode = opts.dry_run_mode(dry_run)
    validate.name(cluster, "Ray cluster name")
    new = logic.worker_group(
        group,
        replicas=replicas,
        min_replicas=min_replicas,
        max_replicas=max_replicas,
        cpu=cpu,
        memory=memory,
        gpu=gpu,
        gpu_pool=gpu_pool,
        spot=spot,
        node_selector=node_selector or (),
        vm=vm_size,
        ephemeral_storage=ephemeral_storage,
    )
    group_image = validate.image(image, "--image") if image else None
    if mode == "client":
        ops = logic.offline_group_ops(cluster, k8s.namespace or "default", new, group_image)
        output.emit_object(ops, "yaml" if fmt == "table" else fmt)
        output.info(
            f"dry run (client): this JSON patch would be sent to raycluster.ray.io/{cluster}; nothing was sent "
            "(without the cluster: its head image, autoscaler and GPU nodes were not read)"
        )
        return
    kube, ns = k8s.connect_ns()
    current = logic.get_object(kube, "RayCluster", cluster, ns)
    added, warnings = logic.add_worker_group(kube, current, new, group_image, dry_run=mode == "server")
    _warn(warnings)
    if mode == "server":
        output.emit_object(added, "yaml" if fmt == "table" else fmt)
        output.info(f"dry run (server): the API server accepted the new group of {cluster}; nothing was changed")
        return
    _audit("ray workergroup add", kube, f"raycluster.ray.io/{cluster}", "add-group", group=group)
    if fmt != "table":
        output.emit_object(added, fmt)
    else:
        output.write(f"worker group {group} added to Ray cluster {cluster}")


WORKERGROUP_COLUMNS = [
    output.Column("cluster", "cluster"),
    output.Column("group", "name"),
    output.Column("ready", lambda g: f"{g['ready']}/{g['desired']}"),
    output.Column("min", "min"),
    output.Column("max", "max"),
    output.Column("gpus/pod", "gpus_per_pod"),
    output.Column("gpus in use", "gpus_in_use"),
    output.Column("namespace", "namespace", wide=True),
]


@workergroup_app.command("list")
@_on_cluster
def workergroup_list(
    cluster: Annotated[str | None, typer.Argument(help="Ray cluster (default: all).")] = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    all_namespaces: opts.AllNamespaces = False,
    output_format: opts.Output = "table",
) -> None:
    """Worker groups with desired, ready and GPU counts."""
    fmt = opts.output_format(output_format)
    if cluster:
        validate.name(cluster, "Ray cluster name")
    kube, ns = k8s.connect_ns()
    if cluster:
        clusters = [logic.get_object(kube, "RayCluster", cluster, ns)]
    else:
        clusters = list(kube.list(RAY, "RayCluster", namespace=ns, all_namespaces=all_namespaces))
    rows = logic.worker_group_rows(kube, clusters)
    output.emit(rows, fmt, WORKERGROUP_COLUMNS, name=lambda g: f"{g['cluster']}/{g['name']}")


# ---- jobs -----------------------------------------------------------------------------------


@job_app.command("submit")
@_on_cluster
@with_cluster_flags
def job_submit(
    entrypoint_args: Annotated[
        list[str] | None,
        typer.Argument(
            help="The entrypoint, after --: akscli ray job submit --cluster c -- python train.py",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="RayJob name (default: generated).", show_default=False)
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster", "-c", help="Run on this existing Ray cluster instead of a new one.", show_default=False
        ),
    ] = None,
    working_dir: Annotated[
        str | None,
        typer.Option(
            "--working-dir",
            help=f"Ship this directory (at most {logic.WORKDIR_LIMIT_BYTES // 1024} KiB) as the job's working_dir.",
            show_default=False,
        ),
    ] = None,
    runtime_env_file: Annotated[
        str | None,
        typer.Option(
            "--runtime-env", help="runtime_env YAML file (pip, env_vars, working_dir URI...).", show_default=False
        ),
    ] = None,
    pip: Annotated[
        list[str] | None, typer.Option("--pip", help="pip requirement (repeatable).", show_default=False)
    ] = None,
    env: Annotated[
        list[str] | None, typer.Option("--env", help="KEY=VALUE for the job (repeatable).", show_default=False)
    ] = None,
    entrypoint_cpus: Annotated[
        float | None,
        typer.Option("--entrypoint-num-cpus", help="CPUs reserved for the entrypoint.", show_default=False),
    ] = None,
    entrypoint_gpus: Annotated[
        float | None,
        typer.Option("--entrypoint-num-gpus", help="GPUs reserved for the entrypoint.", show_default=False),
    ] = None,
    entrypoint_resource: Annotated[
        list[str] | None,
        typer.Option("--entrypoint-resource", help="Custom resource NAME=AMOUNT (repeatable).", show_default=False),
    ] = None,
    shutdown: Annotated[
        bool,
        typer.Option("--shutdown/--keep-cluster", help="Delete the job's own cluster when the job ends."),
    ] = True,
    ttl: Annotated[str, typer.Option("--ttl", help="Keep the finished job's cluster this long.")] = "5m",
    deadline: Annotated[
        str | None,
        typer.Option("--deadline", help="Fail the job after this long (activeDeadlineSeconds).", show_default=False),
    ] = None,
    cluster_flags: logic.ClusterFlags = logic.ClusterFlags(),
    label: Labels = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: Annotated[str, typer.Option("--timeout", help="How long --wait follows the job.")] = "1h",
    yes: opts.Yes = False,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Submit a Ray job: a RayJob on a new cluster (flags) or an existing one (--cluster)."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    mode = opts.dry_run_mode(dry_run)
    wait_seconds = validate.duration(timeout, "--timeout")
    job_flags = logic.JobFlags(
        name=name,
        cluster=cluster,
        working_dir=working_dir,
        runtime_env_file=runtime_env_file,
        pip=pip or (),
        env=env or (),
        entrypoint_cpus=entrypoint_cpus,
        entrypoint_gpus=entrypoint_gpus,
        entrypoint_resources=entrypoint_resource or (),
        shutdown=shutdown,
        ttl=ttl,
        deadline=deadline,
        labels=label or (),
    )
    conn = logic.Connection(None if mode == "client" else k8s.target(), k8s.namespace)
    submission = logic.job_objects(entrypoint_args or [], job_flags, cluster_flags, conn)
    _warn(submission.warnings)
    _report_workdir(submission.workdir)
    job, ns = submission.name, conn.namespace()
    if mode == "none":
        logic.ensure_job_is_new(conn.kube(), ns, job)
    target = k8s.target()
    kube = _apply_job(submission, target, mode, wait, yes, fmt)
    if kube is None:
        return
    output.info(f"submitted Ray job {job}; follow it with: akscli ray job status {job} -n {ns}")
    if wait:
        final = logic.follow_job(kube, ns, job, wait_seconds, output.progress)
        _finish(kube, final, fmt)


def _apply_job(
    submission: logic.JobSubmission, target: KubeTarget, mode: str, wait: bool, yes: bool, fmt: str
) -> Kube | None:
    """Apply a job's objects; the connection, or None when nothing was applied (a dry run)."""
    # With --wait, stdout carries the job's logs (or its final object with -o json|yaml), so
    # the applied objects are reported on stderr.
    to_stderr = wait and mode == "none"
    # A stderr that is not a terminal already got one progress line per applied object: printing
    # the result there too said "created" twice.
    sink = sys.stderr if output.stderr_is_tty() else io.StringIO()
    with contextlib.redirect_stdout(sink) if to_stderr else contextlib.nullcontext():
        outcome = common.apply_objects(
            submission.objects,
            stack=f"rayjob-{submission.name}",
            target=target,
            dry_run=mode,
            yes=yes,
            output_format=fmt,
            action="ray job submit",
        )
    return outcome.kube if mode == "none" else None


def _report_workdir(packed: logic.PackedWorkdir | None) -> None:
    if packed is None:
        return
    output.info(
        f"working directory: {packed.files} file(s), {packed.size / 1024:.1f} KiB "
        f"(limit {logic.WORKDIR_LIMIT_BYTES // 1024} KiB)"
    )
    if packed.skipped:
        output.warn(f"skipped {len(packed.skipped)} symlink(s) or special file(s): " + ", ".join(packed.skipped[:5]))


def _finish(kube: Kube, job: dict[str, Any], fmt: str) -> None:
    """Print a finished job's output (or the job itself) and fail unless it succeeded."""
    name = job["metadata"]["name"]
    if fmt == "table":
        # A job that never started (ValidationFailed, suspended) has no output to print.
        with contextlib.suppress(errors.NotFoundError):
            _print_job_output(kube, job, None, follow=False, timeout=0)
    else:
        output.emit_object(job, fmt)
    if not logic.job_succeeded(job):
        raise logic.job_failure(job)
    output.info(f"Ray job {name} succeeded")


JOB_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("job status", lambda j: logic.job_phase(j)[1]),
    output.Column("deployment", lambda j: logic.job_phase(j)[0]),
    output.Column("cluster", logic.job_cluster),
    output.Column("start", "status.startTime"),
    output.Column("end", "status.endTime"),
    output.Column("age", output.age),
    output.Column("namespace", "metadata.namespace", wide=True),
    output.Column("entrypoint", "spec.entrypoint", wide=True),
]


@job_app.command("list")
@_on_cluster
def job_list(
    k8s: opts.KubeFlags = opts.KubeFlags(),
    all_namespaces: opts.AllNamespaces = False,
    selector: opts.Selector = None,
    output_format: opts.Output = "table",
) -> None:
    """List Ray jobs."""
    _list("RayJob", JOB_COLUMNS, k8s, all_namespaces, selector, output_format)


@job_app.command("status")
@_on_cluster
def job_status(
    name: JobName,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the job until it ends, or not.")] = False,
    timeout: Annotated[str, typer.Option("--timeout", help="How long --wait follows.")] = "1h",
    k8s: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """A job's phases and, while it is stuck, why (pending pods, events, GPUs, image pulls)."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    validate.name(name, "Ray job name")
    seconds = validate.duration(timeout, "--timeout")
    kube, ns = k8s.connect_ns()
    job = logic.get_object(kube, "RayJob", name, ns)
    if wait:
        job = logic.follow_job(kube, ns, name, seconds, output.progress)
    findings = [] if logic.job_succeeded(job) else logic.diagnose_job(kube, job)
    summary = logic.job_summary(job, findings)
    _show(summary, logic.job_summary_fields(summary, findings), fmt)


@job_app.command("logs")
@_on_cluster
def job_logs(
    name: JobName,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Stream the job's output.")] = False,
    out_dir: Annotated[
        str | None, typer.Option("--out-dir", help="Write submitter and head pod logs into DIR.", show_default=False)
    ] = None,
    tail: Tail = None,
    timeout: Annotated[
        str, typer.Option("--timeout", help="With --follow: how long to wait for the job to start.")
    ] = "1h",
    k8s: opts.KubeFlags = opts.KubeFlags(),
) -> None:
    """The job's output (the submitter's log); --out-dir adds the head pod's log."""
    validate.name(name, "Ray job name")
    seconds = validate.duration(timeout, "--timeout")
    lines = _tail(tail)
    if follow and out_dir:
        raise errors.UsageError(
            "--follow and --out-dir cannot be combined",
            hint="stream with --follow, or save with --out-dir",
        )
    kube, ns = k8s.connect_ns()
    job = logic.get_object(kube, "RayJob", name, ns)
    if out_dir:
        sources = logic.job_log_sources(kube, job)
        logic.save_logs(kube, ns, sources, Path(out_dir), lines, output.info)
        # The head's session logs hold the driver's own log (job-driver-<id>.log).
        logic.save_session_logs(
            kube, ns, [s for s in sources if s.pod != sources[0].pod] or sources, Path(out_dir), output.info
        )
        return
    _print_job_output(kube, job, lines, follow=follow, timeout=seconds)


def _print_job_output(kube: Kube, job: dict[str, Any], tail: int | None, *, follow: bool, timeout: float) -> None:
    """The job's output: its submitter's log, or the Ray job API's for an HTTPMode job."""
    source = logic.job_output_source(kube, job, follow, timeout, output.info)
    if source is not None:
        _print_logs(kube, job["metadata"]["namespace"], [source], tail, follow=follow)
        return
    text = logic.dashboard_job_logs(kube, job)
    lines = text.splitlines()
    for line in lines[-tail:] if tail else lines:
        output.write(line)


@job_app.command("stop")
@_on_cluster
def job_stop(
    name: JobName,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    yes: opts.Yes = False,
) -> None:
    """Stop a running job (suspends a job that owns its cluster; stops it through the
    dashboard API on a shared --cluster)."""
    validate.name(name, "Ray job name")
    kube, ns = k8s.connect_ns()
    job = logic.get_object(kube, "RayJob", name, ns)
    if logic.job_finished(job):
        deployment, status = logic.job_phase(job)
        output.info(f"Ray job {name} already ended ({deployment}, job {status})")
        return
    common.confirm(f"stop Ray job {name}", yes)
    logic.stop_job(kube, job)
    _audit("ray job stop", kube, f"rayjob.ray.io/{name}", "stop")
    output.write(f"rayjob.ray.io/{name} stopping")


@job_app.command("delete")
@_on_cluster
def job_delete(
    name: JobName,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    yes: opts.Yes = False,
    dry_run: opts.DryRun = "none",
) -> None:
    """Delete a RayJob (its own cluster goes with it) and its working-directory ConfigMap."""

    def workdir(kube: Kube, ns: str) -> list[tuple[str, str, str, str | None]]:
        configmap = logic.workdir_configmap_name(name)
        return [("v1", "ConfigMap", configmap, ns)] if kube.get("v1", "ConfigMap", configmap, namespace=ns) else []

    _delete("RayJob", name, "Ray job", k8s, yes, dry_run, also=workdir)


# ---- services -------------------------------------------------------------------------------


@service_app.command("deploy")
@_on_cluster
@with_cluster_flags
def service_deploy(
    name: ServiceName,
    file: Annotated[str, typer.Option("-f", "--filename", help="Ray Serve config (serveConfigV2).")],
    cluster_flags: logic.ClusterFlags = logic.ClusterFlags(),
    label: Labels = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: opts.Timeout = "15m",
    yes: opts.Yes = False,
    force_conflicts: opts.ForceConflicts = False,
    output_format: ApplyOutput = "table",
) -> None:
    """Deploy Ray Serve applications as a RayService (--wait: the Ready condition)."""
    mode = opts.dry_run_mode(dry_run)
    fmt = opts.output_format(output_format, APPLY_FORMATS)
    conn = logic.Connection(None if mode == "client" else k8s.target(), k8s.namespace)
    built = logic.service_objects(name, file, cluster_flags, label or [], conn)
    _warn(built.warnings)
    common.apply_objects(
        built.objects,
        stack=f"rayservice-{name}",
        target=k8s.target(),
        dry_run=mode,
        wait=wait,
        timeout=timeout,
        yes=yes,
        force_conflicts=force_conflicts,
        output_format=fmt,
        action="ray service deploy",
    )


@service_app.command("status")
@_on_cluster
def service_status(
    name: ServiceName,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Ready condition, serve endpoints and application statuses."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    validate.name(name, "RayService name")
    kube, ns = k8s.connect_ns()
    service = logic.get_object(kube, "RayService", name, ns)
    findings = logic.diagnose_service(kube, service)
    summary = logic.service_summary(service, findings)
    _show(summary, logic.service_summary_fields(summary, findings), fmt)


SERVICE_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("ready", logic.service_ready),
    output.Column("serve endpoints", lambda s: output.dig(s, "status.numServeEndpoints", 0)),
    output.Column("cluster", "status.activeServiceStatus.rayClusterName"),
    output.Column("age", output.age),
    output.Column("namespace", "metadata.namespace", wide=True),
]


@service_app.command("list")
@_on_cluster
def service_list(
    k8s: opts.KubeFlags = opts.KubeFlags(),
    all_namespaces: opts.AllNamespaces = False,
    output_format: opts.Output = "table",
) -> None:
    """List RayServices."""
    _list("RayService", SERVICE_COLUMNS, k8s, all_namespaces, None, output_format)


@service_app.command("delete")
@_on_cluster
def service_delete(
    name: ServiceName,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    yes: opts.Yes = False,
    dry_run: opts.DryRun = "none",
) -> None:
    """Delete a RayService and the Ray cluster it runs on."""
    _delete("RayService", name, "RayService", k8s, yes, dry_run)


# ---- dashboard ------------------------------------------------------------------------------


@app.command("dashboard")
@_on_cluster
def dashboard(
    ref: Annotated[
        str,
        typer.Argument(help="A Ray cluster: NAME, raycluster/NAME, rayjob/NAME or rayservice/NAME."),
    ],
    port_forward: Annotated[
        bool,
        typer.Option("--port-forward", help="Serve the dashboard on a local port until Ctrl-C."),
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Local port for --port-forward.")] = 8265,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """The Ray dashboard through the API server's service proxy (or a local forward)."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    validate.integer(port, "--port", 0, 65535)
    kube, ns = k8s.connect_ns()
    info: dict[str, Any] = logic.dashboard_info(kube, logic.resolve_cluster(kube, ref, ns))
    if not port_forward:
        if fmt != "table":
            output.emit_object(info, fmt)
            return
        output.write(info["url"])
        proxied = logic.proxy_path(ns, info["service"], logic.DASHBOARD_PORT)
        output.info(
            f"open it with your cluster credentials (e.g. through kubectl proxy: http://127.0.0.1:8001{proxied})"
        )
        return
    forwarder = logic.DashboardForwarder(kube, ns, info["cluster"], info["service"], port=port, progress=output.info)
    forwarder.start()
    info["local"] = forwarder.url
    if fmt == "table":
        output.write(forwarder.url)
    else:
        output.emit_object(info, fmt)
    output.info(f"forwarding {forwarder.url} to {info['service']}:{logic.DASHBOARD_PORT}; Ctrl-C stops")
    try:
        while True:
            time.sleep(3600)
    finally:
        forwarder.stop()
