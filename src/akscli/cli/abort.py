"""The body of `akscli cluster abort` and `akscli nodepool abort` (az aks operation-abort, az aks nodepool
operation-abort); cluster.py holds the cluster's flags, ``pool_abort`` is the node pool's command
(registered by nodepool.py, as nodepool_update's). The logic is akscli.azure.aborts."""

from akscli import output
from akscli.azure import etags, kinds
from akscli.cli import azopts
from akscli.cli import options as opts
from akscli.cli.azopts import AzureFlags, DryRun, NoWait, ResourceGroup, on_azure
from akscli.cli.nodepool_flags import ArmName, Cluster


def run(
    *,
    rg: str,
    cluster: str,
    pool: str | None,
    yes: bool,
    dry_run: str,
    no_wait: bool,
    timeout: str,
    fmt: str,
    azure: AzureFlags,
) -> None:
    """Read the cluster or pool (a missing one, or one that runs no operation, is refused before the
    question), ask, POST the abort, and show the resource as it is then (Canceled once AKS is done)."""
    from akscli.azure import aborts, clusters, nodepools
    from akscli.cli import common

    fmt = output.check_format(fmt, output.OBJECT_FORMATS)
    what = f"node pool {pool} of cluster {cluster}" if pool else f"cluster {cluster}"
    show = etags.pool_show(rg, cluster, pool) if pool else etags.cluster_show(rg, cluster)
    with azopts.dry_run_scope(dry_run, fmt) as dry:
        c = azure.aks_client()
        obj = nodepools.get_pool(c, rg, cluster, pool) if pool else clusters.get(c, rg, cluster)
        state = aborts.check_running(obj, what, show)
        common.confirm(
            f"abort the operation running on {what} (state {state}; AKS does not roll back what it already changed)",
            yes or dry,
        )
        if pool:
            poller = aborts.begin_pool_abort(c, rg, cluster, pool, no_wait=no_wait)
        else:
            poller = aborts.begin_cluster_abort(c, rg, cluster, no_wait=no_wait)
        azopts.finish(
            poller,
            f"abort the operation on {what}",
            fmt,
            no_wait=no_wait,
            resume=show,
            target=azopts.audit_target(c, rg, cluster, pool, command=f"{'nodepool' if pool else 'cluster'} abort"),
            deadline=azopts.deadline(timeout),
        )
        if no_wait:
            return
        if pool:
            azopts.show(nodepools.get_pool(c, rg, cluster, pool), fmt, nodepools.summary, kind=kinds.NODEPOOL)
        else:
            azopts.show(clusters.get(c, rg, cluster), fmt, clusters.summary, kind=kinds.CLUSTER)


@on_azure
def pool_abort(
    name: ArmName,
    cluster: Cluster,
    resource_group: ResourceGroup = None,
    yes: opts.Yes = False,
    dry_run: DryRun = "none",
    no_wait: NoWait = False,
    timeout: azopts.Timeout = azopts.ARM_TIMEOUT_DEFAULT,
    output_: opts.ObjectOutput = "table",
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Abort the operation running on a node pool (az aks nodepool operation-abort): Canceling, then Canceled."""
    from akscli.cli.nodepool_arm import _ids

    rg, cname, pname = _ids(resource_group, cluster, name)
    run(
        rg=rg,
        cluster=cname,
        pool=pname,
        yes=yes,
        dry_run=dry_run,
        no_wait=no_wait,
        timeout=timeout,
        fmt=output_,
        azure=azure,
    )
