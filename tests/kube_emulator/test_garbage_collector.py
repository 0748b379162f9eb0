"""The emulator's garbage collector judges a dependent whenever it is written, not only when its
owner goes: an object whose owners are all gone is deleted even if it was created after the owner's
deletion was processed (a controller racing the delete), as kube-controller-manager's collector
does (upstream: kubernetes/kubernetes pkg/controller/garbagecollector/graph_builder.go
processGraphChanges adds a "virtual" node for an owner uid it has not observed and queues it;
garbagecollector.go attemptToDeleteItem: the owner's GET answers 404 or another uid, so the
reference is dangling (isDangling), and an item with no solid owner is deleted, one with a solid
owner loses its dangling references). The real kubectl's --cascade reaches the emulator as
DeleteOptions.propagationPolicy (kubernetes/kubectl pkg/cmd/delete/delete.go)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until as wait_for
from tests.kube_emulator.helpers import configmap, live, owned, raw
from tests.kube_emulator.helpers import owner_ref as ref

CM = "/api/v1/namespaces/default/configmaps"


def test_a_dependent_created_after_its_owner_was_deleted_is_collected(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    raw(kube_emulator, "DELETE", f"{CM}/owner")
    kube_emulator.idle()
    kube_emulator.cluster.create(owned("child", ref(owner)))
    assert wait_for(lambda: live(kube_emulator, "child") is None)


def test_a_dependent_whose_owner_name_now_has_another_uid_is_collected(kube_emulator: KubeEmulator) -> None:
    old = kube_emulator.cluster.create(configmap("owner"))
    raw(kube_emulator, "DELETE", f"{CM}/owner")
    kube_emulator.idle()
    kube_emulator.cluster.create(configmap("owner"))
    kube_emulator.cluster.create(owned("child", ref(old)))
    assert wait_for(lambda: live(kube_emulator, "child") is None)
    assert live(kube_emulator, "owner") is not None


def test_an_update_that_adds_a_dangling_owner_reference_is_collected(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("child"))
    gone = {"apiVersion": "v1", "kind": "ConfigMap", "name": "gone", "uid": "0c8a5a8e-0000-4000-8000-000000000000"}
    patch = {"metadata": {"ownerReferences": [gone]}}
    r = raw(kube_emulator, "PATCH", f"{CM}/child", patch, "application/merge-patch+json")
    assert r.status == 200
    assert wait_for(lambda: live(kube_emulator, "child") is None)


def test_a_dependent_with_a_live_owner_loses_only_its_dangling_reference(kube_emulator: KubeEmulator) -> None:
    alive = kube_emulator.cluster.create(configmap("alive"))
    dead = kube_emulator.cluster.create(configmap("dead"))
    kube_emulator.cluster.create(owned("child", ref(alive), ref(dead)))
    raw(kube_emulator, "DELETE", f"{CM}/dead")

    def only_the_live_reference() -> bool:
        child = live(kube_emulator, "child")
        return child is not None and child["metadata"].get("ownerReferences") == [ref(alive)]

    assert wait_for(only_the_live_reference)


def test_a_reference_to_a_kind_the_server_does_not_serve_keeps_the_dependent(kube_emulator: KubeEmulator) -> None:
    unknown = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "name": "w",
        "uid": "1f0e7c9a-0000-4000-8000-00000000000a",
    }
    kube_emulator.cluster.create(owned("child", unknown))
    kube_emulator.idle()
    assert live(kube_emulator, "child") is not None


def statefulset(replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "serviceName": "web",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def test_a_pod_made_for_a_deleted_statefulset_gives_way_to_the_new_sets_pod(kube_emulator: KubeEmulator) -> None:
    # audit31-flake31b: `model deploy` right after `model delete` found web-0 (phi-4-0) still owned
    # by the old set's uid, so the new set of the same name could never make its pod
    old = kube_emulator.cluster.create(statefulset(0))
    raw(kube_emulator, "DELETE", "/apis/apps/v1/namespaces/default/statefulsets/web")
    kube_emulator.idle()
    # what the StatefulSet controller writes when its sync read the set just before the delete
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web-0",
            "namespace": "default",
            "labels": {"app": "web"},
            "ownerReferences": [{**ref(old), "controller": True, "blockOwnerDeletion": True}],
        },
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    kube_emulator.cluster.create(pod)
    new = kube_emulator.cluster.create(statefulset(1))

    def owned_by_the_new_set() -> bool:
        web0 = kube_emulator.cluster.get("v1", "Pod", "default", "web-0")
        return web0 is not None and [r["uid"] for r in web0["metadata"]["ownerReferences"]] == [new["metadata"]["uid"]]

    assert wait_for(owned_by_the_new_set)


def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_cascade_orphan_leaves_the_dependent_without_its_owner_reference(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    kube_emulator.cluster.create(owned("child", ref(owner)))
    r = kubectl("delete", "configmap", "owner", "--cascade=orphan")
    assert r.returncode == 0, r.stderr
    kube_emulator.idle()
    child = live(kube_emulator, "child")
    assert child is not None and "ownerReferences" not in child["metadata"]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_cascade_foreground_keeps_the_owner_until_its_dependent_is_gone(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    child = owned("child", {**ref(owner), "blockOwnerDeletion": True})
    child["metadata"]["finalizers"] = ["example.com/hold"]
    kube_emulator.cluster.create(child)
    r = kubectl("delete", "configmap", "owner", "--cascade=foreground", "--wait=false")
    assert r.returncode == 0, r.stderr
    kube_emulator.idle()
    held = live(kube_emulator, "owner")
    assert held is not None and held["metadata"]["finalizers"] == ["foregroundDeletion"]
    kube_emulator.cluster.remove_finalizers("v1", "ConfigMap", "default", "child")
    assert wait_for(lambda: live(kube_emulator, "owner") is None and live(kube_emulator, "child") is None)
