"""Why a waited pod stays ContainerCreating: a Secret or ConfigMap volume whose object the namespace
does not have, or whose ``items`` name a key the object lacks. The kubelet mounts every volume
before it creates a container, and a Secret or ConfigMap volume (or projected source) not marked
optional fails with FailedMount `MountVolume.SetUp failed for volume "V" : secret "S" not found`
(or `references non-existent secret key: K`, `configmap references non-existent config key: K`)
until it is made (kubernetes/kubernetes pkg/kubelet/kubelet.go SyncPod, WaitForAttachAndMount;
pkg/volume/secret/secret.go and pkg/volume/configmap/configmap.go SetUpAt and MakePayload: a
Secret's keys are its data, a ConfigMap's its data and binaryData; pkg/volume/projected/projected.go
collectData). Read only when a wait times out (kube/wait_report.py), for a pod whose container
waits in ContainerCreating; a Secret's keys are compared, its values never read out. A user who may
not get Secrets (403) is told the same from the pod's latest FailedMount event (one list)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from akscli import errors
from akscli.kube.claim_wait import ClaimWait
from akscli.kube.client import Kube
from akscli.kube.events import object_events

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
    not found, or lacks a key its ``items`` name; None where none does (or it cannot be read).
    Where a Secret or ConfigMap may not be read (403), the pod's own FailedMount event says it."""
    for pod in pods:
        if not _creating(pod):
            continue
        try:
            try:
                found = _by_reads(kube, namespace, pod)
            except errors.AuthError:
                found = _by_events(kube, namespace, pod)
        except errors.AkscliError:
            return None
        if found:
            return found
    return None


def _wait(pod: str, namespace: str, volume: str, kind: str, ref: str, key: str | None) -> ClaimWait:
    mounts = f"; pod {pod} waits in ContainerCreating: its volume {volume} mounts"
    then = (
        f"the kubelet starts the pod once it can mount it (kubectl describe pod {pod} -n {namespace} shows FailedMount)"
    )
    if key is None:
        said = f"{mounts} {kind} {ref}, which namespace {namespace} does not have"
        return ClaimWait(said, f"create {kind} {ref} in namespace {namespace}, or mark the volume optional: {then}")
    said = f"{mounts} key {key} of {kind} {ref}, which has no key {key}"
    fix = f"add key {key} to {kind} {ref} in namespace {namespace}, or take it out of the volume's items: {then}"
    return ClaimWait(said, fix)


def _by_reads(kube: Kube, namespace: str, pod: Mapping[str, Any]) -> ClaimWait | None:
    """One get per Secret and ConfigMap the pod's volumes mount, until one is missing or lacks a key."""
    name = str((pod.get("metadata") or {}).get("name") or "")
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        for kind, ref, keys in volume_sources(volume):
            found = kube.get("v1", kind, ref, namespace=namespace)
            key = None if found is None else _missing_key(kind, found, keys)
            if found is None or key is not None:
                return _wait(name, namespace, str(volume.get("name")), kind, ref, key)
    return None


# The kubelet's texts (module docstring): operation_executor.go GenerateMsg's `MountVolume.SetUp
# failed for volume "V" : <err>`, the managers' NotFound, MakePayload's missing key.
_FAILED_MOUNT = re.compile(r'^MountVolume\.SetUp failed for volume "([^"]+)" : (.*)$', re.S)
_NOT_FOUND = re.compile(r'\b(secret|configmap) "([^"]+)" not found')
_NO_KEY = re.compile(r"references non-existent (secret|config) key: (\S+?)(?:[,\]]|$)")
_KINDS = {"secret": "Secret", "configmap": "ConfigMap", "config": "ConfigMap"}


def _by_events(kube: Kube, namespace: str, pod: Mapping[str, Any]) -> ClaimWait | None:
    """The pod's latest FailedMount that names a missing Secret, ConfigMap or key (one list of its
    events); a missing key's object is the volume's source of that kind whose items name it."""
    name = str((pod.get("metadata") or {}).get("name") or "")
    volumes = {str(v.get("name")): v for v in (pod.get("spec") or {}).get("volumes") or []}
    for event in reversed(object_events(kube, namespace, name, "Pod")):
        failed = _FAILED_MOUNT.match(str(event.get("message") or "")) if event.get("reason") == "FailedMount" else None
        if failed is None:
            continue
        volume, err = failed.groups()
        if missing := _NOT_FOUND.search(err):
            return _wait(name, namespace, volume, _KINDS[missing[1]], missing[2], None)
        if (no_key := _NO_KEY.search(err)) and volume in volumes:
            kind = _KINDS[no_key[1]]
            refs = [ref for k, ref, keys in volume_sources(volumes[volume]) if k == kind and no_key[2] in keys]
            if refs:
                return _wait(name, namespace, volume, kind, refs[0], no_key[2])
    return None
