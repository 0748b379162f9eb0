"""The Job controller's simulator (moved out of builtin.py): its pods, in waves of parallelism
until completions succeed, Indexed ones with their completion index, the pod failure policy,
backoffLimitPerIndex, the success policy, and the status it writes. One sync is jobs_sync.py; the
rules themselves are in jobs_policy.py; the pods' status in pods.py (upstream: kubernetes/kubernetes
pkg/controller/job/job_controller.go)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers import jobs_policy as policy
from tests.emulators.kube.controllers import kubelet_backoff
from tests.emulators.kube.controllers.base import PassHeld
from tests.emulators.kube.controllers.jobs_sync import TERMINAL, JobSync, job_conditions
from tests.emulators.kube.controllers.kubelet_crashloop import container_keys
from tests.emulators.kube.controllers.pods import PodOwner, controller_of, pod_status
from tests.emulators.kube.controllers.rollout import condition

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver_common import Ctx
    from tests.emulators.kube.controllers.runner import ControllerManager
    from tests.emulators.kube.resources import ResourceType


class JobController(PodOwner):
    """Each sync first plays the kubelet: every Running pod of the Job finishes, with the exit
    code ``exit_codes[job name](pod)`` gives (0 by default; None leaves it running), so a Job
    with completions > parallelism runs in waves, one per sync. Then it syncs as
    kube-controller-manager's Job controller does (upstream: kubernetes/kubernetes 6ae037f1
    pkg/controller/job/job_controller.go syncJob, manageJob, trackJobStatusAndRemoveFinalizers,
    enactJobFinished):

    - counts each finished pod once (the tracking finalizer's job; a pod removed before it was
      counted, as an eviction's, is remembered from its DELETED event and counts failed, as
      the kubelet would have marked it; isPodFailed, getNewFinishedPods);
    - podFailurePolicy: a FailJob rule gives FailureTarget PodFailurePolicy with the rule's
      message, Ignore does not count the failure, Count and FailIndex do (getFailJobMessage,
      nonIgnoredFailedPodsCount); with it, podReplacementPolicy defaults to Failed: a
      terminating pod is replaced only once it is gone (onlyReplaceFailedPods);
    - backoffLimit, activeDeadlineSeconds (FailureTarget BackoffLimitExceeded, DeadlineExceeded);
    - backoffLimitPerIndex: a replacement pod carries its index's failure counts; an index fails
      once a counted failure's count reaches the limit (or on FailIndex); ``failedIndexes``,
      FailureTarget MaxFailedIndexesExceeded or FailedIndexes once every index is done;
    - successPolicy: SuccessCriteriaMet SuccessPolicy "Matched rules at index N";
    - on a FailureTarget or SuccessCriteriaMet the active pods are deleted (counted failed, but
      for success), and Failed or Complete follows once none is terminating;
    - no more active pods than completions left, new pods held back 10 s doubling to 10 min
      after failures (per index with backoffLimitPerIndex), on the simulator's clock.
    - restartPolicy OnFailure: a failing container restarts in place (restartCount), at once the
      first time and then after the kubelet's back-off, 10 s doubling to 5 min, in
      CrashLoopBackOff meanwhile (kubelet_backoff.py; upstream: kubernetes/kubernetes
      pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff, pkg/kubelet/kubelet.go
      backOffPeriod, MaxContainerBackOff), and the restarts of the active pods count
      against backoffLimit (pastBackoffLimitOnFailure);
    - spec.suspend: the active pods are deleted, not counted failed (deleteJobPods), Suspended
      True JobSuspended; a resume sets it False JobResumed and restarts startTime, and no
      deadline runs while suspended (pastActiveDeadline).

    Injected ``failure="failed"`` (or "crashloop") fails every pod at once and the Job with
    BackoffLimitExceeded as though every retry had failed."""

    watches: ClassVar[list[tuple[str, str]]] = [("batch/v1", "Job")]

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        # kubernetes/kubernetes pkg/controller/job/job_controller.go reads an injected clock (jm.clock).
        self._clock = PassHeld()  # what a test moved the Jobs' clock on (advance)
        # job name -> the exit code of a pod of that Job when it runs (None: it keeps running)
        self.exit_codes: dict[str, Callable[[dict[str, Any]], int | None]] = {}
        self._started: dict[str, float] = {}  # job uid -> clock time of its startTime
        self._counted: dict[str, set[str]] = {}  # job uid -> the pods its status counts
        self._gone: dict[str, dict[str, dict[str, Any]]] = {}  # job uid -> pods removed uncounted
        self._failed_at: dict[str, float] = {}  # pod uid -> clock time it was first seen failed
        self._backoff: dict[str, tuple[int, float]] = {}  # job uid -> failures after a success, last
        self._made: dict[str, int] = {}  # job uid -> pods made (their names)
        self.restart_back_off = kubelet_backoff.RestartBackOff()  # the kubelets', per container
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        return self._clock.read()

    def clocks(self) -> tuple[PassHeld, ...]:
        return (*super().clocks(), self._clock)

    def now(self) -> float:
        return self._clock.monotonic()

    def advance(self, seconds: float) -> None:
        """Move the clock on, then sync every Job (a deadline or a back-off now past acts)."""
        self._clock.move(seconds)
        if self._manager is not None:
            for job in self._manager.cluster.list("batch/v1", "Job"):
                self._manager.schedule(self, job, 0.0)

    def attach(self, manager: ControllerManager) -> None:
        """Besides deletions (PodOwner): a pod of a Job that someone else turns Succeeded or
        Failed syncs the Job (job_controller.go updatePod; a Pending pod the scheduler binds
        later syncs it through rescheduling.requeue_owners), and one removed before the Job
        counted it is kept for the count."""
        super().attach(manager)

        def on_event(typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
            if rt.group != "" or rt.kind != "Pod" or ctx.origin is self:
                return
            md = obj.get("metadata") or {}
            ref = controller_of(md)
            if ref is None or ref.get("kind") != "Job":
                return
            job_uid = str(ref.get("uid"))
            if typ == "DELETED":
                with self._lock:
                    counted = self._counted.get(job_uid)
                    if counted is not None and md.get("uid") not in counted:
                        self._gone.setdefault(job_uid, {})[str(md.get("uid"))] = obj
                return
            if (obj.get("status") or {}).get("phase") in TERMINAL:
                # updatePod enqueues the Job's key: the sync is a reconcile like any other, so a
                # status write it loses to another writer requeues it (job_controller.go updatePod,
                # enqueueSyncJobBatched)
                key = {"namespace": str(md.get("namespace") or ""), "name": str(ref.get("name"))}
                manager.schedule(self, {"apiVersion": "batch/v1", "kind": "Job", "metadata": key}, self.delay)

        manager.api.listeners.append(on_event)

    def on_delete(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        uid = str(obj["metadata"].get("uid"))
        for state in (self._started, self._counted, self._backoff, self._made):
            state.pop(uid, None)
        with self._lock:
            self._gone.pop(uid, None)

    # ---- the kubelet's part ------------------------------------------------------------

    def _owned(self, cluster: ClusterState, job: dict[str, Any]) -> list[dict[str, Any]]:
        """Every pod the Job owns, terminating ones too."""
        out = []
        for bucket, key in cluster.api.store.dependents_of(job["metadata"]["uid"]):
            ns, _, name = key.partition("/")
            pod = cluster.get("v1", "Pod", ns, name) if bucket == "/pods" else None
            if pod is not None:
                out.append(pod)
        return out

    def _run_pods(self, cluster: ClusterState, job: dict[str, Any], pods: list[dict[str, Any]]) -> None:
        """Each Running pod not being deleted finishes with its exit code. Without an
        ``exit_codes`` entry every pod exits 0, but none while a pod of its Job is still Pending:
        akscli's multi-pod Job, the NCCL test, has its launcher wait for every peer."""
        exit_code = self.exit_codes.get(job["metadata"]["name"])
        if exit_code is None:
            if any(
                (p.get("status") or {}).get("phase") == "Pending" and not p["metadata"].get("deletionTimestamp")
                for p in pods
            ):
                return
            exit_code = _succeeds
        restarts = False
        for p in pods:
            st = p.get("status") or {}
            if p["metadata"].get("deletionTimestamp") or st.get("phase") != "Running":
                continue
            if kubelet_backoff.waiting(st):
                restarts |= self._after_back_off(cluster, job, p)
                continue
            code = exit_code(p)
            if code is None:
                continue
            if code != 0 and (p.get("spec") or {}).get("restartPolicy") == "OnFailure":
                # the kubelet restarts the containers in place, at once the first time, later
                # after its back-off; the pod stays Running
                restarts |= self._exited(cluster, job, p, code)
                continue
            status = pod_status(p.get("spec") or {}, None, "Succeeded" if code == 0 else "Failed")
            before = {c.get("name"): c for c in st.get("containerStatuses") or []}
            for container in status.get("containerStatuses") or []:
                terminated = container["state"]["terminated"]
                terminated["exitCode"], terminated["reason"] = code, "Completed" if code == 0 else "Error"
                old = before.get(container.get("name")) or {}
                container["restartCount"] = int(old.get("restartCount") or 0)
                if old.get("lastState"):
                    container["lastState"] = old["lastState"]
            # the kubelet's status sync, a patch from the pod as read (kubernetes/kubernetes
            # pkg/kubelet/status/status_manager.go syncPod, pkg/util/pod/pod.go PatchPodStatus)
            cluster.patch_pod_status(p, status)
        if restarts:
            self.requeue(job, self.delay)  # the restarted containers run, and exit at the next sync

    def _exited(self, cluster: ClusterState, job: dict[str, Any], pod: dict[str, Any], code: int) -> bool:
        """An OnFailure pod's containers exited with ``code``: restarted at once (True) unless
        the kubelet's back-off holds them in CrashLoopBackOff until it has passed."""
        keys, now = container_keys(pod), self.now()
        if not any(self.restart_back_off.in_back_off_since(key, now, now) for key in keys):
            for key in keys:
                self.restart_back_off.next(key, now, now)
            # lastState stamped on the kubelet's clock (upstream: kubernetes/kubernetes
            # pkg/kubelet/kuberuntime/kuberuntime_container.go toKubeContainerStatus; clock_iso).
            restart = policy.restarted(pod.get("status") or {}, code, kubelet_backoff.clock_iso(now))
            restart_logs(cluster, pod)
            cluster.patch_pod_status(pod, restart)
            return True
        wait = max(self.restart_back_off.get(key) for key in keys)
        for key in keys:
            self.restart_back_off.exited(key, now)
        cluster.patch_pod_status(pod, kubelet_backoff.crash_loop(pod, code, kubelet_backoff.clock_iso(now), wait))
        cluster.add_event(pod, "BackOff", kubelet_backoff.back_off_event(pod), "Warning")
        self.requeue(job, wait + 0.01)
        return False

    def _after_back_off(self, cluster: ClusterState, job: dict[str, Any], pod: dict[str, Any]) -> bool:
        """A pod waiting in CrashLoopBackOff: its containers start again once the back-off has
        passed on the clock (True), else the Job syncs again then."""
        keys, now = container_keys(pod), self.now()
        left = max(self.restart_back_off.remaining(key, now) for key in keys)
        if left > 0:
            self.requeue(job, left + 0.01)
            return False
        for key in keys:
            self.restart_back_off.restart(key, now)
        status = kubelet_backoff.started_again(pod.get("status") or {}, kubelet_backoff.clock_iso(now))
        restart_logs(cluster, pod)
        cluster.patch_pod_status(pod, status)
        return True

    def _fail_all(self, cluster: ClusterState, obj: dict[str, Any], pods: list[dict[str, Any]]) -> None:
        """The injected "failed" mode: every pod fails, and the Job as though all retries had."""
        md, spec = obj["metadata"], obj.get("spec") or {}
        for p in pods:
            cluster.patch_pod_status(p, pod_status(p.get("spec") or {}, None, "Failed"))
        msg = "Job has reached the specified backoff limit"
        # updateJobStatus: UpdateStatus of the Job as read; a conflict requeues it, and the pods
        # are counted only once the status that counts them is written (jobs_sync.JobSync._write)
        cluster.update_status_of(
            obj,
            {
                "active": 0,
                "ready": 0,
                "failed": int(spec.get("backoffLimit", 6)) + 1,
                "conditions": [
                    condition("FailureTarget", "True", "BackoffLimitExceeded", msg),
                    condition("Failed", "True", "BackoffLimitExceeded", msg),
                ],
            },
        )
        self._counted.setdefault(md["uid"], set()).update(p["metadata"]["uid"] for p in pods)
        cluster.add_event(obj, "BackoffLimitExceeded", msg, "Warning")

    # ---- syncJob -----------------------------------------------------------------------

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        spec = obj.get("spec") or {}
        st = obj.get("status") or {}
        if any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True" for c in job_conditions(st)):
            return
        pods = self._owned(cluster, obj)
        if st.get("startTime") and not spec.get("suspend"):
            running = [p for p in pods if (p.get("status") or {}).get("phase") != "Pending"]
            target = any(c.get("type") == "FailureTarget" for c in job_conditions(st))
            if self.failure in ("failed", "crashloop") and not target and running and len(running) == len(pods):
                self._fail_all(cluster, obj, pods)
                return
            self._run_pods(cluster, obj, pods)
            pods = self._owned(cluster, obj)
        JobSync(self, cluster, obj, pods).run()


def _succeeds(pod: dict[str, Any]) -> int:
    del pod
    return 0


def restart_logs(cluster: ClusterState, pod: dict[str, Any]) -> None:
    """The pod's containers start again in place: each one's log so far becomes its previous
    instance's (what ``kubectl logs --previous`` reads; upstream: kubernetes/kubernetes
    pkg/kubelet/kubelet_pods.go validateContainerLogStatus, the last terminated instance's log)."""
    md = pod["metadata"]
    for c in (pod.get("spec") or {}).get("containers") or []:
        cluster.api.restart_logs(md["namespace"], md["name"], str(c.get("name")))
