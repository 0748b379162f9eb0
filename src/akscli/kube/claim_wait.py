"""Why a waited pod is Pending with no node and no scheduler condition: the scheduler chose its
node and waits, in VolumeBinding's PreBind, for its claims of delayed binding to be bound
(kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding/binder.go BindPodVolumes:
bindAPIUpdate writes volume.kubernetes.io/selected-node on each claim to provision, then
checkBindings polls until every claim is bound, for up to bindTimeout, 600 s, before the pod is
bound; no event is written meanwhile). The claim's own latest event says why it is not bound
(pkg/controller/volume/persistentvolume/pv_controller.go: ExternalProvisioning "Waiting for a
volume to be created either by the external provisioner ..." while no provisioner answers).
Read only when a wait times out (kube/wait_report.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli import errors
from akscli.kube import volume_binding, volume_limits
from akscli.kube.client import Kube
from akscli.kube.events import object_events

# component-helpers storage/volume AnnSelectedNode and AnnStorageProvisioner.
SELECTED_NODE = "volume.kubernetes.io/selected-node"
STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"


@dataclass(frozen=True)
class ClaimWait:
    """A pod held for a claim: what the wait's message adds, and the hint."""

    said: str
    fix: str


def placed_not_bound(pod: Mapping[str, Any]) -> bool:
    """Pending, no node, no PodScheduled condition, and a claim mounted (by name or ephemeral)."""
    status = pod.get("status") or {}
    conditions = [c for c in status.get("conditions") or [] if c.get("type") == "PodScheduled"]
    return (
        status.get("phase") == "Pending"
        and not (pod.get("spec") or {}).get("nodeName")
        and not conditions
        and bool(volume_binding.claim_names(pod))
    )


def explain(kube: Kube, namespace: str, pods: list[Mapping[str, Any]]) -> ClaimWait | None:
    """The first pod of ``pods`` that PreBind holds and the claim it waits for (a claim that is
    not bound and has a selected node), or None."""
    for pod in pods:
        if not placed_not_bound(pod):
            continue
        name = str((pod.get("metadata") or {}).get("name") or "")
        try:
            for claim_name in volume_binding.claim_names(pod):
                claim = kube.get("v1", "PersistentVolumeClaim", claim_name, namespace=namespace)
                annotations = ((claim or {}).get("metadata") or {}).get("annotations") or {}
                if claim is None or volume_binding.fully_bound(claim) or SELECTED_NODE not in annotations:
                    continue
                events = object_events(kube, namespace, claim_name, "PersistentVolumeClaim")
                latest = events[-1] if events else {}
                said = f"{latest.get('reason', '')}: {latest.get('message', '')}".strip(": ")
                return _wait(name, namespace, claim_name, volume_limits.claim_class(claim), annotations, said)
        except errors.AkscliError:
            return None
    return None


def _wait(pod: str, namespace: str, claim: str, cls: str, annotations: Mapping[str, str], event: str) -> ClaimWait:
    node = annotations[SELECTED_NODE]
    said = f"; pod {pod} waits for claim {claim} to be bound before it is bound to node {node}"
    if event:
        said += f"; the claim's latest event: {event}"
    provisioner = annotations.get(STORAGE_PROVISIONER)
    by = f" by {provisioner}, StorageClass {cls}'s provisioner" if provisioner else f" for StorageClass {cls}"
    fix = (
        f"no volume was provisioned for claim {claim}{by}: check that its CSI driver runs on the "
        f"cluster (kubectl describe pvc {claim} -n {namespace} says why)"
    )
    return ClaimWait(said, fix)
