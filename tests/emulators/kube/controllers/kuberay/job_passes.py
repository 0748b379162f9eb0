"""The RayJob simulator's passes: a RayJob's progress is a generator that yields the seconds until
its next pass, stepped on the controller manager's thread (``ControllerManager.call_later``), with
no thread per job.

Upstream: ray-project/kuberay (feeaf72f) ray-operator/controllers/ray/rayjob_controller.go Reconcile
runs one pass per event or requeue and returns ``ctrl.Result{RequeueAfter:
RayJobDefaultRequeueDuration}`` (3 s) where the job must be looked at again (Initializing while the
RayCluster is not ready, Waiting, Running, Suspending and Retrying, after any failed write); the
Complete and Failed cases return ``ctrl.Result{}`` (no requeue) unless shutdownAfterJobFinishes
waits for ttlSecondsAfterFinished (handleShutdownAfterJobFinishes: ``RequeueAfter:
requeueDelayFor(shutdownTime)``). Each ``yield`` of a job's generator stands for such a return with
its RequeueAfter, shortened as the simulator's other clocks are (``delay``); the code between two
yields is one pass, and a generator that returns is a pass that asks for no requeue. Not as
upstream: events (SetupWithManager: ``For(&rayv1.RayJob{})``, ``Owns`` RayCluster, Service and
batch Job) do not step a job's waiting pass early; a pass runs when its requeue is due.
A controller-runtime controller never runs two passes of one key at once
(kubernetes-sigs/controller-runtime pkg/internal/controller/controller.go: the work queue hands a key
to one worker), and one manager thread runs every pass here.

The passes write as the RayJob controller's own goroutines do: their writes wake the watches of
the RayCluster and RayJob kinds as any writer's do (upstream the RayJob and RayCluster controllers are
two controllers of one manager, so a RayJob pass's create of a RayCluster reconciles that RayCluster;
rayjob_controller.go SetupWithManager has no predicate on RayJob updates, so its status writes come
back as events too). The emulator's rule that a controller's own writes in ``reconcile`` do not wake it
(tests/emulators/kube/controllers/base.py) is lifted for them (``OriginScope(None)``)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

from tests.emulators.kube.cluster import OriginScope

T = TypeVar("T")
# A RayJob's passes: yields the requeue (seconds) after each, returns what the last one decided.
Passes = Generator[float, None, T]


def step(
    manager: Any,
    controller: Any,
    passes: Passes[Any],
    failed: Callable[[BaseException], None],
    running: Callable[[], bool],
) -> None:
    """Run the next pass of ``passes`` now and queue the one after it on ``manager``'s thread; an
    exception ends them and goes to ``failed``; nothing is queued once ``running()`` is False (the
    emulator stopped, or the controller was removed)."""
    try:
        with OriginScope(None):
            wait = next(passes)
    except StopIteration:
        return
    except Exception as exc:
        failed(exc)
        return
    if running():
        manager.call_later(controller, lambda _cluster: step(manager, controller, passes, failed, running), wait)
