"""The reflector's first list is a watch-list where the API server serves one: one watch request
with sendInitialEvents streams the objects and a bookmark annotated k8s.io/initial-events-end, in
place of a list and a watch. A server that refuses it (422: WatchList off, as in 1.33) is listed
page by page, and not asked again on that connection (upstream: kubernetes/client-go v0.35.0
tools/cache/reflector.go watchList and ListAndWatchWithContext's fallbackToList; kubernetes/apiserver
v0.35.0 pkg/features/kube_features.go WatchList)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from akscli.kube import reflector, wait
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect

# Labelled, and read by that label where a test lists the namespace: every namespace also holds the
# root CA publisher's kube-root-ca.crt (tests/emulators/kube namespace controllers).
SELECTOR = "test=watch-list"


def configmap(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default", "labels": {"test": "watch-list"}},
    }


def reads(emu: Any) -> list[tuple[str, dict[str, list[str]], int]]:
    """(verb, query, status) of each read of ConfigMaps."""
    return [(r.verb, r.query, r.status) for r in emu.requests(method="GET", path="/configmaps")]


def test_a_wait_for_one_object_reads_it_with_one_watch_list_and_no_list(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.cluster.create(configmap("ready"))
    wait.wait_for(connect(KubeTarget(kubeconfig=str(kubeconfig))), [configmap("ready")], timeout=10)
    [(verb, query, status)] = reads(kube_emulator)
    assert (verb, status) == ("watch", 200)
    assert query["sendInitialEvents"] == ["true"]
    assert query["resourceVersionMatch"] == ["NotOlderThan"]
    assert query["allowWatchBookmarks"] == ["true"]
    assert query["fieldSelector"] == ["metadata.name=ready"]
    assert "resourceVersion" not in query  # a consistent read: the newest objects


def test_a_server_that_refuses_watch_lists_is_listed_page_by_page(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.watch_list = False  # a 1.33 API server
    kube_emulator.cluster.create(configmap("ready"))
    wait.wait_for(connect(KubeTarget(kubeconfig=str(kubeconfig))), [configmap("ready")], timeout=10)
    assert [(verb, status, "sendInitialEvents" in query) for verb, query, status in reads(kube_emulator)] == [
        ("watch", 422, True),
        ("list", 200, False),
    ]


def test_a_refused_watch_list_is_not_asked_again_on_the_same_connection(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.watch_list = False
    for name in ("a", "b"):
        kube_emulator.cluster.create(configmap(name))
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    wait.wait_for(kube, [configmap("a")], timeout=10)
    wait.wait_for(kube, [configmap("b")], timeout=10)
    asked = [status for _, query, status in reads(kube_emulator) if "sendInitialEvents" in query]
    assert asked == [422]


def test_a_watch_list_says_synced_after_its_end_bookmark(kubeconfig: Path, kube_emulator: Any) -> None:
    kube_emulator.cluster.create(configmap("a"))
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    events = reflector.list_and_watch(
        kube, "v1", "ConfigMap", namespace="default", label_selector=SELECTOR, seconds_left=lambda: 5, synced=True
    )
    added, synced = next(events), next(events)
    events.close()
    assert added[0] == "ADDED" and added[1]["metadata"]["name"] == "a"
    assert synced == (reflector.SYNCED, {"items": [added[1]]})
    assert [verb for verb, _, _ in reads(kube_emulator)] == ["watch"]


def test_an_object_gone_when_a_watch_list_relists_is_reported_deleted(kubeconfig: Path, kube_emulator: Any) -> None:
    # The watch from the object's version meets 410 (compacted); the watch-list that follows lacks
    # the object: DELETED, as the store's Replace reports it (client-go tools/cache/delta_fifo.go).
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    first = kube.create(configmap("a"))
    kube.delete("v1", "ConfigMap", "a", namespace="default")
    kube_emulator.compact()
    events = reflector.list_and_watch(
        kube, "v1", "ConfigMap", namespace="default", name="a", seconds_left=lambda: 5, start=first, synced=True
    )
    deleted, synced = next(events), next(events)
    events.close()
    assert deleted == ("DELETED", first)
    assert synced == (reflector.SYNCED, {"items": []})
    assert [query.get("sendInitialEvents") for _, query, _ in reads(kube_emulator)] == [None, ["true"]]


def test_a_caller_with_no_time_left_gets_a_paged_list(kubeconfig: Path, kube_emulator: Any) -> None:
    # A watch-list's objects come within the watch's timeout, which a caller's deadline sets.
    kube_emulator.cluster.create(configmap("a"))
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    events = list(
        reflector.list_and_watch(
            kube, "v1", "ConfigMap", namespace="default", label_selector=SELECTOR, seconds_left=lambda: 0
        )
    )
    assert [(e, o["metadata"]["name"]) for e, o in events] == [("ADDED", "a")]
    assert [verb for verb, _, _ in reads(kube_emulator)] == ["list"]


def test_a_server_that_ignores_send_initial_events_is_listed_at_its_first_change(
    kubeconfig: Path, kube_emulator: Any
) -> None:
    # A plain watch sends the objects as ADDED and never an end bookmark; a change before that
    # bookmark shows it (a watch-list sends only ADDED events before it: kubernetes/apiserver
    # pkg/storage/cacher/cache_watcher.go processInterval). The reflector lists, and says SYNCED.
    kube_emulator.watch_list_ignored = True
    kube_emulator.cluster.create(configmap("a"))
    kube = connect(KubeTarget(kubeconfig=str(kubeconfig)))
    events = reflector.list_and_watch(
        kube, "v1", "ConfigMap", namespace="default", label_selector=SELECTOR, seconds_left=lambda: 5, synced=True
    )
    assert next(events)[0] == "ADDED"  # from the plain watch
    kube_emulator.cluster.patch("v1", "ConfigMap", "default", "a", {"data": {"k": "v"}})
    added, synced = next(events), next(events)
    events.close()
    assert added[0] == "ADDED" and added[1]["data"] == {"k": "v"}  # from the list
    assert synced == (reflector.SYNCED, {"items": [added[1]]})
    assert [(verb, "sendInitialEvents" in query) for verb, query, _ in reads(kube_emulator)] == [
        ("watch", True),
        ("list", False),
    ]
    assert kube.watch_list is False  # not asked again on this connection
