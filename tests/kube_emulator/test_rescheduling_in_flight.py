"""A pod's room freed while kube-scheduler was trying it does not leave the pod Pending for good.

kube-scheduler notes the cluster events that come while a pod is in flight (popped, being tried):
a pod that then fails goes back to the backoff queue, not the unschedulable pods, where one of those
events may make it fit (upstream: kubernetes/kubernetes 003b4460 pkg/scheduler/backend/queue/
scheduling_queue.go AddUnschedulableIfNotPresent, determineSchedulingHintForInFlightPod; without
queueing hints addUnschedulableWithoutQueueingHint, moveRequestCycle). The emulator's controllers
place a pod before they create it: an assigned pod deleted between the two (the kubelet confirming a
terminating pod's deletion) must be seen too (tests/emulators/kube/controllers/rescheduling.py).
The hook below lands that delete inside the attempt, after the scheduler read the node's room.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.apiserver_common import Ctx
from tests.emulators.kube.controllers.scheduling import Placement, Scheduler
from tests.kube_emulator.test_rescheduling import ray_cluster, ray_pod
from tests.kube_emulator.test_scheduling import gpu_deployment, node, pods, seed


def terminating_gpu_pod(emu: KubeEmulator) -> str:
    """Deployment ``old`` ran one GPU pod on gpu-0 (one GPU); scaled to 0, the pod is Terminating for
    its grace period and still holds the GPU (the scheduler counts it until it is deleted)."""
    emu.api.pod_shutdown_seconds = None  # the container ignores SIGTERM: it stays for its 30 s grace
    seed(emu, node("gpu-0", gpus=1))
    emu.cluster.create(gpu_deployment("old"))
    assert wait_until(lambda: [p["status"].get("phase") for p in pods(emu, "old")] == ["Running"])
    name = str(pods(emu, "old")[0]["metadata"]["name"])
    emu.cluster.patch("apps/v1", "Deployment", "default", "old", {"spec": {"replicas": 0}})
    assert wait_until(
        lambda: bool((emu.cluster.get("v1", "Pod", "default", name) or {}).get("metadata", {}).get("deletionTimestamp"))
    )
    return name


def confirm_deletion_during_the_attempt(
    emu: Any, names: list[str], monkeypatch: pytest.MonkeyPatch, namespace: str = "default"
) -> list[str]:
    """The kubelet's final delete of the pods ``names`` (grace 0, as it confirms a stopped pod)
    lands once, right after a scheduling attempt found no room and before its pod is written; the
    names are returned once it has."""
    done: list[str] = []
    place = Scheduler.place

    def place_then_free(self: Scheduler, spec: dict[str, Any], owner_uid: str = "", meta: Any = None) -> Placement:
        placement = place(self, spec, owner_uid, meta)
        if placement.node is None and not done:
            done.extend(names)
            kubelet = Ctx(user="system:node", field_manager="kubelet")
            for name in names:
                emu.api.delete(emu.api.rt("v1", "Pod"), "v1", namespace, name, kubelet, None, None, 0)
        return placement

    monkeypatch.setattr(Scheduler, "place", place_then_free)
    return done


def test_a_pod_whose_room_is_freed_during_its_attempt_is_tried_again(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = terminating_gpu_pod(kube_emulator)
    freed = confirm_deletion_during_the_attempt(kube_emulator, [old], monkeypatch)
    kube_emulator.cluster.create(gpu_deployment("llm"))
    assert wait_until(lambda: bool(freed))
    assert kube_emulator.cluster.get("v1", "Pod", "default", old) is None
    # no node event comes after: only the event seen in flight brings the pod back
    assert wait_until(lambda: [p["spec"].get("nodeName") for p in pods(kube_emulator, "llm")] == ["gpu-0"], timeout=3)
    assert wait_until(lambda: pods(kube_emulator, "llm")[0]["status"].get("phase") == "Running")


def test_a_kuberay_worker_whose_room_is_freed_during_its_attempt_is_tried_again(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.emulators.kube.controllers.kuberay import KubeRayController

    old = terminating_gpu_pod(kube_emulator)
    seed(kube_emulator, node("cpu-0"))  # the head's
    freed = confirm_deletion_during_the_attempt(kube_emulator, [old], monkeypatch)
    kube_emulator.controllers.add(KubeRayController(delay=0.02))
    kube_emulator.cluster.create(ray_cluster("demo"))
    assert wait_until(lambda: bool(freed))
    assert wait_until(lambda: ray_pod(kube_emulator, "demo", "worker").get("spec", {}).get("nodeName") == "gpu-0")
