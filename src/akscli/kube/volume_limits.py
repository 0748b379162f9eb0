"""What the kube-scheduler's NodeVolumeLimits (CSI) filter says about one node for one pod: the
volumes of a CSI driver attached by the pods bound to the node, plus the pod's new ones, may not
pass the driver's limit in the node's CSINode. Plain logic: no I/O, no kubernetes import; the
reads are the caller's (akscli.model.cluster_fit).

upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/nodevolumelimits/csi.go
(mirror 113b12c6):
- Filter: a pod without volumes passes; the limits are getVolumeLimits': the node's allocatable
  ``attachable-volumes-*`` (utils.go volumeLimits, IsAttachableVolumeResourceName), each
  overridden by the CSINode's spec.drivers[].allocatable.count under its driver's key
  (pkg/volume/util attach_limit.go GetCSIAttachLimitKey: ``attachable-volumes-csi-<driver>``);
  a node with none passes before the bound pods' volumes are looked at; every volume of the pods
  bound to the node is counted once by its unique name ``driver/volumeHandle``, and "node(s)
  exceed max volume count" (ErrReasonMaxVolumeCountExceeded) when attached + new passes a limit.
  Only the CSI keys can meet a volume: the in-tree ``attachable-volumes-azure-disk`` a node may
  still carry is a key no volume counts under. The kubelet no longer writes the CSI keys into the
  node's capacity (kubernetes/kubernetes#126924, merged 2024: nodeinfomanager
  removeMaxAttachLimit), so on current kubelets the CSINode count is what limits; a node that
  still carries one is read as the scheduler reads it.
- filterAttachableVolumes: a persistentVolumeClaim volume and a generic ephemeral volume (its
  claim is named ``<pod>-<volume>``, component-helpers storage/ephemeral VolumeClaimName) are
  counted through their claim; a claim of a pod already bound that cannot be read is not counted.
  A generic ephemeral claim must be controlled by its pod (component-helpers storage/ephemeral
  VolumeIsForPod, metav1.IsControlledBy: the controller ownerReference's uid is the pod's): one
  that is not fails the filter with an error, not a reason (ClaimNotForPod). An inline in-tree
  volume is counted where it is migratable (checkAttachableInlineVolume).
- getCSIDriverInfo: a bound claim (spec.volumeName) is counted through its PersistentVolume:
  spec.csi's driver and volumeHandle; an in-tree source is translated to its CSI driver where CSI
  migration is on, else not counted; a PV that cannot be read falls back to the class.
- getCSIDriverInfoFromSC: an unbound claim's driver is its StorageClass's provisioner (the class
  from storagehelpers GetPersistentVolumeClaimClass: the beta annotation first, then
  spec.storageClassName), with a volume handle of its own per claim; no class, or a class that
  cannot be read: not counted.
- utils.go isCSIMigrationOn (mirror 025f2834): on for Azure Disk whenever the node has a CSINode.

In-tree Azure Disk's CSI driver and volume handle: kubernetes/kubernetes
staging/src/k8s.io/csi-translation-lib/plugins/azure_disk.go (mirror 0ac443cb): AzureDiskDriverName
"disk.csi.azure.com", AzureDiskInTreePluginName "kubernetes.io/azure-disk", VolumeHandle the
source's DataDiskURI (JSON diskURI), for a PV and an inline volume alike. The other clouds'
in-tree plugins are not translated here: an AKS node has none of them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

REASON = "node(s) exceed max volume count"
AZURE_DISK_CSI = "disk.csi.azure.com"
AZURE_DISK_IN_TREE = "kubernetes.io/azure-disk"
# k8s.io/api core/v1 BetaStorageClassAnnotation.
BETA_CLASS = "volume.beta.kubernetes.io/storage-class"
# pkg/volume/util attach_limit.go CSIAttachLimitPrefix, ResourceNameLengthLimit; core/v1 helper
# IsAttachableVolumeResourceName: a resource name with the attachable-volumes- prefix.
_CSI_KEY = "attachable-volumes-csi-"
_ATTACHABLE = "attachable-volumes-"
_KEY_LENGTH = 63


class ClaimNotForPod(Exception):
    """A bound pod's ephemeral claim its pod does not control: the filter returns an error
    (framework.AsStatus), which kube-scheduler's findNodesThatPassFilters (schedule_one.go) takes
    as the end of the scheduling attempt, not as one node unfit."""


def limit_key(driver: str) -> str:
    """The resource name a CSI driver's volumes count under (GetCSIAttachLimitKey): the prefix and
    the driver, or where that reaches 63 characters the driver's first 23 and 16 hex of its SHA-1."""
    if len(_CSI_KEY) + len(driver) >= _KEY_LENGTH:
        return _CSI_KEY + driver[:23] + hashlib.sha1(driver.encode()).hexdigest()[:16]
    return _CSI_KEY + driver


@dataclass(frozen=True)
class Volume:
    """One volume of a pod as the filter sees it: a claim (``claim`` is namespace/name; for an
    ephemeral volume ``template`` is its volumeClaimTemplate's spec, which the ephemeral controller
    copies into the claim, pkg/controller/volume/ephemeral/controller.go handleVolume), or an
    inline in-tree Azure disk (``inline``: its driver and volume handle)."""

    claim: str = ""
    template: Mapping[str, Any] | None = None
    inline: tuple[str, str] | None = None


def volumes(pod: Mapping[str, Any]) -> list[Volume]:
    """The volumes of a Pod (or a bare pod spec) the filter counts."""
    spec = (pod.get("spec") if "spec" in pod else pod) or {}
    meta = pod.get("metadata") or {}
    ns, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
    found: list[Volume] = []
    for vol in spec.get("volumes") or []:
        if vol.get("persistentVolumeClaim"):
            found.append(Volume(f"{ns}/{vol['persistentVolumeClaim'].get('claimName')}"))
        elif vol.get("ephemeral"):
            template = (vol["ephemeral"].get("volumeClaimTemplate") or {}).get("spec") or {}
            found.append(Volume(f"{ns}/{name}-{vol.get('name')}", template=template))
        elif vol.get("azureDisk"):
            found.append(Volume(inline=(AZURE_DISK_CSI, str(vol["azureDisk"].get("diskURI") or ""))))
    return found


def claim_class(claim: Mapping[str, Any]) -> str:
    """A claim's (or a claim spec's) class: the beta annotation first, then spec.storageClassName
    (component-helpers storage/volume GetPersistentVolumeClaimClass)."""
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    if BETA_CLASS in annotations:
        return str(annotations[BETA_CLASS])
    spec = claim.get("spec") if "spec" in claim else claim
    return str((spec or {}).get("storageClassName") or "")


def pv_driver(pv: Mapping[str, Any], csinode: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """A PersistentVolume's (driver, volume handle), or None where the filter does not count it."""
    spec = pv.get("spec") or {}
    if spec.get("csi"):
        driver, handle = str(spec["csi"].get("driver") or ""), str(spec["csi"].get("volumeHandle") or "")
        return (driver, handle) if driver and handle else None
    if spec.get("azureDisk") and csinode is not None:
        return AZURE_DISK_CSI, str(spec["azureDisk"].get("diskURI") or "")
    return None


def class_driver(
    key: str, storage_class: str, provisioner: Callable[[str], str], csinode: Mapping[str, Any] | None
) -> tuple[str, str] | None:
    """An unbound claim's (driver, volume handle of its own) from its class's provisioner."""
    driver = provisioner(storage_class) if storage_class else ""
    if driver == AZURE_DISK_IN_TREE:
        driver = AZURE_DISK_CSI if csinode is not None else ""
    return (driver, f"unbound:{key}") if driver else None


def limits(node: Mapping[str, Any], csinode: Mapping[str, Any] | None) -> dict[str, int]:
    """The node's volume limits by key (getVolumeLimits): its allocatable attachable-volumes-*,
    then each CSINode driver's allocatable count over its driver's key."""
    from akscli.kube import resources

    found = {key: n for key, n in resources.allocatable(node).items() if key.startswith(_ATTACHABLE)}
    for d in ((csinode or {}).get("spec") or {}).get("drivers") or []:
        if d.get("name") and (d.get("allocatable") or {}).get("count") is not None:
            found[limit_key(str(d["name"]))] = int(d["allocatable"]["count"])
    return found


def exceeds(new: Mapping[str, str], attached: Mapping[str, str], limits: Mapping[str, int]) -> bool:
    """Whether the new volumes and the attached ones (each ``driver/handle`` -> limit key) pass a
    key's limit; a new volume already attached is not counted twice."""
    count: dict[str, int] = {}
    for driver in attached.values():
        count[driver] = count.get(driver, 0) + 1
    adding: dict[str, int] = {}
    for unique, driver in new.items():
        if unique not in attached:
            adding[driver] = adding.get(driver, 0) + 1
    return any(driver in limits and count.get(driver, 0) + n > limits[driver] for driver, n in adding.items())


def unique(driver: tuple[str, str]) -> str:
    return f"{driver[0]}/{driver[1]}"


def new_volumes(
    pod: Mapping[str, Any], provisioner: Callable[[str], str], csinode: Mapping[str, Any] | None
) -> dict[str, str]:
    """The deployed pod's volumes (``driver/handle`` -> limit key): its ephemeral claims, which its
    pod makes, through their template's class; its inline Azure disks."""
    found: dict[str, str] = {}
    for vol in volumes(pod):
        driver = vol.inline or (
            class_driver(vol.claim, claim_class(vol.template), provisioner, csinode)
            if vol.template is not None
            else None
        )
        if driver and driver[1]:
            found[unique(driver)] = limit_key(driver[0])
    return found


def attached_volumes(
    pods: Iterable[Mapping[str, Any]],
    claim: Callable[[str], Mapping[str, Any] | None],
    pv: Callable[[str], Mapping[str, Any] | None],
    provisioner: Callable[[str], str],
    csinode: Mapping[str, Any] | None,
) -> dict[str, str]:
    """The volumes of the pods bound to a node (``driver/handle`` -> limit key). ``claim`` reads a
    claim by namespace/name, ``pv`` a PersistentVolume by name (None: not read), ``provisioner``
    a class's provisioner ("" where unread). Raises ClaimNotForPod for an ephemeral claim its pod
    does not control."""
    found: dict[str, str] = {}
    for pod in pods:
        for vol in volumes(pod):
            driver = vol.inline
            if vol.claim:
                pvc = claim(vol.claim)
                if pvc is None:
                    continue
                if vol.template is not None and not controlled_by(pvc, pod):
                    raise ClaimNotForPod(_not_owner(vol.claim, pod))
                bound = str((pvc.get("spec") or {}).get("volumeName") or "")
                source = pv(bound) if bound else None
                if source is not None:
                    driver = pv_driver(source, csinode)
                else:
                    driver = class_driver(vol.claim, claim_class(pvc), provisioner, csinode)
            if driver and driver[1]:
                found[unique(driver)] = limit_key(driver[0])
    return found


def controlled_by(claim: Mapping[str, Any], pod: Mapping[str, Any]) -> bool:
    """Whether the claim's controller ownerReference is the pod (apimachinery metav1
    IsControlledBy, GetControllerOfNoCopy: the reference with controller true, compared by uid)."""
    uid = str((pod.get("metadata") or {}).get("uid") or "")
    for ref in (claim.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return bool(uid) and str(ref.get("uid") or "") == uid
    return False


def _not_owner(key: str, pod: Mapping[str, Any]) -> str:
    """The scheduler's words: framework.go RunFilterPlugins wraps the plugin's error, and
    VolumeIsForPod's is "PVC %s/%s was not created for pod %s/%s (pod is not owner)"."""
    meta = pod.get("metadata") or {}
    return (
        f'running "NodeVolumeLimits" filter plugin: PVC {key} was not created for pod '
        f"{meta.get('namespace')}/{meta.get('name')} (pod is not owner)"
    )
