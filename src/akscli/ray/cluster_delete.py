"""What ``ray cluster delete`` says before it deletes a cluster that a RayService keeps: KubeRay
makes such a cluster again, so deleting it does not remove it the way a user means.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayservice_controller.go:
- reconcileRayCluster: a pending cluster that the RayService's status names and that is gone is
  created again, under the same name (createRayClusterInstance, RayServicePendingRayClusterNamespacedName);
- calculateStatus, shouldPrepareNewCluster: with neither an active nor a pending cluster ("the RayService
  has just been created") KubeRay names a new pending cluster (GenerateRayClusterName) and creates it;
  the Serve service has no Ray pods behind it until that cluster is ready and promoted.
A replaced cluster (KubeRay deletes it after rayClusterDeletionDelaySeconds: cleanUpRayClusterInstance)
and one whose RayService is gone (the garbage collector removes it) are not made again: no note.

kubectl deletes an object that a controller makes again without a question (a Deployment's Pod),
and deleting the active cluster is also how a wedged one is replaced by a fresh one, so this is a
warning, not a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.ray.service import cluster_role, service_owner


def service_cluster_delete_warning(cluster: Mapping[str, Any], service: Mapping[str, Any] | None) -> str | None:
    """The warning for deleting ``cluster``, given the RayService its labels name (None: none
    found), or None when KubeRay will not make it again."""
    owner = service_owner(cluster)
    role = cluster_role(cluster, service)
    if owner is None or role not in ("active", "pending"):
        return None
    name, ns = cluster["metadata"]["name"], cluster["metadata"].get("namespace")
    fix = f"to remove the service and its Ray clusters: akscli ray service delete {owner} -n {ns}"
    if role == "pending":
        return (
            f"Ray cluster {name} is the pending cluster of RayService {owner}, and KubeRay creates it again "
            f"under the same name while {owner}'s status names it (rayservice_controller.go reconcileRayCluster); "
            + fix
        )
    return (
        f"Ray cluster {name} is the active cluster of RayService {owner}: KubeRay builds a new cluster for "
        f"{owner} in its place, under a new name, and {owner} serves nothing until that cluster is ready "
        f"(rayservice_controller.go shouldPrepareNewCluster); " + fix
    )
