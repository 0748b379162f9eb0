"""Pods that wait for their volumes: the kube-scheduler's VolumeBinding PreBind, and the
kube-controller-manager's ephemeral volume controller that makes a generic ephemeral volume's claim.

``hold`` and ``PreBind`` (upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/
volumebinding binder.go AssumePodVolumes, BindPodVolumes, bindAPIUpdate and checkBindings, read at
sanposhiho/kubernetes 059ce4e8 and kubernetes/kubernetes master):
- A pod the scheduler placed on a node whose claims of delayed binding are not bound yet
  (volume_binding.prebind_claims, and a new pod's generic ephemeral claims) is not bound: it stays
  Pending with no node while PreBind waits (BindPodVolumes polls checkBindings until every claim
  is fully bound; the pod is bound only after PreBind returns, schedule_one.go bindingCycle).
- bindAPIUpdate: a claim an Available volume of its class fits on that node (StaticBindings) gets
  that volume, its claimRef set (the PV controller completes the bind); any other claim is
  provisioned (DynamicProvisions): it gets the volume.kubernetes.io/selected-node annotation =
  the node, which the CSI external-provisioner acts on (volume_provisioner.py). An ephemeral claim
  is written once the ephemeral controller made it.
- checkBindings: once every claim is fully bound (spec.volumeName and the bind-completed
  annotation), the pod is bound to the node (spec.nodeName), the scheduler's Normal Scheduled
  "Successfully assigned <ns>/<pod> to <node>" (schedule_one.go finishBinding), and it starts as
  the kubelet would start it (its volumes are mounted: kubernetes/kubernetes pkg/kubelet/
  volumemanager/volume_manager.go WaitForAttachAndMount returns once they are).
- bindTimeout (VolumeBindingArgs.bindTimeoutSeconds, 600 by default: kubernetes/kubernetes
  pkg/scheduler/apis/config/v1/defaults.go SetDefaults_VolumeBindingArgs): BindPodVolumes polls
  checkBindings with wait.PollUntilContextTimeout; a pod still held after it fails its PreBind
  with `running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded`
  (pkg/scheduler/framework/runtime/framework.go RunPreBindPlugins wraps the plugin's error).
  PreBind's clock is the wall clock plus ``advance``; ``bind_timeout`` is the setting tests shorten.
- checkBindings: a claim being provisioned whose volume.kubernetes.io/selected-node is no longer
  the pod's node (the external-provisioner removed it after a final CreateVolume error:
  kubernetes-sigs/sig-storage-lib-external-provisioner controller/controller.go
  provisionVolumeErrorHandling, rescheduleProvisioning) fails the PreBind with
  `... binding volumes: provisioning failed for PVC "<claim>"`.
- A failed PreBind (pkg/scheduler/schedule_one.go bindingCycle, handleSchedulingFailure): the pod
  stays unbound, Warning FailedScheduling with that message, PodScheduled False reason
  SchedulerError; it waits in the backoff queue (1 s, doubling to 10 s: podInitialBackoffSeconds
  and podMaxBackoffSeconds) and is scheduled again: the same node where its claim still has that
  node selected, any node where the selected node was removed.
- Not modelled: a StaticBinding whose PV lost its claimRef ("pv ... claimRef was removed"), the
  Unreserve of the assume cache (the emulator has none: a failed pod simply stops counting on
  its node), the backoff queue's flush of pods waiting over podMaxInUnschedulablePodsDuration.

``EphemeralVolumeController`` (upstream: kubernetes/kubernetes pkg/controller/volume/ephemeral/
controller.go at 003e8629, enqueuePod, syncHandler, handleVolume; kubernetes/component-helpers
storage/ephemeral/ephemeral.go VolumeClaimName and VolumeIsForPod): for a pod added with a
generic ephemeral volume, and not being deleted, the claim ``<pod>-<volume>`` is made in its
namespace: the template's labels, annotations and spec, owned by the pod (apiVersion v1, kind
Pod, controller and blockOwnerDeletion true), so the garbage collector deletes it with the pod.
A claim of that name the pod does not control: Warning FailedBinding "ephemeral volume V: PVC
ns/name was not created for pod ns/pod (pod is not owner)" (the recorder's component
ephemeral_volume), and no claim is made. A deleted claim whose pod is still there is made again
(onPVCDelete).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER, KUBELET, ClusterState
from tests.emulators.kube.controllers.base import ClockedController, Controller
from tests.emulators.kube.controllers.rescheduling import attempt_failed, requeue_owners, running_status
from tests.emulators.kube.controllers.scheduling import NO_NODES, Scheduler
from tests.emulators.kube.controllers.volume_binding import (
    Assumed,
    Start,
    _delayed,
    _fully_bound,
    assumed,
    static_volume,
)
from tests.emulators.kube.controllers.volume_provisioner import BOUND_BY_CONTROLLER, SELECTED_NODE, claim_ref

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver import ApiServer, Ctx
    from tests.emulators.kube.controllers.runner import ControllerManager
    from tests.emulators.kube.resources import ResourceType

# kubernetes/kubernetes pkg/scheduler/apis/config/v1/defaults.go SetDefaults_VolumeBindingArgs:
# BindTimeoutSeconds 600; SetDefaults_KubeSchedulerConfiguration: podInitialBackoffSeconds 1,
# podMaxBackoffSeconds 10 (the backoff queue a pod whose binding cycle failed waits in).
BIND_TIMEOUT_SECONDS = 600.0
INITIAL_BACKOFF, MAX_BACKOFF = 1.0, 10.0
# pkg/scheduler/framework/runtime/framework.go RunPreBindPlugins wraps a plugin's error as
# `running PreBind plugin "VolumeBinding": ...`; binder.go BindPodVolumes as "binding volumes: ...".
PREBIND_FAILED = 'running PreBind plugin "VolumeBinding": binding volumes: '

_PREBIND: weakref.WeakKeyDictionary[Any, PreBind] = weakref.WeakKeyDictionary()


def _waiting(api: ApiServer) -> dict[str, Assumed]:
    return assumed(api)


def ephemeral_claims(pod: dict[str, Any]) -> list[str]:
    """ephemeral.go VolumeClaimName for each generic ephemeral volume: ``<pod>-<volume>``."""
    name = pod["metadata"]["name"]
    return [f"{name}-{v.get('name')}" for v in (pod.get("spec") or {}).get("volumes") or [] if v.get("ephemeral")]


def holding(cluster: ClusterState, namespace: str, name: str) -> bool:
    """Whether PreBind holds the pod (the Rescheduler leaves such a pod alone)."""
    return f"{namespace}/{name}" in _waiting(cluster.api)


def hold(
    cluster: ClusterState,
    pod: dict[str, Any],
    node: str,
    claims: tuple[str, ...],
    new: bool = False,
    start: Start | None = None,
) -> bool:
    """PreBind for a pod placed on ``node`` with no node name yet (see the module docstring):
    ``claims`` are Placement.claims, and a ``new`` pod's ephemeral claims, which its controller
    has not made yet, are waited on too; ``start`` reports it as its kubelet would once it is bound
    (the Running status by default). False where there is nothing to wait on: bind it now."""
    md = pod["metadata"]
    names = tuple(dict.fromkeys([*claims, *(ephemeral_claims(pod) if new else [])]))
    key = f"{md['namespace']}/{md['name']}"
    waiting = _waiting(cluster.api)
    prebind = _PREBIND.get(cluster.api)
    held = Assumed(str(md["uid"]), node, names, start, prebind.now() if prebind else 0.0, {})
    waiting[key] = held
    bound = True
    for name in names:
        claim = cluster.get("v1", "PersistentVolumeClaim", md["namespace"], name)
        if claim is not None:
            held.written[name] = _bind_api_update(cluster, claim, node)
        bound = bound and claim is not None and _fully_bound(claim)
    if bound:  # nothing to wait on, or bound since the pod was placed: no claim event will come
        waiting.pop(key, None)
    elif prebind is not None:
        prebind.time_out_later(key, held)
    return not bound


def _bind_api_update(cluster: ClusterState, claim: dict[str, Any], node_name: str) -> str:
    """What bindAPIUpdate wrote for the claim (Assumed.written)."""
    md = claim["metadata"]
    annotations = md.get("annotations") or {}
    if (claim.get("spec") or {}).get("volumeName") or _fully_bound(claim) or not _delayed(cluster, claim):
        return ""
    if SELECTED_NODE in annotations:
        return "provision"
    node = cluster.get("v1", "Node", None, node_name) or {"metadata": {"name": node_name}}
    pv = static_volume(cluster, claim, node)
    if pv is not None:
        patch = {"metadata": {"annotations": {BOUND_BY_CONTROLLER: "yes"}}, "spec": {"claimRef": claim_ref(claim)}}
        cluster.patch("v1", "PersistentVolume", None, pv["metadata"]["name"], patch, "kube-scheduler")
        return "static"
    patch = {"metadata": {"annotations": {SELECTED_NODE: node_name}}}
    cluster.patch("v1", "PersistentVolumeClaim", md["namespace"], md["name"], patch, "kube-scheduler")
    return "provision"


class PreBind(ClockedController):
    """The scheduler's VolumeBinding PreBind for the pods ``hold`` keeps (see the module docstring).
    ``bind_timeout``: VolumeBindingArgs.bindTimeoutSeconds (600 by default: kubernetes/kubernetes
    pkg/scheduler/apis/config/v1/defaults.go SetDefaults_VolumeBindingArgs; tests
    shorten it, or move PreBind's clock on with ``advance``)."""

    # the scheduler's VolumeBinding PreBind and bind (cluster.KUBE_SCHEDULER; kubernetes/kubernetes
    # pkg/scheduler/framework/plugins/volumebinding/volume_binding.go PreBind)
    field_manager: ClassVar[str | None] = KUBE_SCHEDULER

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "PersistentVolumeClaim")]

    def __init__(self, delay: float = 0.05, bind_timeout: float = BIND_TIMEOUT_SECONDS) -> None:
        super().__init__(delay)
        self.bind_timeout = bind_timeout
        self._attempts: dict[str, int] = {}  # pod uid -> binding cycles failed (its backoff)

    def attach(self, manager: ControllerManager) -> None:
        _PREBIND[manager.api] = self

        def on_event(typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
            if typ == "DELETED" and (rt.group, rt.kind) == ("", "Pod"):
                md = obj.get("metadata") or {}
                waiting = _waiting(manager.api)
                key = f"{md.get('namespace')}/{md.get('name')}"
                if key in waiting and waiting[key].uid == md.get("uid"):
                    waiting.pop(key, None)

        manager.api.listeners.append(on_event)

    def time_out_later(self, key: str, held: Assumed) -> None:
        """BindPodVolumes' wait.PollUntilContextTimeout(..., bindTimeout, ...), on the wall clock."""
        if self._manager is not None:
            self._manager.call_later(self, lambda cluster: self._expire(cluster, key), self.bind_timeout)

    def _expire(self, cluster: ClusterState, only: str | None = None) -> None:
        for key, held in list(_waiting(cluster.api).items()):
            if (only is None or key == only) and self.now() - held.since >= self.bind_timeout:
                self._fail(cluster, key, held, "context deadline exceeded")

    def reconcile(self, cluster: ClusterState, claim: dict[str, Any]) -> None:
        ns, name = claim["metadata"]["namespace"], claim["metadata"]["name"]
        for key, held in list(_waiting(cluster.api).items()):
            if key.partition("/")[0] != ns or name not in held.claims:
                continue
            if name not in held.written:  # an ephemeral claim made since the pod was held
                held.written[name] = _bind_api_update(cluster, claim, held.node)
            self._check_bindings(cluster, key, held)

    def _check_bindings(self, cluster: ClusterState, key: str, held: Assumed) -> None:
        """kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding/binder.go checkBindings:
        every claim fully bound; a claim to provision whose selected node is no longer the pod's (the
        provisioner removed it: rescheduleProvisioning) fails."""
        ns, _, pod_name = key.partition("/")
        for name in held.claims:
            claim = cluster.get("v1", "PersistentVolumeClaim", ns, name)
            if claim is None:
                return
            if _fully_bound(claim):
                continue
            selected = ((claim.get("metadata") or {}).get("annotations") or {}).get(SELECTED_NODE)
            if held.written.get(name) == "provision" and selected != held.node:
                self._fail(cluster, key, held, f'provisioning failed for PVC "{name}"')
            return
        _waiting(cluster.api).pop(key, None)
        pod = cluster.get("v1", "Pod", ns, pod_name)
        if pod is None or pod["metadata"].get("uid") != held.uid or pod["metadata"].get("deletionTimestamp"):
            return
        self._bind(cluster, pod, held.node, held.start)

    def _bind(self, cluster: ClusterState, pod: dict[str, Any], node: str, start: Start | None) -> None:
        ns, pod_name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        self._attempts.pop(str(pod["metadata"].get("uid")), None)
        bound = cluster.bind(ns, pod_name, node)
        cluster.add_event(bound, "Scheduled", f"Successfully assigned {ns}/{pod_name} to {node}")
        if start is not None:
            updated = start(cluster, bound)
        else:
            updated = cluster.patch_status(
                "v1", "Pod", ns, pod_name, running_status(pod.get("spec") or {}, node), manager=KUBELET
            )
        requeue_owners(self._manager, cluster, updated)

    def _fail(self, cluster: ClusterState, key: str, held: Assumed, why: str) -> None:
        """A failed PreBind (kubernetes/kubernetes pkg/scheduler/schedule_one.go bindingCycle,
        handleSchedulingFailure): the pod is not bound; Warning FailedScheduling with the plugin's
        error, PodScheduled False with reason SchedulerError (not Unschedulable: no cluster event is
        waited for), and the pod goes to the backoff queue, tried again after 1 s, doubling to 10 s
        per failed attempt (kubernetes/kubernetes pkg/scheduler/backend/queue/backoff_queue.go
        calculateBackoffDuration)."""
        if _waiting(cluster.api).get(key) is not held:
            return
        _waiting(cluster.api).pop(key, None)
        ns, _, name = key.partition("/")
        pod = cluster.get("v1", "Pod", ns, name)
        if pod is None or pod["metadata"].get("uid") != held.uid or pod["metadata"].get("deletionTimestamp"):
            return
        message = PREBIND_FAILED + why
        self._scheduling_failed(cluster, pod, "SchedulerError", message)
        attempts = self._attempts[held.uid] = self._attempts.get(held.uid, 0) + 1
        backoff = min(INITIAL_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)
        if self._manager is not None:
            self._manager.call_later(self, lambda c: self._retry(c, key, held.uid, held.start), backoff)

    @staticmethod
    def _scheduling_failed(cluster: ClusterState, pod: dict[str, Any], reason: str, message: str) -> None:
        conditions = [c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") != "PodScheduled"]
        condition = {"type": "PodScheduled", "status": "False", "reason": reason, "message": message}
        condition["lastTransitionTime"] = now_iso()
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        updated = cluster.patch_status("v1", "Pod", ns, name, {"conditions": [condition, *conditions]})
        cluster.add_event(updated, "FailedScheduling", message, "Warning")

    def _retry(self, cluster: ClusterState, key: str, uid: str, start: Start | None) -> None:
        """The pod's next scheduling cycle, once its backoff ends: placed again (a claim whose
        selected node was removed may now go to any node), held again by PreBind, or left
        Unschedulable for the Rescheduler (rescheduling.py) where nothing fits."""
        ns, _, name = key.partition("/")
        pod = cluster.get("v1", "Pod", ns, name)
        md = (pod or {}).get("metadata") or {}
        if pod is None or md.get("uid") != uid or md.get("deletionTimestamp") or pod["spec"].get("nodeName"):
            return
        if holding(cluster, ns, name):
            return
        owner = next((r.get("uid", "") for r in md.get("ownerReferences") or []), "")
        placement = Scheduler(cluster).place(pod.get("spec") or {}, owner, md)
        if placement.node is None:
            self._scheduling_failed(cluster, pod, "Unschedulable", placement.message or NO_NODES)
            # an event during the attempt sends it back (upstream: kubernetes/kubernetes
            # pkg/scheduler/backend/queue/scheduling_queue.go AddUnschedulableIfNotPresent)
            attempt_failed(cluster, pod, placement.cycle)
            return
        if not hold(cluster, pod, placement.node, placement.claims, start=start):
            self._bind(cluster, pod, placement.node, start)


class EphemeralVolumeController(Controller):
    """kube-controller-manager's ephemeral volume controller (see the module docstring)."""

    # kube-controller-manager's ephemeral volume controller (kubernetes/kubernetes
    # cmd/kube-controller-manager/app/core.go ClientBuilder.ClientOrDie("ephemeral-volume-controller"),
    # the binary's name first in its user agent: cluster.KUBE_CONTROLLER_MANAGER)
    field_manager: ClassVar[str | None] = KUBE_CONTROLLER_MANAGER

    watches: ClassVar[list[tuple[str, str]]] = []

    def attach(self, manager: ControllerManager) -> None:
        def on_event(typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
            if (rt.group, rt.kind) == ("", "Pod") and typ == "ADDED":
                if any(v.get("ephemeral") for v in (obj.get("spec") or {}).get("volumes") or []):
                    manager.schedule(self, obj, self.delay)
            elif (rt.group, rt.kind) == ("", "PersistentVolumeClaim") and typ == "DELETED":
                owner = next((r for r in obj["metadata"].get("ownerReferences") or [] if r.get("kind") == "Pod"), None)
                if owner is not None:  # re-read when it runs: a pod that is gone is not reconciled
                    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"namespace": obj["metadata"]["namespace"]}}
                    pod["metadata"]["name"] = owner["name"]
                    manager.schedule(self, pod, self.delay)

        manager.api.listeners.append(on_event)

    def reconcile(self, cluster: ClusterState, pod: dict[str, Any]) -> None:
        md = pod["metadata"]
        if md.get("deletionTimestamp"):
            return
        for vol in (pod.get("spec") or {}).get("volumes") or []:
            template = (vol.get("ephemeral") or {}).get("volumeClaimTemplate")
            if template is None:
                continue
            name = f"{md['name']}-{vol.get('name')}"
            found = cluster.get("v1", "PersistentVolumeClaim", md["namespace"], name)
            if found is not None:
                owner = next((r for r in found["metadata"].get("ownerReferences") or [] if r.get("controller")), {})
                if owner.get("uid") != md["uid"]:
                    message = (
                        f"ephemeral volume {vol.get('name')}: PVC {md['namespace']}/{name} was not created for pod "
                        f"{md['namespace']}/{md['name']} (pod is not owner)"
                    )
                    cluster.add_event(pod, "FailedBinding", message, "Warning", "ephemeral_volume")
                    return
                continue
            meta: dict[str, Any] = {
                "name": name,
                "namespace": md["namespace"],
                "ownerReferences": [
                    {
                        "apiVersion": "v1",
                        "kind": "Pod",
                        "name": md["name"],
                        "uid": md["uid"],
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            }
            for field in ("labels", "annotations"):
                if (template.get("metadata") or {}).get(field):
                    meta[field] = dict(template["metadata"][field])
            claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta}
            claim["spec"] = dict(template.get("spec") or {})
            cluster.create(claim)
