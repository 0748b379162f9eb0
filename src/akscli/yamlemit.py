"""YAML out through libyaml's emitter in C (ruamel.yaml.clib's CEmitter): the bytes that
ruamel.yaml's pure-Python emitter writes for akscli's data (``yamlio.dump``), about ten times
faster. ``cluster list -o yaml`` of 2,000 clusters spent 4.4 s in ruamel's emitter, analysing
each scalar a character at a time in Python (docs/changes/audit33-yaml33.md).

akscli dumps plain data (``yamlio._plain``: dicts, lists, str, int, float, bool, None), so the
events that ruamel's representer and serializer would make are made here directly, and the
decisions that set the bytes stay ruamel's own, taken from the pure dumper's own objects
(``yamlio._dumper``, handed in): its resolver says which strings YAML or kubectl would read as something
else (quoted), its representer writes ints, floats, bools and null, and a string with a NEL is
double-quoted as yamlio's representer asks. libyaml then chooses each scalar's style and writes
it as ruamel's emitter does (both come from PyYAML's), except where they were measured to differ:

- a string with ``'`` or a line feed that cannot be plain: ruamel double-quotes it (ruamel.yaml
  0.19 emitter.py ``choose_scalar_style``), libyaml single-quotes it where it can (yaml/libyaml
  src/emitter.c ``yaml_emitter_select_scalar_style``): the style is given here as ruamel picks it,
  with ruamel's own ``analyze_scalar`` for a string with ``'``;
- a character beyond U+FFFF (an emoji): libyaml escapes it (src/yaml_private.h ``IS_PRINTABLE_AT``
  stops at three UTF-8 bytes), ruamel writes it; CR, U+2028, U+2029 and lone surrogates: written
  or quoted otherwise;
- a mapping key of 123 characters or more, or over 128 UTF-8 bytes: libyaml writes a simple key
  (``key: value``, not ``? key``) up to 128 bytes (src/emitter.c ``yaml_emitter_check_simple_key``),
  ruamel while its characters and the five of the ``!!str`` tag it does not write are below 128
  (emitter.py ``check_simple_key``).

A document holding a value of the second or third kind, or any other type, returns None here and
is written by the pure emitter. tests/foundation/test_yaml_emit.py holds the two equal on every
golden YAML file, odd strings and a generated corpus.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any

STR = "tag:yaml.org,2002:str"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
# ruamel's and libyaml's simple-key limits: within both, a key is simple to both.
KEY_CHARS = 128 - len("!!str")
KEY_BYTES = 128
# Characters one of the two emitters writes differently from the other (see above).
_BREAKS = ("\r", "\u2028", "\u2029")
_MEMO_SIZE = 10_000
# A document nested deeper than yamlio reads (its MAX_DEPTH) is the pure emitter's to write.
MAX_DEPTH = 100


class _PurePath(Exception):
    """A value whose text only ruamel's pure emitter is known to write."""


def dump(data: Any, pure_dumper: Callable[[], Any]) -> str | None:
    """``data`` (plain: ``yamlio._plain``) as the one document that ``pure_dumper()`` (a ruamel
    ``YAML``, pure Python) writes, or None where it holds what only that dumper is known to write,
    or where libyaml is not installed."""
    parts = _parts(pure_dumper)
    if parts is None:
        return None
    make = _Events(parts)
    try:
        events = make.document(data)
    except _PurePath:
        return None
    stream = io.StringIO()
    emitter = parts.emitter(stream)
    for event in events:
        emitter.emit(event)
    emitter.dispose()
    return stream.getvalue()


class _Parts:
    """What the events are made of: ruamel's event classes, the C emitter, and the pure dumper's
    own resolver, representer and emitter, whose decisions the events carry."""

    def __init__(self, cemitter: type, events: Any, dumper: Any) -> None:
        self.events = events
        self.resolve: Callable[..., Any] = dumper.resolver.resolve
        self.represent: Callable[[Any], Any] = dumper.representer.represent_data
        self.analyze: Callable[[str], Any] = dumper.emitter.analyze_scalar
        from ruamel.yaml.nodes import ScalarNode

        self.scalar_node = ScalarNode
        self.head = [events.StreamStartEvent(), events.DocumentStartEvent()]
        self.tail = [events.DocumentEndEvent(), events.StreamEndEvent()]
        self.map_start = events.MappingStartEvent(None, MAP, True, flow_style=False)
        self.seq_start = events.SequenceStartEvent(None, SEQ, True, flow_style=False)
        self.map_end = events.MappingEndEvent()
        self.seq_end = events.SequenceEndEvent()
        # The pure dumper's settings (yamlio._yaml): width 4096, unicode written as it is.
        options = {"width": dumper.width, "allow_unicode": dumper.allow_unicode, "indent": dumper.old_indent}
        self.emitter = functools.partial(cemitter, **options)
        # Both fold a line only past the width (emitter.py write_plain and the quoted writers:
        # ``self.column > self.best_width``; src/emitter.c: ``emitter->column > emitter->best_width``),
        # where they fold apart: a document with a longer line is left to the pure emitter.
        self.line = dumper.width - 8
        # Scalar events by value: keys and most values repeat from item to item.
        self.strings: dict[str, Any] = {}
        self.others: dict[tuple[type, Any], Any] = {}


@functools.cache
def _parts(pure_dumper: Callable[[], Any]) -> _Parts | None:
    dumper = pure_dumper()  # first: it imports ruamel.yaml with the collector off (process.import_large)
    try:
        from ruamel.yaml.cyaml import CEmitter  # type: ignore[attr-defined]
    except ImportError:
        return None
    from ruamel.yaml import events
    from ruamel.yaml.serializer import Serializer

    # Set as ruamel's YAML.dump sets it (main.py get_serializer_representer_emitter): the
    # representer (floats) and the emitter's analysis read its YAML version (none: 1.2).
    dumper.Serializer = Serializer
    return _Parts(CEmitter, events, dumper)


class _Events:
    """The events of one document, made whole before any is emitted, so that a document that
    must take the pure path has written nothing."""

    def __init__(self, parts: _Parts) -> None:
        self.parts = parts
        self.out: list[Any] = []

    def document(self, data: Any) -> list[Any]:
        self.out.extend(self.parts.head)
        self.node(data, 0, 0)
        self.out.extend(self.parts.tail)
        return self.out

    def node(self, data: Any, depth: int, column: int) -> None:
        """``data``'s events; ``column``: the most columns its line can have before it (a
        scalar's text must end within the width, past which the two emitters fold it apart)."""
        kind = type(data)
        if kind is str:
            event, width = self.string(data)
            if column + width > self.parts.line:
                raise _PurePath
            self.out.append(event)
        elif kind is dict or kind is list:
            if depth >= MAX_DEPTH:
                raise _PurePath
            indent = 2 * depth + 2
            parts, out = self.parts, self.out
            if kind is list:
                out.append(parts.seq_start)
                for item in data:
                    self.node(item, depth + 1, indent + 2)
                out.append(parts.seq_end)
                return
            out.append(parts.map_start)
            for key, value in data.items():
                if len(key) > KEY_BYTES // 4 and _long_key(key):
                    raise _PurePath
                event, width = self.string(key)
                out.append(event)
                self.node(value, depth + 1, indent + width + 2)
            out.append(parts.map_end)
        elif kind is int or kind is bool or data is None:
            self.out.append(self.other(kind, data))
        elif kind is float:
            self.out.append(self._other_event(data))  # not by value: 0.0 == -0.0, and NaN is no key
        else:
            raise _PurePath

    def string(self, text: str) -> tuple[Any, int]:
        """A string's event, and the most columns its text can take."""
        memo = self.parts.strings
        known = memo.get(text)
        if known is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            known = memo[text] = (self._string_event(text), _width(text))
        return known

    def _string_event(self, text: str) -> Any:
        if not text.isascii() and _beyond_libyaml(text):
            raise _PurePath
        if "\r" in text:
            raise _PurePath
        parts = self.parts
        plain = parts.resolve(parts.scalar_node, text, (True, False)) == STR
        style = None
        if "\x85" in text:
            style = '"'  # yamlio._escaping_representer
        elif "\n" in text:
            style = '"'  # never plain (a line break), so double-quoted: choose_scalar_style
        elif "'" in text and not (plain and parts.analyze(text).allow_block_plain):
            style = '"'
        return parts.events.ScalarEvent(None, STR, (plain, True), text, style=style)

    def other(self, kind: type, value: Any) -> Any:
        memo = self.parts.others
        event = memo.get((kind, value))
        if event is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            event = memo[kind, value] = self._other_event(value)
        return event

    def _other_event(self, value: Any) -> Any:
        """An int, float, bool or null as ruamel's representer writes it, and its implicit flags as
        ruamel's serializer sets them (serializer.py ``serialize_node``)."""
        parts = self.parts
        node = parts.represent(value)
        implicit = (
            node.ctag == parts.resolve(parts.scalar_node, node.value, (True, False)),
            node.ctag == parts.resolve(parts.scalar_node, node.value, (False, True)),
        )
        return parts.events.ScalarEvent(None, str(node.ctag), implicit, node.value, style=node.style)


def _width(text: str) -> int:
    """The most columns ``text`` takes written: quotes, and each character as its longest escape
    (``\\"`` or ``''``; ``\\x1B``; ``\\uFEFF``)."""
    if text.isascii():
        return 2 + len(text) * (2 if text.isprintable() else 4)
    return 2 + len(text) * 6


def _long_key(key: str) -> bool:
    """Whether a key is too long for both emitters to agree that it is a simple key."""
    return len(key) >= KEY_CHARS or len(key.encode("utf-8", "surrogatepass")) > KEY_BYTES


def _beyond_libyaml(text: str) -> bool:
    """Whether ``text`` (not ASCII) holds U+2028, U+2029, a surrogate or a character beyond
    U+FFFF: the characters that libyaml and ruamel write differently."""
    if any(brk in text for brk in _BREAKS):
        return True
    return max(text) >= "\ud800" and any("\ud800" <= ch <= "\udfff" or ch > "\uffff" for ch in text)
