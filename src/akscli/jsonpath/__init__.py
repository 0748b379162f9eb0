"""kubectl's JSONPath templates (``-o jsonpath=...``) and custom columns (``-o custom-columns=...``).

A port of kubernetes/kubernetes staging/src/k8s.io/client-go/util/jsonpath (parser.go,
jsonpath.go) and of kubectl's custom-columns printer and RelaxedJSONPathExpression
(staging/src/k8s.io/kubectl/pkg/cmd/get/customcolumn.go), so a template prints what kubectl
prints for the same JSON: results of one action joined by spaces, maps and lists as compact
JSON, ``{range}``/``{end}``, filters, unions, slices, recursive descent and quoted text.
No Python JSONPath library speaks this dialect (templates with literal text, ``range`` and
``end``), hence the port. Its tests take their cases from client-go's jsonpath_test.go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from akscli.errors import UsageError
from akscli.jsonpath.gofmt import go_json, go_text, go_type
from akscli.jsonpath.parser import (
    Array,
    Field,
    Filter,
    Identifier,
    JSONPathError,
    ListNode,
    Literal,
    Param,
    Recursive,
    Text,
    Union,
    Wildcard,
    parse,
)
from akscli.printable import visible

__all__ = ["JSONPathError", "check", "execute", "go_json", "parse", "render_columns", "render_template"]


# ---- evaluation (jsonpath.go) ----------------------------------------------------------------


class _Run:
    def __init__(self, nodes: list[Any], allow_missing: bool) -> None:
        self.nodes = nodes
        self.allow_missing = allow_missing
        self.begin_range = self.in_range = self.end_range = 0
        self.last_end = -1

    def find(self, data: Any, start: int = 0) -> list[list[Any]]:
        cur = [data]
        full: list[list[Any]] = []
        i = start
        while i < len(self.nodes):
            results = self.walk(cur, self.nodes[i])
            if self.end_range > 0 and self.end_range <= self.in_range:
                self.end_range -= 1
                self.last_end = i
                break
            if self.begin_range > 0:
                self.begin_range -= 1
                self.in_range += 1
                if results:
                    for value in results:
                        full += self.find(value, i + 1)
                else:
                    self.find(None, i + 1)  # only to move on to the matching {end}
                self.in_range -= 1
                if self.last_end > i:
                    i = self.last_end
                i += 1
                continue
            full.append(results)
            i += 1
        return full

    def walk(self, values: list[Any], node: Any) -> list[Any]:
        if isinstance(node, ListNode):
            for child in node.nodes:
                values = self.walk(values, child)
            return values
        if isinstance(node, Text):
            return [node.text]
        if isinstance(node, Literal):
            return [node.value for _ in values]
        if isinstance(node, Field):
            return self.field(values, node.name)
        if isinstance(node, Array):
            return self.array(values, node.params)
        if isinstance(node, Filter):
            return self.filter(values, node)
        if isinstance(node, Wildcard):
            return [child for value in values if value is not None for child in _children(value)]
        if isinstance(node, Recursive):
            return _recursive(values)
        if isinstance(node, Union):
            return [found for part in node.lists for found in self.walk(values, part)]
        if isinstance(node, Identifier):
            return self.identifier(values, node.name)
        raise JSONPathError(f"unexpected Node {node}")

    def identifier(self, values: list[Any], name: str) -> list[Any]:
        if name == "range":
            self.begin_range += 1
            return values
        if name == "end":
            if self.in_range > 0:
                self.end_range += 1
                return []
            raise JSONPathError("not in range, nothing to end")
        raise JSONPathError(f"unrecognized identifier {name}")

    def field(self, values: list[Any], name: str) -> list[Any]:
        if not values:
            return []
        found = [value[name] for value in values if isinstance(value, Mapping) and name in value]
        if not found and not self.allow_missing:
            raise JSONPathError(f"{name} is not found")
        return found

    def array(self, values: list[Any], params: list[Param]) -> list[Any]:
        result: list[Any] = []
        for value in values:
            if value is None:
                continue
            if not isinstance(value, list):
                raise JSONPathError(f"{go_type(value)} is not array or slice")
            length = len(value)
            start = params[0].value if params[0].known else 0
            start += length if start < 0 else 0
            stop = params[1].value if params[1].known else length
            if stop < 0 or (stop == 0 and params[1].derived):
                stop += length
            if stop == start:
                return result
            if start >= length or start < 0:
                raise JSONPathError(f"array index out of bounds: index {start}, length {length}")
            if stop > length or stop < 0:
                raise JSONPathError(f"array index out of bounds: index {stop - 1}, length {length}")
            if start > stop:
                raise JSONPathError(f"starting index {start} is greater than ending index {stop}")
            step = 1
            if params[2].known:
                if params[2].value <= 0:
                    raise JSONPathError("step must be > 0")
                step = params[2].value
            result += value[start:stop:step]
        return result

    def filter(self, values: list[Any], node: Filter) -> list[Any]:
        result: list[Any] = []
        for value in values:
            if not isinstance(value, list):
                raise JSONPathError(f"{go_text(value)} is not array or slice and cannot be filtered")
            for item in value:
                try:
                    lefts = self.walk([item], node.left)
                except JSONPathError:
                    if node.operator == "exists":
                        continue
                    raise
                if node.operator == "exists":
                    if lefts:
                        result.append(item)
                    continue
                if len(lefts) > 1:
                    raise JSONPathError("can only compare one element at a time")
                rights = self.walk([item], node.right)
                if len(rights) > 1:
                    raise JSONPathError("can only compare one element at a time")
                if lefts and rights and _compare(lefts[0], rights[0], node.operator):
                    result.append(item)
        return result


def _children(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return list(value.values())
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        return list(value.encode())
    return []


def _recursive(values: list[Any]) -> list[Any]:
    result: list[Any] = []
    for value in values:
        if value is None:
            continue
        children = _children(value)
        if children:
            result.append(value)
            if not isinstance(value, str):
                result += _recursive(children)
    return result


def _compare(left: Any, right: Any, operator: str) -> bool:
    """text/template's eq/ne/lt/le/gt/ge (client-go's forked template package)."""
    numbers = (int, float)
    same = (
        (
            (isinstance(left, numbers) and isinstance(right, numbers) and not isinstance(left, bool))
            and not isinstance(right, bool)
        )
        or (isinstance(left, str) and isinstance(right, str))
        or (isinstance(left, bool) and isinstance(right, bool))
    )
    if not same:
        raise JSONPathError("incompatible types for comparison")
    if operator == "==":
        return bool(left == right)
    if operator == "!=":
        return bool(left != right)
    if isinstance(left, bool):
        raise JSONPathError("invalid type for comparison")
    checks = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}
    if operator not in checks:
        raise JSONPathError(f"unrecognized filter operator {operator}")
    return bool(checks[operator])


def _print_results(results: Sequence[Any]) -> str:
    return " ".join(go_json(r) if isinstance(r, (Mapping, list)) else go_text(r) for r in results)


def execute(template: str | ListNode, data: Any, *, allow_missing_keys: bool = True, as_json: bool = False) -> str:
    """What kubectl prints for ``-o jsonpath=TEMPLATE`` on ``data`` (missing keys allowed, as
    kubectl's --allow-missing-template-keys defaults). ``as_json`` is ``-o jsonpath-as-json=``:
    each result group as one JSON array indented by four spaces, a newline after it
    (upstream: kubernetes/kubernetes staging/src/k8s.io/client-go/util/jsonpath/jsonpath.go,
    PrintResults with outputJSON)."""
    root = parse(template) if isinstance(template, str) else template
    run = _Run(root.nodes, allow_missing_keys)
    if as_json:
        return "".join(go_json(list(results), "    ") + "\n" for results in run.find(data))
    return "".join(_print_results(results) for results in run.find(data))


# ---- -o jsonpath= and -o custom-columns= -----------------------------------------------------

JSONPATH = "jsonpath="
JSONPATH_AS_JSON = "jsonpath-as-json="
CUSTOM_COLUMNS = "custom-columns="
_RELAXED = re.compile(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$")


def relaxed(expression: str) -> str:
    """kubectl's RelaxedJSONPathExpression: ``a.b``, ``.a.b``, ``{a.b}`` and ``{.a.b}`` alike."""
    match = _RELAXED.match(expression)
    if match is None:
        raise UsageError(
            f"unexpected path string {expression!r}",
            hint="write a column as HEADER:.a.b (or a.b, {.a.b})",
        )
    return "{." + (match.group(1) or match.group(2)) + "}"


@dataclass(frozen=True)
class Column:
    header: str
    template: ListNode


def parse_columns(spec: str) -> list[Column]:
    if not spec:
        raise UsageError(
            "custom-columns format specified but no custom columns given",
            hint="e.g. -o custom-columns=NAME:.metadata.name",
        )
    columns = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep:
            raise UsageError(
                f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>",
                hint="e.g. -o custom-columns=NAME:.metadata.name,PHASE:.status.phase",
            )
        columns.append(Column(header, parse_checked(relaxed(path))))
    return columns


def parse_checked(template: str) -> ListNode:
    """Parse a template given on the command line: a syntax error is a usage error."""
    try:
        return parse(template)
    except JSONPathError as exc:
        raise UsageError(
            f"invalid jsonpath template {template!r}: {exc}", hint="see kubectl's JSONPath syntax"
        ) from None


def check(fmt: str) -> None:
    """Validate a jsonpath= or custom-columns= format before anything runs. An empty template is
    refused as kubectl refuses it (upstream: kubernetes/kubernetes
    staging/src/k8s.io/cli-runtime/pkg/genericclioptions/jsonpath_flags.go, ToPrinter)."""
    if fmt in (JSONPATH, JSONPATH_AS_JSON):
        raise UsageError("template format specified but no template given", hint=f"e.g. -o '{fmt}{{.metadata.name}}'")
    if fmt.startswith(JSONPATH):
        parse_checked(fmt[len(JSONPATH) :])
    elif fmt.startswith(JSONPATH_AS_JSON):
        parse_checked(fmt[len(JSONPATH_AS_JSON) :])
    elif fmt.startswith(CUSTOM_COLUMNS):
        parse_columns(fmt[len(CUSTOM_COLUMNS) :])


def render_template(template: str, data: Any, *, as_json: bool = False) -> str:
    try:
        return execute(parse_checked(template), data, as_json=as_json)
    except JSONPathError as exc:
        raise UsageError(
            f"error executing jsonpath {template!r}: {exc}", hint="check the path against -o json"
        ) from None


# kubectl's table writer (kubernetes/cli-runtime pkg/printers/tabwriter.go tabwriterMinWidth,
# tabwriterPadding).
_MIN_WIDTH = 6
_PADDING = 3


def render_columns(spec: str, rows: Sequence[Any], *, headers: bool = True) -> str:
    """kubectl's custom-columns table, ``<none>`` when empty. kubectl get hands the printer its own
    tabwriter (kubernetes/kubectl pkg/cmd/get/get.go, printers.GetNewTabWriter; customcolumn.go
    PrintObj keeps a tabwriter it is given): minwidth 6, padding 3 (kubernetes/cli-runtime
    pkg/printers/tabwriter.go), so a column is its widest cell plus 3, at least 6, the last one
    unpadded. kubectl v1.32.4 prints ``A     B`` over ``v1    Node``. ``headers`` False for
    --no-headers (upstream: kubernetes/kubectl dee3483a pkg/cmd/get/customcolumn.go
    CustomColumnsPrinter.NoHeaders: no header line)."""
    columns = parse_columns(spec)
    table = [[c.header for c in columns]] if headers else []
    for row in rows:
        cells = []
        for column in columns:
            try:
                found = _Run(column.template.nodes, True).find(row)
            except JSONPathError as exc:
                raise UsageError(
                    f"custom-columns {column.header}: {exc}", hint="check the path against -o json"
                ) from None
            cells.append(_cell(found))
        table.append(cells)
    if not table:
        return ""
    widths = [max(_MIN_WIDTH, max(len(r[i]) for r in table) + _PADDING) for i in range(len(columns))]
    lines = ["".join(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=False)) + r[-1] for r in table]
    return "\n".join(lines) + "\n"


def _cell(found: Sequence[Sequence[Any]]) -> str:
    """One column's text (printOneObject): every value, "," between; <none> leads when the
    first result is empty; control characters never reach the terminal. kubectl escapes ESC as
    ``^[`` and CR as ``\\r`` (kubernetes/cli-runtime pkg/printers/terminal.go EscapeTerminal, called
    by kubernetes/kubectl pkg/cmd/get/customcolumn.go printOneObject); akscli writes every C0
    control but the tab in that caret notation (``^[``, ``^M``), DEL as ``^?``, and any other
    character Python counts as unprintable (a C1 control such as CSI U+009B, a line or paragraph
    separator, a bidi override) as its escape, ``\\x9b``, as table cells show it
    (akscli.printable.visible)."""
    texts = ["<none>"] if not found or not found[0] else []
    texts += [go_text(v) for group in found for v in group]
    text = ",".join(texts)
    if text.isprintable():
        return text
    return "".join(_cell_char(ch) for ch in text)


def _cell_char(ch: str) -> str:
    if ch == "\t" or ch.isprintable():
        return ch
    if ch < " " or ch == "\x7f":
        return f"^{chr((ord(ch) + 64) % 128)}"
    return visible(ch)
