"""akscli ray service: deploy, status, list, delete (RayService)."""

from typing import Annotated

import typer

from akscli import output, validate
from akscli import ray as logic
from akscli.cli import flag_types
from akscli.cli import options as opts
from akscli.cli.diff_status import ExitCode, with_exit_code
from akscli.cli.ray.common import (
    RAY,
    ApplyOutput,
    Labels,
    NewServiceName,
    ServiceName,
    build_and_apply,
    delete_command,
    list_command,
    on_cluster,
    show,
    typer_app,
    with_cluster_flags,
)

app = typer_app("Ray Serve applications (RayService).")


@app.command("deploy")
@with_exit_code
@on_cluster
@with_cluster_flags
def service_deploy(
    name: NewServiceName,
    file: Annotated[str, typer.Option("-f", "--filename", help="Ray Serve config (serveConfigV2).")],
    cluster_flags: logic.ClusterFlags = logic.ClusterFlags(),
    label: Labels = None,
    k8s: opts.KubeFlags = opts.KubeFlags(),
    dry_run: flag_types.DryRun = "none",
    wait: flag_types.Wait = False,
    timeout: flag_types.Timeout = "15m",
    yes: flag_types.Yes = False,
    force_conflicts: flag_types.ForceConflicts = False,
    output_format: ApplyOutput = "table",
    exit_code: ExitCode = False,
) -> None:
    """Deploy Ray Serve applications as a RayService (--wait: the Ready condition)."""
    build_and_apply(
        lambda conn: logic.service_objects(name, file, cluster_flags, label or [], conn),
        stack=f"rayservice-{name}",
        action="ray service deploy",
        k8s=k8s,
        dry_run=dry_run,
        wait=wait,
        timeout=timeout,
        yes=yes,
        force_conflicts=force_conflicts,
        output_format=output_format,
        exit_code=exit_code,
    )


@app.command("status")
@on_cluster
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
    own = kube.list(RAY, "RayCluster", namespace=ns, label_selector=logic.own_clusters_selector(name))
    summary = logic.service_summary(service, findings, own)
    fields = logic.service_summary_fields(summary, findings, wide=fmt == "wide")
    show(summary, fields, fmt, kind="rayservice.ray.io")


SERVICE_COLUMNS = [
    output.Column("name", "metadata.name"),
    output.Column("ready", logic.service_ready),
    output.Column("serve endpoints", lambda s: output.dig(s, "status.numServeEndpoints", 0)),
    output.Column("cluster", "status.activeServiceStatus.rayClusterName"),
    output.Column("age", output.age),
    output.Column("namespace", "metadata.namespace", wide=True),
]


service_list = list_command(app, "RayService", SERVICE_COLUMNS, "List RayServices.", "service_list")


service_delete = delete_command(
    app,
    "RayService",
    "RayService",
    ServiceName,
    "Delete a RayService and the Ray cluster it runs on.",
    "service_delete",
    "ray service delete",
)
