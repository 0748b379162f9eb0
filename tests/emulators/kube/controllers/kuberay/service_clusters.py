"""Which RayClusters a RayService keeps, updates, replaces and deletes, as KubeRay decides.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayservice_controller.go
(``constructRayClusterForRayService``, ``rayClusterSpecForHashing``, ``shouldUpdateCluster``,
``isClusterSpecHashEqual``, ``shouldPrepareNewCluster``, ``isZeroDowntimeUpgradeEnabled``,
``modifyRayCluster``, ``cleanUpRayClusterInstance``) and ``utils/util.go``
(``GenerateHashWithoutReplicasAndWorkersToDelete``, ``GenerateJsonHash``).

KubeRay compares the goal spec with a cluster through the hash it stamped on the cluster when it
made it (annotation ``ray.io/hash-without-replicas-and-workers-to-delete``), never through the
cluster's stored spec. The simulator's hash is SHA-1 over JSON with sorted keys, base32hex as
upstream; Go marshals a typed struct in field order, so the digits differ from a real cluster's.
Only equality is ever compared, and only between hashes this simulator made.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any

from tests.emulators.kube.controllers.kuberay.common import RAY, child_cluster, find_condition
from tests.emulators.kube.controllers.kuberay.gates import DEFAULT, Gates

# utils/constant.go HashWithoutReplicasAndWorkersToDeleteKey, NumWorkerGroupsKey, KubeRayVersion,
# KUBERAY_VERSION.
HASH_ANNOTATION = "ray.io/hash-without-replicas-and-workers-to-delete"
NUM_GROUPS_ANNOTATION = "ray.io/num-worker-groups"
VERSION_ANNOTATION = "ray.io/kuberay-version"
KUBERAY_VERSION = "v1.7.0"
# rayservice_controller.go RayClusterDeletionDelayDuration (spec.rayClusterDeletionDelaySeconds overrides it).
DELETION_DELAY_SECONDS = 60.0
# upstream: ray-project/kuberay ray-operator/apis/ray/v1/rayservice_types.go
# RayServiceNewClusterWithIncrementalUpgrade.
INCREMENTAL_UPGRADE = "NewClusterWithIncrementalUpgrade"
# common/association.go RayServiceGatewayNamespacedName reads a gateway.networking.k8s.io/v1 Gateway.
GATEWAY_API = "gateway.networking.k8s.io/v1"


def _mute_pod_spec(template: Any) -> None:
    pod = (template or {}).get("spec") if isinstance(template, Mapping) else None
    if isinstance(pod, dict):
        pod.pop("tolerations", None)
        pod.pop("schedulingGates", None)


def cluster_hash(spec: Mapping[str, Any], groups: int | None = None) -> str:
    """GenerateHashWithoutReplicasAndWorkersToDelete of rayClusterSpecForHashing(spec): suspend,
    upgradeStrategy, each group's replicas, minReplicas, maxReplicas and workersToDelete, and the
    tolerations and schedulingGates of every pod template are left out. ``groups``: only the
    first that many worker groups (isClusterSpecHashEqual with ``partial``)."""
    muted = copy.deepcopy(dict(spec))
    muted.pop("suspend", None)
    muted.pop("upgradeStrategy", None)
    _mute_pod_spec((muted.get("headGroupSpec") or {}).get("template"))
    workers = list(muted.get("workerGroupSpecs") or [])
    if groups is not None:
        workers = workers[:groups]
    for group in workers:
        for field in ("replicas", "minReplicas", "maxReplicas"):
            group.pop(field, None)
        strategy = group.get("scaleStrategy")
        if isinstance(strategy, dict):
            strategy.pop("workersToDelete", None)
            if not strategy:
                group.pop("scaleStrategy")  # Go marshals the emptied struct as {}: the same either way
        _mute_pod_spec(group.get("template"))
    muted["workerGroupSpecs"] = workers
    digest = hashlib.sha1(json.dumps(muted, sort_keys=True, separators=(",", ":")).encode()).digest()
    return base64.b32hexencode(digest).decode()


def goal_cluster(svc: Mapping[str, Any], name: str) -> dict[str, Any]:
    """constructRayClusterForRayService: the service's labels and annotations, the originated-from
    labels, the hash, the number of worker groups and the KubeRay version; the controller
    reference. (The incremental upgrade's replicas reset is not simulated.)"""
    spec = copy.deepcopy((svc.get("spec") or {}).get("rayClusterConfig") or {})
    rc = child_cluster({**svc, "kind": "RayService"}, name, spec)
    meta = svc["metadata"]
    rc["metadata"]["labels"] = {**(meta.get("labels") or {}), **rc["metadata"]["labels"]}
    rc["metadata"]["annotations"] = {
        **(meta.get("annotations") or {}),
        HASH_ANNOTATION: cluster_hash(spec),
        NUM_GROUPS_ANNOTATION: str(len(spec.get("workerGroupSpecs") or [])),
        VERSION_ANNOTATION: KUBERAY_VERSION,
    }
    return rc


def _hash_equal(svc: Mapping[str, Any], rc: Mapping[str, Any], partial: bool) -> bool:
    """isClusterSpecHashEqual."""
    annotations = rc["metadata"].get("annotations") or {}
    goal = (svc.get("spec") or {}).get("rayClusterConfig") or {}
    if not partial:
        return bool(annotations.get(HASH_ANNOTATION, "") == cluster_hash(goal))
    try:
        had = int(str(annotations.get(NUM_GROUPS_ANNOTATION)))
    except ValueError:
        return True  # strconv.Atoi failed: "return true"
    goal_hash = cluster_hash(goal, had) if len(goal.get("workerGroupSpecs") or []) >= had else ""
    return bool(annotations.get(HASH_ANNOTATION, "") == goal_hash)


def _true(conditions: list[dict[str, Any]], kind: str) -> bool:
    return (find_condition(conditions, kind) or {}).get("status") == "True"


def should_update(svc: Mapping[str, Any], rc: Mapping[str, Any] | None, active: bool, conditions: list[Any]) -> bool:
    """shouldUpdateCluster: a cluster is updated in place when only worker groups were added at the
    end of the goal spec (or, for the active cluster, when another KubeRay version made it); the
    active cluster never while an upgrade is in progress."""
    if rc is None:
        return False
    if active:
        if _true(conditions, "UpgradeInProgress"):
            return False
        if (rc["metadata"].get("annotations") or {}).get(VERSION_ANNOTATION) != KUBERAY_VERSION:
            return True
    if _hash_equal(svc, rc, partial=False):
        return False
    return _hash_equal(svc, rc, partial=True)


def update_in_place(cluster: Any, svc: Mapping[str, Any], rc: Mapping[str, Any]) -> None:
    """reconcileRayCluster's update: modifyRayCluster (the goal spec, keeping the cluster's own
    spec.suspend; the goal's labels and annotations), then an Update, and its UpdatedRayCluster event."""
    meta = rc["metadata"]
    goal = goal_cluster(svc, meta["name"])
    current = copy.deepcopy(dict(rc))
    suspend = (current.get("spec") or {}).get("suspend")
    current["spec"] = goal["spec"]
    if suspend is None:
        current["spec"].pop("suspend", None)
    else:
        current["spec"]["suspend"] = suspend
    current["metadata"]["labels"] = goal["metadata"]["labels"]
    current["metadata"]["annotations"] = goal["metadata"]["annotations"]
    cluster.update(current)
    which = "active" if meta["name"] == _name(svc, "activeServiceStatus") else "pending"
    cluster.add_event(svc, "UpdatedRayCluster", f"Updated the {which} RayCluster {meta['namespace']}/{meta['name']}")


def _name(svc: Mapping[str, Any], which: str) -> str:
    return str(((svc.get("status") or {}).get(which) or {}).get("rayClusterName") or "")


def zero_downtime(svc: Mapping[str, Any], gates: Gates = DEFAULT) -> bool:
    """isZeroDowntimeUpgradeEnabled with ENABLE_ZERO_DOWNTIME unset: only an upgradeStrategy.type
    other than NewCluster and NewClusterWithIncrementalUpgrade (None) turns it off; with the
    RayServiceIncrementalUpgrade gate off (ray-project/kuberay v1.6.2 rayservice_controller.go
    isZeroDowntimeUpgradeEnabled), any type but NewCluster does."""
    kind = ((svc.get("spec") or {}).get("upgradeStrategy") or {}).get("type")
    if kind == INCREMENTAL_UPGRADE:
        return gates.on("RayServiceIncrementalUpgrade")
    return kind in (None, "NewCluster")


def incremental(svc: Mapping[str, Any], gates: Gates = DEFAULT) -> bool:
    """utils/util.go IsIncrementalUpgradeEnabled: the gate (gates.py), then the type."""
    kind = ((svc.get("spec") or {}).get("upgradeStrategy") or {}).get("type")
    return kind == INCREMENTAL_UPGRADE and gates.on("RayServiceIncrementalUpgrade")


def should_prepare(
    svc: Mapping[str, Any],
    conditions: list[Any],
    active: Mapping[str, Any] | None,
    pending: Mapping[str, Any] | None,
    gates: Gates = DEFAULT,
) -> bool:
    """shouldPrepareNewCluster (with a pending cluster not yet serving): a new pending cluster when
    there is none at all, or when the pending cluster (else the active one) was made from another
    spec than the goal's and the change is more than worker groups added at the end, and the
    upgrade strategy allows a second cluster. An outdated pending cluster is thus replaced, even one
    still initialising; never during a rollback."""
    if _true(conditions, "RollbackInProgress"):
        return False
    if active is None and pending is None:
        return True
    rc = pending if pending is not None else active
    assert rc is not None
    if _hash_equal(svc, rc, partial=False) or _hash_equal(svc, rc, partial=True):
        return False
    return zero_downtime(svc, gates)


class DanglingClusters:
    """cleanUpRayClusterInstance for a RayService not being deleted: a RayCluster labelled as the
    service's that its status names neither active nor pending is scheduled for deletion the first
    time it is seen (now + spec.rayClusterDeletionDelaySeconds, default 60 s; the simulator's
    ``ttl_scale`` multiplies it) and deleted, with a DeletedRayCluster event, on the first pass
    after that time. Upstream keeps the times in memory (RayClusterDeletionTimestamps); so does this."""

    def __init__(self) -> None:
        self._due: dict[tuple[str, str], float] = {}

    def clean(self, cluster: Any, svc: Mapping[str, Any], delete: Any, scale: float) -> bool:
        """Whether any dangling cluster is left (the caller requeues)."""
        meta = svc["metadata"]
        ns, name = meta["namespace"], meta["name"]
        kept = {_name(svc, "activeServiceStatus"), _name(svc, "pendingServiceStatus")}
        delay = (svc.get("spec") or {}).get("rayClusterDeletionDelaySeconds")
        seconds = (DELETION_DELAY_SECONDS if delay is None else float(delay)) * scale
        selector = f"ray.io/originated-from-crd=RayService,ray.io/originated-from-cr-name={name}"
        left = False
        for rc in cluster.list(RAY, "RayCluster", ns, label_selector=selector):
            rc_name = rc["metadata"]["name"]
            if rc_name in kept:
                continue
            left = True
            due = self._due.get((ns, rc_name))
            if due is None:
                self._due[(ns, rc_name)] = time.monotonic() + seconds
            elif time.monotonic() > due and not rc["metadata"].get("deletionTimestamp"):
                delete(cluster, ns, rc_name)
                cluster.add_event(svc, "DeletedRayCluster", f"Deleted the RayCluster {ns}/{rc_name}")
        return left


__all__ = [
    "GATEWAY_API",
    "HASH_ANNOTATION",
    "DanglingClusters",
    "cluster_hash",
    "goal_cluster",
    "incremental",
    "should_prepare",
    "should_update",
    "update_in_place",
]
