"""The plan's field-level diff of an object and the server's dry run of it, and the one way an
object is named in plans and errors (``kind.group/name``). Moved from akscli.kube.apply."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from akscli.output import object_ref as output_object_ref
from akscli.printable import MASK, SECRET_FIELDS, is_secret, masked_values
from akscli.redact import hide_block_lines, hide_tokens
from akscli.redact_files import hide_in_file

IGNORED_METADATA = (
    "managedFields",
    "resourceVersion",
    "generation",
    "uid",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)


# ``kind.group/name``: the one rule for naming an object (kubectl's name printer).
object_ref = output_object_ref


def _comparable(obj: Mapping[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in obj.items() if k != "status"}
    meta = dict(body.get("metadata") or {})
    for key in IGNORED_METADATA:
        meta.pop(key, None)
    annotations = dict(meta.get("annotations") or {})
    annotations.pop("kubectl.kubernetes.io/last-applied-configuration", None)
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    body["metadata"] = meta
    return body


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    # ``dict`` first: decoded JSON and YAML are plain dicts, and a str or dict answers it in C
    # where ``Mapping`` goes through abc's Python-level check for every leaf.
    if (isinstance(value, dict) or (not isinstance(value, str) and isinstance(value, Mapping))) and value:
        for key, child in value.items():
            _flatten(child, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for index, child in enumerate(value):
            _flatten(child, f"{prefix}[{index}]", out)
    else:
        out[prefix] = value


def diff_objects(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Field-level differences, ``+ path: value``, ``- path``, ``~ path: old -> new``.

    ``after`` is the server's dry-run result, so server defaults appear on both sides and
    only real changes are reported; status is ignored. A create (nothing ``before``) is the
    one line ``+ REF``: its fields are not flattened only to be dropped.
    """
    if not before:
        return [f"+ {object_ref(after)}"]
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    # A value that carries a secret (a runtime environment's env_vars, a container's env value, a
    # ConfigMap's data: akscli.printable.masked_values) is shown as ***; a field whose only change
    # is such a value says it changed, not what to.
    # A file's lines are masked as each changed line is shown (_changed_lines, _short).
    shown_before, shown_after = masked_values(before, files=False), masked_values(after, files=False)
    _flatten(_comparable(shown_before), "", old)
    _flatten(_comparable(shown_after), "", new)
    env_masked = shown_before is not before or shown_after is not after
    raw_old: dict[str, Any] = {}
    raw_new: dict[str, Any] = {}
    if env_masked:
        _flatten(_comparable(before), "", raw_old)
        _flatten(_comparable(after), "", raw_new)
    secret = is_secret(after) or is_secret(before)  # akscli.printable: values never shown
    lines = []
    for path in sorted(set(old) | set(new)):
        if env_masked and path in old and path in new and old[path] == new[path]:
            if raw_old.get(path) != raw_new.get(path):
                lines.append(f"~ {path}: {MASK} (changed)")
            continue
        hidden = secret and path.startswith(SECRET_FIELDS)
        if path not in old:
            lines.append(f"+ {path}: {MASK if hidden else _short(new[path])}")
        elif path not in new:
            lines.append(f"- {path}")
        elif old[path] != new[path] and not hidden and _multiline(old[path], new[path]):
            lines.append(f"~ {path}:")
            lines += _changed_lines(str(old[path]), str(new[path]))
        elif old[path] != new[path] and not hidden and _long_lists(old[path], new[path]):
            lines.append(f"~ {path}:")
            lines += _changed_items(old[path], new[path])
        elif old[path] != new[path]:
            was, now = (f"{MASK} (before)", f"{MASK} (after)") if hidden else _both_short(old[path], new[path])
            lines.append(f"~ {path}: {was} -> {now}")
    return lines


def _multiline(*values: Any) -> bool:
    return any(isinstance(v, str) and "\n" in v.rstrip("\n") for v in values)


def _changed_lines(old: str, new: str) -> list[str]:
    """A multi-line value's changed lines (a ConfigMap's file, a script), ``-``/``+`` each under
    its field, as kubectl diff shows them, instead of both whole values on one line. Each is shown
    as its place in the whole value shows it, by the rule ``-o yaml`` shows a ConfigMap's file by
    (akscli.redact_files.hide_in_file): a properties line's value to its end (``db.password=***``, not
    ``*** pass``), a line of a block scalar under a secret-named key (``password: |`` and the lines
    below it) as ``***``, which the line alone does not tell."""
    import difflib

    was, now = old.splitlines(), new.splitlines()
    shown = {"-": _file_lines(was), "+": _file_lines(now)}
    at = {"-": 0, "+": 0}
    lines = []
    for line in difflib.ndiff(was, now):
        tag = line[:1]
        if tag in "-+" and line[:2] != "? ":
            lines.append(f"    {tag} {_short(shown[tag][at[tag]])}")
            at[tag] += 1
        elif tag == " ":
            at["-"] += 1
            at["+"] += 1
    return lines


def _file_lines(lines: list[str]) -> list[str]:
    """``lines`` as hide_in_file shows their file, one for one; where a remembered value of several
    lines took some away, each block scalar's lines hidden (hide_block_lines) and the rest as they
    are (_short hides what a line alone tells)."""
    told = hide_in_file("\n".join(lines)).split("\n")
    return told if len(told) == len(lines) else hide_block_lines(lines)


def _long_lists(old: Any, new: Any) -> bool:
    """Two lists (a container's args) too long for one line: cut at 80 characters, both sides
    could read the same and hide the change."""
    return isinstance(old, list) and isinstance(new, list) and max(len(_json(old)), len(_json(new))) > 80


def _changed_items(old: list[Any], new: list[Any]) -> list[str]:
    """A long list's changed items, ``-``/``+`` each under its field, after the item before them
    (a flag's name before its value), as kubectl diff's unified diff of the YAML shows a list's
    changed items among unchanged ones (kubernetes/kubectl pkg/cmd/diff/diff.go: ``diff -u -N``)."""
    import difflib

    was, now = [_short(v) for v in old], [_short(v) for v in new]
    lines: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, was, now, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 > 0:
            lines.append(f"      {was[i1 - 1]}")
        lines += [f"    - {v}" for v in was[i1:i2]] + [f"    + {v}" for v in now[j1:j2]]
    return lines


def _both_short(old: Any, new: Any) -> tuple[str, str]:
    """Two different values, each cut to one short line; where both would read the same when cut (a
    long annotation or image that differs past the cut), both from a little before where they part."""
    was, now = _short(old), _short(new)
    if was != now or not isinstance(old, str) or not isinstance(new, str):
        return was, now
    old, new = hide_tokens(old), hide_tokens(new)  # before the cut, which could split a token's shape
    at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    start = max(0, at - 20)
    return _short("..." + old[start:]), _short("..." + new[start:])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _short(value: Any) -> str:
    """A value as the manifest writes it: a string as is, anything else in JSON, which YAML reads
    the same (``true``, ``null``, ``["a", "b"]``), not Python's ``True``/``None``/``['a']``.
    kubectl diff compares YAML (upstream: kubernetes/kubectl dee3483a pkg/cmd/diff/diff.go
    Printer.Print, yaml.Marshal)."""
    text = value if isinstance(value, str) else _json(value)
    text = hide_tokens(text)  # a token of a published shape in any field (akscli.redact)
    if "\n" in text.rstrip("\n"):
        first, count = text.splitlines()[0], len(text.splitlines())
        text = f"{first} ... ({count} lines)"
    return text if len(text) <= 80 else text[:77] + "..."
