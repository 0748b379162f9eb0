"""The RayJob's submitter and clocks in the KubeRay simulator (part of job.py's JobReconciler):
the submitter pod K8sJobMode runs (``ray job submit`` against the head's dashboard), the
activeDeadlineSeconds deadline, and the job status checks that time out (upstream:
ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go)."""

from __future__ import annotations

import copy
import time
from datetime import datetime
from typing import Any

from tests.emulators.kube.controllers.kuberay import submitter_log
from tests.emulators.kube.controllers.kuberay.common import now, random_suffix

# dashboard_url: ray-project/kuberay utils/util.go FetchHeadServiceURL (the port named dashboard).
from tests.emulators.kube.controllers.kuberay.services import dashboard_url

SUBMITTER_CONTAINER = "ray-job-submitter"


def submitter_pod(cluster: Any, job: dict[str, Any], rc_name: str, job_id: str) -> str:
    # The submitter is created as a bare pod labelled like a batch Job's pod, not as a batch
    # Job, so that the emulator's own Job controller does not run it a second time.
    ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
    # The submitter Job's pod: generateName <job>- (kubernetes/apimachinery
    # pkg/storage/names/generate.go), a new name for each attempt.
    pod_name = f"{name}-{random_suffix()}"
    # common/job.go BuildJobSubmitCommand (K8sJobMode): "http://" + status.dashboardURL.
    address = f"http://{dashboard_url(cluster, ns, rc_name)}"
    template = copy.deepcopy((job.get("spec") or {}).get("submitterPodTemplate") or {})
    pod_spec = template.get("spec") or {
        "restartPolicy": "Never",
        "containers": [{"name": SUBMITTER_CONTAINER, "image": "rayproject/ray"}],
    }
    for container in pod_spec.get("containers") or []:
        container.setdefault(
            "command",
            [
                "ray",
                "job",
                "submit",
                "--address",
                address,
                "--submission-id",
                job_id,
                "--",
                str((job.get("spec") or {}).get("entrypoint", "")),
            ],
        )
    if cluster.get("v1", "Pod", ns, pod_name) is None:
        cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": pod_name,
                    "namespace": ns,
                    "labels": {"batch.kubernetes.io/job-name": name, "job-name": name},
                },
                "spec": pod_spec,
            }
        )
    pod = cluster.patch_status(
        "v1",
        "Pod",
        ns,
        pod_name,
        {
            "phase": "Running",
            "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True"}],
        },
    )
    # What `ray job submit --no-wait` has printed (upstream: ray-project/kuberay
    # feeaf72f ray-operator/controllers/ray/common/job.go BuildJobSubmitCommand; submitter_log.py).
    # A submitter pod deleted meanwhile has no log to write to (kubernetes/kubernetes
    # pkg/kubelet/kuberuntime/kuberuntime_container.go removeContainerLog).
    cluster.write_pod_log(pod, submitter_log.k8s_job_started(address, job_id))
    return pod_name


def go_time(stamp: str) -> str:
    """A status time as KubeRay's ``%v`` of a ``*metav1.Time`` prints it (Go's time.Time String)."""
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


class Deadline:
    """rayjob_controller.go checkActiveDeadlineAndUpdateStatusIfNeeded: spec.activeDeadlineSeconds
    after status.startTime."""

    def __init__(self, seconds: Any, started: str, elapsed: float = 0.0) -> None:
        # ``elapsed``: seconds since startTime already gone (a job a simulator started anew found
        # running: the deadline counts from status.startTime, not from the new simulator's start).
        self.seconds = int(seconds) if seconds else None
        self.started = started
        self._at = time.monotonic() + self.seconds - elapsed if self.seconds else None

    def passed(self) -> bool:
        return self._at is not None and time.monotonic() >= self._at

    def failure(self) -> dict[str, str]:
        return {
            "reason": "DeadlineExceeded",
            "message": f"The RayJob has passed the activeDeadlineSeconds. StartTime: {go_time(self.started)}. "
            f"ActiveDeadlineSeconds: {self.seconds}",
        }


class StatusChecks:
    """The dashboard's GetJobInfo failing from the job's start (recordJobStatusCheckFailure, then
    checkJobStatusCheckTimeoutAndUpdateStatusIfNeeded after ``timeout`` seconds)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.since: str | None = None
        self._at = 0.0

    def first_failure(self) -> bool:
        if self.since is not None:
            return False
        self.since, self._at = now(), time.monotonic()
        return True

    def failure(self) -> dict[str, str] | None:
        if self.since is None or time.monotonic() < self._at + self.timeout:
            return None
        since = datetime.strptime(self.since, "%Y-%m-%dT%H:%M:%SZ").strftime("%Y-%m-%d %H:%M:%S")  # time.DateTime
        return {
            "reason": "JobStatusCheckTimeoutExceeded",
            "message": f"Job status checks have been failing since {since}; exceeded timeout of {int(self.timeout)}s",
        }
