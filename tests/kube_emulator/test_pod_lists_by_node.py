"""A pod list whose field selector requires one spec.nodeName reads the pods-by-node index, as
kube-apiserver's watch cache does (upstream: kubernetes/kubernetes pkg/registry/core/pod/strategy.go
MatchPod, NodeNameIndexFunc; kubernetes/apiserver v0.35.0 pkg/storage/cacher/watch_cache.go
listLatestRV): a node's pods, or the unbound ones, without walking every pod of the cluster."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube.apiserver import ApiServer
from tests.emulators.kube.selectors import required_value
from tests.emulators.kube.store import Store

PODS = "/pods"


def pod(name: str, on: str = "", phase: str = "Running", nominated: str = "", ns: str = "default") -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase, **({"nominatedNodeName": nominated} if nominated else {})}
    return {"metadata": {"name": name, "namespace": ns, "uid": name}, "spec": {"nodeName": on}, "status": status}


@pytest.fixture
def api() -> ApiServer:
    server = ApiServer()
    for made in (
        pod("a", "node-0"),
        pod("b", "node-1"),
        pod("c", "node-0", "Succeeded"),
        pod("d", "node-0", ns="other"),
        pod("e", "", "Pending"),
        pod("f", "", "Pending", nominated="node-1"),
    ):
        md = made["metadata"]
        server.store.put(PODS, f"{md['namespace']}/{md['name']}", made)
    return server


def no_pod_scan(api: ApiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    real = api.store.page

    def page(bucket: str, *args: Any, **kwargs: Any) -> Any:
        assert bucket != PODS, "every pod was walked"
        return real(bucket, *args, **kwargs)

    monkeypatch.setattr(api.store, "page", page)


def listed(
    api: ApiServer, field_selector: str, namespace: str | None = None, limit: int = 500, token: str | None = None
) -> tuple[list[str], str | None]:
    entries, cont, _, _ = api.list_entries(api.rt("v1", "Pod"), namespace, None, field_selector, limit, token)
    return [e.obj()["metadata"]["name"] for e in entries], cont


def test_a_list_of_one_nodes_pods_reads_only_that_nodes_pods(api: ApiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    no_pod_scan(api, monkeypatch)
    assert listed(api, "spec.nodeName=node-0,status.phase!=Succeeded,status.phase!=Failed") == (["a", "d"], None)


def test_a_namespaced_list_of_one_nodes_pods_keeps_to_its_namespace(
    api: ApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_pod_scan(api, monkeypatch)
    assert listed(api, "spec.nodeName=node-0", namespace="default") == (["a", "c"], None)


def test_the_unbound_pods_nominated_for_a_node_are_read_from_the_index(
    api: ApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_pod_scan(api, monkeypatch)
    assert listed(api, "spec.nodeName=,status.nominatedNodeName!=") == (["f"], None)


def test_a_full_first_page_from_the_index_continues_where_a_scan_would(
    api: ApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as scoped:
        no_pod_scan(api, scoped)
        first, token = listed(api, "spec.nodeName=node-0", limit=2)
    assert (first, listed(api, "spec.nodeName=node-0", limit=2, token=token)) == (["a", "c"], (["d"], None))


def test_a_not_equal_term_requires_no_node_name() -> None:
    assert (
        required_value("spec.nodeName!=a", "spec.nodeName"),
        required_value("spec.nodeName==", "spec.nodeName"),
    ) == (
        None,
        "",
    )


def test_the_index_leaves_the_unbound_list_to_a_scan_where_a_pod_has_no_selectable_fields() -> None:
    store = Store()
    store.put(PODS, "default/a", pod("a", "node-0"))
    store.put(PODS, "default/bare", {"metadata": {"name": "bare", "namespace": "default"}, "spec": {}})
    assert store.page_on_node(PODS, "", "", 0, None) is None
