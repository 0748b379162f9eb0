"""kube/reflector.py list_and_watch: the reflector rules every list-then-watch caller shares
(upstream: kubernetes/client-go v0.35.0 tools/cache/reflector.go ListAndWatch, watch, handleAnyWatch)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from akscli import errors
from akscli.kube.readiness import Readiness
from akscli.kube.reflector import SYNCED, list_and_watch
from akscli.kube.wait import Waiter
from akscli.kube.wire import WatchExpired


def _obj(name: str, rv: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "resourceVersion": rv}}


class _Kube:
    """Lists at 10; the first watch sends a bookmark and ends, the second expires, the third sends one event."""

    watch_list = False  # it serves no watch-list: lists, then watches (tests/foundation/test_watch_list.py)

    def __init__(self) -> None:
        self.listed: list[dict[str, Any]] = []
        self.watched_from: list[str | None] = []

    def list_pages(self, *_args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.listed.append(kwargs)
        yield {"metadata": {"resourceVersion": "10"}, "items": [_obj("a", "9")]}

    def watch(self, *_args: Any, resource_version: str | None = None, **_kwargs: Any) -> Iterator[tuple[str, Any]]:
        self.watched_from.append(resource_version)
        if len(self.watched_from) == 1:
            yield "BOOKMARK", _obj("", "12")
        elif len(self.watched_from) == 2:
            raise WatchExpired("too old resource version")
        else:
            yield "MODIFIED", _obj("a", "20")


def test_list_and_watch_resumes_from_a_bookmark_and_lists_again_on_410() -> None:
    kube = _Kube()
    deadline = time.monotonic() + 30
    events = list_and_watch(
        kube,  # type: ignore[arg-type]
        "v1",
        "Pod",
        namespace="default",
        name="a",
        seconds_left=lambda: deadline - time.monotonic(),
    )
    seen = [(event, obj["metadata"]["resourceVersion"]) for event, obj in (next(events) for _ in range(3))]
    assert seen == [("ADDED", "9"), ("ADDED", "9"), ("MODIFIED", "20")]
    assert kube.watched_from == ["10", "12", "10"]
    assert kube.listed[0]["field_selector"] == "metadata.name=a" and kube.listed[0]["consistent"] is True


class _Relist:
    """Each list and each watch in turn from scripts; a watch script's WatchExpired is raised."""

    watch_list = False  # it serves no watch-list: lists, then watches

    def __init__(self, lists: list[list[dict[str, Any]]], watches: list[list[Any]]) -> None:
        self.lists, self.watches = lists, watches

    def list_pages(self, *_args: Any, **_kwargs: Any) -> Iterator[dict[str, Any]]:
        yield {"metadata": {"resourceVersion": "10"}, "items": self.lists.pop(0)}

    def watch(self, *_args: Any, **_kwargs: Any) -> Iterator[tuple[str, Any]]:
        for step in self.watches.pop(0) if self.watches else []:
            if isinstance(step, Exception):
                raise step
            yield step


def _run(kube: _Relist, count: int) -> list[tuple[str, str, str]]:
    deadline = time.monotonic() + 30
    events = list_and_watch(
        kube,  # type: ignore[arg-type]
        "v1",
        "Pod",
        namespace="default",
        seconds_left=lambda: deadline - time.monotonic(),
    )
    return [
        (e, o["metadata"]["name"], o["metadata"]["resourceVersion"]) for e, o in (next(events) for _ in range(count))
    ]


def test_relist_after_410_reports_an_object_gone_in_the_gap_as_deleted_with_its_last_state() -> None:
    # upstream: kubernetes/client-go v0.35.0 tools/cache/delta_fifo.go Replace (a key known before and
    # absent from the new list is a Deleted DeletedFinalStateUnknown holding its last known object).
    kube = _Relist(
        lists=[[_obj("a", "9"), _obj("b", "9")], [_obj("b", "9")]],
        watches=[[("MODIFIED", _obj("a", "11")), WatchExpired("too old resource version")]],
    )
    assert _run(kube, 5) == [
        ("ADDED", "a", "9"),
        ("ADDED", "b", "9"),
        ("MODIFIED", "a", "11"),
        ("ADDED", "b", "9"),
        ("DELETED", "a", "11"),
    ]


def test_relist_after_410_does_not_report_again_an_object_the_watch_saw_deleted() -> None:
    kube = _Relist(
        lists=[[_obj("a", "9"), _obj("b", "9")], [_obj("c", "12")]],
        watches=[[("DELETED", _obj("a", "11")), WatchExpired("too old resource version")]],
    )
    assert _run(kube, 5) == [
        ("ADDED", "a", "9"),
        ("ADDED", "b", "9"),
        ("DELETED", "a", "11"),
        ("ADDED", "c", "12"),
        ("DELETED", "b", "9"),
    ]


class _WaitKube(_Relist):
    namespace = "default"

    def resource(self, *_args: Any) -> Any:
        return SimpleNamespace(namespaced=True)

    def list(self, *_args: Any, **_kwargs: Any) -> list[dict[str, Any]]:
        return []  # no events about the object, read for the timeout's message

    def watch(self, *args: Any, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        if not self.watches:
            time.sleep(0.05)  # a quiet watch, not a busy loop until the deadline
        yield from super().watch(*args, **kwargs)


def test_a_wait_learns_that_its_object_was_deleted_during_a_410_gap() -> None:
    kube = _WaitKube(
        lists=[[_obj("a", "9")], []],
        watches=[[WatchExpired("too old resource version")]],
    )
    waiter = Waiter(
        kube,  # type: ignore[arg-type]
        [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "default"}}],
        timeout=0.3,
        rule=lambda _obj: Readiness(False, message="starting"),
    )
    with pytest.raises(errors.WaitTimeoutError) as raised:
        waiter.run()
    assert "pod/a (deleted)" in raised.value.message


def test_synced_marks_each_whole_list_and_each_watch_the_server_closed() -> None:
    # upstream: kubernetes/client-go v0.35.0 tools/watch/until.go UntilWithSync (the precondition
    # is checked on the store once the informer HasSynced).
    kube = _Relist(
        lists=[[_obj("a", "9")], []],
        watches=[[("MODIFIED", _obj("a", "11"))], [WatchExpired("too old resource version")]],
    )
    deadline = time.monotonic() + 30
    events = list_and_watch(
        kube,  # type: ignore[arg-type]
        "v1",
        "Pod",
        namespace="default",
        seconds_left=lambda: deadline - time.monotonic(),
        synced=True,
    )
    seen = [
        (e, [i["metadata"]["name"] for i in o["items"]] if e == SYNCED else o["metadata"]["name"])
        for e, o in (next(events) for _ in range(6))
    ]
    assert seen == [
        ("ADDED", "a"),
        (SYNCED, ["a"]),
        ("MODIFIED", "a"),
        (SYNCED, ["a"]),  # the first watch ended
        ("DELETED", "a"),  # the relist after the second one's 410
        (SYNCED, []),
    ]


def _from_start(kube: _Relist) -> Iterator[tuple[str, dict[str, Any]]]:
    """list_and_watch of the name ``a``, started from the object at version 7."""
    deadline = time.monotonic() + 30
    return list_and_watch(
        kube,  # type: ignore[arg-type]
        "v1",
        "Pod",
        namespace="default",
        name="a",
        seconds_left=lambda: deadline - time.monotonic(),
        start=_obj("a", "7"),
    )


def test_a_start_object_replaces_the_first_list_and_is_watched_from_its_version() -> None:
    # upstream: kubernetes/client-go v0.35.0 tools/watch/until.go Until (a watch from the version
    # the caller holds).
    watched_from: list[str | None] = []

    class _Recording(_Relist):
        def watch(self, *args: Any, **kwargs: Any) -> Iterator[tuple[str, Any]]:
            watched_from.append(kwargs.get("resource_version"))
            yield from super().watch(*args, **kwargs)

    kube = _Recording(lists=[[_obj("a", "8")]], watches=[[("MODIFIED", _obj("a", "9"))]])
    event, _obj_seen = next(_from_start(kube))
    assert (event, watched_from, kube.lists) == ("MODIFIED", ["7"], [[_obj("a", "8")]])  # the list unread


def test_a_relist_without_the_start_object_reports_it_deleted() -> None:
    # upstream: kubernetes/client-go v0.35.0 tools/watch/until.go UntilWithSync (a relist on an
    # expired version) and tools/cache/delta_fifo.go Replace (a known key absent: Deleted).
    kube = _Relist(lists=[[]], watches=[[WatchExpired("too old resource version")]])
    event, obj = next(_from_start(kube))
    assert (event, obj["metadata"]["resourceVersion"]) == ("DELETED", "7")


class _PagedOnly:
    """A fake with a list and a watch and no ``watch_list`` attribute, as fakes were written
    before the reflector learnt watch-lists (audit22-scale7)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def list_pages(self, *_args: Any, **_kwargs: Any) -> Iterator[dict[str, Any]]:
        self.calls.append("list")
        yield {"metadata": {"resourceVersion": "10"}, "items": [_obj("a", "9")]}

    def watch(self, *_args: Any, send_initial_events: bool = False, **_kwargs: Any) -> Iterator[tuple[str, Any]]:
        self.calls.append("watch-list" if send_initial_events else "watch")
        yield "MODIFIED", _obj("a", "11")


def test_a_fake_kube_without_watch_list_is_listed_then_watched() -> None:
    kube = _PagedOnly()
    events = list_and_watch(kube, "v1", "Pod", namespace="default", name="a", seconds_left=lambda: 5)  # type: ignore[arg-type]
    seen = [(event, obj["metadata"]["resourceVersion"]) for event, obj in (next(events) for _ in range(2))]
    events.close()
    assert seen == [("ADDED", "9"), ("MODIFIED", "11")]
    assert kube.calls == ["list", "watch"]


def test_an_object_keep_turns_down_is_neither_yielded_nor_synced() -> None:
    kube = _Relist(lists=[[_obj("a", "9"), _obj("b", "9")]], watches=[[("MODIFIED", _obj("b", "11"))]])
    events = list_and_watch(
        kube,  # type: ignore[arg-type]
        "v1",
        "Pod",
        namespace="default",
        seconds_left=lambda: 5,
        synced=True,
        keep=lambda obj: obj["metadata"]["name"] == "a",
    )
    seen = [next(events) for _ in range(3)]
    events.close()
    # b's change comes between the two SYNCED marks, and is not among them.
    assert seen == [
        ("ADDED", _obj("a", "9")),
        (SYNCED, {"items": [_obj("a", "9")]}),
        (SYNCED, {"items": [_obj("a", "9")]}),
    ]
