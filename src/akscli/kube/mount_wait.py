"""Why a waited pod stays ContainerCreating: a Secret or ConfigMap volume whose object the namespace
does not have, or whose ``items`` name a key the object lacks. The kubelet mounts every volume
before it creates a container, and a Secret or ConfigMap volume (or projected source) not marked
optional fails with FailedMount `MountVolume.SetUp failed for volume "V" : secret "S" not found`
(or `references non-existent secret key: K`, `configmap references non-existent config key: K`)
until it is made (kubernetes/kubernetes pkg/kubelet/kubelet.go SyncPod, WaitForAttachAndMount;
pkg/volume/secret/secret.go and pkg/volume/configmap/configmap.go SetUpAt and MakePayload: a
Secret's keys are its data, a ConfigMap's its data and binaryData; pkg/volume/projected/projected.go
collectData). Read only when a wait times out (kube/wait_report.py), for a pod whose container
waits in ContainerCreating; a Secret's keys are compared, its values never read out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from akscli import errors
from akscli.kube.claim_wait import ClaimWait
from akscli.kube.client import Kube

CREATING = "ContainerCreating"  # kuberuntime's waiting reason for a container not created yet


def volume_sources(volume: Mapping[str, Any]) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """The (kind, name, ``items`` keys) of each ConfigMap and Secret the volume mounts, not marked
    optional (an optional source's missing object or key is skipped: MakePayload)."""
    plain = (("configMap", "ConfigMap", "name"), ("secret", "Secret", "secretName"))
    sources = [(volume.get(key), kind, name) for key, kind, name in plain]
    for source in (volume.get("projected") or {}).get("sources") or []:
        sources += [(source.get(key), kind, "name") for key, kind, _ in plain]
    for source, kind, name in sources:
        if isinstance(source, dict) and not source.get("optional"):
            keys = tuple(str(item.get("key")) for item in source.get("items") or [] if isinstance(item, dict))
            yield kind, str(source.get(name)), keys


def volume_refs(volume: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """The (kind, name) of each ConfigMap and Secret the volume mounts, not marked optional."""
    for kind, name, _ in volume_sources(volume):
        yield kind, name


def _missing_key(kind: str, found: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    have = {*(found.get("data") or {})}
    if kind == "ConfigMap":
        have |= {*(found.get("binaryData") or {})}
    return next((key for key in keys if key not in have), None)


def _creating(pod: Mapping[str, Any]) -> bool:
    status = pod.get("status") or {}
    waiting = [
        ((c.get("state") or {}).get("waiting") or {}).get("reason") for c in status.get("containerStatuses") or []
    ]
    return status.get("phase") == "Pending" and bool((pod.get("spec") or {}).get("nodeName")) and CREATING in waiting


def explain(kube: Kube, namespace: str, pods: Sequence[Mapping[str, Any]]) -> ClaimWait | None:
    """The first pod of ``pods`` in ContainerCreating with a volume whose Secret or ConfigMap is
    not found, or lacks a key its ``items`` name; None where none does (or it cannot be read)."""
    for pod in pods:
        if not _creating(pod):
            continue
        name = str((pod.get("metadata") or {}).get("name") or "")
        try:
            for volume in (pod.get("spec") or {}).get("volumes") or []:
                for kind, ref, keys in volume_sources(volume):
                    found = kube.get("v1", kind, ref, namespace=namespace)
                    mounts = f"; pod {name} waits in ContainerCreating: its volume {volume.get('name')} mounts"
                    then = (
                        "the kubelet starts the pod once it can mount it "
                        f"(kubectl describe pod {name} -n {namespace} shows FailedMount)"
                    )
                    if found is None:
                        said = f"{mounts} {kind} {ref}, which namespace {namespace} does not have"
                        fix = f"create {kind} {ref} in namespace {namespace}, or mark the volume optional: {then}"
                        return ClaimWait(said, fix)
                    key = _missing_key(kind, found, keys)
                    if key is not None:
                        said = f"{mounts} key {key} of {kind} {ref}, which has no key {key}"
                        fix = (
                            f"add key {key} to {kind} {ref} in namespace {namespace}, or take it out of the "
                            f"volume's items: {then}"
                        )
                        return ClaimWait(said, fix)
        except errors.AkscliError:
            return None
    return None
