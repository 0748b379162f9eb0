"""The Ray job API of each simulated RayCluster's head (the dashboard on port 8265), as the KubeRay
simulator's job threads feed it and as the API server's service proxy reaches it.

Upstream: ray-project/ray python/ray/dashboard/modules/job/ (job_head.py routes, job_agent.py,
job_manager.py, job_supervisor.py 06a58f81, common.py JobInfo):

* ``POST /api/jobs/{id}/stop``: a job the API does not know answers 404 ``Job {id} does not exist``
  (job_head.py stop_job, find_job_by_ids); else 200 ``{"stopped": true}`` when its supervisor actor
  still runs (job_manager.py stop_job: "Request a job to exit, fire and forget. Returns whether or
  not the job was running."), ``{"stopped": false}`` once it has ended (job_agent.py stop_job,
  JobStopResponse). The supervisor then kills the entrypoint and writes ``STOPPED`` with no message
  (job_supervisor.py run), which JobInfo.__post_init__ turns into "Job was intentionally stopped."
  (common.py); the job thread reads the request (``stop_requested``) and ends the attempt
  (job_endings.py ``_stopped``).
* ``GET /api/jobs/{id}``: the job's details (job_head.py get_job_info; 404 as above).
* ``GET /api/jobs/``: every job the cluster ran, a list (job_head.py list_jobs).
* ``GET /api/jobs/{id}/logs``: ``{"logs": ...}``, the entrypoint's output so far (job_head.py
  get_job_logs; empty until the job's end here: the emulator runs no code).

The dashboard answers behind a Service whose selector picks the cluster's head pod, once that pod
is running and ready: KubeRay's head readiness probe asks the dashboard itself (ray-project/kuberay
v1.7.0 ray-operator/controllers/ray/utils/constant.go RayDashboardGCSHealthPath, BaseWgetHealthCommand
on DefaultDashboardPort). Before that the emulator's proxy answers 503, as the API server does for a
Service with no endpoint or a pod that refuses the connection (kubernetes/kubernetes
pkg/registry/core/service/storage/rest.go ResourceLocation; kubernetes/apimachinery
pkg/util/proxy/transport.go). A cluster's jobs live in its GCS: they go with the RayCluster
(``forget``).

Not simulated: ``POST /api/jobs/`` (KubeRay's HTTPMode submit and ``ray job submit``: the job
threads record their own jobs), ``DELETE /api/jobs/{id}``, the log tail websocket, the driver's
job_id (left None) and driver_info.
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

from tests.emulators.kube.controllers.kuberay.common import running_and_ready

DASHBOARD_PORT = 8265  # ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/constant.go DefaultDashboardPort
# ray-project/ray python/ray/dashboard/modules/job/common.py JobStatus.is_terminal.
TERMINAL = ("STOPPED", "SUCCEEDED", "FAILED")

# ray-project/ray python/ray/dashboard/modules/job/common.py JobInfo.__post_init__: the message a
# status gets when the writer gives none.
MESSAGES = {
    "PENDING": "Job has not started yet, likely waiting for the runtime_env to be set up.",
    "RUNNING": "Job is currently running.",
    "STOPPED": "Job was intentionally stopped.",
    "SUCCEEDED": "Job finished successfully.",
    "FAILED": "Job failed.",
}
STOPPED_MESSAGE = MESSAGES["STOPPED"]

_JOB_PATH = re.compile(r"^/api/jobs/(?P<id>[^/?]+)(?P<rest>/stop|/logs)?/?$")

Answer = tuple[int, dict[str, str], bytes]


def _json(body: Any) -> Answer:
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _missing(job_id: str) -> Answer:
    return 404, {"Content-Type": "text/plain"}, f"Job {job_id} does not exist".encode()


class JobApi:
    """The jobs of every simulated RayCluster, by (namespace, cluster name), and the proxy handler
    that serves them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self._stops: set[tuple[str, str, str]] = set()

    # ---- what the job threads write -------------------------------------------------------

    def submit(self, ns: str, cluster: str, job_id: str, entrypoint: str) -> None:
        """A job submitted to the cluster (ray-project/ray python/ray/dashboard/modules/job/job_manager.py
        submit_job: PENDING, start_time in ms),
        or submitted again on a cluster made anew (the old one's GCS is gone)."""
        with self._lock:
            self._stops.discard((ns, cluster, job_id))
            self._jobs.setdefault((ns, cluster), {})[job_id] = {
                "type": "SUBMISSION",
                "job_id": None,
                "submission_id": job_id,
                "status": "PENDING",
                "entrypoint": entrypoint,
                "message": MESSAGES["PENDING"],
                "error_type": None,
                "start_time": int(time.time() * 1000),
                "end_time": None,
                "metadata": {},
                "driver_exit_code": None,
                "logs": "",
            }

    def set_status(
        self,
        ns: str,
        cluster: str,
        job_id: str,
        status: str,
        message: str | None = None,
        logs: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        """ray-project/ray python/ray/dashboard/modules/job/common.py JobInfoStorageClient.put_status (the
        job manager's job_info_client): a terminal status stamps end_time."""
        with self._lock:
            info = self._jobs.get((ns, cluster), {}).get(job_id)
            if info is None:
                return
            info.update(status=status, message=message or MESSAGES[status])
            if status in TERMINAL:
                info["end_time"] = int(time.time() * 1000)
                info["driver_exit_code"] = exit_code
            if logs is not None:
                info["logs"] = logs

    def stop(self, ns: str, cluster: str, job_id: str) -> None:
        """KubeRay's StopJob for a RayJob being deleted: the supervisor kills the entrypoint and
        writes STOPPED (ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go Reconcile, StopJob;
        ray-project/ray python/ray/dashboard/modules/job/job_supervisor.py run); no job thread is left to do it."""
        with self._lock:
            info = self._jobs.get((ns, cluster), {}).get(job_id)
            running = info is not None and info["status"] not in TERMINAL
        if running:
            self.set_status(ns, cluster, job_id, "STOPPED")

    def stop_requested(self, ns: str, cluster: str, job_id: str) -> bool:
        with self._lock:
            return (ns, cluster, job_id) in self._stops

    def forget(self, ns: str, cluster: str) -> None:
        """The RayCluster is gone, and its GCS with it."""
        with self._lock:
            self._jobs.pop((ns, cluster), None)
            self._stops = {s for s in self._stops if s[:2] != (ns, cluster)}

    def jobs(self, ns: str, cluster: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {k: v for k, v in info.items() if k != "logs"} for info in self._jobs.get((ns, cluster), {}).values()
            ]

    # ---- what the proxy serves ------------------------------------------------------------

    def handler(self, state: Any, ns: str, service: str, port: str) -> Any:
        """The dashboard behind Service ``service`` (its ``dashboard`` port, 8265), or None when the
        Service picks no ready Ray head pod (the proxy then answers 503)."""
        svc = state.get("v1", "Service", ns, service)
        if svc is None:
            return None
        spec = svc.get("spec") or {}
        selector = spec.get("selector") or {}
        cluster = selector.get("ray.io/cluster")
        if not cluster or selector.get("ray.io/node-type") != "head":
            return None
        ports = [p for p in spec.get("ports") or [] if port in ("", str(p.get("port")), str(p.get("name")))]
        if not any(int(p.get("targetPort") or p.get("port") or 0) == DASHBOARD_PORT for p in ports):
            return None
        labels = ",".join(f"{k}={v}" for k, v in selector.items())
        if not any(running_and_ready(p) for p in state.list("v1", "Pod", ns, label_selector=labels)):
            return None

        def answer(method: str, path: str, body: bytes) -> Answer:
            del body
            return self._answer(ns, str(cluster), method, path.split("?")[0])

        return answer

    def _answer(self, ns: str, cluster: str, method: str, path: str) -> Answer:
        if path.rstrip("/") == "/api/jobs" and method == "GET":
            return _json(self.jobs(ns, cluster))
        match = _JOB_PATH.match(path)
        if match is None:
            return 404, {"Content-Type": "text/plain"}, b"404: Not Found"  # aiohttp's unrouted answer
        job_id, rest = match["id"], match["rest"]
        with self._lock:
            info = self._jobs.get((ns, cluster), {}).get(job_id)
            if info is None:
                return _missing(job_id)
            if rest == "/stop" and method == "POST":
                running = info["status"] not in TERMINAL
                if running:
                    self._stops.add((ns, cluster, job_id))
                return _json({"stopped": running})
            if rest == "/logs" and method == "GET":
                return _json({"logs": info["logs"]})
            if rest is None and method == "GET":
                return _json({k: v for k, v in info.items() if k != "logs"})
        return 405, {"Content-Type": "text/plain"}, b"405: Method Not Allowed"
