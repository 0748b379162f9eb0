"""A Ray cluster's Ray job API (the head's dashboard on port 8265), reached through the API
server's service proxy: the jobs no RayJob made, which ``ray job list --cluster`` adds to the
RayJobs and ``ray job stop|delete --cluster`` stop and delete, and a job's logs, read once or
followed over the log tail websocket.

Upstream: ray-project/ray python/ray/dashboard/modules/job/job_head.py (``GET /api/jobs/``:
list_jobs, every job the cluster ran, submission jobs and then driver jobs; ``GET
/api/jobs/{id}/logs``: get_job_logs; ``/api/jobs/{id}/logs/tail``: tail_job_logs, a websocket of
text messages, each a chunk of the driver's log, closed once the job has ended and its log is read
to the end); pydantic_models.py JobDetails (``type`` SUBMISSION or DRIVER, ``submission_id``,
``job_id``, ``status``, ``entrypoint``, ``start_time`` and ``end_time`` in ms since the epoch);
``POST /api/jobs/{id}/stop`` (job_head.py stop_job, JobStopResponse ``stopped``) and ``DELETE
/api/jobs/{id}`` (job_head.py delete_job; job_manager.py delete_job refuses a job not in a terminal
state; cli.py delete: "Only supported for jobs that are already in a terminal state").
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import timestamps
from akscli.errors import AkscliError, ConflictError, NotFoundError, UsageError, WaitTimeoutError
from akscli.kube.reach import GATEWAY_ANSWERS, gateway_error, not_serving, proxy_path
from akscli.ray.live import head_not_serving, not_found, was_running
from akscli.ray.spec import DASHBOARD_PORT_NAME, RAY_API
from akscli.ray.status import head_service

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# The DEPLOYMENT cell of a job no RayJob made: KubeRay deploys nothing for it (kubectl's word for
# a missing value).
NOT_A_RAYJOB = "<none>"


def head_of(kube: Kube, namespace: str, cluster: str) -> str | None:
    """The head Service of RayCluster ``cluster``; None when there is no such RayCluster."""
    rc = kube.get(RAY_API, "RayCluster", cluster, namespace=namespace)
    return None if rc is None else head_service(rc)


# The submission IDs akscli puts in a request's path: Ray's own (``raysubmit_`` and 16 letters and
# digits: job_manager.py generate_job_id), KubeRay's (``<RayJob name>-<5 chars>``: utils/util.go
# GenerateRayJobId) and a driver job's hex job ID. Ray takes any string (sdk.py submit_job); an ID
# with other characters is refused here rather than sent in a path it would change.
SUBMISSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# job_manager.py delete_job: "Attempted to delete job '{id}', but it is in a non-terminal state {status}."
# (common.py JobStatus's str is its value; the enum's own name is taken too).
NOT_ENDED = re.compile(r"in a non-terminal state (?:JobStatus\.)?(\w+)")


def submission_id(value: str) -> str:
    """``value`` as a Ray job's submission ID, or a usage error."""
    if not SUBMISSION_ID.fullmatch(value):
        raise UsageError(
            f"invalid Ray job submission ID {value!r}: use letters, digits, '_', '-' and '.' (at most 128)",
            hint="list the cluster's jobs and their IDs: akscli ray job list --cluster NAME -n NAMESPACE",
        )
    return value


@dataclass(frozen=True)
class ApiJob:
    """A job on a Ray cluster's Ray job API that no RayJob made: where ``ray job stop|delete
    --cluster`` send their request."""

    namespace: str
    cluster: str
    service: str
    job_id: str

    def request(self, method: str, path: str = "") -> dict[str, Any]:
        """The request, as --dry-run prints it."""
        tail = f"api/jobs/{self.job_id}" + (f"/{path}" if path else "")
        return {"method": method, "path": proxy_path(self.namespace, self.service, DASHBOARD_PORT_NAME, tail)}

    def hint(self, command: str) -> str:
        return f"akscli ray job {command} {self.job_id} --cluster {self.cluster} -n {self.namespace}"


def api_job_to_read(kube: Kube, namespace: str, cluster: str, job_id: str) -> ApiJob:
    """Job ``job_id`` on the Ray job API of RayCluster ``cluster``, to read (its status, its logs):
    any job the API knows, a RayJob's own among them, as Ray's ``ray job status|logs`` read any
    submission ID (ray-project/ray python/ray/dashboard/modules/job/cli.py status, logs)."""
    service = head_of(kube, namespace, cluster)
    if service is None:
        raise not_found("RayCluster", cluster, namespace, kube)
    return ApiJob(namespace, cluster, service, job_id)


def api_job(kube: Kube, namespace: str, cluster: str, job_id: str, action: str) -> ApiJob:
    """Job ``job_id`` on the Ray job API of RayCluster ``cluster`` (read for its head Service). A
    RayJob's own job (its status.jobId on that cluster) is refused: KubeRay reads that job on each
    pass and, in HTTPMode, submits it again once the API no longer knows it
    (ray-project/kuberay ray-operator/controllers/ray/rayjob_controller.go reconcileHTTPModeJobNotFound);
    the hint names the RayJob to ``action`` (stop, delete) instead."""
    service = head_of(kube, namespace, cluster)
    if service is None:
        raise not_found("RayCluster", cluster, namespace, kube)
    for rayjob in kube.list(RAY_API, "RayJob", namespace=namespace):
        status = rayjob.get("status") or {}
        if status.get("jobId") == job_id and status.get("rayClusterName") == cluster:
            name = rayjob["metadata"]["name"]
            raise ConflictError(
                f"Ray job {job_id} on cluster {cluster} is RayJob {name}'s: KubeRay follows it",
                hint=f"name the RayJob instead, without --cluster: akscli ray job {action} {name} -n {namespace}",
            )
    return ApiJob(namespace, cluster, service, job_id)


def _send(kube: Kube, job: ApiJob, method: str, path: str) -> tuple[int, bytes]:
    """``method`` on the job's ``path`` (after ``api/jobs/ID``): the answer, but one error for the
    proxy's 503 (no ready head), a gateway's 502/504, and Ray's 404 ``Job ID does not exist``."""
    where = f"api/jobs/{job.job_id}" + (f"/{path}" if path else "")
    code, body = kube.proxy(
        job.namespace,
        job.service,
        DASHBOARD_PORT_NAME,
        where,
        method=method,
        answers=frozenset({404, 500, 502, 503, 504}),
    )
    if not_serving(code):
        raise head_not_serving(job.cluster, job.namespace, job.service)
    hint = f"see the head's state: akscli ray cluster status {job.cluster} -n {job.namespace}"
    if code in GATEWAY_ANSWERS:
        raise gateway_error(code, f"{method} /{where} on the Ray dashboard of cluster {job.cluster}", hint)
    if code == 404:
        raise unknown_job(job.cluster, job.namespace, job.job_id, body)
    return code, body


def _refused(job: ApiJob, what: str, code: int, body: bytes) -> AkscliError:
    last = body.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    return AkscliError(
        f"the Ray dashboard of cluster {job.cluster} refused to {what} job {job.job_id}: HTTP {code} {last[0][:200]}",
        hint=f"see the head's state: akscli ray cluster status {job.cluster} -n {job.namespace}",
    )


def stop(kube: Kube, job: ApiJob) -> bool:
    """``POST /api/jobs/ID/stop``; whether the job was running (``{"stopped": false}`` for one that
    had already ended: job_manager.py stop_job)."""
    code, body = _send(kube, job, "POST", "stop")
    if code >= 300:
        raise _refused(job, "stop", code, body)
    return was_running(body)


# ray-project/ray python/ray/dashboard/modules/job/common.py JobStatus.is_terminal.
TERMINAL = frozenset({"STOPPED", "SUCCEEDED", "FAILED"})
# cli.py stop: "Job has not exited yet", then ``time.sleep(1)`` before the next get_job_status.
POLL_SECONDS = 1.0


def info(kube: Kube, job: ApiJob) -> dict[str, Any]:
    """``GET /api/jobs/ID``: the job's details (job_head.py get_job_info; pydantic_models.py
    JobDetails: ``status``, ``message``, ``entrypoint``, ``start_time``, ``end_time``...)."""
    code, body = _send(kube, job, "GET", "")
    if code >= 300:
        raise _refused(job, "read", code, body)
    try:
        details = json.loads(body)
    except ValueError:
        details = None
    if not isinstance(details, dict):
        raise AkscliError(
            f"the Ray dashboard of cluster {job.cluster} did not answer with job {job.job_id}'s details",
            hint=f"see the head's state: akscli ray cluster status {job.cluster} -n {job.namespace}",
        )
    return details


def wait_ended(kube: Kube, job: ApiJob, timeout: float, progress: Callable[[str], None]) -> dict[str, Any]:
    """The job's details once it is STOPPED, SUCCEEDED or FAILED, as Ray's ``ray job stop`` waits
    unless ``--no-wait`` (cli.py stop: ``get_job_status`` every second until a terminal status;
    the Ray job API has no watch). Each status it passes through is said once; past ``timeout``
    seconds, a wait timeout (exit 5)."""
    deadline = time.monotonic() + timeout
    said = None
    while True:
        details = info(kube, job)
        status = str(details.get("status") or "")
        if status in TERMINAL:
            return details
        if status != said:
            said = status
            progress(f"Ray job {job.job_id} has not exited yet: {status}")
        left = deadline - time.monotonic()
        if left <= 0:
            raise WaitTimeoutError(
                f"Ray job {job.job_id} on cluster {job.cluster} is still {status} after {timeout:g}s",
                hint=f"see it: {job.hint('status')}, or raise --timeout",
            )
        time.sleep(min(POLL_SECONDS, left))


def delete(kube: Kube, job: ApiJob) -> None:
    """``DELETE /api/jobs/ID``. A job not ended is Ray's 500 whose traceback ends ``Attempted to
    delete job 'ID', but it is in a non-terminal state RUNNING.`` (job_manager.py delete_job; the
    agent answers any exception with its traceback: job_agent.py): a conflict, stop it first."""
    code, body = _send(kube, job, "DELETE", "")
    state = NOT_ENDED.search(body.decode("utf-8", "replace")) if code == 500 else None
    if state is not None:
        raise ConflictError(
            f"Ray job {job.job_id} on cluster {job.cluster} is {state.group(1)}: "
            "Ray deletes only a job that has ended (SUCCEEDED, FAILED or STOPPED)",
            hint=f"stop it first: {job.hint('stop')}",
        )
    if code >= 300:
        raise _refused(job, "delete", code, body)


def unknown_job(cluster: str, namespace: str, job_id: str, body: bytes) -> NotFoundError:
    """Ray's 404 ``Job ID does not exist`` (job_head.py) as one error."""
    text = body[:200].decode("utf-8", "replace").strip()
    return NotFoundError(
        f"the Ray job API of cluster {cluster} does not know job {job_id}: {text}",
        hint=f"list the cluster's jobs: akscli ray job list --cluster {cluster} -n {namespace}",
    )


def read(kube: Kube, namespace: str, cluster: str, service: str, path: str, hint: str) -> bytes:
    """``GET path`` on the cluster's Ray job API: its body, or one error for the proxy's 503 (no
    ready head), a gateway's 502/504, or another answer (the Ray job API's own 404 ``Job ID does
    not exist`` among them)."""
    code, body = kube.proxy(namespace, service, DASHBOARD_PORT_NAME, path, answers=frozenset({404, 503, 502, 504}))
    if not_serving(code):
        raise head_not_serving(cluster, namespace, service)
    if code in GATEWAY_ANSWERS:
        raise gateway_error(code, f"GET /{path} on the Ray dashboard of cluster {cluster} (Service {service})", hint)
    if code >= 300:
        text = body[:200].decode("utf-8", "replace").strip()
        raise AkscliError(f"the Ray dashboard of cluster {cluster} answered HTTP {code} for GET /{path}: {text}", hint)
    return body


def _when(ms: Any) -> str | None:
    return timestamps.format(int(ms) // 1000) if isinstance(ms, int) and ms > 0 else None


def api_job_row(job: Mapping[str, Any], namespace: str, cluster: str) -> dict[str, Any]:
    """A job of the Ray job API as a row of ``ray job list``'s table (the RayJob columns' paths):
    its submission ID (a driver job's job ID) as the name, DEPLOYMENT ``<none>``, Ray's status."""
    name = job.get("submission_id") or job.get("job_id") or "-"
    start, end = _when(job.get("start_time")), _when(job.get("end_time"))
    return {
        "metadata": {"name": str(name), "namespace": namespace, "creationTimestamp": start},
        "spec": {"entrypoint": job.get("entrypoint")},
        "status": {
            "jobDeploymentStatus": NOT_A_RAYJOB,
            "jobStatus": job.get("status"),
            "rayClusterName": cluster,
            "startTime": start,
            "endTime": end,
        },
    }


def api_only_jobs(
    kube: Kube, namespace: str, cluster: str, rayjobs: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The jobs on the Ray job API of ``cluster`` that are none of ``rayjobs``' (their
    status.jobId is the submission ID KubeRay gave, or in InteractiveMode the one the user wrote
    into spec.jobId), as table rows; none when there is no RayCluster of that name."""
    service = head_of(kube, namespace, cluster)
    if service is None:
        return []
    hint = f"see the head's state: akscli ray cluster status {cluster} -n {namespace}"
    body = read(kube, namespace, cluster, service, "api/jobs/", hint)
    try:
        listed = json.loads(body)
    except ValueError as exc:
        raise AkscliError(f"the Ray dashboard of cluster {cluster} did not answer with a job list", hint) from exc
    known = {str((j.get("status") or {}).get("jobId")) for j in rayjobs if (j.get("status") or {}).get("jobId")}
    jobs = [j for j in listed if isinstance(j, dict)] if isinstance(listed, list) else []
    return [api_job_row(j, namespace, cluster) for j in jobs if str(j.get("submission_id")) not in known]


def tail(kube: Kube, namespace: str, cluster: str, service: str, job_id: str) -> Iterator[str]:
    """The job's log as the Ray job API's tail websocket sends it, chunk by chunk, until the job
    has ended and its log is read (what ``ray job logs --follow`` reads: ray-project/ray
    python/ray/dashboard/modules/job/sdk.py tail_job_logs). Before upgrading, the head answers 404
    ``Job ID does not exist`` (job_head.py tail_job_logs) and the API server's proxy 503 while no
    ready head is behind the Service."""

    def refused(status: int, body: bytes) -> AkscliError:
        if not_serving(status):
            return head_not_serving(cluster, namespace, service)
        text = body[:200].decode("utf-8", "replace").strip()
        if status == 404:
            return unknown_job(cluster, namespace, job_id, body)
        return AkscliError(
            f"the Ray dashboard of cluster {cluster} refused to stream the logs of job {job_id}: HTTP {status} {text}",
            hint=f"see the head's state: akscli ray cluster status {cluster} -n {namespace}",
        )

    yield from kube.proxy_websocket(namespace, service, DASHBOARD_PORT_NAME, f"api/jobs/{job_id}/logs/tail", refused)


def log_text(body: bytes, cluster: str) -> str:
    """The text of ``GET /api/jobs/ID/logs``'s answer, ``{"logs": TEXT}`` (job_head.py get_job_logs,
    JobLogsResponse)."""
    try:
        return str(json.loads(body).get("logs") or "")
    except (ValueError, AttributeError) as exc:
        raise AkscliError(
            f"the Ray dashboard of {cluster} did not answer with job logs", hint="is it a Ray head?"
        ) from exc


def follow(kube: Kube, namespace: str, cluster: str, service: str, job_id: str, last: int | None) -> Iterator[str]:
    """The job's log followed over the tail websocket (``tail``); with ``last``, only the last
    ``last`` lines of what was written before, as ``kubectl logs -f --tail`` starts. The tail
    sends the log from its first byte (job_manager.py tail_job_logs reads the driver's log file
    from the start, file_tail_iterator), so the log is read once first (``GET
    /api/jobs/ID/logs``), its last lines are given, and the websocket's first characters, as
    many as that read held, are passed over."""
    skip = 0
    if last is not None:
        hint = f"see the head's state: akscli ray cluster status {cluster} -n {namespace}"
        text = log_text(read(kube, namespace, cluster, service, f"api/jobs/{job_id}/logs", hint), cluster)
        skip = len(text)
        lines = text.splitlines(keepends=True)
        # none for 0, as kubectl logs -f --tail=0 prints only what comes (``[-0:]`` is every line)
        yield "".join(lines[max(len(lines) - last, 0) :])
    for chunk in tail(kube, namespace, cluster, service, job_id):
        if skip >= len(chunk):
            skip -= len(chunk)
            continue
        yield chunk[skip:]
        skip = 0


def log(kube: Kube, job: ApiJob, *, stream: bool = False, last: int | None = None) -> Iterator[str]:
    """The job's log: ``GET /api/jobs/ID/logs`` once (job_head.py get_job_logs), or with ``stream``
    the tail websocket's chunks until the job has ended (``follow``: ``last`` lines first)."""
    if stream:
        yield from follow(kube, job.namespace, job.cluster, job.service, job.job_id, last)
        return
    hint = f"see the head's state: akscli ray cluster status {job.cluster} -n {job.namespace}"
    yield log_text(
        read(kube, job.namespace, job.cluster, job.service, f"api/jobs/{job.job_id}/logs", hint), job.cluster
    )


def shown_time(ms: Any) -> str | None:
    """JobDetails' ``start_time``/``end_time`` (ms since the epoch, 0 or None before) as akscli
    prints a time."""
    return _when(ms)
