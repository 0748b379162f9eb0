"""Why a waited pod stays ContainerCreating: a Secret or ConfigMap volume whose object the namespace
does not have. The kubelet mounts every volume before it creates a container, and a Secret or
ConfigMap volume (or projected source) not marked optional whose object is missing fails with
FailedMount `MountVolume.SetUp failed for volume "V" : secret "S" not found` until it is made
(kubernetes/kubernetes pkg/kubelet/kubelet.go SyncPod, WaitForAttachAndMount;
pkg/volume/secret/secret.go and pkg/volume/configmap/configmap.go SetUpAt;
pkg/volume/projected/projected.go collectData). Read only when a wait times out
(kube/wait_report.py), for a pod whose container waits in ContainerCreating."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from akscli import errors
from akscli.kube.claim_wait import ClaimWait
from akscli.kube.client import Kube

CREATING = "ContainerCreating"  # kuberuntime's waiting reason for a container not created yet


def volume_refs(volume: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """The (kind, name) of each ConfigMap and Secret the volume mounts, not marked optional."""
    if isinstance(volume.get("configMap"), dict) and not volume["configMap"].get("optional"):
        yield "ConfigMap", str(volume["configMap"].get("name"))
    if isinstance(volume.get("secret"), dict) and not volume["secret"].get("optional"):
        yield "Secret", str(volume["secret"].get("secretName"))
    for source in (volume.get("projected") or {}).get("sources") or []:
        for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
            if isinstance(source.get(key), dict) and not source[key].get("optional"):
                yield kind, str(source[key].get("name"))


def _creating(pod: Mapping[str, Any]) -> bool:
    status = pod.get("status") or {}
    waiting = [
        ((c.get("state") or {}).get("waiting") or {}).get("reason") for c in status.get("containerStatuses") or []
    ]
    return status.get("phase") == "Pending" and bool((pod.get("spec") or {}).get("nodeName")) and CREATING in waiting


def explain(kube: Kube, namespace: str, pods: list[Mapping[str, Any]]) -> ClaimWait | None:
    """The first pod of ``pods`` in ContainerCreating with a volume whose Secret or ConfigMap is
    not found, or None (also where it cannot be read)."""
    for pod in pods:
        if not _creating(pod):
            continue
        name = str((pod.get("metadata") or {}).get("name") or "")
        try:
            for volume in (pod.get("spec") or {}).get("volumes") or []:
                for kind, ref in volume_refs(volume):
                    if kube.get("v1", kind, ref, namespace=namespace) is not None:
                        continue
                    said = (
                        f"; pod {name} waits in ContainerCreating: its volume {volume.get('name')} mounts "
                        f"{kind} {ref}, which namespace {namespace} does not have"
                    )
                    fix = (
                        f"create {kind} {ref} in namespace {namespace}, or mark the volume optional: the kubelet "
                        f"starts the pod once it can mount it (kubectl describe pod {name} -n {namespace} shows "
                        "FailedMount)"
                    )
                    return ClaimWait(said, fix)
        except errors.AkscliError:
            return None
    return None
