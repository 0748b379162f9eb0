"""akscli ray dashboard: the Ray dashboard of a cluster, job or service."""

from typing import Annotated, Any

import typer

from akscli import output, validate
from akscli import ray as logic
from akscli.cli import completers
from akscli.cli import options as opts
from akscli.cli.ray.common import (
    on_cluster,
)


@on_cluster
def dashboard(
    ref: Annotated[
        str,
        typer.Argument(
            help="A Ray cluster: NAME, raycluster/NAME, rayjob/NAME or rayservice/NAME.",
            autocompletion=completers.ray_targets,
        ),
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
    logic.parse_ref(ref)  # before the cluster is read
    kube, ns = k8s.connect_ns()
    cluster = logic.resolve_cluster(kube, ref, ns)
    info: dict[str, Any] = logic.dashboard_info(kube, cluster)
    if not port_forward:
        if fmt != "table":
            output.emit_object(info, fmt)
            return
        output.write(info["url"])
        proxied = logic.proxy_path(ns, info["service"], logic.DASHBOARD_PORT_NAME)
        output.info(
            f"open it with your cluster credentials (e.g. through kubectl proxy: http://127.0.0.1:8001{proxied})"
        )
        return
    uid = cluster["metadata"].get("uid")
    forwarder = logic.DashboardForwarder(
        kube, ns, info["cluster"], info["service"], port=port, progress=output.info, owner_uid=uid
    )
    forwarder.start()
    info["local"] = forwarder.url
    if fmt == "table":
        output.write(forwarder.url)
    else:
        output.emit_object(info, fmt)
    output.info(f"forwarding {forwarder.url} to {info['service']}:{logic.DASHBOARD_PORT_NAME}; Ctrl-C stops")
    try:
        forwarder.wait()  # until Ctrl-C, or the connection to the API server is lost (its error)
    finally:
        forwarder.stop()
