"""A DELETE's propagation policy, as the API server chooses it (upstream: kubernetes/kubernetes
staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go shouldOrphanDependents,
shouldDeleteDependents, deletionFinalizersForGarbageCollection): the request's policy first, then
the collector's finalizer the object carries, then the resource's default, which is Orphan for
batch/v1 Jobs, with a warning (pkg/registry/batch/job/strategy.go DefaultGarbageCollectionPolicy,
pkg/registry/batch/job/storage/storage.go deleteOptionWarnings). A DELETE of an object already
being deleted changes nothing (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go
BeforeDelete)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until as wait_for
from tests.kube_emulator.helpers import configmap, live, owned, owner_ref, raw

CM = "/api/v1/namespaces/default/configmaps"
JOBS = "/apis/batch/v1/namespaces/default/jobs"


def job(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "template": {
                "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    }


def test_a_job_deleted_without_a_policy_orphans_its_dependents_and_warns(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(job("j"))
    kube_emulator.cluster.create(owned("child", owner_ref(owner)))
    r = raw(kube_emulator, "DELETE", f"{JOBS}/j")
    assert r.status == 200
    assert "child pods are preserved by default when jobs are deleted" in (r.headers.get("Warning") or "")
    assert wait_for(lambda: kube_emulator.cluster.get("batch/v1", "Job", "default", "j") is None)
    kube_emulator.idle()
    child = live(kube_emulator, "child")
    assert child is not None and "ownerReferences" not in child["metadata"]


def test_a_job_deleted_in_the_background_takes_its_dependents_without_a_warning(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(job("j"))
    kube_emulator.cluster.create(owned("child", owner_ref(owner)))
    r = raw(kube_emulator, "DELETE", f"{JOBS}/j?propagationPolicy=Background")
    assert r.status == 200 and not r.headers.get("Warning")
    assert wait_for(lambda: live(kube_emulator, "child") is None)


def test_orphan_dependents_false_is_background(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(job("j"))
    kube_emulator.cluster.create(owned("child", owner_ref(owner)))
    raw(kube_emulator, "DELETE", f"{JOBS}/j", {"kind": "DeleteOptions", "apiVersion": "v1", "orphanDependents": False})
    assert wait_for(lambda: live(kube_emulator, "child") is None)


def test_a_delete_without_a_policy_honours_the_orphan_finalizer_the_object_carries(
    kube_emulator: KubeEmulator,
) -> None:
    cm = configmap("owner")
    cm["metadata"]["finalizers"] = ["orphan"]
    owner = kube_emulator.cluster.create(cm)
    kube_emulator.cluster.create(owned("child", owner_ref(owner)))
    raw(kube_emulator, "DELETE", f"{CM}/owner")
    assert wait_for(lambda: live(kube_emulator, "owner") is None)
    kube_emulator.idle()
    child = live(kube_emulator, "child")
    assert child is not None and "ownerReferences" not in child["metadata"]


def test_a_second_delete_does_not_change_the_first_ones_policy(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    child = owned("child", owner_ref(owner, block=True))
    child["metadata"]["finalizers"] = ["example.com/hold"]
    kube_emulator.cluster.create(child)
    raw(kube_emulator, "DELETE", f"{CM}/owner?propagationPolicy=Foreground")
    r = raw(kube_emulator, "DELETE", f"{CM}/owner?propagationPolicy=Orphan")
    assert r.status == 200 and r.json()["metadata"]["finalizers"] == ["foregroundDeletion"]
    kube_emulator.idle()
    held = live(kube_emulator, "owner")
    assert held is not None and held["metadata"]["finalizers"] == ["foregroundDeletion"]
