"""Deletion: finalizers, deletionTimestamp, propagation policies, namespaces."""

from __future__ import annotations

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until as wait_for
from tests.kube_emulator.helpers import configmap, owned, owner_ref, raw

CM = "/api/v1/namespaces/default/configmaps"


def gone(emu: KubeEmulator, name: str) -> bool:
    return emu.cluster.get("v1", "ConfigMap", "default", name) is None


def test_finalizer_keeps_object_with_deletion_timestamp(kube_emulator: KubeEmulator) -> None:
    cm = configmap("a")
    cm["metadata"]["finalizers"] = ["example.com/hold"]
    kube_emulator.cluster.create(cm)
    r = raw(kube_emulator, "DELETE", f"{CM}/a")
    assert r.status == 200 and r.json()["metadata"]["deletionTimestamp"]
    assert not gone(kube_emulator, "a")


def test_removing_the_last_finalizer_deletes_the_object(kube_emulator: KubeEmulator) -> None:
    cm = configmap("a")
    cm["metadata"]["finalizers"] = ["example.com/hold"]
    kube_emulator.cluster.create(cm)
    raw(kube_emulator, "DELETE", f"{CM}/a")
    raw(kube_emulator, "PATCH", f"{CM}/a", {"metadata": {"finalizers": None}}, "application/merge-patch+json")
    assert gone(kube_emulator, "a")


def test_no_new_finalizer_while_deleting(kube_emulator: KubeEmulator) -> None:
    cm = configmap("a")
    cm["metadata"]["finalizers"] = ["example.com/hold"]
    kube_emulator.cluster.create(cm)
    raw(kube_emulator, "DELETE", f"{CM}/a")
    r = raw(
        kube_emulator,
        "PATCH",
        f"{CM}/a",
        {"metadata": {"finalizers": ["example.com/hold", "x.io/new"]}},
        "application/merge-patch+json",
    )
    assert r.status == 422


def test_plain_delete_answers_success_status(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    body = raw(kube_emulator, "DELETE", f"{CM}/a").json()
    assert body["kind"] == "Status" and body["status"] == "Success" and body["details"]["name"] == "a"


def test_background_propagation_collects_dependents(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    kube_emulator.cluster.create(owned("child", owner_ref(owner)))
    raw(kube_emulator, "DELETE", f"{CM}/owner?propagationPolicy=Background")
    assert wait_for(lambda: gone(kube_emulator, "child"))


def test_foreground_propagation_deletes_dependents_before_owner(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    child = owned("child", owner_ref(owner, block=True))
    child["metadata"]["finalizers"] = ["example.com/hold"]
    kube_emulator.cluster.create(child)
    r = raw(
        kube_emulator,
        "DELETE",
        f"{CM}/owner",
        {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"},
    )
    assert "foregroundDeletion" in r.json()["metadata"]["finalizers"]
    kube_emulator.idle()
    assert not gone(kube_emulator, "owner")
    kube_emulator.cluster.remove_finalizers("v1", "ConfigMap", "default", "child")
    assert wait_for(lambda: gone(kube_emulator, "owner") and gone(kube_emulator, "child"))


def test_orphan_propagation_keeps_dependents_without_owner_reference(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    kube_emulator.cluster.create(owned("child", owner_ref(owner)))
    raw(kube_emulator, "DELETE", f"{CM}/owner?propagationPolicy=Orphan")
    assert wait_for(lambda: gone(kube_emulator, "owner"))
    child = kube_emulator.cluster.get("v1", "ConfigMap", "default", "child")
    assert child is not None and "ownerReferences" not in child["metadata"]


def test_stale_precondition_is_409(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    r = raw(kube_emulator, "DELETE", f"{CM}/a", {"preconditions": {"resourceVersion": "1"}})
    assert r.status == 409


def test_deleting_a_namespace_removes_its_contents(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}})
    kube_emulator.cluster.create(configmap("a", ns="tmp"))
    r = raw(kube_emulator, "DELETE", "/api/v1/namespaces/tmp")
    assert r.json()["status"]["phase"] == "Terminating"
    assert wait_for(lambda: kube_emulator.cluster.get("v1", "Namespace", None, "tmp") is None)
    assert kube_emulator.cluster.get("v1", "ConfigMap", "tmp", "a") is None


def test_creating_in_a_terminating_namespace_is_forbidden(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}})
    held = configmap("held", ns="tmp")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    kube_emulator.cluster.create(held)
    raw(kube_emulator, "DELETE", "/api/v1/namespaces/tmp")
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/tmp/configmaps", configmap("b", ns="tmp"))
    assert r.status == 403 and "because it is being terminated" in r.json()["message"]


def test_delete_collection_by_label(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a", {"x": "1"}))
    kube_emulator.cluster.create(configmap("b", {"x": "2"}))
    raw(kube_emulator, "DELETE", f"{CM}?labelSelector=x%3D1")
    assert gone(kube_emulator, "a") and not gone(kube_emulator, "b")
