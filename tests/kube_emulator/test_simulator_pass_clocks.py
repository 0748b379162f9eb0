"""Every simulator with a clock of its own reads one clock per pass: a test's ``advance`` made
while one of its passes runs on the controllers' thread shows from its next pass, as the
ClockedController and Karpenter ones do (test_clocked_pass_clock.py). The clocks are
base.PassHeld settings the runner holds through ``Controller.clocks`` (audit37-simclock37b).
Emulator structure, no upstream behaviour."""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from tests.emulators.kube import KubeEmulator, controllers
from tests.emulators.kube.controllers.airunway import ModelDeploymentController
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.controllers.deployment import DeploymentController
from tests.emulators.kube.controllers.fleet import FleetHubController
from tests.emulators.kube.controllers.fleet_conditions import Clock as HubClock
from tests.emulators.kube.controllers.hpa import HorizontalPodAutoscalerController
from tests.emulators.kube.controllers.jobs import JobController
from tests.emulators.kube.controllers.mig_manager import MigManager
from tests.emulators.kube.controllers.node_lifecycle import NodeLifecycleController

C = TypeVar("C", bound=Controller)
Clock = tuple[Callable[[], float], Callable[[float], None]]  # (read it, move it on)


def _builtin(emu: KubeEmulator, kind: type[C]) -> C:
    return next(c for c in emu.controllers.controllers if isinstance(c, kind) and type(c) is kind)


def _kubelets(emu: KubeEmulator) -> tuple[Controller, Clock]:
    d = _builtin(emu, DeploymentController)
    return d, (d.kubelet_now, d.advance)


def _progress(emu: KubeEmulator) -> tuple[Controller, Clock]:
    d = _builtin(emu, DeploymentController)
    return d, (d.progress.now, d.advance)


def _jobs(emu: KubeEmulator) -> tuple[Controller, Clock]:
    j = _builtin(emu, JobController)
    return j, (j.now, j.advance)


def _node_lifecycle(emu: KubeEmulator) -> tuple[Controller, Clock]:
    n = _builtin(emu, NodeLifecycleController)
    return n, (n.wall, n.advance)


def _hpa(emu: KubeEmulator) -> tuple[Controller, Clock]:
    h = HorizontalPodAutoscalerController(lambda *_: 1.0, delay=0.01, resync=False)
    emu.controllers.add(h)
    return h, (h.clock.now, h.clock.advance)


def _mig_manager(emu: KubeEmulator) -> tuple[Controller, Clock]:
    m = MigManager(delay=0.01)
    emu.controllers.add(m)
    return m, (m.now, m.advance)


def _airunway_finalizer(emu: KubeEmulator) -> tuple[Controller, Clock]:
    md = ModelDeploymentController(delay=0.01)
    emu.controllers.add(md)
    return md, (md.now, md.advance)


def _fleet_hub(emu: KubeEmulator) -> tuple[Controller, Clock]:
    # every pass of the hub's, a call_later's as well as reconcile's (FleetHubController.clocks)
    hub = FleetHubController(delay=0.01)
    emu.controllers.add(hub)
    return hub, (HubClock.monotonic, hub.advance)


SIMULATORS = {
    "kubelets": _kubelets,
    "deployment progress": _progress,
    "jobs": _jobs,
    "node lifecycle": _node_lifecycle,
    "hpa": _hpa,
    "mig manager": _mig_manager,
    "airunway finalizer": _airunway_finalizer,
    "fleet hub": _fleet_hub,
}


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_a_clock_moved_while_a_pass_runs_counts_from_the_simulators_next_pass(
    kube_emulator: KubeEmulator, simulator: str
) -> None:
    controller, (now, advance) = SIMULATORS[simulator](kube_emulator)
    read: dict[str, float] = {}
    done = threading.Event()

    def moved_under(cluster: Any) -> None:
        del cluster
        read["before"] = now()
        advance(30.0)  # the test thread's move, made exactly while this simulator's pass runs
        read["after"] = now()
        kube_emulator.controllers.call_later(controller, next_pass, 0.0)

    def next_pass(cluster: Any) -> None:
        del cluster
        read["next pass"] = now()
        done.set()

    kube_emulator.controllers.call_later(controller, moved_under, 0.0)
    assert done.wait(30)
    assert read["after"] - read["before"] < 30.0  # the pass kept the clock it started with
    assert read["next pass"] - read["before"] >= 30.0
    assert now() - read["before"] >= 30.0  # outside a pass: the moved clock


def test_the_runner_holds_every_simulators_clocks_through_one_hold() -> None:
    """No controller holds its clock its own way (Karpenter's held() override, the fleet hub's
    Clock.held() in reconcile and on_delete, audit37-simclock37b): each names its clocks in
    ``clocks()`` and the runner's ``Controller.held`` holds them, for every pass of the controller's."""
    own = []
    for module in pkgutil.iter_modules(controllers.__path__):
        loaded = importlib.import_module(f"{controllers.__name__}.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, Controller) and value.held is not Controller.held:
                own.append(f"{loaded.__name__}.{value.__name__}")
    assert not own, own
