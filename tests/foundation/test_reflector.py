"""kube/reflector.py list_and_watch: the reflector rules every list-then-watch caller shares
(upstream: kubernetes/client-go v0.35.0 tools/cache/reflector.go ListAndWatch, watch, handleAnyWatch)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from akscli.kube.reflector import list_and_watch
from akscli.kube.wire import WatchExpired


def _obj(name: str, rv: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "resourceVersion": rv}}


class _Kube:
    """Lists at 10; the first watch sends a bookmark and ends, the second expires, the third sends one event."""

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
