"""The store keeps the keys of the pods on each node (the scheduler's NodeInfo, the kubelet's own
pods): the kubelet's admission and the scheduler's preemption read one node's pods, never the
whole pod list (kubernetes/kubernetes pkg/scheduler/backend/cache/cache.go NodeInfo per node)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.controllers import preemption
from tests.emulators.kube.controllers.kubelet_admission import KubeletAdmission
from tests.emulators.kube.store import Store
from tests.kube_emulator.test_scheduling import node, seed


def pod(name: str, on: str = "", phase: str = "Running") -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "default", "uid": name},
        "spec": {"nodeName": on},
        "status": {"phase": phase},
    }


def names(store: Store, on: str) -> list[str]:
    return [e.obj()["metadata"]["name"] for e in store.on_node("/pods", on)]


def test_a_bound_pod_is_listed_under_its_node() -> None:
    store = Store()
    store.put("/pods", "default/a", pod("a", "node-0"))
    store.put("/pods", "default/b", pod("b", "node-1"))
    store.put("/pods", "default/c", pod("c", ""))
    assert (names(store, "node-0"), names(store, "node-1"), names(store, "")) == (["a"], ["b"], [])


def test_a_deleted_pod_leaves_its_node() -> None:
    store = Store()
    store.put("/pods", "default/a", pod("a", "node-0"))
    store.remove("/pods", "default/a", pod("a", "node-0"))
    assert names(store, "node-0") == []


def test_a_pod_bound_by_an_update_joins_its_node() -> None:
    store = Store()
    store.put("/pods", "default/a", pod("a", "", "Pending"))
    store.put("/pods", "default/a", pod("a", "node-0"))
    assert names(store, "node-0") == ["a"]


def test_bulk_loaded_pods_are_listed_under_their_nodes() -> None:
    store = Store()
    store.bulk_load("/pods", iter([("default/a", pod("a", "node-0")), ("default/b", pod("b", "node-0"))]))
    assert names(store, "node-0") == ["a", "b"]


def no_full_scan(emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    real = emu.api.store.page

    def page(bucket: str, *args: Any, **kwargs: Any) -> Any:
        assert bucket != "/pods", "the whole pod list was read"
        return real(bucket, *args, **kwargs)

    monkeypatch.setattr(emu.api.store, "page", page)


def test_the_kubelet_admission_reads_only_its_nodes_pods(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(kube_emulator, node("node-0"), node("node-1"))
    for name, on in (("x", "node-1"), ("y", "node-0")):
        made = pod(name, on)
        made["spec"]["containers"] = [{"name": "main", "image": "vllm"}]
        kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Pod", **made})
    no_full_scan(kube_emulator, monkeypatch)
    others = KubeletAdmission()._others(kube_emulator.cluster, "node-0", "new")
    assert [p["metadata"]["name"] for p in others] == ["y"]


def test_preemption_reads_only_the_checked_nodes_pods(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(kube_emulator, node("node-0"))
    no_full_scan(kube_emulator, monkeypatch)
    big = {"metadata": {"name": "p", "namespace": "default", "uid": "p"}, "status": {}}
    big["spec"] = {"priority": 1, "containers": [{"name": "c", "resources": {"requests": {"memory": "1Ti"}}}]}
    assert (
        preemption.post_filter(kube_emulator.cluster, big, "0/1 nodes are available: 1 Insufficient memory.").node
        is None
    )
