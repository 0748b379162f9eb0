"""What the kube-scheduler's VolumeBinding filter says about one node for the deployed pod's new
claims: a claim of a WaitForFirstConsumer class binds an Available PersistentVolume the node can
reach, or is provisioned for the node the pod is scheduled to, only where the class's
allowedTopologies admit that node's labels and, for a CSI driver that publishes its storage
capacity, a CSIStorageCapacity the node reaches holds the claim's size. Plain logic: no I/O, no
kubernetes import; the reads are the caller's (akscli.model.cluster_volumes).

upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding (mirror 113b12c6):
- binder.go FindPodVolumes: an unbound claim of delayed binding with no Available volume to
  match is checked by checkVolumeProvisions, and a failing check is ErrReasonBindConflict
  "node(s) didn't find available persistent volumes to bind";
- binder.go checkVolumeProvisions: the class's provisioner must be set and not
  kubernetes.io/no-provisioner, then v1helper.MatchTopologySelectorTerms(class.AllowedTopologies,
  node labels) must hold, then storage capacity (only for a CSIDriver with storageCapacity true);
- binder.go findMatchingVolumes, FindMatchingVolume (staging/src/k8s.io/component-helpers/storage/
  volume/pv_helpers.go, kubernetes/kubernetes 109698ca): before provisioning, an unbound claim of
  delayed binding binds the smallest PV of its class (GetPersistentVolumeClass: the beta annotation
  first) that is not bound to another claim, holds its storage request, has its volumeMode
  (Filesystem where unset), no deletionTimestamp, phase Available, the labels the claim's selector
  asks for, every access mode the claim asks for, and node affinity the node's labels meet
  (helpers.go CheckNodeAffinity: required nodeSelectorTerms, ORed). A claim with such a PV is not
  provisioned, so neither the class's topology nor the capacity is checked for it;
- binder.go hasEnoughCapacity: only for a provisioner whose CSIDriver sets storageCapacity true,
  a CSIStorageCapacity of the class whose maximumVolumeSize (else capacity) holds the claim's
  storage request and whose nodeTopology selects the node; else ErrReasonNotEnoughSpace "node(s)
  did not have enough free storage" (capacitySufficient, nodeHasAccess: a nil nodeTopology
  reaches no node). A claim without a storage request is not checked. AKS's Azure Disk CSIDriver
  does not set it (kubernetes-sigs/azuredisk-csi-driver 14c21589 deploy/csi-azuredisk-driver.yaml):
  the check reads the CSIDriver and stops there;
- binder.go checkBoundClaims (sanposhiho/kubernetes 059ce4e8): a claim the pod mounts that is
  fully bound (isPVCFullyBound: spec.volumeName and the pv.kubernetes.io/bind-completed
  annotation the PV controller writes) needs its PersistentVolume's node affinity met by the node
  (CheckNodeAffinity), else ErrReasonNodeConflict "node(s) had volume node affinity conflict"; a
  PV that does not exist is ErrReasonPVNotExist. FindPodVolumes checks the bound claims first;
- volume_binding.go Filter: the reasons are UnschedulableAndUnresolvable.
- pkg/apis/core/v1/helper/helpers.go MatchTopologySelectorTerms: no terms match every node; a term
  with no expressions matches none; a term matches where each expression's key has one of its
  values (TopologySelectorRequirementsAsSelector, selection.In); the terms are ORed.

Not modelled: a PV pre-bound (claimRef) to the new claim: its name (<pod>-<volume>) is known only
once the pod is made. A named claim that is not fully bound (PreFilter: an Immediate or pre-bound
one keeps the pod off every node, a delayed one is bound like a new claim), or missing. An in-tree
PV's node affinity translated to its CSI driver's topology key (tryTranslatePVToCSI): an Azure
Disk PV is read as written. Where several reasons hold, the first of FindPodVolumes' is given."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from akscli.kube import pod_affinity, resources, scheduling, volume_limits

REASON = "node(s) didn't find available persistent volumes to bind"
NODE_CONFLICT = "node(s) had volume node affinity conflict"
PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
# component-helpers storage/volume AnnBindCompleted.
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
NOT_ENOUGH_SPACE = "node(s) did not have enough free storage"
WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"
# component-helpers storage/volume NotSupportedProvisioner.
NO_PROVISIONER = "kubernetes.io/no-provisioner"


def matches_topology(terms: Iterable[Mapping[str, Any]], labels: Mapping[str, str]) -> bool:
    """MatchTopologySelectorTerms."""
    terms = list(terms)
    if not terms:
        return True
    for term in terms:
        expressions = term.get("matchLabelExpressions") or []
        if expressions and all(
            expr.get("key") in labels and labels[str(expr.get("key"))] in (expr.get("values") or [])
            for expr in expressions
        ):
            return True
    return False


def static_match(
    claim: Mapping[str, Any], class_name: str, labels: Mapping[str, str], pvs: Iterable[Mapping[str, Any]]
) -> bool:
    """FindMatchingVolume, scheduler path, for a new claim (``claim``: its spec): whether an
    Available PersistentVolume it can bind reaches the node."""
    want = resources.amount("storage", ((claim.get("resources") or {}).get("requests") or {}).get("storage", 0))
    mode = claim.get("volumeMode") or "Filesystem"
    modes = set(claim.get("accessModes") or [])
    selector = claim.get("selector")
    for pv in pvs:
        spec, meta = pv.get("spec") or {}, pv.get("metadata") or {}
        if spec.get("claimRef") or meta.get("deletionTimestamp"):
            continue
        if resources.amount("storage", (spec.get("capacity") or {}).get("storage", 0)) < want:
            continue
        if (spec.get("volumeMode") or "Filesystem") != mode or (pv.get("status") or {}).get("phase") != "Available":
            continue
        if selector is not None and not pod_affinity.selector_matches(selector, meta.get("labels") or {}):
            continue
        if pv_class(pv) != class_name or not modes <= set(spec.get("accessModes") or []):
            continue
        if _reaches(pv, labels):
            return True
    return False


def pv_class(pv: Mapping[str, Any]) -> str:
    """component-helpers storage/volume GetPersistentVolumeClass: the beta annotation first."""
    annotations = (pv.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get(volume_limits.BETA_CLASS, (pv.get("spec") or {}).get("storageClassName") or ""))


def _reaches(pv: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """CheckNodeAffinity: the PV's required node selector terms against the node's labels."""
    required = ((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required")
    if required is None:
        return True
    as_pod = {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}}
    return scheduling.matches_node_affinity(as_pod, {"metadata": {"labels": dict(labels)}})


def has_enough_capacity(
    claim: Mapping[str, Any],
    class_name: str,
    driver: Mapping[str, Any] | None,
    capacities: Iterable[Mapping[str, Any]],
    labels: Mapping[str, str],
) -> bool:
    """hasEnoughCapacity for a new claim (its spec) of the class, its provisioner's CSIDriver
    (None: not found) and the CSIStorageCapacity objects read."""
    size = ((claim.get("resources") or {}).get("requests") or {}).get("storage")
    if size is None or not ((driver or {}).get("spec") or {}).get("storageCapacity"):
        return True
    want = resources.amount("storage", size)
    for cap in capacities:
        limit = cap.get("maximumVolumeSize", cap.get("capacity"))
        topology = cap.get("nodeTopology")
        if (
            cap.get("storageClassName") == class_name
            and limit is not None
            and resources.amount("storage", limit) >= want
            and topology is not None
            and pod_affinity.selector_matches(topology, labels)
        ):
            return True
    return False


class Reads(Protocol):
    """What the filter reads, given by the caller."""

    def storage_class(self, name: str) -> Mapping[str, Any] | None:
        """A class by name (None: missing or not read)."""

    def volumes_of_class(self, name: str) -> list[Mapping[str, Any]]:
        """The PersistentVolumes of a class read."""

    def csi_driver(self, name: str) -> Mapping[str, Any] | None:
        """A CSIDriver by name (None: not found)."""

    def capacities(self, driver: str, fits: Callable[[Mapping[str, Any]], bool]) -> list[Mapping[str, Any]] | None:
        """The driver's CSIStorageCapacity objects read, until one ``fits``; None where a budget
        ran out before one did (then the claim counts as fitting)."""

    def bound_volume(self, claim: str) -> tuple[bool, Mapping[str, Any] | None]:
        """Whether a claim (namespace/name) is fully bound, and its PersistentVolume (None where it
        does not exist); (False, None) where the claim or its volume cannot be read."""


def fully_bound(claim: Mapping[str, Any]) -> bool:
    """binder.go isPVCFullyBound."""
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    return bool((claim.get("spec") or {}).get("volumeName")) and BIND_COMPLETED in annotations


def bound_reason(pod: Mapping[str, Any], namespace: str, labels: Mapping[str, str], reads: Reads) -> str | None:
    """checkBoundClaims for the pod's persistentVolumeClaim volumes in ``namespace`` (none read
    where it is not known)."""
    if not namespace:
        return None
    for vol in volume_limits.volumes({"metadata": {"namespace": namespace}, "spec": pod}):
        if vol.template is not None or not vol.claim:
            continue
        bound, pv = reads.bound_volume(vol.claim)
        if bound and pv is None:
            return PV_NOT_EXIST
        if bound and pv is not None and not _reaches(pv, labels):
            return NODE_CONFLICT
    return None


def binding_reason(pod: Mapping[str, Any], node: Mapping[str, Any], reads: Reads, namespace: str = "") -> str | None:
    """Why the VolumeBinding filter keeps the pod (a spec, in ``namespace``) off the node: its bound
    claims' volumes out of the node's reach (NODE_CONFLICT, PV_NOT_EXIST), then its new claims (its
    generic ephemeral volumes, made from their template): REASON, NOT_ENOUGH_SPACE; or None. The
    PVs of a class are read only where a claim cannot be provisioned for the node."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    if conflict := bound_reason(pod, namespace, labels, reads):
        return conflict
    for vol in volume_limits.volumes(pod):
        if vol.template is None:
            continue
        name = volume_limits.claim_class(vol.template)
        sc = reads.storage_class(name) if name else None
        if sc is None or sc.get("volumeBindingMode") != WAIT_FOR_FIRST_CONSUMER:
            continue
        reason: str | None = None
        provisioner = str(sc.get("provisioner") or "")
        if provisioner in ("", NO_PROVISIONER) or not matches_topology(sc.get("allowedTopologies") or [], labels):
            reason = REASON
        else:
            claim = vol.template

            def fits(cap: Mapping[str, Any], claim: Mapping[str, Any] = claim, name: str = name) -> bool:
                return has_enough_capacity(claim, name, {"spec": {"storageCapacity": True}}, [cap], labels)

            driver = reads.csi_driver(provisioner)
            if not has_enough_capacity(claim, name, driver, [], labels):
                capacities = reads.capacities(provisioner, fits)
                if capacities is not None and not has_enough_capacity(claim, name, driver, capacities, labels):
                    reason = NOT_ENOUGH_SPACE
        if reason and not static_match(vol.template, name, labels, reads.volumes_of_class(name)):
            return reason
    return None
