"""Which logs tell a Ray cluster's or job's story, and reading them with the container named.

KubeRay adds an ``autoscaler`` container to the head pod of an autoscaling cluster
(ray-project/kuberay ray-operator/controllers/ray/common/pod.go BuildAutoscalerContainer), so a
log request without a container name fails on every such head pod. ``kubectl ray log``
(kubectl-plugin/pkg/cmd/log/log.go) reads the first container, "the Ray container", then copies
the Ray session logs out of it through exec: so does akscli, and it saves the autoscaler's log
beside them.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from akscli.errors import AkscliError, NotFoundError, UsageError
from akscli.kube.readiness.kuberay import first_line, remake_hint, resume_hint
from akscli.ray.follow import submitter_pods, wait_for_submitter
from akscli.ray.job import SIDECAR_SUBMITTER, interactive_hint, job_phase
from akscli.ray.job_api import follow as follow_log
from akscli.ray.job_api import head_of, log_text, read
from akscli.ray.live import Progress, head_pod
from akscli.ray.spec import CLUSTER_LABEL, NODE_TYPE_LABEL

if TYPE_CHECKING:
    from akscli.kube.client import Kube

# common/pod.go AutoscalerContainerName (SIDECAR_SUBMITTER, from ray/job.py: utils/constant.go SubmitterContainerName).
AUTOSCALER_CONTAINER = "autoscaler"


@dataclass(frozen=True)
class LogSource:
    """One container's log: where it is and the file ``--out-dir`` writes it to."""

    pod: str
    container: str | None
    file: str


def ray_container(pod: Mapping[str, Any]) -> str | None:
    """The Ray container of a Ray pod: always the first (utils/constant.go RayContainerIndex = 0)."""
    containers = (pod.get("spec") or {}).get("containers") or []
    return str(containers[0].get("name")) if containers else None


def _sources(pod: Mapping[str, Any], with_sidecars: bool) -> list[LogSource]:
    name = str(pod["metadata"]["name"])
    sources = [LogSource(name, ray_container(pod), f"{name}.log")]
    if with_sidecars:
        for container in (pod.get("spec") or {}).get("containers") or []:
            if container.get("name") == AUTOSCALER_CONTAINER:
                sources.append(LogSource(name, AUTOSCALER_CONTAINER, f"{name}.{AUTOSCALER_CONTAINER}.log"))
    return sources


def cluster_log_sources(
    kube: Kube, namespace: str, cluster: str, node_type: str = "all", with_sidecars: bool = False
) -> list[LogSource]:
    """The Ray container of each head and/or worker pod (and the autoscaler's, ``with_sidecars``)."""
    selector = f"{CLUSTER_LABEL}={cluster}"
    if node_type != "all":
        selector += f",{NODE_TYPE_LABEL}={node_type}"
    sources: list[LogSource] = []
    for pod in kube.list("v1", "Pod", namespace=namespace, label_selector=selector):
        sources += _sources(pod, with_sidecars)
    return sources


def save_logs(
    kube: Kube, namespace: str, sources: Iterable[LogSource], directory: Path, tail: int | None, progress: Progress
) -> None:
    """Write each log to ``directory/FILE``, streaming (a log can be larger than memory)."""
    directory = directory.expanduser()
    for source in sources:
        path = directory / source.file
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as handle:
                for line in kube.logs(namespace, source.pod, container=source.container, tail_lines=tail):
                    handle.write(line + "\n")
        except OSError as exc:
            raise UsageError(
                f"cannot write {path}: {exc.strerror or exc}",
                hint="give --out-dir a directory you can write to",
            ) from exc
        progress(f"wrote {path}")


# kubectl-plugin/pkg/cmd/log/log.go: filePathInPod and the tar command it runs through exec.
SESSION_LOGS = "/tmp/ray/session_latest/logs/"
SESSION_TAR = ["tar", "--warning=no-file-changed", "-cf", "-", "-C", SESSION_LOGS, "."]


def extract_session_logs(archive: IO[bytes], directory: Path) -> int:
    """Unpack a tar of Ray session logs under ``directory``; the number of files written.

    Only directories and regular files, each inside ``directory`` (a path that escapes it is
    refused), as log.go's downloadRayLogFiles does.
    """
    base = directory.resolve()
    count = 0
    with tarfile.open(fileobj=archive, mode="r|") as tar:
        for member in tar:
            target = (base / member.name).resolve()
            if target != base and base not in target.parents:
                raise AkscliError(
                    f"illegal file path in the Ray log archive: {member.name}", hint="the pod sent an unsafe archive"
                )
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                source = tar.extractfile(member)
                if source is None:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as handle:
                    shutil.copyfileobj(source, handle)
                count += 1
    return count


def save_session_logs(
    kube: Kube, namespace: str, sources: Iterable[LogSource], directory: Path, progress: Progress
) -> None:
    """Copy each Ray container's session logs (raylet, GCS, drivers) into ``directory/POD/``
    through exec, as ``kubectl ray log`` does; where exec is refused, say so once and go on."""
    seen: set[str] = set()
    for source in sources:
        if source.pod in seen or source.container in (AUTOSCALER_CONTAINER, SIDECAR_SUBMITTER):
            continue
        seen.add(source.pod)
        target = directory.expanduser() / source.pod
        try:
            with tempfile.TemporaryFile() as spool:
                for chunk in kube.exec_output(namespace, source.pod, source.container, SESSION_TAR):
                    spool.write(chunk)
                spool.seek(0)
                count = extract_session_logs(spool, target)
        except (AkscliError, tarfile.TarError, OSError) as exc:
            why = exc.message if isinstance(exc, AkscliError) else str(exc)
            progress(f"Ray session logs ({SESSION_LOGS}) not gathered: {why}")
            return
        progress(f"wrote {count} Ray session log file(s) under {target}")


# A job in these states gets no submitter however long a follow waits: Suspended until it is
# resumed, ValidationFailed for good (rayjob_controller.go).
NEVER_SUBMITTED = ("Suspended", "ValidationFailed")


def submission_mode(job: Mapping[str, Any]) -> str:
    """rayjob_types.go JobSubmissionMode; K8sJobMode when unset."""
    return str((job.get("spec") or {}).get("submissionMode") or "K8sJobMode")


def _not_running(job: Mapping[str, Any], what: str) -> NotFoundError:
    ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
    deployment, _ = job_phase(job)
    if deployment == "Suspended":
        # rayjob_controller.go: suspending deletes the cluster and the submitter and clears
        # rayClusterName and jobId; nothing of the run is left to read.
        return NotFoundError(
            f"Ray job {name} is suspended: KubeRay deleted its cluster and submitter, so it has no {what}",
            hint=resume_hint(name, ns),
        )
    if deployment == "ValidationFailed":
        # rayjob_controller.go Reconcile: a refused RayJob gets no cluster and no submitter, ever.
        why = first_line((job.get("status") or {}).get("message"))
        return NotFoundError(
            f"Ray job {name} was refused by KubeRay (ValidationFailed): it never ran, so it has no {what}"
            + (f": {why}" if why else ""),
            hint=remake_hint(name, ns),
        )
    if deployment == "Waiting":
        # InteractiveMode: KubeRay submits nothing; it waits for spec.jobId (rayjob_controller.go).
        return NotFoundError(
            f"Ray job {name} is waiting for its job ID (InteractiveMode): KubeRay submits nothing itself, "
            f"so it has no {what} yet",
            hint=interactive_hint(name, ns),
        )
    return NotFoundError(
        f"Ray job {name} has no {what} yet ({deployment})",
        hint=f"see why: akscli ray job status {name} -n {ns}",
    )


def job_log_sources(kube: Kube, job: Mapping[str, Any]) -> list[LogSource]:
    """The logs that tell a job's story: its latest submitter, then its cluster's head (the Ray
    container, the autoscaler, and in SidecarMode the submitter container)."""
    ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
    sources = [_sources(p, False)[0] for p in submitter_pods(kube, ns, name)[-1:]]
    cluster = (job.get("status") or {}).get("rayClusterName")
    head = head_pod(kube, ns, str(cluster)) if cluster else None
    if head is not None:
        sources += _sources(head, True)
        head_name = str(head["metadata"]["name"])
        if any(c.get("name") == SIDECAR_SUBMITTER for c in (head.get("spec") or {}).get("containers") or []):
            sources.append(LogSource(head_name, SIDECAR_SUBMITTER, f"{head_name}.{SIDECAR_SUBMITTER}.log"))
    if not sources:
        raise _not_running(job, "submitter or head pod")
    return sources


def job_output_source(
    kube: Kube, job: Mapping[str, Any], follow: bool, timeout: float, progress: Progress
) -> LogSource | None:
    """The log that is the job's output; None for HTTPMode and InteractiveMode (read it with
    ``dashboard_job_logs``).

    K8sJobMode: the submitter pod; SidecarMode: the ``ray-job-submitter`` container of the head
    pod; HTTPMode has neither (rayjob_controller.go: "In HTTPMode and SidecarMode, there's no job
    submitter pod"), and neither has InteractiveMode: KubeRay creates no submitter and waits
    (``Waiting``) for the user's own submission's ID in ``spec.jobId`` (rayjob_controller.go,
    ray-project/kuberay v1.7.0). With ``follow``, wait for the submitter to start.
    """
    ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
    mode = submission_mode(job)
    if mode in ("HTTPMode", "InteractiveMode"):
        return None
    if mode == "SidecarMode":
        cluster = (job.get("status") or {}).get("rayClusterName")
        head = head_pod(kube, ns, str(cluster)) if cluster else None
        if head is None:
            raise _not_running(job, "head pod")
        head_name = str(head["metadata"]["name"])
        return LogSource(head_name, SIDECAR_SUBMITTER, f"{head_name}.{SIDECAR_SUBMITTER}.log")
    submitters = submitter_pods(kube, ns, name)
    if submitters:
        return _sources(submitters[-1], False)[0]
    if not follow or job_phase(job)[0] in NEVER_SUBMITTED:
        error = _not_running(job, "submitter pod")
        if job_phase(job)[0] not in NEVER_SUBMITTED:
            error.hint = f"{error.hint}, or stream it with --follow"
        raise error
    # The submitter starts once the cluster is up, which can take many minutes on GPUs.
    progress(f"waiting up to {timeout:g}s for the submitter of Ray job {name}")
    pod = wait_for_submitter(kube, ns, name, timeout)
    return LogSource(pod, None, f"{pod}.log")


def dashboard_job_logs(
    kube: Kube, job: Mapping[str, Any], follow: bool = False, last: int | None = None
) -> Iterator[str]:
    """An HTTPMode or InteractiveMode job's logs from the Ray job API on its head: ``GET
    /api/jobs/{id}/logs`` once, or with ``follow`` the log tail websocket's chunks until the job
    has ended (akscli.ray.job_api.follow, ``last``: --tail's lines of what was written before), as
    ``ray job logs [--follow]`` reads them."""
    ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
    status = job.get("status") or {}
    cluster, job_id = status.get("rayClusterName"), status.get("jobId")
    if not cluster or not job_id:
        raise _not_running(job, "Ray job on its cluster")
    service = head_of(kube, ns, str(cluster))
    if service is None:
        raise _not_running(job, "cluster")
    if follow:
        yield from follow_log(kube, ns, str(cluster), service, str(job_id), last)
        return
    hint = f"see the head's state: akscli ray job status {name} -n {ns}"
    yield log_text(read(kube, ns, str(cluster), service, f"api/jobs/{job_id}/logs", hint), str(cluster))
