"""A pod deleted while the Rescheduler's pass places it is dropped as gone, not an error: the
scheduler forgets a pod its informer no longer has, and controllers take NotFound on their own
writes for "already gone" (tests/emulators/kube/controllers/rescheduling.py names the upstream
files). The Rescheduler's ``before_write`` hook lands the delete between its read and its write."""

from __future__ import annotations

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.rescheduling import Rescheduler, unschedulable_pods
from tests.kube_emulator.test_scheduling import gpu_deployment, node, pending_message, pods, seed


def rescheduler(emu: KubeEmulator) -> Rescheduler:
    return next(c for c in emu.controllers.controllers if isinstance(c, Rescheduler))


def delete_once_before_the_write(emu: KubeEmulator) -> list[str]:
    """Make the next pass's first write find its pod deleted; the deleted pod's key is returned."""
    deleted: list[str] = []

    def delete(ns: str, name: str) -> None:
        if not deleted:
            deleted.append(f"{ns}/{name}")
            emu.cluster.delete("v1", "Pod", ns, name)

    rescheduler(emu).before_write = delete
    return deleted


def test_a_pod_deleted_before_its_binding_is_dropped_without_an_error(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("cpu-0"))
    kube_emulator.cluster.create(gpu_deployment("llm"))
    pending_message(kube_emulator, "llm")
    deleted = delete_once_before_the_write(kube_emulator)
    kube_emulator.cluster.create(node("gpu-0", gpus=1))  # the pass that would bind it
    assert wait_until(lambda: bool(deleted))
    assert kube_emulator.controllers.idle()
    assert kube_emulator.controllers.errors == []
    assert deleted[0] not in unschedulable_pods(kube_emulator.api).snapshot()
    # The ReplicaSet's replacement is placed on the new node as usual.
    assert wait_until(lambda: [p["spec"].get("nodeName") for p in pods(kube_emulator, "llm")] == ["gpu-0"])


def test_a_pod_deleted_before_its_failed_scheduling_update_is_dropped_without_an_error(
    kube_emulator: KubeEmulator,
) -> None:
    seed(kube_emulator, node("cpu-0"))
    kube_emulator.cluster.create(gpu_deployment("llm"))
    pending_message(kube_emulator, "llm")
    deleted = delete_once_before_the_write(kube_emulator)
    kube_emulator.cluster.create(node("cpu-1"))  # a pass with a new message to write
    assert wait_until(lambda: bool(deleted))
    assert kube_emulator.controllers.idle()
    assert kube_emulator.controllers.errors == []


def test_a_pod_deleted_during_a_pass_does_not_keep_the_other_waiting_pods_pending(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("cpu-0"))
    kube_emulator.cluster.create(gpu_deployment("a"))
    kube_emulator.cluster.create(gpu_deployment("b"))
    pending_message(kube_emulator, "a")
    pending_message(kube_emulator, "b")
    waiting_b = pods(kube_emulator, "b")[0]["metadata"]["name"]
    deleted = delete_once_before_the_write(kube_emulator)
    kube_emulator.cluster.create(node("gpu-0", gpus=2))  # one pass, for both pods
    assert wait_until(lambda: bool(deleted))
    assert deleted[0].startswith("default/a-")
    # b's pod is bound in that same pass; no later node event is needed.
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("v1", "Pod", "default", waiting_b) or {}).get("spec", {}).get("nodeName")
            == "gpu-0"
        )
    )
