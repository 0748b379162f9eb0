"""Where an object, and a field in it, sits in its manifest file: (line, column), both from 1.

``policy check -o sarif`` needs a line for each finding (GitHub code scanning places an alert by
``region.startLine``; microsoft/sarif-sdk rule GH1003 ProvideRequiredRegionProperties). The one loader
(``akscli.manifests``, ``yamlio.load_all(nodes=...)``) keeps each document's YAML node, which keeps
its marks, beside its value; this finds a field by walking the nodes along the field's path. JSON is
YAML, so a JSON file is read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# (line, column), from 1, as SARIF's region.startLine and startColumn count them.
Position = tuple[int, int]
# What a check points at: a mapping or list in the object, and the key or index in it (None: the
# mapping or list itself).
At = tuple[Any, Any]


def items_nodes(node: Any) -> list[Any] | None:
    """The item nodes of a ``kind: List`` document's ``items``; None when they cannot be told."""
    from ruamel.yaml.nodes import SequenceNode

    for key, value in node.value:
        if key.value == "items" and isinstance(value, SequenceNode):
            return list(value.value)
    return None


def path_to(root: Any, target: Any) -> list[Any] | None:
    """The keys and indexes from ``root`` to the mapping or list ``target`` (found by identity)."""
    stack: list[tuple[Any, list[Any]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if isinstance(node, Mapping):
            stack.extend((v, [*path, k]) for k, v in node.items() if isinstance(v, Mapping | list))
        elif isinstance(node, list):
            stack.extend((v, [*path, i]) for i, v in enumerate(node) if isinstance(v, Mapping | list))
    return None


def position(node: Any, path: Sequence[Any]) -> Position:
    """The position of the field at ``path`` under the document ``node``: a key's own position,
    or a list item's. Where the nodes part from the values (a merge key ``<<``), the deepest
    position reached: at worst the object's first line."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    mark = node.start_mark
    for step in path:
        if isinstance(node, MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == str(step) or k.value == step), None)
            if found is None:
                break
            mark, node = found[0].start_mark, found[1]
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def locate(obj: Mapping[str, Any], node: Any, at: At | None) -> Position:
    """Where ``at`` (or the object itself) sits, given the object's document node."""
    if at is None:
        return position(node, [])
    container, key = at
    path = path_to(obj, container)
    if path is None:
        return position(node, [])
    return position(node, path if key is None else [*path, key])
