"""What `akscli cluster`'s commands share: the NAME argument and the helpers that name a cluster, its
wait command, its eTag and its summary (cluster.py, cluster_update.py)."""

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from akscli.azure import etags, kinds
from akscli.cli import azopts
from akscli.cli import options as opts

Name = Annotated[
    str,
    typer.Argument(
        help="Cluster name; cluster/NAME as -o name prints it also works.",
        show_default=False,
        callback=opts.type_name("cluster", "cluster name", "akscli cluster list"),
    ),
]


def _ids(resource_group: str | None, name: str) -> tuple[str, str]:
    from akscli.azure import names

    return azopts.resource_group(resource_group), names.cluster_name(name)


def _resume(rg: str, name: str, *, deleted: bool = False) -> str:
    return f"akscli cluster wait {name} -g {rg}" + (" --deleted" if deleted else "")


def _show_cmd(rg: str, name: str) -> str:
    """Where --if-match's eTag is read: the cluster's eTag."""
    return etags.etag_cmd(etags.cluster_show(rg, name), etags.CLUSTER_ETAG)


def _show(cluster: Mapping[str, Any], fmt: str) -> None:
    from akscli.azure import clusters

    azopts.show(cluster, fmt, clusters.summary, kind=kinds.CLUSTER)
