"""TODO"""

from __future__ import annotations

# ---- reading the cluster (through a Kube) ---------------------------------------------------


def _first(items: Iterable[Any]) -> Any:
    for item in items:
        return item
    return None


def gpu_nodes_exist(kube: Kube) -> bool:
    """Whether any node carries a GPU label; one small page per selector, never a full list."""
    for selector in GPU_NODE_SELECTORS:
        if _first(kube.list("v1", "Node", label_selector=selector, page_size=1)) is not None:
            return True
    return False


def pool_has_nodes(kube: Kube, pool: str) -> bool:
    selector = f"{AGENTPOOL_LABEL}={pool}"
    return _first(kube.list("v1", "Node", label_selector=selector, page_size=1)) is not None


def check_gpu_capacity(kube: Kube, spec: ClusterSpec) -> list[str]:
    """Raise when GPUs are asked for on a cluster without GPU nodes; return warnings."""
    if not spec.gpus_requested:
        return []
    try:
        has_gpu = gpu_nodes_exist(kube)
        pools = {
            str(g.placement.gpu_pool): pool_has_nodes(kube, str(g.placement.gpu_pool))
            for g in spec.groups
            if g.placement.gpu_pool
        }
    except AuthError:
        return ["cannot list nodes (no RBAC permission): the GPU capacity check was skipped"]
    problem, warnings = gpu_capacity_problem(spec, has_gpu, pools)
    if problem:
        raise UsageError(problem, hint=NO_GPU_HINT)
    return warnings


def cluster_pods(kube: Kube, namespace: str, cluster: str) -> Iterator[dict[str, Any]]:
    return kube.list("v1", "Pod", namespace=namespace, label_selector=f"{CLUSTER_LABEL}={cluster}")


def pod_events(kube: Kube, namespace: str, pod: str) -> list[dict[str, Any]]:
    events = list(
        kube.list(
            "v1",
            "Event",
            namespace=namespace,
            field_selector=f"involvedObject.name={pod}",
            page_size=100,
        )
    )
    events.sort(
        key=lambda e: str(
            e.get("lastTimestamp") or e.get("eventTime") or (e.get("metadata") or {}).get("creationTimestamp") or ""
        )
    )
    return events


def diagnose_cluster(kube: Kube, namespace: str, cluster: str, gpu_nodes: bool | None = None) -> list[Finding]:
    """Why a RayCluster's pods are not ready, from at most 20 stuck pods and their events."""
    stuck = stuck_pods(cluster_pods(kube, namespace, cluster))
    if not stuck:
        return []
    events = {str(p["metadata"]["name"]): pod_events(kube, namespace, str(p["metadata"]["name"])) for p in stuck}
    if gpu_nodes is None and any(pod_gpus(p) for p in stuck):
        try:
            gpu_nodes = gpu_nodes_exist(kube)
        except AuthError:
            gpu_nodes = None
    return diagnose_pods(stuck, events, gpu_nodes)


def diagnose_job(kube: Kube, job: Mapping[str, Any]) -> list[Finding]:
    status = job.get("status") or {}
    findings: list[Finding] = []
    if status.get("reason") or status.get("message"):
        deployment, _ = job_phase(job)
        findings.append(
            Finding(
                f"rayjob/{job['metadata']['name']}",
                str(status.get("reason") or deployment),
                str(status.get("message") or ""),
            )
        )
    cluster = status.get("rayClusterName")
    if cluster:
        findings.extend(diagnose_cluster(kube, job["metadata"]["namespace"], str(cluster)))
    return findings


def submitter_pods(kube: Kube, namespace: str, job: str) -> list[dict[str, Any]]:
    pods = list(kube.list("v1", "Pod", namespace=namespace, label_selector=f"{SUBMITTER_LABEL}={job}"))
    pods.sort(key=lambda p: str((p.get("metadata") or {}).get("creationTimestamp") or ""))
    return pods


def wait_for_submitter(kube: Kube, namespace: str, job: str, timeout: float) -> str:
    """The name of the job's submitter pod once it has started, watching (never polling)."""
    from akscli.kube.client import WatchExpired

    selector = f"{SUBMITTER_LABEL}={job}"
    deadline = time.monotonic() + timeout
    version: str | None = None
    while True:
        if version is None:
            page = next(kube.list_pages("v1", "Pod", namespace=namespace, label_selector=selector))
            for pod in page["items"]:
                if (pod.get("status") or {}).get("phase") not in (None, "Pending"):
                    return str(pod["metadata"]["name"])
            version = (page.get("metadata") or {}).get("resourceVersion")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WaitTimeoutError(
                f"Ray job {job} did not start a submitter within {timeout:g}s",
                hint=f"see why: akscli ray job status {job}",
            )
        try:
            for event, pod in kube.watch(
                "v1",
                "Pod",
                namespace=namespace,
                label_selector=selector,
                resource_version=version,
                timeout_seconds=max(1, int(remaining)),
            ):
                version = (pod.get("metadata") or {}).get("resourceVersion") or version
                if event in ("ADDED", "MODIFIED") and (pod.get("status") or {}).get("phase") not in (
                    None,
                    "Pending",
                ):
                    return str(pod["metadata"]["name"])
        except WatchExpired:
            version = None


def head_pod(kube: Kube, namespace: str, cluster: str) -> dict[str, Any] | None:
    selector = f"{CLUSTER_LABEL}={cluster},{NODE_TYPE_LABEL}=head"
    pod: dict[str, Any] | None = _first(
        kube.list("v1", "Pod", namespace=namespace, label_selector=selector, page_size=5)
    )
    return pod


Progress = Callable[[str], None]


def follow_job(
    kube: Kube,
    namespace: str,
    name: str,
    timeout: float,
    progress: Progress,
    *,
    diagnose_every: float | None = None,
) -> dict[str, Any]:
    """Watch a RayJob until it finishes or ``timeout`` passes; explain a long Initializing.

    The watch is cut into slices of ``diagnose_every`` seconds so that a job that stays in
    Initializing (GPU node pools scaling from zero take many minutes) is explained while the
    user waits, each distinct explanation once.
    """
    from akscli.kube.client import WatchExpired

    every = diagnose_every if diagnose_every is not None else max(1.0, min(20.0, timeout / 4))
    deadline = time.monotonic() + timeout
    resource_version: str | None = None
    job: dict[str, Any] | None = None
    last_phase: tuple[str, str] | None = None
    said: set[str] = set()
    started = time.monotonic()

    def seen(obj: dict[str, Any]) -> bool:
        nonlocal last_phase
        phase = job_phase(obj)
        if phase != last_phase:
            last_phase = phase
            progress(f"rayjob/{name}: deployment {phase[0]}, job {phase[1]} [{time.monotonic() - started:,.0f}s]")
        return job_finished(obj)

    while True:
        if resource_version is None:
            job = kube.get(RAY_API, "RayJob", name, namespace=namespace)
            if job is None:
                raise NotFoundError(
                    f"Ray job {name} not found in namespace {namespace}",
                    hint="list jobs with: akscli ray job list",
                )
            resource_version = str(job["metadata"].get("resourceVersion") or "") or None
            if seen(job):
                return job
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            for event, obj in kube.watch(
                RAY_API,
                "RayJob",
                namespace=namespace,
                name=name,
                resource_version=resource_version,
                timeout_seconds=max(1, int(min(remaining, every))),
            ):
                resource_version = (obj.get("metadata") or {}).get("resourceVersion") or resource_version
                if event == "BOOKMARK":
                    continue
                if event == "DELETED":
                    raise NotFoundError(f"Ray job {name} was deleted while waiting")
                job = obj
                if seen(obj):
                    return obj
                if time.monotonic() >= deadline:
                    break
        except WatchExpired:
            resource_version = None
            continue
        if job is not None and job_phase(job)[0] in ("New", "Initializing") and time.monotonic() - started >= every:
            for finding in diagnose_job(kube, job):
                if finding.line() not in said:
                    said.add(finding.line())
                    progress(f"waiting: {finding.line()}")
    assert job is not None
    deployment, status = job_phase(job)
    findings = diagnose_job(kube, job) if deployment in ("New", "Initializing") else []
    why = "; ".join(f.line() for f in findings[:3])
    raise WaitTimeoutError(
        f"Ray job {name} is still {deployment} (job {status}) after {timeout:g}s" + (f": {why}" if why else ""),
        hint=f"it keeps running; follow it with akscli ray job status {name}, or raise --timeout",
    )


