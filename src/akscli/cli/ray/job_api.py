"""akscli ray job stop|delete|status|logs NAME --cluster C: NAME is then the submission ID of a job
on that cluster's Ray job API (the head's dashboard, through the API server's service proxy), as
Ray's own ``ray job stop|delete|status|logs`` take it (ray-project/ray
python/ray/dashboard/modules/job/cli.py). The logic is akscli.ray.job_api's."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from akscli import errors, output, validate
from akscli import ray as logic
from akscli.cli import common
from akscli.cli import options as opts
from akscli.cli.ray.common import audit

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# --cluster on stop, delete, status and logs: NAME is then the submission ID of a job on the
# cluster's Ray job API (ray job submit, the Ray SDK, or a RayJob's own for status and logs), as
# `ray job list --cluster` lists it.
ApiCluster = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        "-c",
        help="NAME is the submission ID of a job on this Ray cluster's Ray job API (DEPLOYMENT <none> in "
        "ray job list --cluster), not a RayJob.",
        show_default=False,
    ),
]


def api_job_target(name: str, cluster: str, mode: str, k8s: opts.KubeFlags, action: str) -> "tuple[Kube, Any]":
    """The job ``name`` (a submission ID) on the Ray job API of ``cluster``, checked before
    anything is read: the Ray job API has no dry run, so --dry-run=server is refused (as stop
    refuses it for a RayJob on a shared cluster)."""
    job_id = logic.submission_id(name)
    validate.name(cluster, "Ray cluster name")
    if mode == "server":
        raise errors.UsageError(
            f"--dry-run=server cannot {action} Ray job {job_id}: the Ray job API has no dry run",
            hint="use --dry-run=client to see the request that would be sent",
        )
    kube, ns = k8s.connect_ns()
    return kube, logic.api_job(kube, ns, cluster, job_id, action)


def _to_read(name: str, cluster: str, k8s: opts.KubeFlags) -> "tuple[Kube, Any]":
    job_id = logic.submission_id(name)
    validate.name(cluster, "Ray cluster name")
    kube, ns = k8s.connect_ns()
    return kube, logic.api_job_to_read(kube, ns, cluster, job_id)


def stop(name: str, cluster: str, k8s: opts.KubeFlags, yes: bool, mode: str, fmt: str, wait: float | None) -> None:
    """`ray job stop ID --cluster C`: ``POST /api/jobs/ID/stop``, then (``wait``: --timeout's
    seconds, None for --no-wait) the job's status every second until it is terminal, as Ray's
    ``ray job stop`` does unless ``--no-wait`` (ray-project/ray
    python/ray/dashboard/modules/job/cli.py stop; sdk.py stop_job, get_job_status)."""
    kube, job = api_job_target(name, cluster, mode, k8s, "stop")
    request = job.request("POST", "stop")
    if mode == "client":
        common.print_requests([request], fmt, mode)
        return
    common.confirm(f"stop Ray job {job.job_id} on cluster {cluster}", yes)
    running = logic.stop_api_job(kube, job)
    audit("ray job stop", kube, f"raycluster.ray.io/{cluster}", "stop", job=job.job_id)
    if not running:
        output.info(f"Ray job {job.job_id} already ended: the Ray job API of cluster {cluster} found it not running")
        return
    if output.structured(fmt):
        output.emit_object({"job": job.job_id, "cluster": cluster, "namespace": job.namespace, "request": request}, fmt)
    else:
        output.write(job.job_id + ("" if fmt == "name" else " stopping"))
    if wait is not None:
        # cli.py stop: "Waiting for job '{id}' to exit (disable with --no-wait):"
        output.info(f"waiting up to {wait:g}s for Ray job {job.job_id} to exit (disable with --no-wait)")
        details = logic.wait_for_api_job(kube, job, wait, output.progress)
        output.info(f"Ray job {job.job_id} ended: {_said(details)}")


def _said(details: dict[str, Any]) -> str:
    return str(details.get("status") or "") + (f" ({details['message']})" if details.get("message") else "")


def delete(name: str, cluster: str, k8s: opts.KubeFlags, delete: opts.DeleteFlags) -> None:
    """`ray job delete ID --cluster C`: ``DELETE /api/jobs/ID``, as Ray's ``ray job delete``
    (ray-project/ray python/ray/dashboard/modules/job/cli.py delete: "Only supported for jobs that
    are already in a terminal state"; sdk.py delete_job). Ray forgets the job in the request
    itself (job_manager.py delete_job), so --wait has nothing left to wait for."""
    mode = opts.dry_run_mode(delete.dry_run)
    with errors.absent_is_done(delete.ignore_not_found):
        kube, job = api_job_target(name, cluster, mode, k8s, "delete")
        request = job.request("DELETE")
        if mode == "client":
            common.print_requests([request], delete.output or "yaml", mode, names=[job.job_id])
            return
        common.confirm(f"delete Ray job {job.job_id} from cluster {cluster}", delete.yes)
        logic.delete_api_job(kube, job)
        audit("ray job delete", kube, f"raycluster.ray.io/{cluster}", "delete", job=job.job_id)
        output.write(job.job_id + ("" if delete.output == "name" else " deleted"))


# The rows of `ray job status ID --cluster C`, from JobDetails (ray-project/ray
# python/ray/dashboard/modules/job/pydantic_models.py): what cli.py _log_job_status prints (the
# status and its message), with the job's entrypoint and times.
STATUS_FIELDS = ("submission_id", "type", "status", "message", "entrypoint", "start_time", "end_time")


def status(name: str, cluster: str, k8s: opts.KubeFlags, fmt: str, wait: float | None) -> None:
    """`ray job status ID --cluster C`: ``GET /api/jobs/ID`` (Ray's ``ray job status``: cli.py
    status, sdk.py get_job_info); with ``wait`` (--wait's --timeout) followed until it ends, exit
    10 unless it SUCCEEDED, as `ray job status --wait` of a RayJob."""
    kube, job = _to_read(name, cluster, k8s)
    details = (
        logic.wait_for_api_job(kube, job, wait, output.progress) if wait is not None else logic.api_job_info(kube, job)
    )
    shown = {"cluster": cluster, "namespace": job.namespace, **details}
    rows = [(k, logic.api_job_time(shown[k]) if k.endswith("_time") else shown[k]) for k in STATUS_FIELDS]
    fields = [("cluster", cluster), *((k, v) for k, v in rows if v not in (None, ""))]
    output.emit_object(shown, fmt, fields=fields if fmt in ("table", "wide") else None, name=lambda _: job.job_id)
    if wait is not None and details.get("status") != "SUCCEEDED":
        raise errors.ObjectFailedError(
            f"Ray job {job.job_id} on cluster {cluster} ended {_said(details)}",
            hint=f"read its logs: {job.hint('logs')}",
        )


def logs(name: str, cluster: str, k8s: opts.KubeFlags, tail: int | None, follow: bool) -> None:
    """`ray job logs ID --cluster C [--follow]`: ``GET /api/jobs/ID/logs`` once, or the log tail
    websocket until the job has ended (cli.py logs; sdk.py get_job_logs, tail_job_logs)."""
    kube, job = _to_read(name, cluster, k8s)
    write_log(logic.api_job_log(kube, job, stream=follow, last=tail), tail if not follow else None)


def write_log(chunks: Iterable[str], tail: int | None = None) -> None:
    """A Ray job's log, each whole line printed as it comes (a followed log's chunks end anywhere);
    ``tail``: only the last lines of a log read once, as the kubelet answers tailLines."""
    if tail is not None:
        lines = "".join(chunks).splitlines()
        for line in lines[max(len(lines) - tail, 0) :]:
            output.write(line, raw=True)
        return
    pending = ""
    for chunk in chunks:
        *done, pending = (pending + chunk).split("\n")
        for line in done:
            output.write(line, raw=True)  # the job's log, as kubectl logs prints one
    if pending:
        output.write(pending, raw=True)
