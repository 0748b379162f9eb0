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
    or a list item's; where the path leaves the nodes, the deepest position reached (at worst the
    object's first line).

    A key is matched by the value it constructs to (``yes:`` under ``%YAML 1.1`` is the key True,
    ``0x50:`` is 80), and the last key node that matches wins, as it does when the mapping is
    constructed: ruamel's SafeConstructor.flatten_mapping puts the keys a merge key ``<<`` brings
    in before the mapping's own ones (the later of several merged mappings first), so a key the
    mapping sets itself, or the first merged mapping's, is the one that holds the value. A merged
    or aliased field sits where its anchor's text is: the composer hands the anchor's node out for
    each alias (upstream: ruamel.yaml constructor.py flatten_mapping, composer.py compose_node)."""
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    keys = SafeConstructor()
    mark = node.start_mark
    for step in path:
        if isinstance(node, MappingNode):
            found = None
            for k, v in node.value:
                if isinstance(k, ScalarNode) and _key_is(keys, k, step):
                    found = (k, v)
            if found is None:
                break
            mark, node = found[0].start_mark, found[1]
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def _key_is(keys: Any, key: Any, step: Any) -> bool:
    """Whether the key node reads as ``step``: a plain key as kubectl reads it (akscli.kubeyaml:
    ``yes`` is the key "true", ``0x50`` is "80"), a quoted one as its text, any other as ruamel's
    safe constructor builds it (``%YAML 1.1``'s ``yes`` is True)."""
    from akscli import kubeyaml
    from akscli.errors import UsageError

    tag = str(key.tag)
    if tag == kubeyaml.PLAIN_TAG:
        try:
            return bool(kubeyaml.key(kubeyaml.resolve(key.value)) == step)
        except UsageError:  # a null key: refused when the manifest was read
            return False
    if tag == "tag:yaml.org,2002:str":
        return bool(key.value == str(step))
    from ruamel.yaml.constructor import ConstructorError

    try:
        value = keys.construct_object(key, deep=True)
    except (ConstructorError, ValueError):  # a key the safe constructor refuses cannot be the one
        return False
    return bool(value == step and type(value) is type(step))


def locate(obj: Mapping[str, Any], node: Any, at: At | None) -> Position:
    """Where ``at`` (or the object itself) sits, given the object's document node."""
    if at is None:
        return position(node, [])
    container, key = at
    path = path_to(obj, container)
    if path is None:
        return position(node, [])
    return position(node, path if key is None else [*path, key])
