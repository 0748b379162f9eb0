"""The Job controller's simulator (moved out of builtin.py): its pods, Indexed ones with their
completion index, and the status it writes. The pods themselves are in pods.py."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.pods import PodOwner, pod_status, template_hash
from tests.emulators.kube.controllers.rollout import condition
from tests.emulators.kube.controllers.scheduling import Scheduler


class JobController(PodOwner):
    """Two steps: pods start (status.active), then after ``delay`` the job completes or,
    with failure="failed", fails with BackoffLimitExceeded."""

    watches: ClassVar[list[tuple[str, str]]] = [("batch/v1", "Job")]

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
            if self.failure not in ("unschedulable", "imagepull") and not pending:
                self.requeue(obj, self.delay)
            return
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
