"""`akscli cluster update`: change what `cluster create` set (KAITO, node auto-provisioning, the tier, tags,
local accounts) and the auto-upgrade channels (az aks update); the logic is akscli/azure/clusterupdate.py."""

from typing import Annotated

import typer

from akscli import output
from akscli.azure import etags
from akscli.cli import azopts
from akscli.cli.azopts import ArmWrite, AzureFlags, ResourceGroup, on_arm_write, on_azure
from akscli.cli.cluster_common import (
    KAITO,
    LOCAL_ACCOUNTS,
    NODE_PROVISIONING,
    TAGS,
    TIER,
    Name,
    _ids,
    _resume,
    _show,
    _show_cmd,
)


@on_azure
@on_arm_write
def update(
    name: Name,
    resource_group: ResourceGroup = None,
    kaito: Annotated[bool | None, KAITO] = None,
    node_provisioning: Annotated[str | None, NODE_PROVISIONING] = None,
    tier: Annotated[str | None, TIER] = None,
    tags: Annotated[list[str] | None, TAGS] = None,
    local_accounts: Annotated[bool | None, LOCAL_ACCOUNTS] = None,
    auto_upgrade_channel: Annotated[
        str | None,
        typer.Option(help="rapid|stable|patch|node-image|none: the cluster's auto-upgrade.", show_default=False),
    ] = None,
    node_os_upgrade_channel: Annotated[
        str | None,
        typer.Option(help="None|Unmanaged|NodeImage|SecurityPatch: the nodes' OS updates.", show_default=False),
    ] = None,
    if_match: azopts.IfMatch = None,
    write: ArmWrite = ArmWrite(),
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Change a cluster's KAITO, node auto-provisioning, tier, tags, local accounts or auto-upgrade channels.

    --tags replaces the cluster's tags, as az aks update does. Turning KAITO or node auto-provisioning off asks
    first (-y)."""
    from akscli.azure import clusterupdate, upgrades
    from akscli.azure.clusters import as_dict
    from akscli.cli import common

    fmt = output.check_format(write.output_, output.OBJECT_FORMATS)
    rg, cname = _ids(resource_group, name)
    change = clusterupdate.parse(
        kaito=kaito,
        node_provisioning=node_provisioning,
        tier=tier,
        tags=tags,
        local_accounts=local_accounts,
        upgrade_channel=auto_upgrade_channel,
        node_os_upgrade_channel=node_os_upgrade_channel,
    )
    etag = etags.check_if_match(if_match, _show_cmd(rg, cname))
    with azopts.dry_run_scope(write.dry_run, fmt) as dry:
        c = azure.aks_client()
        cluster, changed, turns_off = clusterupdate.update_body(c, rg, cname, change)
        if not changed:
            output.info(f"cluster {cname} unchanged")
            if not dry:
                _show(cluster, fmt)
            return
        for what in turns_off:
            common.confirm(f"turn off {what} on cluster {cname}", write.yes or dry)
        poller = upgrades.put_cluster(
            c, rg, cname, cluster, f"update cluster {cname}", if_match=etag, no_wait=write.no_wait
        )
        result = write.finish(
            poller,
            f"update cluster {cname}",
            fmt,
            resume=_resume(rg, cname),
            target=azopts.audit_target(c, rg, cname, command="cluster update"),
        )
        if result is not None:
            _show(as_dict(result), fmt)
