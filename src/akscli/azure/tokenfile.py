"""A token kept in a file of akscli's cache (``akscli token``'s, akscli.azure.token, and a <TAB>'s,
akscli.azure.tabtoken): a 0600 file of this user's in a 0700 folder of this user's, written whole or not
at all, read back only while the token has more than REFRESH_MARGIN seconds left. Standard library
only: ``akscli token`` reads it on every kubectl call."""

from __future__ import annotations

import json
import os
import time

from akscli import cachedir

REFRESH_MARGIN = 300


def read(directory: str, path: str, now: float | None = None) -> tuple[str, int] | None:
    """The token kept in ``path`` (of ``directory``) and its expiry (epoch seconds), if both are
    this user's and the token has more than REFRESH_MARGIN seconds left."""
    now = time.time() if now is None else now
    if not cachedir.is_private(directory):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, encoding="utf-8") as fh:
            if not cachedir.owned(path, fh.fileno(), 0o600):
                return None
            data = json.load(fh)
        token, expires_on = str(data["token"]), int(data["expires_on"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if expires_on - REFRESH_MARGIN <= now or not token:
        return None
    return token, expires_on


def write(directory: str, path: str, token: str, expires_on: int) -> None:
    """Keep ``token`` in ``path``, a 0600 file of ``directory`` (made 0700), written whole or not at all."""
    import tempfile

    cachedir.make(directory)
    if not cachedir.is_private(directory):
        raise PermissionError(f"{directory} belongs to another user")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tok-", suffix=".tmp")
    try:
        # mkstemp creates the file 0600: the token is never readable by others, not even briefly.
        with os.fdopen(fd, "w") as fh:
            json.dump({"token": token, "expires_on": int(expires_on)}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:  # noqa: SIM105 - contextlib would cost every kubectl call an import
            os.unlink(tmp)
        except OSError:
            pass
        raise
