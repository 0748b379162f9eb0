"""What the kube-scheduler's VolumeZone plugin says about the deployed pod: the zone and region
labels of the PersistentVolume each of its claims mounted by name is bound to, against the
node's. Plain logic: no I/O, no kubernetes import; the reads are the caller's
(akscli.model.cluster_volumes, through akscli.kube.volume_binding.Reads).

upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/volumezone/volume_zone.go (read at
sanposhiho/kubernetes 059ce4e8):
- PreFilter (getPVbyPod): only persistentVolumeClaim volumes (an ephemeral volume is not looked
  at). A claim with spec.volumeName: its PersistentVolume's labels among topologyLabels
  (failure-domain.beta.kubernetes.io/zone and /region, topology.kubernetes.io/zone and /region);
  a value names several zones joined by "__" (k8s.io/cloud-provider volume/helpers
  LabelZonesToSet, stringToSet: parts trimmed; a value with an empty part is ignored). A claim
  without one, of a WaitForFirstConsumer class, is skipped (the other cases VolumeBinding's
  PreFilter, which runs first, has already refused). A claim or volume not
  found is UnschedulableAndUnresolvable with the lister's error, e.g. `persistentvolume "x" not
  found`, before any Filter: the pod is held on every node.
- Filter: a node with none of topologyLabels passes (a single-zone cluster); else each volume
  label's key must be on the node with one of its values, else ErrReasonConflict,
  UnschedulableAndUnresolvable.
- The default profile runs VolumeZone after VolumeBinding (pkg/scheduler/apis/config/v1
  default_plugins.go), PreFilter and Filter alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.kube import volume_limits
from akscli.kube.volume_binding import Held, Reads

REASON = "node(s) had no available volume zone"
TOPOLOGY_LABELS = (
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
)
# k8s.io/cloud-provider volume/helpers zones.go (kubeletapis.LabelMultiZoneDelimiter).
_MULTI_ZONE = "__"

Topology = tuple[str, frozenset[str]]


def _volumes(pod: Mapping[str, Any], namespace: str, reads: Reads) -> list[tuple[str, Mapping[str, Any] | None]]:
    """The volume name and PersistentVolume (None: not found) of each claim the pod mounts by name
    that names one; claims or volumes that cannot be read are left out."""
    found = []
    for vol in volume_limits.volumes({"metadata": {"namespace": namespace}, "spec": pod}) if namespace else []:
        if vol.template is not None or not vol.claim:
            continue
        read, claim = reads.named_claim(vol.claim)
        name = str(((claim or {}).get("spec") or {}).get("volumeName") or "")
        if not read or not name:
            continue
        read, pv = reads.persistent_volume(name)
        if read:
            found.append((name, pv))
    return found


def held(pod: Mapping[str, Any], namespace: str, reads: Reads) -> Held | None:
    """VolumeZone's PreFilter: a claim bound to a volume that does not exist holds the pod on every
    node (run after volume_binding.held, which catches a missing claim first)."""
    for name, pv in _volumes(pod, namespace, reads):
        if pv is None:
            return Held(
                f'persistentvolume "{name}" not found',
                f"a claim the pods mount is bound to volume {name}, which is gone: delete the claim and make it again",
            )
    return None


def topologies(pod: Mapping[str, Any], namespace: str, reads: Reads) -> list[Topology]:
    """getPVbyPod: each zone or region label of the pod's bound volumes, with its zones."""
    found = []
    for _, pv in _volumes(pod, namespace, reads):
        labels = ((pv or {}).get("metadata") or {}).get("labels") or {}
        for key in TOPOLOGY_LABELS:
            if key in labels:
                zones = frozenset(z.strip() for z in str(labels[key]).split(_MULTI_ZONE))
                # stringToSet: an empty zone is a parse error, and the label is ignored.
                if "" not in zones:
                    found.append((key, zones))
    return found


def rejects(found: list[Topology], node_labels: Mapping[str, str]) -> bool:
    """Filter: whether the volumes' zones keep the pod off a node with these labels."""
    if not any(key in node_labels for key in TOPOLOGY_LABELS):
        return False
    return any(node_labels.get(key) not in zones for key, zones in found)
