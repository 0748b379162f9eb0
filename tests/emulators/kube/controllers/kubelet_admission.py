"""The kubelet's admission of a pod bound by its creator: a pod created with ``spec.nodeName``
skips the scheduler, and the node's kubelet checks that it fits before it runs it. A pod that
does not fit beside the pods already there is refused: phase Failed, reason ``OutOf<resource>``
(``OutOfcpu``, ``OutOfmemory``, ``OutOfephemeral-storage``, ``OutOfpods``, ``OutOfnvidia.com/gpu``),
message ``Pod was rejected: Node didn't have enough resource: memory, requested: N, used: N,
capacity: N``, and a Warning event with that reason and the message without its prefix.

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

Only pods a client creates bound, with no phase yet, on a Node that exists are checked: the
emulator's own controllers bind through the Scheduler, and tests that seed a Running pod keep it.
An admitted pod is left as it was (this emulator runs no kubelet for bare pods).
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.pod_resources import pod_requests, quantity

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
        spec = pod.get("spec") or {}
        node = cluster.get("v1", "Node", None, str(spec.get("nodeName")))
        if node is None:
            return  # no kubelet to admit it
        used, count = self._usage(cluster, str(spec["nodeName"]), uid)
        short = insufficient(spec, (node.get("status") or {}).get("allocatable") or {}, used, count)
        if short is None:
            return
        resource, requested, taken, capacity = short
        message = (
            f"Node didn't have enough resource: {resource}, requested: {requested}, used: {taken}, capacity: {capacity}"
        )
        reason = reason_for(resource)
        cluster.add_event(pod, reason, message, "Warning")
        status = {
            "phase": "Failed",
            "reason": reason,
            "message": f"Pod was rejected: {message}",
            "qosClass": (pod.get("status") or {}).get("qosClass") or qos_class(spec),
            "startTime": (pod.get("status") or {}).get("startTime") or now_iso(),
        }
        cluster.patch_status("v1", "Pod", namespace, name, status)

    def _usage(self, cluster: ClusterState, node: str, uid: Any) -> tuple[Counter[str], int]:
        """What the node's other active pods request, and how many they are (the kubelet's
        admitted pods that have not finished), from the store's index of pods by node: one
        node's pods are read, not the cluster's."""
        used: Counter[str] = Counter()
        others = self._others(cluster, node, uid)
        for other in others:
            used.update(pod_requests(other.get("spec") or {}))
        return used, len(others)

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
