"""KAITO v0.12.0 names why a Workspace's inference pods are not ready on InferenceReady, from their
live state, in its order: container failures (OOMKilled first), an evicted pod, an unschedulable one
(upstream: kaito-project/kaito v0.12.0 pkg/workspace/controllers/workspace_controller.go
classifyInferencePodFailure; the simulator's kaito_workload.pod_failure)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers import kaito_workload
from tests.kube_emulator.test_kaito_scheduling import kaito_lab, state, workspace

KAITO = "kaito.sh/v1beta1"


@pytest.fixture
def emu(kube_emulator: KubeEmulator) -> KubeEmulator:
    return kaito_lab(kube_emulator)


def _inference_ready(emu: KubeEmulator) -> dict[str, Any]:
    ws = emu.cluster.get(KAITO, "Workspace", "default", "phi") or {}
    found = [c for c in (ws.get("status") or {}).get("conditions") or [] if c["type"] == "InferenceReady"]
    return found[0] if found else {}


def _fail_pod(emu: KubeEmulator, status: dict[str, Any]) -> None:
    pod = emu.cluster.get("v1", "Pod", "default", "phi-0") or {}
    conditions = [c for c in pod["status"].get("conditions") or [] if c["type"] not in ("Ready", "ContainersReady")]
    conditions += [{"type": "Ready", "status": "False"}, {"type": "ContainersReady", "status": "False"}]
    emu.cluster.patch_status("v1", "Pod", "default", "phi-0", {**status, "conditions": conditions})
    # The emulator's StatefulSet controller watches no Pod (statefulset.py); upstream's pod informer
    # would sync the set again, so a touch of the set stands in for it (readyReplicas drops to 0).
    emu.cluster.patch("apps/v1", "StatefulSet", "default", "phi", {"metadata": {"annotations": {"touch": "1"}}})


def test_an_oom_killed_inference_container_is_named_before_its_crash_loop(emu: KubeEmulator) -> None:
    emu.cluster.create(workspace())
    assert wait_until(lambda: state(emu) == "Ready")
    crashing = {
        "name": "phi",
        "ready": False,
        "restartCount": 3,
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container"}},
        "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}},
    }
    _fail_pod(emu, {"containerStatuses": [crashing]})
    want = (
        "ContainerOOMKilled",
        'container "phi" was OOMKilled (exit code 137); reduce memory usage or use a larger instance type',
    )
    assert wait_until(lambda: (_inference_ready(emu).get("reason"), _inference_ready(emu).get("message")) == want), (
        _inference_ready(emu)
    )
    assert _inference_ready(emu)["status"] == "False"


class _Pods:
    """A cluster whose only answer is the Workspace's pods (pod_failure lists nothing else)."""

    def __init__(self, *statuses: dict[str, Any]) -> None:
        self.pods = [{"metadata": {"name": f"phi-{i}"}, "status": st} for i, st in enumerate(statuses)]

    def list(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return self.pods


def test_an_evicted_pod_is_named_by_the_pressure_it_was_evicted_for() -> None:
    # detectEvictedPod: the message's "ephemeral-storage" or "disk", else "memory", else PodEvicted.
    # (The emulator's StatefulSet replaces a Failed pod at once, so this is read off the classifier.)
    disk = "The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 2Gi."
    evicted = {"phase": "Failed", "reason": "Evicted", "message": disk}
    assert kaito_workload.pod_failure(_Pods(evicted), workspace()) == (
        "NodeDiskPressure",
        f'pod "phi-0" evicted due to node disk pressure: {disk}',
    )
    memory = {**evicted, "message": "The node was low on resource: memory."}
    assert kaito_workload.pod_failure(_Pods(memory), workspace())[0] == "NodeMemoryPressure"  # type: ignore[index]
    other = {**evicted, "message": "Pod was evicted by the taint manager."}
    assert kaito_workload.pod_failure(_Pods(other), workspace()) == (
        "PodEvicted",
        'pod "phi-0" was evicted: Pod was evicted by the taint manager.',
    )


def test_a_container_failure_comes_before_an_eviction_and_an_image_pull_error_before_a_crash_loop() -> None:
    pull = {"name": "phi", "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling"}}}
    crash = {
        "name": "phi",
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 1}},
    }
    evicted = {"phase": "Failed", "reason": "Evicted", "message": "low on memory"}
    found = kaito_workload.pod_failure(
        _Pods(evicted, {"containerStatuses": [crash]}, {"containerStatuses": [pull]}), workspace()
    )
    assert found == ("ImagePullError", 'container "phi" image pull failed (ImagePullBackOff): Back-off pulling')
    found = kaito_workload.pod_failure(_Pods(evicted, {"containerStatuses": [crash]}), workspace())
    assert found == (
        "ContainerCrashLoopBackOff",
        'container "phi" is in CrashLoopBackOff; last termination: exit code 1',
    )
