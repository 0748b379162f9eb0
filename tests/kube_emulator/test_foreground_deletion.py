"""A foreground delete as the API server and the garbage collector do it. The server adds the
foregroundDeletion finalizer to every object deleted in the foreground and answers the object
(kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
deletionFinalizersForGarbageCollection, Delete); the collector judges each dependent
(pkg/controller/garbagecollector/garbagecollector.go attemptToDeleteItem: a dependent with
another solid owner loses only its reference to the owner waiting for its dependents; one with
dependents of its own is deleted in the foreground) and removes the owner's finalizer once no
dependent whose reference says blockOwnerDeletion: true is left (processDeletingDependentsItem;
graph.go blockingDependents)."""

from __future__ import annotations

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until as wait_for
from tests.kube_emulator.helpers import configmap, live, owned, owner_ref, raw

CM = "/api/v1/namespaces/default/configmaps"


def held(name: str, *refs: dict[str, object]) -> dict[str, object]:
    """ConfigMap ``name`` owned by ``refs``, held by a finalizer of its own."""
    cm = owned(name, *refs)
    cm["metadata"]["finalizers"] = ["example.com/hold"]
    return cm


def test_a_foreground_delete_without_dependents_answers_the_object_with_the_finalizer(
    kube_emulator: KubeEmulator,
) -> None:
    kube_emulator.cluster.create(configmap("lonely"))
    r = raw(kube_emulator, "DELETE", f"{CM}/lonely?propagationPolicy=Foreground")
    body = r.json()
    assert r.status == 200 and body["kind"] == "ConfigMap"
    assert body["metadata"]["deletionTimestamp"] and body["metadata"]["finalizers"] == ["foregroundDeletion"]


def test_the_collector_removes_a_dependentless_objects_foreground_finalizer(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("lonely"))
    raw(kube_emulator, "DELETE", f"{CM}/lonely?propagationPolicy=Foreground")
    assert wait_for(lambda: live(kube_emulator, "lonely") is None)


def test_a_foreground_owner_does_not_wait_for_a_dependent_without_block_owner_deletion(
    kube_emulator: KubeEmulator,
) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    kube_emulator.cluster.create(held("child", owner_ref(owner)))
    raw(kube_emulator, "DELETE", f"{CM}/owner?propagationPolicy=Foreground")
    assert wait_for(lambda: live(kube_emulator, "owner") is None)
    child = live(kube_emulator, "child")
    assert child is not None and child["metadata"]["deletionTimestamp"]


def test_a_foreground_owner_waits_for_a_dependent_with_block_owner_deletion(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    kube_emulator.cluster.create(held("child", owner_ref(owner, block=True)))
    raw(kube_emulator, "DELETE", f"{CM}/owner?propagationPolicy=Foreground")
    kube_emulator.idle()
    waiting = live(kube_emulator, "owner")
    assert waiting is not None and waiting["metadata"]["finalizers"] == ["foregroundDeletion"]


def test_a_dependent_with_another_live_owner_loses_only_the_reference_to_the_foreground_owner(
    kube_emulator: KubeEmulator,
) -> None:
    going = kube_emulator.cluster.create(configmap("going"))
    staying = kube_emulator.cluster.create(configmap("staying"))
    kube_emulator.cluster.create(owned("child", owner_ref(going, block=True), owner_ref(staying)))
    raw(kube_emulator, "DELETE", f"{CM}/going?propagationPolicy=Foreground")
    assert wait_for(lambda: live(kube_emulator, "going") is None)
    child = live(kube_emulator, "child")
    assert child is not None and child["metadata"]["ownerReferences"] == [owner_ref(staying)]


def test_a_dependent_with_dependents_of_its_own_is_deleted_in_the_foreground(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    middle = kube_emulator.cluster.create(owned("middle", owner_ref(owner, block=True)))
    kube_emulator.cluster.create(held("leaf", owner_ref(middle, block=True)))
    raw(kube_emulator, "DELETE", f"{CM}/owner?propagationPolicy=Foreground")
    assert wait_for(lambda: (live(kube_emulator, "middle") or {}).get("metadata", {}).get("deletionTimestamp"))
    kube_emulator.idle()
    waiting = live(kube_emulator, "middle")
    assert waiting is not None and waiting["metadata"]["finalizers"] == ["foregroundDeletion"]
