"""Runs registered controllers: schedules reconciles ``delay`` seconds after writes to the
kinds they watch, on one background thread, in due-time order."""

from __future__ import annotations

import copy
import heapq
import itertools
import threading
import time
import traceback
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.apiserver import Ctx
from tests.emulators.kube.cluster import ClusterState, OriginScope
from tests.emulators.kube.controllers.base import Controller
from tests.emulators.kube.resources import ResourceType, split_api_version
from tests.emulators.kube.status import ApiError

if TYPE_CHECKING:
    from tests.emulators.kube.apiserver import ApiServer

# reconciles of one object ended by a 409 Conflict in a row before it counts as an error: an emulator
# convenience that surfaces a controller overtaking itself, no upstream behaviour (controller-runtime requeues forever)
MAX_CONFLICTS = 20


class ControllerManager:
    def __init__(self, api: ApiServer, cluster: ClusterState) -> None:
        self.api = api
        self.cluster = cluster
        self.controllers: list[Controller] = []
        self.errors: list[str] = []
        self._heap: list[tuple[float, int, Controller, str, dict[str, Any]]] = []
        self._seq = itertools.count()
        # Two conditions on one lock: ``_wake`` has one waiter, the runner thread, so a notify for new
        # work cannot be taken by an ``idle`` waiter (a plain notify on one shared condition woke the
        # oldest waiter, which could be ``idle``'s, and the runner slept on to its own due time:
        # audit37-simclock37); ``_settled`` wakes the ``idle`` waiters when a job ends or the runner
        # stops. Emulator structure, no upstream behaviour.
        lock = threading.RLock()
        self._wake = threading.Condition(lock)
        self._settled = threading.Condition(lock)
        self._stopped = False
        self._busy = 0
        self._conflicts: dict[tuple[int, str, str], int] = {}  # conflicts in a row per controller and object
        self._thread = threading.Thread(target=self._loop, name="kube-emulator-controllers", daemon=True)
        self._thread.start()
        api.listeners.append(self._on_event)

    def add(self, controller: Controller) -> Controller:
        controller._manager = self
        self.controllers.append(controller)
        # The CRDs the simulated operator's own install ships, where ../shared has none of them (the
        # Fleet hub's (Cluster)ResourceSnapshot CRDs: upstream kubefleet-dev/kubefleet config/crd/bases).
        for crd in controller.crds:
            name = crd["metadata"]["name"]
            if self.cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, name) is None:
                self.cluster.create(copy.deepcopy(crd))
        # A controller that follows events other than its watched kinds' (the Rescheduler's
        # node and pod events) registers for them here.
        attach = getattr(controller, "attach", None)
        if attach is not None:
            attach(self)
        # objects that already exist are reconciled too, as a starting operator would
        for av, kind in controller.watches:
            try:
                for obj in self.cluster.list(av, kind):
                    self.schedule(controller, obj, controller.delay)
            except Exception:
                continue
        return controller

    def remove(self, controller: Controller) -> None:
        if controller in self.controllers:
            self.controllers.remove(controller)

    def _watching(self, c: Controller, rt: ResourceType) -> bool:
        for av, kind in c.watches:
            group, _ = split_api_version(av)
            if group == rt.group and kind == rt.kind:
                return True
        return False

    def _on_event(self, typ: str, rt: ResourceType, obj: dict[str, Any], ctx: Ctx) -> None:
        for c in list(self.controllers):
            if not self._watching(c, rt):
                continue
            if typ == "DELETED":
                self.schedule(c, obj, c.delay, deleted=True)
                continue
            if ctx.origin is c:
                continue
            self.schedule(c, obj, c.delay)

    def schedule(self, c: Controller, obj: dict[str, Any], after: float, deleted: bool = False) -> None:
        with self._wake:
            heapq.heappush(
                self._heap, (time.monotonic() + after, next(self._seq), c, "delete" if deleted else "reconcile", obj)
            )
            self._wake.notify()

    def call_later(self, c: Controller, fn: Any, after: float) -> None:
        """Run ``fn(cluster)`` on the controllers' thread in ``after`` seconds, as ``c``'s work
        (a pass not tied to one object: the Rescheduler's, the cluster autoscaler's)."""
        with self._wake:
            heapq.heappush(self._heap, (time.monotonic() + after, next(self._seq), c, "call", {"fn": fn}))
            self._wake.notify()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._wake.wait(wait)
                if self._stopped:
                    return
                _, _, c, action, obj = heapq.heappop(self._heap)
                self._busy += 1
            try:
                if c in self.controllers:
                    self._run(c, action, obj)
            finally:
                with self._settled:
                    self._busy -= 1
                    self._settled.notify_all()

    def _run(self, c: Controller, action: str, obj: dict[str, Any]) -> None:
        md = obj.get("metadata") or {}
        with OriginScope(c), c.held():  # a pass reads one clock (ClockedController.held)
            try:
                if action == "delete":
                    c.on_delete(self.cluster, obj)
                    return
                if action == "call":
                    obj["fn"](self.cluster)
                    return
                latest = self.cluster.get(obj["apiVersion"], obj["kind"], md.get("namespace"), md.get("name", ""))
                if latest is None:
                    return
                c.reconcile(self.cluster, latest)
                self._conflicts.pop((id(c), str(md.get("namespace")), str(md.get("name"))), None)
            except ApiError as exc:
                if self._deleted_under(exc, obj):
                    return
                key = (id(c), str(md.get("namespace")), str(md.get("name")))
                if exc.reason == "Conflict" and action == "reconcile" and self._conflicts.get(key, 0) < MAX_CONFLICTS:
                    # a status written from a read another writer overtook: the reconcile's error
                    # requeues the object, read afresh next time (upstream: kubernetes-sigs/controller-runtime
                    # pkg/internal/controller/controller.go reconcileHandler, Queue.AddRateLimited; its default
                    # limiter starts at 5ms: kubernetes/client-go util/workqueue/default_rate_limiters.go
                    # DefaultTypedControllerRateLimiter). One that conflicts
                    # MAX_CONFLICTS times in a row is recorded: its own writes overtake it.
                    self._conflicts[key] = self._conflicts.get(key, 0) + 1
                    self.schedule(c, obj, max(c.delay, 0.005))
                    return
                self._conflicts.pop(key, None)
                self.errors.append(f"{type(c).__name__}: {traceback.format_exc()}")
            except Exception:
                self.errors.append(f"{type(c).__name__}: {traceback.format_exc()}")

    def _deleted_under(self, exc: ApiError, obj: dict[str, Any]) -> bool:
        """A 404 for an object deleted while its reconcile ran: controller-runtime logs the error and
        requeues, and the next reconcile's Get finds nothing and ends (upstream:
        kubernetes-sigs/controller-runtime pkg/internal/controller/controller.go reconcileHandler;
        operators return client.IgnoreNotFound on their Get). Not a fault of the controller."""
        md = obj.get("metadata") or {}
        if exc.code != 404 or "apiVersion" not in obj:  # a scheduled call has no object of its own
            return False
        return self.cluster.get(obj["apiVersion"], obj["kind"], md.get("namespace"), md.get("name", "")) is None

    def idle(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is due or running (pending far-future requeues excepted). Nothing to
        poll: while a job runs its end notifies ``_settled``, and work due within the half second
        is the runner's next job, whose end notifies it too."""
        end = time.monotonic() + timeout
        with self._settled:
            while True:
                due = bool(self._heap) and self._heap[0][0] <= time.monotonic() + 0.5  # the heap's first is its soonest
                if not due and self._busy == 0:
                    return True
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._settled.wait(left)

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
            self._settled.notify_all()
