"""Watches: event streams, selectors, resumption, bookmarks, 410 for compacted versions."""

from __future__ import annotations

import http.client
import json
import threading
import time
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap, connection, raw

CM = "/api/v1/namespaces/default/configmaps"


def stream(emu: KubeEmulator, query: str, n: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Read up to n events of a watch."""
    conn = connection(emu, timeout=timeout)
    conn.request("GET", f"{CM}?watch=true&{query}", headers={"Authorization": f"Bearer {emu.token}"})
    resp = conn.getresponse()
    assert resp.status == 200
    events: list[dict[str, Any]] = []
    end = time.monotonic() + timeout
    while len(events) < n and time.monotonic() < end:
        line = resp.readline()
        if not line:
            break
        events.append(json.loads(line))
    conn.close()
    return events


def later(delay: float, fn: Any) -> None:
    t = threading.Timer(delay, fn)
    t.daemon = True
    t.start()


def test_watch_streams_added_modified_deleted(kube_emulator: KubeEmulator) -> None:
    rv = raw(kube_emulator, "GET", CM).json()["metadata"]["resourceVersion"]

    def writes() -> None:
        kube_emulator.cluster.create(configmap("a"))
        kube_emulator.cluster.patch("v1", "ConfigMap", "default", "a", {"data": {"k": "2"}})
        kube_emulator.cluster.delete("v1", "ConfigMap", "default", "a")

    later(0.1, writes)
    events = stream(kube_emulator, f"resourceVersion={rv}", 3)
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    assert events[1]["object"]["data"] == {"k": "2"} and events[0]["object"]["kind"] == "ConfigMap"


def test_watch_without_version_starts_with_current_objects(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("x"))
    events = stream(kube_emulator, "", 2)
    # the root CA publisher's kube-root-ca.crt is in every namespace (namespace_defaults.py)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "kube-root-ca.crt"),
        ("ADDED", "x"),
    ]


def test_watch_resumes_after_a_resource_version(kube_emulator: KubeEmulator) -> None:
    first = kube_emulator.cluster.create(configmap("one"))
    kube_emulator.cluster.create(configmap("two"))
    events = stream(kube_emulator, f"resourceVersion={first['metadata']['resourceVersion']}", 1)
    assert [e["object"]["metadata"]["name"] for e in events] == ["two"]


def test_watch_from_compacted_version_sends_410_error_event(kube_emulator: KubeEmulator) -> None:
    old = kube_emulator.cluster.create(configmap("a"))["metadata"]["resourceVersion"]
    kube_emulator.cluster.create(configmap("b"))
    kube_emulator.compact()
    events = stream(kube_emulator, f"resourceVersion={int(old) - 1}", 1)
    assert events[0]["type"] == "ERROR"
    assert events[0]["object"]["code"] == 410 and events[0]["object"]["reason"] == "Expired"


def test_an_in_stream_fault_is_an_error_event_that_ends_the_watch(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/apiserver v0.35.0 pkg/storage/etcd3/watcher.go sendError
    kube_emulator.faults.add(verb="watch", status=500, in_stream=True, message="etcdserver: leader changed")
    events = stream(kube_emulator, "timeoutSeconds=5", 2)
    assert [(e["type"], e["object"]["code"], e["object"]["message"]) for e in events] == [
        ("ERROR", 500, "etcdserver: leader changed")
    ]


def test_an_in_stream_drop_cuts_the_watch_before_its_last_chunk(kube_emulator: KubeEmulator) -> None:
    # A load balancer's cut or a killed API server; the client reads an unexpected EOF
    # (kubernetes/apimachinery pkg/watch/streamwatcher.go receive).
    kube_emulator.faults.add(verb="watch", drop_connection=True, in_stream=True)
    conn = connection(kube_emulator, timeout=5)
    conn.request("GET", f"{CM}?watch=true&timeoutSeconds=5", headers={"Authorization": f"Bearer {kube_emulator.token}"})
    response = conn.getresponse()
    assert response.status == 200
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    conn.close()


def test_watch_sends_bookmarks_when_asked(kube_emulator: KubeEmulator) -> None:
    kube_emulator.bookmark_interval = 0.1
    rv = raw(kube_emulator, "GET", CM).json()["metadata"]["resourceVersion"]
    events = stream(kube_emulator, f"resourceVersion={rv}&allowWatchBookmarks=true", 1)
    assert events[0]["type"] == "BOOKMARK" and events[0]["object"]["metadata"]["resourceVersion"]


def test_object_leaving_a_label_selector_is_seen_as_deleted(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a", {"team": "x"}))
    rv = raw(kube_emulator, "GET", CM).json()["metadata"]["resourceVersion"]
    later(
        0.1,
        lambda: kube_emulator.cluster.patch("v1", "ConfigMap", "default", "a", {"metadata": {"labels": {"team": "y"}}}),
    )
    events = stream(kube_emulator, f"resourceVersion={rv}&labelSelector=team%3Dx", 1)
    assert events[0]["type"] == "DELETED"


def test_watch_ends_after_timeout_seconds(kube_emulator: KubeEmulator) -> None:
    start = time.monotonic()
    events = stream(kube_emulator, "timeoutSeconds=1&resourceVersion=1999999", 10, timeout=5)
    assert events == [] and time.monotonic() - start < 3


def test_a_watch_without_timeout_seconds_ends_after_a_random_one_to_two_min_request_timeouts(
    kube_emulator: KubeEmulator, monkeypatch: Any
) -> None:
    # upstream: kubernetes/apiserver v0.35.0 pkg/endpoints/handlers/get.go ListResource
    from tests.emulators.kube import server_resources

    monkeypatch.setattr(server_resources.random, "random", lambda: 0.8)
    kube_emulator.watch_default_timeout = 0.5
    start = time.monotonic()
    stream(kube_emulator, "", 100, timeout=5)
    assert 0.85 <= time.monotonic() - start < 1.6


def test_send_initial_events_ends_with_annotated_bookmark(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    events = stream(
        kube_emulator, "sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan", 3
    )
    assert [e["type"] for e in events] == ["ADDED", "ADDED", "BOOKMARK"]  # a and kube-root-ca.crt
    assert events[2]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


def test_python_client_watch_sees_events(kube_emulator: KubeEmulator, tmp_path: Any) -> None:
    from kubernetes import client, watch

    from tests.kube_emulator.helpers import api_client

    v1 = client.CoreV1Api(api_client(kube_emulator, tmp_path))
    rv = v1.list_namespaced_config_map("default").metadata.resource_version
    later(0.1, lambda: kube_emulator.cluster.create(configmap("w")))
    w = watch.Watch()
    got = []
    for ev in w.stream(v1.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=3):
        got.append((ev["type"], ev["object"].metadata.name))
        w.stop()
    assert got == [("ADDED", "w")]


def test_python_client_watch_raises_410_for_compacted_version(kube_emulator: KubeEmulator, tmp_path: Any) -> None:
    import pytest
    from kubernetes import client, watch
    from kubernetes.client.rest import ApiException

    from tests.kube_emulator.helpers import api_client

    v1 = client.CoreV1Api(api_client(kube_emulator, tmp_path))
    kube_emulator.cluster.create(configmap("a"))
    kube_emulator.compact()
    with pytest.raises(ApiException) as exc:
        for _ in watch.Watch().stream(
            v1.list_namespaced_config_map, "default", resource_version="1001", timeout_seconds=2
        ):
            pass
    assert exc.value.status == 410


def test_send_initial_events_is_refused_422_where_the_watch_list_gate_is_off(kube_emulator: KubeEmulator) -> None:
    # A 1.33 API server (WatchList off by default): kubernetes/apimachinery
    # pkg/apis/meta/internalversion/validation/validation.go validateWatchOptions.
    kube_emulator.watch_list = False
    answer = raw(
        kube_emulator,
        "GET",
        f"{CM}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
    )
    assert answer.status == 422
    assert answer.json()["message"] == (
        'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: '
        "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"
    )


def test_send_initial_events_needs_resource_version_match_not_older_than(kube_emulator: KubeEmulator) -> None:
    answer = raw(kube_emulator, "GET", f"{CM}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true")
    assert answer.status == 422
    assert answer.json()["details"]["causes"] == [
        {
            "reason": "FieldValueForbidden",
            "message": "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            "field": "resourceVersionMatch",
        }
    ]


def test_send_initial_events_without_bookmarks_sends_no_end_bookmark(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/apiserver pkg/storage/cacher/cacher.go setInitialEventsEndBookmarkIfRequested
    kube_emulator.cluster.create(configmap("a"))
    kube_emulator.watch_default_timeout = 0.3
    events = stream(kube_emulator, "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1", 3)
    # the namespace's objects (a, and the root CA publisher's kube-root-ca.crt), no end bookmark
    assert sorted((e["type"], e["object"]["metadata"]["name"]) for e in events) == [
        ("ADDED", "a"),
        ("ADDED", "kube-root-ca.crt"),
    ]


def test_the_last_bookmark_comes_before_the_timeout_and_a_change_after_it_still_arrives(
    kube_emulator: KubeEmulator,
) -> None:
    # upstream: kubernetes/apiserver 24a394e5 pkg/storage/cacher/cache_watcher.go nextBookmarkTime (2 s
    # before the deadline); pkg/endpoints/handlers/watch.go serveWatch ends on timeoutCh, sending nothing
    kube_emulator.bookmark_interval = 3600
    rv = raw(kube_emulator, "GET", CM).json()["metadata"]["resourceVersion"]
    conn = connection(kube_emulator, timeout=10)
    query = f"watch=true&allowWatchBookmarks=true&timeoutSeconds=4&resourceVersion={rv}"
    conn.request("GET", f"{CM}?{query}", headers={"Authorization": f"Bearer {kube_emulator.token}"})
    response = conn.getresponse()
    first = json.loads(response.readline())
    assert first["type"] == "BOOKMARK"
    kube_emulator.cluster.create(configmap("after-the-bookmark"))  # about 2 s before the deadline
    rest = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    conn.close()
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in rest] == [("ADDED", "after-the-bookmark")]
