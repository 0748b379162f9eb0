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
- Not modelled: bindTimeout (600 s: a claim never bound leaves the pod Pending here for ever,
  where upstream PreBind fails with FailedScheduling after ten minutes and the pod is tried
  again); the assumed pod's requests on the node while it waits (the scheduler cache counts
  them; the emulator's next placement does not); a provisioner's failure that removes the
  selected node ("provisioning failed for PVC").

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

from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.rescheduling import requeue_owners, running_status
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
    waiting[key] = (str(md["uid"]), node, names, start)
    bound = True
    for name in names:
        claim = cluster.get("v1", "PersistentVolumeClaim", md["namespace"], name)
        if claim is not None:
            _bind_api_update(cluster, claim, node)
        bound = bound and claim is not None and _fully_bound(claim)
    if bound:  # nothing to wait on, or bound since the pod was placed: no claim event will come
        waiting.pop(key, None)
    return not bound


def _bind_api_update(cluster: ClusterState, claim: dict[str, Any], node_name: str) -> None:
    md = claim["metadata"]
    annotations = md.get("annotations") or {}
    if (claim.get("spec") or {}).get("volumeName") or SELECTED_NODE in annotations or _fully_bound(claim):
        return
    if not _delayed(cluster, claim):
        return
    node = cluster.get("v1", "Node", None, node_name) or {"metadata": {"name": node_name}}
    pv = static_volume(cluster, claim, node)
    if pv is not None:
        patch = {"metadata": {"annotations": {BOUND_BY_CONTROLLER: "yes"}}, "spec": {"claimRef": claim_ref(claim)}}
        cluster.patch("v1", "PersistentVolume", None, pv["metadata"]["name"], patch, "kube-scheduler")
        return
    patch = {"metadata": {"annotations": {SELECTED_NODE: node_name}}}
    cluster.patch("v1", "PersistentVolumeClaim", md["namespace"], md["name"], patch, "kube-scheduler")


class PreBind(Controller):
    """The scheduler's VolumeBinding PreBind for the pods ``hold`` keeps (see the module docstring)."""

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "PersistentVolumeClaim")]

    def attach(self, manager: ControllerManager) -> None:
        def on_event(typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
            if typ == "DELETED" and (rt.group, rt.kind) == ("", "Pod"):
                md = obj.get("metadata") or {}
                waiting = _waiting(manager.api)
                key = f"{md.get('namespace')}/{md.get('name')}"
                if waiting.get(key, ("",))[0] == md.get("uid"):
                    waiting.pop(key, None)

        manager.api.listeners.append(on_event)

    def reconcile(self, cluster: ClusterState, claim: dict[str, Any]) -> None:
        ns, name = claim["metadata"]["namespace"], claim["metadata"]["name"]
        for key, held in list(_waiting(cluster.api).items()):
            if key.partition("/")[0] != ns or name not in held[2]:
                continue
            _bind_api_update(cluster, claim, held[1])
            self._check_bindings(cluster, key, held)

    def _check_bindings(self, cluster: ClusterState, key: str, held: Assumed) -> None:
        ns, _, pod_name = key.partition("/")
        uid, node, names, start = held
        for name in names:
            claim = cluster.get("v1", "PersistentVolumeClaim", ns, name)
            if claim is None or not _fully_bound(claim):
                return
        _waiting(cluster.api).pop(key, None)
        pod = cluster.get("v1", "Pod", ns, pod_name)
        if pod is None or pod["metadata"].get("uid") != uid or pod["metadata"].get("deletionTimestamp"):
            return
        bound = cluster.patch("v1", "Pod", ns, pod_name, {"spec": {"nodeName": node}})
        cluster.add_event(bound, "Scheduled", f"Successfully assigned {ns}/{pod_name} to {node}")
        if start is not None:
            updated = start(cluster, bound)
        else:
            updated = cluster.patch_status("v1", "Pod", ns, pod_name, running_status(pod.get("spec") or {}, node))
        requeue_owners(self._manager, cluster, updated)


class EphemeralVolumeController(Controller):
    """kube-controller-manager's ephemeral volume controller (see the module docstring)."""

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
