"""A KubeRay operator simulator for the Kubernetes emulator (ray.io/v1), following ray-project/kuberay v1.7.

Each part cites the controller it follows (paths under ``ray-operator/controllers/ray/``):

* ``cluster``: RayCluster (``raycluster_controller.go``, ``common/pod.go``, ``utils/util.go``).
* ``gcs_ft``: the Redis clean-up finalizer of a RayCluster with GCS fault tolerance (upstream:
  ray-project/kuberay v1.7.0 ray-operator/controllers/ray/raycluster_controller.go).
* ``job``: RayJob (``rayjob_controller.go``).
* ``job_passes``: a RayJob's passes, requeued on the controller manager's thread, no thread per job
  (Reconcile's ``RequeueAfter``: ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go).
* ``service``: RayService (``rayservice_controller.go``).
* ``common``: names, metadata and RayJob validation (``utils/validation.go``, ``utils/constant.go``), conditions.
* ``validation``: ValidateRayClusterSpec for RayClusters, RayJob and RayService cluster specs
  (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/validation.go).
* ``gates``: the feature gates of the operator found on the cluster, by its image tag's release and
  ``--feature-gates`` (upstream: ray-project/kuberay ray-operator/pkg/features/features.go at each tag).
* ``job_api``: the Ray job API of each cluster's head (stop, job info, list, logs), served
  through the head Services (upstream: ray-project/ray python/ray/dashboard/modules/job/).
* ``services``: the head and serve Services (upstream: ray-project/kuberay v1.7.0
  ray-operator/controllers/ray/common/service.go, common/job.go).

Failure modes (``failure=``): ``image-pull`` (every Ray pod sits in ImagePullBackOff),
``unschedulable-gpu`` (pods asking for ``nvidia.com/gpu`` stay Pending with FailedScheduling
events), ``quota`` (GPU worker pods are refused by a ResourceQuota: ``ReplicaFailure``),
``job-fail`` (the entrypoint exits 1), ``serve-fail`` (the Serve applications are DEPLOY_FAILED),
``job-status-check`` (the dashboard never answers a running job's status: JobStatusCheckTimeoutExceeded
after ``status_check_timeout`` seconds, 300 as upstream unless given), ``sidecar-exit-first`` (a
SidecarMode job's ``ray-job-submitter`` container is seen ended before the job's status is read:
a failed job ends SubmissionFailed; job_endings.py ``_sidecar_ends``), ``sidecar-ends-early`` (that
container ends 0 while the job runs: JobDeploymentStatusTransitionGracePeriodExceeded after
``submitter_finished_timeout`` seconds, 30 as upstream unless given; ``_sidecar_ended_early``).

Options: ``job_logs`` (what the submitter's log shows as the job's output), ``run_seconds``
(how long a job stays RUNNING; suspension ends it early), ``ttl_scale`` (multiplies
``ttlSecondsAfterFinished`` and a RayService's cluster deletion delay; 0 deletes a finished
job's cluster, and a RayService's replaced one, at once), ``failing_attempts``
(a job's first N attempts exit 1, later ones succeed: retries under ``spec.backoffLimit``).
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.kuberay.cluster import ClusterReconciler
from tests.emulators.kube.controllers.kuberay.common import RAY, managed_elsewhere
from tests.emulators.kube.controllers.kuberay.gates import COMPONENT
from tests.emulators.kube.controllers.kuberay.job import JobReconciler
from tests.emulators.kube.controllers.kuberay.job_api import JobApi
from tests.emulators.kube.controllers.kuberay.service import ServiceReconciler
from tests.emulators.kube.controllers.kuberay.service_clusters import DanglingClusters

FAILURES = (
    None,
    "image-pull",
    "unschedulable-gpu",
    "quota",
    "job-fail",
    "serve-fail",
    "job-status-check",
    "sidecar-exit-first",
    "sidecar-ends-early",
)


class KubeRayController(ClusterReconciler, JobReconciler, ServiceReconciler, Controller):
    watches: ClassVar[list[tuple[str, str]]] = [(RAY, "RayCluster"), (RAY, "RayJob"), (RAY, "RayService")]
    # ray-project/kuberay feeaf72f ray-operator/main.go: restConfig.UserAgent = "kuberay-operator/<version>"
    field_manager: ClassVar[str | None] = "kuberay-operator"

    def __init__(
        self,
        delay: float = 0.05,
        failure: str | None = None,
        job_logs: str | None = None,
        ttl_scale: float = 0.0,
        run_seconds: float = 0.0,
        failing_attempts: int = 0,
        status_check_timeout: float = 300.0,
        submitter_finished_timeout: float = 30.0,
    ) -> None:
        if failure not in FAILURES:
            raise ValueError(f"unknown KubeRay failure mode {failure!r}; known: {FAILURES}")
        super().__init__(delay=delay, failure=failure)
        self.job_logs = job_logs
        # ttlSecondsAfterFinished is multiplied by this: tests must not wait real minutes.
        self.ttl_scale = ttl_scale
        # How long a job stays RUNNING; a suspended or deleted job leaves this early.
        self.run_seconds = run_seconds
        self.failing_attempts = failing_attempts
        self.status_check_timeout = status_check_timeout
        self.submitter_finished_timeout = submitter_finished_timeout
        self.dangling = DanglingClusters()
        # The Ray job API of each cluster's head (job_api.py; ray-project/ray
        # python/ray/dashboard/modules/job/job_head.py), served through the head Services.
        # delay and run_seconds pace jobs submitted straight to the API: emulator timing, no upstream
        # behaviour (the job states follow ray-project/ray python/ray/dashboard/modules/job/job_manager.py).
        self.job_api = JobApi(delay, run_seconds)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._jobs_started: set[str] = set()
        self._clusters_made: set[tuple[str, str]] = set()  # (namespace, name): RayClusters a RayJob created
        self._warned: set[str] = set()
        # namespace/name -> whether its process runs, of each pod labelled as the operator's
        self._operator_pods: dict[str, bool] = {}
        # Exceptions of the RayJob passes (job_passes.py; reconcile's are kept by the manager);
        # emulator-only bookkeeping, no upstream behaviour.
        self.pass_errors: list[BaseException] = []

    def operator_down(self) -> bool:
        """Whether the operator pods this simulator stands for (labelled COMPONENT, as both install
        methods label them) all exist without a running process: one that exits at start never
        reaches mgr.Start, so nothing is reconciled (upstream: ray-project/kuberay v1.7.0
        ray-operator/main.go, exitOnError before ctrl.NewManager). With no such pod the simulator is
        the operator itself and runs."""
        return bool(self._operator_pods) and not any(self._operator_pods.values())

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        if self.operator_down():
            return  # the manager's start lists every object again (operator_changed)
        kind = obj.get("kind")
        meta = obj["metadata"]
        current = cluster.get(RAY, kind, meta.get("namespace"), meta["name"])
        if current is None or (kind != "RayCluster" and managed_elsewhere(current)):
            # upstream: ray-project/kuberay v1.7.0 rayjob_controller.go, rayservice_controller.go Reconcile
            # skip spec.managedBy's other controllers; a RayCluster's skip is in _provision (RayJobs call it too).
            return
        if kind == "RayCluster":
            self.provision(cluster, current)
        elif kind == "RayJob":
            self._reconcile_job(cluster, current)
        elif kind == "RayService":
            with self._lock(f"rs/{meta['namespace']}/{meta['name']}"):
                # Read under the lock: a pass that waited for it must not act on the status the
                # pass before it replaced (controller-runtime never reconciles one key twice at
                # once, and KubeRay's Status().Update is refused on a stale resourceVersion).
                current = cluster.get(RAY, kind, meta.get("namespace"), meta["name"])
                if current is not None:
                    self._service(cluster, current, meta["namespace"], meta["name"])

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        """A RayCluster gone enqueues the RayService or RayJob that is its controller owner, as
        controller-runtime's ``Owns(&rayv1.RayCluster{})`` does (upstream: ray-project/kuberay v1.7.0
        (59d663ae) ray-operator/controllers/ray/rayservice_controller.go and rayjob_controller.go
        SetupWithManager): the service's next pass finds the cluster its status names missing
        (reconcileRayCluster, shouldPrepareNewCluster); a job's, Initializing or Running, creates it
        again under the same name (getOrCreateRayClusterInstance; job.py _get_or_create_cluster)."""
        del cluster
        meta = obj.get("metadata") or {}
        if obj.get("kind") != "RayCluster":
            return
        self.job_api.forget(str(meta.get("namespace")), str(meta.get("name")))
        for ref in meta.get("ownerReferences") or []:
            if ref.get("controller") and ref.get("kind") in ("RayService", "RayJob"):
                owner = {
                    "apiVersion": RAY,
                    "kind": ref["kind"],
                    "metadata": {"name": ref["name"], "namespace": meta.get("namespace")},
                }
                self.requeue(owner, self.delay)

    def service_proxy(self, namespace: str, service: str, port: str) -> Any:
        """The Ray dashboard behind a head Service (job_api.py), for the emulator's service proxy;
        None for any other Service or port, or while no ready head pod is behind it."""
        manager = self._manager
        return None if manager is None else self.job_api.handler(manager.cluster, namespace, service, port)

    def attach(self, manager: Any) -> None:
        """Follow the RayClusters' pods as ``Owns(&corev1.Pod{})`` does: a pod gone reconciles the
        RayCluster its controller reference names, by name, whatever its UID (upstream:
        ray-project/kuberay v1.7.0 ray-operator/controllers/ray/raycluster_controller.go
        SetupWithManager; kubernetes-sigs/controller-runtime pkg/handler/enqueue_owner.go
        getOwnerReconcileRequest). A RayCluster created again while the old one's head pod was still
        held counted that pod as its head; its removal makes the new cluster make its own. Only
        deletions are followed: the simulator reads its pods' other changes on its own passes."""

        def on_event(typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
            if rt.group != "" or rt.kind != "Pod":
                return
            md = obj.get("metadata") or {}
            if (md.get("labels") or {}).get(LABEL) == COMPONENT:
                self._operator_changed(manager, typ, md, _process_runs(obj))
            if typ != "DELETED":
                return
            for ref in md.get("ownerReferences") or []:
                group = str(ref.get("apiVersion", "")).split("/")[0]
                if ref.get("controller") and ref.get("kind") == "RayCluster" and group == RAY.split("/")[0]:
                    owner = {"namespace": md.get("namespace"), "name": ref.get("name")}
                    self.requeue({"apiVersion": RAY, "kind": "RayCluster", "metadata": owner}, self.delay)

        manager.api.listeners.append(on_event)

    def _operator_changed(self, manager: Any, typ: str, md: dict[str, Any], runs: bool) -> None:
        """An operator pod added, changed or gone: once one runs again after none did, every
        RayCluster, RayJob and RayService is reconciled, as a starting manager's informers list them
        (kubernetes-sigs/controller-runtime pkg/source/kind.go: the initial list's Create events)."""
        was_down = self.operator_down()
        key = f"{md.get('namespace')}/{md.get('name')}"
        if typ == "DELETED":
            self._operator_pods.pop(key, None)
        else:
            self._operator_pods[key] = runs
        if was_down and not self.operator_down():

            def relist(cluster: Any) -> None:
                for _, kind in self.watches:
                    for item in cluster.list(RAY, kind):
                        self.requeue(item, self.delay)

            manager.call_later(self, relist, 0.0)

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def provision(self, cluster: Any, rc: dict[str, Any]) -> dict[str, Any]:
        """Reconcile one RayCluster now; its stored object afterwards."""
        ns, name = rc["metadata"]["namespace"], rc["metadata"]["name"]
        with self._lock(f"rc/{ns}/{name}"):
            return self._provision(cluster, ns, name)

    def delete_cluster(self, cluster: Any, ns: str, name: str) -> None:
        # Pods and the head service carry ownerReferences: the emulator's garbage collector
        # removes them with the RayCluster, as Kubernetes does.
        if cluster.get(RAY, "RayCluster", ns, name) is not None:
            cluster.delete(RAY, "RayCluster", ns, name)


LABEL = "app.kubernetes.io/component"


def _process_runs(pod: dict[str, Any]) -> bool:
    """Whether an operator pod's process runs: the pod is Running and its first container's state
    is running (a crash-looping one waits in CrashLoopBackOff; a pod without container statuses,
    written by hand, is taken by its phase)."""
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return False
    statuses = status.get("containerStatuses") or []
    return not statuses or "running" in (statuses[0].get("state") or {})


__all__ = ["FAILURES", "KubeRayController"]
