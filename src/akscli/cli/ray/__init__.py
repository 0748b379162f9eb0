"""akscli ray: Ray on AKS through KubeRay (RayCluster, RayJob, RayService).

Thin: parse flags, call ``akscli.ray`` (validation, objects, status, diagnosis, waits), apply
through ``common.apply_objects`` and print through ``akscli.output``. One module per noun:
``cluster``, ``workergroup``, ``job``, ``service``, ``dashboard``; ``common`` holds what they share.
"""

from akscli.cli.ray import cluster, dashboard, job, service, workergroup
from akscli.cli.ray.common import typer_app

app = typer_app("Ray on Kubernetes through KubeRay: clusters, jobs, services.", name="ray")
app.add_typer(cluster.app, name="cluster")
app.add_typer(workergroup.app, name="workergroup")
app.add_typer(job.app, name="job")
app.add_typer(service.app, name="service")
app.command("dashboard")(dashboard.dashboard)

__all__ = ["app"]
