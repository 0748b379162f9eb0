"""Ray on AKS through KubeRay: the values behind RayCluster, RayJob and RayService objects.

Plain logic only (no Typer, no rich, no Kubernetes client): parse and validate what the user
typed into specs, turn specs into template values, pack a working directory into a ConfigMap,
and explain why a job or cluster is stuck from pods, events and nodes that the caller fetched.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shlex
import string
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from akscli import validate
from akscli.errors import (
    AkscliError,
    AuthError,
    NotFoundError,
    UsageError,
    WaitTimeoutError,
)

if TYPE_CHECKING:
    from akscli.kube.client import Kube

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
SPOT_LABEL = "kubernetes.azure.com/scalesetpriority"
# AKS taints spot nodes with this key; GPU pools are commonly tainted sku=gpu or nvidia.com/gpu.
SPOT_TOLERATION = {"key": SPOT_LABEL, "operator": "Equal", "value": "spot", "effect": "NoSchedule"}
GPU_TOLERATIONS = [
    {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
    {"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"},
]
# Labels that mark a node as a GPU node on AKS, with or without the NVIDIA GPU operator.
GPU_NODE_SELECTORS = ("nvidia.com/gpu.present=true", "nvidia.com/gpu.product", "accelerator=nvidia")

DASHBOARD_PORT = 8265
HEAD_PORTS = [
    {"name": "gcs-server", "containerPort": 6379},
    {"name": "dashboard", "containerPort": DASHBOARD_PORT},
    {"name": "client", "containerPort": 10001},
    {"name": "serve", "containerPort": 8000},
]

# A ConfigMap holds at most 1 MiB (etcd's object limit); keep room for keys and metadata.
WORKDIR_LIMIT_BYTES = 900 * 1024
WORKDIR_MOUNT = "/home/ray/workdir"
WORKDIR_SKIP_DIRS = frozenset(
    {
        ".git",
        "__pycache__",
        ".venv",
        "venv",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "node_modules",
        ".ipynb_checkpoints",
    }
)
WORKDIR_SKIP_SUFFIXES = (".pyc", ".pyo")

JOB_TERMINAL_DEPLOYMENT = frozenset({"Complete", "Failed", "ValidationFailed", "Suspended"})
JOB_TERMINAL_STATUS = frozenset({"SUCCEEDED", "FAILED", "STOPPED"})


# ---- specs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resources:
    cpu: str = "1"
    memory: str = "4Gi"
    gpu: int = 0

    def as_k8s(self) -> dict[str, Any]:
        # Requests equal limits: Ray sizes its own scheduler from the limits, and equal values
        # keep Ray's view and the kubelet's view of a node the same.
        amounts: dict[str, Any] = {"cpu": self.cpu, "memory": self.memory}
        if self.gpu:
            amounts[GPU_RESOURCE] = self.gpu
        return {"requests": dict(amounts), "limits": dict(amounts)}


@dataclass(frozen=True)
class Placement:
    gpu_pool: str | None = None
    spot: bool = False
    node_selector: Mapping[str, str] = field(default_factory=dict)

    def selector(self) -> dict[str, str]:
        result = dict(self.node_selector)
        if self.gpu_pool:
            result[AGENTPOOL_LABEL] = self.gpu_pool
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

    @property
    def image_ref(self) -> str:
        if self.image:
            return self.image
        suffix = "-gpu" if any(g.resources.gpu for g in self.groups) or self.head.gpu else ""
        return f"{DEFAULT_IMAGE_REPO}:{self.ray_version}{suffix}"

    @property
    def autoscaling(self) -> bool:
        return any(g.min != g.max for g in self.groups)

    @property
    def gpus_requested(self) -> bool:
        return self.head.gpu > 0 or any(g.resources.gpu > 0 for g in self.groups)


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
) -> Resources:
    """Validate one pod's CPU, memory and GPU count (``what`` names the pod in messages)."""
    cpu_text = validate.quantity(cpu, f"{what} CPU") if cpu is not None else default.cpu
    mem_text = validate.quantity(memory, f"{what} memory") if memory is not None else default.memory
    gpus = validate.integer(gpu, f"{what} GPUs", 0, 16) if gpu is not None else default.gpu
    if validate.quantity_value(cpu_text, f"{what} CPU") <= 0:
        raise UsageError(
            f"invalid {what} CPU {cpu_text!r}: it must be more than 0",
            hint="for example: 1, 500m or 8",
        )
    if validate.quantity_value(mem_text, f"{what} memory") < 2**27:
        raise UsageError(f"invalid {what} memory {mem_text!r}: Ray needs at least 128Mi", hint="for example: 4Gi")
    return Resources(cpu=cpu_text, memory=mem_text, gpu=gpus)


def placement(gpu_pool: str | None, spot: bool, node_selector: Iterable[str] = ()) -> Placement:
    pool = validate.name(gpu_pool, "node pool name", max_len=12) if gpu_pool else None
    if pool and not re.fullmatch(r"[a-z][a-z0-9]*", pool):
        raise UsageError(
            f"invalid node pool name {gpu_pool!r}: AKS pool names are lower-case "
            "letters and digits, starting with a letter",
            hint="for example: gpua100",
        )
    selector = validate.labels(list(node_selector), "node selector")
    return Placement(gpu_pool=pool, spot=spot, node_selector=selector)


def replica_range(
    replicas: int | str | None,
    min_replicas: int | str | None,
    max_replicas: int | str | None,
    what: str,
) -> tuple[int, int | None, int | None]:
    """Validate desired, min and max replicas of a group; min <= replicas <= max."""
    count = validate.integer(replicas, f"{what} replicas", 0, 10_000) if replicas is not None else None
    lo = validate.integer(min_replicas, f"{what} min replicas", 0, 10_000) if min_replicas is not None else None
    hi = validate.integer(max_replicas, f"{what} max replicas", 0, 10_000) if max_replicas is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise UsageError(
            f"{what}: min replicas ({lo}) is greater than max replicas ({hi})",
            hint="give --min no larger than --max",
        )
    if count is None:
        count = lo if lo is not None else (1 if hi is None or hi >= 1 else 0)
    if lo is not None and count < lo:
        raise UsageError(
            f"{what}: replicas ({count}) is less than min replicas ({lo})",
            hint="raise --replicas or lower --min",
        )
    if hi is not None and count > hi:
        raise UsageError(
            f"{what}: replicas ({count}) is more than max replicas ({hi})",
            hint="lower --replicas or raise --max",
        )
    return count, lo, hi


_GROUP_KEYS = ("name", "replicas", "min", "max", "cpu", "memory", "gpu", "pool", "spot", "selector")


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
        cpu=fields.get("cpu"),
        memory=fields.get("memory"),
        gpu=fields.get("gpu"),
        gpu_pool=fields.get("pool"),
        spot=spot == "true",
        node_selector=selectors,
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
) -> WorkerGroup:
    validate.name(name, "worker group name")
    what = f"worker group {name}"
    count, lo, hi = replica_range(replicas, min_replicas, max_replicas, what)
    return WorkerGroup(
        name=name,
        replicas=count,
        min_replicas=lo,
        max_replicas=hi,
        resources=resources(cpu, memory, gpu, what),
        placement=placement(gpu_pool, spot, node_selector),
    )


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


def cluster_values(spec: ClusterSpec) -> dict[str, Any]:
    """Values for ``ray/raycluster.yaml.j2``."""
    head = _pod_values(spec.head, spec.head_placement)
    # The head schedules no Ray tasks when workers exist: a driver competing with tasks for the
    # head's CPUs is the usual cause of a head pod OOM.
    head["ray_start_params"] = {"dashboard-host": "0.0.0.0"}
    if spec.groups:
        head["ray_start_params"]["num-cpus"] = "0"
    groups = []
    for group in spec.groups:
        values = _pod_values(group.resources, group.placement)
        values.update(name=group.name, replicas=group.replicas, min=group.min, max=group.max)
        groups.append(values)
    return {
        "name": spec.name,
        "namespace": spec.namespace,
        "labels": dict(spec.labels),
        "ray_version": spec.ray_version,
        "image": spec.image_ref,
        "autoscaling": spec.autoscaling,
        "head": head,
        "head_ports": HEAD_PORTS,
        "groups": groups,
    }


def add_group_ops(cluster: Mapping[str, Any], group_obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A JSON patch appending one rendered worker group to a RayCluster.

    Appending (rather than replacing the list) leaves groups that someone else adds meanwhile
    alone; the ``test`` on the list length makes a concurrent change fail instead of racing.
    """
    spec = cluster.get("spec") or {}
    existing = list(spec.get("workerGroupSpecs") or [])
    name = group_obj.get("groupName")
    cluster_name = cluster["metadata"]["name"]
    if any(g.get("groupName") == name for g in existing):
        raise UsageError(
            f"worker group {name!r} already exists in Ray cluster {cluster_name}",
            hint=f"use akscli ray cluster scale {cluster_name} --group {name}",
        )
    ops: list[dict[str, Any]]
    if existing:
        ops = [
            {
                "op": "test",
                "path": "/spec/workerGroupSpecs/" + str(len(existing) - 1) + "/groupName",
                "value": existing[-1].get("groupName"),
            },
            {"op": "add", "path": "/spec/workerGroupSpecs/-", "value": dict(group_obj)},
        ]
    else:
        ops = [{"op": "add", "path": "/spec/workerGroupSpecs", "value": [dict(group_obj)]}]
    if group_obj.get("minReplicas") != group_obj.get("maxReplicas"):
        ops.append({"op": "add", "path": "/spec/enableInTreeAutoscaling", "value": True})
    return ops


def scale_patch(
    cluster: Mapping[str, Any],
    group: str,
    replicas: int | None,
    min_replicas: int | None,
    max_replicas: int | None,
) -> dict[str, Any] | None:
    """A JSON patch for one group's replicas, or None when nothing changes.

    A JSON patch with a ``test`` on the group's name makes a concurrent reorder of the list fail
    instead of scaling the wrong group.
    """
    name = cluster["metadata"]["name"]
    groups = (cluster.get("spec") or {}).get("workerGroupSpecs") or []
    names = [g.get("groupName") for g in groups]
    if group not in names:
        shown = ", ".join(str(n) for n in names) or "none"
        raise UsageError(
            f"worker group {group!r} does not exist in Ray cluster {name}",
            hint=f"its worker groups: {shown}",
        )
    if replicas is None and min_replicas is None and max_replicas is None:
        raise UsageError(
            "nothing to scale: give --replicas, --min or --max",
            hint=f"for example: akscli ray cluster scale {name} --group {group} --replicas 3",
        )
    index = names.index(group)
    current = groups[index]
    cur_replicas = int(current.get("replicas") or 0)
    cur_min = int(current.get("minReplicas") or 0)
    cur_max = int(current.get("maxReplicas") if current.get("maxReplicas") is not None else cur_replicas)
    new_min = cur_min if min_replicas is None else min_replicas
    new_max = cur_max if max_replicas is None else max_replicas
    new_replicas = cur_replicas if replicas is None else replicas
    if replicas is None:
        # Moving the bounds drags the desired count inside them, as the autoscaler would.
        new_replicas = min(max(new_replicas, new_min), new_max)
    replica_range(new_replicas, new_min, new_max, f"worker group {group}")
    if (new_replicas, new_min, new_max) == (cur_replicas, cur_min, cur_max):
        return None
    base = f"/spec/workerGroupSpecs/{index}"
    ops: list[dict[str, Any]] = [{"op": "test", "path": f"{base}/groupName", "value": group}]
    for key, value in (
        ("replicas", new_replicas),
        ("minReplicas", new_min),
        ("maxReplicas", new_max),
    ):
        ops.append({"op": "add", "path": f"{base}/{key}", "value": value})
    return {"ops": ops, "replicas": new_replicas, "min": new_min, "max": new_max}


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


# ---- working directory ----------------------------------------------------------------------


@dataclass(frozen=True)
class PackedWorkdir:
    data: dict[str, str]
    binary_data: dict[str, str]
    items: list[dict[str, str]]
    size: int
    files: int
    skipped: list[str]


def _key_for(index: int, rel: str) -> str:
    cleaned = re.sub(r"[^-._a-zA-Z0-9]", "_", rel.replace("/", "."))
    return f"f{index:04d}.{cleaned}"[:250]


def pack_workdir(root: Path, limit: int = WORKDIR_LIMIT_BYTES) -> PackedWorkdir:
    """Read a small directory into ConfigMap data, keeping its tree through volume items.

    Sizes are counted as they will be stored (base64 for binary files) and reading stops as soon
    as the limit is passed, so a large directory is refused without being read.
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise UsageError(
            f"working directory {str(root)!r} does not exist or is not a directory",
            hint="give --working-dir a directory with your job's files",
        )
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    items: list[dict[str, str]] = []
    skipped: list[str] = []
    total = 0
    index = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in WORKDIR_SKIP_DIRS)
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            rel = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                skipped.append(rel)
                continue
            if filename.endswith(WORKDIR_SKIP_SUFFIXES):
                continue
            raw_size = path.stat().st_size
            if total + raw_size > limit:
                _too_big(root, limit)
            content = path.read_bytes()
            key = _key_for(index, rel)
            try:
                data[key] = content.decode("utf-8")
                total += len(content)
            except UnicodeDecodeError:
                encoded = base64.b64encode(content).decode("ascii")
                binary[key] = encoded
                total += len(encoded)
            if total > limit:
                _too_big(root, limit)
            items.append({"key": key, "path": rel})
            index += 1
    if not items:
        raise UsageError(
            f"working directory {str(root)!r} holds no files",
            hint="put your entrypoint script in it, or leave out --working-dir",
        )
    return PackedWorkdir(data=data, binary_data=binary, items=items, size=total, files=index, skipped=skipped)


def _too_big(root: Path, limit: int) -> None:
    raise UsageError(
        f"working directory {str(root)!r} is over the {limit // 1024} KiB limit of a "
        "ConfigMap-shipped working directory",
        hint="ship code and data in the container image, or upload a zip and set "
        "working_dir: https://.../dir.zip in --runtime-env",
    )


def workdir_configmap_name(job: str) -> str:
    return f"{job}-workdir"


def workdir_values(job: str, namespace: str, packed: PackedWorkdir) -> dict[str, Any]:
    return {
        "name": workdir_configmap_name(job),
        "namespace": namespace,
        "job": job,
        "data": packed.data,
        "binary_data": packed.binary_data,
    }


# ---- services -----------------------------------------------------------------------------


def serve_config(text: str, source: str) -> str:
    """Check a Serve config (serveConfigV2) and return it as YAML text."""
    from akscli import yamlio

    doc = yamlio.load(text, source)
    if not isinstance(doc, Mapping) or not isinstance(doc.get("applications"), list) or not doc["applications"]:
        raise UsageError(
            f"{source} is not a Ray Serve config: it has no applications list",
            hint="write applications: [{name: app, import_path: module:app}] as `serve build` produces",
        )
    names: set[str] = set()
    for index, app in enumerate(doc["applications"]):
        if not isinstance(app, Mapping) or not isinstance(app.get("import_path"), str):
            raise UsageError(
                f"{source}: application {index + 1} has no import_path",
                hint="each application needs import_path: module:variable",
            )
        app_name = str(app.get("name", "default"))
        if app_name in names:
            raise UsageError(
                f"{source}: application name {app_name!r} is used twice",
                hint="give each application a distinct name",
            )
        names.add(app_name)
    return yamlio.dump(doc)


# ---- reading status -----------------------------------------------------------------------


def condition(obj: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    from akscli.kube.readiness import conditions

    return conditions(obj).get(kind)


def pod_ready(pod: Mapping[str, Any]) -> bool:
    # Running and Ready: a Succeeded pod is "ready" for --wait but holds no GPU any more.
    cond = condition(pod, "Ready")
    return bool(cond and cond.get("status") == "True") and (pod.get("status") or {}).get("phase") == "Running"


def pod_gpus(pod: Mapping[str, Any]) -> int:
    total = 0
    for container in (pod.get("spec") or {}).get("containers") or []:
        limits = (container.get("resources") or {}).get("limits") or {}
        try:
            total += int(str(limits.get(GPU_RESOURCE, 0)))
        except ValueError:
            continue
    return total


@dataclass
class GroupStatus:
    name: str
    desired: int
    min: int
    max: int
    ready: int = 0
    pending: int = 0
    gpus_per_pod: int = 0
    gpus_in_use: int = 0


def cluster_summary(cluster: Mapping[str, Any], pods: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """What ``ray cluster status`` shows: conditions, workers ready per group, GPUs in use."""
    spec = cluster.get("spec") or {}
    status = cluster.get("status") or {}
    groups: dict[str, GroupStatus] = {}
    for group in spec.get("workerGroupSpecs") or []:
        name = str(group.get("groupName"))
        containers = ((group.get("template") or {}).get("spec") or {}).get("containers") or []
        gpus = pod_gpus({"spec": {"containers": containers}})
        replicas = int(group.get("replicas") or 0)
        groups[name] = GroupStatus(
            name=name,
            desired=replicas,
            min=int(group.get("minReplicas") or 0),
            max=int(group.get("maxReplicas") or replicas),
            gpus_per_pod=gpus,
        )
    head = {"pod": None, "ready": False}
    gpus_in_use = 0
    for pod in pods:
        labels = (pod.get("metadata") or {}).get("labels") or {}
        ready = pod_ready(pod)
        if ready:
            gpus_in_use += pod_gpus(pod)
        if labels.get(NODE_TYPE_LABEL) == "head":
            head = {"pod": pod["metadata"]["name"], "ready": ready}
            continue
        entry = groups.get(str(labels.get(GROUP_LABEL)))
        if entry is None:
            continue
        if ready:
            entry.ready += 1
            entry.gpus_in_use += pod_gpus(pod)
        elif (pod.get("status") or {}).get("phase") in (None, "Pending"):
            entry.pending += 1
    return {
        "name": cluster["metadata"]["name"],
        "namespace": cluster["metadata"].get("namespace"),
        "state": status.get("state") or "pending",
        "rayVersion": spec.get("rayVersion"),
        "conditions": [
            {
                "type": c.get("type"),
                "status": c.get("status"),
                "reason": c.get("reason"),
                "message": c.get("message"),
            }
            for c in status.get("conditions") or []
        ],
        "head": head,
        "groups": [vars(g) for g in groups.values()],
        "gpus": {"desired": int(str(status.get("desiredGPU") or 0)), "inUse": gpus_in_use},
        "dashboard": (status.get("head") or {}).get("serviceName"),
    }


def head_service(cluster: Mapping[str, Any]) -> str:
    """The head service: KubeRay reports it in status; before that it is ``<name>-head-svc``."""
    reported = ((cluster.get("status") or {}).get("head") or {}).get("serviceName")
    return str(reported or f"{cluster['metadata']['name']}-head-svc")


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


# ---- diagnosis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    pod: str
    reason: str
    message: str
    hint: str | None = None

    def line(self) -> str:
        text = f"{self.pod}: {self.reason}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


_PULL_REASONS = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ErrImageNeverPull",
        "RegistryUnavailable",
    }
)


def diagnose_pods(
    pods: Iterable[Mapping[str, Any]],
    events: Mapping[str, Sequence[Mapping[str, Any]]],
    gpu_nodes: bool | None,
) -> list[Finding]:
    """Why pods are not running: scheduling events, GPUs, image pulls, crash loops.

    ``events`` maps a pod name to its events (newest last); ``gpu_nodes`` says whether the
    cluster has any GPU node (None when unknown).
    """
    findings: list[Finding] = []
    for pod in pods:
        name = str(pod["metadata"]["name"])
        status = pod.get("status") or {}
        pod_events = list(events.get(name, ()))
        waiting = [
            (cs.get("state") or {}).get("waiting") or {}
            for cs in [
                *(status.get("initContainerStatuses") or []),
                *(status.get("containerStatuses") or []),
            ]
        ]
        pull = next((w for w in waiting if w.get("reason") in _PULL_REASONS), None)
        if pull is not None:
            message = pull.get("message") or _last_event(pod_events, ("Failed",)) or "cannot pull"
            findings.append(
                Finding(
                    name,
                    str(pull.get("reason")),
                    str(message),
                    "check the image name and tag, and that the cluster can pull "
                    "from its registry (az aks update --attach-acr)",
                )
            )
            continue
        crash = next((w for w in waiting if w.get("reason") == "CrashLoopBackOff"), None)
        if crash is not None:
            findings.append(
                Finding(
                    name,
                    "CrashLoopBackOff",
                    str(crash.get("message") or "the container keeps exiting"),
                    f"see its logs: kubectl logs {name} --previous",
                )
            )
            continue
        if status.get("phase") not in (None, "Pending"):
            continue
        scheduled = condition(pod, "PodScheduled")
        if scheduled is not None and scheduled.get("status") == "True":
            continue
        message = str(
            _last_event(pod_events, ("FailedScheduling",))
            or (scheduled or {}).get("message")
            or "waiting to be scheduled"
        )
        scale_up = _last_event(pod_events, ("TriggeredScaleUp",))
        no_scale = _last_event(pod_events, ("NotTriggerScaleUp",))
        wants_gpu = pod_gpus(pod) > 0
        hint: str | None = None
        if scale_up:
            hint = f"the cluster autoscaler is adding a node ({scale_up}); GPU nodes take minutes"
        elif wants_gpu and gpu_nodes is False:
            hint = (
                "the cluster has no GPU nodes: add a GPU node pool, e.g. akscli nodepool add "
                "gpu --vm-size Standard_NC24ads_A100_v4 --min-count 0 --max-count 2"
            )
        elif no_scale:
            hint = f"the cluster autoscaler cannot add a node that fits: {no_scale}"
        elif GPU_RESOURCE in message:
            pool = ((pod.get("spec") or {}).get("nodeSelector") or {}).get(AGENTPOOL_LABEL)
            where = f"node pool {pool}" if pool else "the GPU node pool"
            hint = f"no node has a free GPU: scale {where} up or enable its cluster autoscaler"
        findings.append(Finding(name, "Unschedulable", message, hint))
    return findings


def _last_event(events: Sequence[Mapping[str, Any]], reasons: tuple[str, ...]) -> str | None:
    for event in reversed(events):
        if event.get("reason") in reasons:
            return str(event.get("message") or event.get("reason"))
    return None


def stuck_pods(pods: Iterable[Mapping[str, Any]], limit: int = 20) -> list[Mapping[str, Any]]:
    """Pods that are not ready, at most ``limit`` (events are then fetched per pod)."""
    result = []
    for pod in pods:
        if not pod_ready(pod) and (pod.get("status") or {}).get("phase") != "Succeeded":
            result.append(pod)
            if len(result) >= limit:
                break
    return result


def gpu_capacity_problem(
    spec: ClusterSpec,
    gpu_nodes: bool,
    pools_with_nodes: Mapping[str, bool],
) -> tuple[str | None, list[str]]:
    """An error when GPUs are asked for and the cluster cannot have any; warnings otherwise.

    A named ``--gpu-pool`` with no nodes is only a warning: a pool that autoscales from zero
    has none until the first pod asks for one.
    """
    warnings: list[str] = []
    if not spec.gpus_requested:
        return None, warnings
    gpu_groups = [g for g in spec.groups if g.resources.gpu]
    pooled = [g for g in gpu_groups if g.placement.gpu_pool]
    for group in pooled:
        pool = str(group.placement.gpu_pool)
        if not pools_with_nodes.get(pool, False):
            warnings.append(
                f"node pool {pool} has no nodes now; worker group {group.name} waits "
                "until the pool scales up (GPU nodes take several minutes)"
            )
    if not gpu_nodes and len(pooled) < len(gpu_groups) + (1 if spec.head.gpu else 0):
        return (f"Ray cluster {spec.name} asks for GPUs but the cluster has no GPU nodes", warnings)
    return None, warnings


NO_GPU_HINT = (
    "add a GPU node pool (e.g. akscli nodepool add gpu --vm-size Standard_NC24ads_A100_v4 "
    "--min-count 0 --max-count 2) and pass --gpu-pool gpu, or drop the GPU flags"
)


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


# ---- dashboard ------------------------------------------------------------------------------


def proxy_path(namespace: str, service: str, port: int | str, path: str = "") -> str:
    return f"/api/v1/namespaces/{namespace}/services/{service}:{port}/proxy/{path.lstrip('/')}"


class DashboardForwarder:
    """A local HTTP listener that relays every request to the head service's dashboard port
    through the API server's service proxy.

    The proxy resolves the Service on each request, so a restarted head pod (new name, new IP)
    is reached without reconnecting; while no head pod answers, the relay retries the request
    every second, at once when the head pod watch sees a ready one, for ``reconnect_timeout``.
    """

    def __init__(
        self,
        kube: Kube,
        namespace: str,
        cluster: str,
        service: str,
        port: int = 0,
        address: str = "127.0.0.1",
        progress: Progress | None = None,
        reconnect_timeout: float = 60.0,
    ) -> None:
        self.kube = kube
        self.namespace = namespace
        self.cluster = cluster
        self.service = service
        self.progress = progress or (lambda _m: None)
        self.reconnect_timeout = reconnect_timeout
        self.head_ready = threading.Event()
        self.head_name: str | None = None
        self.restarts = 0
        self._stop = threading.Event()
        self._server = self._make_server(address, port)
        self.port = int(self._server.server_address[1])

    def _make_server(self, address: str, port: int) -> Any:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        forwarder = self

        class Handler(BaseHTTPRequestHandler):
            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                status, headers, payload = forwarder.relay(self.command, self.path, body)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _relay

            def log_message(self, format: str, *args: Any) -> None:
                del format, args  # the relay reports what matters through progress

        server = ThreadingHTTPServer((address, port), Handler)
        server.daemon_threads = True
        return server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def relay(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        deadline = time.monotonic() + self.reconnect_timeout
        while True:
            status, headers, payload = self._once(method, path, body)
            if status not in (502, 503) or self._stop.is_set():
                return status, headers, payload
            # No head pod behind the Service: wait for the watch to see a ready one.
            self.head_ready.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (not self.head_ready.wait(min(remaining, 1.0)) and time.monotonic() >= deadline):
                return status, headers, payload

    def _once(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        url = proxy_path(self.namespace, self.service, DASHBOARD_PORT, path)
        try:
            response = self.kube.request(
                method,
                url,
                body=body.decode("utf-8", "replace") if body else None,
                stream=True,
                accept="*/*",
            )
        except AkscliError as exc:
            return 503, {"Content-Type": "text/plain"}, exc.message.encode()
        raw = response.response if hasattr(response, "response") else response
        headers = {
            k: v
            for k, v in raw.headers.items()
            if k.lower() in ("content-type", "cache-control", "etag", "last-modified")
        }
        return int(raw.status), headers, bytes(raw.data)

    def watch_head(self) -> None:
        """Follow the head pod; report when it is replaced and release waiting requests."""
        from akscli.kube.client import WatchExpired

        selector = f"{CLUSTER_LABEL}={self.cluster},{NODE_TYPE_LABEL}=head"
        version: str | None = None
        while not self._stop.is_set():
            try:
                if version is None:
                    page = next(
                        self.kube.list_pages(
                            "v1",
                            "Pod",
                            namespace=self.namespace,
                            label_selector=selector,
                            page_size=5,
                        )
                    )
                    for pod in page["items"]:
                        self._head_event("ADDED", pod)
                    version = (page.get("metadata") or {}).get("resourceVersion")
                for event, pod in self.kube.watch(
                    "v1",
                    "Pod",
                    namespace=self.namespace,
                    label_selector=selector,
                    resource_version=version,
                    timeout_seconds=30,
                ):
                    version = (pod.get("metadata") or {}).get("resourceVersion") or version
                    if event != "BOOKMARK":
                        self._head_event(event, pod)
                    if self._stop.is_set():
                        return
            except WatchExpired:
                version = None
            except AkscliError as exc:
                self.progress(f"head pod watch failed ({exc.message}); retrying")
                self._stop.wait(2.0)

    def _head_event(self, event: str, pod: Mapping[str, Any]) -> None:
        name = str((pod.get("metadata") or {}).get("name"))
        if event == "DELETED":
            if name == self.head_name:
                self.head_ready.clear()
                self.progress(f"head pod {name} is gone; waiting for its replacement")
            return
        if pod_ready(pod):
            if self.head_name is not None and name != self.head_name:
                self.restarts += 1
                self.progress(f"head pod changed to {name}; forwarding continues")
            self.head_name = name
            self.head_ready.set()

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, name="akscli-ray-dashboard", daemon=True).start()
        threading.Thread(target=self.watch_head, name="akscli-ray-head-watch", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.head_ready.set()
        self._server.shutdown()
        self._server.server_close()
