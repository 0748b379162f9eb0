"""akscli ray: Ray on AKS through KubeRay (RayCluster, RayJob, RayService).

Thin: parse and validate flags, call ``akscli.ray`` for values and diagnosis, render through
``akscli.render`` and apply through ``common.apply_objects``.
"""

from __future__ import annotations

import contextlib
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import errors, output, validate
from akscli import ray as logic
from akscli.cli import common
from akscli.cli import options as opts

if TYPE_CHECKING:
    from akscli.kube.client import Kube

RAY = logic.RAY_API

app = typer.Typer(
    name="ray",
    help="Ray on Kubernetes through KubeRay: clusters, jobs, services.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)
cluster_app = typer.Typer(
    help="Ray clusters (RayCluster).",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)
workergroup_app = typer.Typer(
    help="Worker groups of a Ray cluster.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)
job_app = typer.Typer(
    help="Ray jobs (RayJob): submit, follow, logs, stop.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)
service_app = typer.Typer(
    help="Ray Serve applications (RayService).",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)
app.add_typer(cluster_app, name="cluster")
app.add_typer(workergroup_app, name="workergroup")
app.add_typer(job_app, name="job")
app.add_typer(service_app, name="service")

# ---- the flags that describe a Ray cluster (cluster create, job submit, service deploy) -------

RayVersion = Annotated[
    str | None,
    typer.Option(
        "--ray-version",
        help=f"Ray version (default {logic.DEFAULT_RAY_VERSION}).",
        show_default=False,
    ),
]
Image = Annotated[
    str | None,
    typer.Option(
        "--image",
        help="Ray image (default rayproject/ray:VERSION, -gpu when GPUs are asked for).",
        show_default=False,
    ),
]
HeadCpu = Annotated[str | None, typer.Option("--head-cpu", help="Head CPU (default 2).", show_default=False)]
HeadMemory = Annotated[str | None, typer.Option("--head-memory", help="Head memory (default 8Gi).", show_default=False)]
HeadGpu = Annotated[
    int | None,
    typer.Option("--head-gpu", help="GPUs for the head (default 0).", show_default=False),
]
WorkerReplicas = Annotated[
    int | None,
    typer.Option(
        "--worker-replicas",
        help="Replicas of the default worker group (default 1).",
        show_default=False,
    ),
]
WorkerMin = Annotated[
    int | None,
    typer.Option("--worker-min", help="Autoscaler minimum of the default group.", show_default=False),
]
WorkerMax = Annotated[
    int | None,
    typer.Option("--worker-max", help="Autoscaler maximum of the default group.", show_default=False),
]
WorkerCpu = Annotated[str | None, typer.Option("--worker-cpu", help="Worker CPU (default 1).", show_default=False)]
WorkerMemory = Annotated[
    str | None,
    typer.Option("--worker-memory", help="Worker memory (default 4Gi).", show_default=False),
]
WorkerGpu = Annotated[
    int | None,
    typer.Option("--worker-gpu", help="GPUs per worker (default 0).", show_default=False),
]
GpuPool = Annotated[
    str | None,
    typer.Option(
        "--gpu-pool",
        help="AKS node pool for the workers (node selector + GPU tolerations).",
        show_default=False,
    ),
]
Spot = Annotated[
    bool,
    typer.Option("--spot", help="Run the workers on AKS spot nodes (selector + spot toleration)."),
]
WorkerSelector = Annotated[
    list[str] | None,
    typer.Option(
        "--worker-node-selector",
        help="Extra node selector for the workers, key=value (repeatable).",
        show_default=False,
    ),
]
WorkerGroups = Annotated[
    list[str] | None,
    typer.Option(
        "--worker-group",
        help="A worker group: name=N,replicas=R,min=A,max=B,cpu=C,memory=M,gpu=G,"
        "pool=POOL,spot (repeatable; replaces the default group).",
        show_default=False,
    ),
]
Labels = Annotated[
    list[str] | None,
    typer.Option("--label", help="Label for the Ray object, key=value (repeatable).", show_default=False),
]
APPLY_FORMATS = ("table", "yaml", "json", "name")
ApplyOutput = Annotated[
    str,
    typer.Option("-o", "--output", help="What was applied: table|yaml|json|name (--dry-run=client: the manifests)."),
]
Group = Annotated[str, typer.Option("--group", "-w", "--worker-group", help="Worker group name.")]


def _cluster_spec(
    name: str,
    namespace: str,
    *,
    ray_version: str | None,
    image: str | None,
    head_cpu: str | None,
    head_memory: str | None,
    head_gpu: int | None,
    worker_replicas: int | None,
    worker_min: int | None,
    worker_max: int | None,
    worker_cpu: str | None,
    worker_memory: str | None,
    worker_gpu: int | None,
    gpu_pool: str | None,
    spot: bool,
    worker_selector: list[str] | None,
    worker_groups: list[str] | None,
    labels: list[str] | None,
) -> logic.ClusterSpec:
    default_flags = [
        worker_replicas,
        worker_min,
        worker_max,
        worker_cpu,
        worker_memory,
        worker_gpu,
        gpu_pool,
        worker_selector or None,
    ]
    if worker_groups and (any(v is not None for v in default_flags) or spot):
        raise errors.UsageError(
            "--worker-group cannot be combined with the --worker-*, --gpu-pool and --spot flags",
            hint="put those settings into each --worker-group, e.g. --worker-group name=gpu,gpu=1,pool=gpua100,spot",
        )
    if worker_groups:
        groups = logic.check_groups([logic.parse_group(text) for text in worker_groups])
    else:
        groups = (
            logic.worker_group(
                logic.DEFAULT_GROUP,
                replicas=worker_replicas,
                min_replicas=worker_min,
                max_replicas=worker_max,
                cpu=worker_cpu,
                memory=worker_memory,
                gpu=worker_gpu,
                gpu_pool=gpu_pool,
                spot=spot,
                node_selector=worker_selector or (),
            ),
        )
    return logic.ClusterSpec(
        name=name,
        namespace=namespace,
        ray_version=logic.ray_version(ray_version) if ray_version else logic.DEFAULT_RAY_VERSION,
        image=validate.image(image, "--image") if image else None,
        head=logic.resources(head_cpu, head_memory, head_gpu, "head", logic.Resources(cpu="2", memory="8Gi")),
        groups=groups,
        labels=validate.labels(labels or [], "--label"),
    )


def _namespace(namespace: str | None, kube: Kube | None = None) -> str:
    if namespace:
        return validate.name(namespace, "namespace")
    return kube.namespace if kube is not None else "default"


def _connect(
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None,
    request_timeout: str | None = None,
) -> Kube:
    from akscli.kube.client import connect

    return connect(opts.kube_target(kubeconfig, context, namespace, request_timeout))


def _get(kube: Kube, kind: str, name: str, namespace: str) -> dict[str, Any]:
    obj = kube.get(RAY, kind, name, namespace=namespace)
    if obj is None:
        noun = {"RayCluster": "cluster", "RayJob": "job", "RayService": "service"}[kind]
        raise errors.NotFoundError(
            f"Ray {noun} {name} not found in namespace {namespace}",
            hint=f"list them with: akscli ray {noun} list -n {namespace}",
        )
    return obj


def _age(obj: dict[str, Any]) -> str:
    from datetime import UTC, datetime

    stamp = (obj.get("metadata") or {}).get("creationTimestamp")
    if not stamp:
        return "<unknown>"
    try:
        created = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return "<unknown>"
    seconds = int((datetime.now(UTC) - created).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def _load_cluster_file(path: str, name: str, namespace: str) -> dict[str, Any]:
    from akscli import yamlio

    file = validate.existing_file(path, "-f file")
    docs = yamlio.load_all(file.read_text(encoding="utf-8"), path)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise errors.UsageError(
            f"{path} must hold exactly one RayCluster",
            hint="write one apiVersion: ray.io/v1, kind: RayCluster document",
        )
    doc = docs[0]
    if doc.get("apiVersion") != RAY or doc.get("kind") != "RayCluster":
        raise errors.UsageError(
            f"{path} holds {doc.get('apiVersion')} {doc.get('kind')}, not ray.io/v1 RayCluster",
            hint="start from: akscli ray cluster create NAME --dry-run=client -o yaml",
        )
    meta = doc.setdefault("metadata", {})
    if meta.get("name") and meta["name"] != name:
        raise errors.UsageError(
            f"{path} names the cluster {meta['name']!r}, not {name!r}",
            hint="use the same name, or remove metadata.name from the file",
        )
    if meta.get("namespace") and meta["namespace"] != namespace:
        raise errors.UsageError(
            f"{path} is for namespace {meta['namespace']!r}, not {namespace!r}",
            hint=f"pass -n {meta['namespace']}",
        )
    meta.update(name=name, namespace=namespace)
    if not isinstance(doc.get("spec"), dict) or "headGroupSpec" not in doc["spec"]:
        raise errors.UsageError(f"{path} has no spec.headGroupSpec", hint="a RayCluster needs a head group")
    return doc


def _render_cluster(spec: logic.ClusterSpec) -> dict[str, Any]:
    from akscli.render import render

    return render("ray/raycluster.yaml.j2", logic.cluster_values(spec))[0]


# ---- cluster ------------------------------------------------------------------------------


@cluster_app.command("create")
def cluster_create(
    name: Annotated[str, typer.Argument(help="Ray cluster name.")],
    file: Annotated[
        str | None,
        typer.Option("-f", "--file", help="Start from a RayCluster YAML.", show_default=False),
    ] = None,
    ray_version: RayVersion = None,
    image: Image = None,
    head_cpu: HeadCpu = None,
    head_memory: HeadMemory = None,
    head_gpu: HeadGpu = None,
    worker_replicas: WorkerReplicas = None,
    worker_min: WorkerMin = None,
    worker_max: WorkerMax = None,
    worker_cpu: WorkerCpu = None,
    worker_memory: WorkerMemory = None,
    worker_gpu: WorkerGpu = None,
    gpu_pool: GpuPool = None,
    spot: Spot = False,
    worker_selector: WorkerSelector = None,
    worker_group: WorkerGroups = None,
    label: Labels = None,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: opts.Timeout = "10m",
    yes: opts.Yes = False,
    force_conflicts: opts.ForceConflicts = False,
    output_format: ApplyOutput = "table",
) -> None:
    """Create or update a Ray cluster (--wait: RayClusterProvisioned and HeadPodReady)."""
    validate.name(name, "Ray cluster name")
    mode = opts.dry_run_mode(dry_run)
    if file:
        flags = [
            ray_version,
            image,
            head_cpu,
            head_memory,
            head_gpu,
            worker_replicas,
            worker_min,
            worker_max,
            worker_cpu,
            worker_memory,
            worker_gpu,
            gpu_pool,
            worker_selector,
            worker_group,
        ]
        if any(v is not None for v in flags) or spot:
            raise errors.UsageError(
                "-f cannot be combined with cluster flags",
                hint="edit the file, or leave out -f and use flags",
            )
    # One connection for the namespace and the GPU check; --dry-run=client needs no cluster.
    kube = None if mode == "client" else _connect(kubeconfig, context, namespace)
    resolved_ns = _namespace(namespace, kube)
    if file:
        obj = _load_cluster_file(file, name, resolved_ns)
        if label:
            obj["metadata"].setdefault("labels", {}).update(validate.labels(label, "--label"))
    else:
        spec = _cluster_spec(
            name,
            resolved_ns,
            ray_version=ray_version,
            image=image,
            head_cpu=head_cpu,
            head_memory=head_memory,
            head_gpu=head_gpu,
            worker_replicas=worker_replicas,
            worker_min=worker_min,
            worker_max=worker_max,
            worker_cpu=worker_cpu,
            worker_memory=worker_memory,
            worker_gpu=worker_gpu,
            gpu_pool=gpu_pool,
            spot=spot,
            worker_selector=worker_selector,
            worker_groups=worker_group,
            labels=label,
        )
        if kube is not None:
            for warning in logic.check_gpu_capacity(kube, spec):
                output.warn(warning)
        obj = _render_cluster(spec)
    common.apply_objects(
        [obj],
        stack=f"ray-{name}",
        target=opts.kube_target(kubeconfig, context, namespace),
        dry_run=mode,
        wait=wait,
        timeout=timeout,
        yes=yes,
        force_conflicts=force_conflicts,
        output_format=opts.output_format(output_format, APPLY_FORMATS),
        action="ray cluster create",
    )


CLUSTER_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("namespace", "metadata.namespace", wide=True),
    output.Column("desired", lambda c: (c.get("status") or {}).get("desiredWorkerReplicas", 0)),
    output.Column("available", lambda c: (c.get("status") or {}).get("availableWorkerReplicas", 0)),
    output.Column("gpus", lambda c: (c.get("status") or {}).get("desiredGPU", "0")),
    output.Column("status", lambda c: (c.get("status") or {}).get("state") or "pending"),
    output.Column("age", _age),
    output.Column("head pod", "status.head.podName", wide=True),
    output.Column("ray version", "spec.rayVersion", wide=True),
]


@cluster_app.command("list")
def cluster_list(
    namespace: opts.Namespace = None,
    all_namespaces: opts.AllNamespaces = False,
    selector: opts.Selector = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """List Ray clusters."""
    fmt = opts.output_format(output_format)
    kube = _connect(kubeconfig, context, namespace)
    items = kube.list(
        RAY,
        "RayCluster",
        namespace=_namespace(namespace, kube),
        all_namespaces=all_namespaces,
        label_selector=validate.label_selector(selector) if selector else None,
    )
    output.emit(items, fmt, _columns(CLUSTER_COLUMNS, all_namespaces))


def _columns(columns: list[output.Column], all_namespaces: bool) -> list[output.Column]:
    """With -A the namespace leads the table, as in kubectl; otherwise it is a wide column."""
    if not all_namespaces:
        return columns
    return [output.Column("namespace", "metadata.namespace")] + [c for c in columns if c.header != "namespace"]


@cluster_app.command("status")
def cluster_status(
    name: Annotated[str, typer.Argument(help="Ray cluster name.")],
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Conditions, workers ready per group, GPUs in use, and why pods are stuck."""
    fmt = opts.output_format(output_format, ("table", "json", "yaml"))
    validate.name(name, "Ray cluster name")
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    cluster = _get(kube, "RayCluster", name, ns)
    summary = logic.cluster_summary(cluster, logic.cluster_pods(kube, ns, name))
    findings = [] if summary["state"] == "ready" else logic.diagnose_cluster(kube, ns, name)
    summary["problems"] = [vars(f) for f in findings]
    if fmt != "table":
        output.emit_object(summary, fmt)
        return
    fields: list[tuple[str, Any]] = [
        ("name", summary["name"]),
        ("namespace", summary["namespace"]),
        ("state", summary["state"]),
        ("ray version", summary["rayVersion"]),
        (
            "head",
            f"{summary['head']['pod']} ({'ready' if summary['head']['ready'] else 'not ready'})",
        ),
        ("gpus", f"{summary['gpus']['inUse']} in use of {summary['gpus']['desired']} desired"),
    ]
    for cond in summary["conditions"]:
        detail = f" ({cond['reason']})" if cond.get("reason") else ""
        fields.append((f"condition {cond['type']}", f"{cond['status']}{detail}"))
    for group in summary["groups"]:
        fields.append(
            (
                f"group {group['name']}",
                f"{group['ready']}/{group['desired']} ready (min {group['min']}, max "
                f"{group['max']}, {group['gpus_per_pod']} GPU/pod, {group['pending']} pending)",
            )
        )
    for finding in findings:
        fields.append(("problem", finding.line()))
    output.emit_object(summary, "table", fields=fields)


@cluster_app.command("scale")
def cluster_scale(
    name: Annotated[str, typer.Argument(help="Ray cluster name.")],
    group: Group,
    replicas: Annotated[
        int | None, typer.Option("--replicas", "-r", help="Desired replicas.", show_default=False)
    ] = None,
    min_replicas: Annotated[
        int | None,
        typer.Option("--min", "--min-replicas", help="Autoscaler minimum.", show_default=False),
    ] = None,
    max_replicas: Annotated[
        int | None,
        typer.Option("--max", "--max-replicas", help="Autoscaler maximum.", show_default=False),
    ] = None,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Scale one worker group: --replicas, --min, --max."""
    fmt = opts.output_format(output_format, ("table", "json", "yaml"))
    validate.name(name, "Ray cluster name")
    for value, what in ((replicas, "--replicas"), (min_replicas, "--min"), (max_replicas, "--max")):
        if value is not None:
            validate.integer(value, what, 0, 10_000)
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    cluster = _get(kube, "RayCluster", name, ns)
    change = logic.scale_patch(cluster, group, replicas, min_replicas, max_replicas)
    result = {"cluster": name, "namespace": ns, "group": group, "changed": change is not None}
    if change is not None:
        kube.patch(
            RAY,
            "RayCluster",
            name,
            change["ops"],
            namespace=ns,
            content_type="application/json-patch+json",
        )
        common.record_audit(
            "ray cluster scale",
            kube,
            [],
            "success",
            objects=[{"object": f"raycluster.ray.io/{name}", "action": "scale", "group": group}],
        )
        result.update(replicas=change["replicas"], min=change["min"], max=change["max"])
    if fmt != "table":
        output.emit_object(result, fmt)
    elif change is None:
        output.write(f"worker group {group} of {name} already matches; nothing changed")
    else:
        output.write(
            f"worker group {group} of {name} scaled: replicas {change['replicas']}, "
            f"min {change['min']}, max {change['max']}"
        )


@cluster_app.command("delete")
def cluster_delete(
    name: Annotated[str, typer.Argument(help="Ray cluster name.")],
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    yes: opts.Yes = False,
    dry_run: opts.DryRun = "none",
) -> None:
    """Delete a Ray cluster and its pods."""
    validate.name(name, "Ray cluster name")
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    _get(kube, "RayCluster", name, ns)
    common.delete_objects(
        kube,
        [(RAY, "RayCluster", name, ns)],
        yes=yes,
        what=f"Ray cluster {name} in namespace {ns}",
        dry_run=dry_run,
    )


NODE_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("cluster", lambda p: p["metadata"]["labels"].get(logic.CLUSTER_LABEL)),
    output.Column("type", lambda p: p["metadata"]["labels"].get(logic.NODE_TYPE_LABEL)),
    output.Column("group", lambda p: p["metadata"]["labels"].get(logic.GROUP_LABEL)),
    output.Column("ready", lambda p: logic.pod_ready(p)),
    output.Column("gpus", logic.pod_gpus),
    output.Column("status", "status.phase"),
    output.Column("age", _age),
    output.Column("node", "spec.nodeName", wide=True),
    output.Column("ip", "status.podIP", wide=True),
]


@cluster_app.command("nodes")
def cluster_nodes(
    name: Annotated[str | None, typer.Argument(help="Ray cluster (default: every cluster).")] = None,
    group: Annotated[
        str | None,
        typer.Option("--group", "-w", help="Only this worker group.", show_default=False),
    ] = None,
    namespace: opts.Namespace = None,
    all_namespaces: opts.AllNamespaces = False,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """List the Ray nodes (head and worker pods) of a cluster."""
    fmt = opts.output_format(output_format)
    selector = f"{logic.CLUSTER_LABEL}={validate.name(name, 'Ray cluster name')}" if name else logic.CLUSTER_LABEL
    if group:
        selector += f",{logic.GROUP_LABEL}={validate.name(group, 'worker group')}"
    kube = _connect(kubeconfig, context, namespace)
    kube.resource(RAY, "RayCluster")
    pods = kube.list(
        "v1",
        "Pod",
        namespace=_namespace(namespace, kube),
        all_namespaces=all_namespaces,
        label_selector=selector,
    )
    output.emit(pods, fmt, _columns(NODE_COLUMNS, all_namespaces), raw=_slim_pod)


def _slim_pod(pod: dict[str, Any]) -> dict[str, Any]:
    labels = pod["metadata"].get("labels") or {}
    return {
        "name": pod["metadata"]["name"],
        "namespace": pod["metadata"].get("namespace"),
        "cluster": labels.get(logic.CLUSTER_LABEL),
        "type": labels.get(logic.NODE_TYPE_LABEL),
        "group": labels.get(logic.GROUP_LABEL),
        "ready": logic.pod_ready(pod),
        "gpus": logic.pod_gpus(pod),
        "phase": (pod.get("status") or {}).get("phase"),
        "node": (pod.get("spec") or {}).get("nodeName"),
        "ip": (pod.get("status") or {}).get("podIP"),
    }


@cluster_app.command("logs")
def cluster_logs(
    name: Annotated[str, typer.Argument(help="Ray cluster name.")],
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out-dir",
            help="Write each pod's log to DIR/POD.log instead of stdout.",
            show_default=False,
        ),
    ] = None,
    node_type: Annotated[str, typer.Option("--node-type", help="head|worker|all.")] = "head",
    tail: Annotated[int | None, typer.Option("--tail", help="Last N lines of each log.", show_default=False)] = None,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
) -> None:
    """Logs of a cluster's Ray pods (head by default)."""
    kind = validate.choice(node_type, ("head", "worker", "all"), "--node-type")
    validate.name(name, "Ray cluster name")
    if tail is not None:
        validate.integer(tail, "--tail", 1, 1_000_000)
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    _get(kube, "RayCluster", name, ns)
    selector = f"{logic.CLUSTER_LABEL}={name}"
    if kind != "all":
        selector += f",{logic.NODE_TYPE_LABEL}={kind}"
    pods = [str(p["metadata"]["name"]) for p in kube.list("v1", "Pod", namespace=ns, label_selector=selector)]
    if not pods:
        raise errors.NotFoundError(
            f"Ray cluster {name} has no {kind} pods", hint=f"see akscli ray cluster status {name}"
        )
    _write_logs(kube, ns, pods, out_dir, tail)


def _write_logs(kube: Kube, ns: str, pods: list[str], out_dir: str | None, tail: int | None) -> None:
    if out_dir:
        directory = Path(out_dir).expanduser()
        directory.mkdir(parents=True, exist_ok=True)
        for pod in pods:
            path = directory / f"{pod}.log"
            with path.open("w", encoding="utf-8") as handle:
                for line in kube.logs(ns, pod, tail_lines=tail):
                    handle.write(line + "\n")
            output.info(f"wrote {path}")
        return
    for pod in pods:
        if len(pods) > 1:
            output.info(f"==> {pod} <==")
        for line in kube.logs(ns, pod, tail_lines=tail):
            output.write(line)


# ---- worker groups ------------------------------------------------------------------------


@workergroup_app.command("add")
def workergroup_add(
    cluster: Annotated[str, typer.Argument(help="Ray cluster name.")],
    group: Annotated[str, typer.Argument(help="New worker group name.")],
    replicas: Annotated[
        int | None, typer.Option("--replicas", help="Replicas (default 1).", show_default=False)
    ] = None,
    min_replicas: Annotated[int | None, typer.Option("--min", help="Autoscaler minimum.", show_default=False)] = None,
    max_replicas: Annotated[int | None, typer.Option("--max", help="Autoscaler maximum.", show_default=False)] = None,
    cpu: Annotated[str | None, typer.Option("--cpu", help="CPU per worker (default 1).", show_default=False)] = None,
    memory: Annotated[
        str | None,
        typer.Option("--memory", help="Memory per worker (default 4Gi).", show_default=False),
    ] = None,
    gpu: Annotated[int | None, typer.Option("--gpu", help="GPUs per worker (default 0).", show_default=False)] = None,
    gpu_pool: GpuPool = None,
    spot: Spot = False,
    node_selector: Annotated[
        list[str] | None,
        typer.Option("--node-selector", help="key=value (repeatable).", show_default=False),
    ] = None,
    image: Image = None,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Add a worker group to a running Ray cluster."""
    from akscli.render import render

    fmt = opts.output_format(output_format, ("table", "json", "yaml"))
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
    )
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    current = _get(kube, "RayCluster", cluster, ns)
    spec = logic.ClusterSpec(name=cluster, namespace=ns, groups=(new,))
    for warning in logic.check_gpu_capacity(kube, spec):
        output.warn(warning)
    containers = current["spec"]["headGroupSpec"]["template"]["spec"]["containers"]
    group_image = validate.image(image, "--image") if image else str(containers[0].get("image"))
    values = {
        "cluster": cluster,
        "namespace": ns,
        "image": group_image,
        "group": logic.cluster_values(spec)["groups"][0],
    }
    group_obj = render("ray/workergroup.yaml.j2", values)[0]["spec"]["workerGroupSpecs"][0]
    ops = logic.add_group_ops(current, group_obj)
    kube.patch(RAY, "RayCluster", cluster, ops, namespace=ns, content_type="application/json-patch+json")
    common.record_audit(
        "ray workergroup add",
        kube,
        [],
        "success",
        objects=[{"object": f"raycluster.ray.io/{cluster}", "action": "add-group", "group": group}],
    )
    if fmt != "table":
        output.emit_object(group_obj, fmt)
    else:
        output.write(f"worker group {group} added to Ray cluster {cluster}")


@workergroup_app.command("list")
def workergroup_list(
    cluster: Annotated[str | None, typer.Argument(help="Ray cluster (default: all).")] = None,
    namespace: opts.Namespace = None,
    all_namespaces: opts.AllNamespaces = False,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """Worker groups with desired, ready and GPU counts."""
    fmt = opts.output_format(output_format)
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    if cluster:
        clusters = [_get(kube, "RayCluster", validate.name(cluster, "Ray cluster name"), ns)]
    else:
        clusters = list(kube.list(RAY, "RayCluster", namespace=ns, all_namespaces=all_namespaces))
    rows = []
    for item in clusters:
        item_ns = item["metadata"]["namespace"]
        summary = logic.cluster_summary(item, logic.cluster_pods(kube, item_ns, item["metadata"]["name"]))
        for group in summary["groups"]:
            rows.append({"cluster": summary["name"], "namespace": item_ns, **group})
    columns = [
        output.Column("cluster", "cluster"),
        output.Column("group", "name"),
        output.Column("ready", lambda g: f"{g['ready']}/{g['desired']}"),
        output.Column("min", "min"),
        output.Column("max", "max"),
        output.Column("gpus/pod", "gpus_per_pod"),
        output.Column("gpus in use", "gpus_in_use"),
        output.Column("namespace", "namespace", wide=True),
    ]
    output.emit(rows, fmt, columns, name=lambda g: f"{g['cluster']}/{g['name']}")


# ---- jobs ---------------------------------------------------------------------------------


@job_app.command("submit")
def job_submit(
    entrypoint_args: Annotated[
        list[str] | None,
        typer.Argument(
            help="The entrypoint, after --: akscli ray job submit --cluster c -- python train.py",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="RayJob name (default: generated).", show_default=False),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Run on this existing Ray cluster instead of a new one.",
            show_default=False,
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
            "--runtime-env",
            help="runtime_env YAML file (pip, env_vars, working_dir URI...).",
            show_default=False,
        ),
    ] = None,
    pip: Annotated[
        list[str] | None,
        typer.Option("--pip", help="pip requirement (repeatable).", show_default=False),
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", help="KEY=VALUE for the job (repeatable).", show_default=False),
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
        typer.Option(
            "--entrypoint-resource",
            help="Custom resource NAME=AMOUNT (repeatable).",
            show_default=False,
        ),
    ] = None,
    shutdown: Annotated[
        bool,
        typer.Option("--shutdown/--keep-cluster", help="Delete the job's own cluster when the job ends."),
    ] = True,
    ttl: Annotated[str, typer.Option("--ttl", help="Keep the finished job's cluster this long.")] = "5m",
    deadline: Annotated[
        str | None,
        typer.Option(
            "--deadline",
            help="Fail the job after this long (activeDeadlineSeconds).",
            show_default=False,
        ),
    ] = None,
    ray_version: RayVersion = None,
    image: Image = None,
    head_cpu: HeadCpu = None,
    head_memory: HeadMemory = None,
    head_gpu: HeadGpu = None,
    worker_replicas: WorkerReplicas = None,
    worker_min: WorkerMin = None,
    worker_max: WorkerMax = None,
    worker_cpu: WorkerCpu = None,
    worker_memory: WorkerMemory = None,
    worker_gpu: WorkerGpu = None,
    gpu_pool: GpuPool = None,
    spot: Spot = False,
    worker_selector: WorkerSelector = None,
    worker_group: WorkerGroups = None,
    label: Labels = None,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: Annotated[str, typer.Option("--timeout", help="How long --wait follows the job.")] = "1h",
    yes: opts.Yes = False,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Submit a Ray job: a RayJob on a new cluster (flags) or an existing one (--cluster)."""
    fmt = opts.output_format(output_format, ("table", "json", "yaml"))
    mode = opts.dry_run_mode(dry_run)
    entry = logic.entrypoint(entrypoint_args or [])
    job = logic.job_name(name)
    wait_seconds = validate.duration(timeout, "--timeout")
    ttl_seconds = int(validate.duration(ttl, "--ttl"))
    deadline_seconds = int(validate.duration(deadline, "--deadline")) if deadline else None
    cluster_flags = [
        ray_version,
        image,
        head_cpu,
        head_memory,
        head_gpu,
        worker_replicas,
        worker_min,
        worker_max,
        worker_cpu,
        worker_memory,
        worker_gpu,
        gpu_pool,
        worker_selector,
        worker_group,
    ]
    if cluster:
        validate.name(cluster, "--cluster")
        if any(v is not None for v in cluster_flags) or spot:
            raise errors.UsageError(
                "--cluster runs on an existing Ray cluster: leave out the flags that describe a new one",
                hint="drop --cluster to create a cluster for this job",
            )
    kube = None if mode == "client" and not cluster else _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    base_env: dict[str, Any] | None = None
    if runtime_env_file:
        from akscli import yamlio

        path = validate.existing_file(runtime_env_file, "--runtime-env file")
        base_env = yamlio.load(path.read_text(encoding="utf-8"), runtime_env_file) or {}
        if not isinstance(base_env, dict):
            raise errors.UsageError(
                f"{runtime_env_file} is not a runtime_env mapping",
                hint="write keys such as pip:, env_vars:, working_dir:",
            )
    file_dir = (base_env or {}).get("working_dir")
    if not working_dir and isinstance(file_dir, str) and "://" not in file_dir:
        # A local working_dir in the runtime env means nothing inside the cluster: ship it,
        # as --working-dir does (a URI is left for Ray to download).
        working_dir = file_dir
    packed = logic.pack_workdir(Path(working_dir)) if working_dir else None
    env_doc = logic.runtime_env(
        base_env, pip=pip or [], env=env or [], working_dir=logic.WORKDIR_MOUNT if packed else None
    )
    spec: logic.ClusterSpec | None = None
    cluster_obj: dict[str, Any] | None = None
    if cluster:
        assert kube is not None
        target_cluster = _get(kube, "RayCluster", cluster, ns)
        submitter_image = str(target_cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0].get("image"))
    else:
        spec = _cluster_spec(
            job,
            ns,
            ray_version=ray_version,
            image=image,
            head_cpu=head_cpu,
            head_memory=head_memory,
            head_gpu=head_gpu,
            worker_replicas=worker_replicas,
            worker_min=worker_min,
            worker_max=worker_max,
            worker_cpu=worker_cpu,
            worker_memory=worker_memory,
            worker_gpu=worker_gpu,
            gpu_pool=gpu_pool,
            spot=spot,
            worker_selector=worker_selector,
            worker_groups=worker_group,
            labels=None,
        )
        if kube is not None:
            for warning in logic.check_gpu_capacity(kube, spec):
                output.warn(warning)
        cluster_obj = _render_cluster(spec)
        submitter_image = spec.image_ref
    from akscli import yamlio
    from akscli.render import render

    job_spec = logic.JobSpec(
        name=job,
        namespace=ns,
        entrypoint=entry,
        runtime_env_yaml=yamlio.dump(env_doc) if env_doc else None,
        cluster_selector=cluster,
        entrypoint_cpus=entrypoint_cpus,
        entrypoint_gpus=entrypoint_gpus,
        entrypoint_resources=logic.entrypoint_resources(entrypoint_resource or []),
        shutdown_after_finish=shutdown,
        ttl_seconds=ttl_seconds,
        active_deadline_seconds=deadline_seconds,
        workdir_configmap=logic.workdir_configmap_name(job) if packed else None,
        workdir_items=tuple(packed.items) if packed else (),
        submitter_image=submitter_image,
        labels=validate.labels(label or [], "--label"),
    )
    for what, value in (
        ("--entrypoint-num-cpus", entrypoint_cpus),
        ("--entrypoint-num-gpus", entrypoint_gpus),
    ):
        if value is not None:
            validate.number(value, what, 0, 1024)
    objects: list[dict[str, Any]] = []
    if packed:
        objects += render("ray/workdir-configmap.yaml.j2", logic.workdir_values(job, ns, packed))
        output.info(
            f"working directory: {packed.files} file(s), {packed.size / 1024:.1f} KiB "
            f"(limit {logic.WORKDIR_LIMIT_BYTES // 1024} KiB)"
        )
        if packed.skipped:
            output.warn(
                f"skipped {len(packed.skipped)} symlink(s) or special file(s): " + ", ".join(packed.skipped[:5])
            )
    objects += render(
        "ray/rayjob.yaml.j2",
        logic.job_values(job_spec, cluster_obj["spec"] if cluster_obj else None),
    )
    if kube is not None and mode == "none" and kube.get(RAY, "RayJob", job, namespace=ns):
        # KubeRay does not re-run a changed RayJob: applying over one would silently do nothing.
        raise errors.ConflictError(
            f"Ray job {job} already exists in namespace {ns}",
            hint=f"choose another --name, or delete it first: akscli ray job delete {job} -y",
        )
    # With --wait, stdout carries the job's logs (or its final object with -o json|yaml), so
    # the applied objects are reported on stderr.
    sink = contextlib.redirect_stdout(sys.stderr) if wait and mode == "none" else nullcontext()
    with sink:
        outcome = common.apply_objects(
            objects,
            stack=f"rayjob-{job}",
            target=opts.kube_target(kubeconfig, context, namespace),
            dry_run=mode,
            yes=yes,
            output_format=fmt,
            action="ray job submit",
        )
    if mode != "none" or outcome.kube is None:
        return
    output.info(f"submitted Ray job {job}; follow it with: akscli ray job status {job} -n {ns}")
    if not wait:
        return
    final = logic.follow_job(outcome.kube, ns, job, wait_seconds, output.progress)
    _finish(outcome.kube, final, fmt)


def _finish(kube: Kube, job: dict[str, Any], fmt: str) -> None:
    ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
    pods = logic.submitter_pods(kube, ns, name)
    if fmt == "table":
        for pod in pods[-1:]:
            for line in kube.logs(ns, str(pod["metadata"]["name"])):
                output.write(line)
    else:
        output.emit_object(job, fmt)
    deployment, status = logic.job_phase(job)
    if logic.job_succeeded(job):
        output.info(f"Ray job {name} succeeded")
        return
    reason = (job.get("status") or {}).get("message") or (job.get("status") or {}).get("reason")
    raise errors.AkscliError(
        f"Ray job {name} ended {deployment} (job {status})" + (f": {reason}" if reason else ""),
        hint=f"read its logs: akscli ray job logs {name} -n {ns} --out-dir ./{name}-logs",
    )


JOB_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("job status", lambda j: logic.job_phase(j)[1]),
    output.Column("deployment", lambda j: logic.job_phase(j)[0]),
    output.Column(
        "cluster",
        lambda j: (
            (j.get("status") or {}).get("rayClusterName")
            or (j.get("spec") or {}).get("clusterSelector", {}).get(logic.CLUSTER_LABEL)
        ),
    ),
    output.Column("start", "status.startTime"),
    output.Column("end", "status.endTime"),
    output.Column("age", _age),
    output.Column("namespace", "metadata.namespace", wide=True),
    output.Column("entrypoint", "spec.entrypoint", wide=True),
]


@job_app.command("list")
def job_list(
    namespace: opts.Namespace = None,
    all_namespaces: opts.AllNamespaces = False,
    selector: opts.Selector = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """List Ray jobs."""
    fmt = opts.output_format(output_format)
    kube = _connect(kubeconfig, context, namespace)
    items = kube.list(
        RAY,
        "RayJob",
        namespace=_namespace(namespace, kube),
        all_namespaces=all_namespaces,
        label_selector=validate.label_selector(selector) if selector else None,
    )
    output.emit(items, fmt, _columns(JOB_COLUMNS, all_namespaces))


@job_app.command("status")
def job_status(
    name: Annotated[str, typer.Argument(help="RayJob name.")],
    wait: Annotated[bool, typer.Option("--wait", help="Follow the job until it ends.")] = False,
    timeout: Annotated[str, typer.Option("--timeout", help="How long --wait follows.")] = "1h",
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """A job's phases and, while it is stuck, why (pending pods, events, GPUs, image pulls)."""
    fmt = opts.output_format(output_format, ("table", "json", "yaml"))
    validate.name(name, "Ray job name")
    seconds = validate.duration(timeout, "--timeout")
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    job = _get(kube, "RayJob", name, ns)
    if wait:
        job = logic.follow_job(kube, ns, name, seconds, output.progress)
    deployment, status = logic.job_phase(job)
    findings = logic.diagnose_job(kube, job) if not logic.job_succeeded(job) else []
    st = job.get("status") or {}
    summary = {
        "name": name,
        "namespace": ns,
        "deploymentStatus": deployment,
        "jobStatus": status,
        "cluster": st.get("rayClusterName"),
        "jobId": st.get("jobId"),
        "startTime": st.get("startTime"),
        "endTime": st.get("endTime"),
        "entrypoint": (job.get("spec") or {}).get("entrypoint"),
        "dashboard": st.get("dashboardURL"),
        "reason": st.get("reason"),
        "message": st.get("message"),
        "problems": [vars(f) for f in findings],
    }
    if fmt != "table":
        output.emit_object(summary, fmt)
        return
    fields = [(k, v) for k, v in summary.items() if k != "problems" and v is not None]
    fields += [("problem", f.line()) for f in findings]
    output.emit_object(summary, "table", fields=fields)


@job_app.command("logs")
def job_logs(
    name: Annotated[str, typer.Argument(help="RayJob name.")],
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Stream the job's output.")] = False,
    out_dir: Annotated[
        str | None,
        typer.Option("--out-dir", help="Write submitter and head pod logs into DIR.", show_default=False),
    ] = None,
    tail: Annotated[int | None, typer.Option("--tail", help="Last N lines.", show_default=False)] = None,
    timeout: Annotated[
        str, typer.Option("--timeout", help="With --follow: how long to wait for the job to start.")
    ] = "1h",
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
) -> None:
    """The job's output (the submitter's log); --out-dir adds the head pod's log."""
    validate.name(name, "Ray job name")
    seconds = validate.duration(timeout, "--timeout")
    if tail is not None:
        validate.integer(tail, "--tail", 1, 1_000_000)
    if follow and out_dir:
        raise errors.UsageError(
            "--follow and --out-dir cannot be combined",
            hint="stream with --follow, or save with --out-dir",
        )
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    job = _get(kube, "RayJob", name, ns)
    submitters = [str(p["metadata"]["name"]) for p in logic.submitter_pods(kube, ns, name)]
    cluster = (job.get("status") or {}).get("rayClusterName")
    head = logic.head_pod(kube, ns, str(cluster)) if cluster else None
    if out_dir:
        pods = submitters[-1:] + ([str(head["metadata"]["name"])] if head else [])
        if not pods:
            raise errors.NotFoundError(
                f"Ray job {name} has no submitter or head pod yet",
                hint=f"see why: akscli ray job status {name}",
            )
        _write_logs(kube, ns, pods, out_dir, tail)
        return
    if not submitters and follow:
        # The submitter starts once the cluster is up, which can take many minutes on GPUs.
        output.info(f"waiting up to {timeout} for the submitter of Ray job {name}")
        submitters = [logic.wait_for_submitter(kube, ns, name, seconds)]
    if not submitters:
        deployment, _ = logic.job_phase(job)
        raise errors.NotFoundError(
            f"Ray job {name} has no submitter pod yet ({deployment})",
            hint=f"see why: akscli ray job status {name}, or stream it with --follow",
        )
    for line in kube.logs(ns, submitters[-1], follow=follow, tail_lines=tail):
        output.write(line)


@job_app.command("stop")
def job_stop(
    name: Annotated[str, typer.Argument(help="RayJob name.")],
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    yes: opts.Yes = False,
) -> None:
    """Stop a running job (suspends a job that owns its cluster; stops it through the
    dashboard API on a shared --cluster)."""
    validate.name(name, "Ray job name")
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    job = _get(kube, "RayJob", name, ns)
    if logic.job_finished(job):
        deployment, status = logic.job_phase(job)
        output.info(f"Ray job {name} already ended ({deployment}, job {status})")
        return
    common.confirm(f"stop Ray job {name}", yes)
    spec = job.get("spec") or {}
    if spec.get("clusterSelector") or not spec.get("shutdownAfterJobFinishes"):
        _stop_through_dashboard(kube, job)
    else:
        kube.patch(RAY, "RayJob", name, {"spec": {"suspend": True}}, namespace=ns)
    common.record_audit(
        "ray job stop",
        kube,
        [],
        "success",
        objects=[{"object": f"rayjob.ray.io/{name}", "action": "stop"}],
    )
    output.write(f"rayjob.ray.io/{name} stopping")


def _stop_through_dashboard(kube: Kube, job: dict[str, Any]) -> None:
    # KubeRay refuses to suspend a job whose cluster outlives it; the job API stops it instead.
    ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
    status = job.get("status") or {}
    cluster = status.get("rayClusterName")
    job_id = status.get("jobId")
    if not cluster or not job_id:
        raise errors.ConflictError(
            f"Ray job {name} has not been submitted to its cluster yet",
            hint=f"delete it instead: akscli ray job delete {name}",
        )
    rc = _get(kube, "RayCluster", str(cluster), ns)
    code, body = kube.proxy(ns, logic.head_service(rc), logic.DASHBOARD_PORT, f"api/jobs/{job_id}/stop", method="POST")
    if code >= 300:
        raise errors.AkscliError(
            f"the Ray dashboard refused to stop job {job_id}: HTTP {code} {body[:200].decode('utf-8', 'replace')}",
            hint=f"see akscli ray cluster status {cluster}",
        )


@job_app.command("delete")
def job_delete(
    name: Annotated[str, typer.Argument(help="RayJob name.")],
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    yes: opts.Yes = False,
    dry_run: opts.DryRun = "none",
) -> None:
    """Delete a RayJob (its own cluster goes with it) and its working-directory ConfigMap."""
    validate.name(name, "Ray job name")
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    _get(kube, "RayJob", name, ns)
    refs: list[tuple[str, str, str, str | None]] = [(RAY, "RayJob", name, ns)]
    if kube.get("v1", "ConfigMap", logic.workdir_configmap_name(name), namespace=ns) is not None:
        refs.append(("v1", "ConfigMap", logic.workdir_configmap_name(name), ns))
    common.delete_objects(kube, refs, yes=yes, what=f"Ray job {name} in namespace {ns}", dry_run=dry_run)


# ---- services -----------------------------------------------------------------------------


@service_app.command("deploy")
def service_deploy(
    name: Annotated[str, typer.Argument(help="RayService name.")],
    file: Annotated[str, typer.Option("-f", "--file", help="Ray Serve config (serveConfigV2).")],
    ray_version: RayVersion = None,
    image: Image = None,
    head_cpu: HeadCpu = None,
    head_memory: HeadMemory = None,
    head_gpu: HeadGpu = None,
    worker_replicas: WorkerReplicas = None,
    worker_min: WorkerMin = None,
    worker_max: WorkerMax = None,
    worker_cpu: WorkerCpu = None,
    worker_memory: WorkerMemory = None,
    worker_gpu: WorkerGpu = None,
    gpu_pool: GpuPool = None,
    spot: Spot = False,
    worker_selector: WorkerSelector = None,
    worker_group: WorkerGroups = None,
    label: Labels = None,
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    dry_run: opts.DryRun = "none",
    wait: opts.Wait = False,
    timeout: opts.Timeout = "15m",
    yes: opts.Yes = False,
    force_conflicts: opts.ForceConflicts = False,
    output_format: ApplyOutput = "table",
) -> None:
    """Deploy Ray Serve applications as a RayService (--wait: the Ready condition)."""
    from akscli.render import render

    validate.name(name, "RayService name", max_len=40)
    mode = opts.dry_run_mode(dry_run)
    path = validate.existing_file(file, "-f serve config")
    serve = logic.serve_config(path.read_text(encoding="utf-8"), file)
    kube = None if mode == "client" else _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    spec = _cluster_spec(
        name,
        ns,
        ray_version=ray_version,
        image=image,
        head_cpu=head_cpu,
        head_memory=head_memory,
        head_gpu=head_gpu,
        worker_replicas=worker_replicas,
        worker_min=worker_min,
        worker_max=worker_max,
        worker_cpu=worker_cpu,
        worker_memory=worker_memory,
        worker_gpu=worker_gpu,
        gpu_pool=gpu_pool,
        spot=spot,
        worker_selector=worker_selector,
        worker_groups=worker_group,
        labels=None,
    )
    if kube is not None:
        for warning in logic.check_gpu_capacity(kube, spec):
            output.warn(warning)
    values = {
        "name": name,
        "namespace": ns,
        "labels": validate.labels(label or [], "--label"),
        "serve_config": serve,
        "cluster_spec": _render_cluster(spec)["spec"],
    }
    objects = render("ray/rayservice.yaml.j2", values)
    common.apply_objects(
        objects,
        stack=f"rayservice-{name}",
        target=opts.kube_target(kubeconfig, context, namespace),
        dry_run=mode,
        wait=wait,
        timeout=timeout,
        yes=yes,
        force_conflicts=force_conflicts,
        output_format=opts.output_format(output_format, APPLY_FORMATS),
        action="ray service deploy",
    )


@service_app.command("status")
def service_status(
    name: Annotated[str, typer.Argument(help="RayService name.")],
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Ready condition, serve endpoints and application statuses."""
    fmt = opts.output_format(output_format, ("table", "json", "yaml"))
    validate.name(name, "RayService name")
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    svc = _get(kube, "RayService", name, ns)
    st = svc.get("status") or {}
    active = st.get("activeServiceStatus") or {}
    ready = logic.condition(svc, "Ready")
    apps = {
        k: {"status": v.get("status"), "message": v.get("message")}
        for k, v in (active.get("applicationStatuses") or {}).items()
    }
    summary = {
        "name": name,
        "namespace": ns,
        "ready": (ready or {}).get("status", "Unknown"),
        "reason": (ready or {}).get("reason"),
        "serveEndpoints": int(st.get("numServeEndpoints") or 0),
        "cluster": active.get("rayClusterName"),
        "serveService": f"{name}-serve-svc.{ns}.svc.cluster.local:8000",
        "applications": apps,
    }
    findings = []
    if summary["ready"] != "True" and active.get("rayClusterName"):
        findings = logic.diagnose_cluster(kube, ns, str(active["rayClusterName"]))
    summary["problems"] = [vars(f) for f in findings]
    if fmt != "table":
        output.emit_object(summary, fmt)
        return
    fields: list[tuple[str, Any]] = [
        (k, summary[k])
        for k in (
            "name",
            "namespace",
            "ready",
            "reason",
            "serveEndpoints",
            "cluster",
            "serveService",
        )
    ]
    fields += [
        (f"app {k}", f"{v['status']}" + (f": {v['message']}" if v.get("message") else "")) for k, v in apps.items()
    ]
    fields += [("problem", f.line()) for f in findings]
    output.emit_object(summary, "table", fields=fields)


SERVICE_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("ready", lambda s: (logic.condition(s, "Ready") or {}).get("status", "Unknown")),
    output.Column("serve endpoints", lambda s: (s.get("status") or {}).get("numServeEndpoints", 0)),
    output.Column("cluster", "status.activeServiceStatus.rayClusterName"),
    output.Column("age", _age),
    output.Column("namespace", "metadata.namespace", wide=True),
]


@service_app.command("list")
def service_list(
    namespace: opts.Namespace = None,
    all_namespaces: opts.AllNamespaces = False,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.Output = "table",
) -> None:
    """List RayServices."""
    fmt = opts.output_format(output_format)
    kube = _connect(kubeconfig, context, namespace)
    items = kube.list(RAY, "RayService", namespace=_namespace(namespace, kube), all_namespaces=all_namespaces)
    output.emit(items, fmt, _columns(SERVICE_COLUMNS, all_namespaces))


@service_app.command("delete")
def service_delete(
    name: Annotated[str, typer.Argument(help="RayService name.")],
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    yes: opts.Yes = False,
    dry_run: opts.DryRun = "none",
) -> None:
    """Delete a RayService and the Ray cluster it runs on."""
    validate.name(name, "RayService name")
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    _get(kube, "RayService", name, ns)
    common.delete_objects(
        kube,
        [(RAY, "RayService", name, ns)],
        yes=yes,
        what=f"RayService {name} in namespace {ns}",
        dry_run=dry_run,
    )


# ---- dashboard ----------------------------------------------------------------------------


def _resolve_cluster(kube: Kube, ref: str, ns: str) -> dict[str, Any]:
    kind, slash, name = ref.partition("/")
    if not slash:
        kind, name = "raycluster", ref
    kind = validate.choice(kind.lower(), ("raycluster", "rayjob", "rayservice"), "resource type")
    validate.name(name, f"{kind} name")
    if kind == "raycluster":
        return _get(kube, "RayCluster", name, ns)
    if kind == "rayjob":
        cluster = (_get(kube, "RayJob", name, ns).get("status") or {}).get("rayClusterName")
    else:
        svc = _get(kube, "RayService", name, ns)
        cluster = ((svc.get("status") or {}).get("activeServiceStatus") or {}).get("rayClusterName")
    if not cluster:
        raise errors.NotFoundError(
            f"{kind} {name} has no Ray cluster yet",
            hint=f"wait for it: akscli ray {kind[3:]} status {name}",
        )
    return _get(kube, "RayCluster", str(cluster), ns)


@app.command("dashboard")
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
    namespace: opts.Namespace = None,
    kubeconfig: opts.Kubeconfig = None,
    context: opts.Context = None,
    output_format: opts.ObjectOutput = "table",
) -> None:
    """The Ray dashboard through the API server's service proxy (or a local forward)."""
    fmt = opts.output_format(output_format, ("table", "json", "yaml"))
    validate.integer(port, "--port", 0, 65535)
    kube = _connect(kubeconfig, context, namespace)
    ns = _namespace(namespace, kube)
    cluster = _resolve_cluster(kube, ref, ns)
    service = logic.head_service(cluster)
    host = str(getattr(getattr(kube.api, "configuration", None), "host", "")).rstrip("/")
    info = {
        "cluster": cluster["metadata"]["name"],
        "namespace": ns,
        "service": service,
        "url": host + logic.proxy_path(ns, service, logic.DASHBOARD_PORT),
    }
    if not port_forward:
        if fmt == "table":
            output.write(info["url"])
            output.info(
                "open it with your cluster credentials (e.g. through kubectl proxy: "
                f"http://127.0.0.1:8001{logic.proxy_path(ns, service, logic.DASHBOARD_PORT)})"
            )
        else:
            output.emit_object(info, fmt)
        return
    forwarder = logic.DashboardForwarder(kube, ns, info["cluster"], service, port=port, progress=output.info)
    forwarder.start()
    info["local"] = forwarder.url
    if fmt == "table":
        output.write(forwarder.url)
    else:
        output.emit_object(info, fmt)
    output.info(f"forwarding {forwarder.url} to {service}:{logic.DASHBOARD_PORT}; Ctrl-C stops")
    try:
        while True:
            time.sleep(3600)
    finally:
        forwarder.stop()
