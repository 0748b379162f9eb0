"""The kubelet's admission of a pod bound by its creator: a pod created with ``spec.nodeName``
skips the scheduler, and the node's kubelet checks it (GeneralPredicates) before it runs it. A
pod that does not fit beside the pods already there is refused: phase Failed, reason
``OutOf<resource>`` (``OutOfcpu``, ``OutOfmemory``, ``OutOfephemeral-storage``, ``OutOfpods``,
``OutOfnvidia.com/gpu``), message ``Pod was rejected: Node didn't have enough resource: memory,
requested: N, used: N, capacity: N``, and a Warning event with that reason and the message
without its prefix. The other predicates refuse with the plugin's name as the reason and
``Pod was rejected: Predicate NAME failed: DESC``: NodeAffinity (nodeSelector and required node
affinity), NodePorts (a host port another pod on the node holds), TaintToleration (a NoExecute
taint the pod does not tolerate). A pod the kubelet admits runs: Running, its containers ready.

upstream: kubernetes/kubernetes
- pkg/kubelet/lifecycle/predicate.go predicateAdmitHandler.Admit: the first reason only; an
  InsufficientResourceError's reason is OutOfcpu, OutOfmemory, OutOfephemeral-storage,
  OutOfpods, else "OutOf" + the resource name; its Error() "Node didn't have enough resource:
  %s, requested: %d, used: %d, capacity: %d"; removeMissingExtendedResources drops the
  requests of an extended resource the node does not have at all.
- pkg/scheduler/scheduler.go AdmissionCheck: noderesources.Fits first, then node affinity
  (not modelled here: the pod's creator named the node).
- pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest: pods (requested 1, used the
  node's pod count), then cpu in millicores, memory and ephemeral-storage in bytes, then the
  scalar resources; a request of 0 is not checked; nothing is checked past the pod count when
  the pod requests nothing.
- pkg/kubelet/kubelet.go rejectPod: the event, then status {phase Failed, reason, message
  "Pod was rejected: " + message, qosClass}; the status manager gives it a startTime.
- pkg/kubelet/lifecycle/predicate.go (recent, through the code index): Admit checks the
  ``kubernetes.io/os`` pod label (PodOSSelectorNodeLabelDoesNotMatch) and spec.os
  (PodOSNotSupported) first; generalFilter: scheduler.AdmissionCheck(pod, nodeInfo, true)
  (resources, then NodeAffinity "node(s) didn't match Pod's node affinity/selector", NodeName,
  NodePorts "node(s) didn't have free ports for the requested pod ports"), then the NoExecute
  taints only ("Kubelet is only interested in the NoExecute taint"; TaintToleration "node(s) had
  taints that the pod didn't tolerate"); PredicateFailureError.Error is "Predicate %s failed: %s".
- pkg/scheduler/framework/types.go HostPortInfo.CheckConflict (hostIP "" is 0.0.0.0, protocol ""
  is TCP; 0.0.0.0 conflicts with any address of the same protocol and port); NodeInfo
  updateUsedPorts reads the containers' ports (v1.32: not the init containers').

Only pods a client creates bound, with no phase yet, on a Node that exists are checked: the
emulator's own controllers bind through the Scheduler, and tests that seed a Running pod keep it.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import KUBELET, ClusterState
from tests.emulators.kube.controllers import kubelet_env
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.node_filters import _tolerates, matches_affinity
from tests.emulators.kube.controllers.pod_resources import pod_requests, quantity
from tests.emulators.kube.controllers.pods import pod_status

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver_common import Ctx
    from tests.emulators.kube.controllers.runner import ControllerManager
    from tests.emulators.kube.resources import ResourceType

PREFIX = "OutOf"
STANDARD = ("cpu", "memory", "ephemeral-storage")


def _amount(resource: str, value: Decimal) -> int:
    """The int64 the scheduler's Resource keeps: MilliCPU for cpu, Value() (rounded up) else."""
    return math.ceil(value * 1000) if resource == "cpu" else math.ceil(value)


def _extended(name: str) -> bool:
    """v1helper.IsExtendedResourceName: a domain-prefixed name outside kubernetes.io, not requests.*."""
    return "/" in name and not name.split("/", 1)[0].endswith("kubernetes.io") and not name.startswith("requests.")


def insufficient(
    spec: dict[str, Any], allocatable: dict[str, Any], used: Counter[str], pods_on_node: int
) -> tuple[str, int, int, int] | None:
    """The first resource fitsRequest finds short, as (name, requested, used, capacity), or None."""
    capacity_pods = int(quantity(allocatable.get("pods", "0")))
    if pods_on_node + 1 > capacity_pods:
        return "pods", 1, pods_on_node, capacity_pods
    need = pod_requests(spec)
    need = Counter({k: v for k, v in need.items() if not _extended(k) or k in allocatable})
    scalar = sorted(k for k in need if k not in STANDARD and k != "pods" and _extended(k))
    if not any(need.get(k, 0) > 0 for k in STANDARD) and not scalar:
        return None
    for resource in [*STANDARD, *scalar]:
        requested = _amount(resource, need.get(resource, Decimal(0)))
        if requested <= 0:
            continue
        capacity = _amount(resource, quantity(allocatable.get(resource, "0")))
        taken = _amount(resource, used.get(resource, Decimal(0)))
        if requested > capacity - taken:
            return resource, requested, taken, capacity
    return None


def _host_ports(spec: dict[str, Any]) -> list[tuple[str, str, int]]:
    """The containers' (hostIP, protocol, hostPort) with a hostPort, sanitized as HostPortInfo does."""
    return [
        (str(p.get("hostIP") or "0.0.0.0"), str(p.get("protocol") or "TCP"), int(p["hostPort"]))
        for c in spec.get("containers") or []
        for p in c.get("ports") or []
        if int(p.get("hostPort") or 0) > 0
    ]


def ports_conflict(spec: dict[str, Any], others: list[dict[str, Any]]) -> bool:
    """nodeports.Fits: a wanted host port another pod on the node already holds (CheckConflict)."""
    used = {port for other in others for port in _host_ports(other.get("spec") or {})}
    for ip, protocol, port in _host_ports(spec):
        if ip == "0.0.0.0":
            if any((u_protocol, u_port) == (protocol, port) for _, u_protocol, u_port in used):
                return True
        elif (ip, protocol, port) in used or ("0.0.0.0", protocol, port) in used:
            return True
    return False


def untolerated_no_execute(spec: dict[str, Any], node: dict[str, Any]) -> bool:
    """A NoExecute taint none of the pod's own tolerations tolerates (FindMatchingUntoleratedTaint)."""
    tolerations = list(spec.get("tolerations") or [])
    return any(
        t.get("effect") == "NoExecute" and not _tolerates(tolerations, t)
        for t in (node.get("spec") or {}).get("taints") or []
    )


def predicate(name: str, desc: str) -> tuple[str, str]:
    return name, f"Predicate {name} failed: {desc}"


def refusal(pod: dict[str, Any], node: dict[str, Any], others: list[dict[str, Any]]) -> tuple[str, str] | None:
    """Admit's (reason, message) for the pod beside ``others`` on ``node``, or None when it is admitted."""
    spec = pod.get("spec") or {}
    os_label = ((pod.get("metadata") or {}).get("labels") or {}).get("kubernetes.io/os")
    if os_label is not None and os_label != "linux":  # the node's label is runtime.GOOS, linux on AKS
        return "PodOSSelectorNodeLabelDoesNotMatch", (
            "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label"
        )
    if (spec.get("os") or {}).get("name") not in (None, "linux"):
        return "PodOSNotSupported", "Failed to admit pod as the OS field doesn't match node OS"
    used: Counter[str] = Counter()
    for other in others:
        used.update(pod_requests(other.get("spec") or {}))
    short = insufficient(spec, (node.get("status") or {}).get("allocatable") or {}, used, len(others))
    if short is not None:
        resource, requested, taken, capacity = short
        return reason_for(resource), (
            f"Node didn't have enough resource: {resource}, requested: {requested}, used: {taken}, capacity: {capacity}"
        )
    if not matches_affinity(spec, node):
        return predicate("NodeAffinity", "node(s) didn't match Pod's node affinity/selector")
    if ports_conflict(spec, others):
        return predicate("NodePorts", "node(s) didn't have free ports for the requested pod ports")
    if untolerated_no_execute(spec, node):
        return predicate("TaintToleration", "node(s) had taints that the pod didn't tolerate")
    return None


def reason_for(resource: str) -> str:
    return f"{PREFIX}{resource}"  # OutOfcpu, OutOfmemory, OutOfephemeral-storage, OutOfpods, OutOfnvidia.com/gpu


def qos_class(spec: dict[str, Any]) -> str:
    """pkg/apis/core/v1/helper/qos GetPodQOS, for cpu and memory."""
    requests: Counter[str] = Counter()
    limits: Counter[str] = Counter()
    guaranteed = True
    for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        res = c.get("resources") or {}
        req = {k: quantity(v) for k, v in (res.get("requests") or {}).items() if k in ("cpu", "memory")}
        lim = {k: quantity(v) for k, v in (res.get("limits") or {}).items() if k in ("cpu", "memory")}
        requests.update({k: v for k, v in req.items() if v > 0})  # type: ignore[misc]
        limits.update({k: v for k, v in lim.items() if v > 0})  # type: ignore[misc]
        if set(lim) != {"cpu", "memory"} or any(req.get(k, lim[k]) != lim[k] for k in lim):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


class KubeletAdmission(Controller):
    """Checks each pod a client creates already bound (see the module docstring), in the order
    they were made: a pod still waiting for its check is not yet one the kubelet admitted, so it
    does not count against the pods before it (HandlePodAdditions sorts by creation time and
    checks each against the pods admitted so far)."""

    # the kubelet's (cluster.KUBELET): its pod status writes (kubernetes/kubernetes
    # pkg/kubelet/status/status_manager.go syncPod)
    field_manager: ClassVar[str | None] = KUBELET

    watches: list[tuple[str, str]] = []  # noqa: RUF012  (follows pod ADDED events from attach)

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self._waiting: set[Any] = set()
        self._lock = threading.Lock()

    def attach(self, manager: ControllerManager) -> None:
        def on_event(typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
            if typ != "ADDED" or rt.group != "" or rt.kind != "Pod" or ctx.origin is not None:
                return
            node = (obj.get("spec") or {}).get("nodeName")
            if not node or (obj.get("status") or {}).get("phase") not in (None, "", "Pending"):
                return
            md = obj.get("metadata") or {}
            namespace, name, uid = str(md.get("namespace", "")), str(md.get("name", "")), md.get("uid")
            with self._lock:
                self._waiting.add(uid)
            manager.call_later(self, lambda cluster: self.admit(cluster, namespace, name, uid), self.delay)

        manager.api.listeners.append(on_event)

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        del cluster, obj

    def admit(self, cluster: ClusterState, namespace: str, name: str, uid: Any) -> None:
        try:
            self._admit(cluster, namespace, name, uid)
        finally:
            with self._lock:
                self._waiting.discard(uid)

    def _admit(self, cluster: ClusterState, namespace: str, name: str, uid: Any) -> None:
        pod = cluster.get("v1", "Pod", namespace, name)
        if pod is None or pod["metadata"].get("uid") != uid or pod["metadata"].get("deletionTimestamp"):
            return
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            # A pod the API server already shows terminal never runs again: "pods are not allowed to
            # transition out of terminal phases" (kubernetes/kubernetes pkg/kubelet/kubelet_pods.go
            # generateAPIPodStatus, which forces the phase back to the API server's).
            return
        spec = pod.get("spec") or {}
        node = cluster.get("v1", "Node", None, str(spec.get("nodeName")))
        if node is None:
            return  # no kubelet to admit it
        refused = refusal(pod, node, self._others(cluster, str(spec["nodeName"]), uid))
        if refused is None:
            self._run(cluster, pod)
            return
        reason, message = refused
        cluster.add_event(pod, reason, message, "Warning")
        status = {
            "phase": "Failed",
            "reason": reason,
            "message": f"Pod was rejected: {message}",
            "qosClass": (pod.get("status") or {}).get("qosClass") or qos_class(spec),
            "startTime": (pod.get("status") or {}).get("startTime") or now_iso(),
        }
        # the kubelet's status sync: a patch from the pod as read (kubernetes/kubernetes
        # pkg/kubelet/status/status_manager.go syncPod, pkg/util/pod/pod.go PatchPodStatus)
        cluster.patch_pod_status(pod, status)

    def _run(self, cluster: ClusterState, pod: dict[str, Any]) -> None:
        """The admitted pod runs: its containers start (Running, ready), or wait in
        CreateContainerConfigError where an env source is missing (kubelet_env)."""
        md, spec = pod["metadata"], pod.get("spec") or {}
        errors = {
            str(c.get("name")): message
            for c in spec.get("containers") or []
            if (message := kubelet_env.config_error(cluster, md["namespace"], c))
        }
        status = pod_status(spec, None, "Running", spec.get("nodeName"), config_errors=errors)
        status["qosClass"] = (pod.get("status") or {}).get("qosClass") or qos_class(spec)
        updated = cluster.patch_pod_status(pod, status)  # as above: kubernetes/kubernetes pkg/util/pod/pod.go
        for message in errors.values():
            cluster.add_event(updated, "Failed", f"Error: {message}", "Warning")

    def _others(self, cluster: ClusterState, node: str, uid: Any) -> list[dict[str, Any]]:
        """The node's active pods the kubelet has admitted, but the one it checks."""
        with self._lock:
            skip = self._waiting | {uid}
        out = []
        for entry in cluster.api.store.on_node("/pods", node):
            if (entry.fields or ("", ""))[1] in ("Succeeded", "Failed") or entry.uid in skip:
                continue
            out.append(json.loads(entry.raw))
        return out
