"""Watching a Kubernetes list reach the output layer page by page: ``one_object_a_page`` makes
every ``Kube.list_pages`` ask for one object a page and records each page read ("page") and each
object turned into its printed text or its table cells ("out"), in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from akscli import output, printable
from akscli.kube.client import Kube


def one_object_a_page(monkeypatch: pytest.MonkeyPatch, only: str | None = None) -> list[str]:
    """``only``: record the pages of this kind alone (every list still reads one object a page)."""
    events: list[str] = []
    pages, shown, text = Kube.list_pages, printable.shown, output._text

    def one_a_page(self: Kube, api_version: str, kind: str, **kw: Any) -> Iterator[dict[str, Any]]:
        for page in pages(self, api_version, kind, **{**kw, "page_size": 1}):
            if only in (None, kind):
                events.append("page")
            yield page

    def recorded(record: Any) -> Any:
        def call(*args: Any) -> Any:
            if events[-1:] != ["out"]:
                events.append("out")
            return record(*args)

        return call

    monkeypatch.setattr(Kube, "list_pages", one_a_page)
    monkeypatch.setattr(printable, "shown", recorded(shown))
    monkeypatch.setattr(output, "_text", recorded(text))
    return events


def printed_page_by_page(events: list[str]) -> bool:
    """Whether the first page's objects were printed (as text or cells) before the second page
    was read: the list was not built whole first."""
    second = [n for n, e in enumerate(events) if e == "page"][1]
    return "out" in events[:second]


class Held:
    """How many listed objects were alive at once (``most``): each object a ``Kube.list_pages``
    page brings carries a tag counted while it lives (CPython frees an object when its last
    reference goes, so the count is exact, with no timing in it)."""

    def __init__(self) -> None:
        self.alive = 0
        self.most = 0
        self.listed = 0

    def tag(self, obj: dict[str, Any]) -> dict[str, Any]:
        """``obj``, counted while it lives (a key no printer is asked to dump: -o name)."""
        obj["_held"] = _Tag(self)
        return obj

    def counted(self, obj: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``obj`` counted while it lives, with no key added (for objects sent to an
        API server, which refuses a field it does not know)."""
        copy = _Counted(obj)
        copy.held = self
        self.born()
        return copy

    def born(self) -> None:
        self.alive += 1
        self.listed += 1
        self.most = max(self.most, self.alive)


class _Tag:
    def __init__(self, held: Held) -> None:
        self.held = held
        held.born()

    def __del__(self) -> None:
        self.held.alive -= 1

    def __copy__(self) -> _Tag:
        return self

    def __deepcopy__(self, memo: Any) -> _Tag:
        return self


class _Counted(dict[str, Any]):
    held: Held

    def __del__(self) -> None:
        self.held.alive -= 1


def held_objects(monkeypatch: pytest.MonkeyPatch, kind: str) -> Held:
    """Tag every ``kind`` object that ``Kube.list_pages`` reads (one object a page), and count how
    many of them are alive at once."""
    held = Held()
    pages = Kube.list_pages

    def tagged(self: Kube, api_version: str, listed: str, **kw: Any) -> Iterator[dict[str, Any]]:
        for page in pages(self, api_version, listed, **{**kw, "page_size": 1}):
            if listed == kind:
                for item in page.get("items") or []:
                    held.tag(item)
            yield page

    monkeypatch.setattr(Kube, "list_pages", tagged)
    return held
