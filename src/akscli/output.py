"""The one output layer.

stdout carries only the result (table, json, yaml, name, csv) so that it stays machine-readable;
progress, warnings and logs go to stderr. Tables use rich on a TTY and plain kubectl-style
columns when piped; ``NO_COLOR`` turns colour off. rich is imported only when a TTY table or a
spinner is actually drawn.
"""

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from akscli import printable
from akscli.errors import UsageError
from akscli.globals import FLAGS
from akscli.object_names import age as age
from akscli.object_names import dig as dig
from akscli.object_names import event_age as event_age
from akscli.object_names import human_duration as human_duration
from akscli.object_names import kind_group as kind_group
from akscli.object_names import kind_ref as kind_ref
from akscli.object_names import named as named
from akscli.object_names import object_name as object_name
from akscli.object_names import object_ref as object_ref
from akscli.records import Record
from akscli.statuslines import Repeats as Repeats
from akscli.statuslines import as_invoked as as_invoked
from akscli.statuslines import color_enabled as color_enabled
from akscli.statuslines import elapsed as elapsed
from akscli.statuslines import info as info
from akscli.statuslines import progress as progress
from akscli.statuslines import status as status
from akscli.statuslines import stderr_is_tty as stderr_is_tty
from akscli.statuslines import warn as warn

# kubectl's template formats: ``-o jsonpath=TEMPLATE``, ``-o custom-columns=SPEC`` (a prefix each).
JSONPATH = "jsonpath="
CUSTOM_COLUMNS = "custom-columns="
# kubectl's third spelling of a JSONPath printer: each result group as an indented JSON array
# (upstream: kubernetes/kubernetes staging/src/k8s.io/cli-runtime/pkg/genericclioptions/
# jsonpath_flags.go, jsonFormats; printers/jsonpath.go, PrintResults). A command that prints jsonpath= prints it too.
JSONPATH_AS_JSON = "jsonpath-as-json="
TEMPLATE_FORMATS = (JSONPATH, JSONPATH_AS_JSON, CUSTOM_COLUMNS)
LIST_FORMATS = ("table", "wide", "json", "yaml", "name", JSONPATH, CUSTOM_COLUMNS)
# One object prints in the same formats as a list: wide is its table, name is kind/name.
OBJECT_FORMATS = LIST_FORMATS
# What a manifest prints as: the printers of kubectl create/apply -o (k8s.io/cli-runtime,
# pkg/genericclioptions/print_flags.go: json, yaml, name, jsonpath...; no wide or custom-columns,
# which are kubectl get's table printers).
MANIFEST_FORMATS = ("yaml", "json", "name", JSONPATH)
# A command that applies objects: its default lines (``x created``), or the manifest formats;
# --dry-run=client prints the manifests (yaml for the default).
APPLY_FORMATS = ("table", *MANIFEST_FORMATS)
# kubectl delete prints its line or, with -o name, each deleted object's kind.group/name; any
# other format is refused (upstream: kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/cmd/
# delete/delete.go, Validate: "We only support '-o name'").
DELETE_FORMATS = ("name",)


class Column(Record):
    """One column of a table: its header, and a dotted path into each item or a function of it.

    A Record, as are the other records every command or offline command loads: cheaper to make
    at import than a NamedTuple or a dataclass (akscli.records says why; docs/changes/audit31-perf31b.md)."""

    header: str
    get: str | Callable[[Any], Any]
    wide: bool = False

    def value(self, item: Any) -> Any:
        if callable(self.get):
            return self.get(item)
        return dig(item, self.get)


def template_format(fmt: str) -> bool:
    """``jsonpath=TEMPLATE`` or ``custom-columns=SPEC``: kubectl's formats over the JSON output."""
    return fmt.startswith(TEMPLATE_FORMATS)


def structured(fmt: str) -> bool:
    """The formats printed from the full object (json, yaml, jsonpath=, custom-columns=)."""
    return fmt in ("json", "yaml") or template_format(fmt)


def shown_formats(allowed: Sequence[str]) -> str:
    """``table|json|jsonpath=TEMPLATE``: the formats as help and hints write them."""
    words = {JSONPATH: "jsonpath=TEMPLATE", CUSTOM_COLUMNS: "custom-columns=SPEC"}
    return "|".join(words.get(f, f) for f in allowed)


def check_format(fmt: str, allowed: Sequence[str] = LIST_FORMATS) -> str:
    """``fmt`` if it is one of ``allowed`` (where ``allowed`` has ``jsonpath=`` or
    ``custom-columns=``, any template of it, checked here before anything runs); otherwise a
    usage error naming the formats the command prints, as kubectl refuses a printer it does not
    have before it sends anything."""
    prefix = next((p for p in TEMPLATE_FORMATS if fmt.startswith(p)), None)
    if prefix == JSONPATH_AS_JSON and JSONPATH in allowed:
        prefix = JSONPATH
    if prefix is not None and prefix in allowed:
        from akscli import jsonpath

        jsonpath.check(fmt)
        return fmt
    if prefix is not None or fmt not in allowed:
        hint = "use -o " + shown_formats(allowed)
        if (instead := AZ_FORMATS.get(fmt)) is not None and instead[0] in allowed:
            hint += f" ({instead[1]})"
        raise UsageError(f"unknown output format {fmt!r}", hint=hint)
    return fmt


# az's output formats that kubectl's printers lack (microsoft/knack knack/output.py,
# OutputProducer._FORMAT_DICT), to the format of akscli's that does their job.
AZ_FORMATS = {
    "tsv": (JSONPATH, "az's tsv: -o jsonpath=TEMPLATE prints the fields it names, bare, as kubectl does"),
    "jsonc": ("json", "az's jsonc is -o json here"),
    "yamlc": ("yaml", "az's yamlc is -o yaml here"),
}


def _emit_template(fmt: str, data: Any, rows: Sequence[Any]) -> None:
    """-o jsonpath= on ``data``; -o custom-columns= one row per item of ``rows``."""
    from akscli import jsonpath

    if fmt.startswith(JSONPATH):
        sys.stdout.write(jsonpath.render_template(fmt[len(JSONPATH) :], data))
    elif fmt.startswith(JSONPATH_AS_JSON):
        sys.stdout.write(jsonpath.render_template(fmt[len(JSONPATH_AS_JSON) :], data, as_json=True))
    else:
        sys.stdout.write(jsonpath.render_columns(fmt[len("custom-columns=") :], rows, headers=not FLAGS.no_headers))
    sys.stdout.flush()
    _warn_no_metadata(fmt, rows)


def _warn_no_metadata(fmt: str, rows: Sequence[Any]) -> None:
    """A template that reads ``.metadata`` (kubectl's habit: ``{.items[*].metadata.name}``) on
    rows that are akscli's records, which have none: kubectl allows missing keys, so it printed
    nothing and said nothing. The warning, on stderr, names the fields the rows do have."""
    if ".metadata" not in fmt or not rows or not all(isinstance(r, Mapping) and "metadata" not in r for r in rows):
        return
    keys = [str(key) for key in rows[0]]
    named = "; the name is .name" if "name" in keys else ""
    more = ", ..." if len(keys) > 6 else ""
    warn(f"the items have no .metadata: their fields are {', '.join(keys[:6])}{more} (-o json shows them){named}")


def heading(header: str) -> str:
    """A column's header as the table prints it: upper case, words apart by one space
    (``VM SIZE``, ``RESOURCE GROUP``). kubectl's table printer upper-cases each column's name
    (upstream: kubernetes/cli-runtime 69e8693b pkg/printers/tableprinter.go printTable,
    ``strings.ToUpper(column.Name)``), and the names it gets from the API server part words with a
    space (kubernetes/kubernetes pkg/printers/internalversion/printers.go: "Nominated Node",
    "Readiness Gates", "Min Available"); a hyphen there sits only inside one compound term
    ("Up-to-date", "External-IP"), which akscli's headers do not have.
    tests/foundation/test_table_headers.py holds every Column's header to ``HEADER_RULE``."""
    return header.upper()


# A header akscli writes: words of letters, digits and the unit signs in use ($ / . % p), one
# space between them, no hyphen and no underscore.
HEADER_RULE = r"^[A-Za-z0-9$/.%()]+( [A-Za-z0-9$/.%()]+)*$"


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


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


def write(text: str, *, raw: bool = False) -> None:
    """One line (or block) on stdout; ``write("")`` prints an empty line.

    Each control character but the line break and the tab is written as its escape
    (printable.terminal_safe): a key/value view, a plan, a status line or a model's reply repeats
    words from the cluster or a server, and ESC or CSI there would act on the terminal. ``raw``:
    a container's log lines, which ``kubectl logs`` copies to stdout as they came (upstream:
    kubernetes/kubectl pkg/cmd/logs/logs.go DefaultConsumeRequest), and text already made safe.

    Once a server took a change, a reader that went away (``| grep -q created``, ``| head -1``)
    no longer ends the command: the rest of stdout goes to /dev/null and it goes on to its other
    steps (a model's revision, the server a deploy replaces, its wait), where it used to stop
    half done. A read still ends there (cli/main.py: exit 0)."""
    try:
        text = text if raw else printable.terminal_safe(text)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        from akscli import process

        if not process.has_written():
            raise
        process.discard_stdout()


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
    if fmt in ("json", "yaml", "name"):
        _stream(items, fmt, name=name, raw=raw)
        return
    if template_format(fmt):
        rows = list(items)
        data = printable.shown([raw(i) for i in rows] if raw else rows, fmt)
        # kubectl applies a template to a list as to a v1 List: {.items[*].metadata.name}
        plain = _plain(data)
        _emit_template(fmt, list_document(plain), plain)
        return
    # A table holds its cells, not the items: each item becomes its row's text as it arrives (a
    # page of a Kubernetes or ARM list at a time) and is dropped. kubectl get holds rows too: it
    # asks the server for each chunk as a Table (transformRequests) and prints once every chunk
    # is in (upstream: kubernetes/kubectl dee3483a pkg/cmd/get/get.go Run, r.Infos()).
    shown = [c for c in columns if fmt in ("wide", "csv") or not c.wide]
    cell = _csv if fmt == "csv" else _text
    table = [[cell(c.value(item)) for c in shown] for item in items]
    headers = [c.header for c in shown]
    if fmt == "csv":
        lines = [] if FLAGS.no_headers else [_csv_line(headers)]
        sys.stdout.write("".join(lines + [_csv_line(row) for row in table]))
    elif not table:
        info(empty)
    else:
        print_table(headers, table, [c.wide for c in shown])


def _stream(
    items: Iterable[Any], fmt: str, *, name: Callable[[Any], str] | None, raw: Callable[[Any], Any] | None
) -> None:
    """-o json, yaml or name of a list: each item is turned into its text as it arrives, so one
    item is held at a time and not the whole document (akscli.liststream: the same bytes as the
    whole document's dump). The text is written only once the last item is in, as kubectl get
    prints only once every chunk came (kubernetes/kubectl dee3483a pkg/cmd/get/get.go printGeneric:
    r.Infos() first). A page that fails leaves stdout empty, so a script's pipe reads no part of a
    list as the whole. kubectl differs there: it prints the chunks it got, then the error, exit 1
    (v1.32.4 in tests/kube_emulator/test_kubectl_fidelity.py, the Expired test)."""
    if fmt == "name":
        lines = [name(item) if name else _default_name(item) for item in items]
        for line in lines:
            write(line)
        return
    from akscli import liststream

    shown = (printable.shown(raw(i) if raw else i, fmt) for i in items)
    text = "".join(liststream.chunks(shown, fmt, list_document))
    sys.stdout.write(text + ("\n" if fmt == "json" else ""))
    sys.stdout.flush()


def no_resources(namespace: str | None) -> str:
    """The line an empty table of Kubernetes objects prints on stderr: the namespace listed, or
    None for -A or a cluster-scoped list.
    upstream: kubernetes/kubectl dee3483a pkg/cmd/get/get.go Run ("No resources found in %s
    namespace." without -A, "No resources found" with it; on ErrOut, only for the human-readable
    printers). kubectl says "in default namespace" for an empty cluster-scoped kind too (its
    allResourcesNamespaced starts true and no object clears it); akscli names no namespace there."""
    return f"No resources found in {namespace} namespace." if namespace else "No resources found"


def list_document(items: Sequence[Any]) -> dict[str, Any]:
    """A list as kubectl get prints it in json, yaml and its templates: a v1 List, for
    Kubernetes objects and akscli's own records alike, so -o json, -o yaml and -o jsonpath= show
    the same document. Keys in kubectl's order (it marshals a map: sorted), metadata with an
    empty resourceVersion, ``items: []`` when there is none.
    upstream: kubernetes/kubectl v0.32.4 pkg/cmd/get/get.go, printGeneric (the
    UnstructuredList of kind List, metadata {"resourceVersion": ...})."""
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def _csv(value: Any) -> str:
    """A CSV cell: numbers as a program reads them (no thousands separators), None as empty.

    Text that starts with ``=``, ``+``, ``-``, ``@``, a tab, CR or LF gets a leading ``'``, so that a
    spreadsheet shows it as text and runs no formula: OWASP's remedy for CSV (formula) injection
    (OWASP/www-community pages/attacks/CSV_Injection.md). A pool or namespace name, a label, a
    message come from whoever may write to the cluster, and ``gpu usage -o csv > usage.csv`` is
    made to be opened in one. A number akscli computed is left as it is (``-1.5`` is no formula).
    A program that needs every value exactly reads ``-o json``. az has no csv; its ``-o tsv``
    escapes nothing (microsoft/knack knack/output.py _TsvOutput), and kubectl has neither."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _text(value)
    if isinstance(value, int | float):
        return repr(value)
    text = printable.terminal_safe(_text(value), keep="\t\r\n")  # those three are quoted (_csv_line)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _csv_line(cells: Sequence[str]) -> str:
    """One record as RFC 4180 section 2 writes it: a field that holds a comma, a double quote, a CR
    or an LF is enclosed in double quotes, a double quote inside doubled. Python's csv writer left a
    lone CR unquoted (with ``lineterminator="\\n"``), which a reader that takes CR as a line break
    splits the record at. Records end with LF, not the RFC's CRLF: what Unix tools and Python's csv
    reader read alike."""
    return ",".join(_csv_field(c) for c in cells) + "\n"


def _csv_field(cell: str) -> str:
    if any(ch in cell for ch in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _default_name(item: Any) -> str:
    if isinstance(item, Mapping) and "kind" in item:
        return object_ref(item)
    return str(dig(item, "metadata.name") or dig(item, "name") or item)


def deleted(
    api_version: str,
    kind: str,
    name: str,
    namespace: str | None,
    mode: str = "none",
    fmt: str | None = None,
    why: str | None = None,
    beside: str = "table",
) -> None:
    """kubectl delete's line: ``raycluster.ray.io "rc" deleted from ml namespace`` for an object
    of ``namespace``, ``clusterresourceplacement.placement.kubernetes-fleet.io "p" deleted`` for a
    cluster-scoped one (``namespace`` None), then `` (dry run)`` or `` (server dry run)``; with
    ``-o name`` (``fmt``) only ``raycluster.ray.io/rc``, dry run or not. As kubectl 1.34 and later
    print it (upstream: kubernetes/kubectl HEAD dee3483 pkg/cmd/delete/delete.go, PrintObj; the
    namespace came in kubernetes/kubernetes#126619, first released in kubectl 1.34.0: 1.32 and
    1.33 print no namespace). akscli never deletes with --grace-period=0, so never kubectl's
    ``force deleted``. ``why``: akscli's reason for a deletion the user did not name (a model
    deploy or rollback removing what it no longer renders), after kubectl's line in parentheses.
    ``beside``: the -o format of the command's own output (a deploy's applied objects); unless
    that is the table, the line goes to stderr, so stdout stays one JSON, YAML or name list."""
    if fmt == "name":
        write(kind_ref(api_version, kind, name))
        return
    operation = f"deleted from {namespace} namespace" if namespace else "deleted"
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(mode, "")
    reason = f" ({why})" if why else ""
    line = f'{kind_group(api_version, kind)} "{name}" {operation}{suffix}{reason}'
    if beside == "table":
        write(line)
    else:
        info(line)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], wide: Sequence[bool] = ()) -> None:
    """kubectl's table: whole values in columns three spaces apart, never a value broken across
    lines. On a terminal narrower than the table, the -o wide columns (``wide``) go first,
    rightmost first; what still does not fit wraps as the terminal wraps any long line.
    ``--no-headers`` (kubectl get's flag, for the default and custom-columns printers: upstream
    kubernetes/kubectl dee3483a pkg/cmd/get/get_flags.go; kubernetes/cli-runtime 69e8693b
    pkg/printers/tableprinter.go printTable) leaves the header line out, and the columns are as
    wide as their cells.

    A cell is written as printable.visible shows it: a value from the cluster (a RayJob's
    entrypoint, a condition's message) that holds an escape sequence or a carriage return would
    otherwise move the cursor, recolour or clear the terminal, or set its clipboard (OSC 52).
    kubectl's table escapes ESC and CR for the same reason (upstream: kubernetes/cli-runtime
    69e8693b pkg/printers/tableprinter.go appendCellValue, terminal.go WriteEscaped;
    kubernetes/kubernetes#101695), and cuts a cell at its first line break; akscli shows the
    break as ``\\n`` and the rest of the cell. A cell is also written as the server's words are
    on stderr (akscli.redact.server_text): a condition's or an event's message that quotes a
    ``password=``, an ``Authorization`` header or a token shows ``***`` there (kubectl shows it)."""
    from akscli.redact import server_text

    rows = [[printable.visible(server_text(cell)) for cell in row] for row in rows]
    if FLAGS.no_headers:
        headers = [""] * len(headers)
    keep = list(range(len(headers)))
    if stdout_is_tty():
        import shutil

        columns = shutil.get_terminal_size().columns
        dropped = 0
        for index in reversed([i for i, w in enumerate(wide) if w]):
            if _table_width(headers, rows, keep) <= columns:
                break
            keep.remove(index)
            dropped += 1
        if dropped:
            info(f"({dropped} wide column(s) left out to fit {columns} columns; widen the terminal or pipe the output)")
    widths = {i: max(len(headers[i]), *(len(r[i]) for r in rows)) for i in keep}
    head = "   ".join(heading(headers[i]).ljust(widths[i]) for i in keep).rstrip()
    if color_enabled():
        head = f"\x1b[1m{head}\x1b[0m"
    lines = [] if FLAGS.no_headers else [head]
    lines += ["   ".join(r[i].ljust(widths[i]) for i in keep).rstrip() for r in rows]
    write("\n".join(lines), raw=True)  # cells made visible above; the header's bold is ours


def _table_width(headers: Sequence[str], rows: Sequence[Sequence[str]], keep: Sequence[int]) -> int:
    return sum(max(len(headers[i]), *(len(r[i]) for r in rows)) for i in keep) + 3 * (len(keep) - 1)


def emit_object(
    obj: Any,
    fmt: str,
    *,
    fields: Sequence[tuple[str, Any]] | None = None,
    rows: Sequence[Any] | None = None,
    name: Callable[[Any], str] | None = None,
) -> None:
    """Print one object: json, yaml, a two-column key/value table, or ``-o name``.

    ``rows``: a report's rows (its table's lines, as they are in its -o json), to which
    ``-o custom-columns=`` applies one line each, as kubectl applies it to each item of a list;
    without them the one object is the one row. ``name``: its ``-o name``, the function the
    command's list passes to ``emit`` (a record's ``kind/name``), so that a single object
    prints as it does in the list."""

    check_format(fmt, OBJECT_FORMATS)
    if structured(fmt):
        obj = printable.shown(obj, fmt)
        rows = printable.shown(list(rows), fmt) if rows is not None else None
    if template_format(fmt):
        plain = _plain(obj)
        _emit_template(fmt, plain, _plain(list(rows)) if rows is not None else [plain])
    elif fmt == "json":
        write(_json_text(obj))
    elif fmt == "yaml":
        write(_yaml_text(obj))
    elif fmt == "name":
        write(name(obj) if name else object_name(obj))
    else:
        pairs = fields if fields is not None else _flatten(obj)
        width = max((len(k) for k, _ in pairs), default=0)
        from akscli.redact import server_text

        write("\n".join(f"{k + ':':<{width + 1}} {server_text(_text(v))}" for k, v in pairs))


# akscli.yamlio is imported on first use: a table needs neither its YAML nor its JSON writer.
def _json_text(data: Any) -> str:
    from akscli import yamlio

    return yamlio.dump_json(data)


def _yaml_text(data: Any) -> str:
    from akscli import yamlio

    return yamlio.dump(data)


def _yaml_stream(objects: Iterable[Any]) -> str:
    from akscli import yamlio

    return yamlio.dump_all(objects)


def _plain(data: Any) -> Any:
    """JSON-shaped data (what -o json prints), for templates."""

    import json

    return json.loads(_json_text(data))


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


def emit_documents(objects: Iterable[Mapping[str, Any]], fmt: str) -> None:
    """Kubernetes manifests: a YAML stream, a JSON List, or names. As ``_stream`` does for a
    list, each object becomes its text as it arrives (``objects`` may be a generator: one probe
    Job per GPU node of a 75,000-node cluster), and the text is written once all are in."""

    check_format(fmt, MANIFEST_FORMATS)
    if template_format(fmt):
        items = [_plain(o) for o in printable.shown(list(objects), fmt)]
        _emit_template(fmt, _applied_document(items), items)
    elif fmt == "yaml":
        # A YAML stream, as kubectl create -o yaml and helm template print manifests, so that it
        # pipes to kubectl apply -f - (kubectl apply -o yaml prints the List of _applied_document).
        write(_yaml_stream(printable.shown(o, fmt) for o in objects))
    elif fmt == "json":
        _emit_json_documents(printable.shown(o, fmt) for o in objects)
    else:
        for line in [object_ref(obj) for obj in objects]:
            write(line)


def _emit_json_documents(objects: Iterator[Any]) -> None:
    """``_applied_document`` as JSON, each object dumped as it arrives: one bare, more as the
    List (akscli.liststream makes the List's text piece by piece, the bytes of the whole dump)."""
    from itertools import chain

    from akscli import liststream

    first = next(objects, _NONE)
    second = next(objects, _NONE)
    if second is _NONE:
        write(_json_text(_applied_document([] if first is _NONE else [first])))
        return
    write("".join(liststream.chunks(chain([first, second], objects), "json", _applied_list)))


_NONE = object()


def _applied_list(items: list[Any]) -> Any:
    return {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": items}


def _applied_document(items: Sequence[Any]) -> Any:
    """Manifests as kubectl apply -o json prints them: one object bare, more as a typed v1 List
    (struct order kind, apiVersion, metadata {}, items), not get's List with a resourceVersion.
    upstream: kubernetes/kubectl v0.32.4 pkg/cmd/apply/apply.go, printObjects
    (corev1.List{TypeMeta{Kind: "List", APIVersion: "v1"}, ListMeta{}})."""
    if len(items) == 1:
        return items[0]
    return _applied_list(list(items))
