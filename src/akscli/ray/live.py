"""Reading and changing Ray objects through a cluster connection (``akscli.kube.client.Kube``).

Lists go by label or field selector and in small pages, so that every call stays cheap on a
cluster with tens of thousands of nodes. Why an object is not ready is in ``diagnose``; waits
that watch a job or its pods are in ``follow``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import suggest, validate
from akscli.errors import AkscliError, AuthError, ConflictError, NotFoundError, NotInstalledError, UsageError
from akscli.kube import scale_up
from akscli.kube.reach import GATEWAY_ANSWERS, gateway_error, not_serving, not_serving_error, proxy_path
from akscli.kube.streams import PROXY_ANSWERS
from akscli.kube.writes import JSON_PATCH, Write
from akscli.ray.gpu_capacity import NO_GPU_HINT, gpu_capacity_problem
from akscli.ray.pod_state import live_head
from akscli.ray.scaling import add_group_ops, head_tasks_warning
from akscli.ray.spec import (
    AGENTPOOL_LABEL,
    CLUSTER_LABEL,
    DASHBOARD_PORT_NAME,
    GPU_NODE_SELECTORS,
    NODE_TYPE_LABEL,
    RAY_API,
    ClusterSpec,
    WorkerGroup,
    render_worker_group,
    sized_for,
)
from akscli.ray.status import HeadPods, PodTally, cluster_summary, extra_heads_finding, head_service, workergroup_rows

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
            from akscli.kube.connecting import connect

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
        raise not_found(kind, name, namespace, kube)
    return obj


def not_found(kind: str, name: str, namespace: str, kube: Kube | None = None) -> NotFoundError:
    """``Ray cluster NAME not found``; with ``kube``, the hint leads with the names of that kind
    in the namespace that are close to ``name`` (suggest.py, as ``model test`` names the deployed
    models), read on this error path only from one page of the list (``suggest.NAMES_LOOKED_UP``:
    one request however many there are)."""
    noun = _NOUNS[kind]
    close = ""
    if kube is not None:
        try:
            listed = kube.list(RAY_API, kind, namespace=namespace, page_size=suggest.NAMES_LOOKED_UP)
            names = [str(o["metadata"]["name"]) for o in itertools.islice(listed, suggest.NAMES_LOOKED_UP)]
        except AkscliError:  # RBAC to get, not to list, or a list not answered: the hint without a guess
            names = []
        close = suggest.did_you_mean(name, names)
    return NotFoundError(
        f"Ray {noun} {name} not found in namespace {namespace}",
        hint=f"{close}list them with: akscli ray {noun} list -n {namespace}",
    )


def parse_ref(ref: str) -> tuple[str, str]:
    """(kind, name) of ``NAME``, ``raycluster/NAME``, ``rayjob/NAME`` or ``rayservice/NAME``, checked.
    The type may carry its group and be plural, as kubectl takes it and as akscli's ``-o name``
    prints it (``rayjob.ray.io/NAME``, ``rayjobs/NAME``; upstream: kubernetes/apimachinery
    eed236ce pkg/runtime/schema/group_version.go ParseResourceArg, ParseGroupResource)."""
    kind, slash, name = ref.partition("/")
    if not slash:
        kind, name = "raycluster", ref
    word = kind.lower().removesuffix(".ray.io")
    word = word[:-1] if word in ("rayclusters", "rayjobs", "rayservices") else word
    kind = validate.choice(word, ("raycluster", "rayjob", "rayservice"), "resource type")
    return kind, validate.name(name, f"{kind} name")


# RayJob states in which its Ray cluster may be gone on purpose: why, and what is left to read.
_ENDED = (
    "KubeRay deletes it after the job where the RayJob asks it to",
    "its submitter's log remains: akscli ray job logs {name}",
)
_SUSPENDED = (
    "KubeRay deletes it while the job is suspended",
    "KubeRay makes a new one when the job resumes (spec.suspend: false)",
)
JOB_CLUSTER_GONE = {"Complete": _ENDED, "Failed": _ENDED, "Suspended": _SUSPENDED, "Suspending": _SUSPENDED}


def resolve_cluster(kube: Kube, ref: str, namespace: str) -> dict[str, Any]:
    """The RayCluster behind ``NAME``, ``raycluster/NAME``, ``rayjob/NAME`` or ``rayservice/NAME``."""
    from akscli.ray.service import service_cluster

    kind, name = parse_ref(ref)
    if kind == "raycluster":
        found_cluster = kube.get(RAY_API, "RayCluster", name, namespace=namespace)
        if found_cluster is not None:
            return found_cluster
        if "/" not in ref:  # a bare NAME that is a job's or a service's: name the form that takes it
            for other in ("RayJob", "RayService"):
                try:
                    found_other = kube.get(RAY_API, other, name, namespace=namespace)
                except (AuthError, NotInstalledError):  # RBAC to read clusters only: the plain not-found
                    continue
                if found_other is not None:
                    noun = _NOUNS[other]
                    raise NotFoundError(
                        f"Ray cluster {name} not found in namespace {namespace}; {name} is a Ray {noun}",
                        hint=f"its cluster's dashboard: akscli ray dashboard {other.lower()}/{name} -n {namespace}",
                    )
        raise not_found("RayCluster", name, namespace, kube)
    job_state = ""
    if kind == "rayjob":
        job_status = get_object(kube, "RayJob", name, namespace).get("status") or {}
        cluster = job_status.get("rayClusterName")
        job_state = str(job_status.get("jobDeploymentStatus") or "")
    else:
        cluster = service_cluster(get_object(kube, "RayService", name, namespace))
    if not cluster:
        raise NotFoundError(
            f"{kind} {name} has no Ray cluster yet",
            hint=f"wait for it: akscli ray {kind[3:]} status {name}",
        )
    found = kube.get(RAY_API, "RayCluster", str(cluster), namespace=namespace)
    if found is None and job_state in JOB_CLUSTER_GONE:
        # A RayJob that has ended or is suspended had its cluster: KubeRay deletes it once the job
        # ends where the RayJob says so, and while it is suspended (ray-project/kuberay feeaf72
        # ray-operator/controllers/ray/rayjob_controller.go: deleteClusterResources in the
        # Suspending case, handleShutdownAfterJobFinishes and the deletion rules once
        # IsJobDeploymentTerminal, apis/ray/v1/rayjob_types.go).
        why, left = JOB_CLUSTER_GONE[job_state]
        raise NotFoundError(
            f"{kind} {name} is {job_state} and its Ray cluster {cluster} is gone: {why}",
            hint=left.format(name=name),
        )
    if found is None:
        # KubeRay writes a RayService's new pending name at the end of one reconcile and creates
        # that cluster on the next, 2 s later (ray-project/kuberay v1.7.0 ray-operator/controllers/
        # ray/rayservice_controller.go calculateStatus, reconcileRayCluster).
        raise NotFoundError(
            f"{kind} {name} names Ray cluster {cluster}, which KubeRay has not created yet",
            hint=f"wait for it: akscli ray {kind[3:]} status {name}",
        )
    return found


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
    nodepools: dict[str, dict[str, Any] | None] = {}
    (group,) = size_gpu_groups(kube, (group,), nodepools)
    spec = ClusterSpec(name=meta["name"], namespace=meta["namespace"], groups=(group,))
    warnings = check_gpu_capacity(kube, spec, nodepools)
    group_obj = render_worker_group(cluster, group, image)
    patch_cluster(kube, cluster, add_group_ops(cluster, group_obj), dry_run=dry_run)
    groups = [*((cluster.get("spec") or {}).get("workerGroupSpecs") or []), group_obj]
    heads = head_pods(kube, meta["namespace"], meta["name"], meta.get("uid"))
    said = [
        stuck_heads_warning(cluster, heads),
        head_tasks_warning(cluster, groups, lambda: live_head(heads.pods, heads.owner_uid)),
    ]
    return group_obj, [*warnings, *(w for w in said if w)]


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
        return {
            "method": "POST",
            "path": proxy_path(self.namespace, str(self.service), DASHBOARD_PORT_NAME, self.api_path),
        }


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


def stop_job(kube: Kube, stop: JobStop, dry_run: bool = False) -> bool:
    """Send ``stop``; ``dry_run`` sends the patch as a server-side dry run (the Ray job API has none).
    Whether the job was running: the Ray job API answers ``{"stopped": false}`` for a job that had
    already ended there (upstream: ray-project/ray python/ray/dashboard/modules/job/job_manager.py
    stop_job, "Returns whether or not the job was running"; job_agent.py JobStopResponse), before
    KubeRay's next pass writes it into the RayJob."""
    if stop.suspend is not None:
        stop.suspend.send(kube, dry_run=dry_run)
        return True
    if dry_run:
        raise UsageError(
            f"--dry-run=server cannot stop Ray job {stop.job}: it runs on a shared cluster, where it is stopped "
            "through the Ray job API, which has no dry run",
            hint="use --dry-run=client to see the request that would be sent",
        )
    code, body = kube.proxy(
        stop.namespace,
        str(stop.service),
        DASHBOARD_PORT_NAME,
        stop.api_path,
        method="POST",
        answers=PROXY_ANSWERS | {404},
    )
    if not_serving(code):
        raise head_not_serving(str(stop.cluster), stop.namespace, str(stop.service))
    if code in GATEWAY_ANSWERS:
        raise gateway_error(
            code,
            f"POST /{stop.api_path} on the Ray dashboard of cluster {stop.cluster} (Service {stop.service})",
            hint=f"see the head's state: akscli ray cluster status {stop.cluster} -n {stop.namespace}",
        )
    if code == 404 and body.startswith(b"Job "):
        # job_head.py stop_job: "Job {id} does not exist" (upstream: ray-project/ray
        # python/ray/dashboard/modules/job/job_head.py): KubeRay's submitter has not submitted it
        # yet, or the cluster was made anew and its GCS lost the job.
        raise ConflictError(
            f"Ray job {stop.job} has not been submitted to cluster {stop.cluster} yet: its Ray job API "
            f"does not know job {stop.job_id}",
            hint=f"stop it once it runs (akscli ray job status {stop.job} -n {stop.namespace}), or delete it: "
            f"akscli ray job delete {stop.job} -n {stop.namespace}",
        )
    if code >= 300:
        raise AkscliError(
            f"the Ray dashboard refused to stop job {stop.job_id}: HTTP {code} {body[:200].decode('utf-8', 'replace')}",
            hint=f"see akscli ray cluster status {stop.cluster}",
        )
    return was_running(body)


def was_running(body: bytes) -> bool:
    """JobStopResponse's ``stopped``; an answer without it is taken as a stop sent."""
    try:
        answer = json.loads(body)
    except ValueError:
        return True
    return not (isinstance(answer, dict) and answer.get("stopped") is False)


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


def pool_has_nodes(kube: Kube, pool: str, label: str = AGENTPOOL_LABEL) -> bool:
    """Whether a node carries the pool's name in ``label`` (the agentpool label, or a NAP NodePool's
    karpenter.sh/nodepool): one page of one node."""
    return _first(kube.list("v1", "Node", label_selector=f"{label}={pool}", page_size=1)) is not None


# The well-known node label the kubelet sets from the cloud provider (on AKS: the VM size).
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"


def pool_vm_size(kube: Kube, pool: str, label: str = AGENTPOOL_LABEL) -> str | None:
    """The VM size of a node pool, from one of its nodes (None when it has none, or no access)."""
    try:
        node = _first(kube.list("v1", "Node", label_selector=f"{label}={pool}", page_size=1))
    except AuthError:
        return None
    labels = ((node or {}).get("metadata") or {}).get("labels") or {}
    value = labels.get(INSTANCE_TYPE_LABEL)
    return str(value) if value else None


def _on_nodepool(kube: Kube, group: WorkerGroup, read: dict[str, dict[str, Any] | None]) -> WorkerGroup:
    """The group placed by karpenter.sh/nodepool where its pool is a NAP NodePool: a name AKS could
    not give a pool (spec.placement), or one whose name no node's agentpool label carries while the
    cluster has a NodePool of it (one page of one node, then one GET of the NodePool, read once a
    name). A pool with nodes of that name stays an AKS pool (akscli.nap.target says why NAP nodes
    do not carry it)."""
    from dataclasses import replace

    from akscli.nap import target as nap_target

    placed = group.placement
    name = placed.gpu_pool
    if not name:
        return group
    try:
        if not placed.nap and pool_has_nodes(kube, name):
            return group
    except AuthError:
        return group
    if name not in read:
        read[name] = nap_target.read(kube, name)
    return group if read[name] is None else replace(group, placement=replace(placed, nap=True))


def size_gpu_groups(
    kube: Kube, groups: Iterable[WorkerGroup], read: dict[str, dict[str, Any] | None] | None = None
) -> tuple[WorkerGroup, ...]:
    """GPU groups on a named pool, placed on a NAP NodePool where the name is one's (_on_nodepool),
    and sized from the pool's VM size when the user gave none: one of its nodes', else the one size
    a NodePool's requirements allow (akscli.nap.target.vm_size). ``read``: the NodePools read so
    far, by name (None: none, or the cluster has none of the name), filled here for
    check_gpu_capacity, so that a create reads each NodePool once."""
    from akscli.nap import target as nap_target

    read = {} if read is None else read
    sized = []
    for group in groups:
        group = _on_nodepool(kube, group, read)
        placed = group.placement
        if group.sizable and group.vm_size is None and placed.gpu_pool:
            size = pool_vm_size(kube, placed.gpu_pool, placed.pool_label)
            nodepool = read.get(placed.gpu_pool) if placed.nap else None
            group = sized_for(group, size or (nap_target.vm_size(nodepool) if nodepool else None))
        sized.append(group)
    return tuple(sized)


def check_gpu_capacity(
    kube: Kube, spec: ClusterSpec, read: Mapping[str, dict[str, Any] | None] | None = None
) -> list[str]:
    """Raise when GPUs are asked for on a cluster without GPU nodes; return warnings. ``read``: the
    NodePools size_gpu_groups read, by name; a NodePool not among them is read here."""
    from akscli.nap import target as nap_target

    read = read or {}

    if not spec.gpus_requested:
        return []
    placed = {str(g.placement.gpu_pool): g.placement for g in spec.groups if g.placement.gpu_pool}
    try:
        has_gpu = gpu_nodes_exist(kube)
        pools = {name: pool_has_nodes(kube, name, p.pool_label) for name, p in placed.items()}
    except AuthError:
        return ["cannot list nodes (no RBAC permission): the GPU capacity check was skipped"]
    # One GET, only where a named AKS pool has no node: will the cluster autoscaler add some?
    empty_aks = [name for name, has in pools.items() if not has and not placed[name].nap]
    autoscaled = scale_up.autoscaled_pools(kube) if empty_aks else None
    # One GET a NodePool with no node: its limits, status and taints say whether NAP makes some.
    nodepools = {
        name: read[name] if name in read else nap_target.read(kube, name)
        for name, has in pools.items()
        if not has and placed[name].nap
    }
    problem, warnings = gpu_capacity_problem(spec, has_gpu, pools, autoscaled, nodepools)
    if problem:
        raise UsageError(problem, hint=NO_GPU_HINT)
    return warnings


def cluster_pods(kube: Kube, namespace: str, cluster: str) -> Iterator[dict[str, Any]]:
    return kube.list("v1", "Pod", namespace=namespace, label_selector=f"{CLUSTER_LABEL}={cluster}")


def pod_events(kube: Kube, namespace: str, pod: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Events about one object (a pod unless ``kind`` says otherwise), oldest first."""
    from akscli.kube.events import object_events

    return object_events(kube, namespace, pod, kind)


def head_pods(kube: Kube, namespace: str, cluster: str, owner_uid: str | None = None) -> HeadPods:
    """The pods labelled as the cluster's head, from one label-selected page of at most 5 (KubeRay
    keeps one head; 5 covers the extra ones). ``owner_uid``: the RayCluster's metadata.uid, where
    the caller has read the RayCluster (live_head then tells its head by uid)."""
    selector = f"{CLUSTER_LABEL}={cluster},{NODE_TYPE_LABEL}=head"
    heads = HeadPods(owner_uid=owner_uid)
    for pod in itertools.islice(kube.list("v1", "Pod", namespace=namespace, label_selector=selector, page_size=5), 5):
        heads.add(pod)
    return heads


def head_pod(kube: Kube, namespace: str, cluster: str, owner_uid: str | None = None) -> dict[str, Any] | None:
    """The cluster's live head pod (status.live_head: not the one being deleted beside it, Ready
    first, then the one the RayCluster controls), from head_pods' one page.

    The head is told by the RayCluster's uid (``owner_uid``; read from the RayCluster when the
    caller has not read it): a head another RayCluster of that name controls (left by an earlier
    cluster, not yet garbage collected) runs a Ray that is not this cluster's, and comes last
    (ray-project/kuberay feeaf72f ray-operator/controllers/ray/raycluster_controller.go checks
    ownership with metav1.IsControlledBy, which compares the uid)."""
    if owner_uid is None:
        try:
            found_cluster = kube.get(RAY_API, "RayCluster", cluster, namespace=namespace)
        except AuthError:  # RBAC that reads pods but not RayClusters: the labels and the order alone
            found_cluster = None
        owner_uid = ((found_cluster or {}).get("metadata") or {}).get("uid")
    heads = head_pods(kube, namespace, cluster, owner_uid)
    found = live_head(heads.pods, heads.owner_uid)
    return dict(found) if found is not None else None


def stuck_heads_warning(cluster: Mapping[str, Any], heads: HeadPods) -> str | None:
    """The warning for a change written to a cluster KubeRay does not reconcile: more than one pod
    carries its head labels (status.extra_heads_finding), so the change waits until one is left."""
    meta = cluster["metadata"]
    found = extra_heads_finding(str(meta["name"]), meta.get("namespace"), heads)
    if found is None:
        return None
    fix = f"; {found.hint}" if found.hint else ""
    return f"Ray cluster {meta['name']}: {found.message}. The change is written, and KubeRay acts on it then{fix}"
