"""`akscli nodepool update`: change an ARM pool's labels, taints, mode and upgrade settings after it is
added (az aks nodepool update); the logic is akscli/azure/poolupdate.py."""

from dataclasses import asdict

from akscli import output
from akscli.azure import etags
from akscli.cli import azopts
from akscli.cli.azopts import ArmWrite, AzureFlags, ResourceGroup, on_arm_write, on_azure
from akscli.cli.nodepool_arm import _ids, _resume, _show, _show_cmd
from akscli.cli.nodepool_flags import (
    ArmName,
    Cluster,
    Labels,
    Mode,
    Taints,
    UpgradeFlags,
    on_upgrade_flags,
)


@on_azure
@on_arm_write
@on_upgrade_flags
def update(
    name: ArmName,
    cluster: Cluster,
    resource_group: ResourceGroup = None,
    labels: Labels = None,
    taints: Taints = None,
    mode: Mode = None,
    upgrade_flags: UpgradeFlags = UpgradeFlags(),
    if_match: azopts.IfMatch = None,
    write: ArmWrite = ArmWrite(),
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Change a node pool's labels, taints, mode or upgrade settings (the autoscaler range: nodepool scale).

    --labels and --taints replace the pool's own, as az aks nodepool update does; "" clears them."""
    from akscli.azure import nodepools, poolsettings, poolupdate
    from akscli.azure.clusters import as_dict
    from akscli.cli import common

    fmt = output.check_format(write.output_, output.OBJECT_FORMATS)
    rg, cname, pname = _ids(resource_group, cluster, name)
    settings = poolsettings.settings(**asdict(upgrade_flags))
    change = poolupdate.parse(labels=labels, taints=taints, mode=mode, settings=settings)
    etag = etags.check_if_match(if_match, _show_cmd(rg, cname, pname))
    with azopts.dry_run_scope(write.dry_run, fmt) as dry:
        c = azure.aks_client()
        pool, changed, evicting = poolupdate.update_body(c, rg, cname, pname, change)
        if not changed:
            output.info(f"node pool {pname} unchanged")
            if not dry:
                _show(pool, fmt)
            return
        if evicting:
            common.confirm(
                f"taint node pool {pname} with {', '.join(evicting)}, which evicts its pods that do not tolerate it",
                write.yes or dry,
            )
        what = f"update node pool {pname}"
        poller = nodepools.put_pool(c, rg, cname, pname, pool, what, etag, no_wait=write.no_wait)
        result = write.finish(
            poller,
            what,
            fmt,
            resume=_resume(rg, cname, pname),
            target=azopts.audit_target(c, rg, cname, pname, command="nodepool update"),
        )
        if result is not None:
            _show(as_dict(result), fmt)
