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
