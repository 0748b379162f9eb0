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

from collections.abc import Iterable, Mapping
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
    not labelled as the job's (selector_jobs_delete_warning). A Waiting job (InteractiveMode):
    waiting_job_warning."""
    owner = job_owner(cluster)
    if owner is None or job is None:
        return None
    status = job.get("status") or {}
    name, ns = cluster["metadata"]["name"], cluster["metadata"].get("namespace")
    deployment = status.get("jobDeploymentStatus")
    if status.get("rayClusterName") != name or deployment not in ("Initializing", "Running", "Waiting"):
        return None
    if deployment == "Waiting":
        return waiting_job_warning(name, owner, ns)
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


def waiting_job_warning(cluster: str, job: str, ns: str | None) -> str:
    """A Waiting job's cluster (InteractiveMode: KubeRay submits nothing and waits for the user's
    own submission's ID in spec.jobId).

    upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayjob_controller.go
    Reconcile: the Waiting case checks preRunningDeadlineSeconds and spec.jobId only; it does not call
    getOrCreateRayClusterInstance, so the cluster stays gone while the job waits, and with it its head
    Service (owned by the RayCluster), the status.dashboardURL a submission goes to. Once spec.jobId is
    set the job is Running, and the Running case creates the cluster again (same name, from
    rayClusterSpec) and asks its dashboard for that ID (GetJobInfo): not found, with no submitter
    (InteractiveMode has none: utils.HasSubmitter) and not HTTPMode, it only requeues. The job stays
    Running with no Ray job until one of that ID is submitted to the new cluster, or
    activeDeadlineSeconds ends it Failed (checkActiveDeadlineAndUpdateStatusIfNeeded)."""
    return (
        f"Ray cluster {cluster} was made for RayJob {job}, which is Waiting for its job ID (InteractiveMode): "
        f"KubeRay does not make {cluster} again while {job} waits, so a job submitted to its dashboard now finds "
        f"none. Once spec.jobId is set, {job} is Running and KubeRay creates {cluster} again, under the same name, "
        f"where no Ray job has that ID: {job} then stays Running until a job of that ID is submitted to the new "
        "cluster or activeDeadlineSeconds ends it (rayjob_controller.go, the Waiting and Running cases); "
        f"to end the job and free its cluster: akscli ray job delete {job} -n {ns}"
    )


def selected_by(job: Mapping[str, Any], cluster: str) -> bool:
    """Whether ``job`` runs on ``cluster`` through spec.clusterSelector (the ray.io/cluster key: utils.
    RayJobClusterSelectorKey, the only key KubeRay reads there: initRayJobStatusIfNeed)."""
    selector = (job.get("spec") or {}).get("clusterSelector") or {}
    return selector.get("ray.io/cluster") == cluster


def selector_jobs_delete_warning(cluster: Mapping[str, Any], jobs: Iterable[Mapping[str, Any]]) -> str | None:
    """The warning for deleting a cluster that RayJobs still to end name in spec.clusterSelector
    (``akscli ray job submit --cluster``), or None for none.

    upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/rayjob_controller.go:
    getOrCreateRayClusterInstance never creates a selected cluster; where it is gone it records a
    Warning event RayClusterNotFound ("... set in the clusterSelector is not found. It must be created
    manually") and the pass ends with an error, before the submitter or the job's status is read. The
    RayJob does not own the cluster (no ownerReference: it is not woken by the deletion), so a Running
    job stays Running, and an Initializing one Initializing, until activeDeadlineSeconds
    (checkActiveDeadlineAndUpdateStatusIfNeeded, before getOrCreate in both cases) or
    preRunningDeadlineSeconds (before Running) ends it Failed; with neither set it stays so. A Waiting
    job meets the same once spec.jobId moves it to Running. Stopping a job on a selected cluster goes
    through that cluster's dashboard (akscli ray job stop), so it works only while the cluster is there."""
    name, ns = cluster["metadata"]["name"], cluster["metadata"].get("namespace")
    running: list[str] = []
    waiting: list[str] = []
    for job in jobs:
        if not selected_by(job, name):
            continue
        deployment = (job.get("status") or {}).get("jobDeploymentStatus") or "New"
        if deployment == "Running":
            running.append(str(job["metadata"]["name"]))
        elif deployment in ("New", "Initializing", "Waiting"):
            waiting.append(str(job["metadata"]["name"]))
    if not running and not waiting:
        return None
    said: list[str] = []
    stays = (
        "KubeRay does not make a cluster that a clusterSelector names: it records RayClusterNotFound on each pass, "
        "and the job stays as it is until its activeDeadlineSeconds (or preRunningDeadlineSeconds before it runs) "
        "ends it Failed, or a cluster of that name is created again "
        "(rayjob_controller.go getOrCreateRayClusterInstance)"
    )
    if running:
        first = running[0]
        said.append(
            f"Ray cluster {name} runs {_jobs(running)} through --cluster (clusterSelector), Running: deleting it ends "
            f"their drivers and tasks with the cluster's pods. {stays}; stop them first, while the cluster is there "
            f"(ray job stop goes through its dashboard): akscli ray job stop {first} -n {ns}, then delete the cluster"
        )
    if waiting:
        said.append(
            f"{_jobs(waiting)} {'waits' if len(waiting) == 1 else 'wait'} to run on Ray cluster {name} through "
            f"--cluster (clusterSelector). {stays}; to drop {'it' if len(waiting) == 1 else 'them'}: "
            f"akscli ray job delete {waiting[0]} -n {ns}"
        )
    return "; ".join(said)


def _jobs(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ("RayJob " if len(names) == 1 else "RayJobs ") + ", ".join(names[:shown]) + more
