"""A list printed item by item: kubectl's v1 List in ``-o json`` and ``-o yaml``, written as each
item arrives instead of after the last one, byte for byte the document ``output.list_document``
dumps whole.

A command that lists thousands of ARM resources (``cluster list`` of a subscription) held every
one of them, then the whole document's text, before the first byte went out: 77 MiB peak RSS at
2,000 clusters (docs/changes/audit17-armscale.md). Here each item is dumped alone and written, so
only one item and its text are held at a time.

How the pieces add up to the whole document's bytes:

- JSON: ``json.dumps(indent=2)`` writes an item of a list nested two levels deep with every line
  indented four more spaces, and items apart by ``",\\n"``; the document's head and tail are what
  the whole dump has around one placeholder item.
- YAML: ruamel.yaml writes a key's block sequence item the same way wherever it stands, so an
  item is ``{"items": [item]}`` dumped, less its first line; head and tail as for JSON.

tests/foundation/test_list_stream.py holds both equal to the whole dump.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

# A placeholder item no real item can be: it marks where the items go in the dumped document.
_MARK = "\x00akscli-list-items\x00"


def chunks(items: Iterable[Any], fmt: str, document: Callable[[list[Any]], Any]) -> Iterator[str]:
    """The text of ``document(items)`` in ``fmt`` (json or yaml), one piece per item and the
    document's head and tail, each yielded as soon as it is known."""
    from akscli import yamlio

    if fmt == "json":
        whole = yamlio.dump_json(document([_MARK]))
        head, tail = whole.split("    " + yamlio.dump_json(_MARK))
        empty = yamlio.dump_json(document([]))
        dump_item = _json_item
        between = ",\n"
    else:
        whole = yamlio.dump(document([_MARK]))
        head, tail = whole.split(yamlio.dump({"items": [_MARK]})[len("items:\n") :])
        empty = yamlio.dump(document([]))
        dump_item = _yaml_item
        between = ""
    first = True
    for item in items:
        text = dump_item(item)
        yield (head if first else between) + text
        first = False
    yield empty if first else tail


def _json_item(item: Any) -> str:
    from akscli import yamlio

    # JSON escapes every newline inside a string, so each line of the dump is one of its lines.
    return "\n".join("    " + line for line in yamlio.dump_json(item).split("\n"))


def _yaml_item(item: Any) -> str:
    from akscli import yamlio

    return yamlio.dump({"items": [item]})[len("items:\n") :]
