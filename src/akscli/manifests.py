"""Reading manifest files: multi-document YAML, JSON and ``kind: List``, from files, folders or stdin.

The one loader behind ``akscli apply -f`` and ``akscli policy check -f``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from akscli import yamlio
from akscli.errors import UsageError

SUFFIXES = (".yaml", ".yml", ".json")


def files(path: str) -> list[Path]:
    """The manifest files ``-f PATH`` names, as kubectl's resource builder finds them (upstream:
    kubernetes/cli-runtime pkg/resource/builder.go FilenameParam, expandIfFilePattern, Path;
    visitor.go ExpandPathsToFileVisitors): a path that exists and is not a folder is read whatever
    its name (``/dev/null`` too); a folder gives its .yaml/.yml/.json files (akscli walks it
    recursively); a path that does not exist is a glob pattern (``'k8s/*.yaml'``), and one that
    matches nothing is refused in kubectl's words: ``the path "x" does not exist``."""
    root = Path(path).expanduser()
    try:
        root.stat()
    except FileNotFoundError:
        return _glob(path)
    except OSError as exc:
        raise UsageError(
            f"the path {_go_quote(path)} cannot be accessed: {exc.strerror or exc}",
            hint="check the path's permissions, or give -f another manifest file or folder",
        ) from exc
    if root.is_dir():
        return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    return [root]


def _glob(pattern: str) -> list[Path]:
    """kubectl's expandIfFilePattern: Go's filepath.Glob, which matches dot files too and sorts.
    A malformed pattern is refused first, as Glob refuses it (ErrBadPattern) and kubectl says
    ``pattern %q is not valid: syntax error in pattern`` (upstream: kubernetes/cli-runtime
    69e8693b pkg/resource/builder.go expandIfFilePattern)."""
    try:
        matches = _go_glob(str(Path(pattern).expanduser())) if well_formed(pattern) else None
    except _BadPattern:
        matches = None
    if matches is None:
        raise UsageError(
            f"pattern {_go_quote(pattern)} is not valid: syntax error in pattern",
            hint="close each [ with a ] (a class holds at least one character), end no pattern on a lone \\, "
            "or quote the pattern so that the shell leaves it as written",
        )
    if not matches:
        raise UsageError(
            f"the path {_go_quote(pattern)} does not exist",
            hint="give -f a manifest file, a folder of .yaml/.yml/.json files, a glob pattern or - for stdin",
        )
    found: list[Path] = []
    for match in matches:
        found += files(match)
    return found


def _go_glob(pattern: str) -> list[str]:
    """Go's filepath.Glob on a well-formed pattern, not Python's glob, whose classes read ``[!a]``
    as negated and ``[^a]`` as a class of ``^`` and ``a`` (Go: the other way round) and whose ``\\``
    escapes nothing (upstream: golang/go src/path/filepath/match.go Glob, glob, hasMeta,
    cleanGlobPath): the folder part is globbed first, then each folder's names, sorted, are matched
    against the last part; a folder that cannot be read gives nothing; dot files match too."""
    import os

    if not _has_meta(pattern):
        return [pattern] if os.path.lexists(pattern) else []
    folder, last = os.path.split(pattern)
    folder = folder or "."
    folders = _go_glob(folder) if _has_meta(folder) else [folder]
    found: list[str] = []
    for each in folders:
        try:
            names = sorted(os.listdir(each))  # sort.Strings: Go's byte order is UTF-8's code point order
        except OSError:
            continue  # glob ignores an I/O error, and a path that is no folder
        if not names:
            continue
        if not well_formed(last):  # a class split by a separator ("a/[b/c]"): Match's ErrBadPattern
            raise _BadPattern
        matcher = _go_match(last)
        found += [os.path.normpath(os.path.join(each, n)) for n in names if matcher.fullmatch(n)]
    return found


class _BadPattern(Exception):
    """Go's ErrBadPattern from a part of the pattern (``_go_glob``)."""


def _has_meta(path: str) -> bool:
    return any(char in path for char in "*?[\\")


def _go_match(pattern: str) -> re.Pattern[str]:
    """Go's Match for one path part as a regular expression: ``*`` any run, ``?`` one character,
    ``\\c`` the character c, ``[^...]`` a negated class of characters and ``lo-hi`` ranges (a range
    with lo above hi holds nothing), anything else itself."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        elif char == "\\":
            i += 1
            out.append(re.escape(pattern[i]))
        elif char == "[":
            i += 1
            negated = pattern[i] == "^"
            i += negated
            members: list[str] = []  # one per range, as Go's nrange counts them
            while not (members and pattern[i] == "]"):
                low, i = _class_member(pattern, i)
                high = low
                if pattern[i] == "-":
                    high, i = _class_member(pattern, i + 1)
                members.append("" if low > high else re.escape(low) + ("" if low == high else "-" + re.escape(high)))
            held = "".join(members)
            out.append(("[^" + held + "]" if held else "(?s:.)") if negated else ("[" + held + "]" if held else "(?!)"))
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _class_member(pattern: str, i: int) -> tuple[str, int]:
    """getEsc: one class character at ``i`` (after a ``\\``), and where the pattern goes on."""
    if pattern[i] == "\\":
        i += 1
    return pattern[i], i + 1


def well_formed(pattern: str) -> bool:
    """Whether Go's filepath.Glob takes ``pattern``: Glob first checks it with Match(pattern, ""),
    which (since Go 1.16) reads every chunk of the pattern for its syntax: a class ``[...]`` that
    is not closed or is empty, a range with no end (``[a-]``), a ``-`` or ``]`` where a character
    is due, or a ``\\`` at the end, is ErrBadPattern (upstream: golang/go src/path/filepath/match.go,
    Glob, Match, scanChunk, matchChunk, getEsc; '\\' escapes a character outside Windows)."""
    rest = pattern
    while rest:
        rest = rest.lstrip("*")
        chunk, rest = _scan_chunk(rest)
        if not _chunk_well_formed(chunk):
            return False
    return True


def _scan_chunk(pattern: str) -> tuple[str, str]:
    """Go's scanChunk (after the stars): the pattern up to a ``*`` outside a class."""
    in_range, i = False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            i += 1
        elif char == "[":
            in_range = True
        elif char == "]":
            in_range = False
        elif char == "*" and not in_range:
            break
        i += 1
    return pattern[:i], pattern[i:]


def _chunk_well_formed(chunk: str) -> bool:
    """Go's matchChunk on an empty name: the syntax of literals, ``?``, ``\\c`` and classes."""
    while chunk:
        if chunk[0] == "[":
            chunk = chunk[1:]
            if chunk[:1] == "^":
                chunk = chunk[1:]
            ranges = 0
            while not (chunk[:1] == "]" and ranges > 0):
                after = _class_char(chunk)
                if after is not None and after[0] == "-":
                    after = _class_char(after[1:])
                if after is None:
                    return False
                chunk = after
                ranges += 1
            chunk = chunk[1:]
        elif chunk[0] == "\\":
            if len(chunk) == 1:
                return False
            chunk = chunk[2:]
        else:
            chunk = chunk[1:]
    return True


def _class_char(chunk: str) -> str | None:
    """Go's getEsc: one (possibly escaped) character of a class, and what follows it; None where
    Go says ErrBadPattern (nothing left, a ``-`` or ``]`` in its place, nothing after it)."""
    if not chunk or chunk[0] in "-]":
        return None
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            return None
    return chunk[1:] or None


def _go_quote(text: str) -> str:
    """Go's %q for a path, as kubectl prints it: double quotes, backslash escapes."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _read(file: Path | None) -> tuple[str, str]:
    """(text, source name) of a manifest file, or of stdin for ``-f -``."""
    if file is None:
        return sys.stdin.read(), "<stdin>"
    return yamlio.read_text(file), str(file)


def load(paths: Sequence[str], nodes: list[Any] | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The mapping documents in ``paths``, each with the file it came from; ``-`` reads stdin.

    ``nodes``, when given, gets each object's YAML node (``akscli.manifest_lines``), or None where
    its place in the file cannot be told: ``policy check`` names the line of each finding."""
    objects: list[dict[str, Any]] = []
    sources: list[str] = []
    for path in paths:
        for file in [None] if path == "-" else files(path):
            text, source = _read(file)
            found: list[Any] | None = [] if nodes is not None else None
            docs = yamlio.load_all(text, source=source, kubernetes=True, nodes=found)
            doc_nodes = found if found is not None and len(found) == len(docs) else None
            for index, doc in enumerate(docs):
                is_list = isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List")
                if is_list and not isinstance(doc.get("items") or [], list):
                    raise UsageError(f"{source}: the items of a {doc['kind']} must be a list", "check the manifest")
                items = (doc.get("items") if is_list else [doc]) or []
                item_nodes = _item_nodes(doc_nodes[index] if doc_nodes else None, is_list, len(items))
                for item, node in zip(items, item_nodes, strict=True):
                    if not isinstance(item, dict):
                        raise UsageError(f"{source}: a document is not a mapping", "check the manifest")
                    objects.append(item)
                    sources.append(source)
                    if nodes is not None:
                        nodes.append(node)
    return objects, sources


def none_found(paths: Sequence[str]) -> UsageError:
    """The refusal of ``paths`` that held no manifest (kubectl apply: "no objects passed to
    apply"), naming each: a gate that passes on an empty folder or an empty pipe hides a mistake."""
    where = ", ".join("stdin (-f -)" if path == "-" else path for path in paths)
    return UsageError(
        f"no manifests found in {where}",
        hint="give -f a file or folder of .yaml/.yml/.json manifests with apiVersion and kind, or pipe them into -f -",
    )


def _item_nodes(node: Any, is_list: bool, count: int) -> list[Any]:
    if node is None:
        return [None] * count
    if not is_list:
        return [node]
    from akscli import manifest_lines

    found = manifest_lines.items_nodes(node)
    return found if found is not None and len(found) == count else [None] * count


def require_names(objects: Sequence[dict[str, Any]], sources: Sequence[str]) -> None:
    """Objects that are to be applied need apiVersion, kind and metadata.name."""
    from akscli import validate

    for obj, source in zip(objects, sources, strict=True):
        meta = obj.get("metadata")
        if not obj.get("apiVersion") or not obj.get("kind") or not isinstance(meta, dict) or not meta.get("name"):
            raise UsageError(f"{source}: every document needs apiVersion, kind and metadata.name", "check the manifest")
        for field, value in (("apiVersion", obj["apiVersion"]), ("kind", obj["kind"]), ("metadata.name", meta["name"])):
            if not isinstance(value, str):
                raise UsageError(f"{source}: {field} must be a string, not {value!r}"[:300], "quote it in the manifest")
        # Checked here, before anything is sent: the server would refuse them one by one.
        validate.subdomain(meta["name"], f"{source}: metadata.name")
        if meta.get("namespace") is not None:
            if not isinstance(meta["namespace"], str):
                raise UsageError(f"{source}: metadata.namespace must be a string", "quote it in the manifest")
            validate.name(meta["namespace"], f"{source}: metadata.namespace")


def labelled_stack(objects: Sequence[dict[str, Any]]) -> str | None:
    """The stack the manifests' ``akscli.io/stack`` label names (``model deploy --dry-run=client``
    writes it), checked as ``--stack`` is; None when no object carries it. Without this, ``apply
    -f`` put such objects in stack ``default`` and a later ``apply --prune`` there deleted them.
    Manifests naming several stacks need ``--stack``."""
    from akscli import validate
    from akscli.render import STACK_LABEL

    named = sorted(
        {str(label) for o in objects if (label := ((o.get("metadata") or {}).get("labels") or {}).get(STACK_LABEL))}
    )
    if len(named) > 1:
        raise UsageError(
            f"the manifests are labelled with several stacks ({STACK_LABEL}={', '.join(named)})",
            "pass --stack NAME: every object is applied as a member of that stack",
        )
    if not named:
        return None
    return validate.name(named[0], f"stack name (the manifests' {STACK_LABEL} label)")
