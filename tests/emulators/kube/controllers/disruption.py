"""The disruption controller: a PodDisruptionBudget's status from the pods it selects.

upstream: kubernetes/kubernetes pkg/controller/disruption/disruption.go (mirror 003e8629):
- trySync: the budget's pods (getPodsForPdb, its namespace's pods its selector matches: a null
  selector none, ``{}`` all), then getExpectedPodCount, buildDisruptedPodMap, countHealthyPods
  and updatePdbStatus.
- getExpectedPodCount: maxUnavailable (int or %) against the owners' scale, desiredHealthy the
  scale less it (not below 0); minAvailable an int: desiredHealthy it, expectedPods the pods
  selected; minAvailable a %: of the owners' scale, rounded up (apimachinery intstr
  GetScaledValueFromIntOrPercent, roundUp true).
- getExpectedScale: each pod's controller (ownerReference controller true) through the finders,
  in order: ReplicationController, a ReplicaSet's Deployment, a ReplicaSet no Deployment owns,
  StatefulSet, then any kind's scale subresource; each controller's spec.replicas counted once.
  A pod with no controller is unmanaged (counted nowhere; an UnmanagedPods event upstream);
  a controller not found: "found no controllers for pod <name>".
- countHealthyPods: not being deleted, not disrupted in the last DeletionTimeout (2 minutes),
  condition Ready True.
- updatePdbStatus: disruptionsAllowed = currentHealthy - desiredHealthy, 0 when that or
  expectedPods is not above 0; the whole status written (observedGeneration the budget's
  generation) only when something changed; the DisruptionAllowed condition by
  staging/src/k8s.io/component-helpers/apps/poddisruptionbudget/helpers.go
  UpdateDisruptionAllowedCondition (True SufficientPods, False InsufficientPods, message "";
  apimachinery meta SetStatusCondition: lastTransitionTime moves only with the status).
- failSafe: on an error, disruptionsAllowed 0 and DisruptionAllowed False SyncFailed with the
  error as its message, the other fields kept.

A budget is synced when it is written and, as addPod/updatePod/deletePod do, when a pod of its
namespace is. The pod listener is one dict look-up for a namespace without budgets (the
emulator's hot path), and a budget already queued is not queued again.
Not modelled: the stale DisruptionTarget pod condition clean-up, events.
"""

from __future__ import annotations

import datetime
import math
import threading
import time
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.apiserver_common import now_iso
from tests.emulators.kube.cluster import KUBE_CONTROLLER_MANAGER, ClusterState
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.pod_affinity import selector_matches
from tests.emulators.kube.resources import split_api_version
from tests.emulators.kube.tables import jsonpath

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver import Ctx
    from tests.emulators.kube.controllers.runner import ControllerManager
    from tests.emulators.kube.resources import ResourceType

PDB = ("policy/v1", "PodDisruptionBudget")
DELETION_TIMEOUT = 120.0  # disruption.go DeletionTimeout


class SyncError(Exception):
    """An error trySync returns: the budget fails safe with it as the condition's message."""


def scaled_value(value: Any, total: int) -> int:
    """intstr.GetScaledValueFromIntOrPercent(value, total, roundUp true)."""
    if isinstance(value, int):
        return value
    s = str(value)
    if not s.endswith("%"):
        raise SyncError("invalid value for IntOrString: invalid type: string is not a percentage")
    try:
        v = int(s[:-1])
    except ValueError:
        raise SyncError(
            f'invalid value for IntOrString: invalid value "{s}": strconv.Atoi: parsing "{s[:-1]}": invalid syntax'
        ) from None
    return math.ceil(v * total / 100)


def _controller_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    """metav1.GetControllerOf."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def _group_kind(ref: dict[str, Any], kind: str, groups: tuple[str, ...]) -> bool:
    """verifyGroupKind."""
    return ref.get("kind") == kind and split_api_version(str(ref.get("apiVersion", "")))[0] in groups


def _replicas(obj: dict[str, Any]) -> int:
    # spec.replicas, defaulted to 1 by the API server (pkg/apis/apps/v1/defaults.go)
    value = (obj.get("spec") or {}).get("replicas")
    return 1 if value is None else int(value)


def _owned(cluster: ClusterState, av: str, kind: str, ns: str, ref: dict[str, Any]) -> dict[str, Any] | None:
    """The lister's object named by ``ref``, when its uid is the ref's (none: a kind not served)."""
    if cluster.api.registry.by_api_version_kind(av, kind) is None:
        return None
    obj = cluster.get(av, kind, ns, str(ref.get("name", "")))
    if obj is None or obj["metadata"].get("uid") != ref.get("uid"):
        return None
    return obj


def _rc(cluster: ClusterState, ref: dict[str, Any], ns: str) -> dict[str, Any] | None:
    """getPodReplicationController."""
    return (
        _owned(cluster, "v1", "ReplicationController", ns, ref)
        if _group_kind(ref, "ReplicationController", ("",))
        else None
    )


def _deployment(cluster: ClusterState, ref: dict[str, Any], ns: str) -> dict[str, Any] | None:
    """getPodDeployment: the Deployment of the pod's ReplicaSet."""
    if not _group_kind(ref, "ReplicaSet", ("apps", "extensions")):
        return None
    rs = _owned(cluster, "apps/v1", "ReplicaSet", ns, ref)
    owner = _controller_of(rs) if rs else None
    if owner is None or not _group_kind(owner, "Deployment", ("apps", "extensions")):
        return None
    return _owned(cluster, "apps/v1", "Deployment", ns, owner)


def _replica_set(cluster: ClusterState, ref: dict[str, Any], ns: str) -> dict[str, Any] | None:
    """getPodReplicaSet: a ReplicaSet no Deployment controls."""
    if not _group_kind(ref, "ReplicaSet", ("apps", "extensions")):
        return None
    rs = _owned(cluster, "apps/v1", "ReplicaSet", ns, ref)
    owner = _controller_of(rs) if rs else None
    return None if owner is not None and owner.get("kind") == "Deployment" else rs


def _stateful_set(cluster: ClusterState, ref: dict[str, Any], ns: str) -> dict[str, Any] | None:
    """getPodStatefulSet."""
    return _owned(cluster, "apps/v1", "StatefulSet", ns, ref) if _group_kind(ref, "StatefulSet", ("apps",)) else None


def _scale_controller(cluster: ClusterState, ref: dict[str, Any], ns: str) -> tuple[str, int] | None:
    """getScaleController: any kind's scale subresource (meta.NoKindMatchError where no kind maps)."""
    av, kind = str(ref.get("apiVersion", "")), str(ref.get("kind", ""))
    rt = cluster.api.registry.by_api_version_kind(av, kind)
    if rt is None:
        raise SyncError(f'no matches for kind "{kind}" in version "{av}"')
    obj = cluster.get(av, kind, ns, str(ref.get("name", "")))
    if rt.scale is None:
        group = split_api_version(av)[0]
        raise SyncError(f"{rt.plural}{'.' + group if group else ''} does not implement the scale subresource")
    if obj is None or obj["metadata"].get("uid") != ref.get("uid"):
        return None
    return obj["metadata"]["uid"], int(jsonpath(obj, rt.scale.spec_replicas) or 0)


def find_scale(cluster: ClusterState, ref: dict[str, Any], ns: str) -> tuple[str, int] | None:
    """dc.finders() in order: (controller uid, its spec.replicas), None when none finds one."""
    for finder in (_rc, _deployment, _replica_set, _stateful_set):
        found = finder(cluster, ref, ns)
        if found is not None:
            return found["metadata"]["uid"], _replicas(found)
    return _scale_controller(cluster, ref, ns)


def expected_count(cluster: ClusterState, pdb: dict[str, Any], pods: list[dict[str, Any]]) -> tuple[int, int]:
    """getExpectedPodCount: (expectedPods, desiredHealthy)."""
    spec = pdb.get("spec") or {}

    def scale() -> int:  # getExpectedScale
        scales: dict[str, int] = {}
        for pod in pods:
            ref = _controller_of(pod)
            if ref is None or ref.get("uid") in scales:
                continue
            found = find_scale(cluster, ref, pod["metadata"].get("namespace", ""))
            if found is None:
                raise SyncError(f'found no controllers for pod "{pod["metadata"]["name"]}"')
            scales[found[0]] = found[1]
        return sum(scales.values())

    if spec.get("maxUnavailable") is not None:
        count = scale()
        return count, max(0, count - scaled_value(spec["maxUnavailable"], count))
    if spec.get("minAvailable") is not None:
        if isinstance(spec["minAvailable"], int):
            return len(pods), spec["minAvailable"]
        count = scale()
        return count, scaled_value(spec["minAvailable"], count)
    return 0, 0


def _ready(pod: dict[str, Any]) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _seconds(stamp: str) -> float:
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _condition(old: list[dict[str, Any]], new: dict[str, Any]) -> list[dict[str, Any]]:
    """apimachinery meta.SetStatusCondition."""
    out = [dict(c) for c in old]
    for c in out:
        if c.get("type") == new["type"]:
            if c.get("status") != new["status"]:
                c["lastTransitionTime"] = now_iso()
            c.update({k: new[k] for k in ("status", "reason", "message", "observedGeneration")})
            return out
    return [*out, {**new, "lastTransitionTime": now_iso()}]


class DisruptionController(Controller):
    """Keeps every PodDisruptionBudget's status as kube-controller-manager's disruption controller."""

    watches: ClassVar[list[tuple[str, str]]] = [PDB]
    # kube-controller-manager's controllers send "kube-controller-manager/<version> .../<controller>"
    # (kubernetes/kubernetes staging/src/k8s.io/client-go/rest/config.go AddUserAgent), so the API
    # server names them all
    # kube-controller-manager (cluster.py KUBE_CONTROLLER_MANAGER)
    field_manager: ClassVar[str | None] = KUBE_CONTROLLER_MANAGER

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self._lock = threading.Lock()
        self._budgets: dict[str, set[str]] = {}  # namespace -> budget names
        self._queued: set[str] = set()

    def attach(self, manager: ControllerManager) -> None:
        for pdb in manager.cluster.list(*PDB):
            self._budgets.setdefault(pdb["metadata"]["namespace"], set()).add(pdb["metadata"]["name"])
        manager.api.listeners.append(self._on_event)

    def _on_event(self, typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
        md = obj.get("metadata") or {}
        ns = md.get("namespace") or ""
        if rt.kind == "PodDisruptionBudget" and rt.group == "policy":
            with self._lock:
                names = self._budgets.setdefault(ns, set())
                (names.discard if typ == "DELETED" else names.add)(md.get("name", ""))
            return
        if rt.kind != "Pod" or rt.group != "" or not self._budgets.get(ns) or self._manager is None:
            return
        with self._lock:
            due = [n for n in sorted(self._budgets.get(ns, ())) if f"{ns}/{n}" not in self._queued]
            self._queued.update(f"{ns}/{n}" for n in due)
        for name in due:
            stub = {"apiVersion": PDB[0], "kind": PDB[1], "metadata": {"namespace": ns, "name": name}}
            self._manager.schedule(self, stub, self.delay)

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        md = obj["metadata"]
        with self._lock:
            self._queued.discard(f"{md['namespace']}/{md['name']}")
        selector = (obj.get("spec") or {}).get("selector")
        pods = [
            p
            for p in cluster.list("v1", "Pod", md["namespace"])
            if selector_matches(selector, (p.get("metadata") or {}).get("labels") or {})
        ]
        status = dict(obj.get("status") or {})
        try:
            expected, desired = expected_count(cluster, obj, pods)
        except SyncError as exc:  # failSafe
            failed = {"type": "DisruptionAllowed", "status": "False", "reason": "SyncFailed", "message": str(exc)}
            gen = status.get("observedGeneration")
            cond = _condition(status.get("conditions") or [], {**failed, "observedGeneration": gen})
            # failSafe: UpdateStatus of the PDB as read (kubernetes/kubernetes
            # pkg/controller/disruption/disruption.go failSafe); a 409 is the sync's error, requeued
            cluster.update_status_of(obj, {"disruptionsAllowed": 0, "conditions": cond})
            return
        now = time.time()
        disrupted: dict[str, str] = {}
        recheck: float | None = None
        for pod in pods:  # buildDisruptedPodMap
            at = (status.get("disruptedPods") or {}).get(pod["metadata"]["name"])
            if at is None or pod["metadata"].get("deletionTimestamp"):
                continue
            due = _seconds(at) + DELETION_TIMEOUT
            if due >= now:
                disrupted[pod["metadata"]["name"]] = at
                recheck = due if recheck is None else min(recheck, due)
        healthy = sum(
            1
            for p in pods
            if not p["metadata"].get("deletionTimestamp") and p["metadata"]["name"] not in disrupted and _ready(p)
        )
        allowed = healthy - desired if expected > 0 and healthy - desired > 0 else 0
        gen = md.get("generation")
        sufficient = allowed > 0
        cond = {
            "type": "DisruptionAllowed",
            "status": "True" if sufficient else "False",
            "reason": "SufficientPods" if sufficient else "InsufficientPods",
            "message": "",
            "observedGeneration": gen,
        }
        new = {
            "observedGeneration": gen,
            "disruptedPods": disrupted or None,
            "disruptionsAllowed": allowed,
            "currentHealthy": healthy,
            "desiredHealthy": desired,
            "expectedPods": expected,
        }
        old_cond = next((c for c in status.get("conditions") or [] if c.get("type") == "DisruptionAllowed"), {})
        same = all(status.get(k) == v for k, v in new.items()) and (
            old_cond.get("status"),
            old_cond.get("reason"),
        ) == (cond["status"], cond["reason"])  # pdbhelper.ConditionsAreUpToDate
        if not same:
            if status.get("disruptedPods"):  # a merge patch: names no longer disrupted are removed
                new["disruptedPods"] = {k: disrupted.get(k) for k in {*status["disruptedPods"], *disrupted}}
            new["conditions"] = _condition(status.get("conditions") or [], cond)
            # updatePdbStatus: UpdateStatus of the PDB as this sync read it. A writer that came
            # between (the eviction API's own status update, which counts a disruption) makes it
            # 409, and sync returns a conflict without failSafe, so the PDB is requeued and counted
            # again from a fresh read (kubernetes/kubernetes pkg/controller/disruption/disruption.go
            # sync, updatePdbStatus; pkg/registry/core/pod/storage/eviction.go checkAndDecrement).
            cluster.update_status_of(obj, new)
        if recheck is not None:
            self.requeue(obj, max(0.0, recheck - now))
