"""Merge a kubeconfig into the user's file atomically.

Guarantees: entries already in the file are kept byte for byte (ruamel round-trip, with
the file's own indentation, line endings, and JSON kept as JSON); the previous file is kept as
``<file>.akscli.bak``; the result is written to a temp file in the same directory, fsynced and
``os.replace``d with the file's own owner and mode (0600 for a new file). A file without write
permission is refused, not replaced.

Locking follows client-go's protocol (kubernetes/client-go tools/clientcmd/loader.go,
``lockFile``/``unlockFile``): the lock is ``<file>.lock`` created with O_CREATE|O_EXCL and
removed when done. kubectl takes that same lock for ``kubectl config ...`` (and fails at once
when it exists), so akscli and kubectl exclude each other and nothing is left behind; akscli
waits a bounded time for a lock someone else holds.
"""

from __future__ import annotations

import errno
import io
import json
import os
import random
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from akscli.errors import ConflictError, UsageError

SECTIONS = ("clusters", "users", "contexts")
BACKUP_SUFFIX = ".akscli.bak"
LOCK_SUFFIX = ".lock"  # client-go's lockName(): filename + ".lock"
LOCK_WAIT_SECONDS = 10.0
FIX_HINT = "fix or move the file away, then run the command again"


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

    from akscli.yamlio import bounded

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 30  # never re-wrap long scalars (certificates, tokens, args)
    y.indent(mapping=indent, sequence=indent + seq_offset, offset=seq_offset)
    return bounded(y)


def _load(text: str, source: str) -> tuple[Any, int, int]:
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.util import load_yaml_guess_indent

    from akscli import yamlio

    if not text.strip():
        return None, 2, 0
    yamlio.check_bounds(text, source)
    try:
        data, seq_indent, block_seq_indent = load_yaml_guess_indent(text, yaml=_yaml())
    except UsageError as exc:
        exc.message = exc.message.replace("input ", f"{source} ", 1)
        raise
    except YAMLError as exc:
        if "maximum depth" in str(exc):
            raise UsageError(f"{source} is nested too deeply", hint=FIX_HINT) from exc
        raise UsageError(
            f"{source} is not valid YAML: {yamlio.describe_yaml_error(exc)}",
            hint=FIX_HINT,
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
            f"{source} is not a kubeconfig (expected a mapping at the top, found {_kind_of(data)})",
            hint=FIX_HINT,
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
                hint=FIX_HINT,
            )


def _kind_of(data: Any) -> str:
    if isinstance(data, str):
        return "a string"
    if isinstance(data, list):
        return "a list"
    return f"a {type(data).__name__} value"


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


@contextmanager
def _locked(path: Path, wait: float | None = None) -> Iterator[None]:
    """client-go's kubeconfig lock: exclusive create of ``<file>.lock``, removed when done."""
    lock_path = path.with_name(path.name + LOCK_SUFFIX)
    deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
    delay = 0.005
    while True:
        try:
            fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            break
        except FileExistsError:
            if time.monotonic() >= deadline:
                raise ConflictError(
                    f"{path} is locked: {lock_path} exists (kubectl or akscli is writing it)",
                    hint=f"run the command again; if no kubectl or akscli is running, remove {lock_path}",
                ) from None
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 0.1)
        except OSError as exc:
            raise _unwritable(path.parent, exc) from exc
    try:
        inode = os.fstat(fd).st_ino
    finally:
        os.close(fd)
    try:
        yield
    finally:
        # Remove only our own lock: one a user removed and someone else re-created stays.
        with suppress(OSError):
            if os.stat(lock_path).st_ino == inode:
                os.unlink(lock_path)


def _unwritable(folder: Path, exc: OSError) -> UsageError:
    reason = (
        "is read-only"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
        else f"cannot be written: {exc.strerror}"
    )
    return UsageError(
        f"cannot write the kubeconfig: the folder {folder} {reason}",
        hint="pass --kubeconfig with a kubeconfig in a folder you can write, or fix the folder's permissions",
    )


def _read_existing(target: Path) -> tuple[bytes | None, os.stat_result | None]:
    """The file's bytes and stat, or (None, None) when it does not exist; one line for the rest."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        raise UsageError(f"cannot read the kubeconfig {target}: {exc.strerror}", hint=FIX_HINT) from exc
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(
            f"the kubeconfig {target} is a directory, not a file", hint="pass --kubeconfig with a file path"
        )
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"the kubeconfig {target} is not a regular file", hint="pass --kubeconfig with a file path")
    if not (info.st_mode & 0o222) or not os.access(target, os.W_OK):
        raise UsageError(
            f"the kubeconfig {target} is read-only (mode {stat.S_IMODE(info.st_mode):04o}); akscli does not replace it",
            hint=f"make it writable (chmod u+w {target}) or pass --kubeconfig with another kubeconfig",
        )
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the kubeconfig {target}: {exc.strerror}", hint=FIX_HINT) from exc
    return data, info


def _decode(data: bytes, source: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"the kubeconfig {source} is not UTF-8 text (byte {exc.start} cannot be decoded)", hint=FIX_HINT
        ) from exc


def _write_atomic(path: Path, data: bytes, like: os.stat_result | None) -> None:
    """Replace ``path`` by ``data`` at once, with the owner and mode of ``like`` (0600 if new)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _unwritable(path.parent, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(like.st_mode) if like else 0o600)
        if like is not None and (like.st_uid, like.st_gid) != (os.geteuid(), os.getegid()):
            # As root on a user's file: the file stays the user's (kubectl writes in place).
            os.chown(tmp, like.st_uid, like.st_gid)
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


def _serialise(data: Any, indent: int, seq_offset: int, old_text: str | None) -> bytes:
    """The merged config in the file's own format: JSON stays JSON, CRLF stays CRLF."""
    if old_text is not None and old_text.lstrip().startswith("{"):
        json_indent = _json_indent(old_text)
        text = json.dumps(_plain(data), indent=json_indent, ensure_ascii=False) + "\n"
    else:
        buf = io.StringIO()
        _yaml(indent, seq_offset).dump(data, buf)
        text = buf.getvalue()
    if old_text is not None and "\r\n" in old_text:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode("utf-8")


def _json_indent(text: str) -> int | None:
    lines = text.splitlines()
    if len(lines) < 2:
        return None
    second = lines[1]
    return max(len(second) - len(second.lstrip(" ")), 1)


def name_admin_context(incoming: dict[str, Any]) -> None:
    """An admin context (user ``clusterAdmin_*``) gets ``-admin``, as ``az aks get-credentials
    --admin`` names it (Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/custom.py,
    merge_kubernetes_configurations): AKS names the admin and the user context alike, after the
    cluster, and the admin one must not replace the user one."""
    for context in incoming.get("contexts") or []:
        if str((context.get("context") or {}).get("user", "")).startswith("clusterAdmin"):
            context["name"] = f"{context['name']}-admin"
            incoming["current-context"] = context["name"]
            break


def merge_kubeconfig(
    new: dict[str, Any] | bytes,
    path: str | None,
    *,
    overwrite_existing: bool = False,
    set_current: bool = True,
) -> MergeResult:
    """Merge ``new`` (a kubeconfig as bytes or a mapping) into ``path`` (default: the first
    file of $KUBECONFIG, else ~/.kube/config); an admin context is named ``NAME-admin``."""
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
    name_admin_context(incoming)
    if target.is_dir():
        raise UsageError(
            f"the kubeconfig {target} is a directory, not a file", hint="pass --kubeconfig with a file path"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise _unwritable(target.parent, exc) from exc
    with _locked(target):
        old_bytes, old_stat = _read_existing(target)
        old_text = _decode(old_bytes, target) if old_bytes is not None else None
        data, indent, seq_offset = _load(old_text or "", str(target))
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
                hint="pass --overwrite-existing to replace them (a backup is kept), or use another --kubeconfig",
            )
        for section, idx, entry in plan:
            if idx is None:
                data[section].append(entry)
            else:
                data[section][idx] = entry
        if set_current and result.context:
            data["current-context"] = result.context
        out = _serialise(data, indent, seq_offset, old_text)
        if old_bytes is not None and out != old_bytes:
            backup = target.with_name(target.name + BACKUP_SUFFIX)
            _write_atomic(backup, old_bytes, old_stat)
            result.backup = str(backup)
        if out != old_bytes:
            _write_atomic(target, out, old_stat)
    return result
