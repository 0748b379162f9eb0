"""akscli ray cluster: create, list, status, scale, delete, nodes, logs (RayCluster)."""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import errors, output, validate
from akscli import ray as logic
from akscli.cli import common, flag_types
from akscli.cli import options as opts
from akscli.cli.diff_status import ExitCode, with_exit_code
from akscli.cli.ray.common import (
    RAY,
    ApplyOutput,
    ClusterName,
    Labels,
    NewClusterName,
    audit,
    build_and_apply,
    cluster_name,
    delete_command,
    list_command,
    on_cluster,
    print_logs,
    show,
    typer_app,
    with_cluster_flags,
)
from akscli.ray.counting import summary_and_stuck

if TYPE_CHECKING:
    from akscli.kube.client import Kube

app = typer_app("Ray clusters (RayCluster).")


@app.command("create")
@with_exit_code
@on_cluster
@with_cluster_flags
def cluster_create(
    name: NewClusterName,
    file: Annotated[
        str | None,
        typer.Option("-f", "--filename", help="Start from a RayCluster YAML.", show_default=False),
    ] = None,
    cluster_flags: logic.ClusterFlags = logic.ClusterFlags(),
    label: Labels = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    dry_run: flag_types.DryRun = "none",
    wait: flag_types.Wait = False,
    timeout: flag_types.Timeout = "10m",
    yes: flag_types.Yes = False,
    force_conflicts: flag_types.ForceConflicts = False,
    output_format: ApplyOutput = "table",
    exit_code: ExitCode = False,
) -> None:
    """Create or update a Ray cluster (--wait: HeadPodReady and every worker ready; state=ready without conditions)."""
    from akscli.ray.operator_notes import operator_plan_notes

    build_and_apply(
        lambda conn: logic.cluster_objects(name, cluster_flags, label or [], file, conn),
        stack=f"ray-{name}",
        action="ray cluster create",
        k8s=k8s,
        dry_run=dry_run,
        wait=wait,
        timeout=timeout,
        yes=yes,
        force_conflicts=force_conflicts,
        output_format=output_format,
        exit_code=exit_code,
        plan_notes=operator_plan_notes(),  # KubeRay's rules by the operator's gates, as apply -f
    )


# `kubectl get raycluster`'s columns and `kubectl ray get cluster`'s (ray-project/kuberay v1.7.0
# ray-operator/apis/ray/v1/raycluster_types.go printcolumns; kubectl-plugin/pkg/cmd/get/get_cluster.go
# printClusters), with OWNER and ROLE between STATUS and AGE (_columns). Not their TPUS: KubeRay
# counts only google.com/tpu there (raycluster_controller.go calculateStatus, DesiredTPU), a
# resource of Google Cloud's TPU nodes that no AKS node has, so the cell would always be 0.
CLUSTER_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("namespace", "metadata.namespace", wide=True),
    output.Column("desired", lambda c: output.dig(c, "status.desiredWorkerReplicas", 0)),
    output.Column("available", lambda c: output.dig(c, "status.availableWorkerReplicas", 0)),
    output.Column("cpus", lambda c: output.dig(c, "status.desiredCPU", "0")),
    output.Column("memory", lambda c: output.dig(c, "status.desiredMemory", "0")),
    output.Column("gpus", lambda c: output.dig(c, "status.desiredGPU", "0")),
    output.Column("status", lambda c: output.dig(c, "status.state") or "pending"),
    output.Column("age", output.age),
    output.Column("head pod", "status.head.podName", wide=True),
    output.Column("head pod ip", "status.head.podIP", wide=True),
    output.Column("head service ip", "status.head.serviceIP", wide=True),
    output.Column("ray version", "spec.rayVersion", wide=True),
]


def _columns(kube: "Kube", ns: str) -> list[output.Column]:
    at = next(i for i, c in enumerate(CLUSTER_COLUMNS) if c.header == "age")
    owner = output.Column("owner", logic.cluster_owner)
    return [*CLUSTER_COLUMNS[:at], owner, output.Column("role", _roles(kube, ns)), *CLUSTER_COLUMNS[at:]]


def _roles(kube: "Kube", ns: str) -> Callable[[dict[str, Any]], str]:
    """A cluster's role (logic.cluster_role) from its RayService's status: the RayServices of
    ``ns`` (every namespace: ``""``) are listed once, on the first cluster a RayService made
    (none for a list without one)."""
    services: dict[tuple[str, str], dict[str, Any]] | None = None

    def role(cluster: dict[str, Any]) -> str:
        nonlocal services
        owner = logic.service_owner(cluster)
        if owner is None:
            return logic.cluster_role(cluster, None)
        if services is None:
            listed = kube.list(RAY, "RayService", namespace=ns or None, all_namespaces=not ns)
            services = {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in listed}
        return logic.cluster_role(cluster, services.get((cluster["metadata"]["namespace"], owner)))

    return role


cluster_list = list_command(
    app,
    "RayCluster",
    _columns,
    "List Ray clusters (owner: the RayService or RayJob that made one; role: what it is to that\n"
    "RayService: active, pending, replaced, or gone).",
    "cluster_list",
)


@app.command("status")
@on_cluster
def cluster_status(
    name: ClusterName,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Conditions, desired CPUs and memory, workers ready per group, GPUs in use, and why pods are stuck."""
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    validate.name(name, "Ray cluster name")
    kube, ns = k8s.connect_ns()
    cluster = logic.get_object(kube, "RayCluster", name, ns)
    # Counted as pages arrive: a training cluster's thousands of worker pods are not held.
    summary, stuck, heads = summary_and_stuck(kube, cluster)
    # KubeRay never sets state back from "ready": pods lost or stuck later are only seen here.
    findings = logic.diagnose_cluster(kube, ns, name, read=(cluster, stuck, heads))
    summary["problems"] = [vars(f) for f in findings]
    fields = logic.cluster_summary_fields(summary, findings, wide=fmt == "wide")
    show(summary, fields, fmt, kind="raycluster.ray.io")


@app.command("scale")
@on_cluster
def cluster_scale(
    name: ClusterName,
    group: Annotated[str | None, typer.Option("--group", help="Worker group name.")] = None,
    replicas: Annotated[int | None, typer.Option("--replicas", help="Desired replicas.", show_default=False)] = None,
    min_replicas: Annotated[int | None, typer.Option("--min", help="Autoscaler minimum.", show_default=False)] = None,
    max_replicas: Annotated[int | None, typer.Option("--max", help="Autoscaler maximum.", show_default=False)] = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
    output_format: opts.ObjectOutput = "table",
) -> None:
    """Scale one worker group: --replicas, --min, --max (an autoscaled group: --min and --max only).

    --group names the group; without it, the cluster's only one (with several, the error names them).

    --dry-run prints the JSON patch; it reads the cluster (the patch names the group by its index
    and keeps the bounds it does not change), as kubectl scale --dry-run=client reads the object.
    """
    fmt = opts.output_format(output_format, output.OBJECT_FORMATS)
    mode = opts.dry_run_mode(dry_run)
    validate.name(name, "Ray cluster name")
    if group is not None:
        validate.name(group, "worker group name")  # as `workergroup add` checks it (ray/spec.py)
    for value, what in ((replicas, "--replicas"), (min_replicas, "--min"), (max_replicas, "--max")):
        if value is not None:
            validate.integer(value, what, 0, 10_000)
    kube, ns = k8s.connect_ns()
    cluster = logic.get_object(kube, "RayCluster", name, ns)
    group = logic.chosen_group(cluster, group)
    change = logic.scale_patch(cluster, group, replicas, min_replicas, max_replicas)
    if change is not None:
        groups = logic.scaled_groups(cluster, group, change)
        heads = logic.head_pods(kube, ns, name, cluster["metadata"].get("uid"))  # one page of at most 5
        for said in (
            logic.stuck_heads_warning(cluster, heads),
            logic.head_tasks_warning(cluster, groups, lambda: logic.live_head(heads.pods, heads.owner_uid)),
        ):
            if said:
                output.warn(said)
    result: dict[str, Any] = {"cluster": name, "namespace": ns, "group": group, "changed": change is not None}
    if mode != "none":
        common.dry_run_writes(kube, [logic.cluster_patch(cluster, change["ops"])] if change else [], mode, fmt)
        return
    if change is not None:
        logic.patch_cluster(kube, cluster, change["ops"])
        audit("ray cluster scale", kube, f"raycluster.ray.io/{name}", "scale", group=group)
        result.update(replicas=change["replicas"], min=change["min"], max=change["max"])
    if fmt != "table":
        # -o name: the RayCluster, as ray cluster list prints it (kubectl scale -o name prints the object).
        output.emit_object(result, fmt, name=lambda _: output.object_ref(cluster))
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


def _remade_by_owner(kube: "Kube") -> Callable[[dict[str, Any]], list[str]]:
    """The warnings for each cluster a command deletes: when a RayService or a RayJob keeps it
    (service_cluster_delete_warning, job_cluster_delete_warning; a GET of the owner its labels
    name, only for a cluster one made), and when RayJobs run on it through clusterSelector
    (selector_jobs_delete_warning; a paged list of the namespace's RayJobs). Each owner and each
    namespace's RayJobs are read once per command, however many clusters it deletes (a RayService's
    active and pending clusters share their owner; -l or --all share the namespace)."""
    from akscli.ray.cluster_delete import (
        job_cluster_delete_warning,
        job_owner,
        selector_jobs_delete_warning,
        service_cluster_delete_warning,
    )

    owners: dict[tuple[str, str, str], dict[str, Any] | None] = {}
    jobs: dict[str, list[dict[str, Any]]] = {}

    def owner(kind: str, name: str, ns: str) -> dict[str, Any] | None:
        if (kind, name, ns) not in owners:
            owners[kind, name, ns] = kube.get(RAY, kind, name, namespace=ns)
        return owners[kind, name, ns]

    def warnings(cluster: dict[str, Any]) -> list[str]:
        ns = cluster["metadata"]["namespace"]
        said: list[str | None] = []
        if (service := logic.service_owner(cluster)) is not None:
            said.append(service_cluster_delete_warning(cluster, owner("RayService", service, ns)))
        elif (job := job_owner(cluster)) is not None:
            said.append(job_cluster_delete_warning(cluster, owner("RayJob", job, ns)))
        if ns not in jobs:
            jobs[ns] = list(kube.list(RAY, "RayJob", namespace=ns))
        said.append(selector_jobs_delete_warning(cluster, jobs[ns]))
        return [s for s in said if s]

    return warnings


cluster_delete = delete_command(
    app,
    "RayCluster",
    "Ray cluster",
    ClusterName,
    "Delete a Ray cluster and its pods (a RayService's active or pending cluster, or a running\n"
    "RayJob's: KubeRay makes one again, which a warning says, with the fix: ray service delete, or\n"
    "ray job stop or delete; a cluster that jobs run on through --cluster: a warning that they stay\n"
    "as they are, with the fix: ray job stop them first).",
    "cluster_delete",
    "ray cluster delete",
    warning=_remade_by_owner,
)


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


@app.command("nodes")
@on_cluster
def cluster_nodes(
    name: Annotated[
        str | None, typer.Argument(help="Ray cluster (default: every cluster).", callback=cluster_name)
    ] = None,
    group: Annotated[str | None, typer.Option("--group", help="Worker group name.", show_default=False)] = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    all_namespaces: flag_types.AllNamespaces = False,
    selector: flag_types.Selector = None,
    output_format: opts.Output = "table",
) -> None:
    """List the Ray nodes (head and worker pods) of a cluster.

    -l selects among them by the pods' labels (KubeRay's ray.io/node-type, ray.io/group, or a label
    of the pod template), as kubectl get pods -l does.
    """
    fmt = opts.output_format(output_format)
    within = f"{logic.CLUSTER_LABEL}={validate.name(name, 'Ray cluster name')}" if name else logic.CLUSTER_LABEL
    if group:
        within += f",{logic.GROUP_LABEL}={validate.name(group, 'worker group')}"
    # The pods are Kubernetes objects: -l adds its requirements to the command's own (a comma is AND).
    labels = opts.label_selector(selector, within=within)
    kube, ns = k8s.connect_ns()
    kube.resource(RAY, "RayCluster")  # KubeRay missing: say so, rather than list no pods
    pods = kube.list("v1", "Pod", namespace=ns, all_namespaces=all_namespaces, label_selector=labels)
    empty = output.no_resources(None if all_namespaces else ns)
    output.emit(pods, fmt, common.namespaced_columns(NODE_COLUMNS, all_namespaces), raw=logic.ray_node, empty=empty)


@app.command("logs")
@on_cluster
def cluster_logs(
    name: ClusterName,
    out_dir: Annotated[
        str | None,
        typer.Option("--out-dir", help="Write each pod's log to DIR/POD.log instead of stdout.", show_default=False),
    ] = None,
    node_type: Annotated[str, typer.Option("--node-type", help="head|worker|all.")] = "head",
    tail: Annotated[
        int | None,
        typer.Option(
            "--tail", help="Last N lines of each log (-1: every line, as kubectl logs --tail=-1).", show_default=False
        ),
    ] = None,
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
    lines = validate.tail(tail)
    kube, ns = k8s.connect_ns()
    logic.get_object(kube, "RayCluster", name, ns)
    sources = logic.cluster_log_sources(kube, ns, name, kind, with_sidecars=bool(out_dir))
    if not sources:
        raise errors.NotFoundError(
            f"Ray cluster {name} has no {kind} pods", hint=f"see akscli ray cluster status {name} -n {ns}"
        )
    if out_dir:
        logic.save_logs(kube, ns, sources, Path(out_dir), lines, output.info)
        if session:
            logic.save_session_logs(kube, ns, sources, Path(out_dir), output.info)
    else:
        print_logs(kube, ns, sources, lines)
