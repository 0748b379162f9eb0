"""What a Ray cluster is made of: validated specs from flags or a file, template values, patches.

Every value a user types for a RayCluster passes through here before anything is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from akscli import validate
from akscli.errors import UsageError

RAY_API = "ray.io/v1"
DEFAULT_RAY_VERSION = "2.52.0"
DEFAULT_IMAGE_REPO = "rayproject/ray"
DEFAULT_GROUP = "default-group"

# The labels KubeRay puts on every pod it creates; listing by them stays server-side.
CLUSTER_LABEL = "ray.io/cluster"
NODE_TYPE_LABEL = "ray.io/node-type"
GROUP_LABEL = "ray.io/group"
# The submitter of a RayJob (K8sJobMode) is a batch Job with the RayJob's name.
SUBMITTER_LABEL = "batch.kubernetes.io/job-name"

GPU_RESOURCE = "nvidia.com/gpu"
AGENTPOOL_LABEL = "kubernetes.azure.com/agentpool"
# A NAP (Karpenter) NodePool's nodes carry its name here, not in the agentpool label (akscli.nap.target).
NODEPOOL_LABEL = "karpenter.sh/nodepool"
SPOT_LABEL = "kubernetes.azure.com/scalesetpriority"
# AKS taints spot nodes with this key; GPU pools are commonly tainted sku=gpu or nvidia.com/gpu.
SPOT_TOLERATION = {"key": SPOT_LABEL, "operator": "Equal", "value": "spot", "effect": "NoSchedule"}
GPU_TOLERATIONS = [
    {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
    {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"},
]
# Labels that mark a node as a GPU node on AKS, with or without the NVIDIA GPU operator.
GPU_NODE_SELECTORS = ("nvidia.com/gpu.present=true", "nvidia.com/gpu.product", "accelerator=nvidia")

# The head container's ports, by the names KubeRay gives its defaults (ray-project/kuberay v1.7.0
# ray-operator/controllers/ray/utils/constant.go GcsServerPortName, DashboardPortName,
# ClientPortName, ServingPortName and their Default*Port): common/service.go getPortsFromCluster
# makes the head Service's ports of them, BuildServeService the serve Service's of `serve`, and
# utils/util.go FetchHeadServiceURL finds the dashboard (job submission) by the name `dashboard`.
DASHBOARD_PORT = 8265
# The head Service's port akscli reaches the dashboard and the Ray job API through, by its name as
# FetchHeadServiceURL finds it: the API server's service proxy takes a port name (kubernetes/kubernetes
# pkg/registry/core/service/storage/storage.go ResourceLocation: a number is first mapped to the
# name of the Service port with that number, "no service port N found" otherwise).
DASHBOARD_PORT_NAME = "dashboard"
HEAD_PORTS = [
    {"name": "gcs-server", "containerPort": 6379},
    {"name": DASHBOARD_PORT_NAME, "containerPort": DASHBOARD_PORT},
    {"name": "client", "containerPort": 10001},
    {"name": "serve", "containerPort": 8000},
]


# Ray's object store sizing, read at ray-2.52.0 (DEFAULT_RAY_VERSION; the PyPI wheel ray==2.52.0).
# upstream: ray-project/ray python/ray/_private/ray_constants.py
# DEFAULT_OBJECT_STORE_MEMORY_PROPORTION (0.3), DEFAULT_OBJECT_STORE_MAX_MEMORY_BYTES (200 GB),
# OBJECT_STORE_MINIMUM_MEMORY_BYTES (75 MiB); python/ray/_private/resource_and_label_spec.py
# _resolve_memory_resources (store = 30% of the cgroup's free memory, memory = the rest);
# services.py determine_plasma_store_config refuses a store under the minimum. Ray's
# DEFAULT_SYSTEM_RESERVED_MEMORY_* (10%, 500 MiB to 10 GiB) apply only under
# `ray start --enable-resource-isolation` (resource_isolation_config.py; off by default, and
# KubeRay does not pass it), so they are not subtracted here.
OBJECT_STORE_PROPORTION = 0.3
OBJECT_STORE_MAX_BYTES = 200 * 10**9
OBJECT_STORE_MIN_BYTES = 75 * 1024 * 1024
MIN_RAY_MEMORY = 256 * 1024 * 1024  # 30% of it, 76.8Mi, is the smallest pod whose store Ray starts


def worker_memory_params(memory: str) -> dict[str, str]:
    """``rayStartParams`` that keep a Ray worker inside its pod's memory limit.

    KubeRay passes the container's memory limit as ``--memory`` (ray-project/kuberay v1.7.0
    ray-operator/controllers/ray/common/pod.go generateRayStartCommand) and mounts /dev/shm as a
    memory-backed emptyDir of that size (addEmptyDir, findMemoryReqOrLimit). Ray then sizes its
    object store at 30% of the memory it finds (resource_spec.py resolve), on top of the
    ``--memory`` it schedules tasks and actors against: 130% of the limit, and the store's pages
    in /dev/shm are charged to the same cgroup. On a Standard_NC4as_T4_v3 worker (19Gi) Ray would
    admit 19Gi of actors beside a 5.7Gi store; the kernel OOM-kills the pod first. Here the store
    is Ray's own 30% share (at most its 200 GB cap), and ``memory`` is what is left, as Ray
    computes it when nobody passes ``--memory``.
    """
    limit = int(validate.quantity_value(memory, "memory"))
    store = min(int(limit * OBJECT_STORE_PROPORTION), OBJECT_STORE_MAX_BYTES)
    return {"memory": str(limit - store), "object-store-memory": str(store)}


# ---- specs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resources:
    cpu: str = "1"
    memory: str = "4Gi"
    gpu: int = 0
    ephemeral_storage: str | None = None

    def as_k8s(self) -> dict[str, Any]:
        # As `kubectl ray create cluster` writes them (ray-project/kuberay
        # kubectl-plugin/pkg/util/generation/generation.go generateRequestResources and
        # generateLimitResources): every amount is requested, and everything but CPU is also a
        # limit. No CPU limit means no CFS throttling; KubeRay still tells Ray the CPU count
        # from the request (ray-operator/controllers/ray/common/pod.go).
        requests: dict[str, Any] = {"cpu": self.cpu, "memory": self.memory}
        limits: dict[str, Any] = {"memory": self.memory}
        if self.ephemeral_storage:
            requests["ephemeral-storage"] = limits["ephemeral-storage"] = self.ephemeral_storage
        if self.gpu:
            requests[GPU_RESOURCE] = limits[GPU_RESOURCE] = self.gpu
        return {"requests": requests, "limits": limits}


@dataclass(frozen=True)
class Placement:
    gpu_pool: str | None = None
    spot: bool = False
    node_selector: Mapping[str, str] = field(default_factory=dict)
    # gpu_pool names a NAP NodePool: its nodes are selected by karpenter.sh/nodepool.
    nap: bool = False

    @property
    def pool_label(self) -> str:
        return NODEPOOL_LABEL if self.nap else AGENTPOOL_LABEL

    def selector(self) -> dict[str, str]:
        result = dict(self.node_selector)
        if self.gpu_pool:
            result[self.pool_label] = self.gpu_pool
        if self.spot:
            result[SPOT_LABEL] = "spot"
        return result

    def tolerations(self, gpu: bool) -> list[dict[str, str]]:
        result: list[dict[str, str]] = []
        if gpu or self.gpu_pool:
            result.extend(dict(t) for t in GPU_TOLERATIONS)
        if self.spot:
            result.append(dict(SPOT_TOLERATION))
        return result


@dataclass(frozen=True)
class WorkerGroup:
    name: str = DEFAULT_GROUP
    replicas: int = 1
    min_replicas: int | None = None
    max_replicas: int | None = None
    resources: Resources = field(default_factory=Resources)
    placement: Placement = field(default_factory=Placement)
    # The VM size of the group's nodes, when known: GPU workers then get their GPUs' share of
    # its CPUs and memory. ``given`` names the amounts the user typed, which always win.
    vm_size: str | None = None
    given: frozenset[str] = frozenset()

    @property
    def sizable(self) -> bool:
        """A GPU group whose CPU or memory the user left to akscli."""
        return self.resources.gpu > 0 and not {"cpu", "memory"} <= self.given

    @property
    def min(self) -> int:
        return self.replicas if self.min_replicas is None else self.min_replicas

    @property
    def max(self) -> int:
        return self.replicas if self.max_replicas is None else self.max_replicas


@dataclass(frozen=True)
class ClusterSpec:
    name: str
    namespace: str
    ray_version: str = DEFAULT_RAY_VERSION
    image: str | None = None
    head: Resources = field(default_factory=lambda: Resources(cpu="2", memory="8Gi"))
    head_placement: Placement = field(default_factory=Placement)
    groups: tuple[WorkerGroup, ...] = (WorkerGroup(),)
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    service_account: str | None = None
    # autoscalerOptions.version (v1|v2), as `kubectl ray create cluster --autoscaler`.
    autoscaler: str | None = None

    @property
    def image_ref(self) -> str:
        if self.image:
            return self.image
        suffix = "-gpu" if any(g.resources.gpu for g in self.groups) or self.head.gpu else ""
        return f"{DEFAULT_IMAGE_REPO}:{self.ray_version}{suffix}"

    @property
    def autoscaling(self) -> bool:
        return self.autoscaler is not None or any(g.min != g.max for g in self.groups)

    @property
    def gpus_requested(self) -> bool:
        return self.head.gpu > 0 or any(g.resources.gpu > 0 for g in self.groups)


# ray-project/kuberay ray-operator/controllers/ray/utils/constant.go: a RayCluster name leaves room
# for "-serve-svc" (63 - 10 = 53); RayJob and RayService names leave 6 more for the cluster KubeRay
# names after them (GenerateRayClusterName: NAME-xxxxx).
MAX_NAME_LENGTH = {"RayCluster": 53, "RayJob": 47, "RayService": 47}
_NOUN = {"RayCluster": "Ray cluster name", "RayJob": "Ray job name", "RayService": "RayService name"}


def ray_name(value: str, kind: str) -> str:
    """A name KubeRay accepts for ``kind``: a DNS-1035 label within KubeRay's length limit.

    KubeRay checks names only when it reconciles (utils/validation.go ValidateRayClusterMetadata
    and its RayJob and RayService twins): a RayCluster then gets a Warning event and nothing
    else, a RayJob ends ValidationFailed, a RayService never becomes Ready. Refusing the name
    here saves the wait.
    """
    what = _NOUN[kind]
    validate.name(value, what, max_len=MAX_NAME_LENGTH[kind])
    if not value[0].isalpha():
        raise UsageError(
            f"invalid {what} {value!r}: KubeRay needs a DNS-1035 label, which starts with a letter",
            hint=f"for example: ray-{value}",
        )
    return value


def ray_version(value: str) -> str:
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?([a-z0-9.+-]*)?", value):
        raise UsageError(
            f"invalid Ray version {value!r}: it is not a version number",
            hint="for example: --ray-version 2.52.0",
        )
    return value


def resources(
    cpu: str | None,
    memory: str | None,
    gpu: int | str | None,
    what: str,
    default: Resources = Resources(),
    ephemeral_storage: str | None = None,
) -> Resources:
    """Validate one pod's CPU, memory, GPU count and ephemeral storage (``what`` names the pod)."""
    cpu_text = validate.quantity(cpu, f"{what} CPU") if cpu is not None else default.cpu
    mem_text = validate.quantity(memory, f"{what} memory") if memory is not None else default.memory
    gpus = validate.integer(gpu, f"{what} GPUs", 0, 16) if gpu is not None else default.gpu
    storage = validate.quantity(ephemeral_storage, f"{what} ephemeral storage") if ephemeral_storage else None
    if validate.quantity_value(cpu_text, f"{what} CPU") <= 0:
        raise UsageError(
            f"invalid {what} CPU {cpu_text!r}: it must be more than 0",
            hint="for example: 1, 500m or 8",
        )
    if validate.quantity_value(mem_text, f"{what} memory") < MIN_RAY_MEMORY:
        raise UsageError(
            f"invalid {what} memory {mem_text!r}: Ray needs at least 256Mi "
            "(its object store, 30% of the pod's memory, must hold at least 75Mi)",
            hint="for example: 4Gi",
        )
    return Resources(cpu=cpu_text, memory=mem_text, gpu=gpus, ephemeral_storage=storage)


def vm_size(value: str, what: str = "--worker-vm-size") -> str:
    """An Azure GPU VM size akscli knows (its CPUs and memory size GPU workers)."""
    from akscli.model import skus

    sku = skus.get(value)
    if sku is None or not sku.gpus:
        raise UsageError(
            f"invalid {what} {value!r}: not a GPU VM size akscli knows",
            hint="for example: Standard_NC24ads_A100_v4 (list them with: akscli model plan MODEL)",
        )
    return sku.vm_size


def gpu_share(gpus: int, vm: str | None) -> Resources:
    """CPU and memory for a GPU worker: its GPUs' share of the VM size, as model serving sizes a
    vLLM pod (akscli.model.runtime_values.pod_share); without a known VM size, its default."""
    from akscli.model.runtime_values import pod_share

    share = pod_share(vm or "", gpus)
    return Resources(cpu=share["cpu_request"], memory=share["memory_request"], gpu=gpus)


def sized_for(group: WorkerGroup, vm: str | None) -> WorkerGroup:
    """``group`` with the CPU and memory the user left open taken from ``vm``'s GPU share."""
    if not group.sizable:
        return group
    share = gpu_share(group.resources.gpu, vm)
    res = group.resources
    return replace(
        group,
        vm_size=vm or group.vm_size,
        resources=replace(
            res,
            cpu=res.cpu if "cpu" in group.given else share.cpu,
            memory=res.memory if "memory" in group.given else share.memory,
        ),
    )


def placement(gpu_pool: str | None, spot: bool, node_selector: Iterable[str] = ()) -> Placement:
    """A group's placement. A pool name AKS could not give an agent pool (more than 12 characters,
    or a '-', or a leading digit) can only be a NAP NodePool's: a DNS-1123 label, the value of its
    nodes' karpenter.sh/nodepool label. A name AKS could give is taken as an AKS pool here; on a
    cluster, akscli.ray.live.size_gpu_groups reads whether it is a NodePool instead."""
    pool = validate.name(gpu_pool, "node pool name", max_len=63) if gpu_pool else None
    selector = validate.labels(list(node_selector), "node selector")
    return Placement(gpu_pool=pool, spot=spot, node_selector=selector, nap=pool is not None and not aks_pool_name(pool))


def aks_pool_name(name: str) -> bool:
    """Whether AKS could name an agent pool so: lower-case letters and digits, starting with a
    letter, 12 at most (Linux pools)."""
    return bool(re.fullmatch(r"[a-z][a-z0-9]{0,11}", name))


def replica_range(
    replicas: int | str | None,
    min_replicas: int | str | None,
    max_replicas: int | str | None,
    what: str,
    flags: tuple[str, str, str] = ("--replicas", "--min", "--max"),
) -> tuple[int, int | None, int | None]:
    """Validate desired, min and max replicas of a group; min <= replicas <= max. ``flags``: how the
    user wrote the three (the hints name them: --worker-min on create, min= in --worker-group)."""
    given, low, high = flags
    count = validate.integer(replicas, f"{what} replicas", 0, 10_000) if replicas is not None else None
    lo = validate.integer(min_replicas, f"{what} min replicas", 0, 10_000) if min_replicas is not None else None
    hi = validate.integer(max_replicas, f"{what} max replicas", 0, 10_000) if max_replicas is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise UsageError(
            f"{what}: min replicas ({lo}) is greater than max replicas ({hi})",
            hint=f"give {low} no larger than {high}",
        )
    if count is None:
        count = lo if lo is not None else (1 if hi is None or hi >= 1 else 0)
    if lo is not None and count < lo:
        raise UsageError(
            f"{what}: replicas ({count}) is less than min replicas ({lo})",
            hint=f"raise {given} or lower {low}",
        )
    if hi is not None and count > hi:
        raise UsageError(
            f"{what}: replicas ({count}) is more than max replicas ({hi})",
            hint=f"lower {given} or raise {high}",
        )
    return count, lo, hi


_GROUP_KEYS = (
    "name",
    "replicas",
    "min",
    "max",
    "cpu",
    "memory",
    "gpu",
    "vm",
    "ephemeral-storage",
    "pool",
    "spot",
    "selector",
)


def parse_group(text: str) -> WorkerGroup:
    """``name=gpu,replicas=1,min=0,max=4,cpu=8,memory=64Gi,gpu=1,pool=gpua100,spot``."""
    fields: dict[str, str] = {}
    selectors: list[str] = []
    for item in (p.strip() for p in text.split(",") if p.strip()):
        key, eq, value = item.partition("=")
        key = key.strip()
        if key not in _GROUP_KEYS:
            raise UsageError(
                f"invalid worker group {text!r}: unknown key {key!r}",
                hint="keys: "
                + ", ".join(_GROUP_KEYS)
                + "; e.g. --worker-group name=gpu,gpu=1,pool=gpua100,min=0,max=4",
            )
        if key == "spot" and not eq:
            value = "true"
        elif not eq:
            raise UsageError(
                f"invalid worker group {text!r}: {key!r} has no value",
                hint="write key=value, e.g. replicas=2",
            )
        if key == "selector":
            selectors.append(value.replace(":", "=", 1) if "=" not in value else value)
        else:
            fields[key] = value
    if "name" not in fields:
        raise UsageError(
            f"invalid worker group {text!r}: it has no name",
            hint="start with name=NAME, e.g. --worker-group name=gpu,gpu=1",
        )
    name = validate.name(fields["name"], "worker group name")
    spot = fields.get("spot", "false").lower()
    if spot not in ("true", "false"):
        raise UsageError(
            f"invalid worker group {text!r}: spot must be true or false",
            hint="write spot or spot=true",
        )
    return worker_group(
        name,
        replicas=fields.get("replicas"),
        min_replicas=fields.get("min"),
        max_replicas=fields.get("max"),
        flags=("replicas=", "min=", "max="),
        cpu=fields.get("cpu"),
        memory=fields.get("memory"),
        gpu=fields.get("gpu"),
        gpu_pool=fields.get("pool"),
        spot=spot == "true",
        node_selector=selectors,
        vm=fields.get("vm"),
        ephemeral_storage=fields.get("ephemeral-storage"),
    )


def worker_group(
    name: str,
    *,
    replicas: int | str | None = None,
    min_replicas: int | str | None = None,
    max_replicas: int | str | None = None,
    cpu: str | None = None,
    memory: str | None = None,
    gpu: int | str | None = None,
    gpu_pool: str | None = None,
    spot: bool = False,
    node_selector: Iterable[str] = (),
    vm: str | None = None,
    ephemeral_storage: str | None = None,
    flags: tuple[str, str, str] = ("--replicas", "--min", "--max"),
) -> WorkerGroup:
    validate.name(name, "worker group name")
    what = f"worker group {name}"
    count, lo, hi = replica_range(replicas, min_replicas, max_replicas, what, flags)
    size = vm_size(vm, f"{what} VM size") if vm else None
    group = WorkerGroup(
        name=name,
        replicas=count,
        min_replicas=lo,
        max_replicas=hi,
        resources=resources(cpu, memory, gpu, what, ephemeral_storage=ephemeral_storage),
        placement=placement(gpu_pool, spot, node_selector),
        vm_size=size,
        given=frozenset(k for k, v in (("cpu", cpu), ("memory", memory)) if v is not None),
    )
    return sized_for(group, size)


def check_groups(groups: Sequence[WorkerGroup]) -> tuple[WorkerGroup, ...]:
    seen: set[str] = set()
    for group in groups:
        if group.name in seen:
            raise UsageError(
                f"worker group {group.name!r} is given twice",
                hint="give each --worker-group a different name=",
            )
        seen.add(group.name)
    return tuple(groups)


# ---- template values ----------------------------------------------------------------------


def _pod_values(res: Resources, place: Placement) -> dict[str, Any]:
    return {
        "resources": res.as_k8s(),
        "node_selector": place.selector(),
        "tolerations": place.tolerations(res.gpu > 0),
    }


def head_runs_tasks(groups: Sequence[WorkerGroup]) -> bool:
    """Whether Ray must run tasks on the head: no worker group can ever have a pod.

    A group whose maxReplicas is 0 gets no pod, whatever its replicas or the autoscaler ask for
    (upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/util.go
    GetWorkerGroupDesiredReplicas caps replicas at maxReplicas; raycluster_controller.go
    reconcilePods creates that many). With ``num-cpus: 0`` on the head as well, every task would
    wait forever for a CPU.
    """
    return not any(group.max > 0 for group in groups)


def cluster_values(spec: ClusterSpec) -> dict[str, Any]:
    """Values for ``ray/raycluster.yaml.j2``."""
    head = _pod_values(spec.head, spec.head_placement)
    head["ray_start_params"] = {"dashboard-host": "0.0.0.0"}
    if head_runs_tasks(spec.groups):
        # Every task and actor runs on the head, so it is sized as a worker is.
        head["ray_start_params"].update(worker_memory_params(spec.head.memory))
    else:
        # The head schedules no Ray tasks when workers can exist: a driver competing with tasks
        # for the head's CPUs is the usual cause of a head pod OOM.
        head["ray_start_params"]["num-cpus"] = "0"
    groups = []
    for group in spec.groups:
        values = _pod_values(group.resources, group.placement)
        values.update(
            name=group.name,
            replicas=group.replicas,
            min=group.min,
            max=group.max,
            service_account=spec.service_account,
            ray_start_params=worker_memory_params(group.resources.memory),
        )
        groups.append(values)
    return {
        "name": spec.name,
        "namespace": spec.namespace,
        "labels": dict(spec.labels),
        "annotations": dict(spec.annotations),
        "ray_version": spec.ray_version,
        "image": spec.image_ref,
        "autoscaling": spec.autoscaling,
        "autoscaler_version": spec.autoscaler,
        "service_account": spec.service_account,
        "head": head,
        "head_ports": HEAD_PORTS,
        "groups": groups,
    }


def render_cluster(spec: ClusterSpec) -> dict[str, Any]:
    from akscli.render import render

    return render("ray/raycluster.yaml.j2", cluster_values(spec))[0]


def head_image(cluster: Mapping[str, Any]) -> str:
    """The image of a RayCluster's head container (new groups and submitters reuse it)."""
    return str(cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0].get("image"))


def render_worker_group(cluster: Mapping[str, Any], group: WorkerGroup, image: str | None) -> dict[str, Any]:
    """One ``workerGroupSpecs`` entry for ``cluster``, on the head's image unless a (validated) ``image`` is given."""
    from akscli.render import render

    head_pod = ((cluster.get("spec") or {}).get("headGroupSpec") or {}).get("template", {}).get("spec") or {}
    spec = ClusterSpec(
        name=cluster["metadata"]["name"],
        namespace=cluster["metadata"]["namespace"],
        groups=(group,),
        service_account=head_pod.get("serviceAccountName"),
    )
    values = {
        "cluster": spec.name,
        "namespace": spec.namespace,
        "image": image or head_image(cluster),
        "group": cluster_values(spec)["groups"][0],
    }
    group_obj: dict[str, Any] = render("ray/workergroup.yaml.j2", values)[0]["spec"]["workerGroupSpecs"][0]
    return group_obj
