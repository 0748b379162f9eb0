"""stderr: progress, warnings and information, and whether a stream is a terminal.

Moved out of akscli.output (which re-exports every name here, so callers write ``output.info``)
to keep that module under 600 lines; no behaviour changed.
"""

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from akscli.plugin_spelling import PLUGIN_PROGRAM, as_plugin
from akscli.printable import terminal_safe
from akscli.redact import server_text


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


def no_color() -> bool:
    """NO_COLOR is set to something: "when present and not an empty string (regardless of its
    value)" (https://no-color.org), as rich reads it (Textualize/rich rich/console.py, Console:
    ``self._environ.get("NO_COLOR", "") != ""``). ``NO_COLOR=`` keeps colour."""
    return os.environ.get("NO_COLOR", "") != ""


def color_enabled(stream: Any = None) -> bool:
    """Colour on ``stream`` (stdout by default): a terminal, no NO_COLOR, and not a dumb one
    (TERM=dumb or unknown, which rich gives no colour system: Textualize/rich rich/console.py
    Console.is_dumb_terminal and _detect_color_system), so the labels agree with the tables."""
    stream = stream or sys.stdout
    dumb = os.environ.get("TERM", "").lower() in ("dumb", "unknown")
    return not no_color() and not dumb and bool(getattr(stream, "isatty", lambda: False)())


def as_invoked(text: str) -> str:
    """``text`` with each `akscli COMMAND` it tells the user to run spelled as akscli was run:
    `kubectl akscli COMMAND` under kubectl (kubectl runs the plugin as kubectl-akscli, and an
    akscli script need not be on PATH), as click's usage hint names `kubectl akscli` there."""
    if os.path.basename(sys.argv[0] if sys.argv else "") != PLUGIN_PROGRAM:
        return text
    return as_plugin(text)


def info(message: str) -> None:
    """One line on stderr (plans, progress, warnings): a server's words a line repeats are
    scrubbed of the Secret values and credentials this process handled, of tokens of a published
    shape (``hf_``, ``ghp_``, ``sk-``, ``sig=``) or under a secret's name (``password=...``), and
    of a URL's password or secret-named query value (akscli.redact.server_text), and shown without
    their control characters."""
    _write(_shown(message))


def warn(message: str) -> None:
    prefix = "\x1b[33mwarning:\x1b[0m" if color_enabled(sys.stderr) else "warning:"
    _write(f"{prefix} {_shown(message)}")


def _write(line: str) -> None:
    sys.stderr.write(as_invoked(line) + "\n")
    sys.stderr.flush()


def _shown(message: str) -> str:
    """``message`` as a stderr line shows it: scrubbed (above), and each control character other
    than a line break or a tab written as its escape (``\\x1b``, ``\\r``), as a table cell and the
    error line show it (akscli.printable.visible). The words of an event, a condition or a
    webhook that a line repeats are anyone's who may write them; an escape sequence there would
    otherwise recolour or clear the terminal, or set its clipboard (OSC 52). kubectl escapes ESC and
    CR in what it prints of them (upstream: kubernetes/cli-runtime pkg/printers/terminal.go
    EscapeTerminal, kubernetes/kubernetes#101695; kubernetes/kubectl pkg/cmd/events/event_printer.go)."""
    return terminal_safe(server_text(message))


class Repeats:
    """The warnings of a command that reads again and again (``-w``): a line is written the first
    round it comes, not again while every round brings it, and again once a round without it has
    passed (what it said stopped being so, then became so again). As kubectl writes a warning once
    per run (kubernetes/kubectl pkg/cmd/cmd.go NewKubectlCommand, ``rest.NewWarningWriter(...,
    WarningWriterOptions{Deduplicate: true})``; client-go rest/warnings.go), and a line that
    changes (another reason) is new."""

    def __init__(self) -> None:
        self._said: set[str] = set()
        self._now: set[str] = set()

    def warn(self, message: str) -> None:
        if message not in self._said and message not in self._now:
            warn(message)
        self._now.add(message)

    def round_done(self) -> None:
        """A round's lines are in: the next round repeats none of them."""
        self._said, self._now = self._now, set()


def progress(message: str) -> None:
    """One progress line on stderr; with a spinner running, it updates the spinner instead."""
    if _ACTIVE_STATUS:
        _ACTIVE_STATUS[-1](message)
        return
    info(message)


_ACTIVE_STATUS: list[Callable[[str], None]] = []


@contextmanager
def _status_lines(message: str) -> Iterator[Callable[[str], None]]:
    import threading

    from akscli.concurrency import deferred_interrupts

    started = time.monotonic()
    last = [message]
    lock = threading.Lock()
    done = threading.Event()
    info(message)

    def line(text: str) -> None:
        info(f"{text}, {elapsed(time.monotonic() - started)}")

    def update(text: str) -> None:
        with lock:
            if text != last[0]:
                last[0] = text
                line(text)

    def heartbeat() -> None:
        while not done.wait(STATUS_INTERVAL_S):
            with lock:
                line(last[0])

    beat = threading.Thread(target=heartbeat, name="akscli-status", daemon=True)
    _ACTIVE_STATUS.append(update)
    try:
        # Starting and joining a thread must not be cut by a KeyboardInterrupt (akscli.concurrency).
        with deferred_interrupts():
            beat.start()
        yield update
    finally:
        _ACTIVE_STATUS.pop()
        done.set()
        if beat.is_alive():
            with deferred_interrupts():
                beat.join()


# Without a terminal (CI logs, notebooks), a long wait prints its state when it changes and at
# least this often, so a log never goes quiet for minutes.
STATUS_INTERVAL_S = 30.0


def elapsed(seconds: float) -> str:
    """How long a plain status line's wait has run: 45s, 3m12s, 1h4m. Not kubectl's AGE
    (output.human_duration drops the seconds from 10m on): a line every STATUS_INTERVAL_S shows
    the seconds move, so they are kept below the hour."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60}s"
    return f"{whole // 3600}h{whole % 3600 // 60}m"


@contextmanager
def status(message: str) -> Iterator[Callable[[str], None]]:
    """A spinner on a TTY stderr; otherwise status lines: the state when it changes and every
    STATUS_INTERVAL_S, each with the time elapsed. Yields a function to update the state."""
    if not stderr_is_tty():
        with _status_lines(message) as update_plain:
            yield update_plain
        return
    from rich.console import Console

    from akscli.concurrency import deferred_interrupts

    console = Console(stderr=True, no_color=no_color())
    started = time.monotonic()
    spinner = console.status(message)

    def update(text: str) -> None:
        spinner.update(f"{text} [{time.monotonic() - started:,.0f}s]")

    _ACTIVE_STATUS.append(update)
    try:
        # Its refresh thread starts and stops uncut; a Ctrl-C just after the start still reaches
        # the stop, which shows the cursor again (rich's Live.stop does nothing if not started).
        with deferred_interrupts():
            spinner.start()
        yield update
    finally:
        _ACTIVE_STATUS.pop()
        with deferred_interrupts():
            spinner.stop()
