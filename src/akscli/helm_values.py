"""Values for a template from the command line, as helm reads them: ``--set`` pairs into a nested
mapping, and one mapping merged over another (``-f`` files, then ``--set``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from akscli.validate import _fail

# A value's name, [A-Za-z_][A-Za-z0-9_-]* (akscli's rule for the first part of a --set key), by its
# characters: every `render --set` checks one, and the pattern is 0.4 M instructions to compile.
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset("0123456789-")


def set_values(pairs: Iterable[str]) -> dict[str, Any]:
    """``--set a.b=c`` pairs into a nested mapping; the values stay strings (the template's
    declared type reads them: ``{a,b}`` for a list, ``k=v,k2=v2`` for a map).

    As helm's ``--set`` (helm/helm pkg/strvals/parser.go), a dot in the key nests and ``\\.``
    is a dot inside a key (``--set annotations.prometheus\\.io/scrape=true``). Unlike helm, a
    comma does not start another pair: ``--set labels=team=ml,env=prod`` is one labels value,
    as akscli documented it."""
    result: dict[str, Any] = {}
    for pair in pairs:
        key, eq, val = _key_and_value(pair)
        if not eq or not key:
            raise _fail("--set", pair, "it has no '='", "use --set key=value, e.g. --set replicas=2")
        parts = _key_parts(key)
        if parts[0][:1] not in _NAME_START or not _NAME_CHARS.issuperset(parts[0]) or not all(parts):
            raise _fail("--set key", key, "it must be a value's name, then dotted keys", "for example: resources.gpu")
        node = result
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise _fail("--set key", key, f"'{part}' is already a value", "set the parent once")
            node = child
        node[parts[-1]] = val
    return result


def _key_and_value(pair: str) -> tuple[str, str, str]:
    """Split at the first '=' not escaped with a backslash."""
    index = 0
    while index < len(pair):
        if pair[index] == "\\":
            index += 2
            continue
        if pair[index] == "=":
            return pair[:index], "=", pair[index + 1 :]
        index += 1
    return pair, "", ""


def _key_parts(key: str) -> list[str]:
    """The key's dotted parts; a backslash keeps the next character (``\\.``)."""
    parts, current, index = [], [], 0
    while index < len(key):
        char = key[index]
        if char == "\\" and index + 1 < len(key):
            current.append(key[index + 1])
            index += 2
            continue
        if char == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def merge_values(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, val in override.items():
        if isinstance(val, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_values(merged[key], val)
        else:
            merged[key] = val
    return merged
