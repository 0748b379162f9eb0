"""Ctrl-C and SIGTERM stop akscli where it is safe to stop, and never wait for work in flight.

The unit tests raise real signals in this process (``signal.raise_signal`` runs the handler
before it returns). The end-to-end tests stop a real ``akscli`` child.
"""

from __future__ import annotations

import os
import signal
import threading
import traceback
from pathlib import Path
from typing import Any

import pytest

from akscli.concurrency import Cancellation, check_interrupted, deferred_interrupts, parallel_map
from tests.cli import interrupt
from tests.foundation.test_apply import deployment
from tests.foundation.test_apply_reliability import manifest


@pytest.fixture(autouse=True)
def ctrl_c_raises() -> Any:
    """Python's own SIGINT handler, as akscli runs with: a test runner's worker may ignore SIGINT."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


# ---- signals are recorded, and raised where the main thread checks -----------------------------


def test_a_signal_inside_the_block_is_raised_where_the_main_thread_checks() -> None:
    reached = []
    with pytest.raises(KeyboardInterrupt), deferred_interrupts():
        signal.raise_signal(signal.SIGINT)
        reached.append("after the signal")
        check_interrupted()
        reached.append("after the check")
    assert reached == ["after the signal"]


def test_a_signal_after_the_last_check_still_stops_at_the_end_of_the_block() -> None:
    reached = []
    with pytest.raises(KeyboardInterrupt), deferred_interrupts():
        signal.raise_signal(signal.SIGINT)
        reached.append("the work finished")
    assert reached == ["the work finished"]


def test_a_second_signal_stops_at_once() -> None:
    reached = []
    with pytest.raises(KeyboardInterrupt), deferred_interrupts():
        signal.raise_signal(signal.SIGINT)
        reached.append("after the first")
        signal.raise_signal(signal.SIGINT)
        reached.append("after the second")
    assert reached == ["after the first"]


def test_the_handlers_are_put_back_and_nothing_stays_recorded() -> None:
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), deferred_interrupts():
        signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before
    with deferred_interrupts():
        check_interrupted()  # the earlier signal was consumed


def test_a_sigterm_left_to_its_default_is_not_taken_over(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with deferred_interrupts():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_sigterm_that_would_raise_is_deferred_like_ctrl_c() -> None:
    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    reached = []
    try:
        with pytest.raises(KeyboardInterrupt), deferred_interrupts():
            signal.raise_signal(signal.SIGTERM)
            reached.append("after SIGTERM")
        assert signal.getsignal(signal.SIGTERM) is interrupt
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert reached == ["after SIGTERM"]


def test_outside_the_main_thread_the_block_changes_nothing() -> None:
    seen: list[Any] = []

    def in_a_thread() -> None:
        with deferred_interrupts():
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen == [signal.default_int_handler]


# ---- parallel work -------------------------------------------------------------------------------


def test_ctrl_c_during_parallel_work_is_raised_by_akscli_and_not_inside_threading() -> None:
    release = threading.Event()
    finished: list[int] = []

    def work(item: int) -> int:
        if item == 0:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the pool is busy
            release.wait(10)
        finished.append(item)
        return item

    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            parallel_map(work, list(range(8)), 4)
        innermost = traceback.extract_tb(caught.value.__traceback__)[-1]
        assert Path(innermost.filename).name == "concurrency.py", innermost
        assert 0 not in finished  # the request still in flight was not waited for
    finally:
        release.set()


def test_parallel_work_returns_results_in_order_and_raises_the_first_failure_in_order() -> None:
    assert parallel_map(lambda n: n * n, [3, 1, 2], 2) == [9, 1, 4]

    def fail_on_odd(n: int) -> int:
        if n % 2:
            raise ValueError(f"odd {n}")
        return n

    with pytest.raises(ValueError, match="odd 1"):
        parallel_map(fail_on_odd, [0, 1, 2, 3], 1)


def test_the_first_failure_in_order_is_raised_even_when_a_later_one_fails_sooner() -> None:
    # kubectl meets a manifest's objects one by one: the error named is the first object's, not the
    # one whose request happened to fail first on a loaded machine
    first_started = threading.Event()

    def work(n: int) -> int:
        if n == 0:
            first_started.wait(5)
            threading.Event().wait(0.2)
            raise ValueError("item 0")
        first_started.set()
        raise ValueError(f"item {n}")

    with pytest.raises(ValueError, match="item 0"):
        parallel_map(work, [0, 1], 2)


def test_work_queued_after_the_first_failure_is_not_started() -> None:
    started: list[int] = []

    def work(n: int) -> int:
        started.append(n)
        if n == 0:
            raise ValueError("item 0")
        threading.Event().wait(0.05)
        return n

    with pytest.raises(ValueError, match="item 0"):
        parallel_map(work, list(range(20)), 1)
    assert started == [0]


def test_parallel_work_wakes_the_waiting_thread_once_not_once_per_item(monkeypatch: pytest.MonkeyPatch) -> None:
    # #16: each wake-up was a GIL hand-off while the workers held it, 1,000 for a 500-object apply.
    from queue import SimpleQueue

    from akscli import concurrency

    woken: list[Any] = []

    class Counted(SimpleQueue[Any]):
        def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
            woken.append(item)
            super().put(item, block, timeout)

    monkeypatch.setattr(concurrency, "SimpleQueue", Counted)
    assert parallel_map(lambda n: n + 1, list(range(50)), 8) == list(range(1, 51))
    assert len(woken) == 1
    woken.clear()
    with pytest.raises(ValueError, match="item 7"):
        parallel_map(lambda n: n if n != 7 else int(f"item {n}"), list(range(50)), 8)


def test_ctrl_c_as_the_status_line_starts_still_stops_its_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    from akscli import output

    real_start = threading.Thread.start

    def start_then_ctrl_c(thread: threading.Thread) -> None:
        real_start(thread)
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(threading.Thread, "start", start_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt), output.status("applying"):
        pass
    monkeypatch.undo()
    assert not [t for t in threading.enumerate() if t.name == "akscli-status"]


# ---- cancelling blocking reads -------------------------------------------------------------------


def test_cancelling_unblocks_every_registered_stream_once() -> None:
    calls: list[str] = []
    cancel = Cancellation()
    cancel.on_cancel(lambda: calls.append("a"))
    forget_b = cancel.on_cancel(lambda: calls.append("b"))
    forget_b()  # b ended by itself
    cancel.cancel()
    cancel.cancel()
    assert calls == ["a"]


def test_a_stream_opened_after_the_cancel_is_unblocked_at_once() -> None:
    calls: list[str] = []
    cancel = Cancellation()
    cancel.cancel()
    cancel.on_cancel(lambda: calls.append("late"))
    assert calls == ["late"] and cancel.cancelled


def test_a_stream_that_already_gave_its_connection_back_is_not_an_error() -> None:
    def already_released() -> None:
        raise RuntimeError("Cannot shutdown as connection has already been released to the pool")

    cancel = Cancellation()
    cancel.on_cancel(already_released)
    cancel.cancel()  # no exception


# ---- end to end ----------------------------------------------------------------------------------


def test_ctrl_c_during_a_wait_ends_it_now_not_at_its_timeout(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    for controller in kube_emulator.controllers.controllers:
        controller.delay = 3600  # the Deployment never becomes available
    web = {**deployment(), "metadata": {"name": "web", "namespace": "default"}}
    # Before, the watch was waited for: the interrupt took the whole --timeout.
    code, err = interrupt(
        ("apply", "-f", manifest(tmp_path, web), "--wait", "--timeout", "10m"), lambda line: line.startswith("waiting")
    )
    assert code == 130, err
