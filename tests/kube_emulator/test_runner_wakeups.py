"""The controller runner's wake-ups: new work wakes the runner thread even while a test waits in
``idle()`` (audit37-simclock37). The interleaving is driven, not waited for: the runner's module
reads a clock the test moves, and a recording condition tells the test when each thread waits."""

from __future__ import annotations

import queue
import threading
import types
from typing import Any, ClassVar

import pytest

from tests.emulators.kube.controllers import runner as runner_module
from tests.emulators.kube.controllers.base import Controller

RUNNER = "kube-emulator-controllers"
IDLE = "idle-waiter"


class Nothing(Controller):
    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        del cluster, obj


class RecordingCondition(threading.Condition):
    """A condition that reports each wait of the runner and of the idle waiter, and how the
    runner's last wait ended (True: notified, False: timed out). The idle waiter's poll timer never
    fires, as on a loaded machine where its thread does not get the CPU before the next notify."""

    events: ClassVar[queue.Queue[tuple[str, str]]] = queue.Queue()
    runner_woken: ClassVar[list[bool]] = []

    def wait(self, timeout: float | None = None) -> bool:
        name = threading.current_thread().name
        if name not in (RUNNER, IDLE):
            return super().wait(timeout)
        RecordingCondition.events.put(("waits", name))  # under the lock: the waiter is queued before it is released
        woken = super().wait(None if name == IDLE else timeout)
        if name == RUNNER:
            RecordingCondition.runner_woken.append(woken)
        return woken


def _next(name: str) -> None:
    while True:
        what, who = RecordingCondition.events.get(timeout=30)
        if who == name and what == "waits":
            return


@pytest.fixture
def driven(monkeypatch: pytest.MonkeyPatch) -> Any:
    clock = types.SimpleNamespace(now=0.0)
    monkeypatch.setattr(runner_module, "time", types.SimpleNamespace(monotonic=lambda: clock.now))
    fake_threading = types.SimpleNamespace(Condition=RecordingCondition, RLock=threading.RLock, Thread=threading.Thread)
    monkeypatch.setattr(runner_module, "threading", fake_threading)
    RecordingCondition.events = queue.Queue()
    RecordingCondition.runner_woken = []
    manager = runner_module.ControllerManager(types.SimpleNamespace(listeners=[]), None)  # type: ignore[arg-type]
    yield manager, clock
    clock.now = 10_000.0
    manager.stop()


def test_work_scheduled_while_a_test_waits_in_idle_wakes_the_runner_not_the_idle_waiter(driven: Any) -> None:
    manager, clock = driven
    c = manager.add(Nothing())
    _next(RUNNER)  # the runner waits for work
    manager.call_later(c, lambda cluster: None, 1000.0)  # due in 1,000 s: the runner waits that long
    _next(RUNNER)
    clock.now = 999.7  # that work is due within idle's half second now: idle waits for it
    idle = threading.Thread(target=manager.idle, args=(5.0,), name=IDLE)
    idle.start()
    _next(IDLE)
    # Far-future work wakes the runner, which waits again (0.3 s), behind the idle waiter.
    manager.call_later(c, lambda cluster: None, 5000.0)
    _next(RUNNER)
    ran = threading.Event()
    manager.call_later(c, lambda cluster: ran.set(), 0.0)  # due now
    assert ran.wait(30)
    # On one shared condition the notify woke the idle waiter, and the runner ran this only when
    # its own 0.3 s wait timed out: a wake-up lost.
    assert RecordingCondition.runner_woken[-1] is True
    clock.now = 10_000.0  # past idle's timeout: the idle waiter ends when the runner stops
    manager.stop()
    idle.join(30)
    assert not idle.is_alive()
