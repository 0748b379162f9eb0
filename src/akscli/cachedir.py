"""akscli's cache folder: ``$AKSCLI_CACHE_DIR``, else ``$XDG_CACHE_HOME/akscli``, else
``~/.cache/akscli``, one folder per part (tokens, sign-in records, compiled templates).

What is kept there is the user's own and some of it is code (compiled templates) or secret
(tokens), so a part is used only as a folder of this user's that nobody else can enter: created
0700, tightened to it where it is looser, and never used where another user owns it.
"""

from __future__ import annotations

import os


def path(part: str) -> str:
    """The folder of ``part`` (it may not exist yet)."""
    base = os.environ.get("AKSCLI_CACHE_DIR")
    if base:
        return os.path.join(base, part)
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "akscli", part)


def owned(file: str, fd: int | None, mode: int) -> bool:
    """Whether ``file`` (or the open ``fd``) is this user's; tightens it to ``mode`` if others can
    read it."""
    try:
        info = os.fstat(fd) if fd is not None else os.lstat(file)
        if info.st_uid != os.geteuid():
            return False  # planted by another user: never trusted, never written through
        if info.st_mode & 0o077:
            if fd is not None:
                os.fchmod(fd, mode)
            else:
                os.chmod(file, mode)
    except OSError:
        return False
    return True


def is_private(folder: str) -> bool:
    """An existing folder (not a link to one) of this user's that nobody else can enter."""
    return os.path.isdir(folder) and not os.path.islink(folder) and owned(folder, None, 0o700)


def make(folder: str) -> None:
    """``folder`` and every missing folder above it made 0700 (``os.makedirs`` gives the ones
    above the umask's mode: 0777 under umask 0, where another user could swap a part away)."""
    parent = os.path.dirname(folder)
    if parent and parent != folder and not os.path.isdir(parent):
        make(parent)
    try:  # noqa: SIM105 - contextlib would cost every kubectl call (akscli token) an import
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass


def private_folder(part: str) -> str | None:
    """The folder of ``part``, made 0700 where it is missing; None where it cannot be made (a
    read-only home) or is not private (``is_private``)."""
    folder = path(part)
    try:
        make(folder)
    except OSError:
        return None
    return folder if is_private(folder) else None
