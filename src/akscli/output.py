"""The one output layer.

stdout carries only the result (table, json, yaml, name, csv) so that it stays machine-readable;
progress, warnings and logs go to stderr. Tables use rich on a TTY and plain kubectl-style
columns when piped; ``NO_COLOR`` turns colour off. rich is imported only when a TTY table or a
spinner is actually drawn.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from akscli import yamlio
from akscli.errors import UsageError

LIST_FORMATS = ("table", "wide", "json", "yaml", "name")
OBJECT_FORMATS = ("table", "json", "yaml")


@dataclass(frozen=True)
class Column:
    header: str
    get: str | Callable[[Any], Any]
    wide: bool = False

    def value(self, item: Any) -> Any:
        if callable(self.get):
            return self.get(item)
        return dig(item, self.get)


def dig(item: Any, path: str, default: Any = None) -> Any:
    """``dig(obj, "status.conditions")``: a dotted path into nested mappings."""
    node = item
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return default
    return node


def check_format(fmt: str, allowed: Sequence[str] = LIST_FORMATS) -> str:
    if fmt not in allowed:
        raise UsageError(f"unknown output format {fmt!r}", hint="use -o " + "|".join(allowed))
    return fmt


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


def color_enabled(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and bool(getattr(stream, "isatty", lambda: False)())


def _text(value: Any) -> str:
    if value is None:
        return "<none>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value) or "<none>"
    if isinstance(value, Mapping):
        return ",".join(f"{k}={v}" for k, v in value.items()) or "<none>"
    return str(value)


def write(text: str) -> None:
    """One line (or block) on stdout; ``write("")`` prints an empty line."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def emit(
    items: Iterable[Any],
    fmt: str,
    columns: Sequence[Column],
    *,
    name: Callable[[Any], str] | None = None,
    raw: Callable[[Any], Any] | None = None,
    empty: str = "No resources found.",
) -> None:
    """Print a list of items in the chosen format."""
    check_format(fmt, (*LIST_FORMATS, "csv"))
    rows = list(items)
    data = [raw(i) for i in rows] if raw else rows
    if fmt == "json":
        write(yamlio.dump_json(data))
    elif fmt == "yaml":
        write(yamlio.dump(data) if data else "[]\n")
    elif fmt == "name":
        for item in rows:
            write(name(item) if name else _default_name(item))
    else:
        shown = [c for c in columns if fmt in ("wide", "csv") or not c.wide]
        table = [[_text(c.value(item)) for c in shown] for item in rows]
        headers = [c.header for c in shown]
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(headers)
            writer.writerows([[_csv(c.value(i)) for c in shown] for i in rows])
            sys.stdout.write(buffer.getvalue())
        elif not rows:
            info(empty)
        else:
            print_table(headers, table)


def _csv(value: Any) -> str:
    """A CSV cell: numbers as a program reads them (no thousands separators), None as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return _text(value)


def _default_name(item: Any) -> str:
    if isinstance(item, Mapping) and "kind" in item:
        return object_ref(item)
    return str(dig(item, "metadata.name") or dig(item, "name") or item)


def age(obj_or_stamp: Mapping[str, Any] | str | None) -> str:
    """kubectl's AGE column (``3d``, ``5h``, ``12m``, ``40s``) from an object or a timestamp."""
    from datetime import UTC, datetime

    stamp = dig(obj_or_stamp, "metadata.creationTimestamp") if isinstance(obj_or_stamp, Mapping) else obj_or_stamp
    if not stamp:
        return "<unknown>"
    try:
        created = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return "<unknown>"
    seconds = int((datetime.now(UTC) - created).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def object_ref(obj: Mapping[str, Any]) -> str:
    """kubectl's ``-o name`` form: ``kind.group/name`` (``kind/name`` for the core group)."""
    api_version = str(obj.get("apiVersion", "v1"))
    group = api_version.split("/")[0] if "/" in api_version else ""
    kind = str(obj.get("kind", "")).lower()
    prefix = f"{kind}.{group}" if group else kind
    return f"{prefix}/{dig(obj, 'metadata.name')}"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    if stdout_is_tty():
        from rich import box
        from rich.console import Console
        from rich.table import Table

        console = Console(no_color="NO_COLOR" in os.environ, highlight=False)
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
        for header in headers:
            table.add_column(header.upper(), overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["   ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    write("\n".join(lines))


def emit_object(obj: Any, fmt: str, *, fields: Sequence[tuple[str, Any]] | None = None) -> None:
    """Print one object: json, yaml, or a two-column key/value table."""
    check_format(fmt, (*OBJECT_FORMATS, "wide", "name"))
    if fmt == "json":
        write(yamlio.dump_json(obj))
    elif fmt == "yaml":
        write(yamlio.dump(obj))
    elif fmt == "name":
        write(_default_name(obj))
    else:
        pairs = fields if fields is not None else _flatten(obj)
        width = max((len(k) for k, _ in pairs), default=0)
        write("\n".join(f"{k + ':':<{width + 1}} {_text(v)}" for k, v in pairs))


def _flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if not isinstance(obj, Mapping):
        return [(prefix or "value", obj)]
    pairs: list[tuple[str, Any]] = []
    for key, value in obj.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            pairs.extend(_flatten(value, path))
        else:
            pairs.append((path, value))
    return pairs


def emit_documents(objects: Sequence[Mapping[str, Any]], fmt: str) -> None:
    """Kubernetes manifests: a YAML stream, a JSON List, or names."""
    check_format(fmt, ("yaml", "json", "name"))
    if fmt == "yaml":
        write(yamlio.dump_all(objects))
    elif fmt == "json":
        items = list(objects)
        body: Any = items[0] if len(items) == 1 else {"apiVersion": "v1", "kind": "List", "items": items}
        write(yamlio.dump_json(body))
    else:
        for obj in objects:
            write(object_ref(obj))


# ---- stderr: progress, warnings, information -------------------------------------------------


def info(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def warn(message: str) -> None:
    prefix = "\x1b[33mwarning:\x1b[0m" if color_enabled(sys.stderr) else "warning:"
    info(f"{prefix} {message}")


def progress(message: str) -> None:
    """One progress line on stderr; with a spinner running, it updates the spinner instead."""
    if _ACTIVE_STATUS:
        _ACTIVE_STATUS[-1](message)
        return
    info(message)


_ACTIVE_STATUS: list[Callable[[str], None]] = []


@contextmanager
def status(message: str) -> Iterator[Callable[[str], None]]:
    """A spinner on a TTY stderr (plain lines otherwise); yields a function to update it."""
    if not stderr_is_tty():
        info(message)
        last = [message]

        def update_plain(text: str) -> None:
            if text != last[0]:
                last[0] = text
                info(text)

        _ACTIVE_STATUS.append(update_plain)
        try:
            yield update_plain
        finally:
            _ACTIVE_STATUS.pop()
        return
    from rich.console import Console

    console = Console(stderr=True, no_color="NO_COLOR" in os.environ)
    started = time.monotonic()
    with console.status(message) as spinner:

        def update(text: str) -> None:
            spinner.update(f"{text} [{time.monotonic() - started:,.0f}s]")

        _ACTIVE_STATUS.append(update)
        try:
            yield update
        finally:
            _ACTIVE_STATUS.pop()
