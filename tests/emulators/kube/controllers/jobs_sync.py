"""One syncJob of one Job in the kube emulator's Job controller (jobs.py runs it on each
reconcile): the finished pods counted once, the pod failure policy, backoffLimit and
backoffLimitPerIndex, activeDeadlineSeconds, the success policy, suspend, the pods made (Indexed
ones with their completion index) and the status written (upstream: kubernetes/kubernetes 6ae037f1
pkg/controller/job/job_controller.go syncJob and what it calls). The rules are in jobs_policy.py."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.controllers import jobs_policy as policy
from tests.emulators.kube.controllers.jobs_policy import COMPLETION_INDEX, completion_index
from tests.emulators.kube.controllers.pods import template_hash
from tests.emulators.kube.controllers.rollout import condition
from tests.emulators.kube.controllers.scheduling import Scheduler
from tests.emulators.kube.status import ApiError

if TYPE_CHECKING:
    from tests.emulators.kube.cluster import ClusterState
    from tests.emulators.kube.controllers.jobs import JobController

TERMINAL = ("Succeeded", "Failed")
COMPLETE_MESSAGE = "Reached expected number of succeeded pods"


def job_conditions(status: dict[str, Any]) -> list[dict[str, Any]]:
    return list(status.get("conditions") or [])


class JobSync:
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
            self._gone_before = dict(jc._gone.get(self.uid, {}))
        self.counted = jc._counted.setdefault(self.uid, set())
        # what this sync changes in memory, undone where its status write meets a conflict
        self._before = (set(self.counted), jc._backoff.get(self.uid), jc._started.get(self.uid))
        self._dropped: set[str] = set()  # pods this sync deleted that no count takes in
        self._ended: list[dict[str, Any]] = []  # pods this sync deleted and counted failed

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
                self._dropped.add(p["metadata"]["uid"])
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
            self._write(status)
        if any((p.get("status") or {}).get("phase") == "Running" for p in made):
            jc.requeue(self.job, jc.delay)  # the new pods run, and finish at the next sync

    def _write(self, status: dict[str, Any]) -> None:
        """updateJobStatus: UpdateStatus of the Job as this sync read it. A 409 Conflict (another
        writer came between) ends the sync with an error, which requeues the Job, and the next
        sync counts again from the pods and the status it reads then; so what this sync counted
        in memory is undone first, and a pod it deleted and counted failed is remembered as gone
        (upstream: kubernetes/kubernetes pkg/controller/job/job_controller.go updateJobStatus,
        trackJobStatusAndRemoveFinalizers returns its error, processNextWorkItem AddRateLimited;
        the tracking finalizer keeps such a pod counted until its status is written)."""
        try:
            self.cluster.update_status_of(self.job, status)
        except ApiError as exc:
            if exc.reason == "Conflict":
                self._undo()
            raise

    def _undo(self) -> None:
        jc, (counted, backoff, started) = self.jc, self._before
        self.counted.clear()
        self.counted.update(counted | self._dropped)
        jc._backoff.pop(self.uid, None)
        jc._started.pop(self.uid, None)
        if backoff is not None:
            jc._backoff[self.uid] = backoff
        if started is not None:
            jc._started[self.uid] = started
        with jc._lock:
            gone = jc._gone.setdefault(self.uid, {})
            gone.update(self._gone_before)
            for p in self._ended:
                if self.cluster.get("v1", "Pod", self.ns, p["metadata"]["name"]) is None:
                    gone[str(p["metadata"]["uid"])] = p

    def _suspended_condition(self, status: dict[str, Any]) -> None:
        """Suspended True (JobSuspended) while spec.suspend is set; False (JobResumed) once it is
        not, never added False; a resume restarts startTime, so activeDeadlineSeconds counts
        from it (syncJob after manageJob, ensureJobConditionStatus)."""
        if self.suspended:
            want = ("True", "JobSuspended", "Job suspended", "Suspended")
        else:
            want = ("False", "JobResumed", "Job resumed", "Resumed")
        conditions = job_conditions(self.st)
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
        for c in job_conditions(self.st):
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
                self._ended.append(p)
            else:
                self._dropped.add(p["metadata"]["uid"])
            self.counted.add(p["metadata"]["uid"])
        conditions = job_conditions(self.st)
        if not any(c.get("type") == finished["type"] for c in conditions):
            conditions.append(finished)
        status.update(self._counts([]))
        if status["terminating"] == 0:
            final = "Complete" if success else "Failed"
            conditions.append(condition(final, "True", str(finished.get("reason")), str(finished.get("message"))))
            if success:
                status["completionTime"] = now_iso()
        status["conditions"] = conditions
        self._write(status)
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
