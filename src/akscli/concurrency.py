"""Work on a bounded pool of threads, stoppable by Ctrl-C or SIGTERM at any moment.

Two things go wrong with threads and signals in CPython, and both were seen in akscli:

- **A KeyboardInterrupt inside threading's own code.** CPython runs a signal handler in the
  main thread between two bytecodes. When the handler raises while the main thread is inside
  ``Thread.start`` (which waits on an Event for the new thread), ``Thread.join`` or
  ``Condition.wait``, a lock can be left in the wrong state and the next release raises
  ``RuntimeError: release unlocked lock`` instead (Lib/threading.py: ``Condition.wait``'s
  ``_acquire_restore``, and the bpo-45274 comment in ``_wait_for_tstate_lock``;
  python/cpython#78667 and #118433). An apply stopped that way ended with exit 1 and without
  its "interrupted" audit line. So while work runs on a pool the handler only records the
  signal, and the main thread raises KeyboardInterrupt itself, where it waits (``wait``), within
  ``TICK_S``. A second signal raises at once, for a user who insists.
- **A pool that is waited for.** ``with ThreadPoolExecutor()`` joins its threads on the way
  out, so a Ctrl-C during a ``--wait`` was answered only when every watch had ended: up to the
  whole timeout. ``Cancellation`` shuts the sockets of the streams still open, so their threads
  end at once, and pools here are shut down without waiting.

Plain Python on purpose: no Typer, rich or client library here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from queue import Empty, SimpleQueue
from typing import Any, Literal, TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")

# How often a waiting main thread looks for a recorded signal: a Ctrl-C is answered within it.
TICK_S = 0.1


class _Deferral:
    """Whether signals are being recorded now, and the first one recorded."""

    active = False
    held = False  # inside held_interrupts: no check raises until its end
    signalled: int | None = None


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """SIGINT and SIGTERM are recorded inside this block and raised as KeyboardInterrupt where
    the main thread checks (``check_interrupted``, ``wait``) or at the block's end. Nested
    blocks and other threads change nothing; a signal ignored or left to its default stays so."""
    if _Deferral.active or _Deferral.held or threading.current_thread() is not threading.main_thread():
        yield
        return

    # Only handlers that raise are deferred (Python's for SIGINT; an apply's for SIGTERM): a
    # signal left to the system's default ends the process outright, with no lock to break.
    with _recording("active", note=None, take_default=False):
        yield


def check_interrupted() -> None:
    """Raise the KeyboardInterrupt of a signal recorded by ``deferred_interrupts`` (not inside
    ``held_interrupts``: its end raises it)."""
    if _Deferral.signalled is not None and not _Deferral.held:
        raise KeyboardInterrupt


def interrupt_recorded() -> bool:
    """Whether a SIGINT or SIGTERM was recorded and not yet raised: a ``held_interrupts`` step
    that has not begun its work yet (it waits for a lock) stops on it instead of going on."""
    return _Deferral.signalled is not None


def holding() -> bool:
    """Whether a ``held_interrupts`` block runs now (an apply's SIGTERM handler then records too)."""
    return _Deferral.held


@contextmanager
def held_interrupts(note: str) -> Iterator[None]:
    """A step that must not stop halfway (a deploy between deleting the old server and applying
    the new one: stopped there, the model would have no server): SIGINT and SIGTERM are recorded
    and ``note`` said on stderr at the first, the step goes on, and KeyboardInterrupt is raised at
    the block's end; a second signal raises at once, for a user who insists. Unlike
    ``deferred_interrupts``, no wait inside raises the first signal (check_interrupted). SIGTERM
    left to its default (which ends the process outright) is recorded too; an ignored one stays
    ignored."""
    if _Deferral.held or threading.current_thread() is not threading.main_thread():
        yield
        return

    with _recording("held", note=note, take_default=True):
        yield


@contextmanager
def _recording(flag: Literal["active", "held"], *, note: str | None, take_default: bool) -> Iterator[None]:
    """SIGINT and SIGTERM recorded while the block runs, ``_Deferral.<flag>`` set: the first one
    kept (``note`` said on stderr), a second raised at once, for a user who insists; at the block's
    end the handlers are put back and the recorded signal raised as KeyboardInterrupt (the work is
    done, but still stop). A signal ignored stays so; one left to its default only with
    ``take_default``."""
    import signal
    import sys

    def record(signum: int, _frame: Any) -> None:
        if _Deferral.signalled is not None:
            raise KeyboardInterrupt  # the second one: stop here and now
        _Deferral.signalled = signum
        if note is not None:
            sys.stderr.write(note.rstrip("\n") + "\n")
            sys.stderr.flush()

    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(number)
        if callable(handler) or (take_default and handler == signal.SIG_DFL):
            previous[number] = signal.signal(number, record)
    setattr(_Deferral, flag, True)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        setattr(_Deferral, flag, False)
        signalled, _Deferral.signalled = _Deferral.signalled, None
    if signalled is not None:
        raise KeyboardInterrupt


def wait(futures: Collection[Future[Any]], *, stop: Callable[[], bool] | None = None) -> None:
    """Until every future is done, one of them has failed, or ``stop()`` is true after one is
    done. Under ``deferred_interrupts`` a recorded signal is raised here within TICK_S. Each
    future is looked at once, when it finishes: 5,000 of them cost 5,000 steps, not 5,000 waits
    on all that are left (``concurrent.futures.wait`` in a loop). Without ``stop``, the waiting
    thread is woken only by a failure or by the last future: not once per future, each a wake-up
    and a GIL hand-off while the workers hold it (#16)."""
    finished: SimpleQueue[Future[Any]] = SimpleQueue()
    if stop is None:
        _wait_for_last_or_failure(futures, finished)
        return
    for future in futures:
        future.add_done_callback(finished.put)
    remaining = len(futures)
    while remaining:
        check_interrupted()
        try:
            future = finished.get(timeout=TICK_S if _Deferral.active else None)
        except Empty:
            continue
        remaining -= 1
        if (not future.cancelled() and future.exception() is not None) or stop():
            return


def _wait_for_last_or_failure(futures: Collection[Future[Any]], finished: SimpleQueue[Future[Any]]) -> None:
    left = [len(futures)]
    counting = threading.Lock()

    def done(future: Future[Any]) -> None:
        with counting:
            left[0] -= 1
            last = not left[0]
        if last or (not future.cancelled() and future.exception() is not None):
            finished.put(future)

    if not futures:
        return
    for future in futures:
        future.add_done_callback(done)
    while True:
        check_interrupted()
        try:
            finished.get(timeout=TICK_S if _Deferral.active else None)
        except Empty:
            continue
        return


def _first_failed(futures: Sequence[Future[Any]]) -> int | None:
    for index, future in enumerate(futures):
        if future.done() and not future.cancelled() and future.exception() is not None:
            return index
    return None


def _settle_before_first_failure(futures: Sequence[Future[Any]]) -> None:
    """Make the first failure in order final, as one-by-one work (kubectl's) would meet it: the
    work queued after it is cancelled, and the items before it, which the pool has already started
    (it takes them in order), are waited for. Without this, the failure reported was whichever
    finished first: a diff of two broken objects named either one, by the machine's load."""
    while (failed := _first_failed(futures)) is not None:
        for later in futures[failed + 1 :]:
            later.cancel()
        earlier = [future for future in futures[:failed] if not future.done()]
        if not earlier:
            return
        with deferred_interrupts():
            wait(earlier)


def raise_first_failure(futures: Sequence[Future[Any]]) -> None:
    """Re-raise the exception of the first finished future (in their order) that failed."""
    for future in futures:
        if future.done() and not future.cancelled() and future.exception() is not None:
            future.result()


# Marks the threads of a parallel_map pool of more than one (``fanned_out``).
_FANNED = threading.local()


def _mark_fanned() -> None:
    _FANNED.on = True


def fanned_out() -> bool:
    """Whether this thread is one of several a parallel_map runs side by side: requests it sends
    were sent together with others, and a wait the server names is met by all of them at once."""
    return bool(getattr(_FANNED, "on", False))


def parallel_map(fn: Callable[[_T], _R], items: Sequence[_T], parallel: int) -> list[_R]:
    """``fn`` over ``items`` on at most ``parallel`` threads, results in order; the first failure
    (in order) is raised. On Ctrl-C or SIGTERM the caller is not held until requests in flight
    finish: queued work is cancelled and the pool is not waited for."""
    workers = max(1, min(parallel, len(items) or 1))
    pool = ThreadPoolExecutor(max_workers=workers, initializer=_mark_fanned if workers > 1 else None)
    try:
        with deferred_interrupts():
            futures = [pool.submit(fn, item) for item in items]
            wait(futures)
        try:
            # One look at each future (its lock taken once, not four times): in order, a result
            # or the first failure, as raise_first_failure gives it when all are done.
            return [future.result(timeout=0) for future in futures]
        except (TimeoutError, CancelledError):
            # A failure ended the wait with work still queued or cancelled: the first that failed.
            _settle_before_first_failure(futures)
            raise_first_failure(futures)
            raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


class Cancellation:
    """Ends blocking reads in other threads: each stream registers how to unblock it (a watch:
    its response's ``shutdown``, which urllib3 2.3 added for this). ``cancel`` calls them all;
    a stream that registers after it is unblocked at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closers: set[Callable[[], None]] = set()
        self.cancelled = False

    def on_cancel(self, closer: Callable[[], None]) -> Callable[[], None]:
        """Register ``closer``; returns what to call when the stream has ended by itself."""
        with self._lock:
            if not self.cancelled:
                self._closers.add(closer)
                return lambda: self._forget(closer)
        _quietly(closer)
        return lambda: None

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            closers, self._closers = self._closers, set()
        for closer in closers:
            _quietly(closer)

    def _forget(self, closer: Callable[[], None]) -> None:
        with self._lock:
            self._closers.discard(closer)


def _quietly(closer: Callable[[], None]) -> None:
    # The stream may have ended or given its connection back meanwhile: nothing left to stop.
    with suppress(OSError, RuntimeError, ValueError):
        closer()
