"""Reading a Ray cluster's state from objects the caller fetched, and explaining stuck pods.

Nothing here talks to the cluster (``akscli.ray.live`` and ``diagnose`` do): every function takes plain
objects, so each rule is tested with hand-written pods and events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from akscli.kube import pod_hints, pod_problems, scale_up
from akscli.output import kind_ref
from akscli.ray.pod_state import condition, live_head, pod_gpus, pod_ready
from akscli.ray.spec import (
    AGENTPOOL_LABEL,
    CLUSTER_LABEL,
    GPU_RESOURCE,
    GROUP_LABEL,
    NODE_TYPE_LABEL,
    NODEPOOL_LABEL,
    RAY_API,
)


def group_desired(group: Mapping[str, Any]) -> int:
    """Worker pods KubeRay keeps for a group: ``replicas`` held to [minReplicas, maxReplicas], times
    ``numOfHosts``, and none while the group is suspended (ray-project/kuberay v1.7.0
    ray-operator/controllers/ray/utils/util.go GetWorkerGroupDesiredReplicas)."""
    if group.get("suspend"):
        return 0
    lo = int(group.get("minReplicas") or 0)
    hi = group.get("maxReplicas")
    replicas = group.get("replicas")
    if replicas is None or int(replicas) < lo:
        count = lo
    elif hi is not None and int(replicas) > int(hi):
        count = int(hi)
    else:
        count = int(replicas)
    return count * int(group.get("numOfHosts") or 1)


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


@dataclass
class HeadPods:
    """The pods labelled as one cluster's head, counted as they are read: all counted, the first
    ``HEAD_LIMIT`` kept (KubeRay keeps one; more is the case extra_heads_finding explains)."""

    pods: list[Mapping[str, Any]] = field(default_factory=list)
    count: int = 0
    # The RayCluster's metadata.uid where it was read: live_head then tells its own head by uid.
    owner_uid: str | None = None

    def add(self, pod: Mapping[str, Any]) -> None:
        self.count += 1
        if len(self.pods) < HEAD_LIMIT:
            self.pods.append(pod)


HEAD_LIMIT = 5


def extra_heads_finding(cluster: str, namespace: str | None, heads: HeadPods) -> Finding | None:
    """A finding when more than one pod carries the cluster's head labels: KubeRay then reconciles
    nothing of the cluster until one is left.

    upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/controllers/ray/raycluster_controller.go
    reconcilePods lists the head pods by the ray.io/cluster and ray.io/node-type labels (terminating
    ones too: common/association.go RayClusterHeadPodsAssociationOptions) and, with more than one,
    returns "%d head pods found %v. Please delete extra head pods" before any worker group is
    reconciled; calculateStatus then fails too (common/association.go GetRayClusterHeadPod: "found
    multiple heads"), so the status is not written. It is a plain error: no event, and no
    ReplicaFailure condition (utils/constant.go RayClusterReplicaFailureReason names only its own
    errors), so only the operator's log says it. MultipleHeadPods is akscli's name for it, from that
    log line ("Multiple head pods found")."""
    if heads.count < 2:
        return None
    live = live_head(heads.pods, heads.owner_uid)
    keep = str(live["metadata"]["name"]) if live is not None else ""
    names = [str(p["metadata"]["name"]) for p in heads.pods]
    more = f" and {heads.count - len(names)} more" if heads.count > len(names) else ""
    others = [p for p in heads.pods if p["metadata"]["name"] != keep]
    leaving = [str(p["metadata"]["name"]) for p in others if (p.get("metadata") or {}).get("deletionTimestamp")]
    extra = [str(p["metadata"]["name"]) for p in others if not (p.get("metadata") or {}).get("deletionTimestamp")]
    fixes = []
    if extra:
        fixes.append(f"delete the extra ones, keeping {keep}: kubectl delete pod {' '.join(extra)} -n {namespace}")
    if leaving:
        fixes.append(
            f"{', '.join(leaving)} {'is' if len(leaving) == 1 else 'are'} already being deleted and KubeRay goes on "
            f"once {'it is' if len(leaving) == 1 else 'they are'} gone: kubectl get pod {leaving[0]} -n {namespace} "
            "-o yaml shows what holds it (a finalizer, or a node that no longer answers)"
        )
    return Finding(
        kind_ref(RAY_API, "RayCluster", cluster),
        "MultipleHeadPods",
        f"KubeRay reconciles nothing of this cluster while {heads.count} pods carry its head labels "
        f"({', '.join(names)}{more}): it creates, replaces and scales no pod and writes no status until one is left "
        f'(raycluster_controller.go reconcilePods: "{heads.count} head pods found [...]. Please delete extra head '
        'pods"; an error in its log only, with no event or condition)',
        "; ".join(fixes) or None,
    )


@dataclass
class PodTally:
    """What a cluster summary reads from the cluster's pods, counted as each pod is read, so that a
    list of many clusters keeps counts, not pods: the head pods (HeadPods; cluster_summary picks the
    live one, by the RayCluster's uid), and, per worker group label, pods ready, pods pending and GPUs
    held by ready pods."""

    gpus_in_use: int = 0
    groups: dict[str, GroupStatus] = field(default_factory=dict)
    heads: HeadPods = field(default_factory=lambda: HeadPods())

    def add(self, pod: Mapping[str, Any]) -> None:
        labels = (pod.get("metadata") or {}).get("labels") or {}
        ready = pod_ready(pod)
        gpus = pod_gpus(pod) if ready else 0
        self.gpus_in_use += gpus
        if labels.get(NODE_TYPE_LABEL) == "head":
            self.heads.add(pod)
            return
        group = str(labels.get(GROUP_LABEL))
        entry = self.groups.setdefault(group, GroupStatus(group, 0, 0, 0))
        if ready:
            entry.ready += 1
            entry.gpus_in_use += gpus
        elif (pod.get("status") or {}).get("phase") in (None, "Pending"):
            entry.pending += 1


def tally(pods: Iterable[Mapping[str, Any]]) -> PodTally:
    counted = PodTally()
    for pod in pods:
        counted.add(pod)
    return counted


def cluster_summary(cluster: Mapping[str, Any], pods: Iterable[Mapping[str, Any]] | PodTally) -> dict[str, Any]:
    """What ``ray cluster status`` shows: conditions, workers ready per group, GPUs in use; from the
    cluster's pods or their tally."""
    counted = pods if isinstance(pods, PodTally) else tally(pods)
    spec = cluster.get("spec") or {}
    status = cluster.get("status") or {}
    groups: dict[str, GroupStatus] = {}
    for group in spec.get("workerGroupSpecs") or []:
        name = str(group.get("groupName"))
        containers = ((group.get("template") or {}).get("spec") or {}).get("containers") or []
        gpus = pod_gpus({"spec": {"containers": containers}})
        replicas = int(group.get("replicas") or 0)
        seen = counted.groups.get(name) or GroupStatus(name, 0, 0, 0)
        groups[name] = GroupStatus(
            name=name,
            desired=group_desired(group),
            min=int(group.get("minReplicas") or 0),
            max=int(group.get("maxReplicas") or replicas),
            ready=seen.ready,
            pending=seen.pending,
            gpus_per_pod=gpus,
            gpus_in_use=seen.gpus_in_use,
        )
    live = live_head(counted.heads.pods, cluster["metadata"].get("uid"))
    head = {"pod": live["metadata"]["name"] if live else None, "ready": pod_ready(live) if live else False}
    gpus_in_use = counted.gpus_in_use
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
        # KubeRay's sums of the head's and each unsuspended group's replicas' requests (a limit
        # where no request), as Quantities (upstream: ray-project/kuberay v1.7.0 (59d663ae)
        # ray-operator/controllers/ray/raycluster_controller.go calculateStatus; utils/util.go
        # CalculateDesiredResources, CalculatePodResource): `kubectl get raycluster`'s CPUS and MEMORY.
        "cpus": {"desired": str(status.get("desiredCPU") or "0")},
        "memory": {"desired": str(status.get("desiredMemory") or "0")},
        "gpus": {"desired": int(str(status.get("desiredGPU") or 0)), "inUse": gpus_in_use},
        "dashboard": (status.get("head") or {}).get("serviceName"),
        # kubectl get raycluster -o wide's columns (priority=1; upstream: ray-project/kuberay feeaf72f
        # ray-operator/apis/ray/v1/raycluster_types.go printcolumn "head pod IP", "head service IP").
        "headPodIP": (status.get("head") or {}).get("podIP") or None,
        "headServiceIP": (status.get("head") or {}).get("serviceIP") or None,
        "created": cluster["metadata"].get("creationTimestamp"),
    }


# The RayCluster conditions whose message explains a problem when they have this status
# (ray-project/kuberay ray-operator/apis/ray/v1/raycluster_types.go).
_PROBLEM_WHEN = {"ReplicaFailure": "True", "HeadPodReady": "False", "RayClusterSuspended": "True"}

# Warning events KubeRay records on a RayCluster it refuses or cannot complete
# (ray-operator/controllers/ray/utils/constant.go, raycluster_controller.go).
_CLUSTER_WARNINGS = frozenset(
    {
        "InvalidRayClusterMetadata",
        "InvalidRayClusterSpec",
        "InvalidRayClusterStatus",
    }
)


def spec_accepted(cluster: Mapping[str, Any]) -> bool:
    """Whether KubeRay has reconciled the RayCluster's current spec.

    KubeRay validates the spec before it writes any status and returns on a refusal with only a
    Warning event (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/raycluster_controller.go
    rayClusterReconcile, ValidateRayClusterSpec): after a refused update ``observedGeneration``
    keeps the last accepted generation, below ``metadata.generation``.
    """
    observed = (cluster.get("status") or {}).get("observedGeneration")
    generation = (cluster.get("metadata") or {}).get("generation")
    if not observed:
        return False
    return generation is None or int(observed) >= int(generation)


def cluster_findings(cluster: Mapping[str, Any], events: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """What the RayCluster itself says is wrong, whatever its sticky ``state`` says.

    ``ReplicaFailure`` carries a pod creation error (a ResourceQuota, an admission webhook);
    an invalid name or spec shows only as a Warning event, with no status at all
    (raycluster_controller.go returns right after recording it).
    """
    ref = kind_ref(RAY_API, "RayCluster", cluster["metadata"]["name"])
    ns = cluster["metadata"].get("namespace")
    findings: list[Finding] = []
    failure = condition(cluster, "ReplicaFailure")
    if failure is not None and failure.get("status") == "True":
        findings.append(
            Finding(
                ref,
                str(failure.get("reason") or "ReplicaFailure"),
                str(failure.get("message") or "KubeRay cannot create a pod"),
                f"see the namespace's quotas: kubectl describe resourcequota -n {ns}"
                if "quota" in str(failure.get("message"))
                else None,
            )
        )
    if (cluster.get("status") or {}).get("state") == "suspended":
        findings.append(Finding(ref, "Suspended", "spec.suspend is true: KubeRay deleted every pod"))
    if spec_accepted(cluster):
        return findings  # KubeRay accepted this spec: older warnings are history
    said: set[str] = set()
    for event in reversed(events):  # the newest one of each reason says what holds now
        reason = str(event.get("reason"))
        if event.get("type") == "Warning" and reason in _CLUSTER_WARNINGS and reason not in said:
            said.add(reason)
            findings.append(Finding(ref, reason, str(event.get("message") or "")))
    return findings


def head_service(cluster: Mapping[str, Any]) -> str:
    """The head service: KubeRay reports it in status.head.serviceName; before that it is the name
    KubeRay gives it, spec.headGroupSpec.headService's metadata.name when set, else
    ``<name>-head-svc`` (upstream: ray-project/kuberay feeaf72f ray-operator/controllers/ray/utils/
    util.go GenerateHeadServiceName; common/service.go BuildServiceForHeadPod)."""
    reported = ((cluster.get("status") or {}).get("head") or {}).get("serviceName")
    custom = (
        (((cluster.get("spec") or {}).get("headGroupSpec") or {}).get("headService") or {}).get("metadata") or {}
    ).get("name")
    return str(reported or custom or f"{cluster['metadata']['name']}-head-svc")


def cluster_summary_fields(
    summary: Mapping[str, Any], findings: Sequence[Finding], *, wide: bool = False
) -> list[tuple[str, Any]]:
    """The table rows of ``ray cluster status``; ``wide`` (-o wide) adds rows to them, as kubectl's
    wide printers add columns: the creation time, and the head's pod and service IPs, the
    RayCluster's own -o wide columns (KubeRay's priority=1 printcolumns)."""
    head = summary["head"]
    fields: list[tuple[str, Any]] = [
        ("name", summary["name"]),
        ("namespace", summary["namespace"]),
        ("state", summary["state"]),
        ("ray version", summary["rayVersion"]),
        *([("created", summary["created"])] if wide else []),
        # No head pod yet (KubeRay down, or not yet made): <none>, as kubectl describe prints an empty field.
        ("head", f"{head['pod'] or '<none>'} ({'ready' if head['ready'] else 'not ready'})"),
        *([("head pod IP", summary["headPodIP"]), ("head service IP", summary["headServiceIP"])] if wide else []),
        ("cpus", f"{summary['cpus']['desired']} desired"),
        ("memory", f"{summary['memory']['desired']} desired"),
        ("gpus", f"{summary['gpus']['inUse']} in use of {summary['gpus']['desired']} desired"),
    ]
    for cond in summary["conditions"]:
        detail = f" ({cond['reason']})" if cond.get("reason") else ""
        if cond.get("message") and cond["type"] in _PROBLEM_WHEN and cond["status"] == _PROBLEM_WHEN[cond["type"]]:
            detail += f": {cond['message']}"
        fields.append((f"condition {cond['type']}", f"{cond['status']}{detail}"))
    for group in summary["groups"]:
        fields.append(
            (
                f"group {group['name']}",
                f"{group['ready']}/{group['desired']} ready (min {group['min']}, max "
                f"{group['max']}, {group['gpus_per_pod']} GPU/pod, {group['pending']} pending)",
            )
        )
    return fields + [("problem", f.line()) for f in findings]


def workergroup_rows(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per worker group of a cluster summary, named by its cluster."""
    return [{"cluster": summary["name"], "namespace": summary["namespace"], **group} for group in summary["groups"]]


def ray_node(pod: Mapping[str, Any]) -> dict[str, Any]:
    """A Ray pod as ``ray cluster nodes -o json|yaml`` shows it."""
    labels = pod["metadata"].get("labels") or {}
    return {
        "name": pod["metadata"]["name"],
        "namespace": pod["metadata"].get("namespace"),
        "cluster": labels.get(CLUSTER_LABEL),
        "type": labels.get(NODE_TYPE_LABEL),
        "group": labels.get(GROUP_LABEL),
        "ready": pod_ready(pod),
        "gpus": pod_gpus(pod),
        "phase": (pod.get("status") or {}).get("phase"),
        "node": (pod.get("spec") or {}).get("nodeName"),
        "ip": (pod.get("status") or {}).get("podIP"),
    }


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
        # The kubelet's problems in pod_problems' words and kinds; the scheduler's below, with
        # the events that say what the cluster autoscaler does about it.
        found = pod_problems.problem(pod)
        if found is not None and found.kind != pod_problems.UNSCHEDULABLE:
            message = found.message
            if found.image_pull:
                message = message or _last_event(pod_events, ("Failed",)) or "cannot pull"
            elif found.crash_loop:
                message = message or "the container keeps exiting"
            findings.append(Finding(name, found.reason, message or found.text, pod_hints.fix(found)))
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
        # What the cluster autoscaler (or node auto-provisioning) says, as the wait reads it.
        said = scale_up.note(pod_events, pod)
        wants_gpu = pod_gpus(pod) > 0
        hint: str | None = None
        if said and said.adding:
            hint = f"{said.fix} ({said.clause}); GPU nodes take minutes"
        elif wants_gpu and gpu_nodes is False:
            hint = (
                "the cluster has no GPU nodes: add a GPU node pool, e.g. akscli nodepool add "
                "gpu --cluster CLUSTER -g GROUP --vm-size Standard_NC24ads_A100_v4 --min 0 --max 2"
            )
        elif said:
            hint = f"{said.fix} ({said.clause})"
        elif GPU_RESOURCE in message:
            selector = (pod.get("spec") or {}).get("nodeSelector") or {}
            pool, nodepool = selector.get(AGENTPOOL_LABEL), selector.get(NODEPOOL_LABEL)
            where = f"node pool {pool}" if pool else "the GPU node pool"
            hint = f"no node has a free GPU: scale {where} up or enable its cluster autoscaler"
            if nodepool and not pool:
                hint = (
                    f"no node has a free GPU and node auto-provisioning made none: see NodePool {nodepool}'s "
                    f"limits and taints with: akscli nodepool show {nodepool} --auto-provision"
                )
        findings.append(Finding(name, "Unschedulable", message, hint))
    return findings


def _last_event(events: Sequence[Mapping[str, Any]], reasons: tuple[str, ...]) -> str | None:
    for event in reversed(events):
        if event.get("reason") in reasons:
            return str(event.get("message") or event.get("reason"))
    return None


# The stuck pods a diagnosis reads events for, one request each.
STUCK_LIMIT = 20


def is_stuck(pod: Mapping[str, Any]) -> bool:
    """Not ready, and not done."""
    return not pod_ready(pod) and (pod.get("status") or {}).get("phase") != "Succeeded"


def stuck_pods(pods: Iterable[Mapping[str, Any]], limit: int = STUCK_LIMIT) -> list[Mapping[str, Any]]:
    """Pods that are not ready, at most ``limit`` (events are then fetched per pod)."""
    result = []
    for pod in pods:
        if is_stuck(pod):
            result.append(pod)
            if len(result) >= limit:
                break
    return result
