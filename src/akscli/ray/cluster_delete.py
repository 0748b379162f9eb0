"""What ``ray cluster delete`` says before it deletes a cluster that a RayService or a RayJob keeps:
KubeRay makes such a cluster again, so deleting it does not remove it the way a user means.

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

from akscli.ray.service import ORIGIN_KIND_LABEL, ORIGIN_NAME_LABEL, cluster_role, service_owner


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


def job_owner(cluster: Mapping[str, Any]) -> str | None:
    """The RayJob that made ``cluster`` (by KubeRay's labels: constructRayClusterForRayJob), or None."""
    labels = (cluster.get("metadata") or {}).get("labels") or {}
    owner = labels.get(ORIGIN_NAME_LABEL)
    return str(owner) if labels.get(ORIGIN_KIND_LABEL) == "RayJob" and owner else None


def job_cluster_delete_warning(cluster: Mapping[str, Any], job: Mapping[str, Any] | None) -> str | None:
    """The warning for deleting the RayCluster of ``job`` (the RayJob its labels name; None: gone),
    or None when KubeRay will not make it again.

    upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayjob_controller.go:
    the Initializing and Running cases call getOrCreateRayClusterInstance on every pass (the RayJob
    Owns its RayClusters, so the deletion wakes one), which creates status.rayClusterName again from
    spec.rayClusterSpec (constructRayClusterForRayJob): what was changed on the cluster since (a
    scale) is not in it. The job's driver ends with the old head. What follows in K8sJobMode: the
    submitter's ``ray job logs --follow`` loses the head; a new pod of its batch Job (backoffLimit 2)
    waits for the new dashboard, finds no job under its submission ID and submits the entrypoint
    again (common/job.go BuildJobSubmitCommand), so the job starts over. Or the job ends Failed: the
    Job out of retries, or its pod ended without error with the job not found ("Submitter completed
    but Ray job not found in RayCluster"), or the status unread for RAYJOB_STATUS_CHECK_TIMEOUT_SECONDS
    (checkJobStatusCheckTimeoutAndUpdateStatusIfNeeded, 300 s by default; utils/constant.go). HTTPMode
    submits again when the job is not found (reconcileHTTPModeJobNotFound); SidecarMode ends Failed
    when it finds no head pod ("Ray head pod not found."). Complete, Failed, Suspended and Retrying
    jobs do not create a cluster again; neither does a job on a clusterSelector's cluster, which is
    not labelled as the job's. A Waiting job (InteractiveMode) creates it only once it is Running:
    no warning is given for it (what the user's own submission then meets was not traced)."""
    owner = job_owner(cluster)
    if owner is None or job is None:
        return None
    status = job.get("status") or {}
    name, ns = cluster["metadata"]["name"], cluster["metadata"].get("namespace")
    deployment = status.get("jobDeploymentStatus")
    if status.get("rayClusterName") != name or deployment not in ("Initializing", "Running"):
        return None
    again = (
        f"KubeRay creates {name} again, under the same name, from {owner}'s rayClusterSpec (changes made to the "
        "cluster since, such as a scale, are not in it; rayjob_controller.go getOrCreateRayClusterInstance)"
    )
    fix = (
        f"to end the job and free its cluster: akscli ray job stop {owner} -n {ns}, "
        f"or akscli ray job delete {owner} -n {ns}"
    )
    if deployment == "Initializing":
        return f"Ray cluster {name} is being made for RayJob {owner} (Initializing): {again}, and the job waits; {fix}"
    return (
        f"Ray cluster {name} runs RayJob {owner}, which is Running: deleting it ends the job's driver and its tasks "
        f"with the cluster's pods. {again}, and the job does not go on where it was: it is submitted again from "
        "its entrypoint on the new cluster, or it ends Failed (its submitter ended or ran out of retries, or its "
        f"status could not be read for RAYJOB_STATUS_CHECK_TIMEOUT_SECONDS, 300 s by default); {fix}"
    )
