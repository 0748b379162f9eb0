"""Reading and changing Ray objects through a cluster connection (``akscli.kube.client.Kube``).

Lists go by label or field selector and in small pages, and waits watch rather than poll, so
that every call stays cheap on a cluster with tens of thousands of nodes.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import validate
from akscli.errors import AkscliError, AuthError, ConflictError, NotFoundError, UsageError, WaitTimeoutError
from akscli.kube.reach import GATEWAY_ANSWERS, gateway_error, not_serving, not_serving_error
from akscli.kube.writes import JSON_PATCH, Write
from akscli.ray.job import job_attempt, job_finished, job_phase
from akscli.ray.scaling import add_group_ops
from akscli.ray.spec import (
    AGENTPOOL_LABEL,
    CLUSTER_LABEL,
    DASHBOARD_PORT,
    GPU_NODE_SELECTORS,
    NODE_TYPE_LABEL,
    RAY_API,
    SUBMITTER_LABEL,
    ClusterSpec,
    WorkerGroup,
    render_worker_group,
    sized_for,
)
from akscli.ray.status import (
    NO_GPU_HINT,
    Finding,
    PodTally,
    cluster_findings,
    cluster_summary,
    diagnose_pods,
    gpu_capacity_problem,
    head_service,
    pod_gpus,
    pod_ready,
    spec_accepted,
    stuck_pods,
    workergroup_rows,
)

if TYPE_CHECKING:
    from akscli.kube.client import Kube, KubeTarget

Progress = Callable[[str], None]


class Connection:
    """A cluster connection opened on first use, so that a command validates every flag before
    it reads a kubeconfig; ``target`` None means no cluster (``--dry-run=client``)."""

    def __init__(self, target: KubeTarget | None, namespace: str | None) -> None:
        self._target = target
        self._namespace = validate.name(namespace, "namespace") if namespace else None
        self._kube: Kube | None = None

    @property
    def offline(self) -> bool:
        return self._target is None

    def kube(self) -> Kube:
        if self._target is None:
            raise UsageError("this needs a cluster, and --dry-run=client uses none", hint="leave out --dry-run=client")
        if self._kube is None:
            from akscli.kube.client import connect

            self._kube = connect(self._target)
        return self._kube

    def namespace(self) -> str:
        """--namespace, else the kubeconfig context's namespace, else ``default`` offline."""
        if self._namespace:
            return self._namespace
        return "default" if self._target is None else self.kube().namespace


_NOUNS = {"RayCluster": "cluster", "RayJob": "job", "RayService": "service"}


def get_object(kube: Kube, kind: str, name: str, namespace: str) -> dict[str, Any]:
    """A RayCluster, RayJob or RayService, or NotFoundError naming the list command."""
    obj = kube.get(RAY_API, kind, name, namespace=namespace)
    if obj is None:
        raise _not_found(kind, name, namespace)
    return obj


def _not_found(kind: str, name: str, namespace: str) -> NotFoundError:
    noun = _NOUNS[kind]
    return NotFoundError(
        f"Ray {noun} {name} not found in namespace {namespace}",
        hint=f"list them with: akscli ray {noun} list -n {namespace}",
    )


def parse_ref(ref: str) -> tuple[str, str]:
    """(kind, name) of ``NAME``, ``raycluster/NAME``, ``rayjob/NAME`` or ``rayservice/NAME``, checked."""
    kind, slash, name = ref.partition("/")
    if not slash:
        kind, name = "raycluster", ref
    kind = validate.choice(kind.lower(), ("raycluster", "rayjob", "rayservice"), "resource type")
    return kind, validate.name(name, f"{kind} name")


def resolve_cluster(kube: Kube, ref: str, namespace: str) -> dict[str, Any]:
    """The RayCluster behind ``NAME``, ``raycluster/NAME``, ``rayjob/NAME`` or ``rayservice/NAME``."""
    from akscli.ray.service import service_cluster

    kind, name = parse_ref(ref)
    if kind == "raycluster":
        return get_object(kube, "RayCluster", name, namespace)
    if kind == "rayjob":
        cluster = (get_object(kube, "RayJob", name, namespace).get("status") or {}).get("rayClusterName")
    else:
        cluster = service_cluster(get_object(kube, "RayService", name, namespace))
    if not cluster:
        raise NotFoundError(
            f"{kind} {name} has no Ray cluster yet",
            hint=f"wait for it: akscli ray {kind[3:]} status {name}",
        )
    return get_object(kube, "RayCluster", str(cluster), namespace)


def ensure_job_is_new(kube: Kube, namespace: str, name: str) -> None:
    # KubeRay does not re-run a changed RayJob: applying over one would silently do nothing.
    if kube.get(RAY_API, "RayJob", name, namespace=namespace) is not None:
        raise ConflictError(
            f"Ray job {name} already exists in namespace {namespace}",
            hint=f"choose another --name, or delete it first: akscli ray job delete {name} -y",
        )


def cluster_patch(cluster: Mapping[str, Any], ops: list[dict[str, Any]]) -> Write:
    """A JSON patch (from ``scale_patch`` or ``add_group_ops``) of a RayCluster."""
    return Write.patch(cluster, ops, content_type=JSON_PATCH)


def patch_cluster(kube: Kube, cluster: Mapping[str, Any], ops: list[dict[str, Any]], dry_run: bool = False) -> None:
    """Apply a JSON patch to a RayCluster (``dry_run``: with dryRun=All)."""
    cluster_patch(cluster, ops).send(kube, dry_run=dry_run)


def add_worker_group(
    kube: Kube, cluster: Mapping[str, Any], group: WorkerGroup, image: str | None, dry_run: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """Append ``group`` to a running RayCluster, after the GPU check; the group spec and warnings.
    ``dry_run`` sends the patch as a server-side dry run."""
    meta = cluster["metadata"]
    (group,) = size_gpu_groups(kube, (group,))
    warnings = check_gpu_capacity(kube, ClusterSpec(name=meta["name"], namespace=meta["namespace"], groups=(group,)))
    group_obj = render_worker_group(cluster, group, image)
    patch_cluster(kube, cluster, add_group_ops(cluster, group_obj), dry_run=dry_run)
    return group_obj, warnings


def offline_group_ops(cluster: str, namespace: str, group: WorkerGroup, image: str | None) -> list[dict[str, Any]]:
    """The JSON patch ``workergroup add`` sends, built without the cluster (--dry-run=client): the
    image is --image or the default, and the concurrency ``test`` on the last group is left out."""
    spec = ClusterSpec(name=cluster, namespace=namespace, groups=(group,))
    group_obj = render_worker_group(
        {"metadata": {"name": cluster, "namespace": namespace}}, group, spec.image_ref if image is None else image
    )
    return [{"op": "add", "path": "/spec/workerGroupSpecs/-", "value": group_obj}]


def cluster_group_rows(kube: Kube, cluster: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per worker group of one cluster, counted from its pods (listed by its name)."""
    meta = cluster["metadata"]
    return workergroup_rows(cluster_summary(cluster, cluster_pods(kube, meta["namespace"], meta["name"])))


def worker_group_rows(
    kube: Kube, clusters: Iterable[Mapping[str, Any]], *, namespace: str, all_namespaces: bool = False
) -> Iterator[dict[str, Any]]:
    """One row per worker group of each cluster, as each page of clusters arrives. The pods are read
    once, in one paged list of every pod KubeRay labels with a cluster (in ``namespace``, or all
    namespaces; not one list per cluster), after the first cluster and before its rows, and each
    pod is folded into its cluster's counts as it is read: neither pods nor clusters are held."""
    clusters = iter(clusters)
    first = next(clusters, None)
    if first is None:
        return  # no cluster: no pod list
    tallies: dict[tuple[str, str], PodTally] = {}
    for pod in kube.list("v1", "Pod", namespace=namespace, all_namespaces=all_namespaces, label_selector=CLUSTER_LABEL):
        meta = pod["metadata"]
        tallies.setdefault((meta.get("namespace"), meta["labels"][CLUSTER_LABEL]), PodTally()).add(pod)
    for cluster in itertools.chain([first], clusters):
        counted = tallies.get((cluster["metadata"]["namespace"], cluster["metadata"]["name"]), PodTally())
        yield from workergroup_rows(cluster_summary(cluster, counted))


@dataclass(frozen=True)
class JobStop:
    """How ``ray job stop`` stops a running job, read from the job: a merge patch suspending a
    RayJob that owns its cluster, or a POST to the Ray job API through the head service's proxy
    (a shared ``--cluster``: KubeRay refuses to suspend a job whose cluster outlives it)."""

    job: str
    namespace: str
    suspend: Write | None = None
    cluster: str | None = None
    service: str | None = None
    job_id: str | None = None

    @property
    def api_path(self) -> str:
        return f"api/jobs/{self.job_id}/stop"

    def request(self) -> dict[str, Any]:
        """The request, as ``--dry-run`` prints it."""
        if self.suspend is not None:
            return self.suspend.describe()
        from akscli.ray.dashboard import proxy_path

        return {"method": "POST", "path": proxy_path(self.namespace, str(self.service), DASHBOARD_PORT, self.api_path)}


def job_stop(kube: Kube, job: Mapping[str, Any]) -> JobStop:
    """What stopping ``job`` takes (reads its cluster for a job on a shared one)."""
    spec = job.get("spec") or {}
    ns, name = str(job["metadata"]["namespace"]), str(job["metadata"]["name"])
    if not spec.get("clusterSelector") and spec.get("shutdownAfterJobFinishes"):
        return JobStop(name, ns, suspend=Write.patch(job, {"spec": {"suspend": True}}))
    status = job.get("status") or {}
    cluster = status.get("rayClusterName")
    job_id = status.get("jobId")
    if not cluster or not job_id:
        raise ConflictError(
            f"Ray job {name} has not been submitted to its cluster yet",
            hint=f"delete it instead: akscli ray job delete {name} -n {ns}",
        )
    rc = get_object(kube, "RayCluster", str(cluster), ns)
    return JobStop(name, ns, cluster=str(cluster), service=head_service(rc), job_id=str(job_id))


def stop_job(kube: Kube, stop: JobStop, dry_run: bool = False) -> None:
    """Send ``stop``; ``dry_run`` sends the patch as a server-side dry run (the Ray job API has none)."""
    if stop.suspend is not None:
        stop.suspend.send(kube, dry_run=dry_run)
        return
    if dry_run:
        raise UsageError(
            f"--dry-run=server cannot stop Ray job {stop.job}: it runs on a shared cluster, where it is stopped "
            "through the Ray job API, which has no dry run",
            hint="use --dry-run=client to see the request that would be sent",
        )
    code, body = kube.proxy(stop.namespace, str(stop.service), DASHBOARD_PORT, stop.api_path, method="POST")
    if not_serving(code):
        raise head_not_serving(str(stop.cluster), stop.namespace, str(stop.service))
    if code in GATEWAY_ANSWERS:
        raise gateway_error(
            code,
            f"POST /{stop.api_path} on the Ray dashboard of cluster {stop.cluster} (Service {stop.service})",
            hint=f"see the head's state: akscli ray cluster status {stop.cluster} -n {stop.namespace}",
        )
    if code >= 300:
        raise AkscliError(
            f"the Ray dashboard refused to stop job {stop.job_id}: HTTP {code} {body[:200].decode('utf-8', 'replace')}",
            hint=f"see akscli ray cluster status {stop.cluster}",
        )


def head_not_serving(cluster: str, namespace: str, service: str) -> NotFoundError:
    """The proxy's 503 for the Ray dashboard (``reach.not_serving``): no ready head pod behind the
    head Service yet. KubeRay itself talks to the dashboard only once the cluster is Ready
    (upstream: ray-project/kuberay 0057210e ray-operator/controllers/ray/rayjob_controller.go,
    Reconcile, JobDeploymentStatusInitializing: "Wait for the RayCluster.Status.State to be ready
    before submitting the job"), and its dashboard client reports any other answer as the bare
    status (utils/dashboard_httpclient.go), so akscli names the wait instead of "HTTP 503"."""
    return not_serving_error(
        f"the Ray head of cluster {cluster}",
        f"no ready head pod behind Service {service}",
        hint=f"see why with: akscli ray cluster status {cluster} -n {namespace}; create clusters with --wait",
    )


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


# The well-known node label the kubelet sets from the cloud provider (on AKS: the VM size).
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"


def pool_vm_size(kube: Kube, pool: str) -> str | None:
    """The VM size of a node pool, from one of its nodes (None when it has none, or no access)."""
    try:
        node = _first(kube.list("v1", "Node", label_selector=f"{AGENTPOOL_LABEL}={pool}", page_size=1))
    except AuthError:
        return None
    labels = ((node or {}).get("metadata") or {}).get("labels") or {}
    value = labels.get(INSTANCE_TYPE_LABEL)
    return str(value) if value else None


def size_gpu_groups(kube: Kube, groups: Iterable[WorkerGroup]) -> tuple[WorkerGroup, ...]:
    """GPU groups on a named pool, sized from the pool's VM size when the user gave none."""
    sized = []
    for group in groups:
        if group.sizable and group.vm_size is None and group.placement.gpu_pool:
            group = sized_for(group, pool_vm_size(kube, group.placement.gpu_pool))
        sized.append(group)
    return tuple(sized)


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


def pod_events(kube: Kube, namespace: str, pod: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Events about one object (a pod unless ``kind`` says otherwise), oldest first."""
    from akscli.kube.events import object_events

    return object_events(kube, namespace, pod, kind)


# The label both of KubeRay's install methods put on the operator's pods (upstream: ray-project/kuberay
# v1.7.0 helm-chart/kuberay-operator/templates/deployment.yaml, component from _helpers.tpl
# "kuberay-operator.component", values.yaml componentOverride: kuberay-operator; and the kustomize
# install ray-operator/config/manager/manager.yaml, whose app.kubernetes.io/name is "kuberay").
OPERATOR_SELECTOR = "app.kubernetes.io/component=kuberay-operator"


def operator_finding(kube: Kube, ref: str) -> Finding | None:
    """A finding when no KubeRay operator pod is ready anywhere (None when one is, or when the
    pods cannot be listed: then nothing is claimed)."""
    try:
        pods = list(kube.list("v1", "Pod", all_namespaces=True, label_selector=OPERATOR_SELECTOR, page_size=10))
    except AkscliError:
        return None
    if any(pod_ready(p) for p in pods):
        return None
    seen = f"{len(pods)} operator pod(s), none ready" if pods else "no pod labelled " + OPERATOR_SELECTOR
    return Finding(
        ref,
        "NoOperator",
        f"KubeRay has not picked it up: no KubeRay operator is running ({seen})",
        "install or repair it: helm install kuberay-operator kuberay/kuberay-operator "
        "(https://ray-project.github.io/kuberay-helm/)",
    )


def diagnose_cluster(
    kube: Kube,
    namespace: str,
    cluster: str,
    gpu_nodes: bool | None = None,
    *,
    read: tuple[Mapping[str, Any], Iterable[Mapping[str, Any]]] | None = None,
) -> list[Finding]:
    """Why a RayCluster is not all there: what the RayCluster says (ReplicaFailure, a refused
    name or spec, suspension), then at most 20 stuck pods and their events. ``read``: the
    RayCluster and its pods where the caller has read them already (each is read once).

    KubeRay's ``state: ready`` is sticky (raycluster_controller.go calculateStatus never sets it
    back), so this runs whatever the state is: a worker lost after a scale-up is only seen here.
    """
    findings: list[Finding] = []
    obj, pods = read or (kube.get(RAY_API, "RayCluster", cluster, namespace=namespace), None)
    if obj is not None:
        events = [] if spec_accepted(obj) else _events(kube, obj)
        findings.extend(cluster_findings(obj, events))
        if not obj.get("status") and not events:
            findings.extend(f for f in [operator_finding(kube, f"raycluster/{cluster}")] if f)
    stuck = stuck_pods(cluster_pods(kube, namespace, cluster) if pods is None else pods)
    if not stuck:
        return findings
    events_by_pod = {str(p["metadata"]["name"]): pod_events(kube, namespace, str(p["metadata"]["name"])) for p in stuck}
    if gpu_nodes is None and any(pod_gpus(p) for p in stuck):
        try:
            gpu_nodes = gpu_nodes_exist(kube)
        except AuthError:
            gpu_nodes = None
    return findings + diagnose_pods(stuck, events_by_pod, gpu_nodes)


def _events(kube: Kube, obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    meta = obj["metadata"]
    return pod_events(kube, str(meta["namespace"]), str(meta["name"]), str(obj.get("kind")))


# Warning events KubeRay records on a RayJob that waits or was refused
# (ray-project/kuberay ray-operator/controllers/ray/utils/constant.go, rayjob_controller.go).
_JOB_WARNINGS = frozenset({"RayClusterNotFound", "InvalidRayJobSpec", "InvalidRayJobMetadata", "InvalidRayJobStatus"})


def diagnose_job(kube: Kube, job: Mapping[str, Any]) -> list[Finding]:
    """Why a job is not done: its reason and message, KubeRay's warnings about it (a
    clusterSelector naming a missing cluster keeps it Initializing), then its cluster."""
    status = job.get("status") or {}
    ref = f"rayjob/{job['metadata']['name']}"
    findings: list[Finding] = []
    if status.get("reason") or status.get("message"):
        deployment, _ = job_phase(job)
        findings.append(Finding(ref, str(status.get("reason") or deployment), str(status.get("message") or "")))
    if not status.get("jobDeploymentStatus"):
        findings.extend(f for f in [operator_finding(kube, ref)] if f)
    if not job_finished(job):
        said: set[str] = set()
        for event in _events(kube, {**job, "kind": "RayJob"}):
            reason = str(event.get("reason"))
            if event.get("type") == "Warning" and reason in _JOB_WARNINGS and reason not in said:
                said.add(reason)
                hint = "create that cluster, or submit without --cluster" if reason == "RayClusterNotFound" else None
                findings.append(Finding(ref, reason, str(event.get("message") or ""), hint))
    cluster = status.get("rayClusterName")
    if cluster:
        findings.extend(diagnose_cluster(kube, job["metadata"]["namespace"], str(cluster)))
    return findings


def diagnose_service(kube: Kube, service: Mapping[str, Any]) -> list[Finding]:
    """Why a RayService is not ready: a terminal failure, then its clusters' stuck pods."""
    from akscli.ray.service import service_clusters, service_failure, service_ready

    if service_ready(service) == "True":
        return []
    ns, name = service["metadata"]["namespace"], service["metadata"]["name"]
    failure = service_failure(service)
    findings = [Finding(f"rayservice/{name}", "Failed", failure)] if failure else []
    if not service.get("status"):
        findings.extend(f for f in [operator_finding(kube, f"rayservice/{name}")] if f)
    for cluster in service_clusters(service):
        findings.extend(diagnose_cluster(kube, ns, cluster))
    return findings


def submitter_pods(kube: Kube, namespace: str, job: str) -> list[dict[str, Any]]:
    pods = list(kube.list("v1", "Pod", namespace=namespace, label_selector=f"{SUBMITTER_LABEL}={job}"))
    pods.sort(key=lambda p: str((p.get("metadata") or {}).get("creationTimestamp") or ""))
    return pods


def watch_pods(
    kube: Kube, namespace: str, selector: str, seconds_left: Callable[[], float], page_size: int = 50
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each pod matching ``selector`` as ADDED, then every change the watch sees, until
    ``seconds_left()`` is 0: kube/reflector.py's loop (every page of one snapshot, so that a pod
    past the first page is no less a match: a submitter Job's retried pods, a head being
    replaced; an expired watch or list lists again rather than miss a change)."""
    from akscli.kube.reflector import list_and_watch

    yield from list_and_watch(
        kube, "v1", "Pod", namespace=namespace, label_selector=selector, seconds_left=seconds_left, page_size=page_size
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


def head_pod(kube: Kube, namespace: str, cluster: str) -> dict[str, Any] | None:
    selector = f"{CLUSTER_LABEL}={cluster},{NODE_TYPE_LABEL}=head"
    pod: dict[str, Any] | None = _first(
        kube.list("v1", "Pod", namespace=namespace, label_selector=selector, page_size=5)
    )
    return pod


def follow_job(
    kube: Kube,
    namespace: str,
    name: str,
    timeout: float,
    progress: Progress,
    *,
    diagnose_every: float | None = None,
) -> dict[str, Any]:
    """Watch a RayJob until it finishes or ``timeout`` passes; explain what it waits for.

    The watch is cut into slices of ``diagnose_every`` seconds so that a job that waits (in
    Initializing for its cluster, or Running while the workers the autoscaler asked for sit
    Pending: GPU node pools scaling from zero take many minutes) is explained while the user
    waits, each distinct explanation once.
    """
    every = diagnose_every if diagnose_every is not None else max(1.0, min(20.0, timeout / 4))
    started = time.monotonic()
    deadline = started + timeout
    job: dict[str, Any] = {}
    last_phase: tuple[str, str] | None = None
    said: set[str] = set()
    for update in _job_updates(kube, namespace, name, lambda: deadline - time.monotonic(), math.ceil(every)):
        if update is None:
            if not job_finished(job) and time.monotonic() - started >= every:
                _explain(kube, job, said, progress)
            continue
        job = update
        if job_phase(job) != last_phase:
            last_phase = job_phase(job)
            attempt = job_attempt(job)
            progress(
                f"rayjob/{name}: deployment {last_phase[0]}, job {last_phase[1]}"
                + (f" ({attempt})" if attempt else "")
                + f" [{time.monotonic() - started:,.0f}s]"
            )
        if job_finished(job):
            return job
        if time.monotonic() >= deadline:
            break
    deployment, status = job_phase(job)
    findings = diagnose_job(kube, job) if job else []
    why = "; ".join(f.line() for f in findings[:3])
    raise WaitTimeoutError(
        f"Ray job {name} is still {deployment} (job {status}) after {timeout:g}s" + (f": {why}" if why else ""),
        hint=f"it keeps running; follow it with akscli ray job status {name} -n {namespace}, or raise --timeout",
    )


def _job_updates(
    kube: Kube, namespace: str, name: str, seconds_left: Callable[[], float], every: int
) -> Iterator[dict[str, Any] | None]:
    """The RayJob as listed, then each change the watch sees; None after the list and after each
    watch of ``every`` seconds, until ``seconds_left()`` is 0. kube/reflector.py's loop on the
    job's name: a closed watch resumes from its last version, a 410 lists again (never a GET)."""
    from akscli.kube.reflector import SYNCED, list_and_watch

    for event, obj in list_and_watch(
        kube,
        RAY_API,
        "RayJob",
        namespace=namespace,
        name=name,
        seconds_left=seconds_left,
        synced=True,
        watch_seconds=every,
    ):
        if event == "DELETED":
            raise NotFoundError(f"Ray job {name} was deleted while waiting")
        if event != SYNCED:
            yield obj
        elif not obj["items"]:
            raise _not_found("RayJob", name, namespace)  # the list has no such job
        else:
            yield None


def _explain(kube: Kube, job: Mapping[str, Any], said: set[str], progress: Progress) -> None:
    """Say why a job still waits, each reason once."""
    for finding in diagnose_job(kube, job):
        if finding.line() not in said:
            said.add(finding.line())
            progress(f"waiting: {finding.line()}")
