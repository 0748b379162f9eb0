"""A Ray cluster's Ray job API (the head's dashboard on port 8265), reached through the API
server's service proxy: the jobs no RayJob made, which ``ray job list --cluster`` adds to the
RayJobs, and a job's logs, read once or followed over the log tail websocket.

Upstream: ray-project/ray python/ray/dashboard/modules/job/job_head.py (``GET /api/jobs/``:
list_jobs, every job the cluster ran, submission jobs and then driver jobs; ``GET
/api/jobs/{id}/logs``: get_job_logs; ``/api/jobs/{id}/logs/tail``: tail_job_logs, a websocket of
text messages, each a chunk of the driver's log, closed once the job has ended and its log is read
to the end); pydantic_models.py JobDetails (``type`` SUBMISSION or DRIVER, ``submission_id``,
``job_id``, ``status``, ``entrypoint``, ``start_time`` and ``end_time`` in ms since the epoch).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from akscli import timestamps
from akscli.errors import AkscliError, NotFoundError
from akscli.kube.reach import GATEWAY_ANSWERS, gateway_error, not_serving
from akscli.ray.live import head_not_serving
from akscli.ray.spec import DASHBOARD_PORT, RAY_API
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


def read(kube: Kube, namespace: str, cluster: str, service: str, path: str, hint: str) -> bytes:
    """``GET path`` on the cluster's Ray job API: its body, or one error for the proxy's 503 (no
    ready head), a gateway's 502/504, or another answer (the Ray job API's own 404 ``Job ID does
    not exist`` among them)."""
    code, body = kube.proxy(namespace, service, DASHBOARD_PORT, path, answers=frozenset({404, 503, 502, 504}))
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
            return NotFoundError(
                f"the Ray job API of cluster {cluster} does not know job {job_id}: {text}",
                hint=f"list the cluster's jobs: akscli ray job list --cluster {cluster} -n {namespace}",
            )
        return AkscliError(
            f"the Ray dashboard of cluster {cluster} refused to stream the logs of job {job_id}: HTTP {status} {text}",
            hint=f"see the head's state: akscli ray cluster status {cluster} -n {namespace}",
        )

    yield from kube.proxy_websocket(namespace, service, DASHBOARD_PORT, f"api/jobs/{job_id}/logs/tail", refused)
