"""The process around a command: how it starts, how its large imports run, how it ends.

Two costs that are CPython's, not akscli's, measured on a command (``akscli version``, a
one-object ``akscli apply``):

- **The cyclic collector during imports.** Importing allocates objects (modules, classes,
  functions) that live until exit; the collector walks them again and again while they are
  made. Typer's import costs about 9 ms more with it, the kubernetes client's (about 800 model
  modules) about 28 ms more. So imports run with the collector off, and what they made is then
  frozen (``gc.freeze``) so that later collections do not walk it either. Cyclic garbage the
  command itself makes is still collected.
- **The interpreter's teardown.** After the command, CPython tears every module down object by
  object: about 15 ms after an offline command, 50-70 ms once the kubernetes client is loaded.
  Nothing of it is needed: files are closed by the code that wrote them, and the operating
  system frees the memory. ``finish`` flushes the standard streams, runs the atexit handlers
  (logging's flush, the kubernetes client's removal of its temporary certificate files, the
  token cache) and ends the process with ``os._exit``, which skips only the teardown.
- **The frame stack's chunks.** CPython 3.11 and 3.12 keep each thread's frames in 16 KiB
  chunks, and free a chunk (munmap) as soon as the frame at its bottom returns: a call depth
  that sits at a chunk's edge maps and unmaps one on every call (python/cpython#142183, fixed
  in 3.13 and 3.14 by keeping one spare chunk: python/cpython#145789, #146123). The kubernetes
  client's import (about 500 modules) from ``connect``, some 40 frames under Typer, met an edge
  about 3,000 times: 3,000 mmap/munmap pairs and page faults, about 20 ms (azure-identity's, 300
  to 2,500 times, by depth). So they run on a short-lived thread, whose frames start at the
  bottom of a chunk of their own (``import_on_own_stack``).
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# typing only for the type checker: it is about 3 ms of a help request or a <TAB>, which load
# nothing else that imports it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn


def start() -> None:
    """The first thing the console script does: the collector stays off until the command runs."""
    gc.disable()


# The collector's first generation is collected after this many more container objects are made
# than freed (CPython's default is 700). What a command keeps (the parsed manifests, the server's
# answers) is young data that lives until exit: at 700, a 500-object apply ran about 160 young
# and 13 middle collections and one full one, about 25 ms walking that live data and finding
# nothing (gc callbacks, docs/changes/audit22-perf22.md). At 10,000 the same apply runs about
# 12 young collections and nothing else, some 10 ms; cyclic garbage is still collected, at most
# 10,000 objects later (upstream: CPython 3.11 Modules/gcmodule.c, gc.set_threshold).
YOUNG_THRESHOLD = 10_000


def started() -> None:
    """The command line's framework is imported: freeze what start-up made, collect from now on."""
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    gc.enable()


@contextmanager
def large_import() -> Iterator[None]:
    """Around the import of a large package (the kubernetes client, the Azure SDK)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def import_large(name: str) -> None:
    """Import the package ``name`` under ``large_import``, unless it is loaded already. For the
    libraries a command loads on first use: ruamel.yaml (about 40 modules with the C parser, the
    first YAML read or written) and Jinja2 (about 30 modules, the first render) would otherwise
    be imported with the collector on, as the command has turned it on by then."""
    if name in sys.modules:
        return
    with large_import():
        __import__(name)


def import_on_own_stack(*names: str) -> None:
    """Import the packages ``names`` under ``large_import`` on a short-lived thread, and wait for
    it: the import's frames start at the bottom of that thread's own frame stack, wherever the
    caller is, so no chunk edge is met over and over (see the module's docstring). What the
    import raises is raised here. For a command's code only, never at a module's import: the
    caller must hold no module's import lock, which the thread could need.

    The thread starts and is joined with signals deferred (akscli.concurrency): a Ctrl-C during
    the import (a fifth of a second) is raised here when it ends."""
    missing = [name for name in names if name not in sys.modules]
    if not missing:
        return
    import threading

    from akscli.concurrency import deferred_interrupts

    failed: list[BaseException] = []

    def run() -> None:
        try:
            for name in missing:
                __import__(name)
        except BaseException as exc:  # raised again in the caller's thread, below
            failed.append(exc)

    worker = threading.Thread(target=run, name="akscli-import", daemon=True)
    with large_import(), deferred_interrupts():
        try:
            worker.start()
        except RuntimeError:  # no thread to be had (a process or memory limit): import here
            run()
        else:
            worker.join()
    if failed:
        raise failed[0]


def finish(code: int, *, wait_for_threads: bool = True) -> NoReturn:
    """End the process with ``code`` once output is flushed and the atexit handlers have run.
    Threads still working (not daemons) are waited for unless ``wait_for_threads`` is false."""
    _flush_stdout()
    if wait_for_threads and _threads_still_running():
        # A thread that is not a daemon is joined by the interpreter's own shutdown: keep that
        # exit, minus its last collection (it walks every object the command and the kubernetes
        # client made: 100-500 ms after a cluster command).
        gc.freeze()
        sys.exit(code)
    atexit._run_exitfuncs()
    _flush_stdout()
    sys.stderr.flush()
    os._exit(code)


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        discard_stdout()


def discard_stdout() -> None:
    """`akscli ... | head` closed stdout: point it at /dev/null so no later write or flush fails."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


# Whether this run has sent a server a write it accepted (not a dry run): from then on a closed
# stdout must not cut the command short of its other steps (output.write). Cleared when a run ends.
_WROTE: list[bool] = []


def wrote() -> None:
    """A server accepted a change this run asked for (kube/client.py request)."""
    _WROTE[:] = [True]


def has_written() -> bool:
    return bool(_WROTE)


def forget_writes() -> None:
    _WROTE.clear()


def _threads_still_running() -> bool:
    threading = sys.modules.get("threading")
    if threading is None:
        return False
    main = threading.main_thread()
    return any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate())
