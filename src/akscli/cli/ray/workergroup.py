"""akscli ray workergroup: add, list (worker groups of a RayCluster)."""

from collections.abc import Iterable
from typing import Annotated, Any

import typer

from akscli import output, validate
from akscli import ray as logic
from akscli.cli import common as cli_common
from akscli.cli import flag_types
from akscli.cli import options as opts
from akscli.cli.ray.common import (
    RAY,
    ClusterName,
    GpuPool,
    Image,
    Spot,
    audit,
    cluster_name,
    on_cluster,
    typer_app,
    warn_all,
)

app = typer_app("Worker groups of a Ray cluster.")


@app.command("add")
@on_cluster
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
    yes: flag_types.Yes = False,
    dry_run: flag_types.DryRun = "none",
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
        output.emit_object(ops, "yaml" if fmt == "table" else fmt, name=lambda _: group_name(cluster, group))
        output.info(
            f"dry run (client): this JSON patch would be sent to raycluster.ray.io/{cluster}; nothing was sent "
            "(without the cluster: its head image, autoscaler and GPU nodes were not read)"
        )
        return
    kube, ns = k8s.connect_ns()
    current = logic.get_object(kube, "RayCluster", cluster, ns)
    added, warnings = logic.add_worker_group(kube, current, new, group_image, dry_run=mode == "server")
    warn_all(warnings)
    if mode == "server":
        output.emit_object(added, "yaml" if fmt == "table" else fmt, name=lambda _: group_name(cluster, group))
        output.info(f"dry run (server): the API server accepted the new group of {cluster}; nothing was changed")
        return
    audit("ray workergroup add", kube, f"raycluster.ray.io/{cluster}", "add-group", group=group)
    if fmt != "table":
        output.emit_object(added, fmt, name=lambda _: group_name(cluster, group))
    else:
        output.write(f"worker group {group} added to Ray cluster {cluster}")


def group_name(cluster: str, group: str) -> str:
    """-o name of a worker group: ``CLUSTER/GROUP``, as ``workergroup list`` prints it and ``workergroup
    add`` prints the group it adds (a group is part of its RayCluster, not an object of its own)."""
    return f"{cluster}/{group}"


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


@app.command("list")
@opts.lists_no_kubernetes_objects
@on_cluster
def workergroup_list(
    cluster: Annotated[str | None, typer.Argument(help="Ray cluster (default: all).", callback=cluster_name)] = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    all_namespaces: flag_types.AllNamespaces = False,
    output_format: opts.Output = "table",
) -> None:
    """Worker groups with desired, ready and GPU counts."""
    fmt = opts.output_format(output_format)
    if cluster:
        validate.name(cluster, "Ray cluster name")
    kube, ns = k8s.connect_ns()
    if cluster:
        one = logic.get_object(kube, "RayCluster", cluster, ns)
        rows: Iterable[dict[str, Any]] = logic.cluster_group_rows(kube, one)
    else:
        # The RayClusters' pages stream through the output layer (a table keeps rows, not clusters).
        clusters = kube.list(RAY, "RayCluster", namespace=ns, all_namespaces=all_namespaces)
        rows = logic.worker_group_rows(kube, clusters, namespace=ns, all_namespaces=all_namespaces)
    output.emit(
        rows,
        fmt,
        cli_common.namespaced_columns(WORKERGROUP_COLUMNS, all_namespaces),
        name=lambda g: group_name(g["cluster"], g["name"]),
        empty=output.no_resources(None if all_namespaces else ns),
    )
