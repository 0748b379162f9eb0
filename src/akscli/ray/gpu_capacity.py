"""Whether a Ray cluster that asks for GPUs can have them: the pools it names, their nodes, the
cluster autoscaler's pools and NAP NodePools (moved from ``akscli.ray.status``; nothing here talks to
the cluster: ``akscli.ray.live`` reads what it judges)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli import suggest
from akscli.ray.spec import ClusterSpec


def gpu_capacity_problem(
    spec: ClusterSpec,
    gpu_nodes: bool,
    pools_with_nodes: Mapping[str, bool],
    autoscaled: Mapping[str, int] | None = None,
    nodepools: Mapping[str, Mapping[str, Any] | None] | None = None,
) -> tuple[str | None, list[str]]:
    """An error when GPUs are asked for and the cluster cannot have any; warnings otherwise.

    A named ``--gpu-pool`` with no nodes is only a warning: a pool that autoscales from zero
    has none until the first pod asks for one. ``autoscaled`` (the cluster autoscaler's pools and
    their maximum, ``scale_up.autoscaled_pools``; None where its status could not be read) tells
    such a pool from one nothing will scale up: a misspelt name, or a pool at 0 without an
    autoscaler. A NAP NodePool's group (placement.nap) is judged by the NodePool ``nodepools``
    holds (None: not there): akscli.nap.target.empty_pool_warning.
    """
    warnings: list[str] = []
    if not spec.gpus_requested:
        return None, warnings
    gpu_groups = [g for g in spec.groups if g.resources.gpu]
    pooled = [g for g in gpu_groups if g.placement.gpu_pool]
    for group in pooled:
        pool = str(group.placement.gpu_pool)
        if not pools_with_nodes.get(pool, False) and group.placement.nap:
            from akscli.nap import target as nap_target

            tolerations = group.placement.tolerations(True)
            nodepool = (nodepools or {}).get(pool)
            warnings.append(nap_target.empty_pool_warning(nodepool, pool, group.name, group.resources.gpu, tolerations))
        elif not pools_with_nodes.get(pool, False):
            warnings.append(_empty_pool(pool, group.name, autoscaled))
    if not gpu_nodes and len(pooled) < len(gpu_groups) + (1 if spec.head.gpu else 0):
        return (f"Ray cluster {spec.name} asks for GPUs but the cluster has no GPU nodes", warnings)
    return None, warnings


def _empty_pool(pool: str, group: str, autoscaled: Mapping[str, int] | None) -> str:
    """The warning for a named pool with no nodes: the autoscaler will add some, or nothing will."""
    top = (autoscaled or {}).get(pool, 0)
    if top > 0:
        return (
            f"node pool {pool} has no nodes now; the cluster autoscaler adds them (up to {top}) for worker "
            f"group {group}, and GPU nodes take several minutes"
        )
    check = "check the name with: akscli nodepool list --cluster CLUSTER -g RESOURCE_GROUP"
    if autoscaled is None:
        return (
            f"node pool {pool} has no nodes, and no cluster autoscaler status says it will get any: worker "
            f"group {group} stays pending until the pool has nodes; {check}, or scale the pool up"
        )
    others = sorted(p for p, n in autoscaled.items() if n > 0)
    close = suggest.closest(pool, others, n=1)
    guess = f" (did you mean {close[0]}?)" if close else ""
    scales = f"it scales {', '.join(others)}" if others else "it scales none"
    return (
        f"node pool {pool} has no nodes and the cluster autoscaler does not scale it ({scales}){guess}: "
        f"worker group {group} stays pending until the pool has nodes; {check}"
    )


# `nodepool add` requires --cluster and -g (the Kubernetes context does not name the AKS resource),
# so the example names them: a hint copied as written must run.
NO_GPU_HINT = (
    "add a GPU node pool (e.g. akscli nodepool add gpu --cluster CLUSTER -g RESOURCE_GROUP "
    "--vm-size Standard_NC24ads_A100_v4 --min-count 0 --max-count 2) and pass --gpu-pool gpu, or drop the GPU flags"
)
