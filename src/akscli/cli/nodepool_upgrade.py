"""`akscli nodepool upgrade`: list the versions an ARM pool can go to, or upgrade its Kubernetes
version or its node image (az aks nodepool upgrade); the logic is akscli/azure/poolupgrades.py."""

from typing import Annotated

import typer

from akscli import errors, output
from akscli.azure import etags, kinds
from akscli.cli import azopts
from akscli.cli.azopts import ArmWrite, AzureFlags, ResourceGroup, on_arm_write, on_azure
from akscli.cli.nodepool_arm import _ids, _resume, _show, _show_cmd
from akscli.cli.nodepool_flags import (
    ArmName,
    Cluster,
    UpgradeFlags,
    on_upgrade_flags,
)


@on_azure
@on_arm_write
@on_upgrade_flags
def upgrade(
    name: ArmName,
    cluster: Cluster,
    resource_group: ResourceGroup = None,
    kubernetes_version: azopts.UpgradeVersion = None,
    list_only: azopts.UpgradeList = False,
    node_image_only: Annotated[bool, typer.Option("--node-image-only", help="Upgrade only the node image.")] = False,
    upgrade_flags: UpgradeFlags = UpgradeFlags(),
    if_match: azopts.IfMatch = None,
    write: ArmWrite = ArmWrite(),
    azure: AzureFlags = AzureFlags(),
) -> None:
    """List available upgrades, or upgrade a node pool's version or node image."""
    from akscli.azure import nodepools, poolsettings, poolupgrades
    from akscli.cli import common

    fmt = output.check_format(write.output_, output.OBJECT_FORMATS)
    rg, cname, pname = _ids(resource_group, cluster, name)
    settings = poolsettings.settings(
        drain_timeout=upgrade_flags.drain_timeout,
        node_soak_duration=upgrade_flags.node_soak_duration,
        undrainable_node_behavior=upgrade_flags.undrainable_node_behavior,
    )
    version = poolupgrades.check_upgrade_flags(
        kubernetes_version,
        node_image_only=node_image_only,
        max_surge=upgrade_flags.max_surge,
        max_unavailable=upgrade_flags.max_unavailable,
        upgrade_settings=settings,
        list_only=list_only,
    )
    etag = etags.check_upgrade_if_match(
        if_match, _show_cmd(rg, cname, pname), version=version, node_image_only=node_image_only
    )
    with azopts.dry_run_scope(write.dry_run, fmt) as dry:
        c = azure.aks_client()
        # Every read and check comes before the question: a missing pool is "not found", not a
        # prompt first (kubectl delete --interactive lists what it found before it asks).
        if node_image_only:
            poolupgrades.node_image_pool(c, rg, cname, pname)
            common.confirm(f"upgrade the node image of pool {pname}", write.yes or dry)
            poller = poolupgrades.begin_node_image_upgrade(c, rg, cname, pname, no_wait=write.no_wait)
        elif version:
            try:
                body = poolupgrades.upgrade_body(
                    c,
                    rg,
                    cname,
                    pname,
                    version,
                    max_surge=upgrade_flags.max_surge,
                    max_unavailable=upgrade_flags.max_unavailable,
                    upgrade_settings=settings,
                )
            except errors.AlreadyAtVersion as there:
                output.info(f"{there.message}. {there.hint}")
                if not dry:
                    _show(nodepools.get_pool(c, rg, cname, pname), fmt)
                return
            what, command = f"node pool {pname}", "az aks nodepool upgrade"
            props = body["properties"]
            resend = errors.resend_of(what, props, "currentOrchestratorVersion", "orchestratorVersion", command)
            if resend:
                output.info(resend)
            common.confirm(f"upgrade node pool {pname} to {version}", write.yes or dry)
            poller = poolupgrades.send_upgrade(c, rg, cname, pname, body, if_match=etag, no_wait=write.no_wait)
        else:
            azopts.emit_upgrades(poolupgrades.upgrade_info(c, rg, cname, pname), fmt, kind=kinds.NODEPOOL)
            return
        write.finish(
            poller,
            f"upgrade node pool {pname}",
            fmt,
            resume=_resume(rg, cname, pname),
            target=azopts.audit_target(c, rg, cname, pname, command="nodepool upgrade"),
        )
        if not write.no_wait:
            _show(nodepools.get_pool(c, rg, cname, pname), fmt)
