"""kubectl's JSONPath parser: a port of kubernetes/kubernetes
staging/src/k8s.io/client-go/util/jsonpath/parser.go (and its Node types, node.go)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class JSONPathError(Exception):
    """A template that does not parse, or does not apply to the data (client-go's errors)."""


# ---- nodes (parser.go's Node types) ----------------------------------------------------------


@dataclass
class ListNode:
    nodes: list[Any] = field(default_factory=list)


@dataclass
class Text:
    text: str


@dataclass
class Field:
    name: str


@dataclass
class Param:
    value: int = 0
    known: bool = False
    derived: bool = False


@dataclass
class Array:
    params: list[Param]


@dataclass
class Filter:
    left: ListNode
    right: ListNode
    operator: str


@dataclass
class Literal:
    value: Any  # an int, float or bool node


@dataclass
class Wildcard:
    pass


@dataclass
class Recursive:
    pass


@dataclass
class Union:
    lists: list[ListNode]


@dataclass
class Identifier:
    name: str


# ---- parser (parser.go) ----------------------------------------------------------------------

_DICT_KEY = re.compile(r"^'([^']*)'$")
_SLICE = re.compile(r"^(-?\d*)(:-?\d*)?(:-?\d*)?$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=]+)(.+?)$", re.S)
_EOF = ""


def _is_terminator(ch: str) -> bool:
    return ch in (_EOF, " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}")


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdigit()


class _Parser:
    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.width = 0
        self.root = ListNode()

    def next(self) -> str:
        """The next character, or _EOF (after which backup() stays put, as in parser.go)."""
        if self.pos >= len(self.input):
            self.width = 0
            return _EOF
        self.width = 1
        self.pos += 1
        return self.input[self.pos - 1]

    def backup(self) -> None:
        self.pos -= self.width

    def peek(self) -> str:
        ch = self.next()
        self.backup()
        return ch

    def consume(self) -> str:
        value = self.input[self.start : self.pos]
        self.start = self.pos
        return value

    def parse(self) -> ListNode:
        cur: ListNode | None = self.root
        while cur is not None:
            cur = self.text(cur)
        return self.root

    def text(self, cur: ListNode) -> ListNode | None:
        while True:
            if self.input.startswith("{", self.pos):
                if self.pos > self.start:
                    cur.nodes.append(Text(self.consume()))
                self.pos += 1
                self.consume()
                action = ListNode()
                cur.nodes.append(action)
                self.inside(action)
                return self.root
            if self.next() == _EOF:
                break
        if self.pos > self.start:
            cur.nodes.append(Text(self.consume()))
        return None

    def inside(self, cur: ListNode) -> None:
        while True:
            rest = self.input[self.pos :]
            if rest.startswith("}"):
                self.pos += 1
                self.consume()
                return
            if rest.startswith("[?("):
                self.filter(cur)
                continue
            if rest.startswith(".."):
                self.recursive(cur)
                continue
            ch = self.next()
            if ch in (_EOF, "\r", "\n"):
                raise JSONPathError("unclosed action")
            if ch in (" ", "@", "$"):
                self.consume()
            elif ch == "[":
                self.array(cur)
            elif ch in ('"', "'"):
                self.quote(cur, ch)
            elif ch == ".":
                self.field(cur)
            elif ch in ("+", "-") or ch.isdigit():
                self.backup()
                self.number(cur)
            elif _is_alnum(ch):
                self.backup()
                self.identifier(cur)
            else:
                raise JSONPathError(f"unrecognized character in action: {ch!r}")

    def identifier(self, cur: ListNode) -> None:
        while not _is_terminator(self.next()):
            pass
        self.backup()
        value = self.consume()
        cur.nodes.append(Literal(value == "true") if value in ("true", "false") else Identifier(value))

    def recursive(self, cur: ListNode) -> None:
        if cur.nodes and isinstance(cur.nodes[-1], Recursive):
            raise JSONPathError("invalid multiple recursive descent")
        self.pos += 2
        self.consume()
        cur.nodes.append(Recursive())
        if _is_alnum(self.peek()):
            self.field(cur)

    def number(self, cur: ListNode) -> None:
        if self.peek() in ("+", "-"):
            self.next()
        while True:
            ch = self.next()
            if ch != "." and not (ch and ch.isdigit()):
                self.backup()
                break
        value = self.consume()
        try:
            cur.nodes.append(Literal(int(value)))
        except ValueError:
            try:
                cur.nodes.append(Literal(float(value)))
            except ValueError:
                raise JSONPathError(f"cannot parse number {value}") from None

    def array(self, cur: ListNode) -> None:
        while True:
            ch = self.next()
            if ch in (_EOF, "\n"):
                raise JSONPathError("unterminated array")
            if ch == "]":
                break
        text = self.consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            cur.nodes.append(Union([_parse_action(f"[{p.strip(' ')}]") for p in parts]))
            return
        key = _DICT_KEY.match(text)
        if key:
            cur.nodes.extend(_parse_action(f".{key.group(1)}").nodes)
            return
        match = _SLICE.match(text)
        if match is None:
            raise JSONPathError(f"invalid array index {text}")
        params = [Param(), Param(), Param()]
        for i, raw in enumerate(match.groups()):
            raw = raw or ""
            if raw:
                digits = raw[1:] if i > 0 else raw
                if i > 0 and digits == "":
                    params[i].known = False
                else:
                    params[i].known = True
                    params[i].value = int(digits)
            elif i == 1:
                params[i] = Param(params[0].value + 1, known=True, derived=True)
        cur.nodes.append(Array(params))

    def filter(self, cur: ListNode) -> None:
        self.pos += 3
        self.consume()
        begin = end = False
        pair = ""
        while True:
            ch = self.next()
            if ch in (_EOF, "\n"):
                raise JSONPathError("unterminated filter")
            if ch in ('"', "'"):
                if not begin:
                    begin, pair = True, ch
                    continue
                if self.input[self.pos - 2] != "\\" and ch == pair:
                    end = True
            elif ch == ")" and begin == end:
                break
        if self.next() != "]":
            raise JSONPathError("unclosed array expect ]")
        text = self.consume()[:-2]
        match = _FILTER.match(text)
        if match is None:
            cur.nodes.append(Filter(_parse_action(text), ListNode(), "exists"))
        else:
            cur.nodes.append(Filter(_parse_action(match.group(1)), _parse_action(match.group(3)), match.group(2)))

    def quote(self, cur: ListNode, end: str) -> None:
        while True:
            ch = self.next()
            if ch in (_EOF, "\n"):
                raise JSONPathError("unterminated quoted string")
            if ch == end and self.input[self.pos - 2] != "\\":
                break
        cur.nodes.append(Text(_unquote(self.consume())))

    def field(self, cur: ListNode) -> None:
        self.consume()
        while True:
            ch = self.next()
            if ch == "\\":
                self.next()
            elif _is_terminator(ch):
                self.backup()
                break
        value = self.consume()
        cur.nodes.append(Wildcard() if value == "*" else Field(value.replace("\\", "")))


def _unquote(quoted: str) -> str:
    body = quoted[1:-1]
    if "\\" not in body:
        return body
    try:
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError as exc:
        raise JSONPathError(f"unquote string {quoted} error {exc}") from None


def _parse_action(text: str) -> ListNode:
    root = _Parser("{" + text + "}").parse()
    node = root.nodes[0]
    assert isinstance(node, ListNode)
    return node


def parse(template: str) -> ListNode:
    """Parse a template; JSONPathError names what is wrong."""
    return _Parser(template).parse()
