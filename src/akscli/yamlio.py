"""YAML and JSON in and out, through ruamel.yaml (the project's one YAML library).

Every document a user gives (values, manifests, kubeconfig, price and policy files) is read
within bounds, so a hostile file fails in well under a second with one line instead of hanging:
at most ``MAX_INPUT_BYTES``, ``MAX_DEPTH`` levels of nesting, and ``MAX_ALIAS_NODES`` nodes
brought in by aliases (the "billion laughs" alias bomb expands exponentially only when walked).

Speed: libyaml's C parser (ruamel.yaml.clib) scans and parses where it is installed, a JSON
document goes to the stdlib's json; both give exactly the values of the pure-Python path
(tests/foundation/test_yaml_loaders.py holds them to it). Out, libyaml's C emitter writes the
bytes of ruamel's pure-Python one (akscli.yamlemit; tests/foundation/test_yaml_emit.py).

A Kubernetes manifest (``load_all(..., kubernetes=True)``: ``apply -f``, ``policy check -f``,
``ray cluster create -f``) is read as kubectl reads it, YAML 1.1 the way go-yaml v2 resolves plain
scalars (``akscli.kubeyaml``; tests/foundation/test_yaml_kubectl.py checks it against the real
kubectl); akscli's own files (values, config, data, templates) stay YAML 1.2. What akscli writes
quotes every string that kubectl would read as something else.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any

from akscli import process
from akscli.errors import UsageError

MAX_INPUT_BYTES = 8 * 1024 * 1024  # the API server itself takes at most 3 MiB per request body
MAX_DEPTH = 100
MAX_ALIAS_NODES = 100_000
LIMIT_HINT = "akscli reads YAML and JSON within fixed limits: split the input into smaller files"
ALIAS_HINT = "write the values out instead of repeating them through anchors and aliases"
DEPTH_HINT = "flatten the document; no Kubernetes object nests that deep"


def check_bounds(text: str | bytes, source: str) -> None:
    """Refuse an input over ``MAX_INPUT_BYTES``, or nested too deep, before parsing it.

    Flow nesting is counted here because ruamel's scanner is quadratic in it (every open
    ``[``/``{`` keeps a possible simple key that each token re-checks).
    """
    if len(text) > MAX_INPUT_BYTES:
        raise _too_large(source, len(text))
    # The depth is at most the number of openers: a text with few compiles no pattern (a render's).
    if isinstance(text, str) and text.count("[") + text.count("{") > MAX_DEPTH and _flow_depth(text) > MAX_DEPTH:
        raise UsageError(f"{source} is nested more than {MAX_DEPTH} levels deep", hint=DEPTH_HINT)


def _too_large(source: str, size: int) -> UsageError:
    mib = 1024 * 1024
    return UsageError(
        f"{source} is too large ({size / mib:.0f} MiB; the limit is {MAX_INPUT_BYTES // mib} MiB)", LIMIT_HINT
    )


def _flow_depth(text: str) -> int:
    depth = deepest = 0
    for char in re.sub(r"[^\[\]{}]+", "", text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def read_text(path: Any, source: str | None = None) -> str:
    """A user's text file, size-checked before it is read; one line for any read failure."""
    from pathlib import Path

    file = Path(path)
    name = source or str(file)
    try:
        if file.is_dir():
            raise UsageError(f"{name} is a directory, not a file", hint="give the path of a file")
        size = file.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise _too_large(name, size)
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name} is not UTF-8 text (byte {exc.start})", hint="give a UTF-8 text file") from exc
    except OSError as exc:
        raise UsageError(
            f"cannot read {name}: {exc.strerror or exc}", hint="check the path and its permissions"
        ) from exc


def bounded(yaml: Any) -> Any:
    """Give a ruamel ``YAML`` instance the depth and alias-expansion limits."""
    yaml.Composer = _bounded_composer()
    yaml.max_depth = MAX_DEPTH
    return yaml


@functools.cache
def _bounded_composer() -> Any:
    """ruamel's composer, counting the nodes its aliases stand for (the depth limit is ruamel's
    own ``max_depth``, checked before each node is composed)."""
    from ruamel.yaml.composer import Composer

    class BoundedComposer(Composer):
        def compose_document(self) -> Any:
            self.akscli_alias_nodes = 0
            self.akscli_sizes: dict[int, int] = {}
            return super().compose_document()

        def return_alias(self, node: Any) -> Any:
            self.akscli_alias_nodes += _expanded_size(node, self.akscli_sizes)
            if self.akscli_alias_nodes > MAX_ALIAS_NODES:
                raise UsageError(
                    f"input expands its aliases to over {MAX_ALIAS_NODES} nodes (an alias bomb?)", hint=ALIAS_HINT
                )
            return super().return_alias(node)

    return BoundedComposer


@functools.cache
def _c_loader() -> Any:
    """A loader whose scanning and parsing run in C (ruamel.yaml.clib, libyaml's parser), or None
    where that extension is not installed (then ruamel's pure-Python parser reads everything).

    Only the parser is C: libyaml hands over events, and the same bounded composer as the pure
    path builds the node graph from them, so the depth limit is checked before each node and
    every alias is counted as it is met (ruamel's own C composer checks neither, and recurses in C
    so deep that ``- - - ...`` nesting crashes the process). Nodes become Python values through
    ruamel's SafeConstructor and YAML 1.2 resolver, as in the pure path: ``yes``, ``on`` and
    ``0777`` stay what they are there, and a ``%YAML 1.1`` directive switches to 1.1 rules for
    the rest of the stream, as ruamel's scanner does.

    libyaml's syntax is YAML 1.1's: it refuses some YAML 1.2 that ruamel reads (a ``:`` inside a
    flow scalar such as ``[http://host:80]``), so ``load_all`` hands what it refuses to the pure
    parser, and text holding NEL, LS or PS (line breaks to 1.1 only) never reaches it.
    """
    try:
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    except ImportError:
        return None
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.resolver import VersionedResolver

    bounded_composer = _bounded_composer()

    class CLoader(bounded_composer, CParser, SafeConstructor, VersionedResolver):  # type: ignore[valid-type,misc]
        max_depth = MAX_DEPTH
        # Plain attributes instead of ruamel's properties that find each part through the loader:
        # here every part is this one object, and the properties cost a call per event.
        parser = composer = resolver = None

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            self._parser = self._composer = self._resolver = self
            self.parser = self.composer = self.resolver = self
            bounded_composer.__init__(self, loader=self)
            SafeConstructor.__init__(self, loader=self)
            VersionedResolver.__init__(self, loader=self)
            self.allow_duplicate_keys = False
            self.akscli_version: tuple[int, int] | None = None

        def compose_document(self) -> Any:
            version = getattr(self.peek_event(), "version", None)
            if version:
                self.akscli_version = tuple(version)
            return super().compose_document()

        @property
        def processing_version(self) -> Any:
            return self.akscli_version or (1, 2)

        @property
        def versioned_resolver(self) -> Any:
            version = self.processing_version
            known = self._version_implicit_resolver.get(version)
            return known if known is not None else super().versioned_resolver

    return CLoader


def _c_documents(loader_class: Any, text: str, nodes: list[Any] | None = None) -> list[Any]:
    """The documents, composed then constructed one at a time (what ruamel's get_data does), so
    that ``nodes`` can get each kept document's node too."""
    loader = loader_class(text)
    try:
        docs = []
        while loader.check_node():
            node = loader.get_node()
            doc = loader.construct_document(node)
            if doc is not None:
                docs.append(doc)
                if nodes is not None:
                    nodes.append(node)
        return docs
    finally:
        loader.dispose()


def _expanded_size(node: Any, sizes: dict[int, int]) -> int:
    """How many nodes ``node`` stands for once its aliases are expanded (memoised: linear)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    value = node.value
    total = 1
    if isinstance(value, list):
        for item in value:
            if isinstance(item, tuple):
                total += _expanded_size(item[0], sizes) + _expanded_size(item[1], sizes)
            else:
                total += _expanded_size(item, sizes)
    sizes[id(node)] = total
    return total


def _yaml(pure: bool = True, kubernetes: bool = False) -> Any:
    process.import_large("ruamel.yaml")
    from ruamel.yaml import YAML

    yaml = bounded(YAML(typ="safe", pure=pure))
    if kubernetes:
        from akscli import kubeyaml

        yaml.Resolver = kubeyaml.loader_class(yaml.Resolver)
        yaml.Constructor = kubeyaml.loader_class(yaml.Constructor)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # keep apiVersion, kind, metadata first
    yaml.width = 4096
    return yaml


def load_all(text: str, source: str = "input", kubernetes: bool = False, nodes: list[Any] | None = None) -> list[Any]:
    """The documents in ``text``, read as YAML 1.2; with ``kubernetes``, a Kubernetes manifest's plain
    scalars and keys are read as kubectl reads them (YAML 1.1 as go-yaml v2 resolves it, see
    ``akscli.kubeyaml``), so ``0644`` is 420 and ``yes`` is true there too.

    ``nodes``, when given, gets each document's YAML node (with its marks: ``akscli.manifest_lines``),
    composed in the same pass where libyaml parses; on the pure parser's path they are composed
    once more. JSON then goes through the YAML path, which reads it to the same values."""
    process.import_large("ruamel.yaml")
    from ruamel.yaml.error import YAMLError

    check_bounds(text, source)
    fast = not _has_1_1_break(text)
    if fast and nodes is None and text.lstrip()[:1] in ("{", "["):
        doc = _json_document(text, kubernetes)
        if doc is not _NOT_JSON:
            return [] if doc is None else [doc]
    loader_class = _c_loader() if fast else None
    if kubernetes and loader_class is not None:
        from akscli import kubeyaml

        loader_class = kubeyaml.loader_class(loader_class)
    with refusals(source):
        if loader_class is not None:
            found: list[Any] = []
            try:
                docs = _c_documents(loader_class, text, found if nodes is not None else None)
            except YAMLError:
                pass  # libyaml parses YAML 1.1 syntax: what it refuses, ruamel's YAML 1.2 parser decides
            else:
                if nodes is not None:
                    nodes.extend(found)
                return docs
        docs = [doc for doc in _yaml(kubernetes=kubernetes).load_all(text) if doc is not None]
        if nodes is not None:
            nodes.extend(_pure_nodes(text))
        return docs


def _pure_nodes(text: str) -> list[Any]:
    """The node of each non-null document, by ruamel's pure-Python composer."""
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import ScalarNode

    composed = bounded(YAML(typ="safe", pure=True)).compose_all(text)
    return [n for n in composed if not (isinstance(n, ScalarNode) and str(n.tag).endswith(":null"))]


@contextmanager
def refusals(source: str, hint: str | None = None) -> Iterator[None]:
    """One clear line (UsageError) for YAML from ``source`` that cannot be read: a broken syntax,
    nesting past MAX_DEPTH, or a plain scalar whose implicit type cannot hold it. ``hint`` replaces
    the fixes named for each (the kubeconfig, a file akscli did not write: fix or move it)."""
    from ruamel.yaml.error import YAMLError

    try:
        yield
    except UsageError as exc:
        exc.message = exc.message.replace("input ", f"{source} ", 1)
        raise
    # Each refusal is raised ``from None``: the parser's exception would follow the error in
    # --debug's traceback ("The above exception was the direct cause"), and its text quotes the
    # line it broke on (ruamel.yaml error.py, StringMark.get_snippet), a duplicate key's values or
    # the scalar a type refused, any of which can be a Secret's value or a token.
    except YAMLError as exc:
        if "maximum depth" in str(exc):
            raise UsageError(f"{source} is nested more than {MAX_DEPTH} levels deep", hint=hint or DEPTH_HINT) from None
        raise UsageError(
            f"{source} is not valid YAML: {describe_yaml_error(exc)}",
            hint=hint or "check the indentation and quoting at that line",
        ) from None
    except (ValueError, OverflowError) as exc:
        # The syntax is valid but a scalar's type cannot hold it (a date such as 2001-02-30 resolves
        # as a timestamp, then datetime refuses it; a value tagged !!int that is no number): quoting
        # keeps it as text. Python's own words quote the value ("invalid literal for int() with
        # base 10: 'VALUE'"): they are cut before the quote, as describe_yaml_error leaves values out.
        raise UsageError(
            f"{source} has a value YAML cannot read: {re.sub(_QUOTED_VALUE, '', str(exc)) or type(exc).__name__}",
            hint=hint or "quote the value to keep it as text",
        ) from None


def describe_yaml_error(exc: Exception) -> str:
    """Where the YAML broke and what broke, with none of the text around it: ruamel's own message
    quotes the offending line (ruamel.yaml error.py, ``Mark.get_snippet``) and a duplicate key's
    values (constructor.py, ``DuplicateKeyError``), and either can be a Secret's data. kubectl says
    as little ("yaml: line 5: mapping values are not allowed in this context")."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", None) or getattr(exc, "context", None) or type(exc).__name__)
    problem = re.sub(_DUPLICATE_VALUES, "", problem)
    if mark is None:
        return problem
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"


# Compiled by re's cache on the first error that needs it, not at every start-up.
_DUPLICATE_VALUES = r'(?s) with value ".*$'
# The value Python's int(), float() and date conversions quote at the end of their message.
_QUOTED_VALUE = r"""(?s):\s+(['"]).*$"""
_NOT_JSON = object()
# Line breaks to YAML 1.1 (libyaml) and to ruamel's pure parser, characters to JSON and YAML 1.2:
# text holding one goes to the pure parser, whose reading of them is the one akscli has always had.
# Searched with ``in`` (str's own search), not a character class: compiling one with characters
# beyond Latin-1 costs about 1.5 ms on every command that reads YAML.
_BREAKS_1_1 = ("\x85", "\u2028", "\u2029")


def _has_1_1_break(text: str) -> bool:
    return any(brk in text for brk in _BREAKS_1_1)


# Compiled on the first JSON document read (re's cache), not at every start-up.
_SURROGATE_ESCAPE = r"\\u[dD][89a-fA-F]"


@functools.cache
def _non_printable() -> re.Pattern[str]:
    """Characters a YAML stream may not hold, which json.loads would take inside a string
    (ruamel.yaml reader.py Reader.NON_PRINTABLE; libyaml's reader refuses the same set).
    Compiled on first use: its ranges take about 6 ms to compile, and every command that prints
    imports this module."""
    return re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _json_document(text: str, kubernetes: bool = False) -> Any:
    """``text`` as one JSON document, parsed by the stdlib's C parser, or ``_NOT_JSON`` when the
    YAML path must read it: JSON is YAML 1.2, and this gives the same values the YAML loader
    would, so anything where the two could differ goes there (a duplicate key, which YAML
    refuses; ``NaN`` and ``Infinity``, which YAML reads as strings; a control character, which
    YAML refuses; an escaped surrogate, which json joins into one character and YAML reads as
    two; more than one document). A Kubernetes manifest's numbers read as its plain scalars do
    (``kubeyaml.resolve``: ``2.0`` is 2, as kubectl sends it)."""
    if _non_printable().search(text) or re.search(_SURROGATE_ESCAPE, text):
        return _NOT_JSON
    import json

    try:
        if kubernetes:
            from akscli.kubeyaml import resolve

            return json.loads(
                text,
                object_pairs_hook=_unique_keys,
                parse_constant=_not_json_constant,
                parse_float=resolve,
                parse_int=resolve,
            )
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_not_json_constant)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _not_json_constant(name: str) -> Any:
    raise ValueError(name)


def load(text: str, source: str = "input", kubernetes: bool = False) -> Any:
    docs = load_all(text, source, kubernetes)
    return docs[0] if docs else None


def _dumper() -> Any:
    """YAML 1.2 out, quoting every string that kubectl (YAML 1.1) would read as something else."""
    from akscli import kubeyaml

    yaml = _yaml()
    yaml.Resolver = kubeyaml.quoting_resolver(yaml.Resolver)
    yaml.Representer = _escaping_representer(yaml.Representer)
    return yaml


def _escaping_representer(base: Any) -> Any:
    """``base`` writing a string that holds a NEL (U+0085) double-quoted, where the emitter escapes
    it as ``\\N``. Left to choose, ruamel writes such a string single-quoted with the NEL as a raw
    line break, and a YAML reader folds a lone line break in a flow scalar into a space (YAML 1.1
    spec 5.4 counts NEL as a line break; go-yaml/yaml v2 scannerc.go read_line reads it as "\\n",
    then yaml_parser_scan_flow_scalar folds it): ``a<NEL>b`` printed by -o yaml came back as
    ``a b`` to akscli and to kubectl apply -f. read_line keeps U+2028 and U+2029 as they are, and
    so does ruamel: they stay as ruamel writes them."""

    def represent_str(self: Any, data: str) -> Any:
        if "\x85" in data:
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return base.represent_str(self, data)

    representer: Any = type(f"Escaping{base.__name__}", (base,), {})
    representer.add_representer(str, represent_str)
    return representer


def dump(data: Any) -> str:
    """``data`` as YAML: ruamel.yaml's pure-Python dumper's bytes, written by libyaml's C emitter
    where akscli.yamlemit knows the two write the same, by the pure dumper elsewhere."""
    from akscli import yamlemit

    plain = _plain(data)
    text = yamlemit.dump(plain, _dumper)
    return text if text is not None else _pure_dump_all([plain])


def dump_all(docs: Iterable[Any]) -> str:
    """A YAML stream of ``docs``, each dumped as it arrives (``docs`` may be a generator: one
    document is held at a time, and the text). A Kubernetes object, a mapping, is dumped alone
    (``dump``) and follows ``---`` on a line of its own, as in the whole stream's dump; from the
    first document of another kind on, the pure dumper writes the rest of the stream as it would
    after a mapping (tests/foundation/test_yaml_emit.py holds the pieces to the whole dump)."""
    texts: list[str] = []
    rest = iter(docs)
    for doc in rest:
        plain = _plain(doc)
        if not (type(plain) is dict and plain):
            if not texts:
                return _pure_dump_all(chain([plain], rest))
            after = _pure_dump_all(chain([_AFTER_MAPPING], [plain], (_plain(d) for d in rest)))
            texts.append(after[len(_AFTER_MAPPING_TEXT) :])
            break
        texts.append(("---\n" if texts else "") + dump(plain))
    return "".join(texts)


# A mapping document whose text ruamel writes as below: what follows it in a stream follows any
# mapping document (a block mapping leaves the emitter in the same state whatever it holds).
_AFTER_MAPPING = {"a": 1}
_AFTER_MAPPING_TEXT = "a: 1\n"


def _pure_dump_all(docs: Iterable[Any]) -> str:
    stream = io.StringIO()
    _dumper().dump_all(docs, stream)
    return stream.getvalue()


def dump_json(data: Any, indent: int | None = 2) -> str:
    import json  # here: `akscli version` and the tables print no JSON and need not load it

    text = json.dumps(data, indent=indent, default=str, ensure_ascii=False)
    if "\x7f" not in text and (text.isascii() or not _json_escapes_needed(text.encode())):
        return text
    # DEL and the C1 controls (CSI, U+009B, acts as ESC [ on many terminals) as \u escapes, the
    # same string to any JSON reader; json.dumps escapes only C0. Go's encoding/json escapes U+2028
    # and U+2029 as well (upstream: golang/go src/encoding/json/encode.go appendString).
    return text.translate(_JSON_ESCAPES)


def _json_escapes_needed(raw: bytes) -> bool:
    """Whether UTF-8 ``raw`` holds a C1 control (C2 80 to C2 9F) or U+2028/U+2029 (E2 80 A8/A9):
    a few byte searches, where a regex over the text would cost a large list's dump a fifth more."""
    if b"\xe2\x80\xa8" in raw or b"\xe2\x80\xa9" in raw:
        return True
    return b"\xc2" in raw and any(bytes((0xC2, c)) in raw for c in range(0x80, 0xA0))


_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in (*range(0x7F, 0xA0), 0x2028, 0x2029)}


def _plain(data: Any) -> Any:
    """Plain dicts and lists, so any mapping type dumps the same way."""
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(v) for v in data]
    return data
