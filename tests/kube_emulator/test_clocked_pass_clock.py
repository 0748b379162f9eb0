"""ClockedController (the base of the device plugins', the kubelets' volume and PreBind's clocks)
and the Karpenter simulator: a pass reads one clock. A test's ``advance`` made while a pass runs
shows from the next pass (audit37-simclock37; the fleet hub's clock keeps the same rule)."""

from __future__ import annotations

import threading
import types
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.controllers.base import ClockedController
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.emulators.kube.controllers.runner import ControllerManager


class Timer(ClockedController):
    def __init__(self) -> None:
        super().__init__(delay=0.0)
        self.read: dict[str, float] = {}
        self.expired = threading.Event()

    def reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        del cluster, obj

    def a_pass_the_clock_moves_under(self, cluster: Any) -> None:
        del cluster
        self.read["before"] = self.now()
        self.advance(30.0)  # the test thread's move, made exactly while this pass runs
        self.read["after"] = self.now()

    def _expire(self, cluster: Any) -> None:
        del cluster
        self.read["next pass"] = self.now()
        self.expired.set()


def test_a_clock_moved_while_a_pass_runs_counts_from_the_next_pass() -> None:
    manager = ControllerManager(types.SimpleNamespace(listeners=[]), None)  # type: ignore[arg-type]
    try:
        timer = Timer()
        manager.add(timer)
        manager.call_later(timer, timer.a_pass_the_clock_moves_under, 0.0)
        assert timer.expired.wait(30)
        assert timer.read["after"] - timer.read["before"] < 30.0  # the pass kept the clock it started with
        assert timer.read["next pass"] - timer.read["before"] >= 30.0
        assert timer.now() - timer.read["before"] >= 30.0  # outside a pass: the moved clock
    finally:
        manager.stop()


def test_a_karpenter_pass_reads_one_clock_and_the_next_sees_the_move(kube_emulator: KubeEmulator) -> None:
    nap = install_nap(kube_emulator)
    read: dict[str, float] = {}
    done = threading.Event()

    def moved_under(cluster: Any) -> None:
        del cluster
        read["before"] = nap.now
        nap.advance(30.0)  # the test thread's move, made exactly while this Karpenter pass runs
        read["after"] = nap.now
        kube_emulator.controllers.call_later(nap, next_pass, 0.0)

    def next_pass(cluster: Any) -> None:
        del cluster
        read["next pass"] = nap.now
        done.set()

    kube_emulator.controllers.call_later(nap, moved_under, 0.0)
    assert done.wait(30)
    assert read["after"] == read["before"]
    assert read["next pass"] == read["before"] + 30.0
