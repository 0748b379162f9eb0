"""The Job controller's simulator (moved out of builtin.py): its pods, in waves of parallelism
until completions succeed, Indexed ones with their completion index, the pod failure policy,
backoffLimitPerIndex, the success policy, and the status it writes. The rules themselves are in
jobs_policy.py; the pods' status in pods.py."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers import jobs_policy as policy
from tests.emulators.kube.controllers.jobs_policy import COMPLETION_INDEX, completion_index
from tests.emulators.kube.controllers.pods import PodOwner, controller_of, pod_status, template_hash
from tests.emulators.kube.controllers.rollout import condition
from tests.emulators.kube.controllers.scheduling import Scheduler

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver_common import Ctx
    from tests.emulators.kube.controllers.runner import ControllerManager
    from tests.emulators.kube.resources import ResourceType

TERMINAL = ("Succeeded", "Failed")
COMPLETE_MESSAGE = "Reached expected number of succeeded pods"


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
    - restartPolicy OnFailure: a failing container restarts in place (restartCount), and the
      restarts of the active pods count against backoffLimit (pastBackoffLimitOnFailure);
    - spec.suspend: the active pods are deleted, not counted failed (deleteJobPods), Suspended
      True JobSuspended; a resume sets it False JobResumed and restarts startTime, and no
      deadline runs while suspended (pastActiveDeadline).

    Injected ``failure="failed"`` (or "crashloop") fails every pod at once and the Job with
    BackoffLimitExceeded as though every retry had failed."""

    watches: ClassVar[list[tuple[str, str]]] = [("batch/v1", "Job")]

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.offset = 0.0
        # job name -> the exit code of a pod of that Job when it runs (None: it keeps running)
        self.exit_codes: dict[str, Callable[[dict[str, Any]], int | None]] = {}
        self._started: dict[str, float] = {}  # job uid -> clock time of its startTime
        self._counted: dict[str, set[str]] = {}  # job uid -> the pods its status counts
        self._gone: dict[str, dict[str, dict[str, Any]]] = {}  # job uid -> pods removed uncounted
        self._failed_at: dict[str, float] = {}  # pod uid -> clock time it was first seen failed
        self._backoff: dict[str, tuple[int, float]] = {}  # job uid -> failures after a success, last
        self._made: dict[str, int] = {}  # job uid -> pods made (their names)
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock on, then sync every Job (a deadline or a back-off now past acts)."""
        self.offset += seconds
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
                namespace = str(md.get("namespace") or "")
                manager.call_later(self, lambda cluster: self._resync_owner(cluster, namespace, ref), self.delay)

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
            code = exit_code(p)
            if code is None:
                continue
            if code != 0 and (p.get("spec") or {}).get("restartPolicy") == "OnFailure":
                # the kubelet restarts the containers in place; the pod stays Running
                restart = policy.restarted(st, code, now_iso())
                cluster.patch_status("v1", "Pod", p["metadata"]["namespace"], p["metadata"]["name"], restart)
                restarts = True
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
            cluster.patch_status("v1", "Pod", p["metadata"]["namespace"], p["metadata"]["name"], status)
        if restarts:
            self.requeue(job, self.delay)  # the restarted containers run, and exit at the next sync

    def _fail_all(self, cluster: ClusterState, obj: dict[str, Any], pods: list[dict[str, Any]]) -> None:
        """The injected "failed" mode: every pod fails, and the Job as though all retries had."""
        md, spec = obj["metadata"], obj.get("spec") or {}
        for p in pods:
            cluster.patch_status(
                "v1", "Pod", md["namespace"], p["metadata"]["name"], pod_status(p.get("spec") or {}, None, "Failed")
            )
            self._counted.setdefault(md["uid"], set()).add(p["metadata"]["uid"])
        msg = "Job has reached the specified backoff limit"
        cluster.patch_status(
            "batch/v1",
            "Job",
            md["namespace"],
            md["name"],
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
        cluster.add_event(obj, "BackoffLimitExceeded", msg, "Warning")

    # ---- syncJob -----------------------------------------------------------------------

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        spec = obj.get("spec") or {}
        st = obj.get("status") or {}
        if any(c.get("type") in ("Complete", "Failed") and c.get("status") == "True" for c in _conds(st)):
            return
        pods = self._owned(cluster, obj)
        if st.get("startTime") and not spec.get("suspend"):
            running = [p for p in pods if (p.get("status") or {}).get("phase") != "Pending"]
            target = any(c.get("type") == "FailureTarget" for c in _conds(st))
            if self.failure in ("failed", "crashloop") and not target and running and len(running) == len(pods):
                self._fail_all(cluster, obj, pods)
                return
            self._run_pods(cluster, obj, pods)
            pods = self._owned(cluster, obj)
        _Sync(self, cluster, obj, pods).run()


def _succeeds(pod: dict[str, Any]) -> int:
    del pod
    return 0


def _conds(status: dict[str, Any]) -> list[dict[str, Any]]:
    return list(status.get("conditions") or [])


class _Sync:
    """One syncJob of one Job (upstream: job_controller.go syncJob and what it calls)."""

    def __init__(
        self, jc: JobController, cluster: ClusterState, job: dict[str, Any], pods: list[dict[str, Any]]
    ) -> None:
        self.jc, self.cluster, self.job, self.pods = jc, cluster, job, pods
        md, self.spec, self.st = job["metadata"], job.get("spec") or {}, job.get("status") or {}
        self.uid, self.ns, self.name = str(md["uid"]), str(md["namespace"]), str(md["name"])
        self.indexed = self.spec.get("completionMode") == "Indexed"
        self.suspended = bool(self.spec.get("suspend"))
        completions = self.spec.get("completions")
        self.completions = int(completions) if completions is not None else None
        self.parallelism = int(self.spec.get("parallelism", 1))
        self.policy = self.spec.get("podFailurePolicy")
        self.per_index = self.spec.get("backoffLimitPerIndex")
        # SetDefaults_Job: Failed with a podFailurePolicy, else TerminatingOrFailed
        default_replacement = "Failed" if self.policy else "TerminatingOrFailed"
        self.failed_only = self.spec.get("podReplacementPolicy", default_replacement) == "Failed"
        with jc._lock:
            self.gone = list(jc._gone.get(self.uid, {}).values())
        self.counted = jc._counted.setdefault(self.uid, set())

    # pods --------------------------------------------------------------------------------

    def _valid(self, p: dict[str, Any]) -> bool:
        if not self.indexed:
            return True
        ix = completion_index(p)
        return ix is not None and ix < int(self.completions or 0)

    def _failed(self, p: dict[str, Any], gone: bool) -> bool:
        """isPodFailed: phase Failed; a pod deleted (or gone) and not Succeeded counts too, unless
        only failed pods are replaced (then the kubelet's Failed phase is waited for)."""
        phase = (p.get("status") or {}).get("phase")
        if phase == "Failed" or (gone and phase != "Succeeded"):
            return True
        return not self.failed_only and bool(p["metadata"].get("deletionTimestamp")) and phase != "Succeeded"

    def run(self) -> None:
        jc, now = self.jc, self.jc.now()
        alive = [p for p in self.pods if not p["metadata"].get("deletionTimestamp")]
        active = [p for p in alive if (p.get("status") or {}).get("phase") not in TERMINAL]
        candidates = [(p, False) for p in self.pods] + [(p, True) for p in self.gone]
        failed_pods = [p for p, gone in candidates if self._failed(p, gone) and self._valid(p)]
        for p in failed_pods:
            jc._failed_at.setdefault(p["metadata"]["uid"], now)
        new_failed = [p for p in failed_pods if p["metadata"]["uid"] not in self.counted]
        succeeded_pods = [p for p, _ in candidates if (p.get("status") or {}).get("phase") == "Succeeded"]
        succeeded_pods = [p for p in succeeded_pods if self._valid(p)]
        new_succeeded = [p for p in succeeded_pods if p["metadata"]["uid"] not in self.counted]
        failed = int(self.st.get("failed") or 0)
        failed += sum(1 for p in new_failed if policy.match_pod_failure_policy(self.policy, p)[1])
        succeeded_ix: set[int] = set()
        if self.indexed:
            succeeded_ix = policy.parse_indexes(self.st.get("completedIndexes"), int(self.completions or 0))
            succeeded_ix |= {ix for p in succeeded_pods if (ix := completion_index(p)) is not None}
            succeeded = len(succeeded_ix)
        else:
            succeeded = int(self.st.get("succeeded") or 0) + len(new_succeeded)
        # backoff_utils.go newBackoffRecord: a success resets the failures in a row
        streak, last = jc._backoff.get(self.uid, (0, now))
        if new_succeeded:
            streak = 0
        elif new_failed:
            streak, last = streak + len(new_failed), now
        jc._backoff[self.uid] = (streak, last)
        self.counted.update(p["metadata"]["uid"] for p in [*new_failed, *new_succeeded])
        with jc._lock:
            for p in self.gone:
                jc._gone.get(self.uid, {}).pop(p["metadata"]["uid"], None)

        finished = self._finished(failed, failed_pods, active)
        failed_ix = None
        if self.indexed and self.per_index is not None:
            failed_ix = policy.parse_indexes(self.st.get("failedIndexes"), int(self.completions or 0))
            failed_ix |= {ix for p in failed_pods if self._index_failed(p) and (ix := completion_index(p)) is not None}
            most = self.spec.get("maxFailedIndexes")
            if finished is None and most is not None and len(failed_ix) > int(most):
                message = "Job has exceeded the specified maximal number of failed indexes"
                finished = condition("FailureTarget", "True", "MaxFailedIndexesExceeded", message)
            elif finished is None and failed_ix and len(failed_ix) + len(succeeded_ix) >= int(self.completions or 0):
                finished = condition("FailureTarget", "True", "FailedIndexes", "Job has failed indexes")
        if self.indexed and finished is None:
            met = policy.match_success_policy(self.spec.get("successPolicy"), int(self.completions or 0), succeeded_ix)
            if met is not None:
                finished = condition("SuccessCriteriaMet", "True", "SuccessPolicy", met)

        status: dict[str, Any] = {"failed": failed, "succeeded": succeeded}
        if not self.st.get("startTime") and not self.suspended:
            status["startTime"] = now_iso()
            jc._started[self.uid] = now
        if self.indexed:
            status["completedIndexes"] = policy.format_indexes(succeeded_ix) or None
            if failed_ix is not None:
                status["failedIndexes"] = policy.format_indexes(failed_ix)
        if finished is not None:
            self._finish(finished, active, status)
            return
        made = []
        managed = not self.job["metadata"].get("deletionTimestamp")  # syncJob: no manageJob while deleted
        if managed and self.suspended:
            # manageJob: a suspended Job's active pods are deleted, their tracking finalizer
            # removed first, so they are never counted failed (deleteJobPods)
            for p in active:
                self.cluster.delete("v1", "Pod", self.ns, p["metadata"]["name"])
                self.counted.add(p["metadata"]["uid"])
            active = []
        elif managed:
            made = self._manage(active, succeeded, succeeded_ix, failed_ix or set(), failed_pods)
        active_now = [*active, *made]
        if self.completions is None:
            complete = succeeded > 0 and not active_now
        else:
            complete = succeeded >= self.completions and not active_now
        status.update(self._counts(active_now))
        if complete:
            self._finish(condition("SuccessCriteriaMet", "True", "CompletionsReached", COMPLETE_MESSAGE), [], status)
            return
        if managed:
            self._suspended_condition(status)
        if any(self.st.get(key) != value for key, value in status.items()):  # needsStatusUpdate
            self.cluster.patch_status("batch/v1", "Job", self.ns, self.name, status)
        if any((p.get("status") or {}).get("phase") == "Running" for p in made):
            jc.requeue(self.job, jc.delay)  # the new pods run, and finish at the next sync

    def _suspended_condition(self, status: dict[str, Any]) -> None:
        """Suspended True (JobSuspended) while spec.suspend is set; False (JobResumed) once it is
        not, never added False; a resume restarts startTime, so activeDeadlineSeconds counts
        from it (syncJob after manageJob, ensureJobConditionStatus)."""
        if self.suspended:
            want = ("True", "JobSuspended", "Job suspended", "Suspended")
        else:
            want = ("False", "JobResumed", "Job resumed", "Resumed")
        conditions = _conds(self.st)
        found = next((c for c in conditions if c.get("type") == "Suspended"), None)
        if found is None and not self.suspended:
            return
        if found is not None and (found.get("status"), found.get("reason"), found.get("message")) == want[:3]:
            return
        new = condition("Suspended", want[0], want[1], want[2])
        status["conditions"] = [new if c is found else c for c in conditions] if found else [*conditions, new]
        self.cluster.add_event(self.job, want[3], want[2])
        if not self.suspended:
            status["startTime"] = now_iso()
            self.jc._started[self.uid] = self.jc.now()

    def _counts(self, active: list[dict[str, Any]]) -> dict[str, int]:
        ready = sum(1 for p in active if self.jc._ready(p))
        terminating = [
            p
            for p in self.jc._owned(self.cluster, self.job)
            if p["metadata"].get("deletionTimestamp") and (p.get("status") or {}).get("phase") not in TERMINAL
        ]
        return {"active": len(active), "ready": ready, "terminating": len(terminating)}

    def _index_failed(self, p: dict[str, Any]) -> bool:
        """isIndexFailed: FailIndex, or a counted failure whose index failure count reached
        backoffLimitPerIndex (indexed_job_utils.go)."""
        _, counts, action = policy.match_pod_failure_policy(self.policy, p)
        if action == "FailIndex":
            return True
        return counts and policy.failure_counts(p)[0] >= int(self.per_index or 0)

    def _finished(
        self, failed: int, failed_pods: list[dict[str, Any]], active: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """The condition that ends the Job, if any (syncJob's finishedCondition)."""
        for c in _conds(self.st):
            if c.get("type") in ("SuccessCriteriaMet", "FailureTarget") and c.get("status") == "True":
                return c
        for p in failed_pods:
            message, _, _ = policy.match_pod_failure_policy(self.policy, p)
            if message is not None:
                return condition("FailureTarget", "True", "PodFailurePolicy", message)
        default_limit = 2**31 - 1 if self.per_index is not None else 6
        limit = int(self.spec.get("backoffLimit", default_limit))
        if failed > limit or policy.past_backoff_limit_on_failure(self.job, active):
            return condition(
                "FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"
            )
        deadline = self.spec.get("activeDeadlineSeconds")
        if deadline is not None and not self.suspended:  # pastActiveDeadline: never while suspended
            started = self.jc._started.setdefault(self.uid, self.jc.now())
            left = started + int(deadline) - self.jc.now()
            if left <= 0:
                return condition(
                    "FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline"
                )
            self.jc.requeue(self.job, left + 0.01)
        return None

    def _finish(self, finished: dict[str, Any], active: list[dict[str, Any]], status: dict[str, Any]) -> None:
        """Delete the active pods (every one counted failed but for a success), write the
        interim condition, and the terminal one once no pod is terminating (enactJobFinished;
        recordJobFinished's event)."""
        success = finished["type"] == "SuccessCriteriaMet"
        for p in active:
            self.cluster.delete("v1", "Pod", self.ns, p["metadata"]["name"])
            if p["metadata"]["uid"] not in self.counted and not success:
                status["failed"] += 1
            self.counted.add(p["metadata"]["uid"])
        conditions = _conds(self.st)
        if not any(c.get("type") == finished["type"] for c in conditions):
            conditions.append(finished)
        status.update(self._counts([]))
        if status["terminating"] == 0:
            final = "Complete" if success else "Failed"
            conditions.append(condition(final, "True", str(finished.get("reason")), str(finished.get("message"))))
            if success:
                status["completionTime"] = now_iso()
        status["conditions"] = conditions
        self.cluster.patch_status("batch/v1", "Job", self.ns, self.name, status)
        if status["terminating"] == 0:
            if success:
                self.cluster.add_event(self.job, "Completed", "Job completed")
            else:
                self.cluster.add_event(self.job, str(finished.get("reason")), str(finished.get("message")), "Warning")

    # manageJob ---------------------------------------------------------------------------

    def _manage(
        self,
        active: list[dict[str, Any]],
        succeeded: int,
        succeeded_ix: set[int],
        failed_ix: set[int],
        failed_pods: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """New pods up to wantActive: parallelism, no more than the completions left; held back
        while a failure back-off runs (manageJob, getPodCreationInfoForIndependentIndexes)."""
        jc = self.jc
        if self.completions is None:
            want = len(active) if succeeded > 0 else self.parallelism
        else:
            want = max(0, min(self.completions - succeeded, self.parallelism))
        if len(active) > want:
            for p in active[want:]:
                self.cluster.delete("v1", "Pod", self.ns, p["metadata"]["name"])
                self.counted.add(p["metadata"]["uid"])
            del active[want:]
            return []
        terminating = [
            p
            for p in self.pods
            if p["metadata"].get("deletionTimestamp") and (p.get("status") or {}).get("phase") not in TERMINAL
        ]
        diff = want - (len(terminating) if self.failed_only else 0) - len(active)
        if diff <= 0:
            return []
        if self.per_index is None:
            streak, last = jc._backoff.get(self.uid, (0, jc.now()))
            left = policy.backoff_left(streak, jc.now() - last)
            if left > 0:
                jc.requeue(self.job, left + 0.01)
                return []
        slots: list[tuple[int | None, dict[str, Any] | None]] = [(None, None)] * diff
        if self.indexed:
            busy = succeeded_ix | failed_ix | {ix for p in active if (ix := completion_index(p)) is not None}
            if self.failed_only:
                busy |= {ix for p in terminating if (ix := completion_index(p)) is not None}
            pending = [ix for ix in range(int(self.completions or 0)) if ix not in busy][:diff]
            last_failed = self._last_failed_per_index(failed_pods, busy)
            slots = [(ix, last_failed.get(ix)) for ix in pending]
            if self.per_index is not None:
                waits = {ix: self._index_backoff(replaced) for ix, replaced in slots}
                ready = [(ix, replaced) for ix, replaced in slots if waits[ix] <= 0]
                if slots and not ready:
                    jc.requeue(self.job, min(waits.values()) + 0.01)
                slots = ready
        return [self._make(ix, replaced) for ix, replaced in slots]

    def _last_failed_per_index(self, failed_pods: list[dict[str, Any]], busy: set[int]) -> dict[int, dict[str, Any]]:
        """The failed pod each pending index's replacement takes its counts from: the one with
        the highest count (getPodsWithDelayedDeletionPerIndex)."""
        out: dict[int, dict[str, Any]] = {}
        for p in failed_pods:
            ix = completion_index(p)
            if ix is None or ix in busy:
                continue
            if ix not in out or sum(policy.failure_counts(out[ix])) <= sum(policy.failure_counts(p)):
                out[ix] = p
        return out

    def _index_backoff(self, replaced: dict[str, Any] | None) -> float:
        """getRemainingTimePerIndex: the replaced pod's absolute failure count plus one."""
        if replaced is None:
            return 0.0
        failed_at = self.jc._failed_at.get(replaced["metadata"]["uid"], self.jc.now())
        return policy.backoff_left(sum(policy.failure_counts(replaced)) + 1, self.jc.now() - failed_at)

    def _make(self, index: int | None, replaced: dict[str, Any] | None) -> dict[str, Any]:
        jc, md = self.jc, self.job["metadata"]
        template = self.spec.get("template") or {}
        labels = {
            **((template.get("metadata") or {}).get("labels") or {}),
            "batch.kubernetes.io/job-name": self.name,
            "job-name": self.name,
            "batch.kubernetes.io/controller-uid": self.uid,
        }
        n = jc._made.get(self.uid, 0)
        jc._made[self.uid] = n + 1
        seed: dict[str, Any] = {"i": n, "u": self.uid}
        name = f"{self.name}-"
        if index is not None:
            template, labels = indexed_pod_template(self.name, template, labels, index)
            name, seed = f"{self.name}-{index}-", {"i": index, "u": self.uid, **({"n": n} if replaced else {})}
            if self.per_index is not None:
                failures, ignored = policy.replacement_counts(self.policy, replaced)
                annotations = template["metadata"]["annotations"]
                annotations[policy.INDEX_FAILURE_COUNT] = str(failures)
                if ignored:
                    annotations[policy.INDEX_IGNORED_FAILURE_COUNT] = str(ignored)
        spec = template.get("spec") or {}
        placement = Scheduler(self.cluster).place(spec, md["uid"], {"namespace": self.ns, "labels": labels})
        return jc._make_pod(self.cluster, self.job, f"{name}{template_hash(seed)[:5]}", template, labels, placement)


def indexed_pod_template(
    job: str, template: dict[str, Any], labels: dict[str, str], index: int
) -> tuple[dict[str, Any], dict[str, str]]:
    """An Indexed Job's pod for ``index``: the completion index as annotation and label,
    JOB_COMPLETION_INDEX in every container's env (from the label), hostname JOB-INDEX, and the
    name JOB-INDEX-<random> (upstream: kubernetes/kubernetes pkg/controller/job/job_controller.go
    manageJob; indexed_job_utils.go addCompletionIndexAnnotation, addCompletionIndexLabel,
    addCompletionIndexEnvVariables, podGenerateNameWithIndex)."""
    tpl = copy.deepcopy(template)
    meta = tpl.setdefault("metadata", {})
    meta["annotations"] = {**(meta.get("annotations") or {}), COMPLETION_INDEX: str(index)}
    spec = tpl.setdefault("spec", {})
    spec["hostname"] = f"{job}-{index}"
    field = {"fieldRef": {"fieldPath": f"metadata.labels['{COMPLETION_INDEX}']"}}
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        env = container.setdefault("env", [])
        if not any(e.get("name") == "JOB_COMPLETION_INDEX" for e in env):
            env.append({"name": "JOB_COMPLETION_INDEX", "valueFrom": field})
    return tpl, {**labels, COMPLETION_INDEX: str(index)}
