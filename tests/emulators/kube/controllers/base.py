"""The operator-simulator interface of the Kubernetes API emulator.

A controller stands in for an operator that the emulator does not run: it watches a few
kinds and moves their objects the way the real operator would (status conditions, pods it
would create), after a delay, optionally failing in a named way so that tests can prove
both the happy path and the error a user sees.

Write one in ``tests/emulators/kube/controllers/<group>.py``::

    class WorkspaceController(Controller):
        watches = [("kaito.sh/v1beta1", "Workspace")]

        def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
            if self.failure == "quota":
                cluster.patch_status(..., {"conditions": [...False...]})
                return
            cluster.patch_status(..., {"conditions": [...True...]})

and register it in a test or fixture: ``emu.controllers.add(WorkspaceController(delay=0.05))``.

Contract:
- ``watches`` lists (apiVersion, kind) pairs. The apiVersion's group selects the objects; any
  served version of that group and kind triggers the controller, and ``obj`` is given in the
  version that was written.
- ``reconcile(cluster, obj)`` runs on a background thread ``delay`` seconds after each
  create or update of a watched object. ``obj`` is the latest stored state (re-read at run
  time); a deleted object is not reconciled. Writes the controller itself makes inside
  ``reconcile`` do not trigger that same controller again (so a controller that patches its
  own status does not loop); they do trigger other controllers.
- ``on_delete(cluster, obj)`` (optional override) runs after a watched object is removed.
- ``requeue(obj, after)`` schedules another reconcile of the same object, for controllers that
  move an object through several phases over time.
- An exception raised by ``reconcile`` is recorded in ``errors`` of the controller manager
  (``emu.controllers.errors``) instead of killing the thread, so a test can assert on it.
"""

from __future__ import annotations

import contextlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from tests.emulators.clock import PassHeld as PassHeld  # re-exported (upstream: none, emulator structure)
from tests.emulators.kube.status import ApiError

if TYPE_CHECKING:
    from tests.emulators.kube.cluster import ClusterState
    from tests.emulators.kube.controllers.runner import ControllerManager


class Controller(ABC):
    """Base class of an operator simulator; subclasses set ``watches`` and ``reconcile``."""

    watches: ClassVar[list[tuple[str, str]]] = []
    # CRDs the operator's own install ships and ../shared/crds lacks: installed when it is added.
    crds: ClassVar[list[dict[str, Any]]] = []
    # The field manager of the writes the real operator makes without naming one: its user agent's
    # text before the first "/" (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/
    # handlers/create.go managerOrUserAgent, mirrored as kubernetes/apiserver 24a394e5),
    # its binary's name unless it sets its own user agent. None: a controller
    # whose manager is not cited yet writes as the tests do ("emulator-test", emulator-only).
    field_manager: ClassVar[str | None] = None

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        if delay < 0:
            raise ValueError("delay must be >= 0")
        self.delay = delay
        self.failure = failure
        self._manager: ControllerManager | None = None

    @abstractmethod
    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        """Move ``obj`` one step the way the real operator would."""

    def on_delete(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        """Called after a watched object was removed; the default does nothing."""
        del cluster, obj

    def requeue(self, obj: dict[str, Any], after: float) -> None:
        """Schedule another reconcile of ``obj`` in ``after`` seconds."""
        if self._manager is None:
            raise RuntimeError("controller is not registered with an emulator")
        self._manager.schedule(self, obj, after)

    def clocks(self) -> tuple[PassHeld, ...]:
        """The clock settings this controller's passes read (PassHeld); none here."""
        return ()

    def held(self) -> contextlib.AbstractContextManager[None]:
        """What the runner holds for the length of one of this controller's passes: its clocks."""
        clocks = self.clocks()
        return _held_all(clocks) if clocks else contextlib.nullcontext()


@contextlib.contextmanager
def _held_all(clocks: tuple[PassHeld, ...]) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for clock in clocks:
            stack.enter_context(clock.held())
        yield


class ClockedController(Controller):
    """A simulator with a clock of its own: the wall clock plus what a test moved it on with
    ``advance``, after which ``_expire`` runs on the controllers' thread (emulator structure, no
    upstream behaviour: tests move time on instead of sleeping). A pass reads one clock (PassHeld):
    a move made while it runs counts from the next pass, the ``_expire`` that ``advance`` queues."""

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self._offset = PassHeld()

    @property
    def offset(self) -> float:
        return self._offset.read()

    @offset.setter
    def offset(self, seconds: float) -> None:
        self._offset.value = seconds

    def now(self) -> float:
        return self._offset.monotonic()

    def clocks(self) -> tuple[PassHeld, ...]:
        return (*super().clocks(), self._offset)

    def advance(self, seconds: float) -> None:
        """Move the clock on, then let what has run out of time expire."""
        self._offset.move(seconds)
        if self._manager is not None:
            self._manager.call_later(self, self._expire, 0.0)

    @abstractmethod
    def _expire(self, cluster: ClusterState) -> None:
        """What the clock's move ends (a timeout, a grace period)."""


class PassController(Controller):
    """A controller that watches no kind: it runs one pass over the cluster ``delay`` seconds
    after the events its ``attach`` hooks call ``queue_pass`` on, one pass for a burst of them
    (the Rescheduler's, the cluster autoscaler's). A work queue coalesces a key queued again before
    it is processed the same way (upstream: kubernetes/client-go util/workqueue/queue.go, Add of
    an item already dirty)."""

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self._queued = False
        self._guard = threading.Lock()

    def queue_pass(self) -> None:
        """One ``run_pass`` ``delay`` seconds from now, however many events come before it."""
        if self._manager is None:
            return
        with self._guard:
            if self._queued:
                return
            self._queued = True
        self._manager.call_later(self, self._pass, self.delay)

    def _pass(self, cluster: ClusterState) -> None:
        with self._guard:
            self._queued = False
        self.run_pass(cluster)

    @abstractmethod
    def run_pass(self, cluster: ClusterState) -> None:
        """One pass over the cluster."""

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        """Watches nothing: its passes run from the events ``attach`` hooks."""
        del cluster, obj


class DeletionTolerantController(Controller):
    """A controller that drops its work, without an error, when an object it reads or writes is
    deleted while it reconciles (a 404 from the API server): the KAITO and AI Runway simulators'."""

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        try:
            self._reconcile(cluster, obj)
        except ApiError as exc:
            if exc.code != 404:
                raise

    @abstractmethod
    def _reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        """What ``reconcile`` does while the objects exist."""
