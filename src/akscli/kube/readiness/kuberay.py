"""Readiness of KubeRay kinds, as ray-project/kuberay v1.7 writes their status.

Paths are under ``ray-operator/`` in ray-project/kuberay:

* RayCluster (``controllers/ray/raycluster_controller.go`` calculateStatus): the controller sets
  ``status.observedGeneration`` on every reconcile, so a status from before the change never
  counts. ``state: ready`` and ``RayClusterProvisioned`` are sticky (never set back after the
  first time every pod ran), so after a scale-up they say nothing: the cluster is ready when the
  head pod is ready and ``readyWorkerReplicas`` has reached ``desiredWorkerReplicas``.
  ``ReplicaFailure`` (a pod KubeRay cannot create, e.g. over a ResourceQuota) is shown while
  waiting: KubeRay keeps retrying, so it is not final. ``spec.suspend``: ready when
  ``RayClusterSuspended`` is True.
* RayJob (``controllers/ray/rayjob_controller.go``): no generation is published (the controller
  never writes ``observedGeneration``, and a RayJob's spec is not re-run); ``Complete`` is
  ready; ``Failed`` and ``ValidationFailed`` are final (the latter with how to make it anew), and
  ``Suspended`` ends a wait as held, not failed (exit 4, with how to resume it: job_stopped).
  ``Complete`` comes from every terminal Ray job status but FAILED (the Running case:
  ``isJobTerminal``, FAILED alone turns it ``Failed``/AppFailed), so a job stopped through the
  Ray job API (``ray job stop`` on a shared cluster) ends ``Complete`` with ``jobStatus:
  STOPPED``: that is final, not ready, as ``ray job submit --wait`` holds it (ray/job.py
  job_succeeded); ray-project/ray python/ray/dashboard/modules/job/common.py JobStatus: STOPPED
  is "intentionally stopped by the user".
* RayService (``controllers/ray/rayservice_controller.go``): ``status.observedGeneration`` as a
  RayCluster; ready when ``Ready`` is True and no upgrade is in progress (during one, Ready
  describes the old cluster). ``Ready=False`` with ``ValidationFailed`` or ``InitializingTimeout``
  is final (the controller stops: "The user must delete and recreate the RayService").
  ValidationFailed is written before ``observedGeneration`` (validation comes first, and its
  status update leaves ``observedGeneration`` alone), so it is final while
  ``observedGeneration`` is below ``metadata.generation``. Once KubeRay accepts a later spec it
  writes ``observedGeneration`` (calculateStatus) but leaves ``Ready=False/ValidationFailed`` in
  place until serve endpoints exist (calculateConditions changes Ready only on endpoints or the
  initializing timeout): that condition is then history, and the wait goes on. ``Ready`` comes
  from the serve endpoints alone (calculateConditions:
  True while ``numServeEndpoints > 0``), so an application state never overrides it. KubeRay acts
  on no application state but RUNNING (getAndCheckServeStatus: any other state only keeps a
  pending cluster from promotion); the states are Ray Serve's (ray-project/ray
  python/ray/serve/_private/application_state.py ``_determine_app_status`` and ``update``):
  ``UNHEALTHY`` (a deployment failed while running) and ``DEPLOY_FAILED`` of an application with
  deployments (replicas failing to start, which Ray Serve retries with backoff, "Retrying after
  ...", deployment_state.py) can recover, so they are progress, shown in the message. Only a
  ``DEPLOY_FAILED`` application without deployments is final: building it failed (import or
  build error) and Ray Serve tries again only on a new config. ``spec.suspend: true`` is final
  for a wait, as a suspended RayJob is: KubeRay deletes the service's clusters and Services
  (Suspending, then Suspended; Ready=False/SuspendComplete) and serves nothing until it is false
  (rayservice_controller.go handleSuspend). An incremental upgrade (``upgradeStrategy.type:
  NewClusterWithIncrementalUpgrade``) whose goal spec went back to the active cluster's, or to a
  third spec, sets ``RollbackInProgress=True`` (DesiredClusterSpecChanged) while traffic moves
  back; UpgradeInProgress stays True (both clusters exist) until the rollback completes and the
  pending cluster is dropped (reconcileRollbackState, and the RollbackInProgress branch of the
  reconcile): the wait names the rollback.

An object with no status at all has not been picked up yet: the progress line says it waits for
KubeRay, and a wait that times out so asks whether the operator runs (its hint).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from akscli.kube.readiness.core import (
    READY,
    Generation,
    Readiness,
    Rule,
    conditions,
    describe,
    generation_of,
    stale,
    status_of,
)

# KubeRay writes a status on its first reconcile of an object (raycluster_controller.go
# rayClusterReconcile: calculateStatus, then updateRayClusterStatus, whose status differs from the
# new object's empty one; rayjob_controller.go and rayservice_controller.go likewise), so no status
# at all is every new object's state until the operator has seen it. The progress line says so; the
# question about the operator is the hint of a wait that times out with no status yet.
UNPICKED = "no status yet: waiting for KubeRay to pick it up"
NO_OPERATOR_FIX = (
    "KubeRay has not picked it up: is the kuberay-operator running? "
    "(kubectl get pods -A -l app.kubernetes.io/component=kuberay-operator)"
)
NOT_PICKED = Readiness(False, message=UNPICKED, fix=NO_OPERATOR_FIX)
# A Ray object whose spec.managedBy names another controller is never reconciled by KubeRay: each
# Reconcile returns first thing (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray
# raycluster_controller.go rayClusterReconcile, rayjob_controller.go and rayservice_controller.go
# Reconcile: utils/util.go ManagedByExternalController, "Skipping ... managed by a custom
# controller"). The CRDs allow one other value, kueue.x-k8s.io/multikueue (apis/ray/v1
# raycluster_types.go, rayjob_types.go, rayservice_types.go ManagedBy's XValidation): MultiKueue
# runs the object on a worker cluster and keeps this copy's status in sync (upstream:
# kubernetes-sigs/kueue site/content/en/docs/concepts/multikueue.md, "Create and monitor remote
# objects ... while keeping the local ones in sync"), so a wait goes on, and names who writes it.
KUBERAY_MANAGER = "ray.io/kuberay-operator"


def not_picked(obj: Mapping[str, Any]) -> Readiness:
    """The verdict on a Ray object with no status: waiting for KubeRay, or for the controller its
    spec.managedBy names (KubeRay skips it)."""
    manager = (obj.get("spec") or {}).get("managedBy")
    if not manager or manager == KUBERAY_MANAGER:
        return NOT_PICKED
    ns = (obj.get("metadata") or {}).get("namespace") or "default"
    return Readiness(
        False,
        message=f"no status yet: spec.managedBy is {manager}, so KubeRay skips it; waiting for {manager} to write it",
        fix=(
            f"KubeRay does not reconcile a Ray object managed by {manager}; that controller runs it elsewhere and "
            f"copies its status here: is it set up? (for MultiKueue: kubectl get multikueueclusters, "
            f"kubectl get workloads -n {ns})"
        ),
    )


def _unconditioned(obj: Mapping[str, Any], status: Mapping[str, Any]) -> Readiness:
    """A RayCluster status with no conditions at all: the operator runs with the
    RayClusterStatusConditions gate off (v1.2's default, or --feature-gates=RayClusterStatusConditions=false;
    upstream: ray-project/kuberay v1.7.0 ray-operator/pkg/features/features.go). calculateStatus then
    writes no condition, only ``state``: ``ready`` once every pod (head and desired workers) runs, and
    ``suspended`` once a suspended cluster has no pods (raycluster_controller.go calculateStatus). With
    the gate on every write carries HeadPodReady and RayClusterSuspended, so no conditions means off.
    ``state: ready`` is sticky, so the worker counts still decide after a scale-up."""
    if (obj.get("spec") or {}).get("suspend"):
        if status.get("state") == "suspended":
            return READY
        return Readiness(False, message="suspending: waiting for state=suspended")
    if status.get("state") != "ready":
        return Readiness(False, message="waiting for state=ready (every Ray pod running and ready)")
    want = int(status.get("desiredWorkerReplicas") or 0)
    have = int(status.get("readyWorkerReplicas") or 0)
    if have < want:
        return Readiness(False, message=f"{have}/{want} workers ready")
    return READY


# Serve application states that are not RUNNING and say something went wrong
# (rayservice_types.go ApplicationStatusEnum); final only as app_failed() says.
APP_TROUBLE = ("DEPLOY_FAILED", "UNHEALTHY")
SERVICE_FINAL = ("ValidationFailed", "InitializingTimeout")


def ray_cluster(obj: Mapping[str, Any]) -> Readiness:
    """raycluster_controller.go calculateStatus; utils/util.go CalculateReadyReplicas."""
    status = status_of(obj)
    if not status:
        return not_picked(obj)
    if status.get("state") == "failed":
        return Readiness(False, True, f"state=failed: {status.get('reason', '')}", "failed")
    waiting = stale(obj, Generation.STATUS)
    if waiting is not None:
        return waiting
    conds = conditions(obj)
    if not conds:
        return _unconditioned(obj, status)
    if (obj.get("spec") or {}).get("suspend"):
        suspended = conds.get("RayClusterSuspended")
        if suspended is not None and suspended.get("status") == "True":
            return READY
        return Readiness(False, message="suspending: waiting for RayClusterSuspended")
    failure = conds.get("ReplicaFailure")
    if failure is not None and failure.get("status") == "True":
        return Readiness(False, message=describe(failure))
    head = conds.get("HeadPodReady")
    if head is None or head.get("status") != "True":
        return Readiness(False, message=describe(head) if head else "waiting for condition HeadPodReady")
    provisioned = conds.get("RayClusterProvisioned")
    if provisioned is not None and provisioned.get("status") != "True":
        return Readiness(False, message=describe(provisioned))
    want = int(status.get("desiredWorkerReplicas") or 0)
    have = int(status.get("readyWorkerReplicas") or 0)
    if have < want:
        return Readiness(False, message=f"{have}/{want} workers ready")
    return READY


def first_line(message: Any) -> str:
    """A status message's first line. Ray's message for an entrypoint that exited non-zero goes on
    with up to 20,000 characters of its log (upstream: ray-project/ray 06a58f81
    python/ray/dashboard/modules/job/job_supervisor.py JobSupervisor.run), which KubeRay copies into
    the RayJob's status.message; a table row and an error keep the first line (-o json keeps it
    whole; ``ray job logs`` reads the log). Every place that prints a RayJob's message on one line
    uses it: ``ray job status``'s table, a failed job's error, the ``--wait`` of ``akscli apply``
    (``ray_job``), and ``ray job submit --wait``'s progress and timeout (ray/follow.py). Ray's
    lead-in to the log tail (``, last available logs (truncated to 20,000 chars):``; ``. Last
    available logs`` in newer releases) is left out with the log: the line ends at what failed."""
    line = str(message or "").split("\n", 1)[0].rstrip(":")
    return _LOG_LEAD_IN.sub("", line)


# Ray's words before the log tail in a failed job's message (ray-project/ray
# python/ray/dashboard/modules/job/job_supervisor.py JobSupervisor.run: "Job entrypoint command
# failed with exit code {return_code}, last available logs (truncated to 20,000 chars):\n" + log_tail,
# in later releases ". Last available logs (truncated to 20,000 chars):\n", in earlier ones "Job
# failed due to an application error, last available logs ...").
_LOG_LEAD_IN = re.compile(r"[,.]\s*last available logs \(truncated to [\d,]+ chars\)$", re.IGNORECASE)


# spec.suspend cleared: a Suspended RayJob goes back to New and runs from the start
# (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go, the
# Suspended case: "the suspend flag is false. Transition the status to 'New'").
RESUME_PATCH = """'{"spec":{"suspend":false}}'"""
SUSPENDED_JOB = (
    "suspended (spec.suspend is true), not failed: KubeRay deleted its cluster and submitter and runs it "
    "again from the start once it is resumed"
)


def resume_hint(name: str, ns: str) -> str:
    """How a suspended RayJob runs again."""
    return f"resume it with: kubectl patch rayjob {name} -n {ns} --type merge -p {RESUME_PATCH}"


def remake_hint(name: str, ns: str) -> str:
    """How a ValidationFailed RayJob runs: made anew. KubeRay's Reconcile validates first and its
    switch on jobDeploymentStatus has no case for ValidationFailed (the default requeues and does
    nothing), so a spec fixed later is never run (upstream: ray-project/kuberay v1.7.0
    ray-operator/controllers/ray/rayjob_controller.go Reconcile)."""
    return (
        f"KubeRay never runs a ValidationFailed RayJob, even once its spec is fixed: delete it "
        f"(akscli ray job delete {name} -n {ns}) and submit it again without the problem the message names"
    )


def refusal(status: Mapping[str, Any]) -> str:
    """What KubeRay said of a ValidationFailed RayJob's spec (its message's first line)."""
    why = first_line(status.get("message")) or status.get("reason") or ""
    return "KubeRay refused its spec" + (f": {why}" if why else "")


def job_stopped(obj: Mapping[str, Any]) -> Readiness:
    """The one verdict on a RayJob that no wait can see through, for ``apply --wait`` and the ``ray
    job`` commands alike: Suspended is held (exit 4: KubeRay runs it again once spec.suspend is
    false, rayjob_controller.go the Suspended case), ValidationFailed is final (exit 10: Reconcile
    validates first and its switch has no ValidationFailed case)."""
    meta = obj.get("metadata") or {}
    name, ns = str(meta.get("name") or ""), str(meta.get("namespace") or "default")
    status = status_of(obj)
    if status.get("jobDeploymentStatus") == "Suspended":
        fix = resume_hint(name, ns) + f", then follow it: akscli ray job status {name} -n {ns} --wait"
        return Readiness(False, True, SUSPENDED_JOB, "Suspended", fix=fix, held=True)
    message = "jobDeploymentStatus=ValidationFailed: " + refusal(status)
    return Readiness(False, True, message, "ValidationFailed", fix=remake_hint(name, ns))


def ray_job(obj: Mapping[str, Any]) -> Readiness:
    """rayjob_controller.go: jobDeploymentStatus (Generation.NONE: no observedGeneration written)."""
    status = status_of(obj)
    deployment = str(status.get("jobDeploymentStatus") or "")
    if deployment == "Complete" and status.get("jobStatus") != "STOPPED":
        return READY
    if deployment == "Complete":  # stopped (ray job stop, the dashboard's stop API): it did not finish its work
        why = first_line(status.get("message"))
        message = "jobDeploymentStatus=Complete, jobStatus=STOPPED" + (f": {why}" if why else "")
        return Readiness(False, True, message, "STOPPED")
    if deployment in ("Suspended", "ValidationFailed"):
        return job_stopped(obj)
    if deployment == "Failed":
        why = first_line(status.get("message")) or status.get("reason") or ""
        message = f"jobDeploymentStatus={deployment}" + (f": {why}" if why else "")
        return Readiness(False, True, message, str(status.get("reason") or deployment))
    if not status:
        return not_picked(obj)
    job_status = status.get("jobStatus") or "-"
    return Readiness(False, message=f"jobDeploymentStatus={deployment or 'New'}, jobStatus={job_status}")


def _apps(status: Mapping[str, Any], which: str) -> list[tuple[str, Mapping[str, Any]]]:
    apps = (status.get(which) or {}).get("applicationStatuses") or {}
    return [(name, value) for name, value in apps.items() if isinstance(value, Mapping)]


def _app_line(app: str, value: Mapping[str, Any]) -> str:
    line = f"application {app} is {value.get('status')}"
    return line + (f": {value['message']}" if value.get("message") else "")


def app_failed(value: Mapping[str, Any]) -> bool:
    """A Serve application Ray Serve will not deploy without a new config: DEPLOY_FAILED with no
    deployments (building the application failed; see the module docstring)."""
    return value.get("status") == "DEPLOY_FAILED" and not value.get("serveDeploymentStatuses")


def refusal_outlived(obj: Mapping[str, Any]) -> bool:
    """Whether ``Ready=False/ValidationFailed`` is left over from a spec KubeRay has since
    accepted: ``status.observedGeneration`` has reached ``metadata.generation`` (ray-project/kuberay
    v1.7.0 ray-operator/controllers/ray/rayservice_controller.go: Reconcile returns after the
    validation failure's status update, which does not touch observedGeneration; calculateStatus
    sets it; calculateConditions replaces Ready only on serve endpoints or the initializing timeout)."""
    want = generation_of(obj)
    seen = status_of(obj).get("observedGeneration")
    return want is not None and isinstance(seen, int) and seen >= want


def service_failure(obj: Mapping[str, Any]) -> Readiness | None:
    """The final failure of a RayService, or None (see the module docstring)."""
    if (obj.get("spec") or {}).get("suspend"):
        conds = conditions(obj)
        said = next((conds[t] for t in ("Suspended", "Suspending") if conds.get(t, {}).get("status") == "True"), None)
        message = "spec.suspend is true: KubeRay deletes its Ray clusters and serves nothing until it is false"
        return Readiness(False, True, message + (f" ({describe(said)})" if said else ""), "Suspended")
    ready = conditions(obj).get("Ready")
    refused = ready is not None and ready.get("reason") == "ValidationFailed"
    final = ready is not None and ready.get("status") != "True" and ready.get("reason") in SERVICE_FINAL
    if ready is not None and final and not (refused and refusal_outlived(obj)):
        return Readiness(False, True, describe(ready), str(ready.get("reason")))
    status = status_of(obj)
    serving = ready is not None and ready.get("status") == "True"
    for which in ("pendingServiceStatus", "activeServiceStatus"):
        if which == "activeServiceStatus" and serving:
            continue  # Ready=True is the serve endpoints' answer; an app state does not override it
        for app, value in _apps(status, which):
            if app_failed(value):
                cluster = (status.get(which) or {}).get("rayClusterName")
                return Readiness(False, True, _app_line(app, value), "DEPLOY_FAILED", f"cluster {cluster}")
    return None


def app_troubles(status: Mapping[str, Any]) -> list[str]:
    """``application APP is STATUS: MESSAGE`` for each UNHEALTHY or DEPLOY_FAILED application of the
    pending, then the active, cluster (a RayService's status)."""
    return [
        _app_line(app, value)
        for which in ("pendingServiceStatus", "activeServiceStatus")
        for app, value in _apps(status, which)
        if value.get("status") in APP_TROUBLE
    ]


def _app_trouble(status: Mapping[str, Any]) -> str:
    """UNHEALTHY or recoverable DEPLOY_FAILED applications, for the progress message."""
    lines = app_troubles(status)
    return ("; " + "; ".join(lines)) if lines else ""


def ray_service(obj: Mapping[str, Any]) -> Readiness:
    """rayservice_controller.go calculateStatus and calculateConditions."""
    if not status_of(obj):
        return not_picked(obj)
    failure = service_failure(obj)
    if failure is not None:
        return failure
    waiting = stale(obj, Generation.STATUS)
    if waiting is not None:
        return waiting
    conds = conditions(obj)
    ready = conds.get("Ready")
    trouble = _app_trouble(status_of(obj))
    if ready is not None and ready.get("reason") == "ValidationFailed" and refusal_outlived(obj):
        return Readiness(
            False,
            message="waiting for serve endpoints (KubeRay accepted the current spec; "
            "Ready=False (ValidationFailed) is from an earlier one)" + trouble,
        )
    if ready is None or ready.get("status") != "True":
        return Readiness(False, message=(describe(ready) if ready else "waiting for condition Ready") + trouble)
    for moving in ("RollbackInProgress", "UpgradeInProgress"):  # a rollback is also an upgrade in progress
        cond = conds.get(moving)
        if cond is not None and cond.get("status") == "True":
            return Readiness(False, message=describe(cond) + trouble)
    return READY


RULES: dict[tuple[str, str], Rule] = {
    ("ray.io", "RayCluster"): ray_cluster,
    ("ray.io", "RayJob"): ray_job,
    ("ray.io", "RayService"): ray_service,
}

# The pods of each kind, which no spec.selector names (a timed-out wait reads them): KubeRay
# labels every pod of a RayCluster ray.io/cluster=<cluster> and lets no template override it
# (ray-operator/controllers/ray/common/pod.go labelPod, utils/constant.go RayClusterLabelKey). A
# RayJob's cluster is status.rayClusterName; a RayService's, the pending one's while it comes up,
# else the active one's (apis/ray/v1/rayjob_types.go, rayservice_types.go RayServiceStatus).


def _cluster_pods(cluster: Any) -> dict[str, Any] | None:
    return {"matchLabels": {"ray.io/cluster": cluster}} if isinstance(cluster, str) and cluster else None


def _service_cluster(obj: Mapping[str, Any]) -> Any:
    status = status_of(obj)
    return ((status.get("pendingServiceStatus") or {}).get("rayClusterName")) or (
        (status.get("activeServiceStatus") or {}).get("rayClusterName")
    )


POD_SELECTORS: dict[tuple[str, str], Callable[[Mapping[str, Any]], dict[str, Any] | None]] = {
    ("ray.io", "RayCluster"): lambda obj: _cluster_pods((obj.get("metadata") or {}).get("name")),
    ("ray.io", "RayJob"): lambda obj: _cluster_pods(status_of(obj).get("rayClusterName")),
    ("ray.io", "RayService"): lambda obj: _cluster_pods(_service_cluster(obj)),
}
