"""What the kube-scheduler's VolumeBinding plugin says about the deployed pod's claims: whether
its PreFilter holds the pod on every node (a claim mounted by name that is missing or not
bound), and why its Filter keeps the pod off one node. A claim of a WaitForFirstConsumer class
binds an Available PersistentVolume the node can reach, or is provisioned for the node the pod
is scheduled to, only where the class's allowedTopologies admit that node's labels and, for a
CSI driver that publishes its storage capacity, a CSIStorageCapacity the node reaches holds the
claim's size. Plain logic: no I/O, no
kubernetes import; the reads are the caller's (akscli.model.cluster_volumes).

upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding (mirror 113b12c6; volume_binding.go and
binder.go read at sanposhiho/kubernetes 059ce4e8, pv_helpers.go at kubernetes/kubernetes 109698ca):
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
  PV that does not exist is ErrReasonPVNotExist. The first such claim ends the check;
- binder.go FindPodVolumes: the bound claims first, then the unbound claims of delayed binding:
  one already being provisioned for another node (AnnSelectedNode) fails the node at once; the
  others bind a matching volume (findMatchingVolumes), else are provisioned
  (checkVolumeProvisions, which stops at the first claim that cannot be). Each failed check adds
  its reason, in the order NodeConflict, BindConflict, NotEnoughSpace, PVNotExist, and
  volume_binding.go Filter appends every one to its status (UnschedulableAndUnresolvable): a node
  can fail with two;
- pv_helpers.go FindMatchingVolume: a volume whose claimRef names the claim (IsVolumeBoundToClaim:
  namespace and name, uid where set) that holds its request, with its volumeMode and no
  deletionTimestamp, is the claim's whatever its phase, access modes or the other volumes; where
  its node affinity leaves the node out there is no match (the claim is then provisioned);
- volume_binding.go PreFilter, podHasPVCs then binder.go GetPodVolumeClaims: a claim mounted by
  name that does not exist ("persistentvolumeclaim "x" not found"), is Lost, or is being deleted;
  then one not fully bound that is not of delayed binding (IsDelayBindingMode: no class, a class
  not found, or Immediate) or names a volume already ("Prebound PVCs are treated as unbound
  immediate binding"): "pod has unbound immediate PersistentVolumeClaims". Each holds the pod on
  every node (UnschedulableAndUnresolvable), before any Filter runs (held);
- pkg/apis/core/v1/helper/helpers.go MatchTopologySelectorTerms: no terms match every node; a term
  with no expressions matches none; a term matches where each expression's key has one of its
  values (TopologySelectorRequirementsAsSelector, selection.In); the terms are ORed.

Not modelled: a PV pre-bound (claimRef) to a new ephemeral claim: its name (<pod>-<volume>) is
known only once the pod is made, and a Deployment's pod names are random. An in-tree PV's node
affinity translated to its CSI driver's topology key (tryTranslatePVToCSI): an Azure Disk PV is
read as written. findMatchingVolumes' exclusion of a volume already chosen for another claim of
the same pod, and its size order: each claim is matched on its own."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from akscli.kube import pod_affinity, resources, scheduling, volume_limits

REASON = "node(s) didn't find available persistent volumes to bind"
NODE_CONFLICT = "node(s) had volume node affinity conflict"
PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
# component-helpers storage/volume AnnBindCompleted.
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
NOT_ENOUGH_SPACE = "node(s) did not have enough free storage"
WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"
# volume_binding.go PreFilter: a claim GetPodVolumeClaims finds unbound and not of delayed binding.
UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
# component-helpers storage/volume AnnSelectedNode: the node a claim is being provisioned for.
SELECTED_NODE = "volume.kubernetes.io/selected-node"
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

    def named_claim(self, key: str) -> tuple[bool, Mapping[str, Any] | None]:
        """A claim (namespace/name) the pod mounts by name: (True, the claim), (True, None) where
        it does not exist, (False, None) where it cannot be read (then it is not weighed)."""

    def persistent_volume(self, name: str) -> tuple[bool, Mapping[str, Any] | None]:
        """A PersistentVolume by name, as named_claim."""

    def class_missing(self, name: str) -> bool:
        """Whether the class was read and is not found (False where it exists or could not be read)."""


def fully_bound(claim: Mapping[str, Any]) -> bool:
    """binder.go isPVCFullyBound."""
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    return bool((claim.get("spec") or {}).get("volumeName")) and BIND_COMPLETED in annotations


@dataclass(frozen=True)
class Held:
    """Why a PreFilter holds the pod on every node: the scheduler's words and the fix."""

    message: str
    fix: str


def _claims(pod: Mapping[str, Any], namespace: str, reads: Reads) -> Iterator[tuple[str, Mapping[str, Any] | None]]:
    """The pod's claims mounted by name that could be read: (namespace/name, the claim or None)."""
    if not namespace:
        return
    for vol in volume_limits.volumes({"metadata": {"namespace": namespace}, "spec": pod}):
        if vol.template is None and vol.claim:
            read, claim = reads.named_claim(vol.claim)
            if read:
                yield vol.claim, claim


def _delayed(claim: Mapping[str, Any], reads: Reads) -> bool:
    """component-helpers storage/volume IsDelayBindingMode: the claim's class (beta annotation
    first) exists and is WaitForFirstConsumer; no class, or one not found, is immediate."""
    name = volume_limits.claim_class(claim)
    sc = reads.storage_class(name) if name else None
    return (sc or {}).get("volumeBindingMode") == WAIT_FOR_FIRST_CONSUMER


def _missing_class(name: str, claim: Mapping[str, Any], reads: Reads) -> dict[str, str]:
    """{claim: its class} where the class was read and not found, for unbound_fix to name it."""
    cls = volume_limits.claim_class(claim)
    return {name: cls} if cls and reads.class_missing(cls) else {}


def held(pod: Mapping[str, Any], namespace: str, reads: Reads) -> Held | None:
    """VolumeBinding's PreFilter for the pod's claims mounted by name (volume_binding.go
    podHasPVCs, then GetPodVolumeClaims): a claim that does not exist, is Lost, is being deleted,
    or is not fully bound and not of a WaitForFirstConsumer class (or pre-bound to a volume by
    spec.volumeName), keeps the pod off every node (UnschedulableAndUnresolvable); None: it
    does not. podHasPVCs checks every claim before GetPodVolumeClaims sorts them."""
    claims = list(_claims(pod, namespace, reads))
    for key, claim in claims:
        ns, _, name = key.partition("/")
        if claim is None:
            return Held(
                f'persistentvolumeclaim "{name}" not found',
                f"create claim {name} in namespace {ns}, or mount a claim that exists (kubectl get pvc -n {ns})",
            )
        volume = str((claim.get("spec") or {}).get("volumeName") or "")
        if (claim.get("status") or {}).get("phase") == "Lost":
            return Held(
                f'persistentvolumeclaim "{name}" bound to non-existent persistentvolume "{volume}"',
                f"its volume is gone: delete claim {name} in namespace {ns} and make it again",
            )
        if (claim.get("metadata") or {}).get("deletionTimestamp"):
            return Held(
                f'persistentvolumeclaim "{name}" is being deleted',
                f"claim {name} in namespace {ns} is going away: wait for it to go, then make it again",
            )
    for key, claim in claims:
        ns, _, name = key.partition("/")
        assert claim is not None
        volume = str((claim.get("spec") or {}).get("volumeName") or "")
        if fully_bound(claim) or (_delayed(claim, reads) and not volume):
            continue
        fix = (
            f"claim {name} names volume {volume} (spec.volumeName), which has not bound it: check that "
            f"PersistentVolume {volume} exists and is Available (kubectl get pv {volume})"
            if volume
            else unbound_fix([name], ns, _missing_class(name, claim, reads))
        )
        return Held(UNBOUND_IMMEDIATE, fix)
    return None


def held_fix(
    message: str,
    pod: Mapping[str, Any] | None,
    namespace: str,
    missing_classes: Callable[[list[str]], Mapping[str, str]] | None = None,
) -> str | None:
    """The fix for a pod the scheduler left Pending with ``message`` when that is this PreFilter's
    UNBOUND_IMMEDIATE (a StatefulSet's volumeClaimTemplate of no class, of a class the cluster
    lacks, or of an Immediate class nothing has bound): its claims are named; adding nodes would
    not help. ``missing_classes`` reads, for the claims named, those whose StorageClass is not
    found (claim -> class), read only for this message. None otherwise."""
    claims = claim_names(pod)
    if UNBOUND_IMMEDIATE not in message or not claims:
        return None
    return unbound_fix(claims, namespace or "default", missing_classes(claims) if missing_classes else None)


def claim_names(pod: Mapping[str, Any] | None) -> list[str]:
    """The claims binder.go GetPodVolumeClaims reads for the pod: each persistentVolumeClaim's
    claimName, and each generic ephemeral volume's ``<pod>-<volume>``, the claim the ephemeral
    controller makes (kubernetes/component-helpers storage/ephemeral/ephemeral.go VolumeClaimName;
    volume_binding.go podHasPVCs reads both)."""
    md, spec = (pod or {}).get("metadata") or {}, (pod or {}).get("spec") or {}
    names = []
    for vol in spec.get("volumes") or []:
        if vol.get("persistentVolumeClaim"):
            names.append(str(vol["persistentVolumeClaim"].get("claimName")))
        elif vol.get("ephemeral") and md.get("name"):
            names.append(f"{md['name']}-{vol.get('name')}")
    return names


def unbound_fix(claims: list[str], namespace: str, missing: Mapping[str, str] | None = None) -> str:
    """What to do about UNBOUND_IMMEDIATE for the pod's claims mounted by name (the scheduler's
    message does not say which one holds it). A claim of a class that is not found is named with
    its class: IsDelayBindingMode reads a missing class as immediate, and the PV controller cannot
    provision it (pv_controller.go provisionClaim: ProvisioningFailed
    `storageclass.storage.k8s.io "x" not found`)."""
    for claim in claims:
        cls = (missing or {}).get(claim)
        if cls:
            return (
                f"claim {claim} asks for StorageClass {cls}, which the cluster does not have (kubectl get "
                f"storageclass lists those it has): create StorageClass {cls}, or make the claim again with "
                f"a class it has (kubectl delete pvc {claim} -n {namespace}; a StatefulSet's "
                "volumeClaimTemplates cannot change in place, so delete and apply the set again)"
            )
    names = " ".join(claims)
    which = f"claim {names} is" if len(claims) == 1 else f"one of claims {', '.join(claims)} is"
    return (
        f"{which} not bound and its class binds at once: kubectl describe pvc {names} -n {namespace} "
        "says why no volume was bound or provisioned"
    )


def _bound_reasons(pod: Mapping[str, Any], namespace: str, labels: Mapping[str, str], reads: Reads) -> list[str]:
    """checkBoundClaims for the pod's fully bound claims: the first claim whose volume is missing
    (PV_NOT_EXIST) or out of the node's reach (NODE_CONFLICT) ends it."""
    for _, claim in _claims(pod, namespace, reads):
        if claim is None or not fully_bound(claim):
            continue
        read, pv = reads.persistent_volume(str(claim["spec"]["volumeName"]))
        if read and pv is None:
            return [PV_NOT_EXIST]
        if pv is not None and not _reaches(pv, labels):
            return [NODE_CONFLICT]
    return []


def _prebound(claim: Mapping[str, Any], class_name: str, pvs: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """FindMatchingVolume's pre-bound volume: one of the class whose claimRef names the claim
    (IsVolumeBoundToClaim: namespace and name, and uid where the claimRef has one) and that holds
    its request, with its volumeMode and no deletionTimestamp."""
    meta, spec = claim.get("metadata") or {}, claim.get("spec") or {}
    want = resources.amount("storage", ((spec.get("resources") or {}).get("requests") or {}).get("storage", 0))
    for pv in pvs:
        ref = (pv.get("spec") or {}).get("claimRef") or {}
        if (ref.get("namespace"), ref.get("name")) != (meta.get("namespace"), meta.get("name")):
            continue
        if ref.get("uid") and ref.get("uid") != meta.get("uid"):
            continue
        pv_spec = pv.get("spec") or {}
        if resources.amount("storage", (pv_spec.get("capacity") or {}).get("storage", 0)) < want:
            continue
        if (pv_spec.get("volumeMode") or "Filesystem") != (spec.get("volumeMode") or "Filesystem"):
            continue
        if (pv.get("metadata") or {}).get("deletionTimestamp"):
            continue
        if pv_class(pv) == class_name:
            return pv
    return None


def _provision_reason(claim: Mapping[str, Any], name: str, labels: Mapping[str, str], reads: Reads) -> str | None:
    """checkVolumeProvisions for one claim spec of class ``name``: REASON, NOT_ENOUGH_SPACE or None."""
    sc = reads.storage_class(name) or {}
    provisioner = str(sc.get("provisioner") or "")
    if provisioner in ("", NO_PROVISIONER) or not matches_topology(sc.get("allowedTopologies") or [], labels):
        return REASON

    def fits(cap: Mapping[str, Any]) -> bool:
        return has_enough_capacity(claim, name, {"spec": {"storageCapacity": True}}, [cap], labels)

    driver = reads.csi_driver(provisioner)
    if not has_enough_capacity(claim, name, driver, [], labels):
        capacities = reads.capacities(provisioner, fits)
        if capacities is not None and not has_enough_capacity(claim, name, driver, capacities, labels):
            return NOT_ENOUGH_SPACE
    return None


def _unbound_reason(pod: Mapping[str, Any], namespace: str, node: Mapping[str, Any], reads: Reads) -> str | None:
    """FindPodVolumes for the pod's unbound claims of delayed binding: its new claims (generic
    ephemeral volumes, made from their template) and its claims mounted by name that the PV
    controller has left to the scheduler. A claim already being provisioned for another node
    (the volume.kubernetes.io/selected-node annotation) is REASON at once; each other claim binds
    its pre-bound volume, else an Available one (static_match), else is provisioned. The PVs of a
    class are read only where a claim cannot be provisioned for the node."""
    meta = node.get("metadata") or {}
    labels = meta.get("labels") or {}
    delayed: list[tuple[Mapping[str, Any] | None, Mapping[str, Any]]] = []
    for _, claim in _claims(pod, namespace, reads):
        if claim is None or fully_bound(claim) or not _delayed(claim, reads):
            continue
        selected = ((claim.get("metadata") or {}).get("annotations") or {}).get(SELECTED_NODE)
        if selected is not None and selected != meta.get("name"):
            return REASON
        delayed.append((claim, claim.get("spec") or {}))
    for vol in volume_limits.volumes(pod):
        if vol.template is not None:
            name = volume_limits.claim_class(vol.template)
            sc = reads.storage_class(name) if name else None
            if sc is not None and sc.get("volumeBindingMode") == WAIT_FOR_FIRST_CONSUMER:
                delayed.append((None, vol.template))
    for claim, spec in delayed:
        name = volume_limits.claim_class(claim if claim is not None else spec)
        reason = _provision_reason(spec, name, labels, reads)
        if reason is None:
            continue
        pvs = reads.volumes_of_class(name)
        prebound = _prebound(claim, name, pvs) if claim is not None else None
        if prebound is not None and _reaches(prebound, labels):
            continue
        if prebound is None and static_match(spec, name, labels, pvs):
            continue
        return reason
    return None


def binding_reasons(pod: Mapping[str, Any], node: Mapping[str, Any], reads: Reads, namespace: str = "") -> list[str]:
    """Why the VolumeBinding filter keeps the pod (a spec, in ``namespace``) off the node, each
    reason in FindPodVolumes' order (NODE_CONFLICT, REASON, NOT_ENOUGH_SPACE, PV_NOT_EXIST; the
    Filter appends them all to its status): its bound claims' volumes, then its unbound claims of
    delayed binding. Empty: it does not."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    bound = _bound_reasons(pod, namespace, labels, reads)
    unbound = _unbound_reason(pod, namespace, node, reads)
    order = (NODE_CONFLICT, REASON, NOT_ENOUGH_SPACE, PV_NOT_EXIST)
    return sorted([*bound, *([unbound] if unbound else [])], key=order.index)
