"""The Job controller's simulator (moved out of builtin.py): its pods, Indexed ones with their
completion index, and the status it writes. The pods themselves are in pods.py."""

from __future__ import annotations

import copy
import time
from typing import Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.pods import PodOwner, pod_status, template_hash
from tests.emulators.kube.controllers.rollout import condition
from tests.emulators.kube.controllers.scheduling import Scheduler


class JobController(PodOwner):
    """Two steps: pods start (status.active), then after ``delay`` the job completes or,
    with failure="failed", fails with BackoffLimitExceeded. A pod still Pending keeps the Job
    active.

    activeDeadlineSeconds, on the simulator's clock (``advance``): past it the Job gets
    FailureTarget DeadlineExceeded "Job was active longer than specified deadline", its active
    pods are deleted (counted failed, terminating while they stop), and Failed follows once none
    is terminating (upstream: kubernetes/kubernetes 6ae037f1 pkg/controller/job/job_controller.go
    syncJob pastActiveDeadline, newFailureCondition, deleteActivePods,
    trackJobStatusAndRemoveFinalizers, enactJobFinished: "there are still terminating pod(s)";
    recordJobFinished's Warning event with the condition's reason and message; the sync is
    queued again when the deadline is due, queue.AddAfter)."""

    watches: ClassVar[list[tuple[str, str]]] = [("batch/v1", "Job")]

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.offset = 0.0
        self._started: dict[str, float] = {}  # job uid -> clock time of its startTime

    def now(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock on, then sync every Job (a deadline now past fails it)."""
        self.offset += seconds
        if self._manager is not None:
            for job in self._manager.cluster.list("batch/v1", "Job"):
                self._manager.schedule(self, job, 0.0)

    def on_delete(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        self._started.pop(str(obj["metadata"].get("uid")), None)

    def _terminating(self, cluster: ClusterState, job: dict[str, Any]) -> int:
        count = 0
        for bucket, key in cluster.api.store.dependents_of(job["metadata"]["uid"]):
            ns, _, name = key.partition("/")
            pod = cluster.get("v1", "Pod", ns, name) if bucket == "/pods" else None
            count += bool(pod is not None and pod["metadata"].get("deletionTimestamp"))
        return count

    def _finish_failed(self, cluster: ClusterState, obj: dict[str, Any], target: dict[str, Any]) -> None:
        """Failed, with FailureTarget's reason and message, once no pod is terminating."""
        md = obj["metadata"]
        terminating = self._terminating(cluster, obj)
        st = obj.get("status") or {}
        if terminating:
            if st.get("terminating") != terminating:
                cluster.patch_status("batch/v1", "Job", md["namespace"], md["name"], {"terminating": terminating})
            return  # a pod's deletion syncs the Job again (PodOwner.attach)
        reason, message = str(target.get("reason") or ""), str(target.get("message") or "")
        conditions = [*(st.get("conditions") or []), condition("Failed", "True", reason, message)]
        cluster.patch_status(
            "batch/v1", "Job", md["namespace"], md["name"], {"terminating": 0, "conditions": conditions}
        )
        cluster.add_event(obj, reason, message, "Warning")

    def _deadline_exceeded(self, cluster: ClusterState, obj: dict[str, Any], pods: list[dict[str, Any]]) -> None:
        md = obj["metadata"]
        st = obj.get("status") or {}
        for p in pods:
            cluster.delete("v1", "Pod", md["namespace"], p["metadata"]["name"])
        target = condition("FailureTarget", "True", "DeadlineExceeded", "Job was active longer than specified deadline")
        cluster.patch_status(
            "batch/v1",
            "Job",
            md["namespace"],
            md["name"],
            {
                "active": 0,
                "ready": 0,
                "failed": int(st.get("failed") or 0) + len(pods),
                "terminating": self._terminating(cluster, obj),
                "conditions": [*(st.get("conditions") or []), target],
            },
        )
        self._finish_failed(cluster, cluster.get("batch/v1", "Job", md["namespace"], md["name"]) or obj, target)

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        md = obj["metadata"]
        ns = md["namespace"]
        spec = obj.get("spec") or {}
        st = obj.get("status") or {}
        if spec.get("suspend"):
            return
        if any(
            c.get("type") in ("Complete", "Failed") and c.get("status") == "True" for c in st.get("conditions") or []
        ):
            return
        target = next(
            (c for c in st.get("conditions") or [] if c.get("type") == "FailureTarget" and c.get("status") == "True"),
            None,
        )
        if target is not None:
            self._finish_failed(cluster, obj, target)
            return
        deadline = spec.get("activeDeadlineSeconds")
        template = spec.get("template") or {}
        parallelism = int(spec.get("parallelism", 1))
        completions = int(spec.get("completions") or parallelism)
        indexed = spec.get("completionMode") == "Indexed"
        # manageJob: no more active pods than the completions left (wantActive)
        active = min(parallelism, int(spec["completions"])) if spec.get("completions") else parallelism
        labels = {
            **((template.get("metadata") or {}).get("labels") or {}),
            "batch.kubernetes.io/job-name": md["name"],
            "job-name": md["name"],
            "batch.kubernetes.io/controller-uid": md["uid"],
        }
        pods = self._pods(cluster, obj)
        scheduler = Scheduler(cluster)
        if not st.get("startTime"):
            created = []
            for i in range(active):
                pod_template, pod_labels, name = template, labels, f"{md['name']}-"
                if indexed:
                    pod_template, pod_labels = indexed_pod_template(md["name"], template, labels, i)
                    name = f"{md['name']}-{i}-"
                made = self._make_pod(
                    cluster,
                    obj,
                    f"{name}{template_hash({'i': i, 'u': md['uid']})[:5]}",
                    pod_template,
                    pod_labels,
                    scheduler.place(pod_template.get("spec") or {}, md["uid"], {"namespace": ns, "labels": pod_labels}),
                )
                created.append(made)
            # A pod the scheduler could not place keeps the Job active and not ready, for good.
            pending = any((p.get("status") or {}).get("phase") == "Pending" for p in created)
            cluster.patch_status(
                "batch/v1",
                "Job",
                ns,
                md["name"],
                {
                    "startTime": now_iso(),
                    "active": active,
                    "ready": 0 if self.failure or pending else active,
                    "terminating": 0,
                },
            )
            self._started[md["uid"]] = self.now()
            if self.failure not in ("unschedulable", "imagepull") and not pending:
                self.requeue(obj, self.delay)
            elif deadline is not None:
                self.requeue(obj, int(deadline) + 0.01)
            return
        started = self._started.setdefault(md["uid"], self.now())
        if deadline is not None and self.now() - started >= int(deadline):
            self._deadline_exceeded(cluster, obj, pods)
            return
        if any((p.get("status") or {}).get("phase") == "Pending" for p in pods):
            if deadline is not None:
                self.requeue(obj, started + int(deadline) - self.now() + 0.01)
            return  # a pod not started yet keeps the Job active
        t = now_iso()
        failed = self.failure in ("failed", "crashloop")
        for p in pods:
            phase = "Failed" if failed else "Succeeded"
            cluster.patch_status("v1", "Pod", ns, p["metadata"]["name"], pod_status(p.get("spec") or {}, None, phase))
        if failed:
            limit = int(spec.get("backoffLimit", 6))
            msg = "Job has reached the specified backoff limit"
            cluster.patch_status(
                "batch/v1",
                "Job",
                ns,
                md["name"],
                {
                    "active": 0,
                    "ready": 0,
                    "failed": limit + 1,
                    "conditions": [
                        condition("FailureTarget", "True", "BackoffLimitExceeded", msg),
                        condition("Failed", "True", "BackoffLimitExceeded", msg),
                    ],
                },
            )
            cluster.add_event(obj, "BackoffLimitExceeded", msg, "Warning")
            return
        cluster.patch_status(
            "batch/v1",
            "Job",
            ns,
            md["name"],
            {
                "active": 0,
                "ready": 0,
                "succeeded": completions,
                "completionTime": t,
                **({"completedIndexes": completed_indexes(completions)} if indexed else {}),
                "conditions": [
                    condition(
                        "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods"
                    ),
                    condition("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
                ],
            },
        )


# upstream: kubernetes/kubernetes pkg/controller/job/indexed_job_utils.go (the annotation and,
# with PodIndexLabel, GA in 1.32, the label of the same name)
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"


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


def completed_indexes(completions: int) -> str:
    """status.completedIndexes once indexes 0..completions-1 succeeded, as orderedIntervals.String
    writes it ("0", "0,1", "0-2"; upstream: kubernetes/kubernetes pkg/controller/job/
    indexed_job_utils.go)."""
    if completions <= 1:
        return "0" if completions == 1 else ""
    return "0,1" if completions == 2 else f"0-{completions - 1}"
