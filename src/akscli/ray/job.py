"""TODO"""

from __future__ import annotations

JOB_TERMINAL_DEPLOYMENT = frozenset({"Complete", "Failed", "ValidationFailed", "Suspended"})
JOB_TERMINAL_STATUS = frozenset({"SUCCEEDED", "FAILED", "STOPPED"})


# ---- jobs ---------------------------------------------------------------------------------


def job_name(name: str | None) -> str:
    if name:
        return validate.name(name, "Ray job name", max_len=47)
    alphabet = string.ascii_lowercase + string.digits
    return "rayjob-" + "".join(secrets.choice(alphabet) for _ in range(5))


def entrypoint(args: Sequence[str]) -> str:
    words = [a for a in args if a != "--"] if args[:1] == ["--"] else list(args)
    if not words or not any(w.strip() for w in words):
        raise UsageError(
            "the job has no entrypoint",
            hint="give the command after --, e.g. akscli ray job submit --cluster demo -- python train.py",
        )
    text = words[0] if len(words) == 1 else shlex.join(words)
    return validate.text(text, "entrypoint", max_len=8192)


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
    cluster: ClusterSpec | None = None
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


def job_succeeded(job: Mapping[str, Any]) -> bool:
    deployment, status = job_phase(job)
    return deployment == "Complete" and status == "SUCCEEDED"

