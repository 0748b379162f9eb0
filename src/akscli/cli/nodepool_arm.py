"""`akscli nodepool` on ARM agent pools: the helpers the ARM commands share and `nodepool add` for an
ARM pool (nodepool.py routes --auto-provision to nodepool_nap)."""

from collections.abc import Mapping
from typing import Any

from akscli import output
from akscli.azure import etags, kinds
from akscli.cli import azopts
from akscli.cli.azopts import AzureFlags
from akscli.errors import UsageError

# What to do instead, per verb, when NAME was given as a Karpenter NodePool (nodepool.karpenter.sh/NAME,
# the form `nodepool list/show --auto-provision -o name` prints) to a command about to act on an Azure
# agent pool: the NodePool is a Kubernetes object, and an agent pool of the same name is another thing.
# show and delete have a NAP meaning (--auto-provision); the others have none in akscli: a NodePool has
# no node count (NAP makes nodes for pending pods, capped by spec.limits: `add --auto-provision
# --max-gpus`); its nodes follow the control plane's Kubernetes version (upstream: MicrosoftDocs/
# azure-aks-docs 04921f5f articles/aks/node-auto-provisioning.md, "Kubernetes upgrade behavior for node
# auto-provisioning nodes") and take new node images on their own (node-auto-provisioning-upgrade-image.md:
# "NAP node pool virtual machines (VMs) are automatically updated when a new image version is
# available"); no Azure operation runs on it to abort.
_NODEPOOL_INSTEAD = {
    "show": "add --auto-provision (and drop --cluster/-g) to show the NodePool",
    "delete": "add --auto-provision (and drop --cluster/-g) to delete the NodePool",
    "update": "change the NodePool with: akscli nodepool add {name} --auto-provision FLAGS (it is applied "
    "again), or kubectl edit nodepool {name}",
    "scale": "a NodePool has no node count (NAP makes nodes for pending pods); cap it with: akscli nodepool "
    "add {name} --auto-provision --max-gpus N, or kubectl edit nodepool {name} (spec.limits)",
    "upgrade": "NAP's nodes follow the cluster's Kubernetes version and take new node images on their own; "
    "upgrade the cluster with: akscli cluster upgrade",
    "abort": "no Azure operation runs on a NodePool; see it with: akscli nodepool show {name} --auto-provision",
}


def _refuse_nodepool_type(name: str) -> None:
    """A UsageError when the NAME argument was given as a Karpenter NodePool by its group
    (``nodepool.karpenter.sh/NAME``, options.type_name's typed_resource): only a bare NAME or the
    agent pool's own ``nodepool/NAME`` (its -o name) names an Azure agent pool."""
    from typer._click.globals import get_current_context

    from akscli.cli import options as opts

    typed = opts.typed_resource() or opts.typed_resource("names")  # delete's NAME... (one NAME here)
    if typed is None or typed[1] is None or "." not in typed[0]:
        return
    ctx = get_current_context(silent=True)
    verb = ctx.info_name if ctx is not None and ctx.info_name else "update"
    acts = "without --auto-provision acts" if verb in ("show", "delete") else "acts only"
    raise UsageError(
        f"{typed[0]}/{name} is a node auto-provisioning (Karpenter) NodePool; "
        f"nodepool {verb} {acts} on an Azure agent pool",
        hint=_NODEPOOL_INSTEAD.get(verb, _NODEPOOL_INSTEAD["update"]).format(name=name),
    )


def pool_name(name: str) -> str:
    """An agent pool's NAME, checked before the flags the command needs (--cluster, -g) are: a bad
    typed value is refused for itself, not for a flag left out (a NodePool's TYPE/NAME refused)."""
    from akscli.azure import names

    _refuse_nodepool_type(name)
    return names.nodepool_name(name)


def _ids(resource_group: str | None, cluster: str | None, name: str | None = None) -> tuple[str, str, str]:
    """The ARM pool's resource group, cluster and name (checked, the name first)."""
    from akscli.azure import names
    from akscli.cli.nodepool_nap import need_cluster

    pname = pool_name(name) if name else ""
    rg = azopts.resource_group(resource_group)
    return rg, names.cluster_name(need_cluster(cluster)), pname


def _resume(rg: str, cluster: str, name: str | None = None) -> str:
    if name is None:
        return f"akscli nodepool list --cluster {cluster} -g {rg}"
    return f"akscli nodepool show {name} --cluster {cluster} -g {rg}"


def _show_cmd(rg: str, cluster: str, name: str) -> str:
    """Where --if-match's eTag is read: the pool's properties.eTag."""
    return etags.etag_cmd(etags.pool_show(rg, cluster, name), etags.POOL_ETAG)


def _show(pool: Mapping[str, Any], fmt: str) -> None:
    from akscli.azure import nodepools

    azopts.show(pool, fmt, nodepools.summary, kind=kinds.NODEPOOL)


def add(
    *,
    name: str,
    cluster: str,
    resource_group: str | None,
    vm_size: str | None,
    gpu: str | None,
    gpus_per_node: int | None,
    count: int | None,
    min_count: int | None,
    max_count: int | None,
    enable_autoscaler: bool,
    mode: str,
    taints: list[str] | None,
    no_gpu_taint: bool,
    labels: list[str] | None,
    gpu_driver: str | None,
    managed_gpu: bool,
    gpu_instance_profile: str | None,
    os_sku: str | None,
    spot: bool,
    spot_max_price: float | None,
    zones: list[str] | None,
    kubernetes_version: str | None,
    upgrade_settings: dict[str, Any],
    if_none_match: str | None,
    dry_run: str,
    no_wait: bool,
    timeout: str,
    output_: str,
    azure: AzureFlags,
) -> None:
    from akscli.azure import clusters, nodepools, poolchecks, poolsettings

    fmt = output.check_format(output_, output.OBJECT_FORMATS)
    etags.check_if_none_match(if_none_match)
    settings = poolsettings.settings(**upgrade_settings)  # the flags by parameter name
    poolchecks.check_enable_autoscaler(enable_autoscaler, min_count, max_count)
    spec = nodepools.NodePoolSpec.from_flags(
        name=name,
        cluster=cluster,
        resource_group=azopts.resource_group(resource_group),
        vm_size=vm_size,
        gpu=gpu,
        gpus_per_node=gpus_per_node,
        count=count,
        min_count=min_count,
        max_count=max_count,
        mode=mode,
        taints=taints,
        no_gpu_taint=no_gpu_taint,
        labels=labels,
        gpu_driver=gpu_driver,
        managed_gpu=managed_gpu,
        gpu_instance_profile=gpu_instance_profile,
        os_sku=os_sku,
        spot=spot,
        spot_max_price=spot_max_price,
        zones=zones,
        kubernetes_version=kubernetes_version,
        upgrade_settings=settings,
    )
    body = nodepools.build_body(spec)
    # --dry-run contacts nothing: the SDK builds the PUT (URL, api-version, body) and it is printed;
    # the checks before a real add (the cluster, an existing pool, size and quota) are reads it leaves out.
    until = azopts.deadline(timeout)  # bounds the begin's retries too (armbound.bound_by)
    with azopts.dry_run_scope(dry_run, fmt, offline=True) as dry:
        target = azure.target()
        if gpu:  # once every value is checked (the subscription too): nothing is printed before an error
            output.info(f"--gpu {gpu}: using VM size {spec.vm_size}")
        c = clusters.client(target)
        if dry:
            nodepools.send_add(c, spec, body)
        poller = nodepools.begin_add(c, spec, body, target, no_wait=no_wait)
        resume = _resume(spec.resource_group, spec.cluster, spec.name)
        result = azopts.finish(
            poller,
            f"add node pool {spec.name}",
            fmt,
            no_wait=no_wait,
            resume=resume,
            target=azopts.audit_target(c, spec.resource_group, spec.cluster, spec.name, command="nodepool add"),
            deadline=until,
        )
        if result is not None:
            _show(clusters.as_dict(result), fmt)
