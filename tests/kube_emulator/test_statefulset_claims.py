"""A StatefulSet's volumeClaimTemplates, as kube-controller-manager's StatefulSet controller runs
them (kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go
getPersistentVolumeClaims, updateStorage, isClaimOwnerUpToDate, updateClaimOwnerRefForSetAndPod;
stateful_pod_control.go createPersistentVolumeClaims, PodClaimIsStale; stateful_set_control.go
processReplica and the condemned pods' claim fix): a claim ``<template>-<set>-<ordinal>`` made
before its pod and mounted by it, owned as persistentVolumeClaimRetentionPolicy says, so the
garbage collector deletes it with the set or the scaled-down pod; and the scheduler holding a pod
whose claim no volume binds (volume_binding.go PreFilter)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import statefulset_claims
from tests.emulators.kube.profiles import aks_storage_classes
from tests.kube_emulator.helpers import a_node, deployment

DATA = {
    "metadata": {"name": "data", "labels": {"tier": "db"}},
    "spec": {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": "managed-csi",
        "resources": {"requests": {"storage": "10Gi"}},
    },
}


def statefulset(replicas: int = 2, claims: list[dict[str, Any]] | None = None, **spec: Any) -> dict[str, Any]:
    sts = deployment("db", replicas=replicas)
    sts["kind"] = "StatefulSet"
    sts["spec"].update(serviceName="db", volumeClaimTemplates=claims if claims is not None else [DATA], **spec)
    return sts


def claims(emu: KubeEmulator) -> dict[str, dict[str, Any]]:
    found = emu.cluster.list("v1", "PersistentVolumeClaim", "default")
    return {c["metadata"]["name"]: c for c in found if not c["metadata"].get("deletionTimestamp")}


def pods(emu: KubeEmulator) -> dict[str, dict[str, Any]]:
    found = emu.cluster.list("v1", "Pod", "default", label_selector="app=db")
    return {p["metadata"]["name"]: p for p in found if not p["metadata"].get("deletionTimestamp")}


def owners(claim: dict[str, Any]) -> list[tuple[str, str, bool, bool]]:
    return [
        (r["kind"], r["name"], bool(r.get("controller")), bool(r.get("blockOwnerDeletion")))
        for r in claim["metadata"].get("ownerReferences") or []
    ]


def set_events(emu: KubeEmulator) -> list[tuple[str, str]]:
    """The set's events in the order they were written (their names are generated)."""
    events = sorted(emu.cluster.list("v1", "Event", "default"), key=lambda e: int(e["metadata"]["resourceVersion"]))
    return [(e["reason"], e["message"]) for e in events if e["involvedObject"]["kind"] == "StatefulSet"]


def running(emu: KubeEmulator, sts: dict[str, Any], replicas: int = 2) -> None:
    a_node(emu)
    aks_storage_classes(emu)
    emu.cluster.create(sts)
    assert wait_until(lambda: len(pods(emu)) == replicas and len(claims(emu)) == replicas)


def test_each_pod_gets_a_claim_named_template_set_ordinal_with_the_selector_labels(
    kube_emulator: KubeEmulator,
) -> None:
    running(kube_emulator, statefulset())
    found = claims(kube_emulator)
    assert sorted(found) == ["data-db-0", "data-db-1"]
    claim = found["data-db-0"]
    assert claim["metadata"]["labels"] == {"tier": "db", "app": "db"}
    assert claim["spec"]["resources"] == {"requests": {"storage": "10Gi"}}
    assert claim["spec"]["storageClassName"] == "managed-csi"


def test_the_pod_mounts_its_own_claim_in_place_of_a_volume_of_the_templates_name(
    kube_emulator: KubeEmulator,
) -> None:
    sts = statefulset()
    sts["spec"]["template"]["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}]
    running(kube_emulator, sts)
    volumes = pods(kube_emulator)["db-1"]["spec"]["volumes"]
    assert volumes[:2] == [
        {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-1"}},
        {"name": "tmp", "emptyDir": {}},
    ]


def test_the_claim_is_created_before_its_pod_each_with_an_event_on_the_set(kube_emulator: KubeEmulator) -> None:
    # stateful_pod_control.go recordClaimEvent, then recordPodEvent ("statefulset-controller").
    running(kube_emulator, statefulset(replicas=1), replicas=1)
    assert wait_until(lambda: len(set_events(kube_emulator)) == 2)  # the pod's event follows its create
    assert set_events(kube_emulator) == [
        ("SuccessfulCreate", "create Claim data-db-0 Pod db-0 in StatefulSet db success"),
        ("SuccessfulCreate", "create Pod db-0 in StatefulSet db successful"),
    ]


def test_a_pod_the_set_deletes_is_told_in_an_event_on_the_set(kube_emulator: KubeEmulator) -> None:
    running(kube_emulator, statefulset())
    kube_emulator.cluster.patch("apps/v1", "StatefulSet", "default", "db", {"spec": {"replicas": 1}})
    deleted = ("SuccessfulDelete", "delete Pod db-1 in StatefulSet db successful")
    assert wait_until(lambda: deleted in set_events(kube_emulator))


def test_a_retained_claim_has_no_owner_and_outlives_the_set(kube_emulator: KubeEmulator) -> None:
    running(kube_emulator, statefulset())
    assert [owners(c) for c in claims(kube_emulator).values()] == [[], []]
    kube_emulator.cluster.delete("apps/v1", "StatefulSet", "default", "db")
    assert wait_until(lambda: not pods(kube_emulator))
    assert sorted(claims(kube_emulator)) == ["data-db-0", "data-db-1"]


def test_when_deleted_delete_makes_the_set_the_claims_controller_and_they_go_with_it(
    kube_emulator: KubeEmulator,
) -> None:
    policy = {"whenDeleted": "Delete", "whenScaled": "Retain"}
    running(kube_emulator, statefulset(persistentVolumeClaimRetentionPolicy=policy))
    assert owners(claims(kube_emulator)["data-db-0"]) == [("StatefulSet", "db", True, True)]
    kube_emulator.cluster.delete("apps/v1", "StatefulSet", "default", "db")
    assert wait_until(lambda: not claims(kube_emulator))


def test_when_scaled_retain_keeps_the_scaled_down_pods_claim_for_the_pod_that_comes_back(
    kube_emulator: KubeEmulator,
) -> None:
    policy = {"whenDeleted": "Delete", "whenScaled": "Retain"}
    running(kube_emulator, statefulset(persistentVolumeClaimRetentionPolicy=policy))
    uid = claims(kube_emulator)["data-db-1"]["metadata"]["uid"]
    kube_emulator.cluster.patch("apps/v1", "StatefulSet", "default", "db", {"spec": {"replicas": 1}})
    assert wait_until(lambda: sorted(pods(kube_emulator)) == ["db-0"])
    assert claims(kube_emulator)["data-db-1"]["metadata"]["uid"] == uid
    kube_emulator.cluster.patch("apps/v1", "StatefulSet", "default", "db", {"spec": {"replicas": 2}})
    assert wait_until(lambda: sorted(pods(kube_emulator)) == ["db-0", "db-1"])
    assert claims(kube_emulator)["data-db-1"]["metadata"]["uid"] == uid


def test_when_scaled_delete_hands_the_claim_to_its_pod_so_it_goes_with_the_pod(
    kube_emulator: KubeEmulator,
) -> None:
    policy = {"whenDeleted": "Retain", "whenScaled": "Delete"}
    running(kube_emulator, statefulset(persistentVolumeClaimRetentionPolicy=policy))
    assert owners(claims(kube_emulator)["data-db-1"]) == []
    kube_emulator.cluster.patch("apps/v1", "StatefulSet", "default", "db", {"spec": {"replicas": 1}})
    assert wait_until(lambda: sorted(claims(kube_emulator)) == ["data-db-0"])
    assert sorted(pods(kube_emulator)) == ["db-0"]


def test_a_changed_policy_moves_the_live_claims_owner(kube_emulator: KubeEmulator) -> None:
    running(kube_emulator, statefulset())
    policy = {"whenDeleted": "Delete", "whenScaled": "Delete"}
    patch = {"spec": {"persistentVolumeClaimRetentionPolicy": policy}}
    kube_emulator.cluster.patch("apps/v1", "StatefulSet", "default", "db", patch)
    assert wait_until(
        lambda: all(owners(c) == [("StatefulSet", "db", True, True)] for c in claims(kube_emulator).values())
    )


def test_a_pod_whose_claim_has_no_class_is_held_unbound_by_the_scheduler(kube_emulator: KubeEmulator) -> None:
    # No storageClassName and no default class: the claim binds at once or never
    # (kubernetes/kubernetes pkg/scheduler/framework/plugins/volumebinding volume_binding.go PreFilter).
    template = {"metadata": {"name": "data"}, "spec": {**DATA["spec"], "storageClassName": None}}
    del template["spec"]["storageClassName"]
    a_node(kube_emulator)
    kube_emulator.cluster.create(statefulset(replicas=1, claims=[template]))
    assert wait_until(lambda: "db-0" in pods(kube_emulator))
    pod = pods(kube_emulator)["db-0"]
    scheduled = [c for c in pod["status"].get("conditions") or [] if c["type"] == "PodScheduled"]
    assert pod["status"]["phase"] == "Pending"
    # pkg/scheduler/framework/types.go FitError.Error: the PreFilter's message, then preemption's.
    assert scheduled[0]["message"] == (
        "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    )
    assert claims(kube_emulator)["data-db-0"].get("status", {}).get("phase", "Pending") == "Pending"


class _Claims:
    """A store of one namespace's claims, as the controller's lister reads them."""

    def __init__(self, *found: dict[str, Any]) -> None:
        self.found = {c["metadata"]["name"]: c for c in found}

    def get(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.found.get(name)


def test_a_claim_still_owned_by_an_earlier_pod_of_the_name_holds_the_new_pod_back() -> None:
    # stateful_pod_control.go PodClaimIsStale: only with whenScaled Delete.
    sts = statefulset(persistentVolumeClaimRetentionPolicy={"whenScaled": "Delete", "whenDeleted": "Retain"})
    sts["metadata"]["uid"] = "set-uid"
    old = {"apiVersion": "v1", "kind": "Pod", "name": "db-0", "uid": "old-pod", "controller": True}
    claim = {"metadata": {"name": "data-db-0", "ownerReferences": [old]}}
    unmade = {"metadata": {"name": "db-0", "namespace": "default"}}
    assert statefulset_claims.claim_is_stale(_Claims(claim), sts, unmade, 0)
    sts["spec"]["persistentVolumeClaimRetentionPolicy"]["whenScaled"] = "Retain"
    assert not statefulset_claims.claim_is_stale(_Claims(claim), sts, unmade, 0)


def test_a_claim_another_controller_owns_is_left_to_it() -> None:
    # stateful_set_utils.go hasUnexpectedController: no reference to the set is added beside it.
    sts = statefulset(persistentVolumeClaimRetentionPolicy={"whenScaled": "Retain", "whenDeleted": "Delete"})
    sts["metadata"]["uid"] = "set-uid"
    other = {"apiVersion": "example.com/v1", "kind": "Backup", "name": "b", "uid": "b-uid", "controller": True}
    claim = {"metadata": {"name": "data-db-0", "ownerReferences": [other]}}
    pod = {"metadata": {"name": "db-0", "uid": "pod-uid"}}
    assert statefulset_claims.owner_up_to_date(claim, sts, pod, 0)
    assert statefulset_claims.owner_refs(claim, sts, pod, 0) == [other]
