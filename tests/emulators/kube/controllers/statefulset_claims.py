"""A StatefulSet's PersistentVolumeClaims, as kube-controller-manager's StatefulSet controller makes
and owns them: one claim per volumeClaimTemplate and ordinal, made before the pod, mounted by the
pod in the template's name, and owned by the set or the pod as persistentVolumeClaimRetentionPolicy
says, so the garbage collector deletes them with the set or with a scaled-down pod.

upstream: kubernetes/kubernetes (the index's copies of the v1.32-era files; the StatefulSetAutoDeletePVC
gate is GA and on in v1.32, pkg/features/kube_features.go):
- pkg/controller/statefulset/stateful_set_utils.go: getPersistentVolumeClaimName
  (``<template>-<set>-<ordinal>``), getPersistentVolumeClaims (the template with that name, the
  set's namespace, the template's labels with the selector's matchLabels over them),
  updateStorage (a pod volume per template, named as the template, in place of a pod volume of
  that name), getPersistentVolumeClaimRetentionPolicy (Retain/Retain when unset),
  isClaimOwnerUpToDate and updateClaimOwnerRefForSetAndPod (Retain/Retain: no reference to the set
  or the pod; whenDeleted Delete: the set as controller; whenScaled Delete: the pod as controller
  once its ordinal is out of range, in place of the set's), hasStaleOwnerRef, hasUnexpectedController,
  hasNonControllerOwner, addControllerRef (metav1.NewControllerRef: controller and
  blockOwnerDeletion true).
- pkg/controller/statefulset/stateful_pod_control.go: createPersistentVolumeClaims (a missing claim
  is created, with a SuccessfulCreate / FailedCreate event "create Claim C Pod P in StatefulSet S
  success"; a claim being deleted is an error, "pvc C is being deleted"), UpdatePodClaimForRetentionPolicy,
  PodClaimIsStale (whenScaled Delete and a claim still owned by an earlier pod of that name: the
  pod is not made this sync).
- pkg/controller/statefulset/stateful_set_control.go processReplica (stale check, CreateStatefulPod,
  createMissingPersistentVolumeClaims for a Pending pod, ClaimsMatchRetentionPolicy for a live one)
  and updateStatefulSet ("Fix pod claims for condemned pods" before they are deleted).

Not simulated: the claims' binding. The emulator runs no PersistentVolume controller or
provisioner: a claim stays Pending, and the scheduler (volume_binding.py prefilter) holds a pod
whose claim is not of a WaitForFirstConsumer class, "pod has unbound immediate
PersistentVolumeClaims", as kube-scheduler does when no volume is bound.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube.cluster import ClusterState

SOURCE = "statefulset-controller"
RETAIN, DELETE = "Retain", "Delete"


class ClaimError(Exception):
    """createPersistentVolumeClaims' aggregate error: the pod is not made this sync."""


def claim_name(sts: dict[str, Any], template: dict[str, Any], ordinal: int) -> str:
    """getPersistentVolumeClaimName."""
    return f"{(template.get('metadata') or {}).get('name', '')}-{sts['metadata']['name']}-{ordinal}"


def templates(sts: dict[str, Any]) -> list[dict[str, Any]]:
    return list((sts.get("spec") or {}).get("volumeClaimTemplates") or [])


def pod_claims(sts: dict[str, Any], ordinal: int) -> list[tuple[str, dict[str, Any]]]:
    """getPersistentVolumeClaims: (template name, the claim) per template."""
    selector = ((sts.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    out = []
    for template in templates(sts):
        md = copy.deepcopy(template.get("metadata") or {})
        md.update(
            name=claim_name(sts, template, ordinal),
            namespace=sts["metadata"]["namespace"],
            labels={**(md.get("labels") or {}), **selector},
        )
        claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": md}
        claim["spec"] = copy.deepcopy(template.get("spec") or {})
        out.append((str((template.get("metadata") or {}).get("name", "")), claim))
    return out


def update_storage(sts: dict[str, Any], spec: dict[str, Any], ordinal: int) -> None:
    """updateStorage: the claims' volumes, then the pod's own volumes of other names."""
    claims = pod_claims(sts, ordinal)
    if not claims:
        return
    names = {name for name, _ in claims}
    mounted = [
        {"name": name, "persistentVolumeClaim": {"claimName": claim["metadata"]["name"]}} for name, claim in claims
    ]
    spec["volumes"] = mounted + [v for v in spec.get("volumes") or [] if v.get("name") not in names]


def policy(sts: dict[str, Any]) -> tuple[str, str]:
    """getPersistentVolumeClaimRetentionPolicy: (whenScaled, whenDeleted)."""
    found = (sts.get("spec") or {}).get("persistentVolumeClaimRetentionPolicy") or {}
    return str(found.get("whenScaled") or RETAIN), str(found.get("whenDeleted") or RETAIN)


def _matches(ref: dict[str, Any], obj: dict[str, Any], api_version: str, kind: str) -> bool:
    """matchesRef: the reference's group/version, kind and name are the object's."""
    return (ref.get("apiVersion"), ref.get("kind"), ref.get("name")) == (api_version, kind, obj["metadata"]["name"])


def _refs(claim: dict[str, Any]) -> list[dict[str, Any]]:
    return list((claim.get("metadata") or {}).get("ownerReferences") or [])


def _has(claim: dict[str, Any], owner: dict[str, Any]) -> bool:
    uid = owner["metadata"].get("uid") or ""
    return any(r.get("uid") == uid for r in _refs(claim))


def _stale(claim: dict[str, Any], obj: dict[str, Any], api_version: str, kind: str) -> bool:
    """hasStaleOwnerRef: the first reference naming the object has another uid."""
    for ref in _refs(claim):
        if _matches(ref, obj, api_version, kind):
            return ref.get("uid") != (obj["metadata"].get("uid") or "")
    return False


def _unexpected_controller(claim: dict[str, Any], sts: dict[str, Any], pod: dict[str, Any]) -> bool:
    """hasUnexpectedController: with a Delete policy, a controller other than the set or the pod
    (or a reference to either with another uid)."""
    if policy(sts) == (RETAIN, RETAIN):
        return False
    for ref in _refs(claim):
        for obj, api_version, kind in ((sts, "apps/v1", "StatefulSet"), (pod, "v1", "Pod")):
            if _matches(ref, obj, api_version, kind):
                if ref.get("uid") != (obj["metadata"].get("uid") or ""):
                    return True
                break
        else:
            if ref.get("controller"):
                return True
    return False


def _in_range(sts: dict[str, Any], ordinal: int) -> bool:
    """podInOrdinalRange."""
    spec = sts.get("spec") or {}
    start = int((spec.get("ordinals") or {}).get("start") or 0)
    return start <= ordinal < start + int(spec.get("replicas", 1))


def owner_up_to_date(claim: dict[str, Any], sts: dict[str, Any], pod: dict[str, Any], ordinal: int) -> bool:
    """isClaimOwnerUpToDate."""
    if _stale(claim, sts, "apps/v1", "StatefulSet") or _stale(claim, pod, "v1", "Pod"):
        return True
    if _unexpected_controller(claim, sts, pod):
        return not (_has(claim, sts) or _has(claim, pod))
    uids = {sts["metadata"].get("uid"), pod["metadata"].get("uid")} - {None, ""}
    if any(r.get("uid") in uids and not r.get("controller") for r in _refs(claim)):
        return False  # hasNonControllerOwner
    scaled, deleted = policy(sts)
    down = not _in_range(sts, ordinal)
    want_set = deleted == DELETE and not (scaled == DELETE and down)
    want_pod = scaled == DELETE and down
    return _has(claim, sts) == want_set and _has(claim, pod) == want_pod


def _controller_ref(obj: dict[str, Any], api_version: str, kind: str) -> dict[str, Any]:
    """metav1.NewControllerRef."""
    md = obj["metadata"]
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": md["name"],
        "uid": md.get("uid") or "",
        "controller": True,
        "blockOwnerDeletion": True,
    }


def owner_refs(claim: dict[str, Any], sts: dict[str, Any], pod: dict[str, Any], ordinal: int) -> list[dict[str, Any]]:
    """updateClaimOwnerRefForSetAndPod: the claim's references with the set's and the pod's
    scrubbed, then the one the policy wants added as controller (none beside an unexpected one)."""
    unexpected = _unexpected_controller(claim, sts, pod)
    refs = [
        r for r in _refs(claim) if not (_matches(r, sts, "apps/v1", "StatefulSet") or _matches(r, pod, "v1", "Pod"))
    ]
    if unexpected:
        return refs
    scaled, deleted = policy(sts)
    down = not _in_range(sts, ordinal)
    if scaled == DELETE and down:
        refs.append(_controller_ref(pod, "v1", "Pod"))
    elif deleted == DELETE:
        refs.append(_controller_ref(sts, "apps/v1", "StatefulSet"))
    return refs


def claim_is_stale(cluster: ClusterState, sts: dict[str, Any], pod: dict[str, Any], ordinal: int) -> bool:
    """PodClaimIsStale: whenScaled Delete, and a claim of the pod's still owned by an earlier pod
    of its name (the pod to be made has no uid yet)."""
    if policy(sts)[0] == RETAIN:
        return False
    for _, claim in pod_claims(sts, ordinal):
        found = cluster.get("v1", "PersistentVolumeClaim", claim["metadata"]["namespace"], claim["metadata"]["name"])
        if found is not None and _stale(found, pod, "v1", "Pod"):
            return True
    return False


def create_claims(cluster: ClusterState, sts: dict[str, Any], pod_name: str, ordinal: int) -> None:
    """createPersistentVolumeClaims: each missing claim is created, with its event on the set;
    a claim being deleted raises ClaimError once every claim has been looked at."""
    errors = []
    set_name = sts["metadata"]["name"]
    for _, claim in pod_claims(sts, ordinal):
        md = claim["metadata"]
        found = cluster.get("v1", "PersistentVolumeClaim", md["namespace"], md["name"])
        if found is None:
            cluster.create(claim)
            message = f"create Claim {md['name']} Pod {pod_name} in StatefulSet {set_name} success"
            cluster.add_event(sts, "SuccessfulCreate", message, "Normal", SOURCE)
        elif (found.get("metadata") or {}).get("deletionTimestamp"):
            errors.append(f"pvc {md['name']} is being deleted")
    if errors:
        raise ClaimError(", ".join(errors) if len(errors) == 1 else "[" + ", ".join(errors) + "]")


def fix_owners(cluster: ClusterState, sts: dict[str, Any], pod: dict[str, Any], ordinal: int) -> bool:
    """UpdatePodClaimForRetentionPolicy: each existing claim whose references do not match the
    policy is updated; True when one was."""
    changed = False
    for _, claim in pod_claims(sts, ordinal):
        md = claim["metadata"]
        found = cluster.get("v1", "PersistentVolumeClaim", md["namespace"], md["name"])
        if found is None or owner_up_to_date(found, sts, pod, ordinal):
            continue
        refs = owner_refs(found, sts, pod, ordinal)
        cluster.patch(
            "v1", "PersistentVolumeClaim", md["namespace"], md["name"], {"metadata": {"ownerReferences": refs}}
        )
        changed = True
    return changed
