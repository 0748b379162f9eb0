"""The body of `akscli cluster abort` and `akscli nodepool abort` (az aks operation-abort, az aks nodepool
operation-abort); cluster.py holds the cluster's flags, ``pool_abort`` is the node pool's command
(registered by nodepool.py, as nodepool_update's). The logic is akscli.azure.aborts."""

from akscli import output
from akscli.azure import etags, kinds
from akscli.cli import azopts
from akscli.cli.azopts import ArmWrite, AzureFlags, ResourceGroup, on_arm_write, on_azure
from akscli.cli.nodepool_flags import ArmName, Cluster


def run(*, rg: str, cluster: str, pool: str | None, write: ArmWrite, azure: AzureFlags) -> None:
    """Read the cluster or pool (a missing one, or one that runs no operation, is refused before the
    question), ask, POST the abort, and show the resource as it is then (Canceled once AKS is done)."""
    from akscli.azure import aborts, clusters, nodepools
    from akscli.cli import common

    fmt = output.check_format(write.output_, output.OBJECT_FORMATS)
    what = f"node pool {pool} of cluster {cluster}" if pool else f"cluster {cluster}"
    show = etags.pool_show(rg, cluster, pool) if pool else etags.cluster_show(rg, cluster)
    with azopts.dry_run_scope(write.dry_run, fmt) as dry:
        c = azure.aks_client()
        obj = nodepools.get_pool(c, rg, cluster, pool) if pool else clusters.get(c, rg, cluster)
        state = aborts.check_running(obj, what, show)
        common.confirm(
            f"abort the operation running on {what} (state {state}; AKS does not roll back what it already changed)",
            write.yes or dry,
        )
        if pool:
            poller = aborts.begin_pool_abort(c, rg, cluster, pool, no_wait=write.no_wait)
        else:
            poller = aborts.begin_cluster_abort(c, rg, cluster, no_wait=write.no_wait)
        write.finish(
            poller,
            f"abort the operation on {what}",
            fmt,
            resume=show,
            target=azopts.audit_target(c, rg, cluster, pool, command=f"{'nodepool' if pool else 'cluster'} abort"),
        )
        if write.no_wait:
            return
        if pool:
            azopts.show(nodepools.get_pool(c, rg, cluster, pool), fmt, nodepools.summary, kind=kinds.NODEPOOL)
        else:
            azopts.show(clusters.get(c, rg, cluster), fmt, clusters.summary, kind=kinds.CLUSTER)


@on_azure
@on_arm_write
def pool_abort(
    name: ArmName,
    cluster: Cluster,
    resource_group: ResourceGroup = None,
    write: ArmWrite = ArmWrite(),
    azure: AzureFlags = AzureFlags(),
) -> None:
    """Abort the operation running on a node pool (az aks nodepool operation-abort): Canceling, then Canceled."""
    from akscli.cli.nodepool_arm import _ids

    rg, cname, pname = _ids(resource_group, cluster, name)
    run(rg=rg, cluster=cname, pool=pname, write=write, azure=azure)
