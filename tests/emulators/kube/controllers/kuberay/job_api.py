"""The Ray job API of each simulated RayCluster's head (the dashboard on port 8265), as the KubeRay
simulator's RayJob passes feed it and as the API server's service proxy reaches it.

Upstream: ray-project/ray python/ray/dashboard/modules/job/ (job_head.py routes, job_agent.py,
job_manager.py, job_supervisor.py 06a58f81, common.py JobInfo):

* ``POST /api/jobs/{id}/stop``: a job the API does not know answers 404 ``Job {id} does not exist``
  (job_head.py stop_job, find_job_by_ids); else 200 ``{"stopped": true}`` when its supervisor actor
  still runs (job_manager.py stop_job: "Request a job to exit, fire and forget. Returns whether or
  not the job was running."), ``{"stopped": false}`` once it has ended (job_agent.py stop_job,
  JobStopResponse). The supervisor then kills the entrypoint and writes ``STOPPED`` with no message
  (job_supervisor.py run), which JobInfo.__post_init__ turns into "Job was intentionally stopped."
  (common.py); the job's next pass reads the request (``stop_requested``) and ends the attempt
  (job_endings.py ``_stopped``).
* ``GET /api/jobs/{id}``: the job's details (job_head.py get_job_info; 404 as above).
* ``GET /api/jobs/``: every job the cluster ran, a list (job_head.py list_jobs).
* ``GET /api/jobs/{id}/logs``: ``{"logs": ...}``, the entrypoint's output so far (job_head.py
  get_job_logs; ray-project/ray python/ray/dashboard/modules/job/job_log_storage_client.py
  JobLogStorageClient.get_logs reads the driver's log file ``job-driver-{id}.log`` as it is then,
  and tail_logs follows it, file_tail_iterator): a running job's first line (``running: ...``) as
  it starts, the rest at its end (the emulator runs no code).

The dashboard answers behind a Service whose selector picks the cluster's head pod, once that pod
is running and ready: KubeRay's head readiness probe asks the dashboard itself (ray-project/kuberay
v1.7.0 ray-operator/controllers/ray/utils/constant.go RayDashboardGCSHealthPath, BaseWgetHealthCommand
on DefaultDashboardPort). Before that the emulator's proxy answers 503, as the API server does for a
Service with no endpoint or a pod that refuses the connection (kubernetes/kubernetes
pkg/registry/core/service/storage/rest.go ResourceLocation; kubernetes/apimachinery
pkg/util/proxy/transport.go). A cluster's jobs live in its GCS: they go with the RayCluster
(``forget``).

* ``POST /api/jobs/``: a job submitted straight to the API (``ray job submit``, the SDK; no
  RayJob): JobSubmitRequest's ``entrypoint`` is required (a body without it answers 400 with the
  TypeError; job_head.py submit_job, utils.py parse_and_validate_request), ``submission_id`` (or
  the deprecated ``job_id``) is kept, else one ``raysubmit_`` + 16 characters is drawn
  (job_manager.py generate_job_id); 200 ``{"job_id": ID, "submission_id": ID}`` (job_agent.py
  submit_job, JobSubmitResponse). An ID in use answers 500 with a traceback ending in job_manager.py
  submit_job's "Job with submission_id ID already exists. Please use a different submission_id."
  (the agent's 400 becomes the head's RuntimeError, job_head.py JobAgentSubmissionClient._raise_error;
  ray-project/kuberay ray-operator/controllers/ray/utils/dashboardclient/dashboard_httpclient.go
  SubmitJobReq reads exactly that 500). Such a job runs on the emulator's clock (``_advance``):
  PENDING for ``delay`` seconds, RUNNING for ``run_seconds``, then SUCCEEDED, or FAILED with
  job_endings.py's exit-code convention; a stop request ends it STOPPED.
* ``DELETE /api/jobs/{id}``: 404 as above; a job not yet ended answers 500, job_manager.py
  delete_job's RuntimeError "Attempted to delete job 'ID', but it is in a non-terminal state
  RUNNING." at the end of the traceback (job_agent.py delete_job: any exception is a 500 with
  ``traceback.format_exc()``; the head wraps the agent's answer in "Request failed with status code
  500: ..."); an ended one is forgotten, 200 ``{"deleted": true}`` (JobDeleteResponse).

* ``/api/jobs/{id}/logs/tail``: the websocket ``ray job logs --follow`` reads (``_tail``).

Not simulated: the traceback's frames (only its first and last lines), the driver's job_id (left
None), driver_info, driver jobs (type DRIVER) and ``GET /api/version``.
"""

from __future__ import annotations

import json
import random
import re
import string
import threading
import time
from collections.abc import Iterator
from typing import Any

from tests.emulators.kube.controllers.kuberay.common import RAY, running_and_ready

DASHBOARD_PORT = 8265  # ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/constant.go DefaultDashboardPort
# ray-project/ray python/ray/dashboard/modules/job/common.py JobStatus.is_terminal.
TERMINAL = ("STOPPED", "SUCCEEDED", "FAILED")

# ray-project/ray python/ray/dashboard/modules/job/common.py JobInfo.__post_init__: the message a
# status gets when the writer gives none.
MESSAGES = {
    "PENDING": "Job has not started yet.",
    "RUNNING": "Job is currently running.",
    "STOPPED": "Job was intentionally stopped.",
    "SUCCEEDED": "Job finished successfully.",
    "FAILED": "Job failed.",
}
STOPPED_MESSAGE = MESSAGES["STOPPED"]
# common.py JobInfo.__post_init__: what PENDING's message adds for a job that asks for entrypoint
# resources, and for one with a runtime_env.
WAITING_FOR_RESOURCES = " It may be waiting for resources (CPUs, GPUs, memory, custom resources) to become available."
WAITING_FOR_RUNTIME_ENV = " It may be waiting for the runtime environment to be set up."

# The emulator's convention for an entrypoint's outcome (it runs no code): the first
# ``sys.exit(N)``, ``exit(N)`` or shell ``exit N`` in the entrypoint string is its exit code; none
# is 0. docs/emulator.md says so.
_EXIT = re.compile(r"(?:\bsys\.exit\(\s*|(?<![\w.])exit\(\s*|(?<![\w.])exit\s+)(-?\d+)")


def entrypoint_exit_code(entrypoint: str) -> int:
    """The exit code the emulator gives an entrypoint (0 when it names none)."""
    match = _EXIT.search(entrypoint)
    return int(match.group(1)) if match else 0


def pending_message(resources: bool = False, runtime_env: bool = False) -> str:
    """common.py JobInfo.__post_init__: PENDING's message."""
    return (
        MESSAGES["PENDING"]
        + (WAITING_FOR_RESOURCES if resources else "")
        + (WAITING_FOR_RUNTIME_ENV if runtime_env else "")
    )


# job_manager.py generate_job_id: "raysubmit_" and 16 of these (no I, l, o, O, 0).
_ID_CHARACTERS = sorted(set(string.ascii_letters + string.digits) - set("IloO0"))


def generate_job_id() -> str:
    return "raysubmit_" + "".join(random.choices(_ID_CHARACTERS, k=16))


def _traceback(last: str) -> str:
    """A Python traceback as ``traceback.format_exc()`` writes one, its frames left out."""
    return f"Traceback (most recent call last):\n{last}\n"


def _head_error(agent_text: str) -> str:
    """The head's 500 for an agent's error answer: job_head.py catches the RuntimeError its
    JobAgentSubmissionClient._raise_error raised ("Request failed with status code {status}:
    {error_text}.") and answers ``traceback.format_exc()``."""
    return _traceback(f"RuntimeError: Request failed with status code 500: {agent_text}.")


_JOB_PATH = re.compile(r"^/api/jobs/(?P<id>[^/?]+)(?P<rest>/stop|/logs)?/?$")
_TAIL_PATH = re.compile(r"^/api/jobs/(?P<id>[^/?]+)/logs/tail/?$")

Answer = tuple[int, dict[str, str], bytes]


def _json(body: Any) -> Answer:
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _missing(job_id: str) -> Answer:
    return 404, {"Content-Type": "text/plain"}, f"Job {job_id} does not exist".encode()


def ray_job_info(info: dict[str, Any]) -> dict[str, str]:
    """status.rayJobInfo from a job's info: ``startTime`` and ``endTime``, each only when Ray's ms
    are not 0 (ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go, the Running
    case, ``time.UnixMilli(jobInfo.StartTime)``), as metav1.Time writes them: RFC 3339, whole
    seconds, UTC (ray-project/kuberay ray-operator/apis/ray/v1/rayjob_types.go RayJobStatusInfo)."""
    times = {"startTime": info.get("start_time"), "endTime": info.get("end_time")}
    return {k: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000)) for k, ms in times.items() if ms}


def _shown(info: dict[str, Any]) -> dict[str, Any]:
    """A job's details as the API answers them: without the log text and the emulator's own keys."""
    return {k: v for k, v in info.items() if k != "logs" and not k.startswith("_")}


class JobApi:
    """The jobs of every simulated RayCluster, by (namespace, cluster name), and the proxy handler
    that serves them. ``delay`` and ``run_seconds``: the clock of jobs submitted straight to the API."""

    def __init__(self, delay: float = 0.05, run_seconds: float = 0.0) -> None:
        self.delay = delay
        self.run_seconds = run_seconds
        self._lock = threading.Lock()
        self._jobs: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        # (ns, cluster, id) -> when POST /api/jobs/ID/stop reached the head (monotonic seconds).
        self._stops: dict[tuple[str, str, str], float] = {}

    # ---- what the RayJob passes write -------------------------------------------------------

    def submit(
        self, ns: str, cluster: str, job_id: str, entrypoint: str, *, resources: bool = False, runtime_env: bool = False
    ) -> None:
        """A job submitted to the cluster (ray-project/ray python/ray/dashboard/modules/job/job_manager.py
        submit_job: PENDING, start_time in ms),
        or submitted again on a cluster made anew (the old one's GCS is gone)."""
        with self._lock:
            self._stops.pop((ns, cluster, job_id), None)
            self._jobs.setdefault((ns, cluster), {})[job_id] = self._record(job_id, entrypoint, resources, runtime_env)

    @staticmethod
    def _record(job_id: str, entrypoint: str, resources: bool, runtime_env: bool) -> dict[str, Any]:
        return {
            "type": "SUBMISSION",
            "job_id": None,
            "submission_id": job_id,
            "status": "PENDING",
            "entrypoint": entrypoint,
            "message": pending_message(resources, runtime_env),
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
            if info is not None:
                self._put_status(info, status, message, logs, exit_code)

    @staticmethod
    def _put_status(
        info: dict[str, Any], status: str, message: str | None, logs: str | None, exit_code: int | None
    ) -> None:
        info.update(status=status, message=message or MESSAGES[status])
        if status in TERMINAL:
            info["end_time"] = int(time.time() * 1000)
            info["driver_exit_code"] = exit_code
        if logs is not None:
            info["logs"] = logs

    def stop(self, ns: str, cluster: str, job_id: str) -> None:
        """KubeRay's StopJob for a RayJob being deleted: the supervisor kills the entrypoint and
        writes STOPPED (ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go Reconcile, StopJob;
        ray-project/ray python/ray/dashboard/modules/job/job_supervisor.py run); no pass of the job is left to do it."""
        with self._lock:
            info = self._jobs.get((ns, cluster), {}).get(job_id)
            running = info is not None and info["status"] not in TERMINAL
        if running:
            self.set_status(ns, cluster, job_id, "STOPPED")

    def status_patch(self, ns: str, cluster: str, job_id: str) -> dict[str, Any]:
        """What KubeRay writes into a running RayJob from the job's info on each pass: the Ray job's
        status, its message and its times (ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go,
        the Running case: ``Status.JobStatus = jobInfo.JobStatus``, ``Status.Message = jobInfo.Message``,
        and ``Status.RayJobStatusInfo.StartTime``/``EndTime`` from jobInfo's ms when not 0)."""
        with self._lock:
            info = self._jobs.get((ns, cluster), {}).get(job_id) or {}
            return {"jobStatus": info.get("status"), "message": info.get("message"), "rayJobInfo": ray_job_info(info)}

    def knows(self, ns: str, cluster: str, job_id: str) -> bool:
        """Whether ``GET /api/jobs/ID`` finds the job (KubeRay's GetJobInfo; a 404 is its BadRequest
        "Job ID does not exist on the cluster": ray-project/kuberay ray-operator/controllers/ray/utils/
        dashboardclient/dashboard_httpclient.go GetJobInfo)."""
        with self._lock:
            return job_id in self._jobs.get((ns, cluster), {})

    def stop_requested(self, ns: str, cluster: str, job_id: str) -> bool:
        with self._lock:
            return (ns, cluster, job_id) in self._stops

    def forget(self, ns: str, cluster: str) -> None:
        """The RayCluster is gone, and its GCS with it."""
        with self._lock:
            self._jobs.pop((ns, cluster), None)
            self._stops = {s: t for s, t in self._stops.items() if s[:2] != (ns, cluster)}

    def jobs(self, ns: str, cluster: str) -> list[dict[str, Any]]:
        with self._lock:
            return [_shown(self._advance(ns, cluster, info)) for info in self._jobs.get((ns, cluster), {}).values()]

    # ---- jobs submitted straight to the API -----------------------------------------------

    def _advance(self, ns: str, cluster: str, info: dict[str, Any]) -> dict[str, Any]:
        """A job submitted through ``POST /api/jobs/`` moved on by the clock (no RayJob pass runs it):
        its supervisor starts the entrypoint (RUNNING, ray-project/ray
        python/ray/dashboard/modules/job/job_supervisor.py JobSupervisor.run), which ends after
        ``run_seconds`` with its exit code (SUCCEEDED, or FAILED with job_supervisor.py's message), or
        is stopped: STOPPED ``delay`` seconds after the stop request, the time its entrypoint takes
        to exit (ray-project/ray python/ray/dashboard/modules/job/job_supervisor.py run: on the stop
        event it sends SIGTERM, waits up to RAY_JOB_STOP_WAIT_TIME_S, 3 s by default, then SIGKILL,
        and only then writes STOPPED; the job stays RUNNING meanwhile). Called with the lock held."""
        if not info.get("_api") or info["status"] in TERMINAL:
            return info
        entry = str(info["entrypoint"])
        stopped_at = self._stops.get((ns, cluster, info["submission_id"]))
        if stopped_at is not None:
            if time.monotonic() - stopped_at >= self.delay:
                self._put_status(info, "STOPPED", None, info["logs"], None)
            return info
        elapsed = time.monotonic() - info["_submitted"]
        if elapsed >= self.delay and info["status"] == "PENDING":
            self._put_status(info, "RUNNING", None, f"running: {entry}\n", None)
        if elapsed >= self.delay + max(self.run_seconds, self.delay):
            code = entrypoint_exit_code(entry)
            message = None if code == 0 else f"Job entrypoint command failed with exit code {code}. No logs available."
            self._put_status(info, "SUCCEEDED" if code == 0 else "FAILED", message, info["logs"], code)
        return info

    def _submit_request(self, ns: str, cluster: str, body: bytes) -> Answer:
        """job_head.py submit_job: parse_and_validate_request (utils.py), then the agent's submit."""
        try:
            request = json.loads(body or b"{}")
        except ValueError as exc:
            return 400, {"Content-Type": "text/plain"}, _traceback(f"json.decoder.JSONDecodeError: {exc}").encode()
        entrypoint = request.get("entrypoint") if isinstance(request, dict) else None
        if not isinstance(entrypoint, str):
            missing = "TypeError: JobSubmitRequest.__init__() missing 1 required positional argument: 'entrypoint'"
            return 400, {"Content-Type": "text/plain"}, _traceback(missing).encode()
        job_id = str(request.get("submission_id") or request.get("job_id") or generate_job_id())
        jobs = self._jobs.setdefault((ns, cluster), {})
        if job_id in jobs:
            used = f"Job with submission_id {job_id} already exists. Please use a different submission_id."
            return 500, {"Content-Type": "text/plain"}, _head_error(_traceback(f"ValueError: {used}")).encode()
        asks = ("entrypoint_num_cpus", "entrypoint_num_gpus", "entrypoint_memory", "entrypoint_resources")
        record = self._record(job_id, entrypoint, any(request.get(k) for k in asks), bool(request.get("runtime_env")))
        record.update(metadata=dict(request.get("metadata") or {}), _api=True, _submitted=time.monotonic())
        jobs[job_id] = record
        return _json({"job_id": job_id, "submission_id": job_id})

    def _delete(self, ns: str, cluster: str, info: dict[str, Any]) -> Answer:
        """job_manager.py delete_job: only a job in a terminal state."""
        job_id = info["submission_id"]
        if info["status"] not in TERMINAL:
            refused = (
                f"RuntimeError: Attempted to delete job '{job_id}', but it is in a non-terminal state {info['status']}."
            )
            return 500, {"Content-Type": "text/plain"}, _head_error(_traceback(refused)).encode()
        del self._jobs[(ns, cluster)][job_id]
        self._stops.pop((ns, cluster, job_id), None)
        return _json({"deleted": True})

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
        listens = _dashboard_port(state.get(RAY, "RayCluster", ns, str(cluster)))
        if not any(int(p.get("targetPort") or p.get("port") or 0) == listens for p in ports):
            return None
        labels = ",".join(f"{k}={v}" for k, v in selector.items())
        if not any(running_and_ready(p) for p in state.list("v1", "Pod", ns, label_selector=labels)):
            return None

        def answer(method: str, path: str, body: bytes) -> Answer:
            return self._answer(ns, str(cluster), method, path.split("?")[0], body)

        answer.websocket = lambda path: self._tail(ns, str(cluster), path.split("?")[0])  # type: ignore[attr-defined]
        return answer

    def _tail(self, ns: str, cluster: str, path: str) -> tuple[Answer | None, Iterator[str]]:
        """``/api/jobs/{id}/logs/tail`` (job_head.py tail_job_logs): 404 before the upgrade for a
        job it does not know; else the log as text messages, each what was written since the last,
        polled (job_manager.py tail_job_logs, LOG_TAIL_SLEEP_S), closed once the job has ended and
        its log is sent. A cluster deleted meanwhile takes its head with it: the connection is cut
        with no close frame. The empty messages are the emulator proxy's "nothing yet"
        (server_streams.py _proxy_websocket), never sent."""
        match = _TAIL_PATH.match(path)
        if match is None:
            return (404, {"Content-Type": "text/plain"}, b"404: Not Found"), iter(())
        job_id = match["id"]
        with self._lock:
            if job_id not in self._jobs.get((ns, cluster), {}):
                return _missing(job_id), iter(())

        def messages() -> Iterator[str]:
            sent = 0
            while True:
                with self._lock:
                    info = self._jobs.get((ns, cluster), {}).get(job_id)
                    if info is None:
                        raise ConnectionAbortedError(f"the head of cluster {ns}/{cluster} is gone")
                    info = self._advance(ns, cluster, info)
                    logs, ended = str(info["logs"]), info["status"] in TERMINAL
                if len(logs) > sent:
                    yield logs[sent:]
                    sent = len(logs)
                elif ended:
                    return
                else:
                    yield ""
                    time.sleep(min(max(self.delay, 0.01), 0.05))

        return None, messages()

    def _answer(self, ns: str, cluster: str, method: str, path: str, body: bytes = b"") -> Answer:
        if path.rstrip("/") == "/api/jobs":
            if method == "POST":
                with self._lock:
                    return self._submit_request(ns, cluster, body)
            if method == "GET":
                return _json(self.jobs(ns, cluster))
        match = _JOB_PATH.match(path)
        if match is None:
            return 404, {"Content-Type": "text/plain"}, b"404: Not Found"  # aiohttp's unrouted answer
        job_id, rest = match["id"], match["rest"]
        with self._lock:
            info = self._jobs.get((ns, cluster), {}).get(job_id)
            if info is None:
                return _missing(job_id)
            info = self._advance(ns, cluster, info)
            if rest == "/stop" and method == "POST":
                running = info["status"] not in TERMINAL
                if running:
                    self._stops.setdefault((ns, cluster, job_id), time.monotonic())
                return _json({"stopped": running})
            if rest == "/logs" and method == "GET":
                return _json({"logs": info["logs"]})
            if rest is None and method == "GET":
                return _json(_shown(info))
            if rest is None and method == "DELETE":
                return self._delete(ns, cluster, info)
        return 405, {"Content-Type": "text/plain"}, b"405: Method Not Allowed"


def _dashboard_port(rc: Any) -> int:
    """The port the head's dashboard listens on: ``ray start --dashboard-port`` from the head's
    rayStartParams, else Ray's default 8265 (ray-project/ray python/ray/_private/ray_constants.py
    DEFAULT_DASHBOARD_PORT; ray-project/kuberay v1.7.0 ray-operator/controllers/ray/common/pod.go
    initLivenessAndReadinessProbe probes getPort("dashboard-port", utils.DefaultDashboardPort))."""
    params = (((rc or {}).get("spec") or {}).get("headGroupSpec") or {}).get("rayStartParams") or {}
    value = str(params.get("dashboard-port") or "")
    return int(value) if value.isdigit() else DASHBOARD_PORT
