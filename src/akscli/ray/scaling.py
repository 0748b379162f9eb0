"""Changing the size of a live Ray cluster: adding a worker group, scaling one, and what the Ray
autoscaler leaves to akscli (ray-project/kuberay ray-operator/controllers/ray/raycluster_controller.go)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from akscli.errors import UsageError
from akscli.ray.pod_state import pod_ending
from akscli.ray.spec import replica_range


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
    if group_obj.get("minReplicas") != group_obj.get("maxReplicas") and not autoscaled(cluster):
        # Turning enableInTreeAutoscaling on for a live cluster starts no autoscaler: KubeRay adds
        # the autoscaler container only when it creates the head pod (ray-project/kuberay
        # ray-operator/controllers/ray/common/pod.go), so the group would stay at its replicas.
        raise UsageError(
            f"Ray cluster {cluster_name} has no autoscaler, so worker group {name} cannot scale "
            f"between {group_obj.get('minReplicas')} and {group_obj.get('maxReplicas')}",
            hint="give a fixed size (--replicas N without --min/--max), or create the cluster with "
            "autoscaling (akscli ray cluster create NAME --worker-min A --worker-max B)",
        )
    return ops


def autoscaled(cluster: Mapping[str, Any]) -> bool:
    """Whether KubeRay runs the Ray autoscaler for this cluster (enableInTreeAutoscaling)."""
    return bool((cluster.get("spec") or {}).get("enableInTreeAutoscaling"))


def chosen_group(cluster: Mapping[str, Any], group: str | None) -> str:
    """The worker group ``ray cluster scale`` changes: ``--group``, else the cluster's only one.
    With several, the refusal names them, as ``kubectl logs`` names a pod's containers when it
    has several and none is given ("a container name must be specified ..., choose one of: [...]",
    kubernetes/kubectl pkg/polymorphichelpers/logsforobject.go); a group given and not there
    is scale_patch's refusal."""
    if group is not None:
        return group
    name = cluster["metadata"]["name"]
    names = [str(g.get("groupName")) for g in (cluster.get("spec") or {}).get("workerGroupSpecs") or []]
    if len(names) == 1:
        return names[0]
    if not names:
        raise UsageError(
            f"Ray cluster {name} has no worker group to scale",
            hint=f"add one: akscli ray workergroup add {name} GROUP --replicas 1",
        )
    raise UsageError(
        f"Ray cluster {name} has {len(names)} worker groups ({', '.join(names)}): --group names the one to scale",
        hint=f"for example: akscli ray cluster scale {name} --group {names[0]} --replicas 3",
    )


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
    if autoscaled(cluster):
        return _bounds_patch(name, group, index, current, replicas, min_replicas, max_replicas)
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


def _bounds_patch(
    cluster: str,
    group: str,
    index: int,
    current: Mapping[str, Any],
    replicas: int | None,
    min_replicas: int | None,
    max_replicas: int | None,
) -> dict[str, Any] | None:
    """The scale patch of an autoscaled group: its bounds only.

    The Ray autoscaler writes ``replicas`` itself, and with in-tree autoscaling KubeRay deletes a
    worker only when the autoscaler names it in ``scaleStrategy.workersToDelete``
    (ray-project/kuberay ray-operator/controllers/ray/raycluster_controller.go reconcilePods):
    a new ``replicas`` would be overwritten or ignored. KubeRay clamps the desired count into the
    bounds (utils/util.go GetWorkerGroupDesiredReplicas), so moving them is what works.
    """
    if replicas is not None:
        raise UsageError(
            f"Ray cluster {cluster} is autoscaled: the Ray autoscaler sets the replicas of worker group "
            f"{group} itself, and KubeRay removes a worker only when the autoscaler names it",
            hint=f"move the bounds instead: akscli ray cluster scale {cluster} --group {group} "
            f"--min {replicas} --max {max(replicas, int(current.get('maxReplicas') or replicas))}",
        )
    cur_min = int(current.get("minReplicas") or 0)
    cur_max = int(current.get("maxReplicas") or cur_min)
    new_min = cur_min if min_replicas is None else min_replicas
    new_max = cur_max if max_replicas is None else max_replicas
    if new_min > new_max:
        raise UsageError(
            f"worker group {group}: min replicas ({new_min}) is greater than max replicas ({new_max})",
            hint="give --min no larger than --max",
        )
    if (new_min, new_max) == (cur_min, cur_max):
        return None
    base = f"/spec/workerGroupSpecs/{index}"
    ops: list[dict[str, Any]] = [
        {"op": "test", "path": f"{base}/groupName", "value": group},
        {"op": "add", "path": f"{base}/minReplicas", "value": new_min},
        {"op": "add", "path": f"{base}/maxReplicas", "value": new_max},
    ]
    return {"ops": ops, "replicas": None, "min": new_min, "max": new_max, "autoscaled": True}


# KubeRay's default maxReplicas (ray-project/kuberay v1.7.0 ray-operator/apis/ray/v1/raycluster_types.go
# WorkerGroupSpec, +kubebuilder:default:=2147483647).
MAX_REPLICAS_DEFAULT = 2**31 - 1


def can_have_workers(groups: Iterable[Mapping[str, Any]]) -> bool:
    """Whether some worker group can have a pod: its maxReplicas above 0 and not suspended
    (utils/util.go GetWorkerGroupDesiredReplicas caps replicas at maxReplicas; spec.head_runs_tasks
    is the same rule for a cluster akscli renders)."""
    return any(
        not group.get("suspend")
        and int(group["maxReplicas"] if group.get("maxReplicas") is not None else MAX_REPLICAS_DEFAULT) > 0
        for group in groups
    )


def scaled_groups(cluster: Mapping[str, Any], group: str, change: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cluster's worker groups as ``change`` (a scale_patch) leaves them."""
    groups = [dict(g) for g in (cluster.get("spec") or {}).get("workerGroupSpecs") or []]
    for entry in groups:
        if entry.get("groupName") == group:
            entry.update(minReplicas=change["min"], maxReplicas=change["max"])
    return groups


# The env var in which KubeRay keeps the `ray start` line it generated, also where the Ray container's
# command is the template's own (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/constant.go
# KUBERAY_GEN_RAY_START_CMD, RayOverwriteContainerCmdAnnotationKey; common/pod.go setContainerEnvVars).
GEN_RAY_START_CMD = "KUBERAY_GEN_RAY_START_CMD"
_NUM_CPUS = re.compile(r"--num-cpus(?:=|\s+)['\"]?([^\s'\";&|]+)")
_UNKNOWN = object()


def started_num_cpus(pod: Mapping[str, Any]) -> object:
    """The ``--num-cpus`` a Ray pod was started with, read from its Ray container (index 0,
    utils/constant.go RayContainerIndex): the command and args where they hold ``ray start``
    (common/pod.go BuildPod writes ``/bin/bash -c -- "ulimit ...; ray start --head ... --num-cpus=0 ..."``,
    with num-cpus from rayStartParams, else the CPU limit, else the request: generateRayStartCommand),
    else the KUBERAY_GEN_RAY_START_CMD env where the command runs it. None: started without
    ``--num-cpus`` (Ray then counts the node's CPUs); ``_UNKNOWN``: no ``ray start`` line to read."""
    containers = (pod.get("spec") or {}).get("containers") or []
    if not containers:
        return _UNKNOWN
    ray = containers[0]
    line = " ".join(str(word) for word in [*(ray.get("command") or []), *(ray.get("args") or [])])
    if "ray start" not in line:
        generated = next((e.get("value") for e in ray.get("env") or [] if e.get("name") == GEN_RAY_START_CMD), None)
        if not generated or GEN_RAY_START_CMD not in line:
            return _UNKNOWN
        line = str(generated)
    found = _NUM_CPUS.search(line[line.index("ray start") :])
    return found.group(1) if found else None


def head_tasks_warning(
    cluster: Mapping[str, Any],
    groups: Iterable[Mapping[str, Any]],
    head_pod: Callable[[], Mapping[str, Any] | None] = lambda: None,
) -> str | None:
    """A warning when the worker groups ``groups`` (the cluster's after a scale or an added group)
    change whether the running head should run tasks, and the head will not follow.

    akscli starts the head with ``num-cpus: 0`` when a group can have pods, and with its CPUs for
    tasks when none can (spec.cluster_values). KubeRay reads ``rayStartParams`` only when it makes a
    pod (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/common/pod.go BuildPod,
    generateRayStartCommand), and makes the head again only when it is gone or has ended
    (raycluster_controller.go reconcilePods, shouldDeletePod; with upgradeStrategy Recreate, on a
    spec hash change, which sizes never make: shouldRecreatePodsForUpgrade). So the running head
    keeps the start it had: its ``--num-cpus`` is read from the head pod (``head_pod``, called only
    when the groups change whether a worker can exist; started_num_cpus), and from the spec's
    ``rayStartParams`` where there is no head pod, only one on its way out, or no ``ray start`` line in it."""
    spec = cluster.get("spec") or {}
    name, namespace = cluster["metadata"]["name"], cluster["metadata"].get("namespace")
    before, after = can_have_workers(spec.get("workerGroupSpecs") or []), can_have_workers(groups)
    if before == after:
        return None
    pod = head_pod()
    # A head on its way out (deleted, or ended: KubeRay deletes it) is replaced by one KubeRay builds
    # from the spec (reconcilePods): the spec's rayStartParams are then the start that counts.
    started = started_num_cpus(pod) if pod is not None and not pod_ending(pod) else _UNKNOWN
    if started is _UNKNOWN:
        params = (spec.get("headGroupSpec") or {}).get("rayStartParams") or {}
        started = str(params["num-cpus"]) if params.get("num-cpus") is not None else None
    head_cpus = None if started is None else str(started)
    if not before and after and head_cpus != "0":
        return (
            f"the head of Ray cluster {name} goes on running tasks beside the workers: it was started when no "
            "worker group could have a pod, with its CPUs for tasks, and KubeRay does not restart a running head "
            "(it reads rayStartParams only when it makes a pod). A task that fills the head's memory takes the whole "
            f"cluster down; to keep tasks on the workers, recreate the cluster with its workers: akscli ray cluster "
            f"delete {name} -n {namespace} -y, then akscli ray cluster create {name} -n {namespace} with them"
        )
    if before and not after and head_cpus == "0":
        return (
            f"no worker group of Ray cluster {name} can have a pod now, and its head was started with num-cpus 0: "
            "no Ray task or actor can run (each waits for a CPU) until a group's --max is above 0 again. KubeRay "
            "does not restart a running head, so the head does not take tasks instead"
        )
    return None
