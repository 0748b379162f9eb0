"""Claims that bind: kube-controller-manager's PersistentVolume controller and the CSI
external-provisioner that AKS runs beside its Azure Disk and Azure Files drivers.

``PersistentVolumeController`` (upstream: kubernetes/kubernetes
pkg/controller/volume/persistentvolume/pv_controller.go, read at sanposhiho/kubernetes 059ce4e8;
assignDefaultStorageClass from the index's current copy, read_file id 93169161):
- syncUnboundClaim with no spec.volumeName: findBestMatchForClaim first, a volume whose claimRef
  names the claim (namespace, name, and uid where set: IsVolumeBoundToClaim), and for a claim of
  immediate binding an Available volume of its class that holds the request with its volumeMode
  and access modes (component-helpers storage/volume/pv_helpers.go FindMatchingVolume, the
  smallest; the PV controller leaves unclaimed volumes to the scheduler for delayed binding).
  Found: bind. Else assignDefaultStorageClass (a claim with no class, neither spec.storageClassName
  nor the beta annotation, gets the default class, pkg/volume/util GetDefaultClass: the newest
  class annotated storageclass.kubernetes.io/is-default-class "true", or the beta annotation),
  then: a claim of delayed binding without volume.kubernetes.io/selected-node
  (IsDelayBindingProvisioning) gets emitEventForUnboundDelayBindingClaim's Normal event,
  WaitForFirstConsumer "waiting for first consumer to be created before binding", or
  WaitForPodScheduled "waiting for pod P to be scheduled" where an unscheduled pod mounts it
  (findNonScheduledPodsByPVC); a claim with a class is provisioned (provisionClaim); a claim
  with none gets Normal FailedBinding "no persistent volumes available for this claim and no
  storage class is set". The claim stays Pending.
- provisionClaim: a class that is not found is a Warning ProvisioningFailed with the lister's
  error (`storageclass.storage.k8s.io "x" not found`, findProvisionablePlugin); an external
  provisioner (any name outside kubernetes.io/) gets provisionClaimOperationExternal:
  setClaimProvisioner writes volume.kubernetes.io/storage-provisioner and the beta
  volume.beta.kubernetes.io/storage-provisioner, then the Normal ExternalProvisioning event
  "Waiting for a volume to be created either by the external provisioner 'P' or manually by the
  system administrator. If volume creation is delayed, please verify that the provisioner is
  running and correctly registered."
- bind: bindVolumeToClaim (GetBindVolumeToClaim: the claimRef, and
  pv.kubernetes.io/bound-by-controller "yes" where the volume was not bound to the claim yet),
  updateVolumePhase Bound, bindClaimToVolume (spec.volumeName, pv.kubernetes.io/bound-by-controller
  "yes" where it had another or no volume, pv.kubernetes.io/bind-completed "yes"), then
  updateClaimStatus Bound with the volume's access modes and capacity.
- syncVolume: a volume with no claimRef, or one without a uid (pre-bound), is Available
  (updateVolumePhase); a volume whose claimRef has a uid, whose claim has no volume yet, queues
  the claim (the provisioner saves only the PV and the next syncClaim binds it).

The selected node on a claim of delayed binding is the scheduler's (volume_prebind.py: binder.go
bindAPIUpdate, written before the pod is bound).

``CSIProvisioner`` (upstream: kubernetes-sigs/sig-storage-lib-external-provisioner 7b865eb9
controller/controller.go shouldProvision and provisionClaimOperation, controller/volume_store.go;
kubernetes-csi/external-provisioner 0688604f pkg/controller/controller.go Provision and
makeVolumeName, cmd/csi-provisioner/csi-provisioner.go the identity): a claim with no volume
whose storage-provisioner annotation names one of its drivers, of a class that is found, and,
for a WaitForFirstConsumer class, with a selected node. Normal Provisioning "External provisioner
is provisioning volume for claim \\"ns/name\\"", then the PV ``pvc-<claim uid>`` (the sidecar's
default --volume-name-prefix pvc, no truncation): the claim's access modes and volumeMode, its
storage request as capacity, the class's reclaimPolicy and mountOptions, spec.csi (driver,
volumeHandle, volumeAttributes storage.kubernetes.io/csiProvisionerIdentity
``<ms>-<n>-<driver>``), claimRef, storageClassName, the annotations pv.kubernetes.io/provisioned-by
and the empty volume.kubernetes.io/provisioner-deletion-secret-name/-namespace, then Normal
ProvisioningSucceeded "Successfully provisioned volume pvc-<uid>". AKS's drivers:
disk.csi.azure.com and file.csi.azure.com (profiles.aks_storage_classes adds it).
A CreateVolume that fails (``create_volume_errors``, a test fault) gets upstream's reaction
(kubernetes-csi/external-provisioner pkg/controller/controller.go Provision: ``CSIProvisioner._failed``).
Not modelled: the driver's CreateVolume (an Azure disk's resource id as volumeHandle: here the PV's
name; the size rounded up to what Azure makes; the zone as PV node affinity), the PV finalizer,
reclaiming a released volume, a claim pre-bound by spec.volumeName, the kubelet waiting for a
claim's mount (a bound pod runs at once).
"""

from __future__ import annotations

import itertools
import time
import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.kube.cluster import KUBE_CONTROLLER_MANAGER, ClusterState
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.pod_affinity import selector_matches
from tests.emulators.kube.controllers.pod_resources import quantity

if TYPE_CHECKING:
    pass

SELECTED_NODE = "volume.kubernetes.io/selected-node"
PROVISIONER = "volume.kubernetes.io/storage-provisioner"
BETA_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
AKS_DRIVERS = ("disk.csi.azure.com", "file.csi.azure.com")
# Drivers whose GetPluginCapabilities has VOLUME_ACCESSIBILITY_CONSTRAINTS (upstream:
# kubernetes-sigs/azuredisk-csi-driver 05dacf5d pkg/azuredisk/identityserver.go); the Azure Files
# driver's was not read, and its AKS classes bind at once (no selected node to remove).
TOPOLOGY_DRIVERS = ("disk.csi.azure.com",)
PV_SOURCE = "persistentvolume-controller"  # pkg/controller/volume/persistentvolume: its recorder's component


def claim_class(claim: dict[str, Any]) -> str:
    """GetPersistentVolumeClaimClass: the beta annotation first, then spec.storageClassName."""
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    if "volume.beta.kubernetes.io/storage-class" in annotations:
        return str(annotations["volume.beta.kubernetes.io/storage-class"])
    return str((claim.get("spec") or {}).get("storageClassName") or "")


def claim_ref(claim: dict[str, Any]) -> dict[str, Any]:
    """The claimRef both controllers write: client-go tools/reference ref.GetReference of the claim."""
    md = claim["metadata"]
    return {
        "kind": "PersistentVolumeClaim",
        "namespace": md["namespace"],
        "name": md["name"],
        "uid": md["uid"],
        "apiVersion": "v1",
        "resourceVersion": md.get("resourceVersion"),
    }


def _storage_class(cluster: ClusterState, name: str) -> dict[str, Any] | None:
    return cluster.get("storage.k8s.io/v1", "StorageClass", None, name) if name else None


def _delayed(sc: dict[str, Any] | None) -> bool:
    """IsDelayBindingMode: no class or a class not found binds at once."""
    return (sc or {}).get("volumeBindingMode") == "WaitForFirstConsumer"


def _annotations(obj: dict[str, Any]) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("annotations") or {})


def _bound_to(pv: dict[str, Any], claim: dict[str, Any]) -> bool:
    """IsVolumeBoundToClaim."""
    ref, md = (pv.get("spec") or {}).get("claimRef") or {}, claim.get("metadata") or {}
    same = (ref.get("namespace"), ref.get("name")) == (md.get("namespace"), md.get("name"))
    return bool(ref) and same and (not ref.get("uid") or ref.get("uid") == md.get("uid"))


def _best_match(cluster: ClusterState, claim: dict[str, Any], delayed: bool) -> dict[str, Any] | None:
    """findBestMatchForClaim with no node (FindMatchingVolume)."""
    spec = claim.get("spec") or {}
    want = quantity(((spec.get("resources") or {}).get("requests") or {}).get("storage", "0"))
    mode, cls = spec.get("volumeMode") or "Filesystem", claim_class(claim)
    found: list[tuple[Any, str, dict[str, Any]]] = []
    for pv in cluster.list("v1", "PersistentVolume"):
        pv_md, pv_spec = pv.get("metadata") or {}, pv.get("spec") or {}
        size = quantity((pv_spec.get("capacity") or {}).get("storage", "0"))
        if size < want or (pv_spec.get("volumeMode") or "Filesystem") != mode or pv_md.get("deletionTimestamp"):
            continue
        if _bound_to(pv, claim):
            return pv  # a volume pre-bound to the claim is its, whatever else it says
        pv_class = _annotations(pv).get(
            "volume.beta.kubernetes.io/storage-class", pv_spec.get("storageClassName") or ""
        )
        if (
            delayed
            or pv_spec.get("claimRef")
            or (pv.get("status") or {}).get("phase") != "Available"
            or pv_class != cls
            or not set(spec.get("accessModes") or []) <= set(pv_spec.get("accessModes") or [])
            or (spec.get("selector") is not None and not selector_matches(spec["selector"], pv_md.get("labels") or {}))
        ):
            continue
        found.append((size, pv_md.get("name", ""), pv))
    return min(found, key=lambda f: (f[0], f[1]))[2] if found else None


def default_class(cluster: ClusterState) -> dict[str, Any] | None:
    """GetDefaultClass: the newest class annotated default (by creationTimestamp, then name)."""
    defaults = [
        sc
        for sc in cluster.list("storage.k8s.io/v1", "StorageClass")
        if "true" in (_annotations(sc).get(DEFAULT_CLASS), _annotations(sc).get(BETA_DEFAULT_CLASS))
    ]
    return max(
        defaults, key=lambda sc: (sc["metadata"].get("creationTimestamp", ""), sc["metadata"]["name"]), default=None
    )


class PersistentVolumeController(Controller):
    """kube-controller-manager's persistentvolume-binder (see the module docstring)."""

    # kube-controller-manager's persistent volume binder (kubernetes/kubernetes
    # cmd/kube-controller-manager/app/core.go ClientBuilder.ClientOrDie("persistent-volume-binder"),
    # the binary's name first in its user agent: cluster.KUBE_CONTROLLER_MANAGER)
    field_manager: ClassVar[str | None] = KUBE_CONTROLLER_MANAGER

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "PersistentVolumeClaim"), ("v1", "PersistentVolume")]

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        if obj.get("kind") == "PersistentVolume":
            ref = (obj.get("spec") or {}).get("claimRef") or {}
            if not ref.get("uid"):  # syncVolume: unused, or pre-bound to a claim not bound yet
                if (obj.get("status") or {}).get("phase") != "Available":
                    cluster.patch_status(
                        "v1", "PersistentVolume", None, obj["metadata"]["name"], {"phase": "Available"}
                    )
                return
            claim = (
                cluster.get("v1", "PersistentVolumeClaim", ref.get("namespace"), ref.get("name", "")) if ref else None
            )
            if ref.get("uid") and claim is not None and not (claim.get("spec") or {}).get("volumeName"):
                self.sync_claim(cluster, claim)
            return
        self.sync_claim(cluster, obj)

    def sync_claim(self, cluster: ClusterState, claim: dict[str, Any]) -> None:
        md, spec = claim["metadata"], claim.get("spec") or {}
        if md.get("deletionTimestamp") or BIND_COMPLETED in _annotations(claim) or spec.get("volumeName"):
            return  # syncBoundClaim and a claim pre-bound by name are not modelled
        cls = claim_class(claim)
        sc = _storage_class(cluster, cls)
        pv = _best_match(cluster, claim, _delayed(sc))
        if pv is not None:
            self._bind(cluster, pv, claim)
            return
        has_class = (
            "volume.beta.kubernetes.io/storage-class" in _annotations(claim) or spec.get("storageClassName") is not None
        )
        default = None if has_class else default_class(cluster)
        if default is not None:  # assignDefaultStorageClass: the update starts the sync again
            cluster.patch(
                "v1",
                "PersistentVolumeClaim",
                md["namespace"],
                md["name"],
                {"spec": {"storageClassName": default["metadata"]["name"]}},
                PV_SOURCE,
            )
            self.requeue(claim, self.delay)
            return
        if _delayed(sc) and SELECTED_NODE not in _annotations(claim):
            waiting = self._unscheduled_pods(cluster, claim)
            if not waiting:
                cluster.add_event(
                    claim,
                    "WaitForFirstConsumer",
                    "waiting for first consumer to be created before binding",
                    "Normal",
                    PV_SOURCE,
                )
            else:
                which = "pods" if len(waiting) > 1 else "pod"
                cluster.add_event(
                    claim,
                    "WaitForPodScheduled",
                    f"waiting for {which} {','.join(waiting)} to be scheduled",
                    "Normal",
                    PV_SOURCE,
                )
        elif cls and sc is None:
            cluster.add_event(
                claim, "ProvisioningFailed", f'storageclass.storage.k8s.io "{cls}" not found', "Warning", PV_SOURCE
            )
        elif cls and sc is not None and not str(sc.get("provisioner", "")).startswith("kubernetes.io/"):
            self._external(cluster, claim, str(sc.get("provisioner", "")))
        elif not cls:
            message = "no persistent volumes available for this claim and no storage class is set"
            cluster.add_event(claim, "FailedBinding", message, "Normal", PV_SOURCE)
        if (claim.get("status") or {}).get("phase") != "Pending":
            cluster.patch_status("v1", "PersistentVolumeClaim", md["namespace"], md["name"], {"phase": "Pending"})

    def _external(self, cluster: ClusterState, claim: dict[str, Any], provisioner: str) -> None:
        """provisionClaimOperationExternal."""
        md = claim["metadata"]
        if _annotations(claim).get(PROVISIONER) != provisioner:
            patch = {"metadata": {"annotations": {BETA_PROVISIONER: provisioner, PROVISIONER: provisioner}}}
            claim = cluster.patch("v1", "PersistentVolumeClaim", md["namespace"], md["name"], patch, PV_SOURCE)
        message = (
            f"Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by "
            "the system administrator. If volume creation is delayed, please verify that the provisioner is running "
            "and correctly registered."
        )
        cluster.add_event(claim, "ExternalProvisioning", message, "Normal", PV_SOURCE)

    def _unscheduled_pods(self, cluster: ClusterState, claim: dict[str, Any]) -> list[str]:
        """findNonScheduledPodsByPVC: the pods mounting the claim that are not terminated and have no node."""
        md = claim["metadata"]
        names = []
        for pod in cluster.list("v1", "Pod", md["namespace"]):
            spec = pod.get("spec") or {}
            mounts = {(v.get("persistentVolumeClaim") or {}).get("claimName") for v in spec.get("volumes") or []}
            phase = (pod.get("status") or {}).get("phase")
            if md["name"] in mounts and not spec.get("nodeName") and phase not in ("Succeeded", "Failed"):
                names.append(pod["metadata"]["name"])
        return names

    def _bind(self, cluster: ClusterState, pv: dict[str, Any], claim: dict[str, Any]) -> None:
        md, pv_name = claim["metadata"], pv["metadata"]["name"]
        if not (_bound_to(pv, claim) and ((pv.get("spec") or {}).get("claimRef") or {}).get("uid")):
            patch: dict[str, Any] = {"spec": {"claimRef": claim_ref(claim)}}
            if not _bound_to(pv, claim):
                patch["metadata"] = {"annotations": {BOUND_BY_CONTROLLER: "yes"}}
            pv = cluster.patch("v1", "PersistentVolume", None, pv_name, patch, PV_SOURCE)
        if (pv.get("status") or {}).get("phase") != "Bound":
            pv = cluster.patch_status("v1", "PersistentVolume", None, pv_name, {"phase": "Bound"})
        annotations = {BIND_COMPLETED: "yes"}
        if BOUND_BY_CONTROLLER not in _annotations(claim):
            annotations[BOUND_BY_CONTROLLER] = "yes"
        patch = {"metadata": {"annotations": annotations}, "spec": {"volumeName": pv_name}}
        cluster.patch("v1", "PersistentVolumeClaim", md["namespace"], md["name"], patch, PV_SOURCE)
        status = {
            "phase": "Bound",
            "accessModes": pv["spec"].get("accessModes"),
            "capacity": pv["spec"].get("capacity"),
        }
        cluster.patch_status("v1", "PersistentVolumeClaim", md["namespace"], md["name"], status)


class CSIProvisioner(Controller):
    """The external-provisioner sidecar of the CSI drivers named (see the module docstring)."""

    # upstream: kubernetes-csi/external-provisioner Dockerfile ENTRYPOINT /csi-provisioner; cmd/csi-provisioner
    # sets no UserAgent, so client-go's default names it.
    field_manager: ClassVar[str | None] = "csi-provisioner"

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "PersistentVolumeClaim")]
    _seq = itertools.count()

    def __init__(self, drivers: tuple[str, ...] = AKS_DRIVERS, delay: float = 0.05) -> None:
        super().__init__(delay)
        self.drivers = drivers
        # Test fault, no upstream behaviour: the gRPC (code, message) each next CreateVolume call
        # fails with, in order; empty, CreateVolume succeeds. The reaction is upstream's (``_failed``:
        # kubernetes-csi/external-provisioner pkg/controller/controller.go Provision).
        self.create_volume_errors: list[tuple[str, str]] = []
        self._failures: dict[str, int] = {}  # claim uid -> CreateVolume calls failed (its retry interval)
        start = int(time.time() * 1000)
        # csi-provisioner.go: strconv.FormatInt(timeStamp, 10) + "-" + strconv.Itoa(rand.Intn(10000)) + "-" + name
        self.uid = str(uuid.uuid4())
        self.identity = {d: f"{start}-{(start + next(self._seq)) % 10000}-{d}" for d in drivers}

    def reconcile(self, cluster: ClusterState, claim: dict[str, Any]) -> None:
        md, spec = claim["metadata"], claim.get("spec") or {}
        annotations = _annotations(claim)
        driver = annotations.get(PROVISIONER, annotations.get(BETA_PROVISIONER))
        sc = _storage_class(cluster, claim_class(claim))
        if spec.get("volumeName") or md.get("deletionTimestamp") or driver not in self.drivers or sc is None:
            return
        if _delayed(sc) and not annotations.get(SELECTED_NODE):
            return
        name = f"pvc-{md['uid']}"
        if cluster.get("v1", "PersistentVolume", None, name) is not None:
            return
        key = f"{md['namespace']}/{md['name']}"
        cluster.add_event(
            claim,
            "Provisioning",
            f'External provisioner is provisioning volume for claim "{key}"',
            "Normal",
            self._component(str(driver)),
        )
        if self.create_volume_errors:
            self._failed(cluster, claim, str(driver), *self.create_volume_errors.pop(0))
            return
        self._failures.pop(str(md["uid"]), None)
        pv_spec: dict[str, Any] = {
            "accessModes": spec.get("accessModes"),
            "capacity": {"storage": ((spec.get("resources") or {}).get("requests") or {}).get("storage")},
            "csi": {
                "driver": driver,
                "volumeHandle": name,
                "volumeAttributes": {"storage.kubernetes.io/csiProvisionerIdentity": self.identity[str(driver)]},
            },
            "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy") or "Delete",
            "storageClassName": claim_class(claim),
            "claimRef": claim_ref(claim),
        }
        if sc.get("mountOptions"):
            pv_spec["mountOptions"] = sc["mountOptions"]
        if spec.get("volumeMode"):
            pv_spec["volumeMode"] = spec["volumeMode"]
        annotations = {
            PROVISIONED_BY: driver,
            "volume.kubernetes.io/provisioner-deletion-secret-name": "",
            "volume.kubernetes.io/provisioner-deletion-secret-namespace": "",
        }
        pv = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": name, "annotations": annotations},
            "spec": pv_spec,
        }
        cluster.create(pv)
        cluster.add_event(
            claim,
            "ProvisioningSucceeded",
            f"Successfully provisioned volume {name}",
            "Normal",
            self._component(str(driver)),
        )

    def _failed(self, cluster: ClusterState, claim: dict[str, Any], driver: str, code: str, message: str) -> None:
        """A CreateVolume that failed with gRPC ``code``: kubernetes-csi/external-provisioner
        0688604f pkg/controller/controller.go Provision (mayReschedule: the driver supports
        topology and the claim has a selected node) and checkError (ResourceExhausted then
        reschedules; any other code is a final or background error, retried);
        kubernetes-sigs/sig-storage-lib-external-provisioner 7b865eb9 controller/controller.go
        provisionVolumeErrorHandling: Warning ProvisioningFailed with the error
        (google.golang.org/grpc status: "rpc error: code = C desc = M"), then for a reschedule
        rescheduleProvisioning removes volume.kubernetes.io/selected-node so that the scheduler
        picks a node again (and stops: errStopProvision); otherwise the claim is retried after the
        sidecar's --retry-interval-start 1 s, doubling to --retry-interval-max 5 min
        (cmd/csi-provisioner/csi-provisioner.go)."""
        md = claim["metadata"]
        text = f"rpc error: code = {code} desc = {message}"
        cluster.add_event(claim, "ProvisioningFailed", text, "Warning", self._component(driver))
        if code == "ResourceExhausted" and driver in TOPOLOGY_DRIVERS and SELECTED_NODE in _annotations(claim):
            patch = {"metadata": {"annotations": {SELECTED_NODE: None}}}
            cluster.patch("v1", "PersistentVolumeClaim", md["namespace"], md["name"], patch, "csi-provisioner")
            return
        failures = self._failures[str(md["uid"])] = self._failures.get(str(md["uid"]), 0) + 1
        self.requeue(claim, min(2.0 ** (failures - 1), 300.0))

    def _component(self, driver: str) -> str:
        # NewProvisionController's recorder: EventSource{Component: provisionerName + "_" + hostname
        # + "_" + a uuid}; the hostname is the controller pod's, here "csi-controller".
        return f"{driver}_csi-controller_{self.uid}"
