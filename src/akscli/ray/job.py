"""A RayJob: its entrypoint, runtime environment and template values, and reading its phases."""

from __future__ import annotations

import re
import secrets
import shlex
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akscli import validate
from akscli.errors import AkscliError, ConflictError, ObjectFailedError, UsageError
from akscli.kube.readiness.kuberay import first_line, job_stopped, refusal
from akscli.printable import masked_command
from akscli.ray.job_cleanup import cluster_after_job
from akscli.ray.spec import CLUSTER_LABEL, DEFAULT_IMAGE_REPO, DEFAULT_RAY_VERSION, ray_name
from akscli.ray.workdir import WORKDIR_MOUNT

if TYPE_CHECKING:
    from akscli.ray.status import Finding

JOB_TERMINAL_DEPLOYMENT = frozenset({"Complete", "Failed", "ValidationFailed", "Suspended"})
JOB_TERMINAL_STATUS = frozenset({"SUCCEEDED", "FAILED", "STOPPED"})


def job_name(name: str | None) -> str:
    if name:
        return ray_name(name, "RayJob")
    alphabet = string.ascii_lowercase + string.digits
    return "rayjob-" + "".join(secrets.choice(alphabet) for _ in range(5))


def entrypoint(args: Sequence[str]) -> str:
    words = [a for a in args if a != "--"] if args[:1] == ["--"] else list(args)
    if not words or not any(w.strip() for w in words):
        raise UsageError(
            "the job has no entrypoint",
            hint="give the command after --, e.g. akscli ray job submit --cluster demo -- python train.py",
        )
    text = validate.text(words[0] if len(words) == 1 else shlex.join(words), "entrypoint", max_len=8192)
    from akscli.redact import remember

    hidden: list[str] = []
    masked_command(text, hidden)
    for value in hidden:  # an error, a log line or the audit log's result that quotes it shows ***
        remember(value)
    return text


def env_secret_warning(env: Sequence[str], namespace: str) -> str | None:
    """A warning for ``--env KEY=VALUE`` values that carry a secret (secret_hints.secret_keys), or None.

    The value is on akscli's command line (``ps``, the shell's history), and it is stored as plain
    text in the RayJob's ``spec.runtimeEnvYAML``, which KubeRay's submitter passes on its own command
    line (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/common/job.go BuildJobSubmitCommand:
    ``--runtime-env-json``). The fix uses upstream fields only: a Secret, given to the Ray containers
    as ``env`` ``valueFrom.secretKeyRef`` in the pod templates of the cluster's head and worker groups
    (a RayCluster file, ``ray cluster create -f``; the job then runs there with ``--cluster``). Ray's
    workers and drivers see the environment set "as part of your cluster setup configuration"
    (docs.ray.io ray-observability/user-guides/debug-apps/general-debugging: "Environment variables
    aren't passed from the Driver process to Worker processes").

    Each such value is remembered (akscli.redact.remember): an error, a log line or the audit log's
    result that quotes it (a server or webhook echoing the RayJob) shows ``***``; printed objects and
    plans show it as ``***`` too (akscli.printable.masked_env)."""
    from akscli.redact import remember
    from akscli.secret_hints import secret_from_stdin, secret_keys, secret_name_for

    keys = secret_keys(env)
    if not keys:
        return None
    for pair in env:
        key, _, value = pair.partition("=")
        if key in keys:
            remember(value)  # akscli.redact: never in an error, a log line or the audit log's result
    key = keys[0]
    secret = secret_name_for(key)
    named = ", ".join(f"--env {k}=..." for k in keys)
    return (
        f"{named} looks like a secret (the value is not shown): ps and the shell's history show akscli's command "
        "line, and the RayJob stores it as plain text in spec.runtimeEnvYAML, which the submitter passes on its "
        f"command line too. Keep it in a Secret instead: {secret_from_stdin(secret, namespace, key)}; then give it "
        f"to the Ray containers as env {key} valueFrom.secretKeyRef (name {secret}, key {key}) in the head and "
        "worker group templates of a cluster file, akscli ray cluster create NAME -f FILE, and submit the job "
        "there with --cluster NAME: Ray's workers and drivers see the containers' environment"
    )


def runtime_env(
    base: Mapping[str, Any] | None,
    *,
    pip: Sequence[str] = (),
    env: Sequence[str] = (),
    working_dir: str | None = None,
) -> dict[str, Any]:
    """Merge a runtime_env file with flags; flags win over the file."""
    result: dict[str, Any] = dict(base or {})
    if base is not None and not isinstance(base, Mapping):
        raise UsageError(
            "the runtime environment file is not a mapping",
            hint="write keys such as pip:, env_vars:, working_dir:",
        )
    if pip:
        result["pip"] = [validate.text(p, "pip requirement", 512) for p in pip]
    if env:
        env_vars = dict(result.get("env_vars") or {})
        for pair in env:
            key, eq, value = pair.partition("=")
            if not eq:
                raise UsageError(f"invalid --env {pair!r}: it has no '='", hint="write --env KEY=VALUE")
            env_vars[validate.env_name(key)] = validate.text(value, f"value of {key}", 4096)
        result["env_vars"] = env_vars
    if working_dir:
        result["working_dir"] = working_dir
    return result


def entrypoint_resources(pairs: Sequence[str]) -> dict[str, float]:
    result: dict[str, float] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.:/-]*", key):
            raise UsageError(
                f"invalid entrypoint resource {pair!r}",
                hint="write NAME=AMOUNT, e.g. --entrypoint-resource accel=1",
            )
        result[key] = validate.number(value, f"entrypoint resource {key}", 0)
    return result


@dataclass(frozen=True)
class JobSpec:
    name: str
    namespace: str
    entrypoint: str
    runtime_env_yaml: str | None = None
    cluster_selector: str | None = None
    entrypoint_cpus: float | None = None
    entrypoint_gpus: float | None = None
    entrypoint_resources: Mapping[str, float] = field(default_factory=dict)
    shutdown_after_finish: bool = True
    ttl_seconds: int = 300
    active_deadline_seconds: int | None = None
    backoff_limit: int = 0
    workdir_configmap: str | None = None
    workdir_items: tuple[Mapping[str, str], ...] = ()
    submitter_image: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


def job_values(spec: JobSpec, cluster_spec_obj: Mapping[str, Any] | None) -> dict[str, Any]:
    """Values for ``ray/rayjob.yaml.j2``; ``cluster_spec_obj`` is the rendered RayCluster spec."""
    import json

    submitter: dict[str, Any] | None = None
    if spec.workdir_configmap:
        # The submitter runs `ray job submit` with working_dir pointing at this mount, so Ray
        # uploads the directory to the cluster itself, also to an existing --cluster.
        submitter = {
            "image": spec.submitter_image or f"{DEFAULT_IMAGE_REPO}:{DEFAULT_RAY_VERSION}",
            "configmap": spec.workdir_configmap,
            "mount": WORKDIR_MOUNT,
            "items": [dict(i) for i in spec.workdir_items],
        }
    return {
        "name": spec.name,
        "namespace": spec.namespace,
        "labels": dict(spec.labels),
        "entrypoint": spec.entrypoint,
        "runtime_env_yaml": spec.runtime_env_yaml,
        "cluster_spec": dict(cluster_spec_obj) if cluster_spec_obj is not None else None,
        "cluster_selector": spec.cluster_selector,
        "entrypoint_cpus": spec.entrypoint_cpus,
        "entrypoint_gpus": spec.entrypoint_gpus,
        "entrypoint_resources": json.dumps(dict(spec.entrypoint_resources)) if spec.entrypoint_resources else None,
        "shutdown": spec.shutdown_after_finish and spec.cluster_selector is None,
        "ttl": spec.ttl_seconds,
        "deadline": spec.active_deadline_seconds,
        "backoff_limit": spec.backoff_limit,
        "submitter": submitter,
    }


def job_phase(job: Mapping[str, Any]) -> tuple[str, str]:
    status = job.get("status") or {}
    return str(status.get("jobDeploymentStatus") or "New"), str(status.get("jobStatus") or "-")


def job_finished(job: Mapping[str, Any]) -> bool:
    deployment, status = job_phase(job)
    return deployment in JOB_TERMINAL_DEPLOYMENT or (
        status in JOB_TERMINAL_STATUS and deployment not in ("Running", "Retrying")
    )


# The failures KubeRay never retries, whatever spec.backoffLimit says, and what each means
# (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go
# checkBackoffLimitAndUpdateStatusIfNeeded, checkActiveDeadlineAndUpdateStatusIfNeeded,
# checkJobStatusCheckTimeoutAndUpdateStatusIfNeeded; apis/ray/v1/rayjob_types.go JobFailedReason).
NOT_RETRIED = {
    "DeadlineExceeded": "it ran past --deadline, spec.activeDeadlineSeconds",
    "JobStatusCheckTimeoutExceeded": "KubeRay could not read its status from the Ray dashboard",
}


def unretried_failure(job: Mapping[str, Any]) -> str | None:
    """The reason of a Failed job that KubeRay does not retry (NOT_RETRIED), else None."""
    status = job.get("status") or {}
    reason = str(status.get("reason") or "")
    return reason if status.get("jobDeploymentStatus") == "Failed" and reason in NOT_RETRIED else None


def job_attempt(job: Mapping[str, Any]) -> str | None:
    """Where a job with retries stands, for its status lines: None without ``spec.backoffLimit``.

    upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayjob_controller.go
    checkBackoffLimitAndUpdateStatusIfNeeded: a failed attempt counts in ``status.failed`` and,
    while ``failed < backoffLimit + 1``, turns into ``Retrying`` in the same status write, so a
    job is Failed only after its last attempt; Retrying then deletes the attempt's RayCluster and
    starts again from New on a new one."""
    limit = int((job.get("spec") or {}).get("backoffLimit") or 0)
    if limit <= 0:
        return None
    failed = int((job.get("status") or {}).get("failed") or 0)
    deployment, _ = job_phase(job)
    if deployment == "Retrying":
        return f"attempt {failed} of {limit + 1} failed, retrying on a new cluster"
    if job_finished(job):
        if deployment != "Failed":
            return None
        unretried = unretried_failure(job)
        kept = f", not retried: KubeRay never retries a {unretried} failure" if unretried and failed <= limit else ""
        return f"attempt {max(failed, 1)} of {limit + 1}{kept}"
    return f"attempt {failed + 1} of {limit + 1}" if failed else None


# A Waiting job (InteractiveMode) runs once the user writes its job ID (rayjob_controller.go,
# the Waiting case: spec.jobId copied to status.jobId, then Running).
JOB_ID_PATCH = """'{"spec":{"jobId":"ID"}}'"""


def interactive_hint(name: str, ns: str) -> str:
    """How a Waiting job (InteractiveMode: KubeRay submits nothing itself) gets going."""
    return (
        "submit the job to its cluster with `ray job submit --submission-id ID ...`, then: "
        f"kubectl patch rayjob {name} -n {ns} --type merge -p {JOB_ID_PATCH}"
    )


def job_succeeded(job: Mapping[str, Any]) -> bool:
    deployment, status = job_phase(job)
    return deployment == "Complete" and status == "SUCCEEDED"


def load_runtime_env(text: str, source: str) -> dict[str, Any]:
    """A runtime_env YAML file as a mapping (an empty file is an empty environment)."""
    from akscli import yamlio

    doc = yamlio.load(text, source) or {}
    if not isinstance(doc, dict):
        raise UsageError(
            f"{source} is not a runtime_env mapping",
            hint="write keys such as pip:, env_vars:, working_dir:",
        )
    return doc


def local_working_dir(working_dir: str | None, base_env: Mapping[str, Any] | None) -> str | None:
    """The local directory to ship: --working-dir, else a local working_dir of the runtime env.

    A local path in the runtime env means nothing inside the cluster, so it is shipped as
    --working-dir is; a URI (``https://.../dir.zip``) is left for Ray to download.
    """
    if working_dir:
        return working_dir
    from_file = (base_env or {}).get("working_dir")
    if isinstance(from_file, str) and "://" not in from_file:
        return from_file
    return None


def job_cluster(job: Mapping[str, Any]) -> str | None:
    """The Ray cluster a job runs on: the one it created, else the one it selects."""
    cluster = (job.get("status") or {}).get("rayClusterName")
    if cluster:
        return str(cluster)
    selected = ((job.get("spec") or {}).get("clusterSelector") or {}).get(CLUSTER_LABEL)
    return str(selected) if selected else None


def shown_entrypoint(job: Mapping[str, Any]) -> Any:
    """The job's ``spec.entrypoint`` as ``ray job status`` and ``ray job list -o wide`` show it: the
    credentials in it as ``***`` (akscli.printable.masked_command), as -o yaml shows them."""
    text = (job.get("spec") or {}).get("entrypoint")
    return masked_command(text) if isinstance(text, str) and text else text


def job_summary(job: Mapping[str, Any], findings: Sequence[Finding]) -> dict[str, Any]:
    """What ``ray job status`` shows: phases, where it runs, and why it is stuck."""
    deployment, _ = job_phase(job)
    st = job.get("status") or {}
    return {
        "name": job["metadata"]["name"],
        "namespace": job["metadata"]["namespace"],
        "deploymentStatus": deployment,
        # upstream: ray-project/kuberay v1.7.0 ray-operator/apis/ray/v1/rayjob_types.go,
        # JobStatusNew JobStatus = "": no status yet is null here, not the table's "-"
        "jobStatus": st.get("jobStatus") or None,
        "cluster": st.get("rayClusterName"),
        "jobId": st.get("jobId"),
        "startTime": st.get("startTime"),
        "endTime": st.get("endTime"),
        "entrypoint": shown_entrypoint(job),
        "dashboard": st.get("dashboardURL"),
        "reason": st.get("reason"),
        "message": st.get("message"),
        "attempt": job_attempt(job),
        "retry": _no_retry(job),
        # -o wide's rows (WIDE_FIELDS): KubeRay defaults submissionMode to K8sJobMode (upstream:
        # ray-project/kuberay feeaf72f ray-operator/apis/ray/v1/rayjob_types.go, +kubebuilder:default).
        "submissionMode": (job.get("spec") or {}).get("submissionMode") or "K8sJobMode",
        "clusterAfterJob": cluster_after_job(job),
        "created": job["metadata"].get("creationTimestamp"),
        "problems": [vars(f) for f in findings],
    }


# The rows of a job summary only -o wide shows, as kubectl's wide printers add columns to the default ones.
WIDE_FIELDS = ("submissionMode", "clusterAfterJob", "created")


def _no_retry(job: Mapping[str, Any]) -> str | None:
    unretried = unretried_failure(job)
    return f"none: KubeRay never retries {unretried} ({NOT_RETRIED[unretried]})" if unretried else None


def job_summary_fields(
    summary: Mapping[str, Any], findings: Sequence[Finding], *, wide: bool = False
) -> list[tuple[str, Any]]:
    """The table rows of a job summary: every field that is set (WIDE_FIELDS only when ``wide``),
    then one row per problem."""
    hidden = {"problems", *(() if wide else WIDE_FIELDS)}
    fields: list[tuple[str, Any]] = [
        (k, first_line(v) if k == "message" else v) for k, v in summary.items() if k not in hidden and v is not None
    ]
    return fields + [("problem", first_line(f.line())) for f in findings]


def sidecar_ending(job: Mapping[str, Any]) -> str:
    """What a SidecarMode job's SubmissionFailed means, appended to its failure ('' otherwise).

    In SidecarMode ``ray job submit`` runs in the head pod's ``ray-job-submitter`` container and
    exits 1 when the Ray job failed, as when it could not be submitted (docs.ray.io
    cluster/running-applications/job-submission/cli.html#ray-job-submit). KubeRay reads that exit
    code before the job's own status in each pass, so a pass that sees the container ended before
    any pass read FAILED from the dashboard writes SubmissionFailed, the container's exit code as
    the message, and leaves jobStatus the last one read (upstream: ray-project/kuberay feeaf72f
    ray-operator/controllers/ray/rayjob_controller.go checkSubmitterAndUpdateStatusIfNeeded,
    checkSidecarContainerStatus). The container's log says which it was.

    Not with the operator's SidecarSubmitterRestart gate on (v1.7.0, K8s 1.35+): the container
    then restarts on failure and KubeRay ends the job only once it restarted more than its
    backoffLimit (2), with a message that says so (rayjob_controller.go
    checkSubmitterAndUpdateStatusIfNeeded, checkIsRestartCountExceeded): '' for that message."""
    spec, status = job.get("spec") or {}, job.get("status") or {}
    if spec.get("submissionMode") != "SidecarMode" or status.get("reason") != "SubmissionFailed":
        return ""
    if "exceeding the maximum restart count" in str(status.get("message") or ""):
        return ""
    return (
        f" (SidecarMode: ray job submit in the head's {SIDECAR_SUBMITTER} container exits 1 when the Ray job "
        "failed, as when it could not be submitted; KubeRay saw the container end before it read the job's "
        f"own status, so job {status.get('jobStatus') or '-'} is the last status it read; "
        "the container's log says which)"
    )


SIDECAR_SUBMITTER = "ray-job-submitter"  # utils/constant.go SubmitterContainerName


def job_failure(job: Mapping[str, Any]) -> AkscliError:
    """The error for a job that ended without succeeding, with where to read why: an object its
    controller ended (exit 10, as a Workspace or an update run that failed), so that a pipeline
    tells a failed job from akscli's own failure (1) and a timeout (5). KubeRay's terminal
    jobDeploymentStatus values (upstream: ray-project/kuberay ray-operator/apis/ray/v1/rayjob_types.go
    IsJobDeploymentTerminal: Complete, Failed)."""
    ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
    deployment, status = job_phase(job)
    st = job.get("status") or {}
    reason = first_line(st.get("message")) or st.get("reason")  # the hint names the logs
    failed = int(st.get("failed") or 0)
    attempts = f" after {failed} attempts" if deployment == "Failed" and failed > 1 else ""
    logs = f"read its logs: akscli ray job logs {name} -n {ns} --out-dir ./{name}-logs"
    if deployment in ("Suspended", "ValidationFailed"):
        # The verdict ``akscli apply --wait`` gives too (kube/readiness/kuberay.py job_stopped):
        # Suspended is no failure (exit 4, how to resume it), ValidationFailed is (10, make it anew).
        verdict = job_stopped(job)
        if verdict.held:
            return ConflictError(f"Ray job {name} is {verdict.message}", hint=verdict.fix)
        return ObjectFailedError(
            f"Ray job {name} ended ValidationFailed: {refusal(job.get('status') or {})}", hint=verdict.fix
        )
    unretried = unretried_failure(job)
    if unretried is None:
        return ObjectFailedError(
            f"Ray job {name} ended {deployment} (job {status}){attempts}"
            + (f": {reason}" if reason else "")
            + sidecar_ending(job),
            hint=logs,
        )
    limit = int((job.get("spec") or {}).get("backoffLimit") or 0)
    unused = f" (--backoff-limit {limit} is not used)" if limit and failed <= limit else ""
    fix = "submit it again with a longer --deadline, or none" if unretried == "DeadlineExceeded" else logs
    return ObjectFailedError(
        f"Ray job {name} ended {deployment} (job {status}){attempts} with {unretried}, which KubeRay never "
        f"retries{unused}" + (f": {reason}" if reason else ""),
        hint=f"{NOT_RETRIED[unretried]}: {fix}",
    )
