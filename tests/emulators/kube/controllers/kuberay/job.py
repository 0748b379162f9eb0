"""RayJob as ray-project/kuberay v1.7 runs it (ray-operator/controllers/ray/rayjob_controller.go).

* Validation first (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go
  ``validateRayJob`` -> ``utils/validation.go`` ValidateRayJobMetadata, then the
  RayJob's own rules of ValidateRayJobSpec: suspend, TTL without shutdown, clusterSelector with
  SidecarMode or a backoffLimit, deadlines): a bad name or spec ends the job ``ValidationFailed``
  with ``reason: ValidationFailed``, the message as the status message and a Warning event
  (``InvalidRayJobMetadata``, ``InvalidRayJobSpec`` or ``InvalidRayJobStatus``).
* New -> Initializing (``initRayJobStatusIfNeed``: ``jobId`` and ``rayClusterName`` are
  ``<name>-<5 chars>``, ``jobStatus`` stays ``""``), then Running once the cluster is ready, with
  ``jobStatus`` PENDING -> RUNNING -> SUCCEEDED/FAILED and ``jobDeploymentStatus`` Complete/Failed.
* A ``clusterSelector`` naming a missing RayCluster keeps the job Initializing and records a
  ``RayClusterNotFound`` Warning event (``getOrCreateRayClusterInstance``); it is not a failure.
* ``submissionMode``: K8sJobMode runs a submitter (a batch Job's pod), SidecarMode a
  ``ray-job-submitter`` container in the head pod (utils/constant.go SubmitterContainerName),
  HTTPMode submits over HTTP: neither of the last two has a submitter pod.
* ``spec.suspend`` (only from Initializing or Running, ``updateStatusToSuspendingIfNeeded``):
  Suspending deletes the cluster and the submitter, then resets ``rayClusterName``, ``jobId``,
  ``dashboardURL``, ``reason``, ``message`` and ``jobStatus`` and moves to Suspended; clearing
  ``suspend`` starts again from New.
* ``spec.backoffLimit`` (``checkBackoffLimitAndUpdateStatusIfNeeded``): every status write carries
  ``failed`` and ``succeeded`` (0 from Initializing on); a failed attempt counts in ``failed`` and,
  while ``failed < backoffLimit + 1``, moves to ``Retrying`` in the same write (jobStatus FAILED,
  reason AppFailed, no ``endTime``: Retrying is not terminal). The attempt's passes end there;
  Retrying is then one reconcile step at a time from the status read, as Suspending is
  (job_endings.py ``_suspend_pass``): delete the attempt's RayCluster and submitter, requeued until
  a pass finds both gone, then reset the cluster and job fields and go back to New; New starts a
  fresh attempt with a new cluster name and job ID (GenerateRayClusterName, GenerateRayJobId).
  Only the last attempt ends ``Failed``.
* A simulator started anew (no passes of its own for a job) goes on from the status: Retrying and
  Suspending as above, New and Initializing start an attempt on the names already set, Waiting and
  Running go on from their case (``_attempt``'s ``adopted``; ``_adopt_running``), Complete and
  Failed wait out their TTL (``_shutdown_pass``).
* ``spec.activeDeadlineSeconds`` (``checkActiveDeadlineAndUpdateStatusIfNeeded``, in Initializing
  and Running): past ``startTime`` + the deadline the attempt ends ``Failed`` with reason
  ``DeadlineExceeded``, ``jobStatus`` as it was. Failure mode ``job-status-check``: once the job
  runs, the dashboard's job info cannot be read; the first failure writes
  ``jobStatusCheckFailureStartTime`` and, ``status_check_timeout`` seconds later (upstream
  RAYJOB_STATUS_CHECK_TIMEOUT_SECONDS, 300 by default), the attempt ends ``Failed`` with reason
  ``JobStatusCheckTimeoutExceeded`` (``checkJobStatusCheckTimeoutAndUpdateStatusIfNeeded``). Neither
  is ever retried, whatever ``backoffLimit`` says (``checkBackoffLimitAndUpdateStatusIfNeeded``).
* A job's RayCluster deleted while the job is Initializing or Running wakes the RayJob (``Owns``),
  whose pass creates it again under the same name (``getOrCreateRayClusterInstance``); a running job
  records ``jobStatusCheckFailureStartTime``, its submitter pod fails and a new one submits the job
  again once the new cluster is ready (``_rerun_on_new_cluster``).
* A RayCluster a running job selects (``clusterSelector``) deleted: KubeRay never makes it again;
  each pass records ``RayClusterNotFound`` and the job stays Running until ``activeDeadlineSeconds``
  ends it (``DeadlineExceeded``), or a cluster of that name is made again and the job is submitted
  there anew (``_selected_cluster_gone``).
* SidecarMode: a pass that finds no head pod fails the attempt (AppFailed, "Ray head pod not
  found."); failure mode ``sidecar-ends-early`` ends the ``ray-job-submitter`` container 0 while the
  job runs, and ``submitter_finished_timeout`` seconds later (upstream's 30 s) the attempt fails
  ``JobDeploymentStatusTransitionGracePeriodExceeded`` (job_endings.py).
* With in-tree autoscaling the Ray autoscaler (not KubeRay) raises a group's ``replicas`` when
  the job asks for workers: the simulator raises each group at 0 to 1 when the job starts.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.emulators.kube.controllers.finalizers import add_finalizer, remove_finalizer
from tests.emulators.kube.controllers.kuberay.common import (
    RAY,
    RAY_AUTOSCALER_MANAGER,
    RAYJOB_FINALIZER,
    autoscaling,
    child_cluster,
    job_spec_problem,
    metadata_problem,
    now,
    random_suffix,
    since,
)
from tests.emulators.kube.controllers.kuberay.gates import Gates
from tests.emulators.kube.controllers.kuberay.job_api import TERMINAL
from tests.emulators.kube.controllers.kuberay.job_endings import JobEndings
from tests.emulators.kube.controllers.kuberay.job_passes import Passes, step
from tests.emulators.kube.controllers.kuberay.job_recovery import JobRecovery
from tests.emulators.kube.controllers.kuberay.job_status import SUSPENDED, Superseded, counted, write_status
from tests.emulators.kube.controllers.kuberay.job_submitter import (  # upstream: ray-project/kuberay
    SUBMITTER_CONTAINER,
    Deadline,
    StatusChecks,
    submitter_pod,
)
from tests.emulators.kube.controllers.kuberay.services import apply_service, dashboard_url, owner_head_service
from tests.emulators.kube.status import ApiError


class JobReconciler(JobRecovery, JobEndings):
    """The RayJob half of the simulator; mixed into ``KubeRayController`` (how an attempt ends:
    job_endings.py; a running job whose cluster went away: job_recovery.py)."""

    failure: str | None
    delay: float
    job_logs: str | None
    run_seconds: float
    failing_attempts: int
    status_check_timeout: float
    submitter_finished_timeout: float
    ttl_scale: float
    pass_errors: list[BaseException]
    _guard: threading.Lock
    _jobs_started: set[str]
    _clusters_made: set[tuple[str, str]]

    def _reconcile_job(self, cluster: Any, job: dict[str, Any]) -> None:
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        key = f"{ns}/{name}/{job['metadata'].get('uid', '')}"
        spec = job.get("spec") or {}
        status = job.get("status") or {}
        deployment = status.get("jobDeploymentStatus")
        if job["metadata"].get("deletionTimestamp"):
            # ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go Reconcile, a RayJob
            # being deleted: a Ray job not terminal is
            # stopped through the dashboard (StopJob), then the finalizer goes "no matter StopJob()
            # succeeds or not". The job's passes see it gone and stop.
            if status.get("jobStatus") not in TERMINAL and status.get("jobId") and status.get("rayClusterName"):
                self.job_api.stop(ns, str(status["rayClusterName"]), str(status["jobId"]))
            remove_finalizer(cluster, job, RAYJOB_FINALIZER)
            return
        # validateRayJob: the metadata, then the spec; the event's reason names which.
        problem, reason = metadata_problem(job), "InvalidRayJobMetadata"
        if problem is None:
            # The running operator's gates (ray-project/kuberay ray-operator/pkg/features/features.go: gates.py)
            problem = job_spec_problem(spec, job["metadata"].get("annotations") or {}, Gates(cluster))
            reason = "InvalidRayJobSpec"
        if problem is None and deployment == "Waiting" and spec.get("submissionMode") != "InteractiveMode":
            # upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go
            # ValidateRayJobStatus, validateRayJob's third rule: a Waiting job whose mode was changed.
            problem, reason = (
                "The RayJob status is invalid: JobDeploymentStatus cannot be `Waiting` when SubmissionMode is not "
                "InteractiveMode",
                "InvalidRayJobStatus",
            )
        if problem is not None:
            if deployment != "ValidationFailed":
                cluster.add_event(job, reason, f"{ns}/{name}: {problem}", type="Warning")
                failed = {"jobDeploymentStatus": "ValidationFailed", "reason": "ValidationFailed", "message": problem}
                self._update_as_read(cluster, job, failed)
            return
        if deployment in ("Suspending", "Retrying") or (
            spec.get("suspend") and deployment in (None, "", "New", "Initializing", "Running")
        ):
            # One step from the status read (job_endings.py _suspend_pass); Suspending runs to
            # Suspended and Retrying to New whatever spec.suspend says now (rayjob_controller.go:
            # the `case JobDeploymentStatusSuspending, JobDeploymentStatusRetrying` reads no flag).
            self._suspend_pass(cluster, job)
            return
        if spec.get("suspend"):
            # rayjob_controller.go: Suspended "should not requeue"; Waiting, Complete, Failed
            # cannot move to Suspending (updateStatusToSuspendingIfNeeded).
            return
        running = False
        with self._guard:
            started = key in self._jobs_started
        if not started and deployment in ("Complete", "Failed"):
            self._shutdown_pass(cluster, job)
            return
        with self._guard:
            if deployment == "Suspended":
                # rayjob_controller.go: "The status is 'Suspended', but the suspend flag is false.
                # Transition the status to 'New'."
                self._jobs_started.discard(key)
                if not self._update_as_read(cluster, job, {"jobDeploymentStatus": "New", "jobStatus": None}):
                    return
            elif key in self._jobs_started or deployment not in (None, "", "New", "Initializing", "Waiting", "Running"):
                # A New or Initializing job with no passes of its own (made suspended and resumed
                # before it reached Suspending; a simulator started anew) starts its attempt here,
                # on the names its status already has (initRayJobStatusIfNeed fills only empty ones);
                # a Waiting or Running one (a simulator started anew) goes on from its case (_attempt).
                running = True
            if not running:
                if not add_finalizer(cluster, job, RAYJOB_FINALIZER):
                    self.requeue(job, self.delay)
                    return
                self._jobs_started.add(key)
        if running:
            # The job's own passes move it on; this pass (one a watch woke) only does what the
            # Initializing and Running cases do on every pass: getOrCreateRayClusterInstance.
            self._get_or_create_cluster(cluster, job)
            return
        self._spawn(self._run_job, cluster, ns, name)

    def _update_as_read(self, cluster: Any, job: dict[str, Any], fields: dict[str, Any]) -> bool:
        """This pass's status write, an update of the RayJob as the pass read it (ray-project/kuberay
        ray-operator/controllers/ray/rayjob_controller.go updateRayJobStatus,
        ``r.Status().Update``); a 409 (another writer came between) requeues the
        RayJob, whose next pass reads it again (Reconcile: ``RequeueAfter: RayJobDefaultRequeueDuration``).
        Whether it was written."""
        try:
            cluster.update_status_of(job, fields)
        except ApiError as exc:
            if exc.code != 409:
                raise
            self.requeue(job, self.delay)
            return False
        return True

    def _spawn(self, target: Callable[[Any, str, str], Passes[None]], cluster: Any, ns: str, name: str) -> None:
        """Start a job's passes (``target``: ``_run_job``) on the manager's thread,
        each requeued as its ``yield`` says (job_passes.py); no thread of its own."""

        def failed(exc: BaseException) -> None:
            # A job deleted while it runs makes the next status write fail; KubeRay stops there
            # too. So does a pass that raced a suspend: the Suspending pass deletes the job's
            # RayCluster, and the stale pass's read or write of it answers 404, which
            # controller-runtime only requeues (upstream: ray-project/kuberay
            # ray-operator/controllers/ray/rayjob_controller.go, JobDeploymentStatusSuspending
            # deleteClusterResources). Anything else is recorded for tests.
            job = cluster.get(RAY, "RayJob", ns, name)
            raced_suspend = isinstance(exc, Superseded) or (
                job is not None and bool((job.get("spec") or {}).get("suspend")) and getattr(exc, "code", None) == 404
            )
            if job is not None and not raced_suspend:
                self.pass_errors.append(exc)

        manager = getattr(self, "_manager", None)
        if manager is None:
            return
        passes = target(cluster, ns, name)
        # the first pass runs as soon as the manager's thread is free, after this reconcile
        manager.call_later(self, lambda _cluster: step(manager, self, passes, failed, self._running), 0.0)

    def _job(self, cluster: Any, ns: str, name: str) -> dict[str, Any] | None:
        job = cluster.get(RAY, "RayJob", ns, name)
        # A suspend ends the attempt: Suspending and Suspended belong to _suspend_pass.
        if job is None or (job.get("spec") or {}).get("suspend"):
            return None
        if (job.get("status") or {}).get("jobDeploymentStatus") in SUSPENDED:
            return None
        return dict(job)

    def _job_cluster(self, cluster: Any, job: dict[str, Any], rc_name: str) -> Passes[dict[str, Any] | None]:
        """The job's RayCluster: created from rayClusterSpec, or the selected one once it exists
        (each pass that finds it missing ends, requeued: getOrCreateRayClusterInstance)."""
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        spec = job.get("spec") or {}
        if spec.get("clusterSelector"):
            while True:
                rc = cluster.get(RAY, "RayCluster", ns, rc_name)
                if rc is not None:
                    return dict(rc)
                self._warn_once(
                    cluster,
                    job,
                    "RayClusterNotFound",
                    f"RayCluster {ns}/{rc_name} set in the clusterSelector is not found. It must be created manually",
                )
                yield max(self.delay, 0.05)
                if self._job(cluster, ns, name) is None:
                    return None
        if cluster.get(RAY, "RayCluster", ns, rc_name) is None:
            cluster.create(self._job_cluster_object(job, rc_name))
            self._clusters_made.add((ns, rc_name))
        rc = cluster.get(RAY, "RayCluster", ns, rc_name)
        return dict(rc) if rc is not None else None

    def _get_or_create_cluster(self, cluster: Any, job: dict[str, Any]) -> None:
        """getOrCreateRayClusterInstance on a pass of a job that is Initializing or Running (upstream:
        ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go Reconcile): a
        RayCluster the job made and someone deleted is created again, under the same name
        (status.rayClusterName), from spec.rayClusterSpec. The RayJob Owns its RayClusters
        (SetupWithManager), so the deletion itself wakes this pass (on_delete). A clusterSelector's
        cluster is never created (the pass only records RayClusterNotFound)."""
        ns = job["metadata"]["namespace"]
        status, spec = job.get("status") or {}, job.get("spec") or {}
        rc_name = status.get("rayClusterName")
        if status.get("jobDeploymentStatus") not in ("Initializing", "Running") or spec.get("clusterSelector"):
            return
        if not rc_name or (ns, rc_name) not in self._clusters_made or spec.get("suspend"):
            return  # not made yet: the job's own passes create it first
        if cluster.get(RAY, "RayCluster", ns, rc_name) is None:
            with contextlib.suppress(ApiError):  # 409: a pass beside this one created it first
                # A write inside reconcile does not wake this same controller: the new cluster's
                # first pass is run here, as the RayCluster controller's watch would run it.
                self.provision(cluster, cluster.create(self._job_cluster_object(job, rc_name)))

    def _job_cluster_object(self, job: dict[str, Any], rc_name: str) -> dict[str, Any]:
        """constructRayClusterForRayJob: the job's labels and annotations are copied, with the
        originated-from labels, ray.io/job-submission-mode, and in SidecarMode the annotation
        ray.io/disable-provisioned-head-restart (utils/constant.go)."""
        spec = job.get("spec") or {}
        rc = child_cluster({**job, "kind": "RayJob"}, rc_name, self._job_cluster_spec(spec))
        meta = job["metadata"]
        mode = str(spec.get("submissionMode") or "K8sJobMode")
        rc["metadata"]["labels"] = {
            **(meta.get("labels") or {}),
            **rc["metadata"]["labels"],
            "ray.io/job-submission-mode": mode,
        }
        annotations = dict(meta.get("annotations") or {})
        if mode == "SidecarMode":
            annotations["ray.io/disable-provisioned-head-restart"] = "true"
        if annotations:
            rc["metadata"]["annotations"] = annotations
        return rc

    @staticmethod
    def _job_cluster_spec(spec: dict[str, Any]) -> dict[str, Any]:
        cluster_spec = copy.deepcopy(spec.get("rayClusterSpec") or {})
        if spec.get("submissionMode") == "SidecarMode":
            # rayjob_controller.go: SidecarMode injects the submitter into the head pod.
            head = cluster_spec.setdefault("headGroupSpec", {}).setdefault("template", {}).setdefault("spec", {})
            head.setdefault("containers", []).append(
                {"name": SUBMITTER_CONTAINER, "image": (head.get("containers") or [{}])[0].get("image", "")}
            )
        return cluster_spec

    def _run_job(self, cluster: Any, ns: str, name: str) -> Passes[None]:
        """One attempt's passes; one that ends Retrying hands the job to the reconcile (_retrying)."""
        if (yield from self._attempt(cluster, ns, name)):
            self._retrying(cluster, ns, name)

    def _retrying(self, cluster: Any, ns: str, name: str) -> None:
        """An attempt's end at its Retrying write (upstream: ray-project/kuberay v1.7.0
        ray-operator/controllers/ray/rayjob_controller.go checkBackoffLimitAndUpdateStatusIfNeeded
        sets Retrying in the pass that reads the failure). The attempt's passes end in that same
        pass: the job is no longer theirs, and each later pass is the RayJob's reconcile computed
        from the status it reads (the `case JobDeploymentStatusSuspending, JobDeploymentStatusRetrying`:
        job_endings.py _suspend_pass, deleting the cluster and the submitter, then New; New starts the
        next attempt with new names). That reconcile comes from the write's own event and from
        Reconcile's ``RequeueAfter: RayJobDefaultRequeueDuration`` after updateRayJobStatus."""
        job = cluster.get(RAY, "RayJob", ns, name)
        if job is None:
            return
        with self._guard:
            self._jobs_started.discard(f"{ns}/{name}/{job['metadata'].get('uid', '')}")
        self.requeue(job, self.delay)

    def _attempt(self, cluster: Any, ns: str, name: str) -> Passes[bool]:
        """One attempt of the job, New to Complete, Failed or Retrying; whether it ended Retrying. A job
        found Waiting or Running (a simulator started anew: no passes of its own) goes on from that
        case on its names, startTime and counts, without the Initializing write (``adopted``)."""
        job = self._job(cluster, ns, name)
        if job is None:
            return False
        spec = job.get("spec") or {}
        status = job.get("status") or {}
        adopted = str(status.get("jobDeploymentStatus") or "")
        adopted = adopted if adopted in ("Waiting", "Running") else ""
        counts = {"failed": int(status.get("failed") or 0), "succeeded": int(status.get("succeeded") or 0)}
        attempt = counts["failed"] + counts["succeeded"]
        # initRayJobStatusIfNeed: New (the first attempt, each retry, a resume after suspension)
        # finds rayClusterName and jobId cleared and draws new random names (utils/util.go
        # GenerateRayClusterName, GenerateRayJobId: <name>-<rand.String(5)>).
        # initRayJobStatusIfNeed fills only what is empty: an Initializing job found with its names
        # (a simulator started anew) keeps them, and so its RayCluster.
        selector = (spec.get("clusterSelector") or {}).get("ray.io/cluster")
        rc_name = str(status.get("rayClusterName") or selector or f"{name}-{random_suffix()}")
        mode = spec.get("submissionMode") or "K8sJobMode"
        # initRayJobStatusIfNeed: spec.jobId, else a generated one; none in InteractiveMode (the user
        # gives spec.jobId later, _wait_for_job_id).
        given = status.get("jobId") or spec.get("jobId")
        job_id = None if mode == "InteractiveMode" else str(given or f"{name}-{random_suffix()}")
        if adopted == "Running" and status.get("jobId"):
            job_id = str(status["jobId"])  # InteractiveMode's too: the Waiting case copied spec.jobId there
        # initRayJobStatusIfNeed sets startTime on each attempt: activeDeadlineSeconds counts from it.
        started = str(status.get("startTime") or now()) if adopted else now()
        deadline = Deadline(spec.get("activeDeadlineSeconds"), started, since(started) if adopted else 0.0)
        if adopted and not selector:
            self._clusters_made.add((ns, rc_name))  # the job's own cluster: made again if deleted
        if not adopted:
            initializing = {"jobDeploymentStatus": "Initializing", "rayClusterName": rc_name, "jobId": job_id}
            # checkBackoffLimitAndUpdateStatusIfNeeded writes the counts on every status update
            yield from write_status(
                cluster, ns, name, lambda status: initializing | {"startTime": started} | counted(status)
            )
        rc = yield from self._job_cluster(cluster, job, rc_name)
        if rc is None:
            return False
        if not selector:
            # upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go
            # reconcileServices (skipped with a clusterSelector): <job>-head-svc, owned by the RayJob.
            apply_service(cluster, owner_head_service("RayJob", job, rc_name, rc.get("spec") or {}))
        yield self.delay
        rc = self.provision(cluster, rc)
        yield from write_status(cluster, ns, name, {"rayClusterStatus": rc.get("status", {})})
        # upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go
        # (Initializing): the job waits, requeued, until its RayCluster is ready; a worker the
        # cluster autoscaler gives a node to later makes it ready (the Rescheduler binds the
        # pod and reconciles the RayCluster again).
        while (rc.get("status") or {}).get("state") != "ready":
            yield max(self.delay, 0.05)
            current = cluster.get(RAY, "RayCluster", ns, rc_name)
            if not (yield from self._hold()) or self._job(cluster, ns, name) is None:
                return False
            if deadline.passed():
                return (yield from self._fail_unretried(cluster, job, rc_name, deadline.failure()))
            if current is None:
                continue  # deleted: the pass its deletion wakes creates it again (_get_or_create_cluster)
            if (current.get("status") or {}) != (rc.get("status") or {}):
                yield from write_status(cluster, ns, name, {"rayClusterStatus": current.get("status", {})})
            rc = dict(current)
        if self._job(cluster, ns, name) is None:
            return False
        # rayjob_controller.go (Initializing): the dashboard URL is fetched from the cluster's head
        # Service only once the RayCluster is ready (utils FetchHeadServiceURL).
        yield from write_status(cluster, ns, name, {"dashboardURL": dashboard_url(cluster, ns, rc_name)})
        if mode == "InteractiveMode" and adopted != "Running":
            job_id = yield from self._wait_for_job_id(cluster, ns, name)
            if job_id is None:
                return False
        assert job_id is not None
        submitter = submitter_pod(cluster, job, rc_name, job_id) if mode == "K8sJobMode" and not adopted else None
        if adopted == "Running":
            found = yield from self._adopt_running(cluster, job, rc_name, job_id, mode)
            if found is None:
                return False
            submitter = found or None
        elif mode == "HTTPMode":
            if not (yield from self._submit_when_not_found(cluster, ns, name, rc_name, job_id, job)):
                return False
        else:
            self._submit(ns, rc_name, job_id, job)
            running = {"jobDeploymentStatus": "Running", **self.job_api.status_patch(ns, rc_name, job_id)}
            yield from write_status(cluster, ns, name, running)
        yield self.delay
        if self._job(cluster, ns, name) is None:
            return False
        self._now_running(ns, rc_name, job_id, job)
        yield from write_status(cluster, ns, name, self.job_api.status_patch(ns, rc_name, job_id))
        self._autoscale_for_job(cluster, ns, rc_name)
        until = time.monotonic() + max(self.run_seconds, self.delay)
        checks = StatusChecks(self.status_check_timeout) if self.failure == "job-status-check" else None
        uid = (rc.get("metadata") or {}).get("uid")
        while time.monotonic() < until or checks is not None:
            yield min(self.delay or 0.01, 0.05)
            if not (yield from self._hold()) or self._job(cluster, ns, name) is None:
                return False
            if self.job_api.stop_requested(ns, rc_name, job_id):
                # POST /api/jobs/ID/stop reached the head (job_api.py; ray-project/ray python/ray/dashboard/modules/job/
                # job_head.py stop_job): the next pass reads STOPPED.
                return (yield from self._stopped(cluster, job, rc_name, job_id, submitter, mode))
            if selector and cluster.get(RAY, "RayCluster", ns, rc_name) is None:
                back = yield from self._selected_cluster_gone(cluster, job, rc_name, job_id, submitter, deadline)
                if back is None:
                    return False
                uid, submitter = back
                until = time.monotonic() + max(self.run_seconds, self.delay)
                continue
            now_rc = None if selector else cluster.get(RAY, "RayCluster", ns, rc_name)
            if not selector and (now_rc is None or now_rc["metadata"].get("uid") != uid):
                rerun = yield from self._rerun_on_new_cluster(cluster, job, rc_name, job_id, submitter, deadline)
                if rerun is None:
                    return False
                uid, submitter = rerun
                until = time.monotonic() + max(self.run_seconds, self.delay)
                continue
            # The Running case checks the deadline first, then the status-check timeout, then
            # reads the job's info from the dashboard (recording the first failure to read it).
            failure = deadline.failure() if deadline.passed() else (checks.failure() if checks else None)
            if failure is not None:
                return (yield from self._fail_unretried(cluster, job, rc_name, failure))
            if checks is not None and checks.first_failure():
                yield from write_status(cluster, ns, name, {"jobStatusCheckFailureStartTime": checks.since})
            # checkSubmitterAndUpdateStatusIfNeeded, SidecarMode: no head pod fails the attempt.
            head_selector = f"ray.io/cluster={rc_name},ray.io/node-type=head"
            if mode == "SidecarMode" and not cluster.list("v1", "Pod", ns, label_selector=head_selector):
                return (yield from self._sidecar_head_gone(cluster, job, rc_name))
        if not (yield from self._hold()):
            return False
        if mode == "SidecarMode" and self.failure == "sidecar-ends-early":
            return bool((yield from self._sidecar_ended_early(cluster, job, rc_name)))
        return (yield from self._finish_job(cluster, job, rc_name, job_id, submitter, mode, attempt))

    def _submit_when_not_found(
        self, cluster: Any, ns: str, name: str, rc_name: str, job_id: str, job: dict[str, Any]
    ) -> Passes[bool]:
        """HTTPMode (upstream: ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go):
        Initializing moves to Running and submits nothing; the Running pass's GetJobInfo answers
        404, KubeRay's BadRequest, and ``reconcileHTTPModeJobNotFound`` submits the job (SubmitJob,
        ``POST /api/jobs/`` with status.jobId as its submission_id: utils/dashboardclient/
        dashboard_httpclient.go); the next pass reads it. A job of that ID already on the cluster
        (spec.jobId naming one submitted before) is found, not submitted again. False once the
        RayJob is gone."""
        yield from write_status(cluster, ns, name, {"jobDeploymentStatus": "Running"})
        yield self.delay  # the next pass (RayJobDefaultRequeueDuration)
        if self._job(cluster, ns, name) is None:
            return False
        if not self.job_api.knows(ns, rc_name, job_id):
            self._submit(ns, rc_name, job_id, job)
        yield from write_status(cluster, ns, name, self.job_api.status_patch(ns, rc_name, job_id))
        return True

    def operator_down(self) -> bool:
        return False  # KubeRayController's: whether the operator pods it stands for all exist, none running

    def _hold(self) -> Passes[bool]:
        """Wait while the operator is down: a job's passes stand for the RayJob controller's
        requeued passes (RayJobDefaultRequeueDuration, 3 s), and a manager that is not running
        makes none (upstream: ray-project/kuberay v1.7.0 ray-operator/main.go, exitOnError before
        mgr.Start; ray-operator/controllers/ray/rayjob_controller.go Reconcile). The Ray job itself
        runs on in its cluster: the first pass after the operator is back reads where it is. False
        once the emulator stops."""
        while self._running() and self.operator_down():
            yield max(self.delay, 0.05)
        return self._running()

    def _running(self) -> bool:
        """Still registered with a running emulator (a job's passes end with it)."""
        manager = getattr(self, "_manager", None)
        return manager is not None and not manager._stopped and self in manager.controllers

    def _wait_for_job_id(self, cluster: Any, ns: str, name: str) -> Passes[str | None]:
        """InteractiveMode (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/
        rayjob_controller.go, Initializing then Waiting): no submitter; the job waits, ``Waiting``,
        until the user who submitted it to the cluster writes ``spec.jobId``, which becomes
        ``status.jobId``."""
        yield from write_status(cluster, ns, name, {"jobDeploymentStatus": "Waiting"})
        while True:
            job = self._job(cluster, ns, name)
            if job is None:
                return None
            given = (job.get("spec") or {}).get("jobId")
            if given:
                yield from write_status(cluster, ns, name, {"jobId": given})
                return str(given)
            yield max(self.delay, 0.05)

    def _autoscale_for_job(self, cluster: Any, ns: str, rc_name: str) -> None:
        """The Ray autoscaler (in the head pod, not KubeRay) writes the group's replicas."""
        rc = cluster.get(RAY, "RayCluster", ns, rc_name)
        if rc is None or not autoscaling(rc.get("spec") or {}):
            return
        # its KubeRayNodeProvider's worker_replica_patch, a JSON patch as python-requests (ray-project/ray
        # python/ray/autoscaler/_private/kuberay/node_provider.py; common.py RAY_AUTOSCALER_MANAGER)
        ops = [
            {"op": "replace", "path": f"/spec/workerGroupSpecs/{i}/replicas", "value": 1}
            for i, group in enumerate((rc.get("spec") or {}).get("workerGroupSpecs") or [])
            if int(group.get("replicas") or 0) == 0 and int(group.get("maxReplicas") or 0) >= 1
        ]
        if ops:
            cluster.json_patch(RAY, "RayCluster", ns, rc_name, ops, manager=RAY_AUTOSCALER_MANAGER)
            self.provision(cluster, cluster.get(RAY, "RayCluster", ns, rc_name))
