"""Waiting on Ray jobs and pods by watching them (never polling): a job until it finishes, its
submitter until it starts, and any pods by label."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from akscli.errors import NotFoundError, WaitTimeoutError
from akscli.kube.readiness.kuberay import first_line
from akscli.output import kind_ref
from akscli.ray.diagnose import diagnose_job
from akscli.ray.job import job_attempt, job_finished, job_phase
from akscli.ray.live import Progress, not_found
from akscli.ray.spec import RAY_API, SUBMITTER_LABEL

if TYPE_CHECKING:
    from akscli.concurrency import Cancellation
    from akscli.kube.client import Kube


def submitter_pods(kube: Kube, namespace: str, job: str) -> list[dict[str, Any]]:
    pods = list(kube.list("v1", "Pod", namespace=namespace, label_selector=f"{SUBMITTER_LABEL}={job}"))
    pods.sort(key=lambda p: str((p.get("metadata") or {}).get("creationTimestamp") or ""))
    return pods


def watch_pods(
    kube: Kube,
    namespace: str,
    selector: str,
    seconds_left: Callable[[], float],
    page_size: int = 50,
    cancel: Cancellation | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each pod matching ``selector`` as ADDED, then every change the watch sees, until
    ``seconds_left()`` is 0 or ``cancel`` is cancelled (its open watch is shut at once):
    kube/reflector.py's loop (every page of one snapshot, so that a pod past the first page is no
    less a match: a submitter Job's retried pods, a head being replaced; an expired watch or list
    lists again rather than miss a change)."""
    from akscli.kube.reflector import list_and_watch

    yield from list_and_watch(
        kube,
        "v1",
        "Pod",
        namespace=namespace,
        label_selector=selector,
        seconds_left=seconds_left,
        page_size=page_size,
        cancel=cancel,
    )


def wait_for_submitter(kube: Kube, namespace: str, job: str, timeout: float) -> str:
    """The name of the job's submitter pod once it has started, watching (never polling)."""
    deadline = time.monotonic() + timeout
    for event, pod in watch_pods(kube, namespace, f"{SUBMITTER_LABEL}={job}", lambda: deadline - time.monotonic()):
        if event != "DELETED" and (pod.get("status") or {}).get("phase") not in (None, "Pending"):
            return str(pod["metadata"]["name"])
    raise WaitTimeoutError(
        f"Ray job {job} did not start a submitter within {timeout:g}s",
        hint=f"see why: akscli ray job status {job} -n {namespace}",
    )


def wait_for_ray_job(
    kube: Kube, namespace: str, name: str, timeout: float, progress: Progress, start: Mapping[str, Any]
) -> dict[str, Any]:
    """An HTTPMode or InteractiveMode RayJob once the Ray job API of its cluster knows its job,
    watching (never polling). KubeRay writes status.jobStatus only from that job's info (the
    Running case's GetJobInfo; it is ``""``, JobStatusNew, until then: ray-project/kuberay
    ray-operator/controllers/ray/rayjob_controller.go initRayJobStatusIfNeed, and in HTTPMode the
    job is submitted only after a pass found it missing, reconcileHTTPModeJobNotFound). Ray's own
    ``ray job logs --follow`` of a job it knows waits for the job's log (ray-project/ray
    python/ray/dashboard/modules/job/job_manager.py tail_job_logs), but answers 404 for one it does
    not know yet (job_head.py tail_job_logs): so the wait is here. Returned at once for a job that
    has a status or has ended, is suspended (nothing runs until it is resumed) or is Waiting
    (InteractiveMode: the user submits the job and writes spec.jobId; logs.py says how)."""

    def ready(job: Mapping[str, Any]) -> bool:
        status = job.get("status") or {}
        held = job_phase(job)[0] in ("Suspending", "Suspended", "Waiting")
        return bool(status.get("jobStatus")) or job_finished(job) or held

    if ready(start):
        return dict(start)
    progress(f"waiting up to {timeout:g}s for Ray job {name} to reach the Ray job API of its cluster")
    deadline = time.monotonic() + timeout
    every = math.ceil(max(1.0, min(20.0, timeout / 4)))
    for update in _job_updates(kube, namespace, name, lambda: deadline - time.monotonic(), every, start):
        if update is not None and ready(update):
            return update
        if time.monotonic() >= deadline:
            break
    raise WaitTimeoutError(
        f"Ray job {name} did not reach the Ray job API of its cluster within {timeout:g}s",
        hint=f"see why: akscli ray job status {name} -n {namespace}, or raise --timeout",
    )


def follow_job(
    kube: Kube,
    namespace: str,
    name: str,
    timeout: float,
    progress: Progress,
    *,
    diagnose_every: float | None = None,
    start: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Watch a RayJob until it finishes or ``timeout`` passes; explain what it waits for.

    ``start``: the job as the caller read it (the create's or a GET's answer). The watch starts
    from its resourceVersion, so that every state the job passed through since is reported, the
    short-lived ones (Retrying) included, however late the follow begins; without it the job is
    listed, and a state it left before the list is never seen.

    The watch is cut into slices of ``diagnose_every`` seconds so that a job that waits (in
    Initializing for its cluster, or Running while the workers the autoscaler asked for sit
    Pending: GPU node pools scaling from zero take many minutes) is explained while the user
    waits, each distinct explanation once.

    A ``timeout`` of 0 checks once, as every wait's --timeout 0 (kube/wait.py check_once): ``start``
    judged, else one GET; a job not finished then is "condition not met" (exit 5).
    """
    if timeout == 0:
        return _check_once(kube, namespace, name, start)
    every = diagnose_every if diagnose_every is not None else max(1.0, min(20.0, timeout / 4))
    started = time.monotonic()
    deadline = started + timeout
    job: dict[str, Any] = {}
    last_phase: tuple[str, str] | None = None
    said: set[str] = set()
    for update in _job_updates(kube, namespace, name, lambda: deadline - time.monotonic(), math.ceil(every), start):
        if update is None:
            if not job_finished(job) and time.monotonic() - started >= every:
                _explain(kube, job, said, progress)
            continue
        job = update
        if job_phase(job) != last_phase:
            last_phase = job_phase(job)
            attempt = job_attempt(job)
            progress(
                f"{kind_ref(RAY_API, 'RayJob', name)}: deployment {last_phase[0]}, job {last_phase[1]}"
                + (f" ({attempt})" if attempt else "")
                + f" [{time.monotonic() - started:,.0f}s]"
            )
        if job_finished(job):
            return job
        if time.monotonic() >= deadline:
            break
    deployment, status = job_phase(job)
    findings = diagnose_job(kube, job) if job else []
    why = "; ".join(first_line(f.line()) for f in findings[:3])
    # A Waiting job (InteractiveMode) does not run until its job ID is written: the finding says how.
    keeps = "it waits for its job ID" if deployment == "Waiting" else "it keeps running"
    raise WaitTimeoutError(
        f"Ray job {name} is still {deployment} (job {status}) after {timeout:g}s" + (f": {why}" if why else ""),
        hint=f"{keeps}; follow it with akscli ray job status {name} -n {namespace}, or raise --timeout",
    )


def _check_once(kube: Kube, namespace: str, name: str, start: Mapping[str, Any] | None) -> dict[str, Any]:
    """follow_job's --timeout 0: the RayJob (``start``, else read) checked once by the wait's own code."""
    from akscli.kube import readiness
    from akscli.kube.wait import check_once

    def finished(job: Mapping[str, Any]) -> readiness.Readiness:
        deployment, status = job_phase(job)
        return readiness.Readiness(job_finished(job), message=f"deployment {deployment}, job {status}")

    job = start or {"apiVersion": RAY_API, "kind": "RayJob", "metadata": {"name": name, "namespace": namespace}}
    return dict(check_once(kube, job, finished))


def _job_updates(
    kube: Kube,
    namespace: str,
    name: str,
    seconds_left: Callable[[], float],
    every: int,
    start: Mapping[str, Any] | None = None,
) -> Iterator[dict[str, Any] | None]:
    """The RayJob as listed (or ``start``, the job as the caller read it), then each change the
    watch sees; None after the list and after each watch of ``every`` seconds, until
    ``seconds_left()`` is 0. kube/reflector.py's loop on the job's name: a closed watch resumes
    from its last version, a 410 lists again (never a GET). With ``start`` the first watch is from
    its resourceVersion, as client-go's Until from an initial version (upstream: kubernetes/client-go
    v0.35.0 tools/watch/until.go Until), so no write after it is missed."""
    from akscli.kube.reflector import SYNCED, list_and_watch

    if start is not None:
        yield dict(start)

    for event, obj in list_and_watch(
        kube,
        RAY_API,
        "RayJob",
        namespace=namespace,
        name=name,
        seconds_left=seconds_left,
        synced=True,
        watch_seconds=every,
        start=start,
    ):
        if event == "DELETED":
            raise NotFoundError(f"Ray job {name} was deleted while waiting")
        if event != SYNCED:
            yield obj
        elif not obj["items"]:
            raise not_found("RayJob", name, namespace)  # the list has no such job
        else:
            yield None


def _explain(kube: Kube, job: Mapping[str, Any], said: set[str], progress: Progress) -> None:
    """Say why a job still waits, each reason once."""
    for finding in diagnose_job(kube, job):
        line = first_line(finding.line())  # a retried job's message carries the failed attempt's log
        if line not in said:
            said.add(line)
            progress(f"waiting: {line}")
