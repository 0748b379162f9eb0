"""The one clock-holding piece both emulators' simulators share (base.PassHeld's home, so that the
ARM emulator uses it without importing the Kubernetes emulator's controllers). Emulator structure
(upstream: none to cite): tests move a simulator's clock on instead of sleeping, and a pass (a
controller's reconcile, one ARM request) reads one instant, as a real one takes milliseconds, not
the seconds moved."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator


class PassHeld:
    """A simulator's clock setting (the seconds a test moved it on) that a pass reads once: the
    runner holds it for each pass of its controller (``Controller.held``), so a move a test makes
    while a pass runs on the controllers' thread shows from the next pass, as a real pass takes
    milliseconds, not the seconds moved. A pass that read its input before a move and the clock
    after it mixed two instants (audit37-flake37: the fleet hub's). Emulator structure, no upstream
    behaviour.

    The one clock-holding piece: every simulator with a clock of its own keeps its setting here and
    names it in ``Controller.clocks`` (ClockedController, the kubelets' PodOwner, Jobs, the
    Deployments' progress deadline, HPA, NodeLifecycle, the MIG manager, AI Runway's finalizer
    clock, Karpenter, the fleet hub's fleet_conditions.Clock), and the ARM emulator's clock, which
    it holds for the length of one request (ArmEmulator.clock_offset: a request that reads the
    clock twice, a Fleet update run's step, reads one instant)."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value
        self._pass = threading.local()  # the value a pass on this thread reads, while it runs

    def read(self) -> float:
        return float(getattr(self._pass, "value", self.value))

    def move(self, seconds: float) -> None:
        """A test's move: the setting (a pass under way keeps what it read)."""
        self.value += seconds

    def monotonic(self) -> float:
        return time.monotonic() + self.read()

    def wall(self) -> float:
        return time.time() + self.read()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """The value as it is when the pass starts, for the rest of this thread's pass."""
        if hasattr(self._pass, "value"):  # an inner pass keeps the outer one's
            yield
            return
        self._pass.value = self.value
        try:
            yield
        finally:
            del self._pass.value
