"""A RayService: its Serve config, its template values and reading its status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from akscli.errors import UsageError
from akscli.ray.status import condition

if TYPE_CHECKING:
    from akscli.ray.status import Finding


def serve_config(text: str, source: str) -> str:
    """Check a Serve config (serveConfigV2) and return it as YAML text."""
    from akscli import yamlio

    doc = yamlio.load(text, source)
    if not isinstance(doc, Mapping) or not isinstance(doc.get("applications"), list) or not doc["applications"]:
        raise UsageError(
            f"{source} is not a Ray Serve config: it has no applications list",
            hint="write applications: [{name: app, import_path: module:app}] as `serve build` produces",
        )
    names: set[str] = set()
    for index, app in enumerate(doc["applications"]):
        if not isinstance(app, Mapping) or not isinstance(app.get("import_path"), str):
            raise UsageError(
                f"{source}: application {index + 1} has no import_path",
                hint="each application needs import_path: module:variable",
            )
        app_name = str(app.get("name", "default"))
        if app_name in names:
            raise UsageError(
                f"{source}: application name {app_name!r} is used twice",
                hint="give each application a distinct name",
            )
        names.add(app_name)
    return yamlio.dump(doc)


def render_service(
    name: str, namespace: str, serve: str, cluster_spec_obj: Mapping[str, Any], labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The RayService running the Serve config ``serve`` on a cluster with ``cluster_spec_obj``."""
    from akscli.render import render

    values = {
        "name": name,
        "namespace": namespace,
        "labels": dict(labels),
        "serve_config": serve,
        "cluster_spec": dict(cluster_spec_obj),
    }
    return render("ray/rayservice.yaml.j2", values)


def service_cluster(service: Mapping[str, Any]) -> str | None:
    """The Ray cluster that serves now (KubeRay replaces it on a cluster spec change)."""
    cluster = ((service.get("status") or {}).get("activeServiceStatus") or {}).get("rayClusterName")
    return str(cluster) if cluster else None


def service_ready(service: Mapping[str, Any]) -> str:
    return str((condition(service, "Ready") or {}).get("status", "Unknown"))


def service_summary(service: Mapping[str, Any], findings: Sequence[Finding]) -> dict[str, Any]:
    """What ``ray service status`` shows: the Ready condition, endpoints, applications, problems."""
    name, ns = service["metadata"]["name"], service["metadata"]["namespace"]
    status = service.get("status") or {}
    active = status.get("activeServiceStatus") or {}
    return {
        "name": name,
        "namespace": ns,
        "ready": service_ready(service),
        "reason": (condition(service, "Ready") or {}).get("reason"),
        "serveEndpoints": int(status.get("numServeEndpoints") or 0),
        "cluster": active.get("rayClusterName"),
        "serveService": f"{name}-serve-svc.{ns}.svc.cluster.local:8000",
        "applications": {
            app: {"status": value.get("status"), "message": value.get("message")}
            for app, value in (active.get("applicationStatuses") or {}).items()
        },
        "problems": [vars(f) for f in findings],
    }


_SUMMARY_ROWS = ("name", "namespace", "ready", "reason", "serveEndpoints", "cluster", "serveService")


def service_summary_fields(summary: Mapping[str, Any], findings: Sequence[Finding]) -> list[tuple[str, Any]]:
    """The table rows of a service summary: its fields, one row per application and per problem."""
    fields: list[tuple[str, Any]] = [(key, summary[key]) for key in _SUMMARY_ROWS]
    for app, state in summary["applications"].items():
        message = f": {state['message']}" if state.get("message") else ""
        fields.append((f"app {app}", f"{state['status']}{message}"))
    return fields + [("problem", f.line()) for f in findings]
