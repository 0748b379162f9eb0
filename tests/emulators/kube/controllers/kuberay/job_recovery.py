"""A running RayJob whose RayCluster went away, in the KubeRay simulator (part of job.py's
JobReconciler, moved out of job.py): a cluster the job made is made again and the job submitted
anew there; a cluster it selects is never made again, and the job waits for one of that name
(upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go, the
Running case and getOrCreateRayClusterInstance)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.kuberay import submitter_log
from tests.emulators.kube.controllers.kuberay.common import RAY
from tests.emulators.kube.controllers.kuberay.job_api import JobApi
from tests.emulators.kube.controllers.kuberay.job_endings import first_output

# each ``yield`` ends a pass, as Reconcile returns RequeueAfter (upstream: ray-project/kuberay v1.7.0
# ray-operator/controllers/ray/rayjob_controller.go; job_passes.py)
from tests.emulators.kube.controllers.kuberay.job_passes import Passes
from tests.emulators.kube.controllers.kuberay.job_status import write_status
from tests.emulators.kube.controllers.kuberay.job_submitter import Deadline, StatusChecks, submitter_pod
from tests.emulators.kube.controllers.kuberay.services import dashboard_url


class JobRecovery:
    """A running job's lost cluster; mixed into ``JobReconciler`` (whose ``_job``, ``_running``,
    ``_autoscale_for_job`` it calls, with JobEndings' ``_fail_unretried``)."""

    delay: float
    status_check_timeout: float
    job_logs: str | None
    job_api: JobApi

    def _rerun_on_new_cluster(
        self, cluster: Any, job: dict[str, Any], rc_name: str, job_id: str, submitter: str | None, deadline: Deadline
    ) -> Passes[tuple[Any, str | None] | None]:
        """The running job's RayCluster was deleted (upstream: ray-project/kuberay v1.7.0
        ray-operator/controllers/ray/rayjob_controller.go, the Running case): its driver ended with
        the head. The pass the deletion wakes creates the cluster again (_get_or_create_cluster);
        until its dashboard answers, GetJobInfo fails (recordJobStatusCheckFailure writes
        jobStatusCheckFailureStartTime; RAYJOB_STATUS_CHECK_TIMEOUT_SECONDS later the job ends
        JobStatusCheckTimeoutExceeded). The submitter's ``ray job logs --follow`` loses the head and
        fails (ray-project/ray python/ray/dashboard/modules/job/sdk.py tail_job_logs raises on an
        abnormal close), so the batch Job runs a new pod (backoffLimit 2), which waits for the new
        dashboard, finds no job under its submission ID and submits it again (ray-project/kuberay
        ray-operator/controllers/ray/common/job.go BuildJobSubmitCommand): the job starts over,
        PENDING then RUNNING, and the timer is cleared on the first status read. Returns the new
        cluster's uid and the new submitter pod, or None when the job is gone or has failed."""
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        checks = StatusChecks(self.status_check_timeout)
        checks.first_failure()
        yield from write_status(cluster, ns, name, {"jobStatusCheckFailureStartTime": checks.since})
        if submitter is not None and cluster.get("v1", "Pod", ns, submitter) is not None:
            ended = {"phase": "Failed", "conditions": [{"type": "Ready", "status": "False"}]}
            cluster.patch_status("v1", "Pod", ns, submitter, ended)
            submitter = submitter_pod(cluster, job, rc_name, job_id)
        while True:
            yield max(self.delay, 0.05)
            if self._job(cluster, ns, name) is None or not self._running():
                return None
            failure = deadline.failure() if deadline.passed() else checks.failure()
            if failure is not None:
                yield from self._fail_unretried(cluster, job, rc_name, failure)
                return None
            rc = cluster.get(RAY, "RayCluster", ns, rc_name)
            if rc is not None and (rc.get("status") or {}).get("state") == "ready":
                break
        self._submit_again(ns, rc_name, job_id, job)
        update = {
            **self.job_api.status_patch(ns, rc_name, job_id),
            "jobStatusCheckFailureStartTime": None,
            "rayClusterStatus": rc["status"],
        }
        yield from write_status(cluster, ns, name, update)
        yield self.delay
        self._now_running(ns, rc_name, job_id, job)
        yield from write_status(cluster, ns, name, self.job_api.status_patch(ns, rc_name, job_id))
        self._autoscale_for_job(cluster, ns, rc_name)
        return rc["metadata"].get("uid"), submitter

    def _selected_cluster_gone(
        self, cluster: Any, job: dict[str, Any], rc_name: str, job_id: str, submitter: str | None, deadline: Deadline
    ) -> Passes[tuple[Any, str | None] | None]:
        """The RayCluster a running job selects (spec.clusterSelector) was deleted (upstream:
        ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go, the Running
        case). The job does not own it, so the deletion wakes no pass; the periodic requeue does.
        Each pass checks activeDeadlineSeconds first (checkActiveDeadlineAndUpdateStatusIfNeeded:
        past it, Failed with DeadlineExceeded, never retried), then getOrCreateRayClusterInstance,
        which never creates a selected cluster: it records a Warning event ``RayClusterNotFound``
        ("RayCluster NS/NAME set in the clusterSelector is not found. It must be created manually";
        the event recorder folds the repeats into a count) and the pass ends with an error before
        the submitter or the job's info is read. So the job stays Running, jobStatus as it was, no
        jobStatusCheckFailureStartTime, and without a deadline forever. Its driver ended with the
        head: the submitter's ``ray job logs --follow`` fails (ray-project/ray
        python/ray/dashboard/modules/job/sdk.py tail_job_logs raises on an abnormal close) and the
        batch Job's next pod waits for the dashboard (ray-project/kuberay
        ray-operator/controllers/ray/common/job.go BuildJobSubmitCommand's loop,
        "Waiting for Ray Dashboard GCS to become healthy at URL ..." every 2 s). A cluster of that
        name made again is found by the next pass: the waiting pod finds no job under its
        submission ID and submits it again (PENDING, then RUNNING). Returns the new cluster's uid
        and the submitter pod, or None when the job is gone or has failed."""
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        # The head Service's port named dashboard (ray-project/kuberay utils/util.go FetchHeadServiceURL).
        address = f"http://{dashboard_url(cluster, ns, rc_name)}"
        if submitter is not None and cluster.get("v1", "Pod", ns, submitter) is not None:
            ended = {"phase": "Failed", "conditions": [{"type": "Ready", "status": "False"}]}
            cluster.patch_status("v1", "Pod", ns, submitter, ended)
            submitter = submitter_pod(cluster, job, rc_name, job_id)
            waiting = f"Waiting for Ray Dashboard GCS to become healthy at {address} ...\n"
            cluster.write_pod_log(cluster.get("v1", "Pod", ns, submitter), waiting)
        missing = f"RayCluster {ns}/{rc_name} set in the clusterSelector is not found. It must be created manually"
        while True:
            current = self._job(cluster, ns, name)
            if current is None or not self._running():
                return None
            if deadline.passed():
                yield from self._fail_unretried(cluster, current, rc_name, deadline.failure())
                return None
            rc = cluster.get(RAY, "RayCluster", ns, rc_name)
            if rc is None:
                self._warn_once(cluster, current, "RayClusterNotFound", missing)
            elif (rc.get("status") or {}).get("state") == "ready":
                break
            yield max(self.delay, 0.05)
        if submitter is not None:
            started = submitter_log.k8s_job_started(address, job_id)
            cluster.write_pod_log(cluster.get("v1", "Pod", ns, submitter), started)
        self._submit_again(ns, rc_name, job_id, job)
        yield from write_status(
            cluster,
            ns,
            name,
            {**self.job_api.status_patch(ns, rc_name, job_id), "rayClusterStatus": rc["status"]},
        )
        yield self.delay
        self._now_running(ns, rc_name, job_id, job)
        yield from write_status(cluster, ns, name, self.job_api.status_patch(ns, rc_name, job_id))
        return rc["metadata"].get("uid"), submitter

    def _adopt_running(
        self, cluster: Any, job: dict[str, Any], rc_name: str, job_id: str, mode: str
    ) -> Passes[str | None]:
        """A job found Running with no passes of its own: a simulator started anew (upstream:
        ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go, the Running
        case, which a restarted operator runs on its first pass). HTTPMode: GetJobInfo, and a job the
        head does not know is submitted (reconcileHTTPModeJobNotFound: ``_submit_when_not_found``).
        K8sJobMode: checkSubmitterAndUpdateStatusIfNeeded reads the submitter Job; while there is none
        the pass ends on the Get's error, requeued (here: until one exists or the RayJob goes). The
        Ray job itself ran on in its cluster: the head's dashboard still has it, as the old
        simulator's job API had it (each simulator has its own, job_api.py), so it is recorded there
        again, and the attempt goes on from reading it. The submitter pod's name ("" for none: SidecarMode,
        InteractiveMode), or None once the RayJob is gone."""
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        if mode == "HTTPMode":
            submitted = yield from self._submit_when_not_found(cluster, ns, name, rc_name, job_id, job)
            return "" if submitted else None
        submitter = ""
        while mode == "K8sJobMode":
            pods = cluster.list("v1", "Pod", ns, label_selector=f"batch.kubernetes.io/job-name={name}")
            if pods:
                submitter = str(
                    max(pods, key=lambda p: str(p["metadata"].get("creationTimestamp")))["metadata"]["name"]
                )
                break
            yield max(self.delay, 0.05)
            if self._job(cluster, ns, name) is None:
                return None
        if not self.job_api.knows(ns, rc_name, job_id):
            self._submit(ns, rc_name, job_id, job)
        return submitter

    def _submit_again(self, ns: str, rc_name: str, job_id: str, job: dict[str, Any]) -> None:
        """The cluster made anew has a new GCS: the job the submitter submits again is a new one
        there, PENDING (job_api.py; ray-project/ray python/ray/dashboard/modules/job/job_manager.py
        submit_job)."""
        self.job_api.forget(ns, rc_name)
        self._submit(ns, rc_name, job_id, job)

    def _now_running(self, ns: str, rc_name: str, job_id: str, job: dict[str, Any]) -> None:
        """The job's supervisor started its entrypoint: RUNNING (ray-project/ray
        python/ray/dashboard/modules/job/job_supervisor.py JobSupervisor.run), and the driver's log
        has its first line, which ``ray job logs`` (even with ``--follow --tail``) shows before the
        job ends (ray-project/ray python/ray/dashboard/modules/job/job_log_storage_client.py
        tail_logs; ``first_output``)."""
        entry = str((job.get("spec") or {}).get("entrypoint", ""))
        self.job_api.set_status(ns, rc_name, job_id, "RUNNING", logs=first_output(self.job_logs, entry))

    def _submit(self, ns: str, rc_name: str, job_id: str, job: dict[str, Any]) -> None:
        """The RayJob's submission reaches the job API: its entrypoint, and whether it asks for
        entrypoint resources or a runtime_env, which PENDING's message names (ray-project/kuberay
        ray-operator/controllers/ray/common/job.go BuildJobSubmitCommand passes spec.entrypointNumCpus,
        entrypointNumGpus, entrypointResources and runtimeEnvYAML to ``ray job submit``)."""
        spec = job.get("spec") or {}
        asks = ("entrypointNumCpus", "entrypointNumGpus", "entrypointResources")
        self.job_api.submit(
            ns,
            rc_name,
            job_id,
            str(spec.get("entrypoint", "")),
            resources=any(spec.get(k) for k in asks),
            runtime_env=bool(spec.get("runtimeEnvYAML")),
        )
