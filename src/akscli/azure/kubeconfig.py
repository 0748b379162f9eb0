"""Merge a kubeconfig into the user's file atomically.

Guarantees: entries already in the file are kept byte for byte (ruamel round-trip, with
the file's own indentation, line endings, and JSON kept as JSON); the previous file is kept as
``<file>.akscli.bak`` (beside the name given: a link's, not its target's); the result is written
to a temp file in the same directory, fsynced and ``os.replace``d with the file's own owner and
mode (0600 for a new file, whatever the umask: the temp file is created 0600 by mkstemp before a
byte is written). A file bind-mounted into a container (rename answers EBUSY), with other hard
links, in a folder the user cannot write or of a group a new file could not be given is written
in place instead, after the backup, as kubectl writes every file (kubeconfig_files.py
``write_file``). A file without write permission is refused, not replaced. A symlinked kubeconfig
is written through the link (its target is replaced, the link stays), as client-go's
``os.WriteFile`` does.

Without --kubeconfig, the files of $KUBECONFIG are used as kubectl uses them (kubernetes/client-go
tools/clientcmd/config.go ``ModifyConfig``): an entry already in one of them is compared with, and
replaced in, the file that holds it; a new entry and the current context go to the default file
(``default_path``).

Locking follows client-go's protocol (kubernetes/client-go tools/clientcmd/loader.go,
``lockFile``/``unlockFile``): the lock is ``<file>.lock`` created with O_CREATE|O_EXCL and
removed when done, named after the path as given (a link's name; its target's too); every file
of a $KUBECONFIG chain is locked, in sorted order. kubectl takes that same lock for ``kubectl
config ...`` (and fails at once when it exists), so akscli and kubectl exclude each other and
nothing is left behind; akscli waits a bounded time for a lock someone else holds, and not at all
for one made longer ago than that wait (a stopped writer's, refused with its age). The merge is
planned (parsed and rendered) before the lock is taken; under it the files are read again and
written where unchanged, else planned again, so the lock is held for milliseconds.
"""

from __future__ import annotations

import io
import json
import os
import random
import stat
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from akscli.azure.kubeconfig_files import (
    BACKUP_SUFFIX,
    FIX_HINT,
    check_writable,
    decode,
    read_existing,
    unwritable,
    write_atomic,
    write_file,
)
from akscli.concurrency import held_interrupts, interrupt_recorded
from akscli.errors import ConflictError, UsageError

SECTIONS = ("clusters", "users", "contexts")
LOCK_SUFFIX = ".lock"  # client-go's lockName(): filename + ".lock"
LOCK_WAIT_SECONDS = 10.0
STALE_LOCK_SECONDS = LOCK_WAIT_SECONDS  # a lock older than this is not waited for
WINDOWS = os.name == "nt"  # its mode bits do not say who may read a file (ACLs do)
LOCK_HELD_NOTE = (
    "interrupted while the kubeconfig is locked: akscli finishes a write under way and removes its locks, "
    "then stops (interrupt again to stop now)"
)


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
    """The file a new entry goes to: client-go's ``PathOptions.GetDefaultFilename`` (kubernetes/
    client-go tools/clientcmd/config.go): the one $KUBECONFIG file, else the first of them that
    exists, else the last of them; ~/.kube/config without $KUBECONFIG."""
    files = env_files()
    if len(files) == 1:
        return files[0]
    for file in files:
        if os.path.exists(file):
            return file
    if files:
        return files[-1]
    return str(Path.home() / ".kube" / "config")


def env_files() -> list[str]:
    """$KUBECONFIG's files in order, empty entries and repeats dropped (client-go's
    ``GetEnvVarFiles``: ``filepath.SplitList`` then ``deduplicate``)."""
    seen: list[str] = []
    for file in os.environ.get("KUBECONFIG", "").split(os.pathsep):
        if file and file not in seen:
            seen.append(file)
    return seen


def _yaml(indent: int = 2, seq_offset: int = 0) -> Any:
    from ruamel.yaml import YAML

    from akscli.yamlio import bounded

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 30  # never re-wrap long scalars (certificates, tokens, args)
    y.indent(mapping=indent, sequence=indent + seq_offset, offset=seq_offset)
    return bounded(y)


def _load(text: str, source: str) -> tuple[Any, int, int]:
    from ruamel.yaml.util import load_yaml_guess_indent

    from akscli import yamlio

    if not text.strip():
        return None, 2, 0
    yamlio.check_bounds(text, source)
    with yamlio.refusals(source, hint=FIX_HINT):
        data, seq_indent, block_seq_indent = load_yaml_guess_indent(text, yaml=_yaml())
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
            if interrupt_recorded():
                # Stopped while waiting for someone else's lock: nothing was written yet, so
                # nothing is (the locks already taken are removed on the way out).
                raise KeyboardInterrupt from None
            _refuse_a_stale_lock(path, lock_path)
            if time.monotonic() >= deadline:
                raise ConflictError(
                    f"{path} is locked: {lock_path} exists (kubectl or akscli is writing it)",
                    hint=f"run the command again; if no kubectl or akscli is running, remove {lock_path}",
                ) from None
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 0.1)
        except OSError as exc:
            raise unwritable(path.parent, exc) from exc
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


def _refuse_a_stale_lock(path: Path, lock_path: Path) -> None:
    """A lock made longer ago than the wait would last is refused at once, with its age: kubectl
    and akscli hold it for milliseconds, so one that old was left by a writer that was stopped
    (client-go's lock holds nothing but its name: kubernetes/client-go tools/clientcmd/loader.go
    ``lockFile``), and kubectl fails on it at once too (``error: open ...lock: file exists``)."""
    from akscli.object_names import human_duration

    try:
        age = time.time() - os.stat(lock_path).st_mtime
    except OSError:
        return  # removed meanwhile: take it on the next try
    if age <= STALE_LOCK_SECONDS:
        return
    raise ConflictError(
        f"{path} is locked: {lock_path} was made {human_duration(age)} ago, and kubectl and akscli "
        "hold it only while they write, so a kubectl or akscli that was stopped left it",
        hint=f"if no kubectl or akscli is writing the kubeconfig now, remove {lock_path} and run the command again",
    )


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


def open_to_others(path: str) -> str | None:
    """A warning where the kubeconfig at ``path`` (a link's target) can be read or written by its
    group or others: it holds credentials. ``az aks get-credentials`` warns alike ("has permissions
    ... It should be readable and writable only by its owner": Azure/azure-cli
    src/azure-cli/azure/cli/command_modules/acs/custom.py ``merge_kubernetes_configurations``);
    kubectl creates the file 0600 (kubernetes/client-go tools/clientcmd/loader.go ``WriteToFile``).
    None on Windows, which az skips too (``platform.system() != "Windows"``)."""
    if WINDOWS:
        return None
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return (
        f"the kubeconfig {path} has mode {mode:04o}: others on this machine can read the credentials it holds "
        f"(chmod 600 {path})"
    )


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


@dataclass
class _File:
    """One kubeconfig file of the merge: the path as named (client-go locks ``<name>.lock``) and
    the file it resolves to (written in place of the link's target, so a link stays a link)."""

    named: Path
    real: Path
    old_bytes: bytes | None = None
    old_stat: os.stat_result | None = None
    old_text: str | None = None
    data: Any = None
    indent: int = 2
    seq_offset: int = 0
    changed: bool = False

    def load(self) -> None:
        self.old_bytes, self.old_stat = read_existing(self.real)
        self.old_text = decode(self.old_bytes, self.real) if self.old_bytes is not None else None
        self.data, self.indent, self.seq_offset = _load(self.old_text or "", str(self.real))
        _check_config(self.data, str(self.real))

    def holds(self, section: str, name: str) -> int | None:
        items = self.data.get(section) if isinstance(self.data, dict) else None
        return next((i for i, e in enumerate(items or []) if e["name"] == name), None)

    def ensure(self) -> Any:
        if self.data is None:
            from ruamel.yaml.comments import CommentedMap

            self.data = CommentedMap()
            self.data["apiVersion"] = "v1"
            self.data["kind"] = "Config"
            self.data["preferences"] = {}
        return self.data


def _files(path: str | None) -> tuple[list[_File], _File]:
    """The files an entry may already be in, in client-go's precedence, and the default file new
    entries and the current context go to: ``path`` alone, else $KUBECONFIG's files (client-go
    tools/clientcmd/config.go ``ModifyConfig``: a changed entry is written to its
    ``LocationOfOrigin``, the first file that holds it; a new one to ``GetDefaultFilename``)."""
    named = [path] if path else (env_files() or [default_path()])
    default = path or default_path()
    # The name absolute but not resolved: a link's own lock, one lock per file however it is named.
    files = [
        _File(Path(os.path.abspath(os.path.expanduser(n))), Path(os.path.realpath(os.path.expanduser(n))))
        for n in named
    ]
    return files, files[named.index(default)]  # default_path() is one of $KUBECONFIG's names


@contextmanager
def _all_locked(files: list[_File], default: _File) -> Iterator[None]:
    """client-go's ``ModifyConfig`` locks every file of the chain in sorted order (no deadlock
    between two writers); akscli locks the name kubectl locks and, for a link, its target too
    (another akscli or kubectl may name the target), where the target's folder can be written: a
    link to a file in a folder the user cannot write (a k3s.yaml chowned to the user in
    /etc/rancher/k3s) is written by kubectl, which locks the link's name only, and no writer that
    names the target could lock it. A file in a folder that does not exist is not locked: it is
    neither read nor written."""
    named = {f.named for f in files}
    targets = {f.real for f in files} - named
    names = named | {t for t in targets if not t.parent.is_dir() or os.access(t.parent, os.W_OK | os.X_OK)}
    wanted = sorted(str(n) for n in names if n.parent.is_dir() or n in (default.named, default.real))
    with ExitStack() as stack:
        for name in wanted:
            stack.enter_context(_locked(Path(name)))
        yield


def check_merge_target(path: str) -> None:
    """What a merge into ``path`` refuses whatever is merged (a folder, a file that is not a
    kubeconfig, one that cannot be read), checked as --kubeconfig is parsed: a credentials command
    asks Azure for nothing it could not merge. ``merge_kubeconfig`` checks it again under the lock."""
    _, default = _files(path)
    _not_a_folder(default)
    if default.real.exists():
        default.load()


def _not_a_folder(default: _File) -> None:
    if default.real.is_dir():
        raise UsageError(
            f"the kubeconfig {default.real} is a directory, not a file", hint="pass --kubeconfig with a file path"
        )


def merge_kubeconfig(
    new: dict[str, Any] | bytes,
    path: str | None,
    *,
    overwrite_existing: bool = False,
    set_current: bool = True,
    write: bool = True,
) -> MergeResult:
    """Merge ``new`` (a kubeconfig as bytes or a mapping) into ``path``, or without it into
    $KUBECONFIG's files as kubectl would (``_files``), else ~/.kube/config; an admin context is
    named ``NAME-admin``. ``write=False`` (--dry-run) reports what would change and writes nothing."""
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
    files, default = _files(path)
    _not_a_folder(default)
    # The YAML round trip (the slow part: about 13 ms per context of the file) is done before the
    # lock is taken; under it, the files are read again and written only where they are as read,
    # else planned again. kubectl fails at once on a lock it finds, so it is held for milliseconds.
    result, writes = _plan(incoming, files, default, overwrite_existing, set_current)
    if not write:
        return result
    try:
        default.real.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise unwritable(default.real.parent, exc) from exc
    # A Ctrl-C or SIGTERM while the locks are held is answered once they are removed: SIGTERM's
    # default ends the process at once and would leave them for kubectl to trip on ("error: open
    # ~/.kube/config.lock: file exists"), as a kubectl stopped by it leaves its own (Go's default
    # for SIGTERM is to exit without running deferred calls: golang/go src/os/signal/doc.go,
    # "Default behavior of signals in Go programs").
    with held_interrupts(LOCK_HELD_NOTE), _all_locked(files, default):
        if interrupt_recorded():  # stopped while the locks were awaited: no write was under way
            raise KeyboardInterrupt
        if any(read_existing(f.real)[0] != f.old_bytes for f in files):  # written since: plan again
            files, default = _files(path)
            result, writes = _plan(incoming, files, default, overwrite_existing, set_current)
        for file, out in writes:
            _save(file, out)
    return result


def _plan(
    incoming: dict[str, Any], files: list[_File], default: _File, overwrite: bool, set_current: bool
) -> tuple[MergeResult, list[tuple[_File, bytes]]]:
    """What the merge changes: the result to report and each file's new bytes, nothing written."""
    for file in files:
        if file is default or file.real.exists():
            file.load()
    result = MergeResult(path=str(default.real), context=incoming.get("current-context"))
    conflicts: list[str] = []
    plan: list[tuple[_File, str, int | None, Any]] = []
    for section in SECTIONS:
        for entry in incoming.get(section) or []:
            label = f"{section[:-1]} {entry['name']}"
            holder = next(((f, i) for f in files if (i := f.holds(section, entry["name"])) is not None), None)
            if holder is None:
                plan.append((default, section, None, entry))
                result.added.append(label)
                continue
            file, idx = holder
            if file is not default:
                label = f"{label} in {file.real}"
            if _plain(file.data[section][idx]) == _plain(entry):
                result.unchanged.append(label)
            elif overwrite:
                plan.append((file, section, idx, entry))
                result.replaced.append(label)
            else:
                conflicts.append(label)
    if conflicts:
        raise ConflictError(
            f"{default.real} already has a different {', '.join(conflicts)}",
            hint="pass --overwrite-existing to replace them (a backup is kept), or use another --kubeconfig",
        )
    for file, section, at, entry in plan:
        data = file.ensure()
        if data.get(section) is None:
            data[section] = []
        if at is None:
            data[section].append(entry)
        else:
            data[section][at] = entry
        file.changed = True
    if set_current and result.context and _current_context(files) != result.context:
        # client-go's ModifyConfig writes the current context only where the chain's own differs
        # (tools/clientcmd/config.go: "if startingConfig.CurrentContext != newConfig.CurrentContext"),
        # and then to the default file (writeCurrentContext).
        default.ensure()["current-context"] = result.context
        default.changed = True
    changed = [f for f in files if f.changed]
    for file in changed:  # every file checked before any is written: nothing half-applied
        check_writable(file.real, file.old_stat)
    writes = [(file, out) for file in changed if (out := _render(file)) != file.old_bytes]
    for file, _ in writes:
        if file.old_bytes is not None:
            result.backup = result.backup or str(_backup_path(file))
    return result, writes


def _current_context(files: list[_File]) -> str | None:
    """The chain's current context as kubectl reads it: the first file that sets one (client-go
    tools/clientcmd/loader.go ``Load``: struct values merged from the last file to the first, so
    the first non-empty one wins)."""
    for file in files:
        value = file.data.get("current-context") if isinstance(file.data, dict) else None
        if value:
            return str(value)
    return None


def _render(file: _File) -> bytes:
    """The file's merged bytes, in its own format."""
    data = file.data
    for section in SECTIONS:  # a new file lists every section, as before
        if data.get(section) is None:
            data[section] = []
    return _serialise(data, file.indent, file.seq_offset, file.old_text)


def _backup_path(file: _File) -> Path:
    """Beside the name the file was given (for a link, the link's, not its target's): that folder
    holds the lock, so it can be written, even where the target's cannot."""
    return file.named.with_name(file.named.name + BACKUP_SUFFIX)


def _save(file: _File, out: bytes) -> None:
    """The file's new bytes, atomically, after a backup of the old ones. The backup is 0600
    whatever the file's mode: it holds the same credentials and stays (kubectl keeps none), so a
    file the user then makes private (``open_to_others``) leaves no readable copy beside it."""
    backup = _backup_path(file)
    if file.old_bytes is not None:
        # A file of its own: never a mount point. Its owner is the file's.
        write_atomic(backup, file.old_bytes, file.old_stat, mode=0o600)
    write_file(file.real, out, file.old_stat, backup)
