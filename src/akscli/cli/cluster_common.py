"""What `akscli cluster`'s commands share: the NAME argument and the helpers that name a cluster, its
wait command, its eTag and its summary, and the flags `create` and `update` both take, with one meaning
(tests/foundation/test_grammar.py) (cluster.py, cluster_update.py)."""

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from akscli.azure import etags, kinds, names
from akscli.cli import azopts, complete_arm
from akscli.cli import options as opts

_NAME_HELP = "Cluster name; cluster/NAME as -o name prints it also works."
# An AKS cluster's NAME is an ARM name whatever the other flags (names.cluster_name), checked as it
# is read: `cluster show Demo.` is refused for its NAME, not for the -g it lacks.
_NAME_CHECK = opts.type_name("cluster", "cluster name", "akscli cluster list", check=names.cluster_name)
# A cluster's NAME completes from ARM (complete_arm.arm_clusters); create's names a cluster not there yet.
Name = Annotated[
    str,
    typer.Argument(help=_NAME_HELP, show_default=False, callback=_NAME_CHECK, autocompletion=complete_arm.arm_clusters),
]
NewName = Annotated[str, typer.Argument(help=_NAME_HELP, show_default=False, callback=_NAME_CHECK)]
# Typed once, used by `create` (bool, default off) and `update` (None: left as it is).
KAITO = typer.Option(
    "--enable-kaito/--disable-kaito",
    help="The AI toolchain operator (KAITO), with the OIDC issuer and workload identity it signs in with.",
    show_default=False,
)
NODE_PROVISIONING = typer.Option(help="auto|manual: node auto-provisioning (Karpenter).", show_default=False)
TIER = typer.Option(
    help="free|standard|premium (a base cluster's; create's default free); Automatic is always standard.",
    show_default=False,
)
TAGS = typer.Option(
    "--tags", help='key=value (repeatable); update replaces the tags ("" clears them).', show_default=False
)
LOCAL_ACCOUNTS = typer.Option(
    "--local-accounts/--no-local-accounts", help="Allow static admin credentials (off: Entra-only)."
)


def _ids(resource_group: str | None, name: str) -> tuple[str, str]:
    return azopts.resource_group(resource_group), names.cluster_name(name)


def _resume(rg: str, name: str, *, deleted: bool = False) -> str:
    return f"akscli cluster wait {name} -g {rg}" + (" --deleted" if deleted else "")


def _show_cmd(rg: str, name: str) -> str:
    """Where --if-match's eTag is read: the cluster's eTag."""
    return etags.etag_cmd(etags.cluster_show(rg, name), etags.CLUSTER_ETAG)


def _show(cluster: Mapping[str, Any], fmt: str) -> None:
    from akscli.azure import clusters

    azopts.show(cluster, fmt, clusters.summary, kind=kinds.CLUSTER)
