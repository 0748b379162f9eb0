"""What the kube-scheduler's NodeVolumeLimits (CSI) filter says about one node for one pod: the
volumes of a CSI driver attached by the pods bound to the node, plus the pod's new ones, may not
pass the driver's limit in the node's CSINode. Plain logic: no I/O, no kubernetes import; the
reads are the caller's (akscli.model.cluster_fit).

upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/nodevolumelimits/csi.go
(mirror 113b12c6):
- Filter: a pod without volumes passes; the limit per driver is the CSINode's
  spec.drivers[].allocatable.count (getVolumeLimits; a node without CSINode or without a count
  for the driver has no limit); every volume of the pods bound to the node is counted once by its
  unique name, and "node(s) exceed max volume count" (ErrReasonMaxVolumeCountExceeded) when
  attached + new passes the limit.
- filterAttachableVolumes: a persistentVolumeClaim volume and a generic ephemeral volume (its
  claim is named ``<pod>-<volume>``, component-helpers storage/ephemeral VolumeClaimName) are
  counted through their claim; a claim of a pod already bound that cannot be read is not counted.
- getCSIDriverInfoFromSC: an unbound claim's driver is its StorageClass's provisioner; a class
  that cannot be read is not counted. Here every claim's driver is read that way: a dynamically
  provisioned PV carries its class's provisioner as spec.csi.driver (a pre-bound PV of another
  driver is the case this misses)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

REASON = "node(s) exceed max volume count"


def claims(pod: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """The pod's (a Pod or a pod spec) claims as (namespace/claim, class): an ephemeral volume's
    class is its volumeClaimTemplate's (the ephemeral controller copies the template's spec into
    the claim, pkg/controller/volume/ephemeral/controller.go handleVolume); a
    persistentVolumeClaim volume's class is None, to be read from the claim."""
    spec = (pod.get("spec") if "spec" in pod else pod) or {}
    meta = pod.get("metadata") or {}
    ns, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
    found: list[tuple[str, str | None]] = []
    for vol in spec.get("volumes") or []:
        if vol.get("persistentVolumeClaim"):
            found.append((f"{ns}/{vol['persistentVolumeClaim'].get('claimName')}", None))
        elif vol.get("ephemeral"):
            template = ((vol["ephemeral"].get("volumeClaimTemplate") or {}).get("spec")) or {}
            found.append((f"{ns}/{name}-{vol.get('name')}", str(template.get("storageClassName") or "")))
    return found


def limit(csinode: Mapping[str, Any] | None, driver: str) -> int | None:
    """The driver's allocatable count in the node's CSINode; None where it sets none."""
    for d in ((csinode or {}).get("spec") or {}).get("drivers") or []:
        if d.get("name") == driver and (d.get("allocatable") or {}).get("count") is not None:
            return int(d["allocatable"]["count"])
    return None


def exceeds(new: Mapping[str, int], attached: Iterable[str], limits: Mapping[str, int]) -> bool:
    """Whether the new volumes (per driver) and the attached ones (one driver per unique volume)
    pass a driver's limit."""
    count: dict[str, int] = {}
    for driver in attached:
        count[driver] = count.get(driver, 0) + 1
    return any(driver in limits and count.get(driver, 0) + n > limits[driver] for driver, n in new.items() if n)
