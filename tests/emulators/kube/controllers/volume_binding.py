"""The kube-scheduler's VolumeBinding filter for the emulator's scheduler
(controllers/scheduling.py), for a new pod's generic ephemeral claims (the emulator runs no
ephemeral controller: the template's spec is the claim's) of a WaitForFirstConsumer class.

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
  PV that does not exist is ErrReasonPVNotExist. A claim that is missing or not fully bound is left
  alone (the emulator runs no PV controller; upstream PreFilter would hold the pod).
- volume_binding.go Filter: UnschedulableAndUnresolvable.
"""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.cluster import ClusterState
from tests.emulators.kube.controllers.pod_affinity import selector_matches

BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
NOT_ENOUGH_SPACE = "node(s) did not have enough free storage"
NODE_CONFLICT = "node(s) had volume node affinity conflict"
PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"


def _quantity(value: Any) -> Any:
    from tests.emulators.kube.controllers.scheduling import quantity

    return quantity(value)


def binding_reason(
    cluster: ClusterState, spec: dict[str, Any], node: dict[str, Any], namespace: str = ""
) -> str | None:
    """Why VolumeBinding keeps the new pod (in ``namespace``) off the node (None: it does not)."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    if conflict := _bound_claims(cluster, spec, node, namespace):
        return conflict
    for vol in spec.get("volumes") or []:
        claim = ((vol.get("ephemeral") or {}).get("volumeClaimTemplate") or {}).get("spec") or {}
        cls = claim.get("storageClassName")
        sc = cluster.get("storage.k8s.io/v1", "StorageClass", None, cls) if cls else None
        if sc is None or sc.get("volumeBindingMode") != "WaitForFirstConsumer":
            continue
        provisioner = sc.get("provisioner")
        reason = None
        if provisioner in (None, "", "kubernetes.io/no-provisioner") or not _topology(sc, labels):
            reason = BIND_CONFLICT
        elif not _enough_capacity(cluster, claim, cls, provisioner, labels):
            reason = NOT_ENOUGH_SPACE
        if reason and not _static_match(cluster, claim, cls, node):
            return reason
    return None


def _bound_claims(cluster: ClusterState, spec: dict[str, Any], node: dict[str, Any], namespace: str) -> str | None:
    from tests.emulators.kube.controllers.scheduling import matches_affinity

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
            and _quantity(limit) >= _quantity(size)
            and cap.get("nodeTopology") is not None
            and selector_matches(cap["nodeTopology"], labels)
        ):
            return True
    return False


def _static_match(cluster: ClusterState, claim: dict[str, Any], cls: str, node: dict[str, Any]) -> bool:
    from tests.emulators.kube.controllers.scheduling import matches_affinity

    want = _quantity(((claim.get("resources") or {}).get("requests") or {}).get("storage", "0"))
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
            and _quantity((pv_spec.get("capacity") or {}).get("storage", "0")) >= want
            and (pv_spec.get("volumeMode") or "Filesystem") == (claim.get("volumeMode") or "Filesystem")
            and (pv.get("status") or {}).get("phase") == "Available"
            and (claim.get("selector") is None or selector_matches(claim["selector"], md.get("labels") or {}))
            and pv_class == cls
            and modes <= set(pv_spec.get("accessModes") or [])
            and (required is None or matches_affinity(as_pod, node))
        ):
            return True
    return False
