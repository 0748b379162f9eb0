"""Merge a kubeconfig into the user's file atomically.

Guarantees: entries already in the file are kept byte for byte (ruamel round-trip, with
the file's own indentation); the previous file is kept as ``<file>.akscli.bak``; the result
is written to a temp file in the same directory, fsynced and ``os.replace``d, with mode
0600; an exclusive ``flock`` on ``<file>.lock`` serialises concurrent runs, so two merges
can never lose each other's entries or leave a half-written file.
"""

from __future__ import annotations

import fcntl
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from akscli.errors import ConflictError, UsageError

SECTIONS = ("clusters", "users", "contexts")
BACKUP_SUFFIX = ".akscli.bak"


@dataclass
class MergeResult:
    path: str
    context: str | None
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    backup: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self, name: str) -> str:
        """One line for the terminal: what changed in which file, and the current context."""
        changed = self.added + self.replaced
        what = f" ({', '.join(changed)})" if changed else " (already up to date)"
        return f"merged {name} into {self.path}{what}; current context: {self.context}"


def default_path() -> str:
    env = os.environ.get("KUBECONFIG")
    if env:
        first = next((p for p in env.split(os.pathsep) if p), None)
        if first:
            return first
    return str(Path.home() / ".kube" / "config")


def _yaml(indent: int = 2, seq_offset: int = 0) -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 30  # never re-wrap long scalars (certificates, tokens, args)
    y.indent(mapping=indent, sequence=indent + seq_offset, offset=seq_offset)
    return y


def _load(text: str, source: str) -> tuple[Any, int, int]:
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.util import load_yaml_guess_indent

    if not text.strip():
        return None, 2, 0
    try:
        data, seq_indent, block_seq_indent = load_yaml_guess_indent(text, yaml=_yaml())
    except YAMLError as exc:
        raise UsageError(
            f"{source} is not valid YAML: {str(exc).splitlines()[0]}",
            hint="fix or move the file away, then run the command again",
        ) from exc
    offset = block_seq_indent or 0
    # The guess is the indent of a sequence item's content; mappings indent by that less the
    # dash's own offset ("- " at column 0 -> 2, "  - " -> 2 with offset 2).
    mapping = max((seq_indent or 2) - offset, 1)
    return data, mapping, offset


def _check_config(data: Any, source: str) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        raise UsageError(
            f"{source} is not a kubeconfig (expected a mapping at the top)",
            hint="fix or move the file away, then run the command again",
        )
    for section in SECTIONS:
        items = data.get(section)
        if items is None:
            continue
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("name"), str) for i in items
        ):
            raise UsageError(
                f"{source}: '{section}' must be a list of entries with a name",
                hint="fix or move the file away, then run the command again",
            )


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def merge_kubeconfig(
    new: dict[str, Any] | bytes,
    path: str | None,
    *,
    overwrite_existing: bool = False,
    set_current: bool = True,
) -> MergeResult:
    """Merge ``new`` (a kubeconfig as bytes or a mapping) into ``path`` (default: the first
    file of $KUBECONFIG, else ~/.kube/config)."""
    target = Path(os.path.realpath(os.path.expanduser(path or default_path())))
    if isinstance(new, bytes | bytearray):
        incoming, _, _ = _load(bytes(new).decode("utf-8"), "the new kubeconfig")
    else:
        incoming = new
    if not isinstance(incoming, dict) or not any(incoming.get(s) for s in SECTIONS):
        raise UsageError(
            "the new kubeconfig has no clusters, users or contexts",
            hint="this is a bug in what Azure returned; run with --debug",
        )
    _check_config(incoming, "the new kubeconfig")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _locked(target):
        try:
            old_bytes: bytes | None = target.read_bytes()
        except FileNotFoundError:
            old_bytes = None
        data, indent, seq_offset = _load((old_bytes or b"").decode("utf-8"), str(target))
        _check_config(data, str(target))
        if data is None:
            from ruamel.yaml.comments import CommentedMap

            data = CommentedMap()
            data["apiVersion"] = "v1"
            data["kind"] = "Config"
            data["preferences"] = {}
        result = MergeResult(path=str(target), context=incoming.get("current-context"))
        conflicts: list[str] = []
        plan: list[tuple[str, int | None, Any]] = []
        for section in SECTIONS:
            existing = data.get(section)
            if existing is None:
                existing = []
                data[section] = existing
            by_name = {e["name"]: i for i, e in enumerate(existing)}
            for entry in incoming.get(section) or []:
                label = f"{section[:-1]} {entry['name']}"
                idx = by_name.get(entry["name"])
                if idx is None:
                    plan.append((section, None, entry))
                    result.added.append(label)
                elif _plain(existing[idx]) == _plain(entry):
                    result.unchanged.append(label)
                elif overwrite_existing:
                    plan.append((section, idx, entry))
                    result.replaced.append(label)
                else:
                    conflicts.append(label)
        if conflicts:
            raise ConflictError(
                f"{target} already has a different {', '.join(conflicts)}",
                hint="pass --overwrite-existing to replace them (a backup is kept), or use another --file",
            )
        for section, idx, entry in plan:
            if idx is None:
                data[section].append(entry)
            else:
                data[section][idx] = entry
        if set_current and result.context:
            data["current-context"] = result.context
        buf = io.StringIO()
        _yaml(indent, seq_offset).dump(data, buf)
        out = buf.getvalue().encode("utf-8")
        if old_bytes is not None and out != old_bytes:
            backup = target.with_name(target.name + BACKUP_SUFFIX)
            _write_atomic(backup, old_bytes)
            result.backup = str(backup)
        if out != old_bytes:
            _write_atomic(target, out)
        elif (target.stat().st_mode & 0o777) != 0o600:
            os.chmod(target, 0o600)
    return result
