"""The kube-scheduler's VolumeBinding filter for the emulator's scheduler
(controllers/scheduling.py), for a new pod's generic ephemeral claims (read from their templates
where the pod is placed as it is made, before the ephemeral volume controller makes them) of a
WaitForFirstConsumer class, and the claims its PreBind waits on (prebind_claims,
volume_prebind.py).

upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding (read at
sanposhiho/kubernetes 059ce4e8):
- binder.go FindPodVolumes: an unbound claim of delayed binding first looks for a PV
  (findMatchingVolumes, component-helpers storage/volume/pv_helpers.go FindMatchingVolume at
  kubernetes/kubernetes 109698ca: not bound to another claim, capacity at least the request, the
  same volumeMode (Filesystem where unset), no deletionTimestamp, phase Available, the claim's
  selector, the same class, every access mode asked, the PV's required node affinity met by the
  node); a claim without one is provisioned (checkVolumeProvisions): a provisioner, not
  kubernetes.io/no-provisioner, and the class's allowedTopologies matching the node
  (MatchTopologySelectorTerms), else ErrReasonBindConflict; then hasEnoughCapacity: for a
  CSIDriver with storageCapacity true, a CSIStorageCapacity of the class whose
  maximumVolumeSize (else capacity) holds the claim's storage request and whose nodeTopology
  selects the node, else ErrReasonNotEnoughSpace.
- binder.go checkBoundClaims (FindPodVolumes checks them first): a persistentVolumeClaim volume
  whose claim is fully bound (isPVCFullyBound: spec.volumeName and the
  pv.kubernetes.io/bind-completed annotation) needs its PV's required node affinity met by the node
  (component-helpers storage/volume helpers.go CheckNodeAffinity), else ErrReasonNodeConflict; a
  PV that does not exist is ErrReasonPVNotExist. The first such claim ends the check.
- binder.go FindPodVolumes: a node's reasons in the order NodeConflict, BindConflict,
  NotEnoughSpace, PVNotExist, every one appended to the Filter's status
  (volume_binding.go Filter: UnschedulableAndUnresolvable). A claim mounted by name, unbound, of
  a WaitForFirstConsumer class, is matched as a new claim, a PV pre-bound to it by claimRef first
  (pv_helpers.go FindMatchingVolume, IsVolumeBoundToClaim: the claim's, whatever its phase, where
  it holds the request with the claim's volumeMode and is not being deleted; no match where its
  node affinity leaves the node out); one being provisioned for another node
  (volume.kubernetes.io/selected-node) is BindConflict.
- PreFilter (prefilter): volume_binding.go podHasPVCs, a claim mounted by name that is missing
  (the lister's NotFound: `persistentvolumeclaim "x" not found`), Lost or being deleted; then
  binder.go GetPodVolumeClaims, one not fully bound that is not of delayed binding
  (IsDelayBindingMode: no class or a class not found is immediate) or names a volume: "pod has
  unbound immediate PersistentVolumeClaims"; then volumezone/volume_zone.go getPVbyPod, a bound
  claim's volume that is not found (`persistentvolume "x" not found`). Each holds the pod on every
  node; the event is the PreFilter's message alone (pkg/scheduler/framework/types.go
  FitError.Error at kubernetes/kubernetes master: no histogram after a PreFilter message).
  A generic ephemeral volume's claim `<pod>-<volume>` (kubernetes/kubernetes
  staging/src/k8s.io/component-helpers/storage/ephemeral/ephemeral.go VolumeClaimName) is read too:
  missing, `waiting for ephemeral volume controller to create the
  persistentvolumeclaim "x"`; not controlled by the pod, VolumeIsForPod's `PVC ns/x was not
  created for pod ns/p (pod is not owner)` (pkg/scheduler/framework/plugins/volumebinding/
  volume_binding.go podHasPVCs).
- A claim or template with no class is read with the default class, as the DefaultStorageClass
  admission plugin gives it one at create (kubernetes/kubernetes
  plugin/pkg/admission/storage/storageclass/setdefault/admission.go).
- VolumeZone's Filter (zone_rejects, volume_zone.go): the zone and region labels of a bound
  claim's volume (a value may join several zones with "__") against a node that has any of them,
  ErrReasonConflict "node(s) had no available volume zone".
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.node_filters import matches_affinity
from tests.emulators.kube.controllers.pod_affinity import selector_matches
from tests.emulators.kube.controllers.pod_resources import quantity
from tests.emulators.kube.controllers.volume_provisioner import default_class

BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
NOT_ENOUGH_SPACE = "node(s) did not have enough free storage"
NODE_CONFLICT = "node(s) had volume node affinity conflict"
PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"


# VolumeBinding's assumed pods (kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding/
# binder.go AssumePodVolumes; volume_prebind.py), by 'namespace/pod'. The scheduler counts their
# requests on that node while they wait (kubernetes/kubernetes pkg/scheduler/schedule_one.go assume).
Start = Callable[[ClusterState, dict[str, Any]], dict[str, Any]]


class Assumed(NamedTuple):
    uid: str  # the pod's
    node: str  # the node chosen
    claims: tuple[str, ...]  # the claims PreBind waits on
    start: Start | None  # how its kubelet starts it once bound (an emulator hook, no upstream behaviour)
    # when PreBind began, on PreBind's clock (kubernetes/kubernetes pkg/scheduler/framework/plugins/
    # volumebinding/binder.go BindPodVolumes: the bindTimeout wait counts from it)
    since: float
    # claim -> what bindAPIUpdate did for it (kubernetes/kubernetes pkg/scheduler/framework/plugins/
    # volumebinding/binder.go bindAPIUpdate): "provision" (the selected-node annotation written), "static"
    # (a volume's claimRef set) or "" (nothing to write); a claim not made yet is not in it.
    written: dict[str, str]


_ASSUMED: weakref.WeakKeyDictionary[Any, dict[str, Assumed]] = weakref.WeakKeyDictionary()
_ASSUMED_LOCK = threading.Lock()


def assumed(api: Any) -> dict[str, Assumed]:
    """The emulator's pods that PreBind holds, by 'namespace/name'."""
    with _ASSUMED_LOCK:
        return _ASSUMED.setdefault(api, {})


def _claim_of(cluster: ClusterState, vol: dict[str, Any], namespace: str) -> tuple[str, dict[str, Any] | None]:
    name = str((vol.get("persistentVolumeClaim") or {}).get("claimName") or "")
    return name, cluster.get("v1", "PersistentVolumeClaim", namespace, name) if name and namespace else None


def _fully_bound(pvc: dict[str, Any]) -> bool:
    annotations = (pvc.get("metadata") or {}).get("annotations") or {}
    return bool((pvc.get("spec") or {}).get("volumeName")) and "pv.kubernetes.io/bind-completed" in annotations


def _class_of(cluster: ClusterState, claim: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    spec = (claim.get("spec") if "spec" in claim else claim) or {}
    if "volume.beta.kubernetes.io/storage-class" not in annotations and "storageClassName" not in spec:
        # kubernetes/kubernetes plugin/pkg/admission/storage/storageclass/setdefault/admission.go: a claim made with no
        # class is given the default one (the emulator's PV controller does it later, and an
        # ephemeral claim is read from its template before it is made).
        found = default_class(cluster)
        return ((found or {}).get("metadata") or {}).get("name", ""), found
    cls = annotations.get("volume.beta.kubernetes.io/storage-class", spec.get("storageClassName") or "")
    return cls, cluster.get("storage.k8s.io/v1", "StorageClass", None, cls) if cls else None


def _delayed(cluster: ClusterState, pvc: dict[str, Any]) -> bool:
    return (_class_of(cluster, pvc)[1] or {}).get("volumeBindingMode") == "WaitForFirstConsumer"


def _ephemeral(
    cluster: ClusterState, spec: dict[str, Any], namespace: str, meta: dict[str, Any]
) -> tuple[str | None, list[tuple[str, dict[str, Any] | None]]]:
    """podHasPVCs for the pod's generic ephemeral volumes: (the PreFilter's message, the claims
    found). A pod placed as it is made (``meta`` has no name) is weighed as it would be once the
    ephemeral controller made its claims: each template an unbound claim."""
    pod, found = meta.get("name"), []
    for vol in spec.get("volumes") or []:
        template = (vol.get("ephemeral") or {}).get("volumeClaimTemplate")
        if template is None:
            continue
        if not pod:
            if not _delayed(cluster, template.get("spec") or {}):
                return "pod has unbound immediate PersistentVolumeClaims", found
            continue
        # kubernetes/kubernetes staging/src/k8s.io/component-helpers/storage/ephemeral/ephemeral.go
        # VolumeClaimName and VolumeIsForPod.
        name = f"{pod}-{vol.get('name')}"
        pvc = cluster.get("v1", "PersistentVolumeClaim", namespace, name) if namespace else None
        if pvc is None:
            return f'waiting for ephemeral volume controller to create the persistentvolumeclaim "{name}"', found
        owner = next((r for r in pvc["metadata"].get("ownerReferences") or [] if r.get("controller")), {})
        if owner.get("uid") != meta.get("uid"):
            return f"PVC {namespace}/{name} was not created for pod {namespace}/{pod} (pod is not owner)", found
        found.append((name, pvc))
    return None, found


def prefilter(
    cluster: ClusterState, spec: dict[str, Any], namespace: str, meta: dict[str, Any] | None = None
) -> str | None:
    """VolumeBinding's, then VolumeZone's, PreFilter message for the new pod (None: none holds it)."""
    named = [
        _claim_of(cluster, vol, namespace) for vol in spec.get("volumes") or [] if vol.get("persistentVolumeClaim")
    ]
    for name, pvc in named:
        if pvc is None:
            return f'persistentvolumeclaim "{name}" not found'
    held, ephemeral = _ephemeral(cluster, spec, namespace, meta or {})
    for name, pvc in [*named, *ephemeral]:
        assert pvc is not None
        if (pvc.get("status") or {}).get("phase") == "Lost":
            volume = (pvc.get("spec") or {}).get("volumeName", "")
            return f'persistentvolumeclaim "{name}" bound to non-existent persistentvolume "{volume}"'
        if (pvc.get("metadata") or {}).get("deletionTimestamp"):
            return f'persistentvolumeclaim "{name}" is being deleted'
    if held:
        return held
    for _, pvc in [*named, *ephemeral]:
        assert pvc is not None
        if not _fully_bound(pvc) and (not _delayed(cluster, pvc) or (pvc.get("spec") or {}).get("volumeName")):
            return "pod has unbound immediate PersistentVolumeClaims"
    for _, pvc in [*named, *ephemeral]:
        volume = ((pvc or {}).get("spec") or {}).get("volumeName")
        if volume and cluster.get("v1", "PersistentVolume", None, volume) is None:
            return f'persistentvolume "{volume}" not found'
    return None


def prebind_claims(cluster: ClusterState, spec: dict[str, Any], namespace: str, meta: dict[str, Any]) -> list[str]:
    """The claims VolumeBinding's PreBind waits on for the pod (kubernetes/kubernetes
    pkg/scheduler/framework/plugins/volumebinding/binder.go AssumePodVolumes: those
    not fully bound, of delayed binding, with no volume; the PreFilter let no other unbound one
    through): named, and the ephemeral ones, ``<pod>-<volume>``, where the pod has its name."""
    names = [str((v.get("persistentVolumeClaim") or {}).get("claimName")) for v in spec.get("volumes") or []]
    if meta.get("name"):
        names += [f"{meta['name']}-{v.get('name')}" for v in spec.get("volumes") or [] if v.get("ephemeral")]
    waiting = []
    for name in names:
        pvc = cluster.get("v1", "PersistentVolumeClaim", namespace, name) if name != "None" and namespace else None
        if pvc is not None and not _fully_bound(pvc) and _delayed(cluster, pvc):
            waiting.append(name)
    return waiting


def zone_rejects(cluster: ClusterState, spec: dict[str, Any], node: dict[str, Any], namespace: str) -> bool:
    """VolumeZone's Filter."""
    keys = (
        "failure-domain.beta.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/region",
        "topology.kubernetes.io/zone",
        "topology.kubernetes.io/region",
    )
    labels = (node.get("metadata") or {}).get("labels") or {}
    if not any(k in labels for k in keys):
        return False
    for vol in spec.get("volumes") or []:
        _, pvc = _claim_of(cluster, vol, namespace) if vol.get("persistentVolumeClaim") else ("", None)
        volume = ((pvc or {}).get("spec") or {}).get("volumeName")
        pv = cluster.get("v1", "PersistentVolume", None, volume) if volume else None
        pv_labels = ((pv or {}).get("metadata") or {}).get("labels") or {}
        for key in keys:
            zones = {z.strip() for z in str(pv_labels.get(key, "")).split("__")}
            if key in pv_labels and "" not in zones and labels.get(key) not in zones:
                return True
    return False


def binding_reasons(
    cluster: ClusterState, spec: dict[str, Any], node: dict[str, Any], namespace: str = ""
) -> list[str]:
    """Why VolumeBinding keeps the new pod (in ``namespace``) off the node, each reason in
    FindPodVolumes' order (empty: it does not)."""
    bound = _bound_claims(cluster, spec, node, namespace)
    unbound = _unbound(cluster, spec, node, namespace)
    order = (NODE_CONFLICT, BIND_CONFLICT, NOT_ENOUGH_SPACE, PV_NOT_EXIST)
    return sorted([r for r in (bound, unbound) if r], key=order.index)


def _unbound(cluster: ClusterState, spec: dict[str, Any], node: dict[str, Any], namespace: str) -> str | None:
    labels = (node.get("metadata") or {}).get("labels") or {}
    delayed: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
    for vol in spec.get("volumes") or []:
        if vol.get("persistentVolumeClaim"):
            _, pvc = _claim_of(cluster, vol, namespace)
            if pvc is None or _fully_bound(pvc) or not _delayed(cluster, pvc):
                continue
            selected = ((pvc.get("metadata") or {}).get("annotations") or {}).get("volume.kubernetes.io/selected-node")
            if selected is not None and selected != (node.get("metadata") or {}).get("name"):
                return BIND_CONFLICT
            delayed.append((pvc, pvc.get("spec") or {}))
        claim = ((vol.get("ephemeral") or {}).get("volumeClaimTemplate") or {}).get("spec")
        if (
            claim is not None
            and (_class_of(cluster, claim)[1] or {}).get("volumeBindingMode") == "WaitForFirstConsumer"
        ):
            delayed.append((None, claim))
    for pvc, claim in delayed:
        cls, sc = _class_of(cluster, pvc if pvc is not None else claim)
        provisioner = (sc or {}).get("provisioner")
        reason = None
        if provisioner in (None, "", "kubernetes.io/no-provisioner") or not _topology(sc or {}, labels):
            reason = BIND_CONFLICT
        elif not _enough_capacity(cluster, claim, cls, str(provisioner), labels):
            reason = NOT_ENOUGH_SPACE
        if reason is None:
            continue
        prebound = _prebound(cluster, pvc, claim, cls) if pvc is not None else None
        if prebound is not None:
            if _reaches(prebound, node):
                continue
        elif _static_match(cluster, claim, cls, node):
            continue
        return reason
    return None


def _reaches(pv: dict[str, Any], node: dict[str, Any]) -> bool:
    required = ((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required")
    as_pod = {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}}
    return required is None or matches_affinity(
        as_pod, {"metadata": {"labels": (node.get("metadata") or {}).get("labels") or {}}}
    )


def _prebound(cluster: ClusterState, pvc: dict[str, Any], claim: dict[str, Any], cls: str) -> dict[str, Any] | None:
    md = pvc.get("metadata") or {}
    want = quantity(((claim.get("resources") or {}).get("requests") or {}).get("storage", "0"))
    for pv in cluster.list("v1", "PersistentVolume"):
        ref, pv_spec = (pv.get("spec") or {}).get("claimRef") or {}, pv.get("spec") or {}
        pv_class = ((pv.get("metadata") or {}).get("annotations") or {}).get(
            "volume.beta.kubernetes.io/storage-class", pv_spec.get("storageClassName") or ""
        )
        if (
            (ref.get("namespace"), ref.get("name")) == (md.get("namespace"), md.get("name"))
            and (not ref.get("uid") or ref.get("uid") == md.get("uid"))
            and quantity((pv_spec.get("capacity") or {}).get("storage", "0")) >= want
            and (pv_spec.get("volumeMode") or "Filesystem") == (claim.get("volumeMode") or "Filesystem")
            and not (pv.get("metadata") or {}).get("deletionTimestamp")
            and pv_class == cls
        ):
            return pv
    return None


def _bound_claims(cluster: ClusterState, spec: dict[str, Any], node: dict[str, Any], namespace: str) -> str | None:
    labels = (node.get("metadata") or {}).get("labels") or {}
    for vol in spec.get("volumes") or []:
        name = (vol.get("persistentVolumeClaim") or {}).get("claimName")
        pvc = cluster.get("v1", "PersistentVolumeClaim", namespace, name) if name and namespace else None
        volume = ((pvc or {}).get("spec") or {}).get("volumeName")
        annotations = ((pvc or {}).get("metadata") or {}).get("annotations") or {}
        if not volume or "pv.kubernetes.io/bind-completed" not in annotations:
            continue
        pv = cluster.get("v1", "PersistentVolume", None, volume)
        if pv is None:
            return PV_NOT_EXIST
        required = ((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required")
        as_pod = {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}}
        # CheckNodeAffinity matches the terms against a Node of the node's labels only.
        if required is not None and not matches_affinity(as_pod, {"metadata": {"labels": labels}}):
            return NODE_CONFLICT
    return None


def _topology(sc: dict[str, Any], labels: dict[str, str]) -> bool:
    terms = sc.get("allowedTopologies") or []
    return not terms or any(
        term.get("matchLabelExpressions")
        and all(labels.get(e.get("key")) in (e.get("values") or []) for e in term["matchLabelExpressions"])
        for term in terms
    )


def _enough_capacity(
    cluster: ClusterState, claim: dict[str, Any], cls: str, provisioner: str, labels: dict[str, str]
) -> bool:
    size = ((claim.get("resources") or {}).get("requests") or {}).get("storage")
    driver = cluster.get("storage.k8s.io/v1", "CSIDriver", None, provisioner)
    if size is None or not ((driver or {}).get("spec") or {}).get("storageCapacity"):
        return True
    # binder.go hasEnoughCapacity: csiStorageCapacityLister.List(labels.Everything()), every object
    # whether the external-provisioner's driver-name label is on it or not, matched on the class.
    for cap in cluster.list("storage.k8s.io/v1", "CSIStorageCapacity"):
        limit = cap.get("maximumVolumeSize", cap.get("capacity"))
        if (
            cap.get("storageClassName") == cls
            and limit is not None
            and quantity(limit) >= quantity(size)
            and cap.get("nodeTopology") is not None
            and selector_matches(cap["nodeTopology"], labels)
        ):
            return True
    return False


def _static_match(cluster: ClusterState, claim: dict[str, Any], cls: str, node: dict[str, Any]) -> bool:
    return _static_pv(cluster, claim, cls, node) is not None


def static_volume(cluster: ClusterState, pvc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any] | None:
    """kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding/binder.go findMatchingVolumes
    for an unbound claim of delayed binding on the node: an Available volume of its class that holds it
    (staging/src/k8s.io/component-helpers/storage/volume/pv_helpers.go FindMatchingVolume), or None."""
    return _static_pv(cluster, pvc.get("spec") or {}, _class_of(cluster, pvc)[0], node)


def _static_pv(cluster: ClusterState, claim: dict[str, Any], cls: str, node: dict[str, Any]) -> dict[str, Any] | None:
    want = quantity(((claim.get("resources") or {}).get("requests") or {}).get("storage", "0"))
    modes = set(claim.get("accessModes") or [])
    for pv in cluster.list("v1", "PersistentVolume"):
        md, pv_spec = pv.get("metadata") or {}, pv.get("spec") or {}
        pv_class = (md.get("annotations") or {}).get(
            "volume.beta.kubernetes.io/storage-class", pv_spec.get("storageClassName") or ""
        )
        required = (pv_spec.get("nodeAffinity") or {}).get("required")
        as_pod = {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}}
        if (
            not pv_spec.get("claimRef")
            and not md.get("deletionTimestamp")
            and quantity((pv_spec.get("capacity") or {}).get("storage", "0")) >= want
            and (pv_spec.get("volumeMode") or "Filesystem") == (claim.get("volumeMode") or "Filesystem")
            and (pv.get("status") or {}).get("phase") == "Available"
            and (claim.get("selector") is None or selector_matches(claim["selector"], md.get("labels") or {}))
            and pv_class == cls
            and modes <= set(pv_spec.get("accessModes") or [])
            and (required is None or matches_affinity(as_pod, node))
        ):
            return pv
    return None
