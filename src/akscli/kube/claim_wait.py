"""Why a waited pod is Pending with no node and no scheduler condition: the scheduler chose its
node and waits, in VolumeBinding's PreBind, for its claims of delayed binding to be bound
(kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding/binder.go BindPodVolumes:
bindAPIUpdate writes volume.kubernetes.io/selected-node on each claim to provision, then
checkBindings polls until every claim is bound, for up to bindTimeout, 600 s, before the pod is
bound; no event is written meanwhile). The claim's own latest event says why it is not bound
(pkg/controller/volume/persistentvolume/pv_controller.go: ExternalProvisioning "Waiting for a
volume to be created either by the external provisioner ..." while no provisioner answers).
When PreBind fails, the scheduler says so in the pod's PodScheduled condition (reason
SchedulerError) and a FailedScheduling event: `running PreBind plugin "VolumeBinding": binding
volumes: ` (pkg/scheduler/framework/runtime/framework.go RunPreBindPlugins, binder.go
BindPodVolumes) then `context deadline exceeded` where bindTimeout ran out, or `provisioning
failed for PVC "x"` where the CSI external-provisioner gave up on the node chosen and removed the
claim's selected node (kubernetes-sigs/sig-storage-lib-external-provisioner controller/
controller.go provisionVolumeErrorHandling, after its Warning ProvisioningFailed event); the
scheduler then tries again. ``prebind_failed`` names the claim and its latest event.
Read only when a wait times out (kube/wait_report.py)."""

from __future__ import annotations

import re
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
PREBIND_FAILED = 'running PreBind plugin "VolumeBinding": binding volumes: '
_PROVISIONING_FAILED = re.compile(r'provisioning failed for PVC "([^"]+)"')


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


def prebind_failed(kube: Kube, namespace: str, message: str, pod: Mapping[str, Any] | None) -> ClaimWait | None:
    """A pod whose PreBind failed with ``message`` (see the module docstring): the claim it names,
    else the first of the pod's claims not bound, with that claim's latest event; None for any
    other message, or where the claims cannot be read."""
    if PREBIND_FAILED not in message:
        return None
    named = _PROVISIONING_FAILED.search(message)
    try:
        for claim_name in [named.group(1)] if named else volume_binding.claim_names(pod):
            claim = kube.get("v1", "PersistentVolumeClaim", claim_name, namespace=namespace)
            if claim is None or volume_binding.fully_bound(claim):
                continue
            # The latest Warning: the provisioner's ProvisioningFailed comes before the PV
            # controller's Normal WaitForPodScheduled that the selected node's removal brings.
            events = object_events(kube, namespace, claim_name, "PersistentVolumeClaim")
            warnings = [e for e in events if e.get("type") == "Warning"]
            latest = (warnings or events or [{}])[-1]
            event = f"{latest.get('reason', '')}: {latest.get('message', '')}".strip(": ")
            which = "latest warning" if warnings else "latest event"
            said = f"; claim {claim_name}'s {which}: {event}" if event else ""
            annotations = (claim.get("metadata") or {}).get("annotations") or {}
            cls = volume_limits.claim_class(claim)
            provisioner = annotations.get(STORAGE_PROVISIONER)
            by = f" by {provisioner}, StorageClass {cls}'s provisioner" if provisioner else f" for StorageClass {cls}"
            describe = f"kubectl describe pvc {claim_name} -n {namespace} says why"
            if named:
                fix = (
                    f"claim {claim_name} could not be provisioned{by} on the node the scheduler chose, and the "
                    f"scheduler tries again: {describe} (a quota, or a disk size or SKU the node's zone lacks)"
                )
            else:
                fix = (
                    f"no volume was provisioned for claim {claim_name}{by} within the scheduler's bind timeout: "
                    f"check that its CSI driver runs on the cluster ({describe})"
                )
            return ClaimWait(said, fix)
    except errors.AkscliError:
        return None
    return None
