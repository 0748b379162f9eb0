"""A list's -o json and -o yaml written item by item (akscli.liststream): the same bytes as the
v1 List dumped whole, which is how output.emit printed every list before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from akscli import output, printable, yamlio

ITEMS: list[dict[str, Any]] = [
    {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "ml", "managedFields": [{"manager": "kubectl"}]},
        "data": {"token": "c2VjcmV0"},
    },
    {
        "name": "aks1",
        "tags": {"on": "yes", "owner": "é ü 日本", "empty": ""},
        "properties": {
            "long": "x" * 300,
            "lines": "first\nsecond\n",
            "nested": [{"a": 1}, [1, 2], [], {}],
            "none": None,
            "float": 1.5,
            "flag": True,
            "odd": "\u2028 ' \" \\ \t",
        },
    },
    {},
]


def _whole(items: list[Any], fmt: str) -> str:
    """What output.emit printed before it streamed: the whole v1 List dumped at once."""
    data = printable.shown(items, fmt)
    text = yamlio.dump_json(output.list_document(data)) if fmt == "json" else yamlio.dump(output.list_document(data))
    return text if text.endswith("\n") else text + "\n"


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_streamed_list_prints_the_bytes_of_the_whole_document(
    fmt: str, count: int, capsys: pytest.CaptureFixture[str]
) -> None:
    items = ITEMS[:count]
    output.emit(iter(items), fmt, [])
    assert capsys.readouterr().out == _whole(items, fmt)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_streamed_list_of_records_printed_through_raw_matches_too(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    output.emit(iter(ITEMS), fmt, [], raw=lambda i: {"wrapped": i})
    assert capsys.readouterr().out == _whole([{"wrapped": i} for i in ITEMS], fmt)


@pytest.mark.parametrize("fmt", ["json", "yaml", "name"])
def test_each_item_is_turned_into_text_before_the_next_one_is_read(fmt: str) -> None:
    asked: list[int] = []
    printed_when_asked: list[int] = []

    class Item(dict[str, Any]):
        def __init__(self, name: str) -> None:
            super().__init__(name=name)
            self.held = True

    items = [Item("first"), Item("second")]

    def pages() -> Iterator[dict[str, Any]]:
        for n, item in enumerate(items):
            asked.append(n)
            printed_when_asked.append(sum(1 for i in items[:n] if i.get("printed")))
            yield item

    def shown(item: dict[str, Any]) -> dict[str, Any]:
        item["printed"] = True  # only a copy of it is printed: the item itself may go
        return {"name": item["name"]}

    output.emit(pages(), fmt, [], raw=shown, name=lambda r: f"x/{shown(r)['name']}")
    assert asked == [0, 1] and printed_when_asked == [0, 1]


@pytest.mark.parametrize("fmt", ["json", "yaml", "name"])
def test_a_list_whose_later_page_fails_prints_nothing(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    # kubectl get prints a list only once every page came: a script's pipe reads no half document.
    def pages() -> Iterator[dict[str, Any]]:
        yield {"name": "first"}
        raise RuntimeError("page 2 failed")

    with pytest.raises(RuntimeError):
        output.emit(pages(), fmt, [], name=lambda r: f"x/{r['name']}")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("fmt", ["table", "wide", "csv"])
def test_a_table_turns_each_item_into_its_row_before_the_next_one_is_read(fmt: str) -> None:
    # A table holds its cells, not the objects: one page of a list at a time, as kubectl get.
    pulled: list[int] = []
    pulled_when_read: list[int] = []

    def pages() -> Iterator[dict[str, Any]]:
        for n in range(3):
            pulled.append(n)
            yield {"name": f"item{n}"}

    def name(item: dict[str, Any]) -> str:
        pulled_when_read.append(len(pulled))
        return str(item["name"])

    output.emit(pages(), fmt, [output.Column("name", name)])
    assert pulled_when_read == [1, 2, 3]


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_a_table_whose_later_page_fails_prints_nothing(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    def pages() -> Iterator[dict[str, Any]]:
        yield {"name": "first"}
        raise RuntimeError("page 2 failed")

    with pytest.raises(RuntimeError):
        output.emit(pages(), fmt, [output.Column("name", "name")])
    assert capsys.readouterr().out == ""
