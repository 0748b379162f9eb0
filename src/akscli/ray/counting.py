"""``ray cluster status`` counted as the pages of a cluster's pods arrive: a training cluster has
thousands of worker pods and the status shows counts, so it keeps the summary's counters and at
most ``STUCK_LIMIT`` stuck pods (those whose events the diagnosis reads), not every pod (audit
16's rule: aggregates are counted page by page, not held whole)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from akscli.ray.live import cluster_pods
from akscli.ray.status import STUCK_LIMIT, HeadPods, PodTally, cluster_summary, is_stuck

if TYPE_CHECKING:
    from akscli.kube.client import Kube


def summary_and_stuck(
    kube: Kube, cluster: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Mapping[str, Any]], HeadPods]:
    """One cluster's summary (``status.cluster_summary``, which folds over its pods), its first
    ``STUCK_LIMIT`` stuck pods and its head pods (``status.HeadPods``), from one paged list of its
    pods by the ``ray.io/cluster`` label; ``diagnose_cluster`` takes the stuck and head pods as the
    pods it would have read."""
    meta = cluster["metadata"]
    stuck: list[Mapping[str, Any]] = []
    counted = PodTally()
    counted.heads.owner_uid = meta.get("uid")
    for pod in cluster_pods(kube, meta["namespace"], meta["name"]):
        if len(stuck) < STUCK_LIMIT and is_stuck(pod):
            stuck.append(pod)
        counted.add(pod)
    return cluster_summary(cluster, counted), stuck, counted.heads
