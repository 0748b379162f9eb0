"""Drive a real interactive shell through a pseudo-terminal: type, press TAB, read the line back.

Used by the completion tests: the shell loads the script of ``akscli completion SHELL`` and
completes as it does for a user, running the installed ``akscli`` for candidates.
"""

from __future__ import annotations

import contextlib
import os
import pty
import re
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence

CTRL_A, CTRL_E, CTRL_U = "\x01", "\x05", "\x15"
_RESULT = re.compile(r"^<<(.*)>>\r?$", re.M)


class Terminal:
    """One interactive shell on a pty."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], setup: str) -> None:
        self.master, slave = pty.openpty()
        # A selector (epoll on Linux), not select(): select() raises ValueError for a descriptor
        # above 1023, which a long pytest-xdist worker can hold.
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.master, selectors.EVENT_READ)
        self.process = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env), start_new_session=True
        )
        os.close(slave)
        self.buffer = ""
        try:
            self.type(setup + "\n")
            self.type("echo '<<'READY'>>'\n")
            self._result(deadline=30.0)
        except BaseException:
            self.close()  # a shell that never answered leaves no process or descriptor behind
            raise

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def _read(self, timeout: float) -> None:
        if self._selector.select(timeout):
            try:
                self.buffer += os.read(self.master, 65536).decode(errors="replace")
            except OSError:
                return

    def _result(self, deadline: float) -> str:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            match = _RESULT.search(self.buffer)
            if match:
                self.buffer = self.buffer[match.end() :]
                return match.group(1)
            self._read(0.1)
        raise AssertionError(f"the shell did not answer; it printed: {self.buffer[-2000:]!r}")

    def complete(self, line: str, tabs: int = 1, settle: float = 0.3) -> str:
        """Type ``line``, press TAB, and return the command line the shell then holds.

        Keys typed while the completion runs wait in the terminal until it ends, as a user's
        would, so ``settle`` only paces the typing."""
        self.type(line)
        for _ in range(tabs):
            self.type("\t")
            self._settle(settle)
        # Wrap the edited line in an echo: the shell prints the line exactly as completion left it.
        self.type(f"{CTRL_A}echo '<<'{CTRL_E}'>>'\n")
        return self._result(deadline=30.0)

    def _settle(self, quiet: float) -> None:
        """Wait until the shell has printed nothing for a moment (the completion has run)."""
        end = time.monotonic() + 15.0
        size = -1
        while time.monotonic() < end and size != len(self.buffer):
            size = len(self.buffer)
            self._read(quiet / 5)
            if size == len(self.buffer):
                self._read(quiet)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._selector.close()
        os.close(self.master)


def interactive(shell: str, env: Mapping[str, str], script: object) -> Terminal:
    """An interactive bash or zsh with no user configuration that has sourced ``script`` (the
    file of ``akscli completion SHELL``), ready for ``complete``."""
    if shell == "bash":
        argv, setup = ["bash", "--norc", "--noprofile", "-i"], "PS1='$ '; bind 'set enable-bracketed-paste off'"
    else:
        argv = ["zsh", "-f", "-i"]
        setup = "PS1='$ '; unset zle_bracketed_paste; bindkey -e; autoload -U compinit; compinit -u -D"
    return Terminal(argv, env, f"{setup}; source {script}")
