"""How a RayJob's attempt ends in the KubeRay simulator (part of job.py's JobReconciler, moved out
of job.py): Complete, Failed, or Retrying while the backoff limit allows; a failure that is never
retried; the Retrying pass back to New; and a suspend (upstream: ray-project/kuberay v1.7.0
ray-operator/controllers/ray/rayjob_controller.go checkBackoffLimitAndUpdateStatusIfNeeded,
updateStatusToSuspendingIfNeeded, the Suspending/Retrying case)."""

from __future__ import annotations

import time
from typing import Any

from tests.emulators.kube.controllers.finalizers import add_finalizer
from tests.emulators.kube.controllers.kuberay import submitter_log
from tests.emulators.kube.controllers.kuberay.common import RAY, RAYJOB_FINALIZER, now, random_suffix, since, suffix
from tests.emulators.kube.controllers.kuberay.job_api import STOPPED_MESSAGE, JobApi, entrypoint_exit_code
from tests.emulators.kube.controllers.kuberay.job_passes import Passes
from tests.emulators.kube.controllers.kuberay.job_status import counted, forget_held, write_status
from tests.emulators.kube.controllers.kuberay.job_submitter import SUBMITTER_CONTAINER
from tests.emulators.kube.controllers.kuberay.services import dashboard_url, head_container

# The Suspending/Retrying case's reset once the cluster and the submitter are gone (upstream:
# ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go: RayClusterStatus,
# RayClusterName, DashboardURL, JobId, Message, Reason, RayJobStatusInfo,
# JobStatusCheckFailureStartTime cleared, JobStatus = JobStatusNew, which is "").
RELEASED: dict[str, Any] = {
    "jobStatus": None,
    "rayClusterStatus": {},
    "rayClusterName": None,
    "dashboardURL": None,
    "jobId": None,
    "message": None,
    "reason": None,
    "rayJobInfo": None,
    "jobStatusCheckFailureStartTime": None,
}


def failure_message(code: int, log_tail: str) -> str:
    """Ray's JobInfo message for an entrypoint that exited non-zero, which KubeRay copies into the
    RayJob's status.message (upstream: ray-project/ray 06a58f81 python/ray/dashboard/modules/job/
    job_supervisor.py JobSupervisor.run; ray-project/kuberay feeaf72f ray-operator/controllers/ray/
    rayjob_controller.go, the Running case: ``rayJobInstance.Status.Message = jobInfo.Message``)."""
    if log_tail:
        return (
            f"Job entrypoint command failed with exit code {code}, last available logs "
            f"(truncated to 20,000 chars):\n{log_tail[-20000:]}"
        )
    return f"Job entrypoint command failed with exit code {code}. No logs available."


def job_output(job_logs: str | None, entrypoint: str) -> str:
    """What the emulator's entrypoint prints (the fixture's ``job_logs``, or two lines)."""
    return job_logs if job_logs is not None else f"running: {entrypoint}\njob output line\n"


def first_output(job_logs: str | None, entrypoint: str) -> str:
    """The log of a job that has just started: the first line of ``job_output``, the rest comes at
    its end, so the log only grows, as the driver's log file does (ray-project/ray
    python/ray/dashboard/modules/job/job_log_storage_client.py JobLogStorageClient.get_logs and
    tail_logs read ``job-driver-{id}.log`` as it is written)."""
    return "".join(job_output(job_logs, entrypoint).splitlines(keepends=True)[:1])


class JobEndings:
    """The end of a RayJob's attempt; mixed into ``JobReconciler``."""

    failure: str | None
    delay: float
    job_logs: str | None
    failing_attempts: int
    ttl_scale: float
    submitter_finished_timeout: float
    job_api: JobApi

    def _finish_job(
        self,
        cluster: Any,
        job: dict[str, Any],
        rc_name: str,
        job_id: str,
        submitter: str | None,
        mode: str,
        attempt: int,
    ) -> Passes[bool]:
        """End an attempt: Complete, Failed, or Retrying (True) while the backoff limit allows."""
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        spec = job.get("spec") or {}
        entry = str(spec.get("entrypoint", ""))
        code = entrypoint_exit_code(entry)
        if code == 0 and (self.failure == "job-fail" or attempt < self.failing_attempts):
            code = 1  # the fixture's failing entrypoint
        failed = code != 0
        output = job_output(self.job_logs, entry)
        if failed and not entrypoint_exit_code(entry):
            output += 'Traceback (most recent call last):\n  File "train.py", line 3\nRuntimeError: simulated failure\n'
        message = failure_message(code, output)
        # ray-project/ray python/ray/dashboard/modules/job/job_supervisor.py run: the entrypoint's exit
        # writes SUCCEEDED or FAILED (with the message).
        status = "FAILED" if failed else "SUCCEEDED"
        self.job_api.set_status(ns, rc_name, job_id, status, message if failed else None, output, code)
        head = f"{rc_name}-head-{suffix(ns, rc_name)}"
        exit_first = False
        head_pod = cluster.get("v1", "Pod", ns, head)
        # A pod deleted since its read gets no log (cluster.write_pod_log).
        if cluster.write_pod_log(head_pod, f"ray head {head} started\n{output}") and mode == "SidecarMode":
            # common/job.go BuildJobSubmitCommand (SidecarMode): 127.0.0.1 and the head container's
            # port named dashboard (utils.FindContainerPort, default 8265).
            head_ports = head_container(spec.get("rayClusterSpec") or {}).get("ports") or []
            port = next((p.get("containerPort") for p in head_ports if p.get("name") == "dashboard"), 8265)
            logs = submitter_log.sidecar_log(f"http://127.0.0.1:{port}", job_id, output, failed, message)
            cluster.write_pod_log(head_pod, logs, container=SUBMITTER_CONTAINER)
            times = self.job_api.status_patch(ns, rc_name, job_id)["rayJobInfo"]
            exit_first = yield from self._sidecar_ends(cluster, ns, name, head, code, message, times)
        if submitter is not None:
            address = f"http://{dashboard_url(cluster, ns, rc_name)}"
            ending = submitter_log.k8s_job_log(address, job_id, output, failed, message)
            cluster.write_pod_log(cluster.get("v1", "Pod", ns, submitter), ending)
            # Its last command, ``ray job logs --follow``, ends 0 whatever the Ray job's status
            # (submitter_log.py): the pod ends Succeeded for a failed job too (upstream:
            # ray-project/ray 0718d5b0 python/ray/dashboard/modules/job/cli.py logs, _tail_logs;
            # ray-project/kuberay feeaf72f ray-operator/controllers/ray/common/job.go BuildJobSubmitCommand).
            cluster.patch_status(
                "v1",
                "Pod",
                ns,
                submitter,
                {
                    "phase": "Succeeded",
                    "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}],
                },
            )
        # upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go
        # checkBackoffLimitAndUpdateStatusIfNeeded: a Failed attempt counts in status.failed and,
        # while failed < backoffLimit + 1, becomes Retrying in the same status write.
        backoff = spec.get("backoffLimit")
        decided: dict[str, bool] = {}

        def ending(status: dict[str, Any]) -> dict[str, Any]:
            # checkBackoffLimitAndUpdateStatusIfNeeded, from the counts as read by this pass (again
            # after a conflict: job_status.py).
            counts = counted(status, failed=int(failed), succeeded=int(not failed))
            retry = decided["retry"] = failed and backoff is not None and counts["failed"] < int(backoff) + 1
            fields: dict[str, Any] = {
                "jobStatus": "FAILED" if failed else "SUCCEEDED",
                "jobDeploymentStatus": "Retrying" if retry else ("Failed" if failed else "Complete"),
                **counts,
                **final,
            }
            return fields  # endTime: write_status stamps it for Complete and Failed, not Retrying

        final: dict[str, Any] = {}
        if failed and exit_first:
            # checkSubmitterAndUpdateStatusIfNeeded, SidecarMode: the container's exit code 1 was
            # seen before any pass read FAILED from the dashboard: SubmissionFailed, with the
            # container's exit code and reason; jobStatus stays the last one read (RUNNING).
            final["jobStatus"] = "RUNNING"
            final["reason"] = "SubmissionFailed"
            final["message"] = f"Ray head pod container {SUBMITTER_CONTAINER} terminated with exit code {code}: Error"
        else:
            # ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go, the Running case:
            # the pass that reads the terminal JobInfo copies its start and end times into rayJobInfo
            # (RayJobStatusInfo, ray-operator/apis/ray/v1/rayjob_types.go); a FAILED JobInfo gives
            # reason AppFailed and the JobInfo's message (ray-project/ray
            # python/ray/dashboard/modules/job/job_supervisor.py: the exit code and the log tail).
            final["rayJobInfo"] = self.job_api.status_patch(ns, rc_name, job_id)["rayJobInfo"]
            if failed:
                final["reason"] = "AppFailed"
                final["message"] = message
        yield from write_status(cluster, ns, name, ending)
        if decided["retry"]:
            return True
        yield from self._shut_down_after(cluster, spec, ns, rc_name)
        return False

    def _stopped(
        self, cluster: Any, job: dict[str, Any], rc_name: str, job_id: str, submitter: str | None, mode: str
    ) -> Passes[bool]:
        """The Ray job stopped through the Ray job API (job_api.py): its supervisor kills the
        entrypoint and writes STOPPED, "Job was intentionally stopped." (ray-project/ray 06a58f81
        python/ray/dashboard/modules/job/job_supervisor.py run; common.py JobInfo.__post_init__).
        The submitter's log ends with ``_log_job_status``'s warning and it exits 0 (``ray job logs
        --follow``, or SidecarMode's ``ray job submit``, exits 1 only for FAILED: ray-project/ray
        0718d5b0 python/ray/dashboard/modules/job/cli.py), so the pod ends Succeeded and the head's
        ``ray-job-submitter`` container terminates 0. The next pass reads STOPPED, a terminal status,
        and with the submitter finished writes Complete, reason empty, the JobInfo's message, and
        neither ``failed`` nor ``succeeded`` counted (ray-project/kuberay v1.7.0
        ray-operator/controllers/ray/rayjob_controller.go, the Running case, isJobTerminal;
        checkBackoffLimitAndUpdateStatusIfNeeded counts SUCCEEDED only); then the Complete case's
        clean-up (a clusterSelector's cluster is kept). Never retried: returns False."""
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        spec = job.get("spec") or {}
        self.job_api.set_status(ns, rc_name, job_id, "STOPPED")
        address = f"http://{dashboard_url(cluster, ns, rc_name)}"
        submitter_pod = cluster.get("v1", "Pod", ns, submitter) if submitter is not None else None
        if submitter is not None and submitter_pod is not None:
            cluster.write_pod_log(
                submitter_pod, submitter_log.k8s_job_started(address, job_id) + submitter_log.stopped(job_id)
            )
            ended = {
                "phase": "Succeeded",
                "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}],
            }
            cluster.patch_status("v1", "Pod", ns, submitter, ended)
        head = f"{rc_name}-head-{suffix(ns, rc_name)}"
        head_pod = cluster.get("v1", "Pod", ns, head) if mode == "SidecarMode" else None
        if head_pod is not None:
            logs = submitter_log.sidecar_started("http://127.0.0.1:8265", job_id) + submitter_log.stopped(job_id)
            cluster.write_pod_log(head_pod, logs, container=SUBMITTER_CONTAINER)
            self._end_sidecar_container(cluster, ns, head, 0)
        final = {
            "jobStatus": "STOPPED",
            "jobDeploymentStatus": "Complete",
            "reason": None,
            "message": STOPPED_MESSAGE,
            "rayJobInfo": self.job_api.status_patch(ns, rc_name, job_id)["rayJobInfo"],
        }
        yield from write_status(cluster, ns, name, final)
        yield from self._shut_down_after(cluster, spec, ns, rc_name)
        return False

    def _shut_down_after(self, cluster: Any, spec: dict[str, Any], ns: str, rc_name: str) -> Passes[None]:
        """The Complete and Failed case's clean-up (upstream: ray-project/kuberay v1.7.0
        ray-operator/controllers/ray/rayjob_controller.go handleShutdownAfterJobFinishes): with
        shutdownAfterJobFinishes, the job's own cluster goes ttlSecondsAfterFinished after the
        end (scaled by ``ttl_scale``); a clusterSelector's cluster is never deleted."""
        if spec.get("shutdownAfterJobFinishes") and not (spec.get("clusterSelector") or {}).get("ray.io/cluster"):
            # the Complete case requeues until the TTL has passed (RequeueAfter: the time left; ray-project/kuberay
            # v1.7.0 ray-operator/controllers/ray/rayjob_controller.go Reconcile, JobDeploymentStatusComplete)
            yield float(spec.get("ttlSecondsAfterFinished") or 0) * self.ttl_scale
            self.delete_cluster(cluster, ns, rc_name)

    def _sidecar_ends(
        self, cluster: Any, ns: str, name: str, head: str, code: int, message: str, times: dict[str, str]
    ) -> Passes[bool]:
        """SidecarMode's end on the head pod: the ``ray-job-submitter`` container ends with ``ray job
        submit``'s exit code (0 for a job that succeeded, 1 for one that failed: docs.ray.io
        cluster/running-applications/job-submission/cli.html#ray-job-submit) and stays terminated
        (SidecarMode's head has restartPolicy Never: utils/validation.go; rayjob_controller.go
        "In SidecarMode, the pod-level RestartPolicy is set to Never"); the kubelet then reports the
        pod not Ready, a container being unready (kubernetes/kubernetes pkg/kubelet/status/
        generate.go GeneratePodReadyCondition, ContainersNotReady).

        Before it ends, a pass reads the Ray job's terminal status from the dashboard and writes it
        with jobDeploymentStatus still Running: the submitter has not finished, so the job is not
        terminal yet (upstream: ray-project/kuberay feeaf72f ray-operator/controllers/ray/rayjob_controller.go,
        the Running case,
        ``isJobTerminal = isJobTerminal && finishedAt != nil``; kuberay PR 1919). With the fixture's
        ``failure="sidecar-exit-first"`` the container's end is seen first (KubeRay polls every 3 s,
        RayJobDefaultRequeueDuration): True, and the job ends SubmissionFailed (_finish_job). ``times``:
        the pass's rayJobInfo (the JobInfo's start and end times)."""
        exit_first = self.failure == "sidecar-exit-first"
        if not exit_first:
            seen: dict[str, Any] = {"jobStatus": "FAILED" if code else "SUCCEEDED"}
            if code:
                seen["message"] = message
            yield from write_status(cluster, ns, name, seen)
            yield self.delay
        self._end_sidecar_container(cluster, ns, head, code)
        return exit_first

    def _end_sidecar_container(self, cluster: Any, ns: str, head: str, code: int) -> str | None:
        """The head's ``ray-job-submitter`` container terminated with ``code`` and the pod not
        Ready (``_sidecar_ends``); its finishedAt, None without the head."""
        pod = cluster.get("v1", "Pod", ns, head)
        if pod is None:
            return None
        stamp = now()
        statuses = []
        for status in (pod.get("status") or {}).get("containerStatuses") or []:
            if status.get("name") == SUBMITTER_CONTAINER:
                started = ((status.get("state") or {}).get("running") or {}).get("startedAt") or stamp
                ended = {
                    "exitCode": code,
                    "reason": "Error" if code else "Completed",
                    "startedAt": started,
                    "finishedAt": stamp,
                }
                status = {**status, "ready": False, "started": False, "state": {"terminated": ended}}
            statuses.append(status)
        unready = {
            "type": "Ready",
            "status": "False",
            "reason": "ContainersNotReady",
            "message": f"containers with unready status: [{SUBMITTER_CONTAINER}]",
        }
        conditions = [c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") != "Ready"]
        cluster.patch_status(
            "v1", "Pod", ns, head, {"containerStatuses": statuses, "conditions": [*conditions, unready]}
        )
        return stamp

    def _sidecar_head_gone(self, cluster: Any, job: dict[str, Any], rc_name: str) -> Passes[bool]:
        """SidecarMode, a pass that finds no head pod: Failed, reason AppFailed, "Ray head pod not
        found.", jobStatus as last read (upstream: ray-project/kuberay feeaf72f
        ray-operator/controllers/ray/rayjob_controller.go checkSubmitterAndUpdateStatusIfNeeded;
        common/association.go GetRayClusterHeadPod lists the head pods by label, none is nil). The
        head stays gone: the job's RayCluster is provisioned and annotated
        ray.io/disable-provisioned-head-restart, so the RayCluster controller makes no new one
        (raycluster_controller.go reconcilePods, shouldSkipHeadPodRestart; cluster.py
        skips_head_restart), and every pass after the deletion finds none. Whether to retry
        (``_failed_attempt``)."""
        return (
            yield from self._failed_attempt(
                cluster, job, rc_name, {"reason": "AppFailed", "message": "Ray head pod not found."}
            )
        )

    def _sidecar_ended_early(self, cluster: Any, job: dict[str, Any], rc_name: str) -> Passes[bool | None]:
        """Failure mode ``sidecar-ends-early``: the ``ray-job-submitter`` container ends 0 while the
        dashboard still says RUNNING. ``submitter_finished_timeout`` seconds after its finishedAt
        (upstream DefaultSubmitterFinishedTimeout, 30 s) KubeRay fails the attempt: jobStatus FAILED,
        reason JobDeploymentStatusTransitionGracePeriodExceeded (upstream: ray-project/kuberay feeaf72f
        ray-operator/controllers/ray/rayjob_controller.go checkSubmitterFinishedTimeoutAndUpdateStatusIfNeeded,
        getSubmitterContainerFinishedTime; Go's time.DateTime layout and Duration text). Whether to
        retry; None when the job was deleted meanwhile."""
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        finished = self._end_sidecar_container(cluster, ns, f"{rc_name}-head-{suffix(ns, rc_name)}", 0)
        if finished is None:
            return (yield from self._sidecar_head_gone(cluster, job, rc_name))
        until = time.monotonic() + self.submitter_finished_timeout
        while time.monotonic() < until:
            yield min(self.delay or 0.01, 0.05)
            if cluster.get(RAY, "RayJob", ns, name) is None:
                return None
        when = finished.replace("T", " ").removesuffix("Z")
        message = f"The RayJob submitter finished at {when} but the ray job did not reach terminal state within 30s"
        fields = {"jobStatus": "FAILED", "reason": "JobDeploymentStatusTransitionGracePeriodExceeded"}
        return (yield from self._failed_attempt(cluster, job, rc_name, {**fields, "message": message}))

    def _failed_attempt(self, cluster: Any, job: dict[str, Any], rc_name: str, fields: dict[str, Any]) -> Passes[bool]:
        """A Failed attempt's status write with ``fields`` (checkBackoffLimitAndUpdateStatusIfNeeded):
        counted in ``failed``, Retrying while the backoff limit allows, else Failed with endTime and
        the Failed case's clean-up. Whether to retry."""
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        spec = job.get("spec") or {}
        backoff = spec.get("backoffLimit")
        decided: dict[str, bool] = {}

        def ending(status: dict[str, Any]) -> dict[str, Any]:
            counts = counted(status, failed=1)
            retry = decided["retry"] = backoff is not None and counts["failed"] < int(backoff) + 1
            final = {**fields, **counts, "jobDeploymentStatus": "Retrying" if retry else "Failed"}
            return final

        yield from write_status(cluster, ns, name, ending)
        if not decided["retry"]:
            yield from self._shut_down_after(cluster, spec, ns, rc_name)
        return decided["retry"]

    def _fail_unretried(self, cluster: Any, job: dict[str, Any], rc_name: str, failure: dict[str, str]) -> Passes[bool]:
        """A DeadlineExceeded or JobStatusCheckTimeoutExceeded failure: ``Failed`` (jobStatus left
        as it was), counted in ``failed`` and never Retrying (checkBackoffLimitAndUpdateStatusIfNeeded:
        "RayJob is not eligible for retry due to failure with DeadlineExceeded or
        JobStatusCheckTimeoutExceeded"); then the Failed case's clean-up. Returns False: no next attempt."""
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        spec = job.get("spec") or {}
        yield from write_status(
            cluster,
            ns,
            name,
            lambda status: {"jobDeploymentStatus": "Failed", **failure, **counted(status, failed=1)},
        )
        yield from self._shut_down_after(cluster, spec, ns, rc_name)
        return False

    def _suspend_pass(self, cluster: Any, job: dict[str, Any]) -> None:
        """One reconcile of a RayJob that ``spec.suspend`` moves, computed from the status it reads
        (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go
        Reconcile), so any number of events, or a simulator started anew mid-way, take the same steps:

        * New with suspend (the New case, then initRayJobStatusIfNeed): the finalizer, then
          Initializing with ``jobId``, ``rayClusterName`` and ``startTime``; no cluster is made.
        * Initializing or Running with suspend (updateStatusToSuspendingIfNeeded: only these two
          move): Suspending, and nothing else in that pass.
        * Suspending, whatever ``spec.suspend`` says now ("The `suspend` operation should be
          atomic"), and Retrying (the same case, also whatever ``spec.suspend`` says: an attempt's
          passes end at their Retrying write, job.py ``_retrying``): deleteClusterResources and
          deleteSubmitterJob, each of which answers "not deleted" on the pass that finds its object
          (it issues the delete, or the delete is under way), so the pass requeues; once a pass finds
          both gone it resets rayClusterStatus, rayClusterName,
          dashboardURL, jobId, message, reason, rayJobStatusInfo, jobStatusCheckFailureStartTime and
          jobStatus (``RELEASED``) and writes Suspended, or New after Retrying (startTime stays: the
          case does not touch it).

        Each write is followed by a requeue (Reconcile's ``RequeueAfter: RayJobDefaultRequeueDuration``
        after updateRayJobStatus), as the simulator's own status write wakes no reconcile of it."""
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        status = job.get("status") or {}
        deployment = status.get("jobDeploymentStatus")
        fields: dict[str, Any]
        if not deployment or deployment == "New":
            if not add_finalizer(cluster, job, RAYJOB_FINALIZER):
                self.requeue(job, self.delay)
                return
            job = cluster.get(RAY, "RayJob", ns, name) or job
            spec = job.get("spec") or {}
            mode = spec.get("submissionMode") or "K8sJobMode"
            selector = (spec.get("clusterSelector") or {}).get("ray.io/cluster")
            fields = {
                "jobDeploymentStatus": "Initializing",
                "rayClusterName": status.get("rayClusterName") or selector or f"{name}-{random_suffix()}",
                "startTime": now(),
            }
            if mode != "InteractiveMode" and not status.get("jobId"):
                fields["jobId"] = str(spec.get("jobId") or f"{name}-{random_suffix()}")
        elif deployment in ("Initializing", "Running"):
            fields = {"jobDeploymentStatus": "Suspending"}
        else:  # Suspending or Retrying: the case's deleteClusterResources and deleteSubmitterJob
            rc_name = status.get("rayClusterName")
            selector = ((job.get("spec") or {}).get("clusterSelector") or {}).get("ray.io/cluster")
            # deleteClusterResources leaves a selected cluster alone (isClusterDeleted true)
            rc = cluster.get(RAY, "RayCluster", ns, rc_name) if rc_name and not selector else None
            pods = cluster.list("v1", "Pod", ns, label_selector=f"batch.kubernetes.io/job-name={name}")
            if rc is not None or pods:
                # Each finds its object and, unless its deletion is under way, deletes it; either way
                # it answers "not deleted" for this pass: "The release of the compute resources has
                # not been completed yet", requeued. A later pass finds both gone.
                if rc is not None and not rc["metadata"].get("deletionTimestamp"):
                    self.delete_cluster(cluster, ns, str(rc_name))
                    # deleteClusterResources' Normal event on the RayJob (utils/constant.go DeletedRayCluster)
                    cluster.add_event(job, "DeletedRayCluster", f"Deleted cluster {ns}/{rc_name}")
                for pod in pods:
                    if not pod["metadata"].get("deletionTimestamp"):
                        cluster.delete("v1", "Pod", ns, pod["metadata"]["name"])
                self.requeue(job, self.delay)
                return
            fields = {"jobDeploymentStatus": "Suspended" if deployment == "Suspending" else "New", **RELEASED}
        forget_held(ns, name, str(job["metadata"].get("uid") or ""))
        # checkBackoffLimitAndUpdateStatusIfNeeded: failed and succeeded go with every status update
        if self._update_as_read(cluster, job, fields | counted(status)):
            self.requeue(job, self.delay)

    def _shutdown_pass(self, cluster: Any, job: dict[str, Any]) -> None:
        """The Complete and Failed case for a job with no passes of its own (a simulator started
        anew after the job ended): handleShutdownAfterJobFinishes (upstream: ray-project/kuberay
        v1.7.0 ray-operator/controllers/ray/rayjob_controller.go) computes shutdownTime =
        status.endTime + ttlSecondsAfterFinished; before it, ``RequeueAfter: requeueDelayFor
        (shutdownTime)``; from it on, deleteClusterResources. A clusterSelector's cluster is never
        deleted, and without shutdownAfterJobFinishes the case asks for no requeue."""
        ns = job["metadata"]["namespace"]
        spec, status = job.get("spec") or {}, job.get("status") or {}
        rc_name = status.get("rayClusterName")
        if not spec.get("shutdownAfterJobFinishes") or (spec.get("clusterSelector") or {}) or not rc_name:
            return
        ttl = float(spec.get("ttlSecondsAfterFinished") or 0) * self.ttl_scale
        left = ttl - since(str(status.get("endTime") or now()))
        if left > 0:
            self.requeue(job, left)
            return
        self.delete_cluster(cluster, ns, str(rc_name))
