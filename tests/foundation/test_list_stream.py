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
def test_each_item_is_written_before_the_next_one_is_read(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[str] = []

    def pages() -> Iterator[dict[str, Any]]:
        yield {"name": "first"}
        seen.append(capsys.readouterr().out)  # what stdout had when the second item was asked for
        yield {"name": "second"}

    output.emit(pages(), fmt, [], name=lambda r: f"x/{r['name']}")
    assert "first" in seen[0] and "second" not in seen[0]
