"""A KubeRay operator simulator for the Kubernetes emulator (ray.io/v1).

What it does, as KubeRay 1.7 does it, at test speed:

* RayCluster: a head pod and service, worker pods per group (scaled to ``replicas``), status
  with ``state``, worker counts, desired resources, head pod/service and the conditions
  ``RayClusterProvisioned`` and ``HeadPodReady``.
* RayJob (K8sJobMode): ``jobDeploymentStatus`` New -> Initializing -> Running -> Complete/Failed
  with ``jobStatus`` PENDING -> RUNNING -> SUCCEEDED/FAILED, its own RayCluster (or the one its
  ``clusterSelector`` names), a submitter pod whose logs hold the job's output, suspension
  (``spec.suspend``: Suspending -> Suspended, STOPPED) and ``shutdownAfterJobFinishes``.
* RayService: a RayCluster, a serve service and Ready with serve endpoints.

Failure modes (``failure=``): ``image-pull`` (every Ray pod sits in ImagePullBackOff),
``unschedulable-gpu`` (pods asking for ``nvidia.com/gpu`` stay Pending with FailedScheduling
events), ``job-fail`` (the entrypoint exits 1), ``serve-fail`` (the Serve application fails).

Options: ``job_logs`` (what the submitter's log shows as the job's output), ``run_seconds``
(how long a job stays RUNNING; suspension ends it early), ``ttl_scale`` (multiplies
``ttlSecondsAfterFinished``; 0 deletes a finished job's cluster at once).

The submitter is created as a bare pod labelled like a batch Job's pod, not as a batch Job, so
that the emulator's own Job controller does not run it a second time.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from datetime import UTC, datetime
from typing import Any, ClassVar

from tests.emulators.kube.controllers.base import Controller

RAY = "ray.io/v1"
GPU = "nvidia.com/gpu"
FAILURES = (None, "image-pull", "unschedulable-gpu", "job-fail", "serve-fail")
ENDPOINTS = {"client": "10001", "dashboard": "8265", "gcs-server": "6379", "metrics": "8080", "serve": "8000"}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _suffix(*parts: str) -> str:
    # Deterministic names keep reconciles idempotent and tests readable.
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:5]


def _cond(kind: str, status: bool, reason: str, message: str = "") -> dict[str, Any]:
    return {
        "type": kind,
        "status": "True" if status else "False",
        "reason": reason,
        "message": message,
        "lastTransitionTime": _now(),
    }


def _gpus(template: dict[str, Any]) -> int:
    total = 0
    for container in (template.get("spec") or {}).get("containers") or []:
        limits = (container.get("resources") or {}).get("limits") or {}
        total += int(str(limits.get(GPU, 0)))
    return total


def _sum_quantity(template: dict[str, Any], key: str) -> float:
    from akscli.validate import quantity_value

    total = 0.0
    for container in (template.get("spec") or {}).get("containers") or []:
        limits = (container.get("resources") or {}).get("limits") or {}
        if key in limits:
            total += float(quantity_value(str(limits[key])))
    return total


class KubeRayController(Controller):
    watches: ClassVar[list[tuple[str, str]]] = [(RAY, "RayCluster"), (RAY, "RayJob"), (RAY, "RayService")]

    def __init__(
        self,
        delay: float = 0.05,
        failure: str | None = None,
        job_logs: str | None = None,
        ttl_scale: float = 0.0,
        run_seconds: float = 0.0,
    ) -> None:
        if failure not in FAILURES:
            raise ValueError(f"unknown KubeRay failure mode {failure!r}; known: {FAILURES}")
        super().__init__(delay=delay, failure=failure)
        self.delay = delay
        self.failure = failure
        self.job_logs = job_logs
        # ttlSecondsAfterFinished is multiplied by this: tests must not wait real minutes.
        self.ttl_scale = ttl_scale
        # How long a job stays RUNNING; a suspended or deleted job leaves this early.
        self.run_seconds = run_seconds
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._jobs_started: set[str] = set()
        # Exceptions of the simulator's own job threads (reconcile's are kept by the manager).
        self.thread_errors: list[BaseException] = []

    # ---- dispatch ---------------------------------------------------------------------------

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        kind = obj.get("kind")
        meta = obj["metadata"]
        current = cluster.get(RAY, kind, meta.get("namespace"), meta["name"])
        if current is None:
            return
        if kind == "RayCluster":
            self.provision(cluster, current)
        elif kind == "RayJob":
            self._reconcile_job(cluster, current)
        elif kind == "RayService":
            self._reconcile_service(cluster, current)

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    # ---- RayCluster ---------------------------------------------------------------------------

    def provision(self, cluster: Any, rc: dict[str, Any]) -> dict[str, Any]:
        ns, name = rc["metadata"]["namespace"], rc["metadata"]["name"]
        with self._lock(f"rc/{ns}/{name}"):
            return self._provision(cluster, ns, name)

    def _provision(self, cluster: Any, ns: str, name: str) -> dict[str, Any]:
        rc = cluster.get(RAY, "RayCluster", ns, name)
        if rc is None:
            return {}
        spec = rc.get("spec") or {}
        owner = {
            "apiVersion": RAY,
            "kind": "RayCluster",
            "name": name,
            "uid": rc["metadata"].get("uid", ""),
            "controller": True,
        }
        svc_name = f"{name}-head-svc"
        if cluster.get("v1", "Service", ns, svc_name) is None:
            cluster.create(
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {
                        "name": svc_name,
                        "namespace": ns,
                        "ownerReferences": [owner],
                        "labels": {"ray.io/cluster": name, "ray.io/node-type": "head"},
                    },
                    "spec": {
                        "type": "ClusterIP",
                        "selector": {"ray.io/cluster": name, "ray.io/node-type": "head"},
                        "ports": [{"name": k, "port": int(v), "targetPort": int(v)} for k, v in ENDPOINTS.items()],
                    },
                }
            )
        head_template = (spec.get("headGroupSpec") or {}).get("template") or {}
        existing = cluster.list("v1", "Pod", ns, label_selector=f"ray.io/cluster={name}")
        heads = [p for p in existing if p["metadata"]["labels"].get("ray.io/node-type") == "head"]
        head = (
            heads[0]
            if heads
            else self._pod(
                cluster, ns, f"{name}-head-{_suffix(ns, name)}", name, "head", "headgroup", head_template, owner
            )
        )
        ready_workers = 0
        desired_workers = 0
        cpu = _sum_quantity(head_template, "cpu")
        memory = _sum_quantity(head_template, "memory")
        gpus = _gpus(head_template)
        groups = spec.get("workerGroupSpecs") or []
        wanted_groups = {str(g.get("groupName")) for g in groups}
        for pod in existing:
            group = pod["metadata"]["labels"].get("ray.io/group")
            if pod["metadata"]["labels"].get("ray.io/node-type") == "worker" and group not in wanted_groups:
                cluster.delete("v1", "Pod", ns, pod["metadata"]["name"])
        for group in groups:
            gname = str(group.get("groupName"))
            template = group.get("template") or {}
            if group.get("suspend"):
                replicas = 0
            else:
                replicas = int(group.get("replicas") or 0) * int(group.get("numOfHosts") or 1)
            desired_workers += replicas
            cpu += replicas * _sum_quantity(template, "cpu")
            memory += replicas * _sum_quantity(template, "memory")
            gpus += replicas * _gpus(template)
            pods = sorted(
                (
                    p
                    for p in existing
                    if p["metadata"]["labels"].get("ray.io/group") == gname
                    and p["metadata"]["labels"].get("ray.io/node-type") == "worker"
                ),
                key=lambda p: p["metadata"]["name"],
            )
            for extra in pods[replicas:]:
                cluster.delete("v1", "Pod", ns, extra["metadata"]["name"])
            pods = pods[:replicas]
            index = 0
            while len(pods) < replicas:
                pod_name = f"{name}-{gname}-worker-{_suffix(ns, name, gname, str(index))}"
                index += 1
                if any(p["metadata"]["name"] == pod_name for p in pods):
                    continue
                pods.append(self._pod(cluster, ns, pod_name, name, "worker", gname, template, owner))
            ready_workers += sum(1 for p in pods if self._ready(p))
        head_ready = self._ready(head)
        provisioned = head_ready and ready_workers == desired_workers
        conditions = [
            _cond(
                "HeadPodReady",
                head_ready,
                "HeadPodRunningAndReady" if head_ready else "HeadPodNotFound" if not head else "ContainersNotReady",
            ),
            _cond(
                "RayClusterProvisioned",
                provisioned,
                "AllPodRunningAndReadyFirstTime" if provisioned else "RayClusterPodsProvisioning",
                "" if provisioned else "not every Ray pod is running and ready",
            ),
        ]
        status: dict[str, Any] = {
            "desiredWorkerReplicas": desired_workers,
            "availableWorkerReplicas": ready_workers,
            "readyWorkerReplicas": ready_workers,
            "minWorkerReplicas": sum(int(g.get("minReplicas") or 0) for g in groups),
            "maxWorkerReplicas": sum(int(g.get("maxReplicas") or 0) for g in groups),
            "desiredCPU": f"{cpu:g}",
            "desiredMemory": f"{memory:g}",
            "desiredGPU": str(gpus),
            "desiredTPU": "0",
            "head": {
                "podName": head["metadata"]["name"],
                "podIP": (head.get("status") or {}).get("podIP", ""),
                "serviceName": svc_name,
                "serviceIP": "10.0.0.10",
            },
            "endpoints": dict(ENDPOINTS),
            "conditions": conditions,
            "observedGeneration": rc["metadata"].get("generation", 1),
            "lastUpdateTime": _now(),
            "state": "ready" if provisioned else "",
        }
        if not provisioned:
            status["reason"] = "pods are not ready"
        return dict(cluster.patch_status(RAY, "RayCluster", ns, name, status))

    def _pod(
        self,
        cluster: Any,
        ns: str,
        pod_name: str,
        rc: str,
        node_type: str,
        group: str,
        template: dict[str, Any],
        owner: dict[str, Any],
    ) -> dict[str, Any]:
        spec = copy.deepcopy(template.get("spec") or {})
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        labels.update(
            {"ray.io/cluster": rc, "ray.io/node-type": node_type, "ray.io/group": group, "ray.io/is-ray-node": "yes"}
        )
        cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": pod_name, "namespace": ns, "labels": labels, "ownerReferences": [owner]},
                "spec": spec,
            }
        )
        pod = {"metadata": {"name": pod_name, "namespace": ns, "labels": labels}, "spec": spec}
        containers = [c.get("name", "ray") for c in spec.get("containers") or []]
        image = next((c.get("image") for c in spec.get("containers") or []), "")
        wants_gpu = _gpus({"spec": spec}) > 0
        if self.failure == "unschedulable-gpu" and wants_gpu:
            message = (
                f"0/3 nodes are available: 3 Insufficient {GPU}. preemption: 0/3 nodes are "
                "available: 3 No preemption victims found for incoming pod."
            )
            status = {
                "phase": "Pending",
                "conditions": [
                    {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}
                ],
            }
            cluster.add_event(pod | {"apiVersion": "v1", "kind": "Pod"}, "FailedScheduling", message, type="Warning")
        elif self.failure == "image-pull":
            message = f'Back-off pulling image "{image}"'
            status = {
                "phase": "Pending",
                "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}],
                "containerStatuses": [
                    {
                        "name": c,
                        "ready": False,
                        "image": image,
                        "restartCount": 0,
                        "state": {"waiting": {"reason": "ImagePullBackOff", "message": message}},
                    }
                    for c in containers
                ],
            }
            cluster.add_event(
                pod | {"apiVersion": "v1", "kind": "Pod"},
                "Failed",
                f'Failed to pull image "{image}": rpc error: code = NotFound desc = {image}: not found',
                type="Warning",
            )
        else:
            digest = int(_suffix(ns, pod_name), 16)
            status = {
                "phase": "Running",
                "podIP": f"10.244.{digest % 250}.{digest % 200 + 2}",
                "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True"}],
                "containerStatuses": [
                    {
                        "name": c,
                        "ready": True,
                        "image": image,
                        "restartCount": 0,
                        "state": {"running": {"startedAt": _now()}},
                    }
                    for c in containers
                ],
            }
            cluster.set_pod_logs(ns, pod_name, f"ray {node_type} {pod_name} started\n")
        return dict(cluster.patch_status("v1", "Pod", ns, pod_name, status))

    @staticmethod
    def _ready(pod: dict[str, Any]) -> bool:
        status = pod.get("status") or {}
        return status.get("phase") == "Running" and any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
        )

    def delete_cluster(self, cluster: Any, ns: str, name: str) -> None:
        # Pods and the head service carry ownerReferences: the emulator's garbage collector
        # removes them with the RayCluster, as Kubernetes does.
        if cluster.get(RAY, "RayCluster", ns, name) is not None:
            cluster.delete(RAY, "RayCluster", ns, name)

    # ---- RayJob -------------------------------------------------------------------------------

    def _reconcile_job(self, cluster: Any, job: dict[str, Any]) -> None:
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        key = f"{ns}/{name}/{job['metadata'].get('uid', '')}"
        status = job.get("status") or {}
        if (job.get("spec") or {}).get("suspend"):
            self._spawn(self._suspend_job, cluster, ns, name)
            return
        with self._guard:
            if key in self._jobs_started or status.get("jobDeploymentStatus"):
                return
            self._jobs_started.add(key)
        self._spawn(self._run_job, cluster, ns, name)

    def _spawn(self, target: Any, cluster: Any, ns: str, name: str) -> None:
        # A job moves through its phases over time: it runs on its own thread so that the
        # controller manager's reconcile returns at once.
        def run() -> None:
            try:
                target(cluster, ns, name)
            except Exception as exc:
                # A job deleted while it runs makes the next status write fail; KubeRay stops
                # there too. Anything else is recorded for tests, never lost in a daemon thread.
                if cluster.get(RAY, "RayJob", ns, name) is not None:
                    self.thread_errors.append(exc)

        threading.Thread(target=run, name="kuberay-sim-job", daemon=True).start()

    def _job(self, cluster: Any, ns: str, name: str) -> dict[str, Any] | None:
        job = cluster.get(RAY, "RayJob", ns, name)
        if job is None or (job.get("spec") or {}).get("suspend"):
            return None
        return dict(job)

    def _run_job(self, cluster: Any, ns: str, name: str) -> None:
        job = self._job(cluster, ns, name)
        if job is None:
            return
        spec = job.get("spec") or {}
        selector = (spec.get("clusterSelector") or {}).get("ray.io/cluster")
        rc_name = selector or f"{name}-{_suffix(ns, name, 'rc')}"
        job_id = f"{name}-{_suffix(ns, name, 'id')}"
        cluster.patch_status(
            RAY,
            "RayJob",
            ns,
            name,
            {
                "jobDeploymentStatus": "Initializing",
                "rayClusterName": rc_name,
                "jobId": job_id,
                "startTime": _now(),
                "dashboardURL": f"{rc_name}-head-svc.{ns}.svc.cluster.local:8265",
            },
        )
        if selector:
            rc = cluster.get(RAY, "RayCluster", ns, selector)
            if rc is None:
                cluster.patch_status(
                    RAY,
                    "RayJob",
                    ns,
                    name,
                    {
                        "jobDeploymentStatus": "Failed",
                        "reason": "ValidationFailed",
                        "message": f"RayCluster {selector} not found",
                    },
                )
                return
        else:
            rc_body = {
                "apiVersion": RAY,
                "kind": "RayCluster",
                "metadata": {
                    "name": rc_name,
                    "namespace": ns,
                    "labels": {"ray.io/originated-from-crd": "RayJob", "ray.io/originated-from-cr-name": name},
                    "ownerReferences": [
                        {
                            "apiVersion": RAY,
                            "kind": "RayJob",
                            "name": name,
                            "controller": True,
                            "uid": job["metadata"].get("uid", ""),
                        }
                    ],
                },
                "spec": copy.deepcopy(spec.get("rayClusterSpec") or {}),
            }
            if cluster.get(RAY, "RayCluster", ns, rc_name) is None:
                cluster.create(rc_body)
            rc = cluster.get(RAY, "RayCluster", ns, rc_name)
        time.sleep(self.delay)
        rc = self.provision(cluster, rc)
        cluster.patch_status(RAY, "RayJob", ns, name, {"rayClusterStatus": rc.get("status", {})})
        if (rc.get("status") or {}).get("state") != "ready":
            # KubeRay keeps waiting in Initializing; so does the simulator.
            return
        if self._job(cluster, ns, name) is None:
            return
        submitter = self._submitter(cluster, job, rc_name, job_id)
        cluster.patch_status(RAY, "RayJob", ns, name, {"jobDeploymentStatus": "Running", "jobStatus": "PENDING"})
        time.sleep(self.delay)
        if self._job(cluster, ns, name) is None:
            return
        cluster.patch_status(RAY, "RayJob", ns, name, {"jobStatus": "RUNNING"})
        until = time.monotonic() + max(self.run_seconds, self.delay)
        while time.monotonic() < until:
            time.sleep(min(self.delay or 0.01, 0.05))
            if self._job(cluster, ns, name) is None:
                return
        failed = self.failure == "job-fail"
        entry = str(spec.get("entrypoint", ""))
        output = self.job_logs if self.job_logs is not None else f"running: {entry}\njob output line\n"
        if failed:
            output += 'Traceback (most recent call last):\n  File "train.py", line 3\nRuntimeError: simulated failure\n'
        logs = (
            f"Job submission server address: http://{rc_name}-head-svc.{ns}.svc.cluster.local"
            f":8265\nJob '{job_id}' submitted successfully\n"
            f"Tailing logs until the job exits (disable with --no-wait):\n{output}"
            f"Job '{job_id}' {'failed' if failed else 'succeeded'}\n"
        )
        cluster.set_pod_logs(ns, submitter, logs)
        head = f"{rc_name}-head-{_suffix(ns, rc_name)}"
        if cluster.get("v1", "Pod", ns, head) is not None:
            cluster.set_pod_logs(ns, head, f"ray head {head} started\n{output}")
        cluster.patch_status(
            "v1",
            "Pod",
            ns,
            submitter,
            {
                "phase": "Failed" if failed else "Succeeded",
                "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}],
            },
        )
        final: dict[str, Any] = {
            "endTime": _now(),
            "jobStatus": "FAILED" if failed else "SUCCEEDED",
            "jobDeploymentStatus": "Failed" if failed else "Complete",
            "succeeded": 0 if failed else 1,
            "failed": 1 if failed else 0,
        }
        if failed:
            final["reason"] = "AppFailed"
            final["message"] = "Job entrypoint command failed with exit code 1"
        cluster.patch_status(RAY, "RayJob", ns, name, final)
        if spec.get("shutdownAfterJobFinishes") and not selector:
            time.sleep(float(spec.get("ttlSecondsAfterFinished") or 0) * self.ttl_scale)
            self.delete_cluster(cluster, ns, rc_name)

    def _submitter(self, cluster: Any, job: dict[str, Any], rc_name: str, job_id: str) -> str:
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        pod_name = f"{name}-{_suffix(ns, name, 'submitter')}"
        template = copy.deepcopy((job.get("spec") or {}).get("submitterPodTemplate") or {})
        pod_spec = template.get("spec") or {
            "restartPolicy": "Never",
            "containers": [{"name": "ray-job-submitter", "image": "rayproject/ray"}],
        }
        for container in pod_spec.get("containers") or []:
            container.setdefault(
                "command",
                [
                    "ray",
                    "job",
                    "submit",
                    "--address",
                    f"http://{rc_name}-head-svc:8265",
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
        cluster.patch_status(
            "v1",
            "Pod",
            ns,
            pod_name,
            {
                "phase": "Running",
                "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True"}],
            },
        )
        cluster.set_pod_logs(ns, pod_name, f"Job '{job_id}' submitted successfully\n")
        return pod_name

    def _suspend_job(self, cluster: Any, ns: str, name: str) -> None:
        time.sleep(self.delay)
        job = cluster.get(RAY, "RayJob", ns, name)
        if job is None:
            return
        status = job.get("status") or {}
        if status.get("jobDeploymentStatus") in ("Complete", "Failed", "Suspended"):
            return
        cluster.patch_status(RAY, "RayJob", ns, name, {"jobDeploymentStatus": "Suspending"})
        rc_name = status.get("rayClusterName")
        if rc_name and not ((job.get("spec") or {}).get("clusterSelector")):
            self.delete_cluster(cluster, ns, rc_name)
        time.sleep(self.delay)
        cluster.patch_status(
            RAY, "RayJob", ns, name, {"jobDeploymentStatus": "Suspended", "jobStatus": "STOPPED", "endTime": _now()}
        )

    # ---- RayService ---------------------------------------------------------------------------

    def _reconcile_service(self, cluster: Any, svc: dict[str, Any]) -> None:
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        with self._lock(f"rs/{ns}/{name}"):
            self._service(cluster, svc, ns, name)

    def _service(self, cluster: Any, svc: dict[str, Any], ns: str, name: str) -> None:
        from akscli import yamlio

        spec = svc.get("spec") or {}
        rc_name = f"{name}-raycluster-{_suffix(ns, name)}"
        owner = {
            "apiVersion": RAY,
            "kind": "RayService",
            "name": name,
            "controller": True,
            "uid": svc["metadata"].get("uid", ""),
        }
        body = {
            "apiVersion": RAY,
            "kind": "RayCluster",
            "metadata": {
                "name": rc_name,
                "namespace": ns,
                "ownerReferences": [owner],
                "labels": {"ray.io/originated-from-crd": "RayService", "ray.io/originated-from-cr-name": name},
            },
            "spec": copy.deepcopy(spec.get("rayClusterConfig") or {}),
        }
        existing = cluster.get(RAY, "RayCluster", ns, rc_name)
        if existing is None:
            cluster.create(body)
        else:
            existing["spec"] = body["spec"]
            cluster.update(existing)
        rc = self.provision(cluster, cluster.get(RAY, "RayCluster", ns, rc_name))
        for svc_name, port in ((f"{name}-head-svc", 8265), (f"{name}-serve-svc", 8000)):
            if cluster.get("v1", "Service", ns, svc_name) is None:
                cluster.create(
                    {
                        "apiVersion": "v1",
                        "kind": "Service",
                        "metadata": {"name": svc_name, "namespace": ns, "ownerReferences": [owner]},
                        "spec": {"selector": {"ray.io/cluster": rc_name}, "ports": [{"name": "http", "port": port}]},
                    }
                )
        ready_cluster = (rc.get("status") or {}).get("state") == "ready"
        config = yamlio.load(str(spec.get("serveConfigV2") or "applications: []")) or {}
        failed = self.failure == "serve-fail"
        apps: dict[str, Any] = {}
        for app in config.get("applications") or []:
            app_name = str(app.get("name", "default"))
            if failed:
                apps[app_name] = {"status": "DEPLOY_FAILED", "message": f"Failed to import {app.get('import_path')}"}
            elif ready_cluster:
                apps[app_name] = {
                    "status": "RUNNING",
                    "healthLastUpdateTime": _now(),
                    "serveDeploymentStatuses": {app_name: {"status": "HEALTHY", "healthLastUpdateTime": _now()}},
                }
            else:
                apps[app_name] = {"status": "DEPLOYING"}
        ready = ready_cluster and not failed and bool(apps)
        endpoints = 1 + int((rc.get("status") or {}).get("readyWorkerReplicas") or 0) if ready else 0
        cluster.patch_status(
            RAY,
            "RayService",
            ns,
            name,
            {
                "serviceStatus": "Running" if ready else "",
                "numServeEndpoints": endpoints,
                "conditions": [
                    _cond(
                        "Ready",
                        ready,
                        "NonZeroServeEndpoints" if ready else "ZeroServeEndpoints",
                        "" if ready else "no serve endpoint is ready",
                    ),
                    _cond("UpgradeInProgress", False, "NoPendingCluster"),
                ],
                "activeServiceStatus": {
                    "rayClusterName": rc_name,
                    "rayClusterStatus": rc.get("status", {}),
                    "applicationStatuses": apps,
                },
                "observedGeneration": svc["metadata"].get("generation", 1),
                "lastUpdateTime": _now(),
            },
        )
