"""Graceful deletion of pods (deletionTimestamp in the future, the kubelet confirming) and
asynchronous garbage collection, as in a real cluster (kubernetes/kubernetes
pkg/registry/core/pod/strategy.go CheckGracefulDelete, staging/src/k8s.io/apiserver/pkg/registry/
rest/delete.go BeforeDelete, pkg/controller/garbagecollector)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import configmap, owned, owner_ref, raw
from tests.kube_emulator.test_delete import CM, gone

PODS = "/api/v1/namespaces/default/pods"


def running_pod(name: str = "p", grace: int | None = None, node: str | None = "node-1") -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "main", "image": "busybox"}]}
    if node:
        spec["nodeName"] = node
    if grace is not None:
        spec["terminationGracePeriodSeconds"] = grace
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
        "status": {"phase": "Running"},
    }


def pod_exists(emu: KubeEmulator, name: str = "p") -> bool:
    return emu.cluster.get("v1", "Pod", "default", name) is not None


def test_deleting_a_running_pod_marks_it_with_the_grace_period(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.pod_shutdown_seconds = None
    kube_emulator.cluster.create(running_pod())
    r = raw(kube_emulator, "DELETE", f"{PODS}/p")
    assert r.status == 200
    md = r.json()["metadata"]
    assert md["deletionGracePeriodSeconds"] == 30 and md["deletionTimestamp"]
    assert pod_exists(kube_emulator)


def test_the_kubelet_removes_the_pod_once_its_containers_stop(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(running_pod())
    raw(kube_emulator, "DELETE", f"{PODS}/p")
    assert wait_until(lambda: not pod_exists(kube_emulator), timeout=2)


def test_containers_ignoring_sigterm_live_the_whole_grace_period(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.pod_shutdown_seconds = None
    kube_emulator.cluster.create(running_pod(grace=1))
    start = time.monotonic()
    raw(kube_emulator, "DELETE", f"{PODS}/p")
    assert wait_until(lambda: not pod_exists(kube_emulator), timeout=5)
    assert time.monotonic() - start >= 0.9


def test_a_second_delete_may_shorten_the_grace_period(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.pod_shutdown_seconds = None
    kube_emulator.cluster.create(running_pod())
    raw(kube_emulator, "DELETE", f"{PODS}/p")
    again = raw(kube_emulator, "DELETE", f"{PODS}/p?gracePeriodSeconds=60").json()
    assert again["metadata"]["deletionGracePeriodSeconds"] == 30
    raw(kube_emulator, "DELETE", f"{PODS}/p", {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0})
    assert not pod_exists(kube_emulator)


def test_an_unscheduled_pod_is_deleted_at_once(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(running_pod(node=None))
    assert raw(kube_emulator, "DELETE", f"{PODS}/p").status == 200
    assert not pod_exists(kube_emulator)


def test_other_kinds_have_no_grace_period(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    raw(kube_emulator, "DELETE", f"{CM}/a?gracePeriodSeconds=30")
    assert gone(kube_emulator, "a")


def test_garbage_collection_happens_after_the_delete_returns(kube_emulator: KubeEmulator) -> None:
    owner = kube_emulator.cluster.create(configmap("owner"))
    kube_emulator.cluster.create(owned("child", owner_ref(owner)))
    raw(kube_emulator, "DELETE", f"{CM}/owner")
    assert not gone(kube_emulator, "child")
    kube_emulator.idle()
    assert gone(kube_emulator, "child")


def test_synchronous_gc_switch_collects_before_the_delete_returns(
    kube_emulator_factory: Callable[..., KubeEmulator],
) -> None:
    emu = kube_emulator_factory(synchronous_gc=True)
    owner = emu.cluster.create(configmap("owner"))
    emu.cluster.create(owned("child", owner_ref(owner)))
    raw(emu, "DELETE", f"{CM}/owner")
    assert gone(emu, "child")


def test_a_pod_with_a_finalizer_waits_for_it_after_the_grace_period(kube_emulator: KubeEmulator) -> None:
    pod = running_pod()
    pod["metadata"]["finalizers"] = ["example.com/hold"]
    kube_emulator.cluster.create(pod)
    raw(kube_emulator, "DELETE", f"{PODS}/p")
    kube_emulator.idle()
    held = kube_emulator.cluster.get("v1", "Pod", "default", "p")
    assert held is not None and held["metadata"]["deletionGracePeriodSeconds"] == 0
    kube_emulator.cluster.remove_finalizers("v1", "Pod", "default", "p")
    assert not pod_exists(kube_emulator)
