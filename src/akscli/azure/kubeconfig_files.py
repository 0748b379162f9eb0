"""One kubeconfig file read and written as kubectl does (kubernetes/client-go tools/clientcmd/loader.go
WriteToFile: os.WriteFile): read with one clear line for a folder, a device or bytes that are not
UTF-8; a read-only file refused, not replaced; written to a temp file in the same folder, fsynced and
renamed with the file's own owner and mode (0600 for a new one), or in place where a rename would
not do what kubectl does (a file with other hard links, one bind-mounted into a container). The
merge, its lock and its backup are kubeconfig.py's.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path

from akscli.errors import AkscliError, UsageError

BACKUP_SUFFIX = ".akscli.bak"
FIX_HINT = "fix or move the file away, then run the command again"


def unwritable(folder: Path, exc: OSError) -> UsageError:
    reason = (
        "is read-only"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
        else f"cannot be written: {exc.strerror}"
    )
    return UsageError(
        f"cannot write the kubeconfig: the folder {folder} {reason}",
        hint="pass --kubeconfig with a kubeconfig in a folder you can write, or fix the folder's permissions",
    )


def read_existing(target: Path) -> tuple[bytes | None, os.stat_result | None]:
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
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the kubeconfig {target}: {exc.strerror}", hint=FIX_HINT) from exc
    return data, info


def check_writable(target: Path, info: os.stat_result | None) -> None:
    """A file akscli would change must be writable; a read-only one is refused, not replaced."""
    if info is not None and (not (info.st_mode & 0o222) or not os.access(target, os.W_OK)):
        raise UsageError(
            f"the kubeconfig {target} is read-only (mode {stat.S_IMODE(info.st_mode):04o}); akscli does not replace it",
            hint=f"make it writable (chmod u+w {target}) or pass --kubeconfig with another kubeconfig",
        )


def decode(data: bytes, source: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"the kubeconfig {source} is not UTF-8 text (byte {exc.start} cannot be decoded)", hint=FIX_HINT
        ) from exc


def write_file(path: Path, data: bytes, like: os.stat_result | None, backup: Path) -> None:
    """Replace ``path`` by ``data`` at once (``write_atomic``), or in place where a rename would
    not do what kubectl does. kubectl writes the file itself (kubernetes/client-go
    tools/clientcmd/loader.go ``WriteToFile``: ``os.WriteFile``, which truncates and writes the
    existing file), so a file with other hard links changes under every name, a file
    bind-mounted into a container (``docker run -v ~/.kube/config:/root/.kube/config``), where
    rename(2) answers EBUSY, is written, and so are a writable file (a link's target) in a folder
    the user cannot write, where no temp file can be made, and one whose owner or group a new file
    could not be given (``owner_kept``: a user's file left with group root by ``sudo chown
    $USER``). akscli does the same for those four, after its ``backup``."""
    try:
        in_place = like is not None and (
            like.st_nlink > 1 or not os.access(path.parent, os.W_OK | os.X_OK) or not owner_kept(like)
        )
        if in_place or not write_atomic(path, data, like):
            write_in_place(path, data)
    except OSError as exc:
        raise AkscliError(
            f"cannot write the kubeconfig {path}: {exc.strerror or exc}",
            hint=f"fix what stops the write (free space, the file system), then run the command again; "
            f"the file as it was is kept as {backup}",
        ) from exc


def write_in_place(path: Path, data: bytes) -> None:
    """kubectl's write: the existing file truncated and written, its owner, mode and links kept."""
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)  # no O_CREAT: only an existing file is written so
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def owner_kept(like: os.stat_result) -> bool:
    """Whether a file this process makes can be given ``like``'s owner and group: chown(2) lets
    root give any, and others only their own user and a group they are in."""
    if os.geteuid() == 0:
        return True
    return like.st_uid == os.geteuid() and (like.st_gid == os.getegid() or like.st_gid in os.getgroups())


def write_atomic(path: Path, data: bytes, like: os.stat_result | None, mode: int | None = None) -> bool:
    """Replace ``path`` by ``data`` at once, with the owner and mode of ``like`` (0600 if new;
    ``mode`` where given). False, with nothing changed, where ``path`` is a mount point (rename(2):
    EBUSY)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise unwritable(path.parent, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode if mode is not None else stat.S_IMODE(like.st_mode) if like else 0o600)
        if like is not None and (like.st_uid, like.st_gid) != (os.geteuid(), os.getegid()) and owner_kept(like):
            # As root on a user's file: the file stays the user's (kubectl writes in place).
            # Where it cannot be (a backup of a file of another group), the writer's own.
            os.chown(tmp, like.st_uid, like.st_gid)
        os.replace(tmp, path)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno == errno.EBUSY and like is not None:
            return False
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return True
